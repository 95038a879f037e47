/* tf_dns: answers rebuilt for the legacy name. Inputs are made with the C library's own
 * compressor (dn_comp) and every output is checked with its own parser (ns_initparse,
 * ns_parserr, dn_expand): an independent judge of "consistent, every pointer valid". */
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check_main.h"
#include "tf_dns.h"

#define LEGACY "smtp-legacy.office365.com"
#define STD "smtp.office365.com"

struct msg {
    unsigned char buf[4096];
    int len;
    const unsigned char *dnptrs[64];
};

static void msg_begin(struct msg *m, const char *qname, int qtype, unsigned flags, int an, int ns, int ar)
{
    memset(m, 0, sizeof *m);
    unsigned char *p = m->buf;
    p[0] = 0x12, p[1] = 0x34, p[2] = (unsigned char)(flags >> 8), p[3] = (unsigned char)flags;
    p[5] = 1, p[7] = (unsigned char)an, p[9] = (unsigned char)ns, p[11] = (unsigned char)ar;
    m->dnptrs[0] = m->buf;
    m->len = 12;
    int n = dn_comp(qname, m->buf + m->len, (int)sizeof m->buf - m->len, (unsigned char **)m->dnptrs,
                    (unsigned char **)m->dnptrs + 63);
    ck_assert_int_gt(n, 0);
    m->len += n;
    ns_put16(qtype, p + m->len);
    ns_put16(ns_c_in, p + m->len + 2);
    m->len += 4;
}

static unsigned char *rr_head(struct msg *m, const char *owner, int type, unsigned ttl)
{
    int n = dn_comp(owner, m->buf + m->len, (int)sizeof m->buf - m->len, (unsigned char **)m->dnptrs,
                    (unsigned char **)m->dnptrs + 63);
    ck_assert_int_gt(n, 0);
    m->len += n;
    unsigned char *p = m->buf + m->len;
    ns_put16(type, p);
    ns_put16(ns_c_in, p + 2);
    ns_put32(ttl, p + 4);
    m->len += 10;
    return p + 8; /* rdlength, filled by the caller */
}

static void rr_a(struct msg *m, const char *owner, unsigned ttl, unsigned char last)
{
    unsigned char *rdlen = rr_head(m, owner, ns_t_a, ttl);
    ns_put16(4, rdlen);
    unsigned char a[4] = { 127, 0, 0, last };
    memcpy(m->buf + m->len, a, 4);
    m->len += 4;
}

static void rr_names(struct msg *m, const char *owner, int type, const char *n1, const char *n2, int pre, int post)
{
    unsigned char *rdlen = rr_head(m, owner, type, 300);
    int start = m->len;
    memset(m->buf + m->len, 7, (size_t)pre);
    m->len += pre;
    for (const char *n = n1; n; n = n == n1 ? n2 : NULL) {
        int k = dn_comp(n, m->buf + m->len, (int)sizeof m->buf - m->len, (unsigned char **)m->dnptrs,
                        (unsigned char **)m->dnptrs + 63);
        ck_assert_int_gt(k, 0);
        m->len += k;
    }
    memset(m->buf + m->len, 9, (size_t)post);
    m->len += post;
    ns_put16(m->len - start, rdlen);
}

/* A typical answer: STD's two addresses, compressed. */
static void std_answer(struct msg *m, const char *qname)
{
    msg_begin(m, qname, ns_t_a, 0x81a0 /* QR RD RA AD */, 2, 0, 0);
    rr_a(m, qname, 300, 1);
    rr_a(m, qname, 60, 2);
}

static char text[NS_MAXDNAME];
static const char *rdata_name(ns_msg *h, ns_rr *rr, int skip)
{
    ck_assert_int_ge(dn_expand(ns_msg_base(*h), ns_msg_end(*h), ns_rr_rdata(*rr) + skip, text, sizeof text), 0);
    return text;
}

/* Parses out with the C library and checks the question and the CNAME. */
static ns_msg parse_alias(const unsigned char *out, int len, const char *asked, const char *target)
{
    ns_msg h;
    ns_rr rr;
    ck_assert_int_eq(ns_initparse(out, len, &h), 0);
    ck_assert_int_eq(ns_msg_count(h, ns_s_qd), 1);
    ck_assert_int_eq(ns_parserr(&h, ns_s_qd, 0, &rr), 0);
    ck_assert_str_eq(ns_rr_name(rr), asked);
    if (ns_msg_count(h, ns_s_an) > 0) {
        ck_assert_int_eq(ns_parserr(&h, ns_s_an, 0, &rr), 0);
        ck_assert_int_eq(ns_rr_type(rr), ns_t_cname);
        ck_assert_str_eq(ns_rr_name(rr), asked);
        ck_assert_int_eq(strcasecmp(rdata_name(&h, &rr, 0), target), 0);
    }
    return h;
}

START_TEST(name_to_wire)
{
    unsigned char w[TF_DNS_NAME_WIRE];
    ck_assert_int_eq(tf_dns_name_to_wire("a.bc", w), 6);
    ck_assert_int_eq(memcmp(w, "\1a\2bc", 6), 0);
    ck_assert_int_eq(tf_dns_name_to_wire("a.bc.", w), 6);
    ck_assert_int_eq(tf_dns_name_to_wire("", w), -1);
    ck_assert_int_eq(tf_dns_name_to_wire(".", w), -1);
    ck_assert_int_eq(tf_dns_name_to_wire("a..b", w), -1);
    ck_assert_int_eq(tf_dns_name_to_wire(".a", w), -1);
    ck_assert_int_eq(tf_dns_name_to_wire(NULL, w), -1);
    char label[70];
    memset(label, 'x', 64);
    label[64] = '\0';
    ck_assert_int_eq(tf_dns_name_to_wire(label, w), -1);   /* a label of 64 */
    label[63] = '\0';
    ck_assert_int_eq(tf_dns_name_to_wire(label, w), 65);
    char longname[300];
    memset(longname, 'a', sizeof longname);
    for (int i = 1; i < 299; i += 2)
        longname[i] = '.';
    longname[253] = '\0';
    ck_assert_int_eq(tf_dns_name_to_wire(longname, w), 255);
    longname[253] = 'a';
    longname[254] = '\0';
    ck_assert_int_eq(tf_dns_name_to_wire(longname, w), -1);
}
END_TEST

START_TEST(cname_then_records)
{
    struct msg m;
    unsigned char out[4096];
    std_answer(&m, STD);
    int n = tf_dns_alias_answer(m.buf, (size_t)m.len, LEGACY, STD, out, sizeof out);
    ck_assert_int_gt(n, m.len);
    ns_msg h = parse_alias(out, n, LEGACY, STD);
    ck_assert_int_eq(ns_msg_id(h), 0x1234);
    ck_assert_int_eq(ns_msg_getflag(h, ns_f_qr), 1);
    ck_assert_int_eq(ns_msg_getflag(h, ns_f_rd), 1);
    ck_assert_int_eq(ns_msg_getflag(h, ns_f_ra), 1);
    ck_assert_int_eq(ns_msg_getflag(h, ns_f_ad), 0);   /* nobody validated the CNAME */
    ck_assert_int_eq(ns_msg_getflag(h, ns_f_tc), 0);
    ck_assert_int_eq(ns_msg_count(h, ns_s_an), 3);
    ns_rr rr;
    ck_assert_int_eq(ns_parserr(&h, ns_s_qd, 0, &rr), 0);
    ck_assert_int_eq(ns_rr_type(rr), ns_t_a);
    ck_assert_int_eq(ns_rr_class(rr), ns_c_in);
    ck_assert_int_eq(ns_parserr(&h, ns_s_an, 0, &rr), 0);
    ck_assert_uint_eq(ns_rr_ttl(rr), 60);   /* the shortest of the records it stands for */
    for (int i = 1; i <= 2; i++) {
        ck_assert_int_eq(ns_parserr(&h, ns_s_an, i, &rr), 0);
        ck_assert_str_eq(ns_rr_name(rr), STD);
        ck_assert_int_eq(ns_rr_type(rr), ns_t_a);
        ck_assert_int_eq(ns_rr_rdlen(rr), 4);
        ck_assert_int_eq(ns_rr_rdata(rr)[3], i);
    }
    ck_assert_int_eq(ns_msg_size(h), n);   /* nothing after the last record */
    /* compressed: the CNAME target shares "office365.com" with the question, the addresses
     * point at the target */
    ck_assert_int_lt(n, 12 + 27 + 4 + 2 + 10 + 20 + 2 * (2 + 10 + 4) + 1);
}
END_TEST

START_TEST(question_case_and_dots)
{
    struct msg m;
    unsigned char out[4096];
    std_answer(&m, "SMTP.Office365.COM");
    int n = tf_dns_alias_answer(m.buf, (size_t)m.len, "Smtp-Legacy.office365.com.", "smtp.office365.com.",
                                out, sizeof out);
    ck_assert_int_gt(n, 0);
    /* the program's own spelling in the question; names compare without regard to case, and
     * compression may share a suffix spelled differently */
    parse_alias(out, n, "Smtp-Legacy.office365.com", "SMTP.Office365.COM");
}
END_TEST

START_TEST(search_domain_kept)
{
    struct msg m;
    unsigned char out[4096];
    std_answer(&m, STD ".corp.example");
    int n = tf_dns_alias_answer(m.buf, (size_t)m.len, LEGACY, STD, out, sizeof out);
    ck_assert_int_gt(n, 0);
    parse_alias(out, n, LEGACY ".corp.example", STD ".corp.example");
    /* a question about another name is not ours to answer */
    std_answer(&m, "outlook.office365.com");
    ck_assert_int_eq(tf_dns_alias_answer(m.buf, (size_t)m.len, LEGACY, STD, out, sizeof out), -1);
    std_answer(&m, "smtp.office365.co");
    ck_assert_int_eq(tf_dns_alias_answer(m.buf, (size_t)m.len, LEGACY, STD, out, sizeof out), -1);
    std_answer(&m, "xsmtp.office365.com");
    ck_assert_int_eq(tf_dns_alias_answer(m.buf, (size_t)m.len, LEGACY, STD, out, sizeof out), -1);
}
END_TEST

START_TEST(every_section_and_name_type)
{
    struct msg m;
    unsigned char out[4096];
    msg_begin(&m, STD, ns_t_mx, 0x8180, 3, 2, 2);
    rr_names(&m, STD, ns_t_cname, "mail.office365.com", NULL, 0, 0);
    rr_names(&m, "mail.office365.com", ns_t_mx, "mx1.office365.com", NULL, 2, 0);
    rr_names(&m, "mail.office365.com", ns_t_srv, "mx2.office365.com", NULL, 6, 0);
    rr_names(&m, "office365.com", ns_t_soa, "ns1.office365.com", "hostmaster.office365.com", 0, 20);
    rr_names(&m, "office365.com", ns_t_ns, "ns2.office365.com", NULL, 0, 0);
    rr_a(&m, "mx1.office365.com", 30, 7);
    unsigned char *rdlen = rr_head(&m, "", ns_t_opt, 0);   /* EDNS0 OPT, copied as it is */
    ns_put16(0, rdlen);
    int n = tf_dns_alias_answer(m.buf, (size_t)m.len, LEGACY, STD, out, sizeof out);
    ck_assert_int_gt(n, 0);
    ns_msg h = parse_alias(out, n, LEGACY, STD);
    ck_assert_int_eq(ns_msg_count(h, ns_s_an), 4);
    ck_assert_int_eq(ns_msg_count(h, ns_s_ns), 2);
    ck_assert_int_eq(ns_msg_count(h, ns_s_ar), 2);
    ns_rr rr;
    ck_assert_int_eq(ns_parserr(&h, ns_s_an, 1, &rr), 0);
    ck_assert_str_eq(rdata_name(&h, &rr, 0), "mail.office365.com");
    ck_assert_int_eq(ns_parserr(&h, ns_s_an, 2, &rr), 0);
    ck_assert_str_eq(rdata_name(&h, &rr, 2), "mx1.office365.com");
    ck_assert_int_eq(ns_parserr(&h, ns_s_an, 3, &rr), 0);
    ck_assert_str_eq(rdata_name(&h, &rr, 6), "mx2.office365.com");
    ck_assert_int_eq(ns_parserr(&h, ns_s_ns, 0, &rr), 0);
    ck_assert_int_eq(ns_rr_type(rr), ns_t_soa);
    int k = dn_expand(ns_msg_base(h), ns_msg_end(h), ns_rr_rdata(rr), text, sizeof text);
    ck_assert_str_eq(text, "ns1.office365.com");
    int k2 = dn_expand(ns_msg_base(h), ns_msg_end(h), ns_rr_rdata(rr) + k, text, sizeof text);
    ck_assert_str_eq(text, "hostmaster.office365.com");
    ck_assert_int_eq(ns_rr_rdlen(rr), k + k2 + 20);
    ck_assert_int_eq(ns_rr_rdata(rr)[k + k2 + 19], 9);
    ck_assert_int_eq(ns_parserr(&h, ns_s_ar, 1, &rr), 0);
    ck_assert_int_eq(ns_rr_type(rr), ns_t_opt);
    ck_assert_int_eq(ns_msg_size(h), n);
}
END_TEST

/* Every buffer size: the result fits, parses, and is cut at a record boundary with TC. */
START_TEST(small_buffers_truncate_with_tc)
{
    struct msg m;
    unsigned char out[4096];
    std_answer(&m, STD);
    int full = tf_dns_alias_answer(m.buf, (size_t)m.len, LEGACY, STD, out, sizeof out);
    int head = 12 + 27 + 4;
    for (int cap = 0; cap <= full + 2; cap++) {
        memset(out, 0xee, sizeof out);
        int n = tf_dns_alias_answer(m.buf, (size_t)m.len, LEGACY, STD, out, (size_t)cap);
        if (cap < head) {
            ck_assert_int_eq(n, -1);
            continue;
        }
        ck_assert_int_gt(n, 0);
        ck_assert_int_le(n, cap);
        ck_assert_int_eq(out[cap < (int)sizeof out ? cap : 0] == 0xee || cap >= full, 1);
        ns_msg h = parse_alias(out, n, LEGACY, STD);
        ck_assert_int_eq(ns_msg_size(h), n);
        ck_assert_int_eq(ns_msg_getflag(h, ns_f_tc), cap < full);
        ck_assert_int_eq(ns_msg_count(h, ns_s_an) == 3, cap >= full);
    }
}
END_TEST

/* The resolver cut the answer short (a small buffer, TC set): what is whole is kept. */
START_TEST(input_cut_short)
{
    struct msg m;
    unsigned char out[4096];
    std_answer(&m, STD);
    m.buf[2] |= 0x02;   /* TC */
    int n = tf_dns_alias_answer(m.buf, (size_t)m.len - 2, LEGACY, STD, out, sizeof out);
    ck_assert_int_gt(n, 0);
    ns_msg h = parse_alias(out, n, LEGACY, STD);
    ck_assert_int_eq(ns_msg_count(h, ns_s_an), 2);
    ck_assert_int_eq(ns_msg_getflag(h, ns_f_tc), 1);
    /* the same cut without TC is a malformed answer */
    m.buf[2] &= (unsigned char)~0x02;
    ck_assert_int_eq(tf_dns_alias_answer(m.buf, (size_t)m.len - 2, LEGACY, STD, out, sizeof out), -1);
}
END_TEST

START_TEST(malformed_inputs_refused)
{
    struct msg m;
    unsigned char out[4096];
    std_answer(&m, STD);
    int q_end = 12 + 20 + 4;
    /* not a response; two questions; no question */
    m.buf[2] &= 0x7f;
    ck_assert_int_eq(tf_dns_alias_answer(m.buf, (size_t)m.len, LEGACY, STD, out, sizeof out), -1);
    std_answer(&m, STD);
    m.buf[5] = 2;
    ck_assert_int_eq(tf_dns_alias_answer(m.buf, (size_t)m.len, LEGACY, STD, out, sizeof out), -1);
    m.buf[5] = 0;
    ck_assert_int_eq(tf_dns_alias_answer(m.buf, (size_t)m.len, LEGACY, STD, out, sizeof out), -1);
    /* an owner pointer to itself (a loop), past the end, an extended label type */
    std_answer(&m, STD);
    m.buf[q_end] = 0xc0, m.buf[q_end + 1] = (unsigned char)q_end;
    ck_assert_int_eq(tf_dns_alias_answer(m.buf, (size_t)m.len, LEGACY, STD, out, sizeof out), -1);
    m.buf[q_end] = 0xc3, m.buf[q_end + 1] = 0xff;
    ck_assert_int_eq(tf_dns_alias_answer(m.buf, (size_t)m.len, LEGACY, STD, out, sizeof out), -1);
    m.buf[q_end] = 0x41;
    ck_assert_int_eq(tf_dns_alias_answer(m.buf, (size_t)m.len, LEGACY, STD, out, sizeof out), -1);
    /* rdata longer than the message; more records counted than present */
    std_answer(&m, STD);
    m.buf[q_end + 2 + 8] = 0x10;
    ck_assert_int_eq(tf_dns_alias_answer(m.buf, (size_t)m.len, LEGACY, STD, out, sizeof out), -1);
    std_answer(&m, STD);
    m.buf[7] = 3;
    ck_assert_int_eq(tf_dns_alias_answer(m.buf, (size_t)m.len, LEGACY, STD, out, sizeof out), -1);
    /* a CNAME whose rdlength does not match its name */
    msg_begin(&m, STD, ns_t_a, 0x8180, 1, 0, 0);
    rr_names(&m, STD, ns_t_cname, "x.office365.com", NULL, 0, 1);
    ck_assert_int_eq(tf_dns_alias_answer(m.buf, (size_t)m.len, LEGACY, STD, out, sizeof out), -1);
    /* every prefix of a good answer without TC: refused, never read past */
    std_answer(&m, STD);
    for (int len = 0; len < m.len; len++)
        ck_assert_int_eq(tf_dns_alias_answer(m.buf, (size_t)len, LEGACY, STD, out, sizeof out), -1);
    /* bad names to answer for */
    ck_assert_int_eq(tf_dns_alias_answer(m.buf, (size_t)m.len, "", STD, out, sizeof out), -1);
    ck_assert_int_eq(tf_dns_alias_answer(m.buf, (size_t)m.len, LEGACY, "a..b", out, sizeof out), -1);
    ck_assert_int_eq(tf_dns_alias_answer(NULL, 0, LEGACY, STD, out, sizeof out), -1);
}
END_TEST

/* A long legacy name plus a long search domain may not exceed 255 bytes. */
START_TEST(name_length_limit)
{
    struct msg m;
    unsigned char out[4096];
    char domain[260] = STD;
    size_t l = strlen(domain);
    while (l + 8 <= 250) {
        memcpy(domain + l, ".abcdefg", 8);
        l += 8;
    }
    domain[l] = '\0';
    std_answer(&m, domain);   /* fits for STD; LEGACY is 7 longer */
    ck_assert_int_eq(tf_dns_alias_answer(m.buf, (size_t)m.len, LEGACY, STD, out, sizeof out), -1);
    ck_assert_int_gt(tf_dns_alias_answer(m.buf, (size_t)m.len, "smtp-l.office365.com", STD, out, sizeof out), 0);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("dns");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, name_to_wire);
    tcase_add_test(tc, cname_then_records);
    tcase_add_test(tc, question_case_and_dots);
    tcase_add_test(tc, search_domain_kept);
    tcase_add_test(tc, every_section_and_name_type);
    tcase_add_test(tc, small_buffers_truncate_with_tc);
    tcase_add_test(tc, input_cut_short);
    tcase_add_test(tc, malformed_inputs_refused);
    tcase_add_test(tc, name_length_limit);
    suite_add_tcase(s, tc);
    return s;
}
CHECK_MAIN(make_suite)
