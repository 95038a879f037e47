# shellcheck shell=bash
# hardening_log_full_pipe (sourced by run.sh, which provides the helpers)
# A FIFO with a reader that never reads: once the pipe is full, records are dropped, the
# host never blocks; what did get through is whole lines.
start_server
mkfifo "$work/fifo"
exec 3<>"$work/fifo"    # holds a reader (and a writer) open, never reads
TLSFLOOR_LOG=$work/fifo timeout 60 env LD_PRELOAD="$PRE" "$HPIN" client "$PORT" -t 4 -n 60 --pin max11 \
    >"$work/out" 2>"$work/err" || fail "client failed or hung (status $?): $(cat "$work/err")"
"$PYTHON3" - "$work/fifo.out" <<'PY' || fail "draining the FIFO"
import os, sys, fcntl
fd = 3
fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)
data = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except BlockingIOError:
        break
    if not chunk:
        break
    data += chunk
open(sys.argv[1], "wb").write(data)
print("drained", len(data), "bytes")
PY
exec 3<&-
checklog "$work/fifo.out" --min-lines 20
