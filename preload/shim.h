/* Internal interface of libtlsfloor.so, the neutral part: lazy state, the re-entry guard,
 * logging, rewrite rules, the socket watch. No TLS library's types: each backend has its own
 * header (openssl_backend.h) and reaches the neutral records through tls_backend.h. */
#ifndef TF_SHIM_H
#define TF_SHIM_H

#include <stddef.h>
#include <stdint.h>

#include "tf_config.h"
#include "tf_events.h"
#include "tf_module.h"
#include "tf_policy.h"
#include "tf_record.h"

#define TF_EXPORT __attribute__((visibility("default")))

/* ---- the re-entry guard ----
 *
 * libssl calls its own exported functions through the PLT, so one application call can enter
 * several hooks; only the outermost acts. tf_depth says "a hook of this thread is acting". A
 * non-local exit (a signal handler's siglongjmp out of a hook, a C++ exception through a
 * callback) can leave it set, so it is trusted only for calls that come from inside (tlsfloor or
 * a TLS library): a call from the program itself always acts, and resets a stale guard. */
extern __thread int tf_depth __attribute__((tls_model("initial-exec")));

/* The return address of this thread's acting hook (set by tf_enter when it acts, cleared by
 * tf_leave): a record made inside the hook takes its call site from it without unwinding
 * (tf_caller_capture_from). */
extern __thread uintptr_t tf_entry_ra __attribute__((tls_model("initial-exec")));

/* The program's handshake call in progress on this thread: SSL_connect/SSL_accept/
 * SSL_do_handshake leave the guard before calling the library (its own calls must act), so the
 * records its info callback makes have no acting hook; they take their call site from here.
 * tf_call_begin notes the call when ra (the hook's return address) lies outside tlsfloor and
 * the TLS libraries (a known site: no walk) and returns whether it did; frame is an address in
 * the hook's frame (a record made above it, after a non-local exit, does not use it).
 * tf_call_end(began) forgets it: a nested program call leaves the outer one without (its
 * records then unwind, as before). */
extern __thread uintptr_t tf_call_ra __attribute__((tls_model("initial-exec")));
int tf_call_begin(uintptr_t ra, uintptr_t frame);
static inline void tf_call_end(int began)
{
    if (began)
        tf_call_ra = 0;
}

/* Set at load when another copy of tlsfloor came first in the process: this one only forwards. */
extern int tf_inert;

/* Whether a hook entered with this return address must act; marks the thread as acting. */
int tf_enter(const void *return_address);
static inline void tf_leave(void)
{
    tf_depth = 0;
    tf_entry_ra = 0;
}
#define TF_ENTER() tf_enter(__builtin_return_address(0))

/* ---- configuration and log (shim.c) ---- */

/* The settings in force; the first call reads config and environment (once per process). */
const struct tf_config *tf_config(void);

int tf_enforcing(void);

/* Record flags */
#define TF_CALLER 1   /* add the call site (first frame outside tlsfloor and the TLS library) */
#define TF_QUIET 2    /* not for stderr: file and syslog only (noise in a program's output) */

/* Emits one record. Raises the re-entry guard itself: whatever it calls is internal. */
void tf_emit(const char *event, const struct tf_field *detail, int ndetail, unsigned flags);

/* Emits one record whose caller is the call that returned to caller_ip earlier (saved then,
 * without unwinding; 0: none), for records written away from their call. */
void tf_emit_at(const char *event, const struct tf_field *detail, int ndetail, unsigned flags,
                uintptr_t caller_ip);

/* Emits an intervention: "applied" is added. Callers reserve the last detail slot for it and
 * report after acting, with what really happened (audit mode: never applied). */
void tf_emit_intervention(const char *event, struct tf_field *detail, int ndetail, int applied);

/* The real function a hook stands for: RTLD_NEXT, looked up once into *slot (a race only
 * stores the same value twice). */
void *tf_next_fn(void **slot, const char *name);

/* ---- the real dlsym (hooks_dlsym.c) ---- */

/* Finds the real dlsym and dlvsym (once; shim.c's constructor calls it first). */
void tf_dlsym_init(void);

/* The real dlsym. Every lookup the shim makes goes through here, never through dlsym(): the hook
 * would hand the shim its own functions back for libssl's names (a call to itself forever). */
void *tf_real_dlsym(void *handle, const char *name);

/* ---- rewrite (hooks_resolver.c, used by the backends for SNI and host checks) ---- */

/* The standard name for a legacy host under the config in force, or NULL (in audit mode too:
 * the caller then keeps the old name and only reports). */
const char *tf_rewrite_target(const char *host);

/* Reports a rewrite after it was applied: host_rewritten (enforce) or host_would_rewrite. */
void tf_rewrite_report(const char *host, const char *to, const char *layer);

/* Whether sa is an address a rewritten lookup answered with (the connection goes where the
 * rewrite sent it). */
struct sockaddr;
int tf_rewritten_peer(const struct sockaddr *sa);

/* ---- sockets to mail ports (hooks_socket.c) ---- */

/* Marks the watched socket behind a connection as handled by a TLS backend of tlsfloor's. fd < 0
 * (a program with its own BIO, like curl) picks the newest unmarked socket this thread
 * connected. Returns the socket's peer port, or 0 when no watched socket matches. */
int tf_watch_covered(int fd);

/* "host:port" of this thread's last inet connect(); returns the port, 0 when there was none. */
int tf_thread_peer(char *out, size_t cap);

/* Whether port is one of the configured mail ports. */
int tf_is_mail_port(int port);

/* Writes the records that close() deferred (it may run in a signal handler, where emitting is
 * not safe). Called by tf_emit and at exit. */
void tf_watch_flush(void);

/* At exit: reports this process's connections still open and uncovered. */
void tf_watch_exit(void);

#endif
