#!/bin/bash
# bench-provider.sh [BUILD_DIR] [SECONDS]: the provider's cost per TLS handshake.
# Full TLS 1.2 handshakes (the ones that pass through the tlsfloor TLS1-PRF wrapper: master
# secret, key expansion, both Finished) with `openssl s_time -new` against a local s_server,
# client with the shipped enforce config vs with no provider, alternated, best of 3 each.
# Prints handshakes/sec both ways and the ratio with/without (1.00 = no cost).
# Runs in a private network namespace (loopback only; needs root for unshare).
set -euo pipefail
build=${1:-$(cd "$(dirname "$0")/.." && pwd)/build}
secs=${2:-3}
if [ "${TFP_BENCH_NS:-}" != 1 ]; then
    exec unshare -n -- env TFP_BENCH_NS=1 /bin/bash "$(readlink -f "$0")" "$(readlink -f "$build")" "$secs"
fi
ip link set lo up
cnf=$build/provider/tlsfloor.cnf
[ -f "$cnf" ] && [ -f "$build/provider/tlsfloor.so" ] || { echo "bench-provider: build $build first" >&2; exit 2; }
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
printf '# no provider\n' > "$work/empty.cnf"
sed -e 's|^log = .*|log = none|' "$cnf" > "$work/with.cnf"
OPENSSL_CONF=$work/empty.cnf openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 -subj /CN=localhost 2>/dev/null
OPENSSL_CONF=$work/empty.cnf openssl s_server -accept 127.0.0.1:4450 -cert "$work/cert.pem" -key "$work/key.pem" \
    -tls1_2 -quiet -naccept 1000000 < /dev/null > /dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do ss -ltnH 'sport = :4450' | grep -q . && break; sleep 0.05; done
OPENSSL_CONF=$work/with.cnf openssl list -kdf-algorithms | grep -q 'TLS1-PRF @ tlsfloor' \
    || { echo "bench-provider: the provider does not load from $cnf" >&2; exit 2; }

rate() {  # rate CONF: full handshakes per second of wall time
    OPENSSL_CONF=$1 openssl s_time -connect 127.0.0.1:4450 -new -time "$secs" 2>/dev/null \
        | sed -n 's/^\([0-9]*\) connections in \([0-9.]*\)s;.*/\1 \2/p' | awk '{ if ($2 > 0) printf "%.1f\n", $1 / $2 }' | head -1
}
best_with=0 best_without=0
for _ in 1 2 3; do
    w=$(rate "$work/empty.cnf"); best_without=$(awk -v a="$best_without" -v b="$w" 'BEGIN { print (b > a ? b : a) }')
    w=$(rate "$work/with.cnf"); best_with=$(awk -v a="$best_with" -v b="$w" 'BEGIN { print (b > a ? b : a) }')
done
echo "provider bench: TLS 1.2 full handshakes/s (openssl s_time -new, ${secs}s x3, best):"
echo "  without provider: $best_without"
echo "  with provider:    $best_with"
awk -v a="$best_with" -v b="$best_without" 'BEGIN { if (b > 0) printf "  ratio with/without: %.3f\n", a / b; else print "  ratio: n/a" }'
