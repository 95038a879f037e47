#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "tf_rewrite.h"

static struct tf_rules user;
static int reported;
static void count_report(void *ctx, const char *msg)
{
    (void)ctx;
    (void)msg;
    reported++;
}

START_TEST(builtin_rules)
{
    ck_assert_str_eq(tf_rewrite_lookup(NULL, 1, "imap-legacy.office365.com"), "outlook.office365.com");
    ck_assert_str_eq(tf_rewrite_lookup(NULL, 1, "pop-legacy.office365.com"), "outlook.office365.com");
    ck_assert_str_eq(tf_rewrite_lookup(NULL, 1, "smtp-legacy.office365.com"), "smtp.office365.com");
    ck_assert_str_eq(tf_rewrite_lookup(NULL, 1, "imap-legacy.partner.outlook.cn"), "partner.outlook.cn");
    ck_assert_str_eq(tf_rewrite_lookup(NULL, 1, "pop-legacy.partner.outlook.cn"), "partner.outlook.cn");
    ck_assert_str_eq(tf_rewrite_lookup(NULL, 1, "smtp-legacy.partner.outlook.cn"), "smtp.partner.outlook.cn");
    /* off switch */
    ck_assert_ptr_null(tf_rewrite_lookup(NULL, 0, "imap-legacy.office365.com"));
    /* the standard names are never rewritten */
    ck_assert_ptr_null(tf_rewrite_lookup(NULL, 1, "outlook.office365.com"));
}
END_TEST

START_TEST(case_and_trailing_dot)
{
    ck_assert_str_eq(tf_rewrite_lookup(NULL, 1, "IMAP-Legacy.Office365.COM"), "outlook.office365.com");
    ck_assert_str_eq(tf_rewrite_lookup(NULL, 1, "imap-legacy.office365.com."), "outlook.office365.com");
    ck_assert_ptr_null(tf_rewrite_lookup(NULL, 1, "imap-legacy.office365.com.."));
    ck_assert_ptr_null(tf_rewrite_lookup(NULL, 1, "ximap-legacy.office365.com"));
    ck_assert_ptr_null(tf_rewrite_lookup(NULL, 1, "imap-legacy.office365.co"));
    ck_assert_ptr_null(tf_rewrite_lookup(NULL, 1, ""));
    ck_assert_ptr_null(tf_rewrite_lookup(NULL, 1, "."));
    ck_assert_ptr_null(tf_rewrite_lookup(NULL, 1, NULL));
    /* blanks are part of the name: the resolver would fail on it, so must we */
    ck_assert_ptr_null(tf_rewrite_lookup(NULL, 1, " imap-legacy.office365.com"));
    ck_assert_ptr_null(tf_rewrite_lookup(NULL, 1, "imap-legacy.office365.com\t"));
}
END_TEST

START_TEST(wildcard_one_or_more_labels)
{
    memset(&user, 0, sizeof user);
    ck_assert_int_eq(tf_rules_add_list(&user, "*.example.test=new.example.org", count_report, NULL), 0);
    ck_assert_str_eq(tf_rewrite_lookup(&user, 0, "a.example.test"), "new.example.org");
    ck_assert_str_eq(tf_rewrite_lookup(&user, 0, "a.b.example.test"), "new.example.org");
    ck_assert_ptr_null(tf_rewrite_lookup(&user, 0, "example.test"));
    ck_assert_ptr_null(tf_rewrite_lookup(&user, 0, "aexample.test"));
    /* a wildcard covering its own target leaves the target alone */
    memset(&user, 0, sizeof user);
    tf_rules_add_list(&user, "*.office365.com=outlook.office365.com", count_report, NULL);
    ck_assert_ptr_null(tf_rewrite_lookup(&user, 0, "outlook.office365.com"));
    ck_assert_ptr_null(tf_rewrite_lookup(&user, 0, "Outlook.Office365.com."));
    ck_assert_str_eq(tf_rewrite_lookup(&user, 0, "imap-legacy.office365.com"), "outlook.office365.com");
}
END_TEST

START_TEST(user_rules_win)
{
    memset(&user, 0, sizeof user);
    tf_rules_add_list(&user, "*.office365.com=wild.example,imap-legacy.office365.com=mine.example", count_report, NULL);
    /* exact user rule beats user wildcard beats built-in */
    ck_assert_str_eq(tf_rewrite_lookup(&user, 1, "imap-legacy.office365.com"), "mine.example");
    ck_assert_str_eq(tf_rewrite_lookup(&user, 1, "pop-legacy.office365.com"), "wild.example");
}
END_TEST

START_TEST(malformed_rules_are_reported_and_ignored)
{
    memset(&user, 0, sizeof user);
    reported = 0;
    int bad = tf_rules_add_list(&user,
        "noequals,a=b=c,=x.test,x.test=,bad name.test=x.test,x.test=*.y.test,a..b=c.test,"
        "self.test=self.test,*.=x.test,ok.test=fine.test,"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test=x.test",
        count_report, NULL);
    ck_assert_int_eq(bad, 10);
    ck_assert_int_eq(reported, 10);
    ck_assert_int_eq(user.count, 1);
    ck_assert_str_eq(tf_rewrite_lookup(&user, 0, "ok.test"), "fine.test");
    /* a rejected rule rewrites nothing */
    ck_assert_ptr_null(tf_rewrite_lookup(&user, 0, "a"));
    ck_assert_ptr_null(tf_rewrite_lookup(&user, 0, "x.test"));
    ck_assert_ptr_null(tf_rewrite_lookup(&user, 0, "self.test"));
}
END_TEST

START_TEST(hostnames)
{
    ck_assert(tf_hostname_valid("a.b", 3));
    ck_assert(tf_hostname_valid("_dmarc.example.com", 18));
    ck_assert(!tf_hostname_valid("a b", 3));
    ck_assert(!tf_hostname_valid("", 0));
    ck_assert(!tf_hostname_valid(".a", 2));
    ck_assert(!tf_hostname_valid("a\xc3\xa9", 3));
    char longname[300];
    memset(longname, 'a', sizeof longname);
    ck_assert(!tf_hostname_valid(longname, 64));    /* label over 63 */
    ck_assert(!tf_hostname_valid(longname, 254));
}
END_TEST

START_TEST(table_limit)
{
    memset(&user, 0, sizeof user);
    reported = 0;
    char list[64 * 20 + 100] = "";
    for (int i = 0; i < 70; i++) {
        char item[24];
        snprintf(item, sizeof item, "%sh%d.test=n.test", i ? "," : "", i);
        strcat(list, item);
    }
    tf_rules_add_list(&user, list, count_report, NULL);
    ck_assert_int_eq(user.count, TF_RULES_MAX);
    ck_assert_int_eq(reported, 1);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("rewrite");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, builtin_rules);
    tcase_add_test(tc, case_and_trailing_dot);
    tcase_add_test(tc, wildcard_one_or_more_labels);
    tcase_add_test(tc, user_rules_win);
    tcase_add_test(tc, malformed_rules_are_reported_and_ignored);
    tcase_add_test(tc, hostnames);
    tcase_add_test(tc, table_limit);
    suite_add_tcase(s, tc);
    return s;
}
CHECK_MAIN(make_suite)
