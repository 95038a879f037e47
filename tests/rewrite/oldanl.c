/* oldanl.so: getaddrinfo_a as libanl.so.1 of glibc before 2.34 runs it, for one machine with a
 * newer glibc: each request is looked up on a thread of its own through the exported
 * getaddrinfo (the shim's hook when the shim is preloaded first). Preloaded after the shim, it
 * shows one lookup passing two hooks (getaddrinfo_a, then getaddrinfo) gives one record.
 * GAI_WAIT only (what resolveclient asks); other modes go to the C library's own. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <pthread.h>
#include <stddef.h>

static void *answer(void *arg)
{
    struct gaicb *req = arg;
    req->__return = getaddrinfo(req->ar_name, req->ar_service, req->ar_request, &req->ar_result);
    return NULL;
}

int getaddrinfo_a(int mode, struct gaicb *list[], int nitems, struct sigevent *sevp)
{
    if (mode != GAI_WAIT) {
        int (*next)(int, struct gaicb *[], int, struct sigevent *) =
            (int (*)(int, struct gaicb *[], int, struct sigevent *))dlsym(RTLD_NEXT, "getaddrinfo_a");
        return next ? next(mode, list, nitems, sevp) : EAI_SYSTEM;
    }
    /* each request's outcome is in its __return, which glibc's gai_error reads */
    for (int i = 0; i < nitems; i++) {
        pthread_t t;
        if (list[i] == NULL)
            continue;
        if (pthread_create(&t, NULL, answer, list[i]) != 0)
            list[i]->__return = EAI_SYSTEM;
        else
            pthread_join(t, NULL);
    }
    return 0;
}
