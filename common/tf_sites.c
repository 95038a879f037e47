#include "tf_sites.h"

#include <stddef.h>

#define TF_KEY_BITS 48
#define TF_KEY_MASK ((UINT64_C(1) << TF_KEY_BITS) - 1)

static unsigned new_id(struct tf_sites *t)
{
    return __atomic_add_fetch(&t->next_id, 1, __ATOMIC_RELAXED);
}

struct tf_site tf_sites_hit(struct tf_sites *t, uintptr_t key)
{
    uint64_t k = (uint64_t)key & TF_KEY_MASK;
    if (k == 0)
        return (struct tf_site){ 0, 0 };
    size_t slot = (key >> 4) % TF_SITES;
    for (size_t probe = 0; probe < TF_SITES; probe++, slot = (slot + 1) % TF_SITES) {
        uint64_t w = __atomic_load_n(&t->word[slot], __ATOMIC_ACQUIRE);
        if (w == 0) {
            uint64_t mine = k | ((uint64_t)(new_id(t) & 0xffff) << TF_KEY_BITS);
            if (__atomic_compare_exchange_n(&t->word[slot], &w, mine, 0, __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE))
                w = mine;   /* else w is the winner's word: compare it below */
        }
        if ((w & TF_KEY_MASK) == k)
            return (struct tf_site){ (unsigned)(w >> TF_KEY_BITS),
                                     __atomic_add_fetch(&t->count[slot], 1, __ATOMIC_RELAXED) };
    }
    return (struct tf_site){ new_id(t), 1 };   /* table full: describe every call */
}

struct tf_site tf_sites_seen(struct tf_sites *t, uintptr_t key)
{
    uint64_t k = (uint64_t)key & TF_KEY_MASK;
    if (k == 0)
        return (struct tf_site){ 0, 0 };
    size_t slot = (key >> 4) % TF_SITES;
    for (size_t probe = 0; probe < TF_SITES; probe++, slot = (slot + 1) % TF_SITES) {
        uint64_t w = __atomic_load_n(&t->word[slot], __ATOMIC_ACQUIRE);
        if (w == 0)
            break;   /* slots fill in probe order and are never freed: key is not here */
        if ((w & TF_KEY_MASK) == k)
            return (struct tf_site){ (unsigned)(w >> TF_KEY_BITS),
                                     __atomic_add_fetch(&t->count[slot], 1, __ATOMIC_RELAXED) };
    }
    return (struct tf_site){ 0, 0 };
}

unsigned tf_sites_find(const struct tf_sites *t, uintptr_t key)
{
    uint64_t k = (uint64_t)key & TF_KEY_MASK;
    if (k == 0)
        return 0;
    size_t slot = (key >> 4) % TF_SITES;
    for (size_t probe = 0; probe < TF_SITES; probe++, slot = (slot + 1) % TF_SITES) {
        uint64_t w = __atomic_load_n(&t->word[slot], __ATOMIC_ACQUIRE);
        if (w == 0)
            return 0;
        if ((w & TF_KEY_MASK) == k)
            return (unsigned)(w >> TF_KEY_BITS);
    }
    return 0;
}
