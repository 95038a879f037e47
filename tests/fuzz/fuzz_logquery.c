/* libFuzzer target: tlsfloor-log's questions (tf_lr_get, tf_lr_members, tf_lq_where_parse,
 * tf_lq_match, tf_lq_check). Input: the first line is a --where expression, the rest log lines.
 * Checks: every value tf_lr_get gives is NUL-terminated at its length and inside its buffer; the
 * detail of an accepted record always walks (tf_lr_members), and detail.version read generically
 * equals what the parser kept; the contract check always says why it refuses. ASan/UBSan catch
 * the rest. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tf_logquery.h"

static const char *const keys[] = { "ts", "pid", "exe", "host", "tool", "mode", "event", "truncated", "dropped",
                                    "detail", "detail.version", "detail.port", "detail.applied", "caller.site",
                                    "caller.count", "caller.frames", "frame.symbol", "frame.line", "frame.class" };

struct ctx {
    struct tf_lq_where *w;
    char *scratch, *buf;
    size_t cap;
};

static int any_member(void *ctx, struct tf_lstr key, const struct tf_lr_val *v)
{
    (void)ctx, (void)key;
    if (!v->s && v->n)
        abort();
    return 1;
}

static void values(struct ctx *c, const struct tf_logrec *r)
{
    struct tf_lr_val v;
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        int rc = tf_lr_get(r, NULL, keys[i], c->buf, c->cap, &v);
        if (rc == 1 && (v.s != c->buf || v.n >= c->cap || v.s[v.n] != '\0' || strlen(v.s) != v.n))
            abort();
        if (!strcmp(keys[i], "detail.version") && rc == 1 && v.type == 's' && r->d.version.p &&
            (v.n != r->d.version.n || memcmp(v.s, r->d.version.p, v.n)))
            abort();
    }
    /* past the parse's strings (they take at most the line's length, < cap) */
    if (r->has_detail && !tf_lr_members(r->detail_raw, c->scratch + c->cap, any_member, NULL))
        abort();
}

static void on_line(void *vctx, const char *line, size_t len, int huge)
{
    struct ctx *c = vctx;
    struct tf_logrec r;
    char why[256];
    if (huge)
        return;
    char *copy = malloc(len ? len : 1);
    if (!copy)
        return;
    memcpy(copy, line, len);
    why[0] = '\0';
    int kept = tf_lq_check(copy, len, c->scratch, why, sizeof why);
    enum tf_lr_result rc = tf_lr_parse(copy, len, c->scratch, &r);
    if ((!kept && why[0] == '\0') || (kept && rc != TF_LR_OK))
        abort();   /* a refusal says why; what the contract keeps, the reader reads */
    if (rc == TF_LR_OK) {
        values(c, &r);
        if (c->w)
            (void)tf_lq_match(c->w, &r, NULL, c->buf, c->cap);
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    size_t first = nl ? (size_t)(nl - (const char *)data) : size;
    char expr[256];
    struct tf_lq_where w;
    char err[128];
    struct ctx c = { NULL, NULL, NULL, 0 };
    if (first < sizeof expr) {
        memcpy(expr, data, first);
        expr[first] = '\0';
        if (tf_lq_where_parse(expr, &w, err, sizeof err) == 0)
            c.w = &w;
        else if (err[0] == '\0')
            abort();   /* a refusal always says why */
    }
    char lb[4200];
    struct tf_lines l = { lb, sizeof lb, 0, 0 };
    c.cap = sizeof lb + 64;
    /* scratch: the parse's decoded strings, then room for tf_lr_members' own */
    c.scratch = malloc(2 * c.cap);
    c.buf = malloc(c.cap);
    if (c.scratch && c.buf && nl) {
        tf_lines_feed(&l, nl + 1, size - first - 1, on_line, &c);
        tf_lines_finish(&l, on_line, &c);
    }
    free(c.scratch);
    free(c.buf);
    if (c.w)
        tf_lq_where_free(&w);
    return 0;
}
