# shellcheck shell=bash
# hardening_stderr_full_pipe (sourced by run.sh, which provides the helpers)
# stderr is a pipe whose reader does not read: the program (4 threads, 400 pinned connections,
# two stderr records each) must finish all the same, with the floor held, and fd 2 keeps its
# flags (it is the program's). Then the reader drains the pipe and the program logs once more:
# that record says how many were dropped. Again without /proc (the program's own mount
# namespace hides it): one thread, the room in the pipe is checked instead.
start_server; baseline_fails
run_blocked_reader() {   # NAME [PREFIX...]: hpin under the shim, stderr a pipe nobody drains
    local name=$1; shift
    "$PYTHON3" - "$work" "$name" "$@" <<'PY' || fail "$name: $(cat "$work/$name.why" 2>/dev/null)"
import fcntl, os, subprocess, sys, time
work, name, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
def die(why):
    open(f"{work}/{name}.why", "w").write(why)
    sys.exit(1)
gate = f"{work}/{name}.go"
r, w = os.pipe()
flags_before = fcntl.fcntl(w, fcntl.F_GETFL)
p = subprocess.Popen(cmd + ["--then-wait", gate], stdout=open(f"{work}/{name}.out", "w"), stderr=w)
deadline = time.time() + 90
while not os.path.exists(gate + ".ready"):           # nobody reads meanwhile
    if p.poll() is not None:
        die(f"the program ended early, status {p.returncode}")
    if time.time() > deadline:
        p.kill()
        die("the program hung on a full stderr pipe")
    time.sleep(0.05)
fcntl.fcntl(r, fcntl.F_SETFL, os.O_NONBLOCK)
first = b""
while True:
    try:
        chunk = os.read(r, 65536)
    except BlockingIOError:
        break
    if not chunk:
        break
    first += chunk
fcntl.fcntl(r, fcntl.F_SETFL, 0)
open(gate, "w").close()
try:
    rc = p.wait(timeout=60)
except subprocess.TimeoutExpired:
    p.kill()
    die("the program hung after the pipe was drained")
if fcntl.fcntl(w, fcntl.F_GETFL) != flags_before:
    die("the flags of the program's stderr changed")
os.close(w)
rest = b""
while True:
    chunk = os.read(r, 65536)
    if not chunk:
        break
    rest += chunk
open(f"{work}/{name}.first", "wb").write(first)
open(f"{work}/{name}.rest", "wb").write(rest)
if rc != 0:
    die(f"status {rc}: {open(f'{work}/{name}.out').read()}")
lines = first.decode(errors="replace").splitlines()
if len(first) < 30000 or not all(l.startswith("tlsfloor[") for l in lines):
    die(f"{len(first)} bytes before the drain; not a full pipe of whole lines? {first[-300:]!r}")
later = rest.decode(errors="replace").splitlines()
if not later or not all(l.startswith("tlsfloor[") for l in later):
    die(f"nothing (or not whole lines) after the drain: {rest!r}")
if "dropped=" not in later[0] or int(later[0].split("dropped=")[1].split()[0]) < 100:
    die(f"the first record after the drain does not say how many were dropped: {later[0]}")
print(f"{name}: {len(lines)} lines before the drain, then: {later[0][:160]}")
PY
    grep -q 'lowest=0x30[34]' "$work/$name.out" || fail "$name: floor did not hold: $(cat "$work/$name.out")"
}
run_blocked_reader proc env LD_PRELOAD="$PRE" TLSFLOOR_LOG=stderr "$HPIN" client "$PORT" -t 4 -n 100 --pin max11
if [ "${TLSFLOOR_SANITIZED:-0}" = 1 ]; then
    note "without /proc: not under the sanitizers (their runtime needs /proc at exit)"; return 0
fi
# shellcheck disable=SC2016
run_blocked_reader noproc unshare -m -- sh -c 'mount -t tmpfs -o size=4k,mode=555 none /proc && exec "$@"' sh \
    env LD_PRELOAD="$PRE" TLSFLOOR_LOG=stderr "$HPIN" client "$PORT" -t 1 -n 400 --pin max11
