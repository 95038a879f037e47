# shellcheck shell=bash
# hardening_setuid (sourced by run.sh, which provides the helpers)
# A setuid-root program, preloaded only through /etc/ld.so.preload (private to this mount
# namespace), started by nobody: TLSFLOOR_* from the environment are ignored, only
# /etc/tlsfloor.conf counts, and the floor holds.
if [ "${TLSFLOOR_SANITIZED:-0}" = 1 ]; then
    echo "SKIP: /etc/ld.so.preload with a sanitized shim would need the ASan runtime in every process"; exit 77
fi
getent passwd nobody >/dev/null || { echo "SKIP: no user nobody"; exit 77; }
start_server; baseline_fails
ng=$(id -gn nobody)
# Everything nobody must reach lives in a public folder (the checkout may be under a 0700 home).
pub=$(public_dir setuid)
install -o root -g root -m 4755 "$HPIN" "$pub/hpin-suid"
install -o root -g root -m 0755 "$HPIN" "$pub/hpin-plain"
install -o root -g root -m 0644 "$(readlink -f "$TLSFLOOR_LIB")" "$pub/libtlsfloor.so"
lib=$pub/libtlsfloor.so
private_etc
echo "log $pub/conf.jsonl" >/etc/tlsfloor.conf
printf 'mode audit\nlog %s\n' "$pub/env.jsonl" >"$pub/evil.conf"
chmod 644 "$pub/evil.conf"
# The system's log: root's file in root's folder (a setuid program refuses anything a user could
# swap); the environment's log: one that nobody could write, were it honoured.
touch "$pub/conf.jsonl" "$pub/env.jsonl"; chmod 644 "$pub/conf.jsonl"; chmod 666 "$pub/env.jsonl"
echo "$lib" >/etc/ld.so.preload
evil=(TLSFLOOR_MODE=audit TLSFLOOR_LOG="$pub/env.jsonl" TLSFLOOR_CONFIG="$pub/evil.conf" TLSFLOOR_MIN=1.3)
# Control: the same program without the setuid bit reads the environment (audit: changes
# nothing, so the pinned client fails against the TLS 1.2+ server).
if env "${evil[@]}" setpriv --reuid=nobody --regid="$ng" --clear-groups "$pub/hpin-plain" client "$PORT" --pin max11 >/dev/null 2>&1; then
    fail "control: non-setuid program with TLSFLOOR_MODE=audit connected (environment not honoured?)"
fi
grep -q '"mode":"audit"' "$pub/env.jsonl" || fail "control: no audit record in the environment's log"
: >"$pub/env.jsonl"
env "${evil[@]}" setpriv --reuid=nobody --regid="$ng" --clear-groups "$pub/hpin-suid" client "$PORT" --pin max11 \
    >"$work/out" 2>&1 || fail "setuid program failed (environment honoured?): $(cat "$work/out")"
rm -f /etc/ld.so.preload
[ ! -s "$pub/env.jsonl" ] || fail "setuid program wrote to TLSFLOOR_LOG: $(head -3 "$pub/env.jsonl")"
# TLSFLOOR_MIN=1.3 ignored too: the floor is 1.2, so the handshake may be 1.2 or 1.3 but the
# raised max is recorded in enforce mode with applied:true.
checklog "$pub/conf.jsonl" --expect handshake=1 --expect max_version_raised=1 --mode enforce --no-event config_error
