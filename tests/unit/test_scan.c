/* tlsfloor scan's pure logic: ELF reading (common/tf_elf.c), patterns, sonames, documentation,
 * help text and confidence (common/tf_scan.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "elf_builder.h"
#include "tf_elf.h"
#include "tf_scan.h"

static int str_is(struct tf_elf_str s, const char *want)
{
    return s.len == strlen(want) && memcmp(s.p, want, s.len) == 0;
}

static int pin_bit(const char *name)
{
    for (int i = 0; i < tf_elf_pin_count; i++)
        if (strcmp(tf_elf_pin_methods[i], name) == 0)
            return i;
    return -1;
}

START_TEST(elf_all_classes_and_byte_orders)
{
    unsigned char b[4096];
    for (int is64 = 0; is64 < 2; is64++) {
        for (int msb = 0; msb < 2; msb++) {
            size_t n = eb_build(b, is64, msb, "TLSv1_client_method");
            struct tf_elf_info info;
            ck_assert_int_eq(tf_elf_parse(b, n, &info), 0);
            ck_assert_int_eq(info.type, 3);
            ck_assert_int_eq(info.has_interp, 1);
            ck_assert_int_eq(info.n_needed, 2);
            ck_assert(str_is(info.needed[0], "libssl.so.3"));
            ck_assert(str_is(info.needed[1], "libc.so.6"));
            ck_assert(str_is(info.soname, "libpinned.so.1"));
            ck_assert_int_eq(info.n_paths, 1);
            ck_assert(str_is(info.paths[0], "$ORIGIN/../lib:/opt/x"));
            /* the undefined pin is an import; the defined TLSv1_method is not */
            ck_assert_uint_eq(info.pins, 1u << pin_bit("TLSv1_client_method"));
        }
    }
}
END_TEST

START_TEST(elf_pin_table_sorted_and_not_a_pin)
{
    for (int i = 1; i < tf_elf_pin_count; i++)
        ck_assert_int_lt(strcmp(tf_elf_pin_methods[i - 1], tf_elf_pin_methods[i]), 0);
    unsigned char b[4096];
    size_t n = eb_build(b, 1, 0, "TLS_client_method");
    struct tf_elf_info info;
    ck_assert_int_eq(tf_elf_parse(b, n, &info), 0);
    ck_assert_uint_eq(info.pins, 0);
}
END_TEST

START_TEST(elf_truncated_and_garbage)
{
    unsigned char b[4096];
    size_t n = eb_build(b, 1, 0, "SSLv3_method");
    struct tf_elf_info info;
    /* every prefix parses without reading past its end (ASan builds check) */
    for (size_t k = 0; k < n; k++) {
        unsigned char *copy = malloc(k ? k : 1);
        memcpy(copy, b, k);
        int rc = tf_elf_parse(copy, k, &info);
        ck_assert(rc == 0 || rc == -1);
        ck_assert_int_le(info.n_needed, TF_ELF_NEEDED_MAX);
        free(copy);
    }
    ck_assert_int_eq(tf_elf_parse((const unsigned char *)"\177ELF", 4, &info), -1);
    ck_assert_int_eq(tf_elf_parse((const unsigned char *)"#!/bin/sh\n", 10, &info), -1);
    /* a section table pointing far outside the file */
    size_t m = eb_build(b, 1, 0, "SSLv3_method");
    eb_put(b, 0x28, 0xffffffffffffff00ull, 8, 0);
    ck_assert_int_eq(tf_elf_parse(b, m, &info), 0);
    ck_assert_uint_eq(info.pins, 0);
    ck_assert_int_eq(info.n_needed, 2);   /* the dynamic segment is still read */
}
END_TEST

START_TEST(sonames)
{
    struct tf_tls_lib c;
    ck_assert(tf_scan_classify_soname("libssl.so.3", &c));
    ck_assert_str_eq(c.label, "OpenSSL 3");
    ck_assert_str_eq(c.fixable, "yes");
    ck_assert(tf_scan_classify_soname("libssl.so.1.0.0", &c));
    ck_assert_str_eq(c.fixable, "check");
    ck_assert(tf_scan_classify_soname("libssl.so.0.9.8", &c));
    ck_assert_str_eq(c.label, "OpenSSL before 1.0.1");
    ck_assert(tf_scan_classify_soname("libssl.so.77", &c));
    ck_assert_str_eq(c.label, "OpenSSL (77)");
    ck_assert(tf_scan_classify_soname("libgnutls.so.30", &c));
    ck_assert_str_eq(c.label, "GnuTLS");
    ck_assert(tf_scan_classify_soname("libgnutls.so.26", &c));
    ck_assert_str_eq(c.fixable, "no");
    ck_assert(tf_scan_classify_soname("libssl3.so", &c));
    ck_assert_str_eq(c.family, "nss");
    ck_assert(tf_scan_classify_soname("libwolfssl.so.35", &c));
    ck_assert_str_eq(c.label, "libwolfssl");
    ck_assert(!tf_scan_classify_soname("libcrypto.so.3", &c));
    ck_assert(!tf_scan_classify_soname("libc.so.6", &c));
}
END_TEST

static struct tf_text_hit hits[TF_TEXT_HITS_MAX];
static int scan(const char *line, int doc)
{
    return tf_scan_line(line, strlen(line), doc, hits, TF_TEXT_HITS_MAX);
}
static char matched[256];
static const char *match_of(const char *line, int i)
{
    snprintf(matched, sizeof matched, "%.*s", (int)hits[i].len, line + hits[i].off);
    return matched;
}

START_TEST(patterns)
{
    const char *l = "ExecStart=/usr/bin/openssl s_client -tls1 -connect SMTP-legacy.office365.com:587";
    ck_assert_int_eq(scan(l, 0), 2);
    ck_assert_str_eq(hits[0].kind, "legacy endpoint");
    ck_assert_str_eq(match_of(l, 0), "SMTP-legacy.office365.com");
    ck_assert_str_eq(hits[1].kind, "version pin (openssl command)");
    ck_assert_str_eq(match_of(l, 1), "-tls1");
    ck_assert_int_eq(hits[1].confidence, TF_CONF_HIGH);
    l = "my $s = IO::Socket::SSL->new(SSL_version => 'TLSv1');";
    ck_assert_int_eq(scan(l, 0), 1);
    ck_assert_str_eq(match_of(l, 0), "SSL_version => 'TLSv1");
    ck_assert_int_eq(scan("ssl_version = TLSv1.2", 0), 0);
    l = "mail.imaps.ssl.protocols=TLSv1 TLSv1.1";
    ck_assert_int_eq(scan(l, 0), 1);
    ck_assert_str_eq(hits[0].kind, "version pin (JavaMail)");
    ck_assert_int_eq(scan("mail.imaps.ssl.protocols=TLSv1.2", 0), 0);
    ck_assert_int_eq(scan("ctx = SSL_CTX_new(TLSv1_client_method());", 0), 1);
    ck_assert_str_eq(hits[0].kind, "version pin (OpenSSL method)");
    ck_assert_int_eq(scan("ctx = SSL_CTX_new(TLS_client_method());", 0), 0);
    /* a bare SSLv3 only when nothing else is on the line */
    ck_assert_int_eq(scan("SSLv3 is gone", 0), 1);
    ck_assert_str_eq(hits[0].kind, "SSLv3 named");
    ck_assert_int_eq(hits[0].confidence, TF_CONF_LOW);
    ck_assert_int_eq(scan("curl --sslv3 https://x", 0), 1);
    ck_assert_str_eq(hits[0].kind, "SSLv3 (curl)");
}
END_TEST

START_TEST(confidence_and_hiding)
{
    const char *l = "    curl -s --tlsv1.0 https://outlook.office365.com/";
    ck_assert_int_eq(scan(l, 0), 1);
    ck_assert_int_eq(hits[0].hidden, 0);
    ck_assert_int_eq(hits[0].confidence, TF_CONF_HIGH);
    /* curl's own help text */
    l = " -1, --tlsv1         Use TLSv1.0 or greater";
    ck_assert_int_eq(scan(l, 0), 1);
    ck_assert_int_eq(hits[0].hidden, 1);
    ck_assert_str_eq(hits[0].reason, "help or usage text");
    l = "  --tlsv1.1  Use TLS 1.1";
    ck_assert_int_eq(scan(l, 0), 1);
    ck_assert_int_eq(hits[0].hidden, 1);
    l = "echo \"usage: poll [--tlsv1] HOST\"";
    ck_assert_int_eq(scan(l, 0), 1);
    ck_assert_int_eq(hits[0].hidden, 1);
    l = "--tlsv1) min=1.0 ;;";
    ck_assert_int_eq(scan(l, 0), 1);
    ck_assert_int_eq(hits[0].hidden, 0);
    /* documentation: always hidden, low */
    ck_assert_int_eq(scan("ssl_version = TLSv1", 1), 1);
    ck_assert_int_eq(hits[0].hidden, 1);
    ck_assert_int_eq(hits[0].confidence, TF_CONF_LOW);
    ck_assert_str_eq(hits[0].reason, "documentation");
    /* a comment: shown, low */
    ck_assert_int_eq(scan("  # sslproto tls1", 0), 1);
    ck_assert_int_eq(hits[0].hidden, 0);
    ck_assert_int_eq(hits[0].confidence, TF_CONF_LOW);
    ck_assert_str_eq(hits[0].reason, "in a comment");
    ck_assert(!tf_scan_is_comment("#!/bin/sh", 9));
    ck_assert(tf_scan_is_comment("// x", 4));
    ck_assert(!tf_scan_is_comment("--tlsv1", 7));
    ck_assert_str_eq(tf_confidence_name(TF_CONF_MEDIUM), "medium");
}
END_TEST

START_TEST(documentation_paths)
{
    ck_assert(tf_scan_is_doc_path("/usr/share/perl5/IO/Socket/SSL.pod"));
    ck_assert(tf_scan_is_doc_path("./README"));
    ck_assert(tf_scan_is_doc_path("notes.md"));
    ck_assert(tf_scan_is_doc_path("/usr/share/doc/curl/x.conf"));
    ck_assert(tf_scan_is_doc_path("/usr/share/man/man1/curl.1"));
    ck_assert(tf_scan_is_doc_path("site/index.HTML"));
    ck_assert(!tf_scan_is_doc_path("/etc/fetchmailrc"));
    ck_assert(!tf_scan_is_doc_path("/usr/bin/pydoc3.11"));
    ck_assert(!tf_scan_is_doc_path("/srv/docker/app.conf"));
    ck_assert_int_eq(tf_scan_pod_marker("=head1 NAME", 11), 1);
    ck_assert_int_eq(tf_scan_pod_marker("=cut", 4), -1);
    ck_assert_int_eq(tf_scan_pod_marker("a = b", 5), 0);
    ck_assert_int_eq(tf_scan_pod_marker("==", 2), 0);
}
END_TEST

START_TEST(candidates)
{
    const char *t = "nothing here\nbut TLS there\n";
    ck_assert_uint_eq(tf_scan_next_candidate(t, strlen(t), 0), 17);
    ck_assert_uint_eq(tf_scan_next_candidate(t, strlen(t), 18), strlen(t));
    t = "x LeGaCy";
    ck_assert_uint_eq(tf_scan_next_candidate(t, strlen(t), 0), 2);
    ck_assert_uint_eq(tf_scan_next_candidate("ss", 2, 0), 2);
}
END_TEST

/* A legacy name inside a program's string constant: help text is left out, a default is not. */
static int help_at(const char *s)
{
    const char *m = strstr(s, "imap-legacy");
    return tf_scan_is_help_string(s, strlen(s), (size_t)(m - s));
}

START_TEST(help_strings)
{
    ck_assert_int_eq(help_at("usage: poller [-s HOST]\n  -s HOST  server (imap-legacy.office365.com)\n"), 1);
    ck_assert_int_eq(help_at("  -s, --server HOST   IMAP server (default imap-legacy.office365.com)"), 1);
    ck_assert_int_eq(help_at("\t--host=NAME\tthe host, e.g. imap-legacy.office365.com"), 1);
    ck_assert_int_eq(help_at("Server name, for example imap-legacy.office365.com"), 1);
    /* what a program connects to */
    ck_assert_int_eq(help_at("imap-legacy.office365.com"), 0);
    ck_assert_int_eq(help_at("connecting to imap-legacy.office365.com:993"), 0);
    ck_assert_int_eq(help_at("-s imap-legacy.office365.com"), 0);
    ck_assert_int_eq(help_at("--server=imap-legacy.office365.com"), 0);
    /* the line matters, not a usage line elsewhere in a long string */
    ck_assert_int_eq(help_at("host\nimap-legacy.office365.com"), 0);
    ck_assert_int_eq(tf_scan_is_help_string("x", 1, 5), 0);
}
END_TEST

static Suite *scan_suite(void)
{
    Suite *s = suite_create("scan");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, elf_all_classes_and_byte_orders);
    tcase_add_test(tc, elf_pin_table_sorted_and_not_a_pin);
    tcase_add_test(tc, elf_truncated_and_garbage);
    tcase_add_test(tc, sonames);
    tcase_add_test(tc, patterns);
    tcase_add_test(tc, confidence_and_hiding);
    tcase_add_test(tc, documentation_paths);
    tcase_add_test(tc, candidates);
    tcase_add_test(tc, help_strings);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(scan_suite)
