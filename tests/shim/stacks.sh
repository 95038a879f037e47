#!/usr/bin/env bash
# stacks.sh STATIC11 — uncovered_connection names the TLS stack tlsfloor could not see, says
# what to do, and carries the caller saved at connect(): a Java client (JSSE, compiled here with
# javac), clients with OpenSSL 3 and 1.1 linked in statically, and NSS's tstclnt, each talking IMAPS to
# the TLS 1.2-minimum responder (fake_mail.py) on 127.0.0.1:993. Runs inside netns-run.
. "$(dirname "$0")/lib.sh"

for tool in javac java keytool tstclnt; do
    command -v "$tool" >/dev/null || fail "$tool missing (packages openjdk-17-jdk-headless, libnss3-tools)"
done
/usr/bin/python3 "$src/tests/shim/fake_mail.py" "$work/pki/server.pem" "$work/pki/server.key" >"$work/server.out" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q ready "$work/server.out" 2>/dev/null && break; sleep 0.05; done
host=outlook.office365.com

# The one uncovered_connection of LOG: port 993, STACK, a verdict with WORD, and a caller whose
# first frame lies in a module matching MODULE-REGEX (never tlsfloor itself).
expect_stack() {
    local u=(--event uncovered_connection)
    logq "$1" "${u[@]}" --expect 1
    logq "$1" "${u[@]}" --where detail.port=993 --where detail.protocol=IMAP --where "detail.stack=$2" \
        --where "detail.verdict~$(tf_ere_quote "$3")" --where 'caller.site~^[1-9]' --where caller.frames=yes \
        --where "frame.module~$4" --expect 1
    logq "$1" "${u[@]}" --where 'frame.module~libtlsfloor' --none
    logq "$1" --event handshake --none
    "$logtool" "${u[@]}" --fields detail.stack,frame.module,frame.symbol "$1" | sed 's/^/   /'
}

# Java: JSSE is Java code; the JVM's libnio/libnet make the connect() the shim sees.
mkdir -p "$work/java"
javac -d "$work/java" "$src/tests/shim/java/ImapsGreeting.java" || fail "javac"
keytool -importcert -noprompt -alias testca -file "$work/pki/ca.pem" -keystore "$work/trust.p12" \
    -storetype PKCS12 -storepass changeit >/dev/null || fail "keytool"
java -cp "$work/java" ImapsGreeting "$host" 993 "$work/trust.p12" >"$work/java.plain" || fail "java without tlsfloor"
log=$work/java.jsonl
TLSFLOOR_LOG=$log LD_PRELOAD=$lib java -cp "$work/java" ImapsGreeting "$host" 993 "$work/trust.p12" \
    >"$work/java.out" || fail "java under tlsfloor"
grep -q '^TLSv1.[23] \* OK fake IMAP ready' "$work/java.out" || fail "java output: $(cat "$work/java.out")"
cmp -s "$work/java.plain" "$work/java.out" || fail "tlsfloor changed the Java client's output"
expect_stack "$log" java "tlsfloor-agent.jar" '/lib(nio|net)\.so$'
logq "$log" --event uncovered_connection --where 'detail.tls_libraries~libjvm' --none

# OpenSSL 3 linked into the program: its version text is in the program's read-only segments.
client=$build/tests/shim/static_ssl_client
if ldd "$client" | grep -q 'libssl\|libcrypto'; then fail "static_ssl_client links a shared libssl/libcrypto"; fi
log=$work/static.jsonl
TLSFLOOR_LOG=$log LD_PRELOAD=$lib "$client" "$host" 993 "$work/pki/ca.pem" >"$work/static.out" || fail "static client"
grep -q '^TLSv1.[23] \* OK fake IMAP ready' "$work/static.out" || fail "static client output: $(cat "$work/static.out")"
expect_stack "$log" openssl-static "OpenSSL 3 provider" '/static_ssl_client$'
logq "$log" --event uncovered_connection --where detail.tls_libraries= --expect 1

# OpenSSL 1.1 linked in: no provider can help there (argument 1: the client, built when
# TLSFLOOR_OPENSSL11_ROOT was set at configure time, as scripts/test does).
client11=${1:-}
[ -n "$client11" ] || fail "TLSFLOOR_OPENSSL11_ROOT was not set at configure time: the static OpenSSL 1.1 client was not built"
log=$work/static11.jsonl
TLSFLOOR_LOG=$log LD_PRELOAD=$lib "$client11" "$host" 993 "$work/pki/ca.pem" >"$work/static11.out" || fail "static 1.1 client"
grep -q '^TLSv1.[23] \* OK fake IMAP ready' "$work/static11.out" || fail "static 1.1 client output: $(cat "$work/static11.out")"
expect_stack "$log" openssl-static "OpenSSL before 3" '/static_ssl11_client$'

# NSS: tstclnt (libnss3-tools), the certificate check overridden (-o): only the stack matters.
log=$work/nss.jsonl
echo 'a1 LOGOUT' | TLSFLOOR_LOG=$log LD_PRELOAD=$lib timeout 20 tstclnt -h "$host" -p 993 -o -q >"$work/nss.out" 2>&1 ||
    true   # tstclnt's status after the server closes varies; the record is what is checked
expect_stack "$log" nss "NSS's policy" '/libnspr4\.so$|/tstclnt$'
logq "$log" --event uncovered_connection --where 'detail.tls_libraries~libssl3\.so' --where 'detail.tls_libraries~libnss3\.so' --expect 1
echo PASS
