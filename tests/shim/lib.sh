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

# check LOG PYTHON-ASSERTIONS: runs the assertions with recs (the log's records, every line
# parsed as JSON) and ev(NAME) (the records of one event).
check() {
    /usr/bin/python3 - "$1" "$2" <<'PY' || { cat "$1" >&2; fail "log check: $2"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
ev = lambda name: [r for r in recs if r["event"] == name]
exec(sys.argv[2])
PY
    # and every record as the event table says (common/tf_events.def)
    "$logtool" --check --allow-empty "$1" >"$work/check-records.out" 2>&1 ||
        { cat "$work/check-records.out" >&2; fail "log records disagree with the event table: $1"; }
}
