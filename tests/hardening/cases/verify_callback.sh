# shellcheck shell=bash
# hardening_verify_callback (issue 10, item 2): under TLSFLOOR_VERIFY=require a rewritten connection
# fails unless its chain verifies against the trust store and the new name, whatever verify
# callback the program installed; the record says so.
private_hosts
make_pki
# The "system" trust store is the test CA alone (SSL_CERT_FILE is what the default paths read).
export SSL_CERT_FILE=$work/pki/ca.pem
start_server                                                    # self-signed: verifies against nothing
start_server_on 4434 "$work/pki/server-chain.pem" "$work/pki/server.key"   # the test CA's, for the new name
legacy=imap-legacy.office365.com
log=$work/log.jsonl
for program in "verify=none,accept-all" "verify=peer,accept-all" "verify=none"; do
    spec="$legacy:$PORT,sni=$legacy,$program"
    # Control: without require the program's own choice stands (it connects to the impostor).
    TLSFLOOR_LOG=$log tf "$HOSTILE" tls "$spec" >"$work/out" 2>&1 \
        || fail "control ($program): keep mode did not connect: $(cat "$work/out")"
    : >"$log"
    TLSFLOOR_LOG=$log TLSFLOOR_VERIFY=require tf "$HOSTILE" tls "$spec" >"$work/out" 2>&1 \
        && fail "$program: an unverifiable certificate was accepted under require: $(cat "$work/out")"
    grep -q 'conn 1: failed certificate verify failed' "$work/out" || fail "$program: $(cat "$work/out")"
    checklog "$log" --expect verify_required=1 --expect verify_refused=1 --expect handshake_failed=1 \
        --no-event handshake
    if [ "$program" != "verify=none" ]; then
        grep -q '"program_accepted":true' "$log" || fail "$program: the record does not say the program accepted it"
    fi
    # The same program against the real certificate for the new name: it works.
    : >"$log"
    TLSFLOOR_LOG=$log TLSFLOOR_VERIFY=require tf "$HOSTILE" tls "$legacy:4434,sni=$legacy,$program" \
        >"$work/out" 2>&1 || fail "$program: the valid certificate was refused: $(cat "$work/out")"
    checklog "$log" --expect verify_required=1 --expect handshake=1 --no-event verify_refused
done
