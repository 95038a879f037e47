/* Socket hooks: connections to mail ports that no TLS handshake through tlsfloor covers.
 *
 * connect() to a mail port (993, 995, 143, 110, 587, 465, 25 unless configured otherwise) is
 * remembered; a handshake on that socket marks it covered (hooks_openssl.c). A socket closed, or
 * still open at exit, without one is reported as uncovered_connection, naming the TLS stack the
 * process has (Java, NSS, GnuTLS, OpenSSL built into the program: tf_stack.c decides) so the
 * admin knows why and what to do, or as plaintext when none is known.
 *
 * connect() and close() are async-signal-safe for the program, so here they only do atomic
 * bookkeeping: no lock, no malloc, no record. close() marks an uncovered connection "to report";
 * the record is written by the next tf_emit or at exit (tf_watch_flush). Entries live in chunks
 * that are only ever added (mmap, never freed), each claimed and released by compare-and-swap.
 * An entry belongs to the process that connected: a forked child neither reports nor releases
 * its parent's connections. close() costs one atomic load while nothing is watched. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <link.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tls_backend.h"
#include "tf_addrset.h"
#include "tf_sniff.h"
#include "tf_stack.h"

enum watch_state { FREE, CLAIMED, ACTIVE, TO_REPORT, REPORTING };

struct watch {
    int state;              /* enum watch_state, changed by compare-and-swap */
    int fd;
    int port;
    int covered;
    pid_t pid;              /* the process that connected */
    pid_t tid;
    unsigned long seq;      /* connect order, for the per-thread pick */
    uintptr_t caller;       /* connect()'s return address: the record's caller, no unwind */
    char peer[64];
};

#define WATCH_CHUNK 64
struct watch_chunk {
    struct watch w[WATCH_CHUNK];
    struct watch_chunk *next;
};

static struct watch_chunk first_chunk;
static int watch_count;     /* ACTIVE entries of any process: the fast path of close() reads it */
static int report_count;    /* TO_REPORT entries: tf_watch_flush has work */
static unsigned long watch_seq;

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

static int transition(struct watch *w, int from, int to)
{
    return __atomic_compare_exchange_n(&w->state, &from, to, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

/* ---- which TLS stack the process has (at report time only) ---- */

/* The main program's read-only segments, where a statically linked OpenSSL keeps its version
 * text and its own strings (tf_stack.h). Searched in memory, never read from a file, at most
 * TF_EXE_SCAN_MAX bytes, once per process. */
#define TF_EXE_SEGMENTS 8
#define TF_EXE_SCAN_MAX ((size_t)64 << 20)   /* ~5 ms per MiB not yet paged in (measured) */

struct loaded_objects {
    struct tf_stack_facts facts;
    int index;
    int nseg;
    struct {
        const char *start;
        size_t len;
    } seg[TF_EXE_SEGMENTS];
};

static int note_object_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    struct loaded_objects *lo = data;
    (void)size;
    tf_stack_note(&lo->facts, info->dlpi_name);
    if (lo->index++ != 0)   /* dl_iterate_phdr lists the main program first */
        return 0;
    for (int i = 0; i < info->dlpi_phnum && lo->nseg < TF_EXE_SEGMENTS; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_R) || (ph->p_flags & PF_W) || ph->p_filesz == 0)
            continue;
        lo->seg[lo->nseg].start = (const char *)(info->dlpi_addr + ph->p_vaddr);
        lo->seg[lo->nseg].len = ph->p_filesz;
        lo->nseg++;
    }
    return 0;
}

/* Copies byte by byte, without the C library and without sanitizer checks: a segment is read as
 * raw memory, and an instrumented program's read-only segments hold poisoned redzones between
 * its globals (read here, never trusted). volatile keeps the compiler from making it a memcpy. */
TF_NO_ASAN static void copy_raw(char *dst, const char *src, size_t n)
{
    const volatile char *from = src;
    for (size_t i = 0; i < n; i++)
        dst[i] = from[i];
}

/* Scans one segment through a small copy; consecutive windows overlap by more than the longest
 * text looked for, so nothing is missed at a window's edge. */
static void scan_segment(const char *start, size_t len, struct tf_openssl_marks *marks)
{
    enum { WINDOW = 8192, OVERLAP = 128 };
    char buf[WINDOW];
    for (size_t off = 0; off < len;) {
        size_t n = len - off < WINDOW ? len - off : WINDOW;
        copy_raw(buf, start + off, n);
        tf_stack_scan_openssl(buf, n, marks);
        if (off + n >= len)
            break;
        off += n - OVERLAP;
    }
}

/* The OpenSSL major version the main program carries itself (0: none), searched once per
 * process: the program's text does not change. -1 until known. */
static int exe_openssl_major = -1;

static int program_openssl_major(const struct loaded_objects *lo)
{
    int known = __atomic_load_n(&exe_openssl_major, __ATOMIC_ACQUIRE);
    if (known >= 0)
        return known;
    size_t budget = TF_EXE_SCAN_MAX;
    struct tf_openssl_marks marks = { 0, 0, 0 };
    for (int i = 0; i < lo->nseg && budget > 0; i++) {
        size_t len = lo->seg[i].len < budget ? lo->seg[i].len : budget;
        scan_segment(lo->seg[i].start, len, &marks);
        budget -= len;
    }
    int major = tf_stack_openssl_major(&marks);
    __atomic_store_n(&exe_openssl_major, major, __ATOMIC_RELEASE);   /* racing threads agree */
    return major;
}

/* Whether the JVM was started with tlsfloor's Java agent (the wrapper puts it in
 * JAVA_TOOL_OPTIONS; JDK_JAVA_OPTIONS is read by the java launcher too). At report time only, never
 * under secure execution (the environment is the caller's there). */
static int java_agent_loaded(void)
{
    static const char *const vars[] = { "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS" };
    if (getauxval(AT_SECURE))
        return 0;
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && strstr(v, "-javaagent:") && strstr(v, "tlsfloor-agent"))
            return 1;
    }
    return 0;
}

/* Plaintext SMTP to port 25 is ordinary relaying, not a missed TLS connection: not reported. A
 * program that makes no TLS connection at all prints nothing new on its stderr: plaintext
 * findings go to the file and syslog sinks only. The record carries the caller saved by
 * connect(): it is written later, from close()'s deferral or at exit, where an unwind would
 * name whoever happened to log next. */
static void report_uncovered(const struct watch *w)
{
    struct loaded_objects lo;
    memset(&lo, 0, sizeof lo);
    if (tf_module_walk(note_object_cb, &lo) >= 0 && lo.index > 0)
        lo.facts.exe_openssl_major = program_openssl_major(&lo);
    /* GnuTLS loaded and hooked: an uncovered connection of its program is not blamed on it */
    lo.facts.gnutls_hooked = (lo.facts.seen & TF_SEEN_GNUTLS) && tf_gnutls_covers();
    if (lo.facts.seen & TF_SEEN_JVM)
        lo.facts.java_agent = java_agent_loaded();
    struct tf_stack_verdict v = tf_stack_infer(&lo.facts, w->port, tf_port_implicit_tls(w->port));
    if (!v.report)
        return;
    struct tf_field f[] = {
        TF_STR("peer", w->peer), TF_INT("port", w->port),
        TF_STR("protocol", tf_proto_name(tf_proto_by_port(w->port))),
        TF_STR("tls_libraries", lo.facts.names), TF_STR("stack", v.stack), TF_STR("verdict", v.verdict),
    };
    tf_emit_at(TF_EV(uncovered_connection), f, sizeof f / sizeof f[0], v.quiet ? TF_QUIET : 0, w->caller);
}

static void peer_text(const struct sockaddr *sa, char *out, size_t cap, int *port)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        *port = ntohs(in->sin_port);
        tf_addr_text(out, cap, AF_INET, &in->sin_addr, *port);
    } else {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        *port = ntohs(in6->sin6_port);
        tf_addr_text(out, cap, AF_INET6, &in6->sin6_addr, *port);
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

/* ---- the table ---- */

/* Calls fn on every entry until it returns non-zero; returns that entry or NULL. */
static struct watch *each_watch(int (*fn)(struct watch *w, void *arg), void *arg)
{
    for (struct watch_chunk *c = &first_chunk; c; c = __atomic_load_n(&c->next, __ATOMIC_ACQUIRE))
        for (int i = 0; i < WATCH_CHUNK; i++)
            if (fn(&c->w[i], arg))
                return &c->w[i];
    return NULL;
}

static int claim_free(struct watch *w, void *arg)
{
    (void)arg;
    return __atomic_load_n(&w->state, __ATOMIC_RELAXED) == FREE && transition(w, FREE, CLAIMED);
}

/* A free entry, claimed; a new chunk (mmap: async-signal-safe) when every entry is taken. */
static struct watch *watch_claim(void)
{
    struct watch *w = each_watch(claim_free, NULL);
    if (w)
        return w;
    struct watch_chunk *fresh = mmap(NULL, sizeof *fresh, PROT_READ | PROT_WRITE,
                                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (fresh == MAP_FAILED)
        return NULL;
    fresh->w[0].state = CLAIMED;
    struct watch_chunk *c = &first_chunk, *none = NULL;
    for (;;) {   /* append at the tail */
        if (__atomic_compare_exchange_n(&c->next, &none, fresh, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            return &fresh->w[0];
        c = none;
        none = NULL;
    }
}

struct by_fd {
    int fd;
    pid_t pid;
};

static int active_fd(struct watch *w, void *arg)
{
    const struct by_fd *k = arg;
    return __atomic_load_n(&w->state, __ATOMIC_ACQUIRE) == ACTIVE && w->fd == k->fd && w->pid == k->pid;
}

/* Takes fd's entry of this process out of the ACTIVE state: to report when uncovered (and
 * report is set), else free. */
static void watch_release(int fd, int report)
{
    struct by_fd k = { fd, getpid() };
    struct watch *w;
    while ((w = each_watch(active_fd, &k)) != NULL) {
        int to = report && !__atomic_load_n(&w->covered, __ATOMIC_ACQUIRE) ? TO_REPORT : FREE;
        if (!transition(w, ACTIVE, to))
            continue;   /* another thread released it first: look again */
        __atomic_sub_fetch(&watch_count, 1, __ATOMIC_RELEASE);
        if (to == TO_REPORT)
            __atomic_add_fetch(&report_count, 1, __ATOMIC_RELEASE);
    }
}

static void watch_add(int fd, const struct sockaddr *sa, uintptr_t caller)
{
    /* the port first: only a mail port's peer is written out (inet_ntop and snprintf cost more
     * than the rest of a connect) */
    int port = ntohs(sa->sa_family == AF_INET ? ((const struct sockaddr_in *)sa)->sin_port
                                               : ((const struct sockaddr_in6 *)sa)->sin6_port);
    if (!tf_is_mail_port(port))
        return;
    struct watch w = { .fd = fd, .pid = getpid(), .tid = (pid_t)syscall(SYS_gettid), .caller = caller };
    peer_text(sa, w.peer, sizeof w.peer, &w.port);
    watch_release(fd, 0);   /* a number reused without a close() we saw (dup2): replace */
    struct watch *slot = watch_claim();
    if (slot == NULL)
        return;
    w.seq = __atomic_add_fetch(&watch_seq, 1, __ATOMIC_RELAXED);
    w.state = CLAIMED;
    *slot = w;
    __atomic_store_n(&slot->state, ACTIVE, __ATOMIC_RELEASE);
    __atomic_add_fetch(&watch_count, 1, __ATOMIC_RELEASE);
}

struct pick {
    int fd;
    pid_t pid, tid;
    struct watch *best;
};

static int pick_cb(struct watch *w, void *arg)
{
    struct pick *p = arg;
    if (__atomic_load_n(&w->state, __ATOMIC_ACQUIRE) != ACTIVE || w->pid != p->pid)
        return 0;
    if (p->fd >= 0) {
        if (w->fd == p->fd) {
            p->best = w;
            return 1;
        }
    } else if (w->tid == p->tid && !w->covered && (!p->best || w->seq > p->best->seq)) {
        p->best = w;
    }
    return 0;
}

int tf_watch_covered(int fd)
{
    if (__atomic_load_n(&watch_count, __ATOMIC_ACQUIRE) == 0)
        return 0;
    struct pick p = { fd, getpid(), (pid_t)syscall(SYS_gettid), NULL };
    each_watch(pick_cb, &p);
    if (p.best == NULL)
        return 0;
    __atomic_store_n(&p.best->covered, 1, __ATOMIC_RELEASE);
    return p.best->port;
}

static int report_one(struct watch *w, void *arg)
{
    pid_t pid = *(pid_t *)arg;
    if (__atomic_load_n(&w->state, __ATOMIC_ACQUIRE) != TO_REPORT || w->pid != pid ||
        !transition(w, TO_REPORT, REPORTING))
        return 0;
    struct watch copy = *w;
    __atomic_store_n(&w->state, FREE, __ATOMIC_RELEASE);
    __atomic_sub_fetch(&report_count, 1, __ATOMIC_RELEASE);
    report_uncovered(&copy);
    return 0;
}

void tf_watch_flush(void)
{
    if (__atomic_load_n(&report_count, __ATOMIC_ACQUIRE) == 0)
        return;
    pid_t pid = getpid();
    each_watch(report_one, &pid);
}

static int still_open(struct watch *w, void *arg)
{
    pid_t pid = *(pid_t *)arg;
    if (__atomic_load_n(&w->state, __ATOMIC_ACQUIRE) == ACTIVE && w->pid == pid &&
        !__atomic_load_n(&w->covered, __ATOMIC_ACQUIRE) && transition(w, ACTIVE, TO_REPORT)) {
        __atomic_sub_fetch(&watch_count, 1, __ATOMIC_RELEASE);
        __atomic_add_fetch(&report_count, 1, __ATOMIC_RELEASE);
    }
    return 0;
}

void tf_watch_exit(void)
{
    if (__atomic_load_n(&watch_count, __ATOMIC_ACQUIRE) == 0)
        return;
    pid_t pid = getpid();
    each_watch(still_open, &pid);
}

/* ---- the hooks ---- */

TF_EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    int (*next)(int, const struct sockaddr *, socklen_t) = tf_next_fn(&real_connect, "connect");
    int r = next(fd, addr, len);
    if ((r == 0 || (r == -1 && errno == EINPROGRESS)) && addr && !tf_inert &&
        (addr->sa_family == AF_INET || addr->sa_family == AF_INET6) &&
        len >= (socklen_t)(addr->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6))) {
        int saved = errno;
        memcpy(&last_connect.sa, addr, len < sizeof last_connect.sa ? len : sizeof last_connect.sa);
        last_connect.valid = 1;
        watch_add(fd, addr, (uintptr_t)__builtin_return_address(0));
        errno = saved;
    }
    return r;
}

TF_EXPORT int close(int fd)
{
    int (*next)(int) = tf_next_fn(&real_close, "close");
    if (__atomic_load_n(&watch_count, __ATOMIC_ACQUIRE) != 0) {
        int saved = errno;
        watch_release(fd, 1);
        errno = saved;
    }
    return next(fd);
}
