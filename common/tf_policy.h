/* The floor policy as pure functions: what a pin becomes, per OpenSSL ABI found at run time. */
#ifndef TF_POLICY_H
#define TF_POLICY_H

#include <stdint.h>

enum tf_abi { TF_ABI_UNSUPPORTED = 0, TF_ABI_102, TF_ABI_110, TF_ABI_111, TF_ABI_300 };

/* Control numbers and option bits that mean what we need in one libssl ABI; -1 = absent. */
struct tf_abi_info {
    enum tf_abi abi;
    const char *name;          /* "1.0.2", "1.1.0", "1.1.1", "3.x" */
    int ctrl_options;          /* SSL_CTRL_OPTIONS: set options through ctrl (1.0.2 only) */
    int ctrl_clear_options;    /* SSL_CTRL_CLEAR_OPTIONS (1.0.2 only; 77 means SRP in 3.x) */
    int ctrl_set_min_proto;    /* SSL_CTRL_SET_MIN_PROTO_VERSION */
    int ctrl_set_max_proto;
    int ctrl_get_min_proto;    /* getters exist since 1.1.1 */
    int ctrl_get_max_proto;
    int ctrl_set_sni;          /* SSL_CTRL_SET_TLSEXT_HOSTNAME */
    int ctrl_set_verify_store; /* SSL_CTRL_SET_VERIFY_CERT_STORE (SSL_set1_verify_cert_store) */
    int has_options_functions; /* SSL_CTX_set_options is a function (1.1+) */
    int highest_version;       /* best protocol the library speaks */
    uint64_t op_no_sslv3, op_no_tlsv1, op_no_tlsv1_1, op_no_tlsv1_2, op_no_tlsv1_3;
};

/* Maps OpenSSL_version_num()/SSLeay() to its ABI; returns 0 and fills *out, or -1 when unsupported. */
int tf_abi_from_version(unsigned long version_num, struct tf_abi_info *out);

/* New minimum for a requested one: the floor when below it (0 = "lowest" counts as below). */
int tf_policy_min(int floor, int requested_min);

/* New maximum: 0 (the library's highest) when a cap lies below the floor, else unchanged. */
int tf_policy_max(int floor, int requested_max);

/* Option bits that would forbid every version at or above the floor. */
uint64_t tf_policy_forbidden_options(const struct tf_abi_info *abi, int floor);

/* Readable list of the version-disabling bits in mask, e.g. "NO_TLSv1_2|NO_TLSv1_3". */
void tf_policy_options_name(const struct tf_abi_info *abi, uint64_t mask, char *out, unsigned cap);

enum tf_role { TF_ROLE_GENERIC, TF_ROLE_CLIENT, TF_ROLE_SERVER };

/* A version-specific method constructor exported by libssl. */
struct tf_method_desc {
    char name[24];         /* "TLSv1_client_method" (inline: no load-time relocation) */
    int version;           /* the only version it speaks */
    enum tf_role role;
};
extern const struct tf_method_desc tf_pinned_methods[];
extern const unsigned tf_pinned_methods_count;

/* Name of the flexible method for a role in one ABI ("TLS_client_method", or "SSLv23_..." in 1.0.2). */
const char *tf_flexible_method_name(const struct tf_abi_info *abi, enum tf_role role);

/* Whether a method pinned to version must be swapped under floor. */
int tf_policy_method_pinned(int floor, int method_version);

#endif
