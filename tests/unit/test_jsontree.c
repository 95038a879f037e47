/* The JSON reader of the report's HTML page (common/tf_jsontree.c). */
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "tf_jsontree.h"

static struct tf_jt *parse(const char *s, struct tf_jt_error *err)
{
    return tf_jt_parse(s, strlen(s), err);
}

static void invalid(const char *s, const char *what, size_t offset)
{
    struct tf_jt_error err = { 0, NULL };
    struct tf_jt *v = parse(s, &err);
    ck_assert_msg(v == NULL, "accepted: %s", s);
    ck_assert_str_eq(err.what, what);
    ck_assert_uint_eq(err.offset, offset);
}

START_TEST(document_read_into_a_tree)
{
    struct tf_jt *v = parse(" {\"summary\": {\"records\": 25, \"modes\": {\"audit\": 10}}, \"rows\": [1, -2.5e3, true, false, null, \"x\"]} ", NULL);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->type, TF_JT_OBJECT);
    ck_assert_uint_eq(v->count, 2);
    const struct tf_jt *summary = tf_jt_member(v, "summary");
    ck_assert_double_eq(tf_jt_number_of(summary, "records", -1), 25);
    ck_assert_double_eq(tf_jt_number_of(summary, "missing", -1), -1);
    const struct tf_jt *rows = tf_jt_member(v, "rows");
    ck_assert_uint_eq(rows->count, 6);
    const struct tf_jt *e = rows->child;
    ck_assert_str_eq(e->str, "1");
    e = e->next;
    ck_assert_double_eq(e->num, -2500);
    ck_assert_str_eq(e->str, "-2.5e3");
    ck_assert_int_eq(e->next->type, TF_JT_TRUE);
    ck_assert_int_eq(e->next->next->type, TF_JT_FALSE);
    ck_assert_int_eq(e->next->next->next->type, TF_JT_NULL);
    ck_assert_str_eq(e->next->next->next->next->str, "x");
    ck_assert_ptr_null(tf_jt_string_of(summary, "records"));   /* a number is no string */
    tf_jt_free(v);
}
END_TEST

START_TEST(strings_decoded_to_utf8)
{
    struct tf_jt *v = parse("[\"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\", \"\\u00e9\\u4e2d\\ud83d\\ude00\", \"\\ud800x\", \"\\u0000z\", \"\xc3\xa9\xff\xe2\x80\xa8\", \"\"]", NULL);
    ck_assert_ptr_nonnull(v);
    const struct tf_jt *s = v->child;
    ck_assert_str_eq(s->str, "a\"b\\c/\b\f\n\r\t");
    s = s->next;
    ck_assert_str_eq(s->str, "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80");   /* é中😀: a surrogate pair joined */
    s = s->next;
    ck_assert_str_eq(s->str, "\xef\xbf\xbdx");   /* a lone surrogate is U+FFFD */
    s = s->next;
    ck_assert_uint_eq(s->len, 2);                /* U+0000 kept, with its length */
    ck_assert_int_eq(memcmp(s->str, "\0z", 2), 0);
    s = s->next;
    ck_assert_str_eq(s->str, "\xc3\xa9\xef\xbf\xbd\xe2\x80\xa8");   /* an invalid byte is U+FFFD, U+2028 kept */
    s = s->next;
    ck_assert_ptr_nonnull(s->str);
    ck_assert_uint_eq(s->len, 0);
    tf_jt_free(v);
}
END_TEST

START_TEST(bad_documents_refused_where_they_break)
{
    invalid("", "truncated", 0);
    invalid("{\"a\": [1,", "truncated", 9);
    invalid("{\"a\" 1}", "expected ':'", 5);
    invalid("{\"a\": 1,}", "expected a member name", 8);
    invalid("[1 2]", "expected ',' or ']'", 3);
    invalid("[01]", "bad number", 3);
    invalid("[1.]", "bad number", 3);
    invalid("[-]", "bad number", 2);
    invalid("[\"a\nb\"]", "control character in a string", 3);
    invalid("[\"\\x\"]", "bad escape", 4);
    invalid("[\"\\u12g4\"]", "bad \\u escape", 7);
    invalid("[\"abc", "truncated string", 5);
    invalid("[nul]", "unexpected character", 1);
    invalid("{} x", "bytes after the value", 3);
}
END_TEST

START_TEST(depth_bounded)
{
    char deep[2 * TF_JT_MAX_DEPTH + 3];
    size_t n = TF_JT_MAX_DEPTH;
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    deep[2 * n] = '\0';
    struct tf_jt *v = parse(deep, NULL);
    ck_assert_ptr_nonnull(v);   /* exactly the limit: read */
    tf_jt_free(v);
    memset(deep, '[', n + 1);
    memset(deep + n + 1, ']', n + 1);
    deep[2 * n + 2] = '\0';
    invalid(deep, "nested too deeply", TF_JT_MAX_DEPTH);   /* at the first bracket too many */
}
END_TEST

START_TEST(repeated_member_first_wins)
{
    struct tf_jt *v = parse("{\"k\": \"first\", \"k\": \"second\"}", NULL);
    ck_assert_str_eq(tf_jt_string_of(v, "k"), "first");
    ck_assert_ptr_null(tf_jt_member(v->child, "k"));   /* not an object */
    tf_jt_free(v);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("jsontree");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, document_read_into_a_tree);
    tcase_add_test(tc, strings_decoded_to_utf8);
    tcase_add_test(tc, bad_documents_refused_where_they_break);
    tcase_add_test(tc, depth_bounded);
    tcase_add_test(tc, repeated_member_first_wins);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(suite)
