/* hostile: host programs that do what real programs do and tlsfloor must survive (issue 10).
 *
 *   hostile tls [--ca FILE] CONN...     connections on ONE context, in order; CONN is
 *       host:port[,sni=NAME][,verify=none|peer][,accept-all][,check=NAME]
 *       (host resolved with getaddrinfo; accept-all: a verify callback that returns 1;
 *       check: SSL_set1_host). Prints "conn N: ok VERSION" or "conn N: failed REASON".
 *   hostile longjmp HOST PORT           each step guarded by alarm(1) + siglongjmp (a common
 *       timeout idiom; SIGUSR1 jumps too, see jumpwrite.c): a rewritten lookup, a
 *       TLSv1_client_method connection; then the same again without any guard. Prints
 *       "step ...: ..." lines; exit 0 when the last lookup resolved and the last connection
 *       negotiated >= TLS 1.2.
 *   hostile gai-many NAME N              getaddrinfo_a(GAI_WAIT) with N requests for NAME (each
 *       name its own strdup), then checks every ar_name is the program's own pointer and
 *       frees them.
 *   hostile fork-locks PORT N            4 threads make watched connections (connect/close)
 *       and 2 make getaddrinfo_a lookups while the main thread forks N children that each make a
 *       watched connection and a gai_error() call (alarm(3): a child stuck on a lock
 *       inherited held dies of SIGALRM).
 *   hostile signal-close PORT N          a watched socket is closed from a SIGALRM handler
 *       while the main thread makes TLS connections to PORT (and logs them), N times.
 *   hostile implicit HOST PORT           SSL_set_connect_state, then SSL_CONF_cmd MaxProtocol
 *       TLSv1.1, then SSL_write: the implicit handshake must negotiate >= TLS 1.2.
 *   hostile uncovered-fork PORT K        one plaintext connection to PORT left open, then K
 *       forked children that exit(); the parent exits last.
 *   hostile plain PORT                   connects to PORT, sends "QUIT\r\n", reads to the end.
 * Exit status: 0 as described, 3 a check failed, 2 usage. */
#define _GNU_SOURCE
#define OPENSSL_SUPPRESS_DEPRECATED
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

static int usage(void)
{
    fprintf(stderr, "usage: see the comment at the top of hostile.c\n");
    return 2;
}

/* ---- plumbing ---- */

static int tcp_to(const char *host, int port)
{
    struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res = NULL;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    if (getaddrinfo(host, service, &hints, &res) != 0)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

static int loopback(int port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static const char *last_error(void)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    return r ? r : "no OpenSSL error";
}

static int accept_all(int ok, X509_STORE_CTX *x)
{
    (void)ok;
    (void)x;
    return 1;
}

/* ---- tls ---- */

struct conn_spec {
    char host[256], sni[256], check[256];
    int port, peer, accept;
};

static int parse_conn(const char *text, struct conn_spec *c)
{
    char buf[1024];
    memset(c, 0, sizeof *c);
    snprintf(buf, sizeof buf, "%s", text);
    char *save = NULL, *tok = strtok_r(buf, ",", &save);
    char *colon = tok ? strrchr(tok, ':') : NULL;
    if (!colon)
        return -1;
    *colon = '\0';
    snprintf(c->host, sizeof c->host, "%s", tok);
    c->port = atoi(colon + 1);
    while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
        if (!strncmp(tok, "sni=", 4))
            snprintf(c->sni, sizeof c->sni, "%s", tok + 4);
        else if (!strncmp(tok, "check=", 6))
            snprintf(c->check, sizeof c->check, "%s", tok + 6);
        else if (!strcmp(tok, "verify=peer"))
            c->peer = 1;
        else if (!strcmp(tok, "verify=none"))
            c->peer = 0;
        else if (!strcmp(tok, "accept-all"))
            c->accept = 1;
        else
            return -1;
    }
    return 0;
}

static int one_tls(SSL_CTX *ctx, const struct conn_spec *c, int n)
{
    int fd = tcp_to(c->host, c->port);
    if (fd < 0) {
        printf("conn %d: failed connect %s:%d\n", n, c->host, c->port);
        return -1;
    }
    SSL *s = SSL_new(ctx);
    SSL_set_fd(s, fd);
    if (c->sni[0])
        SSL_set_tlsext_host_name(s, c->sni);
    SSL_set_verify(s, c->peer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, c->accept ? accept_all : NULL);
    if (c->check[0])
        SSL_set1_host(s, c->check);
    int rc = SSL_connect(s) == 1 ? 0 : -1;
    if (rc == 0)
        printf("conn %d: ok %s\n", n, SSL_get_version(s));
    else
        printf("conn %d: failed %s\n", n, last_error());
    ERR_clear_error();
    SSL_shutdown(s);
    SSL_free(s);
    close(fd);
    return rc;
}

static int cmd_tls(int argc, char **argv)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    int failed = 0, n = 0;
    for (int i = 2; i < argc; i++) {
        struct conn_spec c;
        if (!strcmp(argv[i], "--ca") && i + 1 < argc) {
            if (SSL_CTX_load_verify_locations(ctx, argv[++i], NULL) != 1)
                return usage();
            continue;
        }
        if (parse_conn(argv[i], &c) != 0)
            return usage();
        if (one_tls(ctx, &c, ++n) != 0)
            failed = 1;
    }
    SSL_CTX_free(ctx);
    return failed ? 3 : 0;
}

/* ---- longjmp ---- */

static sigjmp_buf jump;
static volatile sig_atomic_t jumping;

static void jump_out(int sig)
{
    (void)sig;
    if (jumping)
        siglongjmp(jump, 1);
}

/* A pinned connection to host:port; returns the negotiated version or 0. */
static int pinned_connection(const char *host, int port)
{
    SSL_CTX *ctx = SSL_CTX_new(TLSv1_client_method());
    int fd = tcp_to(host, port), v = 0;
    if (ctx && fd >= 0) {
        SSL *s = SSL_new(ctx);
        SSL_set_fd(s, fd);
        SSL_set_tlsext_host_name(s, host);
        if (SSL_connect(s) == 1)
            v = SSL_version(s);
        SSL_free(s);
    }
    if (fd >= 0)
        close(fd);
    SSL_CTX_free(ctx);
    ERR_clear_error();
    return v;
}

#define GUARDED(label, stmt)                                          \
    do {                                                              \
        jumping = 1;                                                  \
        alarm(1);                                                     \
        if (sigsetjmp(jump, 1) == 0) {                                \
            stmt;                                                     \
            printf("step %s: done\n", label);                         \
        } else {                                                      \
            printf("step %s: interrupted by the timeout\n", label);   \
        }                                                             \
        alarm(0);                                                     \
        jumping = 0;                                                  \
    } while (0)

static int cmd_longjmp(const char *host, int port)
{
    struct addrinfo *res = NULL;
    volatile int v = 0;
    signal(SIGALRM, jump_out);
    signal(SIGUSR1, jump_out);
    GUARDED("lookup", if (getaddrinfo(host, NULL, NULL, &res) == 0) freeaddrinfo(res));
    GUARDED("pinned connection", v = pinned_connection(host, port));
    /* Nothing guards these: the floor must hold and the name be rewritten. */
    res = NULL;
    int lookup = getaddrinfo(host, NULL, NULL, &res);
    printf("step lookup after: %s\n", lookup == 0 ? "resolved" : gai_strerror(lookup));
    if (res)
        freeaddrinfo(res);
    v = pinned_connection(host, port);
    printf("step pinned connection after: version 0x%x\n", v);
    return lookup == 0 && v >= TLS1_2_VERSION ? 0 : 3;
}

/* ---- getaddrinfo_a ---- */

static int cmd_gai_many(const char *name, int n)
{
    struct gaicb **list = calloc((size_t)n, sizeof *list);
    char **names = calloc((size_t)n, sizeof *names);
    for (int i = 0; i < n; i++) {
        list[i] = calloc(1, sizeof **list);
        names[i] = strdup(name);
        list[i]->ar_name = names[i];
    }
    int r = getaddrinfo_a(GAI_WAIT, list, n, NULL), bad = 0, resolved = 0;
    for (int i = 0; i < n; i++) {
        if (list[i]->ar_name != names[i])
            bad++;
        if (gai_error(list[i]) == 0) {
            resolved++;
            freeaddrinfo(list[i]->ar_result);
        }
        free((void *)list[i]->ar_name);   /* the program frees what it allocated */
        free(list[i]);
    }
    free(list);
    free(names);
    printf("gai-many: %d requests, getaddrinfo_a=%d, %d resolved, %d not given back\n", n, r, resolved, bad);
    return r == 0 && resolved == n && bad == 0 ? 0 : 3;
}

/* ---- fork with threads busy in tlsfloor ---- */

static int busy_port;
static atomic_int stop;

static void *busy_connecting(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        int fd = loopback(busy_port);
        if (fd >= 0)
            close(fd);
    }
    return NULL;
}

static void *busy_resolving(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        struct gaicb req = { .ar_name = "legacy.test" }, *list[1] = { &req };
        if (getaddrinfo_a(GAI_WAIT, list, 1, NULL) == 0 && gai_error(&req) == 0)
            freeaddrinfo(req.ar_result);
    }
    return NULL;
}

/* What a forked child of a threaded program may do: glibc's own name lookups are not fork-safe
 * here (a child of threads busy in getaddrinfo_a hangs in getaddrinfo, with or without
 * tlsfloor), so the child makes a watched connection and calls gai_error() on a finished request
 * (tlsfloor's getaddrinfo_a bookkeeping): only tlsfloor's own state could block those. */
static void child_round(void)
{
    int fd = loopback(busy_port);
    if (fd >= 0)
        close(fd);
    struct gaicb done = { .ar_name = "legacy.test" };
    gai_error(&done);
}

static int cmd_fork_locks(int port, int n)
{
    pthread_t t[6];
    int failed = 0;
    busy_port = port;
    for (int i = 0; i < 6; i++)
        pthread_create(&t[i], NULL, i < 4 ? busy_connecting : busy_resolving, NULL);
    for (int k = 0; k < n; k++) {
        pid_t pid = fork();
        if (pid == 0) {
            alarm(3);
            child_round();
            _exit(0);
        }
        int st;
        if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            printf("child %d: %s\n", k, pid < 0 ? "fork failed" : "stuck (killed by SIGALRM)");
            failed++;
        }
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < 6; i++)
        pthread_join(t[i], NULL);
    printf("fork-locks: %d children, %d failed\n", n, failed);
    return failed ? 3 : 0;
}

/* ---- close() in a signal handler, while the main thread makes TLS connections (their
 * handshake records are written from inside libssl's callback) ---- */

static volatile int victim = -1;

static void close_victim(int sig)
{
    (void)sig;
    if (victim >= 0)
        close(victim);
    victim = -1;
}

static int cmd_signal_close(int port, int n)
{
    struct sigaction sa = { .sa_handler = close_victim, .sa_flags = SA_RESTART };
    sigaction(SIGALRM, &sa, NULL);
    for (int k = 0; k < n; k++) {
        victim = loopback(port);
        struct itimerval it = { { 0, 0 }, { 0, 50 + (k % 7) * 37 } };
        setitimer(ITIMER_REAL, &it, NULL);
        while (victim >= 0) {
            SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
            int fd = loopback(port);
            SSL *s = SSL_new(ctx);
            SSL_set_fd(s, fd);
            SSL_connect(s);
            SSL_free(s);
            SSL_CTX_free(ctx);
            close(fd);
        }
    }
    printf("signal-close: %d sockets closed in a signal handler\n", n);
    return 0;
}

/* ---- implicit handshake ---- */

static int cmd_implicit(const char *host, int port)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    int fd = tcp_to(host, port);
    if (!ctx || fd < 0)
        return 3;
    SSL *s = SSL_new(ctx);
    SSL_set_fd(s, fd);
    SSL_set_connect_state(s);
    SSL_CONF_CTX *cc = SSL_CONF_CTX_new();
    SSL_CONF_CTX_set_flags(cc, SSL_CONF_FLAG_CLIENT | SSL_CONF_FLAG_FILE);
    SSL_CONF_CTX_set_ssl(cc, s);
    int conf = SSL_CONF_cmd(cc, "MaxProtocol", "TLSv1.1");
    SSL_CONF_CTX_free(cc);
    int w = SSL_write(s, "2\n", 2);
    printf("implicit: SSL_CONF_cmd=%d SSL_write=%d version=%s%s%s\n", conf, w, SSL_get_version(s),
           w <= 0 ? " error=" : "", w <= 0 ? last_error() : "");
    int ok = w == 2 && SSL_version(s) >= TLS1_2_VERSION;
    SSL_free(s);
    close(fd);
    SSL_CTX_free(ctx);
    return ok ? 0 : 3;
}

/* ---- forked children and a connection their parent made ---- */

static int cmd_uncovered_fork(int port, int k)
{
    int fd = loopback(port);
    if (fd < 0)
        return 3;
    for (int i = 0; i < k; i++) {
        pid_t pid = fork();
        if (pid == 0)
            exit(0);   /* exit(), not _exit(): destructors run in the child */
        waitpid(pid, NULL, 0);
    }
    return 0;   /* the parent's connection is still open at its exit */
}

static int cmd_plain(int port)
{
    char buf[256];
    int fd = loopback(port);
    if (fd < 0)
        return 3;
    int ok = write(fd, "QUIT\r\n", 6) == 6;
    while (ok && read(fd, buf, sizeof buf) > 0)
        ;
    close(fd);
    printf("plain: %s\n", ok ? "talked" : "write failed");
    return ok ? 0 : 3;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2)
        return usage();
    const char *cmd = argv[1];
    if (!strcmp(cmd, "tls"))
        return cmd_tls(argc, argv);
    if (!strcmp(cmd, "longjmp") && argc == 4)
        return cmd_longjmp(argv[2], atoi(argv[3]));
    if (!strcmp(cmd, "gai-many") && argc == 4)
        return cmd_gai_many(argv[2], atoi(argv[3]));
    if (!strcmp(cmd, "fork-locks") && argc == 4)
        return cmd_fork_locks(atoi(argv[2]), atoi(argv[3]));
    if (!strcmp(cmd, "signal-close") && argc == 4)
        return cmd_signal_close(atoi(argv[2]), atoi(argv[3]));
    if (!strcmp(cmd, "implicit") && argc == 4)
        return cmd_implicit(argv[2], atoi(argv[3]));
    if (!strcmp(cmd, "uncovered-fork") && argc == 4)
        return cmd_uncovered_fork(atoi(argv[2]), atoi(argv[3]));
    if (!strcmp(cmd, "plain") && argc == 3)
        return cmd_plain(atoi(argv[2]));
    return usage();
}
