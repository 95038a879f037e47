# shellcheck shell=bash
# hardening_bind_now (sourced by run.sh, which provides the helpers)
# LD_BIND_NOW=1: no "undefined symbol" in programs with and without libssl.
start_server
log=$work/log.jsonl
export LD_BIND_NOW=1 TLSFLOOR_LOG=$log
tf /bin/true 2>"$work/err" || fail "/bin/true: $(cat "$work/err")"
out=$(tf /bin/sh -c 'echo hi; /bin/true; ls / >/dev/null' 2>>"$work/err") || fail "sh: $(cat "$work/err")"
[ "$out" = hi ] || fail "sh printed '$out'"
out=$(tf "$PYTHON3" -c 'import hashlib; print(hashlib.sha256(b"x").hexdigest()[:8])' 2>>"$work/err") \
    || fail "python3: $(cat "$work/err")"
[ "$out" = 2d711642 ] || fail "python3 printed '$out'"
tf openssl version >/dev/null 2>>"$work/err" || fail "openssl version: $(cat "$work/err")"
for pin in max11 method11 options; do
    tf "$HPIN" client "$PORT" --pin "$pin" -n 2 >/dev/null 2>>"$work/err" || fail "client --pin $pin: $(cat "$work/err")"
done
if grep -E 'undefined symbol|symbol lookup error' "$work/err"; then fail "symbol errors"; fi
checklog "$log" --expect handshake=6
