/* A JSON document read into a tree, for the tools that read tlsfloor's own JSON (the report's
 * HTML page). Pure: no I/O, no global state. It never trusts its input: nesting deeper than
 * TF_JT_MAX_DEPTH, a bad token, trailing bytes or a truncated text give NULL and say where;
 * strings come out as valid UTF-8 (invalid bytes and lone surrogates become U+FFFD). */
#ifndef TF_JSONTREE_H
#define TF_JSONTREE_H

#include <stddef.h>

#define TF_JT_MAX_DEPTH 64

enum tf_jt_type { TF_JT_NULL, TF_JT_FALSE, TF_JT_TRUE, TF_JT_NUMBER, TF_JT_STRING, TF_JT_ARRAY, TF_JT_OBJECT };

struct tf_jt {
    enum tf_jt_type type;
    char *key;            /* member name (UTF-8, NUL-terminated) inside an object, else NULL */
    size_t key_len;
    char *str;            /* a string's value, or a number's text; NUL-terminated */
    size_t len;           /* bytes of str (a string may hold U+0000) */
    double num;           /* a number's value */
    size_t count;         /* elements of an array, members of an object */
    struct tf_jt *child;  /* first element or member */
    struct tf_jt *next;   /* next sibling */
};

struct tf_jt_error {
    size_t offset;        /* byte where parsing stopped */
    const char *what;     /* a static message */
};

/* Parses text[0..n) as one JSON value (RFC 8259). NULL on error (err, when given, says why)
 * or when memory runs out. Free the result with tf_jt_free. */
struct tf_jt *tf_jt_parse(const char *text, size_t n, struct tf_jt_error *err);
void tf_jt_free(struct tf_jt *v);

/* The member named key of an object (the first one when repeated), or NULL. */
const struct tf_jt *tf_jt_member(const struct tf_jt *obj, const char *key);
/* A member's string value, or NULL when it is absent or not a string. */
const char *tf_jt_string_of(const struct tf_jt *obj, const char *key);
/* A member's number, or fallback when it is absent or not a number. */
double tf_jt_number_of(const struct tf_jt *obj, const char *key, double fallback);

#endif
