/* OpenSSL hooks: every route by which a program pins an old TLS version, raised to the floor.
 *
 * Each hook forwards to the real function found at run time (openssl_api.c). Only the outermost
 * hook of a thread acts (tf_depth): libssl 3 calls its own exported functions through the PLT.
 * Per-object state lives in ex_data slots as bit sets: which interventions touched a context or
 * connection (for the handshake record, and so audit mode reports a pin once, not at every
 * re-check), whether its handshake was logged. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "shim.h"
#include "tf_sniff.h"
#include "tf_version.h"

/* Constants identical from 1.0.2 to 3.x. */
#define CB_EXIT 0x02
#define CB_HANDSHAKE_DONE 0x20
#define VERIFY_NONE 0x00
#define VERIFY_PEER 0x01
#define NAMETYPE_HOST 0
#define ERROR_SSL 1
#define ERROR_SYSCALL 5
#define ERROR_ZERO_RETURN 6

enum {
    DID_METHOD = 1 << 0,
    DID_MAX = 1 << 1,
    DID_MIN = 1 << 2,
    DID_OPTIONS = 1 << 3,
    DID_CIPHERS = 1 << 4,
    DID_REWRITE = 1 << 5,
    DID_VERIFY = 1 << 6,
    HANDSHAKE_LOGGED = 1 << 7,
    INFO_CB_SET = 1 << 8,
    WATCH_AUTH = 1 << 9,        /* client's first bytes are looked at for its auth command */
    DID_FLOOR = 1 << 12,        /* the library's default minimum ("any") was raised: no pin, but
                                   it explains a failed handshake with an old server */
};
#define PROTO_SHIFT 10          /* 2 bits: enum tf_proto of a watched connection */
#define PROTO_MASK ((uintptr_t)3 << PROTO_SHIFT)
#define SEEN_SHIFT 16           /* bytes looked at so far */
#define DID_ANY (DID_METHOD | DID_MAX | DID_MIN | DID_OPTIONS | DID_CIPHERS | DID_REWRITE | DID_VERIFY)

/* ---- per-object bits ---- */

static uintptr_t ssl_bits(const struct tf_openssl *o, const SSL *s)
{
    return (uintptr_t)o->fn.SSL_get_ex_data(s, o->ex_ssl);
}

static void ssl_set_bits(const struct tf_openssl *o, const SSL *s, uintptr_t bits)
{
    o->fn.SSL_set_ex_data((SSL *)s, o->ex_ssl, (void *)bits);
}

static void mark(const struct tf_openssl *o, SSL_CTX *ctx, SSL *s, uintptr_t bit)
{
    if (s)
        ssl_set_bits(o, s, ssl_bits(o, s) | bit);
    else if (ctx)
        o->fn.SSL_CTX_set_ex_data(ctx, o->ex_ctx, (void *)((uintptr_t)o->fn.SSL_CTX_get_ex_data(ctx, o->ex_ctx) | bit));
}

/* DTLS has its own version numbers (and is not mail): it is left alone. */
static int is_dtls(const struct tf_openssl *o, const SSL_CTX *ctx, const SSL *s)
{
    if (s)
        return tf_method_is_dtls(o, o->fn.SSL_get_ssl_method(s));
    return ctx && o->fn.SSL_CTX_get_ssl_method && tf_method_is_dtls(o, o->fn.SSL_CTX_get_ssl_method(ctx));
}

/* ---- the decisions, each logging what it does (or would do) ---- */

/* Returns the method to use instead of meth (meth itself when nothing is pinned or in audit). */
static const SSL_METHOD *method_policy(const struct tf_openssl *o, const SSL_METHOD *meth, const char *via, int *pinned)
{
    int i = tf_method_index(o, meth);
    *pinned = 0;
    if (i < 0 || !tf_policy_method_pinned(tf_config()->floor, tf_pinned_methods[i].version))
        return meth;
    const struct tf_method_desc *d = &tf_pinned_methods[i];
    struct tf_field f[5] = {
        TF_STR("old", d->name), TF_STR("new", tf_flexible_method_name(&o->abi, d->role)),
        TF_STR("version", tf_version_name(d->version)), TF_STR("via", via),
    };
    tf_emit_intervention("method_pinned", f, 4);
    *pinned = 1;
    return tf_enforcing() ? o->flexible[d->role] : meth;
}

static uint64_t options_policy(const struct tf_openssl *o, uint64_t op, const char *via, int *hit)
{
    uint64_t bad = op & tf_policy_forbidden_options(&o->abi, tf_config()->floor);
    char names[96];
    *hit = bad != 0;
    if (!bad)
        return op;
    tf_policy_options_name(&o->abi, bad, names, sizeof names);
    struct tf_field f[3] = { TF_STR("cleared", names), TF_STR("via", via) };
    tf_emit_intervention("option_cleared", f, 2);
    return tf_enforcing() ? op & ~bad : op;
}

/* Min/max version, 1.0.2's options, SNI: the ctrl commands behind the setter macros. */
static long ctrl_policy(const struct tf_openssl *o, SSL_CTX *ctx, SSL *s, int cmd, long larg, void **parg)
{
    const struct tf_abi_info *abi = &o->abi;
    int floor = tf_config()->floor;
    if ((cmd == abi->ctrl_set_min_proto || cmd == abi->ctrl_set_max_proto) && !is_dtls(o, ctx, s)) {
        int is_min = cmd == abi->ctrl_set_min_proto;
        int nv = is_min ? tf_policy_min(floor, (int)larg) : tf_policy_max(floor, (int)larg);
        if (nv == larg)
            return larg;
        const char *via = is_min ? (s ? "SSL_set_min_proto_version" : "SSL_CTX_set_min_proto_version")
                                 : (s ? "SSL_set_max_proto_version" : "SSL_CTX_set_max_proto_version");
        struct tf_field f[4] = {
            TF_STR("old", tf_version_name((int)larg)),
            TF_STR("new", tf_version_name(nv ? nv : abi->highest_version)), TF_STR("via", via),
        };
        tf_emit_intervention(is_min ? "min_version_raised" : "max_version_raised", f, 3);
        mark(o, ctx, s, is_min ? DID_MIN : DID_MAX);
        return tf_enforcing() ? nv : larg;
    }
    if (cmd == abi->ctrl_options) {
        int hit;
        long nv = (long)options_policy(o, (uint64_t)larg, s ? "SSL_set_options" : "SSL_CTX_set_options", &hit);
        if (hit)
            mark(o, ctx, s, DID_OPTIONS);
        return nv;
    }
    if (cmd == abi->ctrl_set_sni && s && larg == NAMETYPE_HOST && *parg) {
        const char *to = tf_rewrite_host((const char *)*parg, "sni");
        if (to) {
            *parg = (void *)to;
            mark(o, ctx, s, DID_REWRITE);
        }
    }
    return larg;
}

/* Whether a context (with cipher list str applied to a scratch connection, when given) leaves
 * any TLS <= 1.2 cipher usable at the floor. Unknown counts as usable: never act on a guess. */
static int ciphers_usable(const struct tf_openssl *o, SSL_CTX *ctx, const char *str)
{
    if (!o->fn.SSL_get1_supported_ciphers || !o->fn.OPENSSL_sk_num || o->abi.ctrl_set_min_proto < 0)
        return 1;
    SSL *t = o->fn.SSL_new(ctx);
    if (!t)
        return 1;
    int usable = 1;
    if (str == NULL || o->fn.SSL_set_cipher_list(t, str) == 1) {
        o->fn.SSL_ctrl(t, o->abi.ctrl_set_min_proto, tf_config()->floor, NULL);
        o->fn.SSL_ctrl(t, o->abi.ctrl_set_max_proto, 0, NULL);
        if (o->fn.SSL_clear_options)
            o->fn.SSL_clear_options(t, tf_policy_forbidden_options(&o->abi, tf_config()->floor));
        OPENSSL_STACK *sk = o->fn.SSL_get1_supported_ciphers(t);
        if (sk) {
            usable = 0;
            for (int i = 0; i < o->fn.OPENSSL_sk_num(sk); i++) {
                const char *v = o->fn.SSL_CIPHER_get_version(o->fn.OPENSSL_sk_value(sk, i));
                if (v && strcmp(v, "TLSv1.3") != 0)
                    usable++;
            }
            o->fn.OPENSSL_sk_free(sk);
        }
    } else {
        usable = 0;
    }
    o->fn.SSL_free(t);
    return usable;
}

/* Appends the library's default list after the program's own when nothing in it is usable at
 * TLS 1.2 (the program's ciphers and any @SECLEVEL stay first). Returns the real call's result. */
static int cipher_list_policy(const struct tf_openssl *o, SSL_CTX *ctx, SSL *s, const char *str, int result)
{
    if (tf_config()->floor != TF_TLS1_2 || str == NULL)
        return result;
    if (result == 1 && ciphers_usable(o, ctx, s ? str : NULL))
        return result;
    /* DEFAULT means something only at the start of a cipher string; spelled out, the library's
     * default list can follow the program's own. */
    const char *defaults = o->fn.OSSL_default_cipher_list ? o->fn.OSSL_default_cipher_list()
                                                          : "ALL:!COMPLEMENTOFDEFAULT:!eNULL";
    char extended[1024];
    int n = snprintf(extended, sizeof extended, "%s:%s", str, defaults);
    if (n < 0 || (size_t)n >= sizeof extended)
        return result;
    struct tf_field f[4] = { TF_STR("old", str), TF_STR("new", extended),
                             TF_STR("via", s ? "SSL_set_cipher_list" : "SSL_CTX_set_cipher_list") };
    tf_emit_intervention("cipher_list_extended", f, 3);
    mark(o, ctx, s, DID_CIPHERS);
    if (!tf_enforcing())
        return result;
    return s ? o->fn.SSL_set_cipher_list(s, extended) : o->fn.SSL_CTX_set_cipher_list(ctx, extended);
}

/* ---- observation ---- */

/* "host:port" of the connection's socket, when it has one; returns the port or 0. */
static int peer_of(const struct tf_openssl *o, const SSL *s, char *out, size_t cap)
{
    struct sockaddr_storage ss = { 0 };
    socklen_t len = sizeof ss;
    char host[INET6_ADDRSTRLEN] = "";
    int fd = o->fn.SSL_get_fd(s), port = 0;
    out[0] = '\0';
    if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
        return tf_thread_peer(out, cap);   /* the program's own BIO: its thread's last connect */
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        port = ntohs(in->sin_port);
        snprintf(out, cap, "%s:%d", host, port);
    } else if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        port = ntohs(in6->sin6_port);
        snprintf(out, cap, "[%s]:%d", host, port);
    }
    return port;
}

static void changes_of(uintptr_t bits, char *out, size_t cap)
{
    static const struct { uintptr_t bit; const char *name; } names[] = {
        { DID_METHOD, "method" }, { DID_MIN, "min_version" }, { DID_MAX, "max_version" },
        { DID_OPTIONS, "options" }, { DID_CIPHERS, "ciphers" }, { DID_REWRITE, "host" },
        { DID_VERIFY, "verify" }, { DID_FLOOR, "default_min_version" },
    };
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if ((bits & names[i].bit) && used + strlen(names[i].name) + 2 < cap)
            used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? "," : "", names[i].name);
}

/* What the handshake and failure records share: where the connection goes, and what tlsfloor
 * did to it (did: the DID_* bits that count for this record). */
struct conn_facts {
    char peer[64];
    int port;            /* 0 when unknown */
    char changes[96];
};

/* The port comes from the connection's socket or, for programs with their own BIO, from the
 * mail socket this thread connected; that socket is marked covered by OpenSSL. */
static void conn_facts_of(const struct tf_openssl *o, const SSL *s, uintptr_t did, struct conn_facts *f)
{
    int port = peer_of(o, s, f->peer, sizeof f->peer);
    int watched = tf_watch_covered(o->fn.SSL_get_fd(s));
    f->port = port ? port : watched;
    changes_of(did, f->changes, sizeof f->changes);
}

/* "port": a number, or null when unknown. */
#define PORT_FIELD(p) ((p) ? (struct tf_field)TF_INT("port", (p)) : (struct tf_field)TF_STR("port", NULL))

/* Returns the bits to add: a client talking to a mail port (or to an unknown one, through its
 * own BIO) has its first commands watched for the authentication mechanism. */
static uintptr_t log_handshake(const struct tf_openssl *o, const SSL *s, uintptr_t bits)
{
    struct conn_facts cf;
    int version = o->fn.SSL_version(s);
    const SSL_CIPHER *c = o->fn.SSL_get_current_cipher(s);
    conn_facts_of(o, s, bits & DID_ANY, &cf);
    int mail = cf.port && tf_is_mail_port(cf.port);
    enum tf_proto proto = tf_proto_by_port(cf.port);
    struct tf_field f[] = {
        TF_STR("version", tf_version_name(version)),
        TF_STR("cipher", c ? o->fn.SSL_CIPHER_get_name(c) : NULL),
        TF_STR("sni", o->fn.SSL_get_servername(s, NAMETYPE_HOST)),
        TF_STR("peer", cf.peer[0] ? cf.peer : NULL),
        TF_BOOL("below_floor", version < tf_config()->floor),
        TF_BOOL("changed", tf_enforcing() && (bits & DID_ANY)),
        TF_STR("changes", cf.changes),
        PORT_FIELD(cf.port),
        TF_STR("protocol", mail ? tf_proto_name(proto) : NULL),
    };
    tf_emit("handshake", f, sizeof f / sizeof f[0], 1);
    if (o->fn.SSL_is_server(s) || (cf.port && !mail))
        return 0;
    return WATCH_AUTH | ((uintptr_t)proto << PROTO_SHIFT);
}

static void log_failure(const struct tf_openssl *o, const SSL *s, int err, uintptr_t bits)
{
    struct conn_facts cf;
    char reason[160];
    int saved_errno = errno;
    unsigned long e = o->fn.ERR_peek_last_error();
    const char *why = e ? o->fn.ERR_reason_error_string(e) : NULL;
    if (why)
        snprintf(reason, sizeof reason, "%s", why);
    else if (e)
        snprintf(reason, sizeof reason, "OpenSSL error 0x%lx", e);
    else if (err == ERROR_ZERO_RETURN)
        snprintf(reason, sizeof reason, "peer closed the connection");
    else
        snprintf(reason, sizeof reason, "connection closed or reset (%s)",
                 saved_errno ? strerror(saved_errno) : "end of file");
    /* here the silent default-minimum raise counts: it may be why the handshake failed */
    uintptr_t did = bits & (DID_ANY | DID_FLOOR);
    conn_facts_of(o, s, did, &cf);
    struct tf_field f[] = {
        TF_STR("reason", reason),
        PORT_FIELD(cf.port),
        TF_STR("sni", o->fn.SSL_get_servername(s, NAMETYPE_HOST)),
        TF_STR("peer", cf.peer[0] ? cf.peer : NULL),
        TF_BOOL("changed", tf_enforcing() && did),
        TF_STR("changes", cf.changes),
    };
    tf_emit("handshake_failed", f, sizeof f / sizeof f[0], 1);
    errno = saved_errno;
}

/* Installed on every connection: sees handshakes however they start (SSL_connect, SSL_read,
 * BIO_f_ssl), then hands the event to the program's own callback. */
static void info_callback(const SSL *s, int where, int ret)
{
    const struct tf_openssl *o = tf_openssl();
    tf_info_cb chained = (tf_info_cb)o->fn.SSL_get_ex_data(s, o->ex_ssl_cb);
    if (!chained)
        chained = o->fn.SSL_CTX_get_info_callback(o->fn.SSL_get_SSL_CTX(s));
    uintptr_t bits = ssl_bits(o, s);
    if (!(bits & HANDSHAKE_LOGGED)) {
        if (where & CB_HANDSHAKE_DONE) {
            ssl_set_bits(o, s, bits | HANDSHAKE_LOGGED | log_handshake(o, s, bits));
        } else if ((where & CB_EXIT) && ret <= 0) {
            int err = o->fn.SSL_get_error(s, ret);
            if (err == ERROR_SSL || err == ERROR_SYSCALL || err == ERROR_ZERO_RETURN) {
                ssl_set_bits(o, s, bits | HANDSHAKE_LOGGED);
                log_failure(o, s, err, bits);
            }
        }
    }
    if (chained && chained != info_callback)
        chained(s, where, ret);
}

/* ---- the floor, re-asserted on each connection before its handshake ---- */

/* Catches what no setter hook saw (SSL_CONF_cmd, openssl.cnf, a context made before us): the
 * connection's own method, bounds and options are checked and raised. In audit mode a pin
 * already reported for the context or connection is not reported again. */
static void prepare_connection(const struct tf_openssl *o, SSL *s, const char *via)
{
    const struct tf_abi_info *abi = &o->abi;
    const struct tf_config *c = tf_config();
    int enforce = c->mode == TF_MODE_ENFORCE, floor = c->floor;
    uintptr_t bits = ssl_bits(o, s) & ~(uintptr_t)HANDSHAKE_LOGGED, add = 0;
    if (is_dtls(o, NULL, s))
        return;

    /* From 1.1.1 on, a handshake starts with the context's method (SSL_clear puts it back), so
     * that is the one that counts; before, the connection's own. */
    SSL_CTX *ctx = o->fn.SSL_get_SSL_CTX(s);
    int ctx_level = abi->abi >= TF_ABI_111 && o->fn.SSL_CTX_get_ssl_method;
    const SSL_METHOD *cur_m = ctx_level ? o->fn.SSL_CTX_get_ssl_method(ctx) : o->fn.SSL_get_ssl_method(s);
    int i = tf_method_index(o, cur_m);
    if (i >= 0 && tf_policy_method_pinned(floor, tf_pinned_methods[i].version)) {
        int pinned;
        if (enforce || !(bits & DID_METHOD)) {
            const SSL_METHOD *m = method_policy(o, cur_m, via, &pinned);
            if (enforce && ctx_level && o->fn.SSL_CTX_set_ssl_version)
                o->fn.SSL_CTX_set_ssl_version(ctx, m);
            else if (enforce && !ctx_level && o->fn.SSL_set_ssl_method)
                o->fn.SSL_set_ssl_method(s, m);
        }
        add |= DID_METHOD;
    }

    if (abi->ctrl_get_min_proto >= 0) {
        long cur = o->fn.SSL_ctrl(s, abi->ctrl_get_min_proto, 0, NULL);
        /* 0 is the library's default, not a pin: raised silently. */
        if (cur != 0 && cur < floor && (enforce || !(bits & DID_MIN))) {
            struct tf_field f[4] = { TF_STR("old", tf_version_name((int)cur)),
                                     TF_STR("new", tf_version_name(floor)), TF_STR("via", via) };
            tf_emit_intervention("min_version_raised", f, 3);
            add |= DID_MIN;
        }
        if (cur < floor && enforce) {
            o->fn.SSL_ctrl(s, abi->ctrl_set_min_proto, floor, NULL);
            if (cur == 0)
                add |= DID_FLOOR;
        }
        long max = o->fn.SSL_ctrl(s, abi->ctrl_get_max_proto, 0, NULL);
        if (max != 0 && max < floor) {
            if (enforce || !(bits & DID_MAX)) {
                struct tf_field f[4] = { TF_STR("old", tf_version_name((int)max)),
                                         TF_STR("new", tf_version_name(abi->highest_version)),
                                         TF_STR("via", via) };
                tf_emit_intervention("max_version_raised", f, 3);
            }
            if (enforce)
                o->fn.SSL_ctrl(s, abi->ctrl_set_max_proto, 0, NULL);
            add |= DID_MAX;
        }
    } else if (abi->ctrl_set_min_proto >= 0 && enforce) {
        o->fn.SSL_ctrl(s, abi->ctrl_set_min_proto, floor, NULL);   /* 1.1.0: no getter */
    }

    uint64_t opts = o->fn.SSL_get_options ? o->fn.SSL_get_options(s)
                                          : (uint64_t)o->fn.SSL_ctrl(s, abi->ctrl_options, 0, NULL);
    uint64_t bad = opts & tf_policy_forbidden_options(abi, floor);
    if (bad) {
        if (enforce || !(bits & DID_OPTIONS)) {
            int hit;
            options_policy(o, opts, via, &hit);
        }
        if (enforce && o->fn.SSL_clear_options)
            o->fn.SSL_clear_options(s, bad);
        else if (enforce)
            o->fn.SSL_ctrl(s, abi->ctrl_clear_options, (long)bad, NULL);
        add |= DID_OPTIONS;
    }

    /* TLSFLOOR_VERIFY=require: a connection sent to another host is verified as that host. */
    if (enforce && c->verify == TF_VERIFY_REQUIRE && (bits & DID_REWRITE) && !(bits & DID_VERIFY) &&
        o->fn.SSL_get_verify_mode(s) == VERIFY_NONE) {
        const char *name = o->fn.SSL_get_servername(s, NAMETYPE_HOST);
        o->fn.SSL_CTX_set_default_verify_paths(o->fn.SSL_get_SSL_CTX(s));
        o->fn.SSL_set_verify(s, VERIFY_PEER, NULL);
        if (name && o->fn.SSL_set1_host)
            o->fn.SSL_set1_host(s, name);
        struct tf_field f[] = { TF_STR("host", name), TF_STR("trust", "system default paths") };
        tf_emit("verify_required", f, 2, 1);
        add |= DID_VERIFY;
    }

    if (!(bits & INFO_CB_SET)) {
        o->fn.SSL_set_info_callback(s, info_callback);
        add |= INFO_CB_SET;
    }
    ssl_set_bits(o, s, bits | add);
}

/* ---- the hooks ---- */

/* Forward when the table is unusable or another hook of this thread is already acting. */
#define PASSTHROUGH(o, name) (!(o)->usable || tf_depth > 0 || !(o)->fn.name)

static SSL_CTX *new_ctx(const struct tf_openssl *o, OSSL_LIB_CTX *lib, const char *propq,
                        const SSL_METHOD *meth, int ex)
{
    int pinned;
    tf_depth++;
    const SSL_METHOD *m = method_policy(o, meth, ex ? "SSL_CTX_new_ex" : "SSL_CTX_new", &pinned);
    SSL_CTX *ctx = ex ? o->fn.SSL_CTX_new_ex(lib, propq, m) : o->fn.SSL_CTX_new(m);
    if (ctx && pinned)
        mark(o, ctx, NULL, DID_METHOD);
    tf_depth--;
    return ctx;
}

TF_EXPORT SSL_CTX *SSL_CTX_new(const SSL_METHOD *meth)
{
    const struct tf_openssl *o = tf_openssl();
    if (PASSTHROUGH(o, SSL_CTX_new))
        return o->fn.SSL_CTX_new ? o->fn.SSL_CTX_new(meth) : NULL;
    return new_ctx(o, NULL, NULL, meth, 0);
}

TF_EXPORT SSL_CTX *SSL_CTX_new_ex(OSSL_LIB_CTX *libctx, const char *propq, const SSL_METHOD *meth)
{
    const struct tf_openssl *o = tf_openssl();
    if (PASSTHROUGH(o, SSL_CTX_new_ex))
        return o->fn.SSL_CTX_new_ex ? o->fn.SSL_CTX_new_ex(libctx, propq, meth) : NULL;
    return new_ctx(o, libctx, propq, meth, 1);
}

TF_EXPORT int SSL_CTX_set_ssl_version(SSL_CTX *ctx, const SSL_METHOD *meth)
{
    const struct tf_openssl *o = tf_openssl();
    if (PASSTHROUGH(o, SSL_CTX_set_ssl_version))
        return o->fn.SSL_CTX_set_ssl_version ? o->fn.SSL_CTX_set_ssl_version(ctx, meth) : 0;
    int pinned;
    tf_depth++;
    const SSL_METHOD *m = method_policy(o, meth, "SSL_CTX_set_ssl_version", &pinned);
    if (pinned)
        mark(o, ctx, NULL, DID_METHOD);
    int r = o->fn.SSL_CTX_set_ssl_version(ctx, m);
    tf_depth--;
    return r;
}

/* From 1.1.1 on the connection's method is replaced by the context's when its handshake starts:
 * a version-specific one set here never takes effect, and is neither changed nor reported. */
TF_EXPORT int SSL_set_ssl_method(SSL *s, const SSL_METHOD *meth)
{
    const struct tf_openssl *o = tf_openssl();
    if (PASSTHROUGH(o, SSL_set_ssl_method) || o->abi.abi >= TF_ABI_111)
        return o->fn.SSL_set_ssl_method ? o->fn.SSL_set_ssl_method(s, meth) : 0;
    int pinned;
    tf_depth++;
    const SSL_METHOD *m = method_policy(o, meth, "SSL_set_ssl_method", &pinned);
    if (pinned)
        mark(o, NULL, s, DID_METHOD);
    int r = o->fn.SSL_set_ssl_method(s, m);
    tf_depth--;
    return r;
}

TF_EXPORT long SSL_CTX_ctrl(SSL_CTX *ctx, int cmd, long larg, void *parg)
{
    const struct tf_openssl *o = tf_openssl();
    if (PASSTHROUGH(o, SSL_CTX_ctrl))
        return o->fn.SSL_CTX_ctrl ? o->fn.SSL_CTX_ctrl(ctx, cmd, larg, parg) : 0;
    tf_depth++;
    larg = ctrl_policy(o, ctx, NULL, cmd, larg, &parg);
    long r = o->fn.SSL_CTX_ctrl(ctx, cmd, larg, parg);
    tf_depth--;
    return r;
}

TF_EXPORT long SSL_ctrl(SSL *s, int cmd, long larg, void *parg)
{
    const struct tf_openssl *o = tf_openssl();
    if (PASSTHROUGH(o, SSL_ctrl))
        return o->fn.SSL_ctrl ? o->fn.SSL_ctrl(s, cmd, larg, parg) : 0;
    tf_depth++;
    larg = ctrl_policy(o, NULL, s, cmd, larg, &parg);
    long r = o->fn.SSL_ctrl(s, cmd, larg, parg);
    tf_depth--;
    return r;
}

TF_EXPORT uint64_t SSL_CTX_set_options(SSL_CTX *ctx, uint64_t op)
{
    const struct tf_openssl *o = tf_openssl();
    if (PASSTHROUGH(o, SSL_CTX_set_options))
        return o->fn.SSL_CTX_set_options ? o->fn.SSL_CTX_set_options(ctx, op) : 0;
    int hit;
    tf_depth++;
    op = options_policy(o, op, "SSL_CTX_set_options", &hit);
    if (hit)
        mark(o, ctx, NULL, DID_OPTIONS);
    uint64_t r = o->fn.SSL_CTX_set_options(ctx, op);
    tf_depth--;
    return r;
}

TF_EXPORT uint64_t SSL_set_options(SSL *s, uint64_t op)
{
    const struct tf_openssl *o = tf_openssl();
    if (PASSTHROUGH(o, SSL_set_options))
        return o->fn.SSL_set_options ? o->fn.SSL_set_options(s, op) : 0;
    int hit;
    tf_depth++;
    op = options_policy(o, op, "SSL_set_options", &hit);
    if (hit)
        mark(o, NULL, s, DID_OPTIONS);
    uint64_t r = o->fn.SSL_set_options(s, op);
    tf_depth--;
    return r;
}

TF_EXPORT int SSL_CTX_set_cipher_list(SSL_CTX *ctx, const char *str)
{
    const struct tf_openssl *o = tf_openssl();
    if (PASSTHROUGH(o, SSL_CTX_set_cipher_list))
        return o->fn.SSL_CTX_set_cipher_list ? o->fn.SSL_CTX_set_cipher_list(ctx, str) : 0;
    tf_depth++;
    int r = cipher_list_policy(o, ctx, NULL, str, o->fn.SSL_CTX_set_cipher_list(ctx, str));
    tf_depth--;
    return r;
}

TF_EXPORT int SSL_set_cipher_list(SSL *s, const char *str)
{
    const struct tf_openssl *o = tf_openssl();
    if (PASSTHROUGH(o, SSL_set_cipher_list))
        return o->fn.SSL_set_cipher_list ? o->fn.SSL_set_cipher_list(s, str) : 0;
    tf_depth++;
    int r = cipher_list_policy(o, o->fn.SSL_get_SSL_CTX(s), s, str, o->fn.SSL_set_cipher_list(s, str));
    tf_depth--;
    return r;
}

TF_EXPORT SSL *SSL_new(SSL_CTX *ctx)
{
    const struct tf_openssl *o = tf_openssl();
    if (PASSTHROUGH(o, SSL_new))
        return o->fn.SSL_new ? o->fn.SSL_new(ctx) : NULL;
    tf_depth++;
    SSL *s = o->fn.SSL_new(ctx);
    if (s) {
        /* what was done to the context counts for the connection (and is not re-reported) */
        ssl_set_bits(o, s, (uintptr_t)o->fn.SSL_CTX_get_ex_data(ctx, o->ex_ctx) & DID_ANY);
        prepare_connection(o, s, "SSL_new");
    }
    tf_depth--;
    return s;
}

/* Before a handshake starts: re-check (cheap: a few ctrl reads), then go. Once the handshake
 * is under way (non-blocking retries) there is nothing left to check. */
static void before_handshake(const struct tf_openssl *o, SSL *s, const char *via)
{
    if (o->fn.SSL_in_before && !o->fn.SSL_in_before(s))
        return;
    prepare_connection(o, s, via);
}

#define HANDSHAKE_HOOK(ret, name)                                            \
    TF_EXPORT ret name(SSL *s)                                               \
    {                                                                        \
        const struct tf_openssl *o = tf_openssl();                           \
        if (PASSTHROUGH(o, name))                                            \
            return o->fn.name ? o->fn.name(s) : (ret)0;                      \
        tf_depth++;                                                          \
        before_handshake(o, s, #name);                                       \
        tf_depth--;                                                          \
        return o->fn.name(s);                                                \
    }

HANDSHAKE_HOOK(int, SSL_connect)
HANDSHAKE_HOOK(int, SSL_accept)
HANDSHAKE_HOOK(int, SSL_do_handshake)

TF_EXPORT void SSL_set_connect_state(SSL *s)
{
    const struct tf_openssl *o = tf_openssl();
    if (!o->fn.SSL_set_connect_state)
        return;
    o->fn.SSL_set_connect_state(s);
    if (PASSTHROUGH(o, SSL_set_connect_state))
        return;
    tf_depth++;
    before_handshake(o, s, "SSL_set_connect_state");
    tf_depth--;
}

TF_EXPORT void SSL_set_accept_state(SSL *s)
{
    const struct tf_openssl *o = tf_openssl();
    if (!o->fn.SSL_set_accept_state)
        return;
    o->fn.SSL_set_accept_state(s);
    if (PASSTHROUGH(o, SSL_set_accept_state))
        return;
    tf_depth++;
    before_handshake(o, s, "SSL_set_accept_state");
    tf_depth--;
}

/* The program's own callback is kept and called from ours. */
TF_EXPORT void SSL_set_info_callback(SSL *s, tf_info_cb cb)
{
    const struct tf_openssl *o = tf_openssl();
    if (PASSTHROUGH(o, SSL_set_info_callback) || !(ssl_bits(o, s) & INFO_CB_SET)) {
        if (o->fn.SSL_set_info_callback)
            o->fn.SSL_set_info_callback(s, cb);
        return;
    }
    o->fn.SSL_set_ex_data(s, o->ex_ssl_cb, (void *)cb);
}

/* ---- authentication posture ---- */

/* Looks at what a watched client sends until its authentication command, STARTTLS is irrelevant
 * here (already TLS), or TF_SNIFF_BUDGET bytes; then the connection is never looked at again. */
static void sniff_write(const struct tf_openssl *o, SSL *s, uintptr_t bits, const void *buf, size_t num)
{
    const struct tf_config *c = tf_config();
    size_t seen = bits >> SEEN_SHIFT;
    size_t take = num < TF_SNIFF_BUDGET - seen ? num : TF_SNIFF_BUDGET - seen;
    struct tf_auth auth;
    enum tf_proto proto = (enum tf_proto)((bits & PROTO_MASK) >> PROTO_SHIFT);
    uintptr_t low = bits & (((uintptr_t)1 << SEEN_SHIFT) - 1);
    if (tf_sniff_client(buf, take, proto, c->log_user, &auth) == TF_SNIFF_AUTH) {
        char peer[64];
        peer_of(o, s, peer, sizeof peer);
        struct tf_field f[] = {
            TF_STR("protocol", tf_proto_name(auth.proto)), TF_STR("mechanism", auth.mechanism),
            TF_STR("command", auth.command),
            TF_STR("sni", o->fn.SSL_get_servername(s, NAMETYPE_HOST)),
            TF_STR("peer", peer[0] ? peer : NULL),
            TF_STR("user", c->log_user && auth.user[0] ? auth.user : NULL),
        };
        tf_emit("auth", f, sizeof f / sizeof f[0], 1);
        ssl_set_bits(o, s, low & ~(uintptr_t)WATCH_AUTH);
    } else if (seen + take >= TF_SNIFF_BUDGET) {
        ssl_set_bits(o, s, low & ~(uintptr_t)WATCH_AUTH);
    } else {
        ssl_set_bits(o, s, low | ((uintptr_t)(seen + take) << SEEN_SHIFT));
    }
}

/* The only per-call cost once a connection is past its first commands: one ex_data read. */
static void watch_write(const struct tf_openssl *o, SSL *s, const void *buf, size_t num)
{
    if (!o->usable || tf_depth > 0 || num == 0 || buf == NULL)
        return;
    uintptr_t bits = ssl_bits(o, s);
    if (bits & WATCH_AUTH) {
        tf_depth++;
        sniff_write(o, s, bits, buf, num);
        tf_depth--;
    }
}

TF_EXPORT int SSL_write(SSL *s, const void *buf, int num)
{
    const struct tf_openssl *o = tf_openssl();
    if (!o->fn.SSL_write)
        return -1;
    if (num > 0)
        watch_write(o, s, buf, (size_t)num);
    return o->fn.SSL_write(s, buf, num);
}

TF_EXPORT int SSL_write_ex(SSL *s, const void *buf, size_t num, size_t *written)
{
    const struct tf_openssl *o = tf_openssl();
    if (!o->fn.SSL_write_ex)
        return 0;
    watch_write(o, s, buf, num);
    return o->fn.SSL_write_ex(s, buf, num, written);
}

/* ---- certificate host check (the rewrite rules) ---- */

static int host_hook(const struct tf_openssl *o, SSL *s, const char *host,
                     int (*real)(SSL *, const char *))
{
    tf_depth++;
    const char *to = host ? tf_rewrite_host(host, "verify") : NULL;
    if (to)
        mark(o, NULL, s, DID_REWRITE);
    int r = real(s, to ? to : host);
    tf_depth--;
    return r;
}

TF_EXPORT int SSL_set1_host(SSL *s, const char *host)
{
    const struct tf_openssl *o = tf_openssl();
    if (PASSTHROUGH(o, SSL_set1_host))
        return o->fn.SSL_set1_host ? o->fn.SSL_set1_host(s, host) : 0;
    return host_hook(o, s, host, o->fn.SSL_set1_host);
}

TF_EXPORT int SSL_add1_host(SSL *s, const char *host)
{
    const struct tf_openssl *o = tf_openssl();
    if (PASSTHROUGH(o, SSL_add1_host))
        return o->fn.SSL_add1_host ? o->fn.SSL_add1_host(s, host) : 0;
    return host_hook(o, s, host, o->fn.SSL_add1_host);
}

static int param_host_hook(X509_VERIFY_PARAM *p, const char *name, size_t len,
                           int (*real)(X509_VERIFY_PARAM *, const char *, size_t))
{
    char copy[TF_HOST_MAX + 1];
    size_t n = len ? len : (name ? strlen(name) : 0);
    if (name == NULL || n >= sizeof copy || strnlen(name, n) != n)   /* embedded NUL: leave it */
        return real(p, name, len);
    memcpy(copy, name, n);   /* NOLINT(bugprone-not-null-terminated-result): terminated below */
    copy[n] = '\0';
    tf_depth++;
    const char *to = tf_rewrite_host(copy, "verify");
    int r = to ? real(p, to, strlen(to)) : real(p, name, len);
    tf_depth--;
    return r;
}

TF_EXPORT int X509_VERIFY_PARAM_set1_host(X509_VERIFY_PARAM *p, const char *name, size_t len)
{
    const struct tf_openssl *o = tf_openssl();
    if (PASSTHROUGH(o, X509_VERIFY_PARAM_set1_host))
        return o->fn.X509_VERIFY_PARAM_set1_host ? o->fn.X509_VERIFY_PARAM_set1_host(p, name, len) : 0;
    return param_host_hook(p, name, len, o->fn.X509_VERIFY_PARAM_set1_host);
}

TF_EXPORT int X509_VERIFY_PARAM_add1_host(X509_VERIFY_PARAM *p, const char *name, size_t len)
{
    const struct tf_openssl *o = tf_openssl();
    if (PASSTHROUGH(o, X509_VERIFY_PARAM_add1_host))
        return o->fn.X509_VERIFY_PARAM_add1_host ? o->fn.X509_VERIFY_PARAM_add1_host(p, name, len) : 0;
    return param_host_hook(p, name, len, o->fn.X509_VERIFY_PARAM_add1_host);
}
