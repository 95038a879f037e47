#define _GNU_SOURCE
#include "tf_backtrace.h"

#include <dlfcn.h>
#include <elf.h>
#include <execinfo.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#define TF_SITES 256
#define TF_RAW_DEPTH 48

/* Fills ips with up to max return addresses, stopping early after the first frame for which
 * stop(ip) is true (stop may be NULL). */
typedef int (*unwinder_fn)(void **ips, int max, int (*stop)(uintptr_t ip));
static unwinder_fn unwinder;
static pthread_once_t unwinder_once = PTHREAD_ONCE_INIT;

/* libunwind's local cursor API, found at run time under the names of this architecture's
 * libunwind (its symbols carry the target: _ULx86_64_step, _ULx86_step). unw_backtrace() would be
 * one call, but its per-thread trace cache costs a few hundred KiB in every process that logs,
 * and the cursor walk can stop at the first frame outside tlsfloor and OpenSSL. */
#if defined(__x86_64__)
#define TF_UNW_SYM(name) "_U" name "x86_64_"
#define TF_UNW_REG_IP 16             /* UNW_X86_64_RIP */
typedef uint64_t tf_unw_word;        /* unw_word_t */
#elif defined(__i386__)
#define TF_UNW_SYM(name) "_U" name "x86_"
#define TF_UNW_REG_IP 8              /* UNW_X86_EIP */
typedef uint32_t tf_unw_word;
#endif
#ifdef TF_UNW_SYM
#define TF_UNW_CURSOR_WORDS 127      /* UNW_TDEP_CURSOR_LEN, the same on both */
typedef struct { tf_unw_word opaque[TF_UNW_CURSOR_WORDS]; } tf_unw_cursor;
static int (*unw_getcontext_fn)(ucontext_t *);   /* unw_context_t is ucontext_t on both */
static int (*unw_init_local_fn)(tf_unw_cursor *, ucontext_t *);
static int (*unw_step_fn)(tf_unw_cursor *);
static int (*unw_get_reg_fn)(tf_unw_cursor *, int, tf_unw_word *);

static int unwind_with_libunwind(void **ips, int max, int (*stop)(uintptr_t ip))
{
    ucontext_t ctx;
    tf_unw_cursor cursor;
    tf_unw_word ip;
    int n = 0;
    if (unw_getcontext_fn(&ctx) != 0 || unw_init_local_fn(&cursor, &ctx) != 0)
        return 0;
    while (n < max && unw_step_fn(&cursor) > 0) {
        if (unw_get_reg_fn(&cursor, TF_UNW_REG_IP, &ip) != 0 || ip == 0)
            break;
        ips[n++] = (void *)(uintptr_t)ip;
        if (stop && stop((uintptr_t)ip))
            break;
    }
    return n;
}
#endif

static int unwind_with_glibc(void **ips, int max, int (*stop)(uintptr_t ip))
{
    (void)stop;   /* backtrace() has no early stop; the caller scans what it returns */
    return backtrace(ips, max);
}

static void load_unwinder(void)
{
    /* libunwind when the host has it (it unwinds through frames without frame pointers using
     * .eh_frame); glibc's backtrace() otherwise. */
#ifdef TF_UNW_SYM
    void *h = dlopen("libunwind.so.8", RTLD_LAZY | RTLD_LOCAL);
    if (h) {
        unw_getcontext_fn = (int (*)(ucontext_t *))dlsym(h, TF_UNW_SYM("") "getcontext");
        unw_init_local_fn = (int (*)(tf_unw_cursor *, ucontext_t *))dlsym(h, TF_UNW_SYM("L") "init_local");
        unw_step_fn = (int (*)(tf_unw_cursor *))dlsym(h, TF_UNW_SYM("L") "step");
        unw_get_reg_fn = (int (*)(tf_unw_cursor *, int, tf_unw_word *))dlsym(h, TF_UNW_SYM("L") "get_reg");
        if (unw_getcontext_fn && unw_init_local_fn && unw_step_fn && unw_get_reg_fn)
            unwinder = unwind_with_libunwind;
    }
#endif
    if (!unwinder)
        unwinder = unwind_with_glibc;
}

/* Whether a module path belongs to OpenSSL (libssl.so*, libcrypto.so*). */
static int tf_module_is_openssl(const char *path)
{
    const char *base = strrchr(path ? path : "", '/');
    base = base ? base + 1 : (path ? path : "");
    return strncmp(base, "libssl.so", 9) == 0 || strncmp(base, "libcrypto.so", 12) == 0;
}

/* One loaded object as dl_iterate_phdr sees it. */
struct module_hit {
    uintptr_t ip;
    uintptr_t bias;
    const char *name;
    const ElfW(Phdr) *phdr;
    int phnum;
    int found;
};

static int find_module_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    struct module_hit *hit = data;
    (void)size;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && hit->ip >= start && hit->ip < start + ph->p_memsz) {
            hit->bias = info->dlpi_addr;
            hit->name = info->dlpi_name;
            hit->phdr = info->dlpi_phdr;
            hit->phnum = info->dlpi_phnum;
            hit->found = 1;
            return 1;
        }
    }
    return 0;
}

static void build_id_hex(const struct module_hit *m, char *out, size_t cap)
{
    out[0] = '\0';
    for (int i = 0; i < m->phnum; i++) {
        const ElfW(Phdr) *ph = &m->phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const char *p = (const char *)(m->bias + ph->p_vaddr), *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
            const char *name = p + sizeof *n;
            const unsigned char *desc = (const unsigned char *)name + ((n->n_namesz + 3) & ~3u);
            if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp(name, "GNU", 4) == 0) {
                size_t used = 0;
                for (unsigned j = 0; j < n->n_descsz && used + 3 <= cap; j++)
                    used += (size_t)snprintf(out + used, cap - used, "%02x", desc[j]);
                return;
            }
            p = (const char *)desc + ((n->n_descsz + 3) & ~3u);
        }
    }
}

static char self_exe[160];
static pthread_once_t self_exe_once = PTHREAD_ONCE_INIT;

static void read_self_exe(void)
{
    ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
    self_exe[n > 0 ? n : 0] = '\0';
}

/* Address ranges of modules known to be internal (tlsfloor, libssl, libcrypto), so that the
 * frames inside them, most of every stack we unwind, are classified without walking the list of
 * loaded objects. Modules only join (they never move while loaded; a dlclose'd libssl and its
 * range are not reused by tlsfloor's hooks, which stop at the first frame outside). */
#define TF_INTERNAL_RANGES 8
static struct { uintptr_t start, end; } internal[TF_INTERNAL_RANGES];
static int ninternal;
static pthread_mutex_t internal_lock = PTHREAD_MUTEX_INITIALIZER;

static int in_known_internal(uintptr_t ip)
{
    int n = __atomic_load_n(&ninternal, __ATOMIC_ACQUIRE);
    for (int i = 0; i < n; i++)
        if (ip >= internal[i].start && ip < internal[i].end)
            return 1;
    return 0;
}

static void remember_internal(const struct module_hit *m)
{
    uintptr_t start = UINTPTR_MAX, end = 0;
    for (int i = 0; i < m->phnum; i++) {
        const ElfW(Phdr) *ph = &m->phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        if (m->bias + ph->p_vaddr < start)
            start = m->bias + ph->p_vaddr;
        if (m->bias + ph->p_vaddr + ph->p_memsz > end)
            end = m->bias + ph->p_vaddr + ph->p_memsz;
    }
    pthread_mutex_lock(&internal_lock);
    if (ninternal < TF_INTERNAL_RANGES && start < end) {
        internal[ninternal].start = start;
        internal[ninternal].end = end;
        __atomic_store_n(&ninternal, ninternal + 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&internal_lock);
}

/* Whether ip lies in tlsfloor itself or in OpenSSL. */
static int frame_is_internal(uintptr_t ip, uintptr_t self_bias)
{
    if (in_known_internal(ip))
        return 1;
    struct module_hit m = { .ip = ip };
    dl_iterate_phdr(find_module_cb, &m);
    if (!m.found)
        return 0;
    int inside = m.bias == self_bias || tf_module_is_openssl(m.name);
    if (inside)
        remember_internal(&m);
    return inside;
}

static void describe_frame(uintptr_t ip, struct tf_frame *f, char strings[3][160])
{
    struct module_hit m = { .ip = ip };
    Dl_info dl;
    memset(f, 0, sizeof *f);
    dl_iterate_phdr(find_module_cb, &m);
    if (m.found) {
        if (m.name && m.name[0]) {
            snprintf(strings[0], 160, "%s", m.name);
        } else {
            pthread_once(&self_exe_once, read_self_exe);
            snprintf(strings[0], 160, "%s", self_exe);
        }
        f->module = strings[0];
        f->offset = ip - m.bias;
        build_id_hex(&m, strings[2], 160);
        f->build_id = strings[2][0] ? strings[2] : NULL;
    } else {
        f->module = "?";
        f->offset = ip;
    }
    if (dladdr((void *)ip, &dl) && dl.dli_sname) {
        snprintf(strings[1], 160, "%s", dl.dli_sname);
        f->symbol = strings[1];
    }
}

struct site {
    uintptr_t key;
    unsigned id;
    unsigned long count;
};
static struct site sites[TF_SITES];
static unsigned next_site_id = 1;
static pthread_mutex_t sites_lock = PTHREAD_MUTEX_INITIALIZER;

void tf_backtrace_fork_prepare(void)
{
    pthread_mutex_lock(&sites_lock);
}

void tf_backtrace_fork_release(void)
{
    pthread_mutex_unlock(&sites_lock);
}

/* Returns the site for key, counting this call; *first is set when the site is new. */
static struct site site_hit(uintptr_t key, int *first)
{
    struct site result = { key, 0, 1 };
    pthread_mutex_lock(&sites_lock);
    size_t slot = (key >> 4) % TF_SITES;
    *first = 1;
    for (size_t probe = 0; probe < TF_SITES; probe++, slot = (slot + 1) % TF_SITES) {
        if (sites[slot].key == key) {
            sites[slot].count++;
            result = sites[slot];
            *first = 0;
            break;
        }
        if (sites[slot].key == 0) {
            sites[slot] = (struct site){ key, next_site_id++, 1 };
            result = sites[slot];
            break;
        }
    }
    if (result.id == 0)            /* table full: number it, describe it every time */
        result.id = next_site_id++;
    pthread_mutex_unlock(&sites_lock);
    return result;
}

/* The bias of the module holding this code (tlsfloor's shim or provider), found once. */
static uintptr_t self_bias;
static pthread_once_t self_once = PTHREAD_ONCE_INIT;

static void find_self(void)
{
    struct module_hit self = { .ip = (uintptr_t)find_self };
    dl_iterate_phdr(find_module_cb, &self);
    self_bias = self.bias;
}

static int is_outside(uintptr_t ip)
{
    return !frame_is_internal(ip, self_bias);
}

void tf_caller_capture(struct tf_caller_info *info)
{
    void *raw[TF_RAW_DEPTH];
    memset(&info->caller, 0, sizeof info->caller);
    pthread_once(&unwinder_once, load_unwinder);
    pthread_once(&self_once, find_self);
    /* A known site needs only its key, the first frame outside: the unwind stops there. Only a
     * site seen for the first time is unwound again, further, for its frames. */
    int depth = unwinder(raw, TF_RAW_DEPTH, is_outside);
    int first_outside = -1;
    for (int i = 0; i < depth; i++) {
        if (is_outside((uintptr_t)raw[i])) {
            first_outside = i;
            break;
        }
    }
    if (first_outside < 0)
        return;
    int first;
    struct site s = site_hit((uintptr_t)raw[first_outside], &first);
    info->caller.site = s.id;
    info->caller.count = s.count;
    info->caller.frames = info->frames;
    if (!first)
        return;
    depth = unwinder(raw, TF_RAW_DEPTH, NULL);
    int n = 0;
    for (int i = first_outside; i < depth && n < TF_MAX_FRAMES; i++, n++)
        describe_frame((uintptr_t)raw[i], &info->frames[n], info->strings[n]);
    info->caller.nframes = n;
}
