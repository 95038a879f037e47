/* OpenSSL hooks: every route by which a program pins an old TLS version, raised to the floor.
 *
 * Each hook forwards to the real function found at run time (openssl_api.c). Only the outermost
 * hook of a thread acts (TF_ENTER, see shim.h): libssl 3 calls its own exported functions
 * through the PLT.
 * Per-object state lives in ex_data slots as bit sets: which interventions touched a context or
 * connection (for the handshake record, and so audit mode reports a pin once, not at every
 * re-check), whether its handshake was logged. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "openssl_backend.h"
#include "tf_sniff.h"
#include "tf_version.h"

/* Constants identical from 1.0.2 to 3.x. */
#define CB_EXIT 0x02
#define CB_HANDSHAKE_DONE 0x20
#define VERIFY_NONE 0x00
#define VERIFY_PEER 0x01
#define VERIFY_FAIL_IF_NO_PEER_CERT 0x02
#define NAMETYPE_HOST 0
#define ERROR_SSL 1
#define ERROR_SYSCALL 5
#define ERROR_ZERO_RETURN 6

/* ---- per-object bits: the neutral table (tls_conn.c), keyed by SSL * or SSL_CTX * ---- */

static void mark(SSL_CTX *ctx, SSL *s, uintptr_t bit)
{
    if (s)
        tf_conn_mark(s, bit);
    else if (ctx)
        tf_conn_mark(ctx, bit);
}

/* DTLS has its own version numbers (and is not mail): it is left alone. */
static int is_dtls(const struct tf_openssl *o, const SSL_CTX *ctx, const SSL *s)
{
    if (s)
        return tf_method_is_dtls(o, o->fn.SSL_get_ssl_method(s));
    return ctx && o->fn.SSL_CTX_get_ssl_method && tf_method_is_dtls(o, o->fn.SSL_CTX_get_ssl_method(ctx));
}

/* ---- the decisions ----
 *
 * Each decision is made, applied, and only then reported: the floor never waits for the log
 * (a record that cannot be written, or a signal handler that longjmps out of the writer, must not
 * leave a pin in place). Reports say what really happened (applied:false in audit mode or when
 * the library refused the change). */

/* The descriptor of a pinned method the floor lifts, or NULL. */
static const struct tf_method_desc *pinned_method(const struct tf_openssl *o, const SSL_METHOD *meth)
{
    int i = tf_method_index(o, meth);
    if (i < 0 || !tf_policy_method_pinned(tf_config()->floor, tf_pinned_methods[i].version))
        return NULL;
    return &tf_pinned_methods[i];
}

/* The method to use for meth: the flexible one for a pin in enforce mode, else meth itself. */
static const SSL_METHOD *method_to_use(const struct tf_openssl *o, const SSL_METHOD *meth,
                                       const struct tf_method_desc *d)
{
    return d && tf_enforcing() ? o->flexible[d->role] : meth;
}

static void report_method(const struct tf_openssl *o, const struct tf_method_desc *d, const char *via,
                          int applied)
{
    struct tf_field f[5] = {
        TF_STR("old", d->name), TF_STR("new", tf_flexible_method_name(&o->abi, d->role)),
        TF_STR("version", tf_version_name(d->version)), TF_STR("via", via),
    };
    tf_emit_intervention(TF_EV(method_pinned), f, 4, applied);
}

/* The options to set instead of op (op itself in audit mode); *bad gets the forbidden bits. */
static uint64_t options_to_use(const struct tf_openssl *o, uint64_t op, uint64_t *bad)
{
    *bad = op & tf_policy_forbidden_options(&o->abi, tf_config()->floor);
    return *bad && tf_enforcing() ? op & ~*bad : op;
}

static void report_options(const struct tf_openssl *o, uint64_t bad, const char *via)
{
    char names[96];
    tf_policy_options_name(&o->abi, bad, names, sizeof names);
    struct tf_field f[3] = { TF_STR("cleared", names), TF_STR("via", via) };
    tf_emit_intervention(TF_EV(option_cleared), f, 2, 1);
}

static void report_bound(const struct tf_openssl *o, int is_min, long old, long nv, const char *via)
{
    struct tf_field f[4] = {
        TF_STR("old", tf_version_name((int)old)),
        TF_STR("new", tf_version_name(nv ? (int)nv : o->abi.highest_version)), TF_STR("via", via),
    };
    tf_emit_intervention(is_min ? TF_EV(min_version_raised) : TF_EV(max_version_raised), f, 3, 1);
}

/* What a ctrl call changes: min/max version, 1.0.2's options, SNI. Decided before the call,
 * reported after it. */
struct ctrl_change {
    enum { CTRL_NONE, CTRL_BOUND, CTRL_OPTIONS, CTRL_SNI } kind;
    int is_min;
    long old, nv;
    uint64_t bad;
    const char *host, *to;
};

static long ctrl_decide(const struct tf_openssl *o, SSL_CTX *ctx, SSL *s, int cmd, long larg,
                        void **parg, struct ctrl_change *ch)
{
    const struct tf_abi_info *abi = &o->abi;
    int floor = tf_config()->floor;
    ch->kind = CTRL_NONE;
    if ((cmd == abi->ctrl_set_min_proto || cmd == abi->ctrl_set_max_proto) && !is_dtls(o, ctx, s)) {
        int is_min = cmd == abi->ctrl_set_min_proto;
        int nv = is_min ? tf_policy_min(floor, (int)larg) : tf_policy_max(floor, (int)larg);
        if (nv == larg)
            return larg;
        *ch = (struct ctrl_change){ .kind = CTRL_BOUND, .is_min = is_min, .old = larg, .nv = nv };
        mark(ctx, s, is_min ? TF_DID_MIN : TF_DID_MAX);
        return tf_enforcing() ? nv : larg;
    }
    if (cmd == abi->ctrl_options) {
        uint64_t bad;
        long nv = (long)options_to_use(o, (uint64_t)larg, &bad);
        if (bad) {
            *ch = (struct ctrl_change){ .kind = CTRL_OPTIONS, .bad = bad };
            mark(ctx, s, TF_DID_OPTIONS);
        }
        return nv;
    }
    if (cmd == abi->ctrl_set_sni && s && larg == NAMETYPE_HOST && *parg) {
        const char *to = tf_rewrite_target((const char *)*parg);
        if (to) {
            *ch = (struct ctrl_change){ .kind = CTRL_SNI, .host = (const char *)*parg, .to = to };
            if (tf_enforcing()) {
                *parg = (void *)to;
                mark(ctx, s, TF_DID_REWRITE);
            }
        }
    }
    return larg;
}

static void ctrl_report(const struct tf_openssl *o, const struct ctrl_change *ch, int via_ssl)
{
    switch (ch->kind) {
    case CTRL_NONE:
        break;
    case CTRL_BOUND:
        report_bound(o, ch->is_min, ch->old, ch->nv,
                     ch->is_min ? (via_ssl ? "SSL_set_min_proto_version" : "SSL_CTX_set_min_proto_version")
                                : (via_ssl ? "SSL_set_max_proto_version" : "SSL_CTX_set_max_proto_version"));
        break;
    case CTRL_OPTIONS:
        report_options(o, ch->bad, via_ssl ? "SSL_set_options" : "SSL_CTX_set_options");
        break;
    case CTRL_SNI:
        tf_rewrite_report(ch->host, ch->to, "sni");
        break;
    }
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

/* A list the library accepted that leaves nothing usable at TLS 1.2: the library's default list
 * is appended after the program's own (its ciphers and any @SECLEVEL stay first). A list the
 * library rejected stays rejected, exactly as without tlsfloor. result is the real call's. */
static int cipher_list_policy(const struct tf_openssl *o, SSL_CTX *ctx, SSL *s, const char *str, int result)
{
    if (result != 1 || tf_config()->floor != TF_TLS1_2 || str == NULL)
        return result;
    if (ciphers_usable(o, ctx, s ? str : NULL))
        return result;
    /* DEFAULT means something only at the start of a cipher string; spelled out, the library's
     * default list can follow the program's own. */
    const char *defaults = o->fn.OSSL_default_cipher_list ? o->fn.OSSL_default_cipher_list()
                                                          : "ALL:!COMPLEMENTOFDEFAULT:!eNULL";
    char extended[1024];
    int n = snprintf(extended, sizeof extended, "%s:%s", str, defaults);
    if (n < 0 || (size_t)n >= sizeof extended)
        return result;
    int applied = 0;
    if (tf_enforcing())
        applied = (s ? o->fn.SSL_set_cipher_list(s, extended) : o->fn.SSL_CTX_set_cipher_list(ctx, extended)) == 1;
    mark(ctx, s, TF_DID_CIPHERS);
    struct tf_field f[4] = { TF_STR("old", str), TF_STR("new", extended),
                             TF_STR("via", s ? "SSL_set_cipher_list" : "SSL_CTX_set_cipher_list") };
    tf_emit_intervention(TF_EV(cipher_list_extended), f, 3, applied);
    return result;
}

/* ---- observation: what the neutral records (tls_conn.c) read from a connection ---- */

static int ossl_version(const void *conn)
{
    return tf_openssl()->fn.SSL_version(conn);
}

static const char *ossl_cipher(const void *conn, char *buf, size_t cap)
{
    const struct tf_openssl *o = tf_openssl();
    const SSL_CIPHER *c = o->fn.SSL_get_current_cipher(conn);
    (void)buf, (void)cap;   /* the name is the library's own static string */
    return c ? o->fn.SSL_CIPHER_get_name(c) : NULL;
}

static const char *ossl_sni(const void *conn, char *buf, size_t cap)
{
    (void)buf, (void)cap;
    return tf_openssl()->fn.SSL_get_servername(conn, NAMETYPE_HOST);
}

static int ossl_fd(const void *conn)
{
    return tf_openssl()->fn.SSL_get_fd(conn);
}

static int ossl_is_server(const void *conn)
{
    return tf_openssl()->fn.SSL_is_server(conn);
}

/* The real SSL_write/SSL_read for the OAuth bridge (at most INT_MAX bytes a call). */
static long ossl_raw_write(void *conn, const void *buf, size_t n)
{
    const struct tf_openssl *o = tf_openssl();
    return o->fn.SSL_write(conn, buf, n > INT_MAX ? INT_MAX : (int)n);
}

static long ossl_raw_read(void *conn, void *buf, size_t n)
{
    const struct tf_openssl *o = tf_openssl();
    return o->fn.SSL_read(conn, buf, n > INT_MAX ? INT_MAX : (int)n);
}

static const struct tf_tls_ops openssl_ops = {
    .name = "openssl",
    .version = ossl_version,
    .cipher = ossl_cipher,
    .sni = ossl_sni,
    .fd = ossl_fd,
    .is_server = ossl_is_server,
    .raw_write = ossl_raw_write,
    .raw_read = ossl_raw_read,
};

/* OpenSSL's words for why the handshake failed (errno is kept: the program reads it next). */
static void failure_reason(const struct tf_openssl *o, int err, char *reason, size_t cap)
{
    int saved_errno = errno;
    unsigned long e = o->fn.ERR_peek_last_error();
    const char *why = e ? o->fn.ERR_reason_error_string(e) : NULL;
    if (why)
        snprintf(reason, cap, "%s", why);
    else if (e)
        snprintf(reason, cap, "OpenSSL error 0x%lx", e);
    else if (err == ERROR_ZERO_RETURN)
        snprintf(reason, cap, "peer closed the connection");
    else
        snprintf(reason, cap, "connection closed or reset (%s)",
                 saved_errno ? strerror(saved_errno) : "end of file");
    errno = saved_errno;
}

/* Set for good once the program gave a connection a callback of its own (SSL_set_info_callback
 * below): until then no connection's slot holds one, and the callback, which runs at every state
 * change of every handshake, does not look. */
static int program_ssl_info_cb;

/* The two events that make a record: a handshake done, or one that failed. Out of line: the
 * callback runs at every state change, and this part's frame (reason[]) would cost each. */
static __attribute__((noinline)) void handshake_event(const struct tf_openssl *o, const SSL *s, int where,
                                                      int ret)
{
    if (tf_conn_bits(s) & TF_HANDSHAKE_LOGGED)
        return;
    if (where & CB_HANDSHAKE_DONE) {
        tf_tls_handshake_done(&openssl_ops, s);
    } else if ((where & CB_EXIT) && ret <= 0) {
        int err = o->fn.SSL_get_error(s, ret);
        if (err == ERROR_SSL || err == ERROR_SYSCALL || err == ERROR_ZERO_RETURN) {
            char reason[160];
            int saved_errno = errno;
            failure_reason(o, err, reason, sizeof reason);
            tf_tls_handshake_failed(&openssl_ops, s, reason);
            errno = saved_errno;
        }
    }
}

/* Installed on every connection: sees handshakes however they start (SSL_connect, SSL_read,
 * BIO_f_ssl), then hands the event to the program's own callback. */
static void info_callback(const SSL *s, int where, int ret)
{
    const struct tf_openssl *o = tf_openssl();
    tf_info_cb chained = __atomic_load_n(&program_ssl_info_cb, __ATOMIC_ACQUIRE)
                             ? (tf_info_cb)o->fn.SSL_get_ex_data(s, o->ex_ssl_cb) : NULL;
    if (!chained)
        chained = o->fn.SSL_CTX_get_info_callback(o->fn.SSL_get_SSL_CTX(s));
    if (where & (CB_HANDSHAKE_DONE | CB_EXIT))
        handshake_event(o, s, where, ret);
    if (chained && chained != info_callback)
        chained(s, where, ret);
}

/* ---- TLSFLOOR_VERIFY=require: a rewritten connection is verified as its new host ----
 *
 * The program's verify callback is kept and still called (it may log, or reject more), but it
 * can no longer accept what failed: tlsfloor's callback returns the library's verdict AND the
 * program's. A connection whose program trusts nothing of its own (VERIFY_NONE, or a context
 * store without a single certificate: its callback did all the accepting) gets a trust store of
 * its own, the system's default paths; one whose program loaded CA certificates keeps them (the
 * system's would widen its trust). Nothing is changed on the context: the program's other
 * connections keep exactly their trust. */

/* Whether the context's store holds certificates the program loaded (unknown counts as yes:
 * never replace a trust we cannot see). A CA directory loads lazily and is not seen here. */
static int program_has_trust(const struct tf_openssl *o, SSL *s)
{
    if (!o->fn.X509_STORE_get0_objects || !o->fn.OPENSSL_sk_num)
        return 1;
    X509_STORE *store = o->fn.SSL_CTX_get_cert_store(o->fn.SSL_get_SSL_CTX(s));
    OPENSSL_STACK *objects = store ? o->fn.X509_STORE_get0_objects(store) : NULL;
    return objects && o->fn.OPENSSL_sk_num(objects) > 0;
}

static SSL *ssl_of_store_ctx(const struct tf_openssl *o, X509_STORE_CTX *x)
{
    return (SSL *)o->fn.X509_STORE_CTX_get_ex_data(x, o->fn.SSL_get_ex_data_X509_STORE_CTX_idx());
}

static void report_verify_refused(const struct tf_openssl *o, SSL *s, X509_STORE_CTX *x, int program_said)
{
    int code = o->fn.X509_STORE_CTX_get_error(x);
    struct tf_field f[] = {
        TF_STR("host", o->fn.SSL_get_servername(s, NAMETYPE_HOST)),
        TF_STR("error", o->fn.X509_verify_cert_error_string(code)),
        TF_INT("code", code),
        TF_BOOL("program_accepted", program_said),
    };
    tf_emit(TF_EV(verify_refused), f, sizeof f / sizeof f[0], TF_CALLER);
}

static int verify_callback(int ok, X509_STORE_CTX *x)
{
    const struct tf_openssl *o = tf_openssl();
    SSL *s = ssl_of_store_ctx(o, x);
    tf_verify_cb program = s ? (tf_verify_cb)o->fn.SSL_get_ex_data(s, o->ex_verify_cb) : NULL;
    int program_said = program ? program(ok, x) : ok;
    if (!ok && s)
        report_verify_refused(o, s, x, program_said);
    return ok && program_said;
}

/* A context's cert_verify_callback replaces the whole chain check: for a connection under
 * require the library's own check runs instead; every other connection gets the program's. */
static int cert_verify_callback(X509_STORE_CTX *x, void *unused)
{
    const struct tf_openssl *o = tf_openssl();
    SSL *s = ssl_of_store_ctx(o, x);
    (void)unused;
    if (s && (tf_conn_bits(s) & TF_DID_VERIFY))
        return o->fn.X509_verify_cert(x);
    SSL_CTX *ctx = s ? o->fn.SSL_get_SSL_CTX(s) : NULL;
    tf_cert_verify_cb program = ctx ? (tf_cert_verify_cb)o->fn.SSL_CTX_get_ex_data(ctx, o->ex_ctx_cert_cb) : NULL;
    if (program)
        return program(x, o->fn.SSL_CTX_get_ex_data(ctx, o->ex_ctx_cert_arg));
    return o->fn.X509_verify_cert(x);
}

static void require_verify(const struct tf_openssl *o, SSL *s)
{
    const char *name = o->fn.SSL_get_servername(s, NAMETYPE_HOST);
    int mode = o->fn.SSL_get_verify_mode(s);
    const char *trust = "the program's own";
    if (mode == VERIFY_NONE || !program_has_trust(o, s)) {
        X509_STORE *store = o->fn.X509_STORE_new();
        if (store && o->fn.X509_STORE_set_default_paths(store) == 1 &&
            o->fn.SSL_ctrl(s, o->abi.ctrl_set_verify_store, 1, store) == 1)
            trust = "system default paths, this connection only";
        else
            trust = "none could be loaded: the handshake will fail";
        if (store)
            o->fn.X509_STORE_free(store);   /* the connection holds its own reference */
    }
    o->fn.SSL_set_ex_data(s, o->ex_verify_cb, (void *)o->fn.SSL_get_verify_callback(s));
    o->fn.SSL_set_verify(s, mode | VERIFY_PEER, verify_callback);
    if (name && o->fn.SSL_set1_host)
        o->fn.SSL_set1_host(s, name);
    struct tf_field f[] = { TF_STR("host", name), TF_STR("trust", trust),
                            TF_BOOL("program_callback", o->fn.SSL_get_ex_data(s, o->ex_verify_cb) != NULL) };
    tf_emit(TF_EV(verify_required), f, sizeof f / sizeof f[0], TF_CALLER);
}

/* ---- the floor, re-asserted on each connection before its handshake ---- */

/* A method pin on the connection (before 1.1.1) or its context (from 1.1.1 on, a handshake starts
 * with the context's method, so that is the one that counts). */
static uintptr_t check_method(const struct tf_openssl *o, SSL *s, uintptr_t bits, int enforce, const char *via)
{
    SSL_CTX *ctx = o->fn.SSL_get_SSL_CTX(s);
    int ctx_level = o->abi.abi >= TF_ABI_111 && o->fn.SSL_CTX_get_ssl_method;
    const SSL_METHOD *cur = ctx_level ? o->fn.SSL_CTX_get_ssl_method(ctx) : o->fn.SSL_get_ssl_method(s);
    const struct tf_method_desc *d = pinned_method(o, cur);
    if (d == NULL)
        return 0;
    int applied = 0;
    if (enforce && ctx_level && o->fn.SSL_CTX_set_ssl_version)
        applied = o->fn.SSL_CTX_set_ssl_version(ctx, method_to_use(o, cur, d)) == 1;
    else if (enforce && !ctx_level && o->fn.SSL_set_ssl_method)
        applied = o->fn.SSL_set_ssl_method(s, method_to_use(o, cur, d)) == 1;
    if (enforce || !(bits & TF_DID_METHOD))
        report_method(o, d, via, applied);
    return TF_DID_METHOD;
}

/* The connection's own bounds (1.1.1 and later can read them back). */
static uintptr_t check_bounds(const struct tf_openssl *o, SSL *s, uintptr_t bits, int enforce, const char *via)
{
    const struct tf_abi_info *abi = &o->abi;
    int floor = tf_config()->floor;
    uintptr_t add = 0;
    if (abi->ctrl_get_min_proto < 0) {
        if (abi->ctrl_set_min_proto >= 0 && enforce)
            o->fn.SSL_ctrl(s, abi->ctrl_set_min_proto, floor, NULL);   /* 1.1.0: no getter */
        return 0;
    }
    long min = o->fn.SSL_ctrl(s, abi->ctrl_get_min_proto, 0, NULL);
    long max = o->fn.SSL_ctrl(s, abi->ctrl_get_max_proto, 0, NULL);
    if (min < floor && enforce)
        o->fn.SSL_ctrl(s, abi->ctrl_set_min_proto, floor, NULL);
    if (max != 0 && max < floor && enforce)
        o->fn.SSL_ctrl(s, abi->ctrl_set_max_proto, 0, NULL);
    /* 0 is the library's default, not a pin: raised silently (it can explain a failure). */
    if (min == 0 && enforce)
        add |= TF_DID_FLOOR;
    if (min != 0 && min < floor) {
        if (enforce || !(bits & TF_DID_MIN))
            report_bound(o, 1, min, floor, via);
        add |= TF_DID_MIN;
    }
    if (max != 0 && max < floor) {
        if (enforce || !(bits & TF_DID_MAX))
            report_bound(o, 0, max, 0, via);
        add |= TF_DID_MAX;
    }
    return add;
}

static uintptr_t check_options(const struct tf_openssl *o, SSL *s, uintptr_t bits, int enforce, const char *via)
{
    const struct tf_abi_info *abi = &o->abi;
    uint64_t opts = o->fn.SSL_get_options ? o->fn.SSL_get_options(s)
                                          : (uint64_t)o->fn.SSL_ctrl(s, abi->ctrl_options, 0, NULL);
    uint64_t bad = opts & tf_policy_forbidden_options(abi, tf_config()->floor);
    if (!bad)
        return 0;
    if (enforce && o->fn.SSL_clear_options)
        o->fn.SSL_clear_options(s, bad);
    else if (enforce)
        o->fn.SSL_ctrl(s, abi->ctrl_clear_options, (long)bad, NULL);
    if (enforce || !(bits & TF_DID_OPTIONS))
        report_options(o, bad, via);
    return TF_DID_OPTIONS;
}

/* Catches what no setter hook saw (SSL_CONF_cmd, openssl.cnf, a context made before us): the
 * connection's own method, bounds and options are checked and raised. In audit mode a pin
 * already reported for the context or connection is not reported again. */
static void prepare_connection(const struct tf_openssl *o, SSL *s, const char *via)
{
    const struct tf_config *c = tf_config();
    int enforce = c->mode == TF_MODE_ENFORCE;
    uintptr_t bits = tf_conn_bits(s) & ~(uintptr_t)TF_HANDSHAKE_LOGGED, add = 0;
    if (is_dtls(o, NULL, s))
        return;
    add |= check_method(o, s, bits, enforce, via);
    add |= check_bounds(o, s, bits, enforce, via);
    add |= check_options(o, s, bits, enforce, via);
    if (!(bits & TF_INFO_CB_SET)) {
        o->fn.SSL_set_info_callback(s, info_callback);
        add |= TF_INFO_CB_SET;
    }
    if (enforce && c->verify == TF_VERIFY_REQUIRE && (bits & TF_DID_REWRITE) && !(bits & TF_DID_VERIFY) &&
        !o->fn.SSL_is_server(s)) {
        tf_conn_set(s, bits | add | TF_DID_VERIFY);   /* before: the callbacks look at it */
        require_verify(o, s);
        return;
    }
    tf_conn_set(s, bits | add);
}

/* The connection this thread's handshake hook has just prepared and is handing to the library,
 * and that hook's frame. SSL_connect calls SSL_set_connect_state and SSL_do_handshake on the same
 * connection, through our hooks again: nothing but the library ran since the check, so they skip
 * it (two of the four checks of every handshake). A stale entry, left by a non-local exit out of
 * the library, matches only a call made from inside the TLS library, on that connection, deeper
 * than a frame that is gone; the program's own calls always check. */
static __thread const SSL *handed_ssl __attribute__((tls_model("initial-exec")));
static __thread uintptr_t handed_frame __attribute__((tls_model("initial-exec")));

static int just_prepared(const SSL *s, uintptr_t ra, uintptr_t frame)
{
    return s == handed_ssl && frame < handed_frame && tf_module_inside(ra);
}

/* Before a handshake starts: re-check (cheap: a few ctrl reads), then go. Once the handshake
 * is under way (non-blocking retries) there is nothing left to check. */
static void before_handshake(const struct tf_openssl *o, SSL *s, const char *via, uintptr_t ra,
                             uintptr_t frame)
{
    if (o->fn.SSL_in_before && !o->fn.SSL_in_before(s))
        return;
    if (!just_prepared(s, ra, frame))
        prepare_connection(o, s, via);
}

/* ---- the hooks ----
 *
 * Every hook has the same shape: find the real function (TF_REAL: never missing when it exists),
 * forward unchanged unless the table is usable and this call must act (TF_ENTER), else decide,
 * apply, report, and leave. */

#define ACTING(o) ((o)->usable && TF_ENTER())

/* The hooks' declarations come from the table (hooks.def): a definition below that does not
 * match its line there fails to compile. */
#define TF_HOOK(need, ret, name, params) TF_EXPORT ret name params;
#define TF_CALL(need, ret, name, params)
#include "hooks.def"
#undef TF_HOOK
#undef TF_CALL

/* How most hooks begin: the real function (a hook for a function the process lacks returns
 * fail), and the call forwarded unchanged unless this one must act. Leaves o and real in scope. */
#define PROLOGUE(name, fail, ...)                                            \
    const struct tf_openssl *o = tf_openssl();                               \
    __typeof__(o->fn.name) real = TF_REAL(o, name);                          \
    if (!real)                                                               \
        return fail;                                                         \
    if (!ACTING(o))                                                          \
    return real(__VA_ARGS__)

#define PROLOGUE_VOID(name, ...)                                             \
    const struct tf_openssl *o = tf_openssl();                               \
    __typeof__(o->fn.name) real = TF_REAL(o, name);                          \
    if (!real)                                                               \
        return;                                                              \
    if (!ACTING(o)) {                                                        \
        real(__VA_ARGS__);                                                   \
        return;                                                              \
    }                                                                        \
    (void)0

static SSL_CTX *new_ctx(const struct tf_openssl *o, OSSL_LIB_CTX *lib, const char *propq,
                        const SSL_METHOD *meth, int ex)
{
    const struct tf_method_desc *d = pinned_method(o, meth);
    const SSL_METHOD *m = method_to_use(o, meth, d);
    SSL_CTX *ctx = ex ? o->fn.SSL_CTX_new_ex(lib, propq, m) : o->fn.SSL_CTX_new(m);
    if (ctx)
        tf_conn_new(ctx, d ? TF_DID_METHOD : 0);   /* a reused address starts clean */
    if (d)
        report_method(o, d, ex ? "SSL_CTX_new_ex" : "SSL_CTX_new", ctx != NULL);
    return ctx;
}

TF_EXPORT SSL_CTX *SSL_CTX_new(const SSL_METHOD *meth)
{
    PROLOGUE(SSL_CTX_new, NULL, meth);
    SSL_CTX *ctx = new_ctx(o, NULL, NULL, meth, 0);
    tf_leave();
    return ctx;
}

TF_EXPORT SSL_CTX *SSL_CTX_new_ex(OSSL_LIB_CTX *libctx, const char *propq, const SSL_METHOD *meth)
{
    PROLOGUE(SSL_CTX_new_ex, NULL, libctx, propq, meth);
    SSL_CTX *ctx = new_ctx(o, libctx, propq, meth, 1);
    tf_leave();
    return ctx;
}

TF_EXPORT int SSL_CTX_set_ssl_version(SSL_CTX *ctx, const SSL_METHOD *meth)
{
    PROLOGUE(SSL_CTX_set_ssl_version, 0, ctx, meth);
    const struct tf_method_desc *d = pinned_method(o, meth);
    int r = real(ctx, method_to_use(o, meth, d));
    if (d) {
        mark(ctx, NULL, TF_DID_METHOD);
        report_method(o, d, "SSL_CTX_set_ssl_version", r == 1);
    }
    tf_leave();
    return r;
}

/* From 1.1.1 on the connection's method is replaced by the context's when its handshake starts:
 * a version-specific one set here never takes effect, and is neither changed nor reported. */
TF_EXPORT int SSL_set_ssl_method(SSL *s, const SSL_METHOD *meth)
{
    const struct tf_openssl *o = tf_openssl();
    __typeof__(o->fn.SSL_set_ssl_method) real = TF_REAL(o, SSL_set_ssl_method);
    if (!real)
        return 0;
    if (o->abi.abi >= TF_ABI_111 || !ACTING(o))
        return real(s, meth);
    const struct tf_method_desc *d = pinned_method(o, meth);
    int r = real(s, method_to_use(o, meth, d));
    if (d) {
        mark(NULL, s, TF_DID_METHOD);
        report_method(o, d, "SSL_set_ssl_method", r == 1);
    }
    tf_leave();
    return r;
}

TF_EXPORT long SSL_CTX_ctrl(SSL_CTX *ctx, int cmd, long larg, void *parg)
{
    PROLOGUE(SSL_CTX_ctrl, 0, ctx, cmd, larg, parg);
    struct ctrl_change ch;
    larg = ctrl_decide(o, ctx, NULL, cmd, larg, &parg, &ch);
    long r = real(ctx, cmd, larg, parg);
    ctrl_report(o, &ch, 0);
    tf_leave();
    return r;
}

TF_EXPORT long SSL_ctrl(SSL *s, int cmd, long larg, void *parg)
{
    PROLOGUE(SSL_ctrl, 0, s, cmd, larg, parg);
    struct ctrl_change ch;
    larg = ctrl_decide(o, NULL, s, cmd, larg, &parg, &ch);
    long r = real(s, cmd, larg, parg);
    ctrl_report(o, &ch, 1);
    tf_leave();
    return r;
}

TF_EXPORT uint64_t SSL_CTX_set_options(SSL_CTX *ctx, uint64_t op)
{
    PROLOGUE(SSL_CTX_set_options, 0, ctx, op);
    uint64_t bad;
    uint64_t r = real(ctx, options_to_use(o, op, &bad));
    if (bad) {
        mark(ctx, NULL, TF_DID_OPTIONS);
        report_options(o, bad, "SSL_CTX_set_options");
    }
    tf_leave();
    return r;
}

TF_EXPORT uint64_t SSL_set_options(SSL *s, uint64_t op)
{
    PROLOGUE(SSL_set_options, 0, s, op);
    uint64_t bad;
    uint64_t r = real(s, options_to_use(o, op, &bad));
    if (bad) {
        mark(NULL, s, TF_DID_OPTIONS);
        report_options(o, bad, "SSL_set_options");
    }
    tf_leave();
    return r;
}

TF_EXPORT int SSL_CTX_set_cipher_list(SSL_CTX *ctx, const char *str)
{
    PROLOGUE(SSL_CTX_set_cipher_list, 0, ctx, str);
    int r = cipher_list_policy(o, ctx, NULL, str, real(ctx, str));
    tf_leave();
    return r;
}

TF_EXPORT int SSL_set_cipher_list(SSL *s, const char *str)
{
    PROLOGUE(SSL_set_cipher_list, 0, s, str);
    int r = cipher_list_policy(o, o->fn.SSL_get_SSL_CTX(s), s, str, real(s, str));
    tf_leave();
    return r;
}

TF_EXPORT SSL *SSL_new(SSL_CTX *ctx)
{
    PROLOGUE(SSL_new, NULL, ctx);
    SSL *s = real(ctx);
    if (s) {
        /* what was done to the context counts for the connection (and is not re-reported) */
        tf_conn_new(s, tf_conn_bits(ctx) & TF_DID_ANY);
        prepare_connection(o, s, "SSL_new");
    }
    tf_leave();
    return s;
}

#define HANDSHAKE_HOOK(name)                                                 \
    TF_EXPORT int name(SSL *s)                                               \
    {                                                                        \
        const struct tf_openssl *o = tf_openssl();                           \
        __typeof__(o->fn.name) real = TF_REAL(o, name);                               \
        if (!real)                                                           \
            return -1;                                                       \
        uintptr_t ra = (uintptr_t)__builtin_return_address(0);               \
        uintptr_t frame = (uintptr_t)__builtin_frame_address(0);             \
        if (ACTING(o)) {                                                     \
            before_handshake(o, s, #name, ra, frame);                        \
            tf_leave();                                                      \
        }                                                                    \
        int began = tf_call_begin(ra, frame);                                \
        const SSL *outer_ssl = handed_ssl;                                   \
        uintptr_t outer_frame = handed_frame;                                \
        handed_ssl = s;                                                      \
        handed_frame = frame;                                                \
        int r = real(s);                                                     \
        handed_ssl = outer_ssl;                                              \
        handed_frame = outer_frame;                                          \
        tf_call_end(began);                                                  \
        return r;                                                            \
    }

HANDSHAKE_HOOK(SSL_connect)
HANDSHAKE_HOOK(SSL_accept)
HANDSHAKE_HOOK(SSL_do_handshake)

#define STATE_HOOK(name)                                                     \
    TF_EXPORT void name(SSL *s)                                              \
    {                                                                        \
        const struct tf_openssl *o = tf_openssl();                           \
        __typeof__(o->fn.name) real = TF_REAL(o, name);                              \
        if (!real)                                                           \
            return;                                                          \
        real(s);                                                             \
        if (ACTING(o)) {                                                     \
            before_handshake(o, s, #name, (uintptr_t)__builtin_return_address(0), \
                             (uintptr_t)__builtin_frame_address(0));         \
            tf_leave();                                                      \
        }                                                                    \
    }

STATE_HOOK(SSL_set_connect_state)
STATE_HOOK(SSL_set_accept_state)

/* The program's own callback is kept and called from ours. */
TF_EXPORT void SSL_set_info_callback(SSL *s, tf_info_cb cb)
{
    PROLOGUE_VOID(SSL_set_info_callback, s, cb);
    if (tf_conn_bits(s) & TF_INFO_CB_SET) {
        __atomic_store_n(&program_ssl_info_cb, 1, __ATOMIC_RELEASE);
        o->fn.SSL_set_ex_data(s, o->ex_ssl_cb, (void *)cb);
    }
    else
        real(s, cb);
    tf_leave();
}

/* Under require, the program may add checks to a rewritten connection but not take ours away:
 * a new callback of its own is chained, VERIFY_PEER stays. */
TF_EXPORT void SSL_set_verify(SSL *s, int mode, tf_verify_cb cb)
{
    PROLOGUE_VOID(SSL_set_verify, s, mode, cb);
    if (tf_conn_bits(s) & TF_DID_VERIFY) {
        if (cb)
            o->fn.SSL_set_ex_data(s, o->ex_verify_cb, (void *)cb);
        real(s, mode | VERIFY_PEER, verify_callback);
    } else {
        real(s, mode, cb);
    }
    tf_leave();
}

/* The program's replacement for the chain check is kept for its connections (see
 * cert_verify_callback); a NULL one restores the library's check as usual. */
TF_EXPORT void SSL_CTX_set_cert_verify_callback(SSL_CTX *ctx, tf_cert_verify_cb cb, void *arg)
{
    const struct tf_openssl *o = tf_openssl();
    __typeof__(o->fn.SSL_CTX_set_cert_verify_callback) real = TF_REAL(o, SSL_CTX_set_cert_verify_callback);
    if (!real)
        return;
    if (!ACTING(o) || tf_config()->verify != TF_VERIFY_REQUIRE) {
        real(ctx, cb, arg);
        return;
    }
    o->fn.SSL_CTX_set_ex_data(ctx, o->ex_ctx_cert_cb, (void *)cb);
    o->fn.SSL_CTX_set_ex_data(ctx, o->ex_ctx_cert_arg, arg);
    real(ctx, cb ? cert_verify_callback : NULL, NULL);
    tf_leave();
}

/* ---- reads and writes ---- */

/* Before any read or write: a connection whose handshake has not started is re-checked (the
 * handshake may start implicitly here, after a pin set since SSL_set_connect_state); a watched
 * client's first bytes are looked at. Once past both, the cost is SSL_in_before and one table
 * read for writes. */
static void before_io(const struct tf_openssl *o, SSL *s, const void *wbuf, size_t wnum, const char *via)
{
    if (o->fn.SSL_in_before && o->fn.SSL_in_before(s))
        prepare_connection(o, s, via);
    tf_tls_client_wrote(&openssl_ops, s, wbuf, wnum);
}

/* A write the OAuth bridge took counts as written in full (the program wrote n bytes). */
#define WRITE_HOOK(name, params, args, num, bridged, fail)                   \
    TF_EXPORT int name params                                                \
    {                                                                        \
        const struct tf_openssl *o = tf_openssl();                           \
        __typeof__(o->fn.name) real = TF_REAL(o, name);                      \
        if (!real)                                                           \
            return fail;                                                     \
        if (ACTING(o)) {                                                     \
            long got;                                                        \
            before_io(o, s, buf, num, #name);                                \
            int took = tf_tls_bridge_write(&openssl_ops, s, buf, num, &got); \
            tf_leave();                                                      \
            if (took)                                                        \
                return bridged;                                              \
        }                                                                    \
        return real args;                                                    \
    }

/* A read during an OAuth bridge's login gives what the bridge has for the program. */
#define READ_HOOK(name, params, args, peek, bridged, fail)                   \
    TF_EXPORT int name params                                                \
    {                                                                        \
        const struct tf_openssl *o = tf_openssl();                           \
        __typeof__(o->fn.name) real = TF_REAL(o, name);                      \
        if (!real)                                                           \
            return fail;                                                     \
        if (ACTING(o)) {                                                     \
            long got;                                                        \
            before_io(o, s, NULL, 0, #name);                                 \
            int took = num > 0 && tf_tls_bridge_read(&openssl_ops, s, buf, (size_t)num, peek, &got); \
            tf_leave();                                                      \
            if (took)                                                        \
                return bridged;                                              \
        }                                                                    \
        return real args;                                                    \
    }

WRITE_HOOK(SSL_write, (SSL *s, const void *buf, int num), (s, buf, num), num > 0 ? (size_t)num : 0,
           (int)got, -1)
WRITE_HOOK(SSL_write_ex, (SSL *s, const void *buf, size_t num, size_t *written), (s, buf, num, written), num,
           (written ? (void)(*written = (size_t)got) : (void)0, 1), 0)
READ_HOOK(SSL_read, (SSL *s, void *buf, int num), (s, buf, num), 0, (int)got, -1)
READ_HOOK(SSL_peek, (SSL *s, void *buf, int num), (s, buf, num), 1, (int)got, -1)
/* _ex: 1 and the count, or 0 after a failed real read (its error state is the program's) */
READ_HOOK(SSL_read_ex, (SSL *s, void *buf, size_t num, size_t *readbytes), (s, buf, num, readbytes), 0,
          got > 0 ? (readbytes ? (void)(*readbytes = (size_t)got) : (void)0, 1) : 0, 0)
READ_HOOK(SSL_peek_ex, (SSL *s, void *buf, size_t num, size_t *readbytes), (s, buf, num, readbytes), 1,
          got > 0 ? (readbytes ? (void)(*readbytes = (size_t)got) : (void)0, 1) : 0, 0)

/* ---- certificate host check (the rewrite rules) ---- */

static int host_hook(SSL *s, const char *host, int (*real)(SSL *, const char *))
{
    const char *to = host ? tf_rewrite_target(host) : NULL;
    int enforce = tf_enforcing();
    int r = real(s, to && enforce ? to : host);
    if (to && enforce)
        mark(NULL, s, TF_DID_REWRITE);
    if (to)
        tf_rewrite_report(host, to, "verify");
    return r;
}

TF_EXPORT int SSL_set1_host(SSL *s, const char *host)
{
    PROLOGUE(SSL_set1_host, 0, s, host);
    int r = host_hook(s, host, real);
    tf_leave();
    return r;
}

TF_EXPORT int SSL_add1_host(SSL *s, const char *host)
{
    PROLOGUE(SSL_add1_host, 0, s, host);
    int r = host_hook(s, host, real);
    tf_leave();
    return r;
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
    const char *to = tf_rewrite_target(copy);
    int r = to && tf_enforcing() ? real(p, to, strlen(to)) : real(p, name, len);
    if (to)
        tf_rewrite_report(copy, to, "verify");
    return r;
}

/* libcrypto functions: a process may have libcrypto without libssl; the table still has them. */
TF_EXPORT int X509_VERIFY_PARAM_set1_host(X509_VERIFY_PARAM *p, const char *name, size_t len)
{
    const struct tf_openssl *o = tf_openssl();
    __typeof__(o->fn.X509_VERIFY_PARAM_set1_host) real = TF_REAL(o, X509_VERIFY_PARAM_set1_host);
    if (!real)
        return 0;
    if (tf_inert || !TF_ENTER())
        return real(p, name, len);
    int r = param_host_hook(p, name, len, real);
    tf_leave();
    return r;
}

TF_EXPORT int X509_VERIFY_PARAM_add1_host(X509_VERIFY_PARAM *p, const char *name, size_t len)
{
    const struct tf_openssl *o = tf_openssl();
    __typeof__(o->fn.X509_VERIFY_PARAM_add1_host) real = TF_REAL(o, X509_VERIFY_PARAM_add1_host);
    if (!real)
        return 0;
    if (tf_inert || !TF_ENTER())
        return real(p, name, len);
    int r = param_host_hook(p, name, len, real);
    tf_leave();
    return r;
}

/* ---- the hooks by name, for dlsym on a libssl or libcrypto handle (hooks_dlsym.c) ---- */
#define TF_ROUTE_DEF "hooks.def"
#define TF_ROUTE_FNS struct tf_openssl_fns
#define TF_ROUTE_FN tf_openssl_fn
#define TF_ROUTE_HOOKS_NAME tf_openssl_hooks_name
#define TF_ROUTE_HANDLE_HOOK tf_openssl_handle_hook
#include "handle_route.inc"
