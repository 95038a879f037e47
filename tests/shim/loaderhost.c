/* loaderhost [deepbind|plain] PORT: dlopen()s "libtfplugin.so" by bare name, found only through
 * this program's RUNPATH ($ORIGIN/plugins), and runs its pinned TLS 1.0 connection. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: loaderhost deepbind|plain PORT\n");
        return 2;
    }
    int mode = RTLD_NOW | RTLD_LOCAL | (strcmp(argv[1], "deepbind") == 0 ? RTLD_DEEPBIND : 0);
    void *h = dlopen("libtfplugin.so", mode);
    if (!h) {
        fprintf(stderr, "loaderhost: dlopen: %s\n", dlerror());
        return 3;
    }
    int (*connect_fn)(int) = (int (*)(int))dlsym(h, "plugin_connect_tlsv1");
    if (!connect_fn) {
        fprintf(stderr, "loaderhost: dlsym: %s\n", dlerror());
        return 3;
    }
    return connect_fn(atoi(argv[2])) ? 0 : 1;
}
