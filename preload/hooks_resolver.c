/* Name-resolution hooks: a legacy endpoint name resolves as its standard replacement.
 *
 * The results stay the C library's own (the program frees them as usual) and h_name /
 * ai_canonname are what the resolver says for the new name. These are libc functions, always in
 * the global scope, so RTLD_NEXT finds them. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

const char *tf_rewrite_target(const char *host)
{
    const struct tf_config *c = tf_config();
    return tf_rewrite_lookup(&c->rules, c->rewrite_defaults, host);
}

void tf_rewrite_report(const char *host, const char *to, const char *layer)
{
    struct tf_field f[] = { TF_STR("layer", layer), TF_STR("old", host), TF_STR("new", to) };
    tf_emit(tf_enforcing() ? "host_rewritten" : "host_would_rewrite", f, 3, TF_CALLER);
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

static void *real_getaddrinfo;
TF_EXPORT int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                          struct addrinfo **res)
{
    NEXT(getaddrinfo);
    struct lookup l;
    int r = next(lookup_begin(&l, node, RET), service, hints, res);
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
    lookup_end(&l);
    return r;
}

/* glibc runs these requests on its own thread through an internal getaddrinfo, so the request
 * itself must carry the new name while it runs. The program's own pointer is put back when the
 * request is over: at once for GAI_WAIT, else when gai_error() or gai_cancel() reports it done
 * (a SIGEV_THREAD notification that reads ar_name before calling gai_error sees the new name).
 *
 * Pending requests are kept in a list that only grows (nodes are reused, never freed) and is
 * changed only with compare-and-swap: no size limit, no lock for a fork or a signal to strand. */
struct gai_pending {
    struct gaicb *req;          /* NULL: free for reuse */
    const char *name;           /* the program's own ar_name */
    struct gai_pending *next;
};
static struct gai_pending *gai_list;

static void gai_remember(struct gaicb *req, const char *name)
{
    struct gai_pending *n;
    for (n = __atomic_load_n(&gai_list, __ATOMIC_ACQUIRE); n; n = n->next) {
        struct gaicb *none = NULL;
        /* the name is set after the claim: only this request's own restore reads it, and that
         * comes after getaddrinfo_a has submitted it */
        if (__atomic_load_n(&n->req, __ATOMIC_RELAXED) == NULL &&
            __atomic_compare_exchange_n(&n->req, &none, req, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
            n->name = name;
            return;
        }
    }
    n = malloc(sizeof *n);
    if (n == NULL)
        return;   /* the request keeps the new name: correct for the program, one pointer differs */
    n->req = req;
    n->name = name;
    n->next = __atomic_load_n(&gai_list, __ATOMIC_ACQUIRE);
    while (!__atomic_compare_exchange_n(&gai_list, &n->next, n, 1, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        ;
}

static void gai_restore(struct gaicb *req)
{
    for (struct gai_pending *n = __atomic_load_n(&gai_list, __ATOMIC_ACQUIRE); n; n = n->next) {
        if (__atomic_load_n(&n->req, __ATOMIC_ACQUIRE) != req)
            continue;
        req->ar_name = n->name;
        __atomic_store_n(&n->req, NULL, __ATOMIC_RELEASE);
    }
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
    for (int i = 0; enforce && i < nitems; i++) {
        const char *to = list[i] && list[i]->ar_name ? tf_rewrite_target(list[i]->ar_name) : NULL;
        if (to) {
            gai_remember(list[i], list[i]->ar_name);
            list[i]->ar_name = to;
        }
    }
    int r = next(mode, list, nitems, sevp);
    if (mode == GAI_WAIT || r != 0)
        for (int i = 0; i < nitems; i++)
            if (list[i])
                gai_restore(list[i]);
    /* reported once the requests are under way (or done) */
    for (int i = 0; i < nitems; i++) {
        if (!list[i] || !list[i]->ar_name)
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
        gai_restore(req);
    return r;
}

static void *real_gai_cancel;
TF_EXPORT int gai_cancel(struct gaicb *req)
{
    NEXT(gai_cancel);
    int r = next(req);
    if (r != EAI_NOTCANCELED && req)
        gai_restore(req);
    return r;
}
