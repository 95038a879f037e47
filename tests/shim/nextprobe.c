/* A preloaded library of another tool: its dlsym(RTLD_NEXT, ...) must find what comes after it
 * in the process, with or without tlsfloor's dlsym hook before or after it. */
#define _GNU_SOURCE
#include <dlfcn.h>

/* Where the next SSL_new and the next strlen are, from this library's point of view. The result
 * goes through an out parameter so the lookup is never a tail call (the caller would then be the
 * program, not this library). */
__attribute__((visibility("default"))) void nextprobe_ssl_new(void **out)
{
    *out = dlsym(RTLD_NEXT, "SSL_new");
}

__attribute__((visibility("default"))) void nextprobe_strlen(void **out)
{
    *out = dlsym(RTLD_NEXT, "strlen");
}

__attribute__((visibility("default"))) void nextprobe_vsym(void **out)
{
    *out = dlvsym(RTLD_NEXT, "SSL_new", "OPENSSL_3.0.0");
}
