#include "tf_json.h"

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

/* Digits of v in base (10 or 16), at least width of them, most significant first. */
static void put_digits(struct tf_buf *b, unsigned long long v, unsigned base, int width)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[24];                 /* 2^64 has 20 decimal digits */
    int n = 0;
    if (width > 20)
        width = 20;
    do {
        tmp[sizeof tmp - 1 - n++] = digits[v % base];
        v /= base;
    } while (v);
    while (n < width)
        tmp[sizeof tmp - 1 - n++] = '0';
    tf_buf_put(b, tmp + sizeof tmp - n, (size_t)n);
}

void tf_buf_dec(struct tf_buf *b, long long v)
{
    if (v < 0) {
        tf_buf_put(b, "-", 1);
        put_digits(b, 0ULL - (unsigned long long)v, 10, 1);   /* also right for LLONG_MIN */
    } else {
        put_digits(b, (unsigned long long)v, 10, 1);
    }
}

void tf_buf_udec(struct tf_buf *b, unsigned long long v, int width)
{
    put_digits(b, v, 10, width);
}

void tf_buf_hex(struct tf_buf *b, unsigned long long v, int width)
{
    put_digits(b, v, 16, width);
}

/* Length of the valid UTF-8 sequence at s (at most avail bytes), or 0 when it is not valid;
 * its code point in *cp. */
static size_t utf8_sequence(const unsigned char *s, size_t avail, unsigned *cp_out)
{
    size_t need;
    unsigned min;
    unsigned cp;
    if (s[0] < 0x80) {
        *cp_out = s[0];
        return 1;
    }
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
    *cp_out = cp;
    return need;
}

/* Code points that a terminal or log viewer may render as a line break or use to reorder what
 * is shown (C1 controls, NEL, LS/PS, bidirectional embeddings/overrides/isolates, BOM). */
static int deceptive(unsigned cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f || cp == 0x2028 || cp == 0x2029 ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

static void put_hex_byte(struct tf_buf *b, const char *prefix, unsigned c, int width)
{
    tf_buf_puts(b, prefix);
    tf_buf_hex(b, c, width);
}

static size_t cut_length(const char *s, size_t max_bytes, int *cut)
{
    size_t len = strlen(s);
    *cut = len > max_bytes;
    return *cut ? max_bytes : len;
}

/* Bytes that stand for themselves: bit 1 in JSON strings, bit 2 also in key=value text
 * (printable ASCII but '"' and '\\'; text also quotes ' ' and '='). One load per byte: every
 * record's values go through here. */
static const unsigned char plain_byte[256] = {
    [' '] = 1, ['!'] = 3, ['#' ... '<'] = 3, ['='] = 1, ['>' ... '['] = 3, [']' ... '~'] = 3,
};

/* A run of printable ASCII that needs no escaping in either form. */
static size_t plain_run(const unsigned char *p, size_t avail, int text)
{
    unsigned want = text ? 2 : 1;
    size_t run = 0;
    while (run < avail && (plain_byte[p[run]] & want))
        run++;
    return run;
}

/* The common case, fast: s is plain text (every byte has a want bit in plain_byte) that fits
 * whole. The scan needs no bound of its own (NUL is never plain) and is unrolled: it runs over
 * every value of every record. Returns 0 (b unchanged) for anything else: empty, cut, not plain
 * or not room enough, which the full path then handles. */
static int copy_plain(struct tf_buf *b, const char *s, size_t max_bytes, unsigned want)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    for (;;) {
        if (!(plain_byte[p[i]] & want))
            break;
        if (!(plain_byte[p[i + 1]] & want)) {
            i += 1;
            break;
        }
        if (!(plain_byte[p[i + 2]] & want)) {
            i += 2;
            break;
        }
        if (!(plain_byte[p[i + 3]] & want)) {
            i += 3;
            break;
        }
        i += 4;
    }
    if (i == 0 || p[i] != '\0' || i > max_bytes || b->overflow || b->len + i + 1 > b->cap)
        return 0;
    memcpy(b->data + b->len, s, i);
    b->len += i;
    b->data[b->len] = '\0';
    return 1;
}

void tf_json_string(struct tf_buf *b, const char *s, size_t max_bytes)
{
    if (s == NULL) {
        tf_buf_puts(b, "null");
        return;
    }
    tf_buf_puts(b, "\"");
    if (copy_plain(b, s, max_bytes, 1)) {
        tf_buf_puts(b, "\"");
        return;
    }
    const unsigned char *p = (const unsigned char *)s;
    int cut;
    size_t len = cut_length(s, max_bytes, &cut), used = 0;
    while (used < len) {
        size_t run = plain_run(p + used, len - used, 0);
        if (run) {
            tf_buf_put(b, (const char *)p + used, run);
            used += run;
            continue;
        }
        unsigned cp;
        size_t n = utf8_sequence(p + used, len - used, &cp);
        if (n == 0) {
            tf_buf_puts(b, "\\ufffd");
            used++;
            continue;
        }
        if (cp == '"' || cp == '\\')
            tf_buf_put(b, cp == '"' ? "\\\"" : "\\\\", 2);
        else if (cp == '\n')
            tf_buf_puts(b, "\\n");
        else if (cp == '\t')
            tf_buf_puts(b, "\\t");
        else if (cp < 0x20 || cp == 0x7f)
            put_hex_byte(b, "\\u", cp, 4);
        else
            tf_buf_put(b, (const char *)p + used, n);
        used += n;
    }
    if (cut)
        tf_buf_puts(b, "\xe2\x80\xa6");
    tf_buf_puts(b, "\"");
}

/* Whether the first len bytes of s can stand unquoted in a key=value line. */
static int text_plain(const unsigned char *p, size_t len)
{
    size_t used = 0;
    if (len == 0)
        return 0;
    while (used < len) {
        size_t run = plain_run(p + used, len - used, 1);
        if (run) {
            used += run;
            continue;
        }
        unsigned cp;
        size_t n = utf8_sequence(p + used, len - used, &cp);
        if (n <= 1 || deceptive(cp))   /* 1: an ASCII byte plain_run refused */
            return 0;
        used += n;
    }
    return 1;
}

void tf_text_string(struct tf_buf *b, const char *s, size_t max_bytes)
{
    if (s == NULL) {
        tf_buf_puts(b, "-");
        return;
    }
    if (copy_plain(b, s, max_bytes, 2))
        return;
    const unsigned char *p = (const unsigned char *)s;
    int cut;
    size_t len = cut_length(s, max_bytes, &cut), used = 0;
    if (text_plain(p, len)) {
        tf_buf_put(b, s, len);
        if (cut)
            tf_buf_puts(b, "\xe2\x80\xa6");
        return;
    }
    tf_buf_puts(b, "\"");
    while (used < len) {
        size_t run = plain_run(p + used, len - used, 0);   /* spaces and '=' are fine in quotes */
        if (run) {
            tf_buf_put(b, (const char *)p + used, run);
            used += run;
            continue;
        }
        unsigned cp;
        size_t n = utf8_sequence(p + used, len - used, &cp);
        if (n == 1 && (cp == '"' || cp == '\\')) {
            tf_buf_put(b, cp == '"' ? "\\\"" : "\\\\", 2);
        } else if (n == 0 || n == 1 || deceptive(cp)) {
            size_t k = n ? n : 1;      /* every byte of it, escaped */
            for (size_t i = 0; i < k; i++)
                put_hex_byte(b, "\\x", p[used + i], 2);
            n = k;
        } else {
            tf_buf_put(b, (const char *)p + used, n);
        }
        used += n;
    }
    if (cut)
        tf_buf_puts(b, "\xe2\x80\xa6");
    tf_buf_puts(b, "\"");
}
