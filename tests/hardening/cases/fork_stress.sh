# shellcheck shell=bash
# hardening_fork_stress (sourced by run.sh, which provides the helpers)
# Threads log continuously while the main thread forks. A lock inherited held (log writer,
# call-site table) would hang the child's first record: alarm kills it.
# Each child resolves fork.test (rewritten: logged) and execs a pinned client.
if [ "${TLSFLOOR_SANITIZED:-0}" = 1 ]; then
    # GCC 12's ASan runtime is not fork-safe with threads: a child can hang on its stack
    # depot lock (__sanitizer::traceAllocator) held by a thread at fork time, in free().
    echo "SKIP: the ASan runtime itself deadlocks in forked children of threaded programs"; exit 77
fi
start_server
log=$work/log.jsonl
TLSFLOOR_REWRITE=fork.test=localhost TLSFLOOR_LOG=$log timeout 150 env LD_PRELOAD="$PRE" \
    "$HPIN" client "$PORT" --fork-stress 40 --pin max11 || fail "client failed (status $?)"
checklog "$log" --expect host_rewritten=40 --min-pids 41
