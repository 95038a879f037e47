/* A bounded, lock-free set of IP addresses: the addresses a rewritten lookup answered with, so
 * that a connection to one of them is known to have been changed even when the program sends no
 * SNI and checks no host name (the handshake record then says changed:true, changes "host").
 *
 * Only grows: a slot is claimed with one atomic increment, filled, then published (ready, with
 * release). A full set adds nothing more (a connection it misses is only reported unchanged, as
 * before). No lock, no allocation. Pure logic: the set is the caller's. */
#ifndef TF_ADDRSET_H
#define TF_ADDRSET_H

#include <stddef.h>
#include <stdint.h>

#define TF_ADDRSET_SLOTS 64

struct tf_addrset_slot {
    int ready;                  /* published: family and bytes are set */
    int family;                 /* AF_INET or AF_INET6 */
    unsigned char bytes[16];    /* 4 used for AF_INET */
};

struct tf_addrset {
    struct tf_addrset_slot slot[TF_ADDRSET_SLOTS];
    unsigned claimed;
};

/* Adds one address (family AF_INET: 4 bytes, AF_INET6: 16); another family is ignored. An
 * address already there is not added twice. */
void tf_addrset_add(struct tf_addrset *s, int family, const void *bytes);

/* Whether the address is in the set. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual
 * stack socket's peer looks like) matches its IPv4 address. */
int tf_addrset_has(const struct tf_addrset *s, int family, const void *bytes);

/* "a.b.c.d:port" or "[v6]:port" into out (cap >= 64 holds every address), as inet_ntop and
 * snprintf would write it; IPv4 by hand (a handshake record formats one: inet_ntop and snprintf
 * cost more than the rest of the record's facts). Returns out. */
char *tf_addr_text(char *out, size_t cap, int family, const void *bytes, int port);

#endif
