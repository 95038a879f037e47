/* tlsfloor-report: options, inputs (files, .gz through gzip -dc, standard input), the source
 * lookup of call sites (addr2line), and --html through the page generator when installed. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report.h"

extern char **environ;

static const char usage_text[] =
    "usage: tlsfloor report [--text | --json | --csv | --html] [--width N] [--no-source] [LOG...]\n"
    "\n"
    "Reads tlsfloor JSON Lines logs (standard input when no LOG is given, or for \"-\"; a LOG ending\n"
    "in .gz is decompressed) and prints an inventory: first the checklist (programs that pin TLS\n"
    "1.0/1.1, name a legacy endpoint, use Basic auth, connect where tlsfloor cannot reach, or fail),\n"
    "then the findings, call sites, programs and endpoints.\n"
    "\n"
    "  --text        aligned tables that fit --width N columns (100 or more, default 120; long paths are\n"
    "                shortened in the middle: --json and --csv keep every value whole)\n"
    "  --json        one JSON document\n"
    "  --csv         one CSV table (RFC 4180); the \"table\" column says which section a row is from\n"
    "  --html        one self-contained HTML page (tlsfloor-report-html over --json)\n"
    "  --no-source   do not look up source file:line with addr2line\n"
    "  -h, --help    this text\n"
    "\n"
    "Malformed, truncated or huge (over 1 MiB) lines are counted and skipped, never fatal.\n"
    "Exit status: 0 report written (even when lines were skipped as malformed), 2 usage error or an\n"
    "unreadable LOG.\n";

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "tlsfloor report: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\ntlsfloor report: try 'tlsfloor report --help'\n");
    exit(2);
}

struct feed {
    struct report *r;
    const char *name;
    long lineno;
};

static void on_line(void *ctx, const char *line, size_t len, int huge)
{
    struct feed *fd = ctx;
    fd->lineno++;
    if (huge)
        report_huge(fd->r, fd->name, fd->lineno);
    else
        report_line(fd->r, line, len, fd->name, fd->lineno);
}

static void read_input(struct report *r, const char *path, struct tf_lines *lines)
{
    const char *name = strcmp(path, "-") ? path : "(stdin)";
    struct feed feed = { r, name, 0 };
    r->input = xrealloc(r->input, (size_t)(r->ninput + 1) * sizeof *r->input);
    r->input[r->ninput++] = xstrdup(name);
    log_read("tlsfloor report", path, lines, on_line, &feed, NULL);
}

/* ---- source lookup */

static char *shq(const char *s)
{
    struct buf b = { 0 };
    buf_str(&b, "'");
    for (; *s; s++)
        buf_str(&b, *s == '\'' ? "'\\''" : (char[]){ *s, 0 });
    buf_str(&b, "'");
    return buf_take(&b);
}

static char *first_line(const char *cmd)
{
    char line[4096] = "";
    FILE *p = popen(cmd, "r");
    if (!p)
        return xstrdup("");
    struct buf all = { 0 };
    while (fgets(line, sizeof line, p))
        buf_str(&all, line);
    pclose(p);
    return buf_take(&all);
}

static char *build_id_of(const char *readelf, const char *module)
{
    static struct smap seen;
    static char **ids;
    int fresh, id = smap_put(&seen, module, &fresh);
    if (fresh || !ids) {
        ids = xrealloc(ids, seen.count * sizeof *ids);
        char *q = shq(module), *cmd = cat(readelf, " -n ", q, " 2>/dev/null", (char *)NULL);
        char *out = first_line(cmd), *b = strstr(out, "Build ID: ");
        ids[id] = b ? xstrndup(b + 10, strcspn(b + 10, " \n")) : xstrdup("");
        free(q), free(cmd), free(out);
    }
    return ids[id];
}

char *source_of(const char *a2l, const char *readelf, const char *module, const char *offset,
                const char *build_id)
{
    struct stat st;
    if (!*module || !strcmp(module, "?") || strncmp(offset, "0x", 2) != 0 || !offset[2] ||
        strspn(offset + 2, "0123456789abcdefABCDEF") != strlen(offset + 2) || strlen(offset) > 18)
        return NULL;
    if (stat(module, &st) || !S_ISREG(st.st_mode) || access(module, R_OK))
        return NULL;
    if (readelf && *build_id) {
        const char *have = build_id_of(readelf, module);
        if (*have && strcmp(have, build_id) != 0)
            return NULL;   /* another build of the module: its lines would mislead */
    }
    char addr[32];
    snprintf(addr, sizeof addr, "0x%llx", strtoull(offset + 2, NULL, 16) - 1);   /* a return address */
    char *q = shq(module), *cmd = cat(a2l, " -e ", q, " ", addr, " 2>/dev/null", (char *)NULL);
    char *line = first_line(cmd);
    free(q), free(cmd);
    line[strcspn(line, "\n")] = '\0';
    char *disc = strstr(line, " (discriminator ");
    if (disc)
        *disc = '\0';
    size_t n = strlen(line);
    if (!n || !strncmp(line, "??:", 3) || ends_with(line, ":0") || ends_with(line, ":?")) {
        free(line);
        return NULL;
    }
    return line;
}

static char *tool(const char *name)
{
    const char *path = getenv("PATH");
    char *copy = xstrdup(path ? path : "/usr/bin:/bin");
    for (char *dir = strtok(copy, ":"); dir; dir = strtok(NULL, ":")) {
        char *c = cat(dir, "/", name, (char *)NULL);
        if (access(c, X_OK) == 0) {
            free(copy);
            return c;
        }
        free(c);
    }
    free(copy);
    return NULL;
}

/* ---- --html through the page generator */

static char *html_generator(void)
{
    const char *env = getenv("TLSFLOOR_REPORT_HTML");
    if (env && *env)
        return access(env, X_OK) == 0 ? xstrdup(env) : NULL;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return NULL;
    self[n] = '\0';
    *strrchr(self, '/') = '\0';
    /* installed next to it (libexec/tlsfloor), or the source tree's scripts/ from build/report/ */
    const char *rel[] = { "/tlsfloor-report-html", "/../../scripts/tlsfloor-report-html" };
    for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
        char *c = cat(self, rel[i], (char *)NULL);
        if (access(c, X_OK) == 0)
            return c;
        free(c);
    }
    return NULL;
}

static int html_through(const struct report *r, const char *gen)
{
    pid_t child;
    char *argv[] = { (char *)gen, NULL };
    int fd = spawn_piped(argv, 0, 0, &child);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    if (f) {
        out_json(r, f);
        fclose(f);
    } else {
        close(fd);
    }
    int st;
    while (waitpid(child, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
}

enum format { TEXT, JSON, CSV, HTML };

int main(int argc, char **argv)
{
    enum format fmt = TEXT;
    int src = 1, width = 120, i = 1;
    signal(SIGPIPE, SIG_DFL);
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json"))
            fmt = JSON;
        else if (!strcmp(a, "--csv"))
            fmt = CSV;
        else if (!strcmp(a, "--html"))
            fmt = HTML;
        else if (!strcmp(a, "--text") || !strcmp(a, "--table"))
            fmt = TEXT;
        else if (!strcmp(a, "--no-source"))
            src = 0;
        else if (!strcmp(a, "--width") && i + 1 < argc && strtol(argv[i + 1], NULL, 10) >= 100)
            width = (int)strtol(argv[++i], NULL, 10);
        else if (!strcmp(a, "-h") || !strcmp(a, "--help"))
            return fputs(usage_text, stdout), 0;
        else if (!strcmp(a, "--")) {
            i++;
            break;
        } else if (a[0] == '-' && a[1])
            die("unknown option %s", a);
        else
            break;
    }
    for (int k = i; k < argc; k++) {
        struct stat st;
        if (!strcmp(argv[k], "-"))
            continue;
        if (stat(argv[k], &st) == 0 && S_ISDIR(st.st_mode))
            die("%s: is a directory", argv[k]);
        if (access(argv[k], R_OK))
            die("%s: cannot read it", argv[k]);
    }
    /* One page generator (report/html.c) writes the HTML page; found before any input is read. */
    char *html_gen = fmt == HTML ? html_generator() : NULL;
    if (fmt == HTML && !html_gen)
        die("--html needs %s (built from report/html.c); not found next to this program", "tlsfloor-report-html");
    static struct report r;
    report_init(&r);
    struct tf_lines lines = { xmalloc(TF_LR_LINE_MAX), TF_LR_LINE_MAX, 0, 0 };
    if (i == argc)
        read_input(&r, "-", &lines);
    for (; i < argc; i++)
        read_input(&r, argv[i], &lines);
    free(lines.buf);
    char *a2l = src ? tool("addr2line") : NULL, *readelf = src ? tool("readelf") : NULL;
    report_build(&r, a2l, readelf);
    free(a2l);
    free(readelf);
    if (fmt == HTML) {
        fflush(stdout);
        int rc = html_through(&r, html_gen);
        if (rc < 0)
            die("cannot run %s", html_gen);
        free(html_gen);
        return rc;
    }
    switch (fmt) {
    case JSON: out_json(&r, stdout); break;
    case CSV: out_csv(&r, stdout); break;
    default: out_text(&r, stdout, width); break;
    }
    return fflush(stdout) || ferror(stdout) ? 2 : 0;
}
