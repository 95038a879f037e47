# shellcheck shell=bash disable=SC2034
# Shared helpers of the provider tests (sourced). Needs TLSFLOOR_BUILD_DIR, TLSFLOOR_SOURCE_DIR and runs
# inside tests/lib/netns-run (loopback only).
set -uo pipefail
TFP_BUILD=${TLSFLOOR_BUILD_DIR:?TLSFLOOR_BUILD_DIR must point at the build tree}
TFP_SRC=${TLSFLOOR_SOURCE_DIR:?TLSFLOOR_SOURCE_DIR must point at the source tree}
export TFP_BUILD TFP_SRC   # (helpers run as programs read them too)
[ "${TLSFLOOR_IN_NETNS:-}" = 1 ] || { echo "run me through tests/lib/netns-run" >&2; exit 2; }
# pass, fail, check, finish
. "$TFP_SRC/tests/lib/assert.sh"

# The provider reads these; the tests set mode and log through the config only.
unset TLSFLOOR_MODE TLSFLOOR_LOG
TFP_MODULE=$TFP_BUILD/provider/tlsfloor.so
TFP_SHIPPED=$TFP_BUILD/provider/tlsfloor.cnf
TFP_SHIPPED_AUDIT=$TFP_BUILD/provider/tlsfloor-audit.cnf
TF_LOGTOOL=${TF_LOGTOOL:-$TFP_BUILD/report/tlsfloor-log}   # records() counts with it
TFP_REFUSED="legacy TLS 1.0/1.1 handshake refused by tlsfloor"
SSLCIPHERS='DEFAULT:@SECLEVEL=0'
WORK=$(mktemp -d /tmp/tfp-test.XXXXXX)
chmod 755 "$WORK"
TFP_PIDS=()

tfp_cleanup() {
    local p
    for p in "${TFP_PIDS[@]}"; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    if [ "$ASSERT_FAILS" -eq 0 ] || [ -z "${TFP_KEEP:-}" ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi
}
trap tfp_cleanup EXIT


# tfp_public_dir NAME: a folder every user can reach, wherever the checkout lives (a home
# directory is 0700 on Debian 12; tests never change permissions outside the build tree):
# /mnt/NAME on a tmpfs over /mnt in this test's private mount namespace (tests/lib/public-dir).
tfp_public_dir() { "$TFP_SRC/tests/lib/public-dir" "$1"; }

# A config without any provider (what a server uses so that only the client side is tested).
printf '# empty: the default provider only\n' > "$WORK/empty.cnf"
EMPTY_CNF=$WORK/empty.cnf

# tfp_conf OUT MODE LOG [keep-ssl]: the shipped build-tree config with mode and log replaced;
# without keep-ssl its ssl_conf line goes, so only the provider can refuse anything.
tfp_conf() {
    local out=$1 mode=$2 log=$3 keep=${4:-}
    sed -e "s|^mode = .*|mode = $mode|" -e "s|^log = .*|log = $log|" "$TFP_SHIPPED" > "$out"
    [ -n "$keep" ] || sed -i -e '/^ssl_conf = /d' "$out"
    grep -q "^mode = $mode\$" "$out" && grep -q "^log = $log\$" "$out" || { echo "tfp_conf: $TFP_SHIPPED has no mode/log lines" >&2; exit 2; }
}

# records LOG [KEY=VALUE...]: number of legacy_handshake records (with every tlsfloor-log --where
# KEY=VALUE: detail.version=TLSv1.1, mode=audit, exe~ERE ...) in a JSON log.
records() {
    local log=$1 w args=(); shift
    if [ ! -f "$log" ]; then echo 0; return; fi
    for w in "$@"; do args+=(--where "$w"); done
    "$TF_LOGTOOL" --event legacy_handshake "${args[@]}" --count "$log"
}

tfp_pki() {
    OPENSSL_CONF=$EMPTY_CNF openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
        -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
    chmod 644 "$WORK/key.pem" "$WORK/cert.pem"
}

# start_server PORT [s_server options...]: an openssl s_server on 127.0.0.1 without the provider.
start_server() {
    local port=$1; shift
    OPENSSL_CONF=$EMPTY_CNF openssl s_server -accept "127.0.0.1:$port" -cert "$WORK/cert.pem" -key "$WORK/key.pem" \
        -cipher "$SSLCIPHERS" -www -quiet "$@" > "$WORK/server-$port.log" 2>&1 < /dev/null &
    TFP_PIDS+=($!)
    for _ in $(seq 1 100); do
        if ss -ltnH "sport = :$port" | grep -q .; then return 0; fi
        sleep 0.05
    done
    echo "server on port $port did not start:" >&2
    cat "$WORK/server-$port.log" >&2
    exit 2
}
