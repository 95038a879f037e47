/* GnuTLS priority strings raised to the floor (common/tf_priority.c). */
#include <string.h>

#include "check_main.h"
#include "tf_priority.h"
#include "tf_version.h"

static char out[512];

/* The raised string for floor 1.2 on a library with TLS 1.3, or "=" when left alone. */
static const char *raise12(const char *in)
{
    int r = tf_priority_raise(in, TF_TLS1_2, 1, out, sizeof out);
    ck_assert_int_ge(r, 0);
    return r ? out : "=";
}

START_TEST(pin_to_tls10_raised)
{
    ck_assert_str_eq(raise12("NORMAL:-VERS-ALL:+VERS-TLS1.0"), "NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.3");
    ck_assert_str_eq(raise12("NORMAL:-VERS-TLS-ALL:+VERS-TLS1.1:+VERS-TLS1.0"),
                     "NORMAL:-VERS-TLS-ALL:+VERS-TLS1.2:+VERS-TLS1.3");
    ck_assert_str_eq(raise12("SECURE128:-VERS-ALL:+VERS-SSL3.0"), "SECURE128:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.3");
}
END_TEST

START_TEST(other_elements_kept_in_order)
{
    ck_assert_str_eq(raise12("NONE:+VERS-TLS1.0:+AES-128-CBC:+RSA:+SHA1:+COMP-NULL:+SIGN-ALL:%COMPAT"),
                     "NONE:+AES-128-CBC:+RSA:+SHA1:+COMP-NULL:+SIGN-ALL:%COMPAT:+VERS-TLS1.2:+VERS-TLS1.3");
    ck_assert_str_eq(raise12("@SYSTEM:-VERS-ALL:+VERS-TLS1.0:%SERVER_PRECEDENCE:-SIGN-RSA-SHA1"),
                     "@SYSTEM:-VERS-ALL:%SERVER_PRECEDENCE:-SIGN-RSA-SHA1:+VERS-TLS1.2:+VERS-TLS1.3");
    ck_assert_str_eq(raise12("NORMAL:+VERS-DTLS1.0:-VERS-ALL:+VERS-TLS1.0"),
                     "NORMAL:+VERS-DTLS1.0:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.3");
}
END_TEST

START_TEST(floor_removal_dropped)
{
    ck_assert_str_eq(raise12("NORMAL:-VERS-TLS1.2"), "NORMAL:+VERS-TLS1.2:+VERS-TLS1.3");
    ck_assert_str_eq(raise12("NORMAL:!VERS-TLS1.2:-VERS-TLS1.3"), "NORMAL:-VERS-TLS1.3:+VERS-TLS1.2");
    ck_assert_str_eq(raise12("normal:-vers-tls1.2"), "normal:+VERS-TLS1.2:+VERS-TLS1.3");
}
END_TEST

START_TEST(cap_at_floor_allowed)
{
    /* TLS 1.3 switched off by the program: a cap at the floor stays, as for OpenSSL */
    ck_assert_str_eq(raise12("NORMAL:-VERS-TLS1.3"), "=");
    ck_assert_str_eq(raise12("NORMAL:-VERS-TLS1.3:-VERS-TLS1.2:+VERS-TLS1.0"), "NORMAL:-VERS-TLS1.3:+VERS-TLS1.2");
}
END_TEST

START_TEST(untouched_without_old_versions)
{
    ck_assert_str_eq(raise12("NORMAL"), "=");
    ck_assert_str_eq(raise12("@SYSTEM"), "=");
    ck_assert_str_eq(raise12("NORMAL:%COMPAT:-VERS-TLS1.0:-VERS-TLS1.1"), "=");
    ck_assert_str_eq(raise12("NORMAL:-VERS-ALL:+VERS-TLS1.2"), "=");
    ck_assert_str_eq(raise12(""), "=");
    ck_assert_str_eq(raise12(":::"), "=");
    ck_assert_str_eq(raise12("NORMAL:+VERS-TLS1.0X:VERS-TLS1.0"), "=");   /* not version elements */
    ck_assert_int_eq(tf_priority_raise(NULL, TF_TLS1_2, 1, out, sizeof out), 0);
}
END_TEST

START_TEST(already_enabled_not_repeated)
{
    ck_assert_str_eq(raise12("NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.0"), "NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.3");
    /* enabled before a later all-off: enabled again at the end */
    ck_assert_str_eq(raise12("NORMAL:+VERS-TLS1.3:-VERS-ALL:+VERS-TLS1.0"), "NORMAL:+VERS-TLS1.3:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.3");
}
END_TEST

START_TEST(append_mode_strings)
{
    /* gnutls_set_default_priority_append / GNUTLS_PRIORITY_INIT_DEF_APPEND: no keyword */
    ck_assert_str_eq(raise12("-VERS-ALL:+VERS-TLS1.0"), "-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.3");
    ck_assert_str_eq(raise12("+VERS-TLS1.0"), "+VERS-TLS1.2:+VERS-TLS1.3");
}
END_TEST

START_TEST(library_without_tls13)
{
    ck_assert_int_eq(tf_priority_raise("NORMAL:-VERS-ALL:+VERS-TLS1.1", TF_TLS1_2, 0, out, sizeof out), 1);
    ck_assert_str_eq(out, "NORMAL:-VERS-ALL:+VERS-TLS1.2");
    /* floor 1.3 on a library without it: nothing can be done, nothing is changed */
    ck_assert_int_eq(tf_priority_raise("NORMAL:-VERS-ALL:+VERS-TLS1.1", TF_TLS1_3, 0, out, sizeof out), 0);
}
END_TEST

START_TEST(floor_13)
{
    ck_assert_int_eq(tf_priority_raise("NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.0", TF_TLS1_3, 1, out, sizeof out), 1);
    ck_assert_str_eq(out, "NORMAL:-VERS-ALL:+VERS-TLS1.3");
    ck_assert_int_eq(tf_priority_raise("NORMAL:-VERS-TLS1.3", TF_TLS1_3, 1, out, sizeof out), 1);
    ck_assert_str_eq(out, "NORMAL:+VERS-TLS1.3");
}
END_TEST

START_TEST(too_long_left_alone)
{
    char small[20];
    strcpy(small, "unchanged");
    ck_assert_int_eq(tf_priority_raise("NORMAL:-VERS-ALL:+VERS-TLS1.0", TF_TLS1_2, 1, small, sizeof small), -1);
    ck_assert_str_eq(small, "unchanged");
    static char big[6000];
    memset(big, 'A', sizeof big - 20);
    strcpy(big + sizeof big - 20, ":+VERS-TLS1.0");
    ck_assert_int_eq(tf_priority_raise(big, TF_TLS1_2, 1, out, sizeof out), -1);
    big[100] = '\0';
    ck_assert_int_eq(tf_priority_raise(big, TF_TLS1_2, 1, out, sizeof out), 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("priority");
    TCase *t = tcase_create("raise");
    tcase_add_test(t, pin_to_tls10_raised);
    tcase_add_test(t, other_elements_kept_in_order);
    tcase_add_test(t, floor_removal_dropped);
    tcase_add_test(t, cap_at_floor_allowed);
    tcase_add_test(t, untouched_without_old_versions);
    tcase_add_test(t, already_enabled_not_repeated);
    tcase_add_test(t, append_mode_strings);
    tcase_add_test(t, library_without_tls13);
    tcase_add_test(t, floor_13);
    tcase_add_test(t, too_long_left_alone);
    suite_add_tcase(s, t);
    return s;
}

CHECK_MAIN(suite)
