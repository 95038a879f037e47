#include "tf_bridge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- base64 ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t tf_base64_encode(const unsigned char *in, size_t n, char *out, size_t cap)
{
    size_t need = (n + 2) / 3 * 4;
    if (need >= cap)
        return 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        out[o++] = b64[v >> 18 & 63];
        out[o++] = b64[v >> 12 & 63];
        out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    out[o] = '\0';
    return o;
}

static int b64_value(char c)
{
    const char *p = c ? strchr(b64, c) : NULL;
    return p ? (int)(p - b64) : -1;
}

long tf_base64_decode(const char *in, size_t n, unsigned char *out, size_t cap)
{
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0, pad = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == '=') {
            pad++;
            continue;
        }
        int v = b64_value(in[i]);
        if (v < 0 || pad)
            return -1;
        acc = (acc << 6 | (unsigned)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= cap)
                return -1;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    if (pad > 2 || (n % 4 != 0 && pad))
        return -1;
    return (long)o;
}

/* ---- queues ---- */

/* Wipes memory the compiler must not skip (explicit_bzero is newer than glibc 2.17). */
static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

static void give_up(struct tf_bridge *b, const char *why);

static void to_server(struct tf_bridge *b, const char *s, size_t n)
{
    if (n > sizeof b->to_server - b->nto_server) {
        give_up(b, "overflow");
        return;
    }
    memcpy(b->to_server + b->nto_server, s, n);
    b->nto_server += n;
}

static void to_program(struct tf_bridge *b, const char *s, size_t n)
{
    if (n > sizeof b->to_program - b->nto_program) {
        give_up(b, "overflow");
        return;
    }
    memcpy(b->to_program + b->nto_program, s, n);
    b->nto_program += n;
}

static void to_server_str(struct tf_bridge *b, const char *s)
{
    to_server(b, s, strlen(s));
}

static size_t take(char *q, size_t *nq, char *out, size_t cap, int wiping)
{
    size_t n = *nq < cap ? *nq : cap;
    memcpy(out, q, n);
    memmove(q, q + n, *nq - n);
    *nq -= n;
    if (wiping)
        wipe(q + *nq, n);
    return n;
}

size_t tf_bridge_take_server(struct tf_bridge *b, char *out, size_t cap)
{
    return take(b->to_server, &b->nto_server, out, cap, 1);
}

size_t tf_bridge_take_program(struct tf_bridge *b, char *out, size_t cap)
{
    return take(b->to_program, &b->nto_program, out, cap, 0);
}

int tf_bridge_finished(const struct tf_bridge *b)
{
    return b->state == TF_BR_DONE && !b->nto_server && !b->nto_program && !b->nline && !b->nsline;
}

void tf_bridge_init(struct tf_bridge *b, enum tf_proto proto)
{
    memset(b, 0, sizeof *b);
    b->proto = proto;
    b->state = (proto == TF_PROTO_UNKNOWN) ? TF_BR_DONE : TF_BR_IDLE;
}

static void verdict(struct tf_bridge *b, int v, const char *why)
{
    b->verdict = v;
    b->why = why;
}

/* The bridge stops: what it holds goes on as it came (a held line was never a login: those are
 * consumed as soon as they are recognised). */
static void give_up(struct tf_bridge *b, const char *why)
{
    if (b->state != TF_BR_IDLE && b->state != TF_BR_DONE && why)
        verdict(b, -1, why);
    b->state = TF_BR_DONE;
    b->nkicks = 0;
    wipe(b->words, sizeof b->words);
    wipe(b->cred, sizeof b->cred);
    b->ncred = 0;
}

/* ---- local replies ---- */

/* A reply the program gets from tlsfloor, timed by a no-op the server answers. */
static void kick(struct tf_bridge *b, const char *text)
{
    if (b->nkicks == TF_BRIDGE_KICKS || strlen(text) >= sizeof b->kicks[0].text) {
        give_up(b, "overflow");
        return;
    }
    snprintf(b->kicks[b->nkicks++].text, sizeof b->kicks[0].text, "%s", text);
    to_server_str(b, b->proto == TF_PROTO_IMAP ? "tfb0 NOOP\r\n" : "NOOP\r\n");
}

static void kick_continue(struct tf_bridge *b, const char *challenge)
{
    char t[64];
    snprintf(t, sizeof t, "%s %s\r\n", b->proto == TF_PROTO_SMTP ? "334" : "+", challenge);
    kick(b, t);
}

static void kick_failure(struct tf_bridge *b, const char *why)
{
    char t[96];
    if (b->proto == TF_PROTO_IMAP)
        snprintf(t, sizeof t, "%.40s NO [AUTHENTICATIONFAILED] Authentication failed.\r\n", b->tag);
    else if (b->proto == TF_PROTO_POP3)
        snprintf(t, sizeof t, "-ERR [AUTH] Authentication failed.\r\n");
    else
        snprintf(t, sizeof t, "535 5.7.8 Authentication failed\r\n");
    kick(b, t);
    verdict(b, -1, why);
    wipe(b->user, sizeof b->user);
    wipe(b->words, sizeof b->words);
    b->nwords = 0;
    b->state = TF_BR_IDLE;
}

static void need_token(struct tf_bridge *b, const char *from, const char *user, size_t n)
{
    if (n == 0 || n >= sizeof b->user || memchr(user, '\0', n) || memchr(user, '\x01', n)) {
        kick_failure(b, "bad user name");
        return;
    }
    memcpy(b->user, user, n);
    b->user[n] = '\0';
    snprintf(b->from, sizeof b->from, "%s", from);
    wipe(b->words, sizeof b->words);
    b->nwords = 0;
    b->tries = 0;
    b->state = TF_BR_TOKEN;
    b->want_token = 1;
    b->refresh = 0;
}

static void make_credential(struct tf_bridge *b, const char *token);

void tf_bridge_token(struct tf_bridge *b, const char *token)
{
    b->want_token = 0;
    if (b->state != TF_BR_TOKEN)
        return;
    if (token == NULL || !*token) {
        kick_failure(b, b->refresh ? "token refused, no new token" : "no token");
        return;
    }
    if (strlen(token) >= TF_BRIDGE_TOKEN || strpbrk(token, "\x01\r\n")) {
        kick_failure(b, "bad token");
        return;
    }
    make_credential(b, token);
    if (b->proto == TF_PROTO_IMAP) {
        to_server_str(b, b->tag);
        to_server_str(b, " AUTHENTICATE XOAUTH2\r\n");
    } else {
        to_server_str(b, "AUTH XOAUTH2\r\n");
    }
    b->tries++;
    b->state = TF_BR_X_GO;
}

/* ---- the program's lines ---- */

static size_t word_len(const char *p, const char *end)
{
    const char *s = p;
    while (s < end && *s != ' ' && *s != '\r' && *s != '\n')
        s++;
    return (size_t)(s - p);
}

static int is_word(const char *w, size_t n, const char *kw)
{
    return n == strlen(kw) && strncasecmp(w, kw, n) == 0;
}

/* The end of a line's text (before CR LF). */
static const char *text_end(const char *s, const char *end)
{
    while (end > s && (end[-1] == '\n' || end[-1] == '\r'))
        end--;
    return end;
}

static void sasl_cancelled(struct tf_bridge *b)
{
    char t[96];
    if (b->proto == TF_PROTO_IMAP)
        snprintf(t, sizeof t, "%.40s BAD Authentication aborted.\r\n", b->tag);
    else
        snprintf(t, sizeof t, b->proto == TF_PROTO_POP3 ? "-ERR Authentication aborted.\r\n"
                                                          : "501 5.7.0 Authentication aborted\r\n");
    kick(b, t);
    b->state = TF_BR_IDLE;
}

/* PLAIN's response: authzid NUL authcid NUL password; the user is authcid. */
static void sasl_plain(struct tf_bridge *b, const char *s, size_t n)
{
    unsigned char raw[TF_BRIDGE_LINE];
    long len = tf_base64_decode(s, n, raw, sizeof raw);
    const unsigned char *nul1 = len > 0 ? memchr(raw, 0, (size_t)len) : NULL;
    const unsigned char *nul2 = nul1 ? memchr(nul1 + 1, 0, (size_t)(raw + len - nul1 - 1)) : NULL;
    if (!nul2)
        kick_failure(b, "bad PLAIN response");
    else
        need_token(b, "PLAIN", (const char *)nul1 + 1, (size_t)(nul2 - nul1 - 1));
    wipe(raw, sizeof raw);
}

static void sasl_login_user(struct tf_bridge *b, const char *s, size_t n)
{
    long len = tf_base64_decode(s, n, (unsigned char *)b->words[0], sizeof b->words[0] - 1);
    if (len <= 0) {
        kick_failure(b, "bad LOGIN response");
        return;
    }
    b->words[0][len] = '\0';
    b->nwords = 1;
    b->state = TF_BR_SASL_PASS;
    kick_continue(b, "UGFzc3dvcmQ6");
}

/* A SASL mechanism the program chose, with its initial response (ir, NULL when none). */
static void sasl_start(struct tf_bridge *b, const char *mech, size_t mn, const char *ir, size_t irn)
{
    int plain = is_word(mech, mn, "PLAIN");
    if (ir && irn == 1 && ir[0] == '=')
        irn = 0;   /* "=": an empty initial response */
    if (plain && ir)
        sasl_plain(b, ir, irn);
    else if (plain) {
        b->state = TF_BR_SASL_PLAIN;
        kick_continue(b, "");
    } else if (ir)
        sasl_login_user(b, ir, irn);
    else {
        b->state = TF_BR_SASL_USER;
        kick_continue(b, "VXNlcm5hbWU6");
    }
}

static int bridged_mech(const char *m, size_t n)
{
    return is_word(m, n, "PLAIN") || is_word(m, n, "LOGIN");
}

/* IMAP LOGIN's arguments from p on: atoms, quoted strings, literals. */
static void imap_login_args(struct tf_bridge *b, const char *p, const char *end)
{
    end = text_end(p, end);
    while (b->nwords < 2) {
        while (p < end && *p == ' ')
            p++;
        if (p == end)
            break;
        char *w = b->words[b->nwords];
        size_t wn = 0;
        if (*p == '"') {
            for (p++; p < end && *p != '"'; p++) {
                if (*p == '\\' && p + 1 < end)
                    p++;
                if (wn + 1 >= sizeof b->words[0]) {
                    kick_failure(b, "user name too long");
                    return;
                }
                w[wn++] = *p;
            }
            if (p == end) {
                kick_failure(b, "bad LOGIN");
                return;
            }
            p++;
        } else if (*p == '{') {
            char *num_end;
            unsigned long len = strtoul(p + 1, &num_end, 10);
            int plus = *num_end == '+';
            if (num_end == p + 1 || num_end + plus + 1 != end || num_end[plus] != '}' || len >= 65536) {
                kick_failure(b, "bad LOGIN");
                return;
            }
            b->literal_left = len;
            b->words[b->nwords][0] = '\0';
            b->state = TF_BR_LITERAL;
            if (!plus)
                kick_continue(b, "OK");
            return;
        } else {
            while (p < end && *p != ' ') {
                if (wn + 1 >= sizeof b->words[0]) {
                    kick_failure(b, "user name too long");
                    return;
                }
                w[wn++] = *p++;
            }
        }
        w[wn] = '\0';
        b->nwords++;
    }
    if (b->nwords != 2 || p != end || b->bad_login) {
        kick_failure(b, "bad LOGIN");
        return;
    }
    need_token(b, "LOGIN", b->words[0], strlen(b->words[0]));
}

/* One line of the program's while it may log in. Returns 1 when consumed, 0 to forward it. */
static int imap_line(struct tf_bridge *b, const char *s, const char *end)
{
    const char *p = s, *te = text_end(s, end);
    size_t tn = word_len(p, te);
    const char *cmd = p + tn + (p + tn < te);
    size_t cn = word_len(cmd, te);
    const char *arg = cmd + cn + (cmd + cn < te);
    size_t an = word_len(arg, te);
    if (!tn || tn >= sizeof b->tag)
        return 0;
    if (is_word(cmd, cn, "LOGIN")) {
        snprintf(b->tag, sizeof b->tag, "%.*s", (int)tn, s);
        b->nwords = 0;
        b->bad_login = 0;
        imap_login_args(b, arg, end);
        return 1;
    }
    if (is_word(cmd, cn, "AUTHENTICATE")) {
        if (!bridged_mech(arg, an)) {
            b->state = TF_BR_DONE;   /* its own SASL (XOAUTH2 already, or one not bridged) */
            return 0;
        }
        snprintf(b->tag, sizeof b->tag, "%.*s", (int)tn, s);
        const char *ir = arg + an + (arg + an < te);
        snprintf(b->from, sizeof b->from, "%.*s", (int)an, arg);
        sasl_start(b, arg, an, ir < te ? ir : NULL, (size_t)(te - ir));
        return 1;
    }
    return 0;
}

static int pop3_line(struct tf_bridge *b, const char *s, const char *end)
{
    const char *te = text_end(s, end);
    size_t cn = word_len(s, te);
    const char *arg = s + cn + (s + cn < te);
    size_t an = word_len(arg, te);
    if (b->state == TF_BR_POP_PASS) {
        if (is_word(s, cn, "PASS")) {
            need_token(b, "USER", b->words[0], strlen(b->words[0]));
            return 1;
        }
        b->state = TF_BR_IDLE;
    }
    if (is_word(s, cn, "USER") && arg < te) {
        size_t un = (size_t)(te - arg);
        if (un >= sizeof b->words[0]) {
            kick_failure(b, "user name too long");
            return 1;
        }
        memcpy(b->words[0], arg, un);
        b->words[0][un] = '\0';
        b->state = TF_BR_POP_PASS;
        kick(b, "+OK\r\n");
        return 1;
    }
    if (is_word(s, cn, "AUTH") && an) {
        if (!bridged_mech(arg, an)) {
            b->state = TF_BR_DONE;
            return 0;
        }
        const char *ir = arg + an + (arg + an < te);
        sasl_start(b, arg, an, ir < te ? ir : NULL, (size_t)(te - ir));
        return 1;
    }
    return 0;
}

static int smtp_line(struct tf_bridge *b, const char *s, const char *end)
{
    const char *te = text_end(s, end);
    size_t cn = word_len(s, te);
    const char *arg = s + cn + (s + cn < te);
    size_t an = word_len(arg, te);
    if (is_word(s, cn, "AUTH") && an) {
        if (!bridged_mech(arg, an)) {
            b->state = TF_BR_DONE;
            return 0;
        }
        const char *ir = arg + an + (arg + an < te);
        sasl_start(b, arg, an, ir < te ? ir : NULL, (size_t)(te - ir));
        return 1;
    }
    return 0;
}

/* A complete line of the program's (CR LF or LF included). */
static void client_line(struct tf_bridge *b, const char *s, const char *end)
{
    const char *te = text_end(s, end);
    int consumed = 1;
    switch (b->state) {
    case TF_BR_SASL_PLAIN:
    case TF_BR_SASL_USER:
    case TF_BR_SASL_PASS:
        if (te - s == 1 && s[0] == '*')
            sasl_cancelled(b);
        else if (b->state == TF_BR_SASL_PLAIN)
            sasl_plain(b, s, (size_t)(te - s));
        else if (b->state == TF_BR_SASL_USER)
            sasl_login_user(b, s, (size_t)(te - s));
        else
            need_token(b, "LOGIN", b->words[0], strlen(b->words[0]));
        break;
    case TF_BR_LITERAL:   /* the rest of LOGIN after a literal */
        imap_login_args(b, s, end);
        break;
    case TF_BR_IDLE:
    case TF_BR_POP_PASS:
        if (b->proto == TF_PROTO_IMAP)
            consumed = imap_line(b, s, end);
        else if (b->proto == TF_PROTO_POP3)
            consumed = pop3_line(b, s, end);
        else
            consumed = smtp_line(b, s, end);
        break;
    default:
        /* the program talks while the bridge waits for the server: it did not wait for a reply
         * (pipelining); the bridge cannot place it and stands aside */
        consumed = 0;
        give_up(b, "program pipelined");
        break;
    }
    if (!consumed)
        to_server(b, s, (size_t)(end - s));
}

/* Both directions assemble lines the same way: appends buf's next piece (up to its first LF, included)
 * to the unfinished line (line, *nline, cap). Returns the bytes taken, 0 when the line would outgrow
 * cap (nothing taken). *full is the whole line's length once its LF came (the line then starts over,
 * its bytes still in line), else 0. */
static size_t take_line(char *line, size_t cap, size_t *nline, const char *buf, size_t n, size_t *full)
{
    const char *nl = memchr(buf, '\n', n);
    size_t k = nl ? (size_t)(nl - buf) + 1 : n;
    *full = 0;
    if (*nline + k > cap)
        return 0;
    memcpy(line + *nline, buf, k);
    *nline += k;
    if (nl) {
        *full = *nline;
        *nline = 0;
    }
    return k;
}

/* Bytes of an IMAP literal of LOGIN's: the user name is kept, the password dropped. */
static size_t literal_bytes(struct tf_bridge *b, const char *buf, size_t n)
{
    size_t k = n < b->literal_left ? n : b->literal_left;
    if (b->nwords == 0) {
        size_t have = strlen(b->words[0]);
        if (have + k >= sizeof b->words[0])
            b->bad_login = 1;   /* read to its end all the same: none of it reaches the server */
        else {
            memcpy(b->words[0] + have, buf, k);
            b->words[0][have + k] = '\0';
        }
    }
    b->literal_left -= k;
    if (b->literal_left == 0) {
        b->nwords++;
        b->nline = 0;
    }
    return k;
}

void tf_bridge_client(struct tf_bridge *b, const char *buf, size_t n)
{
    while (n > 0) {
        if (b->state == TF_BR_DONE) {
            to_server(b, b->line, b->nline);
            b->nline = 0;
            to_server(b, buf, n);
            return;
        }
        if (b->state == TF_BR_LITERAL && b->literal_left) {
            size_t k = literal_bytes(b, buf, n);
            buf += k;
            n -= k;
            continue;
        }
        size_t len, k = take_line(b->line, sizeof b->line, &b->nline, buf, n, &len);
        if (!k) {
            /* a line this long is no login: the bridge stands aside */
            give_up(b, "line too long");
            continue;
        }
        buf += k;
        n -= k;
        if (len) {
            client_line(b, b->line, b->line + len);
            wipe(b->line, len);
        }
    }
}

/* ---- the server's lines ---- */

static int is_continuation(const struct tf_bridge *b, const char *s, size_t n)
{
    if (b->proto == TF_PROTO_SMTP)
        return n >= 3 && !memcmp(s, "334", 3);
    return n >= 1 && s[0] == '+' && (n == 1 || s[1] == ' ' || s[1] == '\r' || s[1] == '\n');
}

/* 1: a final success, -1: a final failure, 0: not final (IMAP untagged, SMTP "250-"). */
static int final_reply(const struct tf_bridge *b, const char *s, size_t n)
{
    if (b->proto == TF_PROTO_IMAP) {
        size_t tn = strlen(b->tag);
        if (n <= tn || memcmp(s, b->tag, tn) != 0 || s[tn] != ' ')
            return 0;
        return (n >= tn + 3 && !strncasecmp(s + tn + 1, "OK", 2)) ? 1 : -1;
    }
    if (b->proto == TF_PROTO_POP3)
        return (n >= 3 && !memcmp(s, "+OK", 3)) ? 1 : -1;
    if (n >= 4 && s[3] == '-')
        return 0;
    return (n >= 3 && !memcmp(s, "235", 3)) ? 1 : -1;
}

/* Whether this server line ends the reply to the oldest no-op. */
static int ends_kick_reply(const struct tf_bridge *b, const char *s, size_t n)
{
    if (b->proto == TF_PROTO_IMAP)
        return n >= 5 && !memcmp(s, "tfb0 ", 5);
    if (b->proto == TF_PROTO_SMTP)
        return !(n >= 4 && s[3] == '-');
    return 1;
}

/* Rewrites the capability words in s[from, to): drops LOGINDISABLED, adds what is missing of
 * PLAIN and LOGIN (IMAP: AUTH=PLAIN, AUTH=LOGIN). The result goes to the program. */
static void fix_capabilities(struct tf_bridge *b, const char *s, size_t n, size_t from, size_t to)
{
    char out[TF_BRIDGE_SLINE + 64];
    size_t o = 0;
    int have_plain = 0, have_login = 0;
    const char *prefix = b->proto == TF_PROTO_IMAP ? "AUTH=" : "";
    size_t pl = strlen(prefix);
    memcpy(out, s, from);
    o = from;
    for (size_t i = from; i < to;) {
        size_t j = i;
        while (j < to && s[j] != ' ')
            j++;
        const char *w = s + i;
        size_t wn = j - i;
        if (wn == pl + 5 && !strncasecmp(w, prefix, pl) && !strncasecmp(w + pl, "PLAIN", 5))
            have_plain = 1;
        if (wn == pl + 5 && !strncasecmp(w, prefix, pl) && !strncasecmp(w + pl, "LOGIN", 5))
            have_login = 1;
        if (!is_word(w, wn, "LOGINDISABLED")) {
            memcpy(out + o, w, wn);
            o += wn;
            if (j < to)
                out[o++] = ' ';
        }
        i = j < to ? j + 1 : j;
    }
    while (o > from && out[o - 1] == ' ')
        o--;
    if (!have_plain)
        o += (size_t)snprintf(out + o, sizeof out - o, " %sPLAIN", prefix);
    if (!have_login)
        o += (size_t)snprintf(out + o, sizeof out - o, " %sLOGIN", prefix);
    memcpy(out + o, s + to, n - to);
    o += n - to;
    to_program(b, out, o);
}

/* A server line on its way to the program during the login phase: capabilities it needs. */
static void pass_line(struct tf_bridge *b, const char *s, size_t n)
{
    const char *te = text_end(s, s + n);
    size_t tn = (size_t)(te - s);
    if (b->proto == TF_PROTO_IMAP) {
        const char *cap = NULL;
        for (const char *p = s; p + 11 <= te && !cap; p++)
            if (!strncasecmp(p, "CAPABILITY ", 11) && (p == s + 2 || (p > s && p[-1] == '[')))
                cap = p;
        if (cap) {
            const char *close = (cap > s && cap[-1] == '[') ? memchr(cap, ']', (size_t)(te - cap)) : te;
            if (close) {
                fix_capabilities(b, s, n, (size_t)(cap + 11 - s), (size_t)(close - s));
                return;
            }
        }
    } else if (b->proto == TF_PROTO_POP3) {
        if (tn > 5 && !strncasecmp(s, "SASL ", 5)) {
            fix_capabilities(b, s, n, 5, tn);
            return;
        }
    } else if (tn > 9 && !memcmp(s, "250", 3) && (s[3] == '-' || s[3] == ' ') &&
               (!strncasecmp(s + 4, "AUTH ", 5) || !strncasecmp(s + 4, "AUTH=", 5))) {
        fix_capabilities(b, s, n, 9, tn);
        return;
    }
    to_program(b, s, n);
}

/* The XOAUTH2 credential, kept until the server asks for it. */
static void make_credential(struct tf_bridge *b, const char *token)
{
    char raw[TF_BRIDGE_USER + TF_BRIDGE_TOKEN + 32];
    int rn = snprintf(raw, sizeof raw, "user=%s\001auth=Bearer %s\001\001", b->user, token);
    b->ncred = rn > 0 && (size_t)rn < sizeof raw
                   ? tf_base64_encode((const unsigned char *)raw, (size_t)rn, b->cred, sizeof b->cred - 2)
                   : 0;
    wipe(raw, sizeof raw);
}

static void send_credential(struct tf_bridge *b)
{
    if (b->ncred) {
        to_server(b, b->cred, b->ncred);
        to_server(b, "\r\n", 2);
    } else {
        to_server(b, "*\r\n", 3);   /* cancels the exchange: the server says it failed */
    }
    wipe(b->cred, sizeof b->cred);
    b->ncred = 0;
}

static void login_failed(struct tf_bridge *b, const char *s, size_t n)
{
    if (b->tries < 2) {
        b->state = TF_BR_TOKEN;   /* the token was refused: asked for again once */
        b->want_token = 1;
        b->refresh = 1;
        return;
    }
    to_program(b, s, n);
    verdict(b, -1, "token refused");
    wipe(b->user, sizeof b->user);
    b->state = TF_BR_IDLE;
}

static void server_line(struct tf_bridge *b, const char *s, size_t n)
{
    if (b->nkicks) {
        if (ends_kick_reply(b, s, n)) {
            to_program(b, b->kicks[0].text, strlen(b->kicks[0].text));
            b->nkicks--;
            memmove(b->kicks, b->kicks + 1, (size_t)b->nkicks * sizeof b->kicks[0]);
        }
        return;
    }
    int fin;
    switch (b->state) {
    case TF_BR_X_GO:
    case TF_BR_X_SENT:
    case TF_BR_X_ERR:
        if (is_continuation(b, s, n)) {
            if (b->state == TF_BR_X_GO) {
                send_credential(b);
                b->state = TF_BR_X_SENT;
            } else {
                to_server(b, b->state == TF_BR_X_SENT ? "\r\n" : "*\r\n", b->state == TF_BR_X_SENT ? 2 : 3);
                b->state = TF_BR_X_ERR;
            }
            return;
        }
        fin = final_reply(b, s, n);
        if (fin == 0) {
            if (b->proto == TF_PROTO_IMAP)
                to_program(b, s, n);   /* untagged: the program may see it */
            return;
        }
        if (fin > 0 && b->state == TF_BR_X_SENT) {
            to_program(b, s, n);
            verdict(b, 1, NULL);
            wipe(b->user, sizeof b->user);
            b->state = TF_BR_DONE;
        } else if (b->state == TF_BR_X_GO) {
            to_program(b, s, n);   /* the server does not take XOAUTH2 */
            verdict(b, -1, "server refused XOAUTH2");
            wipe(b->cred, sizeof b->cred);
            b->ncred = 0;
            b->state = TF_BR_IDLE;
        } else {
            login_failed(b, s, n);
        }
        return;
    default:
        pass_line(b, s, n);
    }
}

void tf_bridge_server(struct tf_bridge *b, const char *buf, size_t n)
{
    while (n > 0) {
        if (b->state == TF_BR_DONE && !b->nkicks) {
            to_program(b, b->sline, b->nsline);
            b->nsline = 0;
            to_program(b, buf, n);
            return;
        }
        size_t len, k = take_line(b->sline, sizeof b->sline, &b->nsline, buf, n, &len);
        if (!k) {
            give_up(b, "server line too long");
            continue;
        }
        buf += k;
        n -= k;
        if (len)
            server_line(b, b->sline, len);
    }
}
