/* A bounded text buffer and JSON string escaping; never writes past its capacity. */
#ifndef TF_JSON_H
#define TF_JSON_H

#include <stddef.h>

struct tf_buf {
    char *data;
    size_t len;
    size_t cap;      /* bytes available, including the terminating NUL */
    int overflow;    /* set once something did not fit */
};

void tf_buf_init(struct tf_buf *b, char *mem, size_t cap);
void tf_buf_put(struct tf_buf *b, const char *s, size_t n);
void tf_buf_puts(struct tf_buf *b, const char *s);
void tf_buf_printf(struct tf_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends s as a quoted JSON string: control characters escaped, invalid UTF-8 replaced by
 * U+FFFD, and at most max_bytes of s used (a cut string ends in "…"). NULL becomes null. */
void tf_json_string(struct tf_buf *b, const char *s, size_t max_bytes);

/* Appends s for a one-line human log: control characters and invalid UTF-8 become \xNN. */
void tf_text_string(struct tf_buf *b, const char *s, size_t max_bytes);

#endif
