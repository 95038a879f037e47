/* tlsfloor-report-html: the report's JSON document (tlsfloor report --json) on standard input,
 * one self-contained HTML page on standard output.
 *
 * The page needs nothing from outside (a Content-Security-Policy forbids every fetch, and only
 * the page's own script, which carries a fresh nonce, may run): the checklist figures, the chart
 * and the tables are written here, so they read without JavaScript; the script only sorts and
 * filters the tables and saves the embedded JSON. Every value from the log is escaped where it
 * lands: HTML text and attributes (&<>"'), and the embedded JSON (<, >, &, U+2028, U+2029 as
 * \u escapes, so no "</script>" or line separator can end it). Exit status: 0 page written,
 * 1 the input is not a report (nothing written), 2 usage error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tf_jsontree.h"

#define MAX_INPUT (64u << 20)   /* a report aggregates: even a fleet's is far smaller */

/* ---------------------------------------------------------------- escaping */

/* Text or attribute value: the five HTML specials as references, control characters other
 * than tab and newline (and NUL) as U+FFFD. The input is valid UTF-8 (tf_jsontree's). */
static void put_html(FILE *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '&': fputs("&amp;", o); break;
        case '<': fputs("&lt;", o); break;
        case '>': fputs("&gt;", o); break;
        case '"': fputs("&quot;", o); break;
        case '\'': fputs("&#39;", o); break;
        default:
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
                fputs("\xef\xbf\xbd", o);
            else
                fputc(c, o);
        }
    }
}

static void put_htmls(FILE *o, const char *s)
{
    put_html(o, s, strlen(s));
}

/* A JSON string safe inside <script>: besides JSON's own escapes, <, >, & and the line and
 * paragraph separators as \u escapes. */
static void put_json_string(FILE *o, const char *s, size_t n)
{
    fputc('"', o);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(o, "\\%c", c);
        else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f)
            fprintf(o, "\\u%04x", c);
        else if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
                 ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
            fprintf(o, "\\u%04x", (unsigned char)s[i + 2] == 0xa8 ? 0x2028 : 0x2029);
            i += 2;
        } else
            fputc(c, o);
    }
    fputc('"', o);
}

/* The document again, compact, with put_json_string's strings. */
static void put_json(FILE *o, const struct tf_jt *v)
{
    switch (v->type) {
    case TF_JT_NULL: fputs("null", o); return;
    case TF_JT_TRUE: fputs("true", o); return;
    case TF_JT_FALSE: fputs("false", o); return;
    case TF_JT_NUMBER: fputs(v->str, o); return;   /* checked against JSON's number grammar */
    case TF_JT_STRING: put_json_string(o, v->str, v->len); return;
    case TF_JT_ARRAY:
    case TF_JT_OBJECT:
        fputc(v->type == TF_JT_ARRAY ? '[' : '{', o);
        for (const struct tf_jt *c = v->child; c; c = c->next) {
            if (c != v->child)
                fputc(',', o);
            if (v->type == TF_JT_OBJECT) {
                put_json_string(o, c->key, c->key_len);
                fputc(':', o);
            }
            put_json(o, c);
        }
        fputc(v->type == TF_JT_ARRAY ? ']' : '}', o);
        return;
    }
}

/* A cell's text: strings as they are, arrays joined with ", ", objects as "key: value". */
static void put_cell(FILE *o, const struct tf_jt *v)
{
    switch (v->type) {
    case TF_JT_NULL: return;
    case TF_JT_TRUE: fputs("true", o); return;
    case TF_JT_FALSE: fputs("false", o); return;
    case TF_JT_NUMBER:
    case TF_JT_STRING: put_html(o, v->str, v->len); return;
    case TF_JT_ARRAY:
    case TF_JT_OBJECT:
        for (const struct tf_jt *c = v->child; c; c = c->next) {
            if (c != v->child)
                fputs(", ", o);
            if (v->type == TF_JT_OBJECT) {
                put_html(o, c->key, c->key_len);
                fputs(": ", o);
            }
            put_cell(o, c);
        }
        return;
    }
}

/* ---------------------------------------------------------------- the checklist figures */

/* Names gathered for one figure: counted distinct after sorting. */
struct names {
    char **v;
    size_t n, cap;
};

static void names_add(struct names *s, const char *host, const char *name)
{
    if (!name)
        return;
    size_t l = (host ? strlen(host) + 2 : 0) + strlen(name) + 1;
    char *k = malloc(l);
    if (!k)
        return;   /* a name lost to memory loss only shortens the list shown, never the count */
    snprintf(k, l, "%s%s%s", host ? host : "", host ? ": " : "", name);
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        char **v = realloc(s->v, cap * sizeof *v);
        if (!v) {
            free(k);
            return;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = k;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and drops repeats; returns how many distinct names there are. */
static size_t names_distinct(struct names *s)
{
    size_t u = 0;
    if (s->n == 0)
        return 0;
    qsort(s->v, s->n, sizeof *s->v, cmp_str);
    for (size_t i = 0; i < s->n; i++) {
        if (u && strcmp(s->v[u - 1], s->v[i]) == 0)
            free(s->v[i]);
        else
            s->v[u++] = s->v[i];
    }
    s->n = u;
    return u;
}

static void names_free(struct names *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

struct figure {
    const char *id;       /* element id: fig-ID, its number fig-ID-n */
    const char *what;     /* the checklist's question, answered by the number */
    const char *names_of; /* what the names under the number are */
    double count;
    struct names who;
};

static int starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static const struct tf_jt *section(const struct tf_jt *doc, const char *name)
{
    const struct tf_jt *a = tf_jt_member(doc, name);
    return a && a->type == TF_JT_ARRAY ? a : NULL;
}

#define EACH_ROW(doc, name, row) \
    for (const struct tf_jt *row = section(doc, name) ? section(doc, name)->child : NULL; row; row = row->next)

/* Programs whose code pins a version below 1.2 (the call sites tlsfloor changed). */
static void count_pinning(const struct tf_jt *doc, struct figure *f)
{
    static const char *const pins[] = { "method_pinned", "max_version_raised", "option_cleared", "priority_raised" };
    EACH_ROW(doc, "call_sites", row) {
        const char *ev = tf_jt_string_of(row, "event");
        for (size_t i = 0; ev && i < sizeof pins / sizeof pins[0]; i++)
            if (strcmp(ev, pins[i]) == 0)
                names_add(&f->who, tf_jt_string_of(row, "host"), tf_jt_string_of(row, "exe"));
    }
    f->count = (double)names_distinct(&f->who);
}

/* Legacy endpoint names still in use (the findings that name one), distinct. */
static void count_legacy(const struct tf_jt *doc, struct figure *f)
{
    struct names endpoints = { 0 };
    EACH_ROW(doc, "findings", row) {
        if (!starts_with(tf_jt_string_of(row, "finding"), "legacy endpoint"))
            continue;
        names_add(&endpoints, tf_jt_string_of(row, "host"), tf_jt_string_of(row, "endpoint"));
        names_add(&f->who, tf_jt_string_of(row, "host"), tf_jt_string_of(row, "exe"));
    }
    f->count = (double)names_distinct(&endpoints);
    names_free(&endpoints);
    names_distinct(&f->who);
}

/* Sum of "count" over rows of a section that match; their programs as names. */
static void count_rows(const struct tf_jt *doc, const char *name, const char *key, const char *prefix,
                       const char *count_key, struct figure *f)
{
    EACH_ROW(doc, name, row) {
        if (!starts_with(tf_jt_string_of(row, key), prefix))
            continue;
        double c = tf_jt_number_of(row, count_key, 0);
        if (c <= 0)
            continue;
        f->count += c;
        names_add(&f->who, tf_jt_string_of(row, "host"), tf_jt_string_of(row, "exe"));
    }
    names_distinct(&f->who);
}

/* Handshakes that failed with tlsfloor in place, by program. */
static void count_failed(const struct tf_jt *doc, struct figure *f)
{
    EACH_ROW(doc, "programs", row) {
        double c = tf_jt_number_of(row, "failed", 0);
        if (c > 0) {
            f->count += c;
            names_add(&f->who, tf_jt_string_of(row, "host"), tf_jt_string_of(row, "exe"));
        }
    }
    names_distinct(&f->who);
}

enum { FIG_PINNING, FIG_LEGACY, FIG_BASIC, FIG_UNCOVERED, FIG_FAILED, FIG_COUNT };

static void compute_figures(const struct tf_jt *doc, struct figure *f)
{
    f[FIG_PINNING] = (struct figure){ "pinning", "programs still pin TLS 1.0/1.1 (they work only because of tlsfloor)", "programs", 0, { 0 } };
    f[FIG_LEGACY] = (struct figure){ "legacy", "legacy endpoints still named (retired by Microsoft)", "named by", 0, { 0 } };
    f[FIG_BASIC] = (struct figure){ "basic", "Basic-auth logins Exchange Online rejects (they need OAuth)", "programs", 0, { 0 } };
    f[FIG_UNCOVERED] = (struct figure){ "uncovered", "TLS connections tlsfloor cannot reach (another TLS stack)", "programs", 0, { 0 } };
    f[FIG_FAILED] = (struct figure){ "failed", "connections that failed even with tlsfloor", "programs", 0, { 0 } };
    count_pinning(doc, &f[FIG_PINNING]);
    count_legacy(doc, &f[FIG_LEGACY]);
    count_rows(doc, "findings", "finding", "basic authentication", "count", &f[FIG_BASIC]);
    count_rows(doc, "other_events", "event", "uncovered_connection", "count", &f[FIG_UNCOVERED]);
    count_failed(doc, &f[FIG_FAILED]);
}

static void put_figure(FILE *o, const struct figure *f)
{
    fprintf(o, "<div class=\"fig %s\" id=\"fig-%s\"><span class=\"n\" id=\"fig-%s-n\">%.0f</span>"
               "<span class=\"what\">", f->count > 0 ? "bad" : "good", f->id, f->id, f->count);
    put_htmls(o, f->what);
    fputs("</span>", o);
    if (f->who.n) {
        fprintf(o, "<span class=\"who\" id=\"fig-%s-who\">%s: ", f->id, f->names_of);
        for (size_t i = 0; i < f->who.n && i < 5; i++) {
            if (i)
                fputs(", ", o);
            fputs("<code>", o);
            put_htmls(o, f->who.v[i]);
            fputs("</code>", o);
        }
        if (f->who.n > 5)
            fprintf(o, " and %zu more", f->who.n - 5);
        fputs("</span>", o);
    }
    fputs("</div>\n", o);
}

/* ---------------------------------------------------------------- summary and chart */

static int below_floor(const char *version)
{
    return starts_with(version, "SSL") || strcmp(version, "TLSv1") == 0 || strcmp(version, "TLSv1.0") == 0 ||
           strcmp(version, "TLSv1.1") == 0;
}

static void put_overview(FILE *o, const struct tf_jt *summary)
{
    const struct tf_jt *inputs = tf_jt_member(summary, "inputs");
    const char *first = tf_jt_string_of(summary, "first_seen"), *last = tf_jt_string_of(summary, "last_seen");
    double records = tf_jt_number_of(summary, "records", 0);
    size_t n_inputs = inputs && inputs->type == TF_JT_ARRAY ? inputs->count : 0;
    fprintf(o, "<p id=\"overview\"><span id=\"records\">%.0f</span> record%s from %zu input%s", records,
            records == 1 ? "" : "s", n_inputs, n_inputs == 1 ? "" : "s");
    if (first && last) {
        fputs(", <time>", o);
        put_htmls(o, first);
        fputs("</time> .. <time>", o);
        put_htmls(o, last);
        fputs("</time>", o);
    }
    const struct tf_jt *modes = tf_jt_member(summary, "modes");
    if (modes && modes->type == TF_JT_OBJECT && modes->count) {
        fputs(" &middot; modes: ", o);
        put_cell(o, modes);
    }
    fputs("</p>\n", o);
    double bad = tf_jt_number_of(summary, "malformed", 0), cut = tf_jt_number_of(summary, "truncated", 0);
    if (bad > 0) {
        fprintf(o, "<p class=\"note\" id=\"malformed\">%.0f malformed line%s skipped (", bad, bad == 1 ? "" : "s");
        const struct tf_jt *at = tf_jt_member(summary, "malformed_at");
        if (at)
            put_cell(o, at);
        fputs(")</p>\n", o);
    }
    if (cut > 0)
        fprintf(o, "<p class=\"note\" id=\"truncated\">%.0f record%s truncated by the shim skipped</p>\n", cut,
                cut == 1 ? "" : "s");
}

/* A horizontal bar per negotiated version, in the report's order; below 1.2 in red. */
static void put_chart(FILE *o, const struct tf_jt *summary)
{
    const struct tf_jt *by = tf_jt_member(summary, "connections_by_version");
    double max = 0, total = 0, below = 0;
    fputs("<section id=\"versions\"><h2>Connections by negotiated version</h2>\n", o);
    for (const struct tf_jt *c = by && by->type == TF_JT_OBJECT ? by->child : NULL; c; c = c->next)
        if (c->type == TF_JT_NUMBER && c->num > 0) {
            max = c->num > max ? c->num : max;
            total += c->num;
            below += below_floor(c->key) ? c->num : 0;
        }
    if (!by || max <= 0) {
        fputs("<p class=\"none\">(no completed handshakes)</p></section>\n", o);
        return;
    }
    fprintf(o, "<p id=\"versions-caption\"><span id=\"below-floor\">%.0f</span> of <span id=\"handshakes\">%.0f</span>"
               " connections negotiated below TLS 1.2</p>\n", below, total);
    fprintf(o, "<svg id=\"chart-versions\" width=\"640\" height=\"%zu\" viewBox=\"0 0 640 %zu\" role=\"img\" "
               "aria-label=\"connections by negotiated version\">\n", by->count * 34 + 6, by->count * 34 + 6);
    size_t row = 0;
    for (const struct tf_jt *c = by->child; c; c = c->next) {
        if (c->type != TF_JT_NUMBER || c->num <= 0)
            continue;
        int y = 4 + (int)row++ * 34, w = (int)(440 * c->num / max);
        w = w < 3 ? 3 : w;
        fputs("<g class=\"bar\" data-version=\"", o);
        put_html(o, c->key, c->key_len);
        fprintf(o, "\" data-count=\"%s\"><text class=\"label\" x=\"0\" y=\"%d\">", c->str, y + 19);
        put_html(o, c->key, c->key_len);
        fprintf(o, "</text><rect class=\"%s\" x=\"96\" y=\"%d\" width=\"%d\" height=\"26\" rx=\"3\"><title>", below_floor(c->key) ? "bad" : "ok", y, w);
        put_html(o, c->key, c->key_len);
        fprintf(o, ": %s</title></rect><text class=\"value\" x=\"%d\" y=\"%d\">%s</text></g>\n", c->str, 104 + w, y + 19, c->str);
    }
    fputs("</svg></section>\n", o);
}

/* ---------------------------------------------------------------- tables */

static const struct {
    const char *name, *title;
} tables[] = {
    { "findings", "Findings (what needs action)" },
    { "programs", "Programs" },
    { "endpoints", "Endpoints" },
    { "call_sites", "Call sites (what was pinned or rewritten, and the code that asked)" },
    { "other_events", "Other events" },
};

/* A column is shown unless no row has a value in it; numeric when every value is a number. */
static void column_kind(const struct tf_jt *rows, const char *key, int *shown, int *numeric)
{
    *shown = 0;
    *numeric = 1;
    for (const struct tf_jt *r = rows->child; r; r = r->next) {
        const struct tf_jt *v = tf_jt_member(r, key);
        if (!v || v->type == TF_JT_NULL)
            continue;
        *shown = 1;
        *numeric &= v->type == TF_JT_NUMBER;
    }
}

/* Per column of the first row: COL_SHOWN unless it is the host column and no row names a
 * host (one host's log), COL_NUMERIC when every value in it is a number. */
enum { COL_SHOWN = 1, COL_NUMERIC = 2 };

static unsigned char *column_flags(const struct tf_jt *rows, const struct tf_jt *first)
{
    unsigned char *f = calloc(first->count ? first->count : 1, 1);
    size_t i = 0;
    for (const struct tf_jt *k = f ? first->child : NULL; k; k = k->next, i++) {
        int shown, numeric;
        column_kind(rows, k->key, &shown, &numeric);
        f[i] = (unsigned char)((shown || strcmp(k->key, "host") != 0 ? COL_SHOWN : 0) | (numeric ? COL_NUMERIC : 0));
    }
    return f;
}

static void put_header(FILE *o, const struct tf_jt *first, const unsigned char *flags)
{
    size_t i = 0;
    fputs("<thead><tr>", o);
    for (const struct tf_jt *k = first->child; k; k = k->next, i++) {
        if (!(flags[i] & COL_SHOWN))
            continue;
        fprintf(o, "<th data-type=\"%s\" data-key=\"", flags[i] & COL_NUMERIC ? "n" : "s");
        put_html(o, k->key, k->key_len);
        fputs("\" tabindex=\"0\" title=\"sort\">", o);
        for (size_t c = 0; c < k->key_len; c++)   /* first_seen: first seen */
            put_html(o, k->key[c] == '_' ? " " : k->key + c, 1);
        fputs("</th>", o);
    }
    fputs("</tr></thead>\n", o);
}

static void put_row(FILE *o, const struct tf_jt *first, const unsigned char *flags, const struct tf_jt *row)
{
    size_t i = 0;
    fputs("<tr>", o);
    for (const struct tf_jt *k = first->child; k; k = k->next, i++) {
        if (!(flags[i] & COL_SHOWN))
            continue;
        const struct tf_jt *v = tf_jt_member(row, k->key);
        fputs(flags[i] & COL_NUMERIC ? "<td class=\"num\">" : "<td>", o);
        if (v)
            put_cell(o, v);
        fputs("</td>", o);
    }
    fputs("</tr>\n", o);
}

static void put_table(FILE *o, const struct tf_jt *doc, const char *name, const char *title)
{
    const struct tf_jt *rows = section(doc, name);
    if (!rows)
        return;
    fprintf(o, "<section class=\"table\" id=\"section-%s\"><h2>", name);
    put_htmls(o, title);
    fprintf(o, " <span class=\"rows\" id=\"%s-rows\">%zu</span></h2>\n", name, rows->count);
    const struct tf_jt *first = rows->child;
    if (!first || first->type != TF_JT_OBJECT) {
        fputs("<p class=\"none\">(none)</p></section>\n", o);
        return;
    }
    fprintf(o, "<p class=\"tools\"><input type=\"search\" class=\"filter\" id=\"%s-filter\" data-table=\"%s\" "
               "placeholder=\"filter\" aria-label=\"filter the rows\"/> <span class=\"shown\" id=\"%s-shown\"></span></p>\n",
            name, name, name);
    unsigned char *flags = column_flags(rows, first);
    if (!flags) {
        fputs("<p class=\"none\">(out of memory)</p></section>\n", o);
        return;
    }
    fprintf(o, "<div class=\"scroll\"><table class=\"sortable\" id=\"%s\">\n", name);
    put_header(o, first, flags);
    fputs("<tbody>\n", o);
    for (const struct tf_jt *r = first; r; r = r->next)
        if (r->type == TF_JT_OBJECT)
            put_row(o, first, flags, r);
    fputs("</tbody></table></div></section>\n", o);
    free(flags);
}

/* ---------------------------------------------------------------- the page */

static const char style[] =
    ":root{--bad:#c0392b;--ok:#2e8b57;--ink:#1d2733;--muted:#5b6773;--line:#d8dee4;--bg:#f5f7f9}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:var(--ink);background:var(--bg)}\n"
    "header{background:#1d2733;color:#fff;padding:18px 28px}\n"
    "header h1{margin:0 0 4px;font-size:22px;font-weight:600}header p{margin:2px 0;color:#c9d3dc}\n"
    "main{padding:20px 28px;max-width:1500px}\n"
    "h2{font-size:17px;margin:28px 0 8px}h2 .rows{font-size:12px;font-weight:normal;color:var(--muted);"
    "background:#e6eaee;border-radius:9px;padding:1px 8px;margin-left:6px}\n"
    ".figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(230px,1fr));gap:14px}\n"
    ".fig{background:#fff;border:1px solid var(--line);border-left:6px solid var(--ok);border-radius:6px;padding:12px 14px}\n"
    ".fig.bad{border-left-color:var(--bad)}\n"
    ".fig .n{display:block;font-size:34px;font-weight:700;line-height:1.1}.fig.bad .n{color:var(--bad)}.fig.good .n{color:var(--ok)}\n"
    ".fig .what{display:block;font-weight:600;margin:2px 0 6px}\n"
    ".fig .who{display:block;color:var(--muted);font-size:12px;overflow-wrap:anywhere}\n"
    "code{font:12px ui-monospace,'DejaVu Sans Mono',monospace}\n"
    ".note{color:#f5c26b}\n"
    "#versions{background:#fff;border:1px solid var(--line);border-radius:6px;padding:4px 16px 10px;margin-top:20px}\n"
    "svg text{font-size:13px;fill:var(--ink)}svg text.label{font-weight:600}\n"
    "rect.ok{fill:var(--ok)}rect.bad{fill:var(--bad)}\n"
    ".tools{margin:0 0 6px}.tools input{font:inherit;padding:4px 8px;width:280px;border:1px solid #b8c2cc;border-radius:4px}\n"
    ".shown{color:var(--muted);margin-left:8px}\n"
    ".scroll{overflow-x:auto;background:#fff;border:1px solid var(--line);border-radius:6px}\n"
    "table{border-collapse:collapse;width:100%}\n"
    "th,td{padding:5px 9px;text-align:left;vertical-align:top;border-bottom:1px solid #edf0f3;font-size:13px}\n"
    "td{overflow-wrap:break-word;max-width:520px}td.num,th[data-type=n]{text-align:right}\n"
    "th{background:#eef2f5;position:sticky;top:0;cursor:pointer;user-select:none;white-space:nowrap}\n"
    "th:hover{background:#e1e8ee}th[aria-sort=ascending]::after{content:' \\25B2'}th[aria-sort=descending]::after{content:' \\25BC'}\n"
    "tbody tr:nth-child(even){background:#fafbfc}tbody tr:hover{background:#fff8e1}\n"
    ".none{color:var(--muted)}\n"
    "#save-json{font:inherit;margin-top:6px}\n"
    "footer{color:var(--muted);padding:10px 28px 30px;font-size:12px}\n";

/* Sorting (click or Enter on a header; again to reverse), filtering (every word must appear in
 * the row), and saving the embedded JSON. It logs nothing: the test reads any console line as
 * an error. */
static const char script[] =
    "(function () {\n"
    "  'use strict';\n"
    "  function key(row, i, numeric) {\n"
    "    var t = row.cells[i] ? row.cells[i].textContent : '';\n"
    "    if (!numeric) return t.toLowerCase();\n"
    "    var n = parseFloat(t);\n"
    "    return isNaN(n) ? -Infinity : n;\n"
    "  }\n"
    "  function sortBy(th) {\n"
    "    var table = th.closest('table'), body = table.tBodies[0], i = th.cellIndex;\n"
    "    var numeric = th.getAttribute('data-type') === 'n';\n"
    "    var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;\n"
    "    Array.prototype.forEach.call(th.parentNode.cells, function (h) { h.removeAttribute('aria-sort'); });\n"
    "    th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');\n"
    "    var rows = Array.prototype.slice.call(body.rows);\n"
    "    rows.sort(function (a, b) {\n"
    "      var x = key(a, i, numeric), y = key(b, i, numeric);\n"
    "      return x < y ? -dir : x > y ? dir : 0;\n"
    "    });\n"
    "    rows.forEach(function (r) { body.appendChild(r); });\n"
    "  }\n"
    "  function filter(input) {\n"
    "    var name = input.getAttribute('data-table'), table = document.getElementById(name);\n"
    "    var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean), rows = table.tBodies[0].rows, shown = 0;\n"
    "    for (var r = 0; r < rows.length; r++) {\n"
    "      var text = rows[r].textContent.toLowerCase();\n"
    "      var match = words.every(function (w) { return text.indexOf(w) >= 0; });\n"
    "      rows[r].hidden = !match;\n"
    "      if (match) shown++;\n"
    "    }\n"
    "    document.getElementById(name + '-shown').textContent = words.length ? shown + ' of ' + rows.length + ' rows' : '';\n"
    "  }\n"
    "  document.querySelectorAll('table.sortable th').forEach(function (th) {\n"
    "    th.addEventListener('click', function () { sortBy(th); });\n"
    "    th.addEventListener('keydown', function (e) {\n"
    "      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(th); }\n"
    "    });\n"
    "  });\n"
    "  document.querySelectorAll('input.filter').forEach(function (input) {\n"
    "    input.addEventListener('input', function () { filter(input); });\n"
    "  });\n"
    "  var save = document.getElementById('save-json');\n"
    "  save.hidden = false;\n"
    "  save.addEventListener('click', function () {\n"
    "    var data = document.getElementById('tlsfloor-data').textContent;\n"
    "    var a = document.createElement('a');\n"
    "    a.href = URL.createObjectURL(new Blob([data], { type: 'application/json' }));\n"
    "    a.download = 'tlsfloor-report.json';\n"
    "    document.body.appendChild(a);\n"
    "    a.click();\n"
    "    a.remove();\n"
    "  });\n"
    "})();\n";

/* 128 random bits for the CSP nonce: injected markup cannot know it. */
static void make_nonce(char out[33])
{
    unsigned char b[16] = { 0 };
    FILE *r = fopen("/dev/urandom", "rb");
    if (!r || fread(b, 1, sizeof b, r) != sizeof b) {
        unsigned long long t = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32) ^ (unsigned long long)clock();
        for (size_t i = 0; i < sizeof b; i++, t = t * 6364136223846793005ULL + 1442695040888963407ULL)
            b[i] ^= (unsigned char)(t >> 56);
    }
    if (r)
        fclose(r);
    for (size_t i = 0; i < sizeof b; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static void put_page(FILE *o, const struct tf_jt *doc)
{
    const struct tf_jt *summary = tf_jt_member(doc, "summary");
    struct figure figs[FIG_COUNT];
    char nonce[33];
    make_nonce(nonce);
    compute_figures(doc, figs);
    fprintf(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>\n"
               "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'nonce-%s'; "
               "script-src 'nonce-%s'; base-uri 'none'; form-action 'none'\"/>\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
               "<title>tlsfloor report</title>\n<style nonce=\"%s\">\n%s</style>\n</head><body>\n",
            nonce, nonce, nonce, style);
    fputs("<header><h1>tlsfloor report</h1>\n", o);
    put_overview(o, summary);
    fputs("</header>\n<main>\n<section class=\"figures\" id=\"checklist\" aria-label=\"checklist\">\n", o);
    for (int i = 0; i < FIG_COUNT; i++) {
        put_figure(o, &figs[i]);
        names_free(&figs[i].who);
    }
    fputs("</section>\n", o);
    put_chart(o, summary);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        put_table(o, doc, tables[i].name, tables[i].title);
    fputs("</main>\n<footer>Made by <code>tlsfloor report --html</code>; the full data, as "
          "<code>--json</code> gives it, is inside this file. <button id=\"save-json\" type=\"button\" hidden=\"hidden\">"
          "Save the data as JSON</button></footer>\n<script type=\"application/json\" id=\"tlsfloor-data\">", o);
    put_json(o, doc);
    fprintf(o, "</script>\n<script nonce=\"%s\">\n%s</script>\n</body></html>\n", nonce, script);
}

/* ---------------------------------------------------------------- main */

/* The page for a report document (text[0..n)) on o; NULL when it is one, else why not. Kept
 * apart from main() for the fuzz target (tests/fuzz/fuzz_report_html.c). */
static const char *report_html(const char *text, size_t n, FILE *o, struct tf_jt_error *err)
{
    struct tf_jt *doc = tf_jt_parse(text, n, err);
    if (!doc)
        return "not JSON";
    const struct tf_jt *summary = tf_jt_member(doc, "summary");
    if (!summary || summary->type != TF_JT_OBJECT) {
        tf_jt_free(doc);
        return "not a tlsfloor report document (no \"summary\" object)";
    }
    put_page(o, doc);
    tf_jt_free(doc);
    return NULL;
}

#ifndef TF_REPORT_HTML_NO_MAIN
static char *read_all(FILE *in, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, in);
        if (n < cap)
            break;
        if (cap >= MAX_INPUT) {
            free(buf);
            fprintf(stderr, "tlsfloor-report-html: the input is larger than %u MiB\n", MAX_INPUT >> 20);
            return NULL;
        }
        char *b = realloc(buf, cap * 2);
        if (!b)
            free(buf);
        buf = b;
        cap *= 2;
    }
    if (!buf || ferror(in)) {
        free(buf);
        fprintf(stderr, "tlsfloor-report-html: cannot read standard input\n");
        return NULL;
    }
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        int help = strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0;
        fprintf(help ? stdout : stderr,
                "usage: tlsfloor report --json [LOG...] | tlsfloor-report-html > report.html\n"
                "Reads the report's JSON document on standard input and writes one self-contained HTML page.\n");
        return help ? 0 : 2;
    }
    size_t n = 0;
    char *text = read_all(stdin, &n);
    if (!text)
        return 1;
    struct tf_jt_error err = { 0, NULL };
    const char *bad = report_html(text, n, stdout, &err);
    free(text);
    if (bad && err.what) {
        fprintf(stderr, "tlsfloor-report-html: %s: %s at byte %zu\n", bad, err.what, err.offset);
        return 1;
    }
    if (bad) {
        fprintf(stderr, "tlsfloor-report-html: %s\n", bad);
        return 1;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "tlsfloor-report-html: cannot write the page\n");
        return 1;
    }
    return 0;
}
#endif
