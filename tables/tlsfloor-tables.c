/* tlsfloor tables [events|rules|ports|libraries|settings] [--json|--tsv|--markdown]
 *        tlsfloor tables check-setting KEY VALUE
 *        tlsfloor-tables --write DIR
 *
 * Prints the tables defined once in common/ (events, built-in rewrite rules, mail ports, TLS
 * libraries, settings) for the scripts, so none of them re-types one. --tsv (the default) is one
 * row per line, tab-separated, with a "#"-prefixed header; --json an array of objects;
 * --markdown the README's table rows (events and settings). check-setting runs the shim's own
 * parser on one value: exit 0 when it is accepted, 1 with the parser's message on stderr.
 * --write DIR (the build) writes every table as DIR/NAME.tsv and DIR/NAME.json: installed under
 * share/tlsfloor/tables, architecture-independent, for the wrapper and the shell subcommands. */
#include <stdio.h>
#include <string.h>

#include "tf_config.h"
#include "tf_events.h"
#include "tf_json.h"
#include "tf_rewrite.h"
#include "tf_sniff.h"
#include "tf_stack.h"

enum format { TSV, JSON, MARKDOWN };

/* A TSV cell: "-" for an empty value (a shell's read joins consecutive tabs). */
static const char *cell(const char *s)
{
    return s[0] ? s : "-";
}

/* Prints s as a JSON string. */
static void json_str(const char *s)
{
    char mem[4096];
    struct tf_buf b;
    tf_buf_init(&b, mem, sizeof mem);
    tf_json_string(&b, s, sizeof mem - 8);
    fputs(mem, stdout);
}

/* Starts element i of a JSON array (the caller closes it with "}"). */
static void json_item(size_t i)
{
    fputs(i ? ",\n  {" : "[\n  {", stdout);
}

static void json_end(size_t n)
{
    puts(n ? "\n]" : "[]");
}

static void json_kv(const char *key, const char *value, int first)
{
    if (!first)
        fputs(", ", stdout);
    json_str(key);
    fputs(": ", stdout);
    json_str(value);
}

static void event_keys_json(const struct tf_event_info *e)
{
    struct tf_event_key k;
    size_t pos = 0;
    int first = 1;
    fputs(", \"keys\": {", stdout);
    while (tf_event_key_next(e->keys, &pos, &k) > 0) {
        printf("%s", first ? "" : ", ");
        json_str(k.name);
        printf(": {\"type\": \"%s\", \"required\": %s}", tf_key_type_name(k.type), k.optional ? "false" : "true");
        first = 0;
    }
    fputs("}", stdout);
}

static void tools_json(const char *tools)
{
    char copy[64];
    snprintf(copy, sizeof copy, "%s", tools);
    fputs(", \"tools\": [", stdout);
    int first = 1;
    for (char *save = NULL, *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        printf("%s", first ? "" : ", ");
        json_str(t);
        first = 0;
    }
    fputs("]", stdout);
}

static void print_events(enum format f)
{
    if (f == TSV)
        puts("#name\ttools\tkeys\tmeaning");
    for (size_t i = 0; i < TF_EVENT_COUNT; i++) {
        const struct tf_event_info *e = &tf_events[i];
        if (f == TSV) {
            printf("%s\t%s\t%s\t%s\n", e->name, e->tools, e->keys, e->meaning);
        } else if (f == MARKDOWN) {
            printf("| `%s` | %s | %s |\n", e->name, e->tools, e->meaning);
        } else {
            json_item(i);
            json_kv("name", e->name, 1);
            json_kv("meaning", e->meaning, 0);
            tools_json(e->tools);
            event_keys_json(e);
            fputs("}", stdout);
        }
    }
    if (f == JSON)
        json_end(TF_EVENT_COUNT);
}

static void print_rules(enum format f)
{
    const struct tf_rules *r = &tf_builtin_rules;
    if (f == TSV)
        puts("#old\tnew");
    for (int i = 0; i < r->count; i++) {
        if (f == JSON) {
            json_item((size_t)i);
            json_kv("old", r->rule[i].old, 1);
            json_kv("new", r->rule[i].new, 0);
            fputs("}", stdout);
        } else {
            printf("%s\t%s\n", r->rule[i].old, r->rule[i].new);
        }
    }
    if (f == JSON)
        json_end((size_t)r->count);
}

static void print_ports(enum format f)
{
    size_t n;
    const struct tf_mail_port *p = tf_mail_ports(&n);
    if (f == TSV)
        puts("#port\tprotocol\timplicit_tls");
    for (size_t i = 0; i < n; i++) {
        if (f == JSON) {
            json_item(i);
            printf("\"port\": %d, \"protocol\": \"%s\", \"implicit_tls\": %s}", p[i].port, tf_proto_name(p[i].proto),
                   p[i].implicit_tls ? "true" : "false");
        } else {
            printf("%d\t%s\t%d\n", p[i].port, tf_proto_name(p[i].proto), p[i].implicit_tls);
        }
    }
    if (f == JSON)
        json_end(n);
}

static void print_libraries(enum format f)
{
    size_t n;
    const struct tf_stack_library *l = tf_stack_libraries(&n);
    if (f == TSV)
        puts("#prefix\tstack\ttls_library");
    for (size_t i = 0; i < n; i++) {
        if (f == JSON) {
            json_item(i);
            json_kv("prefix", l[i].prefix, 1);
            json_kv("stack", l[i].stack, 0);
            printf(", \"tls_library\": %s}", l[i].listed ? "true" : "false");
        } else {
            printf("%s\t%s\t%d\n", l[i].prefix, l[i].stack, l[i].listed);
        }
    }
    if (f == JSON)
        json_end(n);
}

/* The README's Configuration row: | `ENV` | `key` | values | `default` (or none) | */
static void setting_markdown(const struct tf_setting *s)
{
    printf("| `%s` | ", s->env);
    if (!strcmp(s->parser, "set_env_only"))
        fputs("-", stdout);
    else
        printf("`%s`", s->key);
    printf(" | %s | ", s->values);
    if (s->defval[0])
        printf("`%s` |\n", s->defval);
    else
        puts("none |");
}

static void print_settings(enum format f)
{
    if (f == TSV)
        puts("#key\tenv\toption\tparser\tsecret\tdefault\tvalues\thelp  (\"-\": none)");
    for (size_t i = 0; i < TF_SETTING_COUNT; i++) {
        const struct tf_setting *s = &tf_settings[i];
        if (f == TSV) {
            printf("%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", s->key, s->env, cell(s->option), s->parser, s->secret,
                   cell(s->defval), s->values, s->help);
        } else if (f == MARKDOWN) {
            setting_markdown(s);
        } else {
            json_item(i);
            json_kv("key", s->key, 1);
            json_kv("env", s->env, 0);
            json_kv("option", s->option, 0);
            json_kv("parser", s->parser, 0);
            printf(", \"secret\": %s", s->secret ? "true" : "false");
            json_kv("default", s->defval, 0);
            json_kv("values", s->values, 0);
            json_kv("help", s->help, 0);
            fputs("}", stdout);
        }
    }
    if (f == JSON)
        json_end(TF_SETTING_COUNT);
}

/* The shim's verdict on one value: what tf_config_set says, nothing else. */
static int check_setting(const char *key, const char *value)
{
    struct tf_config c;
    tf_config_init(&c);
    for (size_t i = 0; i < TF_SETTING_COUNT; i++) {
        if (!strcmp(tf_settings[i].key, key)) {
            tf_config_set(&c, key, value, tf_settings[i].env);
            if (c.nerrors == 0)
                return 0;
            fprintf(stderr, "%s\n", c.errors[0]);
            return 1;
        }
    }
    fprintf(stderr, "unknown setting %s\n", key);
    return 1;
}

static int usage(void)
{
    fputs("usage: tlsfloor tables [events|rules|ports|libraries|settings] [--json|--tsv|--markdown]\n"
          "       tlsfloor tables check-setting KEY VALUE\n",
          stderr);
    return 2;
}

static const struct {
    const char *name;
    void (*print)(enum format);
} tables[] = {
    { "events", print_events }, { "rules", print_rules }, { "ports", print_ports },
    { "libraries", print_libraries }, { "settings", print_settings },
};

#define NTABLES (sizeof tables / sizeof tables[0])

/* Every table in both machine formats into dir; 0, or 1 when a file cannot be written. */
static int write_all(const char *dir)
{
    static const struct { const char *ext; enum format f; } formats[] = { { "tsv", TSV }, { "json", JSON } };
    for (size_t i = 0; i < NTABLES; i++) {
        for (size_t j = 0; j < 2; j++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s.%s", dir, tables[i].name, formats[j].ext);
            if (freopen(path, "w", stdout) == NULL) {
                perror(path);
                return 1;
            }
            tables[i].print(formats[j].f);
            if (fflush(stdout) != 0) {
                perror(path);
                return 1;
            }
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "check-setting"))
        return check_setting(argv[2], argv[3]);
    if (argc == 3 && !strcmp(argv[1], "--write"))
        return write_all(argv[2]);
    if (argc < 2 || argc > 3)
        return usage();
    enum format f = TSV;
    if (argc == 3) {
        if (!strcmp(argv[2], "--json"))
            f = JSON;
        else if (!strcmp(argv[2], "--markdown"))
            f = MARKDOWN;
        else if (strcmp(argv[2], "--tsv") != 0)
            return usage();
    }
    for (size_t i = 0; i < NTABLES; i++) {
        if (!strcmp(argv[1], tables[i].name)) {
            tables[i].print(f);
            return 0;
        }
    }
    return usage();
}
