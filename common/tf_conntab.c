/* Open addressing with linear probing; keys and bits are read and written atomically, a key is
 * claimed with one compare-and-swap. Two threads never work on the same object at once (the TLS
 * libraries forbid it), so the only races are between different objects, which the CAS
 * settles. */
#include "tf_conntab.h"

#define EMPTY ((uintptr_t)0)
#define FREED ((uintptr_t)1)

void tf_conntab_init(struct tf_conntab *t, struct tf_conntab_slot *slots, size_t count)
{
    t->slots = slots;
    t->mask = count - 1;
    t->dropped = 0;
}

static size_t home_of(const struct tf_conntab *t, uintptr_t key)
{
    /* objects are at least 8-aligned: the low bits say nothing */
    uint64_t h = (uint64_t)(key >> 3) * 0x9E3779B97F4A7C15ULL;
    return (size_t)(h >> 32) & t->mask;
}

static uintptr_t key_of(const void *obj)
{
    return (uintptr_t)obj;
}

/* The slot holding key, or NULL; *free_slot gets the first reusable slot on the way. */
static struct tf_conntab_slot *find(const struct tf_conntab *t, uintptr_t key,
                                    struct tf_conntab_slot **free_slot)
{
    size_t i = home_of(t, key);
    *free_slot = NULL;
    for (int n = 0; n < TF_CONNTAB_PROBE; n++, i = (i + 1) & t->mask) {
        struct tf_conntab_slot *s = &t->slots[i];
        uintptr_t k = __atomic_load_n(&s->key, __ATOMIC_ACQUIRE);
        if (k == key)
            return s;
        if (k == FREED && *free_slot == NULL)
            *free_slot = s;
        if (k == EMPTY) {
            if (*free_slot == NULL)
                *free_slot = s;
            return NULL;   /* the key was never placed beyond an empty slot */
        }
    }
    return NULL;
}

/* The slot for key, claimed when it has none; NULL when the probe window is full. */
static struct tf_conntab_slot *claim(struct tf_conntab *t, uintptr_t key)
{
    for (int attempt = 0; attempt < 4; attempt++) {
        struct tf_conntab_slot *free_slot;
        struct tf_conntab_slot *s = find(t, key, &free_slot);
        if (s)
            return s;
        if (free_slot == NULL)
            break;
        uintptr_t seen = __atomic_load_n(&free_slot->key, __ATOMIC_ACQUIRE);
        if ((seen == EMPTY || seen == FREED) &&
            __atomic_compare_exchange_n(&free_slot->key, &seen, key, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            __atomic_store_n(&free_slot->bits, 0, __ATOMIC_RELEASE);
            return free_slot;
        }
        /* another object took it first: look again */
    }
    __atomic_fetch_add(&t->dropped, 1, __ATOMIC_RELAXED);
    return NULL;
}

uintptr_t tf_conntab_get(const struct tf_conntab *t, const void *obj)
{
    struct tf_conntab_slot *free_slot;
    uintptr_t key = key_of(obj);
    if (key <= FREED)
        return 0;
    struct tf_conntab_slot *s = find(t, key, &free_slot);
    return s ? __atomic_load_n(&s->bits, __ATOMIC_ACQUIRE) : 0;
}

void tf_conntab_set(struct tf_conntab *t, const void *obj, uintptr_t bits)
{
    uintptr_t key = key_of(obj);
    struct tf_conntab_slot *s = key > FREED ? claim(t, key) : NULL;
    if (s)
        __atomic_store_n(&s->bits, bits, __ATOMIC_RELEASE);
}

void tf_conntab_or(struct tf_conntab *t, const void *obj, uintptr_t bits)
{
    uintptr_t key = key_of(obj);
    struct tf_conntab_slot *s = key > FREED ? claim(t, key) : NULL;
    if (s)
        __atomic_fetch_or(&s->bits, bits, __ATOMIC_ACQ_REL);
}

void tf_conntab_forget(struct tf_conntab *t, const void *obj)
{
    struct tf_conntab_slot *free_slot;
    uintptr_t key = key_of(obj);
    struct tf_conntab_slot *s = key > FREED ? find(t, key, &free_slot) : NULL;
    if (s == NULL)
        return;
    __atomic_store_n(&s->bits, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&s->key, FREED, __ATOMIC_RELEASE);
}
