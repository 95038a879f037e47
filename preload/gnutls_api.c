/* Finds the libgnutls the process uses and fills the function table from gnutls.def, once it is
 * there (the same way as openssl_api.c: RTLD_NEXT when the library is in the global scope, else
 * the loaded libgnutls.so.N reopened with RTLD_NOLOAD, never the unversioned development name).
 * Made without a lock, published with one compare-and-swap; a table made before the library
 * was loaded is made again once the loader has added objects. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "gnutls_api.h"

#define REQUIRED 1
#define OPTIONAL 0
static const struct {
    char name[40];
    unsigned short offset;
    unsigned char required;
} symbols[] = {
#define TF_HOOK(need, ret, name, params) { #name, offsetof(struct tf_gnutls_fns, name), need },
#define TF_CALL TF_HOOK
#include "gnutls.def"
#undef TF_HOOK
#undef TF_CALL
};

static int find_gnutls_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    static const char prefix[] = "libgnutls.so.";
    const char *base = strrchr(info->dlpi_name, '/');
    (void)size;
    base = base ? base + 1 : info->dlpi_name;
    if (strncmp(base, prefix, sizeof prefix - 1) != 0)
        return 0;
    *(void **)data = dlopen(info->dlpi_name, RTLD_LAZY | RTLD_NOLOAD);
    return *(void **)data != NULL;
}

static void *gnutls_handle(void)
{
    void *h = NULL;
    if (tf_real_dlsym(RTLD_NEXT, "gnutls_init") != NULL)
        return RTLD_NEXT;
    tf_module_walk(find_gnutls_cb, &h);
    return h;
}

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

/* Fills t; returns the first REQUIRED name missing from a library that is there (or
 * gnutls_check_version for a library older than 3.4), or NULL. */
static const char *resolve(struct tf_gnutls *t)
{
    void *h = gnutls_handle();
    const char *missing = NULL;
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        void *p = h ? tf_real_dlsym(h, symbols[i].name) : NULL;   /* the hook would answer with our own */
        memcpy((char *)&t->fn + symbols[i].offset, &p, sizeof p);
        if (p == NULL && symbols[i].required && missing == NULL)
            missing = symbols[i].name;
    }
    if (t->fn.gnutls_init == NULL)
        return NULL;
    t->has_lib = 1;
    if (missing)
        return missing;
    /* libgnutls.so.30 is 3.4 and later; an older ABI (.26, .28) was never tried */
    if (t->fn.gnutls_check_version("3.4.0") == NULL)
        return "gnutls_check_version";
    t->has_tls13 = t->fn.gnutls_check_version("3.6.5") != NULL;
    t->usable = 1;
    return NULL;
}

#define TF_TABLE_POOL 4
static struct tf_gnutls table_pool[TF_TABLE_POOL];
static int tables_used;
static struct tf_gnutls *current;
static const struct tf_gnutls no_table;

static const struct tf_gnutls *make_table(struct tf_gnutls *seen)
{
    int i = __atomic_fetch_add(&tables_used, 1, __ATOMIC_RELAXED);
    struct tf_gnutls *t = i < TF_TABLE_POOL ? &table_pool[i] : calloc(1, sizeof *t);
    if (t == NULL)
        return seen ? seen : &no_table;
    t->adds = loaded_adds();
    const char *missing = resolve(t);
    if (!__atomic_compare_exchange_n(&current, &seen, t, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return seen;
    if (missing) {
        struct tf_field f[] = {
            TF_STR("message", "libgnutls lacks a function the shim needs, or is older than 3.4; GnuTLS calls are forwarded unchanged"),
            TF_STR("symbol", missing), TF_STR("library", "gnutls"),
        };
        tf_emit(TF_EV(shim_inactive), f, sizeof f / sizeof f[0], 0);
    }
    return t;
}

const struct tf_gnutls *tf_gnutls(void)
{
    struct tf_gnutls *t = __atomic_load_n(&current, __ATOMIC_ACQUIRE);
    if (t && (t->has_lib || !tf_module_walks_safe() || t->adds == loaded_adds()))
        return t;
    return make_table(t);
}

void *tf_gnutls_fn(size_t off)
{
    const struct tf_gnutls *t = tf_gnutls();
    void *p;
    memcpy(&p, (const char *)&t->fn + off, sizeof p);
    if (p == NULL && !t->has_lib && tf_module_walks_safe()) {
        t = make_table(__atomic_load_n(&current, __ATOMIC_ACQUIRE));
        memcpy(&p, (const char *)&t->fn + off, sizeof p);
    }
    return p;
}
