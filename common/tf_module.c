#define _GNU_SOURCE
#include "tf_module.h"

#include <link.h>
#include <string.h>

int tf_module_name_is_tls(const char *path)
{
    const char *base = strrchr(path ? path : "", '/');
    base = base ? base + 1 : (path ? path : "");
    return strncmp(base, "libssl.so", 9) == 0 || strncmp(base, "libcrypto.so", 12) == 0 ||
           strncmp(base, "libgnutls.so", 12) == 0;
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
    dl_iterate_phdr(find_cb, &h);
    if (h.found && h.inside)
        remember_range(h.start, h.end);
    return h.found && h.inside;
}
