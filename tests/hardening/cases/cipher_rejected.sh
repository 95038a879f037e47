# shellcheck shell=bash
# hardening_cipher_rejected (issue 10, item 14): a cipher string the library rejects stays rejected
# under tlsfloor (it once retried it extended, and failed open); nothing says applied:true.
log=$work/log.jsonl
prog='
import ssl, sys
ctx = ssl.create_default_context()
try:
    ctx.set_ciphers(sys.argv[1])
except ssl.SSLError as e:
    print("rejected:", e)
    sys.exit(0)
print("accepted")
sys.exit(3)
'
"$PYTHON3" -c "$prog" "ECDHE-ECDSA-AES256-GCM-SHA999" >"$work/base" || fail "baseline: the library accepted it"
for mode in enforce audit; do
    : >"$log"
    TLSFLOOR_MODE=$mode TLSFLOOR_LOG=$log tf "$PYTHON3" -c "$prog" "ECDHE-ECDSA-AES256-GCM-SHA999" >"$work/out" 2>&1 \
        || fail "$mode: a rejected cipher list was accepted under tlsfloor: $(cat "$work/out")"
    [ ! -s "$log" ] || checklog "$log" --no-event cipher_list_extended
done
