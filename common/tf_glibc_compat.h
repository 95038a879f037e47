/* tf_glibc_compat.h: bind the shim to glibc 2.17's interfaces, whatever glibc builds it.
 *
 * Force-included (`-include`) ahead of every source file of the shim and of common/, so no
 * source needs to remember it. A library built on a new glibc asks for the newest version of
 * each function it calls (dlsym@GLIBC_2.34, fstat@GLIBC_2.33, ...), and the dynamic loader of an
 * older host then refuses the whole library. Here every such call is bound to the version glibc
 * 2.17 (RHEL 7) already had:
 *   - functions that only gained a newer default version (dl*, pthread_*, sem_*, glob, ...):
 *     `.symver NAME, NAME@OLD`, from the generated table tf_glibc_compat_table.h. On glibc before
 *     2.34 the dl* and pthread_* ones live in libdl.so.2 and libpthread.so.0, so the shim lists
 *     those as needed (preload/CMakeLists.txt); they exist as stubs on newer glibc.
 *   - functions that did not exist as symbols before glibc 2.33 (stat, fstat, lstat, fstatat,
 *     mknod, mknodat and their *64 forms): glibc 2.17's headers turned them into calls of
 *     __fxstat(_STAT_VER, ...) & co., which every glibc still exports; so do we.
 *   - fcntl64 (glibc 2.28, what fcntl becomes with 64-bit offsets) and i386's fcntl@GLIBC_2.28:
 *     the old fcntl, which passes every command through unchanged.
 * tests/oldhosts/glibc-versions.sh reads the dynamic symbol table of both builds (x86_64, i386)
 * and fails, naming the symbol, on any version newer than GLIBC_2.17: a new call that needs a
 * line here cannot creep in unnoticed. A libc function the shim *defines* (a hook: dlopen,
 * getaddrinfo_a, ...) must stay out of the table (a definition cannot take a foreign version).
 *
 * Nothing here applies to other C libraries or architectures, to glibc older than the change
 * (a build on Debian 11 needs none of it), or when TF_NO_GLIBC_COMPAT is defined. */
#ifndef TF_GLIBC_COMPAT_H
#define TF_GLIBC_COMPAT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <features.h>

#if defined(__GLIBC__) && defined(__linux__) && (defined(__x86_64__) || defined(__i386__)) && \
    !defined(TF_NO_GLIBC_COMPAT)

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>

#define TF_SYMVER(name, version) __asm__(".symver " #name "," #name "@" #version);
#define TF_SYMVER_AS(name, target) __asm__(".symver " #name "," #target);

#if defined(__i386__) && defined(__USE_TIME_BITS64)
#error "the i386 shim needs the 32-bit time_t interfaces: glibc 2.17 has no 64-bit time functions (drop _TIME_BITS=64)"
#endif

/* ---- functions that gained a newer default version: the generated table ---- */
#if __GLIBC_PREREQ(2, 18)
#include "tf_glibc_compat_table.h"
#endif

/* ---- fcntl: fcntl64 (2.28) and i386's fcntl@GLIBC_2.28 -> the old fcntl ---- */
#if __GLIBC_PREREQ(2, 28)
#if defined(__x86_64__)
TF_SYMVER_AS(fcntl64, fcntl@GLIBC_2.2.5)
#else
TF_SYMVER_AS(fcntl64, fcntl@GLIBC_2.0) /* fcntl itself: in the table */
#endif
#endif

/* ---- the stat family: symbols only since 2.33; before, __*xstat*(_STAT_VER, ...) ---- */
#if __GLIBC_PREREQ(2, 33)
#if defined(__x86_64__)
#define TF_STAT_VER 1  /* _STAT_VER_LINUX (struct stat == struct stat64) */
#define TF_MKNOD_VER 0 /* _MKNOD_VER_LINUX */
#define TF_GLIBC_OLD "GLIBC_2.2.5"
#define TF_GLIBC_OLD64 "GLIBC_2.2.5"
#else
#define TF_STAT_VER 3  /* _STAT_VER_LINUX */
#define TF_MKNOD_VER 1 /* _MKNOD_VER_LINUX */
#define TF_GLIBC_OLD "GLIBC_2.0"
#define TF_GLIBC_OLD64 "GLIBC_2.2"
#endif
#define TF_OLDSYM(name, version) __asm__(".symver " #name "," #name "@" version);

struct stat;
struct stat64;
extern int __fxstat(int, int, struct stat *);
extern int __xstat(int, const char *, struct stat *);
extern int __lxstat(int, const char *, struct stat *);
extern int __fxstatat(int, int, const char *, struct stat *, int);
extern int __fxstat64(int, int, struct stat64 *);
extern int __xstat64(int, const char *, struct stat64 *);
extern int __lxstat64(int, const char *, struct stat64 *);
extern int __fxstatat64(int, int, const char *, struct stat64 *, int);
extern int __xmknod(int, const char *, mode_t, dev_t *);
extern int __xmknodat(int, int, const char *, mode_t, dev_t *);
TF_OLDSYM(__fxstat, TF_GLIBC_OLD)
TF_OLDSYM(__xstat, TF_GLIBC_OLD)
TF_OLDSYM(__lxstat, TF_GLIBC_OLD)
TF_OLDSYM(__xmknod, TF_GLIBC_OLD)
TF_OLDSYM(__fxstat64, TF_GLIBC_OLD64)
TF_OLDSYM(__xstat64, TF_GLIBC_OLD64)
TF_OLDSYM(__lxstat64, TF_GLIBC_OLD64)
TF_SYMVER(__fxstatat, GLIBC_2.4)
TF_SYMVER(__fxstatat64, GLIBC_2.4)
TF_SYMVER(__xmknodat, GLIBC_2.4)

static inline int tf_compat_fstat64(int fd, struct stat64 *st) { return __fxstat64(TF_STAT_VER, fd, st); }
static inline int tf_compat_stat64(const char *p, struct stat64 *st) { return __xstat64(TF_STAT_VER, p, st); }
static inline int tf_compat_lstat64(const char *p, struct stat64 *st) { return __lxstat64(TF_STAT_VER, p, st); }
static inline int tf_compat_fstatat64(int dfd, const char *p, struct stat64 *st, int flags)
{
    return __fxstatat64(TF_STAT_VER, dfd, p, st, flags);
}
#if defined(__USE_FILE_OFFSET64) && !defined(__x86_64__)
/* struct stat is the 64-bit layout: the *64 entry points. */
static inline int tf_compat_fstat(int fd, struct stat *st) { return tf_compat_fstat64(fd, (struct stat64 *)(void *)st); }
static inline int tf_compat_stat(const char *p, struct stat *st) { return tf_compat_stat64(p, (struct stat64 *)(void *)st); }
static inline int tf_compat_lstat(const char *p, struct stat *st) { return tf_compat_lstat64(p, (struct stat64 *)(void *)st); }
static inline int tf_compat_fstatat(int dfd, const char *p, struct stat *st, int flags)
{
    return tf_compat_fstatat64(dfd, p, (struct stat64 *)(void *)st, flags);
}
#else
static inline int tf_compat_fstat(int fd, struct stat *st) { return __fxstat(TF_STAT_VER, fd, st); }
static inline int tf_compat_stat(const char *p, struct stat *st) { return __xstat(TF_STAT_VER, p, st); }
static inline int tf_compat_lstat(const char *p, struct stat *st) { return __lxstat(TF_STAT_VER, p, st); }
static inline int tf_compat_fstatat(int dfd, const char *p, struct stat *st, int flags)
{
    return __fxstatat(TF_STAT_VER, dfd, p, st, flags);
}
#endif
static inline int tf_compat_mknod(const char *p, mode_t mode, dev_t dev) { return __xmknod(TF_MKNOD_VER, p, mode, &dev); }
static inline int tf_compat_mknodat(int dfd, const char *p, mode_t mode, dev_t dev)
{
    return __xmknodat(TF_MKNOD_VER, dfd, p, mode, &dev);
}
/* Function-like macros: `struct stat` (no parenthesis after it) is left alone. */
#define fstat(fd, st) tf_compat_fstat(fd, st)
#define stat(path, st) tf_compat_stat(path, st)
#define lstat(path, st) tf_compat_lstat(path, st)
#define fstatat(dfd, path, st, flags) tf_compat_fstatat(dfd, path, st, flags)
#define fstat64(fd, st) tf_compat_fstat64(fd, st)
#define stat64(path, st) tf_compat_stat64(path, st)
#define lstat64(path, st) tf_compat_lstat64(path, st)
#define fstatat64(dfd, path, st, flags) tf_compat_fstatat64(dfd, path, st, flags)
#define mknod(path, mode, dev) tf_compat_mknod(path, mode, dev)
#define mknodat(dfd, path, mode, dev) tf_compat_mknodat(dfd, path, mode, dev)
#endif /* 2.33 */

#endif /* glibc on x86_64 or i386 */
#endif /* TF_GLIBC_COMPAT_H */
