#!/bin/bash
# run.sh CASE: one rewrite test case (issue 3), run inside tests/lib/netns-run.
# Each case runs its client without the shim (it must fail, or for negative cases behave the
# same) and with it (it must pass, and the JSON log must show the rewrite and who asked).
set -uo pipefail

CASE=${1:?case}
BUILD=$(cd "${TLSFLOOR_BUILD_DIR:?the build tree (set by ctest)}" && pwd)
SRC=$(cd "${TLSFLOOR_SOURCE_DIR:?the source tree (set by ctest)}" && pwd)
. "$SRC/tests/rewrite/lib.sh"

CA=$BUILD/tests/rewrite/pki/ca.pem
STD=outlook.office365.com

# ---- 1. name resolution, one case per function ----
# resolver FN LEGACY NEW [client options]
resolver() {
    local fn=$1 old=$2 new=$3
    shift 3
    servers
    run plain noshim "$CLIENT" --port 9931 --cafile "$CA" "$@" "$fn" "$old"
    expect_rc 2 "without the shim $fn($old) does not resolve"
    newlog full
    run full shim "$CLIENT" --port 9931 --cafile "$CA" "$@" "$fn" "$old"
    expect_rc 0 "with the shim $fn($old) resolves and the TLS connection works"
    expect_out full '^handshake ok version=TLSv1\.[23] ' "handshake completed, verified against the test CA"
    expect_out full '^greeting: \* OK' "server greeting read"
    check expect host_rewritten layer=resolve "old=$old" "new=$new" mode=enforce "symbol=resolve_with_$fn"
    check count host_rewritten 1
    # the client sends no SNI: only the lookup was rewritten, and the connection it made went
    # where the rewrite sent it, so its handshake counts as changed
    check count handshake 1 changed=true changes=host sni=null
    # results are the library's own for the new name: the same bytes as resolving NEW directly
    newlog only
    run shim_only shim "$CLIENT" --resolve-only "$@" "$fn" "$old"
    run direct_new noshim "$CLIENT" --resolve-only "$@" "$fn" "$new"
    expect_rc 0 "$fn($new) without the shim"
    same_out shim_only direct_new "$fn($old) under the shim = $fn($new) (addresses, h_name/canonname, aliases)"
    # repeats from one call site: one record each, frames only on the first, counted
    newlog repeat
    run repeat shim "$CLIENT" --resolve-only --repeat 3 "$@" "$fn" "$old"
    expect_rc 0 "three lookups"
    check count host_rewritten 3 layer=resolve
    check count host_rewritten 1 layer=resolve frames=yes count=1 "symbol=resolve_with_$fn"
    check count host_rewritten 1 layer=resolve frames=no count=3
}

case_resolve_getaddrinfo()      { resolver getaddrinfo imap-legacy.office365.com $STD; }
case_resolve_getaddrinfo_a()    { resolver getaddrinfo_a pop-legacy.office365.com $STD; }
case_resolve_gethostbyname()    { resolver gethostbyname smtp-legacy.office365.com smtp.office365.com; }
case_resolve_gethostbyname2()   { resolver gethostbyname2 imap-legacy.partner.outlook.cn partner.outlook.cn --family 4; }
case_resolve_gethostbyname_r()  { resolver gethostbyname_r smtp-legacy.partner.outlook.cn smtp.partner.outlook.cn; }
case_resolve_gethostbyname2_r() { resolver gethostbyname2_r IMAP-Legacy.Office365.COM. $STD --family 4; }

# getaddrinfo_a: the request belongs to the program (it may free its ar_name afterwards); the
# shim must not leave its own pointer in the program's struct gaicb.
case_resolve_getaddrinfo_a_owned() {
    servers
    run plain noshim "$CLIENT" --port 9931 --cafile "$CA" gai_a_owned imap-legacy.office365.com
    expect_rc 2 "without the shim the legacy name does not resolve"
    newlog owned
    run owned shim "$CLIENT" --port 9931 --cafile "$CA" gai_a_owned imap-legacy.office365.com
    expect_rc 0 "with the shim: resolved, connected, and the program's request is still its own"
    expect_no_out owned 'ar_name was replaced' "the request's ar_name is the program's pointer after the call"
    check expect host_rewritten layer=resolve old=imap-legacy.office365.com new=$STD symbol=resolve_with_getaddrinfo_a_owned
}

# ---- 2. SNI ----
case_sni() {
    servers
    run plain noshim "$CLIENT" --port 9931 --cafile "$CA" sni imap-legacy.office365.com
    expect_rc 4 "without the shim the server refuses the legacy SNI"
    expect_sni strict imap-legacy.office365.com
    newlog sni
    run sni shim "$CLIENT" --port 9931 --cafile "$CA" sni imap-legacy.office365.com
    expect_rc 0 "with the shim the handshake completes"
    expect_sni strict $STD
    expect_out sni "sni=$STD\$" "the connection's SNI reads back as the new name"
    check expect host_rewritten layer=sni old=imap-legacy.office365.com new=$STD mode=enforce symbol=name_via_sni
    check count host_rewritten 1
}

# ---- 3. certificate host checks (the strict certificate has no *.office365.com) ----
verify_case() {
    local mode=$1
    servers
    run plain noshim "$CLIENT" --port 9931 --cafile "$CA" "$mode" imap-legacy.office365.com
    expect_rc 4 "without the shim $mode(legacy) fails verification"
    expect_out plain 'verify_result=62 ' "the failure is a host name mismatch"
    newlog verify
    run verify shim "$CLIENT" --port 9931 --cafile "$CA" "$mode" imap-legacy.office365.com
    expect_rc 0 "with the shim the server is verified as $STD"
    expect_out verify '^handshake ok .*verify_mode=1 verify_result=0 ' "verification on and passed"
    check expect host_rewritten layer=verify old=imap-legacy.office365.com new=$STD mode=enforce "symbol=name_via_$mode"
    check count host_rewritten 1
    # the rewrite never weakens verification: a server from an untrusted CA still fails
    newlog untrusted
    run untrusted shim "$CLIENT" --port 9934 --cafile "$CA" "$mode" imap-legacy.office365.com
    expect_rc 4 "with the shim an untrusted server still fails"
    expect_out untrusted 'verify_result=(20|2|19|21) ' "the failure is the chain"
    # and a wrong-name certificate still fails against the new name
    run wrong shim "$CLIENT" --port 9935 --cafile "$CA" "$mode" imap-legacy.office365.com
    expect_rc 4 "with the shim a certificate without $STD still fails"
    expect_out wrong 'verify_result=62 ' "host name mismatch against the new name"
}
case_verify_set1_host()           { verify_case set1_host; }
case_verify_add1_host()           { verify_case add1_host; }
case_verify_param_set1_host_ctx() { verify_case param_set1_host_ctx; }
case_verify_param_set1_host_ssl() { verify_case param_set1_host_ssl; }
case_verify_param_add1_host_ctx() { verify_case param_add1_host_ctx; }
case_verify_param_add1_host_ssl() { verify_case param_add1_host_ssl; }

# ---- curl: imaps:// and pop3s:// to the legacy names ----
curl_case() {
    local url=$1 old=$2 srv=$3 want=$4
    servers
    run plain noshim curl -sS --max-time 20 --cacert "$CA" "$url"
    expect_rc 6 "without the shim curl cannot resolve $old"
    newlog curl
    run curl shim curl -sS --max-time 20 --cacert "$CA" "$url"
    expect_rc 0 "with the shim curl completes"
    expect_out curl "$want" "the server's answer came through"
    expect_sni "$srv" $STD
    check expect host_rewritten layer=resolve "old=$old" new=$STD module~=libcurl
    check expect host_rewritten layer=sni "old=$old" new=$STD module~=libcurl
    check expect handshake
}
case_curl_imaps() { curl_case "imaps://imap-legacy.office365.com:9932/" imap-legacy.office365.com imap 'LIST .*INBOX'; }
case_curl_pop3s() { curl_case "pop3s://pop-legacy.office365.com:9933/" pop-legacy.office365.com pop3 '^1 4242'; }

# ---- python3 imaplib with a default context (hostname check on) ----
case_python_imaplib() {
    servers
    cat > "$WORK/imap.py" <<'PY'
import imaplib, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
assert ctx.check_hostname and ctx.verify_mode == ssl.CERT_REQUIRED
m = imaplib.IMAP4_SSL("imap-legacy.office365.com", 9931, ssl_context=ctx)
print("welcome:", m.welcome.decode())
print("peer:", dict(x[0] for x in m.sock.getpeercert()["subject"])["commonName"])
m.logout()
PY
    run plain noshim "$PY" "$WORK/imap.py" "$CA"
    expect_rc_not 0 "without the shim imaplib fails"
    expect_out plain 'gaierror|Name or service not known|Temporary failure' "it fails at name lookup"
    newlog py
    run py shim "$PY" "$WORK/imap.py" "$CA"
    expect_rc 0 "with the shim imaplib connects, verifies and logs out"
    expect_out py '^welcome: \* OK' "greeting"
    expect_sni strict $STD
    # the callers: the interpreter (socket module built in) resolves, the _ssl module names SNI
    # and the host check (neither exports a symbol for those frames)
    check expect host_rewritten layer=resolve old=imap-legacy.office365.com new=$STD module~=/usr/bin/python3
    check expect host_rewritten layer=sni old=imap-legacy.office365.com new=$STD module~=/_ssl.
    check expect host_rewritten layer=verify old=imap-legacy.office365.com new=$STD module~=/_ssl.
    check expect handshake sni=$STD
}

# ---- issue 14: one name lookup gives one record, whatever hooked layers it passes; SNI and the
# certificate host check are layers of their own, one record each per connection ----
# per_layer EVENT RESOLVE SNI VERIFY: how many records of EVENT each layer has in $LOG
per_layer() {
    check count "$1" "$2" layer=resolve
    check count "$1" "$3" layer=sni
    check count "$1" "$4" layer=verify
}
case_one_record_per_lookup() {
    servers
    local old=imap-legacy.office365.com
    cat > "$WORK/imap.py" <<'PY'
import imaplib, ssl, sys
m = imaplib.IMAP4_SSL("imap-legacy.office365.com", 9931, ssl_context=ssl.create_default_context(cafile=sys.argv[1]))
m.logout()
PY
    local mode ev
    for mode in enforce audit; do
        ev=host_rewritten
        [ $mode = enforce ] || ev=host_would_rewrite
        # curl: getaddrinfo (AF_UNSPEC) on its resolver thread, then SNI; it checks the name itself
        newlog "curl.$mode"
        run "curl.$mode" shim env TLSFLOOR_MODE=$mode curl -sS --max-time 20 --cacert "$CA" "imaps://$old:9932/"
        # python3: getaddrinfo, then SNI and X509_VERIFY_PARAM_set1_host from _ssl
        newlog "py.$mode"
        run "py.$mode" shim env TLSFLOOR_MODE=$mode "$PY" "$WORK/imap.py" "$CA"
        # GnuTLS (gnutls-cli): getaddrinfo, gnutls_server_name_set, its host check
        newlog "gnutls.$mode"
        run "gnutls.$mode" shim env TLSFLOOR_MODE=$mode timeout 20 gnutls-cli --x509cafile "$CA" -p 9931 $old </dev/null
        # C: getaddrinfo(AF_UNSPEC: A and AAAA asked), SNI and SSL_set1_host on one connection
        newlog "c.$mode"
        run "c.$mode" shim env TLSFLOOR_MODE=$mode "$CLIENT" --port 9931 --cafile "$CA" client $old
        # getaddrinfo_a answered through the exported getaddrinfo on a thread of its own (libanl
        # before glibc 2.34): one lookup through two hooks
        newlog "anl.$mode"
        run "anl.$mode" shim env TLSFLOOR_MODE=$mode LD_PRELOAD="$LIB:$BUILD/tests/rewrite/liboldanl.so" \
            "$CLIENT" --port 9931 --cafile "$CA" getaddrinfo_a $old
        if [ $mode = enforce ]; then
            expect_rc 0 "enforce: getaddrinfo_a through getaddrinfo resolves and connects"
            for LOG in "$WORK"/{curl,py,gnutls,c}.enforce.tf.jsonl; do check expect handshake changed=true; done
            LOG=$WORK/curl.$mode.tf.jsonl per_layer $ev 1 1 0
            LOG=$WORK/py.$mode.tf.jsonl per_layer $ev 1 1 1
            LOG=$WORK/gnutls.$mode.tf.jsonl per_layer $ev 1 1 1
            LOG=$WORK/c.$mode.tf.jsonl per_layer $ev 1 1 1
        else
            # audit: the legacy name does not resolve, so no connection follows
            for LOG in "$WORK"/{curl,py,gnutls,c}.audit.tf.jsonl; do per_layer $ev 1 0 0; done
        fi
        LOG=$WORK/anl.$mode.tf.jsonl per_layer $ev 1 0 0
        LOG=$WORK/anl.$mode.tf.jsonl check expect $ev layer=resolve symbol=resolve_with_getaddrinfo_a
    done
}

# ---- OpenSSL looked up on a handle: dlopen + dlsym, no link (.NET's opensslshim, ctypes) ----
DLSYM=$BUILD/tests/rewrite/dlsymclient
# 9936: TLS 1.2 only, strict certificate, refuses any SNI but a standard name
# 9937: TLS 1.2 only, strict certificate, any SNI (so the host check alone decides)
dlsym_servers() {
    server dlsym 9936 "$STRICT" --require-sni "$STD_NAMES" --tls12-only
    server dlsymany 9937 "$STRICT" --tls12-only
}

# dlsym_fixed TAG PORT CHECK [runner args before the client...]: the client with the shim connects
# at TLS 1.2, verified as the standard name, and every step is logged with its function as caller
dlsym_fixed() {
    local tag=$1 port=$2 check=$3
    shift 3
    newlog "$tag"
    run "$tag" shim "$@" "$DLSYM" --cafile "$CA" --port "$port" --host-check "$check" "${DLSYM_OPTS[@]}" imap-legacy.office365.com
    expect_rc 0 "$tag: with the shim the handle-only client connects"
    expect_out "$tag" "^handshake ok version=TLSv1\.2 verify_result=0 sni=$STD\$" "$tag: TLS 1.2, certificate verified, SNI $STD"
    expect_out "$tag" '^greeting: \* OK' "$tag: IMAP greeting read"
    check expect min_version_raised old=TLSv1.0 new=TLSv1.2 via=SSL_CTX_set_min_proto_version symbol=versions_via_ctrl
    check expect max_version_raised old=TLSv1.0 via=SSL_CTX_set_max_proto_version symbol=versions_via_ctrl
    check expect host_rewritten layer=sni old=imap-legacy.office365.com new=$STD mode=enforce symbol=sni_via_ctrl
    check expect host_rewritten layer=verify old=imap-legacy.office365.com new=$STD mode=enforce "symbol=host_via_$check"
    check expect handshake version=TLSv1.2 sni=$STD
}

dlsym_case() {
    dlsym_servers
    run plain noshim "$@" "$DLSYM" --cafile "$CA" --port 9936 "${DLSYM_OPTS[@]}" imap-legacy.office365.com
    expect_rc 2 "without the shim the legacy name does not resolve"
    run std noshim "$@" "$DLSYM" --cafile "$CA" --port 9936 "${DLSYM_OPTS[@]}" $STD
    expect_rc 4 "without the shim the TLS 1.0-only client fails against the TLS 1.2-only server"
    expect_out std "^library $DLSYM_LIBRARY " "the client found $DLSYM_LIBRARY"
    dlsym_fixed set1 9936 set1_host "$@"
    expect_sni dlsym $STD
    # the host check alone, through X509_VERIFY_PARAM_set1_host (found in libcrypto)
    dlsym_fixed param 9937 param "$@"
    expect_sni dlsymany $STD
}

DLSYM_OPTS=()
case_dlsym_dotnet() {
    DLSYM_LIBRARY=libssl.so.3
    dlsym_case
}

case_dlsym_dotnet_openssl11() {
    local ld=${TF_OPENSSL11_ROOT:-}/usr/lib/x86_64-linux-gnu
    if [ -z "${TF_OPENSSL11_ROOT:-}" ] || [ ! -e "$ld/libssl.so.1.1" ]; then
        fail "cannot run: no OpenSSL 1.1 (configure with -DTLSFLOOR_OPENSSL11_ROOT=<Debian 11 libssl1.1 root>; TF_OPENSSL11_ROOT='${TF_OPENSSL11_ROOT:-}')"
        return
    fi
    DLSYM_LIBRARY=libssl.so.1.1
    DLSYM_OPTS=(--prefer-11)
    dlsym_case env LD_LIBRARY_PATH="$ld"
}

case_dlsym_ctypes() {
    dlsym_servers
    local client=("$PY" "$HERE/ctypesclient.py" "$CA" 9936 imap-legacy.office365.com)
    run plain noshim "${client[@]}"
    expect_rc 2 "without the shim the legacy name does not resolve"
    newlog ctypes
    run ctypes shim "${client[@]}"
    expect_rc 0 "with the shim the ctypes client connects"
    expect_out ctypes "^handshake ok version=TLSv1\.2 verify_result=0 sni=$STD\$" "TLS 1.2, certificate verified, SNI $STD"
    expect_out ctypes '^greeting: \* OK' "IMAP greeting read"
    expect_sni dlsym $STD
    # ctypes calls through libffi: its ffi_call is the call site of every OpenSSL step
    check expect min_version_raised old=TLSv1.0 new=TLSv1.2 module~=libffi
    check expect max_version_raised old=TLSv1.0
    check expect host_rewritten layer=sni old=imap-legacy.office365.com new=$STD
    check expect host_rewritten layer=verify old=imap-legacy.office365.com new=$STD
    check expect host_rewritten layer=resolve old=imap-legacy.office365.com new=$STD module~=/usr/bin/python3
    check expect handshake version=TLSv1.2 sni=$STD
}

# The same route into GnuTLS: libgnutls.so.30's functions looked up on its handle by ctypes reach
# the GnuTLS hooks (priority string raised, SNI and certificate host name rewritten).
case_dlsym_ctypes_gnutls() {
    dlsym_servers
    local client=("$PY" "$HERE/ctypesgnutls.py" "$CA" 9936 imap-legacy.office365.com)
    run plain noshim "${client[@]}"
    expect_rc 2 "without the shim the legacy name does not resolve"
    newlog ctypesgnutls
    run ctypesgnutls shim "${client[@]}"
    expect_rc 0 "with the shim the GnuTLS ctypes client connects"
    expect_out ctypesgnutls '^handshake ok version=TLS1\.[23]$' "TLS 1.2 or newer, certificate verified as the standard name"
    expect_out ctypesgnutls '^greeting: \* OK' "IMAP greeting read"
    expect_sni dlsym $STD
    check expect priority_raised via=gnutls_priority_set_direct module~=libffi
    check expect host_rewritten layer=sni old=imap-legacy.office365.com new=$STD
    check expect host_rewritten layer=verify old=imap-legacy.office365.com new=$STD
    check expect handshake library=gnutls sni=$STD
}

# ---- user rules: environment, wrapper, config file ----
user_rule_steps() {   # user_rule_steps TAG RUNNER...: the three layers for old.example.test
    local tag=$1
    shift
    newlog "$tag"
    run "$tag.gai" "$@" "$CLIENT" --port 9931 --cafile "$CA" getaddrinfo old.example.test
    expect_rc 0 "$tag: getaddrinfo(old.example.test) resolves and connects"
    run "$tag.sni" "$@" "$CLIENT" --port 9931 --cafile "$CA" sni old.example.test
    expect_rc 0 "$tag: SNI old.example.test accepted"
    expect_sni strict $STD
    run "$tag.set1" "$@" "$CLIENT" --port 9931 --cafile "$CA" set1_host old.example.test
    expect_rc 0 "$tag: SSL_set1_host(old.example.test) verifies as $STD"
    local layer sym
    for layer in resolve:resolve_with_getaddrinfo sni:name_via_sni verify:name_via_set1_host; do
        check expect host_rewritten "layer=${layer%%:*}" old=old.example.test new=$STD "symbol=${layer#*:}"
    done
    check none config_error
}
case_user_rule() {
    servers
    run plain.gai noshim "$CLIENT" --port 9931 --cafile "$CA" getaddrinfo old.example.test
    expect_rc 2 "without the shim old.example.test does not resolve"
    run plain.sni noshim "$CLIENT" --port 9931 --cafile "$CA" sni old.example.test
    expect_rc 4 "without the shim SNI old.example.test is refused"
    run plain.set1 noshim "$CLIENT" --port 9931 --cafile "$CA" set1_host old.example.test
    expect_rc 4 "without the shim SSL_set1_host(old.example.test) fails verification"
    # environment
    user_rule_steps env shim env TLSFLOOR_REWRITE=old.example.test=$STD
    # the wrapper (log and library passed through it; no LD_PRELOAD of ours)
    user_rule_steps wrapper env TLSFLOOR_CONFIG="$WORK/empty.conf" "$SRC/scripts/tlsfloor" --library "$LIB" \
        --log "$WORK/wrapper.tf.jsonl" --rewrite old.example.test=$STD --
    # a config file line "rewrite OLD NEW"
    printf '# rewrite test\nrewrite old.example.test %s\n' $STD > "$WORK/user.conf"
    CONF=$WORK/user.conf user_rule_steps conf shim
    # the wrapper refuses a malformed --rewrite itself
    run wrapbad env "$SRC/scripts/tlsfloor" --library "$LIB" --rewrite old.example.test -- true
    expect_rc 2 "wrapper: --rewrite without '=' is a usage error"
    # user rules win over the built-in ones
    newlog win
    run win shim env TLSFLOOR_REWRITE=imap-legacy.office365.com=smtp.office365.com \
        "$CLIENT" --resolve-only getaddrinfo imap-legacy.office365.com
    expect_rc 0 "user rule for a built-in name"
    check expect host_rewritten layer=resolve old=imap-legacy.office365.com new=smtp.office365.com
    check none host_rewritten new=$STD
    # rules apply once, the same at every layer: a -> b, b -> c sends a to b (one record each)
    local mode
    for mode in getaddrinfo sni set1_host param_set1_host_ssl add1_host; do
        newlog "chain.$mode"
        run "chain.$mode" shim env TLSFLOOR_REWRITE=chain.example.test=old.example.test,old.example.test=$STD \
            "$CLIENT" --port 9931 --cafile "$CA" "$mode" chain.example.test
        check count host_rewritten 1 old=chain.example.test new=old.example.test
        check none host_rewritten old=old.example.test
    done
}

# ---- wildcard rules: one or more labels below, never the domain itself ----
case_wildcard() {
    local n
    run new noshim "$CLIENT" --resolve-only getaddrinfo $STD
    for n in a.legacy.test a.b.legacy.test A.B.Legacy.TEST. x-1.y_2.z.legacy.test; do
        run "plain.$n" noshim "$CLIENT" --resolve-only getaddrinfo "$n"
        expect_rc 2 "without the shim $n does not resolve"
        newlog "w.$n"
        run "w.$n" shim env 'TLSFLOOR_REWRITE=*.legacy.test=outlook.office365.com' "$CLIENT" --resolve-only getaddrinfo "$n"
        expect_rc 0 "*.legacy.test matches $n"
        same_out "w.$n" new "$n resolves as $STD"
        check expect host_rewritten layer=resolve "old=$n" new=$STD symbol=resolve_with_getaddrinfo
    done
    for n in legacy.test .legacy.test xlegacy.test legacy.test.example a.legacy.testx; do
        run "plain.$n" noshim "$CLIENT" --resolve-only getaddrinfo "$n"
        newlog "nw.$n"
        run "nw.$n" shim env 'TLSFLOOR_REWRITE=*.legacy.test=outlook.office365.com' "$CLIENT" --resolve-only getaddrinfo "$n"
        same_out "plain.$n" "nw.$n" "*.legacy.test does not match $n: same result and error as without the shim"
        check none host_rewritten
        check none host_would_rewrite
    done
    # an exact rule wins over a wildcard, whatever the order
    newlog exact
    run exact shim env 'TLSFLOOR_REWRITE=*.legacy.test=outlook.office365.com,x.legacy.test=smtp.office365.com' \
        "$CLIENT" --resolve-only getaddrinfo x.legacy.test
    expect_rc 0 "exact rule"
    check expect host_rewritten old=x.legacy.test new=smtp.office365.com
    check none host_rewritten new=$STD
}

# A wildcard that covers its own target (*.office365.com=outlook.office365.com, "send every
# office365.com host to the standard one") must leave the target itself alone: no rewrite
# record for outlook.office365.com -> outlook.office365.com, and under TLSFLOOR_VERIFY=require a
# connection to the standard name, which went nowhere else, is not made to verify.
case_wildcard_self() {
    servers
    local rule='TLSFLOOR_REWRITE=*.office365.com=outlook.office365.com'
    newlog legacy
    run legacy shim env "$rule" "$CLIENT" --resolve-only getaddrinfo imap-legacy.office365.com
    expect_rc 0 "*.office365.com rewrites imap-legacy.office365.com"
    check expect host_rewritten old=imap-legacy.office365.com new=$STD
    newlog self
    run p.self noshim "$CLIENT" --resolve-only getaddrinfo $STD
    run self shim env "$rule" "$CLIENT" --resolve-only getaddrinfo $STD
    same_out p.self self "$STD itself resolves as without the shim"
    check none host_rewritten old=$STD
    newlog req
    run p.req noshim "$CLIENT" --port 9934 noverify $STD
    run req shim env "$rule" TLSFLOOR_VERIFY=require "$CLIENT" --port 9934 noverify $STD
    expect_rc 0 "require: a connection to $STD itself is not rewritten, so not made to verify"
    same_out p.req req "require: $STD as without the shim"
    check none verify_required
}

# ---- names matching no rule pass through byte for byte ----
case_passthrough() {
    servers
    local fn n i=0
    for fn in getaddrinfo getaddrinfo_a gethostbyname gethostbyname2 gethostbyname_r gethostbyname2_r; do
        for n in nomatch.example.test $STD OUTLOOK.office365.com. localhost 127.0.0.1 \
                 imap-legacy.office365.com.evil.test ximap-legacy.office365.com imap-legacy.office365 \
                 legacy.office365.com 'imap-legacy.office365.com..' imap-legacy-office365.com; do
            i=$((i + 1))
            run "p$i" noshim "$CLIENT" --resolve-only "$fn" "$n"
            local rc0=$RC
            newlog "s$i"
            run "s$i" shim "$CLIENT" --resolve-only "$fn" "$n"
            if [ "$RC" -eq "$rc0" ]; then pass "$fn('$n'): exit $RC both ways"; else fail "$fn('$n'): exit $RC under the shim, $rc0 without"; fi
            same_out "p$i" "s$i" "$fn('$n'): same output with and without the shim"
            check none host_rewritten
        done
    done
    # SNI and host check with a name no rule matches: what the server sees is what was sent
    for fn in sni set1_host; do
        run "p.$fn" noshim "$CLIENT" --port 9931 --cafile "$CA" "$fn" localhost
        newlog "s.$fn"
        run "s.$fn" shim "$CLIENT" --port 9931 --cafile "$CA" "$fn" localhost
        expect_rc 0 "$fn(localhost) under the shim"
        same_out "p.$fn" "s.$fn" "$fn(localhost): same outcome with and without the shim"
        check none host_rewritten
    done
    run s.sni2 shim "$CLIENT" --port 9931 --cafile "$CA" sni LocalHost
    expect_sni strict LocalHost
}

# Names with blanks around a legacy name are not that name: libc fails them, so must the shim
# (rules match case-insensitively and ignore one trailing dot, nothing else).
case_passthrough_blanks() {
    local fn n i=0
    for fn in getaddrinfo gethostbyname; do
        for n in ' imap-legacy.office365.com' 'imap-legacy.office365.com ' $'\timap-legacy.office365.com'; do
            i=$((i + 1))
            run "p$i" noshim "$CLIENT" --resolve-only "$fn" "$n"
            local rc0=$RC
            newlog "s$i"
            run "s$i" shim "$CLIENT" --resolve-only "$fn" "$n"
            if [ "$RC" -eq "$rc0" ]; then pass "$fn('$n'): exit $RC both ways"; else fail "$fn('$n'): exit $RC under the shim, $rc0 without"; fi
            same_out "p$i" "s$i" "$fn('$n'): same output with and without the shim"
            check none host_rewritten
        done
    done
}

# ---- malformed rules: each reported once, nothing else rewritten ----
case_malformed() {
    local bad_rules='old.example.test=outlook.office365.com=x,*.bad.test=not a host,=outlook.office365.com,noequals.test,x y.test=outlook.office365.com,self.test=self.test,old2.example.test=outlook.office365.com:993'
    local n i=0
    for n in old.example.test a.bad.test bad.test self.test old2.example.test x.test noequals.test nomatch.example.test; do
        i=$((i + 1))
        run "p$i" noshim "$CLIENT" --resolve-only --repeat 3 getaddrinfo "$n"
        newlog "m$i"
        run "m$i" shim env "TLSFLOOR_REWRITE=$bad_rules" "$CLIENT" --resolve-only --repeat 3 getaddrinfo "$n"
        same_out "p$i" "m$i" "malformed rules: $n resolves as without the shim"
        check count config_error 7
        check none host_rewritten
    done
    # the built-in rules still apply, and the errors are still reported once per process
    newlog builtin
    run builtin shim env "TLSFLOOR_REWRITE=$bad_rules" "$CLIENT" --resolve-only --repeat 3 getaddrinfo imap-legacy.office365.com
    expect_rc 0 "built-in rules unaffected by malformed user rules"
    check count config_error 7
    check count host_rewritten 3 new=$STD
    # a good rule next to malformed ones still applies
    newlog mixed
    run mixed shim env "TLSFLOOR_REWRITE=noequals.test,good.example.test=$STD,=x" "$CLIENT" --resolve-only getaddrinfo good.example.test
    expect_rc 0 "a valid rule beside malformed ones"
    check count config_error 2
    check count host_rewritten 1 old=good.example.test
    # config file: malformed rewrite lines
    printf 'rewrite onlyone.test\nrewrite a.test b.test c.test\nrewrite old.example.test bad/name\nrewrite old.example.test outlook.office365.com=x\n' > "$WORK/bad.conf"
    newlog conf
    run pconf noshim "$CLIENT" --resolve-only --repeat 2 getaddrinfo old.example.test
    CONF=$WORK/bad.conf run conf shim "$CLIENT" --resolve-only --repeat 2 getaddrinfo old.example.test
    same_out pconf conf "config file with malformed rewrite lines: old.example.test as without the shim"
    check count config_error 4
    check none host_rewritten
}

# ---- built-in rules off ----
case_defaults_off() {
    servers
    run plain noshim "$CLIENT" --resolve-only getaddrinfo imap-legacy.office365.com
    run psni noshim "$CLIENT" --port 9931 --cafile "$CA" sni imap-legacy.office365.com
    local how
    printf 'rewrite_defaults 0\n' > "$WORK/off.conf"
    for how in env conf wrapper; do
        newlog "$how"
        local -a pre
        case $how in
            env) pre=(shim env TLSFLOOR_REWRITE_DEFAULTS=0) ;;
            conf) pre=(env LD_PRELOAD="$LIB" TLSFLOOR_LOG="$LOG" TLSFLOOR_CONFIG="$WORK/off.conf") ;;
            wrapper) pre=(env TLSFLOOR_CONFIG="$WORK/empty.conf" "$SRC/scripts/tlsfloor" --library "$LIB" --log "$LOG" --no-default-rewrites --) ;;
        esac
        run "$how" "${pre[@]}" "$CLIENT" --resolve-only getaddrinfo imap-legacy.office365.com
        same_out plain "$how" "defaults off ($how): the legacy name fails as without the shim"
        run "$how.sni" "${pre[@]}" "$CLIENT" --port 9931 --cafile "$CA" sni imap-legacy.office365.com
        expect_rc 4 "defaults off ($how): legacy SNI sent unchanged and refused"
        expect_sni strict imap-legacy.office365.com
        check none host_rewritten
        check none host_would_rewrite
        check none config_error
    done
    # user rules still work with the built-in ones off
    newlog user
    run user shim env TLSFLOOR_REWRITE_DEFAULTS=0 TLSFLOOR_REWRITE=old.example.test=$STD "$CLIENT" --resolve-only getaddrinfo old.example.test
    expect_rc 0 "defaults off: a user rule still applies"
    check expect host_rewritten old=old.example.test new=$STD
}

# ---- audit mode: nothing rewritten, each use logged with its caller ----
case_audit() {
    servers
    local how
    for how in env wrapper; do
        local -a pre
        newlog "$how"
        case $how in
            env) pre=(shim env TLSFLOOR_MODE=audit) ;;
            wrapper) pre=(env TLSFLOOR_CONFIG="$WORK/empty.conf" "$SRC/scripts/tlsfloor" --library "$LIB" --log "$LOG" --audit --) ;;
        esac
        run "p.gai" noshim "$CLIENT" --resolve-only getaddrinfo imap-legacy.office365.com
        run "$how.gai" "${pre[@]}" "$CLIENT" --resolve-only getaddrinfo imap-legacy.office365.com
        same_out p.gai "$how.gai" "audit ($how): getaddrinfo fails as without the shim"
        run "p.sni" noshim "$CLIENT" --port 9931 --cafile "$CA" sni imap-legacy.office365.com
        run "$how.sni" "${pre[@]}" "$CLIENT" --port 9931 --cafile "$CA" sni imap-legacy.office365.com
        expect_rc 4 "audit ($how): the legacy SNI is refused as without the shim"
        expect_sni strict imap-legacy.office365.com
        run "p.set1" noshim "$CLIENT" --port 9931 --cafile "$CA" set1_host imap-legacy.office365.com
        run "$how.set1" "${pre[@]}" "$CLIENT" --port 9931 --cafile "$CA" set1_host imap-legacy.office365.com
        same_out p.set1 "$how.set1" "audit ($how): SSL_set1_host(legacy) fails verification as without the shim"
        run "p.param" noshim "$CLIENT" --port 9931 --cafile "$CA" param_set1_host_ssl imap-legacy.office365.com
        run "$how.param" "${pre[@]}" "$CLIENT" --port 9931 --cafile "$CA" param_set1_host_ssl imap-legacy.office365.com
        same_out p.param "$how.param" "audit ($how): X509_VERIFY_PARAM_set1_host(legacy) as without the shim"
        check none host_rewritten
        check expect host_would_rewrite mode=audit layer=resolve old=imap-legacy.office365.com new=$STD symbol=resolve_with_getaddrinfo
        check expect host_would_rewrite mode=audit layer=sni old=imap-legacy.office365.com new=$STD symbol=name_via_sni
        check expect host_would_rewrite mode=audit layer=verify old=imap-legacy.office365.com new=$STD symbol=name_via_set1_host
        check expect host_would_rewrite mode=audit layer=verify old=imap-legacy.office365.com new=$STD symbol=name_via_param_set1_host_ssl
    done
}

# ---- TLSFLOOR_VERIFY=require: a program that does not verify ----
case_verify_require() {
    servers
    run plain noshim "$CLIENT" --port 9934 noverify imap-legacy.office365.com
    expect_rc 2 "without the shim the legacy name does not resolve"
    # keep (the default): a non-verifying program is not made to verify
    newlog keep
    run keep shim "$CLIENT" --port 9934 noverify imap-legacy.office365.com
    expect_rc 0 "keep: untrusted server accepted, as the program asked"
    expect_out keep 'verify_mode=0 ' "keep: verification stays off"
    check expect host_rewritten layer=sni old=imap-legacy.office365.com new=$STD symbol=connect_without_verifying
    check none verify_required
    # require: verified against the system store, which does not trust the test CAs
    newlog req
    run req shim env TLSFLOOR_VERIFY=require "$CLIENT" --port 9934 noverify imap-legacy.office365.com
    expect_rc 4 "require: untrusted server refused"
    expect_out req 'certificate verify failed' "require: the failure is a verification error"
    check expect verify_required host=$STD
    newlog req2
    run req2 shim env TLSFLOOR_VERIFY=require "$CLIENT" --port 9931 noverify imap-legacy.office365.com
    expect_rc 4 "require: the test CA is not in the system store either"
    # require with the test CA added to the default paths (SSL_CERT_FILE / SSL_CERT_DIR)
    newlog trusted
    run trusted shim env TLSFLOOR_VERIFY=require SSL_CERT_FILE="$CA" SSL_CERT_DIR=/nonexistent "$CLIENT" --port 9931 noverify imap-legacy.office365.com
    expect_rc 0 "require: trusted server with the new name accepted"
    expect_out trusted '^handshake ok .*verify_mode=1 verify_result=0 ' "require: verification was on and passed"
    check expect verify_required host=$STD
    # ... and it is checked against the new name
    run wrongname shim env TLSFLOOR_VERIFY=require SSL_CERT_FILE="$CA" SSL_CERT_DIR=/nonexistent "$CLIENT" --port 9935 noverify imap-legacy.office365.com
    expect_rc 4 "require: a trusted certificate without $STD is refused"
    expect_out wrongname 'verify_result=62 ' "require: host name mismatch"
    # the wrapper's --verify require
    newlog wrap
    run wrap env TLSFLOOR_CONFIG="$WORK/empty.conf" "$SRC/scripts/tlsfloor" --library "$LIB" --log "$LOG" --verify require -- \
        "$CLIENT" --port 9934 noverify imap-legacy.office365.com
    expect_rc 4 "wrapper --verify require: untrusted server refused"
    check expect verify_required
    # a connection that was not rewritten is left alone under require
    newlog other
    run pother noshim "$CLIENT" --port 9934 noverify localhost
    run other shim env TLSFLOOR_VERIFY=require "$CLIENT" --port 9934 noverify localhost
    expect_rc 0 "require: a connection that was not rewritten is not made to verify"
    same_out pother other "require: non-rewritten connection as without the shim"
    check none verify_required
}

fn=case_${CASE//-/_}
if ! declare -F "$fn" >/dev/null; then
    echo "unknown case $CASE" >&2
    exit 2
fi
setup "$CASE"
"$fn"
finish
