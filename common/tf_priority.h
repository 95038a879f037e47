/* GnuTLS priority strings: the version elements below the floor taken out, the floor put in.
 *
 * A priority string is a ':'-separated list ("NORMAL:-VERS-ALL:+VERS-TLS1.0:%COMPAT"), read
 * left to right by the library; "+X" enables, "-X" and "!X" disable. Raise only:
 *   - "+VERS-<v>" with v below the floor is dropped (the program's string adds nothing below
 *     the floor; what its keyword enables by default is the library's business, as OpenSSL's
 *     default minimum is);
 *   - "-VERS-<floor>" / "!VERS-<floor>" is dropped (the floor version is never switched off);
 *   - when anything was dropped, "+VERS-<v>" is appended for every v from the floor to the
 *     highest the library has, except a version above the floor the program's string switches
 *     off itself (a cap at the floor is allowed, as for OpenSSL's max = 1.2) and one it already
 *     enables after its last "-VERS-ALL"/"-VERS-TLS-ALL".
 * Everything else (keyword, @SYSTEM, ciphers, %COMPAT, sigalgs, DTLS versions, the "ALL" forms)
 * is kept byte for byte, in its order. A string with no version element below the floor is not
 * touched. Pure: no allocation, no global state. */
#ifndef TF_PRIORITY_H
#define TF_PRIORITY_H

#include <stddef.h>

/* Raises in (NUL-terminated) for floor (TF_TLS1_2 or TF_TLS1_3); has_tls13: the library knows
 * VERS-TLS1.3. Returns 1 and writes the raised string to out (NUL-terminated) when something
 * changed, 0 when in stays as it is (out untouched), -1 when the raised string does not fit cap
 * (out untouched: the caller keeps in and can report that). */
int tf_priority_raise(const char *in, int floor, int has_tls13, char *out, size_t cap);

#endif
