# shellcheck shell=bash
# hardening_fd2_socket (sourced by run.sh, which provides the helpers)
start_server; baseline_fails
TLSFLOOR_LOG=stderr tf "$HPIN" client "$PORT" --fd2-socket -n 3 --pin max11 >"$work/out" \
    || fail "client failed (status $?): $(cat "$work/out")"
grep -q 'lowest=0x30[34]' "$work/out" || fail "floor did not hold: $(cat "$work/out")"
