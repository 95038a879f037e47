# shellcheck shell=bash
# hard_log_unwritable (sourced by run.sh, which provides the helpers)
start_server; baseline_fails
mkdir "$work/ro"; mount -t tmpfs -o ro,size=64k tmpfs "$work/ro"
for path in "$work/ro/log.jsonl" "$work/no/such/dir/log.jsonl"; do
    TLSFLOOR_LOG=$path timeout 30 env LD_PRELOAD="$PRE" "$HPIN" client "$PORT" -n 2 --pin max11 \
        >"$work/out" 2>"$work/err" || fail "$path: client failed: $(cat "$work/err")"
    grep -q "config_error.*cannot open log file $path" "$work/err" \
        || fail "$path: no clear config_error on stderr: $(cat "$work/err")"
    grep -q 'max_version_raised' "$work/err" || fail "$path: records did not fall back to stderr"
done
