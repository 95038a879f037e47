#!/bin/bash
# server.sh : the OAuth-only test server (lib.sh) refuses passwords and bad, expired, foreign and
# other users' tokens, and accepts a good token, on every port (ctest auth_server).  Clients:
# python3's imaplib/poplib/smtplib (XOAUTH2, LOGIN/USER+PASS/AUTH, PLAIN) and curl
# --oauth2-bearer.  Runs inside tests/lib/netns-run.
set -u
. "$(dirname "$0")/lib.sh"

auth_server_start "$T/server" || exit 1
export SASL_CA=$CA

# sasl NAME PROTO METHOD SECRET : run sasl.py (the secret through the environment)
sasl() {
    local n=$1 proto=$2 method=$3 secret=$4
    SASL_SECRET=$secret run_plain "$n" "$PY" "$AUTH_SRC/sasl.py" "$proto" "$method" "$AUTH_USER"
}
refused() { # refused NAME WHAT : exit 1 = the server answered the login with a refusal
    expect_fail "$1" "$2 is refused by the server" 1
}
logins() { grep -c "Login: user=<$AUTH_USER>, method=$1" "$AUTH_DOVECOT_LOG"; }

good=$(token good)
for proto in imaps imap pop3s pop3 smtp; do
    case_begin "$proto: passwords are refused"
    sasl "$proto-login" "$proto" login "$AUTH_PASSWORD"
    refused "$proto-login" "password login (LOGIN / USER+PASS / AUTH)"
    sasl "$proto-plain" "$proto" plain "$AUTH_PASSWORD"
    refused "$proto-plain" "AUTH PLAIN with the password"
    sasl "$proto-plain-token" "$proto" plain "$good"
    refused "$proto-plain-token" "AUTH PLAIN with a good token as the password"

    case_begin "$proto: XOAUTH2 with bad tokens is refused"
    for mode in bad expired foreign wronguser; do
        sasl "$proto-$mode" "$proto" xoauth2 "$(token "$mode")"
        refused "$proto-$mode" "XOAUTH2 with a $mode token"
    done
    sasl "$proto-empty" "$proto" xoauth2 ""
    refused "$proto-empty" "XOAUTH2 with an empty token"

    case_begin "$proto: XOAUTH2 with a good token logs in"
    before=$(logins XOAUTH2)
    sasl "$proto-good" "$proto" xoauth2 "$(token good)"
    expect_ok "$proto-good" "XOAUTH2 with a good token logs in" "logged in"
    check "Dovecot logged the XOAUTH2 login" test "$(logins XOAUTH2)" -eq $((before + 1))
done

case_begin "the server's reasons (Dovecot's log)"
for why in "Token has expired" "Incorrect JWT signature" "Not a JWT token" "did not match" "key .default. not found"; do
    check "a refusal logged: $why" grep -q "$why" "$AUTH_DOVECOT_LOG"
done
check "no password login ever succeeded" \
    sh -c "! grep -Eq 'Login: .*method=(PLAIN|LOGIN)' '$AUTH_DOVECOT_LOG'"

case_begin "curl --oauth2-bearer on every port"
printf 'From: %s\r\nTo: helpdesk@example.test\r\nSubject: oauth curl\r\n\r\nmarker TFAUTH-CURL-BEARER\r\n' \
    "$AUTH_USER" > "$T/msg.txt"
sink0=$(grep -c '^MESSAGE' "$AUTH_SINK")
for c in "imaps://outlook.office365.com/INBOX|LIST" "imap://outlook.office365.com/INBOX|LIST" \
         "pop3s://outlook.office365.com/|^1 " "pop3://outlook.office365.com/|^1 " \
         "smtp://smtp.office365.com:587/|"; do
    url=${c%%|*} mark=${c#*|}
    extra=()
    case $url in
        smtp*) extra=(--mail-from "$AUTH_USER" --mail-rcpt helpdesk@example.test -T "$T/msg.txt") ;;
    esac
    run_plain "curl-${url%%:*}" curl -sS --max-time 20 --ssl-reqd --cacert "$CA" \
        --user "$AUTH_USER:" --oauth2-bearer "$(token good)" "${extra[@]}" "$url"
    expect_ok "curl-${url%%:*}" "curl --oauth2-bearer $url" "$mark"
    run_plain "curl-${url%%:*}-expired" curl -sS --max-time 20 --ssl-reqd --cacert "$CA" \
        --user "$AUTH_USER:" --oauth2-bearer "$(token expired)" "${extra[@]}" "$url"
    expect_fail "curl-${url%%:*}-expired" "curl --oauth2-bearer with an expired token: Login denied" 67
done
check "the sink got curl's message" test "$(grep -c '^MESSAGE' "$AUTH_SINK")" -eq $((sink0 + 1))

case_begin "smtplib: XOAUTH2 then a message delivered"
sink0=$(grep -c '^MESSAGE' "$AUTH_SINK")
SASL_SEND=helpdesk@example.test sasl smtp-send smtp xoauth2 "$(token good)"
expect_ok smtp-send "message sent after XOAUTH2" "message sent"
check "the sink got it" test "$(grep -c '^MESSAGE' "$AUTH_SINK")" -eq $((sink0 + 1))
check "with its marker" grep -q TFAUTH-SMTP-PY "$AUTH_SINK"

case_begin "TLS 1.2 only"
run_plain tls13 openssl s_client -tls1_3 -connect 127.0.0.1:993 -servername outlook.office365.com
expect_fail tls13 "a TLS 1.3-only client is refused"
run_plain tls12 openssl s_client -tls1_2 -connect 127.0.0.1:993 -servername outlook.office365.com \
    -CAfile "$CA" -verify_return_error -verify_hostname outlook.office365.com
expect_ok tls12 "TLS 1.2 with a certificate valid for outlook.office365.com" "Verify return code: 0"

auth_server_stop
finish
