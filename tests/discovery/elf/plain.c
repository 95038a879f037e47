/* ELF fixture: no TLS at all; scan must not report it. */
#include <stdio.h>

int main(void)
{
    puts("hello");
    return 0;
}
