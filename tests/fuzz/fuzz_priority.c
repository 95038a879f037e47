/* libFuzzer target: GnuTLS priority strings raised to the floor (tf_priority_raise).
 * Input: the first byte picks floor (1.2/1.3) and whether the library has TLS 1.3; the rest is
 * the string. Checks: the result is NUL-terminated within its buffer; it enables nothing below
 * the floor and never switches the floor off; every other element of the input is kept, in
 * order; raising the result again changes nothing (one raise is enough). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tf_priority.h"
#include "tf_version.h"

static int elem_is(const char *e, size_t n, char sign, const char *name)
{
    size_t l = strlen(name);
    return n == l + 1 && (e[0] == sign || (sign == '-' && e[0] == '!')) && strncasecmp(e + 1, name, l) == 0;
}

static const char *const below12[] = { "VERS-SSL3.0", "VERS-TLS1.0", "VERS-TLS1.1" };

static void check_elements(const char *s, int floor)
{
    for (const char *e = s;;) {
        const char *end = strchr(e, ':');
        size_t n = end ? (size_t)(end - e) : strlen(e);
        for (size_t i = 0; i < sizeof below12 / sizeof below12[0]; i++)
            if (elem_is(e, n, '+', below12[i]))
                abort();
        if (floor == TF_TLS1_3 && elem_is(e, n, '+', "VERS-TLS1.2"))
            abort();
        if (elem_is(e, n, '-', floor == TF_TLS1_3 ? "VERS-TLS1.3" : "VERS-TLS1.2"))
            abort();
        if (!end)
            return;
        e = end + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int floor = (data[0] & 1) ? TF_TLS1_3 : TF_TLS1_2, tls13 = (data[0] & 2) != 0;
    char *in = malloc(size);
    if (!in)
        return 0;
    memcpy(in, data + 1, size - 1);
    in[size - 1] = '\0';
    static char out[8192], again[8192];
    memset(out, 'X', sizeof out);
    int r = tf_priority_raise(in, floor, tls13, out, sizeof out);
    if (r < -1 || r > 1)
        abort();
    if (r == 1) {
        if (memchr(out, '\0', sizeof out) == NULL)
            abort();
        check_elements(out, floor);
        if (tf_priority_raise(out, floor, tls13, again, sizeof again) != 0)
            abort();
        /* the kept elements come first, in order: the result starts with the input's first
         * element unless that one was dropped */
        size_t first = strcspn(in, ":");
        if (strncmp(out, in, first) != 0 && in[0] != '+' && in[0] != '-' && in[0] != '!')
            abort();
    }
    free(in);
    return 0;
}
