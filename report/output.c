/* The report's four forms: text (fits a width, checklist first), JSON (the shell report's keys,
 * plus new ones), CSV (one table, the union of columns) (the HTML page is report/html.c's, from the JSON). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

char *summary_line(const struct report *r)
{
    struct buf b = { 0 };
    buf_fmt(&b, "%ld record%s from %d input%s", r->nrec, r->nrec == 1 ? "" : "s", r->ninput,
            r->ninput == 1 ? "" : "s");
    if (r->all.first[0])
        buf_fmt(&b, ", %s .. %s", r->all.first, r->all.last);
    return buf_take(&b);
}

char *modes_line(const struct report *r)
{
    struct list sorted = r->modes;
    char *s = tally_str(&sorted, ", ");
    if (!s)
        return xstrdup("");
    /* "audit x10" -> "audit 10" */
    struct buf b = { 0 };
    for (char *p = s; *p; p++)
        if (!(p[0] == 'x' && p > s && p[-1] == ' ' && p[1] >= '0' && p[1] <= '9'))
            buf_add(&b, p, 1);
    free(s);
    return buf_take(&b);
}

/* Versions seen, known ones newest first, then the rest sorted. */
static int version_list(const struct report *r, const char **out, int cap)
{
    int n = 0;
    for (int j = 0; version_order(j) && n < cap; j++)
        if (list_count(&r->versions, version_order(j)))
            out[n++] = version_order(j);
    int first_extra = n;
    for (int i = 0; i < r->versions.n && n < cap; i++) {
        int known = 0;
        for (int j = 0; version_order(j); j++)
            known |= !strcmp(version_order(j), r->versions.item[i]);
        if (!known)
            out[n++] = r->versions.item[i];
    }
    for (int i = first_extra; i < n; i++)   /* few: insertion sort */
        for (int j = i; j > first_extra && strcmp(out[j - 1], out[j]) > 0; j--) {
            const char *t = out[j];
            out[j] = out[j - 1], out[j - 1] = t;
        }
    return n;
}

/* ---------------------------------------------------------------- text */

static int dwidth(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xc0) != 0x80;
    return w;
}

/* Control characters shown as \xNN. */
static char *tclean(const char *s)
{
    struct buf b = { 0 };
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 32 || c == 127)
            buf_fmt(&b, "\\x%02x", c);
        else
            buf_add(&b, s, 1);
    }
    return buf_take(&b);
}

/* The byte offset after the first n characters of s. */
static size_t chars(const char *s, int n)
{
    size_t i = 0;
    while (s[i] && n > 0) {
        i++;
        while (((unsigned char)s[i] & 0xc0) == 0x80)
            i++;
        n--;
    }
    return i;
}

/* s in at most w columns, its middle replaced by "…" (a path keeps its start and its name). */
static char *shorten(const char *s, int w)
{
    int n = dwidth(s);
    if (n <= w || w < 3)
        return xstrdup(s);
    int head = (w - 1) / 2, tail = w - 1 - head;
    size_t h = chars(s, head), t = chars(s, n - tail);
    char *start = xstrndup(s, h), *out = cat(start, "…", s + t, (char *)NULL);
    free(start);
    return out;
}

/* Wrapped at spaces into lines of at most w columns; returns the number of lines. */
static int wrap(const char *s, int w, char ***lines)
{
    int n = 0, cap = 4;
    *lines = xmalloc((size_t)cap * sizeof **lines);
    do {
        size_t take = chars(s, w);
        if (s[take]) {
            size_t sp = take;
            while (sp > 0 && s[sp] != ' ')
                sp--;
            if (sp == 0)   /* no space: after a ',', '/' or '.' (paths, Java classes) */
                for (sp = take - 1; sp > 0 && !strchr(",/.", s[sp]); sp--)
                    ;
            if (sp > 0)
                take = s[sp] == ' ' ? sp : sp + 1;
        }
        if (n == cap)
            *lines = xrealloc(*lines, (size_t)(cap *= 2) * sizeof **lines);
        (*lines)[n++] = xstrndup(s, take);
        s += take;
        while (*s == ' ')
            s++;
    } while (*s);
    return n;
}

struct layout {
    int shown[16], w[16], ncol;
};

static int layout_total(const struct layout *l)
{
    int total = 2, any = 0;
    for (int i = 0; i < l->ncol; i++)
        if (l->shown[i])
            total += l->w[i] + (any ? 2 : 0), any = 1;
    return total;
}

/* The widest column of a kind above floor, or -1. */
static int widest(const struct table *t, const struct layout *l, enum col_kind kind, int floor)
{
    int best = -1;
    for (int i = 0; i < l->ncol; i++)
        if (l->shown[i] && t->col[i].kind == kind && l->w[i] > floor && (best < 0 || l->w[i] > l->w[best]))
            best = i;
    return best;
}

/* Narrows columns until the table fits: paths to 24 columns, then wrapped text to 16, then paths
 * to 12, then anything to 8 (shortened in the middle when printed). One column at a time from
 * the widest: bounded by the width, whatever the number of rows. */
static void fit(const struct table *t, struct layout *l, int width)
{
    static const struct {
        enum col_kind kind;
        int floor;
    } steps[] = { { COL_PATH, 24 }, { COL_WRAP, 16 }, { COL_PATH, 12 }, { COL_PLAIN, 8 } };
    int excess = layout_total(l) - width;
    for (size_t s = 0; s < sizeof steps / sizeof *steps; s++) {
        int i;
        while (excess > 0 && (i = widest(t, l, steps[s].kind, steps[s].floor)) >= 0)
            l->w[i]--, excess--;
    }
}

static char *cell_text(const struct table *t, int row, int col)
{
    const char *v = t->row[row][col];
    return tclean(v && *v ? v : "-");
}

static void print_line(FILE *f, const struct layout *l, char **cells)
{
    struct buf b = { 0 };
    int any = 0;
    buf_str(&b, "  ");
    for (int i = 0; i < l->ncol; i++) {
        if (!l->shown[i])
            continue;
        if (any)
            buf_str(&b, "  ");
        any = 1;
        const char *c = cells[i] ? cells[i] : "";
        buf_str(&b, c);
        for (int k = dwidth(c); k < l->w[i]; k++)
            buf_add(&b, " ", 1);
    }
    while (b.n && b.s[b.n - 1] == ' ')
        b.s[--b.n] = '\0';
    fprintf(f, "%s\n", b.s);
    free(b.s);
}

static void print_row(FILE *f, const struct table *t, const struct layout *l, int row)
{
    char *cells[16] = { 0 }, **parts[16] = { 0 };
    int nparts[16] = { 0 }, lines = 1;
    for (int i = 0; i < l->ncol; i++) {
        if (!l->shown[i])
            continue;
        char *v = cell_text(t, row, i);
        if (t->col[i].kind == COL_WRAP) {
            nparts[i] = wrap(v, l->w[i], &parts[i]);
            lines = nparts[i] > lines ? nparts[i] : lines;
            free(v);
        } else {
            cells[i] = shorten(v, l->w[i]);
            free(v);
        }
    }
    for (int k = 0; k < lines; k++) {
        char *line[16] = { 0 };
        for (int i = 0; i < l->ncol; i++)
            line[i] = parts[i] ? (k < nparts[i] ? parts[i][k] : "") : k ? "" : cells[i] ? cells[i] : "";
        print_line(f, l, line);
    }
    for (int i = 0; i < l->ncol; i++) {
        free(cells[i]);
        for (int k = 0; parts[i] && k < nparts[i]; k++)
            free(parts[i][k]);
        free(parts[i]);
    }
}

/* rows: the indexes to print (all when NULL). */
static void text_table(const struct report *r, const struct table *t, const char *title, const int *rows,
                       int nrows, FILE *f, int width)
{
    struct layout l = { .ncol = t->ncol < 16 ? t->ncol : 16 };
    if (title)
        fprintf(f, "%s%s\n", title[0] == ' ' ? "" : "\n", title);
    if (nrows == 0) {
        fprintf(f, "  (none)\n");
        return;
    }
    for (int i = 0; i < l.ncol; i++) {
        l.shown[i] = t->col[i].text >= 1 && !(!strcmp(t->col[i].name, "host") && !r->have_host);
        l.w[i] = dwidth(t->col[i].label);
        for (int k = 0; k < nrows; k++) {
            char *v = cell_text(t, rows ? rows[k] : k, i);
            int w = dwidth(v);
            l.w[i] = w > l.w[i] ? w : l.w[i];
            free(v);
        }
    }
    fit(t, &l, width);
    char *head[16] = { 0 };
    for (int i = 0; i < l.ncol; i++)
        head[i] = shorten(t->col[i].label, l.w[i]);
    print_line(f, &l, head);
    for (int i = 0; i < l.ncol; i++)
        free(head[i]);
    for (int k = 0; k < nrows; k++)
        print_row(f, t, &l, rows ? rows[k] : k);
}

static int column_of(const struct table *t, const char *name)
{
    for (int i = 0; i < t->ncol; i++)
        if (!strcmp(t->col[i].name, name))
            return i;
    return -1;
}

static void text_checklist(const struct report *r, FILE *f)
{
    fprintf(f, "\nChecklist: programs that ...%*sprograms  findings\n", 46, "");
    for (int k = 0; k < K_COUNT; k++)
        fprintf(f, "  %d. %-65s %8ld  %8ld\n", k + 1, kind_title[k], r->kind_programs[k], r->kind_findings[k]);
}

/* The rows of t whose "kind" is one of kinds (a NULL-terminated list). */
static int rows_of_kind(const struct table *t, const char *kind, int *rows)
{
    int kc = column_of(t, "kind"), n = 0;
    for (int i = 0; i < t->nrow; i++)
        if (t->row[i][kc] && !strcmp(t->row[i][kc], kind))
            rows[n++] = i;
    return n;
}

/* Each checklist item: its findings, and for pins and legacy names the call sites that asked. */
static void text_sections(const struct report *r, FILE *f, int width)
{
    const struct table *ft = &r->table[T_FINDINGS], *st = &r->table[T_CALL_SITES];
    int *rows = xmalloc((size_t)(ft->nrow + st->nrow + 1) * sizeof *rows);
    for (int k = 0; k < K_COUNT; k++) {
        int nf = rows_of_kind(ft, kind_name[k], rows);
        int ns = k == K_PIN || k == K_LEGACY ? rows_of_kind(st, kind_name[k], rows + nf) : 0;
        if (nf == 0 && ns == 0)
            continue;
        fprintf(f, "\n%s\n", kind_heading[k]);
        if (ns)
            text_table(r, st, "  call sites:", rows + nf, ns, f, width);
        if (nf)
            text_table(r, ft, ns ? "  findings:" : NULL, rows, nf, f, width);
    }
    int ns = rows_of_kind(st, kind_name[K_OTHER], rows);
    text_table(r, st, "Other call sites (interventions that are not version pins or legacy names)", rows, ns, f,
               width);
    free(rows);
}

/* "N malformed lines skipped (where, ...)" within the width. */
static void text_malformed(const struct report *r, FILE *f, int width)
{
    struct buf b = { 0 };
    buf_fmt(&b, "%ld malformed line%s skipped (", r->nbad, r->nbad == 1 ? "" : "s");
    long shown = r->nbad < BAD_AT_MAX ? r->nbad : BAD_AT_MAX;
    for (long i = 0; i < shown; i++) {
        char *w = tclean(r->bad_at[i]);
        if (i && (int)(b.n + strlen(w) + 8) > width) {
            free(w);
            buf_str(&b, ", ...");
            shown = -1;
            break;
        }
        buf_fmt(&b, "%s", i ? ", " : "");
        buf_str(&b, w);
        free(w);
    }
    if (shown >= 0 && r->nbad > BAD_AT_MAX)
        buf_str(&b, ", ...");
    buf_str(&b, ")");
    fprintf(f, "%s\n", b.s);
    free(b.s);
    if (r->nhuge)
        fprintf(f, "%ld of them longer than %u bytes\n", r->nhuge, TF_LR_LINE_MAX);
}

void out_text(const struct report *r, FILE *f, int width)
{
    char *s = summary_line(r);
    fprintf(f, "tlsfloor report: %s\n", s);
    free(s);
    if (r->nrec > 0) {
        s = modes_line(r);
        fprintf(f, "modes: %s\n", s);
        free(s);
    }
    const char *v[32];
    int nv = version_list(r, v, 32);
    if (nv) {
        fprintf(f, "connections by negotiated version:");
        for (int i = 0; i < nv; i++)
            fprintf(f, "%s %s %ld", i ? "," : "", v[i], list_count(&r->versions, v[i]));
        fprintf(f, "\n");
    }
    if (r->nbad > 0)
        text_malformed(r, f, width);
    if (r->ntrunc > 0)
        fprintf(f, "%ld record%s truncated by the shim skipped\n", r->ntrunc, r->ntrunc == 1 ? "" : "s");
    text_checklist(r, f);
    text_sections(r, f, width);
    text_table(r, &r->table[T_PROGRAMS], "Programs", NULL, r->table[T_PROGRAMS].nrow, f, width);
    text_table(r, &r->table[T_ENDPOINTS], "Endpoints", NULL, r->table[T_ENDPOINTS].nrow, f, width);
    if (r->table[T_OTHER].nrow)
        text_table(r, &r->table[T_OTHER], "Other events", NULL, r->table[T_OTHER].nrow, f, width);
}

/* ---------------------------------------------------------------- JSON */

static void jstr(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fputc('\\', f), fputc(c, f);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 32 || c == 127)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void jval(FILE *f, const struct column *c, const char *v)
{
    if (c->type == 'n')
        fprintf(f, "%ld", v ? strtol(v, NULL, 10) : 0L);
    else if (!v || !*v)
        fputs("null", f);
    else
        jstr(f, v);
}

static void json_summary(const struct report *r, FILE *f)
{
    fprintf(f, "{\n  \"tool\": \"tlsfloor report\",\n  \"summary\": {\n    \"inputs\": [");
    for (int i = 0; i < r->ninput; i++) {
        fputs(i ? ", " : "", f);
        jstr(f, r->input[i]);
    }
    fprintf(f, "],\n    \"records\": %ld,\n    \"malformed\": %ld,\n    \"malformed_at\": [", r->nrec, r->nbad);
    for (long i = 0; i < r->nbad && i < BAD_AT_MAX; i++) {
        fputs(i ? ", " : "", f);
        jstr(f, r->bad_at[i]);
    }
    fprintf(f, "],\n    \"truncated\": %ld,\n    \"first_seen\": ", r->ntrunc);
    r->all.first[0] ? jstr(f, r->all.first) : (void)fputs("null", f);
    fputs(",\n    \"last_seen\": ", f);
    r->all.last[0] ? jstr(f, r->all.last) : (void)fputs("null", f);
    fputs(",\n    \"modes\": {", f);
    struct list m = r->modes;
    char *names = list_str(&m, "\034");
    int i = 0;
    for (char *p = names, *q; p && *p; p = q ? q + 1 : p + strlen(p), i++) {
        q = strchr(p, '\034');
        if (q)
            *q = '\0';
        fputs(i ? ", " : "", f);
        jstr(f, p);
        fprintf(f, ": %ld", list_count(&r->modes, p));
    }
    free(names);
    fputs("},\n    \"connections_by_version\": {", f);
    const char *v[32];
    int nv = version_list(r, v, 32);
    for (i = 0; i < nv; i++) {
        fputs(i ? ", " : "", f);
        jstr(f, v[i]);
        fprintf(f, ": %ld", list_count(&r->versions, v[i]));
    }
    fprintf(f, "},\n    \"huge_lines\": %ld,\n    \"checklist\": {", r->nhuge);
    for (int k = 0; k < K_COUNT; k++)
        fprintf(f, "%s\"%s\": {\"programs\": %ld, \"findings\": %ld}", k ? ", " : "", kind_name[k],
                r->kind_programs[k], r->kind_findings[k]);
    fputs("}\n  }", f);
}

void out_json(const struct report *r, FILE *f)
{
    json_summary(r, f);
    for (int t = 0; t < T_COUNT; t++) {
        const struct table *tb = &r->table[t];
        fprintf(f, ",\n  \"%s\": [", tb->name);
        for (int i = 0; i < tb->nrow; i++) {
            fprintf(f, "%s\n    {", i ? "," : "");
            for (int c = 0, any = 0; c < tb->ncol; c++) {
                if (tb->col[c].text == 2)
                    continue;
                fprintf(f, "%s\"%s\": ", any++ ? ", " : "", tb->col[c].name);
                jval(f, &tb->col[c], tb->row[i][c]);
            }
            fputc('}', f);
        }
        fprintf(f, "%s]", tb->nrow ? "\n  " : "");
    }
    fputs("\n}\n", f);
}

/* ---------------------------------------------------------------- CSV */

static int numeric(const char *s)
{
    if (*s == '-')
        s++;
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!(*s >= '0' && *s <= '9') && *s != '.')
            return 0;
    return 1;
}

/* RFC 4180, and no formulas in spreadsheets. */
static void csvq(FILE *f, const char *s)
{
    if (!s)
        s = "";
    int formula = strchr("-=+@\t\r", *s) && *s && !numeric(s);
    size_t n = strlen(s);
    int quote = strpbrk(s, "\",\r\n") || (n && (s[0] == ' ' || s[n - 1] == ' '));
    if (quote)
        fputc('"', f);
    if (formula)
        fputc('\'', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    if (quote)
        fputc('"', f);
}

struct ucols {
    const char *name[64];
    int n;
};

static int upos(struct ucols *u, const char *name)
{
    for (int i = 0; i < u->n; i++)
        if (!strcmp(u->name[i], name))
            return i;
    if (u->n < 64)
        u->name[u->n++] = name;
    return u->n - 1;
}

void out_csv(const struct report *r, FILE *f)
{
    struct ucols u = { .n = 0 };
    for (int t = 0; t < T_COUNT; t++)
        for (int c = 0; c < r->table[t].ncol; c++)
            if (r->table[t].col[c].text != 2)
                upos(&u, r->table[t].col[c].name);
    fputs("table", f);
    for (int i = 0; i < u.n; i++)
        fprintf(f, ",%s", u.name[i]);
    fputc('\n', f);
    const char *v[64] = { 0 };
    char count[24], detail[160];
    snprintf(count, sizeof count, "%ld", r->nrec);
    snprintf(detail, sizeof detail, "%ld records, %ld malformed lines skipped, %ld truncated records", r->nrec,
             r->nbad, r->ntrunc);
    char *modes = modes_line(r);
    v[upos(&u, "count")] = count, v[upos(&u, "detail")] = detail;
    v[upos(&u, "first_seen")] = r->all.first, v[upos(&u, "last_seen")] = r->all.last;
    v[upos(&u, "modes")] = modes;
    fputs("summary", f);
    for (int i = 0; i < u.n; i++)
        fputc(',', f), csvq(f, v[i]);
    fputc('\n', f);
    free(modes);
    for (int t = 0; t < T_COUNT; t++) {
        const struct table *tb = &r->table[t];
        for (int row = 0; row < tb->nrow; row++) {
            const char *cells[64] = { 0 };
            for (int c = 0; c < tb->ncol; c++) {
                const char *x = tb->row[row][c];
                if (tb->col[c].text == 2)
                    continue;
                cells[upos(&u, tb->col[c].name)] = tb->col[c].type == 'n' && !x ? "0" : x;
            }
            fputs(tb->name, f);
            for (int i = 0; i < u.n; i++)
                fputc(',', f), csvq(f, cells[i]);
            fputc('\n', f);
        }
    }
}
