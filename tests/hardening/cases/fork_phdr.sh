# shellcheck shell=bash
# hardening_fork_phdr (sourced by run.sh, which provides the helpers)
# glibc does not reset its loader write lock in a forked child, and dl_iterate_phdr holds it
# while it calls back: a program thread in there at fork time (an unwinder, a C++ exception)
# leaves the child's every loaded-object walk stuck for good, and every unwind walks that list.
# tlsfloor's records in such a child must not unwind (it hung there, deaf to all but SIGALRM).
# Each child resolves fork.test (rewritten: a record) and makes a pinned connection.
if [ "${TLSFLOOR_SANITIZED:-0}" = 1 ]; then
    echo "SKIP: the ASan runtime itself deadlocks in forked children of threaded programs"; exit 77
fi
start_server
# Without tlsfloor the program's children do not hang: the hang below would be tlsfloor's.
timeout 100 "$HPIN" client "$PORT" --fork-phdr 3 --pin none || fail "baseline: the program alone failed (status $?)"
log=$work/log.jsonl
TLSFLOOR_REWRITE=fork.test=localhost TLSFLOOR_LOG=$log timeout 60 env LD_PRELOAD="$PRE" \
    "$HPIN" client "$PORT" --fork-phdr 3 --pin max11 || fail "client failed (status $?)"
# Three children, each: its lookup rewritten, its pin raised (the parent's pin too).
checklog "$log" --expect host_rewritten=3 --min-pids 4
