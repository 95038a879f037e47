# shellcheck shell=bash
# hardening_fd1_closed (sourced by run.sh, which provides the helpers)
# A program started with fd 1 closed: the log file must not take fd 1, or the program's printf
# goes into the JSON log; and the file the program then opens for its own output (it takes the
# lowest free number) gets no record. The context is made first (--shared-ctx), so the log is
# opened before any socket takes a low number.
start_server; baseline_fails
log=$work/log.jsonl
TLSFLOOR_LOG=$log tf "$HPIN" client "$PORT" -n 3 --pin max11 --shared-ctx --open-file "$work/own" \
    1>&- 2>"$work/err" || fail "client failed: $(cat "$work/err")"
checklog "$log" --expect max_version_raised=1 --expect handshake=4
! grep -q 'conns=' "$log" || fail "the program's printf output went into the log"
[ "$(cat "$work/own")" = "$(head -1 "$work/own")"$'\nhpin data end' ] || fail "records in the program's own file: $(cat "$work/own")"
