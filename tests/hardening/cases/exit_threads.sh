# shellcheck shell=bash
# hardening_exit_threads (sourced by run.sh, which provides the helpers)
# exit() while other threads are writing records: exit_group kills them wherever they are, and
# a record cut between two pages was glued to the next record. Every line of the shared log must
# be a whole record.
log=$work/log.jsonl
# 1. The real thing: 36 processes (6 at a time), each with 12 threads logging as fast as they
#    can, call exit() after 10-60 ms. (A record is torn only when the kill lands in the sub-
#    microsecond gap between two pages of one write(): rare, so part 2 makes it certain.)
for round in $(seq 6); do
    pids=()
    for i in $(seq 6); do
        TLSFLOOR_LOG=$log timeout 60 env LD_PRELOAD="$PRE" "$HPIN" client 0 -t 12 \
            --exit-storm $(( (round * 7 + i * 5) % 50 + 10 )) >"$work/out.$round.$i" 2>&1 &
        pids+=($!)
    done
    for p in "${pids[@]}"; do
        wait "$p" || fail "a process did not exit cleanly (status $?): $(cat "$work"/out.*)"
    done
done
checklog "$log" --min-lines 20     # how many depends on the machine (and the sanitizers): whole is what counts
# 2. The same, with the kill made certain: in each of 8 processes one record is written in two
#    halves, and the main thread calls exit() right after the first (hpin --exit-midwrite). The
#    records of the other threads and of the next process must not be glued to a half record:
#    exit waits for the write in progress.
log=$work/midwrite.jsonl
for i in $(seq 8); do
    TLSFLOOR_LOG=$log timeout 60 env LD_PRELOAD="$PRE" "$HPIN" client 0 -t 4 --exit-midwrite \
        >"$work/mid.$i" 2>&1 || fail "--exit-midwrite: status $?: $(cat "$work/mid.$i")"
done
checklog "$log" --min-lines 8 --pids 8
# 3. A writer killed mid-record some time ago (SIGKILL, a crash) left a line without its end:
#    the next record starts on a line of its own, so only the dead writer's record is lost.
log=$work/torn.jsonl
printf '{"ts":"2026-12-01T00:00:00.000Z","pid":1,"exe":"/x","tool":"shim","mode":"enf' >"$log"
touch -d '-3 seconds' "$log"
start_server
TLSFLOOR_LOG=$log tf "$HPIN" client "$PORT" -n 2 --pin max11 >"$work/out" 2>&1 || fail "client failed: $(cat "$work/out")"
[ "$(head -c 40 "$log")" = '{"ts":"2026-12-01T00:00:00.000Z","pid":1' ] || fail "the dead writer's line changed"
tail -n +2 "$log" >"$work/torn-rest.jsonl"
checklog "$work/torn-rest.jsonl" --expect max_version_raised=2 --expect handshake=2
