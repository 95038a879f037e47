#!/usr/bin/python3
"""ctypesclient.py CAFILE PORT HOST: an IMAPS client that reaches OpenSSL only through
ctypes.CDLL("libssl.so.3") (dlopen + dlsym on the handle), the way Python code without the ssl
module does. TLS 1.0 only (SSL_CTX_ctrl 123/124 = 0x301), SNI through SSL_ctrl 55, the host check
through SSL_set1_host, verification against CAFILE. Exit: 0 greeting read, 2 name not resolved,
4 handshake failed, 5 no greeting."""
import ctypes
import socket
import sys

cafile, port, host = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ssl = ctypes.CDLL("libssl.so.3")
P = ctypes.c_void_p
for name, res, args in [
    ("TLS_client_method", P, []),
    ("SSL_CTX_new", P, [P]),
    ("SSL_CTX_ctrl", ctypes.c_long, [P, ctypes.c_int, ctypes.c_long, P]),
    ("SSL_CTX_load_verify_locations", ctypes.c_int, [P, ctypes.c_char_p, ctypes.c_char_p]),
    ("SSL_CTX_set_verify", None, [P, ctypes.c_int, P]),
    ("SSL_new", P, [P]),
    ("SSL_ctrl", ctypes.c_long, [P, ctypes.c_int, ctypes.c_long, P]),
    ("SSL_set1_host", ctypes.c_int, [P, ctypes.c_char_p]),
    ("SSL_set_fd", ctypes.c_int, [P, ctypes.c_int]),
    ("SSL_connect", ctypes.c_int, [P]),
    ("SSL_read", ctypes.c_int, [P, ctypes.c_char_p, ctypes.c_int]),
    ("SSL_get_version", ctypes.c_char_p, [P]),
    ("SSL_get_verify_result", ctypes.c_long, [P]),
    ("SSL_get_servername", ctypes.c_char_p, [P, ctypes.c_int]),
    ("SSL_free", None, [P]),
    ("SSL_CTX_free", None, [P]),
]:
    f = getattr(ssl, name)
    f.restype, f.argtypes = res, args

ctx = ssl.SSL_CTX_new(ssl.TLS_client_method())
ssl.SSL_CTX_ctrl(ctx, 123, 0x301, None)   # SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION)
ssl.SSL_CTX_ctrl(ctx, 124, 0x301, None)   # SSL_CTX_set_max_proto_version(ctx, TLS1_VERSION)
assert ssl.SSL_CTX_load_verify_locations(ctx, cafile.encode(), None) == 1
ssl.SSL_CTX_set_verify(ctx, 1, None)      # SSL_VERIFY_PEER
s = ssl.SSL_new(ctx)
name = ctypes.c_char_p(host.encode())
ssl.SSL_ctrl(s, 55, 0, ctypes.cast(name, P))   # SSL_set_tlsext_host_name
ssl.SSL_set1_host(s, host.encode())
try:
    sock = socket.create_connection((host, port), timeout=20)
    sock.settimeout(None)   # blocking: SSL_connect on the raw descriptor
except socket.gaierror as e:
    print("resolve failed:", e)
    sys.exit(2)
ssl.SSL_set_fd(s, sock.fileno())
if ssl.SSL_connect(s) != 1:
    print("handshake failed verify_result=%d" % ssl.SSL_get_verify_result(s))
    sys.exit(4)
sni = ssl.SSL_get_servername(s, 0)
print("handshake ok version=%s verify_result=%d sni=%s" % (
    ssl.SSL_get_version(s).decode(), ssl.SSL_get_verify_result(s), sni.decode() if sni else "(none)"))
buf = ctypes.create_string_buffer(512)
n = ssl.SSL_read(s, buf, 511)
if n <= 0:
    sys.exit(5)
print("greeting:", buf.raw[:n].decode(errors="replace"), end="")
ssl.SSL_free(s)
ssl.SSL_CTX_free(ctx)
sock.close()
