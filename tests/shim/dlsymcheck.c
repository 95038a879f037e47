/* dlsymcheck: prints where ordinary dlsym/dlvsym lookups land, one "label object" line each, so
 * a run with tlsfloor can be compared with one without (tests/shim/dlsym.sh). Links libssl (its
 * functions are in the global scope) and calls nextprobe_* when that library is preloaded. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

void SSL_free(void *s);   /* a direct reference: libssl is linked, as in most programs */

static const char *object_of(const void *p)
{
    Dl_info i;
    if (p == NULL)
        return "NULL";
    if (dladdr(p, &i) == 0 || i.dli_fname == NULL)
        return "?";
    const char *base = strrchr(i.dli_fname, '/');
    return base ? base + 1 : i.dli_fname;
}

static void show(const char *label, const void *p)
{
    printf("%s %s\n", label, object_of(p));
}

int main(void)
{
    void (*probe)(void **);
    void *p;
    show("linked SSL_free", (const void *)SSL_free);
    show("default SSL_new", dlsym(RTLD_DEFAULT, "SSL_new"));
    show("next SSL_new", dlsym(RTLD_NEXT, "SSL_new"));
    show("default strlen", dlsym(RTLD_DEFAULT, "strlen"));
    void *m = dlopen("libm.so.6", RTLD_LAZY);
    show("libm cos", dlsym(m, "cos"));
    show("libm vsym cos", dlvsym(m, "cos", "GLIBC_2.2.5"));
    show("libm missing", dlsym(m, "SSL_new_no_such"));
    const char *err = dlerror();
    printf("libm missing error %s\n", err && strstr(err, "SSL_new_no_such") ? "names it" : "lost");
    void *s = dlopen("libssl.so.3", RTLD_LAZY);
    show("handle SSL_get_fd", dlsym(s, "SSL_get_fd"));
    show("handle SSL_no_such", dlsym(s, "SSL_no_such"));
    show("handle SSL_new", dlsym(s, "SSL_new"));
    show("handle vsym SSL_new", dlvsym(s, "SSL_new", "OPENSSL_3.0.0"));
    if ((*(void **)&probe = dlsym(RTLD_DEFAULT, "nextprobe_ssl_new")) != NULL) {
        probe(&p);
        show("preload next SSL_new", p);
        *(void **)&probe = dlsym(RTLD_DEFAULT, "nextprobe_strlen");
        probe(&p);
        show("preload next strlen", p);
        *(void **)&probe = dlsym(RTLD_DEFAULT, "nextprobe_vsym");
        probe(&p);
        show("preload next vsym SSL_new", p);
    }
    return 0;
}
