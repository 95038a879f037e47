# shellcheck shell=bash
# hardening_config_unreadable (issue 10, item 21): a system config only root can read is normal for
# everyone else: no config_error in every program's stderr; said once, in a log file when one
# is set; the floor holds with the defaults.
if [ "${TLSFLOOR_SANITIZED:-0}" = 1 ]; then
    echo "SKIP: runs the shim as nobody from a public copy (no ASan runtime there)"; exit 77
fi
getent passwd nobody >/dev/null || { echo "SKIP: no user nobody"; exit 77; }
start_server; baseline_fails
pub=$(public_dir unreadable)
install -m 0755 "$HPIN" "$pub/hpin"
install -m 0644 "$(readlink -f "$TLSFLOOR_LIB")" "$pub/libtlsfloor.so"
mkdir -p "$work/etc-upper" "$work/etc-work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$work/etc-upper,workdir=$work/etc-work" /etc 2>/dev/null \
    || { echo "SKIP: no overlayfs for a private /etc"; exit 77; }
printf 'mode audit\n' >/etc/tlsfloor.conf
chmod 0600 /etc/tlsfloor.conf
as_nobody env LD_PRELOAD="$pub/libtlsfloor.so" "$pub/hpin" client "$PORT" --pin max11 >"$work/out" 2>"$work/err" \
    || fail "the floor did not hold for nobody: $(cat "$work/out" "$work/err")"
grep -q config_error "$work/err" && fail "config_error on the program's stderr: $(cat "$work/err")"
grep -q max_version_raised "$work/err" || fail "the stderr log lost the real records: $(cat "$work/err")"
mkdir "$pub/logs" && chown nobody "$pub/logs"
as_nobody env LD_PRELOAD="$pub/libtlsfloor.so" TLSFLOOR_LOG="$pub/logs/log.jsonl" "$pub/hpin" client "$PORT" \
    --pin max11 >"$work/out" 2>&1 || fail "with a log file: $(cat "$work/out")"
checklog "$pub/logs/log.jsonl" --expect config_error=1 --grep 'config_error=cannot read config file /etc/tlsfloor.conf' \
    --mode enforce
# root reads it: audit mode applies (so the test above proves what nobody could not read)
TLSFLOOR_LOG=$work/root.jsonl tf "$HPIN" client "$PORT" --pin max11 >/dev/null 2>&1 \
    && fail "root: the config's audit mode did not apply"
checklog "$work/root.jsonl" --mode audit
