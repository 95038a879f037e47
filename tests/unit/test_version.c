#include "check_main.h"
#include "tf_version.h"

START_TEST(names)
{
    ck_assert_str_eq(tf_version_name(TF_TLS1_0), "TLSv1.0");
    ck_assert_str_eq(tf_version_name(TF_TLS1_1), "TLSv1.1");
    ck_assert_str_eq(tf_version_name(TF_TLS1_2), "TLSv1.2");
    ck_assert_str_eq(tf_version_name(TF_TLS1_3), "TLSv1.3");
    ck_assert_str_eq(tf_version_name(TF_SSL3), "SSLv3");
    ck_assert_str_eq(tf_version_name(0), "any");
    ck_assert_str_eq(tf_version_name(0x0305), "unknown");
    ck_assert_str_eq(tf_version_name(-1), "unknown");
}
END_TEST

START_TEST(parse_accepts_spellings)
{
    ck_assert_int_eq(tf_version_parse("1.2"), TF_TLS1_2);
    ck_assert_int_eq(tf_version_parse("TLSv1.3"), TF_TLS1_3);
    ck_assert_int_eq(tf_version_parse("tlsv1.2"), TF_TLS1_2);
    ck_assert_int_eq(tf_version_parse("TLS1.2"), TF_TLS1_2);
    ck_assert_int_eq(tf_version_parse("tls1_3"), TF_TLS1_3);
    ck_assert_int_eq(tf_version_parse("1.0"), TF_TLS1_0);
    ck_assert_int_eq(tf_version_parse("TLSv1"), TF_TLS1_0);
    ck_assert_int_eq(tf_version_parse("1.1"), TF_TLS1_1);
}
END_TEST

START_TEST(parse_rejects_garbage)
{
    ck_assert_int_eq(tf_version_parse(NULL), -1);
    ck_assert_int_eq(tf_version_parse(""), -1);
    ck_assert_int_eq(tf_version_parse("1.4"), -1);
    ck_assert_int_eq(tf_version_parse("12"), -1);
    ck_assert_int_eq(tf_version_parse("TLS"), -1);
    ck_assert_int_eq(tf_version_parse("1.2 "), -1);
    ck_assert_int_eq(tf_version_parse("1.2.3.4.5.6.7"), -1);
    ck_assert_int_eq(tf_version_parse("SSLv3"), -1);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("version");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, names);
    tcase_add_test(tc, parse_accepts_spellings);
    tcase_add_test(tc, parse_rejects_garbage);
    suite_add_tcase(s, tc);
    return s;
}
CHECK_MAIN(make_suite)
