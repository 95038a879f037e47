/* DNS answers for a rewritten name (res_query and friends). Pure functions: no allocation, no
 * global state; every input byte is distrusted.
 *
 * The shim asks the resolver about the standard name and hands the program an answer to the
 * question it asked about the legacy name: the question section names the legacy name (same
 * type and class), the answer section starts with a CNAME from the legacy name to the standard
 * one, followed by the records the server sent, all re-encoded with fresh compression so every
 * pointer is valid in the new message. */
#ifndef TF_DNS_H
#define TF_DNS_H

#include <stddef.h>

#define TF_DNS_HEADER 12     /* fixed header of a DNS message */
#define TF_DNS_NAME_WIRE 255 /* longest name in wire form, terminating zero included */

/* Text host name ("a.b.c", one trailing dot allowed) to wire form in out[TF_DNS_NAME_WIRE];
 * returns its length, or -1 when it is no valid DNS name. */
int tf_dns_name_to_wire(const char *text, unsigned char *out);

/* Rebuilds the answer `in` (inlen bytes, what the resolver returned for the name `queried`) as
 * the answer to the same question about `asked`, into out (outcap bytes).
 *
 * The question in `in` must be `queried` itself or `queried` followed by more labels (a search
 * domain res_search appended): those labels are kept after `asked` and in the CNAME's target.
 * When out is too small, whole records are dropped from the end and TC is set, as a resolver
 * does for a buffer that is too short; a TC already set in `in` stays, and a record cut short at
 * the end of such an input is dropped. AD is cleared: the CNAME was not validated by anyone.
 *
 * Returns the length written (<= outcap), or -1 when `in` is not a well-formed response with
 * one question about `queried` (the caller then keeps the resolver's own answer), or when not
 * even the header and question fit. */
int tf_dns_alias_answer(const unsigned char *in, size_t inlen, const char *asked,
                        const char *queried, unsigned char *out, size_t outcap);

#endif
