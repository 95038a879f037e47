#!/bin/bash
# run.sh TEST: one hardening test, inside a private network + mount namespace (only lo, up).
# Environment (set by ctest): HPIN (tests/hardening/hpin), TLSFLOOR_LIB (libtlsfloor.so),
# PYTHON3, TLSFLOOR_SANITIZED (1 for an ASan/UBSan build), HARD_WORK (scratch folder).
# Exit 0 pass, 1 fail, 77 skip.
set -euo pipefail

name=${1:?usage: run.sh TEST}
: "${HPIN:?HPIN not set}" "${TLSFLOOR_LIB:?TLSFLOOR_LIB not set}"
PYTHON3=${PYTHON3:-python3}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ "${HARD_INNER:-}" != 1 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "SKIP: needs root (unshare -mn)"; exit 77
    fi
    export HARD_INNER=1
    exec unshare -mn -- /bin/bash "${BASH_SOURCE[0]}" "$@"
fi

ip link set lo up
mount --make-rprivate /
mkdir -p "${HARD_WORK:-/tmp}"
work=$(mktemp -d "${HARD_WORK:-/tmp}/$name.XXXXXX")
chmod 755 "$work"
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    # Mounts made in $work (tmpfs, overlay) would keep rm from removing it.
    grep -o " $work/[^ ]*" /proc/self/mounts 2>/dev/null | sort -r | xargs -r umount -l 2>/dev/null || true
    # Mounts die with the namespace; the files stay for a failed test's post-mortem.
    if [ "${status:-1}" = 0 ]; then rm -rf "$work" 2>/dev/null || true; fi
}
trap cleanup EXIT

fail() { echo "FAIL [$name]: $*" >&2; status=1; exit 1; }
note() { echo "[$name] $*"; }

# The preload as the tests use it. A sanitized shim needs the ASan runtime first in line.
PRE=$TLSFLOOR_LIB
if [ "${TLSFLOOR_SANITIZED:-0}" = 1 ]; then
    asan=$(gcc -print-file-name=libasan.so)
    PRE="$asan:$TLSFLOOR_LIB"
    # Foreign programs (sh, python) leak by design; our own code is still checked for errors.
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fi
# Never let the host's settings leak in.
unset LD_PRELOAD TLSFLOOR_MODE TLSFLOOR_MIN TLSFLOOR_LOG TLSFLOOR_CONFIG TLSFLOOR_REWRITE \
      TLSFLOOR_REWRITE_DEFAULTS TLSFLOOR_VERIFY
export OPENSSL_CONF=/dev/null
# An empty default config in this namespace: a host /etc/tlsfloor.conf must not change results.
if [ -e /etc/tlsfloor.conf ]; then
    : > "$work/empty.conf"; mount --bind "$work/empty.conf" /etc/tlsfloor.conf
fi

tf() { env LD_PRELOAD="$PRE" "$@"; }

PORT=4433
start_server() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj /CN=localhost -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
    rm -f "$work/ready"
    "$HPIN" server "$PORT" "$work/cert.pem" "$work/key.pem" "$work/ready" &
    server_pid=$!
    for _ in $(seq 100); do [ -e "$work/ready" ] && return 0; sleep 0.05; done
    fail "server did not start"
}

# The server refuses TLS < 1.2: without tlsfloor a pinned client must fail (else a pass below
# would prove nothing).
baseline_fails() {
    local pin=${1:-max11}
    if "$HPIN" client "$PORT" --pin "$pin" >/dev/null 2>&1; then
        fail "baseline: a client pinned with $pin worked without tlsfloor"
    fi
}

checklog() { "$PYTHON3" "$here/checklog.py" "$@" || fail "log check: $*"; }

case "$name" in
concurrency)
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
    ;;
fork)
    # One connection, fork (OpenSSL and tlsfloor initialised), both sides connect.
    start_server; baseline_fails
    log=$work/log.jsonl
    TLSFLOOR_LOG=$log tf "$HPIN" client "$PORT" --fork -t 2 -n 3 --pin max11 || fail "client failed"
    checklog "$log" --expect max_version_raised=13 --expect handshake=13 --pids 2 --sites
    ;;
fork_stress)
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
    ;;
exec)
    # One connection, then exec: the new image initialises tlsfloor afresh (same pid).
    start_server; baseline_fails
    log=$work/log.jsonl
    TLSFLOOR_LOG=$log tf "$HPIN" client "$PORT" --exec --pin method11 || fail "client failed"
    checklog "$log" --expect method_pinned=2 --expect handshake=2 --pids 1
    ;;
vfork)
    start_server; baseline_fails options
    log=$work/log.jsonl
    TLSFLOOR_LOG=$log tf "$HPIN" client "$PORT" --vfork --pin options || fail "client failed"
    checklog "$log" --expect option_cleared=2 --expect handshake=2 --pids 2
    ;;
bind_now)
    # LD_BIND_NOW=1: no "undefined symbol" in programs with and without libssl.
    start_server
    log=$work/log.jsonl
    export LD_BIND_NOW=1 TLSFLOOR_LOG=$log
    tf /bin/true 2>"$work/err" || fail "/bin/true: $(cat "$work/err")"
    out=$(tf /bin/sh -c 'echo hi; /bin/true; ls / >/dev/null' 2>>"$work/err") || fail "sh: $(cat "$work/err")"
    [ "$out" = hi ] || fail "sh printed '$out'"
    out=$(tf "$PYTHON3" -c 'import hashlib; print(hashlib.sha256(b"x").hexdigest()[:8])' 2>>"$work/err") \
        || fail "python3: $(cat "$work/err")"
    [ "$out" = 2d711642 ] || fail "python3 printed '$out'"
    tf openssl version >/dev/null 2>>"$work/err" || fail "openssl version: $(cat "$work/err")"
    for pin in max11 method11 options; do
        tf "$HPIN" client "$PORT" --pin "$pin" -n 2 >/dev/null 2>>"$work/err" || fail "client --pin $pin: $(cat "$work/err")"
    done
    if grep -E 'undefined symbol|symbol lookup error' "$work/err"; then fail "symbol errors"; fi
    checklog "$log" --expect handshake=6
    ;;
fd2_closed)
    # fd 2 closed: the client's socket becomes fd 2. A "stderr" record written there would land
    # in the TLS stream and break the handshake.
    start_server; baseline_fails
    TLSFLOOR_LOG=stderr tf "$HPIN" client "$PORT" --close-fd2 -n 5 --pin max11 >"$work/out" \
        || fail "client failed: $(cat "$work/out")"
    grep -q 'lowest=0x30[34]' "$work/out" || fail "floor did not hold: $(cat "$work/out")"
    ;;
fd2_socket)
    start_server; baseline_fails
    TLSFLOOR_LOG=stderr tf "$HPIN" client "$PORT" --fd2-socket -n 3 --pin max11 >"$work/out" \
        || fail "client failed (status $?): $(cat "$work/out")"
    grep -q 'lowest=0x30[34]' "$work/out" || fail "floor did not hold: $(cat "$work/out")"
    ;;
log_unwritable)
    start_server; baseline_fails
    mkdir "$work/ro"; mount -t tmpfs -o ro,size=64k tmpfs "$work/ro"
    for path in "$work/ro/log.jsonl" "$work/no/such/dir/log.jsonl"; do
        TLSFLOOR_LOG=$path timeout 30 env LD_PRELOAD="$PRE" "$HPIN" client "$PORT" -n 2 --pin max11 \
            >"$work/out" 2>"$work/err" || fail "$path: client failed: $(cat "$work/err")"
        grep -q "config_error.*cannot open log file $path" "$work/err" \
            || fail "$path: no clear config_error on stderr: $(cat "$work/err")"
        grep -q 'max_version_raised' "$work/err" || fail "$path: records did not fall back to stderr"
    done
    ;;
log_directory)
    start_server; baseline_fails
    mkdir "$work/dir"
    TLSFLOOR_LOG=$work/dir timeout 30 env LD_PRELOAD="$PRE" "$HPIN" client "$PORT" -n 2 --pin max11 \
        >"$work/out" 2>"$work/err" || fail "client failed: $(cat "$work/err")"
    grep -q "config_error.*$work/dir" "$work/err" || fail "no clear config_error: $(cat "$work/err")"
    [ -z "$(ls -A "$work/dir")" ] || fail "something was created in the directory"
    ;;
log_fifo)
    # A FIFO nobody reads: opening it must not block the host.
    start_server; baseline_fails
    mkfifo "$work/fifo"
    TLSFLOOR_LOG=$work/fifo timeout 30 env LD_PRELOAD="$PRE" "$HPIN" client "$PORT" -n 2 --pin max11 \
        >"$work/out" 2>"$work/err" || fail "client failed or hung (status $?): $(cat "$work/err")"
    grep -q "config_error.*$work/fifo" "$work/err" || fail "no clear config_error: $(cat "$work/err")"
    ;;
log_full_pipe)
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
    ;;
full_disk)
    # The log on a full file system: the host carries on, the floor holds, and no record in the
    # file is torn (a short write would leave half a line).
    start_server; baseline_fails
    mkdir "$work/disk"; mount -t tmpfs -o size=64k tmpfs "$work/disk"
    log=$work/disk/log.jsonl
    dd if=/dev/zero of="$work/disk/fill" bs=1k count=64 2>/dev/null || true
    # Free a little room (a page or two) so records land on the edge of "full".
    truncate -s -6000 "$work/disk/fill"
    TLSFLOOR_LOG=$log timeout 60 env LD_PRELOAD="$PRE" "$HPIN" client "$PORT" -n 40 --pin max11 \
        >"$work/out" 2>"$work/err" || fail "client failed: $(cat "$work/err")"
    df -k "$work/disk" | tail -1
    [ -s "$log" ] || fail "nothing was logged at all (expected some records before the disk filled)"
    checklog "$log" --min-lines 1
    ;;
config_huge)
    start_server; baseline_fails
    log=$work/log.jsonl
    # Over the size limit: ignored entirely (its "mode audit" must not apply).
    { echo "mode audit"; head -c 300000 /dev/zero | tr '\0' '#'; echo; } >"$work/big.conf"
    TLSFLOOR_CONFIG=$work/big.conf TLSFLOOR_LOG=$log tf "$HPIN" client "$PORT" --pin max11 \
        || fail "oversized config: client failed"
    # Just under the limit, one error per line: at most 8 shown plus one summary; fast.
    "$PYTHON3" -c 'import sys; sys.stdout.write("bogus x\n" * 30000)' >"$work/many.conf"
    start=$(date +%s%N)
    TLSFLOOR_CONFIG=$work/many.conf TLSFLOOR_LOG=$log tf "$HPIN" client "$PORT" --pin max11 \
        || fail "config with 30000 bad lines: client failed"
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    note "30000 bad lines: ${ms} ms"
    # One very long line, binary junk, then a bad mode.
    { "$PYTHON3" -c 'print("mode " + "a" * 100000)'; head -c 4096 /dev/urandom | tr -d '\n\0'; echo;
      echo "mode audit please"; } >"$work/long.conf"
    TLSFLOOR_CONFIG=$work/long.conf TLSFLOOR_LOG=$log tf "$HPIN" client "$PORT" --pin max11 \
        || fail "config with a 100000-byte line: client failed"
    checklog "$log" --expect handshake=3 --grep 'config_error=larger than' \
        --grep 'config_error=further config errors not shown' --grep 'config_error=longer than' \
        --max-event config_error=13 --mode enforce
    ;;
config_malformed)
    start_server; baseline_fails
    log=$work/log.jsonl
    # Eight bad lines in one file (all eight shown), six in another (NUL byte last).
    printf '%s\n' 'mode = = audit' 'min 1.0' 'min' 'log relative/path' 'rewrite onlyone' \
        'rewrite a=b c' 'verify maybe' 'mode audit extra words' >"$work/bad.conf"
    printf '%s\n' 'nosuchkey 1' $'mode\taudit\x01' $'min 1.1\r' 'rewrite *.=x' 'rewrite_defaults 2' >"$work/bad2.conf"
    printf 'mode audit\0\n' >>"$work/bad2.conf"
    for c in "$work/bad.conf" "$work/bad2.conf"; do
        TLSFLOOR_CONFIG=$c TLSFLOOR_LOG=$log tf "$HPIN" client "$PORT" --pin max11 \
            || fail "malformed config $c: client failed"
    done
    # Not a regular file / missing / a FIFO with no writer (must not block).
    mkfifo "$work/fifo.conf"
    for c in "$work" "$work/missing.conf" "$work/fifo.conf" /dev/zero; do
        TLSFLOOR_CONFIG=$c TLSFLOOR_LOG=$log timeout 30 env LD_PRELOAD="$PRE" "$HPIN" client "$PORT" --pin max11 \
            >/dev/null || fail "config $c: client failed or hung"
    done
    checklog "$log" --expect handshake=6 --expect config_error=18 --mode enforce --no-event config_error_dropped \
        --grep 'config_error=NUL byte' --grep 'config_error=not a regular file' --grep 'config_error=cannot read config file'
    ;;
env_control)
    start_server; baseline_fails
    log=$work/log.jsonl
    TLSFLOOR_LOG=$log TLSFLOOR_MODE=$'audit\n{"event":"injected"}' TLSFLOOR_MIN=$'1.0\e[2J' \
    TLSFLOOR_REWRITE=$'a\x01b=c,\x7f=\n' TLSFLOOR_VERIFY=$'\t\x1b' TLSFLOOR_REWRITE_DEFAULTS=$'1\r\n' \
        tf "$HPIN" client "$PORT" --pin max11 || fail "client failed (the floor did not hold?)"
    checklog "$log" --expect handshake=1 --min-event config_error=6 --mode enforce --no-event injected
    # The readable stderr form: one line per record, no raw control characters.
    TLSFLOOR_LOG=stderr TLSFLOOR_MODE=$'audit\n{"event":"injected"}\e[2J' \
        tf "$HPIN" client "$PORT" --pin max11 >/dev/null 2>"$work/err" || fail "client failed (stderr log)"
    "$PYTHON3" - "$work/err" <<'PY' || fail "stderr log: $(cat -v "$work/err")"
import sys
data = open(sys.argv[1], "rb").read()
lines = data.split(b"\n")
assert lines[-1] == b"", "no final newline"
for l in lines[:-1]:
    assert l.startswith(b"tlsfloor["), "line not from tlsfloor (injected?): %r" % l
    assert not any(c < 0x20 or c == 0x7f for c in l), "raw control character: %r" % l
assert any(b"config_error" in l for l in lines), "no config_error"
PY
    ;;
setuid)
    # A setuid-root program, preloaded only through /etc/ld.so.preload (private to this mount
    # namespace), started by nobody: TLSFLOOR_* from the environment are ignored, only
    # /etc/tlsfloor.conf counts, and the floor holds.
    if [ "${TLSFLOOR_SANITIZED:-0}" = 1 ]; then
        echo "SKIP: /etc/ld.so.preload with a sanitized shim would need the ASan runtime in every process"; exit 77
    fi
    getent passwd nobody >/dev/null || { echo "SKIP: no user nobody"; exit 77; }
    start_server; baseline_fails
    ng=$(id -gn nobody)
    # Parent folders must be searchable by nobody.
    d=$work; while [ "$d" != / ]; do [ -x "$d" ] && [ "$(stat -c %A "$d" | cut -c10)" = x ] || chmod o+x "$d"; d=$(dirname "$d"); done
    install -o root -g root -m 4755 "$HPIN" "$work/hpin-suid"
    install -o root -g root -m 0755 "$HPIN" "$work/hpin-plain"
    lib=$(readlink -f "$TLSFLOOR_LIB")
    # A private /etc: an overlay when the kernel allows it, else a copy on tmpfs.
    mkdir -p "$work/etc-upper" "$work/etc-work" "$work/etc-copy"
    if ! mount -t overlay overlay -o "lowerdir=/etc,upperdir=$work/etc-upper,workdir=$work/etc-work" /etc 2>/dev/null; then
        mount -t tmpfs tmpfs "$work/etc-copy" && cp -a /etc/. "$work/etc-copy/" && mount --bind "$work/etc-copy" /etc
    fi
    echo "log $work/conf.jsonl" >/etc/tlsfloor.conf
    printf 'mode audit\nlog %s\n' "$work/env.jsonl" >"$work/evil.conf"
    chmod 644 "$work/evil.conf"
    touch "$work/conf.jsonl" "$work/env.jsonl"; chmod 666 "$work/conf.jsonl" "$work/env.jsonl"
    echo "$lib" >/etc/ld.so.preload
    evil=(TLSFLOOR_MODE=audit TLSFLOOR_LOG="$work/env.jsonl" TLSFLOOR_CONFIG="$work/evil.conf" TLSFLOOR_MIN=1.3)
    # Control: the same program without the setuid bit reads the environment (audit: changes
    # nothing, so the pinned client fails against the TLS 1.2+ server).
    if env "${evil[@]}" setpriv --reuid=nobody --regid="$ng" --clear-groups "$work/hpin-plain" client "$PORT" --pin max11 >/dev/null 2>&1; then
        fail "control: non-setuid program with TLSFLOOR_MODE=audit connected (environment not honoured?)"
    fi
    grep -q '"mode":"audit"' "$work/env.jsonl" || fail "control: no audit record in the environment's log"
    : >"$work/env.jsonl"
    env "${evil[@]}" setpriv --reuid=nobody --regid="$ng" --clear-groups "$work/hpin-suid" client "$PORT" --pin max11 \
        >"$work/out" 2>&1 || fail "setuid program failed (environment honoured?): $(cat "$work/out")"
    rm -f /etc/ld.so.preload
    [ ! -s "$work/env.jsonl" ] || fail "setuid program wrote to TLSFLOOR_LOG: $(head -3 "$work/env.jsonl")"
    # TLSFLOOR_MIN=1.3 ignored too: the floor is 1.2, so the handshake may be 1.2 or 1.3 but the
    # raised max is recorded in enforce mode with applied:true.
    checklog "$work/conf.jsonl" --expect handshake=1 --expect max_version_raised=1 --mode enforce --no-event config_error
    ;;
*)
    echo "unknown test $name" >&2; exit 2 ;;
esac
status=0
note "ok"
