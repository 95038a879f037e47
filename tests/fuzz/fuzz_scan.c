/* libFuzzer target: tlsfloor scan's readers of untrusted files. The input is parsed as an ELF
 * file (tf_elf_parse) and scanned as text, line by line (tf_scan_next_candidate, tf_scan_line).
 * Checks: every string the ELF reader returns lies inside the input and holds no NUL; counts stay
 * within their arrays; only known pins are set; every text hit lies inside its line and has a
 * kind, a confidence and a reason. The whole input is also judged as a program's string constant
 * (tf_scan_is_help_string) at a few offsets. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tf_elf.h"
#include "tf_scan.h"

static void check_str(const uint8_t *data, size_t size, struct tf_elf_str s)
{
    if (s.len == 0)
        return;
    if ((const uint8_t *)s.p < data || (const uint8_t *)s.p + s.len > data + size ||
        memchr(s.p, '\0', s.len) != NULL)
        abort();
}

static void check_elf(const uint8_t *data, size_t size)
{
    struct tf_elf_info info;
    if (tf_elf_parse(data, size, &info) != 0)
        return;
    if (info.n_needed < 0 || info.n_needed > TF_ELF_NEEDED_MAX || info.n_paths < 0 ||
        info.n_paths > TF_ELF_PATHS_MAX || (info.pins >> tf_elf_pin_count) != 0)
        abort();
    check_str(data, size, info.soname);
    for (int i = 0; i < info.n_needed; i++)
        check_str(data, size, info.needed[i]);
    for (int i = 0; i < info.n_paths; i++)
        check_str(data, size, info.paths[i]);
}

static void check_text(const char *t, size_t n)
{
    size_t start = 0;
    while (start < n) {
        const char *nl = memchr(t + start, '\n', n - start);
        size_t end = nl ? (size_t)(nl - t) : n;
        size_t cand = tf_scan_next_candidate(t, n, start);
        if (cand < start || cand > n)
            abort();
        struct tf_text_hit hits[TF_TEXT_HITS_MAX];
        int k = tf_scan_line(t + start, end - start, (int)(n & 1), hits, TF_TEXT_HITS_MAX);
        if (k < 0 || k > TF_TEXT_HITS_MAX || (k > 0 && cand >= end))
            abort();   /* the filter must never skip a line that holds a pattern */
        for (int i = 0; i < k; i++)
            if (hits[i].off + hits[i].len > end - start || !hits[i].kind || !hits[i].reason ||
                hits[i].confidence < TF_CONF_LOW || hits[i].confidence > TF_CONF_HIGH)
                abort();
        (void)tf_scan_is_help(t + start, end - start, 0, end - start);
        start = end + 1;
    }
    /* the whole input as one string constant of a program, a match at a few offsets (each
     * call is linear in the input) */
    const size_t offs[] = { 0, 1, n / 3, n / 2, n ? n - 1 : 0, n };
    for (size_t k = 0; k < sizeof offs / sizeof offs[0]; k++) {
        int h = tf_scan_is_help_string(t, n, offs[k]);
        if (h != 0 && h != 1)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_elf(data, size);
    check_text((const char *)data, size);
    return 0;
}
