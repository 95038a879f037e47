/* libFuzzer target: the OAuth bridge's state machine (tf_bridge_client/_server/_token).
 * Input: a protocol digit ('1' IMAP, '2' POP3, '3' SMTP), then records, one per line: 'C' or 'S'
 * (the program's or the server's bytes, CR LF appended), 'c' or 's' (the same without CR LF:
 * split writes), 'T' (the caller answers a pending token request: with a token when the record
 * has text, none when it is empty). Checks: queues stay within their bounds, the token never
 * reaches the program, and the credential is held only while the server's go-ahead is due. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tf_bridge.h"

#define TOKEN "Zq9Tok"

static int contains(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(hay + i, needle, k))
            return 1;
    return 0;
}

static void drain(struct tf_bridge *b, int check_token)
{
    static char out[TF_BRIDGE_TO_SERVER + TF_BRIDGE_TO_PROGRAM];
    if (b->nto_server > sizeof b->to_server || b->nto_program > sizeof b->to_program ||
        b->nline > sizeof b->line || b->nsline > sizeof b->sline || b->nkicks > TF_BRIDGE_KICKS)
        abort();
    size_t n = tf_bridge_take_program(b, out, sizeof out);
    if (check_token && contains(out, n, TOKEN))
        abort();
    n = tf_bridge_take_server(b, out, sizeof out);
    if (check_token && contains(out, n, TOKEN))   /* only ever in base64 */
        abort();
    for (size_t i = 0; i < sizeof b->to_server; i++)
        if (b->to_server[i])
            abort();   /* drained: wiped */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct tf_bridge b;
    if (size < 1 || data[0] < '0' || data[0] > '3')
        return 0;
    const char *s = (const char *)data + 1, *end = (const char *)data + size;
    /* the token must not come in through the streams for the check to mean anything */
    int check_token = !contains((const char *)data, size, TOKEN);
    tf_bridge_init(&b, (enum tf_proto)(data[0] - '0'));
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *e = nl ? nl : end;
        char op = *s;
        char rec[TF_BRIDGE_LINE * 2 + 2];
        size_t n = (size_t)(e - s - 1 > 0 ? e - s - 1 : 0);
        if (n > TF_BRIDGE_LINE * 2)
            n = TF_BRIDGE_LINE * 2;
        memcpy(rec, s + 1 > e ? e : s + 1, n);
        if (op == 'C' || op == 'S') {
            rec[n++] = '\r';
            rec[n++] = '\n';
        }
        if (op == 'C' || op == 'c')
            tf_bridge_client(&b, rec, n);
        else if (op == 'S' || op == 's')
            tf_bridge_server(&b, rec, n);
        else if (op == 'T' && b.want_token)
            tf_bridge_token(&b, n ? TOKEN : NULL);
        drain(&b, check_token);
        if (b.state != TF_BR_X_GO && b.ncred)
            abort();
        s = nl ? nl + 1 : end;
    }
    return 0;
}
