/* Lazy process state of libtlsfloor.so: settings, log destination, record emission.
 * Nothing runs at load time: a process that never reaches a hook reads no file and opens nothing. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shim.h"
#include "tf_backtrace.h"
#include "tf_log.h"

__thread int tf_depth __attribute__((tls_model("initial-exec")));

static struct tf_config config;
static struct tf_log log_sink;
static struct tf_origin origin;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static const char *env_lookup(const char *name)
{
    return getenv(name);
}

/* Reads a config file into the settings. A missing default file is normal; a missing file named
 * by TLSFLOOR_CONFIG is an error. */
static void load_file(struct tf_config *c, const char *path, int must_exist)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    struct stat st;
    if (fd < 0) {
        if (must_exist || errno != ENOENT)
            tf_config_error(c, "cannot read config file %s: %s", path, strerror(errno));
        return;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        tf_config_error(c, "config file %s is not a regular file; ignored", path);
    } else if (st.st_size > TF_CONFIG_MAX_BYTES) {
        tf_config_error(c, "config file %s is larger than %d bytes; ignored", path, TF_CONFIG_MAX_BYTES);
    } else {
        char *text = malloc((size_t)st.st_size + 1);
        size_t got = 0;
        while (text && got < (size_t)st.st_size) {
            ssize_t n = read(fd, text + got, (size_t)st.st_size - got);
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        if (text)
            tf_config_parse_text(c, text, got, path);
        free(text);
    }
    close(fd);
}

static void emit_record(const char *event, const struct tf_field *detail, int ndetail, int with_caller);

static void before_fork(void);
static void after_fork(void);

static void init_state(void)
{
    int secure = getauxval(AT_SECURE) != 0;
    /* The locks exist from here on; before, a fork has nothing to protect. */
    pthread_atfork(before_fork, after_fork, after_fork);
    const char *named = secure ? NULL : getenv("TLSFLOOR_CONFIG");
    char err[600];

    tf_config_init(&config);
    if (named && named[0])
        load_file(&config, named, 1);
    else
        load_file(&config, TF_CONFIG_DEFAULT_PATH, 0);
    /* Secure execution: the environment belongs to whoever started us, not to the program. */
    if (!secure)
        tf_config_apply_env(&config, env_lookup);

    tf_origin_init(&origin, "shim");

    /* Privileged (setuid/setgid, or root): the log path is trusted only when no one else can
     * change it, and the fallback is syslog. */
    if (tf_log_open(&log_sink, config.log, secure || geteuid() == 0, err, sizeof err) != 0)
        tf_config_error(&config, "%s", err);

    int shown = config.nerrors < TF_CONFIG_ERRORS ? config.nerrors : TF_CONFIG_ERRORS;
    for (int i = 0; i < shown; i++) {
        struct tf_field f[] = { TF_STR("message", config.errors[i]) };
        emit_record("config_error", f, 1, 0);
    }
    if (config.nerrors > shown) {
        struct tf_field f[] = { TF_STR("message", "further config errors not shown"),
                                TF_INT("count", config.nerrors - shown) };
        emit_record("config_error", f, 2, 0);
    }
}

const struct tf_config *tf_config(void)
{
    pthread_once(&init_once, init_state);
    return &config;
}

int tf_enforcing(void)
{
    return tf_config()->mode == TF_MODE_ENFORCE;
}

void tf_emit(const char *event, const struct tf_field *detail, int ndetail, int with_caller)
{
    tf_config();
    emit_record(event, detail, ndetail, with_caller);
}

static void emit_record(const char *event, const struct tf_field *detail, int ndetail, int with_caller)
{
    struct tf_caller_info info;
    struct tf_record r;
    tf_record_begin(&r, &origin, tf_mode_name(config.mode), event, detail, ndetail);
    if (with_caller && log_sink.kind != TF_LOG_NONE) {   /* no unwinder for a log nobody reads */
        tf_caller_capture(&info);
        r.caller = &info.caller;
    }
    tf_log_write(&log_sink, &r);     /* lock-free, never blocks */
}

void tf_emit_intervention(const char *event, struct tf_field *detail, int ndetail)
{
    /* callers reserve the last slot for "applied" */
    detail[ndetail] = (struct tf_field)TF_BOOL("applied", tf_enforcing());
    tf_emit(event, detail, ndetail + 1, 1);
}

/* fork: a child must not inherit a held lock (call-site table). */
static void before_fork(void)
{
    tf_backtrace_fork_prepare();
}

static void after_fork(void)
{
    tf_backtrace_fork_release();
}

/* What fd 2 is, noted before the program can close it and reuse the number for a file of its
 * own (the stderr sink writes only while fd 2 is still that). One fstat(). */
__attribute__((constructor)) static void note_stderr(void)
{
    tf_log_stderr_note();
}

/* exit(): let records being written in other threads finish (at most ~100 ms), then drop new
 * ones, so no record is torn when exit_group kills those threads. Priority 101 runs it after
 * the library's other destructors (report_at_exit still logs). */
__attribute__((destructor(101))) static void quiesce_log(void)
{
    tf_log_quiesce(&log_sink);
}

void *tf_next_fn(void **slot, const char *name)
{
    void *p = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (p == NULL) {
        p = dlsym(RTLD_NEXT, name);
        __atomic_store_n(slot, p, __ATOMIC_RELEASE);
    }
    return p;
}
