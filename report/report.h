/* tlsfloor-report: the inventory of tlsfloor logs, on the log reader (common/tf_logread.h).
 * aggregate.c folds records into per-program, call site, endpoint and finding entries (memory
 * grows with distinct entries, never with records); tables.c turns them into tables of string
 * cells; output.c prints the tables as text, JSON, CSV or HTML; main.c reads the inputs. */
#ifndef TF_REPORT_H
#define TF_REPORT_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "tf_logread.h"

#define SEP "\034"   /* joins the parts of a key (awk's SUBSEP in the report it replaces) */
#define LIST_MAX 256 /* distinct items kept per list (programs of an endpoint, ...) */
#define BAD_AT_MAX 10

__attribute__((noreturn)) void oom(void);
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *cat(const char *first, ...);   /* NULL-terminated list of strings, newly allocated */

int ends_with(const char *s, const char *suffix);
/* Starts argv[0] (searched on PATH when search_path) with one end of a pipe as its descriptor
 * child_fd: 0, it reads what the caller writes; 1, the caller reads what it writes. Returns the
 * caller's end, or -1; *child is the process. */
int spawn_piped(char *const argv[], int search_path, int child_fd, pid_t *child);

/* Reads the log at path ("-": standard input; FILE.gz through gzip -dc) line by line into fn
 * (tf_lines_feed); says why on stderr, prefixed with prog, and returns -1 when it cannot read it
 * (or not all of it). *torn (when not NULL): the input's last byte was not a newline. */
int log_read(const char *prog, const char *path, struct tf_lines *lines, tf_line_fn fn, void *ctx, int *torn);
/* The same from an open descriptor (name: for messages). */
int log_read_fd(const char *prog, const char *name, int fd, struct tf_lines *lines, tf_line_fn fn, void *ctx,
                int *torn);

/* A growing string. */
struct buf {
    char *s;
    size_t n, cap;
};
void buf_add(struct buf *b, const char *s, size_t n);
void buf_str(struct buf *b, const char *s);
void buf_fmt(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *buf_take(struct buf *b);   /* the string (never NULL); b is empty afterwards */

/* String -> id (0, 1, ...), open addressing; keys are copied. */
struct smap {
    char **key;
    int *id;
    size_t cap, count;
};
int smap_get(const struct smap *m, const char *key);   /* -1 when absent */
int smap_put(struct smap *m, const char *key, int *fresh);

/* A small set of distinct strings with counts, at most LIST_MAX (the rest only counted). */
struct list {
    char **item;
    long *count;
    int n, cap;
    long overflow;
};
void list_add(struct list *l, const char *item);          /* "" is ignored */
char *list_str(const struct list *l, const char *sep);    /* sorted; NULL when empty */
char *tally_str(const struct list *l, const char *sep);   /* "item xN", sorted; NULL when empty */
long list_count(const struct list *l, const char *item);

struct span {
    char first[40], last[40];   /* timestamps (ISO 8601 compare as strings) */
};
void span_seen(struct span *s, const char *ts);

/* A table: named, typed columns and rows of cells (NULL: no value). */
enum col_kind { COL_PLAIN, COL_PATH, COL_WRAP };
struct column {
    const char *name, *label;
    char type;              /* 's' or 'n' */
    int text;               /* 0: JSON/CSV/HTML only, 1: everywhere, 2: the text output only */
    enum col_kind kind;     /* text output: a path shortened in the middle, or wrapped text */
};
struct table {
    const char *name, *title;
    const struct column *col;
    int ncol;
    char ***row;
    int nrow, cap;
};
char **table_row(struct table *t);
void table_cell(struct table *t, char **row, const char *name, char *value);   /* takes value */

enum { T_PROGRAMS, T_CALL_SITES, T_ENDPOINTS, T_FINDINGS, T_OTHER, T_COUNT };

/* What the checklist counts (findings carry one of these as their "kind"). */
enum kind { K_PIN, K_LEGACY, K_BASIC, K_UNCOVERED, K_FAILED, K_OTHER, K_COUNT };
extern const char *const kind_name[K_COUNT];
extern const char *const kind_title[K_COUNT];
extern const char *const kind_heading[K_COUNT];

struct report {
    /* inputs */
    char **input;
    int ninput;
    long nrec, nbad, ntrunc, nhuge;
    char *bad_at[BAD_AT_MAX];
    int have_host;
    struct span all;
    struct list modes, versions;
    /* checklist: distinct programs and findings per kind */
    long kind_programs[K_COUNT], kind_findings[K_COUNT];
    struct table table[T_COUNT];
    void *agg;   /* aggregate.c's state */
};

void report_init(struct report *r);
/* One line of input: parse, count, aggregate. where: "FILE" for the malformed list. */
void report_line(struct report *r, const char *line, size_t len, const char *where, long lineno);
void report_huge(struct report *r, const char *where, long lineno);
/* Source lookup of call sites (addr2line) when a2l is non-NULL; builds the tables. */
void report_build(struct report *r, const char *a2l, const char *readelf);

const char *version_order(int i);   /* newest first, NULL past the end */
char *summary_line(const struct report *r);
char *modes_line(const struct report *r);

void out_text(const struct report *r, FILE *f, int width);
void out_json(const struct report *r, FILE *f);
void out_csv(const struct report *r, FILE *f);

/* source_of: "file:line" of MODULE+OFFSET with debug info, or NULL (main.c). */
char *source_of(const char *a2l, const char *readelf, const char *module, const char *offset,
                const char *build_id);

#endif
