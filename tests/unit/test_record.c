#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "tf_json.h"
#include "tf_record.h"

/* ---- a strict little JSON checker, so "valid" is tested, not assumed ---- */
static const char *jv(const char *p);
static const char *ws(const char *p) { while (*p == ' ') p++; return p; }
static const char *jstr(const char *p)
{
    if (*p++ != '"') return NULL;
    while (*p && *p != '"') {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20) return NULL;
        if (c == '\\') {
            p++;
            if (*p == 'u') { for (int i = 1; i <= 4; i++) if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i]) return NULL; p += 5; }
            else if (strchr("\"\\/bfnrt", *p) && *p) p++;
            else return NULL;
        } else p++;
    }
    return *p == '"' ? p + 1 : NULL;
}
static const char *jv(const char *p)
{
    p = ws(p);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        int obj = *p == '{';
        p = ws(p + 1);
        if (*p == close) return p + 1;
        for (;;) {
            if (obj) { p = jstr(ws(p)); if (!p) return NULL; p = ws(p); if (*p++ != ':') return NULL; }
            p = jv(p);
            if (!p) return NULL;
            p = ws(p);
            if (*p == ',') { p++; continue; }
            return *p == close ? p + 1 : NULL;
        }
    }
    if (*p == '"') return jstr(p);
    if (!strncmp(p, "true", 4)) return p + 4;
    if (!strncmp(p, "false", 5)) return p + 5;
    if (!strncmp(p, "null", 4)) return p + 4;
    if (*p == '-' || (*p >= '0' && *p <= '9')) { p++; while (*p >= '0' && *p <= '9') p++; return p; }
    return NULL;
}
static int valid_json_line(const char *s, size_t len)
{
    if (len == 0 || s[len - 1] != '\n' || memchr(s, '\n', len - 1)) return 0;
    const char *end = jv(s);
    return end && *end == '\n';
}

static char out[TF_LOG_MAX];

START_TEST(escaping)
{
    char mem[256];
    struct tf_buf b;
    tf_buf_init(&b, mem, sizeof mem);
    tf_json_string(&b, "a\"b\\c\nd\te\x01" "f\x7f", 100);
    ck_assert_str_eq(mem, "\"a\\\"b\\\\c\\nd\\te\\u0001f\\u007f\"");
    tf_buf_init(&b, mem, sizeof mem);
    tf_json_string(&b, "caf\xc3\xa9 \xff\xfe ok \xe2\x82", 100);   /* valid é, invalid bytes, cut sequence */
    ck_assert_str_eq(mem, "\"caf\xc3\xa9 \\ufffd\\ufffd ok \\ufffd\\ufffd\"");
    tf_buf_init(&b, mem, sizeof mem);
    tf_json_string(&b, "\xed\xa0\x80", 100);    /* UTF-16 surrogate encoded in UTF-8 is invalid */
    ck_assert_str_eq(mem, "\"\\ufffd\\ufffd\\ufffd\"");
    tf_buf_init(&b, mem, sizeof mem);
    tf_json_string(&b, NULL, 10);
    ck_assert_str_eq(mem, "null");
    tf_buf_init(&b, mem, sizeof mem);
    tf_json_string(&b, "abcdefghij", 4);
    ck_assert_str_eq(mem, "\"abcd\xe2\x80\xa6\"");
    tf_buf_init(&b, mem, sizeof mem);
    tf_text_string(&b, "x\ny\x1b[31m\xff", 100);
    ck_assert_str_eq(mem, "x\\x0ay\\x1b[31m\\xff");
}
END_TEST

START_TEST(buffer_never_overflows)
{
    char mem[8];
    struct tf_buf b;
    tf_buf_init(&b, mem, sizeof mem);
    tf_buf_puts(&b, "1234567");
    ck_assert(!b.overflow);
    tf_buf_puts(&b, "8");
    ck_assert(b.overflow);
    ck_assert_str_eq(mem, "1234567");
}
END_TEST

static struct tf_record sample(const struct tf_field *d, int nd, const struct tf_caller *c)
{
    struct tf_record r = { .ts = { 1795813445, 123456789 }, .pid = 4242, .exe = "/usr/bin/curl",
                           .tool = "shim", .mode = "enforce", .event = "max_version_raised",
                           .detail = d, .ndetail = nd, .caller = c };
    return r;
}

START_TEST(record_json_exact)
{
    struct tf_field d[] = { TF_STR("old", "TLSv1.1"), TF_STR("new", "TLSv1.3"), TF_BOOL("applied", 1), TF_INT("n", -3) };
    struct tf_frame f[] = { { "/usr/lib/libcurl.so.4", 0x7a1c0, "ossl_connect_step1", "5e0f" } };
    struct tf_caller c = { 1, 1, f, 1 };
    struct tf_record r = sample(d, 4, &c);
    size_t n = tf_record_json(&r, out, sizeof out);
    ck_assert_str_eq(out,
        "{\"ts\":\"2026-11-27T21:04:05.123Z\",\"pid\":4242,\"exe\":\"/usr/bin/curl\",\"tool\":\"shim\","
        "\"mode\":\"enforce\",\"event\":\"max_version_raised\",\"detail\":{\"old\":\"TLSv1.1\","
        "\"new\":\"TLSv1.3\",\"applied\":true,\"n\":-3},\"caller\":{\"site\":1,\"count\":1,\"frames\":"
        "[{\"module\":\"/usr/lib/libcurl.so.4\",\"offset\":\"0x7a1c0\",\"symbol\":\"ossl_connect_step1\","
        "\"build_id\":\"5e0f\"}]}}\n");
    ck_assert_uint_eq(n, strlen(out));
    ck_assert(valid_json_line(out, n));
    /* a repeat at a known site: id and count, no frames */
    struct tf_caller again = { 1, 7, NULL, 0 };
    r = sample(d, 1, &again);
    n = tf_record_json(&r, out, sizeof out);
    ck_assert_ptr_nonnull(strstr(out, "\"caller\":{\"site\":1,\"count\":7}}"));
    ck_assert(valid_json_line(out, n));
    /* the machine name, when known, follows the time */
    r.host = "mail\"gw";
    n = tf_record_json(&r, out, sizeof out);
    ck_assert_ptr_nonnull(strstr(out, "{\"ts\":\"2026-11-27T21:04:05.123Z\",\"host\":\"mail\\\"gw\",\"pid\":4242,"));
    ck_assert(valid_json_line(out, n));
}
END_TEST

START_TEST(record_json_hostile_values_stay_whole)
{
    static char huge[20000];
    memset(huge, 'A', sizeof huge - 1);
    for (size_t i = 0; i < sizeof huge - 1; i += 7)
        huge[i] = (char)(i % 3 == 0 ? '\x01' : i % 3 == 1 ? '"' : '\xff');   /* worst-case escapes */
    struct tf_field d[] = { TF_STR("old", huge), TF_STR("new", huge), TF_STR("via", huge), TF_STR(huge, huge) };
    struct tf_frame f[TF_MAX_FRAMES];
    for (int i = 0; i < TF_MAX_FRAMES; i++)
        f[i] = (struct tf_frame){ huge, 0xffffffffffffUL, huge, huge };
    struct tf_caller c = { 3, 1, f, TF_MAX_FRAMES };
    struct tf_record r = sample(d, 4, &c);
    r.exe = huge;
    size_t n = tf_record_json(&r, out, sizeof out);
    ck_assert_uint_gt(n, 0);
    ck_assert_uint_lt(n, TF_LOG_MAX);
    ck_assert(valid_json_line(out, n));
    ck_assert_ptr_nonnull(strstr(out, "\"event\":\"max_version_raised\""));
}
END_TEST

START_TEST(record_text_one_line)
{
    struct tf_field d[] = { TF_STR("old", "TLSv1.1\nFAKE RECORD"), TF_BOOL("applied", 0) };
    struct tf_frame f[] = { { "/usr/bin/x", 0x10, NULL, NULL } };
    struct tf_caller c = { 2, 1, f, 1 };
    struct tf_record r = sample(d, 2, &c);
    r.mode = "audit";
    size_t n = tf_record_text(&r, out, sizeof out);
    ck_assert_str_eq(out, "tlsfloor[4242]: max_version_raised (audit) old=TLSv1.1\\x0aFAKE RECORD applied=no "
                          "at ? (/usr/bin/x+0x10) [site 2 #1]\n");
    ck_assert_uint_eq(n, strlen(out));
    static char huge[9000];
    memset(huge, 'B', sizeof huge - 1);
    d[0].str = huge;
    n = tf_record_text(&r, out, 512);
    ck_assert_uint_lt(n, 512);
    ck_assert_int_eq(out[n - 1], '\n');
    ck_assert_ptr_null(memchr(out, '\n', n - 1));
}
END_TEST

START_TEST(time_format)
{
    char ts[32];
    struct timespec t = { 0, 999999999 };
    tf_format_time(&t, ts, sizeof ts);
    ck_assert_str_eq(ts, "1970-01-01T00:00:00.999Z");
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("record");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, escaping);
    tcase_add_test(tc, buffer_never_overflows);
    tcase_add_test(tc, record_json_exact);
    tcase_add_test(tc, record_json_hostile_values_stay_whole);
    tcase_add_test(tc, record_text_one_line);
    tcase_add_test(tc, time_format);
    suite_add_tcase(s, tc);
    return s;
}
CHECK_MAIN(make_suite)
