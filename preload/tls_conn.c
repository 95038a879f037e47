/* The neutral half of every TLS backend: per-connection state, the handshake and failure
 * records, and the watch of a client's first commands (its authentication posture). A backend
 * calls these with its table of operations (struct tf_tls_ops); nothing here knows a library. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

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

void tf_conn_forget(const void *obj)
{
    tf_conntab_forget(&conns, obj);
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
    tf_emit("handshake", f, sizeof f / sizeof f[0], TF_CALLER);
    /* a client talking to a mail port (or to an unknown one, through its own transport) has its
     * first commands watched for the authentication mechanism */
    if (!b->is_server(conn) && (!cf.port || mail))
        tf_conn_mark(conn, TF_WATCH_AUTH | ((uintptr_t)proto << TF_CONN_PROTO_SHIFT));
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
    tf_emit("handshake_failed", f, sizeof f / sizeof f[0], TF_CALLER);
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
        tf_emit("auth", f, sizeof f / sizeof f[0], TF_CALLER);
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
