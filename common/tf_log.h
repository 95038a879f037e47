/* Where records go: stderr (readable), syslog, or a JSON Lines file. One write() per record. */
#ifndef TF_LOG_H
#define TF_LOG_H

#include <sys/types.h>

#include "tf_record.h"

enum tf_log_kind { TF_LOG_NONE, TF_LOG_STDERR, TF_LOG_SYSLOG, TF_LOG_FILE };

struct tf_log {
    enum tf_log_kind kind;
    int fd;                  /* TF_LOG_FILE: our descriptor, -1 when it could not be opened */
    dev_t dev;               /* identity of what we opened, to notice a host that closed and */
    ino_t ino;               /* reused our descriptor number */
    int regular;             /* a regular file: check free space before each record */
    char path[512];
};

/* Parses "stderr" | "syslog" | "none" | an absolute path; returns the kind it names, or -1 when
 * spec is not one of those (pure). */
int tf_log_spec_kind(const char *spec);

/* Opens the destination. On failure writes a reason to err, falls back to stderr, returns -1. */
int tf_log_open(struct tf_log *log, const char *spec, int privileged, char *err, size_t errlen);

/* At load: what fd 2 is now. */
void tf_log_stderr_note(void);

/* From the exit destructor: wait for writes in progress, drop later ones. */
void tf_log_quiesce(struct tf_log *log);

/* Emits one record with a single write() (never blocks: the file is O_NONBLOCK, a full pipe
 * or disk drops the record). stderr is skipped when fd 2 is closed or a socket. */
void tf_log_write(struct tf_log *log, const struct tf_record *r);

/* Who writes: the same for every record of a process (shim or provider). */
struct tf_origin {
    const char *tool;        /* "shim" or "provider" */
    char exe[512];
    char host[256];
};

/* Reads the program's path and the machine's name once. */
void tf_origin_init(struct tf_origin *o, const char *tool);

/* Starts a record: time, pid, and who writes; the caller adds caller frames if it wants them. */
void tf_record_begin(struct tf_record *r, const struct tf_origin *o, const char *mode, const char *event,
                     const struct tf_field *detail, int ndetail);

/* Closes the file after fork() in a child that should reopen, or at teardown. */
void tf_log_close(struct tf_log *log);

#endif
