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


# A folder that every user can reach, whatever the checkout's parent folders allow (a home
# directory is 0700 on Debian 12, and tests never change permissions outside the build tree):
# /mnt/NAME on a tmpfs over /mnt in this private mount namespace (tests/lib/public-dir).
public_dir() { "$here/../lib/public-dir" "$1" || fail "public_dir $1"; }
