#!/usr/bin/python3
"""ctypesgnutls.py CAFILE PORT HOST: an IMAPS client that reaches GnuTLS only through
ctypes.CDLL("libgnutls.so.30") (dlopen + dlsym on the handle). TLS 1.0 only (priority string
NORMAL:-VERS-ALL:+VERS-TLS1.0), SNI through gnutls_server_name_set, the certificate and host
check through gnutls_session_set_verify_cert, trust from CAFILE. Exit: 0 greeting read, 2 name
not resolved, 4 handshake failed, 5 no greeting."""
import ctypes
import socket
import sys

cafile, port, host = sys.argv[1], int(sys.argv[2]), sys.argv[3]
tls = ctypes.CDLL("libgnutls.so.30")
P = ctypes.c_void_p
I = ctypes.c_int
for name, res, args in [
    ("gnutls_global_init", I, []),
    ("gnutls_certificate_allocate_credentials", I, [ctypes.POINTER(P)]),
    ("gnutls_certificate_set_x509_trust_file", I, [P, ctypes.c_char_p, I]),
    ("gnutls_init", I, [ctypes.POINTER(P), ctypes.c_uint]),
    ("gnutls_priority_set_direct", I, [P, ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p)]),
    ("gnutls_credentials_set", I, [P, I, P]),
    ("gnutls_server_name_set", I, [P, I, ctypes.c_char_p, ctypes.c_size_t]),
    ("gnutls_session_set_verify_cert", None, [P, ctypes.c_char_p, ctypes.c_uint]),
    ("gnutls_transport_set_int2", None, [P, I, I]),
    ("gnutls_handshake", I, [P]),
    ("gnutls_strerror", ctypes.c_char_p, [I]),
    ("gnutls_protocol_get_version", I, [P]),
    ("gnutls_protocol_get_name", ctypes.c_char_p, [I]),
    ("gnutls_record_recv", ctypes.c_ssize_t, [P, ctypes.c_char_p, ctypes.c_size_t]),
    ("gnutls_deinit", None, [P]),
    ("gnutls_certificate_free_credentials", None, [P]),
]:
    f = getattr(tls, name)
    f.restype, f.argtypes = res, args

GNUTLS_CLIENT, GNUTLS_CRD_CERTIFICATE, GNUTLS_X509_FMT_PEM, GNUTLS_NAME_DNS = 2, 1, 1, 1
tls.gnutls_global_init()
cred = P()
tls.gnutls_certificate_allocate_credentials(ctypes.byref(cred))
assert tls.gnutls_certificate_set_x509_trust_file(cred, cafile.encode(), GNUTLS_X509_FMT_PEM) > 0
session = P()
tls.gnutls_init(ctypes.byref(session), GNUTLS_CLIENT)
assert tls.gnutls_priority_set_direct(session, b"NORMAL:-VERS-ALL:+VERS-TLS1.0", None) == 0
tls.gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, cred)
name = host.encode()   # kept alive: gnutls_session_set_verify_cert keeps the pointer
tls.gnutls_server_name_set(session, GNUTLS_NAME_DNS, name, len(name))
tls.gnutls_session_set_verify_cert(session, name, 0)
try:
    sock = socket.create_connection((host, port), timeout=20)
    sock.settimeout(None)
except socket.gaierror as e:
    print("resolve failed:", e)
    sys.exit(2)
tls.gnutls_transport_set_int2(session, sock.fileno(), sock.fileno())
while True:
    r = tls.gnutls_handshake(session)
    if r >= 0 or r not in (-28, -52):   # GNUTLS_E_AGAIN, GNUTLS_E_INTERRUPTED
        break
if r < 0:
    print("handshake failed: %s" % tls.gnutls_strerror(r).decode())
    sys.exit(4)
print("handshake ok version=%s" % tls.gnutls_protocol_get_name(tls.gnutls_protocol_get_version(session)).decode())
buf = ctypes.create_string_buffer(512)
n = tls.gnutls_record_recv(session, buf, 511)
if n <= 0:
    sys.exit(5)
print("greeting:", buf.raw[:n].decode(errors="replace"), end="")
tls.gnutls_deinit(session)
tls.gnutls_certificate_free_credentials(cred)
sock.close()
