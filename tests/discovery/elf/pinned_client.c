/* ELF fixture for tlsfloor scan (and, built against OpenSSL 3, for the report's source lines):
 * pins TLS 1.0 with a version-specific method and names a legacy endpoint. */
#include <openssl/ssl.h>
#include <stdio.h>

static const char *server = "imap-legacy.office365.com";

int main(void)
{
    SSL_library_init();
    SSL_CTX *ctx = SSL_CTX_new(TLSv1_client_method()); /* the pin the report must point at */
    printf("%s %s\n", server, ctx ? "ctx" : "no ctx");
    SSL_CTX_free(ctx);
    return 0;
}
