#include "tf_record.h"

#include <stdio.h>
#include <string.h>

#include "tf_json.h"

void tf_format_time(const struct timespec *ts, char *out, size_t cap)
{
    struct tm tm;
    time_t secs = ts->tv_sec;
    gmtime_r(&secs, &tm);
    snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts->tv_nsec / 1000000L);
}

static void json_field(struct tf_buf *b, const struct tf_field *f, size_t max_str)
{
    tf_json_string(b, f->key, 64);
    tf_buf_puts(b, ":");
    switch (f->type) {
    case TF_FIELD_STR: tf_json_string(b, f->str, max_str); break;
    case TF_FIELD_INT: tf_buf_printf(b, "%lld", f->num); break;
    case TF_FIELD_BOOL: tf_buf_puts(b, f->num ? "true" : "false"); break;
    }
}

static void json_caller(struct tf_buf *b, const struct tf_caller *c, size_t max_str)
{
    tf_buf_printf(b, ",\"caller\":{\"site\":%u,\"count\":%lu", c->site, c->count);
    if (c->nframes > 0) {
        tf_buf_puts(b, ",\"frames\":[");
        for (int i = 0; i < c->nframes && i < TF_MAX_FRAMES; i++) {
            const struct tf_frame *f = &c->frames[i];
            tf_buf_puts(b, i ? ",{\"module\":" : "{\"module\":");
            tf_json_string(b, f->module, max_str);
            tf_buf_printf(b, ",\"offset\":\"0x%lx\",\"symbol\":", (unsigned long)f->offset);
            tf_json_string(b, f->symbol, max_str);
            tf_buf_puts(b, ",\"build_id\":");
            tf_json_string(b, f->build_id, 64);
            tf_buf_puts(b, "}");
        }
        tf_buf_puts(b, "]");
    }
    tf_buf_puts(b, "}");
}

static void json_render(struct tf_buf *b, const struct tf_record *r, size_t max_str, int nframes_cap)
{
    char ts[32];
    tf_format_time(&r->ts, ts, sizeof ts);
    tf_buf_printf(b, "{\"ts\":\"%s\",", ts);
    if (r->host) {
        tf_buf_puts(b, "\"host\":");
        tf_json_string(b, r->host, 255);
        tf_buf_puts(b, ",");
    }
    tf_buf_printf(b, "\"pid\":%ld,\"exe\":", r->pid);
    tf_json_string(b, r->exe, max_str);
    tf_buf_puts(b, ",\"tool\":");
    tf_json_string(b, r->tool, 32);
    tf_buf_puts(b, ",\"mode\":");
    tf_json_string(b, r->mode, 32);
    tf_buf_puts(b, ",\"event\":");
    tf_json_string(b, r->event, 64);
    tf_buf_puts(b, ",\"detail\":{");
    for (int i = 0; i < r->ndetail; i++) {
        if (i)
            tf_buf_puts(b, ",");
        json_field(b, &r->detail[i], max_str);
    }
    tf_buf_puts(b, "}");
    if (r->caller && r->caller->site) {
        struct tf_caller c = *r->caller;
        if (c.nframes > nframes_cap)
            c.nframes = nframes_cap;
        json_caller(b, &c, max_str);
    }
    tf_buf_puts(b, "}\n");
}

size_t tf_record_json(const struct tf_record *r, char *out, size_t cap)
{
    /* Each pass cuts strings and frames harder; the last one always fits in 256 bytes' worth
     * of fixed text plus tiny strings, so the record stays whole and valid. */
    static const struct { size_t max_str; int frames; } passes[] = {
        { 1024, TF_MAX_FRAMES }, { 256, TF_MAX_FRAMES }, { 96, 4 }, { 24, 1 }, { 8, 0 },
    };
    struct tf_buf b;
    for (size_t i = 0; i < sizeof passes / sizeof passes[0]; i++) {
        tf_buf_init(&b, out, cap);
        json_render(&b, r, passes[i].max_str, passes[i].frames);
        if (!b.overflow)
            return b.len;
    }
    /* Only reachable with absurd detail counts: emit a minimal record rather than a torn one. */
    tf_buf_init(&b, out, cap);
    tf_buf_printf(&b, "{\"pid\":%ld,\"event\":", r->pid);
    tf_json_string(&b, r->event, 32);
    tf_buf_puts(&b, ",\"truncated\":true}\n");
    return b.overflow ? 0 : b.len;
}

size_t tf_record_text(const struct tf_record *r, char *out, size_t cap)
{
    struct tf_buf b;
    tf_buf_init(&b, out, cap > 1 ? cap - 1 : cap);   /* keep room for the final newline */
    tf_buf_printf(&b, "tlsfloor[%ld]: ", r->pid);
    tf_text_string(&b, r->event, 64);
    if (r->mode && strcmp(r->mode, "audit") == 0)
        tf_buf_puts(&b, " (audit)");
    for (int i = 0; i < r->ndetail; i++) {
        const struct tf_field *f = &r->detail[i];
        tf_buf_puts(&b, " ");
        tf_text_string(&b, f->key, 64);
        tf_buf_puts(&b, "=");
        if (f->type == TF_FIELD_STR)
            tf_text_string(&b, f->str, 256);
        else if (f->type == TF_FIELD_INT)
            tf_buf_printf(&b, "%lld", f->num);
        else
            tf_buf_puts(&b, f->num ? "yes" : "no");
    }
    const struct tf_caller *c = r->caller;
    if (c && c->site) {
        if (c->nframes > 0) {
            tf_buf_puts(&b, " at ");
            tf_text_string(&b, c->frames[0].symbol ? c->frames[0].symbol : "?", 128);
            tf_buf_puts(&b, " (");
            tf_text_string(&b, c->frames[0].module, 256);
            tf_buf_printf(&b, "+0x%lx)", (unsigned long)c->frames[0].offset);
        }
        tf_buf_printf(&b, " [site %u #%lu]", c->site, c->count);
    }
    if (b.overflow) {
        /* Keep what fit, mark the cut; the line is still one line. */
        b.overflow = 0;
        b.len = cap > 8 ? cap - 8 : 0;
        b.data[b.len] = '\0';
        tf_buf_puts(&b, "...");
    }
    b.cap = cap;
    tf_buf_puts(&b, "\n");
    return b.len;
}
