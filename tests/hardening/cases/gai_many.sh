# shellcheck shell=bash
# hardening_gai_many (issue 10, item 5): getaddrinfo_a with more rewritten requests than any fixed
# table holds; the program gets every one of its own ar_name pointers back (it frees them).
log=$work/log.jsonl
for n in 1 65 300; do
    : >"$log"
    TLSFLOOR_REWRITE=legacy.test=localhost TLSFLOOR_LOG=$log timeout 60 env LD_PRELOAD="$PRE" \
        "$HOSTILE" gai-many legacy.test "$n" >"$work/out" 2>&1 || fail "$n requests (status $?): $(cat "$work/out")"
    checklog "$log" --expect host_rewritten="$n"
done
