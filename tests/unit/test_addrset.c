/* common/tf_addrset.c: the addresses rewritten lookups answered with. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "check_main.h"
#include "tf_addrset.h"

static struct tf_addrset set;

static int has(int family, const char *text)
{
    unsigned char b[16];
    ck_assert_int_eq(inet_pton(family, text, b), 1);
    return tf_addrset_has(&set, family, b);
}

static void add(int family, const char *text)
{
    unsigned char b[16];
    ck_assert_int_eq(inet_pton(family, text, b), 1);
    tf_addrset_add(&set, family, b);
}

START_TEST(added_addresses_are_found)
{
    memset(&set, 0, sizeof set);
    ck_assert(!has(AF_INET, "127.0.0.1"));
    add(AF_INET, "127.0.0.1");
    add(AF_INET6, "2603:1026::1");
    ck_assert(has(AF_INET, "127.0.0.1"));
    ck_assert(has(AF_INET6, "2603:1026::1"));
    ck_assert(!has(AF_INET, "127.0.0.2"));
    ck_assert(!has(AF_INET6, "2603:1026::2"));
    ck_assert(!has(AF_INET6, "::1"));
}
END_TEST

/* A dual-stack socket's peer is ::ffff:a.b.c.d: it is the IPv4 address the lookup gave. */
START_TEST(v4_mapped_matches_v4)
{
    memset(&set, 0, sizeof set);
    add(AF_INET, "40.99.10.2");
    ck_assert(has(AF_INET6, "::ffff:40.99.10.2"));
    ck_assert(!has(AF_INET6, "::ffff:40.99.10.3"));
}
END_TEST

START_TEST(duplicates_take_one_slot_and_full_set_stops)
{
    memset(&set, 0, sizeof set);
    for (int i = 0; i < 5; i++)
        add(AF_INET, "127.0.0.1");
    ck_assert_uint_eq(set.claimed, 1);
    char text[32];
    for (int i = 0; i < TF_ADDRSET_SLOTS + 10; i++) {
        snprintf(text, sizeof text, "10.0.%d.%d", i / 250, i % 250 + 1);
        add(AF_INET, text);
    }
    ck_assert(has(AF_INET, "127.0.0.1"));
    ck_assert(has(AF_INET, "10.0.0.1"));
    snprintf(text, sizeof text, "10.0.%d.%d", (TF_ADDRSET_SLOTS + 5) / 250, (TF_ADDRSET_SLOTS + 5) % 250 + 1);
    ck_assert(!has(AF_INET, text));   /* bounded: the set stopped growing */
    unsigned char junk[16] = { 1 };
    tf_addrset_add(&set, AF_UNIX, junk);
    ck_assert(!tf_addrset_has(&set, AF_UNIX, junk));
}
END_TEST

/* The same text as inet_ntop + snprintf, for every IPv4 byte value and a few IPv6 addresses. */
START_TEST(addr_text_matches_inet_ntop)
{
    char want[96], host[INET6_ADDRSTRLEN], got[64];
    for (unsigned v = 0; v < 256; v++) {
        unsigned char b[4] = { (unsigned char)v, (unsigned char)(255 - v), (unsigned char)(v / 3), 0 };
        int port = (int)(v * 257u);
        inet_ntop(AF_INET, b, host, sizeof host);
        snprintf(want, sizeof want, "%s:%d", host, port);
        ck_assert_str_eq(tf_addr_text(got, sizeof got, AF_INET, b, port), want);
    }
    const char *v6[] = { "::1", "2603:1026:c0b:10::2", "::ffff:127.0.0.1", "fe80::1:2:3:4" };
    for (size_t i = 0; i < sizeof v6 / sizeof v6[0]; i++) {
        unsigned char b[16];
        ck_assert_int_eq(inet_pton(AF_INET6, v6[i], b), 1);
        inet_ntop(AF_INET6, b, host, sizeof host);
        snprintf(want, sizeof want, "[%s]:%d", host, 993);
        ck_assert_str_eq(tf_addr_text(got, sizeof got, AF_INET6, b, 993), want);
    }
    unsigned char lo[4] = { 127, 0, 0, 1 };
    char small[8];
    tf_addr_text(small, sizeof small, AF_INET, lo, 65535);   /* short buffer: cut, terminated */
    ck_assert_str_eq(small, "127.0.0");
    ck_assert_str_eq(tf_addr_text(got, sizeof got, AF_UNIX, lo, 1), "");
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("addrset");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, added_addresses_are_found);
    tcase_add_test(tc, v4_mapped_matches_v4);
    tcase_add_test(tc, duplicates_take_one_slot_and_full_set_stops);
    tcase_add_test(tc, addr_text_matches_inet_ntop);
    suite_add_tcase(s, tc);
    return s;
}
CHECK_MAIN(make_suite)
