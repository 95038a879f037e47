/* A TLS client for the provider tests. Built twice: against the shared libssl (tfp_client) and
 * statically against Debian's libssl.a/libcrypto.a (tfp_client_static).
 *
 *   tfp_client PORT tls1|flex
 *     tls1: TLSv1_client_method(), which ignores every config setting (MinProtocol, Protocol);
 *     flex: TLS_client_method() with min = max = TLS 1.0 set by the program.
 *
 * Connects to 127.0.0.1:PORT, prints what it saw:
 *   "openssl: VERSION", "secure-execution: 0|1", "tlsfloor: loaded|not loaded",
 *   then "result: connected TLSv1" or "result: refused" followed by "error: ..." lines.
 * Exits 0 whenever it ran to the end (connected or refused), cleaning up normally, so a crash
 * at exit shows as a non-zero status; 2 for usage or setup errors. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>

int main(int argc, char **argv)
{
    struct sockaddr_in sa;
    SSL_CTX *ctx;
    SSL *ssl;
    int fd, r;
    unsigned long e;
    char buf[256];

    if (argc != 3 || (strcmp(argv[2], "tls1") && strcmp(argv[2], "flex"))) {
        fprintf(stderr, "usage: %s PORT tls1|flex\n", argv[0]);
        return 2;
    }
    if (!OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL)) {
        printf("result: setup failed (config)\n");
        ERR_print_errors_fp(stdout);
        return 2;
    }
    printf("openssl: %s\n", OpenSSL_version(OPENSSL_VERSION));
    printf("secure-execution: %lu\n", getauxval(AT_SECURE));
    printf("tlsfloor: %s\n", OSSL_PROVIDER_available(NULL, "tlsfloor") ? "loaded" : "not loaded");
    if (!strcmp(argv[2], "tls1")) {
        ctx = SSL_CTX_new(TLSv1_client_method());
    } else {
        ctx = SSL_CTX_new(TLS_client_method());
        if (ctx != NULL) {
            SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
            SSL_CTX_set_max_proto_version(ctx, TLS1_VERSION);
        }
    }
    if (ctx == NULL || !SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0")) {
        printf("result: setup failed (context)\n");
        ERR_print_errors_fp(stdout);
        return 2;
    }
    fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)atoi(argv[1]));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        perror("connect");
        return 2;
    }
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    r = SSL_connect(ssl);
    if (r == 1) {
        printf("result: connected %s\n", SSL_get_version(ssl));
        SSL_shutdown(ssl);
    } else {
        printf("result: refused\n");
        while ((e = ERR_get_error()) != 0) {
            ERR_error_string_n(e, buf, sizeof buf);
            printf("error: %s\n", buf);
        }
    }
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(ctx);
    fflush(stdout);
    return 0;
}
