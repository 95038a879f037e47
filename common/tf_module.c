#define _GNU_SOURCE
#include "tf_module.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tf_module_name_is_tls(const char *path)
{
    const char *base = strrchr(path ? path : "", '/');
    base = base ? base + 1 : (path ? path : "");
    return strncmp(base, "libssl.so", 9) == 0 || strncmp(base, "libcrypto.so", 12) == 0 ||
           strncmp(base, "libgnutls.so", 12) == 0;
}

/* ---- walks after a fork ----
 *
 * glibc does not reset the loader's write lock (dl_load_write_lock) in a forked child (2.36
 * still does not). dl_iterate_phdr holds it while it calls back, and so does every unwinder
 * (libunwind, libgcc's) through it: a fork while another thread is in there (a tlsfloor record
 * being unwound, or the program's own C++ exception) leaves the child's every later walk stuck
 * for good. So a child forked while other threads ran walks nothing until it execs: tlsfloor does
 * without there (records without caller frames, the ranges and OpenSSL table it already has). */
static int fork_threaded;          /* set in the parent by the prepare handler, inherited */
static int walks_unsafe;           /* set in the child when fork_threaded was */
static const char *single_threaded;   /* glibc >= 2.32: __libc_single_threaded */

long tf_module_stat_threads(const char *stat_text)
{
    /* "pid (comm) state ppid ... num_threads ...": comm may hold spaces and parentheses, so the
     * fields are counted from the last ')'; num_threads is field 20, the 18th after it. */
    const char *p = stat_text ? strrchr(stat_text, ')') : NULL;
    if (p == NULL)
        return -1;
    p++;
    for (int field = 3; field <= 20; field++) {
        while (*p == ' ')
            p++;
        if (*p == '\0' || *p == '\n')
            return -1;
        if (field == 20) {
            char *end;
            long n = strtol(p, &end, 10);
            return end != p && (*end == ' ' || *end == '\n' || *end == '\0') && n > 0 ? n : -1;
        }
        while (*p && *p != ' ' && *p != '\n')
            p++;
    }
    return -1;
}

/* Whether any other thread may exist now. Errs on "yes". */
static int threaded_now(void)
{
    if (single_threaded)
        return !__atomic_load_n(single_threaded, __ATOMIC_RELAXED);
    char buf[1024];
    int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return tf_module_stat_threads(buf) != 1;
}

static void before_fork(void)
{
    __atomic_store_n(&fork_threaded, threaded_now(), __ATOMIC_RELAXED);
}

static void in_forked_child(void)
{
    if (__atomic_load_n(&fork_threaded, __ATOMIC_RELAXED))
        __atomic_store_n(&walks_unsafe, 1, __ATOMIC_RELAXED);
}

void tf_module_fork_init(void)
{
    static int registered;
    int expected = 0;
    if (!__atomic_compare_exchange_n(&registered, &expected, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return;
    /* Looked up, not linked: the shim imports nothing newer than glibc 2.17. */
    single_threaded = (const char *)dlsym(RTLD_DEFAULT, "__libc_single_threaded");
    pthread_atfork(before_fork, NULL, in_forked_child);
}

TF_NO_ASAN int tf_module_walks_safe(void)
{
    return !__atomic_load_n(&walks_unsafe, __ATOMIC_RELAXED);
}

TF_NO_ASAN int tf_module_walk(int (*cb)(struct dl_phdr_info *, size_t, void *), void *data)
{
    if (!tf_module_walks_safe())
        return -1;
    return dl_iterate_phdr(cb, data);
}

/* Address ranges already found inside: most lookups end here. A slot is claimed with an atomic
 * add and becomes visible when its "ready" flag is set, so readers never see half a range.
 * Modules only join: a range stays valid while its object is loaded, and a TLS library that
 * was unloaded leaves a range no live code of the program can return to. */
#define TF_INSIDE_RANGES 16
static struct {
    uintptr_t start, end;
    int ready;
} ranges[TF_INSIDE_RANGES];
static int nclaimed;

static int in_known_range(uintptr_t ip)
{
    for (int i = 0; i < TF_INSIDE_RANGES; i++) {
        if (!__atomic_load_n(&ranges[i].ready, __ATOMIC_ACQUIRE))
            continue;
        if (ip >= ranges[i].start && ip < ranges[i].end)
            return 1;
    }
    return 0;
}

static void remember_range(uintptr_t start, uintptr_t end)
{
    int i = __atomic_fetch_add(&nclaimed, 1, __ATOMIC_RELAXED);
    if (i >= TF_INSIDE_RANGES)
        return;   /* full: later lookups of this module walk the list again; still correct */
    ranges[i].start = start;
    ranges[i].end = end;
    __atomic_store_n(&ranges[i].ready, 1, __ATOMIC_RELEASE);
}

struct hit {
    uintptr_t ip, self;
    uintptr_t start, end;
    int found, inside;
};

/* The object's whole mapped span, from its PT_LOAD segments. */
static void span_of(const struct dl_phdr_info *info, uintptr_t *start, uintptr_t *end)
{
    *start = UINTPTR_MAX;
    *end = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uintptr_t s = info->dlpi_addr + ph->p_vaddr, e = s + ph->p_memsz;
        if (s < *start)
            *start = s;
        if (e > *end)
            *end = e;
    }
}

static int find_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    struct hit *h = data;
    uintptr_t start, end;
    (void)size;
    span_of(info, &start, &end);
    if (h->ip < start || h->ip >= end)
        return 0;
    h->found = 1;
    h->start = start;
    h->end = end;
    h->inside = (h->self >= start && h->self < end) || tf_module_name_is_tls(info->dlpi_name);
    return 1;
}

int tf_module_inside(uintptr_t ip)
{
    if (in_known_range(ip))
        return 1;
    struct hit h = { .ip = ip, .self = (uintptr_t)&tf_module_inside };
    tf_module_walk(find_cb, &h);
    if (h.found && h.inside)
        remember_range(h.start, h.end);
    return h.found && h.inside;
}
