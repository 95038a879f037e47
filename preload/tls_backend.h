/* What a TLS backend (one hooks file per TLS library, as curl's lib/vtls/) gets from the neutral
 * part of the shim, and the one small table of operations it provides in return.
 *
 * A backend decides and applies its library's pins itself (they are library-specific); what is
 * the same for every library lives here: per-connection state, the handshake and failure
 * records, and the watch of a client's first commands for its authentication posture.
 *
 * Per-connection state is a set of bits per library object (SSL *, SSL_CTX *, a GnuTLS
 * session), kept in one table of tlsfloor's own (tls_conn.c), not in the library: a backend
 * whose library has no ex_data works the same way. A backend calls tf_conn_new when an object
 * is made (an address the library reuses starts clean) and tf_conn_forget when it is freed. */
#ifndef TF_TLS_BACKEND_H
#define TF_TLS_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "shim.h"
#include "tf_sniff.h"

/* ---- per-connection bits (the same meaning for every backend) ---- */
enum {
    TF_DID_METHOD = 1 << 0,    /* a version-specific method was swapped for the flexible one */
    TF_DID_MAX = 1 << 1,       /* a maximum version below the floor was raised */
    TF_DID_MIN = 1 << 2,       /* a minimum version ... */
    TF_DID_OPTIONS = 1 << 3,   /* options that disable versions at or above the floor cleared */
    TF_DID_CIPHERS = 1 << 4,   /* a cipher list with nothing usable at the floor extended */
    TF_DID_REWRITE = 1 << 5,   /* a legacy host name replaced (SNI or certificate check) */
    TF_DID_VERIFY = 1 << 6,    /* TLSFLOOR_VERIFY=require took over the certificate check */
    TF_HANDSHAKE_LOGGED = 1 << 7,
    TF_INFO_CB_SET = 1 << 8,   /* OpenSSL: tlsfloor's info callback is installed */
    TF_WATCH_AUTH = 1 << 9,    /* the client's first bytes are looked at for its auth command */
    /* 1 << 10, 1 << 11: the watched protocol (TF_CONN_PROTO_*) */
    TF_DID_FLOOR = 1 << 12,    /* the library's default minimum ("any") was raised: no pin, but
                                  it explains a failed handshake with an old server */
    TF_DID_PRIORITY = 1 << 13, /* GnuTLS: a priority string's versions raised */
    /* the backend's own, below TF_CONN_SEEN_SHIFT so the auth watch keeps them. GnuTLS: a
     * server session and a DTLS one (gnutls_init's flags; the library cannot say later) */
    TF_BACKEND_PRIVATE_0 = 1 << 14,
    TF_BACKEND_PRIVATE_1 = 1 << 15,
};
/* A backend bit for before the handshake only: the auth watch, which starts after it, reuses
 * every bit from TF_CONN_SEEN_SHIFT up. GnuTLS: the program asked the library to verify the
 * certificate in the handshake (gnutls_session_set_verify_cert). */
#define TF_BACKEND_PRE_HANDSHAKE ((uintptr_t)1 << 30)
#define TF_CONN_PROTO_SHIFT 10
#define TF_CONN_PROTO_MASK ((uintptr_t)3 << TF_CONN_PROTO_SHIFT)
#define TF_CONN_SEEN_SHIFT 16  /* bytes of the client's looked at so far */
#define TF_DID_ANY (TF_DID_METHOD | TF_DID_MAX | TF_DID_MIN | TF_DID_OPTIONS | TF_DID_CIPHERS | \
                    TF_DID_REWRITE | TF_DID_VERIFY | TF_DID_PRIORITY)

/* The object's bits (0 when it has none). Lock-free; cheap enough for the data path. */
uintptr_t tf_conn_bits(const void *obj);
/* Replaces the object's bits (a new entry when it has none). */
void tf_conn_set(const void *obj, uintptr_t bits);
/* Adds bits to the object's (a new entry when it has none). */
void tf_conn_mark(const void *obj, uintptr_t bits);
/* A new object at this address: its entry starts with exactly these bits. */
void tf_conn_new(const void *obj, uintptr_t bits);
/* The object is freed: its entry goes. */
void tf_conn_forget(const void *obj);

/* ---- what a backend provides ---- */
struct tf_tls_ops {
    const char *name;                               /* "openssl", "gnutls": the records' library */
    int (*version)(const void *conn);               /* negotiated, as on the wire (0x0303) */
    /* cipher and sni return the name, written into buf or held by the library; NULL when none */
    const char *(*cipher)(const void *conn, char *buf, size_t cap);
    const char *(*sni)(const void *conn, char *buf, size_t cap);
    int (*fd)(const void *conn);                    /* -1: the program's own transport */
    int (*is_server)(const void *conn);
    /* the library's own write and read (not the hooks): bytes moved, or the library's failure
     * return (<= 0) with its error state left for the program (OAuth bridge) */
    long (*raw_write)(void *conn, const void *buf, size_t n);
    long (*raw_read)(void *conn, void *buf, size_t n);
};

/* ---- the handle route (hooks_dlsym.c): per backend, whether name is one of its hooks, and its
 * hook for name when that forwards to exactly found (else NULL); one line in backends[] there ---- */
int tf_openssl_hooks_name(const char *name);
void *tf_openssl_handle_hook(const char *name, void *found);
int tf_gnutls_hooks_name(const char *name);
void *tf_gnutls_handle_hook(const char *name, void *found);

/* Whether the GnuTLS backend acts in this process (its library found and usable): an uncovered
 * connection of a GnuTLS program is then not blamed on GnuTLS (hooks_socket.c). */
int tf_gnutls_covers(void);

/* ---- neutral records (tls_conn.c) ---- */

/* The handshake of conn completed: one handshake record (once per connection), and a client of
 * a mail port (or of an unknown one) gets its first commands watched. */
void tf_tls_handshake_done(const struct tf_tls_ops *b, const void *conn);

/* The handshake of conn failed, for reason (the library's words): one handshake_failed record. */
void tf_tls_handshake_failed(const struct tf_tls_ops *b, const void *conn, const char *reason);

/* The program writes buf to conn: a watched client's first bytes are looked at for its
 * authentication command. One tf_conn_bits read when the connection is not watched. */
void tf_tls_client_wrote(const struct tf_tls_ops *b, const void *conn, const void *buf, size_t n);

/* The OAuth bridge (oauth_token_command set): a client of an IMAP, POP3 or SMTP port has its
 * login turned into XOAUTH2 (common/tf_bridge.c) from its handshake until the login is over.
 * Both return 0 when the bridge is not on this connection (the hook goes on as usual: one
 * atomic load when no connection is bridged); 1 when it handled the call, *ret being what the
 * hook returns: for a write all n bytes (the program wrote them), for a read the bytes given or
 * the real read's failure return. peek leaves what it gives in place. */
int tf_tls_bridge_write(const struct tf_tls_ops *b, void *conn, const void *buf, size_t n, long *ret);
int tf_tls_bridge_read(const struct tf_tls_ops *b, void *conn, void *buf, size_t n, int peek, long *ret);

/* "host:port" of conn's socket (or of the thread's last connect when it has none); returns the
 * port, 0 when unknown. */
int tf_tls_peer(const struct tf_tls_ops *b, const void *conn, char *out, size_t cap);

#endif
