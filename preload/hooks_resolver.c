/* Name-resolution hooks: a legacy endpoint name resolves as its standard replacement.
 *
 * The results stay the C library's own (the program frees them as usual) and h_name /
 * ai_canonname are what the resolver says for the new name. These are libc functions, always in
 * the global scope, so RTLD_NEXT finds them. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "shim.h"

const char *tf_rewrite_host(const char *host, const char *layer)
{
    const struct tf_config *c = tf_config();
    const char *to = tf_rewrite_lookup(&c->rules, c->rewrite_defaults, host);
    if (to == NULL)
        return NULL;
    struct tf_field f[] = { TF_STR("layer", layer), TF_STR("old", host), TF_STR("new", to) };
    int enforce = c->mode == TF_MODE_ENFORCE;
    tf_emit(enforce ? "host_rewritten" : "host_would_rewrite", f, 3, 1);
    return enforce ? to : NULL;
}

/* The real function, typed like our definition of it. */
#define NEXT(name) __typeof__(&name) next = tf_next_fn(&real_##name, #name)

/* Rewritten name for a lookup, or the name itself. */
static const char *lookup_name(const char *name)
{
    const char *to;
    if (name == NULL || tf_depth > 0)
        return name;
    tf_depth++;
    to = tf_rewrite_host(name, "resolve");
    tf_depth--;
    return to ? to : name;
}

static void *real_getaddrinfo;
TF_EXPORT int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                          struct addrinfo **res)
{
    NEXT(getaddrinfo);
    return next(lookup_name(node), service, hints, res);
}

static void *real_gethostbyname;
TF_EXPORT struct hostent *gethostbyname(const char *name)
{
    NEXT(gethostbyname);
    return next(lookup_name(name));
}

static void *real_gethostbyname2;
TF_EXPORT struct hostent *gethostbyname2(const char *name, int af)
{
    NEXT(gethostbyname2);
    return next(lookup_name(name), af);
}

static void *real_gethostbyname_r;
TF_EXPORT int gethostbyname_r(const char *name, struct hostent *ret, char *buf, size_t buflen,
                              struct hostent **result, int *h_errnop)
{
    NEXT(gethostbyname_r);
    return next(lookup_name(name), ret, buf, buflen, result, h_errnop);
}

static void *real_gethostbyname2_r;
TF_EXPORT int gethostbyname2_r(const char *name, int af, struct hostent *ret, char *buf,
                               size_t buflen, struct hostent **result, int *h_errnop)
{
    NEXT(gethostbyname2_r);
    return next(lookup_name(name), af, ret, buf, buflen, result, h_errnop);
}

/* glibc runs these requests on its own thread through an internal getaddrinfo, so the request
 * itself must carry the new name while it runs. The program's own pointer is put back when the
 * request is over: at once for GAI_WAIT, else when gai_error() or gai_cancel() reports it done
 * (a SIGEV_THREAD notification that reads ar_name before calling gai_error sees the new name). */
#define GAI_PENDING 64
static struct { struct gaicb *req; const char *name; } gai_pending[GAI_PENDING];
static pthread_mutex_t gai_lock = PTHREAD_MUTEX_INITIALIZER;

static void gai_restore(struct gaicb *req)
{
    pthread_mutex_lock(&gai_lock);
    for (int i = 0; i < GAI_PENDING; i++)
        if (gai_pending[i].req == req) {
            req->ar_name = gai_pending[i].name;
            gai_pending[i].req = NULL;
        }
    pthread_mutex_unlock(&gai_lock);
}

static void gai_remember(struct gaicb *req, const char *name)
{
    pthread_mutex_lock(&gai_lock);
    for (int i = 0; i < GAI_PENDING; i++)
        if (gai_pending[i].req == NULL) {
            gai_pending[i].req = req;
            gai_pending[i].name = name;
            break;
        }
    pthread_mutex_unlock(&gai_lock);
}

static void *real_getaddrinfo_a;
TF_EXPORT int getaddrinfo_a(int mode, struct gaicb *list[], int nitems, struct sigevent *sevp)
{
    for (int i = 0; i < nitems; i++) {
        if (!list[i] || !list[i]->ar_name)
            continue;
        const char *to = lookup_name(list[i]->ar_name);
        if (to != list[i]->ar_name) {
            gai_remember(list[i], list[i]->ar_name);
            list[i]->ar_name = to;
        }
    }
    NEXT(getaddrinfo_a);
    int r = next(mode, list, nitems, sevp);
    if (mode == GAI_WAIT || r != 0)
        for (int i = 0; i < nitems; i++)
            if (list[i])
                gai_restore(list[i]);
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
