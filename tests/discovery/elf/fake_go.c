/* Not a Go program, though it carries the text a Go TLS program has: tlsfloor scan must not
 * flag it (the Go build information magic starts with a 0xff byte this file lacks). */
#include <stdio.h>

static const char text[] = "crypto/tls.(*Conn).Handshake Go buildinf: go1.19.8";

int main(void)
{
    return puts(text) < 0;
}
