#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# program.sh s_client-tls1|s_client-tls1_1|curl|python
# Real, unmodified programs that cap TLS below 1.2 against a TLS 1.2+-only server: they fail
# without the shim, connect at >= 1.2 with it (the log naming the program's own module as the
# caller), and still fail in audit mode. The programs run as nobody (root is needed only for the
# namespace), so what they read or write lives in a public folder: the shim, the CA, the logs.
. "$(dirname "$0")/common.sh"
prog=$1
tf_init "program-$prog"
srv_start modern 4433 || { tf_fail "server did not start"; tf_done; }
getent passwd nobody >/dev/null || { tf_fail "no user nobody"; tf_done; }
AS_NOBODY=(setpriv --reuid=nobody --regid="$(id -gn nobody)" --clear-groups env HOME=/nonexistent)
pub=$(tf_public_dir "program-$prog")
chown nobody: "$pub"
cp "$TF_PKI/ca.pem" "$pub/ca.pem"
[ ! -f "$TF_SHIM" ] || cp "$TF_SHIM" "$pub/libtlsfloor.so"   # (tf_need_shim below says if it is not)
TF_SHIM=$pub/libtlsfloor.so
ca=$pub/ca.pem
url=https://$HOST:4433/

# CMD: the program; OK_RE: what its stdout shows on success; EVENTS: event:old:new checks;
# MODULE_RE: the caller frame's module.
case $prog in
    s_client-tls1|s_client-tls1_1)
        flag=-${prog#s_client-}
        old=TLSv1.0
        [ "$flag" = -tls1 ] || old=TLSv1.1
        CMD=(openssl s_client "$flag" -connect "$HOST:4433" -servername "$HOST" -CAfile "$ca"
             -verify_return_error -verify_hostname "$HOST")
        OK_RE='^(New, TLSv1\.3, Cipher is |    Protocol  ?: TLSv1\.[23]$)'
        EVENTS=("min_version_raised:$old:TLSv1.2" "max_version_raised:$old:TLSv1.3")
        MODULE_RE='/openssl$'
        ;;
    curl)
        command -v curl >/dev/null || { tf_fail "curl is not installed"; tf_done; }
        CMD=(curl -sS --tlsv1.0 --tls-max 1.1 --cacert "$ca" -o "$pub/curl-page" -w 'http=%{http_code}\n' "$url")
        OK_RE='^http=200$'
        EVENTS=("min_version_raised:TLSv1.0:TLSv1.2" "max_version_raised:TLSv1.1:TLSv1.3")
        MODULE_RE='/libcurl[^/]*\.so'
        ;;
    python)
        cat >"$pub/client.py" <<'PY'
import socket, ssl, sys
host, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
ctx.maximum_version = ssl.TLSVersion.TLSv1_1
with socket.create_connection((host, port), timeout=20) as s:
    with ctx.wrap_socket(s, server_hostname=host) as t:
        print("version=%s cipher=%s" % (t.version(), t.cipher()[0]))
PY
        CMD=(/usr/bin/python3 "$pub/client.py" "$HOST" 4433 "$ca")
        OK_RE='^version=TLSv1\.[23] '
        EVENTS=("max_version_raised:TLSv1.1:TLSv1.3")
        MODULE_RE='/_ssl[^/]*\.so'
        ;;
    *) tf_fail "program.sh does not know $prog"; tf_done ;;
esac

tf_case "$prog: without the shim it fails"
tf_expect_fail "$prog, no shim" "${AS_NOBODY[@]}" "${CMD[@]}"

tf_case "$prog: with the shim it connects at >= TLS 1.2"
if tf_need_shim; then
    log=$pub/enforce.jsonl
    shim_env "$log"
    tf_expect_ok "$prog, shim" "${AS_NOBODY[@]}" "${SHIM[@]}" "${CMD[@]}" && tf_expect_output_has "$OK_RE"
    tf_log "$log" json
    owner=$(stat -c %U "$log" 2>/dev/null)
    [ "$owner" = nobody ] || tf_fail "the log was written by '$owner', not by the program running as nobody"
    for ev in "${EVENTS[@]}"; do
        IFS=: read -r event old new <<<"$ev"
        tf_log "$log" expect "$event" --mode enforce --module-re "$MODULE_RE" --detail "old=$old" --detail "new=$new"
    done
    for e in method_pinned option_cleared cipher_list_extended handshake_failed; do
        tf_log "$log" absent "$e"
    done
    tf_log "$log" expect handshake --mode enforce --detail changed=true --detail "sni=$HOST" \
        --detail-re 'version=^TLSv1\.[23]$' --module-re "$MODULE_RE"
fi

tf_case "$prog: in audit mode it still fails, and says what it would have done"
if tf_need_shim; then
    log=$pub/audit.jsonl
    shim_env "$log" TLSFLOOR_MODE=audit
    tf_expect_fail "$prog, shim, audit" "${AS_NOBODY[@]}" "${SHIM[@]}" "${CMD[@]}"
    tf_log "$log" json
    for ev in "${EVENTS[@]}"; do
        IFS=: read -r event old new <<<"$ev"
        tf_log "$log" expect "$event" --mode audit --module-re "$MODULE_RE" --detail "old=$old"
    done
    tf_log "$log" expect handshake_failed --mode audit --detail changed=false
fi

tf_done
