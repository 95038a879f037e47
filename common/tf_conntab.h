/* A lock-free table of per-object bits, keyed by the object's address (an SSL *, a GnuTLS
 * session): the per-connection state of every TLS backend, kept by tlsfloor rather than in the
 * library (not every library has ex_data).
 *
 * No lock, no allocation: a hook may run in a signal handler or a forked child. Probing is
 * bounded (TF_CONNTAB_PROBE slots), so every operation is O(1); an object that finds no slot
 * simply has no bits (the floor does not depend on them: they only say what to report), and the
 * table counts it. */
#ifndef TF_CONNTAB_H
#define TF_CONNTAB_H

#include <stddef.h>
#include <stdint.h>

#define TF_CONNTAB_PROBE 32

struct tf_conntab_slot {
    uintptr_t key;     /* 0: never used; 1: freed (reusable) */
    uintptr_t bits;
};

struct tf_conntab {
    struct tf_conntab_slot *slots;
    size_t mask;                  /* slot count - 1 (a power of two) */
    unsigned long dropped;        /* objects that found no slot */
};

/* slots: count zeroed slots, count a power of two (at least TF_CONNTAB_PROBE). */
void tf_conntab_init(struct tf_conntab *t, struct tf_conntab_slot *slots, size_t count);

uintptr_t tf_conntab_get(const struct tf_conntab *t, const void *obj);
void tf_conntab_set(struct tf_conntab *t, const void *obj, uintptr_t bits);
void tf_conntab_or(struct tf_conntab *t, const void *obj, uintptr_t bits);
void tf_conntab_forget(struct tf_conntab *t, const void *obj);

#endif
