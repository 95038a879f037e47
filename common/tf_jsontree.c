/* A recursive-descent JSON reader into a tree (tf_jsontree.h). The depth is bounded, so the
 * recursion is too; every byte is looked at once. */
#include "tf_jsontree.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct reader {
    const unsigned char *s;
    size_t n;
    size_t pos;
    int depth;
    const char *what;     /* first error */
};

/* A growing byte string for decoded strings. */
struct text {
    char *data;
    size_t len;
    size_t cap;
};

static int text_put(struct text *t, const char *s, size_t n)
{
    if (!t->data || t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 32;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *d = realloc(t->data, cap);
        if (!d)
            return -1;
        t->data = d;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
    return 0;
}

static int text_utf8(struct text *t, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        b[0] = (char)(0xf0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    return text_put(t, b, n);
}

static int fail(struct reader *r, const char *what)
{
    if (!r->what)
        r->what = what;
    return -1;
}

static void skip_space(struct reader *r)
{
    while (r->pos < r->n) {
        unsigned char c = r->s[r->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return;
        r->pos++;
    }
}

/* Length of the valid UTF-8 sequence at p (at most avail bytes), or 0 when it is not one. */
static size_t utf8_valid(const unsigned char *p, size_t avail)
{
    size_t n;
    uint32_t cp, min;
    if (p[0] < 0x80)
        return 1;
    if ((p[0] & 0xe0) == 0xc0) {
        n = 2;
        cp = p[0] & 0x1f;
        min = 0x80;
    } else if ((p[0] & 0xf0) == 0xe0) {
        n = 3;
        cp = p[0] & 0x0f;
        min = 0x800;
    } else if ((p[0] & 0xf8) == 0xf0) {
        n = 4;
        cp = p[0] & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n > avail)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

static int hex4(struct reader *r, uint32_t *out)
{
    uint32_t v = 0;
    if (r->n - r->pos < 4)
        return fail(r, "truncated \\u escape");
    for (int i = 0; i < 4; i++) {
        unsigned char c = r->s[r->pos++];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return fail(r, "bad \\u escape");
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return 0;
}

/* After "\u": one code point, pairing surrogates; a lone surrogate is U+FFFD. */
static int unicode_escape(struct reader *r, struct text *t)
{
    uint32_t cp, lo;
    if (hex4(r, &cp) < 0)
        return -1;
    if (cp >= 0xd800 && cp <= 0xdbff && r->n - r->pos >= 6 && r->s[r->pos] == '\\' && r->s[r->pos + 1] == 'u') {
        size_t back = r->pos;
        r->pos += 2;
        if (hex4(r, &lo) < 0)
            return -1;
        if (lo >= 0xdc00 && lo <= 0xdfff)
            return text_utf8(t, 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00));
        r->pos = back;   /* not a low surrogate: read it on its own */
    }
    if (cp >= 0xd800 && cp <= 0xdfff)
        cp = 0xfffd;
    return text_utf8(t, cp);
}

static int escape(struct reader *r, struct text *t)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    if (r->pos >= r->n)
        return fail(r, "truncated string");
    unsigned char c = r->s[r->pos++];
    if (c == 'u')
        return unicode_escape(r, t);
    const char *p = c ? strchr(from, c) : NULL;
    if (!p)
        return fail(r, "bad escape");
    return text_put(t, &to[p - from], 1);
}

/* At the opening quote: the decoded string into t. */
static int string_body(struct reader *r, struct text *t)
{
    r->pos++;
    for (;;) {
        if (r->pos >= r->n)
            return fail(r, "truncated string");
        unsigned char c = r->s[r->pos];
        if (c == '"') {
            r->pos++;
            return t->data ? 0 : text_put(t, "", 0);
        }
        if (c < 0x20)
            return fail(r, "control character in a string");
        if (c == '\\') {
            r->pos++;
            if (escape(r, t) < 0)
                return fail(r, "out of memory");
            continue;
        }
        size_t k = utf8_valid(r->s + r->pos, r->n - r->pos);
        int rc = k ? text_put(t, (const char *)r->s + r->pos, k) : text_put(t, "\xef\xbf\xbd", 3);
        if (rc < 0)
            return fail(r, "out of memory");
        r->pos += k ? k : 1;
    }
}

static size_t digits(struct reader *r)
{
    size_t start = r->pos;
    while (r->pos < r->n && r->s[r->pos] >= '0' && r->s[r->pos] <= '9')
        r->pos++;
    return r->pos - start;
}

static int number(struct reader *r, struct tf_jt *v)
{
    size_t start = r->pos;
    if (r->pos < r->n && r->s[r->pos] == '-')
        r->pos++;
    size_t lead = r->pos;
    size_t d = digits(r);
    if (d == 0 || (d > 1 && r->s[lead] == '0'))
        return fail(r, "bad number");
    if (r->pos < r->n && r->s[r->pos] == '.') {
        r->pos++;
        if (!digits(r))
            return fail(r, "bad number");
    }
    if (r->pos < r->n && (r->s[r->pos] == 'e' || r->s[r->pos] == 'E')) {
        r->pos++;
        if (r->pos < r->n && (r->s[r->pos] == '+' || r->s[r->pos] == '-'))
            r->pos++;
        if (!digits(r))
            return fail(r, "bad number");
    }
    v->type = TF_JT_NUMBER;
    v->len = r->pos - start;
    v->str = malloc(v->len + 1);
    if (!v->str)
        return fail(r, "out of memory");
    memcpy(v->str, r->s + start, v->len);
    v->str[v->len] = '\0';
    v->num = strtod(v->str, NULL);
    return 0;
}

static int literal(struct reader *r, struct tf_jt *v)
{
    static const struct { const char *word; enum tf_jt_type type; } words[] = {
        { "null", TF_JT_NULL }, { "true", TF_JT_TRUE }, { "false", TF_JT_FALSE },
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t l = strlen(words[i].word);
        if (r->n - r->pos >= l && memcmp(r->s + r->pos, words[i].word, l) == 0) {
            r->pos += l;
            v->type = words[i].type;
            return 0;
        }
    }
    return fail(r, "unexpected character");
}

static int value(struct reader *r, struct tf_jt *v);

/* Appends a new node after *tail; the caller's container counts it. */
static struct tf_jt *new_child(struct tf_jt *parent, struct tf_jt **tail)
{
    struct tf_jt *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (*tail)
        (*tail)->next = c;
    else
        parent->child = c;
    *tail = c;
    parent->count++;
    return c;
}

/* At '[' or '{': the elements or members, comma-separated, up to the closing bracket. */
static int container(struct reader *r, struct tf_jt *v, int is_object)
{
    struct tf_jt *tail = NULL;
    unsigned char close = is_object ? '}' : ']';
    v->type = is_object ? TF_JT_OBJECT : TF_JT_ARRAY;
    if (++r->depth > TF_JT_MAX_DEPTH)
        return fail(r, "nested too deeply");
    r->pos++;
    skip_space(r);
    if (r->pos < r->n && r->s[r->pos] == close) {
        r->pos++;
        r->depth--;
        return 0;
    }
    for (;;) {
        struct tf_jt *c = new_child(v, &tail);
        if (!c)
            return fail(r, "out of memory");
        skip_space(r);
        if (is_object) {
            struct text key = { 0 };
            if (r->pos >= r->n || r->s[r->pos] != '"')
                return fail(r, "expected a member name");
            int rc = string_body(r, &key);
            c->key = key.data;
            c->key_len = key.len;
            if (rc < 0)
                return -1;
            skip_space(r);
            if (r->pos >= r->n || r->s[r->pos] != ':')
                return fail(r, "expected ':'");
            r->pos++;
        }
        if (value(r, c) < 0)
            return -1;
        skip_space(r);
        if (r->pos >= r->n)
            return fail(r, "truncated");
        if (r->s[r->pos] == close) {
            r->pos++;
            r->depth--;
            return 0;
        }
        if (r->s[r->pos] != ',')
            return fail(r, is_object ? "expected ',' or '}'" : "expected ',' or ']'");
        r->pos++;
    }
}

static int value(struct reader *r, struct tf_jt *v)
{
    skip_space(r);
    if (r->pos >= r->n)
        return fail(r, "truncated");
    unsigned char c = r->s[r->pos];
    if (c == '{' || c == '[')
        return container(r, v, c == '{');
    if (c == '"') {
        struct text t = { 0 };
        int rc = string_body(r, &t);
        v->type = TF_JT_STRING;
        v->str = t.data;
        v->len = t.len;
        return rc;
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return number(r, v);
    return literal(r, v);
}

struct tf_jt *tf_jt_parse(const char *text, size_t n, struct tf_jt_error *err)
{
    struct reader r = { (const unsigned char *)text, n, 0, 0, NULL };
    struct tf_jt *v = calloc(1, sizeof *v);
    if (!v) {
        if (err)
            *err = (struct tf_jt_error){ 0, "out of memory" };
        return NULL;
    }
    if (value(&r, v) == 0) {
        skip_space(&r);
        if (r.pos == r.n)
            return v;
        fail(&r, "bytes after the value");
    }
    if (err)
        *err = (struct tf_jt_error){ r.pos, r.what ? r.what : "invalid" };
    tf_jt_free(v);
    return NULL;
}

void tf_jt_free(struct tf_jt *v)
{
    while (v) {
        struct tf_jt *next = v->next;
        tf_jt_free(v->child);   /* depth is bounded by TF_JT_MAX_DEPTH */
        free(v->key);
        free(v->str);
        free(v);
        v = next;
    }
}

const struct tf_jt *tf_jt_member(const struct tf_jt *obj, const char *key)
{
    if (!obj || obj->type != TF_JT_OBJECT)
        return NULL;
    size_t l = strlen(key);
    for (const struct tf_jt *c = obj->child; c; c = c->next)
        if (c->key_len == l && memcmp(c->key, key, l) == 0)
            return c;
    return NULL;
}

const char *tf_jt_string_of(const struct tf_jt *obj, const char *key)
{
    const struct tf_jt *m = tf_jt_member(obj, key);
    return m && m->type == TF_JT_STRING ? m->str : NULL;
}

double tf_jt_number_of(const struct tf_jt *obj, const char *key, double fallback)
{
    const struct tf_jt *m = tf_jt_member(obj, key);
    return m && m->type == TF_JT_NUMBER ? m->num : fallback;
}
