/* Which loaded object an address belongs to, and whether that object is "inside": tlsfloor's own
 * module (the shim or the provider that holds this code) or a TLS library it works through
 * (libssl, libcrypto, libgnutls). Lock-free: safe from any thread, after a fork, and when a
 * signal handler interrupted the same code. */
#ifndef TF_MODULE_H
#define TF_MODULE_H

#include <stddef.h>
#include <stdint.h>

/* Whether ip lies in tlsfloor itself or in a TLS library. Known ranges are cached; an unknown
 * address costs one walk of the loaded objects (dl_iterate_phdr). */
int tf_module_inside(uintptr_t ip);

/* Whether a file name (path or base name) is a TLS library tlsfloor works through. Pure. */
int tf_module_name_is_tls(const char *path);

#endif
