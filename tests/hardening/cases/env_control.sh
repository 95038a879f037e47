# shellcheck shell=bash
# hardening_env_control (sourced by run.sh, which provides the helpers)
start_server; baseline_fails
log=$work/log.jsonl
TLSFLOOR_LOG=$log TLSFLOOR_MODE=$'audit\n{"event":"injected"}' TLSFLOOR_MIN=$'1.0\e[2J' \
TLSFLOOR_REWRITE=$'a\x01b=c,\x7f=\n' TLSFLOOR_VERIFY=$'\t\x1b' TLSFLOOR_REWRITE_DEFAULTS=$'1\r\n' \
    tf "$HPIN" client "$PORT" --pin max11 || fail "client failed (the floor did not hold?)"
checklog "$log" --expect handshake=1 --min-event config_error=6 --mode enforce --no-event injected
# The readable stderr form: one line per record, no raw control characters.
TLSFLOOR_LOG=stderr TLSFLOOR_MODE=$'audit\n{"event":"injected"}\e[2J' \
    tf "$HPIN" client "$PORT" --pin max11 >/dev/null 2>"$work/err" || fail "client failed (stderr log)"
"$PYTHON3" - "$work/err" <<'PY' || fail "stderr log: $(cat -v "$work/err")"
import sys
data = open(sys.argv[1], "rb").read()
lines = data.split(b"\n")
assert lines[-1] == b"", "no final newline"
for l in lines[:-1]:
    assert l.startswith(b"tlsfloor["), "line not from tlsfloor (injected?): %r" % l
    assert not any(c < 0x20 or c == 0x7f for c in l), "raw control character: %r" % l
assert any(b"config_error" in l for l in lines), "no config_error"
PY
