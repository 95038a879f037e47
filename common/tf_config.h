/* Settings from the config file and the environment. Parsing is pure: callers do the I/O. */
#ifndef TF_CONFIG_H
#define TF_CONFIG_H

#include <stddef.h>

#include "tf_rewrite.h"

#define TF_CONFIG_DEFAULT_PATH "/etc/tlsfloor.conf"
#define TF_CONFIG_MAX_BYTES (256 * 1024)
#define TF_CONFIG_ERRORS 8
#define TF_CONFIG_STR 512      /* size of a string setting (parser set_string) */
#define TF_CONFIG_CMD 1024     /* size of a command line setting (parser set_command) */

enum tf_mode { TF_MODE_ENFORCE, TF_MODE_AUDIT };
enum tf_verify { TF_VERIFY_KEEP, TF_VERIFY_REQUIRE };

struct tf_config {
    enum tf_mode mode;
    int floor;                   /* TF_TLS1_2 or TF_TLS1_3 */
    char log[512];               /* "stderr", "syslog", "none" or a path */
    int rewrite_defaults;        /* built-in Microsoft rules on */
    enum tf_verify verify;
    struct tf_rules rules;       /* user rules */
    int mail_ports[16];          /* connections to these are watched for coverage and auth */
    int nmail_ports;
    int log_user;                /* auth records may carry the user name */
    char config_file[TF_CONFIG_STR];       /* the file TLSFLOOR_CONFIG named (read by the caller), or "" */
    char oauth_token_command[TF_CONFIG_CMD];   /* the OAuth bridge's token command; "" = bridge off */
    int oauth_token_timeout;     /* seconds the token command may take */
    int nerrors;                 /* errors beyond TF_CONFIG_ERRORS are counted, not kept */
    char errors[TF_CONFIG_ERRORS][240];
    int error_quiet[TF_CONFIG_ERRORS];   /* a note for the log sink, not for the program's stderr */
};

/* The settings table (tf_settings.def) as data, for `tlsfloor tables settings` and tests. */
struct tf_setting {
    const char *key;         /* config file key */
    const char *env;         /* environment variable */
    const char *option;      /* wrapper option(s), "" when none */
    const char *parser;      /* name of the parser in tf_config.c */
    int secret;              /* 1: the value is never shown (errors, the wrapper's messages) */
    const char *defval;      /* default, applied by tf_config_init ("" none) */
    const char *values;      /* the README's "values" cell */
    const char *help;        /* one line for --help */
};

enum tf_setting_id {
#define TF_SETTING(key, env, option, parser, secret, field, defval, values, help) TF_SETTING_ID_##key,
#include "tf_settings.def"
#undef TF_SETTING
    TF_SETTING_COUNT
};

extern const struct tf_setting tf_settings[TF_SETTING_COUNT];

/* The environment variable of a setting, checked at compile time: TF_SETTING_ENV(config). */
#define TF_SETTING_ENV(key) (tf_settings[TF_SETTING_ID_##key].env)

/* Sets every default of the table (tf_config_set on each non-empty default). */
void tf_config_init(struct tf_config *c);

/* Applies one setting; origin names where it came from ("TLSFLOOR_MIN", "/etc/x.conf:3").
 * A bad value leaves the current (safe) value and records an error. */
void tf_config_set(struct tf_config *c, const char *key, const char *value, const char *origin);

/* Parses a whole config file's text (need not be NUL-terminated). */
void tf_config_parse_text(struct tf_config *c, const char *text, size_t len, const char *path);

/* Applies TLSFLOOR_* variables through get (getenv, or a test's table). */
void tf_config_apply_env(struct tf_config *c, const char *(*get)(const char *name));

/* Records an error message (also used by callers for I/O failures). */
void tf_config_error(struct tf_config *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records a quiet error: reported like the others, but never on the program's stderr (an
 * unreadable system config is normal for a user who is not root). */
void tf_config_note(struct tf_config *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

const char *tf_mode_name(enum tf_mode mode);

#endif
