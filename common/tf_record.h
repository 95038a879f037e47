/* One log record and its two renderings (JSON Lines, one readable line). Pure functions. */
#ifndef TF_RECORD_H
#define TF_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TF_LOG_MAX 4096      /* a record never exceeds this, so one write() carries it whole */
#define TF_MAX_FRAMES 8

enum tf_field_type { TF_FIELD_STR, TF_FIELD_INT, TF_FIELD_BOOL };

struct tf_field {
    const char *key;
    enum tf_field_type type;
    const char *str;
    long long num;           /* INT value, or BOOL 0/1 */
};

#define TF_STR(k, v) { (k), TF_FIELD_STR, (v), 0 }
#define TF_INT(k, v) { (k), TF_FIELD_INT, NULL, (long long)(v) }
#define TF_BOOL(k, v) { (k), TF_FIELD_BOOL, NULL, (v) ? 1 : 0 }

struct tf_frame {
    const char *module;      /* path of the object */
    uintptr_t offset;        /* address minus the object's load base */
    const char *symbol;      /* nearest symbol, or NULL */
    const char *build_id;    /* hex, or NULL */
};

struct tf_caller {
    unsigned site;           /* 0: no caller information */
    unsigned long count;     /* how many times this site has been seen, this one included */
    const struct tf_frame *frames;   /* only on a site's first record */
    int nframes;
};

struct tf_record {
    struct timespec ts;      /* CLOCK_REALTIME */
    long pid;
    const char *host;        /* machine name, so logs of many hosts can be merged (may be NULL) */
    const char *exe;
    const char *tool;        /* "shim" or "provider" */
    const char *mode;        /* "enforce" or "audit" */
    const char *event;
    const struct tf_field *detail;
    int ndetail;
    const struct tf_caller *caller;   /* may be NULL */
    int quiet;               /* never written to stderr (file and syslog only) */
    unsigned long dropped;   /* set by the sink: records dropped before this one (0: key omitted) */
};

/* Renders r as one JSON object and a '\n' into out; returns its length (always < cap, always
 * valid JSON: long values are cut further until the record fits). cap must be >= 256.
 * "dropped":N follows "event" when r->dropped is not 0. Like everything here it is pure: no
 * stdio, no malloc, no locale or time zone, so any thread or signal handler may call it. */
size_t tf_record_json(const struct tf_record *r, char *out, size_t cap);

/* Renders "tlsfloor[PID]: EVENT key=value ... [dropped=N] at SYMBOL (MODULE+0xOFF)\n"; returns its
 * length (always < cap, one line). Values are quoted when they hold spaces, '=', quotes or
 * control characters (tf_text_string), so a value never reads as more fields. cap >= 128. */
size_t tf_record_text(const struct tf_record *r, char *out, size_t cap);

/* RFC 3339 UTC with milliseconds: "2026-11-27T21:04:05.123Z" (needs 25 bytes; years past 9999
 * or before 0 take more digits and a sign). Computed here, not with gmtime_r, which takes the C
 * library's time zone lock. */
void tf_format_time(const struct timespec *ts, char *out, size_t cap);

/* Proleptic Gregorian date of a day counted from 1970-01-01 (which is day 0); pure. */
void tf_civil_from_days(long long days, long long *year, unsigned *month, unsigned *day);

#endif
