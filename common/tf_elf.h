/* Reading an ELF file's dynamic section and dynamic symbols from memory (tlsfloor scan). Pure:
 * the input is untrusted bytes (any file on disk); every offset is checked against the size. */
#ifndef TF_ELF_H
#define TF_ELF_H

#include <stddef.h>

#define TF_ELF_NEEDED_MAX 128
#define TF_ELF_PATHS_MAX 8

/* A string inside the parsed buffer (not NUL-terminated there). */
struct tf_elf_str {
    const char *p;
    size_t len;
};

struct tf_elf_info {
    int type;                     /* e_type: 2 executable, 3 shared object, ... */
    int has_interp;               /* a PT_INTERP segment: started by the dynamic loader */
    struct tf_elf_str soname;     /* DT_SONAME, len 0 when none */
    struct tf_elf_str needed[TF_ELF_NEEDED_MAX];
    int n_needed;                 /* DT_NEEDED in the dynamic section's order */
    struct tf_elf_str paths[TF_ELF_PATHS_MAX];
    int n_paths;                  /* DT_RPATH and DT_RUNPATH values, in order */
    unsigned pins;                /* bit i: tf_elf_pin_methods[i] is an undefined dynamic symbol */
};

/* The version-specific OpenSSL method constructors, sorted as `sort` in the C locale sorts. */
extern const char *const tf_elf_pin_methods[];
extern const int tf_elf_pin_count;

/* Whether data starts with the ELF magic. */
int tf_elf_is_elf(const unsigned char *data, size_t size);

/* Parses data (the whole file). 0, or -1 when it is not a well-formed ELF header; a malformed
 * dynamic section or symbol table is skipped (what could be read is kept). */
int tf_elf_parse(const unsigned char *data, size_t size, struct tf_elf_info *out);

#endif
