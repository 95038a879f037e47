#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    ck_assert_str_eq(mem, "\"x\\x0ay\\x1b[31m\\xff\"");
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
    ck_assert_str_eq(out, "tlsfloor[4242]: max_version_raised (audit) old=\"TLSv1.1\\x0aFAKE RECORD\" applied=no "
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

/* One value rendered alone by put (tf_text_string, tf_json_string). */
static const char *value_of(void (*put)(struct tf_buf *, const char *, size_t), const char *s, size_t max)
{
    static char mem[512];
    struct tf_buf b;
    tf_buf_init(&b, mem, sizeof mem);
    put(&b, s, max);
    return mem;
}

/* The readable form of one value, via tf_text_string. */
static const char *text_of(const char *s, size_t max)
{
    return value_of(tf_text_string, s, max);
}

START_TEST(text_quoting)
{
    static const struct { const char *in, *out; } cases[] = {
        { "TLSv1.2", "TLSv1.2" },
        { "outlook.office365.com", "outlook.office365.com" },
        { "/usr/lib/x86_64-linux-gnu/libssl.so.3", "/usr/lib/x86_64-linux-gnu/libssl.so.3" },
        { "caf\xc3\xa9", "caf\xc3\xa9" },                               /* valid UTF-8 stays plain */
        { "", "\"\"" },
        { "a b", "\"a b\"" },
        { "a=b", "\"a=b\"" },
        { "say \"hi\"", "\"say \\\"hi\\\"\"" },
        { "back\\slash", "\"back\\\\slash\"" },
        { "tab\there", "\"tab\\x09here\"" },
        { "nl\nFAKE x=1", "\"nl\\x0aFAKE x=1\"" },
        { "\x7f", "\"\\x7f\"" },
        { "bad\xff", "\"bad\\xff\"" },
        { "nel\xc2\x85", "\"nel\\xc2\\x85\"" },                          /* C1 control NEL */
        { "ls\xe2\x80\xa8", "\"ls\\xe2\\x80\\xa8\"" },                     /* LINE SEPARATOR */
        { "rlo\xe2\x80\xae", "\"rlo\\xe2\\x80\\xae\"" },                   /* RIGHT-TO-LEFT OVERRIDE */
        { "a.example changed=no version=TLSv1.0", "\"a.example changed=no version=TLSv1.0\"" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_msg(strcmp(text_of(cases[i].in, 100), cases[i].out) == 0, "%s -> %s, expected %s", cases[i].in,
                      text_of(cases[i].in, 100), cases[i].out);
    ck_assert_str_eq(text_of(NULL, 100), "-");
    ck_assert_str_eq(text_of("abcdefgh", 3), "abc\xe2\x80\xa6");
    ck_assert_str_eq(text_of("a b c d", 3), "\"a b\xe2\x80\xa6\"");
}
END_TEST

/* Plain values take a one-pass path (copied while scanned); at its edges the result is the one
 * of the full path: whole at exactly max_bytes, cut one byte later, and a value with no room
 * leaves the buffer as it was, terminated. */
static const char *json_of(const char *s, size_t max)
{
    return value_of(tf_json_string, s, max);
}

START_TEST(plain_values_at_the_edges)
{
    char mem[16];
    struct tf_buf b;
    ck_assert_str_eq(text_of("abcd", 4), "abcd");
    ck_assert_str_eq(text_of("abcde", 4), "abcd\xe2\x80\xa6");
    ck_assert_str_eq(json_of("abcd", 4), "\"abcd\"");
    ck_assert_str_eq(json_of("abcde", 4), "\"abcd\xe2\x80\xa6\"");
    tf_buf_init(&b, mem, 8);
    tf_buf_puts(&b, "k=");
    tf_text_string(&b, "abcde", 100);           /* 7 bytes and the NUL: fits exactly */
    ck_assert(!b.overflow);
    ck_assert_str_eq(mem, "k=abcde");
    tf_buf_init(&b, mem, 8);
    tf_buf_puts(&b, "k=");
    tf_text_string(&b, "abcdefghij", 100);
    ck_assert(b.overflow);
    ck_assert_str_eq(mem, "k=");
    tf_buf_init(&b, mem, 8);
    tf_json_string(&b, "abcdef", 100);          /* the value fits, its closing quote does not */
    ck_assert(b.overflow);
    ck_assert_uint_eq(strlen(mem), b.len);
    tf_buf_init(&b, mem, sizeof mem);
    tf_buf_puts(&b, "k=");
    tf_text_string(&b, "ab cd", 100);           /* plain up to the space: quoted after all */
    ck_assert_str_eq(mem, "k=\"ab cd\"");
}
END_TEST

/* Splits a readable line the way a reader would (shell-like words; "..." with \" and \\
 * escapes) into key=value fields; returns how many. */
static int text_fields(const char *line, char keys[][64], char vals[][512], int max)
{
    int n = 0;
    const char *p = strchr(line, ':');
    if (!p)
        return -1;
    p++;
    while (*p == ' ')
        p++;
    while (*p && *p != ' ' && *p != '\n')    /* the event */
        p++;
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p || *p == '\n' || !strncmp(p, "at ", 3) || *p == '[')
            return n;
        const char *eq = strchr(p, '=');
        const char *sp = strchr(p, ' ');
        if (!eq || (sp && sp < eq) || n == max)
            return -1;
        snprintf(keys[n], 64, "%.*s", (int)(eq - p), p);
        p = eq + 1;
        size_t k = 0;
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                    p++;
                if (k < 511)
                    vals[n][k++] = *p;
            }
            if (*p != '"')
                return -1;
            p++;
        } else {
            while (*p && *p != ' ' && *p != '\n' && k < 511)
                vals[n][k++] = *p++;
        }
        vals[n][k] = '\0';
        n++;
    }
}

START_TEST(text_hostile_values_stay_one_field)
{
    static const char *hostile[] = {
        "a.example changed=no version=TLSv1.0",
        "a.example\" changed=\"no",
        "x\\\" version=TLSv1.0 \\",
        "=",
        "",
        "\" \"",
    };
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        struct tf_field d[] = { TF_STR("version", "TLSv1.3"), TF_STR("sni", hostile[i]), TF_BOOL("changed", 1) };
        struct tf_record r = sample(d, 3, NULL);
        r.event = "handshake";
        char keys[8][64], vals[8][512];
        tf_record_text(&r, out, sizeof out);
        int n = text_fields(out, keys, vals, 8);
        ck_assert_msg(n == 3, "%s: %d fields in %s", hostile[i], n, out);
        ck_assert_str_eq(keys[0], "version");
        ck_assert_str_eq(vals[0], "TLSv1.3");
        ck_assert_str_eq(keys[1], "sni");
        ck_assert_str_eq(vals[1], hostile[i]);
        ck_assert_str_eq(keys[2], "changed");
        ck_assert_str_eq(vals[2], "yes");
    }
}
END_TEST

START_TEST(text_long_values_keep_quotes_balanced)
{
    static char huge[3000];
    memset(huge, 'x', sizeof huge - 1);
    for (size_t i = 0; i < sizeof huge - 1; i += 5)
        huge[i] = ' ';
    struct tf_field d[40];
    for (int i = 0; i < 40; i++)
        d[i] = (struct tf_field)TF_STR("k", huge);
    struct tf_record r = sample(d, 40, NULL);
    size_t caps[] = { 128, 512, TF_LOG_MAX };
    for (size_t c = 0; c < 3; c++) {
        size_t n = tf_record_text(&r, out, caps[c]);
        ck_assert_uint_gt(n, 0);
        ck_assert_uint_lt(n, caps[c]);
        ck_assert_int_eq(out[n - 1], '\n');
        ck_assert_ptr_null(memchr(out, '\n', n - 1));
        int quotes = 0;
        for (size_t i = 0; i < n; i++) {
            if (out[i] == '\\')
                i++;
            else if (out[i] == '"')
                quotes++;
        }
        ck_assert_msg(quotes % 2 == 0, "unbalanced quotes at cap %zu: %s", caps[c], out);
    }
}
END_TEST

START_TEST(dropped_count)
{
    struct tf_field d[] = { TF_STR("old", "TLSv1.1") };
    struct tf_record r = sample(d, 1, NULL);
    size_t n = tf_record_json(&r, out, sizeof out);
    ck_assert_ptr_null(strstr(out, "dropped"));
    r.dropped = 17;
    n = tf_record_json(&r, out, sizeof out);
    ck_assert_ptr_nonnull(strstr(out, "\"event\":\"max_version_raised\",\"dropped\":17,\"detail\":{"));
    ck_assert(valid_json_line(out, n));
    tf_record_text(&r, out, sizeof out);
    ck_assert_str_eq(out, "tlsfloor[4242]: max_version_raised old=TLSv1.1 dropped=17\n");
}
END_TEST

START_TEST(numbers)
{
    char mem[64];
    struct tf_buf b;
    tf_buf_init(&b, mem, sizeof mem);
    tf_buf_dec(&b, LLONG_MIN);
    tf_buf_puts(&b, " ");
    tf_buf_dec(&b, 0);
    tf_buf_puts(&b, " ");
    tf_buf_dec(&b, -42);
    tf_buf_puts(&b, " ");
    tf_buf_udec(&b, 7, 3);
    tf_buf_puts(&b, " ");
    tf_buf_hex(&b, 0x7a1c0, 1);
    ck_assert_str_eq(mem, "-9223372036854775808 0 -42 007 7a1c0");
    tf_buf_init(&b, mem, sizeof mem);
    tf_buf_udec(&b, ULLONG_MAX, 1);
    tf_buf_puts(&b, " ");
    tf_buf_hex(&b, ULLONG_MAX, 1);
    ck_assert_str_eq(mem, "18446744073709551615 ffffffffffffffff");
    tf_buf_init(&b, mem, 4);
    tf_buf_dec(&b, 12345);
    ck_assert(b.overflow);
}
END_TEST

/* What the renderer replaced: gmtime_r and printf. */
static void reference_time(long long secs, long nsec, char *ts, size_t cap)  /* cap: 64 */
{
    struct tm tm;
    time_t t = (time_t)secs;
    ck_assert_ptr_nonnull(gmtime_r(&t, &tm));
    snprintf(ts, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, (tm.tm_mon + 1) % 100,
             tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100, tm.tm_sec % 100, (int)(nsec / 1000000L) % 1000);
}

START_TEST(time_matches_gmtime)
{
    char mine[48], ref[64];
    long long checked = 0;
    /* every day boundary (and the second before it) of 1968-2110: all leap rules in use, the
     * 2038 edge, and then a sparse walk over years 1..9999 */
    for (long long day = -731; day < 51500; day++) {
        long long edges[] = { day * 86400, day * 86400 + 86399, day * 86400 + 43261 };
        for (int e = 0; e < 3; e++) {
            struct timespec t = { (time_t)edges[e], 123456789 };
            tf_format_time(&t, mine, sizeof mine);
            reference_time(edges[e], t.tv_nsec, ref, sizeof ref);
            ck_assert_msg(strcmp(mine, ref) == 0, "%lld: %s, gmtime_r says %s", edges[e], mine, ref);
            checked++;
        }
    }
    if (sizeof(time_t) >= 8) {
        unsigned long long x = 88172645463325252ULL;    /* xorshift: reproducible */
        for (int i = 0; i < 200000; i++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            long long secs = (long long)(x % (253402300800ULL + 62135596800ULL)) - 62135596800LL;
            struct timespec t = { (time_t)secs, (long)(x % 1000000000ULL) };
            tf_format_time(&t, mine, sizeof mine);
            reference_time(secs, t.tv_nsec, ref, sizeof ref);
            ck_assert_msg(strcmp(mine, ref) == 0, "%lld: %s, gmtime_r says %s", secs, mine, ref);
            checked++;
        }
    }
    ck_assert_int_gt(checked, 150000);
}
END_TEST

START_TEST(civil_days)
{
    long long y;
    unsigned m, d;
    tf_civil_from_days(0, &y, &m, &d);
    ck_assert(y == 1970 && m == 1 && d == 1);
    tf_civil_from_days(11016, &y, &m, &d);       /* a leap day of a year divisible by 400 */
    ck_assert(y == 2000 && m == 2 && d == 29);
    tf_civil_from_days(47541, &y, &m, &d);       /* 2100 is not a leap year: Feb 28, then Mar 1 */
    ck_assert(y == 2100 && m == 3 && d == 1);
    tf_civil_from_days(-1, &y, &m, &d);
    ck_assert(y == 1969 && m == 12 && d == 31);
    tf_civil_from_days(-719528, &y, &m, &d);
    ck_assert(y == 0 && m == 1 && d == 1);
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
    tcase_add_test(tc, text_quoting);
    tcase_add_test(tc, plain_values_at_the_edges);
    tcase_add_test(tc, text_hostile_values_stay_one_field);
    tcase_add_test(tc, text_long_values_keep_quotes_balanced);
    tcase_add_test(tc, dropped_count);
    tcase_add_test(tc, numbers);
    tcase_add_test(tc, time_matches_gmtime);
    tcase_add_test(tc, civil_days);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
CHECK_MAIN(make_suite)
