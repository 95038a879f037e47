#include "tf_logread.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* A cursor over the line, and where decoded strings go. */
struct cur {
    const char *p, *e;
    char *out;          /* scratch: room for the whole line, never overrun (decoding shrinks) */
};

/* A byte sink that truncates (tf_lr_flat_detail) or never fills (scratch). */
struct sink {
    char *p, *end;
};

struct val {
    char type;          /* s n b z o a */
    struct tf_lstr s;   /* string content, or a scalar's text */
};

typedef int (*member_fn)(struct cur *c, int depth, void *target, struct tf_lstr key);
typedef int (*elem_fn)(struct cur *c, int depth, void *target, int index);

static int value(struct cur *c, int depth, struct val *v);

int tf_lstr_is(struct tf_lstr s, const char *t)
{
    size_t n = strlen(t);
    return s.p && s.n == n && memcmp(s.p, t, n) == 0;
}

static void ws(struct cur *c)
{
    while (c->p < c->e && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r'))
        c->p++;
}

static void put(struct sink *o, const char *s, size_t n)
{
    size_t room = (size_t)(o->end - o->p);
    if (n > room)
        n = room;
    if (n == 0)
        return;
    memcpy(o->p, s, n);
    o->p += n;
}

static void put_utf8(struct sink *o, unsigned long cp)
{
    char b[4] = { 0 };
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | cp >> 12), b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
    } else {
        b[0] = (char)(0xf0 | cp >> 18), b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), b[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
    }
    put(o, b, n);
}

static int hex4(const char *p, const char *e, unsigned long *cp)
{
    unsigned long v = 0;
    if (e - p < 4)
        return 0;
    for (int i = 0; i < 4; i++) {
        char h = p[i];
        int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
              : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
        if (d < 0)
            return 0;
        v = v * 16 + (unsigned long)d;
    }
    *cp = v;
    return 1;
}

/* \uXXXX at p (after the backslash and 'u'): a surrogate pair joins; a lone surrogate or NUL
 * becomes U+FFFD (a report's strings are C strings). Returns the bytes consumed, 0 if bad. */
static size_t unicode_escape(const char *p, const char *e, struct sink *o)
{
    unsigned long cp, lo;
    if (!hex4(p, e, &cp))
        return 0;
    size_t used = 4;
    if (cp >= 0xd800 && cp <= 0xdbff) {
        if (e - p >= 10 && p[4] == '\\' && p[5] == 'u' && hex4(p + 6, e, &lo) && lo >= 0xdc00 &&
            lo <= 0xdfff) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            used = 10;
        } else {
            cp = 0xfffd;
        }
    } else if ((cp >= 0xdc00 && cp <= 0xdfff) || cp == 0) {
        cp = 0xfffd;
    }
    put_utf8(o, cp);
    return used;
}

/* Decodes the string body at c->p (after the quote) into o, up to and past the closing quote. */
static int decode_string(struct cur *c, struct sink *o)
{
    while (c->p < c->e) {
        const char *run = c->p;
        while (c->p < c->e && *c->p != '"' && *c->p != '\\' && (unsigned char)*c->p >= 0x20)
            c->p++;
        put(o, run, (size_t)(c->p - run));
        if (c->p == c->e || (unsigned char)*c->p < 0x20)
            return 0;   /* unterminated (a truncated line) or a raw control character */
        if (*c->p++ == '"')
            return 1;
        if (c->p == c->e)
            return 0;
        char x = *c->p++;
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *hit = x ? strchr(from, x) : NULL;
        if (hit) {
            put(o, &to[hit - from], 1);
        } else if (x == 'u') {
            size_t used = unicode_escape(c->p, c->e, o);
            if (!used)
                return 0;
            c->p += used;
        } else {
            return 0;
        }
    }
    return 0;
}

/* A string at c->p (the opening quote): a slice of the line, or decoded into scratch. */
static int string(struct cur *c, struct tf_lstr *out)
{
    const char *start = ++c->p, *q = start;
    while (q < c->e && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
        q++;
    if (q < c->e && *q == '"') {
        out->p = start, out->n = (size_t)(q - start);
        c->p = q + 1;
        return 1;
    }
    /* no scratch (tf_lr_flat_detail skipping an array): validate, keep nothing */
    struct sink o = { c->out, c->out ? c->out + (c->e - start) : NULL };
    if (!decode_string(c, &o))
        return 0;
    out->p = c->out, out->n = (size_t)(o.p - c->out);
    c->out = o.p;
    return 1;
}

static int digits(struct cur *c)
{
    const char *s = c->p;
    while (c->p < c->e && *c->p >= '0' && *c->p <= '9')
        c->p++;
    return c->p > s;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)? */
static int number(struct cur *c, struct tf_lstr *out)
{
    const char *s = c->p;
    if (c->p < c->e && *c->p == '-')
        c->p++;
    if (c->p < c->e && *c->p == '0')
        c->p++;
    else if (!digits(c))
        return 0;
    if (c->p < c->e && *c->p == '.' && (c->p++, !digits(c)))
        return 0;
    if (c->p < c->e && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->e && (*c->p == '+' || *c->p == '-'))
            c->p++;
        if (!digits(c))
            return 0;
    }
    out->p = s, out->n = (size_t)(c->p - s);
    return 1;
}

static int literal(struct cur *c, const char *word, struct val *v, char type)
{
    size_t n = strlen(word);
    if ((size_t)(c->e - c->p) < n || memcmp(c->p, word, n) != 0)
        return 0;
    v->type = type, v->s.p = c->p, v->s.n = n;
    c->p += n;
    return 1;
}

static int skip_member(struct cur *c, int depth, void *target, struct tf_lstr key)
{
    struct val v;
    (void)target, (void)key;
    return value(c, depth, &v);
}

static int skip_elem(struct cur *c, int depth, void *target, int index)
{
    struct val v;
    (void)target, (void)index;
    return value(c, depth, &v);
}

/* {"k":v,...} at c->p; fn parses each member's value. depth counts the enclosing containers. */
static int object(struct cur *c, int depth, member_fn fn, void *target)
{
    if (depth > TF_LR_DEPTH)
        return 0;
    c->p++;
    ws(c);
    if (c->p < c->e && *c->p == '}')
        return c->p++, 1;
    for (;;) {
        struct tf_lstr key;
        ws(c);
        if (c->p == c->e || *c->p != '"' || !string(c, &key))
            return 0;
        ws(c);
        if (c->p == c->e || *c->p++ != ':')
            return 0;
        ws(c);
        if (!fn(c, depth, target, key))
            return 0;
        ws(c);
        if (c->p == c->e)
            return 0;
        char x = *c->p++;
        if (x == '}')
            return 1;
        if (x != ',')
            return 0;
    }
}

static int array(struct cur *c, int depth, elem_fn fn, void *target, int *count)
{
    int i = 0;
    if (depth > TF_LR_DEPTH)
        return 0;
    c->p++;
    ws(c);
    if (c->p < c->e && *c->p == ']')
        return c->p++, *count = 0, 1;
    for (;; i++) {
        ws(c);
        if (!fn(c, depth, target, i))
            return 0;
        ws(c);
        if (c->p == c->e)
            return 0;
        char x = *c->p++;
        if (x == ']')
            return *count = i + 1, 1;
        if (x != ',')
            return 0;
    }
}

static int value(struct cur *c, int depth, struct val *v)
{
    int n;
    v->s.p = NULL, v->s.n = 0;
    if (c->p == c->e)
        return 0;
    switch (*c->p) {
    case '"': v->type = 's'; return string(c, &v->s);
    case '{': v->type = 'o'; return object(c, depth + 1, skip_member, NULL);
    case '[': v->type = 'a'; return array(c, depth + 1, skip_elem, NULL, &n);
    case 't': return literal(c, "true", v, 'b');
    case 'f': return literal(c, "false", v, 'b');
    case 'n': return literal(c, "null", v, 'z');
    default: v->type = 'n'; return number(c, &v->s);
    }
}

/* A member that must be a string to count (anything else leaves it absent, as a later
 * duplicate of another type would). */
static int string_member(struct cur *c, int depth, struct tf_lstr *slot)
{
    struct val v;
    if (!value(c, depth, &v))
        return 0;
    *slot = v.type == 's' ? v.s : (struct tf_lstr){ NULL, 0 };
    return 1;
}

/* A member kept as text when it is a number or a string (pid, port, site, line). */
static int scalar_member(struct cur *c, int depth, struct tf_lstr *slot)
{
    struct val v;
    if (!value(c, depth, &v))
        return 0;
    *slot = v.type == 's' || v.type == 'n' ? v.s : (struct tf_lstr){ NULL, 0 };
    return 1;
}

#define FIELD(s, f) { #f, offsetof(s, f) }
struct field {
    const char *name;
    size_t off;
};

static const struct field detail_fields[] = {
    FIELD(struct tf_lr_detail, old), { "new", offsetof(struct tf_lr_detail, new_) },
    FIELD(struct tf_lr_detail, via), FIELD(struct tf_lr_detail, layer),
    FIELD(struct tf_lr_detail, cleared), FIELD(struct tf_lr_detail, host),
    FIELD(struct tf_lr_detail, peer), FIELD(struct tf_lr_detail, sni),
    FIELD(struct tf_lr_detail, version), FIELD(struct tf_lr_detail, changes),
    FIELD(struct tf_lr_detail, reason), FIELD(struct tf_lr_detail, mechanism),
    FIELD(struct tf_lr_detail, command), FIELD(struct tf_lr_detail, message),
    FIELD(struct tf_lr_detail, libraries), FIELD(struct tf_lr_detail, tls_libraries),
    FIELD(struct tf_lr_detail, stack), FIELD(struct tf_lr_detail, verdict),
    FIELD(struct tf_lr_detail, library), FIELD(struct tf_lr_detail, min),
    FIELD(struct tf_lr_detail, max), FIELD(struct tf_lr_detail, why),
    FIELD(struct tf_lr_detail, error),
};

static const struct field frame_fields[] = {
    FIELD(struct tf_lr_frame, module), FIELD(struct tf_lr_frame, offset),
    FIELD(struct tf_lr_frame, symbol), FIELD(struct tf_lr_frame, build_id),
    { "class", offsetof(struct tf_lr_frame, cls) }, FIELD(struct tf_lr_frame, method),
    FIELD(struct tf_lr_frame, file),
};

static struct tf_lstr *lookup(const struct field *f, size_t n, void *base, struct tf_lstr key)
{
    for (size_t i = 0; i < n; i++)
        if (tf_lstr_is(key, f[i].name))
            return (struct tf_lstr *)((char *)base + f[i].off);
    return NULL;
}

static int detail_member(struct cur *c, int depth, void *target, struct tf_lstr key)
{
    struct tf_lr_detail *d = target;
    if (tf_lstr_is(key, "port"))
        return scalar_member(c, depth, &d->port);
    if (tf_lstr_is(key, "changed")) {
        struct val v;
        if (!value(c, depth, &v))
            return 0;
        d->changed = v.type == 'b' ? v.s.n == 4 : -1;
        return 1;
    }
    struct tf_lstr *slot = lookup(detail_fields, sizeof detail_fields / sizeof *detail_fields, d, key);
    return slot ? string_member(c, depth, slot) : skip_member(c, depth, NULL, key);
}

static int frame_member(struct cur *c, int depth, void *target, struct tf_lstr key)
{
    struct tf_lr_frame *f = target;
    if (tf_lstr_is(key, "line"))
        return scalar_member(c, depth, &f->line);
    struct tf_lstr *slot = lookup(frame_fields, sizeof frame_fields / sizeof *frame_fields, f, key);
    return slot ? string_member(c, depth, slot) : skip_member(c, depth, NULL, key);
}

static int frame_elem(struct cur *c, int depth, void *target, int index)
{
    struct tf_logrec *r = target;
    if (index < TF_LR_FRAMES && c->p < c->e && *c->p == '{') {
        memset(&r->frame[index], 0, sizeof r->frame[index]);
        return object(c, depth + 1, frame_member, &r->frame[index]);
    }
    return skip_elem(c, depth, NULL, index);
}

static int caller_member(struct cur *c, int depth, void *target, struct tf_lstr key)
{
    struct tf_logrec *r = target;
    if (tf_lstr_is(key, "site"))
        return scalar_member(c, depth, &r->site);
    if (tf_lstr_is(key, "count"))
        return scalar_member(c, depth, &r->count);
    if (tf_lstr_is(key, "frames") && c->p < c->e && *c->p == '[') {
        if (!array(c, depth + 1, frame_elem, r, &r->nframes))
            return 0;
        if (r->nframes > TF_LR_FRAMES)
            return 1;
        for (int i = r->nframes; i < TF_LR_FRAMES; i++)
            memset(&r->frame[i], 0, sizeof r->frame[i]);
        return 1;
    }
    return skip_member(c, depth, NULL, key);
}

static long to_long(struct tf_lstr s)
{
    long v = 0;
    for (size_t i = 0; i < s.n && s.p[i] >= '0' && s.p[i] <= '9' && v < 1000000000L; i++)
        v = v * 10 + (s.p[i] - '0');
    return v;
}

static int top_object_member(struct cur *c, int depth, struct tf_logrec *r, struct tf_lstr key)
{
    if (tf_lstr_is(key, "detail") && *c->p == '{') {
        const char *start = c->p;
        memset(&r->d, 0, sizeof r->d);
        r->d.changed = -1;
        if (!object(c, depth + 1, detail_member, &r->d))
            return 0;
        r->has_detail = 1;
        r->detail_raw.p = start, r->detail_raw.n = (size_t)(c->p - start);
        return 1;
    }
    if (tf_lstr_is(key, "caller") && *c->p == '{') {
        r->has_caller = 1, r->nframes = 0;
        return object(c, depth + 1, caller_member, r);
    }
    return -1;
}

static int top_member(struct cur *c, int depth, void *target, struct tf_lstr key)
{
    struct tf_logrec *r = target;
    static const struct field top[] = {
        FIELD(struct tf_logrec, ts), FIELD(struct tf_logrec, host), FIELD(struct tf_logrec, exe),
        FIELD(struct tf_logrec, tool), FIELD(struct tf_logrec, mode), FIELD(struct tf_logrec, event),
    };
    int done = c->p < c->e ? top_object_member(c, depth, r, key) : 0;
    if (done >= 0)
        return done;
    if (tf_lstr_is(key, "pid"))
        return scalar_member(c, depth, &r->pid);
    if (tf_lstr_is(key, "hostname") && r->host.p)
        return skip_member(c, depth, NULL, key);   /* "host" wins over "hostname" */
    if (tf_lstr_is(key, "hostname"))
        return string_member(c, depth, &r->host);
    if (tf_lstr_is(key, "truncated") || tf_lstr_is(key, "dropped")) {
        struct val v;
        if (!value(c, depth, &v))
            return 0;
        if (key.n == 9)
            r->truncated = v.type == 'b' && v.s.n == 4;
        else
            r->dropped = v.type == 'n' ? to_long(v.s) : 0;
        return 1;
    }
    struct tf_lstr *slot = lookup(top, sizeof top / sizeof *top, r, key);
    return slot ? string_member(c, depth, slot) : skip_member(c, depth, NULL, key);
}

enum tf_lr_result tf_lr_parse(const char *line, size_t len, char *scratch, struct tf_logrec *rec)
{
    struct cur c = { line, line + len, scratch };
    memset(rec, 0, sizeof *rec);
    rec->d.changed = -1;
    ws(&c);
    if (c.p == c.e)
        return TF_LR_BLANK;
    if (*c.p != '{' || !object(&c, 1, top_member, rec))
        return TF_LR_MALFORMED;
    ws(&c);
    if (c.p != c.e || !rec->event.p || rec->event.n == 0)
        return TF_LR_MALFORMED;
    return TF_LR_OK;
}

/* ---- generic access: any member of an object, any key of a record */

struct members {
    tf_lr_member_fn fn;
    void *ctx;
    int stopped;
};

static int each_member(struct cur *c, int depth, void *target, struct tf_lstr key)
{
    struct members *m = target;
    const char *start = c->p;
    struct val v;
    if (!value(c, depth, &v))
        return 0;
    if (m->stopped)
        return 1;
    struct tf_lr_val out = { v.type, v.s.p, v.s.n };
    if (v.type == 'o' || v.type == 'a')
        out.s = start, out.n = (size_t)(c->p - start);
    m->stopped = !m->fn(m->ctx, key, &out);
    return 1;
}

int tf_lr_members(struct tf_lstr obj, char *scratch, tf_lr_member_fn fn, void *ctx)
{
    struct cur c = { obj.p, obj.p + obj.n, scratch };
    struct members m = { fn, ctx, 0 };
    if (!obj.p || obj.n == 0 || *obj.p != '{' || !object(&c, 1, each_member, &m))
        return 0;
    ws(&c);
    return c.p == c.e;
}

static const char *const top_keys[] = { "ts", "pid", "exe", "host", "tool", "mode", "event", "truncated",
                                        "dropped", "detail", "caller.site", "caller.count", "caller.frames" };
static const char *const frame_keys[] = { "symbol", "module", "offset", "build_id", "class", "method",
                                          "file", "line" };
#define NKEYS(a) (sizeof a / sizeof *a)

int tf_lr_key_valid(const char *key)
{
    for (size_t i = 0; i < NKEYS(top_keys); i++)
        if (!strcmp(key, top_keys[i]))
            return 1;
    if (!strncmp(key, "frame.", 6))
        for (size_t i = 0; i < NKEYS(frame_keys); i++)
            if (!strcmp(key + 6, frame_keys[i]))
                return 1;
    return !strncmp(key, "detail.", 7) && key[7] != '\0';
}

/* The text of a value into buf, NUL-terminated (cut at cap - 1). */
static int give(struct tf_lr_val *out, char type, const char *s, size_t n, char *buf, size_t cap)
{
    if (n >= cap)
        n = cap - 1;
    memmove(buf, s, n);
    buf[n] = '\0';
    out->type = type, out->s = buf, out->n = n;
    return 1;
}

static int give_lstr(struct tf_lr_val *out, char type, struct tf_lstr s, char *buf, size_t cap)
{
    return s.p ? give(out, type, s.p, s.n, buf, cap) : 0;
}

/* A number's text (pid, site, count, line) or a string's content. */
static char scalar_type(struct tf_lstr s)
{
    if (!s.p || !s.n)
        return 's';   /* (NULL + 0 is undefined: fuzz_logquery found it) */
    struct cur c = { s.p, s.p + s.n, NULL };
    struct tf_lstr t;
    return number(&c, &t) && c.p == c.e ? 'n' : 's';
}

struct wanted {
    const char *name;
    struct tf_lr_val v;
    int found;
};

static int want_member(void *ctx, struct tf_lstr key, const struct tf_lr_val *v)
{
    struct wanted *w = ctx;
    if (tf_lstr_is(key, w->name))
        w->v = *v, w->found = 1;   /* the last of duplicates, as the parser keeps */
    return 1;
}

static int get_detail(const struct tf_logrec *rec, const char *name, char *buf, size_t cap,
                      struct tf_lr_val *out)
{
    struct wanted w = { name, { 0, NULL, 0 }, 0 };
    if (!rec->has_detail)
        return 0;
    if (cap < rec->detail_raw.n + 1)
        return -1;
    /* decoded strings go to buf's start; the one found is moved back there */
    if (!tf_lr_members(rec->detail_raw, buf, want_member, &w) || !w.found)
        return 0;
    return give(out, w.v.type, w.v.s, w.v.n, buf, cap);
}

static int get_frame(const struct tf_lr_frame *f, const char *name, char *buf, size_t cap,
                     struct tf_lr_val *out)
{
    const struct tf_lstr *const vals[] = { &f->symbol, &f->module, &f->offset, &f->build_id,
                                           &f->cls, &f->method, &f->file };
    if (!strcmp(name, "line"))
        return give_lstr(out, scalar_type(f->line), f->line, buf, cap);
    for (size_t i = 0; i + 1 < NKEYS(frame_keys); i++)   /* vals: frame_keys' order, "line" aside */
        if (!strcmp(name, frame_keys[i]))
            return give_lstr(out, 's', *vals[i], buf, cap);
    return -1;
}

static int get_top(const struct tf_logrec *rec, const char *key, char *buf, size_t cap, struct tf_lr_val *out)
{
    static const char *const names[] = { "ts", "host", "exe", "tool", "mode", "event" };
    const struct tf_lstr *const vals[] = { &rec->ts, &rec->host, &rec->exe, &rec->tool, &rec->mode, &rec->event };
    char num[24];
    for (size_t i = 0; i < NKEYS(names); i++)
        if (!strcmp(key, names[i]))
            return give_lstr(out, 's', *vals[i], buf, cap);
    if (!strcmp(key, "pid"))
        return give_lstr(out, scalar_type(rec->pid), rec->pid, buf, cap);
    if (!strcmp(key, "truncated"))
        return rec->truncated ? give(out, 'b', "true", 4, buf, cap) : 0;
    if (!strcmp(key, "dropped")) {
        int n = snprintf(num, sizeof num, "%ld", rec->dropped);
        return rec->dropped ? give(out, 'n', num, (size_t)n, buf, cap) : 0;
    }
    if (!strcmp(key, "detail"))
        return rec->has_detail ? give_lstr(out, 'o', rec->detail_raw, buf, cap) : 0;
    if (!strcmp(key, "caller.site"))
        return give_lstr(out, scalar_type(rec->site), rec->site, buf, cap);
    if (!strcmp(key, "caller.count"))
        return give_lstr(out, scalar_type(rec->count), rec->count, buf, cap);
    if (!strcmp(key, "caller.frames"))
        return rec->nframes > 0 ? give(out, 's', "yes", 3, buf, cap) : give(out, 's', "no", 2, buf, cap);
    return -1;
}

int tf_lr_get(const struct tf_logrec *rec, const struct tf_lr_frame *first, const char *key, char *buf,
              size_t cap, struct tf_lr_val *out)
{
    out->type = 0, out->s = NULL, out->n = 0;
    if (cap < 32 || !tf_lr_key_valid(key))
        return -1;
    if (!strncmp(key, "detail.", 7))
        return get_detail(rec, key + 7, buf, cap, out);
    if (!strncmp(key, "frame.", 6)) {
        if (!first)
            first = rec->nframes > 0 ? &rec->frame[0] : NULL;
        return first ? get_frame(first, key + 6, buf, cap, out) : 0;
    }
    return get_top(rec, key, buf, cap, out);
}

/* ---- tf_lr_flat_detail: a second, rare walk over a detail object already validated. */

static void flat_object(struct cur *c, struct sink *o);

static void flat_value(struct cur *c, struct sink *o)
{
    struct val v;
    int n = 0;
    if (*c->p == '{') {
        put(o, "{", 1);
        flat_object(c, o);
        put(o, "}", 1);
    } else if (*c->p == '[') {
        char b[24];
        array(c, 1, skip_elem, NULL, &n);
        int len = snprintf(b, sizeof b, "[%d]", n);
        put(o, b, len > 0 ? (size_t)len : 0);
    } else if (*c->p == '"') {
        c->p++;
        decode_string(c, o);
    } else {
        value(c, 1, &v);
        put(o, v.s.p, v.s.n);
    }
}

static void flat_object(struct cur *c, struct sink *o)
{
    int first = 1;
    c->p++;
    for (;;) {
        ws(c);
        if (c->p >= c->e || *c->p == '}' || *c->p != '"') {
            c->p += c->p < c->e;
            return;
        }
        if (!first)
            put(o, " ", 1);
        first = 0;
        c->p++;
        decode_string(c, o);
        ws(c);
        c->p++;   /* ':' */
        ws(c);
        put(o, "=", 1);
        if (c->p < c->e)
            flat_value(c, o);
        ws(c);
        if (c->p < c->e && *c->p == ',')
            c->p++;
    }
}

size_t tf_lr_flat_detail(struct tf_lstr raw, char *out, size_t cap)
{
    if (cap == 0)
        return 0;
    struct sink o = { out, out + cap - 1 };
    if (raw.p && raw.n && raw.p[0] == '{') {
        struct cur c = { raw.p, raw.p + raw.n, NULL };
        flat_object(&c, &o);
    }
    *o.p = '\0';
    return (size_t)(o.p - out);
}

/* ---- line splitting */

void tf_lines_feed(struct tf_lines *l, const char *data, size_t n, tf_line_fn fn, void *ctx)
{
    const char *p = data, *end = data + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t seg = (size_t)((nl ? nl : end) - p);
        const char *next = nl ? nl + 1 : end;
        if (l->skipping) {
            l->skipping = nl == NULL;
        } else if (l->len + seg > l->cap) {
            fn(ctx, NULL, 0, 1);   /* huge: reported once, the rest of it dropped */
            l->len = 0;
            l->skipping = nl == NULL;
        } else if (nl && l->len == 0) {
            fn(ctx, p, seg, 0);    /* the common case: no copy */
        } else {
            memcpy(l->buf + l->len, p, seg);
            l->len += seg;
            if (nl) {
                fn(ctx, l->buf, l->len, 0);
                l->len = 0;
            }
        }
        p = next;
    }
}

void tf_lines_finish(struct tf_lines *l, tf_line_fn fn, void *ctx)
{
    if (!l->skipping && l->len)
        fn(ctx, l->buf, l->len, 0);
    l->len = 0;
    l->skipping = 0;
}
