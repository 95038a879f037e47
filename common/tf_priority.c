/* GnuTLS priority strings raised to the floor (see tf_priority.h). */
#include "tf_priority.h"

#include <string.h>
#include <strings.h>

#include "tf_version.h"

static const struct {
    const char *name;
    int version;
} versions[] = {
    { "VERS-SSL3.0", TF_SSL3 },   { "VERS-TLS1.0", TF_TLS1_0 }, { "VERS-TLS1.1", TF_TLS1_1 },
    { "VERS-TLS1.2", TF_TLS1_2 }, { "VERS-TLS1.3", TF_TLS1_3 },
};
#define NVERS (sizeof versions / sizeof versions[0])

/* The TLS version an element body (after its sign) names, 0 when none. */
static int version_of(const char *body, size_t n)
{
    for (size_t i = 0; i < NVERS; i++)
        if (strlen(versions[i].name) == n && strncasecmp(body, versions[i].name, n) == 0)
            return versions[i].version;
    return 0;
}

static int is_all_off(const char *e, size_t n)
{
    if (n < 2 || (e[0] != '-' && e[0] != '!'))
        return 0;
    return (n - 1 == 8 && strncasecmp(e + 1, "VERS-ALL", 8) == 0) ||
           (n - 1 == 12 && strncasecmp(e + 1, "VERS-TLS-ALL", 12) == 0);
}

/* One element e[0..n): whether the raise drops it. */
static int dropped(const char *e, size_t n, int floor)
{
    if (n < 2)
        return 0;
    int v = version_of(e + 1, n - 1);
    if (v == 0)
        return 0;
    if (e[0] == '+')
        return v < floor;
    return (e[0] == '-' || e[0] == '!') && v == floor;
}

/* What the kept elements say about version v: 1 enabled after the last all-off, -1 switched
 * off explicitly (last word), 0 nothing. */
struct verdicts {
    int state[NVERS];
};

static void note_kept(struct verdicts *vd, const char *e, size_t n)
{
    if (is_all_off(e, n)) {
        for (size_t i = 0; i < NVERS; i++)
            if (vd->state[i] > 0)
                vd->state[i] = 0;
        return;
    }
    if (n < 2)
        return;
    int v = version_of(e + 1, n - 1);
    for (size_t i = 0; v && i < NVERS; i++)
        if (versions[i].version == v)
            vd->state[i] = e[0] == '+' ? 1 : (e[0] == '-' || e[0] == '!') ? -1 : vd->state[i];
}

/* Appends s[0..n) to out at *used; 0 when it does not fit (with the final NUL). */
static int put(char *out, size_t cap, size_t *used, const char *s, size_t n)
{
    if (*used + n + 1 > cap)
        return 0;
    memcpy(out + *used, s, n);
    *used += n;
    out[*used] = '\0';
    return 1;
}

/* Whether the raise drops any element of in. */
static int drops_any(const char *in, int floor)
{
    for (const char *e = in;;) {
        const char *end = strchr(e, ':');
        if (dropped(e, end ? (size_t)(end - e) : strlen(e), floor))
            return 1;
        if (!end)
            return 0;
        e = end + 1;
    }
}

int tf_priority_raise(const char *in, int floor, int has_tls13, char *out, size_t cap)
{
    int top = has_tls13 ? TF_TLS1_3 : TF_TLS1_2;
    if (in == NULL || floor > top || !drops_any(in, floor))
        return 0;
    char buf[4096];
    size_t used = 0;
    int first = 1;
    struct verdicts vd = { { 0 } };
    buf[0] = '\0';
    for (const char *e = in;;) {
        const char *end = strchr(e, ':');
        size_t n = end ? (size_t)(end - e) : strlen(e);
        if (!dropped(e, n, floor)) {
            if ((!first && !put(buf, sizeof buf, &used, ":", 1)) || !put(buf, sizeof buf, &used, e, n))
                return -1;
            note_kept(&vd, e, n);
            first = 0;
        }
        if (!end)
            break;
        e = end + 1;
    }
    for (size_t i = 0; i < NVERS; i++) {
        int v = versions[i].version;
        if (v < floor || v > top || vd.state[i] > 0 || (v > floor && vd.state[i] < 0))
            continue;
        if ((!first && !put(buf, sizeof buf, &used, ":+", 2)) || (first && !put(buf, sizeof buf, &used, "+", 1)) ||
            !put(buf, sizeof buf, &used, versions[i].name, strlen(versions[i].name)))
            return -1;
        first = 0;
    }
    if (used + 1 > cap)
        return -1;
    memcpy(out, buf, used + 1);
    return 1;
}
