/* The log reader: one JSON Lines record at a time into the fields a report needs. Pure: it
 * never allocates, never touches a file, and never trusts its input. A line that is not one
 * complete JSON object with a non-empty string "event" is malformed (counted and skipped by the
 * caller); unknown keys at any depth are validated and skipped. Linear in the line's length
 * (nesting is capped at TF_LR_DEPTH). Strings are slices of the line when they hold no escape,
 * or decoded into the caller's scratch buffer (as long as the line) when they do. */
#ifndef TF_LOGREAD_H
#define TF_LOGREAD_H

#include <stddef.h>

#define TF_LR_DEPTH 16           /* deeper nesting is malformed (no record nests past 4) */
#define TF_LR_FRAMES 4           /* caller frames kept per record (the rest are counted) */
#define TF_LR_LINE_MAX (1u << 20) /* a longer line is skipped whole and counted as huge */

/* A string value: not NUL-terminated. p == NULL: absent, null, or not a string. */
struct tf_lstr {
    const char *p;
    size_t n;
};

/* One caller frame: native (module, offset, symbol, build_id) or Java (cls, method, file, line). */
struct tf_lr_frame {
    struct tf_lstr module, offset, symbol, build_id;
    struct tf_lstr cls, method, file, line;   /* line: the number's text */
};

struct tf_lr_detail {
    struct tf_lstr old, new_, via, layer, cleared, host, peer, sni, version, changes, reason;
    struct tf_lstr mechanism, command, message, libraries, tls_libraries, stack, verdict;
    struct tf_lstr library, min, max, why, error;
    struct tf_lstr port;   /* a number's text or a string */
    int changed;           /* -1 absent or not a boolean, 0 false, 1 true */
};

struct tf_logrec {
    struct tf_lstr ts, host, exe, tool, mode, event;
    struct tf_lstr pid;       /* the value's text (number, or a string's content) */
    int truncated;            /* "truncated":true: the shim cut this record short */
    long dropped;             /* "dropped":N, 0 when absent */
    int has_detail;           /* "detail" is an object */
    struct tf_lstr detail_raw; /* the detail object's JSON text, for tf_lr_flat_detail */
    struct tf_lr_detail d;
    int has_caller;           /* "caller" is an object */
    struct tf_lstr site;      /* caller.site's text */
    struct tf_lstr count;     /* caller.count's text */
    int nframes;              /* caller.frames' length (frames past TF_LR_FRAMES not kept) */
    struct tf_lr_frame frame[TF_LR_FRAMES];
};

enum tf_lr_result { TF_LR_OK, TF_LR_BLANK, TF_LR_MALFORMED };

/* Parses one line (no newline; a trailing '\r' is ignored). scratch must hold len bytes.
 * Blank lines give TF_LR_BLANK. rec's strings point into line or scratch. */
enum tf_lr_result tf_lr_parse(const char *line, size_t len, char *scratch, struct tf_logrec *rec);

/* "k=v k=v" of a detail object's members (tf_logrec.detail_raw): strings decoded, nested objects
 * as {k=v ...}, arrays as [N], null as null. Writes at most cap bytes with a NUL; returns the
 * length written (cut short at cap - 1). */
size_t tf_lr_flat_detail(struct tf_lstr raw, char *out, size_t cap);

/* One value of a record, for scripts (tf_lr_get) and tf_lr_members. type: 's' string (decoded),
 * 'n' number, 'b' true/false, 'z' null, 'o' object, 'a' array (their JSON text). */
struct tf_lr_val {
    char type;
    const char *s;   /* tf_lr_get: NUL-terminated; tf_lr_members: not */
    size_t n;
};

/* Calls fn for each member of the JSON object obj (e.g. tf_logrec.detail_raw) in order, strings
 * decoded into scratch (obj.n bytes); fn returns 0 to stop. Returns 0 when obj is not one object. */
typedef int (*tf_lr_member_fn)(void *ctx, struct tf_lstr key, const struct tf_lr_val *v);
int tf_lr_members(struct tf_lstr obj, char *scratch, tf_lr_member_fn fn, void *ctx);

/* Whether key names a value tf_lr_get knows: ts pid exe host tool mode event truncated dropped
 * detail detail.NAME caller.site caller.count caller.frames (yes/no) frame.symbol frame.module
 * frame.offset frame.build_id frame.class frame.method frame.file frame.line. */
int tf_lr_key_valid(const char *key);

/* The value of key in rec into out (its text NUL-terminated in buf, which must hold the line's
 * length + 32 bytes). frame.* read first, the record's first caller frame when NULL (a record
 * that carries only site and count: the caller passes the frame the site's record with frames
 * carried, which threads may have written later). Returns 1 found, 0 absent, -1 an unknown key
 * or buf too small. */
int tf_lr_get(const struct tf_logrec *rec, const struct tf_lr_frame *first, const char *key, char *buf,
              size_t cap, struct tf_lr_val *out);

/* Whether s equals the NUL-terminated text t. */
int tf_lstr_is(struct tf_lstr s, const char *t);

/* Splits a byte stream into lines for tf_lr_parse without keeping more than TF_LR_LINE_MAX bytes:
 * a longer line is reported once as huge and skipped to its newline. The caller owns buf
 * (cap >= TF_LR_LINE_MAX + 1). */
struct tf_lines {
    char *buf;
    size_t cap, len;
    int skipping;             /* inside a huge line: drop bytes until the newline */
};
/* Called for each complete line (without '\n'); huge is 1 for a line past the cap (line NULL). */
typedef void (*tf_line_fn)(void *ctx, const char *line, size_t len, int huge);
void tf_lines_feed(struct tf_lines *l, const char *data, size_t n, tf_line_fn fn, void *ctx);
/* Hands on a last line without a newline (a file cut short). */
void tf_lines_finish(struct tf_lines *l, tf_line_fn fn, void *ctx);

#endif
