/* Mail protocol recognition and the authentication mechanism a client uses, from the first
 * bytes it sends. Pure functions: no credential or user name ever leaves them unless asked. */
#ifndef TF_SNIFF_H
#define TF_SNIFF_H

#include <stddef.h>

enum tf_proto { TF_PROTO_UNKNOWN, TF_PROTO_IMAP, TF_PROTO_POP3, TF_PROTO_SMTP };

/* The protocol a mail port speaks (993/143 IMAP, 995/110 POP3, 587/465/25 SMTP). */
enum tf_proto tf_proto_by_port(int port);
const char *tf_proto_name(enum tf_proto p);

/* The table behind tf_proto_by_port and tf_port_implicit_tls (for `tlsfloor tables ports`). */
struct tf_mail_port {
    int port;
    enum tf_proto proto;
    int implicit_tls;        /* TLS from the first byte (993, 995, 465); else STARTTLS or plaintext */
};
const struct tf_mail_port *tf_mail_ports(size_t *n);
/* Whether TLS on this port starts at once (993, 995, 465) rather than by STARTTLS. */
int tf_port_implicit_tls(int port);

/* Parses "993,995,143" into ports[] (at most max); returns the count, or -1 when malformed. */
int tf_parse_ports(const char *text, int *ports, int max);

enum tf_sniff_result {
    TF_SNIFF_MORE,      /* nothing decisive yet: keep looking (within the byte budget) */
    TF_SNIFF_AUTH,      /* an authentication command: *out is filled; stop looking */
    TF_SNIFF_STARTTLS,  /* the client asks to upgrade (STARTTLS, STLS): keep looking after TLS */
};

struct tf_auth {
    enum tf_proto proto;     /* the protocol the command belongs to (UNKNOWN for a bare AUTH
                                when no port said which) */
    const char *mechanism;   /* "basic" or "oauth" (static strings) */
    char command[32];        /* "LOGIN", "AUTHENTICATE PLAIN", "USER", "AUTH XOAUTH2", ... */
    char user[64];           /* only filled when want_user and the command carries it in clear */
};

/* Looks at one chunk the client sends (a command line or several). proto may be UNKNOWN: the
 * command's own syntax then decides. Never copies a password or a SASL payload. */
enum tf_sniff_result tf_sniff_client(const char *buf, size_t len, enum tf_proto proto, int want_user,
                                     struct tf_auth *out);

#define TF_SNIFF_BUDGET 4096   /* bytes per connection after which a client is no longer watched */

#endif
