/* Socket hooks: connections to mail ports that no OpenSSL handshake through tlsfloor covers.
 *
 * connect() to a mail port (993, 995, 143, 110, 587, 465, 25 unless configured otherwise) is
 * remembered; an OpenSSL handshake on that socket marks it covered (hooks_openssl.c). A socket
 * closed, or still open at exit, without one is reported as uncovered_connection, naming the
 * TLS libraries loaded in the process so the admin knows why (GnuTLS, NSS, another libssl), or
 * as plaintext when the process has no other TLS library. close() costs one atomic load while
 * nothing is watched. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"
#include "tf_sniff.h"

#define WATCH_MAX 64

struct watch {
    int fd;                 /* -1: free */
    int port;
    int covered;
    pid_t tid;
    unsigned long seq;      /* connect order, for the per-thread pick */
    char peer[64];
};

static struct watch watches[WATCH_MAX];
static int watch_count;     /* atomic: the fast path of close() reads only this */
static unsigned long watch_seq;
static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;

static void *real_connect, *real_close;

/* The last inet connect() of this thread: the peer of a TLS connection whose program reads
 * through its own BIO (curl), where libssl has no socket to ask. */
static __thread struct {
    int valid;
    struct sockaddr_storage sa;
} last_connect __attribute__((tls_model("initial-exec")));

int tf_is_mail_port(int port)
{
    const struct tf_config *c = tf_config();
    for (int i = 0; i < c->nmail_ports; i++)
        if (c->mail_ports[i] == port)
            return 1;
    return 0;
}

/* ---- which TLS libraries the process has ---- */

struct tls_libs {
    char names[200];
    int other_tls;          /* a TLS implementation other than the libssl we hook */
};

static int list_tls_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    static const char known[][16] = { "libgnutls.so", "libnss3.so", "libssl3.so", "libwolfssl.so",
                                         "libmbedtls.so", "libssl.so.", "libboringssl", "libtls.so" };
    struct tls_libs *libs = data;
    const char *base = strrchr(info->dlpi_name, '/');
    (void)size;
    base = base ? base + 1 : info->dlpi_name;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strncmp(base, known[i], strlen(known[i])) != 0)
            continue;
        size_t used = strlen(libs->names);
        snprintf(libs->names + used, sizeof libs->names - used, "%s%s", used ? "," : "", base);
        if (strncmp(base, "libssl.so.", 10) != 0)
            libs->other_tls = 1;
        break;
    }
    return 0;
}

static void report_uncovered(const struct watch *w)
{
    struct tls_libs libs = { "", 0 };
    const char *verdict;
    dl_iterate_phdr(list_tls_cb, &libs);
    if (libs.other_tls)
        verdict = "TLS by another library: tlsfloor cannot raise its version";
    else if (tf_port_implicit_tls(w->port))
        verdict = "TLS by a library tlsfloor does not see (static OpenSSL or unrecognised)";
    else
        verdict = "plaintext: never upgraded with STARTTLS through OpenSSL";
    struct tf_field f[] = {
        TF_STR("peer", w->peer), TF_INT("port", w->port),
        TF_STR("protocol", tf_proto_name(tf_proto_by_port(w->port))),
        TF_STR("tls_libraries", libs.names), TF_STR("verdict", verdict),
    };
    tf_emit("uncovered_connection", f, sizeof f / sizeof f[0], 0);
}

static void peer_text(const struct sockaddr *sa, char *out, size_t cap, int *port)
{
    char host[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        *port = ntohs(in->sin_port);
        snprintf(out, cap, "%s:%d", host, *port);
    } else {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        *port = ntohs(in6->sin6_port);
        snprintf(out, cap, "[%s]:%d", host, *port);
    }
}

int tf_thread_peer(char *out, size_t cap)
{
    int port = 0;
    if (!last_connect.valid)
        return 0;
    peer_text((const struct sockaddr *)&last_connect.sa, out, cap, &port);
    return port;
}

static void watch_add(int fd, const struct sockaddr *sa)
{
    struct watch w = { .fd = fd, .tid = (pid_t)syscall(SYS_gettid) };
    peer_text(sa, w.peer, sizeof w.peer, &w.port);
    if (!tf_is_mail_port(w.port))
        return;
    pthread_mutex_lock(&watch_lock);
    for (int i = 0; i < WATCH_MAX; i++) {
        if (watches[i].fd == fd && watches[i].port)   /* reused number: replace */
            watches[i].port = 0;
    }
    for (int i = 0; i < WATCH_MAX; i++) {
        if (watches[i].port == 0) {
            w.seq = ++watch_seq;
            watches[i] = w;
            __atomic_add_fetch(&watch_count, 1, __ATOMIC_RELEASE);
            break;
        }
    }
    pthread_mutex_unlock(&watch_lock);
}

int tf_watch_covered(int fd)
{
    int port = 0;
    if (__atomic_load_n(&watch_count, __ATOMIC_ACQUIRE) == 0)
        return 0;
    pid_t tid = (pid_t)syscall(SYS_gettid);
    struct watch *pick = NULL;
    pthread_mutex_lock(&watch_lock);
    for (int i = 0; i < WATCH_MAX; i++) {
        struct watch *w = &watches[i];
        if (!w->port)
            continue;
        if (fd >= 0 ? w->fd == fd : (w->tid == tid && !w->covered && (!pick || w->seq > pick->seq)))
            pick = w;
    }
    if (pick) {
        pick->covered = 1;
        port = pick->port;
    }
    pthread_mutex_unlock(&watch_lock);
    return port;
}

/* Removes fd's watch; reports it when nothing covered it. */
static void watch_close(int fd)
{
    struct watch gone = { .port = 0 };
    pthread_mutex_lock(&watch_lock);
    for (int i = 0; i < WATCH_MAX; i++) {
        if (watches[i].port && watches[i].fd == fd) {
            gone = watches[i];
            watches[i].port = 0;
            __atomic_sub_fetch(&watch_count, 1, __ATOMIC_RELEASE);
            break;
        }
    }
    pthread_mutex_unlock(&watch_lock);
    if (gone.port && !gone.covered)
        report_uncovered(&gone);
}

TF_EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    int (*next)(int, const struct sockaddr *, socklen_t) = tf_next_fn(&real_connect, "connect");
    int r = next(fd, addr, len);
    if ((r == 0 || (r == -1 && errno == EINPROGRESS)) && addr && tf_depth == 0 &&
        (addr->sa_family == AF_INET || addr->sa_family == AF_INET6) &&
        len >= (socklen_t)(addr->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6))) {
        int saved = errno;
        memcpy(&last_connect.sa, addr, len < sizeof last_connect.sa ? len : sizeof last_connect.sa);
        last_connect.valid = 1;
        tf_depth++;
        watch_add(fd, addr);
        tf_depth--;
        errno = saved;
    }
    return r;
}

TF_EXPORT int close(int fd)
{
    int (*next)(int) = tf_next_fn(&real_close, "close");
    if (__atomic_load_n(&watch_count, __ATOMIC_ACQUIRE) != 0 && tf_depth == 0) {
        int saved = errno;
        tf_depth++;
        watch_close(fd);
        tf_depth--;
        errno = saved;
    }
    return next(fd);
}

/* At exit: whatever is still open and uncovered. */
__attribute__((destructor)) static void report_at_exit(void)
{
    if (__atomic_load_n(&watch_count, __ATOMIC_ACQUIRE) == 0)
        return;
    for (int i = 0; i < WATCH_MAX; i++)
        if (watches[i].port && !watches[i].covered) {
            report_uncovered(&watches[i]);
            watches[i].covered = 1;
        }
}
