/* Host name rewrite rules: legacy endpoint -> standard endpoint. Pure functions. */
#ifndef TF_REWRITE_H
#define TF_REWRITE_H

#include <stddef.h>

#define TF_HOST_MAX 254      /* 253 characters and a NUL */
#define TF_RULES_MAX 64

struct tf_rule {
    char old[TF_HOST_MAX];   /* lower case, no trailing dot; "*.example.com" keeps the "*." */
    char new[TF_HOST_MAX];
    int wildcard;            /* old began with "*.": matches one or more labels below the rest */
};

struct tf_rules {
    struct tf_rule rule[TF_RULES_MAX];
    int count;
};

/* Validates and normalises one rule; returns 0, or -1 with a reason in err. */
int tf_rule_parse(const char *old, const char *new, struct tf_rule *out, char *err, size_t errlen);

/* Adds "OLD=NEW[,OLD=NEW...]". Each malformed entry is skipped and reported through report();
 * returns the number of malformed entries. */
int tf_rules_add_list(struct tf_rules *rules, const char *list,
                      void (*report)(void *ctx, const char *msg), void *ctx);

/* The replacement for name, or NULL. Case-insensitive, one trailing dot ignored. User rules win
 * over built-in ones; within a set, an exact rule wins over a wildcard, then the first listed. */
const char *tf_rewrite_lookup(const struct tf_rules *user, int use_builtin, const char *name);

/* Microsoft's legacy endpoints and where they go. */
extern const struct tf_rules tf_builtin_rules;

/* Whether text is a syntactically valid host name (labels of letters, digits, '-', '_'). */
int tf_hostname_valid(const char *text, size_t len);

#endif
