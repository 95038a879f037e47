#!/usr/bin/env bash
# coverage.sh — authentication posture (auth records: basic vs oauth, never a
# credential) and mail connections no OpenSSL handshake covered (uncovered_connection).
# Runs inside netns-run: a scripted IMAP server on 127.0.0.1:993 (TLS) and :143 (plain).
. "$(dirname "$0")/lib.sh"

/usr/bin/python3 "$src/tests/shim/fake_mail.py" "$work/pki/server.pem" "$work/pki/server.key" >"$work/server.out" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q ready "$work/server.out" 2>/dev/null && break; sleep 0.05; done

# curl, IMAPS with a password: basic, no user name or password in the log by default.
log=$work/curl.jsonl
TLSFLOOR_LOG=$log LD_PRELOAD=$lib curl -sS --cacert "$work/pki/ca.pem" \
    'imaps://alice:S3cretPw@outlook.office365.com:993/' >/dev/null || fail "curl imaps"
grep -q 'S3cretPw' "$log" && fail "a password reached the log"
grep -q 'alice' "$log" && fail "a user name reached the log without TLSFLOOR_LOG_USER"
logq "$log" --event auth --expect 1
logq "$log" --event auth --where detail.protocol=IMAP --where detail.mechanism=basic --where detail.command=LOGIN \
    --where detail.sni=outlook.office365.com --where detail.user=null --where 'frame.module~libcurl\.so\.4$' --expect 1
logq "$log" --event handshake --where detail.protocol=IMAP --where detail.port=993 --expect-min 1
logq "$log" --event uncovered_connection --none   # curl used OpenSSL: covered

# With TLSFLOOR_LOG_USER=1 the user name (never the password) is recorded.
log=$work/curl-user.jsonl
TLSFLOOR_LOG_USER=1 TLSFLOOR_LOG=$log LD_PRELOAD=$lib curl -sS --cacert "$work/pki/ca.pem" \
    'imaps://alice:S3cretPw@outlook.office365.com:993/' >/dev/null || fail "curl imaps (user)"
grep -q 'S3cretPw' "$log" && fail "a password reached the log"
logq "$log" --event auth --where detail.user=alice --expect 1

# python3 imaplib with XOAUTH2: oauth, and the token never logged.
log=$work/py.jsonl
TLSFLOOR_LOG=$log LD_PRELOAD=$lib /usr/bin/python3 - "$work/pki/ca.pem" <<'PY' || fail "python xoauth2"
import imaplib, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
m = imaplib.IMAP4_SSL("outlook.office365.com", 993, ssl_context=ctx)
m.authenticate("XOAUTH2", lambda _: b"user=bob\x01auth=Bearer TOKEN123\x01\x01")
m.logout()
PY
grep -q 'TOKEN123' "$log" && fail "a token reached the log"
logq "$log" --event auth --expect 1
logq "$log" --event auth --where detail.mechanism=oauth --where 'detail.command=AUTHENTICATE XOAUTH2' --expect 1

# A plaintext IMAP session that never upgrades: uncovered, said to be plaintext.
log=$work/plain.jsonl
TLSFLOOR_LOG=$log LD_PRELOAD=$lib /usr/bin/python3 - <<'PY' || fail "plain client"
import socket
s = socket.create_connection(("127.0.0.1", 143))
f = s.makefile("rwb", buffering=0)
f.readline(); f.write(b"a1 LOGOUT\r\n"); f.readline(); f.readline()
s.close()
PY
logq "$log" --event uncovered_connection --expect 1
logq "$log" --event uncovered_connection --where detail.port=143 --where detail.protocol=IMAP \
    --where 'detail.verdict~^plaintext' --where detail.stack=unknown --where 'frame.module~.' --expect 1
logq "$log" --event uncovered_connection --where 'frame.module~libtlsfloor' --none

# GnuTLS speaking TLS on 993: covered by the GnuTLS hooks (issue 12), a handshake record from
# gnutls and no uncovered_connection.
if command -v gnutls-cli >/dev/null; then
    log=$work/gnutls.jsonl
    echo 'a1 LOGOUT' | TLSFLOOR_LOG=$log LD_PRELOAD=$lib timeout 10 gnutls-cli --x509cafile "$work/pki/ca.pem" \
        -p 993 outlook.office365.com >/dev/null 2>&1 || true
    logq "$log" --event uncovered_connection --none
    logq "$log" --event handshake --expect 1
    logq "$log" --event handshake --where detail.port=993 --where detail.library=gnutls --where detail.protocol=IMAP --expect 1
else
    fail "gnutls-cli missing (package gnutls-bin)"
fi

# A program that never connects to a mail port: no record at all.
log=$work/none.jsonl
TLSFLOOR_LOG=$log LD_PRELOAD=$lib /usr/bin/python3 -c 'import socket; s=socket.socket(); s.connect_ex(("127.0.0.1", 9)); s.close()'
[ ! -s "$log" ] || { cat "$log"; fail "records for a non-mail connection"; }
echo PASS
