/* The log sinks. Everything reachable from tf_log_write is a system call or pure code: no lock,
 * no malloc, no stdio, no time zone; a record that cannot go out now is counted and dropped.
 * Shared state lives in struct tf_log (and, for fd 2, in err2 below) and is only touched with
 * atomic operations. Why the file descriptor is handled as it is:
 *  - it sits at TF_LOG_FD_MIN or above (F_DUPFD_CLOEXEC), so a program that closed fd 1 or 2,
 *    or that uses the low numbers by convention, never meets it;
 *  - before each record the descriptor is checked to still be the file we opened (device and
 *    inode): a program that closed it, or dup2()ed over it, keeps its file; we reopen ours at a
 *    new number and never close a number the program may now own;
 *  - rotation swaps the new file in under the same number with dup3(), so a thread that loaded
 *    the number a moment earlier writes to one of our two files, never to a stranger. */
#define _GNU_SOURCE
#include "tf_log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "tf_json.h"

#define LOAD(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define ADD(p, v) __atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)
#define SUB(p, v) __atomic_sub_fetch((p), (v), __ATOMIC_SEQ_CST)
#define XCHG(p, v) __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define CAS(p, expected, v) \
    __atomic_compare_exchange_n((p), (expected), (v), 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)

#define OPEN_FLAGS (O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

int tf_log_spec_kind(const char *spec)
{
    if (spec == NULL || strcmp(spec, "stderr") == 0)
        return TF_LOG_STDERR;
    if (strcmp(spec, "syslog") == 0)
        return TF_LOG_SYSLOG;
    if (strcmp(spec, "none") == 0)
        return TF_LOG_NONE;
    if (spec[0] == '/' && strlen(spec) < sizeof ((struct tf_log *)0)->path)
        return TF_LOG_FILE;
    return -1;
}

/* ---- the privileged path rule ------------------------------------------------------------- */

const char *tf_log_step_refusal(const struct stat *st, enum tf_log_step step, int has_acl)
{
    int group_write = (st->st_mode & S_IWGRP) != 0;
    int others_write = (st->st_mode & S_IWOTH) != 0;
    /* With an ACL the group bits are the mask over named users and groups: any of them might
     * be the one allowed to write, whatever the owning group is. */
    int foreign_group_write = group_write && (st->st_gid != 0 || has_acl);
    if (step == TF_LOG_STEP_FILE) {
        if (!S_ISREG(st->st_mode) && !S_ISFIFO(st->st_mode))
            return "is not a regular file or FIFO";
        if (st->st_uid != 0)
            return "is not owned by root";
        if (others_write || foreign_group_write)
            return "is writable by users other than root";
        return NULL;
    }
    if (!S_ISDIR(st->st_mode))
        return "is not a directory";
    if (st->st_uid != 0)
        return "is a directory not owned by root";
    if (others_write || foreign_group_write) {
        /* In a sticky directory nobody else may rename or remove root's entries, so a root-owned
         * directory below it cannot be swapped: fine on the way, never as the log's own. */
        if ((st->st_mode & S_ISVTX) && step == TF_LOG_STEP_ANCESTOR)
            return NULL;
        return step == TF_LOG_STEP_DIR ? "is a directory writable by users other than root"
                                       : "is a directory writable by users other than root (and not sticky)";
    }
    return NULL;
}

/* Whether the object behind fd carries a POSIX access ACL; 1 when it cannot be told (the
 * caller then refuses). Only asked when a group-write bit is set on a gid-0 object. */
static int has_access_acl(int fd)
{
    char path[40];
    struct tf_buf b;
    tf_buf_init(&b, path, sizeof path);
    tf_buf_puts(&b, "/proc/self/fd/");
    tf_buf_dec(&b, fd);
    ssize_t n = getxattr(path, "system.posix_acl_access", NULL, 0);
    if (n >= 0)
        return 1;
    return !(errno == ENODATA || errno == ENOTSUP);
}

static const char *step_refusal(int fd, const struct stat *st, enum tf_log_step step)
{
    int acl = (st->st_mode & S_IWGRP) && st->st_gid == 0 && has_access_acl(fd);
    return tf_log_step_refusal(st, step, acl);
}

/* ---- opening ------------------------------------------------------------------------------ */

/* Why an open failed: static text or an errno, and how much of the path it concerns. */
struct open_failure {
    const char *why;        /* NULL: err says it */
    int err;
    size_t upto;            /* the path prefix [0, upto) is the culprit; 0: the whole path */
};

static int fail_with(struct open_failure *f, const char *why, int err, size_t upto)
{
    f->why = why;
    f->err = err;
    f->upto = upto;
    return -1;
}

/* Whether name (in directory dfd, or a path when dfd is AT_FDCWD) is a symbolic link. */
static int is_symlink_at(int dfd, const char *name)
{
    struct stat st;
    int fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    int link = fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode);
    if (fd >= 0)
        close(fd);
    return link;
}

/* Moves fd to TF_LOG_FD_MIN or above (close-on-exec); returns the new number or -1. */
static int move_high(int fd)
{
    if (fd < 0 || fd >= TF_LOG_FD_MIN)
        return fd;
    int high = fcntl(fd, F_DUPFD_CLOEXEC, TF_LOG_FD_MIN);
    int saved = errno;
    close(fd);
    errno = saved;
    return high;
}

/* The final open, in directory dfd (AT_FDCWD and a full path when unprivileged). */
static int open_final(int dfd, const char *name, size_t upto, struct stat *st, int privileged,
                      struct open_failure *f)
{
    int fd = openat(dfd, name, OPEN_FLAGS, 0644);
    if (fd < 0) {
        int err = errno;
        if (err == ELOOP && is_symlink_at(dfd, name))
            return fail_with(f, "is a symbolic link (never followed)", 0, upto);
        return fail_with(f, NULL, err, 0);
    }
    const char *why = NULL;
    if (fstat(fd, st) != 0)
        why = "cannot be examined";
    else if (privileged)
        why = step_refusal(fd, st, TF_LOG_STEP_FILE);
    else if (!S_ISREG(st->st_mode) && !S_ISFIFO(st->st_mode))
        why = "is not a regular file or FIFO";
    if (why) {
        close(fd);
        return fail_with(f, why, 0, upto);
    }
    if (S_ISREG(st->st_mode)) {
        /* Reading the last byte (is the last line whole?) needs a read-write description. Not
         * for a FIFO: as a reader of it we would hide that nobody else reads. A file we may
         * write but not read just goes without that repair. */
        struct stat rst;
        int rw = openat(dfd, name, (OPEN_FLAGS & ~O_WRONLY & ~O_CREAT) | O_RDWR);
        if (rw >= 0 && fstat(rw, &rst) == 0 && rst.st_dev == st->st_dev && rst.st_ino == st->st_ino) {
            close(fd);
            fd = rw;
        } else if (rw >= 0) {
            close(rw);
        }
    }
    fd = move_high(fd);
    return fd >= 0 ? fd : fail_with(f, NULL, errno, 0);
}

/* Privileged: from / down, one directory descriptor at a time (O_PATH, never following a link),
 * each examined before the next step is taken through it, so nothing can be swapped between
 * the check and the use. Components "." and ".." are refused: the path must name the place. */
static int open_walk(const char *path, struct stat *st, struct open_failure *f)
{
    int dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    const char *p = path;
    if (dfd < 0)
        return fail_with(f, NULL, errno, 0);
    for (;;) {
        struct stat ds;
        const char *why;
        while (*p == '/')
            p++;
        const char *end = strchr(p, '/');
        const char *rest = end;
        while (rest && *rest == '/')
            rest++;
        int last_dir = end == NULL || *rest == '\0' || strchr(rest, '/') == NULL;
        /* p is the component to step into next; dfd (the directory that holds it) is checked
         * here, as the log's own directory when p is the file name. */
        if (fstat(dfd, &ds) != 0) {
            close(dfd);
            return fail_with(f, NULL, errno, 0);
        }
        why = step_refusal(dfd, &ds, end == NULL ? TF_LOG_STEP_DIR : TF_LOG_STEP_ANCESTOR);
        if (why) {
            close(dfd);
            return fail_with(f, why, 0, p == path + 1 ? 1 : (size_t)(p - path - 1));
        }
        (void)last_dir;
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char name[256];
        if (len == 0 || (end && *rest == '\0')) {
            close(dfd);
            return fail_with(f, "names a directory", 0, 0);
        }
        if (len >= sizeof name) {
            close(dfd);
            return fail_with(f, NULL, ENAMETOOLONG, 0);
        }
        memcpy(name, p, len);
        name[len] = '\0';
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
            close(dfd);
            return fail_with(f, "contains a \".\" or \"..\" component", 0, 0);
        }
        size_t upto = (size_t)(p - path) + len;
        if (end == NULL) {
            int fd = open_final(dfd, name, upto, st, 1, f);
            close(dfd);
            return fd;
        }
        int next = openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0) {
            int err = errno;
            int link = (err == ENOTDIR || err == ELOOP) && is_symlink_at(dfd, name);
            close(dfd);
            return link ? fail_with(f, "is a symbolic link (never followed)", 0, upto) : fail_with(f, NULL, err, 0);
        }
        close(dfd);
        dfd = next;
        p = end;
    }
}

/* Opens path for appending under the rules of tf_log_open; the descriptor is >= TF_LOG_FD_MIN. */
static int open_checked(const char *path, int privileged, struct stat *st, struct open_failure *f)
{
    f->why = NULL;
    f->err = 0;
    f->upto = 0;
    if (privileged)
        return open_walk(path, st, f);
    return open_final(AT_FDCWD, path, strlen(path), st, 0, f);
}

/* ---- processes and threads ---------------------------------------------------------------- */

/* Logs whose counters must be reset in a forked child: a thread that was writing (or reopening)
 * in the parent does not exist there, and would otherwise hold the child's exit for 100 ms or
 * keep it from ever reopening. */
#define REGISTRY 16
static struct tf_log *registry[REGISTRY];
static int atfork_registered;

static void after_fork_child(void)
{
    for (int i = 0; i < REGISTRY; i++) {
        struct tf_log *log = LOAD(&registry[i]);
        if (log) {
            STORE(&log->writers, 0);
            STORE(&log->busy, 0);
        }
    }
}

static void log_register(struct tf_log *log)
{
    int expected = 0;
    if (CAS(&atfork_registered, &expected, 1))
        pthread_atfork(NULL, NULL, after_fork_child);
    for (int i = 0; i < REGISTRY; i++) {
        struct tf_log *none = NULL;
        if (CAS(&registry[i], &none, log)) {
            log->registered = i + 1;
            return;
        }
    }
}

static void log_unregister(struct tf_log *log)
{
    int slot = log->registered - 1;
    struct tf_log *self = log;
    if (slot >= 0 && slot < REGISTRY)
        CAS(&registry[slot], &self, NULL);
    log->registered = 0;
}

/* Seconds of a clock that costs no system call (vDSO); it only paces the rotation check. */
static long coarse_seconds(void)
{
    struct timespec t;
    if (clock_gettime(CLOCK_MONOTONIC_COARSE, &t) != 0 && clock_gettime(CLOCK_MONOTONIC, &t) != 0)
        return 0;
    return (long)t.tv_sec;
}

/* ---- stderr ------------------------------------------------------------------------------- */

enum { ERR2_UNKNOWN, ERR2_NEVER, ERR2_DIRECT, ERR2_REOPEN };

/* What fd 2 was when the library was loaded. A pipe, FIFO or terminal is written through a
 * description of our own, opened for each record (O_NONBLOCK: a full pipe drops the record;
 * per record, so that we never hold a writer open on the program's pipe after it let go of it:
 * `out=$(daemon 2>&1)` would wait for us). A regular file is written through fd 2 itself. */
static struct {
    int state;              /* atomic; dev and ino are set before it becomes DIRECT or REOPEN */
    dev_t dev;
    ino_t ino;
} err2;

void tf_log_stderr_note(void)
{
    struct stat st;
    int state = ERR2_NEVER;
    if (LOAD(&err2.state) != ERR2_UNKNOWN)
        return;
    if (fstat(STDERR_FILENO, &st) == 0) {
        if (S_ISREG(st.st_mode))
            state = ERR2_DIRECT;
        else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))
            state = ERR2_REOPEN;
        err2.dev = st.st_dev;
        err2.ino = st.st_ino;
    }
    int expected = ERR2_UNKNOWN;
    CAS(&err2.state, &expected, state);
}

/* 1 written, 0 dropped, -1 not for us (fd 2 is no longer what it was). */
static int write_stderr(const char *line, size_t n)
{
    int state = LOAD(&err2.state);
    struct stat st;
    ssize_t w;
    if (state != ERR2_DIRECT && state != ERR2_REOPEN)
        return -1;
    if (fstat(STDERR_FILENO, &st) != 0 || st.st_dev != err2.dev || st.st_ino != err2.ino)
        return -1;
    if (state == ERR2_DIRECT) {
        w = write(STDERR_FILENO, line, n);
    } else {
        int fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0) {
            if (fstat(fd, &st) != 0 || st.st_dev != err2.dev || st.st_ino != err2.ino) {
                close(fd);
                return -1;
            }
            w = write(fd, line, n);
            if (w > 0 && (size_t)w < n) {           /* a terminal took part: end that line */
                ssize_t ignored = write(fd, "\n", 1);
                (void)ignored;
            }
            close(fd);
        } else if (errno == ENXIO) {
            return 0;                               /* a FIFO nobody reads any more */
        } else {
            /* No /proc (or not allowed to use it): write through fd 2 only when there is room
             * for a whole page and a reader. A race with another writer can still fill it. */
            struct pollfd p = { STDERR_FILENO, POLLOUT, 0 };
            if (poll(&p, 1, 0) != 1 || (p.revents & (POLLERR | POLLHUP)) || !(p.revents & POLLOUT))
                return 0;
            w = write(STDERR_FILENO, line, n);
        }
    }
    return w >= 0 && (size_t)w == n;
}

/* ---- files -------------------------------------------------------------------------------- */

static int same_target(const struct tf_log_target *t, const struct stat *st)
{
    return t->ino == st->st_ino && t->dev == st->st_dev;
}

/* The target st belongs to (the current one or the one just before it), or NULL. fstat must
 * come before this: a file swapped in by rotation is published before the swap. */
static const struct tf_log_target *known_target(struct tf_log *log, const struct stat *st)
{
    unsigned g = LOAD(&log->gen);
    if (same_target(&log->target[g & 3], st))
        return &log->target[g & 3];
    if (same_target(&log->target[(g - 1) & 3], st))
        return &log->target[(g - 1) & 3];
    return NULL;
}

/* Opens the path again. keep_number: rotation; the new file replaces the old one under the same
 * descriptor number (if that number still holds our old file). Otherwise the file gets a new
 * number and the old one is left alone: it is no longer ours. One thread at a time; a thread
 * that finds another reopening gives up at once (its record is dropped, never waits). */
static int reopen(struct tf_log *log, int keep_number)
{
    int idle = 0;
    struct open_failure f;
    struct stat st, cur_st;
    int rc = -1;
    if (!CAS(&log->busy, &idle, 1))
        return -1;
    int fd = open_checked(log->path, log->privileged, &st, &f);
    if (fd >= 0) {
        unsigned g = LOAD(&log->gen);
        struct tf_log_target *t = &log->target[(g + 1) & 3];
        t->dev = st.st_dev;
        t->ino = st.st_ino;
        t->regular = S_ISREG(st.st_mode);
        STORE(&log->gen, g + 1);
        int cur = LOAD(&log->fd);
        if (keep_number && cur >= 0 && fstat(cur, &cur_st) == 0 && same_target(&log->target[g & 3], &cur_st)) {
            if (dup3(fd, cur, O_CLOEXEC) == cur)
                rc = 0;
            close(fd);
        } else {
            STORE(&log->fd, fd);
            rc = 0;
        }
    }
    STORE(&log->busy, 0);
    return rc;
}

/* Once a second at most: does the path still name our file? (logrotate: rename and create,
 * or remove.) copytruncate needs nothing: O_APPEND writes follow the new end. */
static void check_rotation(struct tf_log *log)
{
    long now = coarse_seconds();
    long next = LOAD(&log->next_check);
    struct stat st;
    if (now < next || !CAS(&log->next_check, &next, now + 1))
        return;
    if (LOAD(&log->fd) < 0) {
        reopen(log, 0);
        return;
    }
    int pfd = open(log->path, O_PATH | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    int same = 0;
    if (pfd >= 0) {
        unsigned g = LOAD(&log->gen);
        same = fstat(pfd, &st) == 0 && same_target(&log->target[g & 3], &st);
        close(pfd);
    }
    if (!same)
        reopen(log, 1);
}

/* Our descriptor, checked to still be our file (st filled); -1 when there is none now. */
static int checked_fd(struct tf_log *log, struct stat *st, const struct tf_log_target **t)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int fd = LOAD(&log->fd);
        if (fd < 0)
            return -1;
        if (fstat(fd, st) == 0 && (*t = known_target(log, st)) != NULL)
            return fd;
        /* Closed or replaced by the program: that number is its own now. Forget it (only if
         * nobody did already) and open the file again at a new number. */
        int seen = fd;
        if (CAS(&log->fd, &seen, -1) && reopen(log, 0) != 0)
            return -1;
    }
    return -1;
}

/* Whether the file was last modified a second ago or more (on the kernel's coarse clock, which
 * stamps the modification time). */
static int settled(const struct stat *st)
{
    struct timespec now;
    if (clock_gettime(CLOCK_REALTIME_COARSE, &now) != 0 && clock_gettime(CLOCK_REALTIME, &now) != 0)
        return 0;
    return now.tv_sec - st->st_mtim.tv_sec > 1 ||
           (now.tv_sec - st->st_mtim.tv_sec == 1 && now.tv_nsec >= st->st_mtim.tv_nsec);
}

/* buf[0] is free for a newline; the record is buf[1..n]. 1 written, 0 dropped. */
static int write_file(struct tf_log *log, char *buf, size_t n)
{
    struct stat st;
    const struct tf_log_target *t = NULL;
    char *line = buf + 1;
    check_rotation(log);
    int fd = checked_fd(log, &st, &t);
    if (fd < 0)
        return 0;
    if (t->regular) {
        /* Whole or not at all: n bytes free in whole blocks always hold n more bytes of file. */
        struct statvfs vfs;
        char last;
        if (fstatvfs(fd, &vfs) == 0 && (unsigned long long)vfs.f_bavail * vfs.f_frsize < n + 1)
            return 0;
        /* A writer killed in the middle of a record (SIGKILL, a crash) left a line without its
         * end: end it, so this record is a line of its own. But a file being written right now
         * also ends mid-record for a moment (another writer is copying its record in, page by
         * page); a newline then would leave an empty line. So only a file untouched for a
         * second is looked at: a live writer never takes that long (and the pread is skipped
         * while the log is busy). exit() tears nothing: see tf_log_quiesce. */
        if (st.st_size > 0 && settled(&st) && pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n') {
            line = buf;
            line[0] = '\n';
            n++;
        }
    } else {
        /* A FIFO: never write without a reader (SIGPIPE would kill the program). */
        struct pollfd p = { fd, POLLOUT, 0 };
        if (poll(&p, 1, 0) != 1 || (p.revents & (POLLERR | POLLHUP)) || !(p.revents & POLLOUT))
            return 0;
    }
    ssize_t w = write(fd, line, n);
    if (w > 0 && (size_t)w < n) {
        /* Cut short (a full disk won a race, a signal): end the line so the next record stays
         * whole; this one is lost. */
        ssize_t ignored = write(fd, "\n", 1);
        (void)ignored;
        return 0;
    }
    return w >= 0 && (size_t)w == n;
}

/* ---- the sink ----------------------------------------------------------------------------- */

static void fall_back(struct tf_log *log, int privileged)
{
    log->kind = privileged ? TF_LOG_SYSLOG : TF_LOG_STDERR;
}

int tf_log_open(struct tf_log *log, const char *spec, int privileged, char *err, size_t errlen)
{
    const char *fallback = privileged ? "logging to syslog" : "logging to stderr";
    int kind = tf_log_spec_kind(spec);
    struct open_failure f;
    struct stat st;
    if (log->registered)
        log_unregister(log);
    memset(log, 0, sizeof *log);
    log->fd = -1;
    log->privileged = privileged;
    if (err && errlen)
        err[0] = '\0';
    tf_log_stderr_note();       /* in case the constructor did not run (a no-op when it did) */
    if (kind < 0) {
        snprintf(err, errlen, "log destination \"%.200s\" is not stderr, syslog, none or an absolute path; %s",
                 spec, fallback);
        fall_back(log, privileged);
        log_register(log);
        return -1;
    }
    log->kind = (enum tf_log_kind)kind;
    if (kind == TF_LOG_FILE) {
        snprintf(log->path, sizeof log->path, "%s", spec);
        int fd = open_checked(log->path, privileged, &st, &f);
        if (fd < 0) {
            if (f.why == NULL)
                snprintf(err, errlen, "cannot open log file %s: %s; %s", log->path, strerror(f.err), fallback);
            else if (f.upto == 0 || f.upto >= strlen(log->path))
                snprintf(err, errlen, "log file %s %s; refused, %s", log->path, f.why, fallback);
            else
                snprintf(err, errlen, "log file %s refused: %.*s %s; %s", log->path, (int)f.upto, log->path,
                         f.why, fallback);
            log->path[0] = '\0';
            fall_back(log, privileged);
            log_register(log);
            return -1;
        }
        log->target[0].dev = st.st_dev;
        log->target[0].ino = st.st_ino;
        log->target[0].regular = S_ISREG(st.st_mode);
        log->next_check = coarse_seconds() + 1;
        STORE(&log->fd, fd);
    }
    log_register(log);
    return 0;
}

void tf_log_write(struct tf_log *log, const struct tf_record *r)
{
    enum tf_log_kind kind = log->kind;
    if (kind == TF_LOG_NONE || (kind == TF_LOG_STDERR && r->quiet))
        return;
    int saved_errno = errno;
    ADD(&log->writers, 1);
    if (LOAD(&log->quiesced)) {
        SUB(&log->writers, 1);
        errno = saved_errno;
        return;
    }
    struct tf_record rec = *r;
    char buf[TF_LOG_MAX + 1];
    size_t n;
    int written = 0;
    rec.dropped = XCHG(&log->dropped, 0UL);
    switch (kind) {
    case TF_LOG_FILE:
        n = tf_record_json(&rec, buf + 1, TF_LOG_MAX);
        written = n > 0 ? write_file(log, buf, n) : 0;
        break;
    case TF_LOG_SYSLOG:
        n = tf_record_text(&rec, buf, TF_LOG_MAX);
        if (n > 0)
            buf[n - 1] = '\0';
        syslog(LOG_USER | LOG_NOTICE, "%s", buf);
        written = 1;
        break;
    case TF_LOG_STDERR:
        n = tf_record_text(&rec, buf, TF_LOG_MAX);
        written = n > 0 ? write_stderr(buf, n) : 0;
        break;
    case TF_LOG_NONE:
        break;
    }
    if (written == 0)
        ADD(&log->dropped, rec.dropped + 1);
    else if (written < 0 && rec.dropped)
        ADD(&log->dropped, rec.dropped);    /* not dropped: fd 2 is simply not ours to use */
    SUB(&log->writers, 1);
    errno = saved_errno;
}

void tf_log_quiesce(struct tf_log *log)
{
    STORE(&log->quiesced, 1);
    for (int i = 0; i < 100 && LOAD(&log->writers) > 0; i++) {
        struct timespec ms = { 0, 1000000L };
        nanosleep(&ms, NULL);
    }
}

void tf_log_close(struct tf_log *log)
{
    int fd = XCHG(&log->fd, -1);
    if (log->kind == TF_LOG_FILE && fd >= 0)
        close(fd);
    if (log->registered)
        log_unregister(log);
}

void tf_origin_init(struct tf_origin *o, const char *tool)
{
    o->tool = tool;
    ssize_t n = readlink("/proc/self/exe", o->exe, sizeof o->exe - 1);
    o->exe[n > 0 ? n : 0] = '\0';
    if (gethostname(o->host, sizeof o->host - 1) != 0)
        o->host[0] = '\0';
    o->host[sizeof o->host - 1] = '\0';
}

void tf_record_begin(struct tf_record *r, const struct tf_origin *o, const char *mode, const char *event,
                     const struct tf_field *detail, int ndetail)
{
    memset(r, 0, sizeof *r);
    clock_gettime(CLOCK_REALTIME, &r->ts);
    r->pid = (long)getpid();
    r->host = o->host[0] ? o->host : NULL;
    r->exe = o->exe;
    r->tool = o->tool;
    r->mode = mode;
    r->event = event;
    r->detail = detail;
    r->ndetail = ndetail;
}
