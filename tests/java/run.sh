#!/bin/bash
# run.sh GROUP : Java clients (plain JDK, tests/java/MailClient.java) against the TLS 1.2-only
# Dovecot of tests/mail (127.0.0.1; IMAPS 993, IMAP STARTTLS 143, POP3S 995, SMTP 587 STARTTLS).
# Must run inside tests/lib/netns-run. Each GROUP is one route that pins an old TLS version:
#   getinstance | getinstance-sunjsse | setenabledprotocols | sslparameters | jdk-property | mail-property | properties | https | policy | wrapper
#   tls-setenabledprotocols | factory-setenabledprotocols | implicit | engine | engine-pinned | server
# TLSFLOOR_TEST_JAVA names the java binary to run the cases with (default: java on PATH), so
# that another JDK (Java 11) runs the same cases.
# Every case: fails without tlsfloor; works with the agent (JAVA_TOOL_OPTIONS, or the wrapper),
# the record names the pin and (for code) MailClient's line; in audit mode it still fails and
# the same pin is reported with applied:false.
set -u
group=${1:?usage: run.sh GROUP}
. "$TLSFLOOR_SOURCE_DIR/tests/mail/lib.sh"

: "${TF_JAVA_AGENT:?TF_JAVA_AGENT must name tlsfloor-agent.jar}"
: "${TF_JAVA_CLASSES:?TF_JAVA_CLASSES must name the compiled test clients}"
[ -f "$TF_JAVA_AGENT" ] || { echo "FAIL: $TF_JAVA_AGENT not built (no javac?)"; exit 1; }
[ -f "$TF_JAVA_CLASSES/MailClient.class" ] || { echo "FAIL: MailClient.class not built"; exit 1; }
TEST_JAVA=${TLSFLOOR_TEST_JAVA:-java}
command -v "$TEST_JAVA" >/dev/null || { echo "FAIL: no $TEST_JAVA (apt-get install openjdk-17-jdk-headless)"; exit 1; }
"$TEST_JAVA" -version 2>&1 | head -1

unset JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS    # only what a case sets itself
case $group in
    properties | https | server | legacy) ;;
    *) start_dovecot modern 127.0.0.1 modern || exit 1 ;;
esac
TRUST=$T/trust.p12
keytool -importcert -noprompt -alias tfca -file "$CA" -keystore "$TRUST" -storepass changeit \
    -storetype PKCS12 > "$T/keytool.out" 2>&1 || { echo "FAIL: keytool"; cat "$T/keytool.out"; exit 1; }
JAVA=("$TEST_JAVA" -Djavax.net.ssl.trustStore="$TRUST" -Djavax.net.ssl.trustStorePassword=changeit)
HOST=outlook.office365.com     # 127.0.0.1 in netns-run's /etc/hosts; the certificate's name

# run_java NAME plain|enforce|audit|wrapper|wrapper-audit [JAVA-OPTIONS...] -- CLIENT-ARGS...
run_java() {
    local n=$1 how=$2; shift 2
    local opts=()
    while [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
    local cmd=("${JAVA[@]}" "${opts[@]}" -cp "$TF_JAVA_CLASSES" "${MAIN_CLASS:-MailClient}" "$@")
    : > "$OUT/$n.jsonl"
    case $how in
        plain) "${cmd[@]}" ;;
        enforce | audit)
            env JAVA_TOOL_OPTIONS="-javaagent:$TF_JAVA_AGENT" TLSFLOOR_MODE=$how \
                TLSFLOOR_LOG="$OUT/$n.jsonl" "${cmd[@]}" ;;
        wrapper) TLSFLOOR_LIBRARY=$TF_LIB "$TF_SRC/scripts/tlsfloor" --log "$OUT/$n.jsonl" -- "${cmd[@]}" ;;
        wrapper-audit) TLSFLOOR_LIBRARY=$TF_LIB "$TF_SRC/scripts/tlsfloor" --audit --log "$OUT/$n.jsonl" -- "${cmd[@]}" ;;
    esac > "$OUT/$n.out" 2> "$OUT/$n.err" < /dev/null
    echo $? > "$OUT/$n.rc"
}

PROTOS=("imaps 993" "imap-starttls 143" "pop3s 995" "smtp-starttls 587")

# code_route ROUTE LINE-PATTERN: SSLContext.getInstance pins, recorded as method_pinned with
# MailClient's own frame.
code_route() {
    local route=$1 p proto port n
    for p in "${PROTOS[@]}"; do
        read -r proto port <<< "$p"
        n=$route-$proto
        case_begin "$n"
        run_java "$n-plain" plain -- "$proto" "$route" "$HOST" "$port"
        expect_fail "$n-plain" "without tlsfloor the pinned client fails"
        run_java "$n" enforce -- "$proto" "$route" "$HOST" "$port"
        expect_ok "$n" "with the agent it logs in" "LOGIN OK"
        expect_log "$n" method_pinned detail.old=TLSv1 detail.applied=true \
            frame.class=MailClient frame.method=context frame.file=MailClient.java 'frame.line~^[1-9][0-9]*$'
        expect_log "$n" handshake detail.below_floor=false "detail.port=$port" frame.class=MailClient
        run_java "$n-audit" audit -- "$proto" "$route" "$HOST" "$port"
        expect_fail "$n-audit" "audit mode changes nothing"
        expect_log "$n-audit" method_pinned detail.old=TLSv1 detail.applied=false mode=audit \
            frame.class=MailClient frame.method=context frame.file=MailClient.java 'frame.line~^[1-9][0-9]*$'
    done
}

# socket_route ROUTE VIA OLD: a pin the program sets on a socket of the JDK's default context
# (SSLSocketFactory.getDefault()); in audit mode the failed handshake is recorded too.
socket_route() {
    local route=$1 via=$2 old=$3 p proto port n
    for p in "${PROTOS[@]}"; do
        read -r proto port <<< "$p"
        n=$route-$proto
        case_begin "$n"
        run_java "$n-plain" plain -- "$proto" "$route" "$HOST" "$port"
        expect_fail "$n-plain" "without tlsfloor the pinned client fails"
        run_java "$n" enforce -- "$proto" "$route" "$HOST" "$port"
        expect_ok "$n" "with the agent it logs in" "LOGIN OK"
        expect_log "$n" protocols_raised "detail.old=$old" "detail.via=$via" detail.applied=true \
            frame.class=MailClient frame.method=secure frame.file=MailClient.java 'frame.line~^[1-9][0-9]*$'
        expect_log "$n" handshake detail.below_floor=false "detail.port=$port" frame.class=MailClient
        run_java "$n-audit" audit -- "$proto" "$route" "$HOST" "$port"
        expect_fail "$n-audit" "audit mode changes nothing"
        expect_log "$n-audit" protocols_raised "detail.via=$via" detail.applied=false mode=audit \
            frame.class=MailClient frame.method=secure frame.file=MailClient.java 'frame.line~^[1-9][0-9]*$'
        expect_log "$n-audit" handshake_failed "detail.port=$port" frame.class=MailClient frame.method=secure
    done
}

# engine_route engine|engine-pinned: an SSLEngine the client drives itself over the connection
# (after STARTTLS for 143/587), pinned by setEnabledProtocols("TLSv1") on the engine or by its
# context (getInstance("TLSv1")); its handshake is recorded from wrap/unwrap.
engine_route() {
    local route=$1 p proto port n
    for p in "${PROTOS[@]}"; do
        read -r proto port <<< "$p"
        n=$route-$proto
        case_begin "$n"
        run_java "$n-plain" plain -- "$proto" "$route" "$HOST" "$port"
        expect_fail "$n-plain" "without tlsfloor the pinned engine fails"
        run_java "$n" enforce -- "$proto" "$route" "$HOST" "$port"
        expect_ok "$n" "with the agent it logs in" "LOGIN OK"
        if [ "$route" = engine ]; then
            expect_log "$n" protocols_raised detail.old=TLSv1 detail.via=SSLEngine.setEnabledProtocols detail.applied=true \
                frame.class=MailClient frame.method=secureEngine frame.file=MailClient.java 'frame.line~^[1-9][0-9]*$'
        else
            expect_log "$n" method_pinned detail.old=TLSv1 detail.applied=true frame.class=MailClient frame.method=context
        fi
        expect_log "$n" handshake detail.below_floor=false "detail.port=$port" detail.via=SSLEngine detail.role=client \
            frame.class=MailClient frame.method=secureEngine
        run_java "$n-audit" audit -- "$proto" "$route" "$HOST" "$port"
        expect_fail "$n-audit" "audit mode changes nothing"
        if [ "$route" = engine ]; then
            expect_log "$n-audit" protocols_raised detail.via=SSLEngine.setEnabledProtocols detail.applied=false \
                frame.class=MailClient frame.method=secureEngine frame.file=MailClient.java 'frame.line~^[1-9][0-9]*$'
        else
            expect_log "$n-audit" protocols_raised detail.old=TLSv1 'detail.via=SSLContext engine' detail.applied=false \
                frame.class=MailClient frame.method=secureEngine frame.file=MailClient.java 'frame.line~^[1-9][0-9]*$'
        fi
        # the failure surfaces in the engine's handshake loop (EngineIO.handshake, which
        # MailClient.secureEngine calls): the caller's first frame
        expect_log "$n-audit" handshake_failed "detail.port=$port" detail.via=SSLEngine frame.class=EngineIO frame.method=handshake
        expect_no_log "$n-audit" handshake
    done
}

# implicit: a socket of getInstance("TLS") pinned to TLSv1 and never told startHandshake: the
# first read (IMAPS/POP3S greeting) or write (after STARTTLS) shakes hands; its handshake and,
# in audit mode, its failure are recorded.
implicit_route() {
    local p proto port n
    for p in "${PROTOS[@]}"; do
        read -r proto port <<< "$p"
        n=implicit-$proto
        case_begin "$n"
        run_java "$n-plain" plain -- "$proto" implicit "$HOST" "$port"
        expect_fail "$n-plain" "without tlsfloor the pinned client fails"
        run_java "$n" enforce -- "$proto" implicit "$HOST" "$port"
        expect_ok "$n" "with the agent it logs in" "LOGIN OK"
        expect_log "$n" protocols_raised detail.old=TLSv1 detail.via=SSLSocket.setEnabledProtocols detail.applied=true \
            frame.class=MailClient frame.method=secure frame.file=MailClient.java 'frame.line~^[1-9][0-9]*$'
        expect_log "$n" handshake detail.below_floor=false 'detail.version~^TLSv1\.' "detail.port=$port" frame.class=MailClient
        run_java "$n-audit" audit -- "$proto" implicit "$HOST" "$port"
        expect_fail "$n-audit" "audit mode changes nothing"
        expect_log "$n-audit" protocols_raised detail.via=SSLSocket.setEnabledProtocols detail.applied=false
        expect_log "$n-audit" handshake_failed "detail.port=$port" 'detail.via~^implicit handshake' frame.class=MailClient
    done
}

# server: Java servers pinned to TLSv1 (an SSLServerSocket of getInstance("TLS"), and an
# SSLEngine in server mode) talked to by `openssl s_client -tls1_2`: fail without tlsfloor,
# work with it, audit changes nothing; the pin's record names JavaServer's line.
server_group() {
    KS=$T/server.p12
    openssl pkcs12 -export -in "$PKI/server-chain.pem" -inkey "$PKI/server.key" -out "$KS" \
        -passout pass:changeit > "$T/pkcs12.out" 2>&1 || { echo "FAIL: openssl pkcs12"; cat "$T/pkcs12.out"; exit 1; }
    local mode port how n via driver
    for mode in serversocket engine-server; do
        case $mode in
            serversocket) port=9443; via=SSLServerSocket.setEnabledProtocols ;;
            *) port=9444; via=SSLEngine.setEnabledProtocols ;;
        esac
        case_begin "server-$mode"
        for how in plain enforce audit; do
            n=server-$mode-$how
            run_server "$n" "$how" "$mode" "$port"
        done
        expect_fail "server-$mode-plain-client" "without tlsfloor openssl s_client -tls1_2 is refused"
        expect_ok "server-$mode-enforce-client" "with the agent s_client -tls1_2 is served" "HELLO TLSv1.2"
        expect_ok "server-$mode-enforce" "the server saw it through"
        expect_log "server-$mode-enforce" protocols_raised detail.old=TLSv1 "detail.via=$via" detail.applied=true \
            frame.class=JavaServer frame.method=run frame.file=JavaServer.java 'frame.line~^[1-9][0-9]*$'
        expect_log "server-$mode-enforce" handshake detail.version=TLSv1.2 detail.below_floor=false frame.class=JavaServer
        expect_fail "server-$mode-audit-client" "audit mode changes nothing"
        expect_log "server-$mode-audit" protocols_raised "detail.via=$via" detail.applied=false frame.class=JavaServer
        # a failed engine handshake surfaces in EngineIO.handshake (called by JavaServer.run)
        driver=JavaServer
        [ "$mode" = engine-server ] && driver=EngineIO
        expect_log "server-$mode-audit" handshake_failed "frame.class=$driver"
    done
}

# run_server NAME plain|enforce|audit MODE PORT: JavaServer in the background, one s_client
# connection to it (NAME-client), then the server's own status (NAME).
run_server() {
    local n=$1 how=$2 mode=$3 port=$4 pid i
    local agent=()
    [ "$how" = plain ] || agent=(JAVA_TOOL_OPTIONS="-javaagent:$TF_JAVA_AGENT" TLSFLOOR_MODE="$how" TLSFLOOR_LOG="$OUT/$n.jsonl")
    : > "$OUT/$n.jsonl"
    : > "$OUT/$n.out"
    env "${agent[@]}" "${JAVA[@]}" -cp "$TF_JAVA_CLASSES" JavaServer "$mode" "$port" "$KS" changeit \
        > "$OUT/$n.out" 2> "$OUT/$n.err" < /dev/null &
    pid=$!
    PIDS+=("$pid")
    for i in $(seq 400); do
        grep -q READY "$OUT/$n.out" && break
        sleep 0.05
    done
    timeout 30 openssl s_client -tls1_2 -connect "127.0.0.1:$port" -servername "$HOST" -CAfile "$CA" \
        -verify_return_error -ign_eof < /dev/null > "$OUT/$n-client.out" 2> "$OUT/$n-client.err"
    echo $? > "$OUT/$n-client.rc"
    for i in $(seq 400); do
        kill -0 "$pid" 2> /dev/null || break
        sleep 0.05
    done
    kill "$pid" 2> /dev/null
    wait "$pid"
    echo $? > "$OUT/$n.rc"
}

# legacy: a Java client that names imap-legacy.office365.com (resolved by the shim's rewrite
# through `tlsfloor -- java`) must send SNI outlook.office365.com and verify the certificate
# against it with endpoint identification on (HTTPS and LDAPS), by each way a program names its
# peer to JSSE (createSocket(host, port), createSocket(socket, host, ...), createSSLEngine(host,
# port), HttpsURLConnection). The server's certificate carries outlook.office365.com only, so
# a check against the legacy name fails; one that does not carry it (port 8444) is still refused.
legacy_group() {
    local legacy=imap-legacy.office365.com std=outlook.office365.com
    case_begin legacy-builtin-rules
    # the agent's rules are generated from the rules table (java/builtin-rules.cmake): the jar's
    # source is the table, none missing, none stale
    check "the agent's built-in rules (generated BuiltinRules.java) are the rules table's" diff \
        <(grep -v '^#' "$TF_BUILD/tables/tables/rules.tsv" | sed 's/^\([^\t]*\)\t\(.*\)$/{ "\1", "\2" }/') \
        <(grep -o '{ "[^"]*", "[^"]*" }' "$TF_BUILD/java/gen/tlsfloor/agent/BuiltinRules.java")
    local cn
    for cn in "$std:8443" "other.example.test:8444"; do
        openssl req -new -key "$PKI/server.key" -subj "/CN=${cn%:*}" -out "$T/${cn#*:}.csr" 2> /dev/null &&
            openssl x509 -req -in "$T/${cn#*:}.csr" -CA "$CA" -CAkey "$PKI/ca.key" -CAcreateserial -days 2 \
                -extfile <(printf 'subjectAltName=DNS:%s\n' "${cn%:*}") -out "$T/${cn#*:}.pem" 2> /dev/null ||
            { echo "FAIL: cannot make the certificate for ${cn%:*}"; exit 1; }
        : > "$T/sni-${cn#*:}"
        "$PY" - "${cn#*:}" "$T/${cn#*:}.pem" "$PKI/server.key" "$T/sni-${cn#*:}" > "$T/legacy-${cn#*:}.out" 2>&1 <<'PYEOF' &
import http.server, ssl, sys
port, cert, key, snifile = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"hello\n")
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", port), H)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.minimum_version = ssl.TLSVersion.TLSv1_2
c.load_cert_chain(cert, key)
def sni(sock, name, ctx):
    with open(snifile, "a") as f:
        f.write("%s\n" % name)
c.sni_callback = sni
s.socket = c.wrap_socket(s.socket, server_side=True)
s.serve_forever()
PYEOF
        PIDS+=($!)
    done
    local i
    for i in $(seq 100); do
        (exec 3<>/dev/tcp/127.0.0.1/8444) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/8443) 2>/dev/null && break
        sleep 0.05
    done
    local mode alg n
    for mode in create layered engine https; do
        for alg in HTTPS LDAPS; do
            [ "$mode" = https ] && [ "$alg" = LDAPS ] && continue
            n=legacy-$mode-$alg
            case_begin "$n"
            legacy_run "$n-plain" plain "$mode" "$legacy" 8443 "$alg"
            expect_fail "$n-plain" "without tlsfloor the legacy name does not resolve"
            : > "$T/sni-8443"
            legacy_run "$n" wrapper "$mode" "$legacy" 8443 "$alg"
            expect_ok "$n" "tlsfloor -- java: verified against $std" "200"
            check "SNI sent: $std" grep -qx "$std" "$T/sni-8443"
            check "SNI never the legacy name" bash -c "! grep -q legacy '$T/sni-8443'"
            expect_log "$n" host_rewritten tool=java "detail.old=$legacy" "detail.new=$std" detail.applied=true
            expect_log "$n" handshake tool=java "detail.sni=$std" detail.below_floor=false
            legacy_run "$n-wrong" wrapper "$mode" "$legacy" 8444 "$alg"
            expect_fail "$n-wrong" "a certificate without $std is still refused"
            expect_log "$n-wrong" handshake_failed tool=java
            expect_no_log "$n-wrong" handshake
        done
    done
    n="legacy-audit"
    case_begin "$n"
    legacy_run "$n" wrapper-audit create "$legacy" 8443 HTTPS
    expect_fail "$n" "tlsfloor --audit -- java: nothing rewritten, the name does not resolve"
    expect_log "$n" host_would_rewrite tool=java "detail.new=$std" detail.applied=false
    expect_no_log "$n" host_rewritten
}

legacy_run() { # legacy_run NAME HOW MODE HOST PORT ALGORITHM
    local n=$1 how=$2 mode=$3 host=$4 port=$5 alg=$6
    if [ "$mode" = https ]; then
        MAIN_CLASS=HttpsGet run_java "$n" "$how" -- "https://$host:$port/"
    else
        MAIN_CLASS=LegacyClient run_java "$n" "$how" -- "$mode" "$host" "$port" "$alg"
    fi
}

# tlsfloor verify -- java ...: the agent is put on JAVA_TOOL_OPTIONS, its records judged as the
# shim's are: one row per connection with the negotiated version, the intervention with the Java
# frame that asked for it, the verdict; --native (audit) says it fails on its own.
verify_group() {
    local n route want
    for route in getinstance setenabledprotocols engine; do
        n=verify-$route
        case_begin "$n"
        verify_run "$n" "" imaps "$route"
        check "exit status 0 (works with tlsfloor)" test "$(cat "$OUT/$n.rc")" = 0
        check "a row for the IMAPS connection at TLS 1.2+" grep -Eq '^outlook\.office365\.com +993 +IMAP +TLSv1\.[23] +java +ok$' "$OUT/$n.out"
        case $route in
            getinstance) want='^method_pinned: TLSv1 -> TLS via SSLContext.getInstance, asked by MailClient\.context\(MailClient\.java:[0-9]+\)$' ;;
            setenabledprotocols) want='^protocols_raised: TLSv1,TLSv1\.1 -> .*TLSv1\.2 via SSLSocket\.setEnabledProtocols, asked by MailClient\.secure\(MailClient\.java:[0-9]+\)$' ;;
            engine) want='^protocols_raised: TLSv1 -> .*TLSv1\.2 via SSLEngine\.setEnabledProtocols, asked by MailClient\.secureEngine\(MailClient\.java:[0-9]+\)$' ;;
        esac
        check "the intervention names MailClient's line" grep -Eq "$want" "$OUT/$n.out"
        check "verdict: works with tlsfloor" grep -q '^VERDICT: works under TLS 1.2 with tlsfloor' "$OUT/$n.out"
        verify_run "$n-json" --json imaps "$route"
        check "--json: the connection and the Java intervention" grep -q '"result":"ok".*"interventions":\[{"event":"[a-z_]*","old":"TLSv1' "$OUT/$n-json.out"
        verify_run "$n-native" --native imaps "$route"
        check "--native: the program's own failure (status 1)" test "$(cat "$OUT/$n-native.rc")" = 1
        check "--native: the failed handshake and what tlsfloor would change" grep -q '^VERDICT: does not work under TLS 1.2 on its own.*handshake with [^ ]*:993 failed.*tlsfloor would change' "$OUT/$n-native.out"
    done
}

verify_run() { # verify_run NAME VERIFY-OPTION PROTO ROUTE
    local n=$1 opt=$2
    TLSFLOOR_LIBRARY=$TF_LIB "$TF_SRC/scripts/tlsfloor" verify $opt -- "${JAVA[@]}" -cp "$TF_JAVA_CLASSES" \
        MailClient "$3" "$4" "$HOST" 993 > "$OUT/$n.out" 2> "$OUT/$n.err" < /dev/null
    echo $? > "$OUT/$n.rc"
}

# property_route PROPERTY-FOR-PROTO CLIENT-ROUTE: a property naming only old versions.
property_route() {
    local kind=$1 route=$2 p proto port n prop value
    for p in "${PROTOS[@]}"; do
        read -r proto port <<< "$p"
        n=$kind-$proto
        if [ "$kind" = mail-property ]; then
            prop=mail.${proto%-starttls}.ssl.protocols
            value="TLSv1 TLSv1.1"
        else
            prop=jdk.tls.client.protocols
            value="TLSv1,TLSv1.1"
        fi
        case_begin "$n"
        run_java "$n-plain" plain "-D$prop=$value" -- "$proto" "$route" "$HOST" "$port"
        expect_fail "$n-plain" "without tlsfloor $prop=$value fails"
        run_java "$n" enforce "-D$prop=$value" -- "$proto" "$route" "$HOST" "$port"
        expect_ok "$n" "with the agent it logs in" "LOGIN OK"
        expect_log "$n" protocols_raised "detail.property=$prop" "detail.old=$value" detail.applied=true
        run_java "$n-audit" audit "-D$prop=$value" -- "$proto" "$route" "$HOST" "$port"
        expect_fail "$n-audit" "audit mode changes nothing"
        expect_log "$n-audit" protocols_raised "detail.property=$prop" detail.applied=false
    done
}

# A java.security (here through -Djava.security.properties) that disables TLS 1.2 and 1.3:
# reported, never changed, so the client fails with the agent as without it.
policy_group() {
    local n=policy
    printf 'jdk.tls.disabledAlgorithms=SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3\n' > "$T/java.security"
    local opt=-Djava.security.properties=$T/java.security
    case_begin "$n"
    run_java "$n-plain" plain "$opt" -- imaps modern "$HOST" 993
    expect_fail "$n-plain" "without tlsfloor the policy stops the client"
    run_java "$n" enforce "$opt" -- imaps modern "$HOST" 993
    expect_fail "$n" "with the agent it still fails: the policy is not the agent's to change"
    expect_log "$n" security_policy_blocks_floor detail.disabled=TLSv1.2,TLSv1.3 detail.applied=false
    run_java "$n-audit" audit "$opt" -- imaps modern "$HOST" 993
    expect_fail "$n-audit" "audit: fails"
    expect_log "$n-audit" security_policy_blocks_floor detail.disabled=TLSv1.2,TLSv1.3 mode=audit
    case_begin "$n-control"
    run_java "$n-control" enforce -- imaps modern "$HOST" 993
    expect_ok "$n-control" "the JDK's own policy: logs in" "LOGIN OK"
    expect_no_log "$n-control" security_policy_blocks_floor
}

# tlsfloor -- java ...: the wrapper appends the agent to a JAVA_TOOL_OPTIONS that already pins
# (so the record proves both were read), for every protocol.
wrapper_group() {
    local p proto port n prop
    for p in "${PROTOS[@]}"; do
        read -r proto port <<< "$p"
        n=wrapper-$proto
        prop=mail.${proto%-starttls}.ssl.protocols
        case_begin "$n"
        JAVA_TOOL_OPTIONS="-D$prop=TLSv1.1" run_java "$n-plain" plain -- "$proto" mail-property "$HOST" "$port"
        expect_fail "$n-plain" "without tlsfloor the pinned client fails"
        JAVA_TOOL_OPTIONS="-D$prop=TLSv1.1" run_java "$n" wrapper -- "$proto" getinstance "$HOST" "$port"
        expect_ok "$n" "tlsfloor -- java: logs in" "LOGIN OK"
        expect_log "$n" method_pinned detail.applied=true frame.class=MailClient frame.method=context
        expect_no_log "$n" uncovered_connection   # the shim leaves what the agent covers to it
        JAVA_TOOL_OPTIONS="-D$prop=TLSv1.1" run_java "$n-prop" wrapper -- "$proto" mail-property "$HOST" "$port"
        expect_ok "$n-prop" "the program's own JAVA_TOOL_OPTIONS is kept" "LOGIN OK"
        expect_log "$n-prop" protocols_raised "detail.property=$prop" detail.old=TLSv1.1
        JAVA_TOOL_OPTIONS="-D$prop=TLSv1.1" run_java "$n-audit" wrapper-audit -- "$proto" mail-property "$HOST" "$port"
        expect_fail "$n-audit" "tlsfloor --audit -- java: changes nothing"
        expect_log "$n-audit" protocols_raised "detail.property=$prop" detail.applied=false
    done
}

# Every property the agent reads, as main() sees it: raised when it names only old versions
# (JavaMail's with spaces, the JDK's with commas), untouched when it already reaches the floor,
# unchanged in audit mode; TLSFLOOR_MIN=1.3 raises a TLSv1.2-only list.
properties_group() {
    local prop value n want
    for prop in jdk.tls.client.protocols https.protocols mail.imap.ssl.protocols mail.imaps.ssl.protocols \
                mail.pop3.ssl.protocols mail.pop3s.ssl.protocols mail.smtp.ssl.protocols mail.smtps.ssl.protocols; do
        case $prop in
            mail.*) value="TLSv1 TLSv1.1"; want="$prop=TLSv1 TLSv1.1 TLSv1.3 TLSv1.2" ;;
            *) value="TLSv1,TLSv1.1"; want="$prop=TLSv1,TLSv1.1,TLSv1.3,TLSv1.2" ;;
        esac
        n=props-$prop
        case_begin "$n"
        MAIN_CLASS=PrintProps run_java "$n" enforce "-D$prop=$value" -- "$prop"
        expect_ok "$n" "raised before main" "^$want\$"
        expect_log "$n" protocols_raised "detail.property=$prop" "detail.old=$value" detail.applied=true
        MAIN_CLASS=PrintProps run_java "$n-audit" audit "-D$prop=$value" -- "$prop"
        expect_ok "$n-audit" "audit: unchanged" "^$prop=$value\$"
        expect_log "$n-audit" protocols_raised "detail.property=$prop" detail.applied=false
        MAIN_CLASS=PrintProps run_java "$n-modern" enforce "-D$prop=TLSv1.2" -- "$prop"
        expect_ok "$n-modern" "a list that reaches the floor is left alone" "^$prop=TLSv1.2\$"
        expect_no_log "$n-modern" protocols_raised
    done
    n=props-min13
    case_begin "$n"
    TLSFLOOR_MIN=1.3 MAIN_CLASS=PrintProps run_java "$n" enforce -Djdk.tls.client.protocols=TLSv1.2 -- jdk.tls.client.protocols
    expect_ok "$n" "TLSFLOOR_MIN=1.3 adds TLSv1.3 only" "^jdk.tls.client.protocols=TLSv1.2,TLSv1.3\$"
}

# HttpsURLConnection (the default context's sockets, wrapped) against a TLS 1.2+ HTTPS server:
# https.protocols=TLSv1 fails without tlsfloor and works with it; a name the certificate does
# not carry (127.0.0.2; it names 127.0.0.1) is refused with the agent as without it.
https_group() {
    "$PY" - "$PKI" > "$T/https.out" 2>&1 <<'PYEOF' &
import http.server, ssl, sys
pki = sys.argv[1]
s = http.server.HTTPServer(("0.0.0.0", 8443), http.server.SimpleHTTPRequestHandler)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.minimum_version = ssl.TLSVersion.TLSv1_2
c.load_cert_chain(pki + "/server-chain.pem", pki + "/server.key")
s.socket = c.wrap_socket(s.socket, server_side=True)
s.serve_forever()
PYEOF
    PIDS+=($!)
    local i
    for i in $(seq 100); do
        (exec 3<>/dev/tcp/127.0.0.1/8443) 2>/dev/null && break
        sleep 0.05
    done
    local n=https url=https://$HOST:8443/ opt=-Dhttps.protocols=TLSv1
    case_begin "$n"
    MAIN_CLASS=HttpsGet run_java "$n-plain" plain "$opt" -- "$url"
    expect_fail "$n-plain" "without tlsfloor https.protocols=TLSv1 fails"
    MAIN_CLASS=HttpsGet run_java "$n" enforce "$opt" -- "$url"
    expect_ok "$n" "with the agent HttpsURLConnection gets the page" "HTTP 200"
    expect_log "$n" protocols_raised detail.property=https.protocols detail.applied=true
    expect_log "$n" handshake detail.below_floor=false detail.port=8443
    MAIN_CLASS=HttpsGet run_java "$n-audit" audit "$opt" -- "$url"
    expect_fail "$n-audit" "audit mode changes nothing"
    expect_log "$n-audit" protocols_raised detail.property=https.protocols detail.applied=false
    case_begin "$n-wrong-name"
    MAIN_CLASS=HttpsGet run_java "$n-name-plain" plain -- https://127.0.0.2:8443/
    expect_fail "$n-name-plain" "without tlsfloor a name the certificate lacks is refused"
    MAIN_CLASS=HttpsGet run_java "$n-name" enforce -- https://127.0.0.2:8443/
    expect_fail "$n-name" "with the agent it is refused too"
    expect_log "$n-name" handshake_failed detail.port=8443
    expect_no_log "$n-name" handshake
}

case $group in
    https) https_group ;;
    setenabledprotocols | tls-setenabledprotocols | factory-setenabledprotocols)
        socket_route "$group" SSLSocket.setEnabledProtocols TLSv1,TLSv1.1 ;;
    implicit) implicit_route ;;
    engine | engine-pinned) engine_route "$group" ;;
    server) server_group ;;
    legacy) legacy_group ;;
    verify) verify_group ;;
    sslparameters) socket_route sslparameters SSLParameters.setProtocols TLSv1 ;;
    properties) properties_group ;;
    policy) policy_group ;;
    wrapper) wrapper_group ;;
    getinstance | getinstance-sunjsse) code_route "$group" ;;
    jdk-property) property_route jdk-property jdk-property ;;
    mail-property) property_route mail-property mail-property ;;
    *) echo "unknown group $group"; exit 2 ;;
esac
finish
