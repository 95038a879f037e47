/* The OpenSSL backend: opaque OpenSSL types and the table of libssl's functions, resolved at run
 * time (openssl_api.c) from hooks.def. Only hooks_openssl.c and openssl_api.c include this. */
#ifndef TF_OPENSSL_BACKEND_H
#define TF_OPENSSL_BACKEND_H

#include "tls_backend.h"

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
typedef void (*tf_ex_free_fn)(void *parent, void *ptr, void *ad, int idx, long argl, void *argp);

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
    int ex_ssl_cb, ex_verify_cb;      /* ex_data slots: the program's info and verify callbacks
                                         (tlsfloor's own bits are in its connection table) */
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

/* The pinned-method descriptor for meth, or -1. */
int tf_method_index(const struct tf_openssl *o, const SSL_METHOD *meth);

/* Whether meth is one of libssl's DTLS methods. */
int tf_method_is_dtls(const struct tf_openssl *o, const SSL_METHOD *meth);

#endif
