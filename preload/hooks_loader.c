/* dlopen hook: a module opened with RTLD_DEEPBIND binds to libssl and libc before the global
 * scope, bypassing LD_PRELOAD entirely. Dropping the flag puts the hooks back in its way.
 *
 * glibc takes the caller of dlopen (its return address) to pick the RUNPATH/$ORIGIN used for the
 * search, so the real dlopen must see the program's return address, not ours: the call below is
 * a tail call (checked by a test on the built library), which leaves the return address as the
 * program's (tests/loader checks a $ORIGIN lookup through it). */
#define _GNU_SOURCE
#include <dlfcn.h>

#include "shim.h"

typedef void *(*dlopen_fn)(const char *, int);
static void *real_dlopen;

__attribute__((noinline)) static int drop_deepbind(const char *file, int mode)
{
    struct tf_field f[] = { TF_STR("file", file), TF_STR("cleared", "RTLD_DEEPBIND") };
    tf_emit(TF_EV(dlopen_deepbind_dropped), f, 2, TF_CALLER);
    return mode & ~RTLD_DEEPBIND;
}

TF_EXPORT void *dlopen(const char *file, int mode)
{
    dlopen_fn next = (dlopen_fn)tf_next_fn(&real_dlopen, "dlopen");
    if (mode & RTLD_DEEPBIND)
        mode = drop_deepbind(file, mode);
    return next(file, mode);
}
