/* tlsfloor scan's pure logic: the TLS library a soname names, the patterns searched for in text
 * (version pins, legacy endpoint names), which files are documentation, and how sure a finding
 * is (confidence). The scanner (scan/tlsfloor-scanner.c) does the file work. */
#ifndef TF_SCAN_H
#define TF_SCAN_H

#include <stddef.h>

/* The TLS library a soname names: family "openssl", "gnutls", "nss", "other"; a label for
 * people; whether tlsfloor fixes programs using it: "yes", "no" or "check". */
struct tf_tls_lib {
    const char *family;
    char label[64];
    const char *fixable;
};

/* 1 and *out filled when soname is a TLS library's, 0 otherwise. */
int tf_scan_classify_soname(const char *soname, struct tf_tls_lib *out);

enum tf_confidence { TF_CONF_NONE = 0, TF_CONF_LOW, TF_CONF_MEDIUM, TF_CONF_HIGH };
const char *tf_confidence_name(enum tf_confidence c);

/* One pattern found on a line of text. */
struct tf_text_hit {
    const char *kind;               /* e.g. "version pin (ssl_version)" */
    const char *reason;             /* why this confidence */
    size_t off, len;                /* the match in the line, trimmed as people read it */
    enum tf_confidence confidence;
    int hidden;                     /* documentation or help text: shown only with --all */
};

#define TF_TEXT_HITS_MAX 24

/* Compiles the patterns once. Not thread-safe: a threaded caller calls it before its threads
 * start (tf_scan_line calls it too). 0, or -1 when the C library refused one. */
int tf_scan_init(void);

/* Whether a block of text may hold any pattern (a fast filter: "tls", "ssl" or "legacy" in any
 * case). Returns the offset of the first candidate at or after from, or len when none. */
size_t tf_scan_next_candidate(const char *text, size_t len, size_t from);

/* The patterns on one line (without its newline), in the table's order, at most max. in_doc:
 * the line is documentation (a documentation file, a POD block). Returns the count. */
int tf_scan_line(const char *line, size_t len, int in_doc, struct tf_text_hit *hits, int max);

/* Whether a path is documentation by its name: .pod/.md/.txt/.rst/.html, man pages, README,
 * files under doc/, docs/, man/ or share/doc/ directories. */
int tf_scan_is_doc_path(const char *path);

/* Whether the line opens (1) or closes (-1) a POD block (Perl's inline documentation), or
 * neither (0). */
int tf_scan_pod_marker(const char *line, size_t len);

/* Whether the line is a comment ('#', '//', ';', '/ *', '*', "-- ", "rem "). */
int tf_scan_is_comment(const char *line, size_t len);

/* Whether the match at off (an option such as "--tlsv1") sits in help or usage text: the option
 * heads a line followed by a description, is followed by a wide gap and words, or is printed
 * by echo/printf. */
int tf_scan_is_help(const char *line, size_t len, size_t off, size_t mlen);

/* Whether the match at off inside one string constant of a program (a printable run of an ELF
 * file, possibly several lines) is help or usage text: the string opens with "usage", or the
 * match's line heads with an option and its description ("  -s HOST   server, e.g. NAME"), or
 * gives it as an example ("e.g.", "example", "such as") before it. A bare default ("NAME") or a
 * format ("connecting to NAME:993") is not. */
int tf_scan_is_help_string(const char *s, size_t len, size_t off);

#endif
