/* Which loaded object an address belongs to, and whether that object is "inside": tlsfloor's own
 * module (the shim or the provider that holds this code) or a TLS library it works through
 * (libssl, libcrypto, libgnutls). Lock-free: safe from any thread, after a fork, and when a
 * signal handler interrupted the same code. */
#ifndef TF_MODULE_H
#define TF_MODULE_H

#include <stddef.h>
#include <stdint.h>
struct dl_phdr_info;   /* <link.h>, with _GNU_SOURCE */

/* For code a sanitizer runtime may call before it is set up (its interceptors are looked up with
 * dlsym at its start, and the shim defines dlsym): no shadow-memory checks there. */
#define TF_NO_ASAN __attribute__((no_sanitize_address))

/* Whether ip lies in tlsfloor itself or in a TLS library. Known ranges are cached; an unknown
 * address costs one walk of the loaded objects (dl_iterate_phdr). */
int tf_module_inside(uintptr_t ip);

/* Walks the loaded objects with dl_iterate_phdr, unless this process is a child forked while
 * other threads ran and has not exec'd yet: there the walk could block for good (see
 * tf_module.c) and is skipped. Returns cb's last result, or -1 when skipped. Every walk tlsfloor
 * makes goes through here. */
int tf_module_walk(int (*cb)(struct dl_phdr_info *, size_t, void *), void *data);

/* Whether tf_module_walk (and so any unwinding, which walks the same list) is safe now. */
int tf_module_walks_safe(void);

/* Registers the fork handlers that decide the above (the first call of each loaded module does),
 * from its load or init. A module that never calls it always walks. */
void tf_module_fork_init(void);

/* num_threads from the text of /proc/self/stat, or -1 when it cannot be read. Pure. */
long tf_module_stat_threads(const char *stat_text);

/* Whether a file name (path or base name) is a TLS library tlsfloor works through. Pure. */
int tf_module_name_is_tls(const char *path);

#endif
