/* The GnuTLS function table (gnutls.def), found at run time: no GnuTLS header, no link-time
 * reference. Types are opaque pointers; the constants used are stable since 3.0. */
#ifndef TF_GNUTLS_API_H
#define TF_GNUTLS_API_H

#include <stddef.h>
#include <sys/types.h>

#include "shim.h"

typedef struct gnutls_session_int *gnutls_session_t;
typedef struct gnutls_priority_st *gnutls_priority_t;
typedef struct gnutls_x509_crt_int *gnutls_x509_crt_t;
typedef struct gnutls_x509_trust_list_st *gnutls_x509_trust_list_t;
typedef struct gnutls_x509_trust_list_iter *gnutls_x509_trust_list_iter_t;
typedef struct gnutls_range_st gnutls_range_st;

#define TF_GNUTLS_SERVER 1            /* gnutls_init flags */
#define TF_GNUTLS_DATAGRAM (1 << 2)
#define TF_GNUTLS_NAME_DNS 1          /* gnutls_server_name_type_t */
#define TF_GNUTLS_CRD_CERTIFICATE 1   /* gnutls_credentials_type_t */

#define TF_HOOK(need, ret, name, params) ret (*name) params;
#define TF_CALL TF_HOOK
struct tf_gnutls_fns {
#include "gnutls.def"
};
#undef TF_HOOK
#undef TF_CALL

struct tf_gnutls {
    int usable;               /* all REQUIRED functions found */
    int has_lib;              /* gnutls_init was found: this table is final */
    int has_tls13;            /* the library knows VERS-TLS1.3 (3.6.5 and later) */
    unsigned long long adds;  /* dl_iterate_phdr's object count when it was made */
    struct tf_gnutls_fns fn;
};

/* The table for the libgnutls the process has. Never NULL; made again while the library is
 * absent and objects were loaded since. Check ->usable before acting. */
const struct tf_gnutls *tf_gnutls(void);

/* The real function at offset off (offsetof(struct tf_gnutls_fns, name)), the table made again
 * first when it has none; NULL when it really does not exist. */
void *tf_gnutls_fn(size_t off);
#define TF_GREAL(g, name) \
    ((g)->fn.name ? (g)->fn.name : (__typeof__((g)->fn.name))tf_gnutls_fn(offsetof(struct tf_gnutls_fns, name)))

#endif
