#!/bin/bash
# run.sh GROUP : Java clients (plain JDK, tests/java/MailClient.java) against the TLS 1.2-only
# Dovecot of tests/mail (127.0.0.1; IMAPS 993, IMAP STARTTLS 143, POP3S 995, SMTP 587 STARTTLS).
# Must run inside tests/lib/netns-run. Each GROUP is one route that pins an old TLS version:
#   getinstance | getinstance-sunjsse | setenabledprotocols | sslparameters | jdk-property | mail-property | properties | https | policy | wrapper
# Every case: fails without tlsfloor; works with the agent (JAVA_TOOL_OPTIONS, or the wrapper),
# the record names the pin and (for code) MailClient's line; in audit mode it still fails and
# the same pin is reported with applied:false.
set -u
group=${1:?usage: run.sh GROUP}
. "$TF_SRC/tests/mail/lib.sh"

: "${TF_JAVA_AGENT:?TF_JAVA_AGENT must name tlsfloor-agent.jar}"
: "${TF_JAVA_CLASSES:?TF_JAVA_CLASSES must name the compiled test clients}"
[ -f "$TF_JAVA_AGENT" ] || { echo "FAIL: $TF_JAVA_AGENT not built (no javac?)"; exit 1; }
[ -f "$TF_JAVA_CLASSES/MailClient.class" ] || { echo "FAIL: MailClient.class not built"; exit 1; }
# The JVM under test: TLSFLOOR_TEST_JAVA (e.g. Java 11 from tests/lib/fetch-java11), else the JDK 17 one.
JAVA_BIN=${TLSFLOOR_TEST_JAVA:-java}
command -v "$JAVA_BIN" >/dev/null || { echo "FAIL: no java '$JAVA_BIN' (apt-get install openjdk-17-jdk-headless)"; exit 1; }
"$JAVA_BIN" -version 2>&1 | head -1

unset JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS    # only what a case sets itself
case $group in
    properties | https) ;;
    *) start_dovecot modern 127.0.0.1 modern || exit 1 ;;
esac
TRUST=$T/trust.p12
keytool -importcert -noprompt -alias tfca -file "$CA" -keystore "$TRUST" -storepass changeit \
    -storetype PKCS12 > "$T/keytool.out" 2>&1 || { echo "FAIL: keytool"; cat "$T/keytool.out"; exit 1; }
JAVA=("$JAVA_BIN" -Djavax.net.ssl.trustStore="$TRUST" -Djavax.net.ssl.trustStorePassword=changeit)
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
        expect_log "$n" method_pinned '"old":"TLSv1"' '"applied":true' \
            '{"class":"MailClient","method":"context","file":"MailClient.java","line":'
        expect_log "$n" handshake '"below_floor":false' "\"port\":$port" '"class":"MailClient"'
        run_java "$n-audit" audit -- "$proto" "$route" "$HOST" "$port"
        expect_fail "$n-audit" "audit mode changes nothing"
        expect_log "$n-audit" method_pinned '"old":"TLSv1"' '"applied":false' '"mode":"audit"' \
            '{"class":"MailClient","method":"context","file":"MailClient.java","line":'
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
        expect_log "$n" protocols_raised "\"old\":\"$old\"" "\"via\":\"$via\"" '"applied":true' \
            '{"class":"MailClient","method":"secure","file":"MailClient.java","line":'
        expect_log "$n" handshake '"below_floor":false' "\"port\":$port" '"class":"MailClient"'
        run_java "$n-audit" audit -- "$proto" "$route" "$HOST" "$port"
        expect_fail "$n-audit" "audit mode changes nothing"
        expect_log "$n-audit" protocols_raised "\"via\":\"$via\"" '"applied":false' '"mode":"audit"' \
            '{"class":"MailClient","method":"secure","file":"MailClient.java","line":'
        expect_log "$n-audit" handshake_failed "\"port\":$port" '"class":"MailClient","method":"secure"'
    done
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
        expect_log "$n" protocols_raised "\"property\":\"$prop\"" "\"old\":\"$value\"" '"applied":true'
        run_java "$n-audit" audit "-D$prop=$value" -- "$proto" "$route" "$HOST" "$port"
        expect_fail "$n-audit" "audit mode changes nothing"
        expect_log "$n-audit" protocols_raised "\"property\":\"$prop\"" '"applied":false'
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
    expect_log "$n" security_policy_blocks_floor '"disabled":"TLSv1.2,TLSv1.3"' '"applied":false'
    run_java "$n-audit" audit "$opt" -- imaps modern "$HOST" 993
    expect_fail "$n-audit" "audit: fails"
    expect_log "$n-audit" security_policy_blocks_floor '"disabled":"TLSv1.2,TLSv1.3"' '"mode":"audit"'
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
        expect_log "$n" method_pinned '"applied":true' '"class":"MailClient","method":"context"'
        expect_no_log "$n" uncovered_connection   # the shim leaves what the agent covers to it
        JAVA_TOOL_OPTIONS="-D$prop=TLSv1.1" run_java "$n-prop" wrapper -- "$proto" mail-property "$HOST" "$port"
        expect_ok "$n-prop" "the program's own JAVA_TOOL_OPTIONS is kept" "LOGIN OK"
        expect_log "$n-prop" protocols_raised "\"property\":\"$prop\"" '"old":"TLSv1.1"'
        JAVA_TOOL_OPTIONS="-D$prop=TLSv1.1" run_java "$n-audit" wrapper-audit -- "$proto" mail-property "$HOST" "$port"
        expect_fail "$n-audit" "tlsfloor --audit -- java: changes nothing"
        expect_log "$n-audit" protocols_raised "\"property\":\"$prop\"" '"applied":false'
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
        expect_log "$n" protocols_raised "\"property\":\"$prop\"" "\"old\":\"$value\"" '"applied":true'
        MAIN_CLASS=PrintProps run_java "$n-audit" audit "-D$prop=$value" -- "$prop"
        expect_ok "$n-audit" "audit: unchanged" "^$prop=$value\$"
        expect_log "$n-audit" protocols_raised "\"property\":\"$prop\"" '"applied":false'
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
    expect_log "$n" protocols_raised '"property":"https.protocols"' '"applied":true'
    expect_log "$n" handshake '"below_floor":false' '"port":8443'
    MAIN_CLASS=HttpsGet run_java "$n-audit" audit "$opt" -- "$url"
    expect_fail "$n-audit" "audit mode changes nothing"
    expect_log "$n-audit" protocols_raised '"property":"https.protocols"' '"applied":false'
    case_begin "$n-wrong-name"
    MAIN_CLASS=HttpsGet run_java "$n-name-plain" plain -- https://127.0.0.2:8443/
    expect_fail "$n-name-plain" "without tlsfloor a name the certificate lacks is refused"
    MAIN_CLASS=HttpsGet run_java "$n-name" enforce -- https://127.0.0.2:8443/
    expect_fail "$n-name" "with the agent it is refused too"
    expect_log "$n-name" handshake_failed '"port":8443'
    expect_no_log "$n-name" handshake
}

case $group in
    https) https_group ;;
    setenabledprotocols) socket_route setenabledprotocols SSLSocket.setEnabledProtocols TLSv1,TLSv1.1 ;;
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
