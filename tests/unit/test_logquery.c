/* Questions to a log: any key of a record (tf_lr_get, tf_lr_members in common/tf_logread.c), the
 * KEY=VALUE / KEY~ERE selection and the contract check against the event table
 * (common/tf_logquery.c), as tlsfloor-log uses them. */
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "tf_logquery.h"

static char scratch[1 << 16], buf[1 << 16];
static struct tf_logrec rec;

static const char good[] =
    "{\"ts\":\"2026-07-02T08:00:00.300Z\",\"host\":\"mx1\",\"pid\":101,\"exe\":\"/usr/bin/poll\",\"tool\":\"shim\","
    "\"mode\":\"enforce\",\"event\":\"handshake\",\"dropped\":2,\"detail\":{\"version\":\"TLSv1.3\",\"cipher\":"
    "\"TLS_AES_256_GCM_SHA384\",\"sni\":\"outlook.office365.com\",\"peer\":\"127.0.0.1:993\",\"below_floor\":false,"
    "\"changed\":true,\"port\":993,\"changes\":\"max\\tversion\",\"protocol\":null,\"library\":\"openssl\"},"
    "\"caller\":{\"site\":3,\"count\":1,\"frames\":[{\"module\":\"/usr/bin/poll\",\"offset\":\"0x10\","
    "\"symbol\":\"do_connect\",\"build_id\":\"ab\"}]}}";

static void parse(const char *line)
{
    ck_assert_int_eq(tf_lr_parse(line, strlen(line), scratch, &rec), TF_LR_OK);
}

/* The value of key in rec as "type:text", or "absent" / "unknown". */
static const char *get(const char *key, const struct tf_lr_frame *first)
{
    static char out[4096];
    struct tf_lr_val v;
    int rc = tf_lr_get(&rec, first, key, buf, sizeof buf, &v);
    if (rc < 0)
        return "unknown";
    if (rc == 0)
        return "absent";
    ck_assert_uint_eq(strlen(v.s), v.n);   /* NUL-terminated */
    snprintf(out, sizeof out, "%c:%s", v.type, v.s);
    return out;
}

START_TEST(top_level_and_caller_keys)
{
    parse(good);
    ck_assert_str_eq(get("ts", NULL), "s:2026-07-02T08:00:00.300Z");
    ck_assert_str_eq(get("pid", NULL), "n:101");
    ck_assert_str_eq(get("host", NULL), "s:mx1");
    ck_assert_str_eq(get("event", NULL), "s:handshake");
    ck_assert_str_eq(get("dropped", NULL), "n:2");
    ck_assert_str_eq(get("truncated", NULL), "absent");
    ck_assert_str_eq(get("caller.site", NULL), "n:3");
    ck_assert_str_eq(get("caller.count", NULL), "n:1");
    ck_assert_str_eq(get("caller.frames", NULL), "s:yes");
    ck_assert_str_eq(get("frame.symbol", NULL), "s:do_connect");
    ck_assert_str_eq(get("frame.module", NULL), "s:/usr/bin/poll");
    ck_assert_str_eq(get("frame.class", NULL), "absent");
    ck_assert(!strncmp(get("detail", NULL), "o:{\"version\":\"TLSv1.3\"", 22));
    ck_assert_str_eq(get("bogus", NULL), "unknown");
    ck_assert_str_eq(get("detail.", NULL), "unknown");
    ck_assert_str_eq(get("frame.bogus", NULL), "unknown");
}
END_TEST

START_TEST(any_detail_key)
{
    parse(good);
    /* keys struct tf_lr_detail does not name, of every type */
    ck_assert_str_eq(get("detail.cipher", NULL), "s:TLS_AES_256_GCM_SHA384");
    ck_assert_str_eq(get("detail.below_floor", NULL), "b:false");
    ck_assert_str_eq(get("detail.changed", NULL), "b:true");
    ck_assert_str_eq(get("detail.port", NULL), "n:993");
    ck_assert_str_eq(get("detail.protocol", NULL), "z:null");
    ck_assert_str_eq(get("detail.changes", NULL), "s:max\tversion");   /* decoded */
    ck_assert_str_eq(get("detail.nothing", NULL), "absent");
    parse("{\"event\":\"x\",\"detail\":{\"o\":{\"a\":[1,2]},\"l\":[\"p\\u00e9\"],\"k\":1,\"k\":\"second\","
          "\"e\\u0073c\":\"by its decoded name\"}}");
    ck_assert_str_eq(get("detail.o", NULL), "o:{\"a\":[1,2]}");
    ck_assert_str_eq(get("detail.l", NULL), "a:[\"p\\u00e9\"]");
    ck_assert_str_eq(get("detail.k", NULL), "s:second");   /* the last of duplicates */
    ck_assert_str_eq(get("detail.esc", NULL), "s:by its decoded name");
    ck_assert_str_eq(get("caller.frames", NULL), "s:no");
    ck_assert_str_eq(get("frame.symbol", NULL), "absent");
    /* a buffer shorter than the detail object is refused, never overrun */
    struct tf_lr_val v;
    ck_assert_int_eq(tf_lr_get(&rec, NULL, "detail.k", buf, 40, &v), -1);
}
END_TEST

START_TEST(frame_from_an_earlier_record)
{
    struct tf_lr_frame first = { 0 };
    first.symbol = (struct tf_lstr){ "pin_ctx", 7 };
    first.line = (struct tf_lstr){ "42", 2 };
    parse("{\"event\":\"handshake\",\"pid\":1,\"detail\":{},\"caller\":{\"site\":3,\"count\":2}}");
    ck_assert_str_eq(get("frame.symbol", NULL), "absent");
    ck_assert_str_eq(get("frame.symbol", &first), "s:pin_ctx");
    ck_assert_str_eq(get("frame.line", &first), "n:42");
    ck_assert_str_eq(get("caller.count", NULL), "n:2");
    ck_assert_str_eq(get("caller.frames", &first), "s:no");   /* the record's own */
}
END_TEST

static int where(const char *arg, const struct tf_lr_frame *first)
{
    struct tf_lq_where w;
    char err[256];
    ck_assert_msg(tf_lq_where_parse(arg, &w, err, sizeof err) == 0, "%s: %s", arg, err);
    int m = tf_lq_match(&w, &rec, first, buf, sizeof buf);
    tf_lq_where_free(&w);
    return m;
}

START_TEST(where_parse_errors)
{
    static const char *const bad[] = { "detail.port", "=5", "bogus=1", "detail.x?y", "detail.x!z",
                                       "detail.version~(", "frame.nothing=1", "detail.=1" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct tf_lq_where w;
        char err[256] = "";
        ck_assert_msg(tf_lq_where_parse(bad[i], &w, err, sizeof err) == -1, "accepted %s", bad[i]);
        ck_assert_msg(err[0] != '\0', "no reason for %s", bad[i]);
        tf_lq_where_free(&w);
    }
}
END_TEST

START_TEST(where_matches)
{
    parse(good);
    ck_assert(where("detail.port=993", NULL));
    ck_assert(where("detail.port=993.0", NULL));   /* numbers by value */
    ck_assert(!where("detail.port=99", NULL));
    ck_assert(where("pid=101", NULL));
    ck_assert(where("detail.changed=true", NULL));
    ck_assert(!where("detail.changed=false", NULL));
    ck_assert(where("detail.below_floor=false", NULL));
    ck_assert(where("detail.protocol=null", NULL));
    ck_assert(where("detail.protocol?", NULL));     /* null is present */
    ck_assert(!where("detail.protocol!", NULL));
    ck_assert(where("detail.nothing!", NULL));
    ck_assert(!where("detail.nothing=", NULL));
    ck_assert(where("detail.version~^TLSv1\\.[23]$", NULL));
    ck_assert(!where("detail.version~^TLSv1\\.[01]$", NULL));
    ck_assert(where("detail.cipher~GCM", NULL));    /* a search, not a whole match */
    ck_assert(where("frame.symbol=do_connect", NULL));
    ck_assert(where("frame.module~/poll$", NULL));
    ck_assert(where("caller.frames=yes", NULL));
    ck_assert(where("mode=enforce", NULL));
    ck_assert(!where("mode=audit", NULL));
    ck_assert(where("detail.changes=max\tversion", NULL));
    ck_assert(tf_lq_in_list("shim java", ' ', (struct tf_lstr){ "java", 4 }));
    ck_assert(!tf_lq_in_list("shim java", ' ', (struct tf_lstr){ "jav", 3 }));
    ck_assert(tf_lq_in_list("handshake,auth", ',', (struct tf_lstr){ "auth", 4 }));
    ck_assert(!tf_lq_in_list("", ',', (struct tf_lstr){ "", 0 }));
    struct tf_lr_val s = { 's', "true", 4 };
    ck_assert(tf_lq_equal(&s, "true"));
    struct tf_lr_val n = { 'n', "4e2", 3 };
    ck_assert(tf_lq_equal(&n, "400"));
    ck_assert(!tf_lq_equal(&n, "0x190"));
}
END_TEST

/* good with one substitution, then the contract check; returns the reason ("" when kept). */
static const char *check_with(const char *from, const char *to)
{
    static char line[8192], why[512];
    const char *at = from ? strstr(good, from) : NULL;
    ck_assert(!from || at);
    if (at)
        snprintf(line, sizeof line, "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
    else
        snprintf(line, sizeof line, "%s", good);
    why[0] = '\0';
    int ok = tf_lq_check(line, strlen(line), scratch, why, sizeof why);
    ck_assert_int_eq(ok, why[0] == '\0');
    return why;
}

#define ck_refused(from, to, reason)                                                        \
    do {                                                                                    \
        const char *why_ = check_with(from, to);                                            \
        ck_assert_msg(strstr(why_, reason), "%s -> %s: \"%s\", want \"%s\"", from, to, why_, reason); \
    } while (0)

START_TEST(contract_kept_and_broken)
{
    ck_assert_str_eq(check_with(NULL, NULL), "");
    ck_assert_str_eq(check_with("\"port\":993", "\"port\":null"), "");            /* null: unknown */
    ck_assert_str_eq(check_with(",\"library\":\"openssl\"", ""), "");             /* optional */
    ck_refused("\"event\":\"handshake\"", "\"event\":\"handshake_x\"", "not in the event table");
    ck_refused("\"tool\":\"shim\"", "\"tool\":\"provider\"", "written by tool \"provider\"");
    ck_refused("\"cipher\":\"TLS_AES_256_GCM_SHA384\"", "\"cipher\":7", "detail.cipher=7 is not of type string");
    ck_refused("\"port\":993", "\"port\":993.5", "is not of type integer");
    ck_refused("\"port\":993", "\"port\":\"993\"", "is not of type integer");
    ck_refused("\"changed\":true", "\"changed\":\"yes\"", "is not of type boolean");
    ck_refused("\"version\":\"TLSv1.3\",", "", "required detail key \"version\" missing");
    ck_refused("\"detail\":{", "\"detail\":{\"extra\":1,", "\"extra\" is not in the event table");
    ck_refused("\"mode\":\"enforce\"", "\"mode\":\"loud\"", "neither enforce nor audit");
    ck_refused("\"ts\":\"2026-07-02T08:00:00.300Z\",", "", "no \"ts\"");
    ck_refused("\"exe\":\"/usr/bin/poll\"", "\"exe\":5", "no \"exe\"");
    ck_refused("\"detail\":{", "\"detail\":[],\"x\":{", "no \"detail\" object");
    ck_refused("\"exe\":\"/usr/bin/poll\"", "\"exe\":\"/usr/bin/\xc0\xaf\"", "not valid UTF-8");
    ck_refused("}}", "}", "not one complete JSON object");
}
END_TEST

START_TEST(contract_audit_and_size)
{
    char why[256];
    const char *audit = "{\"ts\":\"t\",\"pid\":1,\"exe\":\"/x\",\"tool\":\"shim\",\"mode\":\"audit\",\"event\":"
                        "\"max_version_raised\",\"detail\":{\"old\":\"TLSv1.1\",\"new\":\"TLSv1.3\",\"via\":\"v\","
                        "\"applied\":%s}}";
    char line[8192];
    snprintf(line, sizeof line, audit, "false");
    ck_assert_int_eq(tf_lq_check(line, strlen(line), scratch, why, sizeof why), 1);
    snprintf(line, sizeof line, audit, "true");
    ck_assert_int_eq(tf_lq_check(line, strlen(line), scratch, why, sizeof why), 0);
    ck_assert_msg(strstr(why, "audit-mode record says detail.applied:true"), "%s", why);
    /* 4096 bytes with the newline pass, one more does not */
    size_t base = strlen(good);
    memcpy(line, good, base);
    for (int extra = 0; extra < 2; extra++) {
        size_t len = TF_LOG_LINE_MAX - 1 + (size_t)extra;
        memset(line + base, ' ', len - base);
        ck_assert_int_eq(tf_lq_check(line, len, scratch, why, sizeof why), !extra);
    }
}
END_TEST

START_TEST(utf8)
{
    const char *fine = "plain \xc3\xbc \xe2\x80\x94 \xf0\x9f\x98\x80";
    ck_assert(tf_lq_utf8(fine, strlen(fine)));
    ck_assert(!tf_lq_utf8("\xc3", 1));                 /* cut short */
    ck_assert(!tf_lq_utf8("\xe0\x80\xaf", 3));         /* overlong */
    ck_assert(!tf_lq_utf8("\xed\xa0\x80", 3));         /* a surrogate */
    ck_assert(!tf_lq_utf8("\xf4\x90\x80\x80", 4));     /* past U+10FFFF */
    ck_assert(!tf_lq_utf8("\xff", 1));
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("logquery");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, top_level_and_caller_keys);
    tcase_add_test(tc, any_detail_key);
    tcase_add_test(tc, frame_from_an_earlier_record);
    tcase_add_test(tc, where_parse_errors);
    tcase_add_test(tc, where_matches);
    tcase_add_test(tc, contract_kept_and_broken);
    tcase_add_test(tc, contract_audit_and_size);
    tcase_add_test(tc, utf8);
    suite_add_tcase(s, tc);
    return s;
}
CHECK_MAIN(make_suite)
