#include "tf_logquery.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_events.h"

static int fail(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (cap)
        vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return -1;
}

int tf_lq_where_parse(const char *arg, struct tf_lq_where *w, char *err, size_t errcap)
{
    size_t k = strcspn(arg, "=~?!");
    memset(w, 0, sizeof *w);
    if (arg[k] == '\0')
        return fail(err, errcap, "%s: no operator (KEY=VALUE, KEY~ERE, KEY? or KEY!)", arg);
    if (k == 0 || k >= sizeof w->key)
        return fail(err, errcap, "%s: no key, or a key too long", arg);
    memcpy(w->key, arg, k);
    w->key[k] = '\0';
    if (!tf_lr_key_valid(w->key))
        return fail(err, errcap, "%s: unknown key %s", arg, w->key);
    w->op = arg[k];
    w->value = arg + k + 1;
    if ((w->op == '?' || w->op == '!') && *w->value)
        return fail(err, errcap, "%s: nothing may follow %c", arg, w->op);
    if (w->op == '~') {
        int rc = regcomp(&w->re, w->value, REG_EXTENDED | REG_NOSUB);
        if (rc) {
            char msg[128];
            regerror(rc, &w->re, msg, sizeof msg);
            return fail(err, errcap, "%s: bad regular expression: %s", arg, msg);
        }
        w->compiled = 1;
    }
    return 0;
}

void tf_lq_where_free(struct tf_lq_where *w)
{
    if (w->compiled)
        regfree(&w->re);
    w->compiled = 0;
}

/* A whole JSON-style number (strtod would also take "0x10", " 5" and "inf"). */
static int number_text(const char *s, double *out)
{
    char *end;
    if (!*s || !(*s == '-' || (*s >= '0' && *s <= '9')) || s[strspn(s, "-+.0123456789eE")])
        return 0;
    *out = strtod(s, &end);
    return *end == '\0';
}

int tf_lq_equal(const struct tf_lr_val *v, const char *want)
{
    double a, b;
    if (v->type == 'n' && number_text(v->s, &a) && number_text(want, &b))
        return a == b;
    return v->n == strlen(want) && memcmp(v->s, want, v->n) == 0;
}

int tf_lq_match(const struct tf_lq_where *w, const struct tf_logrec *rec, const struct tf_lr_frame *first,
                char *buf, size_t cap)
{
    struct tf_lr_val v;
    int found = tf_lr_get(rec, first, w->key, buf, cap, &v) == 1;
    switch (w->op) {
    case '?': return found;
    case '!': return !found;
    case '=': return found && tf_lq_equal(&v, w->value);
    case '~': return found && w->compiled && regexec(&w->re, v.s, 0, NULL, 0) == 0;
    default: return 0;
    }
}

/* ---- the contract */

int tf_lq_utf8(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    while (p < e) {
        unsigned c = *p++;
        int more = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : -1;
        if (more < 0 || e - p < more)
            return 0;
        unsigned long cp = more == 0 ? c : c & (0x3fu >> more);
        for (int i = 0; i < more; i++, p++) {
            if ((*p & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (*p & 0x3fu);
        }
        static const unsigned long least[] = { 0, 0x80, 0x800, 0x10000 };
        if (cp < least[more] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
    }
    return 1;
}

/* The walk over a detail object: each key against the event's row. */
struct detail_check {
    const struct tf_event_info *ev;
    int audit;
    unsigned seen;           /* bit i: the event's i-th key was present */
    char *why;
    size_t whycap;
    int bad;
};

static int type_ok(enum tf_key_type t, const struct tf_lr_val *v)
{
    if (v->type == 'z')
        return 1;   /* null: unknown, allowed for every key */
    if (t == TF_KEY_STRING)
        return v->type == 's';
    if (t == TF_KEY_BOOLEAN)
        return v->type == 'b';
    return v->type == 'n' && !memchr(v->s, '.', v->n) && !memchr(v->s, 'e', v->n) && !memchr(v->s, 'E', v->n);
}

static int key_index(const struct tf_event_info *ev, struct tf_lstr key, struct tf_event_key *out)
{
    size_t pos = 0;
    for (int i = 0; tf_event_key_next(ev->keys, &pos, out) > 0; i++)
        if (tf_lstr_is(key, out->name))
            return i;
    return -1;
}

static int detail_key(void *ctx, struct tf_lstr key, const struct tf_lr_val *v)
{
    struct detail_check *d = ctx;
    struct tf_event_key k;
    int i = key_index(d->ev, key, &k);
    if (i < 0) {
        snprintf(d->why, d->whycap, "%s: detail key \"%.*s\" is not in the event table", d->ev->name,
                 (int)key.n, key.p);
    } else if (!type_ok(k.type, v)) {
        snprintf(d->why, d->whycap, "%s: detail.%s=%.*s is not of type %s", d->ev->name, k.name,
                 (int)(v->n > 80 ? 80 : v->n), v->s, tf_key_type_name(k.type));
    } else if (d->audit && !strcmp(k.name, "applied") && !(v->type == 'b' && v->n == 5)) {
        snprintf(d->why, d->whycap, "%s: an audit-mode record says detail.applied:%.*s, not false",
                 d->ev->name, (int)v->n, v->s);
    } else {
        if (i < 32)
            d->seen |= 1u << i;
        return 1;
    }
    d->bad = 1;
    return 0;
}

static int missing_key(struct detail_check *d)
{
    struct tf_event_key k;
    size_t pos = 0;
    for (int i = 0; tf_event_key_next(d->ev->keys, &pos, &k) > 0; i++) {
        if (!k.optional && i < 32 && !(d->seen & 1u << i)) {
            snprintf(d->why, d->whycap, "%s: required detail key \"%s\" missing", d->ev->name, k.name);
            return 1;
        }
    }
    return 0;
}

int tf_lq_in_list(const char *list, char sep, struct tf_lstr word)
{
    const char seps[2] = { sep, '\0' };
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, seps);
        if (n == word.n && !memcmp(p, word.p, n))
            return 1;
        p += n;
        p += *p == sep;
    }
    return 0;
}

static int check_top(const struct tf_logrec *r, char *why, size_t cap)
{
    static const char *const names[] = { "ts", "pid", "exe", "tool", "mode", "event" };
    const struct tf_lstr *vals[] = { &r->ts, &r->pid, &r->exe, &r->tool, &r->mode, &r->event };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!vals[i]->p)
            return snprintf(why, cap, "no \"%s\" (or not a %s)", names[i], i == 1 ? "number" : "string"), 0;
    if (!r->has_detail)
        return snprintf(why, cap, "no \"detail\" object"), 0;
    if (!tf_lstr_is(r->mode, "enforce") && !tf_lstr_is(r->mode, "audit"))
        return snprintf(why, cap, "mode \"%.*s\" is neither enforce nor audit", (int)r->mode.n, r->mode.p), 0;
    return 1;
}

int tf_lq_check(const char *line, size_t len, char *scratch, char *why, size_t whycap)
{
    struct tf_logrec r;
    char name[64];
    if (len + 1 > TF_LOG_LINE_MAX)
        return snprintf(why, whycap, "%zu bytes with its newline, more than %d", len + 1, TF_LOG_LINE_MAX), 0;
    if (!tf_lq_utf8(line, len))
        return snprintf(why, whycap, "not valid UTF-8"), 0;
    if (tf_lr_parse(line, len, scratch, &r) != TF_LR_OK)
        return snprintf(why, whycap, "not one complete JSON object with an event"), 0;
    if (!check_top(&r, why, whycap))
        return 0;
    const struct tf_event_info *ev = NULL;
    if (r.event.n < sizeof name) {
        memcpy(name, r.event.p, r.event.n);
        name[r.event.n] = '\0';
        ev = tf_event_find(name);
    }
    if (!ev)
        return snprintf(why, whycap, "event \"%.*s\" is not in the event table", (int)r.event.n, r.event.p), 0;
    if (!tf_lq_in_list(ev->tools, ' ', r.tool))
        return snprintf(why, whycap, "%s written by tool \"%.*s\", the table says \"%s\"", ev->name,
                        (int)r.tool.n, r.tool.p, ev->tools), 0;
    struct detail_check d = { ev, tf_lstr_is(r.mode, "audit"), 0, why, whycap, 0 };
    /* scratch is in use by r's strings; detail decoding reuses it from the start: r is done */
    if (!tf_lr_members(r.detail_raw, scratch, detail_key, &d) || d.bad || missing_key(&d))
        return 0;
    return 1;
}
