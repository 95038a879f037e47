#include "tf_addrset.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static size_t addr_len(int family)
{
    return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int tf_addrset_has(const struct tf_addrset *s, int family, const void *bytes)
{
    size_t len = addr_len(family);
    if (len == 0)
        return 0;
    if (family == AF_INET6 && memcmp(bytes, v4_mapped, sizeof v4_mapped) == 0)
        return tf_addrset_has(s, AF_INET, (const unsigned char *)bytes + 12);
    unsigned n = __atomic_load_n(&s->claimed, __ATOMIC_ACQUIRE);
    if (n > TF_ADDRSET_SLOTS)
        n = TF_ADDRSET_SLOTS;
    for (unsigned i = 0; i < n; i++) {
        const struct tf_addrset_slot *e = &s->slot[i];
        if (__atomic_load_n(&e->ready, __ATOMIC_ACQUIRE) && e->family == family &&
            memcmp(e->bytes, bytes, len) == 0)
            return 1;
    }
    return 0;
}

void tf_addrset_add(struct tf_addrset *s, int family, const void *bytes)
{
    size_t len = addr_len(family);
    if (len == 0 || tf_addrset_has(s, family, bytes))
        return;   /* (two threads adding the same new address at once may both add it: harmless) */
    if (__atomic_load_n(&s->claimed, __ATOMIC_RELAXED) >= TF_ADDRSET_SLOTS)
        return;
    unsigned i = __atomic_fetch_add(&s->claimed, 1, __ATOMIC_ACQ_REL);
    if (i >= TF_ADDRSET_SLOTS)
        return;
    struct tf_addrset_slot *e = &s->slot[i];
    e->family = family;
    memset(e->bytes, 0, sizeof e->bytes);
    memcpy(e->bytes, bytes, len);
    __atomic_store_n(&e->ready, 1, __ATOMIC_RELEASE);
}

/* Decimal digits of v (0..65535) at p; returns the end. */
static char *put_uint(char *p, unsigned v)
{
    char tmp[6];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

char *tf_addr_text(char *out, size_t cap, int family, const void *bytes, int port)
{
    if (cap == 0)
        return out;
    out[0] = '\0';
    if (family == AF_INET && cap >= sizeof "255.255.255.255:65535") {
        const unsigned char *b = bytes;
        char *p = out;
        for (int i = 0; i < 4; i++) {
            p = put_uint(p, b[i]);
            *p++ = i < 3 ? '.' : ':';
        }
        p = put_uint(p, (unsigned)port & 0xffff);
        *p = '\0';
    } else if (family == AF_INET || family == AF_INET6) {
        char host[INET6_ADDRSTRLEN] = "?";
        inet_ntop(family, bytes, host, sizeof host);
        snprintf(out, cap, family == AF_INET ? "%s:%d" : "[%s]:%d", host, port);
    }
    return out;
}
