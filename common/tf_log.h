/* Where records go: stderr (readable), syslog, or a JSON Lines file. One write() per record.
 *
 * tf_log_write is safe from any number of threads at once without a lock (none is taken
 * inside, none needs to be held by the caller), from signal handlers, and never blocks: a record
 * that cannot be written now is dropped and counted, and the next record written carries the
 * count ("dropped":N, dropped=N). It uses no malloc, no stdio and no time zone functions; errno
 * is preserved. The syslog kind calls syslog(), which may wait for the system logger. */
#ifndef TF_LOG_H
#define TF_LOG_H

#include <sys/stat.h>
#include <sys/types.h>

#include "tf_record.h"

enum tf_log_kind { TF_LOG_NONE, TF_LOG_STDERR, TF_LOG_SYSLOG, TF_LOG_FILE };

#define TF_LOG_FD_MIN 10     /* our descriptors live at or above this, away from 0-2 and the low
                                numbers a program opens or dup2()s by convention */

/* What a file log descriptor is known to refer to. */
struct tf_log_target {
    dev_t dev;
    ino_t ino;
    int regular;             /* a regular file (not a FIFO) */
};

struct tf_log {
    enum tf_log_kind kind;
    int privileged;          /* opened under the privileged rules; reopening keeps them */
    /* TF_LOG_FILE. Every field below is read and written with atomic operations. */
    int fd;                  /* our descriptor (>= TF_LOG_FD_MIN), -1 when none */
    unsigned gen;            /* target[gen % 4] describes fd (target[(gen - 1) % 4] did before) */
    struct tf_log_target target[4];
    long next_check;         /* coarse monotonic second at which the path is looked at again */
    int busy;                /* a reopen is in progress */
    int writers;             /* tf_log_write calls in progress */
    int quiesced;            /* tf_log_quiesce ran: nothing more is written */
    unsigned long dropped;   /* records dropped since the last one written */
    int registered;          /* slot in the fork registry + 1, 0 when not registered */
    char path[512];
};

/* Parses "stderr" | "syslog" | "none" | an absolute path; returns the kind it names, or -1 when
 * spec is not one of those (pure). */
int tf_log_spec_kind(const char *spec);

/* Opens the destination. privileged: secure execution (getauxval(AT_SECURE)) or geteuid() == 0.
 * A file is never reached through a symbolic link, and must be a regular file or a FIFO.
 * Privileged, the path is also walked from / holding each directory open (no symbolic link
 * anywhere; every directory owned by root and writable by nobody else, except that an ancestor
 * may be a sticky directory like /tmp; the file owned by root and writable by nobody else).
 * Returns 0, or -1 with the reason and the fallback in err ("...; logging to stderr" when
 * unprivileged, "...; logging to syslog" when privileged) and that fallback in place. */
int tf_log_open(struct tf_log *log, const char *spec, int privileged, char *err, size_t errlen);

/* Emits one record (see the top of this file). A file is reopened when its path names another
 * file (rotation: looked at no more than about once a second) or when the program closed or
 * replaced our descriptor; a record for a regular file whose last byte is not a newline (a
 * writer killed mid-record) starts with one. stderr is written only while fd 2 is what it was
 * when tf_log_stderr_note ran, never when it was closed or a socket then, and never blocks:
 * a pipe or terminal is written through a non-blocking description of its own. r->quiet
 * records never go to stderr. */
void tf_log_write(struct tf_log *log, const struct tf_record *r);

/* Notes what fd 2 is. Call once when the library is loaded (constructor), before the program
 * can have reused a closed fd 2 for a file of its own. */
void tf_log_stderr_note(void);

/* For the exit path (destructor): waits, at most about 100 ms, for writes in progress in other
 * threads, and from then on drops every record, so exit() never tears one. */
void tf_log_quiesce(struct tf_log *log);

/* Closes the file (teardown, after tf_log_quiesce when other threads may still write). */
void tf_log_close(struct tf_log *log);

/* The privileged rule for one step of a log path (pure): NULL when st may be trusted, otherwise
 * why not. has_acl: the object carries a POSIX access ACL (its group bits are then a mask over
 * named users and groups too). */
enum tf_log_step { TF_LOG_STEP_ANCESTOR, TF_LOG_STEP_DIR, TF_LOG_STEP_FILE };
const char *tf_log_step_refusal(const struct stat *st, enum tf_log_step step, int has_acl);

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

#endif
