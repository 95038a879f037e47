/* libFuzzer target: the JSON reader of the report's HTML page (tf_jt_parse). Checks: it
 * returns a tree or an error with an offset inside the input, never both; every string and key
 * of the tree is valid UTF-8 with its length right and a terminating NUL; counts match the
 * children; numbers are finite or huge, never NaN; the depth stays within TF_JT_MAX_DEPTH. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tf_jsontree.h"

static void check_utf8(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    if (!s || s[n] != '\0')
        abort();
    for (size_t i = 0; i < n;) {
        size_t k = p[i] < 0x80 ? 1 : (p[i] & 0xe0) == 0xc0 ? 2 : (p[i] & 0xf0) == 0xe0 ? 3 : (p[i] & 0xf8) == 0xf0 ? 4 : 0;
        if (k == 0 || i + k > n)
            abort();
        for (size_t j = 1; j < k; j++)
            if ((p[i + j] & 0xc0) != 0x80)
                abort();
        i += k;
    }
}

static void check_tree(const struct tf_jt *v, int depth, int in_object)
{
    if (depth > TF_JT_MAX_DEPTH + 1)
        abort();
    if (in_object)
        check_utf8(v->key, v->key_len);
    else if (v->key)
        abort();
    if (v->type == TF_JT_STRING)
        check_utf8(v->str, v->len);
    if (v->type == TF_JT_NUMBER && (isnan(v->num) || !v->str))
        abort();
    size_t n = 0;
    for (const struct tf_jt *c = v->child; c; c = c->next, n++)
        check_tree(c, depth + 1, v->type == TF_JT_OBJECT);
    if (n != v->count || (n && v->type != TF_JT_ARRAY && v->type != TF_JT_OBJECT))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tf_jt_error err = { (size_t)-1, NULL };
    struct tf_jt *v = tf_jt_parse((const char *)data, size, &err);
    if (v) {
        if (err.what)
            abort();
        check_tree(v, 0, 0);
        tf_jt_free(v);
    } else if (!err.what || err.offset > size) {
        abort();
    }
    return 0;
}
