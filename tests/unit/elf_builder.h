/* A small ELF file built in memory for the tests of common/tf_elf.c (unit tests, fuzz seeds):
 * ELF32 or ELF64, either byte order, with a PT_INTERP, a dynamic section naming two libraries,
 * a SONAME and a RUNPATH, and a .dynsym with one defined and two undefined symbols. */
#ifndef ELF_BUILDER_H
#define ELF_BUILDER_H
#include <stdint.h>
#include <string.h>

static void eb_put(unsigned char *b, size_t off, uint64_t v, int width, int msb)
{
    for (int i = 0; i < width; i++)
        b[off + (size_t)(msb ? width - 1 - i : i)] = (unsigned char)(v >> (8 * i));
}

/* Writes the file into b (at least 4096 bytes); returns its size. */
static size_t eb_build(unsigned char *b, int is64, int msb, const char *undef_sym)
{
    const int W = is64 ? 8 : 4;
    memset(b, 0, 4096);
    memcpy(b, "\177ELF", 4);
    b[4] = is64 ? 2 : 1;
    b[5] = msb ? 2 : 1;
    b[6] = 1;
    /* layout: header, 3 program headers at 0x100, strings at 0x400, dynamic at 0x600,
     * dynsym at 0x800, 4 section headers at 0xa00 */
    static const char interp[] = "/lib/ld.so";
    char strs[512] = "";
    size_t so_libc = 1, so_libssl, so_name, so_run, so_def, so_undef, so_undef2, n = 1;
#define EB_ADD(var, text) do { var = n; strcpy(strs + n, text); n += strlen(text) + 1; } while (0)
    EB_ADD(so_libssl, "libssl.so.3");
    so_libc = n;
    strcpy(strs + n, "libc.so.6");
    n += 10;
    EB_ADD(so_name, "libpinned.so.1");
    EB_ADD(so_run, "$ORIGIN/../lib:/opt/x");
    EB_ADD(so_def, "TLSv1_method");
    EB_ADD(so_undef, undef_sym);
    EB_ADD(so_undef2, "SSL_new");
#undef EB_ADD
    memcpy(b + 0x400, strs, n);
    memcpy(b + 0x3c0, interp, sizeof interp);
    eb_put(b, 0x10, 3, 2, msb);   /* ET_DYN */
    eb_put(b, 0x12, 62, 2, msb);
    eb_put(b, 0x14, 1, 4, msb);
    eb_put(b, is64 ? 0x20 : 0x1c, 0x100, W, msb);         /* e_phoff */
    eb_put(b, is64 ? 0x28 : 0x20, 0xa00, W, msb);         /* e_shoff */
    eb_put(b, is64 ? 0x36 : 0x2a, is64 ? 56 : 32, 2, msb);
    eb_put(b, is64 ? 0x38 : 0x2c, 3, 2, msb);
    eb_put(b, is64 ? 0x3a : 0x2e, is64 ? 64 : 40, 2, msb);
    eb_put(b, is64 ? 0x3c : 0x30, 4, 2, msb);
    /* program headers: PT_INTERP, PT_LOAD (all of the file at vaddr 0x10000), PT_DYNAMIC */
    const size_t ph = 0x100, phsz = is64 ? 56 : 32;
    const uint64_t type[3] = { 3, 1, 2 }, off[3] = { 0x3c0, 0, 0x600 }, size[3] = { sizeof interp, 4096, 0x100 };
    for (int i = 0; i < 3; i++) {
        size_t p = ph + (size_t)i * phsz;
        eb_put(b, p, type[i], 4, msb);
        eb_put(b, p + (is64 ? 8 : 4), off[i], W, msb);
        eb_put(b, p + (is64 ? 16 : 8), 0x10000 + off[i], W, msb);
        eb_put(b, p + (is64 ? 32 : 16), size[i], W, msb);
        eb_put(b, p + (is64 ? 40 : 20), size[i], W, msb);
    }
    /* dynamic: NEEDED x2, SONAME, RUNPATH, STRTAB, STRSZ, NULL */
    const uint64_t dyn[][2] = { { 1, so_libssl }, { 1, so_libc }, { 14, so_name }, { 29, so_run },
                                { 5, 0x10400 }, { 10, n }, { 0, 0 } };
    for (size_t i = 0; i < sizeof dyn / sizeof dyn[0]; i++) {
        eb_put(b, 0x600 + i * 2 * (size_t)W, dyn[i][0], W, msb);
        eb_put(b, 0x600 + i * 2 * (size_t)W + (size_t)W, dyn[i][1], W, msb);
    }
    /* dynsym: null, TLSv1_method defined (shndx 5), undef_sym and SSL_new undefined */
    const size_t symsz = is64 ? 24 : 16;
    const uint64_t names[4] = { 0, so_def, so_undef, so_undef2 }, shndx[4] = { 0, 5, 0, 0 };
    for (int i = 0; i < 4; i++) {
        size_t s = 0x800 + (size_t)i * symsz;
        eb_put(b, s, names[i], 4, msb);
        eb_put(b, s + (is64 ? 6 : 14), shndx[i], 2, msb);
    }
    /* section headers: null, .dynstr (3), .dynsym (11, link 1), .dynamic (6, link 1) */
    const size_t shsz = is64 ? 64 : 40;
    const uint64_t stype[4] = { 0, 3, 11, 6 }, soff[4] = { 0, 0x400, 0x800, 0x600 },
                   ssize[4] = { 0, n, 4 * symsz, 0x100 }, slink[4] = { 0, 0, 1, 1 };
    for (int i = 1; i < 4; i++) {
        size_t s = 0xa00 + (size_t)i * shsz;
        eb_put(b, s + 4, stype[i], 4, msb);
        eb_put(b, s + (is64 ? 0x18 : 0x10), soff[i], W, msb);
        eb_put(b, s + (is64 ? 0x20 : 0x14), ssize[i], W, msb);
        eb_put(b, s + (is64 ? 0x28 : 0x18), slink[i], 4, msb);
    }
    return 0xa00 + 4 * shsz;
}
#endif
