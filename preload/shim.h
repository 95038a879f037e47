/* Internal interface of libtlsfloor.so: lazy state, the re-entry guard, the OpenSSL function
 * table, logging. */
#ifndef TF_SHIM_H
#define TF_SHIM_H

#include <stddef.h>
#include <stdint.h>

#include "tf_config.h"
#include "tf_module.h"
#include "tf_policy.h"
#include "tf_record.h"

/* Opaque OpenSSL types: the shim includes no OpenSSL header, so no macro can turn into a direct
 * (link-time) reference to libssl. */
typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_method_st SSL_METHOD;
typedef struct ssl_cipher_st SSL_CIPHER;
typedef struct X509_VERIFY_PARAM_st X509_VERIFY_PARAM;
typedef struct x509_store_st X509_STORE;
typedef struct x509_store_ctx_st X509_STORE_CTX;
typedef struct ossl_lib_ctx_st OSSL_LIB_CTX;
typedef struct stack_st OPENSSL_STACK;
typedef void (*tf_info_cb)(const SSL *s, int where, int ret);
typedef int (*tf_verify_cb)(int preverify_ok, X509_STORE_CTX *ctx);
typedef int (*tf_cert_verify_cb)(X509_STORE_CTX *ctx, void *arg);

#define TF_EXPORT __attribute__((visibility("default")))

/* ---- the re-entry guard ----
 *
 * libssl calls its own exported functions through the PLT, so one application call can enter
 * several hooks; only the outermost acts. tf_depth says "a hook of this thread is acting". A
 * non-local exit (a signal handler's siglongjmp out of a hook, a C++ exception through a
 * callback) can leave it set, so it is trusted only for calls that come from inside (tlsfloor or
 * a TLS library): a call from the program itself always acts, and resets a stale guard. */
extern __thread int tf_depth __attribute__((tls_model("initial-exec")));

/* Set at load when another copy of tlsfloor came first in the process: this one only forwards. */
extern int tf_inert;

/* Whether a hook entered with this return address must act; marks the thread as acting. */
int tf_enter(const void *return_address);
static inline void tf_leave(void)
{
    tf_depth = 0;
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

/* ---- OpenSSL table (openssl_api.c) ---- */

#define TF_HOOK(need, ret, name, params) ret (*name) params;
#define TF_CALL TF_HOOK
struct tf_openssl_fns {
#include "hooks.def"
};
#undef TF_HOOK
#undef TF_CALL

struct tf_openssl {
    int usable;                       /* all REQUIRED functions found, ABI supported */
    int has_libssl;                   /* SSL_new was found: this table is final */
    unsigned long long adds;          /* dl_iterate_phdr's object count when it was made */
    struct tf_abi_info abi;
    unsigned long version_num;
    struct tf_openssl_fns fn;
    const SSL_METHOD *pinned[16];     /* real results of tf_pinned_methods[i]() (NULL if absent) */
    const SSL_METHOD *flexible[3];    /* by enum tf_role */
    const SSL_METHOD *dtls[9];        /* DTLS methods: left alone (their versions are not TLS's) */
    int ex_ssl, ex_ctx, ex_ssl_cb, ex_verify_cb;   /* ex_data slots: connection bits, context
                                                      bits, the program's info and verify callbacks */
    int ex_ctx_cert_cb, ex_ctx_cert_arg;           /* the program's cert_verify_callback */
};

/* The table for the libssl the process has. Never NULL. Made again when libssl was absent and
 * objects were loaded since (a plugin or interpreter dlopen()s it later); final once libssl is
 * found. Check ->usable before acting (forwarding is always safe for functions that were found). */
const struct tf_openssl *tf_openssl(void);

/* The real function at offset off of the table (offsetof(struct tf_openssl_fns, name)): when the
 * table has none, the table is made again first, so a function that exists in the process is
 * never reported missing to the program. NULL when it really does not exist. */
void *tf_openssl_fn(size_t off);
#define TF_REAL(o, name) \
    ((o)->fn.name ? (o)->fn.name : (__typeof__((o)->fn.name))tf_openssl_fn(offsetof(struct tf_openssl_fns, name)))

/* For dlsym on a handle (hooks_dlsym.c): whether name is a TF_HOOK of hooks.def, and the shim's
 * hook for it when that forwards to exactly found (else NULL). */
int tf_openssl_hooks_name(const char *name);
void *tf_openssl_handle_hook(const char *name, void *found);

/* The pinned-method descriptor for meth, or -1. */
int tf_method_index(const struct tf_openssl *o, const SSL_METHOD *meth);

/* Whether meth is one of libssl's DTLS methods. */
int tf_method_is_dtls(const struct tf_openssl *o, const SSL_METHOD *meth);

/* ---- rewrite (hooks_resolver.c, used by the OpenSSL hooks for SNI and host checks) ---- */

/* The standard name for a legacy host under the config in force, or NULL (in audit mode too:
 * the caller then keeps the old name and only reports). */
const char *tf_rewrite_target(const char *host);

/* Reports a rewrite after it was applied: host_rewritten (enforce) or host_would_rewrite. */
void tf_rewrite_report(const char *host, const char *to, const char *layer);

/* ---- sockets to mail ports (hooks_socket.c) ---- */

/* Marks the watched socket behind a connection as handled by OpenSSL through tlsfloor. fd < 0
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
