/* ELF fixture: a TLS program that names a retired endpoint only in its help text. scan must
 * leave it out by default (counted as not shown) and list it, low, with --all. */
#include <openssl/ssl.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: helppoll [-s HOST]\n"
    "  -s, --server HOST   IMAP server (was imap-legacy.office365.com until 2026)\n";

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_free(ctx);
    return 0;
}
