/* slowlock: a test-only preload that holds every pthread mutex a little longer (200 us before
 * each unlock). Loaded after libtlsfloor.so, it turns a lock that tlsfloor might hold while
 * another thread forks into a near-certain hang of the child: a test with it fails reliably on a
 * shim that takes mutexes where a fork can catch them, and costs nothing to one that takes none.
 * glibc's own internal locks do not go through this symbol. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <time.h>

int pthread_mutex_unlock(pthread_mutex_t *m)
{
    static int (*real)(pthread_mutex_t *);
    if (!real)
        real = (int (*)(pthread_mutex_t *))dlsym(RTLD_NEXT, "pthread_mutex_unlock");
    struct timespec ts = { 0, 200000 };
    nanosleep(&ts, NULL);
    return real(m);
}
