/* The OAuth bridge's state machine (common/tf_bridge.c): every exchange per protocol, the local
 * replies, capabilities, failure paths, and that no password or token reaches the wrong side. */
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "tf_bridge.h"

#define CRED "dXNlcj1hbGljZQFhdXRoPUJlYXJlciBUT0sBAQ=="    /* user=alice, token TOK */
#define CRED2 "dXNlcj1hbGljZQFhdXRoPUJlYXJlciBUT0syAQE="   /* user=alice, token TOK2 */
#define PLAIN_IR "AGFsaWNlAHNlY3JldA=="                      /* \0alice\0secret */

static struct tf_bridge *b;
static char got[16384];

static void setup(void)
{
    b = calloc(1, sizeof *b);
}

static void teardown(void)
{
    free(b);
}

static const char *server_gets(void)
{
    size_t n = tf_bridge_take_server(b, got, sizeof got - 1);
    got[n] = '\0';
    return got;
}

static const char *program_gets(void)
{
    size_t n = tf_bridge_take_program(b, got, sizeof got - 1);
    got[n] = '\0';
    return got;
}

static void client(const char *s)
{
    tf_bridge_client(b, s, strlen(s));
    ck_assert_ptr_null(strstr(b->to_server, "secret"));
    ck_assert_ptr_null(strstr(b->to_server, "c2VjcmV0"));
}

static void server(const char *s)
{
    tf_bridge_server(b, s, strlen(s));
}

/* The token the caller fetched in answer to want_token. */
static void answer(const char *token)
{
    ck_assert_int_eq(b->want_token, 1);
    ck_assert_str_eq(b->user, "alice");
    tf_bridge_token(b, token);
}

START_TEST(imap_login_quoted)
{
    tf_bridge_init(b, TF_PROTO_IMAP);
    server("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGINDISABLED AUTH=XOAUTH2] ready\r\n");
    ck_assert_str_eq(program_gets(),
                     "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2 AUTH=PLAIN AUTH=LOGIN] ready\r\n");
    client("a1 CAPABILITY\r\n");
    ck_assert_str_eq(server_gets(), "a1 CAPABILITY\r\n");
    server("* CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=XOAUTH2\r\na1 OK done\r\n");
    ck_assert_str_eq(program_gets(),
                     "* CAPABILITY IMAP4rev1 AUTH=XOAUTH2 AUTH=PLAIN AUTH=LOGIN\r\na1 OK done\r\n");
    client("a2 LOGIN \"alice\" \"secret\"\r\n");
    answer("TOK");
    ck_assert_str_eq(server_gets(), "a2 AUTHENTICATE XOAUTH2\r\n");
    server("+ \r\n");
    ck_assert_str_eq(server_gets(), CRED "\r\n");
    ck_assert_str_eq(program_gets(), "");
    server("a2 OK [CAPABILITY IMAP4rev1] Logged in\r\n");
    ck_assert_str_eq(program_gets(), "a2 OK [CAPABILITY IMAP4rev1] Logged in\r\n");
    ck_assert_int_eq(b->verdict, 1);
    ck_assert_str_eq(b->from, "LOGIN");
    ck_assert(tf_bridge_finished(b));
    client("a3 SELECT INBOX\r\n");
    ck_assert_str_eq(server_gets(), "a3 SELECT INBOX\r\n");
    ck_assert_int_eq(b->cred[0], 0);   /* the credential is wiped once sent */
}
END_TEST

START_TEST(imap_login_literals)
{
    tf_bridge_init(b, TF_PROTO_IMAP);
    client("A LOGIN {5}\r\n");
    ck_assert_str_eq(server_gets(), "tfb0 NOOP\r\n");   /* the program's "+" is timed by a no-op */
    server("tfb0 OK NOOP completed\r\n");
    ck_assert_str_eq(program_gets(), "+ OK\r\n");
    client("alice {6}\r\n");
    ck_assert_str_eq(server_gets(), "tfb0 NOOP\r\n");
    server("* 1 EXISTS\r\ntfb0 OK NOOP\r\n");
    ck_assert_str_eq(program_gets(), "+ OK\r\n");
    client("sec");
    client("ret\r\n");
    answer("TOK");
    ck_assert_str_eq(server_gets(), "A AUTHENTICATE XOAUTH2\r\n");
    /* LITERAL+ and an atom */
    tf_bridge_init(b, TF_PROTO_IMAP);
    client("B LOGIN {5+}\r\nalice secret\r\n");
    answer("TOK");
    ck_assert_str_eq(server_gets(), "B AUTHENTICATE XOAUTH2\r\n");
}
END_TEST

START_TEST(imap_authenticate_plain)
{
    tf_bridge_init(b, TF_PROTO_IMAP);
    client("t1 AUTHENTICATE PLAIN\r\n");
    ck_assert_str_eq(server_gets(), "tfb0 NOOP\r\n");
    server("tfb0 OK\r\n");
    ck_assert_str_eq(program_gets(), "+ \r\n");
    client(PLAIN_IR "\r\n");
    answer("TOK");
    ck_assert_str_eq(b->from, "PLAIN");
    ck_assert_str_eq(server_gets(), "t1 AUTHENTICATE XOAUTH2\r\n");
    server("+\r\n");
    ck_assert_str_eq(server_gets(), CRED "\r\n");
    server("t1 OK Logged in\r\n");
    ck_assert_str_eq(program_gets(), "t1 OK Logged in\r\n");
    ck_assert_int_eq(b->verdict, 1);
    /* with SASL-IR */
    tf_bridge_init(b, TF_PROTO_IMAP);
    client("t2 AUTHENTICATE PLAIN " PLAIN_IR "\r\n");
    answer("TOK");
    ck_assert_str_eq(server_gets(), "t2 AUTHENTICATE XOAUTH2\r\n");
}
END_TEST

START_TEST(imap_authenticate_login)
{
    tf_bridge_init(b, TF_PROTO_IMAP);
    client("x AUTHENTICATE LOGIN\r\n");
    server("tfb0 OK\r\n");
    ck_assert_str_eq(program_gets(), "+ VXNlcm5hbWU6\r\n");
    client("YWxpY2U=\r\n");
    server("tfb0 OK\r\n");
    ck_assert_str_eq(program_gets(), "+ UGFzc3dvcmQ6\r\n");
    client("c2VjcmV0\r\n");
    answer("TOK");
    ck_assert_str_eq(b->from, "LOGIN");
    ck_assert_str_eq(server_gets(), "tfb0 NOOP\r\ntfb0 NOOP\r\nx AUTHENTICATE XOAUTH2\r\n");
}
END_TEST

START_TEST(imap_other_mechanism_untouched)
{
    tf_bridge_init(b, TF_PROTO_IMAP);
    client("a AUTHENTICATE XOAUTH2 abcd\r\n");
    ck_assert_str_eq(server_gets(), "a AUTHENTICATE XOAUTH2 abcd\r\n");
    ck_assert(tf_bridge_finished(b));
    ck_assert_int_eq(b->verdict, 0);
}
END_TEST

START_TEST(imap_refused_then_retried)
{
    tf_bridge_init(b, TF_PROTO_IMAP);
    client("a2 LOGIN alice secret\r\n");
    answer("TOK");
    server_gets();
    server("+ \r\n");
    server_gets();
    server("+ eyJzdGF0dXMiOiI0MDEifQ==\r\n");   /* the JSON error challenge */
    ck_assert_str_eq(server_gets(), "\r\n");
    server("a2 NO [AUTHENTICATIONFAILED] failed\r\n");
    ck_assert_str_eq(program_gets(), "");      /* asked again once */
    ck_assert_int_eq(b->refresh, 1);
    answer("TOK2");
    ck_assert_str_eq(server_gets(), "a2 AUTHENTICATE XOAUTH2\r\n");
    server("+ \r\n");
    ck_assert_str_eq(server_gets(), CRED2 "\r\n");
    server("+ eyJ9\r\n");
    ck_assert_str_eq(server_gets(), "\r\n");
    server("a2 NO [AUTHENTICATIONFAILED] failed\r\n");
    ck_assert_str_eq(program_gets(), "a2 NO [AUTHENTICATIONFAILED] failed\r\n");
    ck_assert_int_eq(b->verdict, -1);
    ck_assert_str_eq(b->why, "token refused");
    ck_assert_int_eq(b->want_token, 0);
}
END_TEST

START_TEST(imap_no_token)
{
    tf_bridge_init(b, TF_PROTO_IMAP);
    client("a2 LOGIN alice secret\r\n");
    answer(NULL);
    ck_assert_str_eq(server_gets(), "tfb0 NOOP\r\n");   /* nothing of the login reaches it */
    server("tfb0 OK\r\n");
    ck_assert_str_eq(program_gets(), "a2 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
    ck_assert_int_eq(b->verdict, -1);
    ck_assert_str_eq(b->why, "no token");
    ck_assert_int_eq(b->state, TF_BR_IDLE);
}
END_TEST

START_TEST(pop3_user_pass)
{
    tf_bridge_init(b, TF_PROTO_POP3);
    server("+OK Dovecot ready.\r\n");
    ck_assert_str_eq(program_gets(), "+OK Dovecot ready.\r\n");
    client("CAPA\r\n");
    ck_assert_str_eq(server_gets(), "CAPA\r\n");
    server("+OK\r\nTOP\r\nSASL XOAUTH2 OAUTHBEARER\r\nUSER\r\n.\r\n");
    ck_assert_str_eq(program_gets(), "+OK\r\nTOP\r\nSASL XOAUTH2 OAUTHBEARER PLAIN LOGIN\r\nUSER\r\n.\r\n");
    client("USER alice\r\n");
    ck_assert_str_eq(server_gets(), "NOOP\r\n");
    server("-ERR Unknown command.\r\n");
    ck_assert_str_eq(program_gets(), "+OK\r\n");
    client("PASS secret\r\n");
    answer("TOK");
    ck_assert_str_eq(b->from, "USER");
    ck_assert_str_eq(server_gets(), "AUTH XOAUTH2\r\n");
    server("+ \r\n");
    ck_assert_str_eq(server_gets(), CRED "\r\n");
    server("+OK Logged in.\r\n");
    ck_assert_str_eq(program_gets(), "+OK Logged in.\r\n");
    ck_assert_int_eq(b->verdict, 1);
    client("STAT\r\n");
    ck_assert_str_eq(server_gets(), "STAT\r\n");
}
END_TEST

START_TEST(pop3_sasl)
{
    tf_bridge_init(b, TF_PROTO_POP3);
    client("AUTH PLAIN " PLAIN_IR "\r\n");
    answer("TOK");
    ck_assert_str_eq(server_gets(), "AUTH XOAUTH2\r\n");
    server("+ \r\n");
    server_gets();
    server("+ eyJ9\r\n");
    ck_assert_str_eq(server_gets(), "\r\n");
    server("-ERR [AUTH] Authentication failed.\r\n");
    answer(NULL);   /* no new token: the program gets an ordinary failure */
    server("-ERR Unknown command.\r\n");
    ck_assert_str_eq(program_gets(), "-ERR [AUTH] Authentication failed.\r\n");
    ck_assert_str_eq(b->why, "token refused, no new token");

    tf_bridge_init(b, TF_PROTO_POP3);
    client("AUTH LOGIN\r\n");
    server("-ERR x\r\n");
    ck_assert_str_eq(program_gets(), "+ VXNlcm5hbWU6\r\n");
    client("YWxpY2U=\r\n");
    server("-ERR x\r\n");
    ck_assert_str_eq(program_gets(), "+ UGFzc3dvcmQ6\r\n");
    client("c2VjcmV0\r\n");
    answer("TOK");
    /* the program cancels */
    tf_bridge_init(b, TF_PROTO_POP3);
    client("AUTH PLAIN\r\n");
    server("-ERR\r\n");
    ck_assert_str_eq(program_gets(), "+ \r\n");
    client("*\r\n");
    server("-ERR\r\n");
    ck_assert_str_eq(program_gets(), "-ERR Authentication aborted.\r\n");
}
END_TEST

START_TEST(smtp_auth)
{
    tf_bridge_init(b, TF_PROTO_SMTP);
    client("EHLO me\r\n");
    ck_assert_str_eq(server_gets(), "EHLO me\r\n");
    server("250-mx\r\n250-AUTH XOAUTH2 OAUTHBEARER\r\n250 8BITMIME\r\n");
    ck_assert_str_eq(program_gets(), "250-mx\r\n250-AUTH XOAUTH2 OAUTHBEARER PLAIN LOGIN\r\n250 8BITMIME\r\n");
    client("AUTH PLAIN " PLAIN_IR "\r\n");
    answer("TOK");
    ck_assert_str_eq(server_gets(), "AUTH XOAUTH2\r\n");
    server("334 \r\n");
    ck_assert_str_eq(server_gets(), CRED "\r\n");
    server("235 2.7.0 Authentication successful\r\n");
    ck_assert_str_eq(program_gets(), "235 2.7.0 Authentication successful\r\n");
    ck_assert_int_eq(b->verdict, 1);

    tf_bridge_init(b, TF_PROTO_SMTP);
    client("AUTH LOGIN\r\n");
    ck_assert_str_eq(server_gets(), "NOOP\r\n");
    server("250 2.0.0 OK\r\n");
    ck_assert_str_eq(program_gets(), "334 VXNlcm5hbWU6\r\n");
    client("YWxpY2U=\r\n");
    server("250 OK\r\n");
    ck_assert_str_eq(program_gets(), "334 UGFzc3dvcmQ6\r\n");
    client("c2VjcmV0\r\n");
    answer("TOK");
    server_gets();
    server("334 \r\n");
    server_gets();
    server("334 eyJzdGF0dXMiOiI0MDEifQ==\r\n");   /* JSON error challenge: answered empty */
    ck_assert_str_eq(server_gets(), "\r\n");
    server("535 5.7.8 Authentication failed\r\n");
    ck_assert_int_eq(b->want_token, 1);
    tf_bridge_token(b, "TOK");
    server("334 \r\n");
    server("334 eyJ9\r\n");
    server("535 5.7.8 Authentication failed\r\n");
    ck_assert_str_eq(program_gets(), "535 5.7.8 Authentication failed\r\n");
    ck_assert_int_eq(b->verdict, -1);

    /* PLAIN without an initial response: the 334 is local */
    tf_bridge_init(b, TF_PROTO_SMTP);
    client("AUTH PLAIN\r\n");
    server("250 OK\r\n");
    ck_assert_str_eq(program_gets(), "334 \r\n");
    client(PLAIN_IR "\r\n");
    answer("TOK");
}
END_TEST

START_TEST(split_writes_and_reads)
{
    tf_bridge_init(b, TF_PROTO_SMTP);
    client("AUTH PL");
    ck_assert_str_eq(server_gets(), "");
    client("AIN " PLAIN_IR "\r");
    client("\n");
    answer("TOK");
    ck_assert_str_eq(server_gets(), "AUTH XOAUTH2\r\n");
    server("33");
    server("4 \r");
    ck_assert_str_eq(server_gets(), "");
    server("\n");
    ck_assert_str_eq(server_gets(), CRED "\r\n");
}
END_TEST

START_TEST(garbage_is_clean)
{
    tf_bridge_init(b, TF_PROTO_IMAP);
    client("a LOGIN \"alice\r\n");   /* unterminated quote */
    server("tfb0 OK\r\n");
    ck_assert_str_eq(program_gets(), "a NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
    tf_bridge_init(b, TF_PROTO_SMTP);
    client("AUTH PLAIN !!!!\r\n");
    ck_assert_int_eq(b->verdict, -1);
    ck_assert_int_eq(b->want_token, 0);
    /* a line longer than the bridge keeps: it stands aside and everything passes */
    tf_bridge_init(b, TF_PROTO_IMAP);
    char *big = malloc(TF_BRIDGE_LINE * 2);
    memset(big, 'x', TF_BRIDGE_LINE * 2 - 1);
    big[TF_BRIDGE_LINE * 2 - 1] = '\0';
    client(big);
    ck_assert_int_eq(b->state, TF_BR_DONE);
    ck_assert_uint_eq(strlen(server_gets()), TF_BRIDGE_LINE * 2 - 1);
    free(big);
    /* a user name with a control byte the credential cannot carry */
    tf_bridge_init(b, TF_PROTO_POP3);
    client("USER a\001b\r\n");
    client("PASS x\r\n");
    ck_assert_int_eq(b->want_token, 0);
    ck_assert_int_eq(b->verdict, -1);
}
END_TEST

START_TEST(base64)
{
    char out[64];
    unsigned char raw[64];
    ck_assert_uint_eq(tf_base64_encode((const unsigned char *)"ab", 2, out, sizeof out), 4);
    ck_assert_str_eq(out, "YWI=");
    ck_assert_int_eq(tf_base64_decode("YWI=", 4, raw, sizeof raw), 2);
    ck_assert_int_eq(tf_base64_decode("Y!I=", 4, raw, sizeof raw), -1);
    ck_assert_int_eq(tf_base64_decode("YW=I", 4, raw, sizeof raw), -1);
    ck_assert_int_eq(tf_base64_decode("YWJj", 4, raw, 2), -1);
    ck_assert_uint_eq(tf_base64_encode((const unsigned char *)"abc", 3, out, 4), 0);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("bridge");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, imap_login_quoted);
    tcase_add_test(tc, imap_login_literals);
    tcase_add_test(tc, imap_authenticate_plain);
    tcase_add_test(tc, imap_authenticate_login);
    tcase_add_test(tc, imap_other_mechanism_untouched);
    tcase_add_test(tc, imap_refused_then_retried);
    tcase_add_test(tc, imap_no_token);
    tcase_add_test(tc, pop3_user_pass);
    tcase_add_test(tc, pop3_sasl);
    tcase_add_test(tc, smtp_auth);
    tcase_add_test(tc, split_writes_and_reads);
    tcase_add_test(tc, garbage_is_clean);
    tcase_add_test(tc, base64);
    suite_add_tcase(s, tc);
    return s;
}
CHECK_MAIN(make_suite)
