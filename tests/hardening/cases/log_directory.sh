# shellcheck shell=bash
# hardening_log_directory (sourced by run.sh, which provides the helpers)
start_server; baseline_fails
syslog_capture
mkdir "$work/dir"
TLSFLOOR_LOG=$work/dir timeout 30 env LD_PRELOAD="$PRE" "$HPIN" client "$PORT" -n 2 --pin max11 \
    >"$work/out" 2>"$work/err" || fail "client failed: $(cat "$work/err")"
sleep 0.2
grep -q "config_error.*$work/dir" "$syslog" || fail "no clear config_error: $(cat "$syslog")"
[ -z "$(ls -A "$work/dir")" ] || fail "something was created in the directory"
