/* libFuzzer target: rewrite rule parsing (tf_rules_add_list) and matching (tf_rewrite_lookup).
 * Input: a rule list, then '\n', then names to look up (one per line). Checks: a hit is a valid
 * host name from the table; lookups are case-insensitive and ignore one trailing dot; a name that
 * is itself a rule's target never maps outside the tables. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tf_rewrite.h"

static void ignore(void *ctx, const char *msg)
{
    (void)ctx;
    if (memchr(msg, '\0', 512) == NULL)
        abort();
}

static int in_table(const struct tf_rules *r, const char *p)
{
    for (int i = 0; i < r->count; i++)
        if (p == r->rule[i].new)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct tf_rules rules;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    memset(&rules, 0, sizeof rules);
    char *nl = strchr(text, '\n');
    char *names = nl ? nl + 1 : NULL;
    if (nl)
        *nl = '\0';
    tf_rules_add_list(&rules, text, ignore, NULL);
    if (rules.count < 0 || rules.count > TF_RULES_MAX)
        abort();
    for (int i = 0; i < rules.count; i++) {
        const struct tf_rule *r = &rules.rule[i];
        size_t ol = strlen(r->old), nlen = strlen(r->new);
        if (!tf_hostname_valid(r->new, nlen))
            abort();
        if (r->wildcard ? (ol < 3 || strncmp(r->old, "*.", 2) || !tf_hostname_valid(r->old + 2, ol - 2))
                        : !tf_hostname_valid(r->old, ol))
            abort();
    }
    while (names) {
        char *next = strchr(names, '\n');
        if (next)
            *next++ = '\0';
        for (int builtin = 0; builtin < 2; builtin++) {
            const char *hit = tf_rewrite_lookup(&rules, builtin, names);
            if (hit && !in_table(&rules, hit) && !in_table(&tf_builtin_rules, hit))
                abort();
            /* The same name upper-cased, and with one trailing dot, maps the same way. */
            char variant[600];
            size_t n = strlen(names);
            if (n + 2 < sizeof variant && n > 0 && names[n - 1] != '.') {
                for (size_t i = 0; i < n; i++)
                    variant[i] = (char)toupper((unsigned char)names[i]);
                variant[n] = '.';
                variant[n + 1] = '\0';
                if (n + 1 <= TF_HOST_MAX && tf_rewrite_lookup(&rules, builtin, variant) != hit)
                    abort();
            }
        }
        names = next;
    }
    free(text);
    return 0;
}
