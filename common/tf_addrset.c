#include "tf_addrset.h"

#include <netinet/in.h>
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
