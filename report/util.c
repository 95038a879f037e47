/* Containers of the report: strings, a hash map, small counted sets, tables; reading a log
 * (shared with tlsfloor-log). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report.h"

extern char **environ;

void oom(void)
{
    fputs("tlsfloor report: out of memory\n", stderr);
    exit(2);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        oom();
    return p;
}

char *xstrndup(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *cat(const char *first, ...)
{
    struct buf b = { 0 };
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        buf_str(&b, s);
    va_end(ap);
    return buf_take(&b);
}

void buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->s = xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

void buf_str(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void buf_fmt(struct buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        buf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

char *buf_take(struct buf *b)
{
    char *s = b->s ? b->s : xstrdup("");
    b->s = NULL;
    b->n = b->cap = 0;
    return s;
}

/* FNV-1a */
static size_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

static size_t slot_of(const struct smap *m, const char *key)
{
    size_t i = hash(key) & (m->cap - 1);
    while (m->key[i] && strcmp(m->key[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

int smap_get(const struct smap *m, const char *key)
{
    if (!m->cap)
        return -1;
    size_t i = slot_of(m, key);
    return m->key[i] ? m->id[i] : -1;
}

static void smap_grow(struct smap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64, old_cap = m->cap;
    char **old_key = m->key;
    int *old_id = m->id;
    m->key = calloc(cap, sizeof *m->key);
    m->id = calloc(cap, sizeof *m->id);
    if (!m->key || !m->id)
        oom();
    m->cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old_key[i]) {
            size_t j = slot_of(m, old_key[i]);
            m->key[j] = old_key[i];
            m->id[j] = old_id[i];
        }
    free(old_key);
    free(old_id);
}

int smap_put(struct smap *m, const char *key, int *fresh)
{
    if ((m->count + 1) * 2 > m->cap)
        smap_grow(m);
    size_t i = slot_of(m, key);
    *fresh = !m->key[i];
    if (*fresh) {
        m->key[i] = xstrdup(key);
        m->id[i] = (int)m->count++;
    }
    return m->id[i];
}

void list_add(struct list *l, const char *item)
{
    if (!item || !*item)
        return;
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->item[i], item)) {
            l->count[i]++;
            return;
        }
    if (l->n >= LIST_MAX) {
        l->overflow++;
        return;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        l->item = xrealloc(l->item, (size_t)l->cap * sizeof *l->item);
        l->count = xrealloc(l->count, (size_t)l->cap * sizeof *l->count);
    }
    l->item[l->n] = xstrdup(item);
    l->count[l->n++] = 1;
}

long list_count(const struct list *l, const char *item)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->item[i], item))
            return l->count[i];
    return 0;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *joined(const struct list *l, const char *sep, int counts)
{
    if (l->n == 0)
        return NULL;
    int *ord = xmalloc((size_t)l->n * sizeof *ord);
    char **sorted = xmalloc((size_t)l->n * sizeof *sorted);
    memcpy(sorted, l->item, (size_t)l->n * sizeof *sorted);
    qsort(sorted, (size_t)l->n, sizeof *sorted, by_string);
    struct buf b = { 0 };
    for (int i = 0; i < l->n; i++) {
        if (i)
            buf_str(&b, sep);
        buf_str(&b, sorted[i]);
        if (counts)
            buf_fmt(&b, " x%ld", list_count(l, sorted[i]));
    }
    if (l->overflow)
        buf_fmt(&b, "%s(%ld more)", sep, l->overflow);
    free(sorted);
    free(ord);
    return buf_take(&b);
}

char *list_str(const struct list *l, const char *sep)
{
    return joined(l, sep, 0);
}

char *tally_str(const struct list *l, const char *sep)
{
    return joined(l, sep, 1);
}

void span_seen(struct span *s, const char *ts)
{
    if (!ts || !*ts)
        return;
    if (!s->first[0] || strcmp(ts, s->first) < 0)
        snprintf(s->first, sizeof s->first, "%s", ts);
    if (!s->last[0] || strcmp(ts, s->last) > 0)
        snprintf(s->last, sizeof s->last, "%s", ts);
}

char **table_row(struct table *t)
{
    if (t->nrow == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->row = xrealloc(t->row, (size_t)t->cap * sizeof *t->row);
    }
    char **row = calloc((size_t)t->ncol, sizeof *row);
    if (!row)
        oom();
    t->row[t->nrow++] = row;
    return row;
}

void table_cell(struct table *t, char **row, const char *name, char *value)
{
    for (int i = 0; i < t->ncol; i++)
        if (!strcmp(t->col[i].name, name)) {
            free(row[i]);
            row[i] = value;
            return;
        }
    free(value);
}

/* ---- reading a log: a file, standard input ("-"), or FILE.gz through gzip -dc */

int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

int spawn_piped(char *const argv[], int search_path, int child_fd, pid_t *child)
{
    int p[2];
    posix_spawn_file_actions_t fa;
    if (pipe(p))
        return -1;
    int theirs = child_fd == 0 ? p[0] : p[1], ours = child_fd == 0 ? p[1] : p[0];
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, theirs, child_fd);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    posix_spawn_file_actions_addclose(&fa, p[1]);
    int rc = search_path ? posix_spawnp(child, argv[0], &fa, NULL, argv, environ)
                         : posix_spawn(child, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(theirs);
    if (rc) {
        close(ours);
        return -1;
    }
    return ours;
}

/* gzip -dc FILE on a pipe; returns the read end, *child the process. */
static int gunzip(const char *path, pid_t *child)
{
    char *argv[] = { "gzip", "-dc", "--", (char *)path, NULL };
    return spawn_piped(argv, 1, 1, child);
}

/* Feeds fd's bytes to lines; returns the last byte read (-1 when none) or -2 on a read error. */
static int read_fd(int fd, struct tf_lines *lines, tf_line_fn fn, void *ctx)
{
    static char chunk[1 << 18];
    ssize_t n;
    int last = -1;
    for (;;) {
        n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        last = (unsigned char)chunk[n - 1];
        tf_lines_feed(lines, chunk, (size_t)n, fn, ctx);
    }
    tf_lines_finish(lines, fn, ctx);
    return n < 0 ? -2 : last;
}

int log_read_fd(const char *prog, const char *name, int fd, struct tf_lines *lines, tf_line_fn fn, void *ctx,
                int *torn)
{
    int last = read_fd(fd, lines, fn, ctx);
    if (last == -2)
        fprintf(stderr, "%s: %s: read error: %s\n", prog, name, strerror(errno));
    if (torn)
        *torn = last >= 0 && last != '\n';
    return last == -2 ? -1 : 0;
}

int log_read(const char *prog, const char *path, struct tf_lines *lines, tf_line_fn fn, void *ctx, int *torn)
{
    int std = !strcmp(path, "-");
    pid_t child = 0;
    int fd = std ? 0 : ends_with(path, ".gz") ? gunzip(path, &child) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "%s: %s: cannot read it\n", prog, path);
        return -1;
    }
    int rc = log_read_fd(prog, std ? "(stdin)" : path, fd, lines, fn, ctx, torn);
    if (!std)
        close(fd);
    if (child > 0) {
        int st;
        while (waitpid(child, &st, 0) < 0 && errno == EINTR)
            ;
        if (!WIFEXITED(st) || WEXITSTATUS(st)) {
            fprintf(stderr, "%s: %s: gzip -dc failed (the lines read before count)\n", prog, path);
            return -1;
        }
    }
    return rc;
}
