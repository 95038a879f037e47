#include "tf_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

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

static int open_file(struct tf_log *log, char *err, size_t errlen)
{
    /* O_NONBLOCK: a FIFO without reader fails now (ENXIO) instead of hanging the host, and a
     * full pipe drops records rather than blocking it. */
    int fd = open(log->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0644);
    struct stat st;
    if (fd < 0) {
        snprintf(err, errlen, "cannot open log file %s: %s", log->path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
        snprintf(err, errlen, "log path %s is not a file", log->path);
        close(fd);
        return -1;
    }
    log->fd = fd;
    log->regular = S_ISREG(st.st_mode);
    log->dev = st.st_dev;
    log->ino = st.st_ino;
    return 0;
}

int tf_log_open(struct tf_log *log, const char *spec, int privileged, char *err, size_t errlen)
{
    (void)privileged;
    int kind = tf_log_spec_kind(spec);
    memset(log, 0, sizeof *log);
    log->fd = -1;
    if (err && errlen)
        err[0] = '\0';
    if (kind < 0) {
        snprintf(err, errlen, "log destination \"%.200s\" is not stderr, syslog, none or an absolute path",
                 spec);
        log->kind = TF_LOG_STDERR;
        return -1;
    }
    log->kind = (enum tf_log_kind)kind;
    if (kind != TF_LOG_FILE)
        return 0;
    snprintf(log->path, sizeof log->path, "%s", spec);
    if (open_file(log, err, errlen) != 0) {
        log->kind = TF_LOG_STDERR;
        return -1;
    }
    return 0;
}

/* The host may have closed our descriptor and reused its number (daemons close every fd):
 * never write into whatever now sits there. */
static int file_still_ours(struct tf_log *log)
{
    struct stat st;
    if (log->fd >= 0 && fstat(log->fd, &st) == 0 && st.st_dev == log->dev && st.st_ino == log->ino)
        return 1;
    log->fd = -1;
    char ignored[8];
    return open_file(log, ignored, sizeof ignored) == 0;
}

static int stderr_usable(void)
{
    struct stat st;
    return fstat(STDERR_FILENO, &st) == 0 && !S_ISSOCK(st.st_mode);
}

/* A record goes in whole or not at all: a nearly full file system would otherwise take part of
 * it and glue the next record to the torn line. Free space is checked first (n bytes free in
 * whole blocks always hold n more bytes of file); if a write still comes up short (another
 * writer won the race), a newline ends the torn line so later records stay parseable. */
static void write_whole(int fd, int regular, const char *line, size_t n)
{
    struct statvfs vfs;
    if (regular && fstatvfs(fd, &vfs) == 0 &&
        (unsigned long long)vfs.f_bavail * vfs.f_frsize < n)
        return;   /* dropped: the disk is full */
    ssize_t w = write(fd, line, n);
    if (w > 0 && (size_t)w < n) {
        ssize_t ignored = write(fd, "\n", 1);
        (void)ignored;
    }
}

void tf_log_write(struct tf_log *log, const struct tf_record *r)
{
    char line[TF_LOG_MAX];
    size_t n;
    ssize_t ignored;
    switch (log->kind) {
    case TF_LOG_NONE:
        return;
    case TF_LOG_FILE:
        if (!file_still_ours(log))
            return;
        n = tf_record_json(r, line, sizeof line);
        write_whole(log->fd, log->regular, line, n);
        return;
    case TF_LOG_SYSLOG:
        n = tf_record_text(r, line, sizeof line);
        if (n > 0)
            line[n - 1] = '\0';
        syslog(LOG_USER | LOG_NOTICE, "%s", line);
        return;
    case TF_LOG_STDERR:
        if (r->quiet || !stderr_usable())
            return;
        n = tf_record_text(r, line, sizeof line);
        ignored = write(STDERR_FILENO, line, n);
        break;
    }
    (void)ignored;
}

void tf_log_close(struct tf_log *log)
{
    if (log->kind == TF_LOG_FILE && log->fd >= 0)
        close(log->fd);
    log->fd = -1;
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

void tf_log_stderr_note(void)
{
}

void tf_log_quiesce(struct tf_log *log)
{
    (void)log;
}
