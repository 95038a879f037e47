# shellcheck shell=bash
# hardening_concurrency (sourced by run.sh, which provides the helpers)
# 8 processes x 8 threads, every connection pinned, one JSON log file.
start_server; baseline_fails
log=$work/log.jsonl
pids=()
for i in $(seq 8); do
    TLSFLOOR_LOG=$log tf "$HPIN" client "$PORT" -t 8 -n 6 --pin max11 >"$work/out.$i" 2>&1 &
    pids+=($!)
done
for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || fail "client $((i + 1)) failed: $(cat "$work/out.$((i + 1))")"
done
checklog "$log" --expect max_version_raised=384 --expect handshake=384 --pids 8 --per-pid 48 --sites-strict
