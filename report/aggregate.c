/* Folding records into entries: programs (host, exe), processes (program, pid), call sites,
 * endpoints (host, name, port), findings and other events. A record is forgotten once folded. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "tf_rewrite.h"
#include "tf_sniff.h"

#define PROC_MAX 1000000   /* processes remembered (call site frames, last endpoint) */

struct prog {
    char *host, *exe, *bid;
    long rec, procs, pin, vpin, rewr, hs, fail;
    struct list modes, auth;
    struct span seen;
};

struct site {
    char *host, *exe, *mod, *off, *sym, *bid, *src, *ev, *what, *mode;
    enum kind kind;
    int java;               /* a Java frame: mod is the class, sym the method, src file:line */
    long count, procs;
    struct span seen;
};

struct endpoint {
    char *host, *name, *port;
    struct list progs, vers, pin, rewr, auth;
    long conn, fail, uncov;
    struct span seen;
};

struct finding {
    char *host, *name, *port, *exes, *text;
    enum kind kind;
    long count;
};

struct other {
    char *host, *exe, *ev, *what, *mode;
    long count;
    struct span seen;
};

/* A call site's first frame, as the first record from it in a process gave it. */
struct frame0 {
    char *mod, *off, *sym, *bid, *src;
    int java;
};

#define VEC(T) struct { T *v; int n, cap; }
struct agg {
    struct smap prog_ix, proc_ix, site_ix, ep_ix, find_ix, other_ix;
    struct smap frame_ix, rw_ix, sitepk_ix, legacy_ix, kindprog_ix;
    VEC(struct prog) progs;
    VEC(struct site) sites;
    VEC(struct endpoint) eps;
    VEC(struct finding) finds;
    VEC(struct other) others;
    VEC(struct frame0) frames;
    VEC(char *) rw;        /* the other name of a rewrite, by rw_ix */
    VEC(int) lastep;       /* by process id: the endpoint of its last handshake, -1 none */
    long procs_dropped;
};

#define GROW(vec)                                                                    \
    do {                                                                             \
        if ((vec).n == (vec).cap) {                                                  \
            (vec).cap = (vec).cap ? (vec).cap * 2 : 16;                              \
            (vec).v = xrealloc((vec).v, (size_t)(vec).cap * sizeof *(vec).v);        \
        }                                                                            \
        memset(&(vec).v[(vec).n], 0, sizeof *(vec).v);                               \
    } while (0)

const char *const kind_name[K_COUNT] = { "pin", "legacy", "basic_auth", "uncovered", "failed", "other" };
const char *const kind_title[K_COUNT] = {
    "pin TLS 1.0/1.1 (work only because of tlsfloor)",
    "name a legacy endpoint (retired by Microsoft)",
    "authenticate with Basic auth (Exchange Online rejects it)",
    "make TLS connections tlsfloor cannot reach",
    "had connections fail even with tlsfloor",
    "have other findings (tlsfloor inactive, configuration, provider)",
};
const char *const kind_heading[K_COUNT] = {
    "1. Programs that pin TLS 1.0/1.1 and work only because of tlsfloor: where they ask, what they got",
    "2. Programs that name a legacy endpoint (retired by Microsoft), and where in their code",
    "3. Programs that authenticate with Basic auth, which Exchange Online rejects (needs OAuth)",
    "4. TLS connections tlsfloor cannot reach (not made through a library it fixes)",
    "5. Connections that failed even with tlsfloor",
    "6. Other findings (tlsfloor inactive, configuration errors, the provider)",
};

/* The record being folded, its strings NUL-terminated (copies into a per-record buffer). */
struct rec {
    const struct tf_logrec *lr;
    char *host, *exe, *pid, *mode, *ev, *ts;
    int pg, pk;
};

static char scratch_strings[1 << 16];
static size_t scratch_used;
static char **big;          /* copies that did not fit, freed with the next record */
static int nbig, capbig;

static void z_reset(void)
{
    scratch_used = 0;
    for (int i = 0; i < nbig; i++)
        free(big[i]);
    nbig = 0;
}

/* A NUL-terminated copy of s (valid until the next record), "" when absent. */
static char *z(struct tf_lstr s)
{
    static char empty[1];
    if (!s.p)
        return empty;
    if (scratch_used + s.n + 1 > sizeof scratch_strings) {
        if (nbig == capbig) {
            capbig = capbig ? capbig * 2 : 16;
            big = xrealloc(big, (size_t)capbig * sizeof *big);
        }
        return big[nbig++] = xstrndup(s.p, s.n);
    }
    char *d = scratch_strings + scratch_used;
    memcpy(d, s.p, s.n);
    d[s.n] = '\0';
    scratch_used += s.n + 1;
    return d;
}

static char *lower(const char *h)
{
    char *d = xstrdup(h);
    for (char *p = d; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return d;
}

static char *lower_host(const char *h)
{
    size_t n = strlen(h);
    char *d = xstrndup(h, n);
    for (size_t i = 0; i < n; i++)
        d[i] = (char)tolower((unsigned char)d[i]);
    if (n && d[n - 1] == '.')
        d[n - 1] = '\0';
    return d;
}

static const char *legacy_target(const char *name)
{
    for (int i = 0; i < tf_builtin_rules.count; i++)
        if (!strcmp(tf_builtin_rules.rule[i].old, name))
            return tf_builtin_rules.rule[i].new;
    return NULL;
}

/* Exchange Online's own names: where Basic authentication is refused. */
static int is_exo(const char *h)
{
    return !strcmp(h, "outlook.office365.com") || ends_with(h, ".office365.com") ||
           !strcmp(h, "partner.outlook.cn") || ends_with(h, ".partner.outlook.cn");
}

static int below_floor(const char *v)
{
    return !strcmp(v, "SSLv3") || !strcmp(v, "TLSv1.0") || !strcmp(v, "TLSv1.1") || !strcmp(v, "SSLv2");
}

/* "host:port" or "[v6]:port" -> host and port (both newly allocated). */
static void split_peer(const char *p, char **host, char **port)
{
    size_t n = strlen(p);
    const char *colon = strrchr(p, ':');
    int digits = colon && colon[1];
    for (const char *q = colon ? colon + 1 : p; digits && *q; q++)
        digits = isdigit((unsigned char)*q);
    if (p[0] == '[' && digits && colon > p + 1 && colon[-1] == ']') {
        *host = xstrndup(p + 1, (size_t)(colon - 1 - (p + 1)));
        *port = xstrdup(colon + 1);
    } else if (digits && memchr(p, ':', (size_t)(colon - p)) == NULL) {
        *host = xstrndup(p, (size_t)(colon - p));
        *port = xstrdup(colon + 1);
    } else {
        *host = xstrndup(p, n);
        *port = xstrdup("");
    }
}

static struct agg *A(struct report *r)
{
    return r->agg;
}

void report_init(struct report *r)
{
    memset(r, 0, sizeof *r);
    r->agg = calloc(1, sizeof(struct agg));
    if (!r->agg)
        oom();
}

static void finding(struct report *r, const char *host, const char *name, const char *port,
                    const char *exes, enum kind kind, const char *text)
{
    struct agg *a = A(r);
    char *key = cat(host, SEP, name, SEP, port, SEP, exes, SEP, text, (char *)NULL);
    int fresh, id = smap_put(&a->find_ix, key, &fresh);
    free(key);
    if (fresh) {
        GROW(a->finds);
        struct finding *f = &a->finds.v[a->finds.n++];
        f->host = xstrdup(host), f->name = xstrdup(name), f->port = xstrdup(port);
        f->exes = xstrdup(exes), f->text = xstrdup(text), f->kind = kind;
        r->kind_findings[kind]++;
        key = cat(kind_name[kind], SEP, host, SEP, exes, (char *)NULL);
        smap_put(&a->kindprog_ix, key, &fresh);
        free(key);
        r->kind_programs[kind] += fresh;
    }
    a->finds.v[id].count++;
}

static int endpoint(struct report *r, const char *host, const char *name, const char *port,
                    int pg, const char *ts)
{
    struct agg *a = A(r);
    char *key = cat(host, SEP, name, SEP, port, (char *)NULL);
    int fresh, id = smap_put(&a->ep_ix, key, &fresh);
    free(key);
    if (fresh) {
        GROW(a->eps);
        struct endpoint *e = &a->eps.v[a->eps.n++];
        e->host = xstrdup(host), e->name = xstrdup(name), e->port = xstrdup(port);
    }
    list_add(&a->eps.v[id].progs, a->progs.v[pg].exe);
    span_seen(&a->eps.v[id].seen, ts);
    return id;
}

static void program(struct report *r, struct rec *c)
{
    struct agg *a = A(r);
    char *key = cat(c->host, SEP, c->exe, (char *)NULL);
    int fresh;
    c->pg = smap_put(&a->prog_ix, key, &fresh);
    free(key);
    if (fresh) {
        GROW(a->progs);
        struct prog *p = &a->progs.v[a->progs.n++];
        p->host = xstrdup(c->host), p->exe = xstrdup(c->exe);
    }
    struct prog *p = &a->progs.v[c->pg];
    p->rec++;
    span_seen(&p->seen, c->ts);
    list_add(&p->modes, c->mode);
    char pgs[16];
    snprintf(pgs, sizeof pgs, "%d", c->pg);
    key = cat(pgs, SEP, c->pid, (char *)NULL);
    c->pk = smap_get(&a->proc_ix, key);
    if (c->pk < 0 && a->proc_ix.count < PROC_MAX) {
        c->pk = smap_put(&a->proc_ix, key, &fresh);
        GROW(a->lastep);
        a->lastep.v[a->lastep.n++] = -1;
        p->procs++;
    } else if (c->pk < 0) {
        a->procs_dropped++;
    }
    free(key);
}

static char *pk_key(const struct rec *c, const char *what)
{
    char pks[16];
    snprintf(pks, sizeof pks, "%d", c->pk);
    return cat(pks, SEP, what, (char *)NULL);
}

/* A Java frame names class and method; its source is file:line. */
static void remember_frame(struct report *r, struct rec *c, const char *site)
{
    struct agg *a = A(r);
    const struct tf_lr_frame *f = &c->lr->frame[0];
    if (c->pk < 0)
        return;
    char *key = pk_key(c, site);
    int fresh, id = smap_put(&a->frame_ix, key, &fresh);
    free(key);
    if (fresh) {
        GROW(a->frames);
        a->frames.n++;
    }
    struct frame0 *fr = &a->frames.v[id];
    free(fr->mod), free(fr->off), free(fr->sym), free(fr->bid), free(fr->src);
    memset(fr, 0, sizeof *fr);
    if (f->cls.p) {
        fr->mod = xstrdup(z(f->cls)), fr->off = xstrdup(""), fr->sym = xstrdup(z(f->method));
        fr->bid = xstrdup("");
        fr->java = 1;
        fr->src = f->file.p ? cat(z(f->file), f->line.p ? ":" : "", z(f->line), (char *)NULL) : NULL;
    } else {
        fr->mod = xstrdup(z(f->module)), fr->off = xstrdup(z(f->offset));
        fr->sym = xstrdup(z(f->symbol)), fr->bid = xstrdup(z(f->build_id));
    }
}

static void caller(struct report *r, struct rec *c, const char **site)
{
    const struct tf_logrec *lr = c->lr;
    struct prog *p = &A(r)->progs.v[c->pg];
    *site = "";
    if (!lr->has_caller)
        return;
    *site = z(lr->site);
    if (lr->nframes <= 0)
        return;
    remember_frame(r, c, *site);
    int n = lr->nframes < TF_LR_FRAMES ? lr->nframes : TF_LR_FRAMES;
    for (int i = 0; i < n && !p->bid; i++)
        if (lr->frame[i].module.p && !strcmp(z(lr->frame[i].module), c->exe) && lr->frame[i].build_id.p &&
            lr->frame[i].build_id.n)
            p->bid = xstrdup(z(lr->frame[i].build_id));
}

static int is_intervention(const char *ev)
{
    static const char *const names[] = { "method_pinned", "max_version_raised", "min_version_raised",
                                         "option_cleared", "cipher_list_extended", "priority_raised" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(ev, names[i]))
            return 1;
    return 0;
}

/* Interventions that lift a TLS version pin (not a cipher list). */
static int is_version_pin(const char *ev)
{
    return is_intervention(ev) && strcmp(ev, "cipher_list_extended") != 0;
}

static int is_rewrite(const char *ev)
{
    return !strcmp(ev, "host_rewritten") || !strcmp(ev, "host_would_rewrite");
}

static char *change_text(const struct rec *c)
{
    const struct tf_lr_detail *d = &c->lr->d;
    const char *ev = c->ev;
    char *what;
    if (!strcmp(ev, "option_cleared"))
        what = cat("cleared ", z(d->cleared), (char *)NULL);
    else if (!strcmp(ev, "cipher_list_extended"))
        what = cat("\"", z(d->old), "\" + DEFAULT", (char *)NULL);
    else if (is_rewrite(ev))
        what = cat(z(d->old), " -> ", z(d->new_), " (", z(d->layer), ")", (char *)NULL);
    else if (is_intervention(ev))
        what = cat(z(d->old), " -> ", z(d->new_), (char *)NULL);
    else
        what = xstrdup(z(d->host));
    if (d->via.p && d->via.n) {
        char *w = cat(what, " via ", z(d->via), (char *)NULL);
        free(what);
        what = w;
    }
    return what;
}

static void rewrite_seen(struct report *r, struct rec *c)
{
    struct agg *a = A(r);
    char *old = lower_host(z(c->lr->d.old)), *new = lower_host(z(c->lr->d.new_));
    a->progs.v[c->pg].rewr++;
    if (c->pk >= 0) {
        const char *dir[2][2] = { { "n", new }, { "o", old } };
        const char *other[2] = { old, new };
        for (int i = 0; i < 2; i++) {
            char *key = pk_key(c, dir[i][0]), *k2 = cat(key, SEP, dir[i][1], (char *)NULL);
            int fresh, id = smap_put(&a->rw_ix, k2, &fresh);
            if (fresh) {
                GROW(a->rw);
                a->rw.n++;
            }
            free(a->rw.v[id]);
            a->rw.v[id] = xstrdup(other[i]);
            free(key), free(k2);
        }
    }
    const char *t = legacy_target(old);
    if (t) {
        char *key = cat(c->host, SEP, old, (char *)NULL);
        int fresh;
        smap_put(&a->legacy_ix, key, &fresh);
        free(key);
        char *text = cat("legacy endpoint (retired by Microsoft): ",
                         !strcmp(c->ev, "host_rewritten") ? "tlsfloor rewrites it to " : "tlsfloor would rewrite it to ",
                         new, !strcmp(c->ev, "host_rewritten") ? "" : " (audit)",
                         "; change the configuration to ", t, (char *)NULL);
        finding(r, c->host, old, "", c->exe, K_LEGACY, text);
        free(text);
    }
    free(old), free(new);
}

static enum kind site_kind(const struct rec *c)
{
    if (is_version_pin(c->ev))
        return K_PIN;
    if (is_rewrite(c->ev)) {
        char *old = lower_host(z(c->lr->d.old));
        int legacy = legacy_target(old) != NULL;
        free(old);
        if (legacy)
            return K_LEGACY;
    }
    return K_OTHER;
}

static void site_seen(struct report *r, struct rec *c, const char *site, const char *what)
{
    struct agg *a = A(r);
    const char *m = "?", *off = "", *sym = "", *bid = "", *src = NULL;
    int java = 0;
    char *offbuf = NULL;
    if (*site && c->pk >= 0) {
        char *key = pk_key(c, site);
        int id = smap_get(&a->frame_ix, key);
        free(key);
        if (id >= 0) {
            struct frame0 *f = &a->frames.v[id];
            m = f->mod, off = f->off, sym = f->sym, bid = f->bid, src = f->src, java = f->java;
        } else {
            off = offbuf = cat("site ", site, (char *)NULL);
        }
    } else if (*site) {
        off = offbuf = cat("site ", site, (char *)NULL);
    }
    char pgs[16];
    snprintf(pgs, sizeof pgs, "%d", c->pg);
    char *key = cat(pgs, SEP, m, SEP, off, SEP, c->ev, SEP, what, SEP, c->mode, (char *)NULL);
    int fresh, id = smap_put(&a->site_ix, key, &fresh);
    free(key);
    if (fresh) {
        GROW(a->sites);
        struct site *s = &a->sites.v[a->sites.n++];
        s->host = xstrdup(c->host), s->exe = xstrdup(c->exe), s->mod = xstrdup(m);
        s->off = xstrdup(off), s->sym = xstrdup(sym), s->bid = xstrdup(bid);
        s->src = src ? xstrdup(src) : NULL, s->ev = xstrdup(c->ev), s->what = xstrdup(what);
        s->mode = xstrdup(c->mode);
        s->kind = site_kind(c);
        s->java = java;
    }
    struct site *s = &a->sites.v[id];
    if (!*s->sym && *sym) {
        free(s->sym);
        s->sym = xstrdup(sym);
    }
    s->count++;
    if (c->pk >= 0) {
        char ids[16];
        snprintf(ids, sizeof ids, "%d", id);
        key = pk_key(c, ids);
        smap_put(&a->sitepk_ix, key, &fresh);
        free(key);
        s->procs += fresh;
    }
    span_seen(&s->seen, c->ts);
    free(offbuf);
}

static void intervention(struct report *r, struct rec *c, const char *site)
{
    char *what = change_text(c);
    if (is_intervention(c->ev))
        A(r)->progs.v[c->pg].pin++;
    if (is_version_pin(c->ev))
        A(r)->progs.v[c->pg].vpin++;
    if (is_rewrite(c->ev))
        rewrite_seen(r, c);
    site_seen(r, c, site, what);
    free(what);
}

static const char *rw_lookup(struct report *r, const struct rec *c, const char *dir, const char *name)
{
    struct agg *a = A(r);
    if (c->pk < 0)
        return NULL;
    char *key = pk_key(c, dir), *k2 = cat(key, SEP, name, (char *)NULL);
    int id = smap_get(&a->rw_ix, k2);
    free(key), free(k2);
    return id >= 0 ? a->rw.v[id] : NULL;
}

static void handshake_pins(struct report *r, const struct rec *c, struct endpoint *e)
{
    const char *ch = z(c->lr->d.changes);
    const char *suffix = c->lr->d.changed == 1 ? "" : " (audit)";
    (void)r;
    while (*ch) {
        size_t n = strcspn(ch, ",");
        char *item = xstrndup(ch, n);
        if (n) {
            char *it = cat(item, suffix, (char *)NULL);
            list_add(&e->pin, it);
            free(it);
        }
        free(item);
        ch += n + (ch[n] == ',');
    }
}

static void handshake(struct report *r, struct rec *c)
{
    struct agg *a = A(r);
    const struct tf_lr_detail *d = &c->lr->d;
    char *ph, *port, *name = lower_host(z(d->sni));
    split_peer(z(d->peer), &ph, &port);
    if (!*name) {
        free(name);
        name = xstrdup(*ph ? ph : "?");
    }
    int ek = endpoint(r, c->host, name, port, c->pg, c->ts);
    struct endpoint *e = &a->eps.v[ek];
    if (c->pk >= 0)
        a->lastep.v[c->pk] = ek;
    const char *was = rw_lookup(r, c, "n", name), *would = rw_lookup(r, c, "o", name);
    if (was) {
        char *s = cat(was, " -> ", name, (char *)NULL);
        list_add(&e->rewr, s);
        free(s);
    }
    if (would) {
        char *s = cat(name, " -> ", would, " (audit)", (char *)NULL);
        list_add(&e->rewr, s);
        free(s);
    }
    handshake_pins(r, c, e);
    struct prog *p = &a->progs.v[c->pg];
    if (!strcmp(c->ev, "handshake")) {
        const char *ver = d->version.p && d->version.n ? z(d->version) : "?";
        e->conn++, p->hs++;
        list_add(&r->versions, ver);
        list_add(&e->vers, ver);
        if (below_floor(ver)) {
            char *t = cat("negotiated ", ver, ", below TLS 1.2",
                          !strcmp(c->mode, "audit") ? ": enforce mode raises it; servers requiring TLS 1.2+ refuse it" : "",
                          (char *)NULL);
            finding(r, c->host, name, port, c->exe, K_PIN, t);
            free(t);
        }
    } else {
        const char *reason = d->reason.p && d->reason.n ? z(d->reason) : "?";
        e->fail++, p->fail++;
        char *t = cat("handshake failed: ", reason, (char *)NULL);
        finding(r, c->host, name, port, c->exe, K_FAILED, t);
        free(t);
    }
    free(name), free(ph), free(port);
}

static void auth(struct report *r, struct rec *c)
{
    struct agg *a = A(r);
    const struct tf_lr_detail *d = &c->lr->d;
    char *mech = lower(d->mechanism.p && d->mechanism.n ? z(d->mechanism) : "?");
    const char *cmd = z(d->command);
    char *name = lower_host(d->sni.p && d->sni.n ? z(d->sni) : z(d->host)), *ph, *port;
    split_peer(z(d->peer), &ph, &port);
    if (!*name) {
        free(name);
        name = xstrdup(ph);
    }
    if (d->port.p) {
        free(port);
        port = xstrdup(z(d->port));
    }
    int ek;
    if (*name) {
        ek = endpoint(r, c->host, name, port, c->pg, c->ts);
    } else if (c->pk >= 0 && a->lastep.v[c->pk] >= 0) {
        ek = a->lastep.v[c->pk];
        span_seen(&a->eps.v[ek].seen, c->ts);
        list_add(&a->eps.v[ek].progs, c->exe);
    } else {
        ek = endpoint(r, c->host, "?", port, c->pg, c->ts);
    }
    struct endpoint *e = &a->eps.v[ek];
    char *item = cat(mech, *cmd ? " (" : "", cmd, *cmd ? ")" : "", (char *)NULL);
    list_add(&e->auth, item);
    list_add(&a->progs.v[c->pg].auth, mech);
    if (!strcmp(mech, "basic") && is_exo(e->name)) {
        char *t = cat("basic authentication", *cmd ? " (" : "", cmd, *cmd ? ")" : "",
                      " will be rejected: needs OAuth (XOAUTH2)", (char *)NULL);
        finding(r, c->host, e->name, e->port, c->exe, K_BASIC, t);
        free(t);
    }
    free(item), free(mech), free(name), free(ph), free(port);
}

static void uncovered(struct report *r, struct rec *c)
{
    const struct tf_lr_detail *d = &c->lr->d;
    char *name = lower_host(d->sni.p && d->sni.n ? z(d->sni) : z(d->host)), *ph, *port;
    split_peer(z(d->peer), &ph, &port);
    if (!*name) {
        free(name);
        name = xstrdup(ph);
    }
    if (d->port.p) {
        free(port);
        port = xstrdup(z(d->port));
    }
    if (*name)
        A(r)->eps.v[endpoint(r, c->host, name, port, c->pg, c->ts)].uncov++;
    const char *libs = d->tls_libraries.p && d->tls_libraries.n ? z(d->tls_libraries) : z(d->libraries);
    const char *stk = z(d->stack);
    int show_stack = *stk && strcmp(stk, "unknown") != 0;
    char *t = cat("connection not made through OpenSSL: tlsfloor cannot fix it in process",
                  *libs ? " (TLS libraries loaded: " : "", libs, *libs ? ")" : "",
                  show_stack ? "; stack " : "", show_stack ? stk : "", show_stack ? ": " : "",
                  show_stack ? z(d->verdict) : "", (char *)NULL);
    finding(r, c->host, name, port, c->exe, K_UNCOVERED, t);
    free(t), free(name), free(ph), free(port);
}

/* Everything else: config errors, inactive shim, provider and coverage events, future ones. */
static void other(struct report *r, struct rec *c)
{
    struct agg *a = A(r);
    char flat[1024];
    const char *what = flat;
    if (c->lr->d.message.p && c->lr->d.message.n)
        what = z(c->lr->d.message);
    else if (c->lr->has_detail)
        tf_lr_flat_detail(c->lr->detail_raw, flat, sizeof flat);
    else
        flat[0] = '\0';
    char pgs[16];
    snprintf(pgs, sizeof pgs, "%d", c->pg);
    char *key = cat(pgs, SEP, c->ev, SEP, what, SEP, c->mode, (char *)NULL);
    int fresh, id = smap_put(&a->other_ix, key, &fresh);
    free(key);
    if (fresh) {
        GROW(a->others);
        struct other *o = &a->others.v[a->others.n++];
        o->host = xstrdup(c->host), o->exe = xstrdup(c->exe), o->ev = xstrdup(c->ev);
        o->what = xstrdup(what), o->mode = xstrdup(c->mode);
    }
    a->others.v[id].count++;
    span_seen(&a->others.v[id].seen, c->ts);
    char *t = NULL;
    if (!strcmp(c->ev, "shim_inactive"))
        t = cat("tlsfloor inactive in this program: ", what, (char *)NULL);
    else if (!strcmp(c->ev, "config_error"))
        t = cat("tlsfloor configuration error: ", what, (char *)NULL);
    else if (!strcmp(c->ev, "legacy_handshake"))
        t = cat("legacy handshake seen by the provider: ", what, (char *)NULL);
    else if (!strcmp(c->ev, "uncovered_connection"))
        uncovered(r, c);
    if (t)
        finding(r, c->host, "", "", c->exe, K_OTHER, t);
    free(t);
}

static void fold(struct report *r, const struct tf_logrec *lr)
{
    struct rec c = { .lr = lr };
    z_reset();
    c.host = z(lr->host);
    c.exe = lr->exe.p && lr->exe.n ? z(lr->exe) : "?";
    c.pid = z(lr->pid);
    c.mode = lr->mode.p && lr->mode.n ? z(lr->mode) : "?";
    c.ev = z(lr->event);
    c.ts = z(lr->ts);
    if (*c.host)
        r->have_host = 1;
    span_seen(&r->all, c.ts);
    list_add(&r->modes, c.mode);
    program(r, &c);
    const char *site;
    caller(r, &c, &site);
    if (is_intervention(c.ev) || is_rewrite(c.ev) || !strcmp(c.ev, "verify_required"))
        intervention(r, &c, site);
    else if (!strcmp(c.ev, "handshake") || !strcmp(c.ev, "handshake_failed"))
        handshake(r, &c);
    else if (!strcmp(c.ev, "auth"))
        auth(r, &c);
    else
        other(r, &c);
}

static void bad(struct report *r, const char *where, long lineno)
{
    if (r->nbad < BAD_AT_MAX) {
        char n[24];
        snprintf(n, sizeof n, ":%ld", lineno);
        r->bad_at[r->nbad] = cat(where, n, (char *)NULL);
    }
    r->nbad++;
}

void report_line(struct report *r, const char *line, size_t len, const char *where, long lineno)
{
    static char *scratch;
    static size_t scratch_cap;
    struct tf_logrec lr;
    if (len > scratch_cap) {
        scratch_cap = len > 4096 ? len : 4096;
        scratch = xrealloc(scratch, scratch_cap);
    }
    switch (tf_lr_parse(line, len, scratch, &lr)) {
    case TF_LR_BLANK:
        return;
    case TF_LR_MALFORMED:
        bad(r, where, lineno);
        return;
    case TF_LR_OK:
        break;
    }
    if (lr.truncated) {
        r->ntrunc++;
        return;
    }
    r->nrec++;
    fold(r, &lr);
}

void report_huge(struct report *r, const char *where, long lineno)
{
    r->nhuge++;
    bad(r, where, lineno);
}

/* ---- tables (in the order and with the sort keys the shell report had) */

static const struct column programs_cols[] = {
    { "host", "host", 's', 1, COL_PATH },         { "exe", "program", 's', 1, COL_PATH },
    { "build_id", "build-id", 's', 0, COL_PLAIN }, { "modes", "modes", 's', 1, COL_PLAIN },
    { "processes", "pids", 'n', 1, COL_PLAIN },    { "records", "records", 'n', 1, COL_PLAIN },
    { "pinned", "pinned", 'n', 1, COL_PLAIN },     { "rewritten", "rewrites", 'n', 1, COL_PLAIN },
    { "handshakes", "handshakes", 'n', 1, COL_PLAIN }, { "failed", "failed", 'n', 1, COL_PLAIN },
    { "auth", "auth", 's', 1, COL_WRAP },          { "first_seen", "first seen", 's', 0, COL_PLAIN },
    { "last_seen", "last seen", 's', 0, COL_PLAIN },
};
static const struct column sites_cols[] = {
    { "host", "host", 's', 1, COL_PATH },      { "exe", "program", 's', 1, COL_PATH },
    { "module", "module", 's', 0, COL_PATH },   { "offset", "offset", 's', 0, COL_PLAIN },
    { "symbol", "symbol", 's', 0, COL_PATH },   { "source", "source", 's', 0, COL_PATH },
    { "code", "code", 's', 2, COL_WRAP },
    { "build_id", "build-id", 's', 0, COL_PLAIN }, { "event", "event", 's', 1, COL_PLAIN },
    { "change", "change", 's', 1, COL_WRAP },   { "mode", "mode", 's', 1, COL_PLAIN },
    { "count", "count", 'n', 1, COL_PLAIN },    { "processes", "pids", 'n', 0, COL_PLAIN },
    { "first_seen", "first seen", 's', 0, COL_PLAIN }, { "last_seen", "last seen", 's', 0, COL_PLAIN },
    { "kind", "kind", 's', 0, COL_PLAIN },
};
static const struct column endpoints_cols[] = {
    { "host", "host", 's', 1, COL_PATH },        { "endpoint", "endpoint", 's', 1, COL_PLAIN },
    { "port", "port", 's', 1, COL_PLAIN },        { "protocol", "proto", 's', 0, COL_PLAIN },
    { "programs", "programs", 's', 1, COL_WRAP }, { "connections", "conns", 'n', 1, COL_PLAIN },
    { "versions", "versions", 's', 1, COL_WRAP }, { "failed", "failed", 'n', 1, COL_PLAIN },
    { "pinned", "pinned", 's', 0, COL_PLAIN },    { "rewritten", "rewritten", 's', 0, COL_PLAIN },
    { "auth", "auth", 's', 1, COL_WRAP },          { "first_seen", "first seen", 's', 0, COL_PLAIN },
    { "last_seen", "last seen", 's', 0, COL_PLAIN },
};
static const struct column findings_cols[] = {
    { "host", "host", 's', 1, COL_PATH },     { "endpoint", "endpoint", 's', 1, COL_PLAIN },
    { "port", "port", 's', 1, COL_PLAIN },     { "protocol", "proto", 's', 0, COL_PLAIN },
    { "exe", "program", 's', 1, COL_PATH },    { "finding", "finding", 's', 1, COL_WRAP },
    { "count", "count", 'n', 1, COL_PLAIN },   { "kind", "kind", 's', 0, COL_PLAIN },
};
static const struct column other_cols[] = {
    { "host", "host", 's', 1, COL_PATH },   { "exe", "program", 's', 1, COL_PATH },
    { "event", "event", 's', 1, COL_PLAIN }, { "detail", "detail", 's', 1, COL_WRAP },
    { "mode", "mode", 's', 1, COL_PLAIN },   { "count", "count", 'n', 1, COL_PLAIN },
    { "first_seen", "first seen", 's', 0, COL_PLAIN }, { "last_seen", "last seen", 's', 0, COL_PLAIN },
};

#define DEF(r, i, nm, ttl, cols) \
    ((r)->table[i] = (struct table){ nm, ttl, cols, (int)(sizeof cols / sizeof *cols), NULL, 0, 0 })

struct order {
    char *key;
    int ix;
};

static int by_key(const void *a, const void *b)
{
    const struct order *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : x->ix - y->ix;
}

/* Sorts n entries by their key (keys freed); returns the indexes in order. */
static int *ordered(struct order *o, int n)
{
    qsort(o, (size_t)n, sizeof *o, by_key);
    int *ix = xmalloc((size_t)(n ? n : 1) * sizeof *ix);
    for (int i = 0; i < n; i++) {
        ix[i] = o[i].ix;
        free(o[i].key);
    }
    free(o);
    return ix;
}

static char *num(long v)
{
    char b[24];
    snprintf(b, sizeof b, "%ld", v);
    return xstrdup(b);
}

static char *str(const char *s)
{
    return s && *s ? xstrdup(s) : NULL;
}

static char *padded(const char *s, int w)
{
    char b[64];
    snprintf(b, sizeof b, "%*s", w, s);
    return xstrdup(b);
}

static const char *proto_of(const char *port)
{
    if (!*port)
        return NULL;
    int p = (int)strtol(port, NULL, 10);
    if (p == 443 && !strcmp(port, "443"))
        return "HTTPS";
    enum tf_proto pr = tf_proto_by_port(p);
    return pr == TF_PROTO_UNKNOWN ? NULL : tf_proto_name(pr);
}

static void build_programs(struct report *r)
{
    struct agg *a = A(r);
    struct table *t = &r->table[T_PROGRAMS];
    struct order *o = xmalloc((size_t)(a->progs.n + 1) * sizeof *o);
    for (int i = 0; i < a->progs.n; i++)
        o[i] = (struct order){ cat(a->progs.v[i].host, SEP, a->progs.v[i].exe, (char *)NULL), i };
    int *ix = ordered(o, a->progs.n);
    for (int i = 0; i < a->progs.n; i++) {
        struct prog *p = &a->progs.v[ix[i]];
        char **row = table_row(t);
        table_cell(t, row, "host", str(p->host));
        table_cell(t, row, "exe", str(p->exe));
        table_cell(t, row, "build_id", str(p->bid));
        table_cell(t, row, "modes", tally_str(&p->modes, ", "));
        table_cell(t, row, "processes", num(p->procs));
        table_cell(t, row, "records", num(p->rec));
        table_cell(t, row, "pinned", num(p->pin));
        table_cell(t, row, "rewritten", num(p->rewr));
        table_cell(t, row, "handshakes", num(p->hs));
        table_cell(t, row, "failed", num(p->fail));
        table_cell(t, row, "auth", tally_str(&p->auth, ", "));
        table_cell(t, row, "first_seen", str(p->seen.first));
        table_cell(t, row, "last_seen", str(p->seen.last));
    }
    free(ix);
}

/* For people: "symbol at file:line", or "symbol in module+offset" (the module only when it is
 * not the program itself). */
static char *code_of(const struct site *s, const char *source)
{
    const char *sym = *s->sym ? s->sym : "?";
    if (s->java)
        return cat(s->mod, ".", sym, source ? " (" : "", source ? source : "", source ? ")" : "", (char *)NULL);
    if (source)
        return cat(sym, " at ", source, (char *)NULL);
    if (!strcmp(s->mod, "?"))
        return cat(sym, " ", s->off, (char *)NULL);
    const char *mod = strcmp(s->mod, s->exe) ? s->mod : "the program";
    return cat(sym, " in ", mod, *s->off ? "+" : "", s->off, (char *)NULL);
}

static void build_sites(struct report *r, const char *a2l, const char *readelf)
{
    struct agg *a = A(r);
    struct table *t = &r->table[T_CALL_SITES];
    struct order *o = xmalloc((size_t)(a->sites.n + 1) * sizeof *o);
    for (int i = 0; i < a->sites.n; i++) {
        struct site *s = &a->sites.v[i];
        char *off = padded(s->off, 20);
        o[i] = (struct order){ cat(s->host, SEP, s->exe, SEP, s->mod, SEP, off, SEP, s->ev, SEP, s->what,
                                   SEP, s->mode, (char *)NULL), i };
        free(off);
    }
    int *ix = ordered(o, a->sites.n);
    for (int i = 0; i < a->sites.n; i++) {
        struct site *s = &a->sites.v[ix[i]];
        char **row = table_row(t);
        table_cell(t, row, "host", str(s->host));
        table_cell(t, row, "exe", str(s->exe));
        table_cell(t, row, "module", str(s->mod));
        table_cell(t, row, "offset", str(s->off));
        table_cell(t, row, "symbol", str(s->sym));
        table_cell(t, row, "source", s->src ? xstrdup(s->src)
                                     : a2l ? source_of(a2l, readelf, s->mod, s->off, s->bid) : NULL);
        table_cell(t, row, "code", code_of(s, row[5]));
        table_cell(t, row, "build_id", str(s->bid));
        table_cell(t, row, "kind", str(kind_name[s->kind]));
        table_cell(t, row, "event", str(s->ev));
        table_cell(t, row, "change", str(s->what));
        table_cell(t, row, "mode", str(s->mode));
        table_cell(t, row, "count", num(s->count));
        table_cell(t, row, "processes", num(s->procs));
        table_cell(t, row, "first_seen", str(s->seen.first));
        table_cell(t, row, "last_seen", str(s->seen.last));
    }
    free(ix);
}

static char *versions_of(const struct endpoint *e)
{
    struct buf b = { 0 };
    for (int j = 0; version_order(j); j++) {
        long n = list_count(&e->vers, version_order(j));
        if (n)
            buf_fmt(&b, "%s%s x%ld", b.n ? ", " : "", version_order(j), n);
    }
    long q = list_count(&e->vers, "?");
    if (q)
        buf_fmt(&b, "%s? x%ld", b.n ? ", " : "", q);
    return b.n ? buf_take(&b) : NULL;
}

static void build_endpoints(struct report *r)
{
    struct agg *a = A(r);
    struct table *t = &r->table[T_ENDPOINTS];
    struct order *o = xmalloc((size_t)(a->eps.n + 1) * sizeof *o);
    for (int i = 0; i < a->eps.n; i++) {
        char *port = padded(a->eps.v[i].port, 6);
        o[i] = (struct order){ cat(a->eps.v[i].host, SEP, a->eps.v[i].name, SEP, port, (char *)NULL), i };
        free(port);
    }
    int *ix = ordered(o, a->eps.n);
    for (int i = 0; i < a->eps.n; i++) {
        struct endpoint *e = &a->eps.v[ix[i]];
        char **row = table_row(t);
        table_cell(t, row, "host", str(e->host));
        table_cell(t, row, "endpoint", str(e->name));
        table_cell(t, row, "port", str(e->port));
        table_cell(t, row, "protocol", str(proto_of(e->port)));
        table_cell(t, row, "programs", list_str(&e->progs, ", "));
        table_cell(t, row, "connections", num(e->conn));
        table_cell(t, row, "versions", versions_of(e));
        table_cell(t, row, "failed", num(e->fail));
        table_cell(t, row, "pinned", list_str(&e->pin, ", "));
        table_cell(t, row, "rewritten", list_str(&e->rewr, ", "));
        table_cell(t, row, "auth", tally_str(&e->auth, ", "));
        table_cell(t, row, "first_seen", str(e->seen.first));
        table_cell(t, row, "last_seen", str(e->seen.last));
    }
    free(ix);
}

static void build_findings(struct report *r)
{
    struct agg *a = A(r);
    struct table *t = &r->table[T_FINDINGS];
    struct order *o = xmalloc((size_t)(a->finds.n + 1) * sizeof *o);
    for (int i = 0; i < a->finds.n; i++) {
        struct finding *f = &a->finds.v[i];
        char *port = padded(f->port, 6);
        o[i] = (struct order){ cat(f->host, SEP, f->name, SEP, port, SEP, f->exes, SEP, f->text, (char *)NULL), i };
        free(port);
    }
    int *ix = ordered(o, a->finds.n);
    for (int i = 0; i < a->finds.n; i++) {
        struct finding *f = &a->finds.v[ix[i]];
        char **row = table_row(t);
        table_cell(t, row, "host", str(f->host));
        table_cell(t, row, "endpoint", str(f->name));
        table_cell(t, row, "port", str(f->port));
        table_cell(t, row, "protocol", str(proto_of(f->port)));
        table_cell(t, row, "exe", str(f->exes));
        table_cell(t, row, "finding", str(f->text));
        table_cell(t, row, "count", num(f->count));
        table_cell(t, row, "kind", str(kind_name[f->kind]));
    }
    free(ix);
}

static void build_other(struct report *r)
{
    struct agg *a = A(r);
    struct table *t = &r->table[T_OTHER];
    struct order *o = xmalloc((size_t)(a->others.n + 1) * sizeof *o);
    for (int i = 0; i < a->others.n; i++) {
        struct other *x = &a->others.v[i];
        o[i] = (struct order){ cat(x->host, SEP, x->exe, SEP, x->ev, SEP, x->what, SEP, x->mode, (char *)NULL), i };
    }
    int *ix = ordered(o, a->others.n);
    for (int i = 0; i < a->others.n; i++) {
        struct other *x = &a->others.v[ix[i]];
        char **row = table_row(t);
        table_cell(t, row, "host", str(x->host));
        table_cell(t, row, "exe", str(x->exe));
        table_cell(t, row, "event", str(x->ev));
        table_cell(t, row, "detail", str(x->what));
        table_cell(t, row, "mode", str(x->mode));
        table_cell(t, row, "count", num(x->count));
        table_cell(t, row, "first_seen", str(x->seen.first));
        table_cell(t, row, "last_seen", str(x->seen.last));
    }
    free(ix);
}

/* Legacy names contacted with no rewrite logged for them (rewrite rules off, or a resolver
 * tlsfloor does not see): the endpoint itself is the finding. */
static void unrewritten_legacy(struct report *r)
{
    struct agg *a = A(r);
    int n = a->eps.n;
    for (int i = 0; i < n; i++) {
        struct endpoint *e = &a->eps.v[i];
        const char *t = legacy_target(e->name);
        char *key = cat(e->host, SEP, e->name, (char *)NULL);
        int logged = smap_get(&a->legacy_ix, key) >= 0;
        free(key);
        if (!t || logged)
            continue;
        char *exes = list_str(&e->progs, ", ");
        char *text = cat("legacy endpoint (retired by Microsoft), not rewritten: use ", t, (char *)NULL);
        finding(r, e->host, e->name, e->port, exes ? exes : "", K_LEGACY, text);
        free(exes), free(text);
    }
}

/* Programs that pinned a version (interventions logged) count in the checklist's first line. */
static void pinned_programs(struct report *r)
{
    struct agg *a = A(r);
    for (int i = 0; i < a->progs.n; i++) {
        if (!a->progs.v[i].vpin)
            continue;
        char *key = cat(kind_name[K_PIN], SEP, a->progs.v[i].host, SEP, a->progs.v[i].exe, (char *)NULL);
        int fresh;
        smap_put(&a->kindprog_ix, key, &fresh);
        free(key);
        r->kind_programs[K_PIN] += fresh;
    }
}

void report_build(struct report *r, const char *a2l, const char *readelf)
{
    unrewritten_legacy(r);
    pinned_programs(r);
    DEF(r, T_PROGRAMS, "programs", "Programs", programs_cols);
    DEF(r, T_CALL_SITES, "call_sites", "Call sites (what was pinned or rewritten, and the code that asked)", sites_cols);
    DEF(r, T_ENDPOINTS, "endpoints", "Endpoints", endpoints_cols);
    DEF(r, T_FINDINGS, "findings", "Findings", findings_cols);
    DEF(r, T_OTHER, "other_events", "Other events", other_cols);
    build_programs(r);
    build_sites(r, a2l, readelf);
    build_endpoints(r);
    build_findings(r);
    build_other(r);
}

const char *version_order(int i)
{
    static const char *const v[] = { "TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1.0", "SSLv3", "SSLv2" };
    return i >= 0 && i < (int)(sizeof v / sizeof *v) ? v[i] : NULL;
}
