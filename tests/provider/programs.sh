#!/bin/bash
# Real programs under OPENSSL_CONF against a local TLS 1.0 server (openssl s_server -tls1 at
# @SECLEVEL=0) and a TLS 1.2 control server: openssl s_client -tls1, curl --tlsv1.0 --tls-max 1.1,
# /usr/bin/python3 with minimum/maximum_version = TLSv1.
#   no provider: the legacy handshake completes (the setup really speaks TLS 1.0);
#   enforce (provider only, no ssl_conf): refused by the provider, one record applied:true;
#   audit: completes, one record applied:false;  TLS 1.2 control under enforce: works, no record;
#   the shipped enforce config (with its ssl_conf): refused.
# shellcheck source=tests/provider/lib.sh
source "$(dirname "$0")/lib.sh"
tfp_pki
start_server 4433 -tls1
start_server 4434 -tls1_2
tfp_conf "$WORK/enforce.cnf" enforce "$WORK/enforce.jsonl"
tfp_conf "$WORK/audit.cnf" audit "$WORK/audit.jsonl"
tfp_conf "$WORK/shipped.cnf" enforce "$WORK/shipped.jsonl" keep-ssl

s_client_legacy() { timeout 20 openssl s_client -connect 127.0.0.1:4433 -tls1 -cipher "$SSLCIPHERS" < /dev/null; }
s_client_control() { timeout 20 openssl s_client -connect 127.0.0.1:4434 < /dev/null; }
curl_legacy() { curl -sSk --max-time 10 --tlsv1.0 --tls-max 1.1 --ciphers "$SSLCIPHERS" https://127.0.0.1:4433/; }
curl_control() { curl -sSk --max-time 10 https://127.0.0.1:4434/; }
py() {
    timeout 20 /usr/bin/python3 - "$@" <<'PY'
import socket, ssl, sys
port, legacy = int(sys.argv[1]), sys.argv[2] == "legacy"
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
if legacy:
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.maximum_version = ssl.TLSVersion.TLSv1
try:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        with ctx.wrap_socket(s) as t:
            print("connected", t.version())
except Exception as e:
    print("error:", e)
    sys.exit(1)
PY
}
python_legacy() { py 4433 legacy; }
python_control() { py 4434 control; }

# run NAME CONF: runs NAME under OPENSSL_CONF=CONF, output in $WORK/NAME.out; returns its status.
run() { OPENSSL_CONF=$2 "$1" > "$WORK/$1.out" 2>&1; }
declare -A EXE=([s_client]=$(readlink -f /usr/bin/openssl) [curl]=$(readlink -f /usr/bin/curl) [python]=$(readlink -f /usr/bin/python3))

for prog in s_client curl python; do
    # No provider at all: the legacy handshake works, so a refusal below is the provider's doing.
    if run "${prog}_legacy" "$EMPTY_CNF"; then pass "$prog: TLS 1.0 completes without the provider"; else fail "$prog: TLS 1.0 fails even without the provider"; cat "$WORK/${prog}_legacy.out"; fi

    n=$(records "$WORK/enforce.jsonl")
    if run "${prog}_legacy" "$WORK/enforce.cnf"; then fail "$prog: enforce: TLS 1.0 completed"; else pass "$prog: enforce: TLS 1.0 refused"; fi
    m=$(records "$WORK/enforce.jsonl" detail.applied=true)
    check "$prog: enforce: exactly one legacy_handshake record, applied:true" [ "$m" -eq $((n + 1)) ]
    check "$prog: enforce: the record names the program" [ "$(records "$WORK/enforce.jsonl" "exe=${EXE[$prog]}")" -ge 1 ]
    if [ "$prog" = s_client ]; then
        check "s_client: enforce: prints the provider's reason" grep -qF "$TFP_REFUSED" "$WORK/s_client_legacy.out"
    fi

    n=$(records "$WORK/audit.jsonl")
    if run "${prog}_legacy" "$WORK/audit.cnf"; then pass "$prog: audit: TLS 1.0 completes"; else fail "$prog: audit: TLS 1.0 failed"; cat "$WORK/${prog}_legacy.out"; fi
    m=$(records "$WORK/audit.jsonl" detail.applied=false)
    check "$prog: audit: exactly one legacy_handshake record, applied:false" [ "$m" -eq $((n + 1)) ]

    n=$(records "$WORK/enforce.jsonl")
    if run "${prog}_control" "$WORK/enforce.cnf"; then pass "$prog: enforce: TLS 1.2 control works"; else fail "$prog: enforce: TLS 1.2 control failed"; cat "$WORK/${prog}_control.out"; fi
    check "$prog: enforce: no record for TLS 1.2" [ "$(records "$WORK/enforce.jsonl")" -eq "$n" ]
    if run "${prog}_control" "$WORK/shipped.cnf"; then pass "$prog: shipped config: TLS 1.2 control works"; else fail "$prog: shipped config: TLS 1.2 control failed"; cat "$WORK/${prog}_control.out"; fi

    if run "${prog}_legacy" "$WORK/shipped.cnf"; then fail "$prog: shipped enforce config: TLS 1.0 completed"; else pass "$prog: shipped enforce config: TLS 1.0 refused"; fi
done
grep -h . "$WORK"/enforce.jsonl | head -1
finish
