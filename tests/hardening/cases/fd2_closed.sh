# shellcheck shell=bash
# hardening_fd2_closed (sourced by run.sh, which provides the helpers)
# fd 2 closed: the client's socket becomes fd 2. A "stderr" record written there would land
# in the TLS stream and break the handshake.
start_server; baseline_fails
TLSFLOOR_LOG=stderr tf "$HPIN" client "$PORT" --close-fd2 -n 5 --pin max11 >"$work/out" \
    || fail "client failed: $(cat "$work/out")"
grep -q 'lowest=0x30[34]' "$work/out" || fail "floor did not hold: $(cat "$work/out")"
