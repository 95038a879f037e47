/* The OAuth bridge's stream rewriting: a state machine per mail protocol (IMAP, POP3, SMTP)
 * fed with the bytes the program writes and the bytes the server sends. It turns the program's
 * Basic login (IMAP LOGIN, AUTHENTICATE PLAIN/LOGIN; POP3 USER+PASS, AUTH PLAIN/LOGIN; SMTP AUTH
 * PLAIN/LOGIN) into SASL XOAUTH2 with a token the caller fetches when asked, answers the
 * program's side of the exchange itself, and shows the program capabilities it can log in with.
 *
 * Pure logic, no I/O: the caller moves bytes between the queues and the connection. Every
 * buffer is bounded; input that does not fit or parse ends the bridge cleanly (the rest passes
 * through untouched). The password the program sends is parsed only to be dropped; the token is
 * kept only as the XOAUTH2 credential until the server asks for it, then in the to_server queue,
 * which tf_bridge_take_server wipes as it drains.
 *
 * A local reply to the program is always backed by a no-op command sent to the server (IMAP
 * NOOP under tlsfloor's own tag, POP3/SMTP NOOP) whose reply is swallowed and replaced: the
 * program's socket becomes readable when its answer is due, so a program that polls the socket
 * before reading is served as well as one that reads at once. */
#ifndef TF_BRIDGE_H
#define TF_BRIDGE_H

#include <stddef.h>

#include "tf_sniff.h"

#define TF_BRIDGE_LINE 2048      /* longest program line (LOGIN with its literals, a SASL line) */
#define TF_BRIDGE_SLINE 1024     /* longest server line that is looked into */
#define TF_BRIDGE_TOKEN 4096     /* longest access token */
#define TF_BRIDGE_USER 256
#define TF_BRIDGE_TO_SERVER 8192 /* the XOAUTH2 line: base64 of user and token */
#define TF_BRIDGE_TO_PROGRAM 8192
#define TF_BRIDGE_KICKS 4

enum tf_bridge_state {
    TF_BR_IDLE,        /* watching the program's commands */
    TF_BR_LITERAL,     /* IMAP LOGIN: inside a literal of the program's */
    TF_BR_SASL_PLAIN,  /* the program's PLAIN response line is due */
    TF_BR_SASL_USER,   /* LOGIN mechanism: its user name line is due */
    TF_BR_SASL_PASS,   /* LOGIN mechanism: its password line is due */
    TF_BR_POP_PASS,    /* POP3: PASS is due after USER */
    TF_BR_TOKEN,       /* waiting for tf_bridge_token */
    TF_BR_X_GO,        /* AUTH XOAUTH2 sent: the server's empty continuation is due */
    TF_BR_X_SENT,      /* credentials sent: success, failure or the error challenge is due */
    TF_BR_X_ERR,       /* error challenge answered: the final failure is due */
    TF_BR_DONE,        /* logged in or given up: everything passes through */
};

/* A server reply tlsfloor caused (a no-op behind a local reply): swallowed, text given instead. */
struct tf_bridge_kick {
    char text[96];
};

struct tf_bridge {
    enum tf_proto proto;
    enum tf_bridge_state state;
    char tag[40];                  /* IMAP: the program's tag of its login command */
    char from[8];                  /* the program's mechanism: LOGIN, USER, PLAIN */
    char user[TF_BRIDGE_USER];
    int tries;                     /* tokens sent in this login */
    int want_token;                /* the caller must call tf_bridge_token */
    int refresh;                   /* ... and the token cached before was refused */
    /* a verdict to report (cleared by the caller): 1 bridged, -1 failed with why */
    int verdict;
    const char *why;
    /* IMAP LOGIN: its words so far, and the literal being read */
    size_t literal_left;
    int nwords;
    int bad_login;                 /* a LOGIN argument did not fit: it fails at its end */
    char words[2][TF_BRIDGE_USER];
    char line[TF_BRIDGE_LINE];     /* the program's unfinished line */
    size_t nline;
    char sline[TF_BRIDGE_SLINE];   /* the server's unfinished line */
    size_t nsline;
    int in_reply;                  /* SMTP/IMAP: inside a multi-line reply that is swallowed */
    struct tf_bridge_kick kicks[TF_BRIDGE_KICKS];
    int nkicks;
    char cred[TF_BRIDGE_TO_SERVER];   /* the XOAUTH2 credential until the server asks */
    size_t ncred;
    char to_server[TF_BRIDGE_TO_SERVER];
    size_t nto_server;
    char to_program[TF_BRIDGE_TO_PROGRAM];
    size_t nto_program;
};

void tf_bridge_init(struct tf_bridge *b, enum tf_proto proto);

/* The program writes buf: what goes to the server instead lands in to_server, local replies are
 * arranged. Always takes all n bytes (the program's write succeeds in full). */
void tf_bridge_client(struct tf_bridge *b, const char *buf, size_t n);

/* The server sent buf: what the program should read instead lands in to_program. */
void tf_bridge_server(struct tf_bridge *b, const char *buf, size_t n);

/* The answer to want_token: the token (NUL-terminated) or NULL for none. */
void tf_bridge_token(struct tf_bridge *b, const char *token);

/* Moves up to cap queued bytes out (server side: wiping what moved). Returns the count. */
size_t tf_bridge_take_server(struct tf_bridge *b, char *out, size_t cap);
size_t tf_bridge_take_program(struct tf_bridge *b, char *out, size_t cap);

/* Nothing more to do: passing through with nothing queued (the caller may drop the state). */
int tf_bridge_finished(const struct tf_bridge *b);

/* Base64 (RFC 4648, padded). encode returns the length written (0 when it does not fit);
 * decode returns the length or -1 for bad input or no room. */
size_t tf_base64_encode(const unsigned char *in, size_t n, char *out, size_t cap);
long tf_base64_decode(const char *in, size_t n, unsigned char *out, size_t cap);

#endif
