# shellcheck shell=bash
# hardening_log_fifo (sourced by run.sh, which provides the helpers)
# A FIFO nobody reads: opening it must not block the host.
start_server; baseline_fails
syslog_capture
mkfifo "$work/fifo"
TLSFLOOR_LOG=$work/fifo timeout 30 env LD_PRELOAD="$PRE" "$HPIN" client "$PORT" -n 2 --pin max11 \
    >"$work/out" 2>"$work/err" || fail "client failed or hung (status $?): $(cat "$work/err")"
sleep 0.2
grep -q "config_error.*$work/fifo" "$syslog" || fail "no clear config_error: $(cat "$syslog")"
