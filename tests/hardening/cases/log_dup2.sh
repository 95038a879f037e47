# shellcheck shell=bash
# hardening_log_dup2 (sourced by run.sh, which provides the helpers)
# The program dup2()s its own file over tlsfloor's log descriptor: no record goes into the
# program's file (the descriptor is checked before each record, and the log is reopened at a new
# number), and the descriptor was 10 or above in the first place, away from the numbers a
# program uses by convention. (A dup2 between that check and the write() itself still lands a
# record there: see README, "What it costs, and how it is hardened".)
start_server; baseline_fails
log=$work/log.jsonl
printf 'program data\n' >"$work/data"
TLSFLOOR_LOG=$log tf "$HPIN" client "$PORT" -n 3 --pin max11 --dup2-over-log "$work/data" \
    >"$work/out" 2>"$work/err" || fail "client failed: $(cat "$work/err")"
n=$(sed -n 's/^log fd //p' "$work/out")
[ -n "$n" ] || fail "setup: hpin found no log descriptor: $(cat "$work/out" "$work/err")"
[ "$n" -ge 10 ] || fail "the log descriptor was $n, among the low numbers programs use"
[ "$(cat "$work/data")" = "program data" ] || fail "records went into the program's file: $(cat "$work/data")"
checklog "$log" --expect max_version_raised=4 --expect handshake=4
