/* Who called: the first frames outside tlsfloor and OpenSSL, numbered as call sites.
 * The unwinder (libunwind) is loaded on first use only, so processes that never need a
 * backtrace never load it. */
#ifndef TF_BACKTRACE_H
#define TF_BACKTRACE_H

#include "tf_record.h"

/* Storage for one caller's description; strings point into the struct itself. */
struct tf_caller_info {
    struct tf_caller caller;
    struct tf_frame frames[TF_MAX_FRAMES];
    char strings[TF_MAX_FRAMES][3][160];
};

/* Fills info for the current call stack. The site key is the first return address outside
 * tlsfloor and the TLS libraries (tf_module_inside); frames are
 * only filled the first time a site is seen. Lock-free (safe across fork and from a signal
 * handler that interrupted it); a full site table (256) falls back to describing every call. */
void tf_caller_capture(struct tf_caller_info *info);

/* As tf_caller_capture, for a record made inside a hook that was called from entry_ra (0: not
 * known). When entry_ra lies outside tlsfloor and the TLS libraries it is the site's key: a site
 * seen before is recognised from it before any unwinding (the common case: every handshake of a
 * program from the same call). Otherwise, or for a new site's frames, it unwinds. */
void tf_caller_capture_from(uintptr_t entry_ra, struct tf_caller_info *info);

/* As tf_caller_capture_from, for a sink that shows only a caller's first frame (the readable
 * log): a new site whose key is entry_ra is described from that address alone, so the unwinder
 * is never loaded for it (nframes 1; the JSON log wants them all). */
void tf_caller_capture_first(uintptr_t entry_ra, struct tf_caller_info *info);
/* Whether ra is a known call site (it lies outside tlsfloor and the TLS libraries): no walk. */
int tf_caller_known(uintptr_t ra);

/* Fills info for a call made earlier, known by the one return address saved then (a record
 * written away from its call: close() and exit report connections that connect() saw). No
 * unwind: the site is that address, its one frame described on the site's first record. */
void tf_caller_at(uintptr_t ip, struct tf_caller_info *info);

#endif
