/* libFuzzer target: the log reader (tf_lines_feed, tf_lr_parse, tf_lr_flat_detail).
 * Input: log bytes, split into lines with a small cap (huge lines exercised) and fed in two
 * chunks. Checks: every string of a record lies inside its line or the scratch buffer (as long as
 * the line); an accepted record has a non-empty event; parsing is deterministic; the flattened
 * detail is NUL-terminated within its buffer. ASan/UBSan catch the rest. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tf_logread.h"

struct ctx {
    char *scratch;
};

static void inside(struct tf_lstr s, const char *line, size_t len, const char *scratch)
{
    if (!s.p)
        return;
    int in_line = s.p >= line && s.p + s.n <= line + len;
    int in_scratch = s.p >= scratch && s.p + s.n <= scratch + len;
    if (!in_line && !in_scratch)
        abort();
}

static void check_record(const struct tf_logrec *r, const char *line, size_t len, const char *scratch)
{
    const struct tf_lstr *top[] = { &r->ts, &r->host, &r->exe, &r->tool, &r->mode, &r->event, &r->pid,
                                    &r->site, &r->detail_raw, &r->d.old, &r->d.new_, &r->d.sni, &r->d.peer,
                                    &r->d.message, &r->d.port, &r->d.version };
    for (size_t i = 0; i < sizeof top / sizeof *top; i++)
        inside(*top[i], line, len, scratch);
    for (int i = 0; i < r->nframes && i < TF_LR_FRAMES; i++) {
        inside(r->frame[i].module, line, len, scratch);
        inside(r->frame[i].cls, line, len, scratch);
        inside(r->frame[i].line, line, len, scratch);
    }
    if (!r->event.p || r->event.n == 0)
        abort();
}

static void on_line(void *vctx, const char *line, size_t len, int huge)
{
    struct ctx *c = vctx;
    struct tf_logrec a, b;
    if (huge)
        return;
    /* a private copy: strings must not point into the caller's chunk past len */
    char *copy = malloc(len ? len : 1);
    if (!copy)
        return;
    memcpy(copy, line, len);
    enum tf_lr_result ra = tf_lr_parse(copy, len, c->scratch, &a);
    if (ra == TF_LR_OK) {
        check_record(&a, copy, len, c->scratch);
        char flat[64];
        size_t n = tf_lr_flat_detail(a.detail_raw, flat, sizeof flat);
        if (n >= sizeof flat || flat[n] != '\0')
            abort();
    }
    enum tf_lr_result rb = tf_lr_parse(copy, len, c->scratch, &b);
    if (ra != rb)
        abort();
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char buf[512];
    struct tf_lines l = { buf, sizeof buf, 0, 0 };
    struct ctx c = { malloc(sizeof buf > size ? sizeof buf : size + 1) };
    if (!c.scratch)
        return 0;
    size_t half = size / 2;
    tf_lines_feed(&l, (const char *)data, half, on_line, &c);
    tf_lines_feed(&l, (const char *)data + half, size - half, on_line, &c);
    tf_lines_finish(&l, on_line, &c);
    free(c.scratch);
    return 0;
}
