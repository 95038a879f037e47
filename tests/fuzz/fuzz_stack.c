/* libFuzzer target: the OpenSSL marks searched in a program's read-only segments
 * (tf_stack_scan_openssl). Input: any bytes, scanned from an exact-size heap copy (ASan catches
 * any read past the end) whole and in two parts. Checks: the major version is 0..99 (a part may
 * show a version text the whole does not: a cut date "10" for "1024"). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tf_stack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size ? size : 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    struct tf_openssl_marks whole = { 0, 0, 0 }, parts = { 0, 0, 0 };
    tf_stack_scan_openssl(copy, size, &whole);
    size_t half = size / 2;
    tf_stack_scan_openssl(copy, half, &parts);
    tf_stack_scan_openssl(copy + half, size - half, &parts);
    int major = tf_stack_openssl_major(&whole);
    if (major < 0 || major > 99)
        abort();
    if (tf_stack_openssl_major(&parts) < 0 || tf_stack_openssl_major(&parts) > 99)
        abort();
    free(copy);
    return 0;
}
