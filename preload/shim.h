/* Internal interface of libtlsfloor.so: lazy state, the OpenSSL function table, logging. */
#ifndef TF_SHIM_H
#define TF_SHIM_H

#include <stddef.h>
#include <stdint.h>

#include "tf_config.h"
#include "tf_policy.h"
#include "tf_record.h"

/* Opaque OpenSSL types: the shim includes no OpenSSL header, so no macro can turn into a direct
 * (link-time) reference to libssl. */
typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_method_st SSL_METHOD;
typedef struct ssl_cipher_st SSL_CIPHER;
typedef struct X509_VERIFY_PARAM_st X509_VERIFY_PARAM;
typedef struct ossl_lib_ctx_st OSSL_LIB_CTX;
typedef struct stack_st OPENSSL_STACK;
typedef void (*tf_info_cb)(const SSL *s, int where, int ret);

#define TF_EXPORT __attribute__((visibility("default")))

/* ---- configuration and log (shim.c) ---- */

/* The settings in force; the first call reads config and environment (once per process). */
const struct tf_config *tf_config(void);

/* Emits one record. with_caller adds the call site (first frame outside tlsfloor and OpenSSL). */
void tf_emit(const char *event, const struct tf_field *detail, int ndetail, int with_caller);

/* Emits an intervention: "applied" is added (true in enforce mode, false in audit mode). */
void tf_emit_intervention(const char *event, struct tf_field *detail, int ndetail);

int tf_enforcing(void);

/* Re-entry guard: libssl 3 calls its own exported functions through the PLT, so one application
 * call can enter several hooks. Only the outermost acts. */
extern __thread int tf_depth __attribute__((tls_model("initial-exec")));

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
    struct tf_abi_info abi;
    unsigned long version_num;
    struct tf_openssl_fns fn;
    const SSL_METHOD *pinned[16];     /* real results of tf_pinned_methods[i]() (NULL if absent) */
    const SSL_METHOD *flexible[3];    /* by enum tf_role */
    const SSL_METHOD *dtls[9];        /* DTLS methods: left alone (their versions are not TLS's) */
    int ex_ssl, ex_ctx, ex_ssl_cb;    /* ex_data slots */
};

/* Resolves the table once. Never NULL; check ->usable before acting (forwarding is always safe
 * for functions that were found). */
const struct tf_openssl *tf_openssl(void);

/* The pinned-method descriptor for meth, or -1. */
int tf_method_index(const struct tf_openssl *o, const SSL_METHOD *meth);

/* Whether meth is one of libssl's DTLS methods. */
int tf_method_is_dtls(const struct tf_openssl *o, const SSL_METHOD *meth);

/* ---- rewrite (hooks_resolver.c, used by the OpenSSL hooks for SNI and host checks) ---- */

/* The rewritten name for host under the config in force, or NULL. Logs host_rewritten (enforce)
 * or host_would_rewrite (audit) with layer; returns NULL in audit mode. */
const char *tf_rewrite_host(const char *host, const char *layer);

#endif

/* The next definition of a C library function (RTLD_NEXT), looked up once into *slot; a race
 * only stores the same value twice. */
void *tf_next_fn(void **slot, const char *name);

/* ---- sockets to mail ports (hooks_socket.c) ---- */

/* Marks the watched socket behind a connection as handled by OpenSSL through tlsfloor. fd < 0
 * (a program with its own BIO, like curl) picks the newest unmarked socket this thread
 * connected. Returns the socket's peer port, or 0 when no watched socket matches. */
int tf_watch_covered(int fd);

/* "host:port" of this thread's last inet connect(); returns the port, 0 when there was none. */
int tf_thread_peer(char *out, size_t cap);

/* Whether port is one of the configured mail ports. */
int tf_is_mail_port(int port);
