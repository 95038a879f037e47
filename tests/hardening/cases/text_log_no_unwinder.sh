# shellcheck shell=bash
# hard_text_log_no_unwinder (issue 14): the readable log (stderr, the default) shows a caller's
# first frame only, and that frame is the program's handshake call itself: its record names it
# ("at SYMBOL (MODULE+0xOFF)") without loading the unwinder. The JSON log carries every frame
# and unwinds for them.
start_server
LD_DEBUG=files tf "$HPIN" client "$PORT" -n 2 --pin none >"$work/out" 2>"$work/err" ||
    fail "client: $(tail -5 "$work/err")"
grep -Eq 'tlsfloor\[[0-9]+\]: handshake .* at [^ ]+ \([^ ]*/hpin\+0x[0-9a-f]+\) \[site 1 #1\]$' "$work/err" ||
    fail "the first record does not name the program's call: $(grep 'tlsfloor\[' "$work/err")"
grep -Eq 'tlsfloor\[[0-9]+\]: handshake .* library=openssl \[site 1 #2\]$' "$work/err" ||
    fail "the second record is not the same site: $(grep 'tlsfloor\[' "$work/err")"
if grep -q 'file=libunwind' "$work/err"; then
    fail "the readable log loaded the unwinder: $(grep 'file=libunwind' "$work/err")"
fi
log=$work/log.jsonl
LD_DEBUG=files TLSFLOOR_LOG=$log tf "$HPIN" client "$PORT" -n 1 --pin none >"$work/out" 2>"$work/err" ||
    fail "client (JSON log): $(tail -5 "$work/err")"
grep -q '"frames":\[{"module":"[^"]*/hpin"' "$log" || fail "no frames in the JSON record: $(cat "$log")"
if ldconfig -p | grep -q 'libunwind\.so\.8 '; then
    grep -q 'file=libunwind\.so\.8' "$work/err" || fail "the JSON log did not unwind with libunwind"
fi
