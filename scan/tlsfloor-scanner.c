/* tlsfloor-scanner: the work of `tlsfloor scan` (scripts/tlsfloor-scan formats what it prints).
 *
 *   tlsfloor-scanner [--all] [--jobs N] PATH...
 *
 * Walks the paths (symbolic links are not followed, special files are skipped), reads each
 * regular file once (mmap), classifies it (ELF, Java, text, other) and searches it in one pass.
 * Files are spread over threads; the output is in the walk's sorted order, the same for any
 * number of threads. Output, tab-separated lines:
 *   elf  FILE KIND TLS FIXES PINS LEGACY ADVICE FINDING CONFIDENCE REASON
 *   text FILE LINE KIND MATCH TEXT CONFIDENCE REASON
 *   java FILE                         (a Java archive or class: scripts/tlsfloor-scan reads it)
 *   count ELF TEXT JAVA OTHER HIDDEN  (HIDDEN: matches in documentation or help text not shown)
 * Problems with single files go to stderr and never stop the scan. Exit 0, or 2 on a usage
 * error or a PATH that does not exist. */
#define _GNU_SOURCE   /* memmem, strndup */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tf_elf.h"
#include "tf_rewrite.h"
#include "tf_scan.h"

/* ---- growing strings ---- */
struct buf {
    char *p;
    size_t len, cap;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            perror("tlsfloor scan");
            exit(2);
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void buf_fmt(struct buf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        buf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* A field of a tab-separated line: tabs and newlines become '?'. */
static void buf_field(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i] == '\t' || s[i] == '\n' ? '?' : s[i];
        buf_add(b, &c, 1);
    }
}

/* ---- the files ---- */
struct file {
    char *path;
    enum { F_SKIP, F_ELF, F_TEXT, F_JAVA, F_OTHER } kind;
    int hidden;       /* matches not shown (documentation, help text) */
    struct buf out;   /* its output lines */
};

static struct file *files;
static size_t nfiles, capfiles;
static int show_all;
static char **sysdirs;   /* the system's library directories, then /etc/ld.so.conf.d's */
static size_t nsysdirs;

static void add_file(const char *path)
{
    if (nfiles == capfiles) {
        capfiles = capfiles ? capfiles * 2 : 1024;
        files = realloc(files, capfiles * sizeof *files);
        if (!files) {
            perror("tlsfloor scan");
            exit(2);
        }
    }
    memset(&files[nfiles], 0, sizeof files[nfiles]);
    files[nfiles++].path = strdup(path);
}

static char *join(const char *dir, const char *name)
{
    size_t d = strlen(dir);
    char *p = malloc(d + strlen(name) + 2);
    if (!p)
        exit(2);
    sprintf(p, "%s%s%s", dir, d && dir[d - 1] == '/' ? "" : "/", name);
    return p;
}

/* Regular files under path, symbolic links not followed (as `find PATH -type f`). */
static void walk(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        fprintf(stderr, "tlsfloor scan: %s: %s\n", path, strerror(errno));
        return;
    }
    if (S_ISREG(st.st_mode)) {
        add_file(path);
        return;
    }
    if (!S_ISDIR(st.st_mode))
        return;
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "tlsfloor scan: %s: %s\n", path, strerror(errno));
        return;
    }
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *child = join(path, e->d_name);
        if (e->d_type == DT_REG)
            add_file(child);
        else if (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN)
            walk(child);
        free(child);
    }
    closedir(d);
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const struct file *)a)->path, ((const struct file *)b)->path);
}

/* ---- shared libraries: each read once, whatever thread asks first ---- */
struct lib {
    char *path;
    char **needed;
    int n_needed;
    char **paths;   /* RPATH/RUNPATH entries */
    int n_paths;
    struct lib *next;
};
#define LIB_BUCKETS 4096
static struct lib *libs[LIB_BUCKETS];
static pthread_mutex_t libs_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned hash(const char *s)
{
    unsigned h = 5381;
    while (*s)
        h = h * 33 + (unsigned char)*s++;
    return h % LIB_BUCKETS;
}

static char *dup_str(struct tf_elf_str s)
{
    char *p = malloc(s.len + 1);
    if (!p)
        exit(2);
    memcpy(p, s.p, s.len);
    p[s.len] = '\0';
    return p;
}

/* RPATH/RUNPATH entries split at ':' with $ORIGIN expanded to dir. */
static void split_paths(const struct tf_elf_info *info, const char *dir, char ***out, int *n)
{
    *out = NULL;
    *n = 0;
    for (int i = 0; i < info->n_paths; i++) {
        char *all = dup_str(info->paths[i]), *save = NULL;
        for (char *t = strtok_r(all, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
            struct buf b = { 0 };
            for (const char *p = t; *p;) {
                if (strncmp(p, "$ORIGIN", 7) == 0) {
                    buf_str(&b, dir);
                    p += 7;
                } else if (strncmp(p, "${ORIGIN}", 9) == 0) {
                    buf_str(&b, dir);
                    p += 9;
                } else {
                    buf_add(&b, p++, 1);
                }
            }
            char **grown = realloc(*out, (size_t)(*n + 1) * sizeof **out);
            if (!grown || !b.p)
                exit(2);
            *out = grown;
            (*out)[(*n)++] = b.p;
        }
        free(all);
    }
}

static char *dir_of(const char *path)
{
    const char *s = strrchr(path, '/');
    if (!s)
        return strdup(".");
    if (s == path)
        return strdup("/");
    return strndup(path, (size_t)(s - path));
}

static void lib_fill(struct lib *l, const struct tf_elf_info *info, const char *path)
{
    l->needed = calloc((size_t)info->n_needed + 1, sizeof *l->needed);
    if (!l->needed)
        exit(2);
    for (int i = 0; i < info->n_needed; i++)
        l->needed[i] = dup_str(info->needed[i]);
    l->n_needed = info->n_needed;
    char *dir = dir_of(path);
    split_paths(info, dir, &l->paths, &l->n_paths);
    free(dir);
}

/* A library's NEEDED and RPATH/RUNPATH, read once. */
static const struct lib *lib_get(const char *path)
{
    unsigned h = hash(path);
    pthread_mutex_lock(&libs_lock);
    for (const struct lib *l = libs[h]; l; l = l->next)
        if (strcmp(l->path, path) == 0) {
            pthread_mutex_unlock(&libs_lock);
            return l;
        }
    pthread_mutex_unlock(&libs_lock);
    struct lib *l = calloc(1, sizeof *l);
    if (!l)
        exit(2);
    l->path = strdup(path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        struct tf_elf_info info;
        if (m != MAP_FAILED) {
            if (tf_elf_parse(m, (size_t)st.st_size, &info) == 0)
                lib_fill(l, &info, path);
            munmap(m, (size_t)st.st_size);
        }
    }
    if (fd >= 0)
        close(fd);
    /* another thread may have added it meanwhile: then two copies, both correct */
    pthread_mutex_lock(&libs_lock);
    l->next = libs[h];
    libs[h] = l;
    pthread_mutex_unlock(&libs_lock);
    return l;
}

static void load_sysdirs(void)
{
    static const char *const fixed[] = { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64",
                                         "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib" };
    size_t nfixed = sizeof fixed / sizeof fixed[0];
    sysdirs = calloc(nfixed, sizeof *sysdirs);
    if (!sysdirs)
        exit(2);
    for (size_t i = 0; i < nfixed; i++)
        sysdirs[nsysdirs++] = strdup(fixed[i]);
    /* /etc/ld.so.conf.d/NAME.conf in name order, as the loader's configuration includes them
     * (scandir, not glob: glob drags getpwnam into a static build) */
    struct dirent **names = NULL;
    int n = scandir("/etc/ld.so.conf.d", &names, NULL, alphasort);
    for (int k = 0; k < n; k++) {
        size_t len = strlen(names[k]->d_name);
        char *path = join("/etc/ld.so.conf.d", names[k]->d_name);
        FILE *f = len > 5 && strcmp(names[k]->d_name + len - 5, ".conf") == 0 ? fopen(path, "r") : NULL;
        char line[4096];
        while (f && fgets(line, sizeof line, f)) {
            char *p = line + strspn(line, " \t");
            if (*p != '/')
                continue;
            p[strcspn(p, " \t#\n")] = '\0';
            char **grown = realloc(sysdirs, (nsysdirs + 1) * sizeof *sysdirs);
            if (!grown)
                exit(2);
            sysdirs = grown;
            sysdirs[nsysdirs++] = strdup(p);
        }
        if (f)
            fclose(f);
        free(path);
        free(names[k]);
    }
    free(names);
}

/* ---- one ELF file ---- */
struct tls_use {
    char so[256];
    char via[256];
};
#define TLS_USES_MAX 32
#define SEEN_MAX 512

struct seen {
    char *name[SEEN_MAX];
    int n;
};

static int seen_add(struct seen *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->name[i], name) == 0)
            return 0;
    if (s->n < SEEN_MAX)
        s->name[s->n++] = strdup(name);
    return 1;
}

static char *find_lib(const struct lib *obj, const char *so)
{
    for (int pass = 0; pass < 2; pass++) {
        char **dirs = pass == 0 ? obj->paths : sysdirs;
        size_t n = pass == 0 ? (size_t)obj->n_paths : nsysdirs;
        for (size_t i = 0; i < n; i++) {
            char *p = join(dirs[i], so);
            struct stat st;
            if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
                return p;
            free(p);
        }
    }
    return NULL;
}

static const char *base_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* The TLS libraries the file needs, directly or through its libraries (breadth first, five
 * levels, as the dynamic loader's search order finds them). */
static int tls_uses(const struct lib *top, struct tls_use *uses)
{
    struct seen seen = { .n = 0 };
    const struct lib *queue[256], *next[256];
    int nq = 1, nu = 0;
    queue[0] = top;
    for (int depth = 0; nq > 0 && depth < 5; depth++) {
        int nn = 0;
        for (int q = 0; q < nq; q++) {
            const struct lib *obj = queue[q];
            for (int i = 0; i < obj->n_needed; i++) {
                const char *so = obj->needed[i];
                struct tf_tls_lib c;
                if (!seen_add(&seen, so))
                    continue;
                if (tf_scan_classify_soname(so, &c)) {
                    if (nu < TLS_USES_MAX) {
                        snprintf(uses[nu].so, sizeof uses[nu].so, "%s", so);
                        snprintf(uses[nu].via, sizeof uses[nu].via, "%s", obj == top ? "" : base_of(obj->path));
                        nu++;
                    }
                    continue;
                }
                char *p = find_lib(obj, so);
                if (p && nn < 256)
                    next[nn++] = lib_get(p);
                free(p);
            }
        }
        memcpy(queue, next, (size_t)nn * sizeof(const struct lib *));
        nq = nn;
    }
    for (int i = 0; i < seen.n; i++)
        free(seen.name[i]);
    return nu;
}

/* What one pass over an ELF file's bytes found. */
struct marks {
    unsigned legacy;       /* bit i: tf_builtin_rules.rule[i] named */
    unsigned legacy_help;  /* bit i: named in help or usage text */
    char sver[96];         /* the first embedded OpenSSL version string */
    int go_magic, go_tls;
    char gover[32];
};

static int printable(unsigned char c)
{
    return (c >= 0x20 && c < 0x7f) || c == '\t';
}

/* "OpenSSL 1.1.1w  11 Sep 2023": the version and date OpenSSL's version text carries. */
static size_t openssl_version(const unsigned char *p, size_t n)
{
    size_t i = 8, k;
    for (int part = 0; part < 3; part++) {
        if (part && (i >= n || p[i++] != '.'))
            return 0;
        for (k = i; i < n && p[i] >= '0' && p[i] <= '9'; i++)
            ;
        if (i == k)
            return 0;
    }
    for (k = i; i < n && p[i] >= 'a' && p[i] <= 'z'; i++)
        ;
    if (i - k > 2)
        return 0;
    if (i < n && p[i] == '-') {
        for (k = ++i; i < n && ((p[i] >= '0' && p[i] <= '9') || ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z')); i++)
            ;
        if (i == k)
            return 0;
    }
    for (k = i; i < n && p[i] == ' '; i++)
        ;
    if (i == k)
        return 0;
    for (k = i; i < n && i - k < 2 && p[i] >= '0' && p[i] <= '9'; i++)
        ;
    if (i == k || i + 9 > n || p[i] != ' ' || !(p[i + 1] >= 'A' && p[i + 1] <= 'Z') ||
        !(p[i + 2] >= 'a' && p[i + 2] <= 'z') || !(p[i + 3] >= 'a' && p[i + 3] <= 'z') || p[i + 4] != ' ')
        return 0;
    for (k = i + 5; k < i + 9; k++)
        if (p[k] < '0' || p[k] > '9')
            return 0;
    return i + 9;
}

/* "go1.21.5" inside a printable run of 8 or more (what `strings` would show). */
static size_t go_version(const unsigned char *d, size_t n, size_t at)
{
    size_t i = at + 4, k;
    for (k = i; i < n && d[i] >= '0' && d[i] <= '9'; i++)
        ;
    if (i == k)
        return 0;
    if (i + 1 < n && d[i] == '.' && d[i + 1] >= '0' && d[i + 1] <= '9')
        for (i++; i < n && d[i] >= '0' && d[i] <= '9'; i++)
            ;
    size_t s = at, e = at;
    while (s > 0 && printable(d[s - 1]))
        s--;
    while (e < n && printable(d[e]))
        e++;
    return e - s >= 8 ? i - at : 0;
}

/* The legacy endpoint names of the built-in rules around an "-legacy." at p. */
/* The printable run (a string constant, as `strings` would see it) around d[p], at most
 * RUN_MAX bytes each way. */
#define RUN_MAX 4096
static int in_string(unsigned char c)   /* printable, or a line break of multi-line text */
{
    return printable(c) || c == '\n' || c == '\r';
}
static void run_around(const unsigned char *d, size_t n, size_t p, size_t *start, size_t *end)
{
    size_t a = p, b = p;
    while (a > 0 && p - a < RUN_MAX && in_string(d[a - 1]))
        a--;
    while (b < n && b - p < RUN_MAX && in_string(d[b]))
        b++;
    *start = a;
    *end = b;
}

/* Marks the rules whose legacy name holds the "-legacy." at d[p]: in *found, or in *help when
 * the name sits in help or usage text (left out unless --all). */
static void legacy_at(const unsigned char *d, size_t n, size_t p, unsigned *found, unsigned *help)
{
    size_t rs, re;
    run_around(d, n, p, &rs, &re);
    for (int r = 0; r < tf_builtin_rules.count && r < 32; r++) {
        const char *name = tf_builtin_rules.rule[r].old;
        const char *a = strstr(name, "-legacy.");
        if (!a)
            continue;
        size_t k = (size_t)(a - name), len = strlen(name);
        if (p < k || p - k + len > n || strncasecmp((const char *)d + p - k, name, len) != 0)
            continue;
        if (p - k >= rs && tf_scan_is_help_string((const char *)d + rs, re - rs, p - k - rs))
            *help |= 1u << r;
        else
            *found |= 1u << r;
    }
}

/* One pass over the bytes: a table of the patterns' first two bytes, then a comparison. */
static void scan_bytes(const unsigned char *d, size_t n, struct marks *m)
{
    static const char go_magic[] = "\377 Go buildinf:";
    memset(m, 0, sizeof *m);
    for (size_t i = 0; i + 4 <= n; i++) {
        unsigned char c = d[i];
        if (c != '-' && c != 'O' && c != 'g' && c != 'c' && c != 0xff)
            continue;
        unsigned char c1 = d[i + 1];
        if (c == '-' && (c1 | 0x20) == 'l' && i + 8 <= n && strncasecmp((const char *)d + i, "-legacy.", 8) == 0)
            legacy_at(d, n, i, &m->legacy, &m->legacy_help);
        else if (c == 'O' && c1 == 'p' && !m->sver[0] && i + 8 <= n && memcmp(d + i, "OpenSSL ", 8) == 0) {
            size_t l = openssl_version(d + i, n - i);
            if (l && l < sizeof m->sver)
                memcpy(m->sver, d + i, l);
        } else if (c == 'g' && c1 == 'o' && !m->gover[0] && d[i + 2] == '1' && d[i + 3] == '.') {
            size_t l = go_version(d, n, i);
            if (l && l < sizeof m->gover)
                memcpy(m->gover, d + i, l);
        } else if (c == 'c' && c1 == 'r' && !m->go_tls && i + 11 <= n && memcmp(d + i, "crypto/tls.", 11) == 0)
            m->go_tls = 1;
        else if (c == 0xff && c1 == ' ' && !m->go_magic && i + sizeof go_magic - 1 <= n && memcmp(d + i, go_magic, sizeof go_magic - 1) == 0)
            m->go_magic = 1;
    }
}

/* The row's facts, decided as the former shell scan decided them. */
struct elf_row {
    char kind[32];
    struct buf tls, advice, notes;
    const char *fix;
};

static void note(struct buf *b, const char *s)
{
    if (b->len)
        buf_str(b, "; ");
    buf_str(b, s);
}

static void judge_libs(struct elf_row *r, const struct tls_use *u, int nu)
{
    int direct = 0, ok = 0, other = 0, old = 0, chk = 0;
    for (int i = 0; i < nu; i++)
        direct |= u[i].via[0] == '\0';
    for (int i = 0; i < nu; i++) {
        struct tf_tls_lib c;
        char t[700];
        tf_scan_classify_soname(u[i].so, &c);
        if (r->tls.len)
            buf_str(&r->tls, ", ");
        buf_fmt(&r->tls, "%s (%s%s%s)", c.label, u[i].so, u[i].via[0] ? " via " : "", u[i].via);
        if (direct && u[i].via[0])
            continue;   /* curl's librtmp pulls in GnuTLS, yet curl's TLS is libcurl's OpenSSL */
        if (strcmp(c.fixable, "yes") == 0 && strcmp(c.family, "other") != 0 && strcmp(c.family, "nss") != 0) {
            ok = 1;
        } else if (strcmp(c.family, "openssl") == 0 && strcmp(c.fixable, "check") == 0) {
            chk = 1;
            snprintf(t, sizeof t, "tlsfloor needs OpenSSL 1.0.1 or later: check which version %s is", u[i].so);
            note(&r->notes, t);
        } else if (strcmp(c.family, "openssl") == 0) {
            old = 1;
            snprintf(t, sizeof t, "%s is too old for tlsfloor (needs 1.0.1+)", c.label);
            note(&r->notes, t);
        } else {
            other = 1;
            snprintf(t, sizeof t, "%s%s%s%s is not covered by tlsfloor", c.label, u[i].via[0] ? " (via " : "",
                     u[i].via, u[i].via[0] ? ")" : "");
            note(&r->notes, t);
        }
    }
    if (ok || chk) {
        if (other || old) {
            r->fix = "partly";
            buf_fmt(&r->advice, "%s: connections through OpenSSL and GnuTLS are covered, the others are not", r->notes.p);
        } else if (chk && !ok) {
            r->fix = "check";
            buf_str(&r->advice, r->notes.p);
        } else {
            r->fix = "yes";
        }
    } else {
        r->fix = "no";
        buf_fmt(&r->advice, "%s: update the program, use its own settings to allow TLS 1.2+, or put a local TLS proxy (stunnel) in front", r->notes.p);
    }
}

static void set_str(struct buf *b, const char *s)
{
    b->len = 0;
    buf_str(b, s);
}

static void scan_elf(struct file *f, const unsigned char *d, size_t n)
{
    struct tf_elf_info info;
    if (tf_elf_parse(d, n, &info) != 0 || (info.type != 2 && info.type != 3))
        return;   /* object files, core dumps */
    struct elf_row r = { .fix = NULL };
    char soname[256] = "";
    if (info.soname.len)
        snprintf(soname, sizeof soname, "%.*s", (int)info.soname.len, info.soname.p);
    snprintf(r.kind, sizeof r.kind, "%s", soname[0] ? "library" : info.type == 2 && !info.has_interp ? "static program" : "program");
    if (info.has_interp && soname[0])
        snprintf(r.kind, sizeof r.kind, "program");
    struct lib top = { .path = f->path };
    lib_fill(&top, &info, f->path);
    struct tls_use uses[TLS_USES_MAX];
    int nu = tls_uses(&top, uses);
    struct marks m;
    scan_bytes(d, n, &m);
    struct buf pins = { 0 }, legacy = { 0 };
    for (int i = 0; i < tf_elf_pin_count; i++)
        if (info.pins & (1u << i)) {
            if (pins.len)
                buf_str(&pins, " ");
            buf_str(&pins, tf_elf_pin_methods[i]);
        }
    /* the names sorted, as `sort -u` would */
    const char *names[32];
    int nn = 0;
    unsigned help_only = m.legacy_help & ~m.legacy;
    unsigned named = m.legacy | (show_all ? help_only : 0);
    if (!show_all)
        f->hidden += __builtin_popcount(help_only);
    for (int i = 0; i < tf_builtin_rules.count && i < 32; i++)
        if (named & (1u << i))
            names[nn++] = tf_builtin_rules.rule[i].old;
    for (int i = 1; i < nn; i++)
        for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            const char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    for (int i = 0; i < nn; i++) {
        if (legacy.len)
            buf_str(&legacy, " ");
        buf_str(&legacy, names[i]);
    }
    int found = pins.len || legacy.len;
    if (strncmp(soname, "libssl.so.", 10) == 0 || strncmp(soname, "libcrypto.so.", 13) == 0) {
        buf_fmt(&r.tls, "OpenSSL itself (%s%s%s)", soname, m.sver[0] ? ", " : "", m.sver);
        r.fix = "yes";
        buf_str(&r.advice, "programs that load it dynamically are covered by tlsfloor");
    }
    if (!r.tls.len && nu)
        judge_libs(&r, uses, nu);
    int links_libssl = 0;
    for (int i = 0; i < nu; i++)
        links_libssl |= strncmp(uses[i].so, "libssl.so", 9) == 0;
    if (!r.tls.len && m.sver[0]) {
        buf_fmt(&r.tls, "%s (static)", m.sver);
        r.fix = "no";
        set_str(&r.advice, "OpenSSL linked into the file cannot be preloaded into: rebuild against the system libssl, update it, or put a local TLS proxy (stunnel) in front");
    } else if (m.sver[0] && !soname[0] && !links_libssl) {
        buf_fmt(&r.tls, ", %s (static)", m.sver);
        r.fix = "no";
        note(&r.advice, "it also carries its own OpenSSL, which tlsfloor cannot reach");
    }
    if (m.go_magic && m.go_tls) {
        struct buf t = { 0 };
        buf_fmt(&t, "Go crypto/tls%s%s%s", m.gover[0] ? " (" : "", m.gover, m.gover[0] ? ")" : "");
        if (r.tls.len) {
            buf_str(&t, ", ");
            buf_str(&t, r.tls.p);
        }
        free(r.tls.p);
        r.tls = t;
        r.fix = "no";
        set_str(&r.advice, "Go has its own TLS and makes no libc calls tlsfloor can see: set tls.Config.MinVersion to tls.VersionTLS12 (and no MaxVersion below it) and rebuild, or rebuild with Go 1.18+ (TLS 1.2 minimum by default), or run it behind a TLS-terminating relay (stunnel)");
    }
    if (!r.tls.len && strcmp(r.kind, "static program") == 0 && found) {
        buf_str(&r.tls, "none recognised (static program)");
        r.fix = "no";
        set_str(&r.advice, "a static program cannot be preloaded into");
    }
    if (!r.tls.len && !found)
        goto out;   /* no TLS, nothing found */
    if (!r.tls.len) {
        buf_str(&r.tls, "none linked");
        r.fix = "-";
        set_str(&r.advice, "no TLS library linked: it may load one at run time; run it under tlsfloor --audit to see");
    }
    if (r.fix && strcmp(r.fix, "yes") == 0 && pins.len)
        set_str(&r.advice, "tlsfloor swaps the pinned method for the flexible one");
    int finding = found || (r.fix && (strcmp(r.fix, "no") == 0 || strcmp(r.fix, "check") == 0));
    if (strncmp(r.tls.p, "OpenSSL itself", 14) == 0 && !found)
        finding = 0;
    if (legacy.len)
        note(&r.advice, "legacy endpoint names are retired: tlsfloor rewrites them at run time (OpenSSL and GnuTLS programs), change the configuration if they come from it");
    enum tf_confidence conf = TF_CONF_NONE;
    const char *why = "-";
    char whybuf[128];
    if (pins.len) {
        conf = TF_CONF_HIGH;
        snprintf(whybuf, sizeof whybuf, "imports %.*s", (int)strcspn(pins.p, " "), pins.p);
        why = whybuf;
    } else if (m.legacy) {
        conf = TF_CONF_HIGH;
        why = "carries a retired endpoint's name";
    } else if (legacy.len) {
        conf = TF_CONF_LOW;
        why = "names a retired endpoint only in help or usage text";
    } else if (finding && strcmp(r.fix, "check") == 0) {
        conf = TF_CONF_LOW;
        why = "which libssl it loads decides";
    } else if (finding) {
        conf = TF_CONF_MEDIUM;
        why = "its TLS is out of tlsfloor's reach; no pin seen";
    }
    buf_str(&f->out, "elf\t");
    buf_field(&f->out, f->path, strlen(f->path));
    buf_fmt(&f->out, "\t%s\t", r.kind);
    buf_field(&f->out, r.tls.p, r.tls.len);
    buf_fmt(&f->out, "\t%s\t%s\t%s\t", r.fix ? r.fix : "-", pins.len ? pins.p : "", legacy.len ? legacy.p : "");
    if (r.advice.len)
        buf_field(&f->out, r.advice.p, r.advice.len);
    buf_fmt(&f->out, "\t%d\t%s\t%s\n", finding, tf_confidence_name(conf), why);
out:
    free(r.tls.p);
    free(r.advice.p);
    free(r.notes.p);
    free(pins.p);
    free(legacy.p);
    for (int i = 0; i < top.n_needed; i++)
        free(top.needed[i]);
    free(top.needed);
    for (int i = 0; i < top.n_paths; i++)
        free(top.paths[i]);
    free(top.paths);
}

/* ---- one text file ---- */
static int perl_like(const char *path, const char *d, size_t n)
{
    const char *dot = strrchr(base_of(path), '.');
    if (dot && (strcmp(dot, ".pm") == 0 || strcmp(dot, ".pl") == 0 || strcmp(dot, ".pod") == 0 || strcmp(dot, ".t") == 0))
        return 1;
    const char *nl = memchr(d, '\n', n);
    size_t first = nl ? (size_t)(nl - d) : n;
    return first > 2 && d[0] == '#' && d[1] == '!' && memmem(d, first, "perl", 4) != NULL;
}

/* A man page's first line (roff). */
static int roff(const char *d, size_t n)
{
    return (n >= 3 && (memcmp(d, ".TH", 3) == 0 || memcmp(d, ".Dd", 3) == 0 || memcmp(d, ".\\\"", 3) == 0 ||
                       memcmp(d, "'\\\"", 3) == 0));
}

static void text_row(struct file *f, long lineno, const char *line, size_t n, const struct tf_text_hit *h)
{
    buf_str(&f->out, "text\t");
    buf_field(&f->out, f->path, strlen(f->path));
    buf_fmt(&f->out, "\t%ld\t%s\t", lineno, h->kind);
    for (size_t i = 0; i < h->len; i++) {
        char c = line[h->off + i] == '\t' ? ' ' : line[h->off + i];
        buf_add(&f->out, &c, 1);
    }
    buf_str(&f->out, "\t");
    /* the line as people read it: tabs as spaces, trimmed, at most 160 bytes */
    size_t s = 0, e = n;
    while (s < n && (line[s] == ' ' || line[s] == '\t'))
        s++;
    while (e > s && (line[e - 1] == ' ' || line[e - 1] == '\r' || line[e - 1] == '\t'))
        e--;
    size_t len = e - s;
    size_t show = len > 160 ? 157 : len;
    for (size_t i = 0; i < show; i++) {
        char c = line[s + i] == '\t' ? ' ' : line[s + i] == '\r' ? '\r' : line[s + i];
        buf_add(&f->out, &c, 1);
    }
    if (len > 160)
        buf_str(&f->out, "...");
    buf_fmt(&f->out, "\t%s\t%s\n", tf_confidence_name(h->confidence), h->reason);
}

static void scan_text(struct file *f, const char *d, size_t n)
{
    int doc = tf_scan_is_doc_path(f->path) || roff(d, n);
    int pod = perl_like(f->path, d, n), in_pod = 0;
    long lineno = 1;
    size_t start = 0;
    size_t cand = pod ? 0 : tf_scan_next_candidate(d, n, 0);
    while (start < n) {
        const char *nl = memchr(d + start, '\n', n - start);
        size_t end = nl ? (size_t)(nl - d) : n;
        if (pod) {
            int mk = tf_scan_pod_marker(d + start, end - start);
            if (mk)
                in_pod = mk > 0;
        }
        if (cand < end) {
            struct tf_text_hit hits[TF_TEXT_HITS_MAX];
            int k = tf_scan_line(d + start, end - start, doc || in_pod, hits, TF_TEXT_HITS_MAX);
            for (int i = 0; i < k; i++) {
                if (hits[i].hidden && !show_all)
                    f->hidden++;
                else
                    text_row(f, lineno, d + start, end - start, &hits[i]);
            }
        }
        start = end + 1;
        lineno++;
        if (!pod && cand < start)
            cand = tf_scan_next_candidate(d, n, start);
        if (!pod && cand >= n)
            break;   /* nothing further can match */
    }
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void scan_file(struct file *f)
{
    int fd = open(f->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "tlsfloor scan: %s: cannot read it (%s), skipped\n", f->path,
                fd < 0 ? strerror(errno) : "not a regular file");
        if (fd >= 0)
            close(fd);
        f->kind = F_SKIP;
        return;
    }
    size_t n = (size_t)st.st_size;
    const unsigned char *d = (const unsigned char *)"";
    void *m = MAP_FAILED;
    if (n > 0) {
        m = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            fprintf(stderr, "tlsfloor scan: %s: cannot read it (%s), skipped\n", f->path, strerror(errno));
            close(fd);
            f->kind = F_SKIP;
            return;
        }
        d = m;
        madvise(m, n, MADV_SEQUENTIAL);
    }
    close(fd);
    int zip = n >= 4 && memcmp(d, "PK\3\4", 4) == 0, cls = n >= 4 && memcmp(d, "\312\376\272\276", 4) == 0;
    if ((zip && (ends_with(f->path, ".jar") || ends_with(f->path, ".war") || ends_with(f->path, ".ear"))) ||
        (cls && ends_with(f->path, ".class"))) {
        f->kind = F_JAVA;
        buf_str(&f->out, "java\t");
        buf_str(&f->out, f->path);
        buf_str(&f->out, "\n");
    } else if (tf_elf_is_elf(d, n)) {
        f->kind = F_ELF;
        scan_elf(f, d, n);
    } else if (memchr(d, '\0', n) == NULL) {
        f->kind = F_TEXT;
        scan_text(f, (const char *)d, n);
    } else {
        f->kind = F_OTHER;
    }
    if (m != MAP_FAILED)
        munmap(m, n);
}

/* ---- threads over the file list ---- */
static size_t next_file;
static pthread_mutex_t next_lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&next_lock);
        size_t i = next_file++;
        pthread_mutex_unlock(&next_lock);
        if (i >= nfiles)
            return NULL;
        scan_file(&files[i]);
    }
}

static void usage(FILE *to)
{
    fputs("usage: tlsfloor-scanner [--all] [--jobs N] PATH...\n"
          "  (the work of tlsfloor scan; run `tlsfloor scan --help`)\n", to);
}

int main(int argc, char **argv)
{
    long jobs = sysconf(_SC_NPROCESSORS_ONLN);
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--all") == 0) {
            show_all = 1;
        } else if (strcmp(argv[i], "--jobs") == 0 && i + 1 < argc) {
            jobs = strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    if (jobs < 1)
        jobs = 1;
    if (jobs > 64)
        jobs = 64;
    if (tf_scan_init() != 0) {
        fputs("tlsfloor scan: the C library refused a pattern\n", stderr);
        return 2;
    }
    for (int k = i; k < argc; k++) {
        struct stat st;
        if (lstat(argv[k], &st) != 0) {
            fprintf(stderr, "tlsfloor scan: %s: no such file or directory\n", argv[k]);
            return 2;
        }
    }
    load_sysdirs();
    for (; i < argc; i++)
        walk(argv[i]);
    qsort(files, nfiles, sizeof *files, by_path);
    pthread_t tids[64];
    int started = 0;
    for (long t = 1; t < jobs && (size_t)t < nfiles; t++)
        if (pthread_create(&tids[started], NULL, worker, NULL) == 0)
            started++;
    worker(NULL);
    for (int t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    long count[5] = { 0 }, hidden = 0;
    for (size_t k = 0; k < nfiles; k++) {
        count[files[k].kind]++;
        hidden += files[k].hidden;
        if (files[k].out.len)
            fwrite(files[k].out.p, 1, files[k].out.len, stdout);
    }
    printf("count\t%ld\t%ld\t%ld\t%ld\t%ld\n", count[F_ELF], count[F_TEXT], count[F_JAVA], count[F_OTHER], hidden);
    return fflush(stdout) == 0 ? 0 : 2;
}
