/* libFuzzer target: the config file parser (tf_config_parse_text) and the environment path.
 * Checks invariants on the result: the floor is 1.2 or 1.3, the log spec is valid, every kept
 * error string is NUL-terminated, rules stay within the table. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tf_config.h"
#include "tf_log.h"
#include "tf_version.h"

static const uint8_t *env_data;
static size_t env_len;
static char env_value[512];

/* Environment lookups return slices of the input (each variable gets a piece). */
static const char *fuzz_env(const char *name)
{
    size_t h = strlen(name) % 7, n = env_len > 64 ? 64 : env_len;
    if (env_len == 0 || h == 3)
        return NULL;
    memcpy(env_value, env_data, n);
    env_value[n] = '\0';
    return env_value;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct tf_config c;   /* ~70 KiB: not on the stack */
    tf_config_init(&c);
    tf_config_parse_text(&c, (const char *)data, size, "/fuzz.conf");
    env_data = data;
    env_len = size;
    if (size && data[0] == 'E')
        tf_config_apply_env(&c, fuzz_env);
    if (c.floor != TF_TLS1_2 && c.floor != TF_TLS1_3)
        abort();
    if (c.mode != TF_MODE_ENFORCE && c.mode != TF_MODE_AUDIT)
        abort();
    if (memchr(c.log, '\0', sizeof c.log) == NULL || tf_log_spec_kind(c.log) < 0)
        abort();
    if (c.rules.count < 0 || c.rules.count > TF_RULES_MAX || c.nerrors < 0)
        abort();
    for (int i = 0; i < c.nerrors && i < TF_CONFIG_ERRORS; i++)
        if (memchr(c.errors[i], '\0', sizeof c.errors[i]) == NULL)
            abort();
    for (int i = 0; i < c.rules.count; i++)
        if (!memchr(c.rules.rule[i].old, '\0', TF_HOST_MAX) || !memchr(c.rules.rule[i].new, '\0', TF_HOST_MAX))
            abort();
    return 0;
}
