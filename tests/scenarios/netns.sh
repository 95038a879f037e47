#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# The namespace runner itself: only loopback, the standard Microsoft names resolve to 127.0.0.1,
# the legacy names do not resolve, DNS fails fast, and the servers helper works.
. "$(dirname "$0")/common.sh"
tf_init netns

tf_case "only loopback is visible"
links=$(ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')
[ "$links" = "lo " ] || tf_fail "interfaces: $links"
# (Captured, then searched: `ip | grep -q` under pipefail fails when grep exits before ip's
# second write.)
addrs=$(ip -o addr show dev lo)
grep -qF ' inet 127.0.0.1/8 ' <<<"$addrs" || tf_fail "lo has no 127.0.0.1 (not up?): $addrs"
if [ "$(cat /proc/sys/net/ipv6/conf/lo/disable_ipv6 2>/dev/null)" = 0 ]; then
    grep -qF ' inet6 ::1/128 ' <<<"$addrs" || tf_fail "lo has no ::1: $addrs"
fi

tf_case "loopback-only waits for lo's address, and gives up after a bound"
# In a further network namespace: lo up but 127.0.0.1 removed; it comes back a second later.
lo_only=$TF_LIB/loopback-only
tf_run lo-wait unshare -n -- /bin/bash -c 'ip link set lo up && ip addr del 127.0.0.1/8 dev lo || exit 9
    (sleep 1; ip addr add 127.0.0.1/8 dev lo) &
    s=$(date +%s%N); "$0"; rc=$?; echo "waited_ms=$(( ($(date +%s%N) - s) / 1000000 ))"; exit $rc' "$lo_only"
waited=$(sed -n 's/^waited_ms=//p' "$TF_OUT")
if [ "$TF_RC" != 0 ] || [ "${waited:-0}" -lt 800 ]; then
    tf_fail "loopback-only did not wait for 127.0.0.1: status $TF_RC after ${waited:-?} ms (want 0 after about 1000)"
    tf_show_run
fi
start=$(date +%s)
tf_run lo-never unshare -n -- /bin/bash -c 'ip link set lo up && ip addr del 127.0.0.1/8 dev lo && "$0"' "$lo_only"
secs=$(( $(date +%s) - start ))
if [ "$TF_RC" != 2 ] || ! grep -q 'has no inet 127.0.0.1/8' "$TF_ERR" || [ "$secs" -gt 10 ]; then
    tf_fail "loopback-only without 127.0.0.1: status $TF_RC after $secs s (want 2, a message, about 5 s)"
    tf_show_run
fi

tf_case "standard names resolve to 127.0.0.1"
# (getent ahosts: getaddrinfo as programs call it; ahostsv4 adds AI_ADDRCONFIG, which finds
# no IPv4 address worth having when only loopback exists.)
for name in outlook.office365.com smtp.office365.com partner.outlook.cn smtp.partner.outlook.cn; do
    addrs=$(getent ahosts "$name" | awk '{print $1}' | sort -u | tr '\n' ' ')
    [ "$addrs" = "127.0.0.1 " ] || tf_fail "$name resolves to '${addrs}', expected only 127.0.0.1"
done
addrs=$(getent ahosts localhost | awk '{print $1}')
grep -qx 127.0.0.1 <<<"$addrs" || tf_fail "localhost does not resolve to 127.0.0.1"

tf_case "legacy names do not resolve, quickly"
for name in pop-legacy.office365.com imap-legacy.office365.com smtp-legacy.office365.com \
            pop-legacy.partner.outlook.cn imap-legacy.partner.outlook.cn smtp-legacy.partner.outlook.cn \
            example.com; do
    start=$(date +%s%N)
    if out=$(timeout 20 getent hosts "$name"); then
        tf_fail "$name resolves: $out"
    fi
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    [ "$ms" -lt 5000 ] || tf_fail "looking up $name took $ms ms"
done

tf_case "servers accept only what they should"
srv_start_modern "$SRV_PORT_MODERN" || tf_fail "modern server did not start"
srv_start_tls12 "$SRV_PORT_TLS12" || tf_fail "TLS 1.2 server did not start"
srv_start_tls13 "$SRV_PORT_TLS13" || tf_fail "TLS 1.3 server did not start"
srv_start_legacy "$SRV_PORT_LEGACY" || tf_fail "legacy server did not start"
# name:port:s_client args:expected protocol or "fail"
for spec in "modern:$SRV_PORT_MODERN:-tls1_3:TLSv1.3" "modern:$SRV_PORT_MODERN:-tls1_2:TLSv1.2" \
            "modern:$SRV_PORT_MODERN:-tls1_1:fail" "tls12:$SRV_PORT_TLS12:-tls1_3:fail" \
            "tls12:$SRV_PORT_TLS12::TLSv1.2" "tls13:$SRV_PORT_TLS13::TLSv1.3" \
            "tls13:$SRV_PORT_TLS13:-tls1_2:fail" "legacy:$SRV_PORT_LEGACY:-tls1:TLSv1" "legacy:$SRV_PORT_LEGACY:-tls1_1:TLSv1.1"; do
    IFS=: read -r kind port arg want <<<"$spec"
    # shellcheck disable=SC2086
    tf_run "s_client-$kind$arg" openssl s_client -connect "$HOST:$port" -servername "$HOST" \
        -CAfile "$TF_PKI/ca.pem" -verify_return_error -cipher 'DEFAULT:@SECLEVEL=0' $arg
    # "Protocol :" in the session block (absent for TLS 1.3 when no ticket came before EOF);
    # "New, X, Cipher is" names the cipher's version, right for TLS 1.3 only.
    got=$(sed -n 's/^ *Protocol *: *//p' "$TF_OUT" | head -1)
    [ -n "$got" ] || got=$(sed -n 's/^New, \(TLSv1\.3\), Cipher is .*/\1/p' "$TF_OUT" | head -1)
    if [ "$want" = fail ]; then
        [ "$TF_RC" != 0 ] || { tf_fail "$kind server accepted s_client $arg ($got)"; tf_show_run; }
    elif [ "$TF_RC" != 0 ] || [ "$got" != "$want" ]; then
        tf_fail "$kind server with s_client $arg: rc=$TF_RC protocol '$got', expected $want"
        tf_show_run
    fi
done

tf_done
