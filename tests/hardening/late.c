/* late: a program that uses libcrypto first and loads libssl later, through a plugin (issue 10,
 * item 6). The first hooked call (X509_VERIFY_PARAM_set1_host) comes before libssl exists in the
 * process; every SSL_* call after the plugin is loaded must still reach the real libssl, and the
 * pin the plugin makes must be raised.
 *
 *   late PLUGIN HOST PORT     exit 0 when the plugin's TLSv1_client_method connection
 *                             negotiated >= TLS 1.2, 3 otherwise */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/x509_vfy.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: late PLUGIN HOST PORT\n");
        return 2;
    }
    X509_VERIFY_PARAM *p = X509_VERIFY_PARAM_new();
    int set = X509_VERIFY_PARAM_set1_host(p, "before.libssl.example", 0);
    X509_VERIFY_PARAM_free(p);
    printf("libcrypto first: X509_VERIFY_PARAM_set1_host=%d\n", set);
    void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    int (*connect_to)(const char *, int) = h ? (int (*)(const char *, int))dlsym(h, "plugin_connect") : NULL;
    if (!connect_to) {
        fprintf(stderr, "late: %s\n", dlerror());
        return 2;
    }
    return connect_to(argv[2], atoi(argv[3]));
}
