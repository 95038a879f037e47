"""A mail client written the way old help-desk pollers are: imaplib, poplib, smtplib with a
pinned ssl context.  Run with /usr/bin/python3 (Debian's, OpenSSL 3).

usage: pymail.py PROTO HOST PORT PIN CAFILE [CONNECT-ADDR]
  PROTO  imaps | imap-starttls | pop3s | pop3-stls | smtp-starttls
  PIN    none | max11 (create_default_context + maximum_version = TLSv1_1)
         | tlsv1 (SSLContext(ssl.PROTOCOL_TLSv1))
  CONNECT-ADDR  connect there instead of resolving HOST (SNI and verification still use HOST)
Prints TLS=<version> and what it fetched; exits non-zero on any error."""
import socket, ssl, sys, warnings

warnings.simplefilter("ignore", DeprecationWarning)
proto, host, port, pin, cafile = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
addr = sys.argv[6] if len(sys.argv) > 6 else None
USER, PASS = "poller@example.test", "s3cret"

if addr:
    real = socket.create_connection
    def create_connection(address, *a, **k):
        return real((addr, address[1]), *a, **k)
    socket.create_connection = create_connection

if pin == "none":
    ctx = ssl.create_default_context(cafile=cafile)
elif pin == "max11":
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")   # what such a program needs for its old server
elif pin == "tlsv1":
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.check_hostname = True
    ctx.load_verify_locations(cafile)
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
else:
    sys.exit("unknown pin " + pin)

if proto in ("imaps", "imap-starttls"):
    import imaplib
    if proto == "imaps":
        m = imaplib.IMAP4_SSL(host, port, ssl_context=ctx)
    else:
        m = imaplib.IMAP4(host, port)
        m.starttls(ssl_context=ctx)
    print("TLS=" + m.sock.version())
    m.login(USER, PASS)
    typ, boxes = m.list()
    print("LIST", typ, boxes)
    m.select("INBOX", readonly=True)
    typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    print("FETCH", typ, data[0][1].decode().strip())
    m.logout()
elif proto in ("pop3s", "pop3-stls"):
    import poplib
    if proto == "pop3s":
        m = poplib.POP3_SSL(host, port, context=ctx)
    else:
        m = poplib.POP3(host, port)
        m.stls(context=ctx)
    print("TLS=" + m.sock.version())
    m.user(USER)
    m.pass_(PASS)
    print("LIST", m.list()[1])
    lines = m.retr(1)[1]
    print("RETR", [l.decode() for l in lines if l.startswith(b"Subject:")][0])
    m.quit()
elif proto == "smtp-starttls":
    import smtplib
    m = smtplib.SMTP(host, port)
    m.ehlo()
    m.starttls(context=ctx)
    print("TLS=" + m.sock.version())
    m.ehlo()
    m.login(USER, PASS)
    m.sendmail(USER, ["helpdesk@example.test"],
               "From: %s\r\nTo: helpdesk@example.test\r\nSubject: pymail %s\r\n\r\nsent by pymail (marker TFMAIL-PY-%s-%s)\r\n"
               % (USER, pin, pin, host))
    print("SENT")
    m.quit()
else:
    sys.exit("unknown proto " + proto)
