# shellcheck shell=bash
# hardening_exec (sourced by run.sh, which provides the helpers)
# One connection, then exec: the new image initialises tlsfloor afresh (same pid).
start_server; baseline_fails
log=$work/log.jsonl
TLSFLOOR_LOG=$log tf "$HPIN" client "$PORT" --exec --pin method11 || fail "client failed"
checklog "$log" --expect method_pinned=2 --expect handshake=2 --pids 1
