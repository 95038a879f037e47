#!/usr/bin/python3
"""Tiny SMTP sink for the mail scenarios: accepts every message Dovecot's submission service
relays to it and appends it to a file (one 'MESSAGE' header line, then the data, then a line
'.END').  usage: sink.py ADDR PORT OUTFILE.  Plain text only (Dovecot relays without TLS)."""
import socket, sys, threading

addr, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lock = threading.Lock()


def handle(conn):
    f = conn.makefile("rb")
    def send(line):
        conn.sendall(line.encode() + b"\r\n")
    send("220 sink.test ESMTP")
    mail_from, rcpts = None, []
    try:
        while True:
            line = f.readline()
            if not line:
                return
            cmd = line.decode("latin-1").rstrip("\r\n")
            verb = cmd.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                send("250-sink.test")
                send("250-8BITMIME")
                send("250 PIPELINING")
            elif verb == "MAIL":
                mail_from, rcpts = cmd[5:].strip(), []
                send("250 ok")
            elif verb == "RCPT":
                rcpts.append(cmd[5:].strip())
                send("250 ok")
            elif verb == "DATA":
                send("354 go ahead")
                data = []
                while True:
                    d = f.readline()
                    if not d or d in (b".\r\n", b".\n"):
                        break
                    data.append(d.decode("latin-1"))
                with lock, open(out, "a") as o:
                    o.write("MESSAGE from=%s to=%s\n" % (mail_from, ",".join(rcpts)))
                    o.write("".join(data).replace("\r\n", "\n"))
                    o.write(".END\n")
                send("250 queued")
            elif verb == "RSET":
                mail_from, rcpts = None, []
                send("250 ok")
            elif verb == "NOOP":
                send("250 ok")
            elif verb == "QUIT":
                send("221 bye")
                return
            else:
                send("502 not implemented")
    except OSError:
        pass
    finally:
        conn.close()


s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(16)
while True:
    c, _ = s.accept()
    threading.Thread(target=handle, args=(c,), daemon=True).start()
