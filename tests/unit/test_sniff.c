#include <string.h>

#include "check_main.h"
#include "tf_sniff.h"

static struct tf_auth a;
#define SNIFF(text, proto) tf_sniff_client((text), strlen(text), (proto), 0, &a)

START_TEST(imap)
{
    ck_assert_int_eq(SNIFF("a001 CAPABILITY\r\n", TF_PROTO_IMAP), TF_SNIFF_MORE);
    ck_assert_int_eq(SNIFF("a002 LOGIN alice \"s3cret\"\r\n", TF_PROTO_IMAP), TF_SNIFF_AUTH);
    ck_assert_str_eq(a.mechanism, "basic");
    ck_assert_str_eq(a.command, "LOGIN");
    ck_assert_int_eq(a.proto, TF_PROTO_IMAP);
    ck_assert_str_eq(a.user, "");   /* not asked for */
    ck_assert_int_eq(SNIFF("A1 authenticate xoauth2 dXNlcj1h\r\n", TF_PROTO_IMAP), TF_SNIFF_AUTH);
    ck_assert_str_eq(a.mechanism, "oauth");
    ck_assert_str_eq(a.command, "AUTHENTICATE XOAUTH2");
    ck_assert_int_eq(SNIFF("A1 AUTHENTICATE PLAIN\r\n", TF_PROTO_IMAP), TF_SNIFF_AUTH);
    ck_assert_str_eq(a.mechanism, "basic");
    ck_assert_int_eq(SNIFF("A1 AUTHENTICATE OAUTHBEARER bixh\r\n", TF_PROTO_UNKNOWN), TF_SNIFF_AUTH);
    ck_assert_str_eq(a.mechanism, "oauth");
    ck_assert_int_eq(a.proto, TF_PROTO_IMAP);
    ck_assert_int_eq(SNIFF("a STARTTLS\r\n", TF_PROTO_IMAP), TF_SNIFF_STARTTLS);
}
END_TEST

START_TEST(pop3_and_smtp)
{
    ck_assert_int_eq(SNIFF("CAPA\r\nUSER bob\r\n", TF_PROTO_POP3), TF_SNIFF_AUTH);
    ck_assert_str_eq(a.command, "USER");
    ck_assert_str_eq(a.mechanism, "basic");
    ck_assert_int_eq(SNIFF("STLS\r\n", TF_PROTO_POP3), TF_SNIFF_STARTTLS);
    ck_assert_int_eq(SNIFF("AUTH XOAUTH2 dXNlcj1\r\n", TF_PROTO_POP3), TF_SNIFF_AUTH);
    ck_assert_str_eq(a.mechanism, "oauth");
    ck_assert_int_eq(SNIFF("EHLO client.example\r\n", TF_PROTO_SMTP), TF_SNIFF_MORE);
    ck_assert_int_eq(SNIFF("EHLO x\r\nAUTH LOGIN\r\n", TF_PROTO_SMTP), TF_SNIFF_AUTH);
    ck_assert_str_eq(a.command, "AUTH LOGIN");
    ck_assert_int_eq(a.proto, TF_PROTO_SMTP);
    ck_assert_int_eq(SNIFF("auth plain AGFsaWNlAHB3\r\n", TF_PROTO_SMTP), TF_SNIFF_AUTH);
    ck_assert_str_eq(a.command, "AUTH PLAIN");
    ck_assert_ptr_null(strstr(a.command, "AGFsaWNl"));   /* the SASL payload is never kept */
    ck_assert_int_eq(SNIFF("STARTTLS\r\n", TF_PROTO_SMTP), TF_SNIFF_STARTTLS);
    /* IMAP's LOGIN is not POP3's and vice versa */
    ck_assert_int_eq(SNIFF("USER bob\r\n", TF_PROTO_IMAP), TF_SNIFF_MORE);
}
END_TEST

START_TEST(user_only_when_asked)
{
    ck_assert_int_eq(tf_sniff_client("a LOGIN \"alice@example.com\" pw\r\n", 31, TF_PROTO_IMAP, 1, &a), TF_SNIFF_AUTH);
    ck_assert_str_eq(a.user, "alice@example.com");
    ck_assert_int_eq(tf_sniff_client("USER bob\r\n", 10, TF_PROTO_POP3, 1, &a), TF_SNIFF_AUTH);
    ck_assert_str_eq(a.user, "bob");
}
END_TEST

START_TEST(not_mail)
{
    ck_assert_int_eq(SNIFF("GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: y\r\n\r\n", TF_PROTO_UNKNOWN), TF_SNIFF_MORE);
    ck_assert_int_eq(SNIFF("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", TF_PROTO_UNKNOWN), TF_SNIFF_MORE);
    ck_assert_int_eq(SNIFF("", TF_PROTO_UNKNOWN), TF_SNIFF_MORE);
    ck_assert_int_eq(SNIFF("\r\n\r\n   \n", TF_PROTO_IMAP), TF_SNIFF_MORE);
    /* binary junk: no crash, no match, command stays printable */
    char junk[300];
    for (int i = 0; i < 300; i++)
        junk[i] = (char)(i * 37);
    tf_sniff_client(junk, sizeof junk, TF_PROTO_UNKNOWN, 1, &a);
    ck_assert_int_eq(SNIFF("x AUTHENTICATE \x01\x02\x7f\r\n", TF_PROTO_IMAP), TF_SNIFF_AUTH);
    for (const char *c = a.command; *c; c++)
        ck_assert(*c >= ' ' && *c < 0x7f);
}
END_TEST

START_TEST(ports)
{
    int p[16];
    ck_assert_int_eq(tf_proto_by_port(993), TF_PROTO_IMAP);
    ck_assert_int_eq(tf_proto_by_port(110), TF_PROTO_POP3);
    ck_assert_int_eq(tf_proto_by_port(587), TF_PROTO_SMTP);
    ck_assert_int_eq(tf_proto_by_port(443), TF_PROTO_UNKNOWN);
    ck_assert(tf_port_implicit_tls(993) && tf_port_implicit_tls(465) && !tf_port_implicit_tls(143));
    ck_assert_int_eq(tf_parse_ports("993,995,1993", p, 16), 3);
    ck_assert_int_eq(p[2], 1993);
    ck_assert_int_eq(tf_parse_ports("", p, 16), 0);
    ck_assert_int_eq(tf_parse_ports("993,,995", p, 16), -1);
    ck_assert_int_eq(tf_parse_ports("70000", p, 16), -1);
    ck_assert_int_eq(tf_parse_ports("993x", p, 16), -1);
    ck_assert_int_eq(tf_parse_ports("1,2,3", p, 2), -1);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("sniff");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, imap);
    tcase_add_test(tc, pop3_and_smtp);
    tcase_add_test(tc, user_only_when_asked);
    tcase_add_test(tc, not_mail);
    tcase_add_test(tc, ports);
    suite_add_tcase(s, tc);
    return s;
}
CHECK_MAIN(make_suite)
