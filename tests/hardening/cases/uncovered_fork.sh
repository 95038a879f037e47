# shellcheck shell=bash
# hardening_uncovered_fork (issue 10, item 18): an uncovered connection is reported once, by the
# process that made it, not again by every forked child that exit()s.
"$HPIN" plainserver 4110 "$work/plain.ready" &
server_pid="$server_pid $!"
for _ in $(seq 100); do [ -e "$work/plain.ready" ] && break; sleep 0.05; done
log=$work/log.jsonl
TLSFLOOR_MAIL_PORTS=4110 TLSFLOOR_LOG=$log tf "$HOSTILE" uncovered-fork 4110 4 >"$work/out" 2>&1 \
    || fail "$(cat "$work/out")"
checklog "$log" --expect uncovered_connection=1 --pids 1
