/* libFuzzer target: the log encoder. Builds a record whose strings (exe, event, detail keys
 * and values, frame modules/symbols/build-ids) and numbers come from the input, renders it with
 * tf_record_json and tf_record_text, and asserts: the JSON is one valid JSON object followed by
 * '\n', shorter than TF_LOG_MAX, with no raw control character or newline inside; the text form
 * is one line without raw control characters whose quotes are balanced (a value never reads as
 * more fields). A small strict JSON validator is included (no library needed). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tf_record.h"

/* ---- strict JSON (RFC 8259) validator: returns the end of one value, or NULL ---- */
static const char *ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p;
}

static const char *utf8(const char *p, const char *e)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t need;
    unsigned cp, min;
    if (s[0] < 0x80) return p + 1;
    if ((s[0] & 0xe0) == 0xc0) { need = 2; cp = s[0] & 0x1f; min = 0x80; }
    else if ((s[0] & 0xf0) == 0xe0) { need = 3; cp = s[0] & 0x0f; min = 0x800; }
    else if ((s[0] & 0xf8) == 0xf0) { need = 4; cp = s[0] & 0x07; min = 0x10000; }
    else return NULL;
    if ((size_t)(e - p) < need) return NULL;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xc0) != 0x80) return NULL;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return NULL;
    return p + need;
}

static const char *jstring(const char *p, const char *e)
{
    if (p >= e || *p != '"') return NULL;
    p++;
    while (p < e && *p != '"') {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20) return NULL;
        if (c == '\\') {
            if (++p >= e) return NULL;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (p + i >= e || !strchr("0123456789abcdefABCDEF", p[i]) || !p[i]) return NULL;
                p += 5;
            } else if (strchr("\"\\/bfnrt", *p) && *p) {
                p++;
            } else {
                return NULL;
            }
        } else if (!(p = utf8(p, e))) {
            return NULL;
        }
    }
    return p < e ? p + 1 : NULL;
}

static const char *jvalue(const char *p, const char *e, int depth);

static const char *jnumber(const char *p, const char *e)
{
    const char *s = p;
    if (p < e && *p == '-') p++;
    if (p >= e) return NULL;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') while (p < e && *p >= '0' && *p <= '9') p++;
    else return NULL;
    return p > s ? p : NULL;
}

static const char *jvalue(const char *p, const char *e, int depth)
{
    if (depth > 16) return NULL;
    p = ws(p, e);
    if (p >= e) return NULL;
    if (*p == '"') return jstring(p, e);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        int obj = *p == '{';
        p = ws(p + 1, e);
        if (p < e && *p == close) return p + 1;
        for (;;) {
            if (obj) {
                if (!(p = jstring(ws(p, e), e))) return NULL;
                p = ws(p, e);
                if (p >= e || *p++ != ':') return NULL;
            }
            if (!(p = jvalue(p, e, depth + 1))) return NULL;
            p = ws(p, e);
            if (p >= e) return NULL;
            if (*p == ',') { p++; continue; }
            if (*p == close) return p + 1;
            return NULL;
        }
    }
    if ((size_t)(e - p) >= 4 && !memcmp(p, "true", 4)) return p + 4;
    if ((size_t)(e - p) >= 5 && !memcmp(p, "false", 5)) return p + 5;
    if ((size_t)(e - p) >= 4 && !memcmp(p, "null", 4)) return p + 4;
    return jnumber(p, e);
}

/* ---- input -> record ---- */
struct reader { const uint8_t *p; size_t n; };

static size_t take_len(struct reader *r, size_t max)
{
    if (!r->n) return 0;
    size_t v = r->p[0];
    if (r->n >= 2) { v = v | ((size_t)r->p[1] << 8); r->p += 2; r->n -= 2; }
    else { r->p++; r->n--; }
    return v % (max + 1);
}

/* NUL-terminated string from the input (NULL sometimes). Stored in pool. */
static const char *take_str(struct reader *r, char *pool, size_t *used, size_t cap, int allow_null)
{
    size_t len = take_len(r, 6000);
    if (allow_null && len == 6000) return NULL;
    if (len > r->n) len = r->n;
    if (*used + len + 1 > cap) len = 0;
    if (*used + 1 > cap) return "";
    char *s = pool + *used;
    memcpy(s, r->p, len);
    s[len] = '\0';          /* embedded NULs just shorten it */
    r->p += len;
    r->n -= len;
    *used += len + 1;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char pool[1 << 18];
    size_t used = 0;
    struct reader rd = { data, size };
    struct tf_field fields[24];
    struct tf_frame frames[TF_MAX_FRAMES + 2];
    struct tf_caller caller = { 0 };
    struct tf_record rec = { 0 };
    long long nums[4] = { 0 };

    for (int i = 0; i < 4 && rd.n >= 8; i++) {
        memcpy(&nums[i], rd.p, 8);
        rd.p += 8;
        rd.n -= 8;
    }
    rec.ts.tv_sec = (time_t)(nums[0] % 253402300799LL);   /* before year 10000 */
    if (rec.ts.tv_sec < 0) rec.ts.tv_sec = -rec.ts.tv_sec;
    rec.ts.tv_nsec = (long)((unsigned long long)nums[1] % 1000000000ULL);
    rec.pid = (long)nums[2];
    rec.dropped = (unsigned long)nums[3] % 3 ? 0 : (unsigned long)nums[1];
    rec.exe = take_str(&rd, pool, &used, sizeof pool, 1);
    rec.tool = take_str(&rd, pool, &used, sizeof pool, 0);
    rec.mode = take_str(&rd, pool, &used, sizeof pool, 0);
    rec.event = take_str(&rd, pool, &used, sizeof pool, 0);
    int nf = (int)take_len(&rd, 24);
    for (int i = 0; i < nf; i++) {
        fields[i].key = take_str(&rd, pool, &used, sizeof pool, 0);
        fields[i].type = (enum tf_field_type)(take_len(&rd, 2));
        fields[i].str = take_str(&rd, pool, &used, sizeof pool, 1);
        fields[i].num = (long long)((unsigned long long)nums[3] * (unsigned)(i + 1));
    }
    rec.detail = fields;
    rec.ndetail = nf;
    if (rd.n && (rd.p[0] & 1)) {
        caller.site = (unsigned)take_len(&rd, 65535);
        caller.count = (unsigned long)nums[3];
        caller.nframes = (int)take_len(&rd, TF_MAX_FRAMES + 2);
        for (int i = 0; i < caller.nframes; i++) {
            frames[i].module = take_str(&rd, pool, &used, sizeof pool, 0);
            frames[i].offset = (uintptr_t)nums[i % 4];
            frames[i].symbol = take_str(&rd, pool, &used, sizeof pool, 1);
            frames[i].build_id = take_str(&rd, pool, &used, sizeof pool, 1);
        }
        caller.frames = frames;
        rec.caller = &caller;
    }

    static char out[TF_LOG_MAX + 64];
    memset(out, 'Z', sizeof out);
    size_t n = tf_record_json(&rec, out, TF_LOG_MAX);
    if (n == 0 || n >= TF_LOG_MAX) abort();               /* always a record, always < cap */
    if (out[n] != '\0' || out[n - 1] != '\n') abort();
    if (memchr(out, '\n', n - 1) || memchr(out, '\0', n)) abort();   /* one line */
    if (out[0] != '{') abort();
    const char *end = jvalue(out, out + n - 1, 0);
    if (end != out + n - 1) abort();                       /* exactly one JSON value */
    for (size_t i = TF_LOG_MAX; i < sizeof out; i++)
        if (out[i] != 'Z') abort();                        /* nothing written past cap */

    n = tf_record_text(&rec, out, TF_LOG_MAX);
    if (n == 0 || n >= TF_LOG_MAX || out[n - 1] != '\n' || memchr(out, '\n', n - 1)) abort();
    int quotes = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        unsigned char c = (unsigned char)out[i];
        if (c < 0x20 || c == 0x7f) abort();                /* escaped, never raw */
        if (c == '\\' && quotes % 2) i++;                  /* \" and \\ inside quotes */
        else if (c == '"') quotes++;
    }
    if (quotes % 2) abort();
    return 0;
}
