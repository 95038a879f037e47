/* The OAuth bridge's token command: `/bin/sh -c CMD` with TLSFLOOR_OAUTH_USER/HOST/PROTOCOL in
 * its environment, the first line of its standard output is the token. Thin on purpose: the
 * exchange itself is common/tf_bridge.c.
 *
 * Safe in a threaded host: posix_spawn (glibc runs the child on a vfork-like clone: no fork
 * handler, no malloc in the child), every descriptor of ours close-on-exec, the child in its own
 * process group (a time-out kills the command and whatever it started), reaped by its own pid
 * only (waitpid(pid), never -1: the host's other children stay the host's). Under secure
 * execution the child runs with the real user and group (POSIX_SPAWN_RESETIDS; exec then makes
 * the saved ids the real ones too), never as the setuid/setgid identity.
 *
 * Tokens are cached per user, host and protocol in a small table claimed slot by slot with
 * compare-and-swap (no lock: see DEVELOPERS.md); a busy slot is a miss, never a wait. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oauth_token.h"

extern char **environ;

#define CACHE_SLOTS 8
enum { SLOT_FREE, SLOT_BUSY, SLOT_READY };

struct cached_token {
    int state;
    int proto;
    char user[TF_BRIDGE_USER];
    char host[256];
    char token[TF_BRIDGE_TOKEN];
};

static struct cached_token cache[CACHE_SLOTS];
static unsigned cache_next;

static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

static int claim(struct cached_token *e, int from)
{
    return __atomic_compare_exchange_n(&e->state, &from, SLOT_BUSY, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static void release(struct cached_token *e, int to)
{
    __atomic_store_n(&e->state, to, __ATOMIC_RELEASE);
}

static int same_key(const struct cached_token *e, const char *user, const char *host, int proto)
{
    return e->proto == proto && !strcmp(e->user, user) && !strcmp(e->host, host);
}

/* A cached token for the key (copied to out), or with drop, the cached one is forgotten. */
static size_t cache_find(const char *user, const char *host, int proto, int drop, char *out, size_t cap)
{
    for (int i = 0; i < CACHE_SLOTS; i++) {
        struct cached_token *e = &cache[i];
        if (!claim(e, SLOT_READY))
            continue;
        if (!same_key(e, user, host, proto)) {
            release(e, SLOT_READY);
            continue;
        }
        size_t n = 0;
        if (drop) {
            wipe(e, sizeof *e - sizeof e->state);
            release(e, SLOT_FREE);
            return 0;
        }
        n = strlen(e->token);
        if (n < cap) {
            memcpy(out, e->token, n + 1);
        } else {
            n = 0;
        }
        release(e, SLOT_READY);
        return n;
    }
    return 0;
}

static void cache_store(const char *user, const char *host, int proto, const char *token)
{
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < CACHE_SLOTS; i++) {
            /* first a free slot; then one taken in turn */
            struct cached_token *e = &cache[pass ? __atomic_fetch_add(&cache_next, 1, __ATOMIC_RELAXED) % CACHE_SLOTS : (unsigned)i];
            if (!claim(e, pass ? SLOT_READY : SLOT_FREE))
                continue;
            e->proto = proto;
            snprintf(e->user, sizeof e->user, "%s", user);
            snprintf(e->host, sizeof e->host, "%s", host);
            snprintf(e->token, sizeof e->token, "%s", token);
            release(e, SLOT_READY);
            return;
        }
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The child's environment: the program's, without TLSFLOOR_OAUTH_*, plus the three. */
static int make_env(char **envp, int max, char vars[3][300], const char *user, const char *host, const char *proto)
{
    int n = 0;
    snprintf(vars[0], sizeof vars[0], "TLSFLOOR_OAUTH_USER=%s", user);
    snprintf(vars[1], sizeof vars[1], "TLSFLOOR_OAUTH_HOST=%s", host);
    snprintf(vars[2], sizeof vars[2], "TLSFLOOR_OAUTH_PROTOCOL=%s", proto);
    for (int i = 0; i < 3; i++)
        envp[n++] = vars[i];
    for (char **e = environ; e && *e && n < max - 1; e++)
        if (strncmp(*e, "TLSFLOOR_OAUTH_", 15) != 0)
            envp[n++] = *e;
    envp[n] = NULL;
    return n;
}

/* Reads the command's output up to its first line (or its end, or the deadline). A command that
 * leaves a helper behind holding the pipe (gpg-agent) is not waited for past its first line. */
static size_t read_first_line(int fd, long deadline, char *out, size_t cap, int *timed_out)
{
    size_t n = 0;
    while (n < cap - 1) {
        long left = deadline - now_ms();
        struct pollfd p = { fd, POLLIN, 0 };
        if (left <= 0) {
            *timed_out = 1;
            break;
        }
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            *timed_out = r == 0;
            break;
        }
        ssize_t k = read(fd, out + n, cap - 1 - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        char *nl = memchr(out + n, '\n', (size_t)k);
        if (nl) {
            n = (size_t)(nl - out);
            break;
        }
        n += (size_t)k;
    }
    if (n && out[n - 1] == '\r')
        n--;
    wipe(out + n, cap - n);
    return n;
}

/* Waits for the command (by its pid only) until the deadline, then kills its group. Returns
 * its exit status, 0 when the host reaped it first (SIGCHLD ignored: the status is gone), -1
 * when it failed or was killed. */
static int reap(pid_t pid, long deadline)
{
    int status = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return 0;
        if (now_ms() >= deadline)
            break;
        struct timespec ms10 = { 0, 10 * 1000 * 1000 };
        nanosleep(&ms10, NULL);
    }
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return -1;
}

static size_t run_command(const char *cmd, int timeout_s, const char *user, const char *host,
                          const char *proto, char *out, size_t cap, const char **why)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        *why = "token command: no pipe";
        return 0;
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, defaults;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawnattr_init(&at);
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGCHLD);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &defaults);
    posix_spawnattr_setpgroup(&at, 0);
    short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (getauxval(AT_SECURE))
        flags |= POSIX_SPAWN_RESETIDS;   /* the real user's identity, never the setuid one */
    posix_spawnattr_setflags(&at, flags);
    char *envp[1024], vars[3][300];
    make_env(envp, 1024, vars, user, host, proto);
    char *argv[] = { (char *)"sh", (char *)"-c", (char *)cmd, NULL };
    pid_t pid;
    int err = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    wipe(vars, sizeof vars);
    close(fds[1]);
    if (err != 0) {
        close(fds[0]);
        *why = "token command: cannot run /bin/sh";
        return 0;
    }
    long deadline = now_ms() + (long)timeout_s * 1000;
    int timed_out = 0;
    size_t n = read_first_line(fds[0], deadline, out, cap, &timed_out);
    close(fds[0]);
    int status = reap(pid, timed_out ? 0 : deadline);
    if (timed_out)
        *why = "token command timed out";
    else if (status != 0)
        *why = "token command failed";
    else if (n == 0)
        *why = "token command printed nothing";
    if (timed_out || status != 0 || n == 0) {
        wipe(out, cap);
        return 0;
    }
    return n;
}

size_t tf_oauth_token(const struct tf_config *c, const char *user, const char *host, enum tf_proto proto,
                      int refresh, char *out, size_t cap, const char **why)
{
    static const char *names[] = { "", "imap", "pop3", "smtp" };
    const char *pname = names[proto <= TF_PROTO_SMTP ? proto : 0];
    *why = NULL;
    if (!c->oauth_token_command[0]) {
        *why = "no token command";
        return 0;
    }
    size_t n = cache_find(user, host, (int)proto, refresh, out, cap);
    if (n)
        return n;
    n = run_command(c->oauth_token_command, c->oauth_token_timeout, user, host, pname, out, cap, why);
    if (n)
        cache_store(user, host, (int)proto, out);
    return n;
}
