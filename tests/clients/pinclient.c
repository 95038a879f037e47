/* pinclient: a TLS client that pins the TLS version every known way, one flag per pin.
 *
 * Each pin is done in its own non-static function named after it (pin_ctx_max_version, ...),
 * never inlined, cloned or tail-called, and the program is linked with -rdynamic: the frame the
 * shim logs as the caller of an intervention names the function that made the pin.
 *
 * Builds against OpenSSL 3 (system) and OpenSSL 1.1 (tests/lib/fetch-openssl11).
 *
 *   pinclient [--PIN ...] [--mode connect|implicit|bio|bio-connect|do-handshake]
 *             [--host NAME] [--connect ADDR] [--port N] [--verify CAFILE] [--cipher LIST]
 *             [--threads N] [--count N] [--reuse-ctx] [--no-io] [--show-lib] [--list-pins]
 *
 * Prints one line "version=TLSv1.2 cipher=NAME thread=T conn=C" per successful handshake and
 * exits 0 when every connection succeeded; otherwise prints the OpenSSL error and exits 1.
 */
#define _GNU_SOURCE
#include <openssl/opensslv.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#if OPENSSL_VERSION_NUMBER < 0x10100000L
#error "pinclient needs OpenSSL 1.1.0 or later"
#endif

/* Keep every pin in a frame of its own: no inlining, cloning (a clone's symbol is local, so
 * dladdr would not name it), identical-code folding or sibling calls. */
#if defined(__GNUC__) && !defined(__clang__)
#define PIN_FN __attribute__((noipa, used))
#else
#define PIN_FN __attribute__((noinline, used))
#endif

/* A tiny compiler barrier after each call: the call is never the function's last act. */
#define KEEP_FRAME() __asm__ __volatile__("" ::: "memory")

/* ------------------------------------------------------------------------------------------ */
/* Options                                                                                     */

enum mode { MODE_CONNECT, MODE_IMPLICIT, MODE_BIO, MODE_BIO_CONNECT, MODE_DO_HANDSHAKE };

struct options {
    const char *host;      /* SNI and, with verify, the name checked */
    const char *connect;   /* address to connect to (default: host, else 127.0.0.1) */
    const char *port;
    const char *verify;    /* CA file: enables SSL_VERIFY_PEER + SSL_set1_host */
    const char *cipher;    /* --cipher LIST */
    enum mode mode;
    int threads, count, reuse_ctx, no_io;
    unsigned char pins[64];
};

static struct options opt = { .port = "4433", .threads = 1, .count = 1 };
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void say(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&out_lock);
    vfprintf(f, fmt, ap);
    fflush(f);
    pthread_mutex_unlock(&out_lock);
    va_end(ap);
}

/* Prints what failed and this thread's OpenSSL error queue. */
static void report_error(int thread, int conn, const char *what, SSL *ssl, int ret)
{
    char buf[256];
    unsigned long e;
    int saved = errno;
    pthread_mutex_lock(&out_lock);
    fprintf(stderr, "error: thread=%d conn=%d %s failed", thread, conn, what);
    if (ssl)
        fprintf(stderr, " (SSL_get_error=%d%s%s)", SSL_get_error(ssl, ret),
                saved ? ", errno: " : "", saved ? strerror(saved) : "");
    fputc('\n', stderr);
    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, buf, sizeof buf);
        fprintf(stderr, "error:   %s\n", buf);
    }
    fflush(stderr);
    pthread_mutex_unlock(&out_lock);
}

/* ------------------------------------------------------------------------------------------ */
/* The pins. Each returns 1 when the library accepted it.                                      */

/* Version-specific methods: the context is made from the pinned method in the same function. */
PIN_FN SSL_CTX *pin_method_tlsv1_client(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLSv1_client_method());
    KEEP_FRAME();
    return ctx;
}

PIN_FN SSL_CTX *pin_method_tlsv1_1_client(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLSv1_1_client_method());
    KEEP_FRAME();
    return ctx;
}

PIN_FN SSL_CTX *pin_method_tlsv1(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLSv1_method());
    KEEP_FRAME();
    return ctx;
}

PIN_FN SSL_CTX *pin_method_tlsv1_1(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLSv1_1_method());
    KEEP_FRAME();
    return ctx;
}

PIN_FN SSL_CTX *pin_method_tlsv1_2_client(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLSv1_2_client_method());
    KEEP_FRAME();
    return ctx;
}

/* The unpinned default: the flexible method. */
PIN_FN SSL_CTX *make_default_ctx(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    KEEP_FRAME();
    return ctx;
}

PIN_FN int pin_ctx_set_ssl_version(SSL_CTX *ctx)
{
    int r = SSL_CTX_set_ssl_version(ctx, TLSv1_client_method());
    KEEP_FRAME();
    return r == 1;
}

PIN_FN int pin_ctx_max_version(SSL_CTX *ctx)
{
    int r = (int)SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION);
    KEEP_FRAME();
    return r == 1;
}

PIN_FN int pin_ctx_min_version_zero(SSL_CTX *ctx)
{
    int r = (int)SSL_CTX_set_min_proto_version(ctx, 0);
    KEEP_FRAME();
    return r == 1;
}

PIN_FN int pin_ctx_min_version_tls1(SSL_CTX *ctx)
{
    int r = (int)SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
    KEEP_FRAME();
    return r == 1;
}

PIN_FN int pin_ctx_options_no_tls12_13(SSL_CTX *ctx)
{
    /* Returns the new options (uint64_t in 3.x, unsigned long in 1.1); it cannot fail. */
    (void)SSL_CTX_set_options(ctx, SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3);
    KEEP_FRAME();
    return 1;
}

/* SSL_CONF_cmd on a context. */
static int conf_ctx_cmd(SSL_CTX *ctx, const char *cmd, const char *value)
{
    SSL_CONF_CTX *cc = SSL_CONF_CTX_new();
    if (!cc)
        return 0;
    SSL_CONF_CTX_set_flags(cc, SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_CLIENT);
    SSL_CONF_CTX_set_ssl_ctx(cc, ctx);
    int r = SSL_CONF_cmd(cc, cmd, value);
    int f = SSL_CONF_CTX_finish(cc);
    SSL_CONF_CTX_free(cc);
    return r == 2 && f == 1;
}

static int conf_ssl_cmd(SSL *ssl, const char *cmd, const char *value)
{
    SSL_CONF_CTX *cc = SSL_CONF_CTX_new();
    if (!cc)
        return 0;
    SSL_CONF_CTX_set_flags(cc, SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_CLIENT);
    SSL_CONF_CTX_set_ssl(cc, ssl);
    int r = SSL_CONF_cmd(cc, cmd, value);
    int f = SSL_CONF_CTX_finish(cc);
    SSL_CONF_CTX_free(cc);
    return r == 2 && f == 1;
}

PIN_FN int pin_conf_max_protocol(SSL_CTX *ctx)
{
    int r = conf_ctx_cmd(ctx, "MaxProtocol", "TLSv1.1");
    KEEP_FRAME();
    return r;
}

PIN_FN int pin_conf_min_protocol(SSL_CTX *ctx)
{
    int r = conf_ctx_cmd(ctx, "MinProtocol", "TLSv1");
    KEEP_FRAME();
    return r;
}

PIN_FN int pin_conf_protocol(SSL_CTX *ctx)
{
    int r = conf_ctx_cmd(ctx, "Protocol", "-TLSv1.2,-TLSv1.3");
    KEEP_FRAME();
    return r;
}

/* Only eNULL suites: the library knows them but refuses them at any security level >= 1, so
 * nothing is usable at TLS 1.2 (TLS 1.3 suites are configured separately). */
PIN_FN int pin_cipher_list_null(SSL_CTX *ctx)
{
    int r = SSL_CTX_set_cipher_list(ctx, "NULL-SHA:NULL-MD5");
    KEEP_FRAME();
    return r == 1;
}

/* Only TLS 1.0-era suites the library no longer has at all (RC4, single DES): the call fails. */
PIN_FN int pin_cipher_list_rc4(SSL_CTX *ctx)
{
    int r = SSL_CTX_set_cipher_list(ctx, "RC4-SHA:RC4-MD5:DES-CBC-SHA");
    KEEP_FRAME();
    return r == 1;
}

/* --cipher LIST, as a program passes its user's -cipher option through. */
PIN_FN int pin_cipher_list_cmdline(SSL_CTX *ctx)
{
    int r = SSL_CTX_set_cipher_list(ctx, opt.cipher);
    KEEP_FRAME();
    return r == 1;
}

/* Per connection. */
PIN_FN int pin_ssl_set_ssl_method(SSL *ssl)
{
    int r = SSL_set_ssl_method(ssl, TLSv1_client_method());
    KEEP_FRAME();
    return r == 1;
}

PIN_FN int pin_ssl_max_version(SSL *ssl)
{
    int r = (int)SSL_set_max_proto_version(ssl, TLS1_1_VERSION);
    KEEP_FRAME();
    return r == 1;
}

PIN_FN int pin_ssl_min_version_zero(SSL *ssl)
{
    int r = (int)SSL_set_min_proto_version(ssl, 0);
    KEEP_FRAME();
    return r == 1;
}

PIN_FN int pin_ssl_min_version_tls1(SSL *ssl)
{
    int r = (int)SSL_set_min_proto_version(ssl, TLS1_VERSION);
    KEEP_FRAME();
    return r == 1;
}

PIN_FN int pin_ssl_options_no_tls12_13(SSL *ssl)
{
    (void)SSL_set_options(ssl, SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3);
    KEEP_FRAME();
    return 1;
}

PIN_FN int pin_ssl_conf_max_protocol(SSL *ssl)
{
    int r = conf_ssl_cmd(ssl, "MaxProtocol", "TLSv1.1");
    KEEP_FRAME();
    return r;
}

PIN_FN int pin_ssl_cipher_list_null(SSL *ssl)
{
    int r = SSL_set_cipher_list(ssl, "NULL-SHA:NULL-MD5");
    KEEP_FRAME();
    return r == 1;
}

enum pin_kind { PIN_METHOD, PIN_CTX, PIN_SSL };

struct pin {
    const char *flag;      /* --flag */
    const char *function;  /* the function that makes the pin (what the shim's caller frame names) */
    enum pin_kind kind;
    SSL_CTX *(*method)(void);
    int (*on_ctx)(SSL_CTX *);
    int (*on_ssl)(SSL *);
    const char *what;
};

#define M(flag, fn, what) { flag, #fn, PIN_METHOD, fn, NULL, NULL, what }
#define C(flag, fn, what) { flag, #fn, PIN_CTX, NULL, fn, NULL, what }
#define S(flag, fn, what) { flag, #fn, PIN_SSL, NULL, NULL, fn, what }

static const struct pin pins[] = {
    M("method-tlsv1-client", pin_method_tlsv1_client, "SSL_CTX_new(TLSv1_client_method())"),
    M("method-tlsv1_1-client", pin_method_tlsv1_1_client, "SSL_CTX_new(TLSv1_1_client_method())"),
    M("method-tlsv1", pin_method_tlsv1, "SSL_CTX_new(TLSv1_method())"),
    M("method-tlsv1_1", pin_method_tlsv1_1, "SSL_CTX_new(TLSv1_1_method())"),
    M("method-tlsv1_2-client", pin_method_tlsv1_2_client, "SSL_CTX_new(TLSv1_2_client_method())"),
    C("ctx-ssl-version", pin_ctx_set_ssl_version, "SSL_CTX_set_ssl_version(TLSv1_client_method())"),
    C("ctx-max-version", pin_ctx_max_version, "SSL_CTX_set_max_proto_version(TLS1_1_VERSION)"),
    C("ctx-min-version-zero", pin_ctx_min_version_zero, "SSL_CTX_set_min_proto_version(0)"),
    C("ctx-min-version-tls1", pin_ctx_min_version_tls1, "SSL_CTX_set_min_proto_version(TLS1_VERSION)"),
    C("ctx-options", pin_ctx_options_no_tls12_13, "SSL_CTX_set_options(SSL_OP_NO_TLSv1_2|SSL_OP_NO_TLSv1_3)"),
    C("conf-max-protocol", pin_conf_max_protocol, "SSL_CONF_cmd(MaxProtocol, TLSv1.1) on the context"),
    C("conf-min-protocol", pin_conf_min_protocol, "SSL_CONF_cmd(MinProtocol, TLSv1) on the context"),
    C("conf-protocol", pin_conf_protocol, "SSL_CONF_cmd(Protocol, -TLSv1.2,-TLSv1.3) on the context"),
    C("cipher-null", pin_cipher_list_null, "SSL_CTX_set_cipher_list(NULL-SHA:NULL-MD5)"),
    C("cipher-rc4", pin_cipher_list_rc4, "SSL_CTX_set_cipher_list(RC4-SHA:RC4-MD5:DES-CBC-SHA)"),
    S("ssl-method", pin_ssl_set_ssl_method, "SSL_set_ssl_method(TLSv1_client_method())"),
    S("ssl-max-version", pin_ssl_max_version, "SSL_set_max_proto_version(TLS1_1_VERSION)"),
    S("ssl-min-version-zero", pin_ssl_min_version_zero, "SSL_set_min_proto_version(0)"),
    S("ssl-min-version-tls1", pin_ssl_min_version_tls1, "SSL_set_min_proto_version(TLS1_VERSION)"),
    S("ssl-options", pin_ssl_options_no_tls12_13, "SSL_set_options(SSL_OP_NO_TLSv1_2|SSL_OP_NO_TLSv1_3)"),
    S("ssl-conf-max-protocol", pin_ssl_conf_max_protocol, "SSL_CONF_cmd(MaxProtocol, TLSv1.1) on the connection"),
    S("ssl-cipher-null", pin_ssl_cipher_list_null, "SSL_set_cipher_list(NULL-SHA:NULL-MD5)"),
};
#define NPINS (sizeof pins / sizeof pins[0])

/* ------------------------------------------------------------------------------------------ */
/* Connections                                                                                 */

static int tcp_connect(int thread, int conn)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res, *ai;
    const char *addr = opt.connect ? opt.connect : opt.host ? opt.host : "127.0.0.1";
    int fd = -1, rc = getaddrinfo(addr, opt.port, &hints, &res);
    if (rc != 0) {
        say(stderr, "error: thread=%d conn=%d cannot resolve %s: %s\n", thread, conn, addr, gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        say(stderr, "error: thread=%d conn=%d cannot connect to %s port %s: %s\n", thread, conn, addr,
            opt.port, strerror(errno));
    return fd;
}

/* The handshake modes, each in a named function too (the handshake record's caller). */
PIN_FN int handshake_connect(SSL *ssl)
{
    int r = SSL_connect(ssl);
    KEEP_FRAME();
    return r;
}

static const char request[] = "GET / HTTP/1.0\r\n\r\n";

PIN_FN int handshake_implicit_write(SSL *ssl)
{
    SSL_set_connect_state(ssl);
    int r = SSL_write(ssl, request, (int)strlen(request));
    KEEP_FRAME();
    return r;
}

PIN_FN int handshake_do_handshake(SSL *ssl)
{
    SSL_set_connect_state(ssl);
    int r = SSL_do_handshake(ssl);
    KEEP_FRAME();
    return r;
}

PIN_FN long handshake_bio(BIO *sbio)
{
    long r = BIO_do_handshake(sbio);
    KEEP_FRAME();
    return r;
}

PIN_FN long handshake_bio_connect(BIO *sbio)
{
    long r = BIO_do_connect(sbio);   /* TCP connect and TLS handshake */
    KEEP_FRAME();
    return r;
}

/* Connections are made in named functions too: a pin no setter saw (SSL_CONF_cmd) may be
 * caught when the connection is made. */
PIN_FN SSL *new_ssl_connection(SSL_CTX *ctx)
{
    SSL *ssl = SSL_new(ctx);
    KEEP_FRAME();
    return ssl;
}

PIN_FN BIO *new_ssl_connect_bio(SSL_CTX *ctx)
{
    BIO *b = BIO_new_ssl_connect(ctx);
    KEEP_FRAME();
    return b;
}

static SSL_CTX *make_ctx(int thread, int conn)
{
    SSL_CTX *ctx = NULL;
    int methods = 0;
    for (size_t i = 0; i < NPINS; i++) {
        if (opt.pins[i] && pins[i].kind == PIN_METHOD) {
            if (methods++) {
                say(stderr, "error: only one method pin at a time\n");
                SSL_CTX_free(ctx);
                return NULL;
            }
            ctx = pins[i].method();
            if (!ctx) {
                report_error(thread, conn, pins[i].what, NULL, 0);
                return NULL;
            }
        }
    }
    if (!ctx)
        ctx = make_default_ctx();
    if (!ctx) {
        report_error(thread, conn, "SSL_CTX_new", NULL, 0);
        return NULL;
    }
    if (opt.verify) {
        if (SSL_CTX_load_verify_locations(ctx, opt.verify, NULL) != 1) {
            report_error(thread, conn, "SSL_CTX_load_verify_locations", NULL, 0);
            SSL_CTX_free(ctx);
            return NULL;
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    }
    for (size_t i = 0; i < NPINS; i++) {
        if (opt.pins[i] && pins[i].kind == PIN_CTX && !pins[i].on_ctx(ctx)) {
            report_error(thread, conn, pins[i].what, NULL, 0);
            SSL_CTX_free(ctx);
            return NULL;
        }
    }
    if (opt.cipher && !pin_cipher_list_cmdline(ctx)) {
        report_error(thread, conn, "SSL_CTX_set_cipher_list(--cipher)", NULL, 0);
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static int prepare_ssl(SSL *ssl, int thread, int conn)
{
    if (opt.host) {
        if (SSL_set_tlsext_host_name(ssl, opt.host) != 1) {
            report_error(thread, conn, "SSL_set_tlsext_host_name", NULL, 0);
            return 0;
        }
        if (opt.verify && SSL_set1_host(ssl, opt.host) != 1) {
            report_error(thread, conn, "SSL_set1_host", NULL, 0);
            return 0;
        }
    }
    for (size_t i = 0; i < NPINS; i++) {
        if (opt.pins[i] && pins[i].kind == PIN_SSL && !pins[i].on_ssl(ssl)) {
            report_error(thread, conn, pins[i].what, NULL, 0);
            return 0;
        }
    }
    return 1;
}

static void print_success(SSL *ssl, int thread, int conn)
{
    const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
    say(stdout, "version=%s cipher=%s thread=%d conn=%d\n", SSL_get_version(ssl),
        c ? SSL_CIPHER_get_name(c) : "(none)", thread, conn);
}

/* After the handshake: ask for the server's page and read it (failures here do not count). */
static void exchange(SSL *ssl, BIO *sbio, int sent)
{
    char buf[4096];
    if (opt.no_io)
        return;
    if (!sent) {
        if (sbio ? BIO_write(sbio, request, (int)strlen(request)) <= 0
                 : SSL_write(ssl, request, (int)strlen(request)) <= 0) {
            ERR_clear_error();
            return;
        }
    }
    for (int i = 0; i < 64; i++) {
        int n = sbio ? BIO_read(sbio, buf, sizeof buf) : SSL_read(ssl, buf, sizeof buf);
        if (n <= 0)
            break;
    }
    ERR_clear_error();
}

static int verify_ok(SSL *ssl, int thread, int conn)
{
    if (!opt.verify)
        return 1;
    long v = SSL_get_verify_result(ssl);
    if (v != X509_V_OK) {
        say(stderr, "error: thread=%d conn=%d certificate verification: %s\n", thread, conn,
            X509_verify_cert_error_string(v));
        return 0;
    }
    return 1;
}

static int one_connection(SSL_CTX *ctx, int thread, int conn)
{
    int ok = 0, fd = -1;
    SSL *ssl = NULL;
    BIO *sbio = NULL;

    if (opt.mode == MODE_BIO_CONNECT) {
        char target[512];
        const char *addr = opt.connect ? opt.connect : opt.host ? opt.host : "127.0.0.1";
        snprintf(target, sizeof target, strchr(addr, ':') ? "[%s]:%s" : "%s:%s", addr, opt.port);
        sbio = new_ssl_connect_bio(ctx);
        if (!sbio || BIO_get_ssl(sbio, &ssl) != 1 || !ssl) {
            report_error(thread, conn, "BIO_new_ssl_connect", NULL, 0);
            goto out;
        }
        BIO_set_conn_hostname(sbio, target);
        if (!prepare_ssl(ssl, thread, conn))
            goto out;
        if (handshake_bio_connect(sbio) <= 0) {
            report_error(thread, conn, "BIO_do_connect (handshake)", ssl, -1);
            goto out;
        }
        if (!verify_ok(ssl, thread, conn))
            goto out;
        print_success(ssl, thread, conn);
        exchange(ssl, sbio, 0);
        ok = 1;
        goto out;
    }

    fd = tcp_connect(thread, conn);
    if (fd < 0)
        goto out;
    ssl = new_ssl_connection(ctx);
    if (!ssl) {
        report_error(thread, conn, "SSL_new", NULL, 0);
        goto out;
    }
    if (SSL_set_fd(ssl, fd) != 1) {
        report_error(thread, conn, "SSL_set_fd", NULL, 0);
        goto out;
    }
    if (!prepare_ssl(ssl, thread, conn))
        goto out;

    int r, sent = 0;
    switch (opt.mode) {
    case MODE_CONNECT:
        if ((r = handshake_connect(ssl)) != 1) {
            report_error(thread, conn, "SSL_connect", ssl, r);
            goto out;
        }
        break;
    case MODE_IMPLICIT:
        if ((r = handshake_implicit_write(ssl)) <= 0) {
            report_error(thread, conn, "SSL_write (implicit handshake)", ssl, r);
            goto out;
        }
        sent = 1;
        break;
    case MODE_DO_HANDSHAKE:
        if ((r = handshake_do_handshake(ssl)) != 1) {
            report_error(thread, conn, "SSL_do_handshake", ssl, r);
            goto out;
        }
        break;
    case MODE_BIO:
        SSL_set_connect_state(ssl);
        sbio = BIO_new(BIO_f_ssl());
        if (!sbio) {
            report_error(thread, conn, "BIO_new(BIO_f_ssl())", NULL, 0);
            goto out;
        }
        BIO_set_ssl(sbio, ssl, BIO_NOCLOSE);
        if (handshake_bio(sbio) <= 0) {
            report_error(thread, conn, "BIO_do_handshake", ssl, -1);
            goto out;
        }
        break;
    case MODE_BIO_CONNECT:
        break;
    }
    if (!verify_ok(ssl, thread, conn))
        goto out;
    print_success(ssl, thread, conn);
    exchange(ssl, sbio, sent);
    ok = 1;
out:
    if (opt.mode == MODE_BIO_CONNECT) {
        BIO_free_all(sbio);   /* owns ssl */
    } else {
        if (sbio)
            BIO_free(sbio);   /* BIO_NOCLOSE: ssl is ours */
        if (ssl) {
            if (ok)
                SSL_shutdown(ssl);
            SSL_free(ssl);
        }
        if (fd >= 0)
            close(fd);
    }
    ERR_clear_error();
    return ok;
}

static void *worker(void *arg)
{
    int thread = (int)(intptr_t)arg, failures = 0;
    SSL_CTX *shared = NULL;
    if (opt.reuse_ctx && !(shared = make_ctx(thread, 0)))
        return (void *)(intptr_t)opt.count;
    for (int conn = 0; conn < opt.count; conn++) {
        SSL_CTX *ctx = shared ? shared : make_ctx(thread, conn);
        if (!ctx) {
            failures++;
            continue;
        }
        if (!one_connection(ctx, thread, conn))
            failures++;
        if (!shared)
            SSL_CTX_free(ctx);
    }
    SSL_CTX_free(shared);
    return (void *)(intptr_t)failures;
}

/* ------------------------------------------------------------------------------------------ */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: pinclient [--PIN ...] [--mode connect|implicit|bio|bio-connect|do-handshake]\n"
            "                 [--host NAME] [--connect ADDR] [--port N] [--verify CAFILE]\n"
            "                 [--cipher LIST] [--threads N] [--count N] [--reuse-ctx] [--no-io]\n"
            "                 [--show-lib] [--list-pins] [--version]\n"
            "pins (also --pin NAME):\n");
    for (size_t i = 0; i < NPINS; i++)
        fprintf(f, "  --%-24s %s\n", pins[i].flag, pins[i].what);
}

static int positive(const char *s, const char *what)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 1 || v > 10000) {
        fprintf(stderr, "pinclient: bad %s: %s\n", what, s);
        exit(2);
    }
    return (int)v;
}

static int set_pin(const char *name)
{
    for (size_t i = 0; i < NPINS; i++)
        if (strcmp(name, pins[i].flag) == 0) {
            opt.pins[i] = 1;
            return 1;
        }
    return 0;
}

int main(int argc, char **argv)
{
    int show_lib = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define TAKES(name) (strcmp(a, name) == 0 && (v ? (i++, 1) : (fprintf(stderr, "pinclient: %s needs a value\n", name), exit(2), 0)))
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--list-pins") == 0) {
            for (size_t p = 0; p < NPINS; p++)
                printf("%s %s %s\n", pins[p].flag, pins[p].function,
                       pins[p].kind == PIN_METHOD ? "method" : pins[p].kind == PIN_CTX ? "ctx" : "ssl");
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("library=%s\n", OpenSSL_version(OPENSSL_VERSION));
            return 0;
        } else if (strcmp(a, "--show-lib") == 0) {
            show_lib = 1;
        } else if (strcmp(a, "--reuse-ctx") == 0) {
            opt.reuse_ctx = 1;
        } else if (strcmp(a, "--no-io") == 0) {
            opt.no_io = 1;
        } else if (TAKES("--host")) {
            opt.host = v;
        } else if (TAKES("--connect")) {
            opt.connect = v;
        } else if (TAKES("--port")) {
            opt.port = v;
        } else if (TAKES("--verify")) {
            opt.verify = v;
        } else if (TAKES("--cipher")) {
            opt.cipher = v;
        } else if (TAKES("--threads")) {
            opt.threads = positive(v, "--threads");
        } else if (TAKES("--count")) {
            opt.count = positive(v, "--count");
        } else if (TAKES("--pin")) {
            if (!set_pin(v)) {
                fprintf(stderr, "pinclient: unknown pin: %s\n", v);
                return 2;
            }
        } else if (TAKES("--mode")) {
            if (strcmp(v, "connect") == 0)
                opt.mode = MODE_CONNECT;
            else if (strcmp(v, "implicit") == 0)
                opt.mode = MODE_IMPLICIT;
            else if (strcmp(v, "bio") == 0)
                opt.mode = MODE_BIO;
            else if (strcmp(v, "bio-connect") == 0)
                opt.mode = MODE_BIO_CONNECT;
            else if (strcmp(v, "do-handshake") == 0)
                opt.mode = MODE_DO_HANDSHAKE;
            else {
                fprintf(stderr, "pinclient: unknown mode: %s\n", v);
                return 2;
            }
        } else if (strncmp(a, "--", 2) == 0 && set_pin(a + 2)) {
            /* one flag per pin */
        } else {
            fprintf(stderr, "pinclient: unknown argument: %s\n", a);
            usage(stderr);
            return 2;
        }
#undef TAKES
    }

    OPENSSL_init_ssl(0, NULL);
    if (show_lib)
        say(stdout, "library=%s\n", OpenSSL_version(OPENSSL_VERSION));

    pthread_t *tids = calloc((size_t)opt.threads, sizeof *tids);
    if (!tids)
        return 1;
    long failures = 0;
    if (opt.threads == 1) {
        failures = (intptr_t)worker((void *)(intptr_t)0);
    } else {
        for (int t = 0; t < opt.threads; t++)
            if (pthread_create(&tids[t], NULL, worker, (void *)(intptr_t)t) != 0) {
                fprintf(stderr, "pinclient: pthread_create failed\n");
                return 1;
            }
        for (int t = 0; t < opt.threads; t++) {
            void *r;
            pthread_join(tids[t], &r);
            failures += (intptr_t)r;
        }
    }
    free(tids);
    if (failures) {
        say(stderr, "pinclient: %ld of %d connection(s) failed\n", failures, opt.threads * opt.count);
        return 1;
    }
    return 0;
}
