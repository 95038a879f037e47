/* ELF fixture: a GnuTLS client (tlsfloor cannot fix it in process). */
#include <gnutls/gnutls.h>
#include <stdio.h>

int main(void)
{
    gnutls_global_init();
    puts(gnutls_check_version(NULL));
    gnutls_global_deinit();
    return 0;
}
