/* Which TLS stack made a connection tlsfloor did not see, and what the admin can do about it,
 * inferred from the objects the process has loaded and from a version string in the main
 * program. Pure: the shim gathers the facts (hooks_socket.c), this decides. */
#ifndef TF_STACK_H
#define TF_STACK_H

#include <stddef.h>

/* What the loaded objects show (bits of tf_stack_facts.seen). */
#define TF_SEEN_JVM 1u      /* libjvm.so: Java, whose TLS (JSSE) is written in Java */
#define TF_SEEN_NSS 2u      /* libnss3.so / libssl3.so */
#define TF_SEEN_GNUTLS 4u   /* libgnutls.so */
#define TF_SEEN_LIBSSL 8u   /* OpenSSL's libssl.so.N: the library tlsfloor hooks */
#define TF_SEEN_OTHER 16u   /* wolfSSL, mbed TLS, BoringSSL, LibreSSL's libtls */

struct tf_stack_facts {
    unsigned seen;          /* TF_SEEN_* */
    char names[200];        /* the TLS libraries loaded, comma-separated base names */
    int exe_openssl_major;  /* the main program carries "OpenSSL M.m.p <date>": M; else 0 */
    int gnutls_hooked;      /* this tlsfloor covers GnuTLS connections itself */
    int java_agent;         /* tlsfloor's Java agent is on the JVM's options: JSSE is covered */
};

/* The objects that name a stack, by the start of their base name (`tlsfloor tables libraries`). */
struct tf_stack_library {
    const char *prefix;     /* of the base name: "libssl.so." */
    unsigned seen;          /* TF_SEEN_* */
    int listed;             /* a TLS library: named in tls_libraries */
    const char *stack;      /* the stack it stands for: java, nss, gnutls, openssl, other */
};
const struct tf_stack_library *tf_stack_libraries(size_t *n);

/* Adds one loaded object (a path or base name; NULL and "" are ignored) to f. */
void tf_stack_note(struct tf_stack_facts *f, const char *path);

/* What marks a program that carries OpenSSL itself. The version text is linked only when the
 * program asks for it (OpenSSL_version), so libcrypto's own strings count too: OPENSSL_die's
 * message (1.0.2 to 3.x) and the OPENSSL_MODULES variable its provider loader reads (3.x only). */
struct tf_openssl_marks {
    int version_major;      /* of the first "OpenSSL M.m.p <date>" (OPENSSL_VERSION_TEXT), or 0 */
    int internal_error;     /* "OpenSSL internal error" */
    int modules_env;        /* "OPENSSL_MODULES" */
};

/* Adds what buf[0..len) shows to m (call it for each segment). Reads nothing outside buf. */
void tf_stack_scan_openssl(const char *buf, size_t len, struct tf_openssl_marks *m);

/* The major version m shows: the version text's; else 3 with both library strings, 1 (meaning
 * "before 3") with OPENSSL_die's alone; 0: no OpenSSL. */
int tf_stack_openssl_major(const struct tf_openssl_marks *m);

struct tf_stack_verdict {
    const char *stack;      /* "java", "openssl-static", "nss", "gnutls", "other", "unknown" */
    const char *verdict;    /* what it is and what to do instead */
    int report;             /* 0: not worth a record (plaintext SMTP relaying on port 25) */
    int quiet;              /* file and syslog only (a plaintext finding) */
};

/* The verdict for an uncovered connection to port; implicit_tls: the port speaks TLS from the
 * first byte (993, 995, 465), so a connection there without a handshake we saw used another
 * stack (or none at all: plaintext). */
struct tf_stack_verdict tf_stack_infer(const struct tf_stack_facts *f, int port, int implicit_tls);

#endif
