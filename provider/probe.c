/* tlsfloor-provider-probe: the in-process half of `tlsfloor check-provider`.
 *
 * Initialises OpenSSL exactly as programs do (the config in force: OPENSSL_CONF, or the system
 * openssl.cnf; setuid programs only ever see the latter), then reports:
 *   - whether a tlsfloor provider is loaded and active, and its mode and log destination;
 *   - which provider serves TLS1-PRF by default (tlsfloor unless default_properties lacks
 *     ?provider=tlsfloor);
 *   - what happens to a TLS 1.0 handshake over an in-memory BIO pair. The client uses
 *     TLSv1_client_method(), which ignores every config setting (MinProtocol, Protocol), so
 *     only the provider can stop it; the server runs in a separate library context with the
 *     default provider only, so a refusal can only come from the client's side.
 * Output: "key: value" lines, then "verdict: ...". Exit 0 = protected as configured (enforce:
 * refused by tlsfloor; audit: handshake seen and logged), 1 = not protected, 2 = probe failure. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/conf.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define REFUSED_TEXT "legacy TLS 1.0/1.1 handshake refused by tlsfloor"

struct found {
    OSSL_PROVIDER *prov;
    char mode[32];
    char log[512];
    int nproviders;
    char names[512];
};

static int find_tlsfloor(OSSL_PROVIDER *prov, void *arg)
{
    struct found *f = arg;
    const char *mode = NULL, *log = NULL;
    OSSL_PARAM req[] = {
        OSSL_PARAM_utf8_ptr("tlsfloor-mode", (char **)&mode, 0),
        OSSL_PARAM_utf8_ptr("tlsfloor-log", (char **)&log, 0),
        OSSL_PARAM_END,
    };
    size_t used = strlen(f->names);
    snprintf(f->names + used, sizeof f->names - used, "%s%s", used ? " " : "", OSSL_PROVIDER_get0_name(prov));
    f->nproviders++;
    if (OSSL_PROVIDER_get_params(prov, req) && mode != NULL && f->prov == NULL) {
        f->prov = prov;
        snprintf(f->mode, sizeof f->mode, "%s", mode);
        snprintf(f->log, sizeof f->log, "%s", log ? log : "?");
    }
    return 1;
}

static void print_errors(const char *prefix)
{
    unsigned long e;
    const char *file, *func, *data;
    int line, flags;
    char buf[256];
    while ((e = ERR_get_error_all(&file, &line, &func, &data, &flags)) != 0) {
        ERR_error_string_n(e, buf, sizeof buf);
        printf("%s%s%s%s\n", prefix, buf, (flags & ERR_TXT_STRING) && data && *data ? ": " : "",
               (flags & ERR_TXT_STRING) && data ? data : "");
    }
}

/* A throwaway self-signed RSA certificate for the server side. */
static int make_cert(OSSL_LIB_CTX *lib, EVP_PKEY **key, X509 **cert)
{
    X509_NAME *name;
    *key = EVP_PKEY_Q_keygen(lib, NULL, "RSA", (size_t)2048);
    *cert = X509_new_ex(lib, NULL);
    if (*key == NULL || *cert == NULL)
        return 0;
    ASN1_INTEGER_set(X509_get_serialNumber(*cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(*cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(*cert), 3600);
    X509_set_pubkey(*cert, *key);
    name = X509_get_subject_name(*cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"tlsfloor-probe", -1, -1, 0);
    X509_set_issuer_name(*cert, name);
    return X509_sign(*cert, *key, EVP_sha256()) > 0;
}

/* Drives both ends until both finish or one fails; returns 1 when the handshake completed. */
static int handshake(SSL *client, SSL *server)
{
    int cdone = 0, sdone = 0;
    for (int round = 0; round < 100 && !(cdone && sdone); round++) {
        if (!cdone) {
            int r = SSL_do_handshake(client);
            if (r == 1)
                cdone = 1;
            else if (SSL_get_error(client, r) != SSL_ERROR_WANT_READ)
                return 0;
        }
        if (!sdone) {
            int r = SSL_do_handshake(server);
            if (r == 1)
                sdone = 1;
            else if (SSL_get_error(server, r) != SSL_ERROR_WANT_READ)
                return 0;
        }
    }
    return cdone && sdone;
}

/* stderr captured into a temporary file (see main); given back, and what it caught shown on the
 * real stderr, once: when the probe has looked, or at exit. */
static int capture_fd = -1, capture_saved = -1;
static char capture_text[8192];

static const char *capture_release_text(void)
{
    ssize_t n;
    if (capture_fd < 0)
        return capture_text;
    fflush(stderr);
    dup2(capture_saved, STDERR_FILENO);
    close(capture_saved);
    lseek(capture_fd, 0, SEEK_SET);
    n = read(capture_fd, capture_text, sizeof capture_text - 1);
    capture_text[n > 0 ? n : 0] = '\0';
    close(capture_fd);
    capture_fd = -1;
    fflush(stdout);
    fputs(capture_text, stderr);
    fflush(stderr);
    return capture_text;
}

static void capture_release(void)
{
    capture_release_text();
}

int main(void)
{
    struct found f;
    char *conf;
    OSSL_LIB_CTX *plain;
    EVP_KDF *kdf;
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    SSL_CTX *cctx, *sctx;
    SSL *c, *s;
    BIO *cb, *sb;
    int ok, refused_by_us = 0, saved_err, logfd, logged = 0;
    char tmpl[] = "/tmp/tlsfloor-probe.XXXXXX";
    unsigned long e;
    const char *data;
    int flags;

    memset(&f, 0, sizeof f);
    /* Catch what the provider writes to stderr, to confirm the record. From the start: the
     * provider writes to fd 2 only while it is what it was when the module was loaded. */
    fflush(stderr);
    saved_err = dup(STDERR_FILENO);
    logfd = mkstemp(tmpl);
    if (logfd >= 0) {
        unlink(tmpl);
        dup2(logfd, STDERR_FILENO);
        capture_fd = logfd;
        capture_saved = saved_err;
        atexit(capture_release);
    }
    if (!OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL)) {
        printf("config-load: failed\n");
        print_errors("error: ");
        printf("verdict: FAIL: OpenSSL could not load its configuration (every TLS program fails too)\n");
        return 1;
    }
    conf = CONF_get1_default_config_file();
    printf("openssl: %s\n", OpenSSL_version(OPENSSL_VERSION));
    printf("config: %s\n", conf ? conf : "?");
    OSSL_PROVIDER_do_all(NULL, find_tlsfloor, &f);
    printf("providers: %s\n", f.nproviders ? f.names : "(none)");
    if (f.prov == NULL) {
        /* Load the same file again with diagnostics to show why (a missing module, mostly). */
        OSSL_LIB_CTX *diag = OSSL_LIB_CTX_new();
        printf("tlsfloor: not loaded\n");
        ERR_clear_error();
        if (diag != NULL && conf != NULL && !OSSL_LIB_CTX_load_config(diag, conf))
            print_errors("config-error: ");
        OSSL_LIB_CTX_free(diag);
        printf("verdict: FAIL: the tlsfloor provider is not loaded under %s; legacy handshakes are "
               "neither refused nor logged\n", conf ? conf : "the config in force");
        OPENSSL_free(conf);
        return 1;
    }
    OPENSSL_free(conf);
    printf("tlsfloor: loaded as \"%s\"\n", OSSL_PROVIDER_get0_name(f.prov));
    printf("mode: %s\n", f.mode);
    printf("log: %s\n", f.log);
    if (!OSSL_PROVIDER_available(NULL, "default"))
        printf("warning: no provider named \"default\" is available\n");

    kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_TLS1_PRF, NULL);
    printf("tls1-prf: %s\n", kdf ? OSSL_PROVIDER_get0_name(EVP_KDF_get0_provider(kdf)) : "(unavailable)");
    if (kdf == NULL || strcmp(OSSL_PROVIDER_get0_name(EVP_KDF_get0_provider(kdf)), OSSL_PROVIDER_get0_name(f.prov))) {
        print_errors("error: ");
        printf("verdict: FAIL: TLS1-PRF does not come from tlsfloor (default_properties = "
               "?provider=tlsfloor missing, or the default provider not loaded)\n");
        EVP_KDF_free(kdf);
        return 1;
    }
    EVP_KDF_free(kdf);
    /* What the wrapper delegates to. Without the default provider nothing offers it, nor any
     * cipher: every TLS program fails ("library has no ciphers"). */
    kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_TLS1_PRF, "provider!=tlsfloor");
    if (kdf == NULL) {
        ERR_clear_error();
        printf("verdict: FAIL: the config loads tlsfloor but no default provider: OpenSSL has no ciphers, "
               "every TLS program fails; add default = ... with activate = 1 to the provider list\n");
        return 1;
    }
    EVP_KDF_free(kdf);

    plain = OSSL_LIB_CTX_new();
    if (plain == NULL || OSSL_PROVIDER_load(plain, "default") == NULL || !make_cert(plain, &key, &cert)) {
        print_errors("error: ");
        printf("verdict: ERROR: could not set up the test server\n");
        return 2;
    }
    cctx = SSL_CTX_new_ex(NULL, NULL, TLSv1_client_method());
    sctx = SSL_CTX_new_ex(plain, NULL, TLSv1_server_method());
    if (cctx == NULL || sctx == NULL || !SSL_CTX_set_cipher_list(cctx, "DEFAULT:@SECLEVEL=0")
        || !SSL_CTX_set_cipher_list(sctx, "DEFAULT:@SECLEVEL=0") || !SSL_CTX_use_certificate(sctx, cert)
        || !SSL_CTX_use_PrivateKey(sctx, key)) {
        print_errors("error: ");
        printf("verdict: ERROR: could not set up the TLS 1.0 contexts\n");
        return 2;
    }
    c = SSL_new(cctx);
    s = SSL_new(sctx);
    BIO_new_bio_pair(&cb, 0, &sb, 0);
    SSL_set_bio(c, cb, cb);
    SSL_set_bio(s, sb, sb);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);

    ERR_clear_error();
    ok = handshake(c, s);
    /* Client-side errors only: the server lives in another library context but shares the
     * thread's error queue, so look for our reason anywhere in it. */
    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        const char *reason = ERR_reason_error_string(e);
        if (reason != NULL && strstr(reason, REFUSED_TEXT) != NULL)
            refused_by_us = 1;
        else if (!ok)
            fprintf(stdout, "handshake-error: %s\n", reason ? reason : "?");
    }
    if (logfd >= 0)
        logged = strstr(capture_release_text(), "legacy_handshake") != NULL;
    if (strcmp(f.log, "stderr") == 0)
        printf("record: %s\n", logged ? "legacy_handshake written to stderr" : "none seen on stderr");
    else
        printf("record: written to %s (not checked by the probe)\n", f.log);
    printf("tls1.0-handshake: %s\n", ok ? "completed" : refused_by_us ? "refused by tlsfloor" : "failed");

    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    X509_free(cert);
    EVP_PKEY_free(key);
    OSSL_LIB_CTX_free(plain);

    if (strcmp(f.mode, "enforce") == 0) {
        if (refused_by_us) {
            printf("verdict: OK: enforce: legacy TLS 1.0/1.1 handshakes are refused by tlsfloor\n");
            return 0;
        }
        printf("verdict: FAIL: enforce mode, but a TLS 1.0 handshake %s\n",
               ok ? "completed" : "failed for another reason");
        return 1;
    }
    if (ok && (logged || strcmp(f.log, "stderr") != 0)) {
        printf("verdict: OK: audit: legacy handshakes are logged, not refused\n");
        return 0;
    }
    printf("verdict: FAIL: audit mode, but the TLS 1.0 handshake %s\n",
           !ok ? "failed" : "left no record");
    return 1;
}
