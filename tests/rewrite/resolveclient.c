/* resolveclient: resolves a name with one chosen libc function, or names a host to OpenSSL with
 * one chosen SNI / certificate-host call, then makes a TLS connection.  Used by the rewrite tests.
 *
 *   resolveclient [OPTIONS] MODE NAME
 *
 * Resolver modes (resolve NAME, print the result, connect to its first IPv4 address on --port,
 * TLS with the chain verified against --cafile and no host check, no SNI):
 *   getaddrinfo getaddrinfo_a gethostbyname gethostbyname2 gethostbyname_r gethostbyname2_r
 * Host modes (connect to 127.0.0.1:--port, the name goes to OpenSSL only through this call,
 * verification on against --cafile unless said otherwise):
 *   sni                  SSL_set_tlsext_host_name(NAME), chain verified, no host check
 *   set1_host            SSL_set1_host(NAME)
 *   add1_host            SSL_add1_host(NAME)
 *   param_set1_host_ctx  X509_VERIFY_PARAM_set1_host(SSL_CTX_get0_param(ctx), NAME, strlen)
 *   param_set1_host_ssl  X509_VERIFY_PARAM_set1_host(SSL_get0_param(ssl), NAME, 0)
 *   param_add1_host_ctx  X509_VERIFY_PARAM_add1_host(SSL_CTX_get0_param(ctx), NAME, 0)
 *   param_add1_host_ssl  X509_VERIFY_PARAM_add1_host(SSL_get0_param(ssl), NAME, strlen)
 *   noverify             resolve NAME with getaddrinfo, SNI NAME, SSL_VERIFY_NONE (a program that
 *                        does not verify; TLSFLOOR_VERIFY=require is tested with it)
 *   client               as a careful client: getaddrinfo(NAME) (--family, default both A and
 *                        AAAA), SNI NAME and SSL_set1_host(NAME), verified against --cafile
 *   gai_a_owned          getaddrinfo_a with a strdup'd ar_name, freed by the program afterwards;
 *                        fails if the request's ar_name is not the program's pointer any more
 *
 * Options: --port P (default 9931), --cafile FILE, --resolve-only (resolver modes: print and
 * stop), --repeat N (do the call N times), --family 4|6|0 (resolver modes, default 0/unspec).
 *
 * Output is deterministic (no pointers, no times) so runs with and without the shim compare
 * byte for byte.  Exit: 0 ok, 2 name resolution failed, 3 connect failed, 4 TLS failed,
 * 5 the call itself failed, 6 program's request was modified, 64 usage.
 * The functions that name hosts are global and noinline: linked with -rdynamic, the shim's
 * caller frames name them. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#define NOINLINE __attribute__((noinline, used))

static int port = 9931;
static const char *cafile;
static int resolve_only;
static int repeat = 1;
static int family = AF_UNSPEC;

/* first IPv4 address found, host order irrelevant (kept as in_addr) */
static struct in_addr first4;
static int have4;

static void note4(const void *a)
{
    if (!have4) {
        memcpy(&first4, a, sizeof first4);
        have4 = 1;
    }
}

static void print_addrinfo(const char *who, const struct addrinfo *res)
{
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        char buf[INET6_ADDRSTRLEN] = "?";
        if (ai->ai_family == AF_INET) {
            const struct sockaddr_in *in = (const void *)ai->ai_addr;
            inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
            note4(&in->sin_addr);
        } else if (ai->ai_family == AF_INET6) {
            const struct sockaddr_in6 *in6 = (const void *)ai->ai_addr;
            inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
        }
        printf("%s: family=%d socktype=%d protocol=%d addr=%s canonname=%s\n", who, ai->ai_family,
               ai->ai_socktype, ai->ai_protocol, buf, ai->ai_canonname ? ai->ai_canonname : "(null)");
    }
}

static void print_hostent(const char *who, const struct hostent *h)
{
    printf("%s: h_name=%s h_addrtype=%d h_length=%d\n", who, h->h_name ? h->h_name : "(null)",
           h->h_addrtype, h->h_length);
    for (char **a = h->h_aliases; a && *a; a++)
        printf("%s: alias=%s\n", who, *a);
    for (char **p = h->h_addr_list; p && *p; p++) {
        char buf[INET6_ADDRSTRLEN] = "?";
        inet_ntop(h->h_addrtype, *p, buf, sizeof buf);
        if (h->h_addrtype == AF_INET)
            note4(*p);
        printf("%s: addr=%s\n", who, buf);
    }
}

static struct addrinfo hints_for(void)
{
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_CANONNAME;
    return hints;
}

/* ---- resolver modes ---- */

NOINLINE int resolve_with_getaddrinfo(const char *name)
{
    struct addrinfo hints = hints_for(), *res = NULL;
    int rc = getaddrinfo(name, "443", &hints, &res);
    if (rc != 0) {
        printf("getaddrinfo: error %d (%s)\n", rc, gai_strerror(rc));
        return 2;
    }
    print_addrinfo("getaddrinfo", res);
    freeaddrinfo(res);
    return 0;
}

NOINLINE int resolve_with_getaddrinfo_a(const char *name)
{
    struct addrinfo hints = hints_for();
    struct gaicb req;
    memset(&req, 0, sizeof req);
    req.ar_name = name;
    req.ar_service = "443";
    req.ar_request = &hints;
    struct gaicb *list[1] = { &req };
    int rc = getaddrinfo_a(GAI_WAIT, list, 1, NULL);
    if (rc == 0)
        rc = gai_error(&req);
    if (rc != 0) {
        printf("getaddrinfo_a: error %d (%s)\n", rc, gai_strerror(rc));
        return 2;
    }
    print_addrinfo("getaddrinfo_a", req.ar_result);
    freeaddrinfo(req.ar_result);
    return 0;
}

/* A program that owns its request's name: strdup, and free after the lookup. */
NOINLINE int resolve_with_getaddrinfo_a_owned(const char *name)
{
    struct addrinfo hints = hints_for();
    struct gaicb req;
    memset(&req, 0, sizeof req);
    char *mine = strdup(name);
    req.ar_name = mine;
    req.ar_service = "443";
    req.ar_request = &hints;
    struct gaicb *list[1] = { &req };
    int rc = getaddrinfo_a(GAI_WAIT, list, 1, NULL);
    if (rc == 0)
        rc = gai_error(&req);
    int changed = req.ar_name != mine;
    if (changed)
        printf("getaddrinfo_a: the request's ar_name was replaced (now \"%s\", was the program's \"%s\")\n",
               req.ar_name ? req.ar_name : "(null)", mine);
    free(mine);   /* the program frees what it allocated: its own pointer */
    if (rc != 0) {
        printf("getaddrinfo_a: error %d (%s)\n", rc, gai_strerror(rc));
        return changed ? 6 : 2;
    }
    print_addrinfo("getaddrinfo_a", req.ar_result);
    freeaddrinfo(req.ar_result);
    return changed ? 6 : 0;
}

NOINLINE int resolve_with_gethostbyname(const char *name)
{
    struct hostent *h = gethostbyname(name);
    if (h == NULL) {
        printf("gethostbyname: h_errno %d (%s)\n", h_errno, hstrerror(h_errno));
        return 2;
    }
    print_hostent("gethostbyname", h);
    return 0;
}

static int af_for_2(void)
{
    return family == AF_INET6 ? AF_INET6 : AF_INET;
}

NOINLINE int resolve_with_gethostbyname2(const char *name)
{
    struct hostent *h = gethostbyname2(name, af_for_2());
    if (h == NULL) {
        printf("gethostbyname2: h_errno %d (%s)\n", h_errno, hstrerror(h_errno));
        return 2;
    }
    print_hostent("gethostbyname2", h);
    return 0;
}

NOINLINE int resolve_with_gethostbyname_r(const char *name)
{
    struct hostent he, *res = NULL;
    char buf[8192];
    int herr = 0;
    int rc = gethostbyname_r(name, &he, buf, sizeof buf, &res, &herr);
    if (rc != 0 || res == NULL) {
        printf("gethostbyname_r: rc %d h_errno %d (%s)\n", rc, herr, hstrerror(herr));
        return 2;
    }
    print_hostent("gethostbyname_r", res);
    return 0;
}

NOINLINE int resolve_with_gethostbyname2_r(const char *name)
{
    struct hostent he, *res = NULL;
    char buf[8192];
    int herr = 0;
    int rc = gethostbyname2_r(name, af_for_2(), &he, buf, sizeof buf, &res, &herr);
    if (rc != 0 || res == NULL) {
        printf("gethostbyname2_r: rc %d h_errno %d (%s)\n", rc, herr, hstrerror(herr));
        return 2;
    }
    print_hostent("gethostbyname2_r", res);
    return 0;
}

/* ---- TLS ---- */

static void print_errors(const char *what)
{
    unsigned long e;
    char buf[256];
    printf("%s failed\n", what);
    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, buf, sizeof buf);
        printf("  openssl: %s\n", buf);
    }
}

static int tcp_connect(struct in_addr addr)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)port);
    sin.sin_addr = addr;
    if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
        char b[INET_ADDRSTRLEN];
        printf("connect %s:%d: %s\n", inet_ntop(AF_INET, &addr, b, sizeof b), port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static SSL_CTX *make_ctx(int verify)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        return NULL;
    if (verify) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        if (cafile && SSL_CTX_load_verify_locations(ctx, cafile, NULL) != 1) {
            print_errors("load cafile");
            SSL_CTX_free(ctx);
            return NULL;
        }
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    return ctx;
}

/* Handshake on a prepared connection, print the outcome, free everything. */
static int finish(SSL_CTX *ctx, SSL *ssl, int fd)
{
    int rc = 0;
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) != 1) {
        long vr = SSL_get_verify_result(ssl);
        print_errors("handshake");
        printf("verify_result=%ld (%s)\n", vr, X509_verify_cert_error_string(vr));
        rc = 4;
    } else {
        const char *sn = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
        char line[256] = "";
        long vr = SSL_get_verify_result(ssl);
        printf("handshake ok version=%s verify_mode=%d verify_result=%ld sni=%s\n", SSL_get_version(ssl),
               SSL_get_verify_mode(ssl), vr, sn ? sn : "(none)");
        /* the greeting proves the server's application layer is reached */
        int n = SSL_read(ssl, line, sizeof line - 1);
        if (n > 0) {
            line[n] = '\0';
            line[strcspn(line, "\r\n")] = '\0';
            printf("greeting: %s\n", line);
        }
        SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    return rc;
}

static int tls_to(struct in_addr addr)
{
    SSL_CTX *ctx = make_ctx(1);
    if (!ctx)
        return 4;
    int fd = tcp_connect(addr);
    if (fd < 0) {
        SSL_CTX_free(ctx);
        return 3;
    }
    return finish(ctx, SSL_new(ctx), fd);
}

static struct in_addr loopback(void)
{
    struct in_addr a;
    a.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

NOINLINE int name_via_sni(SSL_CTX *ctx, SSL *ssl, const char *name)
{
    (void)ctx;
    return SSL_set_tlsext_host_name(ssl, name) == 1;
}

NOINLINE int name_via_set1_host(SSL_CTX *ctx, SSL *ssl, const char *name)
{
    (void)ctx;
    return SSL_set1_host(ssl, name) == 1;
}

NOINLINE int name_via_add1_host(SSL_CTX *ctx, SSL *ssl, const char *name)
{
    (void)ctx;
    return SSL_add1_host(ssl, name) == 1;
}

NOINLINE int name_via_param_set1_host_ctx(SSL_CTX *ctx, SSL *ssl, const char *name)
{
    (void)ssl;
    return X509_VERIFY_PARAM_set1_host(SSL_CTX_get0_param(ctx), name, strlen(name)) == 1;
}

NOINLINE int name_via_param_set1_host_ssl(SSL_CTX *ctx, SSL *ssl, const char *name)
{
    (void)ctx;
    return X509_VERIFY_PARAM_set1_host(SSL_get0_param(ssl), name, 0) == 1;
}

NOINLINE int name_via_param_add1_host_ctx(SSL_CTX *ctx, SSL *ssl, const char *name)
{
    (void)ssl;
    return X509_VERIFY_PARAM_add1_host(SSL_CTX_get0_param(ctx), name, 0) == 1;
}

NOINLINE int name_via_param_add1_host_ssl(SSL_CTX *ctx, SSL *ssl, const char *name)
{
    (void)ctx;
    return X509_VERIFY_PARAM_add1_host(SSL_get0_param(ssl), name, strlen(name)) == 1;
}

typedef int (*namer)(SSL_CTX *, SSL *, const char *);

/* ctx_level: the call goes on the context before SSL_new (the connection inherits it). */
static int host_mode(namer fn, int ctx_level, const char *name)
{
    SSL_CTX *ctx = make_ctx(1);
    if (!ctx)
        return 4;
    SSL *ssl = NULL;
    for (int i = 0; i < repeat; i++) {
        if (ctx_level) {
            if (!fn(ctx, NULL, name)) {
                print_errors("host call");
                return 5;
            }
        }
    }
    ssl = SSL_new(ctx);
    for (int i = 0; i < repeat && !ctx_level; i++) {
        if (!fn(ctx, ssl, name)) {
            print_errors("host call");
            return 5;
        }
    }
    int fd = tcp_connect(loopback());
    if (fd < 0)
        return 3;
    return finish(ctx, ssl, fd);
}

/* Resolves NAME with getaddrinfo, connects to its first IPv4 address with SNI NAME; verify: the
 * chain checked against --cafile and the name with SSL_set1_host(NAME). Inlined: the records'
 * caller frame is the mode's own function. */
static inline __attribute__((always_inline)) int connect_by_name(const char *name, int verify)
{
    int rc = resolve_with_getaddrinfo(name);
    if (rc != 0)
        return rc;
    if (!have4) {
        printf("no IPv4 address\n");
        return 2;
    }
    SSL_CTX *ctx = make_ctx(verify);
    if (!ctx)
        return 4;
    SSL *ssl = SSL_new(ctx);
    if (SSL_set_tlsext_host_name(ssl, name) != 1 || (verify && SSL_set1_host(ssl, name) != 1)) {
        print_errors("host call");
        return 5;
    }
    int fd = tcp_connect(first4);
    if (fd < 0)
        return 3;
    return finish(ctx, ssl, fd);
}

NOINLINE int connect_without_verifying(const char *name)
{
    return connect_by_name(name, 0);
}

/* One connection with every layer: lookup, SNI, certificate host check. */
NOINLINE int connect_like_a_client(const char *name)
{
    return connect_by_name(name, 1);
}

static const struct {
    const char *mode;
    int (*resolve)(const char *);
    namer host;
    int ctx_level;
} modes[] = {
    { "getaddrinfo", resolve_with_getaddrinfo, NULL, 0 },
    { "getaddrinfo_a", resolve_with_getaddrinfo_a, NULL, 0 },
    { "gai_a_owned", resolve_with_getaddrinfo_a_owned, NULL, 0 },
    { "gethostbyname", resolve_with_gethostbyname, NULL, 0 },
    { "gethostbyname2", resolve_with_gethostbyname2, NULL, 0 },
    { "gethostbyname_r", resolve_with_gethostbyname_r, NULL, 0 },
    { "gethostbyname2_r", resolve_with_gethostbyname2_r, NULL, 0 },
    { "sni", NULL, name_via_sni, 0 },
    { "set1_host", NULL, name_via_set1_host, 0 },
    { "add1_host", NULL, name_via_add1_host, 0 },
    { "param_set1_host_ctx", NULL, name_via_param_set1_host_ctx, 1 },
    { "param_set1_host_ssl", NULL, name_via_param_set1_host_ssl, 0 },
    { "param_add1_host_ctx", NULL, name_via_param_add1_host_ctx, 1 },
    { "param_add1_host_ssl", NULL, name_via_param_add1_host_ssl, 0 },
};

static int usage(void)
{
    fprintf(stderr, "usage: resolveclient [--port P] [--cafile F] [--resolve-only] [--repeat N] "
                    "[--family 0|4|6] MODE NAME\n");
    return 64;
}

int main(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            port = atoi(argv[++i]);
        else if (strcmp(argv[i], "--cafile") == 0 && i + 1 < argc)
            cafile = argv[++i];
        else if (strcmp(argv[i], "--resolve-only") == 0)
            resolve_only = 1;
        else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (strcmp(argv[i], "--family") == 0 && i + 1 < argc) {
            int f = atoi(argv[++i]);
            family = f == 4 ? AF_INET : f == 6 ? AF_INET6 : AF_UNSPEC;
        } else
            return usage();
    }
    if (argc - i != 2 || repeat < 1)
        return usage();
    const char *mode = argv[i], *name = argv[i + 1];
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);

    if (strcmp(mode, "noverify") == 0)
        return connect_without_verifying(name);
    if (strcmp(mode, "client") == 0)
        return connect_like_a_client(name);
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        if (strcmp(modes[m].mode, mode) != 0)
            continue;
        if (modes[m].host)
            return host_mode(modes[m].host, modes[m].ctx_level, name);
        int rc = 0;
        for (int r = 0; r < repeat && rc == 0; r++)
            rc = modes[m].resolve(name);
        if (rc != 0 || resolve_only)
            return rc;
        if (!have4) {
            printf("no IPv4 address\n");
            return 2;
        }
        return tls_to(first4);
    }
    return usage();
}
