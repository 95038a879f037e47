/* resquery FUNCTION NAME [DOMAIN] [ANSLEN]: one DNS query through the named resolver function
 * (res_query, res_search, res_querydomain, res_nquery, res_nsearch, res_nquerydomain, or the
 * __res_* name an old binary binds to), type A. Prints the return value, then the answer as the
 * C library's own parser reads it:
 *   rc=N
 *   tc=0|1 qd=NAME an=COUNT
 *   an TYPE OWNER RDATA          (one line per answer record; RDATA: address or name)
 * Exit 0 when the query succeeded, 1 when it failed, 2 on a usage error. */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a binary built before glibc 2.34 calls (<resolv.h> #defined res_query as __res_query). */
#if defined(__x86_64__)
#define OLD "GLIBC_2.2.5"
#else
#define OLD "GLIBC_2.2"
#endif
#define BIND_OLD(name) __asm__(".symver old" #name ",_" #name "@" OLD);
BIND_OLD(_res_query)
BIND_OLD(_res_search)
BIND_OLD(_res_querydomain)
BIND_OLD(_res_nquery)
BIND_OLD(_res_nsearch)
BIND_OLD(_res_nquerydomain)
extern int old_res_query(const char *, int, int, unsigned char *, int);
extern int old_res_search(const char *, int, int, unsigned char *, int);
extern int old_res_querydomain(const char *, const char *, int, int, unsigned char *, int);
extern int old_res_nquery(res_state, const char *, int, int, unsigned char *, int);
extern int old_res_nsearch(res_state, const char *, int, int, unsigned char *, int);
extern int old_res_nquerydomain(res_state, const char *, const char *, int, int, unsigned char *, int);

static void print_answer(const unsigned char *buf, int len)
{
    ns_msg h;
    ns_rr rr;
    char text[NS_MAXDNAME];
    if (ns_initparse(buf, len, &h) != 0) {
        printf("unparsable\n");
        return;
    }
    const char *qd = "-";
    if (ns_msg_count(h, ns_s_qd) == 1 && ns_parserr(&h, ns_s_qd, 0, &rr) == 0)
        qd = ns_rr_name(rr);
    printf("tc=%d qd=%s an=%d\n", ns_msg_getflag(h, ns_f_tc), qd, ns_msg_count(h, ns_s_an));
    for (int i = 0; i < ns_msg_count(h, ns_s_an); i++) {
        if (ns_parserr(&h, ns_s_an, i, &rr) != 0) {
            printf("an unparsable\n");
            continue;
        }
        if (ns_rr_type(rr) == ns_t_a && ns_rr_rdlen(rr) == 4)
            inet_ntop(AF_INET, ns_rr_rdata(rr), text, sizeof text);
        else if (dn_expand(ns_msg_base(h), ns_msg_end(h), ns_rr_rdata(rr), text, sizeof text) < 0)
            strcpy(text, "?");
        printf("an %s %s %s\n", ns_rr_type(rr) == ns_t_cname ? "CNAME" : ns_rr_type(rr) == ns_t_a ? "A" : "other",
               ns_rr_name(rr), text);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    const char *fn = argv[1], *name = argv[2], *domain = argc > 3 && argv[3][0] ? argv[3] : NULL;
    int anslen = argc > 4 ? atoi(argv[4]) : NS_PACKETSZ;
    unsigned char *buf = calloc(1, (size_t)anslen + 64);
    struct __res_state st;
    memset(&st, 0, sizeof st);
    if (buf == NULL || res_ninit(&st) != 0 || res_init() != 0)
        return 2;
    memset(buf + anslen, 0xa5, 64);
    int rc;
    if (!strcmp(fn, "res_query")) rc = res_query(name, ns_c_in, ns_t_a, buf, anslen);
    else if (!strcmp(fn, "res_search")) rc = res_search(name, ns_c_in, ns_t_a, buf, anslen);
    else if (!strcmp(fn, "res_querydomain")) rc = res_querydomain(name, domain, ns_c_in, ns_t_a, buf, anslen);
    else if (!strcmp(fn, "res_nquery")) rc = res_nquery(&st, name, ns_c_in, ns_t_a, buf, anslen);
    else if (!strcmp(fn, "res_nsearch")) rc = res_nsearch(&st, name, ns_c_in, ns_t_a, buf, anslen);
    else if (!strcmp(fn, "res_nquerydomain")) rc = res_nquerydomain(&st, name, domain, ns_c_in, ns_t_a, buf, anslen);
    else if (!strcmp(fn, "__res_query")) rc = old_res_query(name, ns_c_in, ns_t_a, buf, anslen);
    else if (!strcmp(fn, "__res_search")) rc = old_res_search(name, ns_c_in, ns_t_a, buf, anslen);
    else if (!strcmp(fn, "__res_querydomain")) rc = old_res_querydomain(name, domain, ns_c_in, ns_t_a, buf, anslen);
    else if (!strcmp(fn, "__res_nquery")) rc = old_res_nquery(&st, name, ns_c_in, ns_t_a, buf, anslen);
    else if (!strcmp(fn, "__res_nsearch")) rc = old_res_nsearch(&st, name, ns_c_in, ns_t_a, buf, anslen);
    else if (!strcmp(fn, "__res_nquerydomain")) rc = old_res_nquerydomain(&st, name, domain, ns_c_in, ns_t_a, buf, anslen);
    else return 2;
    for (int i = 0; i < 64; i++)
        if (buf[anslen + i] != 0xa5) {
            printf("rc=%d wrote past the buffer\n", rc);
            return 1;
        }
    printf("rc=%d%s\n", rc, rc > anslen ? " longer-than-buffer" : "");
    if (rc < 0) {
        printf("h_errno=%d\n", strstr(fn, "res_n") ? st.res_h_errno : h_errno);
        return 1;
    }
    print_answer(buf, rc < anslen ? rc : anslen);
    return 0;
}
