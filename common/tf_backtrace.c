#define _GNU_SOURCE
#include "tf_backtrace.h"
#include "tf_module.h"
#include "tf_sites.h"

#include <dlfcn.h>
#include <elf.h>
#include <execinfo.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#define TF_RAW_DEPTH 48

/* Fills ips with up to max return addresses, stopping early after the first frame for which
 * stop(ip) is true (stop may be NULL). */
typedef int (*unwinder_fn)(void **ips, int max, int (*stop)(uintptr_t ip));
static unwinder_fn unwinder;   /* published last, with release: the libunwind pointers are set */

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

/* No pthread_once: a signal handler that longjmps out of a once routine leaves it "in progress"
 * forever. Two threads loading at once both dlopen (reference counted) and store the same
 * pointers. */
static unwinder_fn load_unwinder(void)
{
    unwinder_fn u = __atomic_load_n(&unwinder, __ATOMIC_ACQUIRE);
    if (u)
        return u;
    /* libunwind when the host has it (it unwinds through frames without frame pointers using
     * .eh_frame); glibc's backtrace() otherwise. */
#ifdef TF_UNW_SYM
    void *h = dlopen("libunwind.so.8", RTLD_LAZY | RTLD_LOCAL);
    if (h) {
        unw_getcontext_fn = (int (*)(ucontext_t *))dlsym(h, TF_UNW_SYM("") "getcontext");
        unw_init_local_fn = (int (*)(tf_unw_cursor *, ucontext_t *))dlsym(h, TF_UNW_SYM("L") "init_local");
        unw_step_fn = (int (*)(tf_unw_cursor *))dlsym(h, TF_UNW_SYM("L") "step");
        unw_get_reg_fn = (int (*)(tf_unw_cursor *, int, tf_unw_word *))dlsym(h, TF_UNW_SYM("L") "get_reg");
        /* No shared cache: libunwind guards its global cache with a mutex (signals blocked while
         * held), and a fork() while another thread holds it leaves every later unwind in the
         * child stuck for good, deaf to SIGALRM. Without the cache each step reads the unwind
         * table afresh; the walk stops at the first frame outside tlsfloor anyway. */
        int (*set_caching)(void *, int) = (int (*)(void *, int))dlsym(h, TF_UNW_SYM("L") "set_caching_policy");
        void **space = (void **)dlsym(h, TF_UNW_SYM("L") "local_addr_space");
        if (unw_getcontext_fn && unw_init_local_fn && unw_step_fn && unw_get_reg_fn && set_caching &&
            space && set_caching(*space, 0 /* UNW_CACHE_NONE */) == 0)
            u = unwind_with_libunwind;
    }
#endif
    if (!u)
        u = unwind_with_glibc;
    __atomic_store_n(&unwinder, u, __ATOMIC_RELEASE);
    return u;
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

/* The main program's path: its dl_iterate_phdr entry has an empty name. Read into the frame's
 * own storage each time (a first-seen site only): no shared state to initialise. */
static void read_self_exe(char *out, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", out, cap - 1);
    out[n > 0 ? n : 0] = '\0';
}

static void describe_frame(uintptr_t ip, struct tf_frame *f, char strings[3][160])
{
    struct module_hit m = { .ip = ip };
    Dl_info dl;
    memset(f, 0, sizeof *f);
    tf_module_walk(find_module_cb, &m);
    if (m.found) {
        if (m.name && m.name[0]) {
            snprintf(strings[0], 160, "%s", m.name);
        } else {
            read_self_exe(strings[0], 160);
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

/* Call sites (tf_sites.c): numbered by the first return address outside tlsfloor and the TLS
 * libraries. */
static struct tf_sites sites;

static int is_outside(uintptr_t ip)
{
    return !tf_module_inside(ip);
}

/* Fills info's frames from the first frame outside (a site's first record only). */
static void describe_stack(unwinder_fn unwind, struct tf_caller_info *info)
{
    void *raw[TF_RAW_DEPTH];
    int depth = unwind(raw, TF_RAW_DEPTH, NULL);
    int n = 0, i = 0;
    while (i < depth && !is_outside((uintptr_t)raw[i]))
        i++;
    for (; i < depth && n < TF_MAX_FRAMES; i++, n++)
        describe_frame((uintptr_t)raw[i], &info->frames[n], info->strings[n]);
    info->caller.nframes = n;
}

void tf_caller_capture_from(uintptr_t entry_ra, struct tf_caller_info *info)
{
    /* The acting hook was called from entry_ra: when that lies outside tlsfloor and the TLS
     * libraries it is the first frame outside, the site's key. Every key in the table lies
     * outside, so a site seen before is known without unwinding or walking anything (its frames
     * went out with its first record); a new one is checked (one walk) and described. */
    memset(&info->caller, 0, sizeof info->caller);
    struct tf_site s = tf_sites_seen(&sites, entry_ra);
    if (s.id == 0) {
        /* (a walk that cannot be made would call every address outside) */
        if (entry_ra == 0 || !tf_module_walks_safe() || tf_module_inside(entry_ra)) {
            tf_caller_capture(info);
            return;
        }
        s = tf_sites_hit(&sites, entry_ra);
    }
    info->caller.site = s.id;
    info->caller.count = s.count;
    info->caller.frames = info->frames;
    if (s.count != 1 || !tf_module_walks_safe())   /* describing walks the loaded objects */
        return;
    describe_stack(load_unwinder(), info);
}

void tf_caller_capture(struct tf_caller_info *info)
{
    void *raw[TF_RAW_DEPTH];
    memset(&info->caller, 0, sizeof info->caller);
    /* Every unwinder walks the loaded objects: in a child forked from threads, no caller. */
    if (!tf_module_walks_safe())
        return;
    unwinder_fn unwind = load_unwinder();
    /* A known site needs only its key, the first frame outside: the unwind stops there. Only a
     * site seen for the first time is unwound again, further, for its frames. */
    int depth = unwind(raw, TF_RAW_DEPTH, is_outside);
    int first_outside = -1;
    for (int i = 0; i < depth; i++) {
        if (is_outside((uintptr_t)raw[i])) {
            first_outside = i;
            break;
        }
    }
    if (first_outside < 0)
        return;
    struct tf_site s = tf_sites_hit(&sites, (uintptr_t)raw[first_outside]);
    info->caller.site = s.id;
    info->caller.count = s.count;
    info->caller.frames = info->frames;
    if (s.count != 1)
        return;
    describe_stack(unwind, info);
}

void tf_caller_capture_first(uintptr_t entry_ra, struct tf_caller_info *info)
{
    /* A new site whose key is entry_ra has that address as its first frame: described alone,
     * as tf_caller_at does. Anything else (known, unknown key, no walks) as before. */
    if (entry_ra == 0 || tf_caller_known(entry_ra) || !tf_module_walks_safe() || tf_module_inside(entry_ra)) {
        tf_caller_capture_from(entry_ra, info);
        return;
    }
    tf_caller_at(entry_ra, info);
}

void tf_caller_at(uintptr_t ip, struct tf_caller_info *info)
{
    memset(&info->caller, 0, sizeof info->caller);
    if (ip == 0 || !tf_module_walks_safe())   /* describing a frame walks the loaded objects */
        return;
    struct tf_site s = tf_sites_hit(&sites, ip);
    info->caller.site = s.id;
    info->caller.count = s.count;
    info->caller.frames = info->frames;
    if (s.count != 1)
        return;
    describe_frame(ip, &info->frames[0], info->strings[0]);
    info->caller.nframes = 1;
}

int tf_caller_known(uintptr_t ra)
{
    return tf_sites_find(&sites, ra) != 0;
}
