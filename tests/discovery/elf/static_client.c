/* ELF fixture: "OpenSSL" linked statically (from libfakessl.a). */
#include <stdio.h>

const char *fake_ssl_version(void);

int main(void)
{
    puts(fake_ssl_version());
    return 0;
}
