/* A module that pins TLS 1.0 the oldest way; loaded by loaderhost with dlopen. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int plugin_connect_tlsv1(int port)
{
    SSL_CTX *ctx = SSL_CTX_new(TLSv1_client_method());
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
    int fd = socket(AF_INET, SOCK_STREAM, 0), ok = 0;
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (ctx && fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
        SSL *s = SSL_new(ctx);
        SSL_set_fd(s, fd);
        ok = SSL_connect(s) == 1;
        printf("plugin: %s %s\n", ok ? "connected" : "failed", ok ? SSL_get_version(s) : "");
        SSL_free(s);
    }
    if (fd >= 0)
        close(fd);
    SSL_CTX_free(ctx);
    return ok;
}
