/* imap11: an IMAPS client as an old program builds it against OpenSSL 1.1: pinned with
 * TLSv1_client_method(), SNI and host name verification set, the test CA trusted.
 *   imap11 HOST PORT CAFILE [CONNECT-ADDR]
 * Logs in, selects INBOX, fetches message 1's Subject, logs out. Prints TLS=<version> and the
 * lines it received; exits 0 only when every command got OK. */
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static SSL *ssl;

static int read_until(const char *tag)
{
    char buf[8192];
    size_t used = 0;
    for (;;) {
        int n = SSL_read(ssl, buf + used, (int)(sizeof buf - 1 - used));
        if (n <= 0) {
            fprintf(stderr, "imap11: read failed: ");
            ERR_print_errors_fp(stderr);
            fprintf(stderr, "\n");
            return -1;
        }
        used += (size_t)n;
        buf[used] = '\0';
        char *line = buf, *nl;
        while ((nl = strstr(line, "\r\n")) != NULL) {
            *nl = '\0';
            printf("S: %s\n", line);
            if (strncmp(line, tag, strlen(tag)) == 0 && line[strlen(tag)] == ' ') {
                int ok = strncmp(line + strlen(tag) + 1, "OK", 2) == 0;
                return ok ? 0 : -1;
            }
            line = nl + 2;
        }
        used = strlen(line);
        memmove(buf, line, used + 1);
        if (used >= sizeof buf - 1)
            used = 0;
    }
}

static int command(const char *tag, const char *cmd)
{
    char line[512];
    snprintf(line, sizeof line, "%s %s\r\n", tag, cmd);
    if (SSL_write(ssl, line, (int)strlen(line)) <= 0)
        return -1;
    return read_until(tag);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: imap11 HOST PORT CAFILE [CONNECT-ADDR]\n");
        return 2;
    }
    const char *host = argv[1], *port = argv[2], *ca = argv[3];
    const char *addr = argc > 4 ? argv[4] : host;

    SSL_library_init();
    SSL_load_error_strings();
    SSL_CTX *ctx = SSL_CTX_new(TLSv1_client_method());   /* the pin under test */
    if (!ctx || SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
        ERR_print_errors_fp(stderr);
        return 1;
    }
    SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);

    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
    int rc = getaddrinfo(addr, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "imap11: %s: %s\n", addr, gai_strerror(rc));
        return 1;
    }
    int fd = socket(res->ai_family, res->ai_socktype, 0);
    if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
        perror("imap11: connect");
        return 1;
    }
    freeaddrinfo(res);

    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, host);
    SSL_set1_host(ssl, host);
    if (SSL_connect(ssl) != 1) {
        fprintf(stderr, "imap11: SSL_connect failed: ");
        ERR_print_errors_fp(stderr);
        fprintf(stderr, "\n");
        return 1;
    }
    printf("TLS=%s %s (%s)\n", SSL_get_version(ssl), SSL_get_cipher_name(ssl), OpenSSL_version(OPENSSL_VERSION));
    if (read_until("*") != 0 ||
        command("a1", "LOGIN poller@example.test s3cret") != 0 ||
        command("a2", "SELECT INBOX") != 0 ||
        command("a3", "FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])") != 0 ||
        command("a4", "LOGOUT") != 0)
        return 1;
    SSL_shutdown(ssl);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    return 0;
}
