#include <string.h>

#include "check_main.h"
#include "tf_module.h"

/* num_threads is field 20 of /proc/PID/stat; comm (field 2) may hold spaces and parentheses. */
START_TEST(stat_threads_read)
{
    ck_assert_int_eq(tf_module_stat_threads("4242 (hpin) S 1 4242 4242 0 -1 4194560 300 0 0 0 1 2 0 0 20 0 5 0 123 456 78\n"), 5);
    ck_assert_int_eq(tf_module_stat_threads("7 (a b) c) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9 9 9"), 1);
}
END_TEST

START_TEST(stat_threads_rejects_short_or_bad)
{
    ck_assert_int_eq(tf_module_stat_threads(NULL), -1);
    ck_assert_int_eq(tf_module_stat_threads(""), -1);
    ck_assert_int_eq(tf_module_stat_threads("7 (x) R 1 7 7 0"), -1);
    ck_assert_int_eq(tf_module_stat_threads("7 (x) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 zz 0"), -1);
    ck_assert_int_eq(tf_module_stat_threads("7 (x) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 0 0"), -1);
}
END_TEST

START_TEST(tls_names)
{
    ck_assert(tf_module_name_is_tls("/usr/lib/x86_64-linux-gnu/libssl.so.3"));
    ck_assert(tf_module_name_is_tls("libgnutls.so.30"));
    ck_assert(!tf_module_name_is_tls("/lib/libsslx.so"));
    ck_assert(!tf_module_name_is_tls(NULL));
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("module");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, stat_threads_read);
    tcase_add_test(tc, stat_threads_rejects_short_or_bad);
    tcase_add_test(tc, tls_names);
    suite_add_tcase(s, tc);
    return s;
}
CHECK_MAIN(make_suite)
