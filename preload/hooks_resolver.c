/* Name-resolution hooks: a legacy endpoint name resolves as its standard replacement.
 *
 * The results stay the C library's own (the program frees them as usual) and h_name /
 * ai_canonname are what the resolver says for the new name. These are libc functions, always in
 * the global scope, so RTLD_NEXT finds them (the res_* ones: see below). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "shim.h"
#include "tf_addrset.h"
#include "tf_dns.h"

const char *tf_rewrite_target(const char *host)
{
    const struct tf_config *c = tf_config();
    return tf_rewrite_lookup(&c->rules, c->rewrite_defaults, host);
}

void tf_rewrite_report(const char *host, const char *to, const char *layer)
{
    struct tf_field f[] = { TF_STR("layer", layer), TF_STR("old", host), TF_STR("new", to) };
    tf_emit(tf_enforcing() ? TF_EV(host_rewritten) : TF_EV(host_would_rewrite), f, 3, TF_CALLER);
}

/* The real function, typed like our definition of it. */
#define NEXT(name) __typeof__(&name) next = tf_next_fn(&real_##name, #name)

/* A lookup: the name the resolver gets (the new one in enforce mode), resolved, then reported.
 * The report comes after the lookup so that nothing the log does can hold the answer back. */
struct lookup {
    const char *asked, *to;
    int acting;
};

static const char *lookup_begin(struct lookup *l, const char *name, const void *ret)
{
    l->asked = name;
    l->to = NULL;
    l->acting = name != NULL && tf_enter(ret);
    if (l->acting)
        l->to = tf_rewrite_target(name);
    return l->to && tf_enforcing() ? l->to : name;
}

static void lookup_end(struct lookup *l)
{
    if (!l->acting)
        return;
    if (l->to)
        tf_rewrite_report(l->asked, l->to, "resolve");
    tf_leave();
}

#define RET __builtin_return_address(0)

/* The addresses rewritten lookups answered with: a connection to one of them was changed even
 * when the program sends no SNI and checks no name (tf_rewritten_peer, for the handshake record). */
static struct tf_addrset rewritten_addrs;

static int rewritten(const struct lookup *l)
{
    return l->acting && l->to && tf_enforcing();
}

static void remember_answer(const struct addrinfo *ai)
{
    for (; ai; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET && ai->ai_addr)
            tf_addrset_add(&rewritten_addrs, AF_INET, &((const struct sockaddr_in *)ai->ai_addr)->sin_addr);
        else if (ai->ai_family == AF_INET6 && ai->ai_addr)
            tf_addrset_add(&rewritten_addrs, AF_INET6, &((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr);
    }
}

static void remember_addrinfo(const struct lookup *l, const struct addrinfo *ai)
{
    if (rewritten(l))
        remember_answer(ai);
}

static void remember_hostent(const struct lookup *l, const struct hostent *he)
{
    if (!rewritten(l) || he == NULL || he->h_addr_list == NULL)
        return;
    for (char *const *a = he->h_addr_list; *a; a++)
        tf_addrset_add(&rewritten_addrs, he->h_addrtype, *a);
}

int tf_rewritten_peer(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return tf_addrset_has(&rewritten_addrs, AF_INET, &((const struct sockaddr_in *)sa)->sin_addr);
    if (sa->sa_family == AF_INET6)
        return tf_addrset_has(&rewritten_addrs, AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr);
    return 0;
}

/* A numeric-address check (AI_NUMERICHOST) never looks a name up: there is nothing to rewrite,
 * and a record would claim a lookup that did not happen (Postfix asks this of its relay host's
 * name before it queries the DNS). */
static int numeric_only(const struct addrinfo *hints)
{
    return hints != NULL && (hints->ai_flags & AI_NUMERICHOST) != 0;
}

static int gai_noted(const char *name);

static void *real_getaddrinfo;
TF_EXPORT int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                          struct addrinfo **res)
{
    NEXT(getaddrinfo);
    if (numeric_only(hints))
        return next(node, service, hints, res);
    struct lookup l;
    int r = next(lookup_begin(&l, node, RET), service, hints, res);
    if (r == 0 && res)
        remember_addrinfo(&l, *res);
    if (l.to && gai_noted(node))
        l.to = NULL;   /* a getaddrinfo_a request's own lookup: reported there */
    lookup_end(&l);
    return r;
}

static void *real_gethostbyname;
TF_EXPORT struct hostent *gethostbyname(const char *name)
{
    NEXT(gethostbyname);
    struct lookup l;
    struct hostent *r = next(lookup_begin(&l, name, RET));
    int saved = h_errno;
    remember_hostent(&l, r);
    lookup_end(&l);
    h_errno = saved;
    return r;
}

static void *real_gethostbyname2;
TF_EXPORT struct hostent *gethostbyname2(const char *name, int af)
{
    NEXT(gethostbyname2);
    struct lookup l;
    struct hostent *r = next(lookup_begin(&l, name, RET), af);
    int saved = h_errno;
    remember_hostent(&l, r);
    lookup_end(&l);
    h_errno = saved;
    return r;
}

static void *real_gethostbyname_r;
TF_EXPORT int gethostbyname_r(const char *name, struct hostent *ret, char *buf, size_t buflen,
                              struct hostent **result, int *h_errnop)
{
    NEXT(gethostbyname_r);
    struct lookup l;
    int r = next(lookup_begin(&l, name, RET), ret, buf, buflen, result, h_errnop);
    if (r == 0 && result)
        remember_hostent(&l, *result);
    lookup_end(&l);
    return r;
}

static void *real_gethostbyname2_r;
TF_EXPORT int gethostbyname2_r(const char *name, int af, struct hostent *ret, char *buf,
                               size_t buflen, struct hostent **result, int *h_errnop)
{
    NEXT(gethostbyname2_r);
    struct lookup l;
    int r = next(lookup_begin(&l, name, RET), af, ret, buf, buflen, result, h_errnop);
    if (r == 0 && result)
        remember_hostent(&l, *result);
    lookup_end(&l);
    return r;
}

/* glibc runs these requests on its own thread through an internal getaddrinfo, so the request
 * itself must carry the new name while it runs. The program's own pointer is put back when the
 * request is over: at once for GAI_WAIT, else when gai_error() or gai_cancel() reports it done
 * (a SIGEV_THREAD notification that reads ar_name before calling gai_error sees the new name).
 * Before glibc 2.34 that getaddrinfo is the exported one (libanl.so.1 calls it from its thread):
 * one lookup, two hooks. getaddrinfo_a reports it; a legacy name that reaches the getaddrinfo
 * hook as a pending request's own name (audit mode: the request keeps it) is not reported again
 * (until gai_error or gai_cancel says the request is over: a program that never asks keeps that
 * pointer's later audit records quiet).
 *
 * Pending requests are kept in a list that only grows (nodes are reused, never freed) and is
 * changed only with compare-and-swap: no size limit, no lock for a fork or a signal to strand. */
struct gai_pending {
    struct gaicb *req;          /* NULL: free for reuse */
    const char *name;           /* the program's own ar_name */
    int swapped;                /* ar_name is the new name (enforce); 0: kept, the request only noted */
    struct gai_pending *next;
};
static struct gai_pending *gai_list;

static void gai_remember(struct gaicb *req, const char *name, int swapped)
{
    struct gai_pending *n;
    for (n = __atomic_load_n(&gai_list, __ATOMIC_ACQUIRE); n; n = n->next) {
        struct gaicb *none = NULL;
        /* the name is set after the claim: only this request's own restore reads it, and that
         * comes after getaddrinfo_a has submitted it */
        if (__atomic_load_n(&n->req, __ATOMIC_RELAXED) == NULL &&
            __atomic_compare_exchange_n(&n->req, &none, req, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
            n->name = name;
            n->swapped = swapped;
            return;
        }
    }
    n = malloc(sizeof *n);
    if (n == NULL)
        return;   /* enforce: the request keeps the new name (correct for the program, one pointer
                   * differs); audit: its lookup may be reported twice */
    n->req = req;
    n->name = name;
    n->swapped = swapped;
    n->next = __atomic_load_n(&gai_list, __ATOMIC_ACQUIRE);
    while (!__atomic_compare_exchange_n(&gai_list, &n->next, n, 1, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        ;
}

/* succeeded: the request is done and its ar_result is the answer to the rewritten name */
static void gai_restore(struct gaicb *req, int succeeded)
{
    for (struct gai_pending *n = __atomic_load_n(&gai_list, __ATOMIC_ACQUIRE); n; n = n->next) {
        if (__atomic_load_n(&n->req, __ATOMIC_ACQUIRE) != req)
            continue;
        if (succeeded && n->swapped)
            remember_answer(req->ar_result);
        if (n->swapped)
            req->ar_name = n->name;
        __atomic_store_n(&n->req, NULL, __ATOMIC_RELEASE);
    }
}

/* Whether name is the name of a pending request that kept it (audit mode): a lookup getaddrinfo_a
 * reported. The claim is read before the name (gai_remember sets the name after the claim). */
static int gai_noted(const char *name)
{
    for (struct gai_pending *n = __atomic_load_n(&gai_list, __ATOMIC_ACQUIRE); n; n = n->next)
        if (__atomic_load_n(&n->req, __ATOMIC_ACQUIRE) != NULL && !n->swapped && n->name == name)
            return 1;
    return 0;
}

/* The program's own name for a request still pending, or NULL. */
static const char *gai_original(const struct gaicb *req)
{
    for (struct gai_pending *n = __atomic_load_n(&gai_list, __ATOMIC_ACQUIRE); n; n = n->next)
        if (__atomic_load_n(&n->req, __ATOMIC_ACQUIRE) == req)
            return n->name;
    return NULL;
}

static void *real_getaddrinfo_a;
TF_EXPORT int getaddrinfo_a(int mode, struct gaicb *list[], int nitems, struct sigevent *sevp)
{
    NEXT(getaddrinfo_a);
    if (list == NULL || nitems <= 0 || !tf_enter(RET))
        return next(mode, list, nitems, sevp);
    int enforce = tf_enforcing();
    for (int i = 0; i < nitems; i++) {
        const char *to = list[i] && list[i]->ar_name && !numeric_only(list[i]->ar_request)
                             ? tf_rewrite_target(list[i]->ar_name)
                             : NULL;
        if (to) {
            gai_remember(list[i], list[i]->ar_name, enforce);
            if (enforce)
                list[i]->ar_name = to;
        }
    }
    int r = next(mode, list, nitems, sevp);
    if (mode == GAI_WAIT || r != 0)
        for (int i = 0; i < nitems; i++)
            if (list[i])
                gai_restore(list[i], mode == GAI_WAIT && r == 0);
    /* reported once the requests are under way (or done) */
    for (int i = 0; i < nitems; i++) {
        if (!list[i] || !list[i]->ar_name || numeric_only(list[i]->ar_request))
            continue;
        const char *asked = gai_original(list[i]);
        asked = asked ? asked : list[i]->ar_name;
        const char *to = tf_rewrite_target(asked);
        if (to)
            tf_rewrite_report(asked, to, "resolve");
    }
    tf_leave();
    return r;
}

static void *real_gai_error;
TF_EXPORT int gai_error(struct gaicb *req)
{
    NEXT(gai_error);
    int r = next(req);
    if (r != EAI_INPROGRESS && req)
        gai_restore(req, r == 0);
    return r;
}

static void *real_gai_cancel;
TF_EXPORT int gai_cancel(struct gaicb *req)
{
    NEXT(gai_cancel);
    int r = next(req);
    if (r != EAI_NOTCANCELED && req)
        gai_restore(req, 0);
    return r;
}

/* ---- res_query and friends ----
 *
 * The resolver is asked about the standard name; the program gets the answer to the question it
 * asked: the legacy name in the question section, a CNAME from it to the standard name, then the
 * server's records (tf_dns_alias_answer; a careful caller such as Postfix checks all of it).
 * res_search's search domains apply to the standard name as they would have to the legacy one,
 * and the answer keeps the domain that matched after the legacy name. res_querydomain's NAME
 * and DOMAIN are joined before the rules are looked at. A name that matches no rule as given
 * (a short name completed only by a search domain) is left alone.
 *
 * glibc 2.34 moved these into libc under their own names (res_query@@GLIBC_2.34) and keeps the
 * older __res_* names that <resolv.h> used to #define them to; before, libresolv exported the
 * __res_* ones. A program calling either has the library loaded, in the global scope. <resolv.h>
 * is not included here: before 2.34 its macros would rename these definitions. */
struct __res_state;

TF_EXPORT int res_query(const char *, int, int, unsigned char *, int);
TF_EXPORT int res_search(const char *, int, int, unsigned char *, int);
TF_EXPORT int res_querydomain(const char *, const char *, int, int, unsigned char *, int);
TF_EXPORT int res_nquery(struct __res_state *, const char *, int, int, unsigned char *, int);
TF_EXPORT int res_nsearch(struct __res_state *, const char *, int, int, unsigned char *, int);
TF_EXPORT int res_nquerydomain(struct __res_state *, const char *, const char *, int, int,
                               unsigned char *, int);
TF_EXPORT int __res_query(const char *, int, int, unsigned char *, int);
TF_EXPORT int __res_search(const char *, int, int, unsigned char *, int);
TF_EXPORT int __res_querydomain(const char *, const char *, int, int, unsigned char *, int);
TF_EXPORT int __res_nquery(struct __res_state *, const char *, int, int, unsigned char *, int);
TF_EXPORT int __res_nsearch(struct __res_state *, const char *, int, int, unsigned char *, int);
TF_EXPORT int __res_nquerydomain(struct __res_state *, const char *, const char *, int, int,
                                 unsigned char *, int);

/* The real functions' types, from the declarations above (one place says each signature). */
typedef __typeof__(&res_query) query_fn;
typedef __typeof__(&res_nquery) nquery_fn;
typedef __typeof__(&res_querydomain) querydomain_fn;
typedef __typeof__(&res_nquerydomain) nquerydomain_fn;

/* The real function: its plain name first (glibc >= 2.34), then the __res_ one. */
static void *real_res(void **slot, const char *old_name)
{
    void *p = tf_next_fn(slot, old_name + 2);
    return p ? p : tf_next_fn(slot, old_name);
}

/* A successful answer about `queried` becomes the answer about `asked` (NULL: nothing was
 * rewritten). The new message never exceeds the caller's buffer; when it does not fit, whole
 * records are dropped and TC is set (the caller may ask again with more room, as Postfix does),
 * and the length returned is what is in the buffer. An answer tf_dns cannot rebuild is left as
 * the resolver gave it. */
static int answer_as_asked(const char *asked, const char *queried, int n, unsigned char *answer,
                           int anslen)
{
    if (asked == NULL || n <= 0 || answer == NULL || anslen <= 0)
        return n;
    size_t cap = anslen > 65535 ? 65535 : (size_t)anslen;
    unsigned char *out = malloc(cap);
    if (out == NULL)
        return n;
    int m = tf_dns_alias_answer(answer, n < anslen ? (size_t)n : (size_t)anslen, asked, queried,
                                out, cap);
    if (m > 0) {
        memcpy(answer, out, (size_t)m);
        n = m;
    }
    free(out);
    return n;
}

/* Reports (lookup_end) without touching what the caller reads next: h_errno and errno. */
static int res_finish(struct lookup *l, int n)
{
    int saved_h = h_errno, saved_errno = errno;
    lookup_end(l);
    h_errno = saved_h;
    errno = saved_errno;
    return n;
}

static int no_resolver(void)
{
    h_errno = NO_RECOVERY;
    errno = ENOSYS;
    return -1;
}

static int query_hook(const void *ret, query_fn next, const char *name, int class, int type,
                      unsigned char *answer, int anslen)
{
    if (next == NULL)
        return no_resolver();
    struct lookup l;
    const char *use = lookup_begin(&l, name, ret);
    int n = next(use, class, type, answer, anslen);
    int saved_h = h_errno, saved_errno = errno;
    n = answer_as_asked(use != name ? name : NULL, use, n, answer, anslen);
    h_errno = saved_h;
    errno = saved_errno;
    return res_finish(&l, n);
}

static int nquery_hook(const void *ret, nquery_fn next, struct __res_state *statp, const char *name,
                       int class, int type, unsigned char *answer, int anslen)
{
    if (next == NULL)
        return no_resolver();
    struct lookup l;
    const char *use = lookup_begin(&l, name, ret);
    int n = next(statp, use, class, type, answer, anslen);
    int saved_h = h_errno, saved_errno = errno;
    n = answer_as_asked(use != name ? name : NULL, use, n, answer, anslen);
    h_errno = saved_h;
    errno = saved_errno;
    return res_finish(&l, n);
}

/* res_querydomain asks about NAME.DOMAIN, or NAME alone without a domain; NULL when the two do
 * not fit a DNS name (no rule can match that). */
static const char *joined_name(char *buf, size_t cap, const char *name, const char *domain)
{
    if (name == NULL || domain == NULL)
        return name;
    size_t n = strlen(name), d = strlen(domain);
    if (n + d + 2 > cap)
        return NULL;
    memcpy(buf, name, n);
    buf[n] = '.';
    memcpy(buf + n + 1, domain, d);
    buf[n + 1 + d] = '\0';
    return buf;
}

static int querydomain_hook(const void *ret, querydomain_fn next, const char *name,
                            const char *domain, int class, int type, unsigned char *answer,
                            int anslen)
{
    if (next == NULL)
        return no_resolver();
    char buf[1026];
    const char *full = joined_name(buf, sizeof buf, name, domain);
    struct lookup l;
    const char *use = lookup_begin(&l, full, ret);
    int n = use != full ? next(use, NULL, class, type, answer, anslen)
                        : next(name, domain, class, type, answer, anslen);
    int saved_h = h_errno, saved_errno = errno;
    n = answer_as_asked(use != full ? full : NULL, use, n, answer, anslen);
    h_errno = saved_h;
    errno = saved_errno;
    return res_finish(&l, n);
}

static int nquerydomain_hook(const void *ret, nquerydomain_fn next, struct __res_state *statp,
                             const char *name, const char *domain, int class, int type,
                             unsigned char *answer, int anslen)
{
    if (next == NULL)
        return no_resolver();
    char buf[1026];
    const char *full = joined_name(buf, sizeof buf, name, domain);
    struct lookup l;
    const char *use = lookup_begin(&l, full, ret);
    int n = use != full ? next(statp, use, NULL, class, type, answer, anslen)
                        : next(statp, name, domain, class, type, answer, anslen);
    int saved_h = h_errno, saved_errno = errno;
    n = answer_as_asked(use != full ? full : NULL, use, n, answer, anslen);
    h_errno = saved_h;
    errno = saved_errno;
    return res_finish(&l, n);
}

/* Each function under both names; RET is read here, in the exported function itself. */
static void *real_res_query, *real_res_search, *real_res_querydomain;
static void *real_res_nquery, *real_res_nsearch, *real_res_nquerydomain;
#define REAL_RES(name) ((name##_fn_t)real_res(&real_res_##name, "__res_" #name))
typedef query_fn query_fn_t, search_fn_t;
typedef nquery_fn nquery_fn_t, nsearch_fn_t;
typedef querydomain_fn querydomain_fn_t;
typedef nquerydomain_fn nquerydomain_fn_t;

#define QUERY_HOOKS(name)                                                                        \
    TF_EXPORT int res_##name(const char *d, int c, int t, unsigned char *a, int l)               \
    {                                                                                            \
        return query_hook(RET, REAL_RES(name), d, c, t, a, l);                                   \
    }                                                                                            \
    TF_EXPORT int __res_##name(const char *d, int c, int t, unsigned char *a, int l)             \
    {                                                                                            \
        return query_hook(RET, REAL_RES(name), d, c, t, a, l);                                   \
    }
#define NQUERY_HOOKS(name)                                                                       \
    TF_EXPORT int res_##name(struct __res_state *s, const char *d, int c, int t, unsigned char *a, \
                             int l)                                                              \
    {                                                                                            \
        return nquery_hook(RET, REAL_RES(name), s, d, c, t, a, l);                               \
    }                                                                                            \
    TF_EXPORT int __res_##name(struct __res_state *s, const char *d, int c, int t,               \
                               unsigned char *a, int l)                                          \
    {                                                                                            \
        return nquery_hook(RET, REAL_RES(name), s, d, c, t, a, l);                               \
    }
QUERY_HOOKS(query)
QUERY_HOOKS(search)
NQUERY_HOOKS(nquery)
NQUERY_HOOKS(nsearch)

TF_EXPORT int res_querydomain(const char *n, const char *d, int c, int t, unsigned char *a, int l)
{
    return querydomain_hook(RET, REAL_RES(querydomain), n, d, c, t, a, l);
}
TF_EXPORT int __res_querydomain(const char *n, const char *d, int c, int t, unsigned char *a, int l)
{
    return querydomain_hook(RET, REAL_RES(querydomain), n, d, c, t, a, l);
}
TF_EXPORT int res_nquerydomain(struct __res_state *s, const char *n, const char *d, int c, int t,
                               unsigned char *a, int l)
{
    return nquerydomain_hook(RET, REAL_RES(nquerydomain), s, n, d, c, t, a, l);
}
TF_EXPORT int __res_nquerydomain(struct __res_state *s, const char *n, const char *d, int c, int t,
                                 unsigned char *a, int l)
{
    return nquerydomain_hook(RET, REAL_RES(nquerydomain), s, n, d, c, t, a, l);
}
