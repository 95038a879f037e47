/* dlsym and dlvsym hooks: the handle route to a TLS library.
 *
 * A program that dlopen()s libssl and looks every function up on that handle (.NET's
 * opensslshim.c, Python ctypes, plugins) calls libssl directly: no LD_PRELOAD hook is in the way.
 * For a lookup on an explicit handle whose result lies in a TLS library and whose name the shim
 * hooks, these return the shim's hook instead, but only when that hook forwards to exactly the
 * function found (the same library the shim's table holds): a process with two libssl copies
 * keeps the one it asked for. Every other lookup returns what the real function returns.
 *
 * RTLD_NEXT and RTLD_DEFAULT lookups depend on the caller (glibc reads the return address to
 * know which object asks), so they go to the real function by a tail call, unchanged. Explicit
 * handles do not depend on the caller.
 *
 * The real functions cannot be found by name through the loader: this library defines dlsym, and
 * any reference to dlsym (whatever version it asks for) binds to an unversioned definition that
 * comes first, which is this one. So they are read from the dynamic symbol table of the first
 * object after this one that defines them (what RTLD_NEXT would give: libdl.so.2 before glibc
 * 2.34, libc.so.6 since), once, at load or at the first call. The shim's own lookups use them
 * (tf_real_dlsym), never the hooks: a hook would hand the shim its own functions back. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <string.h>

#include "tls_backend.h"

/* <link.h>'s ElfW(), spelled out (cppcheck does not expand it). */
#if defined(__LP64__)
typedef Elf64_Sym elf_sym;
typedef Elf64_Dyn elf_dyn;
typedef Elf64_Phdr elf_phdr;
typedef Elf64_Addr elf_addr;
#else
typedef Elf32_Sym elf_sym;
typedef Elf32_Dyn elf_dyn;
typedef Elf32_Phdr elf_phdr;
typedef Elf32_Addr elf_addr;
#endif
#define SYM_TYPE(info) ((info) & 0xf)   /* ELF32_ST_TYPE and ELF64_ST_TYPE alike */

typedef void *(*dlsym_fn)(void *, const char *);
typedef void *(*dlvsym_fn)(void *, const char *, const char *);
static dlsym_fn real_dlsym;
static dlvsym_fn real_dlvsym;

/* ---- reading a loaded object's dynamic symbol table ---- */

struct dynsyms {
    uintptr_t base;
    const elf_sym *sym;
    const char *str;
    const uint32_t *gnu_hash, *sysv_hash;
};

/* glibc relocates these entries in place; a loader that does not leaves them relative. */
TF_NO_ASAN static const void *dyn_ptr(const struct dynsyms *d, elf_addr p)
{
    return (const void *)(p < d->base ? p + d->base : p);
}

TF_NO_ASAN static int read_dynamic(const struct dl_phdr_info *info, struct dynsyms *d)
{
    const elf_dyn *dyn = NULL;
    *d = (struct dynsyms){ 0 };   /* no memset: see same_name */
    d->base = info->dlpi_addr;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
            dyn = (const elf_dyn *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
    for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
        if (dyn->d_tag == DT_SYMTAB)
            d->sym = dyn_ptr(d, dyn->d_un.d_ptr);
        else if (dyn->d_tag == DT_STRTAB)
            d->str = dyn_ptr(d, dyn->d_un.d_ptr);
        else if (dyn->d_tag == DT_GNU_HASH)
            d->gnu_hash = dyn_ptr(d, dyn->d_un.d_ptr);
        else if (dyn->d_tag == DT_HASH)
            d->sysv_hash = dyn_ptr(d, dyn->d_un.d_ptr);
    }
    return d->sym && d->str && (d->gnu_hash || d->sysv_hash);
}

/* Compares without the C library: a sanitizer runtime preloaded ahead of the shim looks its
 * interceptors up with dlsym during its own start, before its strcmp interceptor can run. The
 * path from the dlsym hook to the real dlsym calls no intercepted function. */
TF_NO_ASAN static int same_name(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

TF_NO_ASAN static void *defined(const struct dynsyms *d, uint32_t i, const char *name)
{
    const elf_sym *s = &d->sym[i];
    int type = SYM_TYPE(s->st_info);
    if (s->st_shndx == SHN_UNDEF || (type != STT_FUNC && type != STT_GNU_IFUNC) || !same_name(d->str + s->st_name, name))
        return NULL;
    return (void *)(d->base + s->st_value);
}

TF_NO_ASAN static uint32_t gnu_hash(const char *name)
{
    uint32_t h = 5381;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        h = h * 33 + *c;
    return h;
}

/* name's definition in the object (any version: dlsym@GLIBC_2.2.5 and @GLIBC_2.34 are one
 * function), or NULL. No IFUNC is expected for the dl* functions. */
TF_NO_ASAN static void *find_symbol(const struct dynsyms *d, const char *name)
{
    if (d->gnu_hash) {
        const uint32_t nbuckets = d->gnu_hash[0], symoffset = d->gnu_hash[1], bloom_words = d->gnu_hash[2];
        const uint32_t *buckets = (const uint32_t *)((const elf_addr *)(d->gnu_hash + 4) + bloom_words);
        const uint32_t *chain = buckets + nbuckets;
        const uint32_t h = gnu_hash(name);
        if (nbuckets == 0)
            return NULL;
        for (uint32_t i = buckets[h % nbuckets]; i >= symoffset && i != 0; i++) {
            uint32_t h2 = chain[i - symoffset];
            void *p = (h | 1) == (h2 | 1) ? defined(d, i, name) : NULL;
            if (p)
                return p;
            if (h2 & 1)
                break;
        }
        return NULL;
    }
    for (uint32_t i = 0; i < d->sysv_hash[1]; i++) {   /* nchain: the number of symbols */
        void *p = defined(d, i, name);
        if (p)
            return p;
    }
    return NULL;
}

/* ---- finding the real functions (RTLD_NEXT's answer, without asking the loader) ---- */

struct next_after_self {
    int seen_self;
    dlsym_fn dlsym;
    dlvsym_fn dlvsym;
};

TF_NO_ASAN static int contains(const struct dl_phdr_info *info, uintptr_t addr)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const elf_phdr *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && addr >= start && addr < start + ph->p_memsz)
            return 1;
    }
    return 0;
}

TF_NO_ASAN static int find_real_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    struct next_after_self *n = data;
    struct dynsyms d;
    (void)size;
    if (!n->seen_self) {
        n->seen_self = contains(info, (uintptr_t)&find_real_cb);
        return 0;
    }
    if (!read_dynamic(info, &d))
        return 0;
    void *s = find_symbol(&d, "dlsym"), *v = find_symbol(&d, "dlvsym");
    if (s == NULL || v == NULL)
        return 0;
    union { void *p; dlsym_fn f; } ds = { s };       /* object to function pointer, no memcpy */
    union { void *p; dlvsym_fn f; } dv = { v };
    n->dlsym = ds.f;
    n->dlvsym = dv.f;
    return 1;
}

/* Once at load (shim.c's constructor), or at the first lookup when another library's constructor
 * came first. A race only stores the same values twice. */
TF_NO_ASAN void tf_dlsym_init(void)
{
    struct next_after_self n = { 0, NULL, NULL };
    if (__atomic_load_n(&real_dlsym, __ATOMIC_ACQUIRE))
        return;
    if (tf_module_walk(find_real_cb, &n) != 1)
        return;
    __atomic_store_n(&real_dlvsym, n.dlvsym, __ATOMIC_RELEASE);
    __atomic_store_n(&real_dlsym, n.dlsym, __ATOMIC_RELEASE);
}

TF_NO_ASAN static dlsym_fn get_real_dlsym(void)
{
    dlsym_fn f = __atomic_load_n(&real_dlsym, __ATOMIC_ACQUIRE);
    if (f == NULL) {
        tf_dlsym_init();
        f = __atomic_load_n(&real_dlsym, __ATOMIC_ACQUIRE);
    }
    return f;
}

TF_NO_ASAN static dlvsym_fn get_real_dlvsym(void)
{
    if (__atomic_load_n(&real_dlvsym, __ATOMIC_ACQUIRE) == NULL)
        tf_dlsym_init();
    return __atomic_load_n(&real_dlvsym, __ATOMIC_ACQUIRE);
}

/* The shim's own lookups. RTLD_NEXT here means "after libtlsfloor.so", as before: the call is made
 * from this library's code. NULL (nothing found) if the real function could not be found. */
void *tf_real_dlsym(void *handle, const char *name)
{
    dlsym_fn f = get_real_dlsym();
    return f ? f(handle, name) : NULL;
}

/* ---- the backends: which library's functions are replaced, by which hooks ----
 * One line per backend. library: the file name prefix of the object the symbol found lies in (as
 * dladdr names it: the name it was opened by); prefix: every name the backend hooks starts with
 * it (lookups of other names cost one compare); hooks: whether the backend hooks name (a few
 * compares: dladdr, which scans a library's symbols, only runs for those); hook: the backend's
 * hook for name when it forwards to exactly found, else NULL. */
static const struct handle_backend {
    char library[20];
    char prefix[20];
    int (*hooks)(const char *name);
    void *(*hook)(const char *name, void *found);
} backends[] = {
    { "libssl.so", "SSL_", tf_openssl_hooks_name, tf_openssl_handle_hook },   /* .so.3, .so.1.1, -dev's .so */
    { "libcrypto.so", "X509_VERIFY_PARAM_", tf_openssl_hooks_name, tf_openssl_handle_hook },
    { "libgnutls.so.30", "gnutls_", tf_gnutls_hooks_name, tf_gnutls_handle_hook },
};
#define NBACKENDS (sizeof backends / sizeof backends[0])

/* The first byte first: most names a program looks up differ there, and this runs for all. */
static int has_prefix(const char *s, const char *prefix)
{
    return s[0] == prefix[0] && strncmp(s, prefix, strlen(prefix)) == 0;
}

static int maybe_hooked(const char *name)
{
    if (name == NULL || tf_inert)
        return 0;
    for (size_t i = 0; i < NBACKENDS; i++)
        if (has_prefix(name, backends[i].prefix))
            return 1;
    return 0;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* found: what the real lookup returned for name on an explicit handle. */
__attribute__((noinline)) static void *on_handle(const char *name, void *found)
{
    Dl_info where;
    for (size_t i = 0; found && i < NBACKENDS; i++) {
        if (!has_prefix(name, backends[i].prefix) || !backends[i].hooks(name))
            continue;
        if (dladdr(found, &where) == 0 || where.dli_fname == NULL ||
            !has_prefix(base_name(where.dli_fname), backends[i].library))
            continue;
        void *hook = backends[i].hook(name, found);
        return hook ? hook : found;
    }
    return found;
}

TF_NO_ASAN TF_EXPORT void *dlsym(void *handle, const char *name)
{
    dlsym_fn real = get_real_dlsym();
    if (real == NULL)
        return NULL;   /* no dlsym after this library: the process could not have one either */
    if (handle == RTLD_NEXT || handle == RTLD_DEFAULT || !maybe_hooked(name))
        return real(handle, name);   /* tail call: the caller's return address is what glibc sees */
    return on_handle(name, real(handle, name));
}

TF_NO_ASAN TF_EXPORT void *dlvsym(void *handle, const char *name, const char *version)
{
    dlvsym_fn real = get_real_dlvsym();
    if (real == NULL)
        return NULL;
    if (handle == RTLD_NEXT || handle == RTLD_DEFAULT || !maybe_hooked(name))
        return real(handle, name, version);   /* tail call, as above */
    return on_handle(name, real(handle, name, version));
}
