# shellcheck shell=bash
# lib.sh: what every hardening case shares (sourced by run.sh inside the private namespaces):
# $work, fail/note, the preload ($PRE, tf), the TLS >= 1.2 test server (start_server, $PORT),
# baseline_fails and checklog. Each case is one file in cases/, named like its test.
"$here/../lib/loopback-only" || { echo "FAIL [$name]: no usable loopback" >&2; exit 1; }
mount --make-rprivate /
mkdir -p "${HARD_WORK:-/tmp}"
work=$(mktemp -d "${HARD_WORK:-/tmp}/$name.XXXXXX")
chmod 755 "$work"
server_pid=
cleanup() {
    # shellcheck disable=SC2086  # a list of pids
    [ -n "$server_pid" ] && kill $server_pid 2>/dev/null || true
    # Mounts made in $work (tmpfs, overlay) would keep rm from removing it.
    grep -o " $work/[^ ]*" /proc/self/mounts 2>/dev/null | sort -r | xargs -r umount -l 2>/dev/null || true
    # Mounts die with the namespace; the files stay for a failed test's post-mortem.
    if [ "${status:-1}" = 0 ]; then rm -rf "$work" 2>/dev/null || true; fi
}
trap cleanup EXIT

# fail (stops the case at the first failed check; cleanup keeps $work), pass
ASSERT_FAIL_FAST=1 ASSERT_CASE=$name
. "$here/../lib/assert.sh"
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
# start_server_on PORT CERT KEY: a TLS >= 1.2 server (hpin) on 127.0.0.1:PORT; more than one
# may run, all are stopped at exit.
start_server_on() {
    local port=$1 cert=$2 key=$3 ready=$work/ready.$1
    rm -f "$ready"
    "$HPIN" server "$port" "$cert" "$key" "$ready" &
    server_pid="$server_pid $!"
    for _ in $(seq 100); do [ -e "$ready" ] && return 0; sleep 0.05; done
    fail "server on port $port did not start"
}

# The usual server: a self-signed certificate for localhost on $PORT.
start_server() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj /CN=localhost -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
    start_server_on "$PORT" "$work/cert.pem" "$work/key.pem"
}

# The test PKI (tests/lib/mkpki): $work/pki/ca.pem, and server.pem / server-chain.pem /
# server.key for outlook.office365.com (also *.office365.com), as Microsoft's certificate has.
make_pki() {
    "$here/../lib/mkpki" "$work/pki" >/dev/null || fail "mkpki"
}

# The server refuses TLS < 1.2: without tlsfloor a pinned client must fail (else a pass below
# would prove nothing).
baseline_fails() {
    local pin=${1:-max11}
    if "$HPIN" client "$PORT" --pin "$pin" >/dev/null 2>&1; then
        fail "baseline: a client pinned with $pin worked without tlsfloor"
    fi
}

# checklog LOG [CHECK...]: every line of LOG keeps the log contract (tlsfloor-log --check: a
# newline at its end, at most 4096 bytes, one JSON object as the event table says) and each CHECK
# holds (one tlsfloor-log call each):
#   --expect EVENT=N     exactly N records of EVENT    --min-event / --max-event EVENT=N
#   --pids N             exactly N distinct pids       --min-pids N
#   --per-pid N          every pid has N of each --expect event
#   --sites              per (pid, caller.site) no count repeats (a lost update in the call-site
#                        table); --sites-strict: counts are exactly 1..k and only 1 has frames
#   --min-lines N        at least N records (default 1)
#   --mode MODE          every record in MODE          --no-event EVENT
#   --grep EVENT=TEXT    some EVENT record has TEXT in detail.message
. "$here/../lib/logcheck.sh"   # tf_ere_quote
logtool() {
    local log=$1
    shift
    "$TLSFLOOR_LOGTOOL" "$@" "$log" || fail "log check: tlsfloor-log $* $log"
}
checklog() {
    local log=$1 per_pid=() min_lines=1 prev="" a checks
    shift
    checks="$*"
    for a in "$@"; do [ "$prev" != --per-pid ] || per_pid=(--per-pid "$a"); prev=$a; done
    logtool "$log" --check
    while [ $# -gt 0 ]; do
        case $1 in
            --expect) logtool "$log" --event "${2%%=*}" --expect "${2#*=}" "${per_pid[@]}" ;;
            --min-event) logtool "$log" --event "${2%%=*}" --expect-min "${2#*=}" ;;
            --max-event) logtool "$log" --event "${2%%=*}" --expect-max "${2#*=}" ;;
            --pids | --min-pids) logtool "$log" "$1" "$2" ;;
            --per-pid) ;;
            --min-lines) min_lines=$2 ;;
            --mode) logtool "$log" --where "mode~^" --where "mode!" --none   # (never: mode is required)
                    logtool "$log" --where "mode~^($(tf_ere_quote "$2"))\$" --expect "$(logtool "$log" --count)" ;;
            --no-event) logtool "$log" --event "$2" --none ;;
            --grep) logtool "$log" --event "${2%%=*}" --where "detail.message~$(tf_ere_quote "${2#*=}")" --expect-min 1 ;;
            --sites | --sites-strict) logtool "$log" --where caller.site? "$1"; shift; continue ;;
            *) fail "checklog: unknown check $1" ;;
        esac
        shift 2
    done
    logtool "$log" --expect-min "$min_lines"
    note "log ok: $log: $(logtool "$log" --count) records${checks:+, $checks}"
}


# A folder that every user can reach, whatever the checkout's parent folders allow (a home
# directory is 0700 on Debian 12, and tests never change permissions outside the build tree):
# /mnt/NAME on a tmpfs over /mnt in this private mount namespace (tests/lib/public-dir).
public_dir() { "$here/../lib/public-dir" "$1" || fail "public_dir $1"; }

# A private /etc/hosts (this mount namespace only) where the standard Microsoft names are
# 127.0.0.1 and the legacy ones do not resolve.
private_hosts() {
    printf '127.0.0.1 localhost outlook.office365.com smtp.office365.com\n::1 localhost\n' >"$work/hosts"
    # netns-run's own is a bind mount of a file it has deleted, and nothing mounts over that
    while mountpoint -q /etc/hosts && umount /etc/hosts; do :; done
    mount --bind "$work/hosts" /etc/hosts
}

# issue_cert CA_PREFIX NAME OUT_PREFIX: a server key and certificate for NAME signed by the CA
# CA_PREFIX.key / CA_PREFIX.pem; writes OUT_PREFIX.key, OUT_PREFIX.pem (leaf + CA).
issue_cert() {
    local ca=$1 name=$2 out=$3
    openssl req -new -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout "$out.key" -out "$out.csr" 2>/dev/null
    printf 'subjectAltName=DNS:%s\n' "$name" >"$out.ext"
    openssl x509 -req -in "$out.csr" -CA "$ca.pem" -CAkey "$ca.key" -CAcreateserial -days 2 \
        -extfile "$out.ext" -out "$out.leaf" 2>/dev/null || fail "issue_cert $name"
    cat "$out.leaf" "$ca.pem" >"$out.pem"
}

# make_ca PREFIX: a throwaway CA (PREFIX.key, PREFIX.pem).
make_ca() {
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$(basename "$1") CA" \
        -keyout "$1.key" -out "$1.pem" 2>/dev/null || fail "make_ca $1"
}

# syslog_capture: what the tests' processes send to syslog() lands in $syslog, one message a
# line (a /dev/log of this mount namespace; see tests/lib/syslog-capture). The listener is
# stopped when the test ends.
syslog=
syslog_capture() {
    local pid
    syslog=$work/syslog.txt
    mkdir -p "$work/syslog-scratch"
    pid=$(PYTHON3=$PYTHON3 "$here/../lib/syslog-capture" "$work/syslog-scratch" "$syslog") \
        || fail "no syslog capture"
    track_pid "$pid"
}

# track_pid PID: a background process of the test, killed when the test ends.
tracked_pids=()
track_pid() {
    tracked_pids+=("$1")
    trap 'kill "${tracked_pids[@]}" 2>/dev/null || true; cleanup' EXIT
}

# A private /etc (an overlay when the kernel allows it, else a copy on tmpfs): the test may
# write /etc/tlsfloor.conf and /etc/ld.so.preload there.
private_etc() {
    mkdir -p "$work/etc-upper" "$work/etc-work" "$work/etc-copy"
    if ! mount -t overlay overlay -o "lowerdir=/etc,upperdir=$work/etc-upper,workdir=$work/etc-work" /etc 2>/dev/null; then
        mount -t tmpfs tmpfs "$work/etc-copy" && cp -a /etc/. "$work/etc-copy/" && mount --bind "$work/etc-copy" /etc
    fi
}

# public_tools: copies of hpin and the shim that user nobody can run (in public_dir); sets
# PHPIN, PLIB (the library) and PPRE (what LD_PRELOAD needs for it).
public_tools() {
    local d
    d=$(public_dir tools)
    install -m 0755 "$HPIN" "$d/hpin"
    install -m 0644 "$(readlink -f "$TLSFLOOR_LIB")" "$d/libtlsfloor.so"
    PHPIN=$d/hpin PLIB=$d/libtlsfloor.so PPRE=$d/libtlsfloor.so
    if [ "${TLSFLOOR_SANITIZED:-0}" = 1 ]; then PPRE="$(gcc -print-file-name=libasan.so):$PLIB"; fi
}

# as_nobody CMD...: runs CMD as user nobody (and its group), no other groups.
as_nobody() { setpriv --reuid=nobody --regid="$(id -gn nobody)" --clear-groups -- "$@"; }

# syslog_records EVENT: how many tlsfloor records of EVENT reached $syslog.
syslog_records() { grep -c "tlsfloor\[[0-9]*\]: $1\( \|\$\)" "$syslog" || true; }
