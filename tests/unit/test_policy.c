#include <string.h>

#include "check_main.h"
#include "tf_policy.h"
#include "tf_version.h"

#ifdef TF_HAVE_OPENSSL_HEADERS
#include <openssl/opensslv.h>
#include <openssl/ssl.h>
/* The OpenSSL headers at hand (3.x on the build machine, 1.1.1 on Debian 11) are the reference
 * for their ABI's numbers: the shim carries its own table so that it needs no headers. */
START_TEST(abi_matches_headers)
{
    struct tf_abi_info a;
    ck_assert_int_eq(tf_abi_from_version(OPENSSL_VERSION_NUMBER, &a), 0);
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    ck_assert_int_eq(a.abi, TF_ABI_300);
    ck_assert_int_eq(a.ctrl_clear_options, -1);  /* 77 is an SRP control in 3.x */
#else
    ck_assert_int_eq(a.abi, TF_ABI_111);
#endif
    ck_assert_int_eq(a.ctrl_set_min_proto, SSL_CTRL_SET_MIN_PROTO_VERSION);
    ck_assert_int_eq(a.ctrl_set_max_proto, SSL_CTRL_SET_MAX_PROTO_VERSION);
    ck_assert_int_eq(a.ctrl_get_min_proto, SSL_CTRL_GET_MIN_PROTO_VERSION);
    ck_assert_int_eq(a.ctrl_get_max_proto, SSL_CTRL_GET_MAX_PROTO_VERSION);
    ck_assert_int_eq(a.ctrl_set_sni, SSL_CTRL_SET_TLSEXT_HOSTNAME);
    ck_assert_int_eq(a.ctrl_set_verify_store, SSL_CTRL_SET_VERIFY_CERT_STORE);
    ck_assert_int_eq(a.ctrl_options, -1);        /* options are functions */
    ck_assert_uint_eq(a.op_no_tlsv1_2, SSL_OP_NO_TLSv1_2);
    ck_assert_uint_eq(a.op_no_tlsv1_3, SSL_OP_NO_TLSv1_3);
    ck_assert_uint_eq(a.op_no_tlsv1, SSL_OP_NO_TLSv1);
    ck_assert_uint_eq(a.op_no_tlsv1_1, SSL_OP_NO_TLSv1_1);
    ck_assert_uint_eq(a.op_no_sslv3, SSL_OP_NO_SSLv3);
    ck_assert_int_eq(a.highest_version, TLS1_3_VERSION);
    ck_assert(a.has_options_functions);
}
END_TEST
#endif

START_TEST(abi_3x)
{
    struct tf_abi_info a;
    ck_assert_int_eq(tf_abi_from_version(0x30000130UL, &a), 0);
    ck_assert_int_eq(a.abi, TF_ABI_300);
    ck_assert_int_eq(a.ctrl_set_min_proto, 123);
    ck_assert_int_eq(a.ctrl_set_max_proto, 124);
    ck_assert_int_eq(a.ctrl_get_min_proto, 130);
    ck_assert_int_eq(a.ctrl_get_max_proto, 131);
    ck_assert_int_eq(a.ctrl_set_sni, 55);
    ck_assert_int_eq(a.ctrl_options, -1);
    ck_assert_int_eq(a.ctrl_clear_options, -1);
    ck_assert_int_eq(a.highest_version, TF_TLS1_3);
    ck_assert(a.has_options_functions);
}
END_TEST

START_TEST(abi_per_version)
{
    struct tf_abi_info a;
    ck_assert_int_eq(tf_abi_from_version(0x1010117fUL, &a), 0);   /* 1.1.1w */
    ck_assert_int_eq(a.abi, TF_ABI_111);
    ck_assert_int_eq(a.ctrl_get_max_proto, 131);
    ck_assert_int_eq(a.highest_version, TF_TLS1_3);

    ck_assert_int_eq(tf_abi_from_version(0x1010006fUL, &a), 0);   /* 1.1.0f: no getters, no 1.3 */
    ck_assert_int_eq(a.abi, TF_ABI_110);
    ck_assert_int_eq(a.ctrl_get_min_proto, -1);
    ck_assert_int_eq(a.ctrl_set_min_proto, 123);
    ck_assert_int_eq(a.highest_version, TF_TLS1_2);

    ck_assert_int_eq(tf_abi_from_version(0x1000214fUL, &a), 0);   /* 1.0.2t: options via ctrl */
    ck_assert_int_eq(a.abi, TF_ABI_102);
    ck_assert_int_eq(a.ctrl_options, 32);
    ck_assert_int_eq(a.ctrl_clear_options, 77);
    ck_assert_int_eq(a.ctrl_set_min_proto, -1);
    ck_assert_int_eq(a.has_options_functions, 0);
    ck_assert_uint_eq(a.op_no_tlsv1_3, 0);

    ck_assert_int_eq(tf_abi_from_version(0x1000108fUL, &a), -1);  /* 1.0.1h */
    ck_assert_int_eq(a.abi, TF_ABI_UNSUPPORTED);
    ck_assert_int_eq(tf_abi_from_version(0x0090819fUL, &a), -1);  /* 0.9.8 */
}
END_TEST

START_TEST(min_never_lowers)
{
    ck_assert_int_eq(tf_policy_min(TF_TLS1_2, 0), TF_TLS1_2);
    ck_assert_int_eq(tf_policy_min(TF_TLS1_2, TF_TLS1_0), TF_TLS1_2);
    ck_assert_int_eq(tf_policy_min(TF_TLS1_2, TF_SSL3), TF_TLS1_2);
    ck_assert_int_eq(tf_policy_min(TF_TLS1_2, TF_TLS1_2), TF_TLS1_2);
    ck_assert_int_eq(tf_policy_min(TF_TLS1_2, TF_TLS1_3), TF_TLS1_3);
    ck_assert_int_eq(tf_policy_min(TF_TLS1_3, TF_TLS1_2), TF_TLS1_3);
}
END_TEST

START_TEST(max_lifted_only_below_floor)
{
    ck_assert_int_eq(tf_policy_max(TF_TLS1_2, TF_TLS1_1), 0);
    ck_assert_int_eq(tf_policy_max(TF_TLS1_2, TF_TLS1_0), 0);
    ck_assert_int_eq(tf_policy_max(TF_TLS1_2, 0), 0);
    ck_assert_int_eq(tf_policy_max(TF_TLS1_2, TF_TLS1_2), TF_TLS1_2);   /* a 1.2 cap is fine */
    ck_assert_int_eq(tf_policy_max(TF_TLS1_3, TF_TLS1_2), 0);
    ck_assert_int_eq(tf_policy_max(TF_TLS1_3, TF_TLS1_3), TF_TLS1_3);
}
END_TEST

START_TEST(forbidden_options)
{
    struct tf_abi_info a;
    char names[96];
    tf_abi_from_version(0x30000130UL, &a);
    ck_assert_uint_eq(tf_policy_forbidden_options(&a, TF_TLS1_2), SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3);
    ck_assert_uint_eq(tf_policy_forbidden_options(&a, TF_TLS1_3), SSL_OP_NO_TLSv1_3);
    /* other bits are never touched */
    uint64_t op = SSL_OP_ALL | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_2 | SSL_OP_NO_COMPRESSION;
    ck_assert_uint_eq(op & ~tf_policy_forbidden_options(&a, TF_TLS1_2),
                      SSL_OP_ALL | SSL_OP_NO_TLSv1 | SSL_OP_NO_COMPRESSION);
    tf_policy_options_name(&a, SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3, names, sizeof names);
    ck_assert_str_eq(names, "NO_TLSv1_2|NO_TLSv1_3");
    tf_policy_options_name(&a, SSL_OP_NO_COMPRESSION, names, sizeof names);
    ck_assert_str_eq(names, "none");
    tf_policy_options_name(&a, SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3, names, 12);
    ck_assert_str_eq(names, "NO_TLSv1_2");
    /* 1.0.2 has no TLS 1.3 bit */
    tf_abi_from_version(0x1000214fUL, &a);
    ck_assert_uint_eq(tf_policy_forbidden_options(&a, TF_TLS1_2), SSL_OP_NO_TLSv1_2);
}
END_TEST

START_TEST(methods)
{
    struct tf_abi_info a3, a102;
    tf_abi_from_version(0x30000130UL, &a3);
    tf_abi_from_version(0x1000214fUL, &a102);
    ck_assert_str_eq(tf_flexible_method_name(&a3, TF_ROLE_CLIENT), "TLS_client_method");
    ck_assert_str_eq(tf_flexible_method_name(&a3, TF_ROLE_SERVER), "TLS_server_method");
    ck_assert_str_eq(tf_flexible_method_name(&a3, TF_ROLE_GENERIC), "TLS_method");
    ck_assert_str_eq(tf_flexible_method_name(&a102, TF_ROLE_CLIENT), "SSLv23_client_method");
    int found_tls1_client = 0;
    for (unsigned i = 0; i < tf_pinned_methods_count; i++) {
        const struct tf_method_desc *d = &tf_pinned_methods[i];
        if (!strcmp(d->name, "TLSv1_client_method")) {
            found_tls1_client = 1;
            ck_assert_int_eq(d->version, TF_TLS1_0);
            ck_assert_int_eq(d->role, TF_ROLE_CLIENT);
        }
        /* every role variant is listed for each version */
        ck_assert(strstr(d->name, "_method") != NULL);
    }
    ck_assert(found_tls1_client);
    ck_assert_uint_eq(tf_pinned_methods_count, 12);
    ck_assert(tf_policy_method_pinned(TF_TLS1_2, TF_TLS1_1));
    ck_assert(!tf_policy_method_pinned(TF_TLS1_2, TF_TLS1_2));
    ck_assert(tf_policy_method_pinned(TF_TLS1_3, TF_TLS1_2));
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("policy");
    TCase *tc = tcase_create("core");
#ifdef TF_HAVE_OPENSSL_HEADERS
    tcase_add_test(tc, abi_matches_headers);
#endif
    tcase_add_test(tc, abi_3x);
    tcase_add_test(tc, abi_per_version);
    tcase_add_test(tc, min_never_lowers);
    tcase_add_test(tc, max_lifted_only_below_floor);
    tcase_add_test(tc, forbidden_options);
    tcase_add_test(tc, methods);
    suite_add_tcase(s, tc);
    return s;
}
CHECK_MAIN(make_suite)
