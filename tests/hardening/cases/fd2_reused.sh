# shellcheck shell=bash
# hardening_fd2_reused (sourced by run.sh, which provides the helpers)
# A daemon started with fd 2 closed opens its own data file, which lands on fd 2: no stderr
# record may go into it (what fd 2 is was noted when the library was loaded: closed).
start_server; baseline_fails
TLSFLOOR_LOG=stderr tf "$HPIN" client "$PORT" -n 3 --pin max11 --open-file "$work/data" \
    >"$work/out" 2>&- || fail "client failed: $(cat "$work/out")"
grep -q 'lowest=0x30[34]' "$work/out" || fail "floor did not hold: $(cat "$work/out")"
[ "$(head -1 "$work/data")" = "hpin data fd=2" ] || fail "setup: the data file is not on fd 2: $(cat "$work/data")"
[ "$(cat "$work/data")" = $'hpin data fd=2\nhpin data end' ] || fail "records in the program's data file: $(cat "$work/data")"
