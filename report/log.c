/* tlsfloor-log: the one log reader for scripts and tests. Selects records (common/tf_logquery.h),
 * prints them, counts them, or asserts on them and on the log contract (tf_events.def). Reads
 * files, standard input and FILE.gz like tlsfloor-report (report/util.c: log_read). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "tf_logquery.h"

static const char usage_text[] =
    "usage: tlsfloor log [SELECT...] [OUTPUT | ASSERT...] [LOG...]\n"
    "\n"
    "Reads tlsfloor JSON Lines logs (standard input when no LOG is given, or for \"-\"; LOG.gz is\n"
    "decompressed) and prints, counts or checks the selected records (all SELECT options must hold).\n"
    "\n"
    "SELECT\n"
    "  --event NAME[,NAME...]  one of these events        --mode enforce|audit    --tool NAME\n"
    "  --where KEY=VALUE       equal (true, false, null and numbers compare by value)\n"
    "  --where KEY~ERE         matches the POSIX extended regular expression (a search)\n"
    "  --where KEY?            present              --where KEY!   absent\n"
    "    KEY: ts pid exe host tool mode event truncated dropped detail detail.NAME caller.site\n"
    "         caller.count caller.frames (yes/no) frame.symbol frame.module frame.offset\n"
    "         frame.build_id frame.class frame.method frame.file frame.line (the first caller frame,\n"
    "         from the record of the same pid and site that carries it when this one has only site)\n"
    "OUTPUT (one; default: the selected records as they are)\n"
    "  --fields K,K,...        the values, TAB-separated (\"\" absent; TAB, newline, CR and\n"
    "                          backslash as \\t \\n \\r \\\\)\n"
    "  --count                 the number of selected records\n"
    "  --summary               one line per record: event mode symbol detail k=v ...\n"
    "ASSERT (exit 1 and say why, with a summary of the whole log on stderr)\n"
    "  --expect N  --expect-min N  --expect-max N   the number of selected records\n"
    "  --none                  no record is selected\n"
    "  --pids N  --min-pids N  distinct pids among the selected records\n"
    "  --per-pid N             every pid of the log has exactly N selected records\n"
    "  --sites                 per pid and caller.site of the selected records, no count repeats\n"
    "  --sites-strict          ... and the counts are 1..n, only count 1 carries frames, every record\n"
    "                          has a caller\n"
    "  --check                 every line keeps the log contract: a newline at its end, at most 4096\n"
    "                          bytes, UTF-8, one JSON object with ts pid exe tool mode event detail, the\n"
    "                          event and its detail keys as the event table (tlsfloor tables events) says\n"
    "  --allow-empty           a log without records passes --check\n"
    "\n"
    "Malformed lines are skipped (a note says how many), fatal only for --check.\n"
    "Exit status: 0 every assertion holds, 1 one failed, 2 usage error or an unreadable LOG.\n";

#define PROG "tlsfloor-log"
#define MAX_WHERE 64
#define MAX_SHOWN 20     /* problems printed per assertion (the rest counted) */
#define MAX_DUMP 200     /* records of the summary printed on a failure */

enum output { OUT_RECORDS, OUT_FIELDS, OUT_COUNT, OUT_SUMMARY, OUT_NONE };

struct opts {
    const char *events[MAX_WHERE];
    int nevents;
    struct tf_lq_where where[MAX_WHERE];
    int nwhere;
    enum output out;
    char **fields;
    int nfields;
    long expect, expect_min, expect_max, pids, min_pids, per_pid;   /* -1: not asked */
    int none, sites, strict, check, allow_empty, asserts;
    struct buf selection;   /* the SELECT options as given, for messages */
};

/* The first frame each (pid, site) carried: records after the first carry only site and count. */
struct site {
    struct tf_lr_frame frame;
    int has_frame;
    long *count;         /* --sites: caller.count of each selected record */
    char *frames;        /* ... and whether it carried frames */
    int n, cap;
    char *where;         /* FILE:LINE of the first selected record */
};

struct state {
    struct opts *o;
    const char *name;    /* the input's name */
    long lineno;
    char *scratch, *buf; /* parse scratch; tf_lr_get's buffer */
    size_t cap;
    long records, selected, malformed, huge, file_records;
    struct smap sitemap;
    struct site *site;
    int nsite;
    struct smap pidmap;  /* every pid of the log -> selected records (pidsel) */
    long *pidsel;
    int npid;
    long npids_selected;
    struct buf problems, dump;
    long nproblems, ndump;
};

static void usage(const char *fmt, const char *arg)
{
    fprintf(stderr, PROG ": ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n" PROG ": try '" PROG " --help'\n");
    exit(2);
}

static void problem(struct state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct state *s, const char *fmt, ...)
{
    if (s->nproblems++ < MAX_SHOWN) {
        char line[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(line, sizeof line, fmt, ap);
        va_end(ap);
        buf_str(&s->problems, line);
        buf_str(&s->problems, "\n");
    }
}

/* ---- options */

static long count_arg(const char *opt, const char *v)
{
    char *end;
    errno = 0;
    long n = v ? strtol(v, &end, 10) : -1;
    if (!v || errno || *end || end == v || n < 0)
        usage("%s needs a number of 0 or more", opt);
    return n;
}

static void add_where(struct opts *o, const char *arg)
{
    char err[256];
    if (o->nwhere == MAX_WHERE)
        usage("more than %s --where, --mode and --tool", "64");
    if (tf_lq_where_parse(arg, &o->where[o->nwhere], err, sizeof err))
        usage("--where %s", err);
    o->nwhere++;
}

/* --mode M and --tool T are --where mode=M and --where tool=T. */
static void add_equal(struct opts *o, const char *key, const char *value)
{
    char *arg = cat(key, "=", value, (char *)NULL);   /* kept: the where points into it */
    add_where(o, arg);
}

static void split_fields(struct opts *o, const char *keys)
{
    char *list = xstrdup(keys);   /* kept: the fields point into it */
    for (char *f = strtok(list, ","); f; f = strtok(NULL, ",")) {
        if (!tf_lr_key_valid(f))
            usage("--fields: unknown key %s", f);
        o->fields = xrealloc(o->fields, (size_t)(o->nfields + 1) * sizeof *o->fields);
        o->fields[o->nfields++] = f;
    }
    if (o->nfields == 0)
        usage("--fields needs keys%s", "");
}

static void set_output(struct opts *o, enum output out)
{
    if (o->out != OUT_RECORDS && o->out != out)
        usage("one of --fields, --count and --summary%s", "");
    o->out = out;
}

/* An ASSERT option with a number; returns 1 when a was one. */
static int number_option(struct opts *o, const char *a, const char *v)
{
    static const char *const names[] = { "--expect", "--expect-min", "--expect-max", "--pids", "--min-pids",
                                         "--per-pid" };
    long *slots[] = { &o->expect, &o->expect_min, &o->expect_max, &o->pids, &o->min_pids, &o->per_pid };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        if (!strcmp(a, names[i])) {
            *slots[i] = count_arg(a, v);
            o->asserts = 1;
            return 1;
        }
    }
    return 0;
}

/* A flag option; returns 1 when a was one. */
static int flag_option(struct opts *o, const char *a)
{
    static const char *const names[] = { "--none", "--sites", "--sites-strict", "--check", "--allow-empty" };
    int *slots[] = { &o->none, &o->sites, &o->strict, &o->check, &o->allow_empty };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        if (!strcmp(a, names[i])) {
            *slots[i] = 1;
            o->asserts |= i < 4;
            return 1;
        }
    }
    return 0;
}

/* A SELECT option with its value; returns 1 when a was one. */
static int select_option(struct opts *o, const char *a, const char *v)
{
    if (strcmp(a, "--event") != 0 && strcmp(a, "--mode") != 0 && strcmp(a, "--tool") != 0 &&
        strcmp(a, "--where") != 0)
        return 0;
    if (!v)
        usage("%s needs a value", a);
    buf_fmt(&o->selection, "%s%s %s", o->selection.n ? " " : "", a, v);
    if (!strcmp(a, "--event")) {
        if (o->nevents == MAX_WHERE)
            usage("more than %s --event", "64");
        o->events[o->nevents++] = v;
    } else if (!strcmp(a, "--where")) {
        add_where(o, v);
    } else {
        add_equal(o, a + 2, v);
    }
    return 1;
}

static int parse_options(struct opts *o, int argc, char **argv)
{
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!a)
            break;   /* never (argv[argc] is the first NULL), but the analyzer cannot know */
        if (select_option(o, a, v) || number_option(o, a, v))
            i++;
        else if (flag_option(o, a))
            ;
        else if (!strcmp(a, "--fields") && v)
            set_output(o, OUT_FIELDS), split_fields(o, v), i++;
        else if (!strcmp(a, "--count"))
            set_output(o, OUT_COUNT);
        else if (!strcmp(a, "--summary"))
            set_output(o, OUT_SUMMARY);
        else if (!strcmp(a, "-h") || !strcmp(a, "--help"))
            fputs(usage_text, stdout), exit(0);
        else if (!strcmp(a, "--"))
            return i + 1;
        else if (a[0] == '-' && a[1])
            usage("unknown option (or a missing value) %s", a);
        else
            break;
    }
    if (o->asserts && o->out == OUT_RECORDS)
        o->out = OUT_NONE;   /* assertions alone print nothing but why they fail */
    if (o->sites && o->strict)
        usage("%s: one of --sites and --sites-strict", "--sites");
    return i;
}

/* ---- per record */

/* "pid\034site" of a record with a caller site, into key (cap bytes); 0 without one. */
static int site_key(const struct tf_logrec *r, char *key, size_t cap)
{
    if (!r->site.p || !r->pid.p)
        return 0;
    snprintf(key, cap, "%.*s" SEP "%.*s", (int)r->pid.n, r->pid.p, (int)r->site.n, r->site.p);
    return 1;
}

static struct site *site_of(struct state *s, const char *key)
{
    int fresh;
    int id = smap_put(&s->sitemap, key, &fresh);
    if (fresh) {
        s->site = xrealloc(s->site, (size_t)(s->nsite + 1) * sizeof *s->site);
        memset(&s->site[s->nsite++], 0, sizeof *s->site);
    }
    return &s->site[id];
}

static struct tf_lstr keep(struct tf_lstr v)
{
    return v.p ? (struct tf_lstr){ xstrndup(v.p, v.n), v.n } : v;
}

/* The record's first caller frame, or the one an earlier record of its (pid, site) carried. */
static const struct tf_lr_frame *first_frame(struct state *s, const struct tf_logrec *r)
{
    char key[128];
    if (!site_key(r, key, sizeof key))
        return r->nframes > 0 ? &r->frame[0] : NULL;
    struct site *st = site_of(s, key);
    if (r->nframes > 0 && !st->has_frame) {
        const struct tf_lr_frame *f = &r->frame[0];
        st->frame = (struct tf_lr_frame){ keep(f->module), keep(f->offset), keep(f->symbol), keep(f->build_id),
                                          keep(f->cls), keep(f->method), keep(f->file), keep(f->line) };
        st->has_frame = 1;
    }
    return r->nframes > 0 ? &r->frame[0] : st->has_frame ? &st->frame : NULL;
}

static int selected(struct state *s, const struct tf_logrec *r, const struct tf_lr_frame *first)
{
    for (int i = 0; i < s->o->nevents; i++)
        if (!tf_lq_in_list(s->o->events[i], ',', r->event))
            return 0;
    for (int i = 0; i < s->o->nwhere; i++)
        if (!tf_lq_match(&s->o->where[i], r, first, s->buf, s->cap))
            return 0;
    return 1;
}

/* "event mode symbol k=v ..." */
static void summary(const struct tf_logrec *r, const struct tf_lr_frame *first, struct buf *out)
{
    static char flat[4096];
    tf_lr_flat_detail(r->detail_raw, flat, sizeof flat);
    struct tf_lstr sym = first ? (first->symbol.p ? first->symbol : first->method) : (struct tf_lstr){ 0 };
    buf_add(out, r->event.p, r->event.n);
    buf_str(out, " ");
    buf_add(out, r->mode.p ? r->mode.p : "-", r->mode.p ? r->mode.n : 1);
    buf_str(out, " ");
    buf_add(out, sym.p ? sym.p : "-", sym.p ? sym.n : 1);
    buf_str(out, " ");
    buf_str(out, flat);
    buf_str(out, "\n");
}

/* One value for --fields: TAB, newline, CR and the backslash escaped, so a line splits on TAB
 * and every value reads back exactly (a "\t" in a value is not taken for a TAB). */
static void field(struct state *s, const struct tf_logrec *r, const struct tf_lr_frame *first, const char *key)
{
    struct tf_lr_val v;
    if (tf_lr_get(r, first, key, s->buf, s->cap, &v) != 1)
        return;
    for (size_t i = 0; i < v.n; i++) {
        char c = v.s[i];
        if (c == '\t' || c == '\n' || c == '\r' || c == '\\')
            fputs(c == '\t' ? "\\t" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\\\", stdout);
        else
            putchar(c);
    }
}

static void output(struct state *s, const char *line, size_t len, const struct tf_logrec *r,
                   const struct tf_lr_frame *first)
{
    struct buf b = { 0 };
    switch (s->o->out) {
    case OUT_RECORDS:
        fwrite(line, 1, len, stdout);
        putchar('\n');
        break;
    case OUT_FIELDS:
        for (int i = 0; i < s->o->nfields; i++) {
            if (i)
                putchar('\t');
            field(s, r, first, s->o->fields[i]);
        }
        putchar('\n');
        break;
    case OUT_SUMMARY:
        summary(r, first, &b);
        fputs(b.s, stdout);
        free(b.s);
        break;
    default: break;
    }
}

/* --sites: the selected record's caller count, kept per (pid, site). */
static void site_seen(struct state *s, const struct tf_logrec *r)
{
    char key[128];
    if (!r->has_caller) {
        if (s->o->strict)
            problem(s, "%s:%ld: %.*s has no caller", s->name, s->lineno, (int)r->event.n, r->event.p);
        return;
    }
    if (!site_key(r, key, sizeof key) || !r->count.p) {
        problem(s, "%s:%ld: the caller lacks site or count", s->name, s->lineno);
        return;
    }
    struct site *st = site_of(s, key);
    if (st->n == st->cap) {
        st->cap = st->cap ? 2 * st->cap : 8;
        st->count = xrealloc(st->count, (size_t)st->cap * sizeof *st->count);
        st->frames = xrealloc(st->frames, (size_t)st->cap);
    }
    if (!st->where) {
        char at[64];
        snprintf(at, sizeof at, ":%ld", s->lineno);
        st->where = cat(s->name, at, (char *)NULL);
    }
    char num[32];
    snprintf(num, sizeof num, "%.*s", (int)(r->count.n < 31 ? r->count.n : 31), r->count.p);
    st->count[st->n] = strtol(num, NULL, 10);
    st->frames[st->n++] = r->nframes > 0;
}

static void pid_seen(struct state *s, const struct tf_logrec *r, int sel)
{
    char pid[64];
    int fresh;
    snprintf(pid, sizeof pid, "%.*s", r->pid.p ? (int)r->pid.n : 0, r->pid.p ? r->pid.p : "");
    int id = smap_put(&s->pidmap, pid, &fresh);
    if (fresh) {
        s->pidsel = xrealloc(s->pidsel, (size_t)(s->npid + 1) * sizeof *s->pidsel);
        s->pidsel[s->npid++] = 0;
    }
    if (sel && s->pidsel[id]++ == 0)
        s->npids_selected++;
}

static void on_record(struct state *s, const char *line, size_t len, const struct tf_logrec *r)
{
    const struct tf_lr_frame *first = first_frame(s, r);
    int sel = selected(s, r, first);
    s->records++, s->file_records++;
    if (s->o->asserts && s->ndump++ < MAX_DUMP) {
        buf_fmt(&s->dump, "    %s:%ld: ", s->name, s->lineno);
        summary(r, first, &s->dump);
    }
    pid_seen(s, r, sel);
    if (!sel)
        return;
    s->selected++;
    if (s->o->none)
        problem(s, "%s:%ld: selected: %.*s", s->name, s->lineno, (int)(len > 300 ? 300 : len), line);
    if (s->o->sites || s->o->strict)
        site_seen(s, r);
    output(s, line, len, r, first);
}

static void on_line(void *ctx, const char *line, size_t len, int huge)
{
    struct state *s = ctx;
    struct tf_logrec r;
    char why[512];
    s->lineno++;
    if (huge) {
        s->huge++;
        if (s->o->check)
            problem(s, "%s:%ld: a line over %u bytes", s->name, s->lineno, TF_LR_LINE_MAX);
        return;
    }
    if (s->o->check && !tf_lq_check(line, len, s->scratch, why, sizeof why))
        problem(s, "%s:%ld: %s: %.*s", s->name, s->lineno, why, (int)(len > 200 ? 200 : len), line);
    enum tf_lr_result rc = tf_lr_parse(line, len, s->scratch, &r);
    if (rc == TF_LR_MALFORMED)
        s->malformed++;
    if (rc == TF_LR_OK)
        on_record(s, line, len, &r);
}

/* ---- the first pass: frames of every call site */

/* Whether a first frame may be needed from a later record: a site's record with frames (count 1)
 * may land after count 2 when threads log at once, so a first pass collects every site's frames. */
static int needs_frames(const struct opts *o)
{
    if (o->out == OUT_SUMMARY || o->asserts)
        return 1;
    for (int i = 0; i < o->nwhere; i++)
        if (!strncmp(o->where[i].key, "frame.", 6))
            return 1;
    for (int i = 0; i < o->nfields; i++)
        if (!strncmp(o->fields[i], "frame.", 6))
            return 1;
    return 0;
}

static void on_line_frames(void *ctx, const char *line, size_t len, int huge)
{
    struct state *s = ctx;
    struct tf_logrec r;
    if (!huge && tf_lr_parse(line, len, s->scratch, &r) == TF_LR_OK && r.nframes > 0)
        (void)first_frame(s, &r);
}

/* Standard input copied to a temporary file, to be read twice; returns its descriptor or -1. */
static int spool_stdin(void)
{
    static char chunk[1 << 16];
    FILE *t = tmpfile();
    size_t n;
    if (!t)
        return -1;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
        if (fwrite(chunk, 1, n, t) != n)
            return -1;
    if (ferror(stdin) || fflush(t))
        return -1;
    return fileno(t);
}

/* One input, one pass: stdin is the spooled copy when there is one (rewound). */
static int read_one(const char *path, int spool, struct tf_lines *lines, tf_line_fn fn, struct state *s, int *torn)
{
    if (strcmp(path, "-") != 0 || spool < 0)
        return log_read(PROG, path, lines, fn, s, torn);
    if (lseek(spool, 0, SEEK_SET) < 0)
        return -1;
    return log_read_fd(PROG, "(stdin)", spool, lines, fn, s, torn);
}

/* ---- after the last line */

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static void check_site(struct state *s, struct site *st, const char *key)
{
    const char *sep = strstr(key, SEP);
    int pidlen = (int)(sep - key), nframes = 0, frames_at_1 = 0;
    for (int i = 0; i < st->n; i++)
        nframes += st->frames[i], frames_at_1 |= st->frames[i] && st->count[i] == 1;
    qsort(st->count, (size_t)st->n, sizeof *st->count, cmp_long);
    for (int i = 0; i < st->n; i++) {
        if (i > 0 && st->count[i] == st->count[i - 1]) {
            problem(s, "%s: pid %.*s site %s: count %ld repeats", st->where, pidlen, key, sep + 1, st->count[i]);
            return;
        }
        if (s->o->strict && st->count[i] != i + 1) {
            problem(s, "%s: pid %.*s site %s: the counts are not 1..%d", st->where, pidlen, key, sep + 1, st->n);
            return;
        }
    }
    if (s->o->strict && (nframes != 1 || !frames_at_1))
        problem(s, "%s: pid %.*s site %s: %d records carry frames, expected exactly 1 (the one of count 1)",
                st->where, pidlen, key, sep + 1, nframes);
}

static void check_sites(struct state *s)
{
    for (size_t i = 0; i < s->sitemap.cap; i++)
        if (s->sitemap.key[i] && s->site[s->sitemap.id[i]].n)
            check_site(s, &s->site[s->sitemap.id[i]], s->sitemap.key[i]);
}

static void check_counts(struct state *s, const char *what)
{
    const struct opts *o = s->o;
    if (o->expect >= 0 && s->selected != o->expect)
        problem(s, "expected exactly %ld %s, found %ld", o->expect, what, s->selected);
    if (o->expect_min >= 0 && s->selected < o->expect_min)
        problem(s, "expected at least %ld %s, found %ld", o->expect_min, what, s->selected);
    if (o->expect_max >= 0 && s->selected > o->expect_max)
        problem(s, "expected at most %ld %s, found %ld", o->expect_max, what, s->selected);
    if (o->pids >= 0 && s->npids_selected != o->pids)
        problem(s, "expected %ld distinct pids among the %s, found %ld", o->pids, what, s->npids_selected);
    if (o->min_pids >= 0 && s->npids_selected < o->min_pids)
        problem(s, "expected at least %ld distinct pids among the %s, found %ld", o->min_pids, what,
                s->npids_selected);
    for (size_t i = 0; o->per_pid >= 0 && i < s->pidmap.cap; i++)
        if (s->pidmap.key[i] && s->pidsel[s->pidmap.id[i]] != o->per_pid)
            problem(s, "pid %s has %ld %s, expected %ld", s->pidmap.key[i], s->pidsel[s->pidmap.id[i]], what,
                    o->per_pid);
    if (o->check && s->records == 0 && !o->allow_empty)
        problem(s, "no record at all (--check of nothing; --allow-empty when that is right)");
}

/* Prints why the assertions failed and the log's records; returns the exit status. */
static int verdict(struct state *s, const char *inputs)
{
    struct buf what = { 0 };
    buf_fmt(&what, "selected records (%s)", s->o->selection.n ? s->o->selection.s : "all");
    if (s->o->sites || s->o->strict)
        check_sites(s);
    check_counts(s, what.s);
    free(what.s);
    if (s->nproblems == 0)
        return 0;
    fprintf(stderr, PROG ": %s: FAILED:\n%s", inputs, s->problems.s);
    if (s->nproblems > MAX_SHOWN)
        fprintf(stderr, "  ... %ld problems in all\n", s->nproblems);
    fprintf(stderr, PROG ": the log (%ld records%s):\n%s", s->records,
            s->ndump > MAX_DUMP ? ", the first 200" : "", s->dump.s ? s->dump.s : "");
    return 1;
}

int main(int argc, char **argv)
{
    static struct opts o = { .expect = -1, .expect_min = -1, .expect_max = -1, .pids = -1, .min_pids = -1,
                             .per_pid = -1 };
    signal(SIGPIPE, SIG_DFL);
    int i = parse_options(&o, argc, argv), rc = 0;
    static struct state s;
    s.o = &o;
    s.cap = TF_LR_LINE_MAX + 64;
    s.scratch = xmalloc(s.cap);
    s.buf = xmalloc(s.cap);
    struct tf_lines lines = { xmalloc(TF_LR_LINE_MAX), TF_LR_LINE_MAX, 0, 0 };
    char *dash[] = { "-" };
    char **files = i < argc ? argv + i : dash;
    int nfiles = i < argc ? argc - i : 1, spool = -1;
    struct buf inputs = { 0 };
    if (needs_frames(&o)) {
        for (int k = 0; k < nfiles; k++) {
            if (!strcmp(files[k], "-") && spool < 0 && (spool = spool_stdin()) < 0)
                usage("cannot keep standard input in a temporary file%s", "");
            if (read_one(files[k], spool, &lines, on_line_frames, &s, NULL))
                return 2;
        }
    }
    for (int k = 0; k < nfiles; k++) {
        int torn = 0;
        s.name = strcmp(files[k], "-") ? files[k] : "(stdin)";
        s.lineno = 0, s.malformed = 0, s.huge = 0, s.file_records = 0;
        buf_str(&inputs, k ? " " : "");
        buf_str(&inputs, s.name);
        if (read_one(files[k], spool, &lines, on_line, &s, &torn))
            rc = 2;
        if (torn && o.check)
            problem(&s, "%s:%ld: the last line does not end with a newline (a torn record?)", s.name, s.lineno);
        if ((s.malformed || s.huge) && !o.check)
            fprintf(stderr, PROG ": %s: %ld malformed and %ld huge lines skipped\n", s.name, s.malformed, s.huge);
    }
    if (o.out == OUT_COUNT && rc == 0)
        printf("%ld\n", s.selected);
    if (fflush(stdout) || ferror(stdout))
        rc = 2;
    if (rc)
        return rc;
    return verdict(&s, inputs.s);
}
