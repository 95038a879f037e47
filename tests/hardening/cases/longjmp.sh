# shellcheck shell=bash
# hardening_longjmp (issue 10, item 4): a program that guards each step with alarm() + siglongjmp (a
# common timeout idiom) jumps out of a hook while its record cannot be written (stderr is a full
# pipe nobody reads). Afterwards, unguarded, a legacy name must still be rewritten and a
# TLSv1_client_method connection still raised: no hook stays "inside", no lock stays held.
start_server
mkfifo "$work/stderr"
exec 3<>"$work/stderr"        # a reader that never reads (and a writer): the pipe fills up
"$PYTHON3" -c '
import os, fcntl
fcntl.fcntl(3, fcntl.F_SETFL, fcntl.fcntl(3, fcntl.F_GETFL) | os.O_NONBLOCK)
try:
    while True:
        os.write(3, b"x" * 4096)
except BlockingIOError:
    pass
fcntl.fcntl(3, fcntl.F_SETFL, fcntl.fcntl(3, fcntl.F_GETFL) & ~os.O_NONBLOCK)
'
TLSFLOOR_REWRITE=legacy.test=localhost TLSFLOOR_LOG=stderr timeout 60 env LD_PRELOAD="$PRE" \
    "$HOSTILE" longjmp legacy.test "$PORT" >"$work/out" 2>&3 \
    || fail "after a siglongjmp out of a hook the floor or the rewrite was gone (status $?): $(cat "$work/out")"
exec 3<&-
grep -q 'step lookup after: resolved' "$work/out" || fail "lookup: $(cat "$work/out")"
grep -q 'step pinned connection after: version 0x30[34]' "$work/out" || fail "floor: $(cat "$work/out")"
note "$(tr '\n' ';' <"$work/out")"

# The same jump at a known point: jumpwrite (preloaded after the shim) raises SIGUSR1 as a
# record is about to be written, and the guarded step's handler siglongjmps out of the hook
# there, for a file log and for stderr.
for dest in file stderr; do
    log=$work/log.jsonl
    [ "$dest" = file ] || log=stderr
    TLSFLOOR_REWRITE=legacy.test=localhost TLSFLOOR_LOG=$log timeout 60 env LD_PRELOAD="$PRE:$JUMPWRITE" \
        "$HOSTILE" longjmp legacy.test "$PORT" >"$work/out.$dest" 2>"$work/err.$dest" \
        || fail "$dest: after a jump out of a record the floor or the rewrite was gone (status $?): $(cat "$work/out.$dest")"
    grep -q 'step lookup: interrupted' "$work/out.$dest" || fail "$dest: the jump did not happen: $(cat "$work/out.$dest")"
    grep -q 'step pinned connection after: version 0x30[34]' "$work/out.$dest" || fail "$dest: $(cat "$work/out.$dest")"
done
# Records after the jumps are whole (the unguarded steps log normally).
checklog "$work/log.jsonl" --min-event host_rewritten=2 --min-event method_pinned=1
