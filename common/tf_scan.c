#include "tf_scan.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tf_rewrite.h"

/* Word boundaries of the patterns below (the line is lower-cased first). */
#define B "(^|[^a-z0-9_.-])"
#define E "([^a-z0-9_.+]|$)"
#define OLD "(sslv3|tlsv1|tlsv1\\.1)"

/* The patterns of a line, in the order they are reported. Legacy endpoint names come first,
 * from tf_rewrite.c's built-in rules (not a copy here). */
static const struct {
    const char *kind;
    const char *re;
} patterns[] = {
    { "version pin (fetchmail sslproto)", "sslproto[ \t\"=:]+\"?(ssl3|tls1|tls1\\.0|tls1\\.1)" E },
    { "minimum below TLS 1.2 (curl)", B "--tlsv1(\\.0|\\.1)?" E },
    { "maximum below TLS 1.2 (curl --tls-max)", B "--tls-max[ =]+[\"']?1\\.[01]" E },
    { "SSLv3 (curl)", B "--sslv3" E },
    { "version pin (wget)", "--secure-protocol[ =]+(sslv3|tlsv1|tlsv1_1)" E },
    { "version pin (openssl command)", "(^|[ \t\"'])-(tls1|tls1_1|ssl3|no_tls1_2|no_tls1_3)([ \t\"']|$)" },
    { "version pin (Python ssl)", "(^|[^a-z0-9_])protocol_(tlsv1|tlsv1_1|sslv3)" E },
    { "version pin (Python TLSVersion)", "tlsversion\\.(tlsv1|tlsv1_1|sslv3)" E },
    { "version pin (ssl_version)",
      "ssl_version[ \t]*(=>|=|:)[ \t]*[\"']?(sslv3|tlsv1|tlsv1_1|tlsv1\\.0|tlsv1\\.1)" E },
    { "maximum below TLS 1.2 (MaxProtocol)", "maxprotocol[ \t]*=[ \t]*(sslv3|tlsv1|tlsv1\\.0|tlsv1\\.1)" E },
    { "minimum below TLS 1.2 (MinProtocol)", "minprotocol[ \t]*=[ \t]*(sslv3|tlsv1|tlsv1\\.0|tlsv1\\.1)" E },
    { "version pin (Java)",
      "(jdk\\.tls\\.client\\.protocols|https\\.protocols)[ \t]*=[ \t]*\"?" OLD "(," OLD ")*([^.,0-9]|$)" },
    { "version pin (JavaMail)",
      "mail\\.(imap|imaps|pop3|pop3s|smtp|smtps)\\.ssl\\.protocols[ \t]*[=:][ \t]*\"?" OLD "([ ,]+" OLD
      ")*([^.,0-9]|$)" },
    { "version pin (libcurl option)", "curl_sslversion_(max_)?(tlsv1_0|tlsv1_1|sslv3)" E },
    { "version pin (PHP stream)", "stream_crypto_method_(tlsv1_0|tlsv1_1|sslv3)_client" E },
    { "version pin (OpenSSL method)", B "(tlsv1|tlsv1_1|sslv3)_(client_|server_)?method" E },
    { "maximum below TLS 1.2 (OpenSSL API)",
      "set_max_proto_version[ \t]*\\([^,]*,[ \t]*(tls1_version|tls1_1_version|ssl3_version)" E },
    { "TLS 1.2/1.3 disabled (OpenSSL option)", "(ssl_)?op_no_tlsv1_[23]" E },
    { "TLS 1.2/1.3 disabled (mutt)", "ssl_use_tlsv1_[23][ \t]*=[ \t]*no" E },
};
#define NPAT ((int)(sizeof patterns / sizeof patterns[0]))
static const char *const sslv3_kind = "SSLv3 named";
static const char *const legacy_kind = "legacy endpoint";

static regex_t compiled[NPAT + 1];   /* the last: a bare "sslv3" */
static int ready;

int tf_scan_init(void)
{
    if (ready)
        return 0;
    for (int i = 0; i <= NPAT; i++) {
        const char *re = i < NPAT ? patterns[i].re : B "sslv3" E;
        if (regcomp(&compiled[i], re, REG_EXTENDED) != 0)
            return -1;
    }
    ready = 1;
    return 0;
}

const char *tf_confidence_name(enum tf_confidence c)
{
    static const char *const names[] = { "-", "low", "medium", "high" };
    return c >= TF_CONF_NONE && c <= TF_CONF_HIGH ? names[c] : "-";
}

int tf_scan_classify_soname(const char *so, struct tf_tls_lib *out)
{
    static const struct {
        const char *prefix, *family, *label, *fixable;
    } table[] = {
        { "libssl.so.3", "openssl", "OpenSSL 3", "yes" },
        { "libssl.so.1.1", "openssl", "OpenSSL 1.1", "yes" },
        { "libssl.so.1.0.2", "openssl", "OpenSSL 1.0.2", "yes" },
        { "libssl.so.1.0.1", "openssl", "OpenSSL 1.0.1", "yes" },
        { "libssl.so.1.0.0", "openssl", "OpenSSL 1.0.x", "check" },
        { "libssl.so.10", "openssl", "OpenSSL 1.0.x", "check" },
        { "libssl.so.0.", "openssl", "OpenSSL before 1.0.1", "no" },
        { "libssl.so.6", "openssl", "OpenSSL before 1.0.1", "no" },
        { "libssl.so.4", "openssl", "OpenSSL before 1.0.1", "no" },
        { "libgnutls.so.30", "gnutls", "GnuTLS", "yes" },   /* 3.4 and later: the GnuTLS backend */
        { "libgnutls.so", "gnutls", "GnuTLS before 3.4", "no" },
        { "libgnutls-openssl.so", "gnutls", "GnuTLS before 3.4", "no" },
        { "libnss3.so", "nss", "NSS", "no" },
        { "libssl3.so", "nss", "NSS", "no" },
        { "libsmime3.so", "nss", "NSS", "no" },
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strncmp(so, table[i].prefix, strlen(table[i].prefix)) == 0) {
            out->family = table[i].family;
            snprintf(out->label, sizeof out->label, "%s", table[i].label);
            out->fixable = table[i].fixable;
            return 1;
        }
    }
    if (strncmp(so, "libssl.so.", 10) == 0) {
        out->family = "openssl";
        snprintf(out->label, sizeof out->label, "OpenSSL (%.40s)", so + 10);
        out->fixable = "check";
        return 1;
    }
    static const char *const others[] = { "libwolfssl.so", "libmbedtls.so", "libpolarssl.so" };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        size_t n = strlen(others[i]);
        if (strncmp(so, others[i], n) == 0) {
            out->family = "other";
            snprintf(out->label, sizeof out->label, "%.*s", (int)(n - 3), so);
            out->fixable = "no";
            return 1;
        }
    }
    return 0;
}

size_t tf_scan_next_candidate(const char *t, size_t len, size_t from)
{
    for (size_t i = from; i + 3 <= len; i++) {
        unsigned char c = (unsigned char)t[i] | 0x20;
        if (c != 't' && c != 's' && c != 'l')
            continue;
        unsigned char c1 = (unsigned char)t[i + 1] | 0x20, c2 = (unsigned char)t[i + 2] | 0x20;
        if ((c == 't' && c1 == 'l' && c2 == 's') || (c == 's' && c1 == 's' && c2 == 'l'))
            return i;
        if (c == 'l' && c1 == 'e' && c2 == 'g' && i + 6 <= len && strncasecmp(t + i, "legacy", 6) == 0)
            return i;
    }
    return len;
}

/* The match as people read it (awk's grab() in the former scan): leading characters other than
 * letters, digits, '_' and '-' and trailing ones other than letters, digits and '_' dropped. */
static void trim(const char *line, size_t *off, size_t *len)
{
    while (*len > 0 && !(isalnum((unsigned char)line[*off]) || line[*off] == '_' || line[*off] == '-')) {
        (*off)++;
        (*len)--;
    }
    while (*len > 0 && !(isalnum((unsigned char)line[*off + *len - 1]) || line[*off + *len - 1] == '_'))
        (*len)--;
}

/* The leftmost legacy endpoint name of the built-in rules in the lower-cased line. */
static int find_legacy(const char *lower, size_t *off, size_t *len)
{
    const char *best = NULL;
    size_t blen = 0;
    for (int i = 0; i < tf_builtin_rules.count; i++) {
        const struct tf_rule *r = &tf_builtin_rules.rule[i];
        if (r->wildcard)
            continue;
        const char *p = strstr(lower, r->old);
        if (p && (!best || p < best || (p == best && strlen(r->old) > blen))) {
            best = p;
            blen = strlen(r->old);
        }
    }
    if (!best)
        return 0;
    *off = (size_t)(best - lower);
    *len = blen;
    return 1;
}

int tf_scan_is_comment(const char *l, size_t n)
{
    size_t i = 0;
    while (i < n && (l[i] == ' ' || l[i] == '\t'))
        i++;
    if (i >= n)
        return 0;
    const char *p = l + i;
    size_t r = n - i;
    if (p[0] == '#')
        return !(r > 1 && p[1] == '!');
    if (p[0] == ';' || (p[0] == '*' && (r == 1 || p[1] != '/')))
        return 1;
    if (r >= 2 && ((p[0] == '/' && (p[1] == '/' || p[1] == '*')) || (p[0] == '-' && p[1] == '-' && (r == 2 || p[2] == ' '))))
        return 1;
    return r >= 4 && strncasecmp(p, "rem ", 4) == 0;
}

/* Whether the text after the option reads as a description: whitespace, then a word of three
 * or more letters. */
static int description_follows(const char *l, size_t n, size_t i, size_t min_gap)
{
    size_t gap = 0;
    while (i < n && (l[i] == ' ' || l[i] == '\t')) {
        gap += l[i] == '\t' ? 2 : 1;
        i++;
    }
    if (gap < min_gap)
        return 0;
    size_t letters = 0;
    while (i < n && isalpha((unsigned char)l[i])) {
        letters++;
        i++;
    }
    return letters >= 3 && (i >= n || l[i] == ' ' || l[i] == '.' || l[i] == ',');
}

int tf_scan_is_help(const char *l, size_t n, size_t off, size_t mlen)
{
    if (mlen == 0 || l[off] != '-' || off + mlen > n)
        return 0;
    size_t end = off + mlen;
    /* "--tlsv1, --tlsv1.0  Use TLSv1.0 or greater": the gap before the words */
    while (end < n && l[end] != ' ' && l[end] != '\t')
        end++;
    if (description_follows(l, n, end, 2))
        return 1;
    size_t i = 0;
    while (i < off && (l[i] == ' ' || l[i] == '\t'))
        i++;
    if (i == off && description_follows(l, n, end, 1))
        return 1;   /* the option heads the line, a description follows */
    char head[64];
    size_t k = off < sizeof head - 1 ? off : sizeof head - 1;
    for (size_t j = 0; j < k; j++)
        head[j] = (char)tolower((unsigned char)l[j]);
    head[k] = '\0';
    return (strstr(head, "echo ") || strstr(head, "printf") || strstr(head, "usage") ||
            strstr(head, "help")) && (strchr(head, '"') || strchr(head, '\''));
}

/* Whether the lowercased text t[0..n) holds the NUL-terminated word w. */
static int has_word(const char *t, size_t n, const char *w)
{
    size_t k = strlen(w);
    for (size_t i = 0; i + k <= n; i++)
        if (strncasecmp(t + i, w, k) == 0)
            return 1;
    return 0;
}

int tf_scan_is_help_string(const char *s, size_t n, size_t off)
{
    if (off >= n)
        return 0;
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
        i++;
    if (n - i >= 5 && strncasecmp(s + i, "usage", 5) == 0)
        return 1;
    size_t ls = off, le = off;   /* the match's line */
    while (ls > 0 && s[ls - 1] != '\n')
        ls--;
    while (le < n && s[le] != '\n')
        le++;
    if (has_word(s + ls, off - ls, "e.g.") || has_word(s + ls, off - ls, "example") ||
        has_word(s + ls, off - ls, "such as") || has_word(s + ls, off - ls, "for instance"))
        return 1;
    /* "  -s, --server HOST   the server (default NAME)": an option heads the line, then a gap
     * and a description before the match */
    size_t p = ls;
    while (p < off && (s[p] == ' ' || s[p] == '\t'))
        p++;
    if (p + 1 >= off || s[p] != '-' || !(isalnum((unsigned char)s[p + 1]) || s[p + 1] == '-'))
        return 0;
    for (size_t q = p; q + 2 < off; q++)
        if ((s[q] == ' ' && s[q + 1] == ' ') || s[q] == '\t') {
            if (description_follows(s, off, q, 2))
                return 1;
            break;
        }
    return 0;
}

int tf_scan_pod_marker(const char *l, size_t n)
{
    if (n < 2 || l[0] != '=' || !isalpha((unsigned char)l[1]))
        return 0;
    return n >= 4 && strncmp(l, "=cut", 4) == 0 && (n == 4 || !isalnum((unsigned char)l[4])) ? -1 : 1;
}

int tf_scan_is_doc_path(const char *path)
{
    static const char *const exts[] = { ".pod", ".md", ".markdown", ".txt", ".rst", ".html", ".htm",
                                         ".xhtml", ".adoc", ".asciidoc", ".texi", ".texinfo", ".info",
                                         ".man", ".mdoc", ".xml", ".sgml", ".docbook", NULL };
    static const char *const names[] = { "README", "CHANGELOG", "ChangeLog", "NEWS", "HISTORY", "FAQ",
                                         "INSTALL", "COPYING", "LICENSE", "AUTHORS", "THANKS", NULL };
    static const char *const dirs[] = { "doc", "docs", "man", "info", "html", "pod", NULL };
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    for (int i = 0; dot && exts[i]; i++)
        if (strcasecmp(dot, exts[i]) == 0)
            return 1;
    for (int i = 0; names[i]; i++)
        if (strncmp(base, names[i], strlen(names[i])) == 0)
            return 1;
    for (const char *p = path; p < base;) {
        const char *slash = strchr(p, '/');
        size_t n = (size_t)(slash - p);
        for (int i = 0; dirs[i]; i++)
            if (n == strlen(dirs[i]) && strncmp(p, dirs[i], n) == 0)
                return 1;
        if (n == 4 && strncmp(p, "man", 3) == 0 && p[3] >= '1' && p[3] <= '9')
            return 1;
        p = slash + 1;
    }
    return 0;
}

/* How sure a hit is, and whether it is hidden without --all. */
static void judge(const char *line, size_t n, int in_doc, struct tf_text_hit *h)
{
    h->hidden = 0;
    if (in_doc) {
        h->confidence = TF_CONF_LOW;
        h->reason = "documentation";
        h->hidden = 1;
    } else if (tf_scan_is_help(line, n, h->off, h->len)) {
        h->confidence = TF_CONF_LOW;
        h->reason = "help or usage text";
        h->hidden = 1;
    } else if (tf_scan_is_comment(line, n)) {
        h->confidence = TF_CONF_LOW;
        h->reason = "in a comment";
    } else if (h->kind == sslv3_kind) {
        h->confidence = TF_CONF_LOW;
        h->reason = "names SSLv3, sets nothing";
    } else if (h->kind == legacy_kind) {
        h->confidence = TF_CONF_HIGH;
        h->reason = "a retired endpoint's name";
    } else {
        h->confidence = TF_CONF_HIGH;
        h->reason = "a setting, option or call that pins the version";
    }
}

static int add_hit(const char *line, size_t n, int in_doc, const char *kind, size_t off, size_t len,
                   struct tf_text_hit *hits, int count, int max)
{
    if (count >= max)
        return count;
    struct tf_text_hit *h = &hits[count];
    trim(line, &off, &len);
    h->kind = kind;
    h->off = off;
    h->len = len;
    judge(line, n, in_doc, h);
    return count + 1;
}

int tf_scan_line(const char *line, size_t n, int in_doc, struct tf_text_hit *hits, int max)
{
    char small[4096];
    if (tf_scan_init() != 0)
        return 0;
    char *lower = n < sizeof small ? small : malloc(n + 1);
    if (!lower)
        return 0;
    for (size_t i = 0; i < n; i++)
        lower[i] = line[i] == '\0' ? ' ' : (char)tolower((unsigned char)line[i]);
    lower[n] = '\0';
    int count = 0;
    size_t off, len;
    if (find_legacy(lower, &off, &len))
        count = add_hit(line, n, in_doc, legacy_kind, off, len, hits, count, max);
    regmatch_t m;
    for (int i = 0; i < NPAT; i++)
        if (regexec(&compiled[i], lower, 1, &m, 0) == 0)
            count = add_hit(line, n, in_doc, patterns[i].kind, (size_t)m.rm_so,
                            (size_t)(m.rm_eo - m.rm_so), hits, count, max);
    if (count == 0 && regexec(&compiled[NPAT], lower, 1, &m, 0) == 0)
        count = add_hit(line, n, in_doc, sslv3_kind, (size_t)m.rm_so, (size_t)(m.rm_eo - m.rm_so), hits,
                        count, max);
    if (lower != small)
        free(lower);
    return count;
}
