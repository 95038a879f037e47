/* tlsfloor OpenSSL 3 provider: watches every TLS <= 1.2 handshake through the TLS1-PRF KDF and
 * logs (audit) or refuses (enforce) the legacy TLS 1.0/1.1 ones.
 *
 * libssl derives the key block of every TLS <= 1.2 handshake, full or resumed, with one TLS1-PRF
 * call whose label (the first seed) is "key expansion"; the digest is MD5-SHA1 exactly for
 * TLS 1.0/1.1. The provider offers TLS1-PRF with the property provider=tlsfloor; the shipped
 * config prefers it (default_properties = ?provider=tlsfloor). Every call is forwarded to the
 * TLS1-PRF of the other providers, fetched from a child library context with the query
 * "provider!=tlsfloor" (without it the fetch finds this wrapper again and recurses).
 *
 * Only the key expansion step of a legacy handshake is acted on: one record per handshake, and
 * in enforce mode the derive fails there, with this provider's reason pushed through the core's
 * error upcalls (they reach the host's error queue even when the host links OpenSSL statically).
 * Uses only functions of OpenSSL 3.0.0; exports only OSSL_provider_init (tlsfloor.map). */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "tf_backtrace.h"
#include "tf_config.h"
#include "tf_events.h"
#include "tf_log.h"
#include "tf_module.h"
#include "tf_record.h"

#define TFP_NAME "tlsfloor"
#define TFP_VERSION "0.1.0"
#define TFP_QUERY "provider!=tlsfloor"
#define TFP_DIGEST_LEGACY "MD5-SHA1"
#define TFP_STEP "key expansion"
#define TFP_REFUSED_TEXT "legacy TLS 1.0/1.1 handshake refused by tlsfloor"

/* Reason codes of this provider's errors (the core maps them to the strings below). */
enum { TFP_R_LEGACY_REFUSED = 1, TFP_R_NO_IMPLEMENTATION = 2 };

static const OSSL_ITEM tfp_reasons[] = {
    { TFP_R_LEGACY_REFUSED, TFP_REFUSED_TEXT },
    { TFP_R_NO_IMPLEMENTATION, "no TLS1-PRF outside tlsfloor (is the default provider loaded?)" },
    { 0, NULL },
};

struct tfp_prov {
    const OSSL_CORE_HANDLE *handle;
    OSSL_FUNC_core_new_error_fn *new_error;
    OSSL_FUNC_core_set_error_debug_fn *set_error_debug;
    OSSL_FUNC_core_vset_error_fn *vset_error;
    OSSL_LIB_CTX *child;          /* the other providers, as seen from here */
    enum tf_mode mode;
    char log_spec[512];
    struct tf_origin origin;
    pthread_mutex_t open_lock;    /* only around the first opening of the log, never a write */
    int log_opened;               /* atomic: the log is open (writes need no lock) */
    struct tf_log log;
    int nconfig_errors;
    char config_errors[TF_CONFIG_ERRORS][240];
};

struct tfp_kdf {
    struct tfp_prov *prov;
    EVP_KDF_CTX *inner;
    int legacy_digest;            /* the digest set is MD5-SHA1 */
    int key_expansion;            /* the seed set starts with the "key expansion" label */
};

/* ---- errors --------------------------------------------------------------------------------- */

static void tfp_raise(const struct tfp_prov *p, uint32_t reason, const char *func, const char *fmt, ...)
{
    va_list ap;
    if (p->new_error == NULL || p->vset_error == NULL)
        return;
    p->new_error(p->handle);
    if (p->set_error_debug != NULL)
        p->set_error_debug(p->handle, __FILE__, __LINE__, func);
    va_start(ap, fmt);
    p->vset_error(p->handle, reason, fmt, ap);
    va_end(ap);
}

/* ---- log ------------------------------------------------------------------------------------ */

/* A config_error record like r (same time, process, origin). */
static void tfp_config_error(struct tfp_prov *p, const struct tf_record *r, const char *message)
{
    struct tf_field f[] = { TF_STR("message", message) };
    struct tf_record e = *r;
    e.event = TF_EV(config_error);
    e.detail = f;
    e.ndetail = 1;
    e.caller = NULL;
    tf_log_write(&p->log, &e);
}

/* ---- exit: no record torn by exit() ---------------------------------------------------------- */

/* Every instance with a log, so that the module's destructor can quiesce them. */
#define TFP_INSTANCES 16
static struct tfp_prov *tfp_instances[TFP_INSTANCES];

static void tfp_track(struct tfp_prov *p, int add)
{
    for (int i = 0; i < TFP_INSTANCES; i++) {
        struct tfp_prov *expected = add ? NULL : p;
        if (__atomic_compare_exchange_n(&tfp_instances[i], &expected, add ? p : NULL, 0, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
            return;
    }
}

/* What fd 2 is when the module is loaded (the stderr sink writes only while it stays that). */
__attribute__((constructor)) static void tfp_note_stderr(void)
{
    tf_log_stderr_note();
}

__attribute__((destructor)) static void tfp_quiesce_all(void)
{
    for (int i = 0; i < TFP_INSTANCES; i++) {
        struct tfp_prov *p = __atomic_load_n(&tfp_instances[i], __ATOMIC_SEQ_CST);
        if (p != NULL)
            tf_log_quiesce(&p->log);
    }
}

/* The first record opens the log, once per instance (the lock covers only this). Privileged
 * (setuid/setgid, or root): the same rules as the shim, no symbolic link, no path anyone but
 * root can change; the fallback is then syslog. */
static void tfp_open_log(struct tfp_prov *p, const struct tf_record *r)
{
    pthread_mutex_lock(&p->open_lock);
    if (!p->log_opened) {
        char err[600];
        int privileged = getauxval(AT_SECURE) != 0 || geteuid() == 0;
        /* On failure tf_log_open fell back: say why there, once, before the rest. */
        if (tf_log_open(&p->log, p->log_spec, privileged, err, sizeof err) != 0)
            tfp_config_error(p, r, err);
        for (int i = 0; i < p->nconfig_errors && i < TF_CONFIG_ERRORS; i++)
            tfp_config_error(p, r, p->config_errors[i]);
        tfp_track(p, 1);
        __atomic_store_n(&p->log_opened, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&p->open_lock);
}

static void tfp_emit(struct tfp_prov *p, const char *event, const struct tf_field *detail, int ndetail,
                     int with_caller)
{
    struct tf_caller_info info;
    struct tf_record r;
    tf_record_begin(&r, &p->origin, tf_mode_name(p->mode), event, detail, ndetail);
    if (with_caller) {
        tf_caller_capture(&info);
        r.caller = &info.caller;
    }
    if (!__atomic_load_n(&p->log_opened, __ATOMIC_ACQUIRE))
        tfp_open_log(p, &r);
    tf_log_write(&p->log, &r);       /* lock-free, never blocks */
}

/* ---- the TLS1-PRF wrapper ------------------------------------------------------------------- */

static EVP_KDF *tfp_fetch_inner(struct tfp_prov *p)
{
    EVP_KDF *kdf = EVP_KDF_fetch(p->child, OSSL_KDF_NAME_TLS1_PRF, TFP_QUERY);
    if (kdf == NULL)
        tfp_raise(p, TFP_R_NO_IMPLEMENTATION, "tfp_fetch_inner", NULL);
    return kdf;
}

static void *tfp_newctx(void *provctx)
{
    struct tfp_prov *p = provctx;
    struct tfp_kdf *k;
    EVP_KDF *kdf = tfp_fetch_inner(p);
    if (kdf == NULL)
        return NULL;
    k = OPENSSL_zalloc(sizeof *k);
    if (k != NULL) {
        k->prov = p;
        k->inner = EVP_KDF_CTX_new(kdf);
        if (k->inner == NULL) {
            OPENSSL_free(k);
            k = NULL;
        }
    }
    EVP_KDF_free(kdf);
    return k;
}

static void tfp_freectx(void *vctx)
{
    struct tfp_kdf *k = vctx;
    if (k == NULL)
        return;
    EVP_KDF_CTX_free(k->inner);
    OPENSSL_free(k);
}

static void *tfp_dupctx(void *vctx)
{
    const struct tfp_kdf *src = vctx;
    struct tfp_kdf *k = OPENSSL_zalloc(sizeof *k);
    if (k == NULL)
        return NULL;
    *k = *src;
    k->inner = EVP_KDF_CTX_dup(src->inner);
    if (k->inner == NULL) {
        OPENSSL_free(k);
        return NULL;
    }
    return k;
}

static void tfp_reset(void *vctx)
{
    struct tfp_kdf *k = vctx;
    EVP_KDF_CTX_reset(k->inner);
    k->legacy_digest = 0;
    k->key_expansion = 0;
}

/* Notes what a parameter set means for the policy: TLS1-PRF replaces its seed with the
 * concatenation of all the seeds of one call, and the label comes first. */
static void tfp_inspect(struct tfp_kdf *k, const OSSL_PARAM params[])
{
    const OSSL_PARAM *p;
    const char *digest = NULL;
    if (params == NULL)
        return;
    p = OSSL_PARAM_locate_const(params, OSSL_KDF_PARAM_DIGEST);
    if (p != NULL && OSSL_PARAM_get_utf8_string_ptr(p, &digest) && digest != NULL)
        k->legacy_digest = strcasecmp(digest, TFP_DIGEST_LEGACY) == 0;
    p = OSSL_PARAM_locate_const(params, OSSL_KDF_PARAM_SEED);
    if (p != NULL) {
        unsigned char label[sizeof TFP_STEP - 1];
        size_t have = 0;
        for (; p != NULL && have < sizeof label; p = OSSL_PARAM_locate_const(p + 1, OSSL_KDF_PARAM_SEED)) {
            size_t n;
            if (p->data_type != OSSL_PARAM_OCTET_STRING || p->data == NULL)
                continue;
            n = p->data_size < sizeof label - have ? p->data_size : sizeof label - have;
            memcpy(label + have, p->data, n);
            have += n;
        }
        k->key_expansion = have == sizeof label && memcmp(label, TFP_STEP, sizeof label) == 0;
    }
}

static int tfp_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    struct tfp_kdf *k = vctx;
    tfp_inspect(k, params);
    return EVP_KDF_CTX_set_params(k->inner, params);
}

static int tfp_derive(void *vctx, unsigned char *key, size_t keylen, const OSSL_PARAM params[])
{
    struct tfp_kdf *k = vctx;
    tfp_inspect(k, params);
    if (k->legacy_digest && k->key_expansion) {
        struct tfp_prov *p = k->prov;
        int refuse = p->mode == TF_MODE_ENFORCE;
        struct tf_field detail[] = {
            TF_STR("digest", TFP_DIGEST_LEGACY),
            TF_STR("step", TFP_STEP),
            TF_STR("version", "TLSv1.0/1.1"),
            TF_BOOL("applied", refuse),
        };
        tfp_emit(p, TF_EV(legacy_handshake), detail, 4, 1);
        if (refuse) {
            tfp_raise(p, TFP_R_LEGACY_REFUSED, "tfp_derive", NULL);
            return 0;
        }
    }
    return EVP_KDF_derive(k->inner, key, keylen, params);
}

static int tfp_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
    struct tfp_kdf *k = vctx;
    return EVP_KDF_CTX_get_params(k->inner, params);
}

/* Parameter tables of the implementation we forward to (they live as long as its provider). */
static const OSSL_PARAM *tfp_table(void *vctx, void *provctx, int settable)
{
    static const OSSL_PARAM none[] = { OSSL_PARAM_END };
    const struct tfp_kdf *k = vctx;
    const OSSL_PARAM *t = NULL;
    if (k != NULL) {
        t = settable ? EVP_KDF_CTX_settable_params(k->inner) : EVP_KDF_CTX_gettable_params(k->inner);
    } else {
        EVP_KDF *kdf = EVP_KDF_fetch(((struct tfp_prov *)provctx)->child, OSSL_KDF_NAME_TLS1_PRF, TFP_QUERY);
        if (kdf != NULL) {
            t = settable ? EVP_KDF_settable_ctx_params(kdf) : EVP_KDF_gettable_ctx_params(kdf);
            EVP_KDF_free(kdf);
        }
    }
    return t != NULL ? t : none;
}

static const OSSL_PARAM *tfp_settable_ctx_params(void *vctx, void *provctx)
{
    return tfp_table(vctx, provctx, 1);
}

static const OSSL_PARAM *tfp_gettable_ctx_params(void *vctx, void *provctx)
{
    return tfp_table(vctx, provctx, 0);
}

static const OSSL_DISPATCH tfp_tls1prf_functions[] = {
    { OSSL_FUNC_KDF_NEWCTX, (void (*)(void))tfp_newctx },
    { OSSL_FUNC_KDF_DUPCTX, (void (*)(void))tfp_dupctx },
    { OSSL_FUNC_KDF_FREECTX, (void (*)(void))tfp_freectx },
    { OSSL_FUNC_KDF_RESET, (void (*)(void))tfp_reset },
    { OSSL_FUNC_KDF_DERIVE, (void (*)(void))tfp_derive },
    { OSSL_FUNC_KDF_SETTABLE_CTX_PARAMS, (void (*)(void))tfp_settable_ctx_params },
    { OSSL_FUNC_KDF_SET_CTX_PARAMS, (void (*)(void))tfp_set_ctx_params },
    { OSSL_FUNC_KDF_GETTABLE_CTX_PARAMS, (void (*)(void))tfp_gettable_ctx_params },
    { OSSL_FUNC_KDF_GET_CTX_PARAMS, (void (*)(void))tfp_get_ctx_params },
    { 0, NULL },
};

static const OSSL_ALGORITHM tfp_kdfs[] = {
    { OSSL_KDF_NAME_TLS1_PRF, "provider=tlsfloor", tfp_tls1prf_functions,
      "TLS1-PRF that refuses or logs legacy TLS 1.0/1.1 key expansion" },
    { NULL, NULL, NULL, NULL },
};

/* ---- the provider --------------------------------------------------------------------------- */

static const OSSL_ALGORITHM *tfp_query(void *provctx, int operation_id, int *no_cache)
{
    (void)provctx;
    *no_cache = 0;
    return operation_id == OSSL_OP_KDF ? tfp_kdfs : NULL;
}

static const OSSL_ITEM *tfp_reason_strings(void *provctx)
{
    (void)provctx;
    return tfp_reasons;
}

static const OSSL_PARAM *tfp_gettable_params(void *provctx)
{
    static const OSSL_PARAM table[] = {
        OSSL_PARAM_DEFN(OSSL_PROV_PARAM_NAME, OSSL_PARAM_UTF8_PTR, NULL, 0),
        OSSL_PARAM_DEFN(OSSL_PROV_PARAM_VERSION, OSSL_PARAM_UTF8_PTR, NULL, 0),
        OSSL_PARAM_DEFN(OSSL_PROV_PARAM_BUILDINFO, OSSL_PARAM_UTF8_PTR, NULL, 0),
        OSSL_PARAM_DEFN(OSSL_PROV_PARAM_STATUS, OSSL_PARAM_INTEGER, NULL, 0),
        OSSL_PARAM_DEFN("tlsfloor-mode", OSSL_PARAM_UTF8_PTR, NULL, 0),
        OSSL_PARAM_DEFN("tlsfloor-log", OSSL_PARAM_UTF8_PTR, NULL, 0),
        OSSL_PARAM_END,
    };
    (void)provctx;
    return table;
}

static int tfp_get_params(void *provctx, OSSL_PARAM params[])
{
    struct tfp_prov *p = provctx;
    OSSL_PARAM *q;
    if ((q = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME)) != NULL
        && !OSSL_PARAM_set_utf8_ptr(q, "tlsfloor legacy TLS refusal provider"))
        return 0;
    if ((q = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION)) != NULL && !OSSL_PARAM_set_utf8_ptr(q, TFP_VERSION))
        return 0;
    if ((q = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_BUILDINFO)) != NULL
        && !OSSL_PARAM_set_utf8_ptr(q, "tlsfloor " TFP_VERSION))
        return 0;
    if ((q = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS)) != NULL && !OSSL_PARAM_set_int(q, 1))
        return 0;
    if ((q = OSSL_PARAM_locate(params, "tlsfloor-mode")) != NULL && !OSSL_PARAM_set_utf8_ptr(q, tf_mode_name(p->mode)))
        return 0;
    if ((q = OSSL_PARAM_locate(params, "tlsfloor-log")) != NULL && !OSSL_PARAM_set_utf8_ptr(q, p->log_spec))
        return 0;
    return 1;
}

static void tfp_teardown(void *provctx)
{
    struct tfp_prov *p = provctx;
    if (p == NULL)
        return;
    OSSL_LIB_CTX_free(p->child);
    tfp_track(p, 0);
    tf_log_quiesce(&p->log);
    tf_log_close(&p->log);
    pthread_mutex_destroy(&p->open_lock);
    free(p);
}

static const OSSL_DISPATCH tfp_provider_functions[] = {
    { OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))tfp_teardown },
    { OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))tfp_query },
    { OSSL_FUNC_PROVIDER_GET_REASON_STRINGS, (void (*)(void))tfp_reason_strings },
    { OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, (void (*)(void))tfp_gettable_params },
    { OSSL_FUNC_PROVIDER_GET_PARAMS, (void (*)(void))tfp_get_params },
    { 0, NULL },
};

/* mode and log: the provider's config section, then TLSFLOOR_MODE / TLSFLOOR_LOG (the
 * environment overrides the file, as for the shim; under secure execution it is not read). */
static void tfp_configure(struct tfp_prov *p, OSSL_FUNC_core_get_params_fn *get_params)
{
    struct tf_config *c = calloc(1, sizeof *c);    /* large: keep it off the host's stack */
    const char *mode = NULL, *log = NULL;
    if (c == NULL) {
        p->mode = TF_MODE_ENFORCE;
        snprintf(p->log_spec, sizeof p->log_spec, "stderr");
        return;
    }
    tf_config_init(c);
    if (get_params != NULL) {
        OSSL_PARAM req[] = {
            OSSL_PARAM_utf8_ptr("mode", (char **)&mode, 0),
            OSSL_PARAM_utf8_ptr("log", (char **)&log, 0),
            OSSL_PARAM_END,
        };
        get_params(p->handle, req);
        if (mode != NULL)
            tf_config_set(c, "mode", mode, "openssl config [tlsfloor] mode");
        if (log != NULL)
            tf_config_set(c, "log", log, "openssl config [tlsfloor] log");
    }
    if (getauxval(AT_SECURE) == 0) {
        const char *v;
        if ((v = getenv("TLSFLOOR_MODE")) != NULL && *v != '\0')
            tf_config_set(c, "mode", v, "TLSFLOOR_MODE");
        if ((v = getenv("TLSFLOOR_LOG")) != NULL && *v != '\0')
            tf_config_set(c, "log", v, "TLSFLOOR_LOG");
    }
    p->mode = c->mode;
    snprintf(p->log_spec, sizeof p->log_spec, "%s", c->log);
    p->nconfig_errors = c->nerrors;
    for (int i = 0; i < c->nerrors && i < TF_CONFIG_ERRORS; i++)
        snprintf(p->config_errors[i], sizeof p->config_errors[i], "%s", c->errors[i]);
    free(c);
}

__attribute__((visibility("default")))
int OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in, const OSSL_DISPATCH **out,
                       void **provctx)
{
    OSSL_FUNC_core_get_params_fn *get_params = NULL;
    struct tfp_prov *p;

    /* In a host that links OpenSSL statically this module brings a second libcrypto, whose exit
     * handler would run after the host's and crash it. Must come before anything else. */
    if (!OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL))
        return 0;

    p = calloc(1, sizeof *p);
    if (p == NULL)
        return 0;
    tf_module_fork_init();   /* which forked children must not walk the loaded objects */
    p->handle = handle;
    p->log.fd = -1;
    pthread_mutex_init(&p->open_lock, NULL);
    for (const OSSL_DISPATCH *d = in; d->function_id != 0; d++) {
        switch (d->function_id) {
        case OSSL_FUNC_CORE_GET_PARAMS:
            get_params = OSSL_FUNC_core_get_params(d);
            break;
        case OSSL_FUNC_CORE_NEW_ERROR:
            p->new_error = OSSL_FUNC_core_new_error(d);
            break;
        case OSSL_FUNC_CORE_SET_ERROR_DEBUG:
            p->set_error_debug = OSSL_FUNC_core_set_error_debug(d);
            break;
        case OSSL_FUNC_CORE_VSET_ERROR:
            p->vset_error = OSSL_FUNC_core_vset_error(d);
            break;
        default:
            break;
        }
    }
    /* The other providers of the host's library context, mirrored (this one included: every
     * fetch from it must exclude provider=tlsfloor). */
    p->child = OSSL_LIB_CTX_new_child(handle, in);
    if (p->child == NULL) {
        pthread_mutex_destroy(&p->open_lock);
        free(p);
        return 0;
    }
    tf_origin_init(&p->origin, "provider");
    tfp_configure(p, get_params);
    *provctx = p;
    *out = tfp_provider_functions;
    return 1;
}
