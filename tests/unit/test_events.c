#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "tf_events.h"
#include "tf_sniff.h"
#include "tf_stack.h"

/* Every row: a unique name, known writers, a meaning, keys that parse, no key twice. */
START_TEST(table_rows_are_well_formed)
{
    for (size_t i = 0; i < TF_EVENT_COUNT; i++) {
        const struct tf_event_info *e = &tf_events[i];
        ck_assert_ptr_eq(tf_event_find(e->name), e);
        ck_assert_msg(e->meaning[0] != '\0', "%s: no meaning", e->name);
        char tools[64];
        snprintf(tools, sizeof tools, "%s", e->tools);
        for (char *save = NULL, *t = strtok_r(tools, " ", &save); t; t = strtok_r(NULL, " ", &save))
            ck_assert_msg(!strcmp(t, "shim") || !strcmp(t, "provider") || !strcmp(t, "java"), "%s: tool %s",
                          e->name, t);
        struct tf_event_key k, again;
        size_t pos = 0;
        int r, n = 0;
        while ((r = tf_event_key_next(e->keys, &pos, &k)) != 0) {
            ck_assert_msg(r == 1, "%s: malformed keys at %zu", e->name, pos);
            size_t p2 = 0;
            int same = 0;
            while (tf_event_key_next(e->keys, &p2, &again) > 0)
                same += !strcmp(again.name, k.name);
            ck_assert_msg(same == 1, "%s: key %s listed %d times", e->name, k.name, same);
            n++;
        }
        ck_assert_msg(n > 0, "%s: no keys", e->name);
    }
}
END_TEST

START_TEST(names_and_keys_are_found)
{
    ck_assert_ptr_null(tf_event_find("no_such_event"));
    ck_assert_ptr_null(tf_event_find(""));
    ck_assert_str_eq(TF_EV(handshake), "handshake");
    const struct tf_event_info *e = tf_event_find("handshake");
    struct tf_event_key k;
    ck_assert_int_eq(tf_event_key_find(e, "port", &k), 1);
    ck_assert_int_eq(k.type, TF_KEY_INTEGER);
    ck_assert_int_eq(k.optional, 0);
    ck_assert_int_eq(tf_event_key_find(e, "library", &k), 1);
    ck_assert_int_eq(k.type, TF_KEY_STRING);
    ck_assert_int_eq(k.optional, 1);
    ck_assert_int_eq(tf_event_key_find(e, "changed", &k), 1);
    ck_assert_int_eq(k.type, TF_KEY_BOOLEAN);
    ck_assert_int_eq(tf_event_key_find(e, "password", &k), 0);
    ck_assert_str_eq(tf_key_type_name(TF_KEY_BOOLEAN), "boolean");
    ck_assert_str_eq(tf_key_type_name(TF_KEY_BAD), "?");
}
END_TEST

/* The keys parser refuses what the table must not hold. */
START_TEST(malformed_keys_are_refused)
{
    static const char *const bad[] = { "old", ":string", "old:str", "old:string?x", "old:", "old:?",
                                       "a_name_that_is_far_too_long_for_any_detail_key_here:string" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct tf_event_key k;
        size_t pos = 0;
        ck_assert_msg(tf_event_key_next(bad[i], &pos, &k) == -1, "accepted %s", bad[i]);
    }
    struct tf_event_key k;
    size_t pos = 0;
    ck_assert_int_eq(tf_event_key_next("  a:integer?  b:boolean ", &pos, &k), 1);
    ck_assert_str_eq(k.name, "a");
    ck_assert_int_eq(k.optional, 1);
    ck_assert_int_eq(tf_event_key_next("  a:integer?  b:boolean ", &pos, &k), 1);
    ck_assert_str_eq(k.name, "b");
    ck_assert_int_eq(tf_event_key_next("  a:integer?  b:boolean ", &pos, &k), 0);
}
END_TEST

/* The mail ports and TLS library tables behind tf_proto_by_port and tf_stack_note. */
START_TEST(domain_tables)
{
    size_t n;
    const struct tf_mail_port *p = tf_mail_ports(&n);
    ck_assert_int_eq(n, 7);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(tf_proto_by_port(p[i].port), p[i].proto);
        ck_assert_int_eq(tf_port_implicit_tls(p[i].port), p[i].implicit_tls);
    }
    ck_assert_int_eq(tf_proto_by_port(993), TF_PROTO_IMAP);
    ck_assert_int_eq(tf_proto_by_port(110), TF_PROTO_POP3);
    ck_assert_int_eq(tf_proto_by_port(587), TF_PROTO_SMTP);
    ck_assert_int_eq(tf_proto_by_port(443), TF_PROTO_UNKNOWN);
    ck_assert_int_eq(tf_port_implicit_tls(465), 1);
    ck_assert_int_eq(tf_port_implicit_tls(143), 0);
    ck_assert_int_eq(tf_port_implicit_tls(443), 0);
    const struct tf_stack_library *l = tf_stack_libraries(&n);
    ck_assert_int_ge(n, 5);
    for (size_t i = 0; i < n; i++) {
        struct tf_stack_facts f;
        memset(&f, 0, sizeof f);
        tf_stack_note(&f, l[i].prefix);
        ck_assert_uint_eq(f.seen, l[i].seen);
        ck_assert_int_eq(f.names[0] != '\0', l[i].listed);
    }
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("events");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, table_rows_are_well_formed);
    tcase_add_test(tc, names_and_keys_are_found);
    tcase_add_test(tc, malformed_keys_are_refused);
    tcase_add_test(tc, domain_tables);
    suite_add_tcase(s, tc);
    return s;
}
CHECK_MAIN(make_suite)
