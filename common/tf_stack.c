/* Naming the TLS stack behind an uncovered connection (see tf_stack.h). Pure. */
#define _GNU_SOURCE   /* memmem */
#include "tf_stack.h"

#include <string.h>

static const struct tf_stack_library known_objects[] = {
    { "libjvm.so", TF_SEEN_JVM, 0, "java" },
    { "libnss3.so", TF_SEEN_NSS, 1, "nss" },
    { "libssl3.so", TF_SEEN_NSS, 1, "nss" },
    { "libgnutls.so", TF_SEEN_GNUTLS, 1, "gnutls" },
    { "libssl.so.", TF_SEEN_LIBSSL, 1, "openssl" },
    { "libwolfssl.so", TF_SEEN_OTHER, 1, "other" },
    { "libmbedtls.so", TF_SEEN_OTHER, 1, "other" },
    { "libboringssl", TF_SEEN_OTHER, 1, "other" },
    { "libtls.so", TF_SEEN_OTHER, 1, "other" },
};

const struct tf_stack_library *tf_stack_libraries(size_t *n)
{
    *n = sizeof known_objects / sizeof known_objects[0];
    return known_objects;
}

static void append_name(struct tf_stack_facts *f, const char *base)
{
    size_t used = strlen(f->names), need = strlen(base) + (used ? 1 : 0);
    if (used + need >= sizeof f->names)
        return;   /* full: the first names are the telling ones */
    if (used)
        f->names[used++] = ',';
    memcpy(f->names + used, base, strlen(base) + 1);
}

void tf_stack_note(struct tf_stack_facts *f, const char *path)
{
    if (path == NULL || path[0] == '\0')
        return;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (size_t i = 0; i < sizeof known_objects / sizeof known_objects[0]; i++) {
        if (strncmp(base, known_objects[i].prefix, strlen(known_objects[i].prefix)) != 0)
            continue;
        f->seen |= known_objects[i].seen;
        if (known_objects[i].listed)
            append_name(f, base);
        return;
    }
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Digits at p (before end): how many, at most max (0: none, or more than max). */
static size_t digits(const char *p, const char *end, size_t max)
{
    size_t n = 0;
    while (p + n < end && is_digit(p[n]))
        n++;
    return n > max ? 0 : n;
}

/* Whether p starts "M.m.p[letters][-tag] D" (the rest of OPENSSL_VERSION_TEXT after "OpenSSL "):
 * the release date after the version tells the version text from other "OpenSSL 3.0" prose.
 * Stores M. */
static int version_text_at(const char *p, const char *end, int *major)
{
    size_t n = digits(p, end, 2);
    if (n == 0)
        return 0;
    int m = 0;
    for (size_t i = 0; i < n; i++)
        m = m * 10 + (p[i] - '0');
    p += n;
    for (int part = 0; part < 2; part++) {   /* ".minor" ".patch" */
        if (p >= end || *p != '.' || (n = digits(p + 1, end, 3)) == 0)
            return 0;
        p += 1 + n;
    }
    for (int i = 0; i < 2 && p < end && *p >= 'a' && *p <= 'z'; i++)
        p++;
    if (p < end && *p == '-')   /* "-fips", "-dev" */
        for (p++; p < end && *p != ' ' && *p != '\0'; p++)
            ;
    if (p >= end || *p != ' ')
        return 0;
    while (p < end && *p == ' ')
        p++;
    if (digits(p, end, 2) == 0)
        return 0;
    *major = m;
    return 1;
}

static int version_major_in(const char *buf, size_t len)
{
    static const char tag[] = "OpenSSL ";
    const size_t taglen = sizeof tag - 1;
    const char *end = buf + len;
    for (const char *p = buf; (size_t)(end - p) > taglen;) {
        const char *hit = memchr(p, 'O', (size_t)(end - p) - taglen);
        if (hit == NULL)
            return 0;
        int major = 0;
        if (memcmp(hit, tag, taglen) == 0 && version_text_at(hit + taglen, end, &major) && major > 0)
            return major;
        p = hit + 1;
    }
    return 0;
}

static int contains(const char *buf, size_t len, const char *needle)
{
    return memmem(buf, len, needle, strlen(needle)) != NULL;
}

void tf_stack_scan_openssl(const char *buf, size_t len, struct tf_openssl_marks *m)
{
    if (buf == NULL)
        return;
    if (m->version_major == 0)
        m->version_major = version_major_in(buf, len);
    m->internal_error |= contains(buf, len, "OpenSSL internal error");
    m->modules_env |= contains(buf, len, "OPENSSL_MODULES");
}

int tf_stack_openssl_major(const struct tf_openssl_marks *m)
{
    if (m->version_major > 0)
        return m->version_major;
    if (m->internal_error)
        return m->modules_env ? 3 : 1;
    return 0;
}

struct tf_stack_verdict tf_stack_infer(const struct tf_stack_facts *f, int port, int implicit_tls)
{
    struct tf_stack_verdict v = { "unknown", NULL, 1, 0 };
    int relaying = port == 25;   /* plaintext SMTP relaying is ordinary: only other stacks count */
    if (f->seen & TF_SEEN_JVM) {
        v.stack = "java";
        v.verdict = "TLS by Java's own JSSE, which no preload reaches: run it with tlsfloor's Java "
                    "agent (tlsfloor -- java ..., or -javaagent:.../tlsfloor-agent.jar in "
                    "JAVA_TOOL_OPTIONS), or allow TLS 1.2 in the program "
                    "(SSLContext.getInstance(\"TLSv1.2\"), jdk.tls.client.protocols)";
        /* with the agent the connection is the agent's to report (its own records, tool java) */
        v.report = !relaying && !f->java_agent;
    } else if (f->seen & TF_SEEN_NSS) {
        v.stack = "nss";
        v.verdict = "TLS by NSS: tlsfloor cannot raise its version; set the floor in NSS's policy "
                    "(tls-version-min=tls1.2 in the system policy, crypto-policies' nss.config where "
                    "the host has it) or in the program";
    } else if ((f->seen & TF_SEEN_GNUTLS) && !f->gnutls_hooked) {
        v.stack = "gnutls";
        v.verdict = "TLS by GnuTLS, which this tlsfloor does not hook: allow TLS 1.2 in the program's "
                    "priority string (or use @SYSTEM), or put a TLS relay in front";
    } else if (f->seen & TF_SEEN_OTHER) {
        v.stack = "other";
        v.verdict = "TLS by another library (see tls_libraries): tlsfloor cannot raise its version";
    } else if (f->exe_openssl_major > 0 && !(f->seen & TF_SEEN_LIBSSL)) {
        v.stack = "openssl-static";
        v.verdict = f->exe_openssl_major >= 3
                        ? "OpenSSL 3 built into the program: no preload reaches it; tlsfloor's OpenSSL 3 "
                          "provider can refuse TLS 1.0/1.1 where the program reads openssl.cnf "
                          "(tlsfloor --provider, tlsfloor provider-install)"
                        : "OpenSSL before 3 built into the program: nothing in process reaches it; "
                          "rebuild against the system libssl, or put a TLS relay in front";
        v.report = !relaying;
    } else if (implicit_tls) {
        v.verdict = "TLS by a library tlsfloor does not recognise";
    } else {
        v.verdict = "plaintext: never upgraded with STARTTLS through OpenSSL";
        v.report = !relaying;
        v.quiet = 1;
    }
    return v;
}
