/* The log sinks (common/tf_log.c): the privileged path rule, opening, the descriptor's number
 * and identity, drop counting, newline repair, rotation, quiescing, and the stderr sink. Every
 * test runs in its own process (Check forks), in its own folder under /tmp. The privileged
 * walk is exercised only as root (it needs chown). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "tf_log.h"

/* base: made by the runner before the tests (each runs in a forked child) and removed after
 * them, whatever they did; dir: one test's own folder in it. */
static char base[64], dir[96];

static void make_base(void)
{
    snprintf(base, sizeof base, "/tmp/tf-test-log.XXXXXX");
    if (mkdtemp(base) == NULL)
        abort();
}

static void remove_base(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", base);
}

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "%s/t.XXXXXX", base);
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static const char *at(const char *name)
{
    static char paths[4][256];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, 256, "%s/%s", dir, name);
    return p;
}

static void put_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    ck_assert_int_eq(chmod(path, mode), 0);
}

static char *slurp(const char *path)
{
    static char buf[1 << 16];
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static struct tf_record record(const char *event)
{
    static struct tf_field d[] = { TF_STR("old", "TLSv1.1"), TF_STR("new", "TLSv1.3") };
    struct tf_record r = { .ts = { 1795813445, 0 }, .pid = 42, .exe = "/bin/x", .tool = "shim",
                           .mode = "enforce", .event = event, .detail = d, .ndetail = 2 };
    return r;
}

static void emit(struct tf_log *log, const char *event)
{
    struct tf_record r = record(event);
    tf_log_write(log, &r);
}

/* ---- the rule, pure ---- */

START_TEST(step_rule)
{
    struct stat st;
    memset(&st, 0, sizeof st);
    st.st_mode = S_IFDIR | 0755;
    ck_assert_ptr_null(tf_log_step_refusal(&st, TF_LOG_STEP_DIR, 0));
    st.st_uid = 65534;
    ck_assert_ptr_nonnull(tf_log_step_refusal(&st, TF_LOG_STEP_ANCESTOR, 0));
    st.st_uid = 0;
    st.st_mode = S_IFDIR | 0775;                         /* group root may write */
    ck_assert_ptr_null(tf_log_step_refusal(&st, TF_LOG_STEP_DIR, 0));
    ck_assert_ptr_nonnull(tf_log_step_refusal(&st, TF_LOG_STEP_DIR, 1));   /* ...unless an ACL */
    st.st_gid = 100;
    ck_assert_ptr_nonnull(tf_log_step_refusal(&st, TF_LOG_STEP_DIR, 0));
    st.st_gid = 0;
    st.st_mode = S_IFDIR | 01777;                        /* /tmp */
    ck_assert_ptr_null(tf_log_step_refusal(&st, TF_LOG_STEP_ANCESTOR, 0));
    ck_assert_ptr_nonnull(tf_log_step_refusal(&st, TF_LOG_STEP_DIR, 0));
    st.st_mode = S_IFDIR | 0777;                         /* not sticky: never */
    ck_assert_ptr_nonnull(tf_log_step_refusal(&st, TF_LOG_STEP_ANCESTOR, 0));
    st.st_mode = S_IFREG | 0644;
    ck_assert_ptr_null(tf_log_step_refusal(&st, TF_LOG_STEP_FILE, 0));
    ck_assert_ptr_nonnull(tf_log_step_refusal(&st, TF_LOG_STEP_DIR, 0));
    st.st_mode = S_IFREG | 0666;
    ck_assert_ptr_nonnull(tf_log_step_refusal(&st, TF_LOG_STEP_FILE, 0));
    st.st_mode = S_IFREG | 0644;
    st.st_uid = 1000;
    ck_assert_ptr_nonnull(tf_log_step_refusal(&st, TF_LOG_STEP_FILE, 0));
    st.st_uid = 0;
    st.st_mode = S_IFIFO | 0600;
    ck_assert_ptr_null(tf_log_step_refusal(&st, TF_LOG_STEP_FILE, 0));
    st.st_mode = S_IFCHR | 0600;
    ck_assert_ptr_nonnull(tf_log_step_refusal(&st, TF_LOG_STEP_FILE, 0));
}
END_TEST

/* ---- opening, unprivileged ---- */

START_TEST(never_follows_a_symlink)
{
    struct tf_log log;
    char err[700];
    make_dir();
    put_file(at("target"), "precious\n", 0644);
    ck_assert_int_eq(symlink(at("target"), at("link.jsonl")), 0);
    ck_assert_int_eq(tf_log_open(&log, at("link.jsonl"), 0, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "symbolic link"));
    ck_assert_ptr_nonnull(strstr(err, "logging to stderr"));
    ck_assert_int_eq(log.kind, TF_LOG_STDERR);
    ck_assert_str_eq(slurp(at("target")), "precious\n");
    /* a dangling link: nothing is created where it points */
    ck_assert_int_eq(symlink(at("new"), at("dangling.jsonl")), 0);
    ck_assert_int_eq(tf_log_open(&log, at("dangling.jsonl"), 0, err, sizeof err), -1);
    ck_assert_int_eq(access(at("new"), F_OK), -1);
    /* privileged: the fallback is syslog */
    ck_assert_int_eq(tf_log_open(&log, at("link.jsonl"), 1, err, sizeof err), -1);
    ck_assert_int_eq(log.kind, TF_LOG_SYSLOG);
    ck_assert_ptr_nonnull(strstr(err, "logging to syslog"));
    remove_dir();
}
END_TEST

START_TEST(only_files_and_fifos)
{
    struct tf_log log;
    char err[700];
    make_dir();
    ck_assert_int_eq(mkdir(at("d"), 0755), 0);
    ck_assert_int_eq(tf_log_open(&log, at("d"), 0, err, sizeof err), -1);
    ck_assert_int_eq(tf_log_open(&log, "/dev/null", 0, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "not a regular file or FIFO"));
    ck_assert_int_eq(mkfifo(at("fifo"), 0600), 0);
    ck_assert_int_eq(tf_log_open(&log, at("fifo"), 0, err, sizeof err), -1);    /* no reader */
    ck_assert_ptr_nonnull(strstr(err, "cannot open log file"));
    int reader = open(at("fifo"), O_RDONLY | O_NONBLOCK);
    ck_assert_int_ge(reader, 0);
    ck_assert_int_eq(tf_log_open(&log, at("fifo"), 0, err, sizeof err), 0);
    emit(&log, "on_fifo");
    char buf[8192];
    ssize_t n = read(reader, buf, sizeof buf - 1);
    ck_assert_int_gt(n, 0);
    buf[n] = '\0';
    ck_assert_ptr_nonnull(strstr(buf, "\"event\":\"on_fifo\""));
    tf_log_close(&log);
    close(reader);
    remove_dir();
}
END_TEST

START_TEST(descriptor_is_high)
{
    struct tf_log log;
    char err[700];
    make_dir();
    close(1);      /* the lowest free numbers: 1 (and whatever else is free below 10) */
    ck_assert_int_eq(tf_log_open(&log, at("log.jsonl"), 0, err, sizeof err), 0);
    ck_assert_int_ge(log.fd, TF_LOG_FD_MIN);
    ck_assert_int_eq(fcntl(1, F_GETFD), -1);      /* nothing left behind on 1 */
    ck_assert_int_eq(fcntl(log.fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    int fd = open(at("program.out"), O_WRONLY | O_CREAT, 0644);
    ck_assert_int_eq(fd, 1);                      /* the program's stdout, as it expects */
    emit(&log, "one");
    ck_assert_str_eq(slurp(at("program.out")), "");
    ck_assert_int_eq(count(slurp(at("log.jsonl")), "\"event\":\"one\""), 1);
    remove_dir();
}
END_TEST

START_TEST(errno_is_kept)
{
    struct tf_log log;
    char err[700];
    make_dir();
    ck_assert_int_eq(tf_log_open(&log, at("log.jsonl"), 0, err, sizeof err), 0);
    errno = EILSEQ;
    emit(&log, "one");
    ck_assert_int_eq(errno, EILSEQ);
    remove_dir();
}
END_TEST

/* ---- writing ---- */

/* Sets the file's modification time seconds_ago into the past. */
static void age(const char *path, int seconds_ago)
{
    struct timespec t[2];
    clock_gettime(CLOCK_REALTIME, &t[0]);
    t[0].tv_sec -= seconds_ago;
    t[1] = t[0];
    ck_assert_int_eq(utimensat(AT_FDCWD, path, t, 0), 0);
}

START_TEST(torn_line_is_ended)
{
    struct tf_log log;
    char err[700];
    make_dir();
    put_file(at("log.jsonl"), "{\"ts\":\"2026-11-27T21:04:05.123Z\",\"pid\":7,\"ev", 0644);
    age(at("log.jsonl"), 2);                        /* its writer died two seconds ago */
    ck_assert_int_eq(tf_log_open(&log, at("log.jsonl"), 0, err, sizeof err), 0);
    emit(&log, "after_torn");
    emit(&log, "next");
    const char *text = slurp(at("log.jsonl"));
    ck_assert_ptr_nonnull(strstr(text, "\"ev\n{\"ts\":"));
    ck_assert_int_eq(count(text, "\n{\"ts\""), 2);   /* each record at the start of a line */
    ck_assert_int_eq(count(text, "\n\n"), 0);        /* and no empty line */
    remove_dir();
}
END_TEST

/* A file that ends mid-record and was written just now has a writer copying its record in at
 * this moment: no newline is added (it would become an empty line when that record ends). */
START_TEST(live_tail_is_left_alone)
{
    struct tf_log log;
    char err[700];
    make_dir();
    put_file(at("log.jsonl"), "{\"ts\":\"2026-11-27T21:04:05.123Z\",\"pid\":7,\"ev", 0644);
    ck_assert_int_eq(tf_log_open(&log, at("log.jsonl"), 0, err, sizeof err), 0);
    emit(&log, "after");
    ck_assert_ptr_nonnull(strstr(slurp(at("log.jsonl")), "\"ev{\"ts\":"));
    remove_dir();
}
END_TEST

START_TEST(full_fifo_drops_and_counts)
{
    struct tf_log log;
    char err[700], buf[1 << 16];
    make_dir();
    ck_assert_int_eq(mkfifo(at("fifo"), 0600), 0);
    int reader = open(at("fifo"), O_RDONLY | O_NONBLOCK);
    ck_assert_int_eq(tf_log_open(&log, at("fifo"), 0, err, sizeof err), 0);
    ck_assert_int_ge(fcntl(reader, F_SETPIPE_SZ, 4096), 4096);
    int filler = open(at("fifo"), O_WRONLY | O_NONBLOCK);
    while (write(filler, "xxxxxxxxxxxxxxxx", 16) == 16)
        ;
    for (int i = 0; i < 5; i++)
        emit(&log, "lost");                          /* never blocks: dropped */
    while (read(reader, buf, sizeof buf) > 0)
        ;
    emit(&log, "found");
    ssize_t n = read(reader, buf, sizeof buf - 1);
    ck_assert_int_gt(n, 0);
    buf[n] = '\0';
    ck_assert_ptr_nonnull(strstr(buf, "\"event\":\"found\",\"dropped\":5,"));
    ck_assert_ptr_null(strstr(buf, "lost"));
    emit(&log, "again");
    n = read(reader, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    ck_assert_ptr_null(strstr(buf, "dropped"));       /* the count was reported once */
    /* The reader goes away: dropped, and no SIGPIPE kills us (Check would see the signal). */
    close(reader);
    emit(&log, "no_reader");
    close(filler);
    remove_dir();
}
END_TEST

START_TEST(dup2_over_the_descriptor)
{
    struct tf_log log;
    char err[700];
    make_dir();
    ck_assert_int_eq(tf_log_open(&log, at("log.jsonl"), 0, err, sizeof err), 0);
    emit(&log, "before");
    int old = log.fd;
    put_file(at("data"), "program data\n", 0644);
    int data = open(at("data"), O_WRONLY | O_APPEND);
    ck_assert_int_eq(dup2(data, old), old);          /* the program takes the number over */
    emit(&log, "after");
    ck_assert_str_eq(slurp(at("data")), "program data\n");
    ck_assert_int_eq(count(slurp(at("log.jsonl")), "\"event\":\"after\""), 1);
    ck_assert_int_ne(log.fd, old);
    ck_assert_int_ge(log.fd, TF_LOG_FD_MIN);
    ck_assert_int_eq(fcntl(old, F_GETFD) >= 0, 1);   /* and keeps it: we never close it */
    /* closed by the program (a daemon closing every descriptor): reopened, still high */
    close(log.fd);
    emit(&log, "after_close");
    ck_assert_int_eq(count(slurp(at("log.jsonl")), "\"event\":\"after_close\""), 1);
    ck_assert_int_ge(log.fd, TF_LOG_FD_MIN);
    remove_dir();
}
END_TEST

START_TEST(rotation)
{
    struct tf_log log;
    char err[700];
    make_dir();
    ck_assert_int_eq(tf_log_open(&log, at("log.jsonl"), 0, err, sizeof err), 0);
    int fd = log.fd;
    emit(&log, "first");
    ck_assert_int_eq(rename(at("log.jsonl"), at("log.jsonl.1")), 0);      /* logrotate "create" */
    put_file(at("log.jsonl"), "", 0644);
    usleep(2100 * 1000);                   /* past the once-a-second check */
    emit(&log, "second");
    emit(&log, "third");
    ck_assert_int_eq(count(slurp(at("log.jsonl.1")), "\"event\""), 1);
    ck_assert_int_eq(count(slurp(at("log.jsonl")), "\"event\""), 2);
    ck_assert_int_eq(log.fd, fd);          /* same number, new file */
    /* removed without a new file: created again */
    ck_assert_int_eq(unlink(at("log.jsonl")), 0);
    usleep(2100 * 1000);
    emit(&log, "fourth");
    ck_assert_int_eq(count(slurp(at("log.jsonl")), "\"event\":\"fourth\""), 1);
    /* copytruncate: the next record goes at the new end, no hole of zeros before it */
    ck_assert_int_eq(truncate(at("log.jsonl"), 0), 0);
    emit(&log, "fifth");
    const char *text = slurp(at("log.jsonl"));
    ck_assert_int_eq(strncmp(text, "{\"ts\"", 5), 0);
    ck_assert_int_eq(count(text, "\"event\""), 1);
    remove_dir();
}
END_TEST

START_TEST(quiesce_stops_writing)
{
    struct tf_log log;
    char err[700];
    make_dir();
    ck_assert_int_eq(tf_log_open(&log, at("log.jsonl"), 0, err, sizeof err), 0);
    emit(&log, "before");
    tf_log_quiesce(&log);
    emit(&log, "after");
    ck_assert_int_eq(count(slurp(at("log.jsonl")), "\"event\""), 1);
    remove_dir();
}
END_TEST

/* ---- stderr ---- */

static struct tf_log stderr_log(void)
{
    struct tf_log log;
    char err[700];
    ck_assert_int_eq(tf_log_open(&log, "stderr", 0, err, sizeof err), 0);
    return log;
}

START_TEST(stderr_full_pipe_never_blocks)
{
    int p[2];
    char buf[1 << 16];
    ck_assert_int_eq(pipe(p), 0);
    ck_assert_int_ge(fcntl(p[1], F_SETPIPE_SZ, 4096), 4096);
    dup2(p[1], 2);
    close(p[1]);
    tf_log_stderr_note();
    struct tf_log log = stderr_log();
    int flags = fcntl(2, F_GETFL);
    for (int i = 0; i < 200; i++)
        emit(&log, "filler");                        /* blocks forever if it ever blocks */
    ck_assert_int_eq(fcntl(2, F_GETFL), flags);      /* the program's fd 2 is untouched */
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    while (read(p[0], buf, sizeof buf) > 0)
        ;
    struct tf_record r = record("found");
    r.quiet = 1;
    tf_log_write(&log, &r);                          /* quiet: never on stderr */
    emit(&log, "found");
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    ck_assert_int_gt(n, 0);
    buf[n] = '\0';
    ck_assert_int_eq(count(buf, "found"), 1);
    ck_assert_ptr_nonnull(strstr(buf, " dropped="));
    ck_assert_int_eq(buf[n - 1], '\n');
}
END_TEST

START_TEST(stderr_changed_is_left_alone)
{
    int p[2];
    make_dir();
    ck_assert_int_eq(pipe(p), 0);
    dup2(p[1], 2);
    tf_log_stderr_note();
    struct tf_log log = stderr_log();
    int data = open(at("data"), O_WRONLY | O_CREAT, 0644);
    dup2(data, 2);                                   /* the program points fd 2 elsewhere */
    emit(&log, "not_there");
    ck_assert_str_eq(slurp(at("data")), "");
    remove_dir();
}
END_TEST

START_TEST(stderr_closed_at_start)
{
    make_dir();
    close(2);
    tf_log_stderr_note();                            /* the constructor saw it closed */
    int data = open(at("data"), O_WRONLY | O_CREAT, 0644);
    ck_assert_int_eq(data, 2);                       /* the program's own file lands on 2 */
    struct tf_log log = stderr_log();
    emit(&log, "not_there");
    ck_assert_str_eq(slurp(at("data")), "");
    remove_dir();
}
END_TEST

START_TEST(stderr_regular_file)
{
    make_dir();
    int data = open(at("err"), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(data, 2);
    tf_log_stderr_note();
    struct tf_log log = stderr_log();
    emit(&log, "here");
    ck_assert_str_eq(slurp(at("err")), "tlsfloor[42]: here old=TLSv1.1 new=TLSv1.3\n");
    remove_dir();
}
END_TEST

/* ---- the privileged walk (root only) ---- */

START_TEST(privileged_walk)
{
    struct tf_log log;
    char err[700], path[300];
    if (geteuid() != 0) {
        fprintf(stderr, "privileged_walk: not root, only the unprivileged checks ran\n");
        return;
    }
    make_dir();    /* /tmp (sticky, an ancestor) / root 0700 */
    ck_assert_int_eq(tf_log_open(&log, at("ok.jsonl"), 1, err, sizeof err), 0);
    emit(&log, "ok");
    tf_log_close(&log);
    ck_assert_int_eq(count(slurp(at("ok.jsonl")), "\"event\":\"ok\""), 1);
    /* a service user's directory */
    ck_assert_int_eq(mkdir(at("svc"), 0755), 0);
    ck_assert_int_eq(chown(at("svc"), 65534, 65534), 0);
    snprintf(path, sizeof path, "%s/x.jsonl", at("svc"));
    ck_assert_int_eq(tf_log_open(&log, path, 1, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "not owned by root"));
    ck_assert_int_eq(log.kind, TF_LOG_SYSLOG);
    ck_assert_int_eq(access(path, F_OK), -1);        /* nothing created there */
    /* a sticky world-writable directory: only as an ancestor */
    ck_assert_int_eq(mkdir(at("sticky"), 0755), 0);
    ck_assert_int_eq(chmod(at("sticky"), 01777), 0);
    snprintf(path, sizeof path, "%s/x.jsonl", at("sticky"));
    ck_assert_int_eq(tf_log_open(&log, path, 1, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "writable by users other than root"));
    snprintf(path, sizeof path, "%s/sub", at("sticky"));
    ck_assert_int_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/sub/x.jsonl", at("sticky"));
    ck_assert_int_eq(tf_log_open(&log, path, 1, err, sizeof err), 0);
    tf_log_close(&log);
    /* a symbolic link on the way */
    ck_assert_int_eq(symlink(at("sticky"), at("link")), 0);
    snprintf(path, sizeof path, "%s/sub/x.jsonl", at("link"));
    ck_assert_int_eq(tf_log_open(&log, path, 1, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "symbolic link"));
    ck_assert_int_eq(tf_log_open(&log, path, 0, err, sizeof err), 0);   /* unprivileged: fine */
    tf_log_close(&log);
    /* group-writable: only for group root */
    ck_assert_int_eq(mkdir(at("g0"), 0775), 0);
    ck_assert_int_eq(chmod(at("g0"), 0775), 0);
    snprintf(path, sizeof path, "%s/x.jsonl", at("g0"));
    ck_assert_int_eq(tf_log_open(&log, path, 1, err, sizeof err), 0);
    tf_log_close(&log);
    ck_assert_int_eq(chown(at("g0"), 0, 65534), 0);
    ck_assert_int_eq(tf_log_open(&log, path, 1, err, sizeof err), -1);
    /* the file itself: another owner, or writable by others */
    put_file(at("mine.jsonl"), "", 0644);
    ck_assert_int_eq(chown(at("mine.jsonl"), 65534, 65534), 0);
    ck_assert_int_eq(tf_log_open(&log, at("mine.jsonl"), 1, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "not owned by root"));
    put_file(at("open.jsonl"), "", 0666);
    ck_assert_int_eq(tf_log_open(&log, at("open.jsonl"), 1, err, sizeof err), -1);
    ck_assert_int_eq(tf_log_open(&log, at("open.jsonl"), 0, err, sizeof err), 0);
    tf_log_close(&log);
    /* . and .. are refused: the path must name the place */
    snprintf(path, sizeof path, "%s/../%s", at("g0"), "ok.jsonl");
    ck_assert_int_eq(tf_log_open(&log, path, 1, err, sizeof err), -1);
    remove_dir();
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, step_rule);
    tcase_add_test(tc, never_follows_a_symlink);
    tcase_add_test(tc, only_files_and_fifos);
    tcase_add_test(tc, descriptor_is_high);
    tcase_add_test(tc, errno_is_kept);
    tcase_add_test(tc, torn_line_is_ended);
    tcase_add_test(tc, live_tail_is_left_alone);
    tcase_add_test(tc, full_fifo_drops_and_counts);
    tcase_add_test(tc, dup2_over_the_descriptor);
    tcase_add_test(tc, rotation);
    tcase_add_test(tc, quiesce_stops_writing);
    tcase_add_test(tc, stderr_full_pipe_never_blocks);
    tcase_add_test(tc, stderr_changed_is_left_alone);
    tcase_add_test(tc, stderr_closed_at_start);
    tcase_add_test(tc, stderr_regular_file);
    tcase_add_test(tc, privileged_walk);
    tcase_set_timeout(tc, 30);
    tcase_add_unchecked_fixture(tc, make_base, remove_base);
    suite_add_tcase(s, tc);
    return s;
}
CHECK_MAIN(make_suite)
