# shellcheck shell=bash
# hardening_fork (sourced by run.sh, which provides the helpers)
# One connection, fork (OpenSSL and tlsfloor initialised), both sides connect.
start_server; baseline_fails
log=$work/log.jsonl
TLSFLOOR_LOG=$log tf "$HPIN" client "$PORT" --fork -t 2 -n 3 --pin max11 || fail "client failed"
checklog "$log" --expect max_version_raised=13 --expect handshake=13 --pids 2 --sites
