/* Call sites by return address: a bounded, lock-free cache that numbers a return address the
 * first time it is seen and counts its calls. A record whose site is already known carries only
 * {"site":N,"count":M}: that is its whole caller, already formatted by the site's first record,
 * so a hit needs no unwind and no frame description (tf_backtrace.c looks the return address of
 * the acting hook up here before unwinding anything).
 *
 * No lock, no allocation (a lock here could be left held by a longjmp out of a signal handler,
 * or inherited held by a forked child): a slot is claimed by one compare-and-swap of a word that
 * holds the key (48 bits) and the site's number (16 bits); its count is a separate atomic. The
 * call that takes count 1 describes the frames, whichever thread inserted the key. Pure logic:
 * the table is the caller's. */
#ifndef TF_SITES_H
#define TF_SITES_H

#include <stdint.h>

#define TF_SITES 256

struct tf_sites {
    uint64_t word[TF_SITES];       /* key | number << 48; 0: free */
    unsigned long count[TF_SITES];
    unsigned next_id;              /* numbers handed out so far */
};

struct tf_site {
    unsigned id;          /* 0: no site (key 0) */
    unsigned long count;  /* 1: first call from this site (describe it) */
};

/* Numbers and counts one call from key (a return address, nonzero). A full table numbers the
 * call afresh each time with count 1 (it is described every time: bounded, never wrong). */
struct tf_site tf_sites_hit(struct tf_sites *t, uintptr_t key);

/* The number of key's site, or 0 when key is not in the table. Counts nothing. */
unsigned tf_sites_find(const struct tf_sites *t, uintptr_t key);

/* Counts one call from key when key is already in the table (as tf_sites_hit); otherwise
 * changes nothing and returns id 0. Only a key found before is trusted without a second look. */
struct tf_site tf_sites_seen(struct tf_sites *t, uintptr_t key);

#endif
