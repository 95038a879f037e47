/* libFuzzer target: the report's HTML page (report/html.c, built here without its main()) from
 * any input. Checks what keeps a hostile log from injecting anything: the page has exactly the
 * two </script> of its own (data and code) and one "<script nonce=", the embedded JSON holds no
 * '<', '>', '&' or raw U+2028/U+2029, and every byte of the page is valid UTF-8. */
#define _GNU_SOURCE
#define TF_REPORT_HTML_NO_MAIN
#include "../../report/html.c"

#include <stdint.h>


static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Length of the valid UTF-8 sequence at u (avail bytes), 0 when invalid (shortest form, no
 * surrogates, at most U+10FFFF). */
static size_t utf8_len(const unsigned char *u, size_t avail)
{
    size_t k = u[0] < 0x80 ? 1 : (u[0] & 0xe0) == 0xc0 ? 2 : (u[0] & 0xf0) == 0xe0 ? 3 : (u[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (k == 0 || k > avail)
        return 0;
    uint32_t cp = k == 1 ? u[0] : u[0] & (0x7f >> k);
    for (size_t j = 1; j < k; j++) {
        if ((u[j] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (u[j] & 0x3f);
    }
    static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
    return cp < min[k] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0 : k;
}

static void check_page(const char *page, size_t len)
{
    if (strlen(page) != len)   /* no NUL written into the page */
        abort();
    if (count(page, "</script>") != 2 || count(page, "<script nonce=") != 1)
        abort();
    const char *data = strstr(page, "id=\"tlsfloor-data\">");
    if (!data)
        abort();
    data += strlen("id=\"tlsfloor-data\">");
    const char *end = strstr(data, "</script>");
    for (const char *p = data; p < end; p++)
        if (*p == '<' || *p == '>' || *p == '&' || (p + 2 < end && memcmp(p, "\xe2\x80\xa8", 3) == 0) ||
            (p + 2 < end && memcmp(p, "\xe2\x80\xa9", 3) == 0))
            abort();
    for (size_t i = 0; i < len;) {
        const unsigned char *u = (const unsigned char *)page + i;
        size_t k = utf8_len(u, len - i);
        if (!k)
            abort();
        i += k;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *page = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&page, &len);
    if (!o)
        return 0;
    struct tf_jt_error err = { 0, NULL };
    const char *bad = report_html((const char *)data, size, o, &err);
    fclose(o);
    if (!bad)
        check_page(page, len);
    free(page);
    return 0;
}
