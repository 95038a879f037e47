"""A scripted IMAP (993, TLS) and plain (143) responder: just enough for clients to reach their
authentication command. Test-only; loopback."""
import socket, ssl, sys, threading

def serve_imap(conn):
    f = conn.makefile("rwb", buffering=0)
    f.write(b"* OK fake IMAP ready\r\n")
    while True:
        line = f.readline()
        if not line:
            return
        parts = line.decode("latin-1").strip().split(" ")
        tag, cmd = parts[0], (parts[1].upper() if len(parts) > 1 else "")
        if cmd == "CAPABILITY":
            f.write(b"* CAPABILITY IMAP4rev1\r\n" + tag.encode() + b" OK completed\r\n")
        elif cmd == "AUTHENTICATE" and len(parts) < 4:
            f.write(b"+ \r\n")
            f.readline()
            f.write(tag.encode() + b" OK authenticated\r\n")
        elif cmd == "LOGOUT":
            f.write(b"* BYE\r\n" + tag.encode() + b" OK completed\r\n")
            return
        else:
            f.write(tag.encode() + b" OK done\r\n")

def loop(sock, wrap):
    while True:
        conn, _ = sock.accept()
        def run(c=conn):
            try:
                serve_imap(wrap(c) if wrap else c)
            except Exception:
                pass
            finally:
                c.close()
        threading.Thread(target=run, daemon=True).start()

cert, key = sys.argv[1], sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_2
ctx.load_cert_chain(cert, key)
tls = socket.create_server(("127.0.0.1", 993))
plain = socket.create_server(("127.0.0.1", 143))
threading.Thread(target=loop, args=(plain, None), daemon=True).start()
print("ready", flush=True)
loop(tls, lambda c: ctx.wrap_socket(c, server_side=True))
