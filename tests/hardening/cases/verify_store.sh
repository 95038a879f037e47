# shellcheck shell=bash
# hardening_verify_store (issue 10, item 3): TLSFLOOR_VERIFY=require touches only the rewritten
# connection. A second connection on the same context, to an internal host the program verifies
# against its own CA, must not start trusting the system's CAs.
private_hosts
make_pki
export SSL_CERT_FILE=$work/pki/ca.pem          # the "system" store: the test CA
make_ca "$work/private"                        # the program's own CA for its internal host
issue_cert "$work/pki/ca" internal.test "$work/impostor"   # a system CA's cert for the internal name
issue_cert "$work/private" internal.test "$work/internal"   # the real internal server's
start_server_on 4434 "$work/pki/server-chain.pem" "$work/pki/server.key"
start_server_on 4435 "$work/impostor.pem" "$work/impostor.key"
start_server_on 4436 "$work/internal.pem" "$work/internal.key"
legacy=imap-legacy.office365.com
rewritten="$legacy:4434,sni=$legacy,verify=none"
impostor="127.0.0.1:4435,sni=internal.test,verify=peer,check=internal.test"
internal="127.0.0.1:4436,sni=internal.test,verify=peer,check=internal.test"
log=$work/log.jsonl
export TLSFLOOR_LOG=$log TLSFLOOR_VERIFY=require
tf "$HOSTILE" tls --ca "$work/private.pem" "$rewritten" "$impostor" >"$work/out" 2>&1 || true
grep -q 'conn 1: ok' "$work/out" || fail "the rewritten connection did not verify: $(cat "$work/out")"
grep -q 'conn 2: failed certificate verify failed' "$work/out" \
    || fail "the program's other connection accepted a certificate from a CA it never trusted: $(cat "$work/out")"
: >"$log"
tf "$HOSTILE" tls --ca "$work/private.pem" "$rewritten" "$internal" >"$work/out" 2>&1 \
    || fail "the program's own trust no longer works: $(cat "$work/out")"
checklog "$log" --expect verify_required=1 --expect handshake=2
"$TLSFLOOR_LOGTOOL" --event handshake --where detail.sni=internal.test --where detail.changes= --expect 1 "$log" \
    || fail "the internal connection's record says tlsfloor changed something: $(grep internal.test "$log")"
