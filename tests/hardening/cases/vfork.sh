# shellcheck shell=bash
# hardening_vfork (sourced by run.sh, which provides the helpers)
start_server; baseline_fails options
log=$work/log.jsonl
TLSFLOOR_LOG=$log tf "$HPIN" client "$PORT" --vfork --pin options || fail "client failed"
checklog "$log" --expect option_cleared=2 --expect handshake=2 --pids 2
