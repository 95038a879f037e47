#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "tf_config.h"
#include "tf_version.h"

static struct tf_config c;

static void parse(const char *text)
{
    tf_config_init(&c);
    tf_config_parse_text(&c, text, strlen(text), "/etc/tlsfloor.conf");
}

START_TEST(defaults_are_safe)
{
    tf_config_init(&c);
    ck_assert_int_eq(c.mode, TF_MODE_ENFORCE);
    ck_assert_int_eq(c.floor, TF_TLS1_2);
    ck_assert_str_eq(c.log, "stderr");
    ck_assert_int_eq(c.rewrite_defaults, 1);
    ck_assert_int_eq(c.verify, TF_VERIFY_KEEP);
    ck_assert_int_eq(c.rules.count, 0);
    ck_assert_int_eq(c.nerrors, 0);
}
END_TEST

START_TEST(file_keys)
{
    parse("# comment\n"
          "mode audit\n"
          "min = 1.3   # trailing comment\n"
          "log /var/log/tlsfloor.jsonl\r\n"
          "\n"
          "   rewrite_defaults off\n"
          "verify require\n"
          "rewrite old.example.test outlook.office365.com\n"
          "rewrite *.legacy.test new.example.test\n");
    ck_assert_int_eq(c.nerrors, 0);
    ck_assert_int_eq(c.mode, TF_MODE_AUDIT);
    ck_assert_int_eq(c.floor, TF_TLS1_3);
    ck_assert_str_eq(c.log, "/var/log/tlsfloor.jsonl");
    ck_assert_int_eq(c.rewrite_defaults, 0);
    ck_assert_int_eq(c.verify, TF_VERIFY_REQUIRE);
    ck_assert_int_eq(c.rules.count, 2);
    ck_assert_str_eq(c.rules.rule[0].old, "old.example.test");
    ck_assert_int_eq(c.rules.rule[1].wildcard, 1);
}
END_TEST

START_TEST(bad_values_keep_safe_defaults)
{
    parse("mode permissive\nmin 1.0\nmin 1.1\nmin SSLv3\nlog relative/path\nverify none\n"
          "rewrite_defaults maybe\nbogus 1\nmode\nrewrite onlyone\n");
    ck_assert_int_eq(c.mode, TF_MODE_ENFORCE);
    ck_assert_int_eq(c.floor, TF_TLS1_2);   /* nothing lower than 1.2 is ever accepted */
    ck_assert_str_eq(c.log, "stderr");
    ck_assert_int_eq(c.verify, TF_VERIFY_KEEP);
    ck_assert_int_eq(c.rewrite_defaults, 1);
    ck_assert_int_eq(c.rules.count, 0);
    ck_assert_int_eq(c.nerrors, 10);
    ck_assert_ptr_nonnull(strstr(c.errors[0], "/etc/tlsfloor.conf:1"));
    ck_assert_ptr_nonnull(strstr(c.errors[0], "permissive"));
    ck_assert_ptr_nonnull(strstr(c.errors[1], "not 1.2 or 1.3"));
    ck_assert_ptr_nonnull(strstr(c.errors[7], "unknown setting"));
}
END_TEST

START_TEST(hostile_input)
{
    /* NUL bytes, a huge line, control characters, no final newline: errors, never a crash */
    char text[4000];
    memset(text, 'x', sizeof text);
    memcpy(text, "mode audit\nmin 1.\x01" "3\nlog /a\0b\n", 29);
    text[sizeof text - 1] = 'y';
    tf_config_init(&c);
    tf_config_parse_text(&c, text, sizeof text, "f");
    ck_assert_int_eq(c.mode, TF_MODE_AUDIT);
    ck_assert_int_eq(c.floor, TF_TLS1_2);
    ck_assert_int_ge(c.nerrors, 3);
    /* more errors than are kept: counted */
    tf_config_init(&c);
    for (int i = 0; i < 50; i++)
        tf_config_set(&c, "min", "0.9", "TLSFLOOR_MIN");
    ck_assert_int_eq(c.nerrors, 50);
}
END_TEST

static const char *env_table[][2] = {
    { "TLSFLOOR_MODE", "audit" }, { "TLSFLOOR_MIN", "TLSv1.3" }, { "TLSFLOOR_LOG", "syslog" },
    { "TLSFLOOR_REWRITE", "a.test=b.test,bad,c.test=d.test" }, { NULL, NULL },
};

static const char *fake_getenv(const char *name)
{
    for (int i = 0; env_table[i][0]; i++)
        if (!strcmp(env_table[i][0], name))
            return env_table[i][1];
    return NULL;
}

START_TEST(environment_overrides_file)
{
    parse("mode enforce\nmin 1.2\nlog none\n");
    tf_config_apply_env(&c, fake_getenv);
    ck_assert_int_eq(c.mode, TF_MODE_AUDIT);
    ck_assert_int_eq(c.floor, TF_TLS1_3);
    ck_assert_str_eq(c.log, "syslog");
    ck_assert_int_eq(c.rules.count, 2);   /* the malformed middle entry is dropped, reported */
    ck_assert_int_eq(c.nerrors, 1);
    ck_assert_ptr_nonnull(strstr(c.errors[0], "TLSFLOOR_REWRITE"));
}
END_TEST

START_TEST(oauth_token_command)
{
    tf_config_init(&c);
    ck_assert_str_eq(c.oauth_token_command, "");   /* the bridge is off unless set */
    ck_assert_int_eq(c.oauth_token_timeout, 10);
    parse("oauth_token_command oama access \"$TLSFLOOR_OAUTH_USER\" # all of it\n"
          "oauth_token_timeout 5\n");
    ck_assert_int_eq(c.nerrors, 0);
    ck_assert_str_eq(c.oauth_token_command, "oama access \"$TLSFLOOR_OAUTH_USER\" # all of it");
    ck_assert_int_eq(c.oauth_token_timeout, 5);
    parse("oauth_token_command = vault read -field=t x  \r\noauth_token_timeout 0\noauth_token_command\n");
    ck_assert_str_eq(c.oauth_token_command, "vault read -field=t x");
    ck_assert_int_eq(c.oauth_token_timeout, 10);
    ck_assert_int_eq(c.nerrors, 2);
    ck_assert_ptr_null(strstr(c.errors[1], "vault"));   /* a command is never echoed */
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, defaults_are_safe);
    tcase_add_test(tc, file_keys);
    tcase_add_test(tc, bad_values_keep_safe_defaults);
    tcase_add_test(tc, hostile_input);
    tcase_add_test(tc, environment_overrides_file);
    tcase_add_test(tc, oauth_token_command);
    suite_add_tcase(s, tc);
    return s;
}
CHECK_MAIN(make_suite)
