#include "tf_rewrite.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const struct tf_rules tf_builtin_rules = {
    .rule = {
        { "pop-legacy.office365.com", "outlook.office365.com", 0 },
        { "imap-legacy.office365.com", "outlook.office365.com", 0 },
        { "smtp-legacy.office365.com", "smtp.office365.com", 0 },
        { "pop-legacy.partner.outlook.cn", "partner.outlook.cn", 0 },
        { "imap-legacy.partner.outlook.cn", "partner.outlook.cn", 0 },
        { "smtp-legacy.partner.outlook.cn", "smtp.partner.outlook.cn", 0 },
    },
    .count = 6,
};

int tf_hostname_valid(const char *text, size_t len)
{
    size_t label = 0;
    if (len == 0 || len > TF_HOST_MAX - 1)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '.') {
            if (label == 0)
                return 0;
            label = 0;
        } else if (isalnum(c) || c == '-' || c == '_') {
            if (++label > 63)
                return 0;
        } else {
            return 0;
        }
    }
    return label > 0;
}

/* Copies text lower-cased without surrounding blanks and one trailing dot. */
static size_t normalise(const char *text, char *out, size_t cap)
{
    while (*text == ' ' || *text == '\t')
        text++;
    size_t len = strlen(text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    if (len && text[len - 1] == '.')
        len--;
    if (len >= cap)
        return cap;   /* too long: caller rejects */
    for (size_t i = 0; i < len; i++)
        out[i] = (char)tolower((unsigned char)text[i]);
    out[len] = '\0';
    return len;
}

int tf_rule_parse(const char *old, const char *new, struct tf_rule *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t olen = normalise(old, out->old, sizeof out->old);
    size_t nlen = normalise(new, out->new, sizeof out->new);
    const char *check = out->old;
    size_t clen = olen;
    if (olen < sizeof out->old && strncmp(out->old, "*.", 2) == 0) {
        out->wildcard = 1;
        check += 2;
        clen -= 2;
    }
    if (olen >= sizeof out->old || !tf_hostname_valid(check, clen)) {
        snprintf(err, errlen, "rewrite rule: \"%.80s\" is not a host name or *.domain", old);
        return -1;
    }
    if (nlen >= sizeof out->new || !tf_hostname_valid(out->new, nlen)) {
        snprintf(err, errlen, "rewrite rule: \"%.80s\" is not a host name", new);
        return -1;
    }
    if (!out->wildcard && strcmp(out->old, out->new) == 0) {
        snprintf(err, errlen, "rewrite rule: %.80s rewrites to itself", old);
        return -1;
    }
    return 0;
}

/* Adds one validated rule; -1 when the table is full. */
static int tf_rules_add(struct tf_rules *rules, const struct tf_rule *rule)
{
    if (rules->count >= TF_RULES_MAX)
        return -1;
    rules->rule[rules->count++] = *rule;
    return 0;
}

int tf_rules_add_list(struct tf_rules *rules, const char *list,
                      void (*report)(void *ctx, const char *msg), void *ctx)
{
    int bad = 0;
    const char *p = list;
    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char item[2 * TF_HOST_MAX + 2], err[200];
        struct tf_rule rule;
        if (len >= sizeof item) {
            snprintf(err, sizeof err, "rewrite rule: entry of %zu characters is too long", len);
            report(ctx, err);
            bad++;
        } else if (len > 0) {
            memcpy(item, p, len);
            item[len] = '\0';
            char *eq = strchr(item, '=');
            if (eq == NULL || strchr(eq + 1, '=') != NULL) {
                snprintf(err, sizeof err, "rewrite rule: \"%.80s\" is not OLD=NEW", item);
                report(ctx, err);
                bad++;
            } else {
                *eq = '\0';
                if (tf_rule_parse(item, eq + 1, &rule, err, sizeof err) != 0) {
                    report(ctx, err);
                    bad++;
                } else if (tf_rules_add(rules, &rule) != 0) {
                    report(ctx, "rewrite rule: too many rules (64 at most); the rest are ignored");
                    return bad + 1;
                }
            }
        }
        p = end ? end + 1 : NULL;
    }
    return bad;
}

/* Whether name lies one or more labels below domain. */
static int below(const char *name, size_t nlen, const char *domain)
{
    size_t dlen = strlen(domain);
    return nlen > dlen + 1 && name[nlen - dlen - 1] == '.' && strcmp(name + nlen - dlen, domain) == 0;
}

static const char *lookup_in(const struct tf_rules *rules, const char *name, size_t nlen)
{
    for (int i = 0; i < rules->count; i++)
        if (!rules->rule[i].wildcard && strcmp(rules->rule[i].old, name) == 0)
            return rules->rule[i].new;
    for (int i = 0; i < rules->count; i++)
        if (rules->rule[i].wildcard && below(name, nlen, rules->rule[i].old + 2))
            return rules->rule[i].new;
    return NULL;
}

const char *tf_rewrite_lookup(const struct tf_rules *user, int use_builtin, const char *name)
{
    char norm[TF_HOST_MAX];
    if (name == NULL)
        return NULL;
    /* The name as a resolver would see it: lower case and one trailing dot ignored, nothing
     * else forgiven (" host" is not "host": the C library would not resolve it either). */
    size_t len = strlen(name);
    if (len && name[len - 1] == '.')
        len--;
    if (len == 0 || len >= sizeof norm || !tf_hostname_valid(name, len))
        return NULL;
    for (size_t i = 0; i < len; i++)
        norm[i] = (char)tolower((unsigned char)name[i]);
    norm[len] = '\0';
    const char *hit = user ? lookup_in(user, norm, len) : NULL;
    if (!hit && use_builtin)
        hit = lookup_in(&tf_builtin_rules, norm, len);
    /* A wildcard may cover its own target (*.office365.com -> outlook.office365.com): the
     * target itself is not rewritten. */
    if (hit && strcmp(hit, norm) == 0)
        return NULL;
    return hit;
}
