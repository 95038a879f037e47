#include <string.h>

#include "check_main.h"
#include "tf_stack.h"

static struct tf_stack_facts facts_of(const char *const *objects, int exe_major)
{
    struct tf_stack_facts f;
    memset(&f, 0, sizeof f);
    for (; *objects; objects++)
        tf_stack_note(&f, *objects);
    f.exe_openssl_major = exe_major;
    return f;
}

/* The objects a real OpenJDK 17 client has loaded (libjvm, libnet, libnio; no TLS library). */
START_TEST(java_named_by_libjvm)
{
    const char *objs[] = { "", "linux-vdso.so.1", "/lib/x86_64-linux-gnu/libc.so.6",
                           "/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so",
                           "/usr/lib/jvm/java-17-openjdk-amd64/lib/libnet.so", NULL };
    struct tf_stack_facts f = facts_of(objs, 0);
    struct tf_stack_verdict v = tf_stack_infer(&f, 993, 1);
    ck_assert_str_eq(v.stack, "java");
    ck_assert(strstr(v.verdict, "tlsfloor-agent.jar") != NULL);
    ck_assert_str_eq(f.names, "");
    ck_assert(v.report && !v.quiet);
    /* STARTTLS ports too: JSSE may have upgraded it */
    v = tf_stack_infer(&f, 587, 0);
    ck_assert_str_eq(v.stack, "java");
    ck_assert(!v.quiet);
    /* with tlsfloor's Java agent on the JVM, JSSE is covered: the agent reports, not the shim */
    f.java_agent = 1;
    v = tf_stack_infer(&f, 993, 1);
    ck_assert_str_eq(v.stack, "java");
    ck_assert(!v.report);
}
END_TEST

START_TEST(static_openssl_by_version_major)
{
    const char *objs[] = { "", "/lib/x86_64-linux-gnu/libc.so.6", NULL };
    struct tf_stack_facts f = facts_of(objs, 3);
    struct tf_stack_verdict v = tf_stack_infer(&f, 993, 1);
    ck_assert_str_eq(v.stack, "openssl-static");
    ck_assert(strstr(v.verdict, "provider") != NULL);
    f.exe_openssl_major = 1;
    v = tf_stack_infer(&f, 993, 1);
    ck_assert_str_eq(v.stack, "openssl-static");
    ck_assert(strstr(v.verdict, "provider") == NULL);
    ck_assert(strstr(v.verdict, "relay") != NULL);
    /* a libssl is loaded: the version text belongs to a program that also has the hooked one */
    tf_stack_note(&f, "/usr/lib/x86_64-linux-gnu/libssl.so.3");
    v = tf_stack_infer(&f, 993, 1);
    ck_assert_str_eq(v.stack, "unknown");
    ck_assert_str_eq(f.names, "libssl.so.3");
}
END_TEST

START_TEST(nss_gnutls_other)
{
    const char *nss[] = { "/usr/lib/x86_64-linux-gnu/libnss3.so", "/usr/lib/x86_64-linux-gnu/libssl3.so", NULL };
    struct tf_stack_facts f = facts_of(nss, 0);
    struct tf_stack_verdict v = tf_stack_infer(&f, 25, 0);
    ck_assert_str_eq(v.stack, "nss");
    ck_assert(v.report && !v.quiet);   /* another stack: reported on port 25 too */
    ck_assert_str_eq(f.names, "libnss3.so,libssl3.so");
    ck_assert(strstr(v.verdict, "policy") != NULL);

    const char *gnutls[] = { "/usr/lib/x86_64-linux-gnu/libgnutls.so.30", NULL };
    f = facts_of(gnutls, 0);
    ck_assert_str_eq(tf_stack_infer(&f, 993, 1).stack, "gnutls");
    f.gnutls_hooked = 1;   /* a hooked GnuTLS is not the reason: nothing else known */
    ck_assert_str_eq(tf_stack_infer(&f, 993, 1).stack, "unknown");

    const char *wolf[] = { "libwolfssl.so.35", NULL };
    f = facts_of(wolf, 0);
    ck_assert_str_eq(tf_stack_infer(&f, 993, 1).stack, "other");
}
END_TEST

START_TEST(unknown_and_plaintext)
{
    const char *objs[] = { "", "/lib/x86_64-linux-gnu/libc.so.6", NULL };
    struct tf_stack_facts f = facts_of(objs, 0);
    struct tf_stack_verdict v = tf_stack_infer(&f, 993, 1);
    ck_assert_str_eq(v.stack, "unknown");
    ck_assert(v.report && !v.quiet);
    v = tf_stack_infer(&f, 143, 0);
    ck_assert_str_eq(v.stack, "unknown");
    ck_assert(strncmp(v.verdict, "plaintext", 9) == 0);
    ck_assert(v.report && v.quiet);
    ck_assert(!tf_stack_infer(&f, 25, 0).report);
    f.exe_openssl_major = 3;   /* relaying on 25 stays unreported */
    ck_assert(!tf_stack_infer(&f, 25, 0).report);
}
END_TEST

START_TEST(names_bounded)
{
    struct tf_stack_facts f;
    memset(&f, 0, sizeof f);
    for (int i = 0; i < 100; i++)
        tf_stack_note(&f, "/usr/lib/libgnutls.so.30");
    ck_assert(strlen(f.names) < sizeof f.names);
    ck_assert(strncmp(f.names, "libgnutls.so.30,libgnutls.so.30", 31) == 0);
    tf_stack_note(&f, NULL);
    tf_stack_note(&f, "");
    ck_assert_uint_eq(f.seen, TF_SEEN_GNUTLS);
}
END_TEST

static int major_in(const char *s, size_t len)
{
    struct tf_openssl_marks m = { 0, 0, 0 };
    tf_stack_scan_openssl(s, len, &m);
    return tf_stack_openssl_major(&m);
}

static int major_of(const char *s)
{
    return major_in(s, strlen(s));
}

START_TEST(version_text)
{
    ck_assert_int_eq(major_of("OpenSSL 3.0.17 1 Jul 2025"), 3);
    ck_assert_int_eq(major_of("xx\0OpenSSL 1.1.1w  11 Sep 2023"), 0);   /* strlen stops at NUL */
    const char bin[] = "\x7f" "ELF\0\0OpenSSL 1.1.1w  11 Sep 2023\0more";
    ck_assert_int_eq(major_in(bin, sizeof bin - 1), 1);
    ck_assert_int_eq(major_of("OpenSSL 3.2.0-dev 23 Nov 2023"), 3);
    ck_assert_int_eq(major_of("Op OpenSS OpenSSL 3.5.1 1 Jul 2025"), 3);
    /* prose and other libraries' strings are not a version text */
    ck_assert_int_eq(major_of("OpenSSL 3.0 is required"), 0);
    ck_assert_int_eq(major_of("OpenSSL 3.0.2"), 0);
    ck_assert_int_eq(major_of("OpenSSL 3.0.2 "), 0);
    ck_assert_int_eq(major_of("OpenSSL version mismatch"), 0);
    ck_assert_int_eq(major_of("LibreSSL 3.8.2"), 0);
    ck_assert_int_eq(major_of("OpenSSL 123.0.0 1 Jan 2030"), 0);
    ck_assert_int_eq(major_of(""), 0);
    ck_assert_int_eq(major_in(NULL, 0), 0);
    /* truncated at every length: never reads past the end, never a false hit */
    const char *full = "OpenSSL 3.0.17 1 Jul 2025";
    for (size_t n = 0; n < 16; n++)
        ck_assert_int_eq(major_in(full, n), 0);
    ck_assert_int_eq(major_in(full, 16), 3);
}
END_TEST

/* A static link without OpenSSL_version has no version text: libcrypto's own strings tell. */
START_TEST(library_strings)
{
    const char die_only[] = "x\0%s:%d: OpenSSL internal error: %s\0OPENSSL_CONF";
    ck_assert_int_eq(major_in(die_only, sizeof die_only - 1), 1);
    struct tf_openssl_marks m = { 0, 0, 0 };   /* the two strings in different segments */
    tf_stack_scan_openssl(die_only, sizeof die_only - 1, &m);
    tf_stack_scan_openssl("OPENSSL_MODULES", 15, &m);
    ck_assert_int_eq(tf_stack_openssl_major(&m), 3);
    tf_stack_scan_openssl("OpenSSL 1.1.1w  11 Sep 2023", 27, &m);   /* the version text wins */
    ck_assert_int_eq(tf_stack_openssl_major(&m), 1);
    ck_assert_int_eq(major_of("OPENSSL_MODULES"), 0);   /* the variable's name alone: no OpenSSL */
    ck_assert_int_eq(major_of("OpenSSL internal erro"), 0);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("stack");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, java_named_by_libjvm);
    tcase_add_test(tc, static_openssl_by_version_major);
    tcase_add_test(tc, nss_gnutls_other);
    tcase_add_test(tc, unknown_and_plaintext);
    tcase_add_test(tc, names_bounded);
    tcase_add_test(tc, version_text);
    tcase_add_test(tc, library_strings);
    suite_add_tcase(s, tc);
    return s;
}
CHECK_MAIN(make_suite)
