#include "tf_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void tf_buf_init(struct tf_buf *b, char *mem, size_t cap)
{
    b->data = mem;
    b->len = 0;
    b->cap = cap;
    b->overflow = cap == 0;
    if (cap)
        mem[0] = '\0';
}

void tf_buf_put(struct tf_buf *b, const char *s, size_t n)
{
    if (b->overflow || b->len + n + 1 > b->cap) {
        b->overflow = 1;
        return;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void tf_buf_puts(struct tf_buf *b, const char *s)
{
    tf_buf_put(b, s, strlen(s));
}

void tf_buf_printf(struct tf_buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        b->overflow = 1;
        return;
    }
    tf_buf_put(b, tmp, (size_t)n);
}

/* Length of the valid UTF-8 sequence at s (at most avail bytes), or 0 when it is not valid. */
static size_t utf8_sequence(const unsigned char *s, size_t avail)
{
    size_t need;
    unsigned min;
    unsigned cp;
    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xe0) == 0xc0) { need = 2; cp = s[0] & 0x1f; min = 0x80; }
    else if ((s[0] & 0xf0) == 0xe0) { need = 3; cp = s[0] & 0x0f; min = 0x800; }
    else if ((s[0] & 0xf8) == 0xf0) { need = 4; cp = s[0] & 0x07; min = 0x10000; }
    else return 0;
    if (need > avail)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return need;
}

/* Shared walk for both escapers: valid UTF-8 is copied, everything else goes to escape(). */
static void put_escaped(struct tf_buf *b, const char *s, size_t max_bytes, int json)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s), used = 0;
    int cut = 0;
    if (len > max_bytes) {
        len = max_bytes;
        cut = 1;
    }
    while (used < len) {
        /* a run of plain printable ASCII goes in with one copy */
        size_t run = 0;
        while (used + run < len && p[used + run] >= 0x20 && p[used + run] < 0x7f &&
               p[used + run] != '"' && p[used + run] != '\\')
            run++;
        if (run) {
            tf_buf_put(b, (const char *)p + used, run);
            used += run;
            continue;
        }
        size_t n = utf8_sequence(p + used, len - used);
        unsigned char c = p[used];
        if (n == 0) {
            if (json)
                tf_buf_puts(b, "\\ufffd");
            else
                tf_buf_printf(b, "\\x%02x", c);
            used++;
            continue;
        }
        if (n == 1 && (c < 0x20 || c == 0x7f || c == '"' || c == '\\')) {
            if (!json)
                tf_buf_printf(b, c == '"' || c == '\\' ? "%c" : "\\x%02x", c);
            else if (c == '"' || c == '\\')
                tf_buf_printf(b, "\\%c", c);
            else if (c == '\n')
                tf_buf_puts(b, "\\n");
            else if (c == '\t')
                tf_buf_puts(b, "\\t");
            else
                tf_buf_printf(b, "\\u%04x", c);
        } else {
            tf_buf_put(b, (const char *)p + used, n);
        }
        used += n;
    }
    if (cut)
        tf_buf_puts(b, "\xe2\x80\xa6");
}

void tf_json_string(struct tf_buf *b, const char *s, size_t max_bytes)
{
    if (s == NULL) {
        tf_buf_puts(b, "null");
        return;
    }
    tf_buf_puts(b, "\"");
    put_escaped(b, s, max_bytes, 1);
    tf_buf_puts(b, "\"");
}

void tf_text_string(struct tf_buf *b, const char *s, size_t max_bytes)
{
    put_escaped(b, s ? s : "-", max_bytes, 0);
}
