/* hpin: the hardening tests' TLS server and (pinned) client, also used by scripts/bench.
 *
 *   hpin server PORT CERT KEY [READYFILE]   TLS >= 1.2 only, a thread per connection. Protocol:
 *                                           the client sends "N\n", the server sends N bytes.
 *   hpin plainserver PORT [READYFILE]       the same protocol without TLS (not used by tests)
 *   hpin client PORT [options]              makes connections, checks each negotiated version
 *     -n N          connections per thread (default 1)      -t T   threads (default 1)
 *     --pin KIND    none | max11 (SSL_CTX_set_max_proto_version TLS1.1) | method11
 *                   (TLSv1_1_client_method) | options (SSL_OP_NO_TLSv1_2|3)   default max11
 *     --shared-ctx  one SSL_CTX for all connections (default: one per connection)
 *     --bytes B     ask the server for B bytes per connection (default 2)
 *     --plain       no TLS at all (talks to stunnel in client mode)
 *     --fork        one connection, fork(), then both processes make the connections
 *     --fork-stress K  threads connect in a loop while the main thread forks K children that
 *                   each resolve "fork.test" (give tlsfloor a rule for it) and exec a client
 *                   making one connection (a child stuck on a lock is killed by alarm)
 *     --fork-phdr K  one connection, then a thread sits in dl_iterate_phdr (its callback sleeps,
 *                   the loader's write lock held, as an unwinder would) while the main thread
 *                   forks K children, each one at such a moment; each child resolves
 *                   "fork.test" and makes one connection (a child stuck is killed by alarm)
 *     --exec        one connection, then exec this program again (client, one connection)
 *     --vfork       vfork()+exec this program (client, one connection), wait for it
 *     --close-fd2   close fd 2 first (the connection's socket may become fd 2)
 *     --fd2-socket  make fd 2 a socket and fail if anything arrives on it
 *     --rss         print VmRSS, RssAnon, RssFile (KiB) after 10, 100, 1000, ... connections
 *     --min-version HEX  the lowest acceptable negotiated version (default 0x303)
 *     --sni NAME    send NAME as the server name (SNI)
 *     --open-file PATH  after one first connection, open PATH for appending (it takes the
 *                   lowest free descriptor: fd 1 or 2 when the program was started without
 *                   them), write "hpin data fd=N" to it, then go on; "hpin data end" at the end
 *     --dup2-over-log PATH  after one first connection, dup2() PATH over tlsfloor's log
 *                   descriptor (the one open on $TLSFLOOR_LOG), print "log fd N", then go on
 *     --then-wait FILE  after the connections, create FILE.ready, wait (up to 60 s) for FILE
 *                   to exist, then make one more connection
 *     --triggered DIR  for K = 1, 2, ...: wait (up to 120 s) for DIR/K to exist, make the
 *                   connections (-t, -n), create DIR/K.done; end when DIR/stop exists
 *     --exit-storm MS  no connections: T threads (-t) each create contexts pinned to TLS 1.1
 *                   in a loop (one log record each under tlsfloor); after MS ms the main
 *                   thread calls exit(0) while they run
 *     --exit-midwrite  like --exit-storm, but the first JSON record written to a regular file
 *                   is written in two halves 50 ms apart (hpin's own write() stands in for
 *                   libc's), and the main thread calls exit(0) between the halves: what
 *                   exit_group does to a thread that is writing, made certain to happen
 *   Exit status: 0 all good; 3 a connection failed or negotiated below the minimum; 4 fd 2
 *   received data; 5 a forked child failed (6: its lookup
 *   failed); 2 usage. */
#define _GNU_SOURCE
#define OPENSSL_SUPPRESS_DEPRECATED
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

static int port, nconn = 1, nthreads = 1, shared_ctx, plain, want_rss, min_version = TLS1_2_VERSION;
static long long nbytes = 2;
static const char *pin = "max11";
static SSL_CTX *the_ctx;
static atomic_int failures, done_conns, lowest_version = 0x7fff;
static atomic_int stop_flag;
static char **self_argv;
static const char *sni;

static void die(const char *what)
{
    fprintf(stderr, "hpin: %s: %s\n", what, strerror(errno));
    exit(2);
}

static int tcp_connect(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int tries = 0; tries < 200; tries++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return -1;
        if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            return fd;
        }
        close(fd);
        if (errno != ECONNREFUSED && errno != EAGAIN)
            return -1;
        usleep(20000);
    }
    return -1;
}

static SSL_CTX *make_ctx(void)
{
    SSL_CTX *ctx;
    if (strcmp(pin, "method11") == 0)
        ctx = SSL_CTX_new(TLSv1_1_client_method());
    else
        ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        return NULL;
    if (strcmp(pin, "max11") == 0)
        SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION);
    else if (strcmp(pin, "options") == 0)
        SSL_CTX_set_options(ctx, SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    return ctx;
}

static long long read_all_plain(int fd, long long want)
{
    static __thread char buf[65536];
    long long got = 0;
    while (got < want) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        got += n;
    }
    return got;
}

/* One connection; returns 0 when it worked at an acceptable version. */
static int one_connection(void)
{
    char req[32];
    int len = snprintf(req, sizeof req, "%lld\n", nbytes);
    int fd = tcp_connect();
    if (fd < 0) {
        fprintf(stderr, "hpin: connect: %s\n", strerror(errno));
        return -1;
    }
    if (plain) {
        long long got = -1;
        if (write(fd, req, (size_t)len) == len)
            got = read_all_plain(fd, nbytes);
        close(fd);
        return got == nbytes ? 0 : -1;
    }
    SSL_CTX *ctx = shared_ctx ? the_ctx : make_ctx();
    SSL *s = ctx ? SSL_new(ctx) : NULL;
    int rc = -1;
    if (s && sni)
        SSL_set_tlsext_host_name(s, sni);
    if (s && SSL_set_fd(s, fd) == 1 && SSL_connect(s) == 1) {
        int v = SSL_version(s);
        int cur = atomic_load(&lowest_version);
        while (v < cur && !atomic_compare_exchange_weak(&lowest_version, &cur, v))
            ;
        if (v >= min_version && SSL_write(s, req, len) == len) {
            static __thread char buf[65536];
            long long got = 0;
            while (got < nbytes) {
                int n = SSL_read(s, buf, sizeof buf);
                if (n <= 0)
                    break;
                got += n;
            }
            rc = got == nbytes ? 0 : -1;
        } else if (v < min_version) {
            fprintf(stderr, "hpin: negotiated %s, below the minimum\n", SSL_get_version(s));
        }
        SSL_shutdown(s);
    } else {
        unsigned long e = ERR_peek_last_error();
        fprintf(stderr, "hpin: handshake failed: %s\n", e ? ERR_reason_error_string(e) : "no OpenSSL error");
        ERR_clear_error();
    }
    SSL_free(s);
    if (!shared_ctx)
        SSL_CTX_free(ctx);
    close(fd);
    return rc;
}

/* One line of /proc/self/status in KiB ("VmRSS", "RssAnon", "RssFile"). */
static long status_kib(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t k = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, k) == 0 && line[k] == ':' && sscanf(line + k + 1, "%ld", &v) == 1)
            break;
    if (f)
        fclose(f);
    return v;
}

static void *worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < nconn; i++) {
        if (one_connection() != 0)
            atomic_fetch_add(&failures, 1);
        int d = atomic_fetch_add(&done_conns, 1) + 1;
        if (want_rss && nthreads == 1 && (d == 1 || d == 10 || d == 100 || d == 1000 || d == 10000))
            printf("rss %d %ld anon %ld file %ld\n", d, status_kib("VmRSS"), status_kib("RssAnon"),
                   status_kib("RssFile"));
    }
    return NULL;
}

static void *stress_worker(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop_flag))
        if (one_connection() != 0)
            atomic_fetch_add(&failures, 1);
    return NULL;
}

/* --fork-phdr: glibc holds its loader write lock while dl_iterate_phdr calls back, and a forked
 * child inherits it held (never released there). */
static atomic_int phdr_inside;

static int slow_phdr_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)info, (void)size, (void)data;
    atomic_store(&phdr_inside, 1);
    usleep(300 * 1000);
    atomic_store(&phdr_inside, 0);
    return 1;
}

static void *phdr_holder(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop_flag)) {
        dl_iterate_phdr(slow_phdr_cb, NULL);
        usleep(1000);
    }
    return NULL;
}

/* --exit-storm: contexts pinned below the floor, as fast as possible, until the process ends,
 * from 290 call sites: past tlsfloor's table of 256 sites every record carries its frames, so
 * records are a few KiB and most of them cross a page of the log file (the storage of the
 * pin call differs, so the compiler cannot fold the functions into one). */
static volatile int storm_sink;
#define STORM_PIN(n) \
    static void storm_pin_##n(SSL_CTX *c) { storm_sink = n; SSL_CTX_set_max_proto_version(c, TLS1_1_VERSION); storm_sink = -n; }
#define STORM_PIN10(d) STORM_PIN(d##0) STORM_PIN(d##1) STORM_PIN(d##2) STORM_PIN(d##3) STORM_PIN(d##4) \
    STORM_PIN(d##5) STORM_PIN(d##6) STORM_PIN(d##7) STORM_PIN(d##8) STORM_PIN(d##9)
#define STORM_REF10(d) storm_pin_##d##0, storm_pin_##d##1, storm_pin_##d##2, storm_pin_##d##3, storm_pin_##d##4, \
    storm_pin_##d##5, storm_pin_##d##6, storm_pin_##d##7, storm_pin_##d##8, storm_pin_##d##9,
#define STORM_ALL(X) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15) \
    X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23) X(24) X(25) X(26) X(27) X(28) X(29)
STORM_ALL(STORM_PIN10)
static void (*const storm_pins[])(SSL_CTX *) = { STORM_ALL(STORM_REF10) };
#define STORM_SITES (sizeof storm_pins / sizeof storm_pins[0])

static void *storm_worker(void *arg)
{
    for (size_t i = (size_t)(intptr_t)arg * 29;; i++) {
        SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
        if (ctx) {
            storm_pins[i % STORM_SITES](ctx);
            SSL_CTX_free(ctx);
        }
    }
    return NULL;
}

/* --exit-midwrite: write() is looked up in the executable first, so this one serves tlsfloor
 * too. Outside that mode it is the plain system call. In that mode a record written to a regular
 * file holds a lock for the whole write, as the kernel's inode lock does for an O_APPEND write
 * (no other record can come between the two halves). */
static atomic_int midwrite_mode, midwrite_armed;
static int midwrite_pipe[2] = { -1, -1 };
static pthread_mutex_t midwrite_inode = PTHREAD_MUTEX_INITIALIZER;

ssize_t write(int fd, const void *buf, size_t n)
{
    struct stat st;
    if (!atomic_load(&midwrite_mode) || n <= 16 ||
        (memcmp(buf, "{\"ts\"", 5) != 0 && memcmp(buf, "\n{\"ts\"", 6) != 0) || fstat(fd, &st) != 0 ||
        !S_ISREG(st.st_mode))
        return syscall(SYS_write, fd, buf, n);
    pthread_mutex_lock(&midwrite_inode);
    long a = syscall(SYS_write, fd, buf, n / 2), b = 0;
    if (a >= 0 && atomic_exchange(&midwrite_armed, 0)) {
        char go = 1;
        if (syscall(SYS_write, midwrite_pipe[1], &go, 1) != 1)
            abort();
        usleep(50000);       /* the main thread is in exit() now */
    }
    if (a >= 0)
        b = syscall(SYS_write, fd, (const char *)buf + n / 2, n - n / 2);
    pthread_mutex_unlock(&midwrite_inode);
    return a < 0 ? a : a + (b > 0 ? b : 0);
}

static int exit_storm(int ms)
{
    pthread_t t;
    if (ms < 0 && pipe(midwrite_pipe) != 0)
        die("pipe");
    for (int i = 0; i < nthreads; i++)
        if (pthread_create(&t, NULL, storm_worker, (void *)(intptr_t)i) != 0)
            die("pthread_create");
    if (ms >= 0) {
        usleep((useconds_t)ms * 1000);
    } else {
        char go;
        atomic_store(&midwrite_mode, 1);
        atomic_store(&midwrite_armed, 1);
        if (read(midwrite_pipe[0], &go, 1) != 1)
            die("read");
    }
    exit(0);
}

/* The descriptor open on path (tlsfloor's log), or -1. */
static int fd_open_on(const char *path)
{
    char link[64], target[4096];
    for (int fd = 0; fd < 1024; fd++) {
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n <= 0)
            continue;
        target[n] = '\0';
        if (strcmp(target, path) == 0)
            return fd;
    }
    return -1;
}

static int run_threads(void);

static void touch(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f)
        fclose(f);
}

/* --triggered: rounds of connections, each when the test asks for it. */
static int triggered(const char *dir)
{
    char path[4096], stop[4096];
    int rc = 0;
    snprintf(stop, sizeof stop, "%s/stop", dir);
    for (int k = 1;; k++) {
        snprintf(path, sizeof path, "%s/%d", dir, k);
        for (int waited = 0; access(path, F_OK) != 0; waited++) {
            if (access(stop, F_OK) == 0)
                return rc;
            if (waited > 2400)
                return 2;
            usleep(50000);
        }
        if (run_threads() != 0)
            rc = 3;
        snprintf(path, sizeof path, "%s/%d.done", dir, k);
        touch(path);
    }
}

static int run_threads(void)
{
    pthread_t t[64];
    if (nthreads > 64)
        nthreads = 64;
    for (int i = 0; i < nthreads; i++)
        if (pthread_create(&t[i], NULL, worker, NULL) != 0)
            die("pthread_create");
    for (int i = 0; i < nthreads; i++)
        pthread_join(t[i], NULL);
    return atomic_load(&failures) ? 3 : 0;
}

static void reexec_args(char *port_s, char **argv_out)
{
    int i = 0;
    argv_out[i++] = "/proc/self/exe";
    argv_out[i++] = "client";
    argv_out[i++] = port_s;
    argv_out[i++] = "--pin";
    argv_out[i++] = (char *)pin;
    argv_out[i] = NULL;
}

static int child_status_ok(pid_t pid)
{
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return 0;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "hpin: child %d: %s %d\n", (int)pid, WIFEXITED(st) ? "exit" : "signal",
                WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
        return 0;
    }
    return 1;
}

/* ---- server ---- */

static SSL_CTX *server_ctx;

static void *serve(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char req[32];
    if (plain) {
        ssize_t n = read(fd, req, sizeof req - 1);
        if (n > 0) {
            req[n] = '\0';
            long long want = atoll(req), sent = 0;
            static __thread char buf[65536];
            while (sent < want) {
                size_t chunk = want - sent > (long long)sizeof buf ? sizeof buf : (size_t)(want - sent);
                ssize_t w = write(fd, buf, chunk);
                if (w <= 0)
                    break;
                sent += w;
            }
        }
        close(fd);
        return NULL;
    }
    SSL *s = SSL_new(server_ctx);
    SSL_set_fd(s, fd);
    if (SSL_accept(s) == 1) {
        int n = SSL_read(s, req, sizeof req - 1);
        if (n > 0) {
            req[n] = '\0';
            long long want = atoll(req), sent = 0;
            static __thread char buf[65536];
            while (sent < want) {
                int chunk = want - sent > (long long)sizeof buf ? (int)sizeof buf : (int)(want - sent);
                int w = SSL_write(s, buf, chunk);
                if (w <= 0)
                    break;
                sent += w;
            }
        }
        SSL_shutdown(s);
    } else {
        ERR_clear_error();
    }
    SSL_free(s);
    close(fd);
    return NULL;
}

static int server_main(int argc, char **argv, int tls)
{
    const char *ready = NULL;
    if (tls) {
        if (argc < 5)
            return 2;
        server_ctx = SSL_CTX_new(TLS_server_method());
        SSL_CTX_set_min_proto_version(server_ctx, TLS1_2_VERSION);
        if (SSL_CTX_use_certificate_chain_file(server_ctx, argv[3]) != 1 ||
            SSL_CTX_use_PrivateKey_file(server_ctx, argv[4], SSL_FILETYPE_PEM) != 1) {
            ERR_print_errors_fp(stderr);
            return 2;
        }
        ready = argc > 5 ? argv[5] : NULL;
    } else {
        plain = 1;
        ready = argc > 3 ? argv[3] : NULL;
    }
    signal(SIGPIPE, SIG_IGN);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2])) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 512) != 0)
        die("bind/listen");
    if (ready) {
        FILE *f = fopen(ready, "w");
        if (f)
            fclose(f);
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (;;) {
        int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        pthread_t t;
        if (pthread_create(&t, &attr, serve, (void *)(intptr_t)fd) != 0)
            close(fd);
    }
}

int main(int argc, char **argv)
{
    int do_fork = 0, fork_stress = 0, fork_phdr = 0, do_exec = 0, do_vfork = 0, close_fd2 = 0, fd2_socket = 0;
    int storm_ms = -1, midwrite = 0;
    static int data_fd = -1;
    const char *open_file = NULL, *dup2_over_log = NULL, *trigger_dir = NULL;
    static const char *then_wait;
    static int fd2_peer = -1;
    self_argv = argv;
    if (argc >= 2 && strcmp(argv[1], "server") == 0)
        return server_main(argc, argv, 1);
    if (argc >= 2 && strcmp(argv[1], "plainserver") == 0)
        return server_main(argc, argv, 0);
    if (argc < 3 || strcmp(argv[1], "client") != 0) {
        fprintf(stderr, "usage: hpin server PORT CERT KEY [READY] | hpin client PORT [options]\n");
        return 2;
    }
    port = atoi(argv[2]);
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-n") && v) { nconn = atoi(v); i++; }
        else if (!strcmp(a, "-t") && v) { nthreads = atoi(v); i++; }
        else if (!strcmp(a, "--pin") && v) { pin = v; i++; }
        else if (!strcmp(a, "--bytes") && v) { nbytes = atoll(v); i++; }
        else if (!strcmp(a, "--min-version") && v) { min_version = (int)strtol(v, NULL, 0); i++; }
        else if (!strcmp(a, "--fork-stress") && v) { fork_stress = atoi(v); i++; }
        else if (!strcmp(a, "--fork-phdr") && v) { fork_phdr = atoi(v); i++; }
        else if (!strcmp(a, "--sni") && v) { sni = v; i++; }
        else if (!strcmp(a, "--open-file") && v) { open_file = v; i++; }
        else if (!strcmp(a, "--dup2-over-log") && v) { dup2_over_log = v; i++; }
        else if (!strcmp(a, "--then-wait") && v) { then_wait = v; i++; }
        else if (!strcmp(a, "--exit-storm") && v) { storm_ms = atoi(v); i++; }
        else if (!strcmp(a, "--triggered") && v) { trigger_dir = v; i++; }
        else if (!strcmp(a, "--exit-midwrite")) midwrite = 1;
        else if (!strcmp(a, "--shared-ctx")) shared_ctx = 1;
        else if (!strcmp(a, "--plain")) plain = 1;
        else if (!strcmp(a, "--fork")) do_fork = 1;
        else if (!strcmp(a, "--exec")) do_exec = 1;
        else if (!strcmp(a, "--vfork")) do_vfork = 1;
        else if (!strcmp(a, "--close-fd2")) close_fd2 = 1;
        else if (!strcmp(a, "--fd2-socket")) fd2_socket = 1;
        else if (!strcmp(a, "--rss")) want_rss = 1;
        else { fprintf(stderr, "hpin: unknown option %s\n", a); return 2; }
    }
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (close_fd2)
        close(2);
    if (fd2_socket) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
            die("socketpair");
        dup2(sv[0], 2);
        close(sv[0]);
        fd2_peer = sv[1];
        fcntl(fd2_peer, F_SETFL, O_NONBLOCK);
    }
    if (storm_ms >= 0 || midwrite) {
        /* Only what tlsfloor does at exit is under test: OpenSSL's own exit handler, freeing its
         * state under the running threads, would crash them first. */
        OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
        OPENSSL_init_ssl(0, NULL);
        return exit_storm(midwrite ? -1 : storm_ms);
    }
    if (!plain) {
        OPENSSL_init_ssl(0, NULL);
        if (shared_ctx && !(the_ctx = make_ctx()))
            return 3;
    }
    if (open_file || dup2_over_log) {
        if (one_connection() != 0)
            return 3;
        if (open_file) {
            char line[64];
            data_fd = open(open_file, O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (data_fd < 0)
                die(open_file);
            int len = snprintf(line, sizeof line, "hpin data fd=%d\n", data_fd);
            if (write(data_fd, line, (size_t)len) != len)
                die("write");
        }
        if (dup2_over_log) {
            const char *log = getenv("TLSFLOOR_LOG");
            int logfd = log ? fd_open_on(log) : -1;
            int data = open(dup2_over_log, O_WRONLY | O_APPEND);
            if (logfd < 0 || data < 0) {
                fprintf(stderr, "hpin: no descriptor open on the log, or %s: %s\n", dup2_over_log, strerror(errno));
                return 2;
            }
            printf("log fd %d\n", logfd);
            dup2(data, logfd);
            close(data);
        }
    }

    int rc = 0;
    if (do_fork) {
        if (one_connection() != 0)
            return 3;
        pid_t pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0)
            _exit(run_threads());
        rc = run_threads();
        if (!child_status_ok(pid))
            rc = rc ? rc : 5;
    } else if (fork_stress) {
        pthread_t t[4];
        for (int i = 0; i < 4; i++)
            pthread_create(&t[i], NULL, stress_worker, NULL);
        for (int k = 0; k < fork_stress; k++) {
            pid_t pid = fork();
            if (pid < 0)
                die("fork");
            if (pid == 0) {
                /* Only what a forked child of a threaded program may reasonably do: a name
                 * lookup (rewritten and logged by tlsfloor: its log and call-site locks), then
                 * exec a fresh client. OpenSSL itself is not fork-safe with threads running
                 * (it deadlocks here even without tlsfloor). A child stuck on a lock held at
                 * fork time dies of SIGALRM. */
                struct addrinfo *res = NULL, hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
                char port_s[16], *args[8];
                alarm(20);
                if (getaddrinfo("fork.test", NULL, &hints, &res) != 0)
                    _exit(6);
                freeaddrinfo(res);
                snprintf(port_s, sizeof port_s, "%d", port);
                reexec_args(port_s, args);
                execv("/proc/self/exe", args);
                _exit(127);
            }
            if (!child_status_ok(pid))
                rc = 5;
            usleep(2000);
        }
        atomic_store(&stop_flag, 1);
        for (int i = 0; i < 4; i++)
            pthread_join(t[i], NULL);
        if (!rc && atomic_load(&failures))
            rc = 3;
    } else if (fork_phdr) {
        pthread_t holder;
        if (one_connection() != 0)   /* everything the children use is loaded before a fork */
            return 3;
        /* the name service modules too: a child's lookup that had to dlopen one (mdns4_minimal
         * in hosts: of nsswitch.conf where libnss-mdns is installed) would wait for the loader
         * lock forever, with or without tlsfloor. The name is not rewritten: no record. */
        struct addrinfo *warm = NULL, whints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
        if (getaddrinfo("warmup.fork-phdr.test", NULL, &whints, &warm) == 0)
            freeaddrinfo(warm);
        pthread_create(&holder, NULL, phdr_holder, NULL);
        for (int k = 0; k < fork_phdr; k++) {
            while (!atomic_load(&phdr_inside))
                usleep(1000);
            pid_t pid = fork();
            if (pid < 0)
                die("fork");
            if (pid == 0) {
                struct addrinfo *res = NULL, hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
                alarm(10);
                if (getaddrinfo("fork.test", NULL, &hints, &res) == 0)
                    freeaddrinfo(res);
                _exit(one_connection() == 0 ? 0 : 3);
            }
            if (!child_status_ok(pid))
                rc = 5;
        }
        atomic_store(&stop_flag, 1);
        pthread_join(holder, NULL);
    } else if (do_exec || do_vfork) {
        char port_s[16], *args[8];
        snprintf(port_s, sizeof port_s, "%d", port);
        reexec_args(port_s, args);
        if (do_exec) {
            if (one_connection() != 0)
                return 3;
            fflush(stdout);
            execv("/proc/self/exe", args);
            die("execv");
        }
        if (one_connection() != 0)
            return 3;
        pid_t pid = vfork();
        if (pid < 0)
            die("vfork");
        if (pid == 0) {
            execv("/proc/self/exe", args);
            _exit(127);
        }
        rc = child_status_ok(pid) ? 0 : 5;
    } else if (trigger_dir) {
        rc = triggered(trigger_dir);
    } else {
        rc = run_threads();
    }
    if (then_wait) {
        char ready[4096];
        snprintf(ready, sizeof ready, "%s.ready", then_wait);
        touch(ready);
        for (int i = 0; i < 600 && access(then_wait, F_OK) != 0; i++)
            usleep(100000);
        if (one_connection() != 0)
            rc = rc ? rc : 3;
    }
    if (data_fd >= 0 && write(data_fd, "hpin data end\n", 14) != 14)
        rc = rc ? rc : 2;

    if (fd2_peer >= 0) {
        char buf[256];
        ssize_t n = read(fd2_peer, buf, sizeof buf);
        if (n > 0) {
            fprintf(stdout, "hpin: %zd bytes arrived on fd 2 (a socket): %.*s\n", n, (int)n, buf);
            rc = rc ? rc : 4;
        }
    }
    if (!plain && lowest_version != 0x7fff)
        printf("ok conns=%d lowest=0x%x failures=%d\n", atomic_load(&done_conns), lowest_version,
               atomic_load(&failures));
    return rc;
}
