/* libFuzzer target: tf_dns_alias_answer over any bytes a resolver could hand back.
 * Input: two bytes of output capacity (big-endian), then the answer message. Checks: never
 * more than the capacity is written or returned; a result parses with the C library's own
 * parser (ns_initparse/ns_parserr: counts, names, pointers and lengths all consistent) with one
 * question about the legacy name and a CNAME first when there is an answer. */
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tf_dns.h"

#define LEGACY "smtp-legacy.office365.com"
#define STD "smtp.office365.com"

static void check_output(const unsigned char *out, int n)
{
    ns_msg h;
    ns_rr rr;
    if (ns_initparse(out, n, &h) != 0 || ns_msg_count(h, ns_s_qd) != 1)
        abort();
    for (int s = ns_s_qd; s <= ns_s_ar; s++)
        for (int i = 0; i < ns_msg_count(h, (ns_sect)s); i++)
            if (ns_parserr(&h, (ns_sect)s, i, &rr) != 0)
                abort();
    if (ns_parserr(&h, ns_s_qd, 0, &rr) != 0 || strncasecmp(ns_rr_name(rr), LEGACY, strlen(LEGACY)) != 0)
        abort();
    if (ns_msg_count(h, ns_s_an) > 0 &&
        (ns_parserr(&h, ns_s_an, 0, &rr) != 0 || ns_rr_type(rr) != ns_t_cname))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t cap = (size_t)data[0] << 8 | data[1];
    unsigned char *out = malloc(cap + 16);
    if (out == NULL)
        return 0;
    memset(out, 0xa5, cap + 16);
    int n = tf_dns_alias_answer(data + 2, size - 2, LEGACY, STD, out, cap);
    for (size_t i = cap; i < cap + 16; i++)
        if (out[i] != 0xa5)
            abort();
    if (n >= 0) {
        if ((size_t)n > cap)
            abort();
        check_output(out, n);
    }
    free(out);
    return 0;
}
