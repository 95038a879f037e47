#!/usr/bin/python3
"""One login to the test server (tests/auth/lib.sh) with python3's imaplib, poplib or smtplib.

usage: sasl.py PROTO METHOD USER   (the password or token in $SASL_SECRET, never on the command line)
  PROTO   imaps (993) | imap (143, STARTTLS) | pop3s (995) | pop3 (110, STLS) | smtp (587, STARTTLS)
          | imap-clear (143) | pop3-clear (110): no TLS at all (the server must refuse a password)
  METHOD  xoauth2  SASL XOAUTH2 with SECRET as the bearer token
          login    the program's ordinary password login: IMAP LOGIN, POP3 USER/PASS,
                   SMTP AUTH (smtplib's login(): PLAIN or LOGIN)
          plain    SASL PLAIN with SECRET as the password
Connects to outlook.office365.com (smtp.office365.com for smtp), or $SASL_HOST, verifying the
server against $SASL_CA.  With SASL_SEND=ADDR (smtp) it then sends a message to ADDR.
Exit status: 0 logged in, 1 the server refused the login (message on stderr), 2 anything else."""
import base64, imaplib, os, poplib, smtplib, ssl, sys

PORTS = {"imaps": 993, "imap": 143, "pop3s": 995, "pop3": 110, "smtp": 587}


def xoauth2(user, token):
    return "user=%s\x01auth=Bearer %s\x01\x01" % (user, token)


def imap_login(proto, method, host, ctx, user, secret):
    if proto == "imaps":
        m = imaplib.IMAP4_SSL(host, 993, ssl_context=ctx, timeout=30)
    else:
        m = imaplib.IMAP4(host, 143, timeout=30)
        if proto != "imap-clear":
            m.starttls(ssl_context=ctx)
    try:
        if method == "xoauth2":
            # After a refusal the server sends a JSON challenge; the answer is an empty line.
            sent = []
            def answer(_):
                if sent:
                    return b""
                sent.append(1)
                return xoauth2(user, secret).encode()
            m.authenticate("XOAUTH2", answer)
        elif method == "plain":
            m.authenticate("PLAIN", lambda _: ("\0%s\0%s" % (user, secret)).encode())
        else:
            m.login(user, secret)
    except imaplib.IMAP4.error as e:
        raise Refused(str(e))
    typ, data = m.select("INBOX")
    print("IMAP logged in, INBOX has %s messages" % data[0].decode())
    m.logout()


def pop_login(proto, method, host, ctx, user, secret):
    if proto == "pop3s":
        p = poplib.POP3_SSL(host, 995, context=ctx, timeout=30)
    else:
        p = poplib.POP3(host, 110, timeout=30)
        if proto != "pop3-clear":
            p.stls(context=ctx)
    try:
        if method == "xoauth2":
            line = base64.b64encode(xoauth2(user, secret).encode()).decode()
            resp = p._shortcmd("AUTH XOAUTH2 " + line)
            if not resp.startswith(b"+OK"):
                # "+ <JSON error>": the refusal comes after an empty answer.
                p._putcmd("")
                p._getresp()
        elif method == "plain":
            line = base64.b64encode(("\0%s\0%s" % (user, secret)).encode()).decode()
            p._shortcmd("AUTH PLAIN " + line)
        else:
            p.user(user)
            p.pass_(secret)
    except poplib.error_proto as e:
        raise Refused(str(e))
    count, size = p.stat()
    print("POP3 logged in, %d messages" % count)
    p.quit()


def smtp_login(method, host, ctx, user, secret):
    s = smtplib.SMTP(host, 587, timeout=30)
    s.ehlo()
    s.starttls(context=ctx)
    s.ehlo()
    try:
        if method == "xoauth2":
            sent = []
            def answer(challenge=None):
                if sent:
                    return ""
                sent.append(1)
                return xoauth2(user, secret)
            s.auth("XOAUTH2", answer, initial_response_ok=True)
        elif method == "plain":
            s.auth("PLAIN", lambda challenge=None: "\0%s\0%s" % (user, secret))
        else:
            s.login(user, secret)
    except smtplib.SMTPAuthenticationError as e:
        raise Refused("%d %s" % (e.smtp_code, e.smtp_error.decode(errors="replace")))
    print("SMTP logged in")
    to = os.environ.get("SASL_SEND")
    if to:
        msg = ("From: %s\r\nTo: %s\r\nSubject: tlsfloor oauth test\r\n\r\n"
               "marker TFAUTH-SMTP-PY\r\n" % (user, to))
        s.sendmail(user, [to], msg)
        print("SMTP message sent")
    s.quit()


class Refused(Exception):
    pass


def main():
    proto, method, user = sys.argv[1:4]
    secret = os.environ.get("SASL_SECRET", "")
    host = os.environ.get("SASL_HOST") or (
        "smtp.office365.com" if proto == "smtp" else "outlook.office365.com")
    ctx = ssl.create_default_context(cafile=os.environ["SASL_CA"])
    try:
        if proto.startswith("imap"):
            imap_login(proto, method, host, ctx, user, secret)
        elif proto.startswith("pop3"):
            pop_login(proto, method, host, ctx, user, secret)
        else:
            smtp_login(method, host, ctx, user, secret)
    except Refused as e:
        print("REFUSED: %s" % e, file=sys.stderr)
        return 1
    except Exception as e:  # connection, TLS, protocol: not an authentication answer
        print("ERROR: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
