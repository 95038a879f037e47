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

/* The settings table: unique keys and variables, every default accepted by its own parser, and
 * the defaults the table gives are the ones tlsfloor always had. */
START_TEST(settings_table_is_consistent)
{
    for (size_t i = 0; i < TF_SETTING_COUNT; i++) {
        const struct tf_setting *s = &tf_settings[i];
        ck_assert_msg(strncmp(s->env, "TLSFLOOR_", 9) == 0, "%s: env %s", s->key, s->env);
        ck_assert_msg(s->help[0] != '\0' && s->values[0] != '\0', "%s: no help or values", s->key);
        for (size_t j = 0; j < i; j++) {
            ck_assert_str_ne(s->key, tf_settings[j].key);
            ck_assert_str_ne(s->env, tf_settings[j].env);
        }
        if (s->defval[0]) {
            tf_config_init(&c);
            tf_config_set(&c, s->key, s->defval, s->env);
            ck_assert_msg(c.nerrors == 0, "%s: default %s refused: %s", s->key, s->defval, c.errors[0]);
        }
    }
    tf_config_init(&c);
    ck_assert_int_eq(c.nmail_ports, 7);
    ck_assert_int_eq(c.mail_ports[0], 993);
    ck_assert_int_eq(c.mail_ports[6], 25);
    ck_assert_int_eq(c.log_user, 0);
    ck_assert_str_eq(c.config_file, "");
    ck_assert_str_eq(TF_SETTING_ENV(config), "TLSFLOOR_CONFIG");
}
END_TEST

/* TLSFLOOR_CONFIG names a file: from the environment only, never a key of a file. */
START_TEST(config_is_environment_only)
{
    parse("config /etc/other.conf\n");
    ck_assert_int_eq(c.nerrors, 1);
    ck_assert_ptr_nonnull(strstr(c.errors[0], "unknown setting \"config\""));
    ck_assert_str_eq(c.config_file, "");
    tf_config_init(&c);
    tf_config_set(&c, "config", "/etc/other.conf", "TLSFLOOR_CONFIG");
    ck_assert_int_eq(c.nerrors, 0);
    ck_assert_str_eq(c.config_file, "/etc/other.conf");
}
END_TEST

/* Every setting is reachable from its environment variable, with the same checks: one bad
 * variable at a time (more settings than TF_CONFIG_ERRORS kept messages). */
static const char *bad_variable;

static const char *bad_one(const char *name)
{
    return !strcmp(name, bad_variable) ? "\x01bogus" : NULL;
}

START_TEST(every_variable_is_read)
{
    for (size_t i = 0; i < TF_SETTING_COUNT; i++) {
        const struct tf_setting *s = &tf_settings[i];
        if (!strcmp(s->parser, "set_env_only"))
            continue;   /* a file name: any string */
        bad_variable = s->env;
        tf_config_init(&c);
        tf_config_apply_env(&c, bad_one);
        /* a setting whose parser checks its value reports once, naming its variable */
        ck_assert_msg(c.nerrors == 1 && strstr(c.errors[0], s->env) != NULL, "%s was not read or not checked",
                      s->env);
        /* a secret row's value is never shown (the table says which: no code names a key) */
        ck_assert_msg(!s->secret || strstr(c.errors[0], "bogus") == NULL, "%s showed its value", s->env);
        ck_assert_int_eq(c.mode, TF_MODE_ENFORCE);
        ck_assert_int_eq(c.floor, TF_TLS1_2);
    }
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
    tcase_add_test(tc, settings_table_is_consistent);
    tcase_add_test(tc, config_is_environment_only);
    tcase_add_test(tc, every_variable_is_read);
    tcase_add_test(tc, oauth_token_command);
    suite_add_tcase(s, tc);
    return s;
}
CHECK_MAIN(make_suite)
