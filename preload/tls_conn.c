/* The neutral half of every TLS backend: per-connection state, the handshake and failure
 * records, and the watch of a client's first commands (its authentication posture). A backend
 * calls these with its table of operations (struct tf_tls_ops); nothing here knows a library. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "oauth_token.h"
#include "tf_bridge.h"
#include "tf_addrset.h"
#include "tf_conntab.h"
#include "tf_version.h"
#include "tls_backend.h"

/* ---- per-connection state ----
 *
 * 16384 slots: 256 KiB of zero pages on 64-bit, touched only where used. A program with more
 * live TLS objects than that still gets its floor (the bits only say what to report). */
#define CONN_SLOTS 16384
static struct tf_conntab_slot conn_slots[CONN_SLOTS];
static struct tf_conntab conns = { conn_slots, CONN_SLOTS - 1, 0 };

uintptr_t tf_conn_bits(const void *obj)
{
    return tf_conntab_get(&conns, obj);
}

void tf_conn_set(const void *obj, uintptr_t bits)
{
    tf_conntab_set(&conns, obj, bits);
}

void tf_conn_mark(const void *obj, uintptr_t bits)
{
    tf_conntab_or(&conns, obj, bits);
}

void tf_conn_new(const void *obj, uintptr_t bits)
{
    tf_conntab_set(&conns, obj, bits);
}

static void bridge_forget(const void *conn);

void tf_conn_forget(const void *obj)
{
    tf_conntab_forget(&conns, obj);
    bridge_forget(obj);
}

/* ---- what the records share ---- */

/* As tf_tls_peer; *via_rewrite says whether the peer is an address a rewritten lookup gave. */
static int peer_of(const struct tf_tls_ops *b, const void *conn, char *out, size_t cap, int *via_rewrite)
{
    struct sockaddr_storage ss = { 0 };
    socklen_t len = sizeof ss;
    int fd = b->fd(conn), port = 0;
    out[0] = '\0';
    *via_rewrite = 0;
    if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
        return tf_thread_peer(out, cap);   /* the program's own transport: its thread's last connect */
    *via_rewrite = tf_rewritten_peer((const struct sockaddr *)&ss);
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
        port = ntohs(in->sin_port);
        tf_addr_text(out, cap, AF_INET, &in->sin_addr, port);
    } else if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
        port = ntohs(in6->sin6_port);
        tf_addr_text(out, cap, AF_INET6, &in6->sin6_addr, port);
    }
    return port;
}

int tf_tls_peer(const struct tf_tls_ops *b, const void *conn, char *out, size_t cap)
{
    int via_rewrite;
    return peer_of(b, conn, out, cap, &via_rewrite);
}

static void changes_of(uintptr_t bits, char *out, size_t cap)
{
    static const struct { uintptr_t bit; const char *name; } names[] = {
        { TF_DID_METHOD, "method" }, { TF_DID_MIN, "min_version" }, { TF_DID_MAX, "max_version" },
        { TF_DID_OPTIONS, "options" }, { TF_DID_CIPHERS, "ciphers" }, { TF_DID_PRIORITY, "priority" },
        { TF_DID_REWRITE, "host" }, { TF_DID_VERIFY, "verify" }, { TF_DID_FLOOR, "default_min_version" },
    };
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if ((bits & names[i].bit) && used + strlen(names[i].name) + 2 < cap)
            used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? "," : "", names[i].name);
}

/* Where the connection goes and what tlsfloor did to it (did: the TF_DID_* bits that count for
 * this record). */
struct conn_facts {
    char peer[64];
    int port;            /* 0 when unknown */
    char changes[112];
    char sni[256];
};

/* The port comes from the connection's socket or, for programs with their own transport, from
 * the mail socket this thread connected; that socket is marked covered. A connection without
 * SNI to an address a rewritten lookup gave counts as changed (TF_DID_REWRITE, "host"). */
static void conn_facts_of(const struct tf_tls_ops *b, const void *conn, uintptr_t *did_io, struct conn_facts *f)
{
    int via_rewrite;
    int port = peer_of(b, conn, f->peer, sizeof f->peer, &via_rewrite);
    int watched = tf_watch_covered(b->fd(conn));
    f->port = port ? port : watched;
    const char *sni = b->sni(conn, f->sni, sizeof f->sni);   /* in f->sni, or the library's own */
    if (sni == NULL)
        f->sni[0] = '\0';
    else if (sni != f->sni)
        snprintf(f->sni, sizeof f->sni, "%s", sni);
    /* only a connection that names no host of its own: one that sends SNI for another host at
     * the same address (a shared front end, loopback) is that host's, not the rewrite's */
    if (via_rewrite && f->sni[0] == '\0')
        *did_io |= TF_DID_REWRITE;
    changes_of(*did_io, f->changes, sizeof f->changes);
}

/* "port": a number, or null when unknown. */
#define PORT_FIELD(p) ((p) ? (struct tf_field)TF_INT("port", (p)) : (struct tf_field)TF_STR("port", NULL))
#define OR_NULL(s) ((s)[0] ? (s) : NULL)


/* ---- the OAuth bridge ----
 *
 * A few slots, claimed by compare-and-swap on their connection pointer (no lock). A connection
 * is bridged from its handshake until its login is over; then its slot is free again. A program
 * logging in on more connections at once than there are slots has the rest go unbridged (and
 * said so). One thread uses a connection at a time (the TLS libraries require it). */
#define BRIDGE_SLOTS 8
struct bridge_slot {
    const void *conn;      /* NULL: free; (void *)1: being claimed or released */
    char host[256];
    struct tf_bridge m;
};
static struct bridge_slot bridges[BRIDGE_SLOTS];
static int bridges_active;

static struct bridge_slot *bridge_of(const void *conn)
{
    if (__atomic_load_n(&bridges_active, __ATOMIC_ACQUIRE) == 0)
        return NULL;
    for (int i = 0; i < BRIDGE_SLOTS; i++)
        if (__atomic_load_n(&bridges[i].conn, __ATOMIC_ACQUIRE) == conn)
            return &bridges[i];
    return NULL;
}

static void bridge_release(struct bridge_slot *sl)
{
    __atomic_store_n(&sl->conn, NULL, __ATOMIC_RELEASE);
    __atomic_fetch_sub(&bridges_active, 1, __ATOMIC_ACQ_REL);
}

static void bridge_forget(const void *conn)
{
    struct bridge_slot *sl = bridge_of(conn);
    const void *want = conn;
    if (sl && __atomic_compare_exchange_n(&sl->conn, &want, (const void *)1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        bridge_release(sl);
}

static void bridge_failed_record(const struct tf_tls_ops *b, enum tf_proto proto, const char *from, const char *why)
{
    struct tf_field f[] = {
        TF_STR("protocol", tf_proto_name(proto)), TF_STR("from", from && from[0] ? from : NULL),
        TF_STR("why", why), TF_STR("library", b->name),
    };
    tf_emit(TF_EV(auth_bridge_failed), f, sizeof f / sizeof f[0], TF_CALLER);
}

static void bridge_start(const struct tf_tls_ops *b, const void *conn, enum tf_proto proto, const char *host)
{
    if (!tf_config()->oauth_token_command[0] || !tf_enforcing() || bridge_of(conn))
        return;
    for (int i = 0; i < BRIDGE_SLOTS; i++) {
        const void *none = NULL;
        struct bridge_slot *sl = &bridges[i];
        if (!__atomic_compare_exchange_n(&sl->conn, &none, (const void *)1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            continue;
        tf_bridge_init(&sl->m, proto);
        snprintf(sl->host, sizeof sl->host, "%s", host);
        __atomic_fetch_add(&bridges_active, 1, __ATOMIC_ACQ_REL);
        __atomic_store_n(&sl->conn, conn, __ATOMIC_RELEASE);
        return;
    }
    bridge_failed_record(b, proto, NULL, "too many connections logging in at once");
}

/* Writes what the bridge queued for the server with the library's own write. What cannot go
 * now (a non-blocking socket) stays queued for the next call. */
static void bridge_flush(const struct tf_tls_ops *b, void *conn, struct bridge_slot *sl)
{
    while (sl->m.nto_server) {
        long w = b->raw_write(conn, sl->m.to_server, sl->m.nto_server);
        if (w <= 0)
            return;
        char sink[256];
        for (size_t left = (size_t)w; left;)
            left -= tf_bridge_take_server(&sl->m, sink, left < sizeof sink ? left : sizeof sink);
    }
}

/* Answers a token request and reports a verdict (decide, apply, then report). */
static void bridge_service(const struct tf_tls_ops *b, void *conn, struct bridge_slot *sl)
{
    struct tf_bridge *m = &sl->m;
    if (m->want_token) {
        char token[TF_BRIDGE_TOKEN + 1];
        const char *why = NULL;
        size_t n = tf_oauth_token(tf_config(), m->user, sl->host, m->proto, m->refresh, token, sizeof token, &why);
        tf_bridge_token(m, n ? token : NULL);
        for (volatile char *v = token; v < token + sizeof token; v++)
            *v = 0;
        if (!n && why && m->verdict < 0)
            m->why = why;   /* the command's own reason is the better one */
    }
    bridge_flush(b, conn, sl);
    if (m->verdict > 0) {
        struct tf_field f[] = {
            TF_STR("protocol", tf_proto_name(m->proto)), TF_STR("from", m->from), TF_STR("to", "XOAUTH2"),
            TF_STR("library", b->name),
        };
        tf_emit(TF_EV(auth_bridged), f, sizeof f / sizeof f[0], TF_CALLER);
    } else if (m->verdict < 0) {
        bridge_failed_record(b, m->proto, m->from, m->why);
    }
    m->verdict = 0;
}

/* The slot goes once the login is over and nothing is queued. */
static void bridge_maybe_done(struct bridge_slot *sl, const void *conn)
{
    const void *want = conn;
    if (tf_bridge_finished(&sl->m) &&
        __atomic_compare_exchange_n(&sl->conn, &want, (const void *)1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        bridge_release(sl);
}

int tf_tls_bridge_write(const struct tf_tls_ops *b, void *conn, const void *buf, size_t n, long *ret)
{
    struct bridge_slot *sl = bridge_of(conn);
    if (sl == NULL)
        return 0;
    if (buf == NULL || n == 0 || tf_bridge_finished(&sl->m)) {
        bridge_maybe_done(sl, conn);
        return 0;
    }
    tf_bridge_client(&sl->m, buf, n);
    bridge_service(b, conn, sl);
    bridge_maybe_done(sl, conn);
    *ret = (long)n;
    return 1;
}

int tf_tls_bridge_read(const struct tf_tls_ops *b, void *conn, void *buf, size_t n, int peek, long *ret)
{
    struct bridge_slot *sl = bridge_of(conn);
    if (sl == NULL || buf == NULL || n == 0)
        return 0;
    bridge_flush(b, conn, sl);
    for (;;) {
        struct tf_bridge *m = &sl->m;
        if (m->nto_program) {
            size_t k = m->nto_program < n ? m->nto_program : n;
            memcpy(buf, m->to_program, k);
            if (!peek) {
                char sink[256];
                for (size_t left = k; left;)
                    left -= tf_bridge_take_program(m, sink, left < sizeof sink ? left : sizeof sink);
            }
            bridge_maybe_done(sl, conn);
            *ret = (long)k;
            return 1;
        }
        if (tf_bridge_finished(m)) {
            bridge_maybe_done(sl, conn);
            return 0;
        }
        char in[1024];
        long r = b->raw_read(conn, in, sizeof in);
        if (r <= 0) {
            *ret = r;
            return 1;
        }
        tf_bridge_server(m, in, (size_t)r);
        bridge_service(b, conn, sl);
    }
}

void tf_tls_handshake_done(const struct tf_tls_ops *b, const void *conn)
{
    uintptr_t bits = tf_conn_bits(conn);
    if (bits & TF_HANDSHAKE_LOGGED)
        return;
    tf_conn_mark(conn, TF_HANDSHAKE_LOGGED);
    struct conn_facts cf;
    char cipher[64];
    int version = b->version(conn);
    uintptr_t did = bits & TF_DID_ANY;
    conn_facts_of(b, conn, &did, &cf);
    int mail = cf.port && tf_is_mail_port(cf.port);
    enum tf_proto proto = tf_proto_by_port(cf.port);
    struct tf_field f[] = {
        TF_STR("version", tf_version_name(version)),
        TF_STR("cipher", b->cipher(conn, cipher, sizeof cipher)),
        TF_STR("sni", OR_NULL(cf.sni)),
        TF_STR("peer", OR_NULL(cf.peer)),
        TF_BOOL("below_floor", version < tf_config()->floor),
        TF_BOOL("changed", tf_enforcing() && did),
        TF_STR("changes", cf.changes),
        PORT_FIELD(cf.port),
        TF_STR("protocol", mail ? tf_proto_name(proto) : NULL),
        TF_STR("library", b->name),
    };
    tf_emit(TF_EV(handshake), f, sizeof f / sizeof f[0], TF_CALLER);
    /* a client talking to a mail port (or to an unknown one, through its own transport) has its
     * first commands watched for the authentication mechanism */
    if (!b->is_server(conn) && (!cf.port || mail))
        tf_conn_mark(conn, TF_WATCH_AUTH | ((uintptr_t)proto << TF_CONN_PROTO_SHIFT));
    if (!b->is_server(conn) && mail && proto != TF_PROTO_UNKNOWN)
        bridge_start(b, conn, proto, cf.sni[0] ? cf.sni : cf.peer);
}

void tf_tls_handshake_failed(const struct tf_tls_ops *b, const void *conn, const char *reason)
{
    uintptr_t bits = tf_conn_bits(conn);
    if (bits & TF_HANDSHAKE_LOGGED)
        return;
    tf_conn_mark(conn, TF_HANDSHAKE_LOGGED);
    /* here the silent default-minimum raise counts: it may be why the handshake failed */
    uintptr_t did = bits & (TF_DID_ANY | TF_DID_FLOOR);
    struct conn_facts cf;
    conn_facts_of(b, conn, &did, &cf);
    struct tf_field f[] = {
        TF_STR("reason", reason),
        PORT_FIELD(cf.port),
        TF_STR("sni", OR_NULL(cf.sni)),
        TF_STR("peer", OR_NULL(cf.peer)),
        TF_BOOL("changed", tf_enforcing() && did),
        TF_STR("changes", cf.changes),
        TF_STR("library", b->name),
    };
    tf_emit(TF_EV(handshake_failed), f, sizeof f / sizeof f[0], TF_CALLER);
}

/* Looks at what a watched client sends until its authentication command or TF_SNIFF_BUDGET
 * bytes; then the connection is never looked at again. */
static void sniff(const struct tf_tls_ops *b, const void *conn, uintptr_t bits, const void *buf, size_t num)
{
    const struct tf_config *c = tf_config();
    size_t seen = bits >> TF_CONN_SEEN_SHIFT;
    size_t take = num < TF_SNIFF_BUDGET - seen ? num : TF_SNIFF_BUDGET - seen;
    struct tf_auth auth;
    enum tf_proto proto = (enum tf_proto)((bits & TF_CONN_PROTO_MASK) >> TF_CONN_PROTO_SHIFT);
    uintptr_t low = bits & (((uintptr_t)1 << TF_CONN_SEEN_SHIFT) - 1);
    if (tf_sniff_client(buf, take, proto, c->log_user, &auth) == TF_SNIFF_AUTH) {
        char peer[64], sni[256];
        tf_conn_set(conn, low & ~(uintptr_t)TF_WATCH_AUTH);
        tf_tls_peer(b, conn, peer, sizeof peer);
        struct tf_field f[] = {
            TF_STR("protocol", tf_proto_name(auth.proto)), TF_STR("mechanism", auth.mechanism),
            TF_STR("command", auth.command),
            TF_STR("sni", b->sni(conn, sni, sizeof sni)),
            TF_STR("peer", OR_NULL(peer)),
            TF_STR("user", c->log_user && auth.user[0] ? auth.user : NULL),
            TF_STR("library", b->name),
        };
        tf_emit(TF_EV(auth), f, sizeof f / sizeof f[0], TF_CALLER);
    } else if (seen + take >= TF_SNIFF_BUDGET) {
        tf_conn_set(conn, low & ~(uintptr_t)TF_WATCH_AUTH);
    } else {
        tf_conn_set(conn, low | ((uintptr_t)(seen + take) << TF_CONN_SEEN_SHIFT));
    }
}

void tf_tls_client_wrote(const struct tf_tls_ops *b, const void *conn, const void *buf, size_t n)
{
    if (buf == NULL || n == 0)
        return;
    uintptr_t bits = tf_conn_bits(conn);
    if (bits & TF_WATCH_AUTH)
        sniff(b, conn, bits, buf, n);
}
