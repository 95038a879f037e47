#include "tf_policy.h"

#include <stdio.h>
#include <string.h>

#include "tf_version.h"

/* Option bits are the same from 1.0.1 to 3.x; control numbers are not (77 was "clear options" in
 * 1.0.2 and is an SRP setting in 3.x, 32 set options before options became functions in 1.1.0). */
int tf_abi_from_version(unsigned long v, struct tf_abi_info *out)
{
    memset(out, 0, sizeof *out);
    out->ctrl_set_sni = 55;
    out->ctrl_set_verify_store = 106;
    out->op_no_sslv3 = 0x02000000UL;
    out->op_no_tlsv1 = 0x04000000UL;
    out->op_no_tlsv1_2 = 0x08000000UL;
    out->op_no_tlsv1_1 = 0x10000000UL;
    out->op_no_tlsv1_3 = 0x20000000UL;
    out->ctrl_options = out->ctrl_clear_options = -1;
    out->ctrl_set_min_proto = out->ctrl_set_max_proto = -1;
    out->ctrl_get_min_proto = out->ctrl_get_max_proto = -1;

    unsigned major = (unsigned)(v >> 28) & 0xf, minor = (unsigned)(v >> 20) & 0xff,
             patch = (unsigned)(v >> 12) & 0xff;
    if (major >= 3) {
        out->abi = TF_ABI_300;
        out->name = "3.x";
    } else if (major == 1 && minor == 1 && patch >= 1) {
        out->abi = TF_ABI_111;
        out->name = "1.1.1";
    } else if (major == 1 && minor == 1) {
        out->abi = TF_ABI_110;
        out->name = "1.1.0";
    } else if (major == 1 && minor == 0 && patch == 2) {
        out->abi = TF_ABI_102;
        out->name = "1.0.2";
    } else {
        out->abi = TF_ABI_UNSUPPORTED;
        out->name = "unsupported";
        return -1;
    }
    if (out->abi == TF_ABI_102) {
        out->ctrl_options = 32;
        out->ctrl_clear_options = 77;
        out->op_no_tlsv1_3 = 0;
        out->highest_version = TF_TLS1_2;
        return 0;
    }
    out->has_options_functions = 1;
    out->ctrl_set_min_proto = 123;
    out->ctrl_set_max_proto = 124;
    out->highest_version = TF_TLS1_2;
    if (out->abi >= TF_ABI_111) {
        out->ctrl_get_min_proto = 130;
        out->ctrl_get_max_proto = 131;
        out->highest_version = TF_TLS1_3;
    }
    return 0;
}

int tf_policy_min(int floor, int requested_min)
{
    return requested_min < floor ? floor : requested_min;
}

int tf_policy_max(int floor, int requested_max)
{
    return (requested_max != 0 && requested_max < floor) ? 0 : requested_max;
}

uint64_t tf_policy_forbidden_options(const struct tf_abi_info *abi, int floor)
{
    uint64_t bits = abi->op_no_tlsv1_3;
    if (floor <= TF_TLS1_2)
        bits |= abi->op_no_tlsv1_2;
    return bits;
}

void tf_policy_options_name(const struct tf_abi_info *abi, uint64_t mask, char *out, unsigned cap)
{
    const struct { uint64_t bit; const char *name; } names[] = {
        { abi->op_no_sslv3, "NO_SSLv3" }, { abi->op_no_tlsv1, "NO_TLSv1" },
        { abi->op_no_tlsv1_1, "NO_TLSv1_1" }, { abi->op_no_tlsv1_2, "NO_TLSv1_2" },
        { abi->op_no_tlsv1_3, "NO_TLSv1_3" },
    };
    size_t used = 0;
    if (cap == 0)
        return;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (names[i].bit == 0 || !(mask & names[i].bit))
            continue;
        int n = snprintf(out + used, cap - used, "%s%s", used ? "|" : "", names[i].name);
        if (n < 0 || (size_t)n >= cap - used) {
            out[used] = '\0';   /* drop the name that did not fit whole */
            break;
        }
        used += (size_t)n;
    }
    if (used == 0)
        snprintf(out, cap, "none");
}

const struct tf_method_desc tf_pinned_methods[] = {
    { "SSLv3_method", TF_SSL3, TF_ROLE_GENERIC },
    { "SSLv3_client_method", TF_SSL3, TF_ROLE_CLIENT },
    { "SSLv3_server_method", TF_SSL3, TF_ROLE_SERVER },
    { "TLSv1_method", TF_TLS1_0, TF_ROLE_GENERIC },
    { "TLSv1_client_method", TF_TLS1_0, TF_ROLE_CLIENT },
    { "TLSv1_server_method", TF_TLS1_0, TF_ROLE_SERVER },
    { "TLSv1_1_method", TF_TLS1_1, TF_ROLE_GENERIC },
    { "TLSv1_1_client_method", TF_TLS1_1, TF_ROLE_CLIENT },
    { "TLSv1_1_server_method", TF_TLS1_1, TF_ROLE_SERVER },
    { "TLSv1_2_method", TF_TLS1_2, TF_ROLE_GENERIC },
    { "TLSv1_2_client_method", TF_TLS1_2, TF_ROLE_CLIENT },
    { "TLSv1_2_server_method", TF_TLS1_2, TF_ROLE_SERVER },
};
const unsigned tf_pinned_methods_count = sizeof tf_pinned_methods / sizeof tf_pinned_methods[0];

const char *tf_flexible_method_name(const struct tf_abi_info *abi, enum tf_role role)
{
    int old = abi->abi == TF_ABI_102;
    switch (role) {
    case TF_ROLE_CLIENT: return old ? "SSLv23_client_method" : "TLS_client_method";
    case TF_ROLE_SERVER: return old ? "SSLv23_server_method" : "TLS_server_method";
    default: return old ? "SSLv23_method" : "TLS_method";
    }
}

int tf_policy_method_pinned(int floor, int method_version)
{
    return method_version < floor;
}
