/* Process state of libtlsfloor.so: settings, log destination, record emission, the re-entry
 * guard. At load time only two cheap things happen (see on_load); a process that never reaches a
 * hook reads no file and opens nothing.
 *
 * Nothing here takes a lock. A lock could be left held by a signal handler that longjmps out of
 * a hook, inherited held by a forked child, or taken again from a signal handler that interrupted
 * its holder; the floor must survive all three. The state is built without waiting for anyone
 * and published with one compare-and-swap. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim.h"
#include "tf_backtrace.h"
#include "tf_log.h"
#include "tf_module.h"

__thread int tf_depth __attribute__((tls_model("initial-exec")));
__thread uintptr_t tf_entry_ra __attribute__((tls_model("initial-exec")));
__thread uintptr_t tf_call_ra __attribute__((tls_model("initial-exec")));
static __thread uintptr_t tf_call_frame __attribute__((tls_model("initial-exec")));
int tf_inert;

/* ---- one active copy per process ----
 *
 * A second copy of the library (preloaded under another path) would sit behind the first: the
 * first's RTLD_NEXT lookups find its hooks, and both would act and log. This exported marker
 * resolves, through the GOT, to the first definition in the process; a copy whose own marker is
 * not that one stays inert. */
TF_EXPORT const char tlsfloor_instance[] = "tlsfloor";
extern const char tf_own_instance[sizeof "tlsfloor"] __attribute__((alias("tlsfloor_instance"), visibility("hidden")));

__attribute__((constructor)) static void on_load(void)
{
    const char *volatile seen = tlsfloor_instance;   /* through the GOT: the first copy's */
    tf_dlsym_init();        /* the real dlsym and dlvsym, before anything looks a name up */
    tf_inert = seen != tf_own_instance;
    if (tf_inert)
        return;
    tf_log_stderr_note();   /* what fd 2 was when the program started (one fstat) */
    tf_module_fork_init();  /* which forked children must not walk the loaded objects */
}

int tf_enter(const void *return_address)
{
    if (tf_inert)
        return 0;
    if (tf_depth > 0 && tf_module_inside((uintptr_t)return_address))
        return 0;
    tf_depth = 1;
    tf_entry_ra = (uintptr_t)return_address;
    return 1;
}

int tf_call_begin(uintptr_t ra, uintptr_t frame)
{
    if (tf_inert || ra == 0)
        return 0;
    /* a walk that cannot be made would call every address outside */
    if (!tf_caller_known(ra) && (!tf_module_walks_safe() || tf_module_inside(ra)))
        return 0;
    tf_call_ra = ra;
    tf_call_frame = frame;
    return 1;
}

/* The return address of the program's call in progress when this record is made inside it. */
static uintptr_t call_in_progress(void)
{
    uintptr_t ra = tf_call_ra;
    return ra && (uintptr_t)__builtin_frame_address(0) < tf_call_frame ? ra : 0;
}

/* ---- the process state ---- */

struct tf_state {
    struct tf_config config;
    struct tf_log log;
    struct tf_origin origin;
};

/* Threads that find no state build one each (the loser's is dropped), so no one waits. The first
 * builds come from this pool, not malloc: the first hook may be connect() in a signal handler. */
#define TF_STATE_POOL 4
static struct tf_state pool[TF_STATE_POOL];
static int pool_used;
static struct tf_state *state;

/* *heap says whether the state came from calloc (the pool's are never freed). */
static struct tf_state *state_alloc(int *heap)
{
    int i = __atomic_fetch_add(&pool_used, 1, __ATOMIC_RELAXED);
    *heap = i >= TF_STATE_POOL;
    return *heap ? calloc(1, sizeof(struct tf_state)) : &pool[i];
}

/* Reads a config file into the settings. A missing default file is normal; a missing file named
 * by TLSFLOOR_CONFIG is an error. The text is mapped, not copied. */
static void load_file(struct tf_config *c, const char *path, int must_exist)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    struct stat st;
    if (fd < 0) {
        /* The system config readable by root only: for everyone else that is how it is meant
         * to be, not an error for every program's stderr (said once, in the log sink only). */
        if (!must_exist && errno == EACCES && geteuid() != 0)
            tf_config_note(c, "cannot read config file %s: %s; settings from the environment apply",
                           path, strerror(errno));
        else if (must_exist || errno != ENOENT)
            tf_config_error(c, "cannot read config file %s: %s", path, strerror(errno));
        return;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        tf_config_error(c, "config file %s is not a regular file; ignored", path);
    } else if (st.st_size > TF_CONFIG_MAX_BYTES) {
        tf_config_error(c, "config file %s is larger than %d bytes; ignored", path, TF_CONFIG_MAX_BYTES);
    } else if (st.st_size > 0) {
        void *text = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (text != MAP_FAILED) {
            tf_config_parse_text(c, text, (size_t)st.st_size, path);
            munmap(text, (size_t)st.st_size);
        } else {
            tf_config_error(c, "cannot read config file %s: %s", path, strerror(errno));
        }
    }
    close(fd);
}

static const char *env_lookup(const char *name)
{
    return getenv(name);
}

/* entry_ra: the acting hook's return address (0: no hook is acting). */
static void emit_record(struct tf_state *st, const char *event, const struct tf_field *detail,
                        int ndetail, unsigned flags, uintptr_t caller_ip, uintptr_t entry_ra);

/* Config errors, once per process, by the thread whose state was published. */
static void report_config_errors(struct tf_state *st)
{
    const struct tf_config *c = &st->config;
    int shown = c->nerrors < TF_CONFIG_ERRORS ? c->nerrors : TF_CONFIG_ERRORS;
    for (int i = 0; i < shown; i++) {
        struct tf_field f[] = { TF_STR("message", c->errors[i]) };
        emit_record(st, TF_EV(config_error), f, 1, c->error_quiet[i] ? TF_QUIET : 0, 0, 0);
    }
    if (c->nerrors > shown) {
        struct tf_field f[] = { TF_STR("message", "further config errors not shown"),
                                TF_INT("count", c->nerrors - shown) };
        emit_record(st, TF_EV(config_error), f, 2, 0, 0, 0);
    }
}

static struct tf_state *state_build(void)
{
    int heap;
    struct tf_state *st = state_alloc(&heap);
    if (st == NULL)
        return NULL;
    int secure = getauxval(AT_SECURE) != 0;
    /* Secure execution: the environment belongs to whoever started us, not to the program. */
    const char *named = secure ? NULL : getenv(TF_SETTING_ENV(config));
    char err[600];

    tf_config_init(&st->config);
    if (named && named[0])
        load_file(&st->config, named, 1);
    else
        load_file(&st->config, TF_CONFIG_DEFAULT_PATH, 0);
    if (!secure)
        tf_config_apply_env(&st->config, env_lookup);
    tf_origin_init(&st->origin, "shim");
    /* Privileged: never write where someone else controls the path (tf_log_open checks it). */
    if (tf_log_open(&st->log, st->config.log, secure || geteuid() == 0, err, sizeof err) != 0)
        tf_config_error(&st->config, "%s", err);

    struct tf_state *none = NULL;
    if (!__atomic_compare_exchange_n(&state, &none, st, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        tf_log_close(&st->log);   /* another thread was first: use its state */
        if (heap)
            free(st);
        return none;
    }
    report_config_errors(st);
    return st;
}

/* The published state; NULL only when no memory could be had at all. */
static struct tf_state *state_get(void)
{
    struct tf_state *st = __atomic_load_n(&state, __ATOMIC_ACQUIRE);
    return st ? st : state_build();
}

/* Safe defaults when even that failed: enforce at TLS 1.2, no logging. */
static const struct tf_config *fallback_config(void)
{
    static struct tf_config c;
    static int ready;
    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
        tf_config_init(&c);   /* idempotent: racing threads write the same bytes */
        __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    }
    return &c;
}

const struct tf_config *tf_config(void)
{
    struct tf_state *st = state_get();
    return st ? &st->config : fallback_config();
}

int tf_enforcing(void)
{
    return tf_config()->mode == TF_MODE_ENFORCE;
}

/* ---- records ---- */

/* caller_ip: the saved return address of a call made earlier (0: find the caller now when
 * TF_CALLER); entry_ra: the acting hook's return address (0: no hook is acting). */
static void emit_record(struct tf_state *st, const char *event, const struct tf_field *detail,
                        int ndetail, unsigned flags, uintptr_t caller_ip, uintptr_t entry_ra)
{
    struct tf_caller_info info;
    struct tf_record r;
    tf_record_begin(&r, &st->origin, tf_mode_name(st->config.mode), event, detail, ndetail);
    r.quiet = (flags & TF_QUIET) != 0;
    if ((flags & TF_CALLER) && st->log.kind != TF_LOG_NONE) {   /* no unwinder for a log nobody reads */
        if (caller_ip)
            tf_caller_at(caller_ip, &info);
        else if (st->log.kind == TF_LOG_FILE)   /* JSON: every frame */
            tf_caller_capture_from(entry_ra, &info);
        else                                    /* one line: its first frame only */
            tf_caller_capture_first(entry_ra, &info);
        r.caller = &info.caller;
    }
    tf_log_write(&st->log, &r);   /* lock-free, never blocks; drops and counts what cannot go */
}

static void emit(const char *event, const struct tf_field *detail, int ndetail, unsigned flags,
                 uintptr_t caller_ip)
{
    struct tf_state *st = state_get();
    if (st == NULL || tf_inert)
        return;
    int saved = tf_depth;
    /* the acting hook's return address, or the program's handshake call: the record's site */
    uintptr_t entry_ra = saved > 0 ? tf_entry_ra : call_in_progress();
    tf_depth = 1;   /* whatever the record needs (unwinder, syslog, close) is internal */
    tf_watch_flush();
    emit_record(st, event, detail, ndetail, flags, caller_ip, entry_ra);
    tf_depth = saved;
}

void tf_emit(const char *event, const struct tf_field *detail, int ndetail, unsigned flags)
{
    emit(event, detail, ndetail, flags, 0);
}

void tf_emit_at(const char *event, const struct tf_field *detail, int ndetail, unsigned flags,
                uintptr_t caller_ip)
{
    emit(event, detail, ndetail, caller_ip ? flags | TF_CALLER : flags & ~(unsigned)TF_CALLER, caller_ip);
}

void tf_emit_intervention(const char *event, struct tf_field *detail, int ndetail, int applied)
{
    detail[ndetail] = (struct tf_field)TF_BOOL("applied", applied && tf_enforcing());
    tf_emit(event, detail, ndetail + 1, TF_CALLER);
}

/* At exit: connections still open and uncovered, records close() deferred, then no record is
 * left half-written when the process goes (other threads may still be logging). */
__attribute__((destructor)) static void on_exit_flush(void)
{
    struct tf_state *st = __atomic_load_n(&state, __ATOMIC_ACQUIRE);
    if (st == NULL || tf_inert)
        return;
    tf_depth = 1;
    tf_watch_exit();
    tf_watch_flush();
    tf_log_quiesce(&st->log);
}

void *tf_next_fn(void **slot, const char *name)
{
    void *p = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (p == NULL) {
        p = tf_real_dlsym(RTLD_NEXT, name);   /* never the hook (hooks_dlsym.c) */
        __atomic_store_n(slot, p, __ATOMIC_RELEASE);
    }
    return p;
}
