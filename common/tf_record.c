#include "tf_record.h"

#include <string.h>

#include "tf_json.h"

/* Howard Hinnant's days_from_civil inverse: eras of 400 years (146097 days) starting on March 1,
 * so the leap day is the last day of its year. Exact for every day a long long can count. */
void tf_civil_from_days(long long days, long long *year, unsigned *month, unsigned *day)
{
    long long z = days + 719468;                        /* days since 0000-03-01 */
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);        /* [0, 146096] */
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;   /* [0, 399] */
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                 /* [0, 365] */
    unsigned mp = (5 * doy + 2) / 153;                                      /* March = 0 */
    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = (long long)yoe + era * 400 + (*month <= 2);
}

void tf_format_time(const struct timespec *ts, char *out, size_t cap)
{
    long long secs = (long long)ts->tv_sec;
    long long days = secs / 86400, rem = secs % 86400;
    long long year;
    unsigned month, day;
    long ms = ts->tv_nsec / 1000000L;
    struct tf_buf b;
    if (rem < 0) {                                      /* floor, not truncation */
        rem += 86400;
        days--;
    }
    if (ms < 0 || ms > 999)
        ms = 0;
    tf_civil_from_days(days, &year, &month, &day);
    tf_buf_init(&b, out, cap);
    if (year < 0) {                                     /* as printf's %04d would: "-001" */
        tf_buf_puts(&b, "-");
        tf_buf_udec(&b, 0ULL - (unsigned long long)year, 3);
    } else {
        tf_buf_udec(&b, (unsigned long long)year, 4);
    }
    tf_buf_puts(&b, "-");
    tf_buf_udec(&b, month, 2);
    tf_buf_puts(&b, "-");
    tf_buf_udec(&b, day, 2);
    tf_buf_puts(&b, "T");
    tf_buf_udec(&b, (unsigned long long)(rem / 3600), 2);
    tf_buf_puts(&b, ":");
    tf_buf_udec(&b, (unsigned long long)(rem / 60 % 60), 2);
    tf_buf_puts(&b, ":");
    tf_buf_udec(&b, (unsigned long long)(rem % 60), 2);
    tf_buf_puts(&b, ".");
    tf_buf_udec(&b, (unsigned long long)ms, 3);
    tf_buf_puts(&b, "Z");
    if (b.overflow && cap)
        out[0] = '\0';
}

static void json_field(struct tf_buf *b, const struct tf_field *f, size_t max_str)
{
    tf_json_string(b, f->key, 64);
    tf_buf_puts(b, ":");
    switch (f->type) {
    case TF_FIELD_STR: tf_json_string(b, f->str, max_str); break;
    case TF_FIELD_INT: tf_buf_dec(b, f->num); break;
    case TF_FIELD_BOOL: tf_buf_puts(b, f->num ? "true" : "false"); break;
    }
}

static void json_caller(struct tf_buf *b, const struct tf_caller *c, size_t max_str)
{
    tf_buf_puts(b, ",\"caller\":{\"site\":");
    tf_buf_udec(b, c->site, 1);
    tf_buf_puts(b, ",\"count\":");
    tf_buf_udec(b, c->count, 1);
    if (c->nframes > 0) {
        tf_buf_puts(b, ",\"frames\":[");
        for (int i = 0; i < c->nframes && i < TF_MAX_FRAMES; i++) {
            const struct tf_frame *f = &c->frames[i];
            tf_buf_puts(b, i ? ",{\"module\":" : "{\"module\":");
            tf_json_string(b, f->module, max_str);
            tf_buf_puts(b, ",\"offset\":\"0x");
            tf_buf_hex(b, (unsigned long long)f->offset, 1);
            tf_buf_puts(b, "\",\"symbol\":");
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
    char ts[48];
    tf_format_time(&r->ts, ts, sizeof ts);
    tf_buf_puts(b, "{\"ts\":\"");
    tf_buf_puts(b, ts);
    tf_buf_puts(b, "\",");
    if (r->host) {
        tf_buf_puts(b, "\"host\":");
        tf_json_string(b, r->host, 255);
        tf_buf_puts(b, ",");
    }
    tf_buf_puts(b, "\"pid\":");
    tf_buf_dec(b, r->pid);
    tf_buf_puts(b, ",\"exe\":");
    tf_json_string(b, r->exe, max_str);
    tf_buf_puts(b, ",\"tool\":");
    tf_json_string(b, r->tool, 32);
    tf_buf_puts(b, ",\"mode\":");
    tf_json_string(b, r->mode, 32);
    tf_buf_puts(b, ",\"event\":");
    tf_json_string(b, r->event, 64);
    if (r->dropped) {
        tf_buf_puts(b, ",\"dropped\":");
        tf_buf_udec(b, r->dropped, 1);
    }
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

/* Each pass cuts strings and frames harder; the last ones always fit in 256 bytes' worth of
 * fixed text plus tiny strings, so the record stays whole and valid. */
static const struct { size_t max_str; int frames; } passes[] = {
    { 1024, TF_MAX_FRAMES }, { 256, TF_MAX_FRAMES }, { 96, 4 }, { 24, 1 }, { 8, 0 },
};

size_t tf_record_json(const struct tf_record *r, char *out, size_t cap)
{
    struct tf_buf b;
    for (size_t i = 0; i < sizeof passes / sizeof passes[0]; i++) {
        tf_buf_init(&b, out, cap);
        json_render(&b, r, passes[i].max_str, passes[i].frames);
        if (!b.overflow)
            return b.len;
    }
    /* Only reachable with absurd detail counts: emit a minimal record rather than a torn one. */
    tf_buf_init(&b, out, cap);
    tf_buf_puts(&b, "{\"pid\":");
    tf_buf_dec(&b, r->pid);
    tf_buf_puts(&b, ",\"event\":");
    tf_json_string(&b, r->event, 32);
    tf_buf_puts(&b, ",\"truncated\":true}\n");
    return b.overflow ? 0 : b.len;
}

static void text_render(struct tf_buf *b, const struct tf_record *r, size_t max_str, int with_fields)
{
    tf_buf_puts(b, "tlsfloor[");
    tf_buf_dec(b, r->pid);
    tf_buf_puts(b, "]: ");
    tf_text_string(b, r->event, 64);
    if (r->mode && strcmp(r->mode, "audit") == 0)
        tf_buf_puts(b, " (audit)");
    for (int i = 0; with_fields && i < r->ndetail; i++) {
        const struct tf_field *f = &r->detail[i];
        tf_buf_puts(b, " ");
        tf_text_string(b, f->key, 64);
        tf_buf_puts(b, "=");
        if (f->type == TF_FIELD_STR)
            tf_text_string(b, f->str, max_str);
        else if (f->type == TF_FIELD_INT)
            tf_buf_dec(b, f->num);
        else
            tf_buf_puts(b, f->num ? "yes" : "no");
    }
    if (!with_fields && r->ndetail)
        tf_buf_puts(b, " (details cut)");
    if (r->dropped) {
        tf_buf_puts(b, " dropped=");
        tf_buf_udec(b, r->dropped, 1);
    }
    const struct tf_caller *c = r->caller;
    if (c && c->site) {
        if (c->nframes > 0 && with_fields) {
            tf_buf_puts(b, " at ");
            tf_text_string(b, c->frames[0].symbol ? c->frames[0].symbol : "?", max_str / 2);
            tf_buf_puts(b, " (");
            tf_text_string(b, c->frames[0].module, max_str);
            tf_buf_puts(b, "+0x");
            tf_buf_hex(b, (unsigned long long)c->frames[0].offset, 1);
            tf_buf_puts(b, ")");
        }
        tf_buf_puts(b, " [site ");
        tf_buf_udec(b, c->site, 1);
        tf_buf_puts(b, " #");
        tf_buf_udec(b, c->count, 1);
        tf_buf_puts(b, "]");
    }
    tf_buf_puts(b, "\n");
}

size_t tf_record_text(const struct tf_record *r, char *out, size_t cap)
{
    /* Cut values harder until the line fits: a value cut in the middle of its quotes would let
     * the rest of the line read as fields. The last pass drops the fields altogether. */
    static const size_t text_passes[] = { 256, 64, 16, 4 };
    struct tf_buf b;
    for (size_t i = 0; i < sizeof text_passes / sizeof text_passes[0]; i++) {
        tf_buf_init(&b, out, cap);
        text_render(&b, r, text_passes[i], 1);
        if (!b.overflow)
            return b.len;
    }
    tf_buf_init(&b, out, cap);
    text_render(&b, r, 4, 0);
    if (!b.overflow)
        return b.len;
    tf_buf_init(&b, out, cap);
    tf_buf_puts(&b, "tlsfloor: record cut\n");
    return b.overflow ? 0 : b.len;
}
