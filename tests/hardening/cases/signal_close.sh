# shellcheck shell=bash
# hardening_signal_close (issue 10, item 8): close() is async-signal-safe, so programs call it from
# signal handlers. An uncovered mail connection closed in a SIGALRM handler, while the main
# thread is inside libssl writing handshake records, must neither deadlock nor lose its record
# (close() only marks it; the record is written later).
start_server
log=$work/log.jsonl
TLSFLOOR_MAIL_PORTS=$PORT TLSFLOOR_LOG=$log timeout 90 env LD_PRELOAD="$PRE" \
    "$HOSTILE" signal-close "$PORT" 200 >"$work/out" 2>&1 || fail "status $? (deadlock?): $(cat "$work/out")"
checklog "$log" --expect uncovered_connection=200 --min-event handshake=1
