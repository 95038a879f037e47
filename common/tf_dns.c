/* DNS answers for a rewritten name: see tf_dns.h. Pure functions over caller buffers.
 *
 * The message is rebuilt rather than patched: every name is read in full (following the
 * input's compression pointers, bounded) and written again with compression against what is
 * already in the output, so no pointer can refer to an offset of the old message. */
#include "tf_dns.h"

#include <stdint.h>
#include <string.h>

#define DNS_FLAG_QR 0x8000u
#define DNS_FLAG_TC 0x0200u
#define DNS_FLAG_AD 0x0020u
#define DNS_TYPE_CNAME 5u
#define DICT_MAX 64   /* label offsets remembered for compression (dn_comp keeps a similar list) */
#define HOPS_MAX 128  /* compression pointers followed in one name: more means a loop */

static unsigned get16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void set16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static void set32(unsigned char *p, uint32_t v)
{
    set16(p, v >> 16);
    set16(p + 2, v & 0xffffu);
}

static unsigned lower(unsigned c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

int tf_dns_name_to_wire(const char *text, unsigned char *out)
{
    size_t n = text ? strlen(text) : 0;
    if (n > 0 && text[n - 1] == '.')
        n--;
    if (n == 0 || n > 253)
        return -1;
    size_t o = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && text[i] != '.')
            continue;
        size_t label = i - start;
        if (label == 0 || label > 63)
            return -1;
        out[o++] = (unsigned char)label;
        memcpy(out + o, text + start, label);
        o += label;
        start = i + 1;
    }
    out[o++] = 0;
    return (int)o;
}

/* Reads the (possibly compressed) name at *pos into out (wire form, uncompressed) and moves *pos
 * past it. Returns the name's length, or -1 for anything malformed: a pointer or label past the
 * end, an extended label type, a name longer than 255 bytes, a pointer loop. */
static int read_name(const unsigned char *msg, size_t len, size_t *pos, unsigned char *out)
{
    size_t p = *pos, after = 0, o = 0;
    int hops = 0;
    for (;;) {
        if (p >= len)
            return -1;
        unsigned c = msg[p];
        if ((c & 0xc0u) == 0xc0u) {
            if (p + 1 >= len || ++hops > HOPS_MAX)
                return -1;
            if (hops == 1)
                after = p + 2;
            p = (size_t)(c & 0x3fu) << 8 | msg[p + 1];
            continue;
        }
        if (c & 0xc0u)
            return -1;
        if (o + 1 + c > TF_DNS_NAME_WIRE || p + 1 + c > len)
            return -1;
        out[o++] = (unsigned char)c;
        if (c == 0)
            break;
        memcpy(out + o, msg + p + 1, c);
        o += c;
        p += 1 + c;
    }
    *pos = hops ? after : p + 1;
    return (int)o;
}

/* Where the labels after `prefix` (wire, with its root) start in `name`, or -1 when name does
 * not begin with prefix's labels (compared without regard to case). */
static int after_prefix(const unsigned char *name, int nlen, const unsigned char *prefix, int plen)
{
    if (nlen < plen)
        return -1;
    for (int i = 0; i < plen - 1; i++)
        if (lower(name[i]) != lower(prefix[i]))
            return -1;
    return plen - 1;
}

struct writer {
    unsigned char *buf;
    size_t cap, len;
    unsigned dict[DICT_MAX]; /* offsets of labels written in full */
    int ndict;
};

static int put(struct writer *w, const void *p, size_t n)
{
    if (n > w->cap - w->len)
        return -1;
    memcpy(w->buf + w->len, p, n);
    w->len += n;
    return 0;
}

static int put16(struct writer *w, unsigned v)
{
    unsigned char b[2];
    set16(b, v);
    return put(w, b, 2);
}

/* Whether the name written at off (our own output) equals the wire name s. */
static int written_equals(const struct writer *w, size_t off, const unsigned char *s)
{
    for (int hops = 0; hops <= HOPS_MAX;) {
        if (off >= w->len)
            return 0;
        unsigned c = w->buf[off];
        if ((c & 0xc0u) == 0xc0u) {
            if (off + 1 >= w->len)
                return 0;
            off = (size_t)(c & 0x3fu) << 8 | w->buf[off + 1];
            hops++;
            continue;
        }
        if (c != *s || off + 1 + c > w->len)
            return 0;
        if (c == 0)
            return 1;
        for (unsigned i = 1; i <= c; i++)
            if (lower(w->buf[off + i]) != lower(s[i]))
                return 0;
        off += 1 + c;
        s += 1 + c;
    }
    return 0;
}

/* Writes a wire name, ending in a pointer to the longest suffix already written. */
static int put_name(struct writer *w, const unsigned char *name)
{
    const unsigned char *s = name;
    while (*s) {
        for (int i = 0; i < w->ndict; i++)
            if (written_equals(w, w->dict[i], s))
                return put16(w, 0xc000u | w->dict[i]);
        if (w->len <= 0x3fffu && w->ndict < DICT_MAX)
            w->dict[w->ndict++] = (unsigned)w->len;
        if (put(w, s, 1u + *s) < 0)
            return -1;
        s += 1u + *s;
    }
    return put(w, s, 1);
}

/* Record data layouts whose names may be compressed (RFC 1035, RFC 3597 section 4): fixed
 * bytes, names, fixed bytes. Every other type is copied as it is. */
struct rdata_layout {
    unsigned type, head, names, tail;
};
static const struct rdata_layout layouts[] = {
    { 2, 0, 1, 0 },  { 3, 0, 1, 0 },  { 4, 0, 1, 0 },  { 5, 0, 1, 0 },  /* NS MD MF CNAME */
    { 7, 0, 1, 0 },  { 8, 0, 1, 0 },  { 9, 0, 1, 0 },  { 12, 0, 1, 0 }, /* MB MG MR PTR */
    { 6, 0, 2, 20 },                                                    /* SOA */
    { 14, 0, 2, 0 }, { 17, 0, 2, 0 },                                   /* MINFO RP */
    { 15, 2, 1, 0 }, { 18, 2, 1, 0 }, { 21, 2, 1, 0 },                  /* MX AFSDB RT */
    { 26, 2, 2, 0 }, { 33, 6, 1, 0 },                                   /* PX SRV */
};

static const struct rdata_layout *layout_of(unsigned type)
{
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++)
        if (layouts[i].type == type)
            return &layouts[i];
    return NULL;
}

/* Copies rdata (in[pos..end)) with its names re-encoded; -1 malformed, -2 no room. */
static int put_rdata(struct writer *w, const unsigned char *in, size_t end, size_t pos, unsigned type)
{
    const struct rdata_layout *lay = layout_of(type);
    if (lay == NULL)
        return put(w, in + pos, end - pos) < 0 ? -2 : 0;
    if (lay->head > end - pos)
        return -1;
    if (put(w, in + pos, lay->head) < 0)
        return -2;
    pos += lay->head;
    for (unsigned i = 0; i < lay->names; i++) {
        unsigned char name[TF_DNS_NAME_WIRE];
        /* names are read within the whole message (pointers reach back) but must end in rdata */
        if (read_name(in, end, &pos, name) < 0)
            return -1;
        if (put_name(w, name) < 0)
            return -2;
    }
    if (end - pos != lay->tail)
        return -1;
    return put(w, in + pos, lay->tail) < 0 ? -2 : 0;
}

/* Copies one resource record at *pos. Returns 0, -1 (malformed or cut short), -2 (no room; the
 * writer is left as it was). */
static int copy_record(struct writer *w, const unsigned char *in, size_t inlen, size_t *pos,
                       uint32_t *ttl)
{
    unsigned char owner[TF_DNS_NAME_WIRE];
    size_t p = *pos, mark = w->len;
    int ndict = w->ndict;
    if (read_name(in, inlen, &p, owner) < 0 || inlen - p < 10)
        return -1;
    unsigned type = get16(in + p), rdlen = get16(in + p + 8);
    *ttl = get32(in + p + 4);
    const unsigned char *fixed = in + p;
    p += 10;
    if (rdlen > inlen - p)
        return -1;
    size_t rdstart = 0;
    int r = put_name(w, owner) < 0 || put(w, fixed, 8) < 0 || put16(w, 0) < 0 ? -2 : 0;
    if (r == 0) {
        rdstart = w->len;
        r = put_rdata(w, in, p + rdlen, p, type);
    }
    if (r == 0 && w->len - rdstart > 0xffffu)
        r = -2;
    if (r != 0) {
        w->len = mark;
        w->ndict = ndict;
        return r;
    }
    set16(w->buf + rdstart - 2, (unsigned)(w->len - rdstart));
    *pos = p + rdlen;
    return 0;
}

/* The legacy question: asked's labels, then whatever followed `queried` in the answer's
 * question (a search domain). Returns its length or -1. */
static int legacy_name(const unsigned char *qname, int qlen, const char *asked, const char *queried,
                       unsigned char *out)
{
    unsigned char aw[TF_DNS_NAME_WIRE], qw[TF_DNS_NAME_WIRE];
    int al = tf_dns_name_to_wire(asked, aw), ql = tf_dns_name_to_wire(queried, qw);
    if (al < 0 || ql < 0)
        return -1;
    int rest = after_prefix(qname, qlen, qw, ql);
    if (rest < 0 || (al - 1) + (qlen - rest) > TF_DNS_NAME_WIRE)
        return -1;
    memcpy(out, aw, (size_t)al - 1);
    memcpy(out + al - 1, qname + rest, (size_t)(qlen - rest));
    return al - 1 + qlen - rest;
}

/* Header, question and CNAME; returns the offset of the CNAME's TTL, 0 when only the question
 * fit, -1 when not even that. */
static long put_head(struct writer *w, const unsigned char *legacy, const unsigned char *qname,
                     unsigned qtype, unsigned qclass)
{
    unsigned char zero[TF_DNS_HEADER] = { 0 };
    if (put(w, zero, sizeof zero) < 0 || put_name(w, legacy) < 0 || put16(w, qtype) < 0 ||
        put16(w, qclass) < 0)
        return -1;
    size_t mark = w->len;
    int ndict = w->ndict;
    if (put_name(w, legacy) == 0 && put16(w, DNS_TYPE_CNAME) == 0 && put16(w, qclass) == 0 &&
        put16(w, 0) == 0 && put16(w, 0) == 0 && put16(w, 0) == 0) {
        size_t rdstart = w->len;
        if (put_name(w, qname) == 0) {
            set16(w->buf + rdstart - 2, (unsigned)(w->len - rdstart));
            return (long)(rdstart - 6);
        }
    }
    w->len = mark;
    w->ndict = ndict;
    return 0;
}

int tf_dns_alias_answer(const unsigned char *in, size_t inlen, const char *asked,
                        const char *queried, unsigned char *out, size_t outcap)
{
    unsigned char qname[TF_DNS_NAME_WIRE], legacy[TF_DNS_NAME_WIRE];
    if (in == NULL || out == NULL || inlen < TF_DNS_HEADER || asked == NULL || queried == NULL)
        return -1;
    unsigned flags = get16(in + 2);
    if (!(flags & DNS_FLAG_QR) || get16(in + 4) != 1)
        return -1;
    size_t pos = TF_DNS_HEADER;
    int qlen = read_name(in, inlen, &pos, qname);
    if (qlen < 0 || inlen - pos < 4)
        return -1;
    int llen = legacy_name(qname, qlen, asked, queried, legacy);
    if (llen < 0)
        return -1;
    unsigned qtype = get16(in + pos), qclass = get16(in + pos + 2);
    pos += 4;

    /* no DNS message is longer than 65535 bytes (TCP's length prefix) */
    struct writer w = { .buf = out, .cap = outcap > 65535 ? 65535 : outcap, .len = 0, .ndict = 0 };
    long ttl_at = put_head(&w, legacy, qname, qtype, qclass);
    if (ttl_at < 0)
        return -1;
    int truncated = ttl_at == 0, cut_input = (flags & DNS_FLAG_TC) != 0;
    unsigned counts[3] = { ttl_at > 0 ? 1u : 0u, 0, 0 };
    uint32_t min_ttl = UINT32_MAX;
    for (int sec = 0; sec < 3 && !truncated; sec++) {
        unsigned n = get16(in + 6 + 2 * sec);
        for (unsigned i = 0; i < n && !truncated; i++) {
            uint32_t ttl;
            int r = copy_record(&w, in, inlen, &pos, &ttl);
            if (r == -1 && !cut_input)
                return -1;   /* malformed: the caller keeps the resolver's answer */
            if (r != 0) {
                truncated = 1;
                break;
            }
            counts[sec]++;
            if (sec == 0 && ttl < min_ttl)
                min_ttl = ttl;
        }
    }
    if (ttl_at > 0)
        set32(out + ttl_at, min_ttl == UINT32_MAX ? 0 : min_ttl);
    flags &= ~DNS_FLAG_AD;
    if (truncated)
        flags |= DNS_FLAG_TC;
    memcpy(out, in, 2);
    set16(out + 2, flags);
    set16(out + 4, 1);
    set16(out + 6, counts[0]);
    set16(out + 8, counts[1]);
    set16(out + 10, counts[2]);
    return (int)w.len;
}
