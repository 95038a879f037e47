# lib.sh — sourced by the shim scenarios. Sets build, src (TLSFLOOR_BUILD_DIR, TLSFLOOR_SOURCE_DIR), lib (the shim),
# work (removed at exit, with the server started by start_server), a test PKI in $work/pki.
set -euo pipefail
build=${TLSFLOOR_BUILD_DIR:?the build tree (set by ctest)} src=${TLSFLOOR_SOURCE_DIR:?the source tree (set by ctest)}
lib=$build/preload/libtlsfloor.so
logtool=$build/report/tlsfloor-log   # the log checks (report/log.c)
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
# fail (stops the script at the first failed check), pass
ASSERT_FAIL_FAST=1
. "$src/tests/lib/assert.sh"
"$src/tests/lib/mkpki" "$work/pki" >/dev/null

# start_server PORT ARGS...: openssl s_server with the test certificate, waited for.
start_server() {
    local port=$1
    shift
    openssl s_server -accept "127.0.0.1:$port" -cert "$work/pki/server.pem" -key "$work/pki/server.key" \
        "$@" -quiet >"$work/server.log" 2>&1 </dev/null &
    server=$!
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return; sleep 0.05; done
    fail "s_server on port $port did not start: $(cat "$work/server.log")"
}

# logq LOG OPTIONS...: tlsfloor-log's selection and assertion OPTIONS over LOG (e.g. --event
# handshake --where detail.version=TLSv1.2 --expect 2); every record of LOG must also keep the
# event table's contract (common/tf_events.def). A missing LOG counts as empty.
logq() {
    local log=$1
    shift
    [ -e "$log" ] || log=/dev/null
    "$logtool" --check --allow-empty "$@" "$log" >"$work/logq.out" 2>&1 ||
        { cat "$work/logq.out" >&2; fail "log check on $log: $*"; }
}
