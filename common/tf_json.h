/* A bounded text buffer, JSON string escaping, and quoting for the readable log; never writes
 * past its capacity. No stdio, no malloc, no locale: safe in any thread and signal handler. */
#ifndef TF_JSON_H
#define TF_JSON_H

#include <stddef.h>
#include <string.h>

struct tf_buf {
    char *data;
    size_t len;
    size_t cap;      /* bytes available, including the terminating NUL */
    int overflow;    /* set once something did not fit */
};

void tf_buf_init(struct tf_buf *b, char *mem, size_t cap);

/* Inline: every record is a few dozen of these, and a literal's length and copy then fold into
 * the caller (no strlen, no memcpy call; see DEVELOPERS.md on what a handshake record costs). */
static inline void tf_buf_put(struct tf_buf *b, const char *s, size_t n)
{
    if (b->overflow || b->len + n + 1 > b->cap) {
        b->overflow = 1;
        return;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static inline void tf_buf_puts(struct tf_buf *b, const char *s)
{
    tf_buf_put(b, s, strlen(s));
}

/* Decimal integers; tf_buf_udec pads with zeros to at least width digits. */
void tf_buf_dec(struct tf_buf *b, long long v);
void tf_buf_udec(struct tf_buf *b, unsigned long long v, int width);
/* Lower-case hexadecimal without prefix, padded with zeros to at least width digits. */
void tf_buf_hex(struct tf_buf *b, unsigned long long v, int width);

/* Appends s as a quoted JSON string: control characters escaped, invalid UTF-8 replaced by
 * U+FFFD, and at most max_bytes of s used (a cut string ends in "…"). NULL becomes null. */
void tf_json_string(struct tf_buf *b, const char *s, size_t max_bytes);

/* Appends s as one value of the readable log (key=VALUE). Plain when it is printable text
 * without space, '=', '"' or '\\'; otherwise in double quotes, with '"' and '\\' escaped by a
 * backslash and control characters, invalid UTF-8, C1 controls, line/paragraph separators and
 * bidirectional overrides as \xNN per byte. So a value can never look like more fields or more
 * lines. At most max_bytes of s are used (a cut string ends in "…"); NULL and "" become "-"
 * and "" respectively. */
void tf_text_string(struct tf_buf *b, const char *s, size_t max_bytes);

#endif
