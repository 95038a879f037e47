# shellcheck shell=bash
# hardening_log_unwritable (sourced by run.sh, which provides the helpers)
# A log file that cannot be opened: one clear config_error, the records go to the fallback
# (syslog for root, stderr for anyone else), and the floor holds.
start_server; baseline_fails
syslog_capture
mkdir "$work/ro"; mount -t tmpfs -o ro,size=64k,mode=755 tmpfs "$work/ro"
for path in "$work/ro/log.jsonl" "$work/no/such/dir/log.jsonl"; do
    : >"$syslog"
    TLSFLOOR_LOG=$path timeout 30 env LD_PRELOAD="$PRE" "$HPIN" client "$PORT" -n 2 --pin max11 \
        >"$work/out" 2>"$work/err" || fail "$path: client failed: $(cat "$work/err")"
    sleep 0.2
    grep -q "config_error.*cannot open log file $path.*logging to syslog" "$syslog" \
        || fail "$path: no clear config_error in syslog: $(cat "$syslog")"
    [ "$(syslog_records config_error)" = 1 ] || fail "$path: not one config_error: $(cat "$syslog")"
    grep -q 'max_version_raised' "$syslog" || fail "$path: records did not fall back to syslog"
    [ ! -s "$work/err" ] || fail "$path: root's fallback is syslog, yet stderr got: $(cat "$work/err")"
done
# Not root: the fallback is stderr.
public_tools
path=$work/ro/log.jsonl
as_nobody env TLSFLOOR_LOG="$path" LD_PRELOAD="$PPRE" timeout 30 "$PHPIN" client "$PORT" -n 2 --pin max11 \
    >"$work/out" 2>"$work/err" || fail "nobody: client failed: $(cat "$work/err")"
grep -q "config_error.*cannot open log file $path.*logging to stderr" "$work/err" \
    || fail "nobody: no clear config_error on stderr: $(cat "$work/err")"
grep -q 'max_version_raised' "$work/err" || fail "nobody: records did not fall back to stderr"
