#include "tf_elf.h"

#include <stdint.h>
#include <string.h>

/* Sorted as the C locale sorts: the scan lists them in this order. */
const char *const tf_elf_pin_methods[] = {
    "DTLSv1_client_method", "DTLSv1_method", "DTLSv1_server_method",
    "SSLv2_client_method", "SSLv2_method", "SSLv2_server_method",
    "SSLv3_client_method", "SSLv3_method", "SSLv3_server_method",
    "TLSv1_1_client_method", "TLSv1_1_method", "TLSv1_1_server_method",
    "TLSv1_client_method", "TLSv1_method", "TLSv1_server_method",
};
const int tf_elf_pin_count = (int)(sizeof tf_elf_pin_methods / sizeof tf_elf_pin_methods[0]);

enum { PT_LOAD_ = 1, PT_DYNAMIC_ = 2, PT_INTERP_ = 3, SHT_DYNSYM_ = 11 };
enum { DT_NULL_ = 0, DT_NEEDED_ = 1, DT_STRTAB_ = 5, DT_STRSZ_ = 10, DT_SONAME_ = 14,
       DT_RPATH_ = 15, DT_RUNPATH_ = 29 };

/* The file's class and byte order, and the buffer every read is checked against. */
struct elf {
    const unsigned char *d;
    size_t n;
    int is64;
    int msb;
};

static uint64_t rd(const struct elf *e, uint64_t off, int width)
{
    uint64_t v = 0;
    if (off > e->n || (uint64_t)width > e->n - off)
        return 0;
    for (int i = 0; i < width; i++) {
        int k = e->msb ? i : width - 1 - i;
        v = (v << 8) | e->d[off + (uint64_t)k];
    }
    return v;
}

/* A word of the file's class: 8 bytes in ELF64, 4 in ELF32. */
static uint64_t word(const struct elf *e, uint64_t off)
{
    return rd(e, off, e->is64 ? 8 : 4);
}

int tf_elf_is_elf(const unsigned char *data, size_t size)
{
    return size >= 4 && memcmp(data, "\177ELF", 4) == 0;
}

/* A string at file offset off, bounded by the end of its table (tab_end). */
static struct tf_elf_str str_at(const struct elf *e, uint64_t off, uint64_t tab_end)
{
    struct tf_elf_str s = { NULL, 0 };
    if (tab_end > e->n)
        tab_end = e->n;
    if (off >= tab_end)
        return s;
    const char *p = (const char *)e->d + off;
    const char *z = memchr(p, '\0', (size_t)(tab_end - off));
    if (!z)
        return s;
    s.p = p;
    s.len = (size_t)(z - p);
    return s;
}

/* Program header i's fields. */
struct phdr {
    uint64_t type, offset, vaddr, filesz;
};

static struct phdr phdr_at(const struct elf *e, uint64_t phoff, uint64_t entsize, uint64_t i)
{
    struct phdr p;
    uint64_t b = phoff + i * entsize;
    p.type = rd(e, b, 4);
    if (e->is64) {
        p.offset = rd(e, b + 8, 8);
        p.vaddr = rd(e, b + 16, 8);
        p.filesz = rd(e, b + 32, 8);
    } else {
        p.offset = rd(e, b + 4, 4);
        p.vaddr = rd(e, b + 8, 4);
        p.filesz = rd(e, b + 16, 4);
    }
    return p;
}

/* The file offset of virtual address va (through the PT_LOAD segments), or UINT64_MAX. */
static uint64_t va_to_off(const struct elf *e, uint64_t phoff, uint64_t entsize, uint64_t phnum,
                          uint64_t va)
{
    for (uint64_t i = 0; i < phnum; i++) {
        struct phdr p = phdr_at(e, phoff, entsize, i);
        if (p.type == PT_LOAD_ && va >= p.vaddr && va - p.vaddr < p.filesz)
            return p.offset + (va - p.vaddr);
    }
    return UINT64_MAX;
}

static void add_str(struct tf_elf_str *arr, int *n, int max, struct tf_elf_str s)
{
    if (s.len > 0 && *n < max)
        arr[(*n)++] = s;
}

/* The dynamic segment: NEEDED, SONAME, RPATH/RUNPATH (what `readelf -d` shows). */
static void read_dynamic(const struct elf *e, uint64_t phoff, uint64_t entsize, uint64_t phnum,
                         struct phdr dyn, struct tf_elf_info *out)
{
    uint64_t esz = e->is64 ? 16 : 8, strtab = UINT64_MAX, strsz = 0;
    uint64_t count = dyn.filesz / esz;
    if (dyn.offset > e->n || count > (e->n - dyn.offset) / esz)
        return;
    for (int pass = 0; pass < 2; pass++) {
        for (uint64_t i = 0; i < count; i++) {
            uint64_t tag = word(e, dyn.offset + i * esz);
            uint64_t val = word(e, dyn.offset + i * esz + esz / 2);
            if (tag == DT_NULL_)
                break;
            if (pass == 0) {
                if (tag == DT_STRTAB_)
                    strtab = va_to_off(e, phoff, entsize, phnum, val);
                else if (tag == DT_STRSZ_)
                    strsz = val;
                continue;
            }
            if (strtab == UINT64_MAX || val >= strsz)
                continue;
            struct tf_elf_str s = str_at(e, strtab + val, strtab + strsz);
            if (tag == DT_NEEDED_)
                add_str(out->needed, &out->n_needed, TF_ELF_NEEDED_MAX, s);
            else if (tag == DT_SONAME_ && out->soname.len == 0)
                out->soname = s;
            else if (tag == DT_RPATH_ || tag == DT_RUNPATH_)
                add_str(out->paths, &out->n_paths, TF_ELF_PATHS_MAX, s);
        }
        if (strtab == UINT64_MAX || strtab >= e->n)
            return;
    }
}

/* The pinning method a symbol name is, or -1. */
static int pin_index(struct tf_elf_str s)
{
    for (int i = 0; i < tf_elf_pin_count; i++)
        if (strlen(tf_elf_pin_methods[i]) == s.len && memcmp(tf_elf_pin_methods[i], s.p, s.len) == 0)
            return i;
    return -1;
}

/* Undefined dynamic symbols (.dynsym through the section headers, as `readelf --dyn-syms`). */
static void read_dynsym(const struct elf *e, struct tf_elf_info *out)
{
    uint64_t shoff = word(e, e->is64 ? 0x28 : 0x20);
    uint64_t shentsize = rd(e, e->is64 ? 0x3a : 0x2e, 2), shnum = rd(e, e->is64 ? 0x3c : 0x30, 2);
    uint64_t need = e->is64 ? 64 : 40;
    if (shoff == 0 || shentsize < need || shoff > e->n || shnum > (e->n - shoff) / shentsize)
        return;
    for (uint64_t i = 0; i < shnum; i++) {
        uint64_t b = shoff + i * shentsize;
        if (rd(e, b + 4, 4) != SHT_DYNSYM_)
            continue;
        uint64_t off = word(e, b + (e->is64 ? 0x18 : 0x10)), size = word(e, b + (e->is64 ? 0x20 : 0x14));
        uint64_t link = rd(e, b + (e->is64 ? 0x28 : 0x18), 4);
        uint64_t symsz = e->is64 ? 24 : 16;
        if (link >= shnum || off > e->n || size > e->n - off)
            return;
        uint64_t lb = shoff + link * shentsize;
        uint64_t stroff = word(e, lb + (e->is64 ? 0x18 : 0x10)), strsize = word(e, lb + (e->is64 ? 0x20 : 0x14));
        if (stroff > e->n || strsize > e->n - stroff)
            return;
        for (uint64_t k = 1; k < size / symsz; k++) {
            uint64_t s = off + k * symsz;
            uint64_t name = rd(e, s, 4), shndx = rd(e, s + (e->is64 ? 6 : 14), 2);
            if (shndx != 0 || name >= strsize)
                continue;
            int pin = pin_index(str_at(e, stroff + name, stroff + strsize));
            if (pin >= 0)
                out->pins |= 1u << pin;
        }
        return;
    }
}

int tf_elf_parse(const unsigned char *data, size_t size, struct tf_elf_info *out)
{
    memset(out, 0, sizeof *out);
    if (size < 0x34 || !tf_elf_is_elf(data, size) || (data[4] != 1 && data[4] != 2) ||
        (data[5] != 1 && data[5] != 2))
        return -1;
    struct elf e = { data, size, data[4] == 2, data[5] == 2 };
    if (e.is64 && size < 0x40)
        return -1;
    out->type = (int)rd(&e, 0x10, 2);
    uint64_t phoff = word(&e, e.is64 ? 0x20 : 0x1c);
    uint64_t entsize = rd(&e, e.is64 ? 0x36 : 0x2a, 2), phnum = rd(&e, e.is64 ? 0x38 : 0x2c, 2);
    uint64_t need = e.is64 ? 56 : 32;
    if (phoff > 0 && entsize >= need && phoff <= size && phnum <= (size - phoff) / entsize) {
        for (uint64_t i = 0; i < phnum; i++) {
            struct phdr p = phdr_at(&e, phoff, entsize, i);
            if (p.type == PT_INTERP_)
                out->has_interp = 1;
            else if (p.type == PT_DYNAMIC_)
                read_dynamic(&e, phoff, entsize, phnum, p, out);
        }
    }
    read_dynsym(&e, out);
    return 0;
}
