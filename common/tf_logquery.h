/* Questions to a log, on the log reader (tf_logread.h): which records a script selects
 * (KEY=VALUE, KEY~ERE, KEY?, KEY!) and whether a line keeps the log contract (tf_events.def).
 * Pure: no file, no allocation (regcomp aside); tlsfloor-log (report/log.c) is the program. */
#ifndef TF_LOGQUERY_H
#define TF_LOGQUERY_H

#include <regex.h>
#include <stddef.h>

#include "tf_logread.h"

#define TF_LOG_LINE_MAX 4096   /* a record and its newline (TF_LOG_MAX): one write() */

struct tf_lq_where {
    char key[64];        /* a tf_lr_get key */
    char op;             /* '=' equal, '~' POSIX ERE search, '?' present, '!' absent */
    const char *value;   /* '=' and '~': the text after the operator (inside the argument) */
    int compiled;        /* '~': re holds the compiled expression (tf_lq_where_free) */
    regex_t re;
};

/* Parses "KEY=VALUE", "KEY~ERE", "KEY?" or "KEY!". Returns 0, or -1 with why in err. */
int tf_lq_where_parse(const char *arg, struct tf_lq_where *w, char *err, size_t errcap);
void tf_lq_where_free(struct tf_lq_where *w);

/* Whether v equals the text want: strings by their decoded content; numbers by value when want
 * is a number ("443" equals 443, 4.0e2 equals "400"); true, false and null by their word. */
int tf_lq_equal(const struct tf_lr_val *v, const char *want);

/* Whether word is one of the sep-separated items of list ("shim java", "handshake,auth"). */
int tf_lq_in_list(const char *list, char sep, struct tf_lstr word);

/* Whether rec holds w (first: as tf_lr_get; buf: the line's length + 32 bytes). */
int tf_lq_match(const struct tf_lq_where *w, const struct tf_logrec *rec, const struct tf_lr_frame *first,
                char *buf, size_t cap);

/* Whether the line (without its newline) keeps the contract: at most TF_LOG_LINE_MAX bytes with its
 * newline, valid UTF-8, one JSON object with ts pid exe tool mode event detail, mode enforce or
 * audit, the event in the table and written by the record's tool, detail with every required key,
 * no key the table lacks, each value of the table's type or null, and an audit-mode record's
 * "applied" false. scratch: len bytes. Returns 1, or 0 with the first problem in why. */
int tf_lq_check(const char *line, size_t len, char *scratch, char *why, size_t whycap);

/* Whether s[0..n) is valid UTF-8 (no overlong form, no surrogate, nothing past U+10FFFF). */
int tf_lq_utf8(const char *s, size_t n);

#endif
