/* In-process test of the tlsfloor provider over BIO pairs, in three library contexts of one
 * process: A (audit config), E (enforce config), P (default provider only, the reference).
 *
 *   test_inproc AUDIT_CNF AUDIT_LOG ENFORCE_CNF ENFORCE_LOG
 *
 * Checks: TLS1-PRF comes from tlsfloor in A and E; its output equals the default provider's for
 * every digest and label (MD5-SHA1 "key expansion" excepted in E, where it fails with tlsfloor's
 * reason); handshakes at TLS 1.0/1.1/1.2/1.3 between A or E and P (either side): audit logs
 * exactly the legacy ones (also a resumed one) and changes nothing; enforce refuses the legacy
 * ones with tlsfloor's reason and lets 1.2/1.3 through (the peer in P computes the same keys, or
 * the Finished messages would not verify, and exported keying material matches). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define REFUSED_TEXT "legacy TLS 1.0/1.1 handshake refused by tlsfloor"

static int failures, checks;

static void check(int ok, const char *fmt, ...)
{
    va_list ap;
    checks++;
    printf("%s: ", ok ? "ok" : "FAIL");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!ok) {
        failures++;
        ERR_print_errors_fp(stdout);
    }
    fflush(stdout);
}

/* Empties the error queue; returns whether tlsfloor's refusal was in it. */
static int drain_errors(int show)
{
    unsigned long e;
    int found = 0;
    while ((e = ERR_get_error()) != 0) {
        const char *r = ERR_reason_error_string(e);
        char buf[256];
        if (r != NULL && strcmp(r, REFUSED_TEXT) == 0)
            found = 1;
        if (show) {
            ERR_error_string_n(e, buf, sizeof buf);
            printf("  error: %s\n", buf);
        }
    }
    return found;
}

/* Records in a JSON Lines log: all, and those matching every needle given. */
static int count_records(const char *path, const char *const *needles)
{
    FILE *f = fopen(path, "r");
    char line[8192];
    int n = 0;
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f) != NULL) {
        int all = 1;
        for (const char *const *p = needles; p && *p; p++)
            if (strstr(line, *p) == NULL)
                all = 0;
        n += all;
    }
    fclose(f);
    return n;
}

static const char *const any_legacy[] = { "\"event\":\"legacy_handshake\"", NULL };
static const char *const audit_shape[] = {
    "\"tool\":\"provider\"", "\"mode\":\"audit\"", "\"event\":\"legacy_handshake\"", "\"digest\":\"MD5-SHA1\"",
    "\"step\":\"key expansion\"", "\"version\":\"TLSv1.0/1.1\"", "\"applied\":false", NULL,
};
static const char *const enforce_shape[] = {
    "\"tool\":\"provider\"", "\"mode\":\"enforce\"", "\"event\":\"legacy_handshake\"", "\"digest\":\"MD5-SHA1\"",
    "\"step\":\"key expansion\"", "\"version\":\"TLSv1.0/1.1\"", "\"applied\":true", NULL,
};

/* ---- KDF equivalence ------------------------------------------------------------------------ */

/* Derives 104 bytes of TLS1-PRF in lib; params passed at set time (how=0) or with derive (how=1). */
static int prf(OSSL_LIB_CTX *lib, const char *digest, const char *label, int how, unsigned char out[104],
               const char **provider)
{
    static unsigned char secret[48], seed2[64];
    EVP_KDF *kdf = EVP_KDF_fetch(lib, OSSL_KDF_NAME_TLS1_PRF, NULL);
    EVP_KDF_CTX *ctx;
    OSSL_PARAM params[5];
    int ok;
    for (size_t i = 0; i < sizeof secret; i++)
        secret[i] = (unsigned char)(i * 7 + 1);
    for (size_t i = 0; i < sizeof seed2; i++)
        seed2[i] = (unsigned char)(i * 13 + 5);
    if (kdf == NULL)
        return 0;
    *provider = OSSL_PROVIDER_get0_name(EVP_KDF_get0_provider(kdf));
    ctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (ctx == NULL)
        return 0;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, secret, sizeof secret);
    params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)label, strlen(label));
    params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed2, sizeof seed2);
    params[4] = OSSL_PARAM_construct_end();
    if (how == 0)
        ok = EVP_KDF_CTX_set_params(ctx, params) && EVP_KDF_derive(ctx, out, 104, NULL);
    else
        ok = EVP_KDF_derive(ctx, out, 104, params);
    EVP_KDF_CTX_free(ctx);
    return ok;
}

static void test_kdf(OSSL_LIB_CTX *P, OSSL_LIB_CTX *A, const char *alog, OSSL_LIB_CTX *E, const char *elog)
{
    static const char *const digests[] = { "SHA2-256", "SHA2-384", "MD5-SHA1" };
    static const char *const labels[] = { "master secret", "extended master secret", "key expansion",
                                          "client finished", "server finished" };
    for (int d = 0; d < 3; d++)
        for (int l = 0; l < 5; l++)
            for (int how = 0; how < 2; how++) {
                unsigned char ref[104], a[104], e[104];
                const char *pp = "?", *pa = "?", *pe = "?";
                int legacy_ke = d == 2 && l == 2;
                int na = count_records(alog, any_legacy), ne = count_records(elog, any_legacy);
                int okp = prf(P, digests[d], labels[l], how, ref, &pp);
                int oka = prf(A, digests[d], labels[l], how, a, &pa);
                int oke, refused;
                check(okp && !strcmp(pp, "default"), "P: TLS1-PRF %s \"%s\" from default (got %s)", digests[d],
                      labels[l], pp);
                check(oka && !strcmp(pa, "tlsfloor") && !memcmp(ref, a, sizeof ref),
                      "audit: TLS1-PRF %s \"%s\" (%s) from tlsfloor, same bytes as default", digests[d],
                      labels[l], how ? "params at derive" : "params set first");
                check(count_records(alog, any_legacy) == na + legacy_ke, "audit: %d record(s) for %s \"%s\"",
                      legacy_ke, digests[d], labels[l]);
                drain_errors(0);
                oke = prf(E, digests[d], labels[l], how, e, &pe);
                refused = drain_errors(0);
                if (legacy_ke)
                    check(!oke && refused, "enforce: TLS1-PRF MD5-SHA1 \"key expansion\" (%s) fails with \"%s\"",
                          how ? "params at derive" : "params set first", REFUSED_TEXT);
                else
                    check(oke && !strcmp(pe, "tlsfloor") && !memcmp(ref, e, sizeof ref) && !refused,
                          "enforce: TLS1-PRF %s \"%s\" (%s) from tlsfloor, same bytes as default", digests[d],
                          labels[l], how ? "params at derive" : "params set first");
                check(count_records(elog, any_legacy) == ne + legacy_ke, "enforce: %d record(s) for %s \"%s\"",
                      legacy_ke, digests[d], labels[l]);
            }
}

/* ---- handshakes ----------------------------------------------------------------------------- */

struct side {
    OSSL_LIB_CTX *lib;
    const char *name;
    EVP_PKEY *key;
    X509 *cert;
};

static int make_cert(struct side *s)
{
    X509_NAME *name;
    s->key = EVP_PKEY_Q_keygen(s->lib, NULL, "RSA", (size_t)2048);
    s->cert = X509_new_ex(s->lib, NULL);
    if (s->key == NULL || s->cert == NULL)
        return 0;
    ASN1_INTEGER_set(X509_get_serialNumber(s->cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(s->cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(s->cert), 3600);
    X509_set_pubkey(s->cert, s->key);
    name = X509_get_subject_name(s->cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0);
    X509_set_issuer_name(s->cert, name);
    return X509_sign(s->cert, s->key, EVP_sha256()) > 0;
}

static SSL_CTX *make_ctx(struct side *s, int server, int version)
{
    SSL_CTX *ctx = SSL_CTX_new_ex(s->lib, NULL, server ? TLS_server_method() : TLS_client_method());
    if (ctx == NULL)
        return NULL;
    SSL_CTX_set_min_proto_version(ctx, version);
    SSL_CTX_set_max_proto_version(ctx, version);
    SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
    SSL_CTX_set_session_cache_mode(ctx, server ? SSL_SESS_CACHE_SERVER : SSL_SESS_CACHE_CLIENT);
    if (server) {
        SSL_CTX_use_certificate(ctx, s->cert);
        SSL_CTX_use_PrivateKey(ctx, s->key);
        SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"tf", 2);
    }
    return ctx;
}

static int pump(SSL *c, SSL *s)
{
    int cdone = 0, sdone = 0;
    for (int i = 0; i < 100 && !(cdone && sdone); i++) {
        int r;
        if (!cdone) {
            r = SSL_do_handshake(c);
            if (r == 1)
                cdone = 1;
            else if (SSL_get_error(c, r) != SSL_ERROR_WANT_READ)
                return 0;
        }
        if (!sdone) {
            r = SSL_do_handshake(s);
            if (r == 1)
                sdone = 1;
            else if (SSL_get_error(s, r) != SSL_ERROR_WANT_READ)
                return 0;
        }
    }
    return cdone && sdone;
}

/* One handshake; returns 1 = completed (and data and exported keys checked), 0 = failed. */
static int one_handshake(SSL_CTX *cctx, SSL_CTX *sctx, int version, SSL_SESSION **session, int *reused)
{
    SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
    BIO *cb, *sb;
    int ok;
    BIO_new_bio_pair(&cb, 0, &sb, 0);
    SSL_set_bio(c, cb, cb);
    SSL_set_bio(s, sb, sb);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    if (session && *session)
        SSL_set_session(c, *session);
    ok = pump(c, s);
    if (ok) {
        char buf[64];
        unsigned char kc[32], ks[32];
        ok = SSL_version(c) == version && SSL_version(s) == version;
        ok = ok && SSL_write(c, "ping", 4) == 4 && SSL_read(s, buf, sizeof buf) == 4 && !memcmp(buf, "ping", 4);
        ok = ok && SSL_write(s, "pong", 4) == 4 && SSL_read(c, buf, sizeof buf) == 4 && !memcmp(buf, "pong", 4);
        ok = ok && SSL_export_keying_material(c, kc, sizeof kc, "EXPORTER-tlsfloor", 17, NULL, 0, 0)
             && SSL_export_keying_material(s, ks, sizeof ks, "EXPORTER-tlsfloor", 17, NULL, 0, 0)
             && !memcmp(kc, ks, sizeof kc);
        if (reused)
            *reused = SSL_session_reused(c);
        if (!ok)
            printf("  after handshake: version %s/%s, data or exported keys differ\n", SSL_get_version(c), SSL_get_version(s));
        if (session && *session == NULL) {
            if (version == TLS1_3_VERSION) {
                /* The ticket arrives after the handshake. */
                SSL_read(c, buf, 0);
            }
            *session = SSL_get1_session(c);
        }
        /* A clean close keeps the session resumable. */
        SSL_shutdown(c);
        SSL_shutdown(s);
    }
    SSL_free(c);
    SSL_free(s);
    return ok;
}

static const char *vname(int v)
{
    return v == TLS1_VERSION ? "TLSv1.0" : v == TLS1_1_VERSION ? "TLSv1.1" : v == TLS1_2_VERSION ? "TLSv1.2" : "TLSv1.3";
}

static void test_handshakes(struct side *A, const char *alog, struct side *E, const char *elog, struct side *P)
{
    static const int versions[] = { TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION };
    for (int i = 0; i < 4; i++) {
        int v = versions[i], legacy = v < TLS1_2_VERSION;
        struct { struct side *client, *server, *watched; const char *log; } runs[] = {
            { A, P, A, alog }, { P, A, A, alog }, { E, P, E, elog }, { P, E, E, elog },
        };
        for (int r = 0; r < 4; r++) {
            SSL_CTX *cctx = make_ctx(runs[r].client, 0, v), *sctx = make_ctx(runs[r].server, 1, v);
            int before = count_records(runs[r].log, any_legacy), ok, refused, after;
            int audit = runs[r].watched == A;
            SSL_SESSION *sess = NULL;
            drain_errors(0);
            ok = one_handshake(cctx, sctx, v, &sess, NULL);
            refused = drain_errors(!ok && (audit || !legacy));
            after = count_records(runs[r].log, any_legacy);
            if (audit || !legacy)
                check(ok && !refused, "%s client=%s server=%s: completes, data and exported keys agree", vname(v),
                      runs[r].client->name, runs[r].server->name);
            else
                check(!ok && refused, "%s client=%s server=%s: refused with \"%s\"", vname(v),
                      runs[r].client->name, runs[r].server->name, REFUSED_TEXT);
            check(after - before == legacy, "%s client=%s server=%s: %d legacy_handshake record(s), got %d",
                  vname(v), runs[r].client->name, runs[r].server->name, legacy, after - before);
            if (ok && sess != NULL) {
                int reused = 0;
                before = after;
                ok = one_handshake(cctx, sctx, v, &sess, &reused);
                after = count_records(runs[r].log, any_legacy);
                check(ok && reused, "%s client=%s server=%s: resumed handshake completes (ok=%d reused=%d)", vname(v),
                      runs[r].client->name, runs[r].server->name, ok, reused);
                check(after - before == legacy, "%s client=%s server=%s: resumed: %d record(s), got %d", vname(v),
                      runs[r].client->name, runs[r].server->name, legacy, after - before);
            }
            SSL_SESSION_free(sess);
            SSL_CTX_free(cctx);
            SSL_CTX_free(sctx);
        }
    }
}

static OSSL_LIB_CTX *load(const char *cnf, const char *what)
{
    OSSL_LIB_CTX *lib = OSSL_LIB_CTX_new();
    int ok = lib != NULL && OSSL_LIB_CTX_load_config(lib, cnf);
    check(ok, "%s: config %s loads", what, cnf);
    check(ok && OSSL_PROVIDER_available(lib, "tlsfloor") && OSSL_PROVIDER_available(lib, "default"),
          "%s: providers tlsfloor and default available", what);
    return lib;
}

int main(int argc, char **argv)
{
    struct side A = { 0 }, E = { 0 }, P = { 0 };
    if (argc != 5) {
        fprintf(stderr, "usage: %s AUDIT_CNF AUDIT_LOG ENFORCE_CNF ENFORCE_LOG\n", argv[0]);
        return 2;
    }
    A.lib = load(argv[1], "audit");
    A.name = "audit";
    E.lib = load(argv[3], "enforce");
    E.name = "enforce";
    P.lib = OSSL_LIB_CTX_new();
    P.name = "plain";
    check(OSSL_PROVIDER_load(P.lib, "default") != NULL && !OSSL_PROVIDER_available(P.lib, "tlsfloor"),
          "plain: default provider only");
    if (failures)
        return 1;
    check(make_cert(&A) && make_cert(&E) && make_cert(&P), "keys and certificates");

    test_kdf(P.lib, A.lib, argv[2], E.lib, argv[4]);
    test_handshakes(&A, argv[2], &E, argv[4], &P);

    check(count_records(argv[2], any_legacy) == count_records(argv[2], audit_shape) && count_records(argv[2], any_legacy) > 0,
          "audit log: every record has tool, mode, digest, step, version, applied:false (%d records)",
          count_records(argv[2], any_legacy));
    check(count_records(argv[4], any_legacy) == count_records(argv[4], enforce_shape) && count_records(argv[4], any_legacy) > 0,
          "enforce log: every record has tool, mode, digest, step, version, applied:true (%d records)",
          count_records(argv[4], any_legacy));

    X509_free(A.cert); X509_free(E.cert); X509_free(P.cert);
    EVP_PKEY_free(A.key); EVP_PKEY_free(E.key); EVP_PKEY_free(P.key);
    OSSL_LIB_CTX_free(A.lib);
    OSSL_LIB_CTX_free(E.lib);
    OSSL_LIB_CTX_free(P.lib);
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
