#include "tf_config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_log.h"
#include "tf_sniff.h"
#include "tf_version.h"

const char *tf_mode_name(enum tf_mode mode)
{
    return mode == TF_MODE_AUDIT ? "audit" : "enforce";
}

static void add_error(struct tf_config *c, int quiet, const char *fmt, va_list ap)
{
    if (c->nerrors < TF_CONFIG_ERRORS) {
        vsnprintf(c->errors[c->nerrors], sizeof c->errors[0], fmt, ap);
        c->error_quiet[c->nerrors] = quiet;
    }
    c->nerrors++;
}

void tf_config_error(struct tf_config *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_error(c, 0, fmt, ap);
    va_end(ap);
}

void tf_config_note(struct tf_config *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_error(c, 1, fmt, ap);
    va_end(ap);
}

/* Values are echoed in errors: keep them short and printable there (the log escapes the rest).
 * A secret row's value never is (it may be or name a secret): SHOWN takes SHOW(s, value). */
#define QUOTED "\"%.60s\""
#define SHOWN "%s%.60s%s"
#define SHOW(s, v) (s)->secret ? "" : "\"", (s)->secret ? "(value not shown)" : (v), (s)->secret ? "" : "\""

static int parse_bool(const char *v)
{
    if (!strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "on") || !strcmp(v, "true"))
        return 1;
    if (!strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "off") || !strcmp(v, "false"))
        return 0;
    return -1;
}

struct report_ctx {
    struct tf_config *c;
    const char *origin;
};

static void report_rule(void *ctx, const char *msg)
{
    struct report_ctx *r = ctx;
    tf_config_error(r->c, "%s: %s", r->origin, msg);
}

/* One parser per kind of value: applies value to the field at off, or records an error and
 * keeps the current (safe) value. */
typedef void (*tf_setter)(struct tf_config *c, const struct tf_setting *s, size_t off, const char *value,
                          const char *origin);

#define FIELD(c, off, type) ((type *)(void *)((char *)(c) + (off)))

static void set_mode(struct tf_config *c, const struct tf_setting *s, size_t off, const char *value,
                     const char *origin)
{
    enum tf_mode *mode = FIELD(c, off, enum tf_mode);
    if (!strcmp(value, "enforce"))
        *mode = TF_MODE_ENFORCE;
    else if (!strcmp(value, "audit"))
        *mode = TF_MODE_AUDIT;
    else
        tf_config_error(c, "%s: mode " SHOWN " is not enforce or audit; keeping %s", origin, SHOW(s, value),
                        tf_mode_name(*mode));
}

static void set_min(struct tf_config *c, const struct tf_setting *s, size_t off, const char *value,
                    const char *origin)
{
    int *floor = FIELD(c, off, int);
    int v = tf_version_parse(value);
    if (v == TF_TLS1_2 || v == TF_TLS1_3)
        *floor = v;
    else
        tf_config_error(c, "%s: min " SHOWN " is not 1.2 or 1.3 (nothing lower is accepted); keeping %s", origin,
                        SHOW(s, value), tf_version_name(*floor));
}

static void set_log(struct tf_config *c, const struct tf_setting *s, size_t off, const char *value,
                    const char *origin)
{
    char *log = FIELD(c, off, char);
    if (tf_log_spec_kind(value) >= 0)
        snprintf(log, sizeof c->log, "%s", value);
    else
        tf_config_error(c, "%s: log " SHOWN " is not stderr, syslog, none or an absolute path; keeping %s", origin,
                        SHOW(s, value), log);
}

static void set_bool(struct tf_config *c, const struct tf_setting *s, size_t off, const char *value,
                     const char *origin)
{
    int b = parse_bool(value);
    if (b >= 0)
        *FIELD(c, off, int) = b;
    else
        tf_config_error(c, "%s: %s " SHOWN " is not 0 or 1", origin, s->key, SHOW(s, value));
}

static void set_verify(struct tf_config *c, const struct tf_setting *s, size_t off, const char *value,
                       const char *origin)
{
    enum tf_verify *verify = FIELD(c, off, enum tf_verify);
    if (!strcmp(value, "keep"))
        *verify = TF_VERIFY_KEEP;
    else if (!strcmp(value, "require"))
        *verify = TF_VERIFY_REQUIRE;
    else
        tf_config_error(c, "%s: verify " SHOWN " is not keep or require", origin, SHOW(s, value));
}

static void set_ports(struct tf_config *c, const struct tf_setting *s, size_t off, const char *value,
                      const char *origin)
{
    (void)off;
    int ports[16];
    int n = tf_parse_ports(value, ports, 16);
    if (n >= 0) {
        memcpy(c->mail_ports, ports, sizeof ports);
        c->nmail_ports = n;
    } else {
        tf_config_error(c, "%s: mail_ports " SHOWN " is not a list of at most 16 ports", origin, SHOW(s, value));
    }
}

static void set_rules(struct tf_config *c, const struct tf_setting *s, size_t off, const char *value,
                      const char *origin)
{
    (void)s;
    /* "OLD=NEW[,...]" (environment) or "OLD NEW" (config line, joined by the caller) */
    struct report_ctx r = { c, origin };
    tf_rules_add_list(FIELD(c, off, struct tf_rules), value, report_rule, &r);
}

/* A string setting (a char[TF_CONFIG_STR] field), kept as given; too long is an error, not a cut. */
static void set_string(struct tf_config *c, const struct tf_setting *s, size_t off, const char *value,
                       const char *origin)
{
    if (strlen(value) < TF_CONFIG_STR)
        snprintf(FIELD(c, off, char), TF_CONFIG_STR, "%s", value);
    else
        tf_config_error(c, "%s: %s is longer than %d bytes; ignored", origin, s->key, TF_CONFIG_STR - 1);
}

/* A shell command line (run by /bin/sh -c): one line of printable text (in a config file: the
 * rest of the line, parse_command_line). */
static void set_command(struct tf_config *c, const struct tf_setting *s, size_t off, const char *value,
                        const char *origin)
{
    int printable = 1;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        printable &= *p >= 0x20 || *p == '\t';
    if (strlen(value) < TF_CONFIG_CMD && printable)
        snprintf(FIELD(c, off, char), TF_CONFIG_CMD, "%s", value);
    else
        tf_config_error(c,
                        "%s: %s " SHOWN " is longer than %d bytes or has a line break or control character; "
                        "ignored",
                        origin, s->key, SHOW(s, value), TF_CONFIG_CMD - 1);
}

/* A number of seconds, 1 to 300. */
static void set_seconds(struct tf_config *c, const struct tf_setting *s, size_t off, const char *value,
                        const char *origin)
{
    char *end;
    long v = strtol(value, &end, 10);
    if (end != value && *end == '\0' && v >= 1 && v <= 300)
        *FIELD(c, off, int) = (int)v;
    else
        tf_config_error(c, "%s: %s " SHOWN " is not 1 to 300 seconds", origin, s->key, SHOW(s, value));
}

/* Only from its environment variable (it names the file the others come from). */
static void set_env_only(struct tf_config *c, const struct tf_setting *s, size_t off, const char *value,
                         const char *origin)
{
    if (strcmp(origin, s->env) != 0)
        tf_config_error(c, "%s: unknown setting " QUOTED, origin, s->key);
    else
        set_string(c, s, off, value, origin);
}

const struct tf_setting tf_settings[TF_SETTING_COUNT] = {
#define TF_SETTING(key, env, option, parser, secret, field, defval, values, help) \
    { #key, env, option, #parser, secret, defval, values, help },
#include "tf_settings.def"
#undef TF_SETTING
};

static const struct {
    tf_setter set;
    size_t off;
} setters[TF_SETTING_COUNT] = {
#define TF_SETTING(key, env, option, parser, secret, field, defval, values, help) \
    { parser, offsetof(struct tf_config, field) },
#include "tf_settings.def"
#undef TF_SETTING
};

void tf_config_set(struct tf_config *c, const char *key, const char *value, const char *origin)
{
    for (size_t i = 0; i < TF_SETTING_COUNT; i++) {
        if (!strcmp(key, tf_settings[i].key)) {
            setters[i].set(c, &tf_settings[i], setters[i].off, value, origin);
            return;
        }
    }
    tf_config_error(c, "%s: unknown setting " QUOTED, origin, key);
}

void tf_config_init(struct tf_config *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < TF_SETTING_COUNT; i++)
        if (tf_settings[i].defval[0] != '\0')
            setters[i].set(c, &tf_settings[i], setters[i].off, tf_settings[i].defval, tf_settings[i].env);
}

/* Splits one config line into words; returns how many (at most max). */
static int split_words(char *line, char **words, int max)
{
    int n = 0;
    char *p = line;
    while (*p && n < max + 1) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        if (n == max)
            return max + 1;   /* too many words */
        words[n++] = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (*p)
            *p++ = '\0';
    }
    return n;
}

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* The length of the key line starts with (after blanks, before a blank), 0 when it does not. */
static size_t starts_with_key(const char *line, const char *key)
{
    size_t i = 0, n = strlen(key);
    while (is_blank(line[i]))
        i++;
    return !strncmp(line + i, key, n) && is_blank(line[i + n]) ? i + n : 0;
}

/* "KEY CMD..." for a command setting (parser set_command): the value is the rest of the line (a
 * shell command has spaces and may have a '#'); returns 1 when the line was such a setting. */
static int parse_command_line(struct tf_config *c, char *line, const char *origin)
{
    size_t i = 0;
    const struct tf_setting *s = NULL;
    for (size_t k = 0; k < TF_SETTING_COUNT && !i; k++)
        if (setters[k].set == set_command && (i = starts_with_key(line, tf_settings[k].key)) != 0)
            s = &tf_settings[k];
    if (!s)
        return 0;
    size_t len = i + strlen(line + i);
    while (i < len && is_blank(line[i]))
        i++;
    if (i + 1 < len && line[i] == '=' && is_blank(line[i + 1]))
        for (i++; i < len && is_blank(line[i]);)
            i++;
    while (len > i && is_blank(line[len - 1]))
        line[--len] = '\0';
    if (i < len)
        tf_config_set(c, s->key, line + i, origin);
    else
        tf_config_error(c, "%s: expected \"%s COMMAND\"", origin, s->key);
    return 1;
}

static void parse_line(struct tf_config *c, char *line, const char *origin)
{
    char *hash = strchr(line, '#');
    char *words[4];
    if (parse_command_line(c, line, origin))
        return;   /* a '#' there belongs to the command */
    if (hash)
        *hash = '\0';
    int n = split_words(line, words, 4);
    if (n == 0)
        return;
    if (n > 4) {   /* split_words says "more than fit" */
        tf_config_error(c, "%s: too many words", origin);
        return;
    }
    /* "key = value" is accepted as "key value" */
    if (n >= 2 && !strcmp(words[1], "=")) {
        for (int i = 1; i + 1 < n; i++)
            words[i] = words[i + 1];
        n--;
    }
    if (!strcmp(words[0], "rewrite")) {
        char joined[2 * TF_HOST_MAX + 2];
        if (n != 3) {
            tf_config_error(c, "%s: expected \"rewrite OLD NEW\"", origin);
            return;
        }
        if (strchr(words[1], '=') || strchr(words[1], ',') || strchr(words[2], '=') || strchr(words[2], ',')) {
            tf_config_error(c, "%s: rewrite names may not contain '=' or ','", origin);
            return;
        }
        snprintf(joined, sizeof joined, "%.253s=%.253s", words[1], words[2]);
        tf_config_set(c, "rewrite", joined, origin);
        return;
    }
    if (n != 2) {
        tf_config_error(c, "%s: expected \"key value\"", origin);
        return;
    }
    tf_config_set(c, words[0], words[1], origin);
}

void tf_config_parse_text(struct tf_config *c, const char *text, size_t len, const char *path)
{
    size_t start = 0;
    int lineno = 0;
    while (start < len) {
        size_t end = start;
        while (end < len && text[end] != '\n')
            end++;
        lineno++;
        char line[1024], origin[300];
        snprintf(origin, sizeof origin, "%.280s:%d", path, lineno);
        size_t n = end - start;
        if (memchr(text + start, '\0', n)) {
            tf_config_error(c, "%s: line contains a NUL byte; ignored", origin);
        } else if (n >= sizeof line) {
            tf_config_error(c, "%s: line longer than %zu bytes; ignored", origin, sizeof line - 1);
        } else {
            memcpy(line, text + start, n);
            line[n] = '\0';
            if (n && line[n - 1] == '\r')
                line[n - 1] = '\0';
            parse_line(c, line, origin);
        }
        start = end + 1;
    }
}

void tf_config_apply_env(struct tf_config *c, const char *(*get)(const char *name))
{
    for (size_t i = 0; i < TF_SETTING_COUNT; i++) {
        const char *v = get(tf_settings[i].env);
        /* an empty list or file name means none (a wrapper exports them empty) */
        int list = setters[i].set == set_rules || setters[i].set == set_env_only;
        if (v != NULL && (v[0] != '\0' || !list))
            setters[i].set(c, &tf_settings[i], setters[i].off, v, tf_settings[i].env);
    }
}
