/* dlsymclient: an IMAPS client that reaches OpenSSL only through dlopen + dlsym on the handle, as
 * .NET's System.Security.Cryptography.Native (opensslshim.c) does. It links no libssl and includes
 * no OpenSSL header: every function is declared here and looked up on the handle.
 *
 *   dlsymclient [--prefer-11] [--host-check set1_host|param|none] --cafile CA --port PORT HOST
 *
 * Probes libssl.so.3 then libssl.so.1.1 (--prefer-11: the other way round); a TLS_client_method
 * context with min and max version 0x301 (TLS 1.0) through SSL_CTX_ctrl 123/124, as .NET's
 * SslProtocols.Tls; verification against CA; SNI HOST through SSL_ctrl 55; the host check HOST
 * through SSL_set1_host or X509_VERIFY_PARAM_set1_host; getaddrinfo(HOST); reads the greeting.
 * Exit: 0 greeting read, 1 usage or missing function, 2 name not resolved, 3 no connection,
 * 4 handshake failed, 5 no greeting. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_method_st SSL_METHOD;
typedef struct X509_VERIFY_PARAM_st X509_VERIFY_PARAM;

/* The functions, one line each, looked up on the handle (X: required everywhere). */
#define FUNCTIONS                                                                               \
    X(int, OPENSSL_init_ssl, (unsigned long long opts, const void *settings))                  \
    X(unsigned long, OpenSSL_version_num, (void))                                               \
    X(const SSL_METHOD *, TLS_client_method, (void))                                            \
    X(SSL_CTX *, SSL_CTX_new, (const SSL_METHOD *meth))                                         \
    X(long, SSL_CTX_ctrl, (SSL_CTX * ctx, int cmd, long larg, void *parg))                      \
    X(int, SSL_CTX_load_verify_locations, (SSL_CTX * ctx, const char *file, const char *path)) \
    X(void, SSL_CTX_set_verify, (SSL_CTX * ctx, int mode, void *cb))                            \
    X(SSL *, SSL_new, (SSL_CTX * ctx))                                                          \
    X(long, SSL_ctrl, (SSL * s, int cmd, long larg, void *parg))                                \
    X(int, SSL_set1_host, (SSL * s, const char *host))                                          \
    X(X509_VERIFY_PARAM *, SSL_get0_param, (SSL * s))                                           \
    X(int, X509_VERIFY_PARAM_set1_host, (X509_VERIFY_PARAM * p, const char *name, size_t len)) \
    X(int, SSL_set_fd, (SSL * s, int fd))                                                       \
    X(int, SSL_connect, (SSL * s))                                                              \
    X(int, SSL_read, (SSL * s, void *buf, int num))                                             \
    X(const char *, SSL_get_version, (const SSL *s))                                            \
    X(long, SSL_get_verify_result, (const SSL *s))                                              \
    X(const char *, SSL_get_servername, (const SSL *s, int type))                               \
    X(unsigned long, ERR_get_error, (void))                                                     \
    X(void, ERR_error_string_n, (unsigned long e, char *buf, size_t len))                       \
    X(void, SSL_free, (SSL * s))                                                                \
    X(void, SSL_CTX_free, (SSL_CTX * ctx))

#define X(ret, name, params) ret(*name) params;
static struct {
    FUNCTIONS
} ssl;
#undef X

#define CTRL_SET_TLSEXT_HOSTNAME 55
#define CTRL_SET_MIN_PROTO_VERSION 123
#define CTRL_SET_MAX_PROTO_VERSION 124
#define TLS1_VERSION 0x301
#define VERIFY_PEER 1

/* dlopen the first of the two sonames that loads (local scope, lazy: as .NET does). */
static void *open_libssl(int prefer_11, const char **which)
{
    const char *names[2] = { "libssl.so.3", "libssl.so.1.1" };
    for (int i = 0; i < 2; i++) {
        *which = names[prefer_11 ? 1 - i : i];
        void *h = dlopen(*which, RTLD_LAZY);
        if (h)
            return h;
    }
    return NULL;
}

static int bind_all(void *h)
{
    void *p;
#define X(ret, name, params)                                         \
    p = dlsym(h, #name);                                             \
    if (p == NULL) {                                                 \
        fprintf(stderr, "missing %s on the handle\n", #name);        \
        return -1;                                                   \
    }                                                                \
    memcpy(&ssl.name, &p, sizeof p);
    FUNCTIONS
#undef X
    return 0;
}

/* Named functions: the shim's records name them as the caller. */
__attribute__((noinline)) void versions_via_ctrl(SSL_CTX *ctx)
{
    ssl.SSL_CTX_ctrl(ctx, CTRL_SET_MIN_PROTO_VERSION, TLS1_VERSION, NULL);
    ssl.SSL_CTX_ctrl(ctx, CTRL_SET_MAX_PROTO_VERSION, TLS1_VERSION, NULL);
}

__attribute__((noinline)) void sni_via_ctrl(SSL *s, const char *host)
{
    ssl.SSL_ctrl(s, CTRL_SET_TLSEXT_HOSTNAME, 0 /* host_name */, (void *)host);
}

__attribute__((noinline)) int host_via_set1_host(SSL *s, const char *host)
{
    return ssl.SSL_set1_host(s, host);
}

__attribute__((noinline)) int host_via_param(SSL *s, const char *host)
{
    return ssl.X509_VERIFY_PARAM_set1_host(ssl.SSL_get0_param(s), host, 0);
}

static int tcp_connect(const char *host, const char *port, int *fd)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        printf("resolve failed: %s\n", gai_strerror(rc));
        return 2;
    }
    *fd = -1;
    for (struct addrinfo *a = res; a && *fd < 0; a = a->ai_next) {
        *fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (*fd >= 0 && connect(*fd, a->ai_addr, a->ai_addrlen) != 0) {
            close(*fd);
            *fd = -1;
        }
    }
    freeaddrinfo(res);
    if (*fd < 0) {
        printf("connect failed\n");
        return 3;
    }
    return 0;
}

static void print_errors(void)
{
    char buf[256];
    for (unsigned long e; (e = ssl.ERR_get_error()) != 0;) {
        ssl.ERR_error_string_n(e, buf, sizeof buf);
        printf("error: %s\n", buf);
    }
}

static int session(SSL *s, int fd)
{
    char buf[512];
    ssl.SSL_set_fd(s, fd);
    int r = ssl.SSL_connect(s);
    const char *sni = ssl.SSL_get_servername(s, 0);
    if (r != 1) {
        printf("handshake failed verify_result=%ld\n", ssl.SSL_get_verify_result(s));
        print_errors();
        return 4;
    }
    printf("handshake ok version=%s verify_result=%ld sni=%s\n", ssl.SSL_get_version(s),
           ssl.SSL_get_verify_result(s), sni ? sni : "(none)");
    int n = ssl.SSL_read(s, buf, sizeof buf - 1);
    if (n <= 0)
        return 5;
    buf[n] = '\0';
    printf("greeting: %s", buf);
    return 0;
}

int main(int argc, char **argv)
{
    const char *cafile = NULL, *port = NULL, *check = "set1_host", *which = NULL;
    int prefer_11 = 0, i;
    for (i = 1; i < argc - 1; i++) {
        if (strcmp(argv[i], "--prefer-11") == 0)
            prefer_11 = 1;
        else if (strcmp(argv[i], "--cafile") == 0)
            cafile = argv[++i];
        else if (strcmp(argv[i], "--port") == 0)
            port = argv[++i];
        else if (strcmp(argv[i], "--host-check") == 0)
            check = argv[++i];
        else
            break;
    }
    if (i != argc - 1 || !cafile || !port) {
        fprintf(stderr, "usage: dlsymclient [--prefer-11] [--host-check set1_host|param|none] --cafile CA --port PORT HOST\n");
        return 1;
    }
    const char *host = argv[i];
    void *h = open_libssl(prefer_11, &which);
    if (h == NULL || bind_all(h) != 0) {
        fprintf(stderr, "no usable libssl: %s\n", dlerror());
        return 1;
    }
    ssl.OPENSSL_init_ssl(0, NULL);
    printf("library %s version 0x%lx\n", which, ssl.OpenSSL_version_num());
    SSL_CTX *ctx = ssl.SSL_CTX_new(ssl.TLS_client_method());
    versions_via_ctrl(ctx);
    if (ssl.SSL_CTX_load_verify_locations(ctx, cafile, NULL) != 1)
        return 1;
    ssl.SSL_CTX_set_verify(ctx, VERIFY_PEER, NULL);
    SSL *s = ssl.SSL_new(ctx);
    sni_via_ctrl(s, host);
    if (strcmp(check, "set1_host") == 0)
        host_via_set1_host(s, host);
    else if (strcmp(check, "param") == 0)
        host_via_param(s, host);
    int fd, rc = tcp_connect(host, port, &fd);
    if (rc == 0) {
        rc = session(s, fd);
        close(fd);
    }
    ssl.SSL_free(s);
    ssl.SSL_CTX_free(ctx);
    return rc;
}
