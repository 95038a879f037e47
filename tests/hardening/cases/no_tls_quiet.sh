# shellcheck shell=bash
# hardening_no_tls_quiet (issue 10, item 20): a program that makes no TLS connection prints nothing
# new on its stderr. Plaintext SMTP to port 25 is ordinary relaying: not reported at all;
# plaintext to another mail port is reported to a log file, never to stderr.
for p in 25 143; do
    "$HPIN" plainserver "$p" "$work/plain.$p" &
    server_pid="$server_pid $!"
    for _ in $(seq 100); do [ -e "$work/plain.$p" ] && break; sleep 0.05; done
done
for p in 25 143; do
    tf "$HOSTILE" plain "$p" >"$work/out.$p" 2>"$work/err.$p" || fail "port $p: $(cat "$work/out.$p")"
    [ ! -s "$work/err.$p" ] || fail "port $p: stderr got: $(cat "$work/err.$p")"
done
log=$work/log.jsonl
TLSFLOOR_LOG=$log tf "$HOSTILE" plain 143 >/dev/null || fail "143 with a log file"
TLSFLOOR_LOG=$log tf "$HOSTILE" plain 25 >/dev/null || fail "25 with a log file"
checklog "$log" --expect uncovered_connection=1
grep -q '"port":143' "$log" || fail "the plaintext IMAP connection was not reported: $(cat "$log")"
