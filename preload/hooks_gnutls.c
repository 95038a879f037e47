/* GnuTLS hooks: the versions a program's priority strings allow raised to the floor, legacy
 * host names replaced in SNI and certificate checks, and the neutral records (tls_conn.c).
 *
 * Each hook forwards to the real function found at run time (gnutls_api.c). Only the outermost
 * hook of a thread acts (TF_ENTER, see shim.h): gnutls_priority_set_direct, for one, reaches
 * gnutls_priority_init inside the library. Decide, apply, then report: the floor never waits for
 * the log. Per-session bits are in tlsfloor's table, keyed by the gnutls_session_t; a priority
 * cache gets an entry too (TF_DID_PRIORITY), which gnutls_priority_set passes to the session. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "gnutls_api.h"
#include "tf_priority.h"
#include "tf_version.h"
#include "tls_backend.h"

#define ACTING(g) ((g)->usable && TF_ENTER())

/* The hooks' declarations come from the table (gnutls.def): a definition below that does not
 * match its line there fails to compile. */
#define TF_HOOK(need, ret, name, params) TF_EXPORT ret name params;
#define TF_CALL(need, ret, name, params)
#include "gnutls.def"
#undef TF_HOOK
#undef TF_CALL

/* How every hook begins: the real function (a hook for a function the process lacks returns
 * fail). Leaves g and real in scope. */
#define REAL_OR(name, fail)                                                  \
    const struct tf_gnutls *g = tf_gnutls();                                 \
    __typeof__(g->fn.name) real = TF_GREAL(g, name);                         \
    if (!real)                                                               \
    return fail

/* ... and most go on so: the call forwarded unchanged unless this one must act. */
#define PROLOGUE(name, fail, ...)                                            \
    REAL_OR(name, fail);                                                     \
    if (!ACTING(g))                                                          \
    return real(__VA_ARGS__)

#define PROLOGUE_VOID(name, ...)                                             \
    REAL_OR(name, );                                                         \
    if (!ACTING(g)) {                                                        \
        real(__VA_ARGS__);                                                   \
        return;                                                              \
    }                                                                        \
    (void)0

/* GnuTLS's own session bits (tls_backend.h) */
#define TF_GNUTLS_SERVER_SESSION TF_BACKEND_PRIVATE_0
#define TF_GNUTLS_DTLS_SESSION TF_BACKEND_PRIVATE_1
#define TF_GNUTLS_VERIFIES TF_BACKEND_PRE_HANDSHAKE

/* ---- observation: what the neutral records read from a session ---- */

static int gt_version(const void *conn)
{
    /* gnutls_protocol_t: SSL3 = 1, TLS1.0 = 2 ... TLS1.3 = 5; DTLS (200+) is not TLS */
    int p = tf_gnutls()->fn.gnutls_protocol_get_version((gnutls_session_t)conn);
    return p >= 1 && p <= 5 ? TF_SSL3 + p - 1 : 0;
}

static const char *gt_cipher(const void *conn, char *buf, size_t cap)
{
    const struct tf_gnutls *g = tf_gnutls();
    gnutls_session_t s = (gnutls_session_t)conn;
    (void)buf, (void)cap;   /* the library's own static strings */
    if (g->fn.gnutls_ciphersuite_get)
        return g->fn.gnutls_ciphersuite_get(s);
    return g->fn.gnutls_cipher_get_name(g->fn.gnutls_cipher_get(s));
}

/* The name a client session sends. GnuTLS answers gnutls_server_name_get only on the server
 * side, so the client's name is kept by tlsfloor: a copy, in the connection table under the
 * session's address + 1 (no object has that key), freed at gnutls_deinit. */
static const void *sni_key(const void *session)
{
    return (const char *)session + 1;
}

static void sni_keep(gnutls_session_t s, const char *name)
{
    char *copy = strdup(name);
    char *old = (char *)tf_conn_bits(sni_key(s));
    if (copy)
        tf_conn_set(sni_key(s), (uintptr_t)copy);
    else
        tf_conn_forget(sni_key(s));
    free(old);
}

static void sni_drop(gnutls_session_t s)
{
    char *old = (char *)tf_conn_bits(sni_key(s));
    if (old) {
        tf_conn_forget(sni_key(s));
        free(old);
    }
}

/* The standard name a session's SNI was rewritten to: the rules' own string, which lives as long
 * as the process (gnutls_session_set_verify_cert keeps the pointer it is given, not a copy). */
static const void *target_key(const void *session)
{
    return (const char *)session + 2;
}

static const char *target_of(gnutls_session_t s)
{
    return (const char *)tf_conn_bits(target_key(s));
}

static const char *gt_sni(const void *conn, char *buf, size_t cap)
{
    size_t len = cap - 1;
    unsigned type = 0;
    const char *kept = (const char *)tf_conn_bits(sni_key(conn));
    if (kept) {
        snprintf(buf, cap, "%s", kept);
        return buf;
    }
    if (cap < 2 || tf_gnutls()->fn.gnutls_server_name_get((gnutls_session_t)conn, buf, &len, &type, 0) != 0 ||
        type != TF_GNUTLS_NAME_DNS)
        return NULL;
    buf[len < cap ? len : cap - 1] = '\0';
    return buf[0] ? buf : NULL;
}

/* The transport is the program's: an int only when it set one. A value that is not a socket
 * (a pointer transport) counts as none. */
static int gt_fd(const void *conn)
{
    int fd = tf_gnutls()->fn.gnutls_transport_get_int((gnutls_session_t)conn), type;
    socklen_t len = sizeof type;
    int saved = errno;
    if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
        fd = -1;
    errno = saved;
    return fd;
}

static int gt_is_server(const void *conn)
{
    return (tf_conn_bits(conn) & TF_GNUTLS_SERVER_SESSION) != 0;
}

/* The real record functions for the OAuth bridge. */
static long gt_raw_write(void *conn, const void *buf, size_t n)
{
    return (long)tf_gnutls()->fn.gnutls_record_send(conn, buf, n);
}

static long gt_raw_read(void *conn, void *buf, size_t n)
{
    return (long)tf_gnutls()->fn.gnutls_record_recv(conn, buf, n);
}

static const struct tf_tls_ops gnutls_ops = {
    .name = "gnutls",
    .version = gt_version,
    .cipher = gt_cipher,
    .sni = gt_sni,
    .fd = gt_fd,
    .is_server = gt_is_server,
    .raw_write = gt_raw_write,
    .raw_read = gt_raw_read,
};

/* ---- sessions ---- */

TF_EXPORT int gnutls_init(gnutls_session_t *session, unsigned int flags)
{
    REAL_OR(gnutls_init, -1);
    int r = real(session, flags);
    /* a reused address starts clean; DTLS (not mail, its own versions) is left alone */
    if (r == 0 && session && *session && !tf_inert)
        tf_conn_new(*session, (flags & TF_GNUTLS_SERVER ? TF_GNUTLS_SERVER_SESSION : 0) |
                                  (flags & TF_GNUTLS_DATAGRAM ? TF_GNUTLS_DTLS_SESSION : 0));
    return r;
}

/* Freed sessions leave the table before the library frees them (the address may be reused by
 * another thread right after). */
TF_EXPORT void gnutls_deinit(gnutls_session_t session)
{
    REAL_OR(gnutls_deinit, );
    if (!tf_inert && session) {
        sni_drop(session);
        tf_conn_forget(target_key(session));
        tf_conn_forget(session);
    }
    real(session);
}

/* ---- priority strings ---- */

/* What a priority string becomes: raised (1), left (0), or too long to raise (-1). */
struct prio_change {
    int kind;
    char raised[2048];
};

static const char *prio_decide(const struct tf_gnutls *g, const char *prio, struct prio_change *ch)
{
    ch->kind = prio ? tf_priority_raise(prio, tf_config()->floor, g->has_tls13, ch->raised, sizeof ch->raised) : 0;
    return ch->kind == 1 && tf_enforcing() ? ch->raised : prio;
}

/* The bit a session or cache gets: the string was raised (in audit mode: would have been; the
 * records' "changed" says which), not when it was too long or the library refused it. */
static uintptr_t prio_bit(const struct prio_change *ch, int applied)
{
    return ch->kind == 1 && (applied || !tf_enforcing()) ? TF_DID_PRIORITY : 0;
}

static void prio_report(const char *old, const struct prio_change *ch, const char *via, int applied)
{
    if (ch->kind == 0)
        return;
    struct tf_field f[5] = { TF_STR("old", old), TF_STR("new", ch->kind == 1 ? ch->raised : NULL),
                             TF_STR("via", via) };
    int n = 3;
    if (ch->kind < 0)
        f[n++] = (struct tf_field)TF_STR("message", "the raised string would be too long; left as it was");
    tf_emit_intervention(TF_EV(priority_raised), f, n, applied);
}

/* Calls the real setter with the raised string; a string the library refuses is retried as the
 * program wrote it, so the program sees exactly the result (and error position) it would see
 * without tlsfloor. Returns the result; *applied says whether the raised one took. */
#define PRIO_APPLY(r, applied, use, prio, call_with)   \
    do {                                               \
        (applied) = 0;                                 \
        if ((use) != (prio)) {                         \
            (r) = call_with(use);                      \
            (applied) = (r) == 0;                      \
            if (!(applied))                            \
                (r) = call_with(prio);                 \
        } else {                                       \
            (r) = call_with(prio);                     \
        }                                              \
    } while (0)

static int prio_init(const struct tf_gnutls *g, gnutls_priority_t *cache, const char *prio,
                     const char **err_pos, unsigned flags, int v2)
{
    struct prio_change ch;
    const char *use = prio_decide(g, prio, &ch);
    int r, applied;
#define CALL(p) (v2 ? g->fn.gnutls_priority_init2(cache, (p), err_pos, flags) : g->fn.gnutls_priority_init(cache, (p), err_pos))
    PRIO_APPLY(r, applied, use, prio, CALL);
#undef CALL
    if (r == 0 && cache && *cache)
        tf_conn_new(*cache, prio_bit(&ch, applied));
    prio_report(prio, &ch, v2 ? "gnutls_priority_init2" : "gnutls_priority_init", applied);
    return r;
}

TF_EXPORT int gnutls_priority_init(gnutls_priority_t *cache, const char *priorities, const char **err_pos)
{
    PROLOGUE(gnutls_priority_init, -1, cache, priorities, err_pos);
    int r = prio_init(g, cache, priorities, err_pos, 0, 0);
    tf_leave();
    return r;
}

TF_EXPORT int gnutls_priority_init2(gnutls_priority_t *cache, const char *priorities, const char **err_pos,
                                    unsigned flags)
{
    PROLOGUE(gnutls_priority_init2, -1, cache, priorities, err_pos, flags);
    int r = prio_init(g, cache, priorities, err_pos, flags, 1);
    tf_leave();
    return r;
}

TF_EXPORT void gnutls_priority_deinit(gnutls_priority_t cache)
{
    REAL_OR(gnutls_priority_deinit, );
    if (!tf_inert && cache)
        tf_conn_forget(cache);
    real(cache);
}

/* A cache raised earlier counts for the session it is set on (reported once, at its init). */
TF_EXPORT int gnutls_priority_set(gnutls_session_t session, gnutls_priority_t cache)
{
    REAL_OR(gnutls_priority_set, -1);
    int r = real(session, cache);
    if (r == 0 && !tf_inert && cache && (tf_conn_bits(cache) & TF_DID_PRIORITY))
        tf_conn_mark(session, TF_DID_PRIORITY);
    return r;
}

TF_EXPORT int gnutls_priority_set_direct(gnutls_session_t session, const char *priorities, const char **err_pos)
{
    PROLOGUE(gnutls_priority_set_direct, -1, session, priorities, err_pos);
    struct prio_change ch;
    const char *use = prio_decide(g, priorities, &ch);
    int r, applied;
#define CALL(p) real(session, (p), err_pos)
    PRIO_APPLY(r, applied, use, priorities, CALL);
#undef CALL
    if (r == 0 && prio_bit(&ch, applied))
        tf_conn_mark(session, TF_DID_PRIORITY);
    prio_report(priorities, &ch, "gnutls_priority_set_direct", applied);
    tf_leave();
    return r;
}

TF_EXPORT int gnutls_set_default_priority_append(gnutls_session_t session, const char *add_prio,
                                                 const char **err_pos, unsigned flags)
{
    PROLOGUE(gnutls_set_default_priority_append, -1, session, add_prio, err_pos, flags);
    struct prio_change ch;
    const char *use = prio_decide(g, add_prio, &ch);
    int r, applied;
#define CALL(p) real(session, (p), err_pos, flags)
    PRIO_APPLY(r, applied, use, add_prio, CALL);
#undef CALL
    if (r == 0 && prio_bit(&ch, applied))
        tf_conn_mark(session, TF_DID_PRIORITY);
    prio_report(add_prio, &ch, "gnutls_set_default_priority_append", applied);
    tf_leave();
    return r;
}

/* ---- host names (the rewrite rules) ---- */

/* A host name of n bytes (no NUL needed) copied NUL-terminated; 0 when it cannot be (too long,
 * an embedded NUL: such a name is left alone). */
static int copy_name(const char *name, size_t n, char *copy, size_t cap)
{
    if (name == NULL || n == 0 || n >= cap || strnlen(name, n) != n)
        return 0;
    memcpy(copy, name, n);   /* NOLINT(bugprone-not-null-terminated-result): terminated below */
    copy[n] = '\0';
    return 1;
}

TF_EXPORT int gnutls_server_name_set(gnutls_session_t session, int type, const void *name, size_t name_length)
{
    REAL_OR(gnutls_server_name_set, -1);
    if (type != TF_GNUTLS_NAME_DNS || !ACTING(g))   /* only a DNS name is ever rewritten */
        return real(session, type, name, name_length);
    char old[TF_HOST_MAX + 1];
    int named = copy_name(name, name_length, old, sizeof old);
    const char *to = named ? tf_rewrite_target(old) : NULL;
    int enforce = to && tf_enforcing();
    int r = enforce ? real(session, type, to, strlen(to)) : real(session, type, name, name_length);
    if (enforce) {
        tf_conn_mark(session, TF_DID_REWRITE);
        tf_conn_set(target_key(session), (uintptr_t)to);
    }
    if (r == 0 && named)
        sni_keep(session, enforce ? to : old);
    if (to)
        tf_rewrite_report(old, to, "sni");
    tf_leave();
    return r;
}

/* The name a certificate check uses: the standard one for a legacy name (enforce). */
static const char *check_name(gnutls_session_t session, const char *host, const char **to)
{
    char old[TF_HOST_MAX + 1];
    *to = host && copy_name(host, strlen(host), old, sizeof old) ? tf_rewrite_target(old) : NULL;
    if (*to && tf_enforcing()) {
        if (session)
            tf_conn_mark(session, TF_DID_REWRITE);
        return *to;
    }
    return host;
}

TF_EXPORT void gnutls_session_set_verify_cert(gnutls_session_t session, const char *hostname, unsigned flags)
{
    PROLOGUE_VOID(gnutls_session_set_verify_cert, session, hostname, flags);
    const char *to;
    real(session, check_name(session, hostname, &to), flags);
    tf_conn_mark(session, TF_GNUTLS_VERIFIES);
    if (to)
        tf_rewrite_report(hostname, to, "verify");
    tf_leave();
}

TF_EXPORT int gnutls_certificate_verify_peers3(gnutls_session_t session, const char *hostname, unsigned int *status)
{
    PROLOGUE(gnutls_certificate_verify_peers3, -1, session, hostname, status);
    const char *to;
    int r = real(session, check_name(session, hostname, &to), status);
    if (to)
        tf_rewrite_report(hostname, to, "verify");
    tf_leave();
    return r;
}

TF_EXPORT unsigned gnutls_x509_crt_check_hostname(gnutls_x509_crt_t cert, const char *hostname)
{
    PROLOGUE(gnutls_x509_crt_check_hostname, 0, cert, hostname);
    const char *to;
    unsigned r = real(cert, check_name(NULL, hostname, &to));
    if (to)
        tf_rewrite_report(hostname, to, "verify");
    tf_leave();
    return r;
}

TF_EXPORT unsigned gnutls_x509_crt_check_hostname2(gnutls_x509_crt_t cert, const char *hostname, unsigned flags)
{
    PROLOGUE(gnutls_x509_crt_check_hostname2, 0, cert, hostname, flags);
    const char *to;
    unsigned r = real(cert, check_name(NULL, hostname, &to), flags);
    if (to)
        tf_rewrite_report(hostname, to, "verify");
    tf_leave();
    return r;
}

/* ---- TLSFLOOR_VERIFY=require: a rewritten client session is verified as its new host ----
 *
 * GnuTLS verifies inside the handshake only when asked (gnutls_session_set_verify_cert). A
 * rewritten session whose program did not ask is made to, against the SNI name it sends (the
 * standard one), with the trust of the program's own certificate credential: GnuTLS has no
 * per-session trust store, and adding the system's to the shared credential would widen the
 * trust of the program's other sessions. A credential without a single CA makes the handshake
 * fail, as it should: reported as trust "none". */

static int program_has_ca(const struct tf_gnutls *g, gnutls_session_t s)
{
    void *cred = NULL;
    gnutls_x509_trust_list_t list = NULL;
    gnutls_x509_trust_list_iter_t iter = NULL;
    gnutls_x509_crt_t crt = NULL;
    if (g->fn.gnutls_credentials_get(s, TF_GNUTLS_CRD_CERTIFICATE, &cred) != 0 || cred == NULL)
        return 0;
    g->fn.gnutls_certificate_get_trust_list(cred, &list);
    if (list == NULL)
        return 0;
    int found = g->fn.gnutls_x509_trust_list_iter_get_ca(list, &iter, &crt) == 0;
    if (crt)
        g->fn.gnutls_x509_crt_deinit(crt);
    if (iter)
        g->fn.gnutls_x509_trust_list_iter_deinit(iter);
    return found;
}

static void require_verify(const struct tf_gnutls *g, gnutls_session_t s, uintptr_t bits)
{
    const char *host = target_of(s);
    tf_conn_mark(s, TF_DID_VERIFY);
    /* a program that verifies in the handshake already does so against the new name */
    int own = (bits & TF_GNUTLS_VERIFIES) || (host && g->fn.gnutls_session_set_verify_cert && program_has_ca(g, s));
    const char *trust = own ? "the program's own" : "none: the handshake will fail";
    if (!(bits & TF_GNUTLS_VERIFIES) && g->fn.gnutls_session_set_verify_cert)
        g->fn.gnutls_session_set_verify_cert(s, host, 0);   /* host NULL: the chain only */
    struct tf_field f[] = { TF_STR("host", host), TF_STR("trust", trust), TF_STR("library", "gnutls") };
    tf_emit(TF_EV(verify_required), f, sizeof f / sizeof f[0], TF_CALLER);
}

/* ---- the handshake and writes ---- */

static void before_handshake(const struct tf_gnutls *g, gnutls_session_t s)
{
    uintptr_t bits = tf_conn_bits(s);
    if (tf_enforcing() && tf_config()->verify == TF_VERIFY_REQUIRE && (bits & TF_DID_REWRITE) &&
        !(bits & (TF_DID_VERIFY | TF_GNUTLS_SERVER_SESSION | TF_HANDSHAKE_LOGGED)))
        require_verify(g, s, bits);
}

/* gnutls_certificate_status_t's bits (stable since 3.0), as words for verify_refused. */
static void cert_status_text(unsigned status, char *out, size_t cap)
{
    static const struct { unsigned bit; const char *name; } names[] = {
        { 1u << 14, "host name mismatch" }, { 1u << 6, "issuer not trusted" },
        { 1u << 7, "issuer is not a CA" }, { 1u << 10, "expired" }, { 1u << 9, "not yet valid" },
        { 1u << 5, "revoked" }, { 1u << 8, "insecure algorithm" }, { 1u << 11, "bad signature" },
        { 1u << 18, "purpose mismatch" }, { 1u << 16, "signer constraints" },
    };
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if ((status & names[i].bit) && used + strlen(names[i].name) + 3 < cap)
            used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? ", " : "", names[i].name);
    if (used == 0)
        snprintf(out, cap, "certificate not trusted (status 0x%x)", status);
}

/* Under require, a rewritten session whose certificate failed the check against the new name:
 * what failed (OpenSSL's verify_refused, from the handshake's verdict here: GnuTLS's check has
 * no callback of the program's to chain, so program_accepted is always false). */
static void report_verify_refused(const struct tf_gnutls *g, gnutls_session_t s)
{
    char why[160];
    unsigned status = g->fn.gnutls_session_get_verify_cert_status ? g->fn.gnutls_session_get_verify_cert_status(s) : 0;
    cert_status_text(status, why, sizeof why);
    struct tf_field f[] = {
        TF_STR("host", target_of(s)), TF_STR("error", why), TF_INT("code", (long long)status),
        TF_BOOL("program_accepted", 0), TF_STR("library", "gnutls"),
    };
    tf_emit(TF_EV(verify_refused), f, sizeof f / sizeof f[0], TF_CALLER);
}

#define TF_GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR (-348)

/* After the real call: done (0), failed (a fatal error), or not yet (GNUTLS_E_AGAIN,
 * GNUTLS_E_INTERRUPTED, a warning alert: the program calls again). errno is the program's. */
static void after_handshake(const struct tf_gnutls *g, gnutls_session_t s, int r)
{
    if (tf_conn_bits(s) & (TF_HANDSHAKE_LOGGED | TF_GNUTLS_DTLS_SESSION))
        return;
    int saved = errno;
    if (r == 0)
        tf_tls_handshake_done(&gnutls_ops, s);
    else if (g->fn.gnutls_error_is_fatal(r)) {
        if (r == TF_GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR && (tf_conn_bits(s) & TF_DID_VERIFY))
            report_verify_refused(g, s);
        tf_tls_handshake_failed(&gnutls_ops, s, g->fn.gnutls_strerror(r));
    }
    errno = saved;
}

TF_EXPORT int gnutls_handshake(gnutls_session_t session)
{
    REAL_OR(gnutls_handshake, -1);
    int acting = ACTING(g);
    if (acting) {
        before_handshake(g, session);
        tf_leave();
    }
    int r = real(session);
    if (acting)
        after_handshake(g, session, r);
    return r;
}

/* Writes: a watched client's first bytes are looked at (one table read otherwise); during an
 * OAuth bridge's login the bridge takes them (all data_size bytes count as sent). */
#define SEND_HOOK(name, params, args, fail)                                  \
    TF_EXPORT ssize_t name params                                            \
    {                                                                        \
        REAL_OR(name, fail);                                                 \
        if (ACTING(g)) {                                                     \
            long got;                                                        \
            tf_tls_client_wrote(&gnutls_ops, session, data, data_size);      \
            int took = tf_tls_bridge_write(&gnutls_ops, session, data, data_size, &got); \
            tf_leave();                                                      \
            if (took)                                                        \
                return (ssize_t)got;                                         \
        }                                                                    \
        return real args;                                                    \
    }

SEND_HOOK(gnutls_record_send, (gnutls_session_t session, const void *data, size_t data_size),
          (session, data, data_size), -1)
SEND_HOOK(gnutls_record_send2, (gnutls_session_t session, const void *data, size_t data_size, size_t pad, unsigned flags),
          (session, data, data_size, pad, flags), -1)
SEND_HOOK(gnutls_record_send_range, (gnutls_session_t session, const void *data, size_t data_size, const gnutls_range_st *range),
          (session, data, data_size, range), -1)

/* Reads: during an OAuth bridge's login, what the bridge has for the program. */
TF_EXPORT ssize_t gnutls_record_recv(gnutls_session_t session, void *data, size_t data_size)
{
    REAL_OR(gnutls_record_recv, -1);
    if (ACTING(g)) {
        long got;
        int took = tf_tls_bridge_read(&gnutls_ops, session, data, data_size, 0, &got);
        tf_leave();
        if (took)
            return (ssize_t)got;
    }
    return real(session, data, data_size);
}

/* ---- the hooks by name, for dlsym on a libgnutls handle (hooks_dlsym.c) ---- */
#define TF_ROUTE_DEF "gnutls.def"
#define TF_ROUTE_FNS struct tf_gnutls_fns
#define TF_ROUTE_FN tf_gnutls_fn
#define TF_ROUTE_HOOKS_NAME tf_gnutls_hooks_name
#define TF_ROUTE_HANDLE_HOOK tf_gnutls_handle_hook
#include "handle_route.inc"

int tf_gnutls_covers(void)
{
    return tf_gnutls()->usable;
}
