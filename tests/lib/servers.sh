# shellcheck shell=bash
# servers.sh: background `openssl s_server` instances for scenarios (source it after assert.sh).
#
#   srv_start KIND PORT [EXTRA s_server ARGS...]
#       KIND  modern  TLS 1.2 and 1.3 only (-no_ssl3 -no_tls1 -no_tls1_1)
#             tls12   TLS 1.2 only (-tls1_2)
#             tls13   TLS 1.3 only (-tls1_3)
#             legacy  TLS 1.0 and 1.1 only, @SECLEVEL=0, RSA key exchange preferred (what
#                     Microsoft's legacy endpoints speak)
#       Serves the test PKI's outlook.office365.com certificate with -www (an HTTP status page
#       for each connection, any number of connections) on 127.0.0.1:PORT, waits until PORT
#       accepts, and records the PID; every server is killed at exit.
#   srv_stop PORT
#   srv_log PORT      path of that server's output
#
# Every scenario runs inside its own tests/lib/netns-run, so fixed ports never clash; the
# defaults below are still distinct so that one scenario can run several servers.
# The servers never see LD_PRELOAD or TLSFLOOR_*: cases hand those to clients only.

SRV_PORT_MODERN=4433
SRV_PORT_TLS12=4434
SRV_PORT_TLS13=4435
SRV_PORT_LEGACY=4436

declare -A SRV_PIDS=()
declare -A SRV_LOGS=()

_srv_cleanup() {
    local port
    for port in "${!SRV_PIDS[@]}"; do
        srv_stop "$port"
    done
}
if declare -F tf_at_exit >/dev/null; then
    tf_at_exit _srv_cleanup
else
    trap _srv_cleanup EXIT
fi

srv_log() { echo "${SRV_LOGS[$1]:-}"; }

srv_stop() {
    local port=$1 pid=${SRV_PIDS[$1]:-}
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    unset "SRV_PIDS[$port]"
}

_srv_port_open() {
    # bash's /dev/tcp: a plain TCP connect, closed at once.
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

srv_start() {
    local kind=$1 port=$2
    shift 2
    local pki=${TF_PKI:?TF_PKI not set (call tf_init first)}
    local work=${TF_WORK:-${TMPDIR:-/tmp}}
    local -a args
    case $kind in
        modern) args=(-no_ssl3 -no_tls1 -no_tls1_1) ;;
        tls12)  args=(-tls1_2) ;;
        tls13)  args=(-tls1_3) ;;
        # RSA key exchange preferred: a client at Debian's SECLEVEL 2 refuses the SHA-1
        # signatures an ECDHE exchange needs at TLS 1.0/1.1, but completes this one.
        legacy) args=(-min_protocol TLSv1 -max_protocol TLSv1.1 -serverpref
                      -cipher 'AES256-SHA:AES128-SHA:DEFAULT:@SECLEVEL=0') ;;
        *) echo "srv_start: unknown server kind $kind" >&2; return 1 ;;
    esac
    if [ -n "${SRV_PIDS[$port]:-}" ]; then
        echo "srv_start: port $port already has a server" >&2
        return 1
    fi
    if _srv_port_open "$port"; then
        echo "srv_start: something already listens on 127.0.0.1:$port" >&2
        return 1
    fi
    local log=$work/server-$kind-$port.log
    env -u LD_PRELOAD -u TLSFLOOR_MODE -u TLSFLOOR_MIN -u TLSFLOOR_LOG -u TLSFLOOR_CONFIG \
        openssl s_server -accept "127.0.0.1:$port" -www \
        -cert "$pki/server.pem" -key "$pki/server.key" -CAfile "$pki/ca.pem" \
        "${args[@]}" "$@" </dev/null >"$log" 2>&1 &
    local pid=$!
    SRV_PIDS[$port]=$pid
    SRV_LOGS[$port]=$log
    local i
    for ((i = 0; i < 100; i++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "srv_start: openssl s_server ($kind, port $port) exited early:" >&2
            sed 's/^/    | /' "$log" >&2
            unset "SRV_PIDS[$port]"
            return 1
        fi
        if grep -q '^ACCEPT' "$log" && _srv_port_open "$port"; then
            echo "  server $kind on 127.0.0.1:$port (pid $pid, log $log)"
            return 0
        fi
        sleep 0.1
    done
    echo "srv_start: openssl s_server ($kind, port $port) did not accept within 10 s:" >&2
    sed 's/^/    | /' "$log" >&2
    srv_stop "$port"
    return 1
}

srv_start_modern() { srv_start modern "${1:-$SRV_PORT_MODERN}" "${@:2}"; }
srv_start_tls12()  { srv_start tls12 "${1:-$SRV_PORT_TLS12}" "${@:2}"; }
srv_start_tls13()  { srv_start tls13 "${1:-$SRV_PORT_TLS13}" "${@:2}"; }
srv_start_legacy() { srv_start legacy "${1:-$SRV_PORT_LEGACY}" "${@:2}"; }
