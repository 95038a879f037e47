# Helpers for the rewrite tests (sourced by run.sh, inside tests/lib/netns-run).
# Needs: BUILD SRC set.  Gives: WORK, LIB, CLIENT, PKI (test CA + wildcard cert), OTHER (another
# CA, untrusted), STRICT (test CA, outlook/smtp names only), WRONG (test CA, other.example.test).

# TF_REWRITE_LIB: another build of the shim (to show a case fails on an older one)
LIB=${TF_REWRITE_LIB:-$BUILD/preload/libtlsfloor.so}
CLIENT=$BUILD/tests/rewrite/resolveclient
HERE=$SRC/tests/rewrite
PY=/usr/bin/python3
LOGTOOL=${TLSFLOOR_LOGTOOL:-$BUILD/report/tlsfloor-log}
. "$SRC/tests/lib/logcheck.sh"   # tf_ere_quote

# pass, fail, finish (check, below, is this area's log check)
. "$SRC/tests/lib/assert.sh"
SERVER_PIDS=()

cleanup() {
    local p
    for p in "${SERVER_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${SERVER_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    if [ "$ASSERT_FAILS" -eq 0 ] && [ -z "${KEEP_WORK:-}" ]; then rm -rf "$WORK"; else echo "work dir kept: $WORK"; fi
}

setup() {
    local name=$1
    [ -x "$CLIENT" ] || { echo "no client at $CLIENT" >&2; exit 2; }
    [ -f "$LIB" ] || { echo "no shim at $LIB" >&2; exit 2; }
    [ "${TLSFLOOR_IN_NETNS:-}" = 1 ] || { echo "run me inside tests/lib/netns-run" >&2; exit 2; }
    # nothing from the caller's environment decides what the shim does
    local v
    for v in $(env | sed -n 's/^\(TLSFLOOR_[A-Z_]*\)=.*/\1/p'); do
        [ "$v" = TLSFLOOR_IN_NETNS ] || unset "$v"
    done
    unset LD_PRELOAD SSL_CERT_FILE SSL_CERT_DIR
    mkdir -p "$BUILD/tests/rewrite"
    WORK=$(mktemp -d "$BUILD/tests/rewrite/work.$name.XXXXXX")
    trap cleanup EXIT
    : > "$WORK/empty.conf"
    PKI=$BUILD/tests/rewrite/pki
    OTHER=$BUILD/tests/rewrite/pki-other
    "$SRC/tests/lib/mkpki" "$PKI" >/dev/null
    "$SRC/tests/lib/mkpki" "$OTHER" >/dev/null
    STRICT=$BUILD/tests/rewrite/pki-strict
    WRONG=$BUILD/tests/rewrite/pki-wrong
    leaf "$STRICT" "DNS:outlook.office365.com, DNS:smtp.office365.com, DNS:partner.outlook.cn, DNS:smtp.partner.outlook.cn, DNS:localhost"
    leaf "$WRONG" "DNS:other.example.test"
}

# leaf DIR SAN: a server key/cert signed by the test CA with exactly these names (idempotent).
leaf() {
    local dir=$1 san=$2
    mkdir -p "$dir"
    (
        flock 9
        [ -s "$dir/server.pem" ] && [ -s "$dir/server.key" ] && exit 0
        export OPENSSL_CONF=/dev/null
        printf '[req]\ndistinguished_name=dn\nprompt=no\n[dn]\nO=tlsfloor tests\nCN=rewrite leaf\n[ext]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$san" > "$dir/leaf.cnf"
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/k.tmp" 2>/dev/null
        openssl req -new -config "$dir/leaf.cnf" -key "$dir/k.tmp" -out "$dir/csr.tmp"
        openssl x509 -req -in "$dir/csr.tmp" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
            -days 3650 -sha256 -extfile "$dir/leaf.cnf" -extensions ext -out "$dir/c.tmp" 2>/dev/null
        mv "$dir/k.tmp" "$dir/server.key"
        mv "$dir/c.tmp" "$dir/server.pem"
        rm -f "$dir/csr.tmp"
    ) 9>"$dir/.lock"
}

# server NAME PORT CERTDIR [tlsserver.py options...]: starts it, waits until it listens.
# Its connection log is $WORK/NAME.server.jsonl.
server() {
    local name=$1 port=$2 dir=$3
    shift 3
    "$PY" "$HERE/tlsserver.py" --port "$port" --cert "$dir/server.pem" --key "$dir/server.key" \
        --log "$WORK/$name.server.jsonl" --ready "$WORK/$name.ready" "$@" 2>>"$WORK/$name.server.err" &
    SERVER_PIDS+=($!)
    local i
    for i in $(seq 100); do
        [ -f "$WORK/$name.ready" ] && return 0
        sleep 0.05
    done
    echo "server $name did not start" >&2
    cat "$WORK/$name.server.err" >&2
    exit 2
}

# The servers most cases use (all present the certificate for outlook.office365.com):
#   9931 strict names, test CA, IMAP; refuses any SNI that is not a standard name
#   9932 wildcard cert (*.office365.com, as Microsoft's), IMAP, SNI must be outlook.office365.com
#   9933 same, POP3
#   9934 another CA (not trusted anywhere), wildcard cert, IMAP
#   9935 test CA, only other.example.test, IMAP
STD_NAMES=outlook.office365.com,smtp.office365.com,partner.outlook.cn,smtp.partner.outlook.cn,localhost
servers() {
    server strict 9931 "$STRICT" --require-sni "$STD_NAMES"
    server imap 9932 "$PKI" --require-sni outlook.office365.com
    server pop3 9933 "$PKI" --proto pop3 --require-sni outlook.office365.com
    server untrusted 9934 "$OTHER"
    server wrong 9935 "$WRONG"
}

# The last SNI a server saw ("None" when the client sent none).
last_sni() {
    "$PY" -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; print(r[-1]["sni"] if r else "NO-CONNECTION")' \
        "$WORK/$1.server.jsonl" 2>/dev/null || echo NO-CONNECTION
}

# run TAG CMD...: runs CMD (stdout+stderr to $WORK/TAG.out), sets RC, shows the output.
run() {
    local tag=$1
    shift
    "$@" > "$WORK/$tag.out" 2>&1
    RC=$?
    echo "--- $tag (rc $RC): $*"
    sed 's/^/    /' "$WORK/$tag.out" | head -20
}

# with the shim; LOG is the JSON log of the current step
shim() {
    env LD_PRELOAD="$LIB" TLSFLOOR_LOG="$LOG" TLSFLOOR_CONFIG="${CONF:-$WORK/empty.conf}" "$@"
}

noshim() {
    env -u LD_PRELOAD "$@"
}

newlog() { LOG=$WORK/$1.tf.jsonl; rm -f "$LOG"; }

expect_rc() {   # expect_rc WANT WHAT
    if [ "$RC" -eq "$1" ]; then pass "$2: exit $RC"; else fail "$2: exit $RC, want $1"; fi
}
expect_rc_not() {
    if [ "$RC" -ne "$1" ]; then pass "$2: exit $RC (not $1)"; else fail "$2: exit $RC"; fi
}
expect_out() {   # expect_out TAG REGEX WHAT
    if grep -Eq -- "$2" "$WORK/$1.out"; then pass "$3"; else fail "$3: no /$2/ in $1 output"; fi
}
expect_no_out() {
    if grep -Eq -- "$2" "$WORK/$1.out"; then fail "$3: /$2/ in $1 output"; else pass "$3"; fi
}
same_out() {     # same_out TAG1 TAG2 WHAT: byte-for-byte equal outputs
    if cmp -s "$WORK/$1.out" "$WORK/$2.out"; then pass "$3"; else
        fail "$3: outputs differ"; diff "$WORK/$1.out" "$WORK/$2.out" | sed 's/^/    /' | head -20
    fi
}
# check expect|count|none EVENT [N] [COND...]: at least one / exactly N / no record of EVENT with
# every COND, and every line of $LOG keeps the log contract (tlsfloor-log --check; a missing $LOG
# counts as empty). COND: KEY=VALUE (a detail key; true/false/null and numbers by value), mode=M,
# symbol=S and module~=TEXT (the record's own first caller frame), count=N (caller.count),
# frames=yes|no.
check() {
    local op=$1 event=$2 want=() where=() c k v log=$LOG what="$*"
    shift 2
    case $op in
        expect) want=(--expect-min 1) ;;
        count) want=(--expect "$1"); shift ;;
        none) want=(--none) ;;
        *) fail "check: unknown operation $op"; return ;;
    esac
    for c in "$@"; do
        k=${c%%=*} v=${c#*=}
        case $k in
            mode) where+=(--mode "$v") ;;
            symbol) where+=(--where caller.frames=yes --where "frame.symbol=$v") ;;
            module~) where+=(--where caller.frames=yes --where "frame.module~$(tf_ere_quote "$v")") ;;
            count) where+=(--where "caller.count=$v") ;;
            frames) where+=(--where "caller.frames=$v") ;;
            *) where+=(--where "detail.$k=$v") ;;
        esac
    done
    [ -e "$log" ] || log=/dev/null
    if "$LOGTOOL" --check --allow-empty --event "$event" "${where[@]}" "${want[@]}" "$log" >"$WORK/check.out" 2>&1; then
        pass "log: $what"
    else
        fail "log check: $what"; sed 's/^/    /' "$WORK/check.out" | head -30
    fi
}
expect_sni() {   # expect_sni SERVER NAME
    local got
    got=$(last_sni "$1")
    if [ "$got" = "$2" ]; then pass "server $1 received SNI $2"; else fail "server $1 received SNI $got, want $2"; fi
}

