/* late_plugin: linked with libssl, loaded by late with dlopen (see late.c). Its SSL_* calls bind
 * through the global scope, so they reach tlsfloor's hooks first. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

__attribute__((visibility("default"))) int plugin_connect(const char *host, int port)
{
    SSL_CTX *ctx = SSL_CTX_new(TLSv1_client_method());
    if (ctx == NULL) {
        printf("plugin: SSL_CTX_new returned NULL\n");
        return 3;
    }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    inet_pton(AF_INET, host, &a.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0), v = 0;
    SSL *s = SSL_new(ctx);
    if (s && connect(fd, (struct sockaddr *)&a, sizeof a) == 0 && SSL_set_fd(s, fd) == 1 && SSL_connect(s) == 1)
        v = SSL_version(s);
    else
        printf("plugin: %s\n", s ? "handshake failed" : "SSL_new returned NULL");
    printf("plugin: version 0x%x\n", v);
    SSL_free(s);
    SSL_CTX_free(ctx);
    close(fd);
    return v >= TLS1_2_VERSION ? 0 : 3;
}
