#!/usr/bin/python3
"""A tiny TLS 1.2+ server for the rewrite tests: IMAP or POP3 greeting and just enough replies for
curl and imaplib, and a JSON line per connection (the SNI it received, version, outcome).

  tlsserver.py --port P --cert F --key F --log FILE --ready FILE [--proto imap|pop3]
               [--require-sni NAME[,NAME...]]

--require-sni: a client that sends an SNI not in the list gets a fatal unrecognized_name alert
(a client sending none is served). Runs until killed."""
import argparse
import json
import os
import socket
import ssl
import threading


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--ready", required=True)
    ap.add_argument("--proto", default="imap", choices=["imap", "pop3"])
    ap.add_argument("--require-sni", default="")
    ap.add_argument("--tls12-only", action="store_true", help="TLS 1.2 and nothing else (no 1.3)")
    a = ap.parse_args()
    allowed = [n.lower() for n in a.require_sni.split(",") if n]
    lock = threading.Lock()

    def log(rec):
        with lock, open(a.log, "a") as f:
            f.write(json.dumps(rec, sort_keys=True) + "\n")

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if a.tls12_only:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(a.cert, a.key)
    seen = threading.local()

    def on_sni(sslobj, name, _ctx):
        seen.sni = name
        if allowed and name is not None and name.lower() not in allowed:
            return ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
        return None

    ctx.sni_callback = on_sni

    def serve(conn):
        seen.sni = None
        try:
            tls = ctx.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as e:
            log({"ok": False, "sni": seen.sni, "error": str(e)})
            conn.close()
            return
        log({"ok": True, "sni": seen.sni, "version": tls.version()})
        try:
            f = tls.makefile("rwb", buffering=0)
            if a.proto == "imap":
                tls.sendall(b"* OK [CAPABILITY IMAP4rev1] tlsfloor test ready\r\n")
            else:
                tls.sendall(b"+OK tlsfloor test ready\r\n")
            while True:
                line = f.readline()
                if not line:
                    break
                words = line.decode("ascii", "replace").split()
                if a.proto == "imap":
                    if len(words) < 2:
                        tls.sendall(b"* BAD\r\n")
                        continue
                    tag, cmd = words[0].encode(), words[1].upper()
                    if cmd == "CAPABILITY":
                        tls.sendall(b"* CAPABILITY IMAP4rev1\r\n" + tag + b" OK done\r\n")
                    elif cmd == "LIST":
                        tls.sendall(b'* LIST () "/" INBOX\r\n' + tag + b" OK done\r\n")
                    elif cmd == "LOGOUT":
                        tls.sendall(b"* BYE\r\n" + tag + b" OK done\r\n")
                        break
                    else:
                        tls.sendall(tag + b" OK done\r\n")
                else:
                    cmd = words[0].upper() if words else ""
                    if cmd == "LIST":
                        tls.sendall(b"+OK 1 messages\r\n1 4242\r\n.\r\n")
                    elif cmd in ("CAPA", "UIDL"):
                        tls.sendall(b"+OK\r\n.\r\n")
                    elif cmd == "QUIT":
                        tls.sendall(b"+OK bye\r\n")
                        break
                    else:
                        tls.sendall(b"+OK\r\n")
        except (ssl.SSLError, OSError):
            pass
        finally:
            try:
                tls.close()
            except OSError:
                pass

    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", a.port))
    srv.listen(16)
    tmp = a.ready + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(os.getpid()) + "\n")
    os.rename(tmp, a.ready)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
