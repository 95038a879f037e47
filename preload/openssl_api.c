/* Finds the libssl the process uses and fills the function table from hooks.def, once.
 *
 * dlsym(RTLD_NEXT) finds libssl when it is in the global scope. Python's _ssl and Perl's
 * Net::SSLeay load it in a local scope, where RTLD_NEXT finds nothing: then we walk the loaded
 * objects for libssl.so.N and reopen it with RTLD_NOLOAD (never by the unversioned name, which
 * only exists where libssl-dev is installed). dlsym on that handle also searches its
 * dependencies, so libcrypto's functions come from the same place.
 *
 * The table is made without a lock (see shim.c) and published with one compare-and-swap. A
 * process may call a hooked libcrypto function before it loads libssl (a plugin, an
 * interpreter): that table has no libssl, so it is made again once the loader has added objects,
 * and it becomes final when libssl is found. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "openssl_backend.h"

#define REQUIRED 1
#define OPTIONAL 0
/* Names are stored inline, not as pointers: every pointer in a table is one more relocation
 * the loader applies in every process at start, TLS user or not. */
static const struct {
    char name[40];
    unsigned short offset;
    unsigned char required;
} symbols[] = {
#define TF_HOOK(need, ret, name, params) { #name, offsetof(struct tf_openssl_fns, name), need },
#define TF_CALL TF_HOOK
#include "hooks.def"
#undef TF_HOOK
#undef TF_CALL
};

/* The loaded object whose file name starts with prefix ("libssl.so."), reopened RTLD_NOLOAD. */
struct find_lib {
    const char *prefix;
    void *handle;
};

static int find_lib_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    struct find_lib *f = data;
    const char *base = strrchr(info->dlpi_name, '/');
    (void)size;
    base = base ? base + 1 : info->dlpi_name;
    if (strncmp(base, f->prefix, strlen(f->prefix)) != 0)
        return 0;
    f->handle = dlopen(info->dlpi_name, RTLD_LAZY | RTLD_NOLOAD);
    return f->handle != NULL;
}

static void *loaded_library(const char *prefix)
{
    struct find_lib f = { prefix, NULL };
    tf_module_walk(find_lib_cb, &f);
    return f.handle;
}

/* Where to look a name up: the global scope when libssl is there (RTLD_NEXT), else the libssl
 * loaded privately; then libcrypto the same way, for a process that uses libcrypto alone. */
static int lookup_handles(void **handles)
{
    int n = 0;
    if (tf_real_dlsym(RTLD_NEXT, "SSL_new") != NULL)
        handles[n++] = RTLD_NEXT;
    else if ((handles[n] = loaded_library("libssl.so.")) != NULL)
        n++;
    if (tf_real_dlsym(RTLD_NEXT, "ERR_peek_last_error") != NULL)
        handles[n++] = RTLD_NEXT;
    else if ((handles[n] = loaded_library("libcrypto.so.")) != NULL)
        n++;
    return n;
}

static void *lookup(void *const *handles, int n, const char *name)
{
    for (int i = 0; i < n; i++) {
        void *p = tf_real_dlsym(handles[i], name);   /* the hook would answer with our own */
        if (p)
            return p;
    }
    return NULL;
}

/* Called by libssl when an SSL or SSL_CTX is really freed (its last reference dropped), for every
 * ex_data index with a free function, set or not: the object's entry in tlsfloor's connection
 * table goes before its address can be reused. (A hook on SSL_free or SSL_CTX_free could not
 * tell a last free from a reference drop: SSL_free drops one of its context's.) */
static void forget_freed(void *parent, void *ptr, void *ad, int idx, long argl, void *argp)
{
    (void)ptr, (void)ad, (void)idx, (void)argl, (void)argp;
    if (parent)
        tf_conn_forget(parent);
}

/* CRYPTO_EX_INDEX_SSL / _SSL_CTX: 1 and 2 in 1.0.2, 0 and 1 since 1.1.0. */
static void alloc_ex_slots(struct tf_openssl *o)
{
    int ssl_class = o->abi.abi == TF_ABI_102 ? 1 : 0;
    o->ex_ssl_cb = o->fn.CRYPTO_get_ex_new_index(ssl_class, 0, NULL, NULL, NULL, forget_freed);
    o->ex_verify_cb = o->fn.CRYPTO_get_ex_new_index(ssl_class, 0, NULL, NULL, NULL, NULL);
    o->ex_ctx_cert_cb = o->fn.CRYPTO_get_ex_new_index(ssl_class + 1, 0, NULL, NULL, NULL, forget_freed);
    o->ex_ctx_cert_arg = o->fn.CRYPTO_get_ex_new_index(ssl_class + 1, 0, NULL, NULL, NULL, NULL);
}

/* Why a table with libssl cannot be used (reported once, by whoever publishes it). */
struct unusable {
    const char *why, *what;
};

static void resolve(struct tf_openssl *o, struct unusable *u)
{
    void *handles[2];
    int nh = lookup_handles(handles);
    const char *missing = NULL;
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        void *p = lookup(handles, nh, symbols[i].name);
        memcpy((char *)&o->fn + symbols[i].offset, &p, sizeof p);
        if (p == NULL && symbols[i].required && missing == NULL)
            missing = symbols[i].name;
    }
    /* A process with libcrypto but no libssl (it verifies host names itself) only needs the
     * forwarding above: nothing to enforce, nothing to report. */
    if (o->fn.SSL_new == NULL)
        return;
    o->has_libssl = 1;
    if (o->fn.OpenSSL_version_num)
        o->version_num = o->fn.OpenSSL_version_num();
    else if (o->fn.SSLeay)
        o->version_num = o->fn.SSLeay();
    if (missing) {
        *u = (struct unusable){ "libssl lacks a function the shim needs; OpenSSL calls are forwarded unchanged", missing };
        return;
    }
    if (tf_abi_from_version(o->version_num, &o->abi) != 0) {
        *u = (struct unusable){ "unsupported OpenSSL version; OpenSSL calls are forwarded unchanged", "OpenSSL_version_num" };
        return;
    }
    for (unsigned i = 0; i < tf_pinned_methods_count && i < sizeof o->pinned / sizeof o->pinned[0]; i++) {
        const SSL_METHOD *(*ctor)(void) = (const SSL_METHOD *(*)(void))lookup(handles, nh, tf_pinned_methods[i].name);
        o->pinned[i] = ctor ? ctor() : NULL;
    }
    for (int role = TF_ROLE_GENERIC; role <= TF_ROLE_SERVER; role++) {
        const char *name = tf_flexible_method_name(&o->abi, (enum tf_role)role);
        const SSL_METHOD *(*ctor)(void) = (const SSL_METHOD *(*)(void))lookup(handles, nh, name);
        o->flexible[role] = ctor ? ctor() : NULL;
        if (!o->flexible[role]) {
            *u = (struct unusable){ "libssl lacks the flexible method; OpenSSL calls are forwarded unchanged", name };
            return;
        }
    }
    static const char dtls_names[][24] = {
        "DTLS_method", "DTLS_client_method", "DTLS_server_method",
        "DTLSv1_method", "DTLSv1_client_method", "DTLSv1_server_method",
        "DTLSv1_2_method", "DTLSv1_2_client_method", "DTLSv1_2_server_method",
    };
    for (size_t i = 0; i < sizeof dtls_names / sizeof dtls_names[0]; i++) {
        const SSL_METHOD *(*ctor)(void) = (const SSL_METHOD *(*)(void))lookup(handles, nh, dtls_names[i]);
        o->dtls[i] = ctor ? ctor() : NULL;
    }
    alloc_ex_slots(o);
    o->usable = o->ex_ssl_cb >= 0 && o->ex_verify_cb >= 0 &&
                 o->ex_ctx_cert_cb >= 0 && o->ex_ctx_cert_arg >= 0;
}

/* How many objects the loader has added so far (dl_iterate_phdr's dlpi_adds). */
static int adds_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    if (size >= offsetof(struct dl_phdr_info, dlpi_adds) + sizeof info->dlpi_adds)
        *(unsigned long long *)data = info->dlpi_adds;
    return 1;
}

static unsigned long long loaded_adds(void)
{
    unsigned long long adds = 0;
    tf_module_walk(adds_cb, &adds);
    return adds;
}

#define TF_TABLE_POOL 4
static struct tf_openssl table_pool[TF_TABLE_POOL];
static int tables_used;
static struct tf_openssl *current;
static const struct tf_openssl no_table;   /* when not even memory for one could be had */

static const struct tf_openssl *make_table(struct tf_openssl *seen)
{
    int i = __atomic_fetch_add(&tables_used, 1, __ATOMIC_RELAXED);
    struct tf_openssl *t = i < TF_TABLE_POOL ? &table_pool[i] : calloc(1, sizeof *t);
    struct unusable u = { NULL, NULL };
    if (t == NULL)
        return seen ? seen : &no_table;
    t->adds = loaded_adds();
    resolve(t, &u);
    if (!__atomic_compare_exchange_n(&current, &seen, t, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return seen;   /* another thread published first (a pool slot is left unused) */
    if (u.why) {
        struct tf_field f[] = { TF_STR("message", u.why), TF_STR("symbol", u.what) };
        tf_emit(TF_EV(shim_inactive), f, 2, 0);
    }
    return t;
}

const struct tf_openssl *tf_openssl(void)
{
    struct tf_openssl *t = __atomic_load_n(&current, __ATOMIC_ACQUIRE);
    /* Where the loaded objects cannot be walked (tf_module_walk), the table at hand stays. */
    if (t && (t->has_libssl || !tf_module_walks_safe() || t->adds == loaded_adds()))
        return t;
    return make_table(t);
}

void *tf_openssl_fn(size_t off)
{
    const struct tf_openssl *t = tf_openssl();
    void *p;
    memcpy(&p, (const char *)&t->fn + off, sizeof p);
    if (p == NULL && !t->has_libssl && tf_module_walks_safe()) {
        t = make_table(__atomic_load_n(&current, __ATOMIC_ACQUIRE));
        memcpy(&p, (const char *)&t->fn + off, sizeof p);
    }
    return p;
}

/* Whether meth is one of the flexible methods: what nearly every connection uses, and neither
 * pinned nor DTLS, so the two lookups below answer it before scanning their lists (they run
 * before every handshake). */
static int is_flexible(const struct tf_openssl *o, const SSL_METHOD *meth)
{
    return meth == o->flexible[0] || meth == o->flexible[1] || meth == o->flexible[2];
}

int tf_method_index(const struct tf_openssl *o, const SSL_METHOD *meth)
{
    if (meth == NULL || is_flexible(o, meth))
        return -1;
    for (unsigned i = 0; i < tf_pinned_methods_count && i < sizeof o->pinned / sizeof o->pinned[0]; i++)
        if (o->pinned[i] == meth)
            return (int)i;
    return -1;
}

int tf_method_is_dtls(const struct tf_openssl *o, const SSL_METHOD *meth)
{
    if (is_flexible(o, meth))
        return 0;
    for (size_t i = 0; meth && i < sizeof o->dtls / sizeof o->dtls[0]; i++)
        if (o->dtls[i] == meth)
            return 1;
    return 0;
}
