#include "tf_config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_log.h"
#include "tf_sniff.h"
#include "tf_version.h"

void tf_config_init(struct tf_config *c)
{
    memset(c, 0, sizeof *c);
    c->mode = TF_MODE_ENFORCE;
    c->floor = TF_TLS1_2;
    snprintf(c->log, sizeof c->log, "stderr");
    c->rewrite_defaults = 1;
    c->verify = TF_VERIFY_KEEP;
    c->nmail_ports = tf_parse_ports("993,995,143,110,587,465,25", c->mail_ports, 16);
    c->oauth_token_timeout = 10;
}

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

/* Values are echoed in errors: keep them short and printable there (the log escapes the rest). */
#define SHOWN "\"%.60s\""

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

void tf_config_set(struct tf_config *c, const char *key, const char *value, const char *origin)
{
    if (!strcmp(key, "mode")) {
        if (!strcmp(value, "enforce"))
            c->mode = TF_MODE_ENFORCE;
        else if (!strcmp(value, "audit"))
            c->mode = TF_MODE_AUDIT;
        else
            tf_config_error(c, "%s: mode " SHOWN " is not enforce or audit; keeping %s", origin, value,
                            tf_mode_name(c->mode));
    } else if (!strcmp(key, "min")) {
        int v = tf_version_parse(value);
        if (v == TF_TLS1_2 || v == TF_TLS1_3)
            c->floor = v;
        else
            tf_config_error(c, "%s: min " SHOWN " is not 1.2 or 1.3 (nothing lower is accepted); keeping %s",
                            origin, value, tf_version_name(c->floor));
    } else if (!strcmp(key, "log")) {
        if (tf_log_spec_kind(value) >= 0)
            snprintf(c->log, sizeof c->log, "%s", value);
        else
            tf_config_error(c, "%s: log " SHOWN " is not stderr, syslog, none or an absolute path; keeping %s",
                            origin, value, c->log);
    } else if (!strcmp(key, "rewrite_defaults")) {
        int b = parse_bool(value);
        if (b >= 0)
            c->rewrite_defaults = b;
        else
            tf_config_error(c, "%s: rewrite_defaults " SHOWN " is not 0 or 1", origin, value);
    } else if (!strcmp(key, "verify")) {
        if (!strcmp(value, "keep"))
            c->verify = TF_VERIFY_KEEP;
        else if (!strcmp(value, "require"))
            c->verify = TF_VERIFY_REQUIRE;
        else
            tf_config_error(c, "%s: verify " SHOWN " is not keep or require", origin, value);
    } else if (!strcmp(key, "mail_ports")) {
        int ports[16];
        int n = tf_parse_ports(value, ports, 16);
        if (n >= 0) {
            memcpy(c->mail_ports, ports, sizeof ports);
            c->nmail_ports = n;
        } else {
            tf_config_error(c, "%s: mail_ports " SHOWN " is not a list of at most 16 ports", origin, value);
        }
    } else if (!strcmp(key, "log_user")) {
        int b = parse_bool(value);
        if (b >= 0)
            c->log_user = b;
        else
            tf_config_error(c, "%s: log_user " SHOWN " is not 0 or 1", origin, value);
    } else if (!strcmp(key, "oauth_token_command")) {
        /* a shell command line: run by /bin/sh -c, never echoed (it may name a secret store) */
        if (strlen(value) < sizeof c->oauth_token_command && !strpbrk(value, "\r\n"))
            snprintf(c->oauth_token_command, sizeof c->oauth_token_command, "%s", value);
        else
            tf_config_error(c, "%s: oauth_token_command is longer than %zu bytes or has a line break",
                            origin, sizeof c->oauth_token_command - 1);
    } else if (!strcmp(key, "oauth_token_timeout")) {
        char *end;
        long v = strtol(value, &end, 10);
        if (end != value && !*end && v >= 1 && v <= 300)
            c->oauth_token_timeout = (int)v;
        else
            tf_config_error(c, "%s: oauth_token_timeout " SHOWN " is not 1 to 300 seconds", origin, value);
    } else if (!strcmp(key, "rewrite")) {
        /* "OLD=NEW[,...]" (environment) or "OLD NEW" (config line, joined by the caller) */
        struct report_ctx r = { c, origin };
        tf_rules_add_list(&c->rules, value, report_rule, &r);
    } else {
        tf_config_error(c, "%s: unknown setting " SHOWN, origin, key);
    }
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

/* "oauth_token_command CMD...": the value is the rest of the line (a shell command has spaces);
 * returns 1 when the line was that setting. */
static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v';
}

static int parse_command_line(struct tf_config *c, char *line, const char *origin)
{
    static const char key[] = "oauth_token_command";
    size_t i = 0;
    while (is_blank(line[i]))
        i++;
    for (size_t k = 0; k < sizeof key - 1; k++, i++)
        if (line[i] != key[k])
            return 0;   /* (stops at the line's end: no key character is NUL) */
    if (!is_blank(line[i]))
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
        tf_config_set(c, key, line + i, origin);
    else
        tf_config_error(c, "%s: expected \"oauth_token_command COMMAND\"", origin);
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
    static const struct { char var[32], key[24]; } vars[] = {
        { "TLSFLOOR_MODE", "mode" }, { "TLSFLOOR_MIN", "min" }, { "TLSFLOOR_LOG", "log" },
        { "TLSFLOOR_REWRITE_DEFAULTS", "rewrite_defaults" }, { "TLSFLOOR_VERIFY", "verify" },
        { "TLSFLOOR_REWRITE", "rewrite" }, { "TLSFLOOR_MAIL_PORTS", "mail_ports" },
        { "TLSFLOOR_LOG_USER", "log_user" },
        { "TLSFLOOR_OAUTH_TOKEN_COMMAND", "oauth_token_command" },
        { "TLSFLOOR_OAUTH_TOKEN_TIMEOUT", "oauth_token_timeout" },
    };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = get(vars[i].var);
        if (v != NULL && (v[0] != '\0' || strcmp(vars[i].key, "rewrite") != 0))
            tf_config_set(c, vars[i].key, v, vars[i].var);
    }
}
