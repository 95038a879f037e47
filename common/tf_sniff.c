#include "tf_sniff.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The mail ports, once: the protocol each speaks and whether TLS starts with the first byte. */
static const struct tf_mail_port mail_ports[] = {
    { 993, TF_PROTO_IMAP, 1 }, { 995, TF_PROTO_POP3, 1 }, { 143, TF_PROTO_IMAP, 0 },
    { 110, TF_PROTO_POP3, 0 }, { 587, TF_PROTO_SMTP, 0 }, { 465, TF_PROTO_SMTP, 1 },
    { 25, TF_PROTO_SMTP, 0 },
};

const struct tf_mail_port *tf_mail_ports(size_t *n)
{
    *n = sizeof mail_ports / sizeof mail_ports[0];
    return mail_ports;
}

static const struct tf_mail_port *mail_port(int port)
{
    for (size_t i = 0; i < sizeof mail_ports / sizeof mail_ports[0]; i++)
        if (mail_ports[i].port == port)
            return &mail_ports[i];
    return NULL;
}

enum tf_proto tf_proto_by_port(int port)
{
    const struct tf_mail_port *m = mail_port(port);
    return m ? m->proto : TF_PROTO_UNKNOWN;
}

const char *tf_proto_name(enum tf_proto p)
{
    switch (p) {
    case TF_PROTO_IMAP: return "IMAP";
    case TF_PROTO_POP3: return "POP3";
    case TF_PROTO_SMTP: return "SMTP";
    default: return "unknown";
    }
}

int tf_port_implicit_tls(int port)
{
    const struct tf_mail_port *m = mail_port(port);
    return m ? m->implicit_tls : 0;
}

int tf_parse_ports(const char *text, int *ports, int max)
{
    int n = 0;
    const char *p = text;
    while (p && *p) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v <= 0 || v > 65535 || (*end && *end != ',') || n >= max)
            return -1;
        ports[n++] = (int)v;
        p = *end ? end + 1 : end;
    }
    return n;
}

/* Splits the next word of a line: returns its length, advances *p past it and the blanks after. */
static size_t word(const char **p, const char *end)
{
    const char *s = *p;
    while (s < end && *s != ' ' && *s != '\r' && *s != '\n')
        s++;
    size_t n = (size_t)(s - *p);
    while (s < end && *s == ' ')
        s++;
    *p = s;
    return n;
}

static int is(const char *w, size_t n, const char *kw)
{
    return n == strlen(kw) && strncasecmp(w, kw, n) == 0;
}

static const char *mechanism_kind(const char *m, size_t n)
{
    return (is(m, n, "XOAUTH2") || is(m, n, "OAUTHBEARER")) ? "oauth" : "basic";
}

/* Copies a printable token (a user name) without quotes, cut to fit. */
static void copy_token(char *dst, size_t cap, const char *src, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; i < n && j + 1 < cap; i++)
        if (isgraph((unsigned char)src[i]) && src[i] != '"')
            dst[j++] = src[i];
    dst[j] = '\0';
}

static void set_command(struct tf_auth *out, const char *a, size_t an, const char *b, size_t bn)
{
    snprintf(out->command, sizeof out->command, "%.*s%s%.*s", (int)(an > 12 ? 12 : an), a,
             bn ? " " : "", (int)(bn > 18 ? 18 : bn), b);
    for (char *c = out->command; *c; c++)
        *c = (isgraph((unsigned char)*c) || *c == ' ') ? (char)toupper((unsigned char)*c) : '?';
}

/* One command line. */
static enum tf_sniff_result line(const char *s, const char *end, enum tf_proto proto, int want_user,
                                 struct tf_auth *out)
{
    const char *p = s;
    const char *w1 = p;
    size_t n1 = word(&p, end);
    const char *w2 = p;
    size_t n2 = word(&p, end);
    const char *w3 = p;
    size_t n3 = word(&p, end);

    /* IMAP: "TAG LOGIN user pass", "TAG AUTHENTICATE MECH", "TAG STARTTLS" */
    if (proto == TF_PROTO_IMAP || proto == TF_PROTO_UNKNOWN) {
        if (n1 && is(w2, n2, "LOGIN")) {
            out->proto = TF_PROTO_IMAP;
            out->mechanism = "basic";
            set_command(out, "LOGIN", 5, "", 0);
            if (want_user)
                copy_token(out->user, sizeof out->user, w3, n3);
            return TF_SNIFF_AUTH;
        }
        if (n1 && is(w2, n2, "AUTHENTICATE") && n3) {
            out->proto = TF_PROTO_IMAP;
            out->mechanism = mechanism_kind(w3, n3);
            set_command(out, "AUTHENTICATE", 12, w3, n3);
            return TF_SNIFF_AUTH;
        }
        if (n1 && is(w2, n2, "STARTTLS"))
            return TF_SNIFF_STARTTLS;
    }
    /* POP3: "USER name", "APOP name digest", "AUTH MECH", "STLS" */
    if (proto == TF_PROTO_POP3 || proto == TF_PROTO_UNKNOWN) {
        if (is(w1, n1, "USER") || is(w1, n1, "APOP")) {
            out->proto = TF_PROTO_POP3;
            out->mechanism = "basic";
            set_command(out, w1, n1, "", 0);
            if (want_user)
                copy_token(out->user, sizeof out->user, w2, n2);
            return TF_SNIFF_AUTH;
        }
        if (is(w1, n1, "STLS"))
            return TF_SNIFF_STARTTLS;
    }
    /* POP3 and SMTP: "AUTH MECH [initial-response]"; SMTP: "STARTTLS" */
    if (proto != TF_PROTO_IMAP && is(w1, n1, "AUTH") && n2) {
        out->proto = proto;
        out->mechanism = mechanism_kind(w2, n2);
        set_command(out, "AUTH", 4, w2, n2);
        return TF_SNIFF_AUTH;
    }
    if ((proto == TF_PROTO_SMTP || proto == TF_PROTO_UNKNOWN) && is(w1, n1, "STARTTLS"))
        return TF_SNIFF_STARTTLS;
    return TF_SNIFF_MORE;
}

enum tf_sniff_result tf_sniff_client(const char *buf, size_t len, enum tf_proto proto, int want_user,
                                     struct tf_auth *out)
{
    const char *s = buf, *end = buf + len;
    enum tf_sniff_result last = TF_SNIFF_MORE;
    memset(out, 0, sizeof *out);
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *stop = nl ? nl : end;
        enum tf_sniff_result r = line(s, stop, proto, want_user, out);
        if (r == TF_SNIFF_AUTH)
            return r;
        if (r == TF_SNIFF_STARTTLS)
            last = r;
        s = nl ? nl + 1 : end;
    }
    return last;
}
