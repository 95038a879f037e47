# shellcheck shell=bash
# hardening_fork_locks (issue 10, item 7): threads keep tlsfloor busy with watched connections
# (connect/close to a mail port) and getaddrinfo_a lookups while the main thread forks; every
# child makes a watched connection and calls gai_error (glibc's own lookups are not fork-safe
# there). A lock inherited held would hang a child (alarm kills it). slowlock (preloaded after
# the shim) holds any pthread mutex a little longer, so a shim that takes one where a fork can
# catch it fails here every time.
if [ "${TLSFLOOR_SANITIZED:-0}" = 1 ]; then
    echo "SKIP: the ASan runtime itself deadlocks in forked children of threaded programs"; exit 77
fi
start_server
log=$work/log.jsonl
TLSFLOOR_MAIL_PORTS=$PORT TLSFLOOR_REWRITE=legacy.test=localhost TLSFLOOR_LOG=$log timeout 90 \
    env LD_PRELOAD="$PRE:$SLOWLOCK" "$HOSTILE" fork-locks "$PORT" 200 >"$work/out" 2>&1 \
    || fail "status $?: $(tail -5 "$work/out")"
checklog "$log" --min-event host_rewritten=1
