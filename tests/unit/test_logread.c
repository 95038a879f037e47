/* The log reader (common/tf_logread.c): fields, escapes, malformed lines, limits, line splitting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_main.h"
#include "tf_logread.h"

static char scratch[1 << 21];
static struct tf_logrec rec;

static enum tf_lr_result parse(const char *line)
{
    return tf_lr_parse(line, strlen(line), scratch, &rec);
}

#define ck_lstr(s, want)                                                                  \
    do {                                                                                  \
        ck_assert_ptr_nonnull((s).p);                                                     \
        ck_assert_msg(tf_lstr_is((s), (want)), "got \"%.*s\", want \"%s\"", (int)(s).n, (s).p, (want)); \
    } while (0)

START_TEST(shim_record_fields)
{
    const char *line =
        "{\"ts\":\"2026-07-02T08:00:00.100Z\",\"host\":\"mx1\",\"pid\":101,\"exe\":\"/opt/bin/poll\",\"tool\":\"shim\","
        "\"mode\":\"audit\",\"event\":\"method_pinned\",\"dropped\":3,\"detail\":{\"old\":\"TLSv1_client_method\","
        "\"new\":\"TLS_client_method\",\"version\":\"TLSv1.0\",\"via\":\"SSL_CTX_new\",\"applied\":false,"
        "\"changed\":true,\"port\":993},\"caller\":{\"site\":1,\"count\":1,\"frames\":[{\"module\":\"/lib/x.so\","
        "\"offset\":\"0x1a2b0\",\"symbol\":null,\"build_id\":\"aaaa\"}]}}";
    ck_assert_int_eq(parse(line), TF_LR_OK);
    ck_lstr(rec.ts, "2026-07-02T08:00:00.100Z");
    ck_lstr(rec.host, "mx1");
    ck_lstr(rec.pid, "101");
    ck_lstr(rec.exe, "/opt/bin/poll");
    ck_lstr(rec.tool, "shim");
    ck_lstr(rec.mode, "audit");
    ck_lstr(rec.event, "method_pinned");
    ck_assert_int_eq(rec.dropped, 3);
    ck_assert_int_eq(rec.has_detail, 1);
    ck_lstr(rec.d.old, "TLSv1_client_method");
    ck_lstr(rec.d.new_, "TLS_client_method");
    ck_lstr(rec.d.via, "SSL_CTX_new");
    ck_lstr(rec.d.port, "993");
    ck_assert_int_eq(rec.d.changed, 1);
    ck_assert_int_eq(rec.has_caller, 1);
    ck_lstr(rec.site, "1");
    ck_assert_int_eq(rec.nframes, 1);
    ck_lstr(rec.frame[0].module, "/lib/x.so");
    ck_lstr(rec.frame[0].offset, "0x1a2b0");
    ck_assert_ptr_null(rec.frame[0].symbol.p);   /* null is absent */
    ck_lstr(rec.frame[0].build_id, "aaaa");
    /* zero-copy: a string without escapes points into the line */
    ck_assert(rec.exe.p > line && rec.exe.p < line + strlen(line));
}
END_TEST

START_TEST(java_frames)
{
    const char *line =
        "{\"ts\":\"t\",\"pid\":7,\"exe\":\"/usr/lib/jvm/bin/java\",\"tool\":\"java\",\"mode\":\"enforce\","
        "\"event\":\"max_version_raised\",\"detail\":{\"old\":\"TLSv1.1\",\"new\":\"TLSv1.3\"},\"caller\":{\"site\":2,"
        "\"count\":1,\"frames\":[{\"class\":\"com.example.Mailer\",\"method\":\"connect\",\"file\":\"Mailer.java\","
        "\"line\":42},{\"class\":\"com.example.Main\",\"method\":\"main\",\"file\":null,\"line\":null}]}}";
    ck_assert_int_eq(parse(line), TF_LR_OK);
    ck_lstr(rec.tool, "java");
    ck_assert_int_eq(rec.nframes, 2);
    ck_lstr(rec.frame[0].cls, "com.example.Mailer");
    ck_lstr(rec.frame[0].method, "connect");
    ck_lstr(rec.frame[0].file, "Mailer.java");
    ck_lstr(rec.frame[0].line, "42");
    ck_lstr(rec.frame[1].cls, "com.example.Main");
    ck_assert_ptr_null(rec.frame[1].file.p);
    ck_assert_ptr_null(rec.frame[1].line.p);
}
END_TEST

START_TEST(escapes_decode)
{
    ck_assert_int_eq(parse("{\"event\":\"e\",\"exe\":\"/x/\\u00e9\\u4e2d\\ud83d\\ude00\\\"q\\\\b\\/\\n\\t\"}"),
                     TF_LR_OK);
    ck_lstr(rec.exe, "/x/\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\"q\\b/\n\t");
    /* lone surrogates and NUL become U+FFFD */
    ck_assert_int_eq(parse("{\"event\":\"e\",\"exe\":\"a\\ud800b\\udc00c\\u0000\"}"), TF_LR_OK);
    ck_lstr(rec.exe, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd");
    /* an escaped key still names its field */
    ck_assert_int_eq(parse("{\"ev\\u0065nt\":\"handshake\"}"), TF_LR_OK);
    ck_lstr(rec.event, "handshake");
}
END_TEST

START_TEST(malformed_lines)
{
    static const char *const bad[] = {
        "this is not json at all",
        "[\"an\",\"array\"]",
        "{\"ts\":\"x\",\"exe\":\"/usr/bin/bad\",\"detail\":{}}",                   /* no event */
        "{\"event\":\"\"}",                                                       /* empty event */
        "{\"event\":1}",                                                          /* not a string */
        "{\"event\":\"handshake\",\"detail\":{\"version\":\"TLSv1.2\"",           /* truncated */
        "{\"event\":\"handshake\",\"detail\":{\"sni\":\"outlook.offi",            /* inside a string */
        "{\"event\":\"handshake\"}{\"ts\":\"glued\"}",                            /* two objects */
        "{\"event\":\"handshake\",\"detail\":{\"sni\":\"bad\\xescape\"}}",        /* bad escape */
        "{\"event\":\"a\tb\"}",                                                   /* raw control */
        "{\"event\":\"e\",\"x\":01}",                                             /* leading zero */
        "{\"event\":\"e\",\"x\":1.}",
        "{\"event\":\"e\",\"x\":tru}",
        "{\"event\":\"e\",}",
        "{\"event\" \"e\"}",
        "{\"event\":\"e\",\"x\":\"\\u12\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(parse(bad[i]) == TF_LR_MALFORMED, "accepted: %s", bad[i]);
    ck_assert_int_eq(parse(""), TF_LR_BLANK);
    ck_assert_int_eq(parse(" \t\r"), TF_LR_BLANK);
    ck_assert_int_eq(parse("{\"event\":\"e\"}\r"), TF_LR_OK);   /* CRLF logs */
}
END_TEST

START_TEST(unknown_keys_and_types)
{
    ck_assert_int_eq(parse("{\"future\":{\"a\":[1,2,{\"b\":null}]},\"event\":\"e\",\"exe\":5,\"mode\":true,"
                           "\"truncated\":true,\"detail\":[1],\"caller\":\"x\"}"),
                     TF_LR_OK);
    ck_assert_ptr_null(rec.exe.p);    /* not a string: absent */
    ck_assert_ptr_null(rec.mode.p);
    ck_assert_int_eq(rec.truncated, 1);
    ck_assert_int_eq(rec.has_detail, 0);
    ck_assert_int_eq(rec.has_caller, 0);
    /* a later duplicate wins, as in any JSON reader that keeps the last */
    ck_assert_int_eq(parse("{\"event\":\"a\",\"event\":\"b\"}"), TF_LR_OK);
    ck_lstr(rec.event, "b");
    /* "host" wins over "hostname" whatever the order */
    ck_assert_int_eq(parse("{\"event\":\"a\",\"host\":\"h1\",\"hostname\":\"h2\"}"), TF_LR_OK);
    ck_lstr(rec.host, "h1");
    ck_assert_int_eq(parse("{\"event\":\"a\",\"hostname\":\"h2\"}"), TF_LR_OK);
    ck_lstr(rec.host, "h2");
}
END_TEST

START_TEST(depth_is_capped)
{
    char line[256];
    size_t n = 0;
    n += (size_t)snprintf(line, sizeof line, "{\"event\":\"e\",\"x\":");
    for (int i = 0; i < TF_LR_DEPTH + 2; i++)
        line[n++] = '[';
    for (int i = 0; i < TF_LR_DEPTH + 2; i++)
        line[n++] = ']';
    line[n++] = '}';
    line[n] = '\0';
    ck_assert_int_eq(parse(line), TF_LR_MALFORMED);
    n = (size_t)snprintf(line, sizeof line, "{\"event\":\"e\",\"x\":[[[[{\"a\":[]}]]]]}");
    ck_assert_int_eq(parse(line), TF_LR_OK);
}
END_TEST

START_TEST(flat_detail)
{
    char out[256];
    ck_assert_int_eq(parse("{\"event\":\"e\",\"detail\":{\"version\":\"TLSv1.0\",\"role\":\"client\",\"n\":3,"
                           "\"b\":false,\"z\":null,\"o\":{\"k\":\"v\\u00e9\"},\"a\":[1,2,3],\"t\":\"tab\\there\"}}"),
                     TF_LR_OK);
    tf_lr_flat_detail(rec.detail_raw, out, sizeof out);
    ck_assert_str_eq(out, "version=TLSv1.0 role=client n=3 b=false z=null o={k=v\xc3\xa9} a=[3] t=tab\there");
    /* cut short at the buffer, always terminated */
    ck_assert_uint_eq(tf_lr_flat_detail(rec.detail_raw, out, 8), 7);
    ck_assert_str_eq(out, "version");
}
END_TEST

struct collected {
    int lines, huge;
    char last[64];
};

static void collect(void *ctx, const char *line, size_t len, int huge)
{
    struct collected *c = ctx;
    if (huge) {
        c->huge++;
        return;
    }
    c->lines++;
    snprintf(c->last, sizeof c->last, "%.*s", (int)len, line);
}

START_TEST(lines_split_and_cap)
{
    char buf[16];
    struct tf_lines l = { buf, sizeof buf, 0, 0 };
    struct collected c = { 0 };
    /* pieces across chunk boundaries */
    tf_lines_feed(&l, "ab", 2, collect, &c);
    tf_lines_feed(&l, "c\nde", 4, collect, &c);
    ck_assert_int_eq(c.lines, 1);
    ck_assert_str_eq(c.last, "abc");
    tf_lines_feed(&l, "f\n", 2, collect, &c);
    ck_assert_str_eq(c.last, "def");
    /* a line past the cap (16 bytes) is reported once, in pieces or whole, and skipped */
    tf_lines_feed(&l, "0123456789", 10, collect, &c);
    tf_lines_feed(&l, "0123456789", 10, collect, &c);
    tf_lines_feed(&l, "0123456789\nok\n", 14, collect, &c);
    ck_assert_int_eq(c.huge, 1);
    ck_assert_str_eq(c.last, "ok");
    tf_lines_feed(&l, "01234567890123456789\nnext\n", 26, collect, &c);
    ck_assert_int_eq(c.huge, 2);
    ck_assert_str_eq(c.last, "next");
    /* a last line without a newline */
    tf_lines_feed(&l, "tail", 4, collect, &c);
    tf_lines_finish(&l, collect, &c);
    ck_assert_str_eq(c.last, "tail");
    ck_assert_int_eq(c.lines, 5);
}
END_TEST

/* Never slow: a hostile line of 1 MiB (deep arrays up to the cap, many keys, many escapes) is
 * judged in linear time. */
START_TEST(hostile_lines_are_fast)
{
    size_t n = TF_LR_LINE_MAX;
    char *line = malloc(n + 1);
    ck_assert_ptr_nonnull(line);
    static const char *const unit[] = { "\"k\":\"\\u00e9\\ud83d\\ude00\",", "\"k\":[[[[1]]]],", "\"k\":{\"a\":{}}," };
    for (size_t u = 0; u < 3; u++) {
        size_t len = (size_t)snprintf(line, n, "{\"event\":\"e\",");
        size_t ul = strlen(unit[u]);
        while (len + ul + 16 < n) {
            memcpy(line + len, unit[u], ul);
            len += ul;
        }
        len += (size_t)snprintf(line + len, n - len, "\"z\":1}");
        clock_t t0 = clock();
        for (int i = 0; i < 10; i++)
            ck_assert_int_eq(tf_lr_parse(line, len, scratch, &rec), TF_LR_OK);
        double ms = (double)(clock() - t0) * 1000.0 / CLOCKS_PER_SEC / 10;
        ck_assert_msg(ms < 100, "unit %zu: %.1f ms for a 1 MiB line", u, ms);
    }
    free(line);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("logread");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, shim_record_fields);
    tcase_add_test(tc, java_frames);
    tcase_add_test(tc, escapes_decode);
    tcase_add_test(tc, malformed_lines);
    tcase_add_test(tc, unknown_keys_and_types);
    tcase_add_test(tc, depth_is_capped);
    tcase_add_test(tc, flat_detail);
    tcase_add_test(tc, lines_split_and_cap);
    tcase_add_test(tc, hostile_lines_are_fast);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);
    return s;
}
CHECK_MAIN(make_suite)
