#!/bin/bash
# run.sh GROUP : mail scenarios with real Dovecot servers, one case group per ctest test.
# Must run inside tests/lib/netns-run (each group starts its own servers in its own namespace).
#   GROUP: curl | python | openssl | c11 | failures | verify | gnutls-{cli,msmtp,mutt,wget,verify}
# Every case: the control (modern settings) works; the pinned or legacy-named run fails without
# tlsfloor; it works under tlsfloor; the log shows what was done.  The pinned run against the
# legacy server (127.0.0.2, TLS 1.0/1.1 only) proves the pin is real.
set -u
group=${1:?usage: run.sh GROUP}
. "$(dirname "$0")/lib.sh"

U=poller@example.test:s3cret
M=127.0.0.1       # modern Dovecot (outlook.office365.com, smtp.office365.com)
L=127.0.0.2       # legacy Dovecot

# ---- curl -----------------------------------------------------------------------------------

# curl_case NAME URL-SCHEME+PATH PORT HOSTKIND EXTRA... ; URL is built per host
curl_group() {
    printf 'From: poller@example.test\r\nTo: helpdesk@example.test\r\nSubject: curl via tlsfloor\r\n\r\nmarker TFMAIL-CURL\r\n' > "$T/msg.txt"
    local smtp_args=(--mail-from poller@example.test --mail-rcpt helpdesk@example.test -T "$T/msg.txt")
    # name | url path (after host:port) | port | standard host | legacy host | extra | stdout marker
    local cases=(
        "imaps-list|imaps|/INBOX|993|outlook.office365.com|imap-legacy.office365.com||LIST"
        "imaps-fetch|imaps|/INBOX/;UID=2;SECTION=HEADER.FIELDS%20(SUBJECT)|993|outlook.office365.com|imap-legacy.office365.com||Ticket 2"
        "pop3s-list|pop3s|/|995|outlook.office365.com|pop-legacy.office365.com||^1 "
        "pop3s-retr|pop3s|/2|995|outlook.office365.com|pop-legacy.office365.com||TFMAIL-BODY-2"
        "imap-starttls|imap|/INBOX/;UID=3;SECTION=HEADER.FIELDS%20(SUBJECT)|143|outlook.office365.com|imap-legacy.office365.com|--ssl-reqd|Ticket 3"
        "pop3-stls|pop3|/3|110|outlook.office365.com|pop-legacy.office365.com|--ssl-reqd|TFMAIL-BODY-3"
        "smtp-starttls|smtp|/|587|smtp.office365.com|smtp-legacy.office365.com|--ssl-reqd|"
    )
    local c name scheme path port std leg extra mark
    for c in "${cases[@]}"; do
        IFS='|' read -r name scheme path port std leg extra mark <<< "$c"
        local base=(curl -sS --max-time 20 --cacert "$CA" --user "$U" $extra)
        local more=()
        [ "$scheme" = smtp ] && more=("${smtp_args[@]}")
        local url="$scheme://$std:$port$path" lurl="$scheme://$leg:$port$path"
        local sinkn0 sinkn
        sinkn0=$(grep -c '^MESSAGE' "$SINK_modern")

        case_begin "curl $name (pin --tls-max 1.1)"
        run_plain "c-$name-ctl" "${base[@]}" "${more[@]}" "$url"
        expect_ok "c-$name-ctl" "control: modern curl works" "$mark"
        run_plain "c-$name-legacysrv" "${base[@]}" --tlsv1.0 --tls-max 1.1 "${more[@]}" \
            --resolve "$std:$port:$L" -v "$url"
        expect_ok "c-$name-legacysrv" "pinned curl works against the TLS 1.0/1.1 server" "$mark"
        check "it negotiated TLS 1.0/1.1 there" grep -Eq 'SSL connection using TLSv1(\.1)? ' "$OUT/c-$name-legacysrv.err"
        run_plain "c-$name-pin" "${base[@]}" --tlsv1.0 --tls-max 1.1 "${more[@]}" "$url"
        expect_fail "c-$name-pin" "pinned curl fails against the TLS 1.2+ server" 35
        run_shim "c-$name-pin-tf" "${base[@]}" --tlsv1.0 --tls-max 1.1 "${more[@]}" "$url"
        expect_ok "c-$name-pin-tf" "pinned curl works under tlsfloor" "$mark"
        expect_log "c-$name-pin-tf" max_version_raised detail.old=TLSv1.1 detail.applied=true
        expect_log "c-$name-pin-tf" handshake detail.below_floor=false detail.changed=true 'detail.changes~max_version'
        expect_floor_handshakes "c-$name-pin-tf"

        case_begin "curl $name (legacy host $leg)"
        run_plain "c-$name-leg" "${base[@]}" "${more[@]}" "$lurl"
        expect_fail "c-$name-leg" "legacy name fails without tlsfloor (does not resolve)" 6
        run_shim "c-$name-leg-tf" "${base[@]}" "${more[@]}" "$lurl"
        expect_ok "c-$name-leg-tf" "legacy name works under tlsfloor" "$mark"
        expect_log "c-$name-leg-tf" host_rewritten "detail.old=$leg" "detail.new=$std"
        expect_log "c-$name-leg-tf" handshake "detail.sni=$std" detail.changed=true 'detail.changes~host'
        expect_floor_handshakes "c-$name-leg-tf"

        if [ "$scheme" = smtp ]; then
            sinkn=$(grep -c '^MESSAGE' "$SINK_modern")
            check "the sink got the 3 relayed messages (control, pinned, legacy name)" \
                test "$sinkn" -eq $((sinkn0 + 3))
        fi
    done
}

# curl (>= 7.87) reads and writes through its own BIO, not a socket BIO: the handshake record
# must still name the peer (README: handshake {..., peer, ...}); tlsfloor verify needs the port.
curl_peer_group() {
    local p
    for p in "imaps://outlook.office365.com/INBOX|$M:993" "pop3s://outlook.office365.com/|$M:995" \
             "imap://outlook.office365.com/INBOX|$M:143"; do
        case_begin "curl handshake record names the peer (${p%%|*})"
        run_shim "cp-${p##*:}" curl -sS --max-time 20 --ssl-reqd --cacert "$CA" --user "$U" --tls-max 1.1 "${p%%|*}"
        expect_ok "cp-${p##*:}" "curl works under tlsfloor"
        expect_log "cp-${p##*:}" handshake "detail.peer=${p##*|}"
    done
    case_begin "python3 handshake record names the peer (control for the above)"
    run_shim cp-py "$PY" "$MAILDIR_SRC/pymail.py" imaps outlook.office365.com 993 max11 "$CA"
    expect_ok cp-py "python works under tlsfloor"
    expect_log cp-py handshake "detail.peer=$M:993"
}

# ---- python3 ---------------------------------------------------------------------------------

python_group() {
    local cases=(
        "imaps|993|outlook.office365.com|imap-legacy.office365.com|FETCH OK Subject: Ticket 1"
        "imap-starttls|143|outlook.office365.com|imap-legacy.office365.com|FETCH OK Subject: Ticket 1"
        "pop3s|995|outlook.office365.com|pop-legacy.office365.com|RETR Subject: Ticket 1"
        "pop3-stls|110|outlook.office365.com|pop-legacy.office365.com|RETR Subject: Ticket 1"
        "smtp-starttls|587|smtp.office365.com|smtp-legacy.office365.com|SENT"
    )
    local c proto port std leg mark pin
    local py=("$PY" "$MAILDIR_SRC/pymail.py")
    for c in "${cases[@]}"; do
        IFS='|' read -r proto port std leg mark <<< "$c"
        case_begin "python3 $proto control"
        run_plain "p-$proto-ctl" "${py[@]}" "$proto" "$std" "$port" none "$CA"
        expect_ok "p-$proto-ctl" "control: modern context works" "$mark"
        for pin in max11 tlsv1; do
            local want_v='TLS=TLSv1.1' ; [ "$pin" = tlsv1 ] && want_v='TLS=TLSv1$'
            case_begin "python3 $proto (pin $pin)"
            run_plain "p-$proto-$pin-legacysrv" "${py[@]}" "$proto" "$std" "$port" "$pin" "$CA" "$L"
            expect_ok "p-$proto-$pin-legacysrv" "pinned client works against the TLS 1.0/1.1 server" "$mark"
            check "it negotiated ${want_v#TLS=} there" grep -q "^$want_v" "$OUT/p-$proto-$pin-legacysrv.out"
            run_plain "p-$proto-$pin" "${py[@]}" "$proto" "$std" "$port" "$pin" "$CA"
            expect_fail "p-$proto-$pin" "pinned client fails against the TLS 1.2+ server"
            run_shim "p-$proto-$pin-tf" "${py[@]}" "$proto" "$std" "$port" "$pin" "$CA"
            expect_ok "p-$proto-$pin-tf" "pinned client works under tlsfloor" "$mark"
            check "it negotiated TLS >= 1.2" grep -Eq '^TLS=TLSv1\.[23]' "$OUT/p-$proto-$pin-tf.out"
            if [ "$pin" = max11 ]; then
                expect_log "p-$proto-$pin-tf" max_version_raised detail.old=TLSv1.1 detail.applied=true
            else
                expect_log "p-$proto-$pin-tf" method_pinned detail.applied=true
            fi
            expect_floor_handshakes "p-$proto-$pin-tf"
        done
        case_begin "python3 $proto (legacy host $leg)"
        run_plain "p-$proto-leg" "${py[@]}" "$proto" "$leg" "$port" none "$CA"
        expect_fail "p-$proto-leg" "legacy name fails without tlsfloor"
        run_shim "p-$proto-leg-tf" "${py[@]}" "$proto" "$leg" "$port" none "$CA"
        expect_ok "p-$proto-leg-tf" "legacy name works under tlsfloor" "$mark"
        expect_log "p-$proto-leg-tf" host_rewritten "detail.old=$leg" "detail.new=$std"
        expect_log "p-$proto-leg-tf" handshake "detail.sni=$std" detail.changed=true
        expect_floor_handshakes "p-$proto-leg-tf"
    done
    case_begin "python3 smtp: relayed messages"
    check "the modern sink got 4 messages (control, max11, tlsv1, legacy name)" \
        test "$(grep -c '^MESSAGE' "$SINK_modern")" -eq 4
    check "the legacy sink got 2 messages (max11, tlsv1 against the old server)" \
        test "$(grep -c '^MESSAGE' "$SINK_legacy")" -eq 2
}

# ---- openssl s_client -----------------------------------------------------------------------

openssl_group() {
    local cases=(
        "imap|143|outlook.office365.com|a1 LOGIN poller@example.test s3cret\na2 LOGOUT\n|a1 OK .*Logged in"
        "pop3|110|outlook.office365.com|USER poller@example.test\nPASS s3cret\nQUIT\n|+OK Logged in"
        "smtp|587|smtp.office365.com|EHLO client.test\nQUIT\n|250-mail.test"
    )
    local c proto port std input mark
    for c in "${cases[@]}"; do
        IFS='|' read -r proto port std input mark <<< "$c"
        printf "$input" > "$T/in-$proto"
        local base=(openssl s_client -brief -crlf -ign_eof -starttls "$proto" -connect "$std:$port"
                    -servername "$std" -verify_hostname "$std" -CAfile "$CA" -verify_return_error)
        case_begin "openssl s_client -tls1 -starttls $proto"
        RUN_STDIN=$T/in-$proto run_plain "o-$proto-ctl" "${base[@]}"
        expect_ok "o-$proto-ctl" "control: s_client without a pin works" "$mark"
        RUN_STDIN=$T/in-$proto run_plain "o-$proto-legacysrv" openssl s_client -brief -crlf -ign_eof -tls1 \
            -starttls "$proto" -connect "$L:$port" -servername "$std" -verify_hostname "$std" \
            -CAfile "$CA" -verify_return_error -cipher 'DEFAULT:@SECLEVEL=0'
        expect_ok "o-$proto-legacysrv" "s_client -tls1 works against the TLS 1.0/1.1 server" "$mark"
        check "it negotiated TLSv1 there" grep -q 'Protocol version: TLSv1$' "$OUT/o-$proto-legacysrv.err"
        RUN_STDIN=$T/in-$proto run_plain "o-$proto-pin" "${base[@]}" -tls1
        expect_fail "o-$proto-pin" "s_client -tls1 fails against the TLS 1.2+ server"
        RUN_STDIN=$T/in-$proto run_shim "o-$proto-pin-tf" "${base[@]}" -tls1
        expect_ok "o-$proto-pin-tf" "s_client -tls1 works under tlsfloor" "$mark"
        check "it negotiated TLS >= 1.2" grep -Eq 'Protocol version: TLSv1\.[23]' "$OUT/o-$proto-pin-tf.err"
        expect_log "o-$proto-pin-tf" max_version_raised detail.old=TLSv1.0 detail.applied=true
        expect_floor_handshakes "o-$proto-pin-tf"
    done
}

# ---- C client against OpenSSL 1.1 ------------------------------------------------------------

c11_group() {
    local bin=$TF_MAILBIN/imap11
    local ld=$TF_OPENSSL11_ROOT/usr/lib/x86_64-linux-gnu
    [ -x "$bin" ] || { fail "imap11 not built ($bin)"; return; }
    local run=(env LD_LIBRARY_PATH="$ld" "$bin")
    case_begin "C IMAPS client, OpenSSL 1.1, TLSv1_client_method()"
    run_plain c11-ldd env LD_LIBRARY_PATH="$ld" ldd "$bin"
    check "it loads libssl.so.1.1 from the fetched root" grep -q "libssl.so.1.1 => $ld" "$OUT/c11-ldd.out"
    run_plain c11-legacysrv "${run[@]}" outlook.office365.com 993 "$CA" "$L"
    expect_ok c11-legacysrv "works against the TLS 1.0/1.1 server" "Subject: Ticket 1"
    check "it negotiated TLSv1 with OpenSSL 1.1" grep -q '^TLS=TLSv1 .*OpenSSL 1\.1\.1' "$OUT/c11-legacysrv.out"
    run_plain c11-pin "${run[@]}" outlook.office365.com 993 "$CA"
    expect_fail c11-pin "fails against the TLS 1.2+ server" 1
    run_shim c11-pin-tf "${run[@]}" outlook.office365.com 993 "$CA"
    expect_ok c11-pin-tf "works under tlsfloor" "Subject: Ticket 1"
    check "it negotiated TLS >= 1.2" grep -Eq '^TLS=TLSv1\.[23] ' "$OUT/c11-pin-tf.out"
    expect_log c11-pin-tf method_pinned detail.applied=true
    expect_floor_handshakes c11-pin-tf
    case_begin "C IMAPS client, OpenSSL 1.1, legacy host name"
    run_plain c11-leg "${run[@]}" imap-legacy.office365.com 993 "$CA"
    expect_fail c11-leg "legacy name fails without tlsfloor" 1
    run_shim c11-leg-tf "${run[@]}" imap-legacy.office365.com 993 "$CA"
    expect_ok c11-leg-tf "legacy name works under tlsfloor (resolve, SNI and SSL_set1_host rewritten)" "Subject: Ticket 1"
    expect_log c11-leg-tf host_rewritten detail.old=imap-legacy.office365.com detail.new=outlook.office365.com
    expect_log c11-leg-tf handshake detail.sni=outlook.office365.com detail.changed=true
    expect_floor_handshakes c11-leg-tf
}

# ---- failure paths ----------------------------------------------------------------------------

failures_group() {
    # 127.0.0.3:993 answers every ClientHello above TLS 1.0 with a protocol_version alert.
    env -u LD_PRELOAD openssl s_server -quiet -accept 127.0.0.3:993 -cert "$PKI/server.pem" \
        -key "$PKI/server.key" -tls1 -cipher 'DEFAULT:@SECLEVEL=0' < /dev/null > "$T/alert.log" 2>&1 &
    PIDS+=($!)
    # 127.0.0.4:993 reads the ClientHello and closes.
    env -u LD_PRELOAD "$PY" -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.4", 993)); s.listen(8)
while True:
    c, _ = s.accept(); c.recv(4096); c.close()' &
    PIDS+=($!)
    local i
    for i in $(seq 100); do
        (exec 3<>/dev/tcp/127.0.0.3/993) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.4/993) 2>/dev/null && break
        sleep 0.05
    done
    local base=(curl -sS --max-time 20 --cacert "$CA" --user "$U")
    local url=imaps://outlook.office365.com/INBOX
    local strip='s/ in connection to [^ ]*//'

    case_begin "failure: server answers the handshake with an alert (curl --tlsv1.2)"
    run_plain f-alert "${base[@]}" --tlsv1.2 --resolve outlook.office365.com:993:127.0.0.3 "$url"
    run_shim f-alert-tf "${base[@]}" --tlsv1.2 --resolve outlook.office365.com:993:127.0.0.3 "$url"
    expect_fail f-alert-tf "fails under tlsfloor" 35
    expect_same_error f-alert f-alert-tf
    expect_log f-alert-tf handshake_failed 'detail.reason=tlsv1 alert protocol version' detail.sni=outlook.office365.com
    expect_no_log f-alert-tf handshake

    case_begin "failure: alert, pinned curl (--tls-max 1.1): works alone, fails when raised"
    run_plain f-alert-pin "${base[@]}" --tlsv1.0 --tls-max 1.1 --resolve outlook.office365.com:993:127.0.0.3 "$url"
    check "without tlsfloor the handshake completes (the server speaks TLS 1.0)" \
        bash -c "! grep -q 'SSL_connect\\|alert' '$OUT/f-alert-pin.err'"
    run_shim f-alert-pin-tf "${base[@]}" --tlsv1.0 --tls-max 1.1 --resolve outlook.office365.com:993:127.0.0.3 "$url"
    expect_fail f-alert-pin-tf "under tlsfloor it fails with the server's alert" 35
    check "curl's own message names the alert" grep -q 'alert protocol version' "$OUT/f-alert-pin-tf.err"
    expect_log f-alert-pin-tf handshake_failed 'detail.reason=tlsv1 alert protocol version' detail.changed=true

    case_begin "failure: server closes right after the ClientHello (curl and python)"
    run_plain f-close "${base[@]}" --resolve outlook.office365.com:993:127.0.0.4 "$url"
    run_shim f-close-tf "${base[@]}" --resolve outlook.office365.com:993:127.0.0.4 "$url"
    expect_fail f-close-tf "fails under tlsfloor" 35
    expect_same_error f-close f-close-tf
    expect_log f-close-tf handshake_failed detail.sni=outlook.office365.com 'detail.reason~.'
    expect_no_log f-close-tf handshake
    run_plain f-close-py "$PY" "$MAILDIR_SRC/pymail.py" imaps outlook.office365.com 993 max11 "$CA" 127.0.0.4
    run_shim f-close-py-tf "$PY" "$MAILDIR_SRC/pymail.py" imaps outlook.office365.com 993 max11 "$CA" 127.0.0.4
    expect_same_error f-close-py f-close-py-tf
    expect_log f-close-py-tf handshake_failed detail.peer=127.0.0.4:993 detail.changed=true 'detail.changes~max_version'

    case_begin "failure: a name that does not resolve"
    run_plain f-nxdomain "${base[@]}" imaps://no-such-host.invalid/INBOX
    run_shim f-nxdomain-tf "${base[@]}" imaps://no-such-host.invalid/INBOX
    expect_fail f-nxdomain-tf "fails under tlsfloor" 6
    expect_same_error f-nxdomain f-nxdomain-tf
    expect_no_log f-nxdomain-tf handshake
    expect_no_log f-nxdomain-tf handshake_failed
    run_plain f-nxdomain-py "$PY" "$MAILDIR_SRC/pymail.py" imaps no-such-host.invalid 993 max11 "$CA"
    run_shim f-nxdomain-py-tf "$PY" "$MAILDIR_SRC/pymail.py" imaps no-such-host.invalid 993 max11 "$CA"
    expect_same_error f-nxdomain-py f-nxdomain-py-tf
    expect_no_log f-nxdomain-py-tf handshake_failed

    case_begin "failure: a refused port"
    run_plain f-refused "${base[@]}" imaps://outlook.office365.com:9993/INBOX
    run_shim f-refused-tf "${base[@]}" imaps://outlook.office365.com:9993/INBOX
    expect_fail f-refused-tf "fails under tlsfloor" 7
    expect_same_error f-refused f-refused-tf 's/after [0-9]* ms/after N ms/'
    expect_no_log f-refused-tf handshake
    expect_no_log f-refused-tf handshake_failed
    run_plain f-refused-py "$PY" "$MAILDIR_SRC/pymail.py" pop3-stls outlook.office365.com 9110 max11 "$CA"
    run_shim f-refused-py-tf "$PY" "$MAILDIR_SRC/pymail.py" pop3-stls outlook.office365.com 9110 max11 "$CA"
    expect_same_error f-refused-py f-refused-py-tf
    expect_no_log f-refused-py-tf handshake_failed
}

# ---- README recipes (README.md), read from the file itself ----------------------

recipe_block() { # recipe_block NAME : the fenced block after <!-- recipe: NAME -->
    awk -v name="$1" '
        $0 == "<!-- recipe: " name " -->" { found = 1; next }
        found && /^```/ { if (inside) exit; inside = 1; next }
        found && inside { print }' "$MAILDIR_SRC/../../README.md"
}
# Paths the recipes use on an installed system, mapped to this test's tree.
recipe_paths() {
    sed -e "s|/usr/local/bin/tlsfloor|$TF_SRC/scripts/tlsfloor|g" \
        -e "s|/usr/local/lib/tlsfloor/libtlsfloor.so|$TF_LIB|g" \
        -e "s|/opt/helpdesk/bin/mailpoll|$T/bin/mailpoll|g" \
        -e "s|/var/log/tlsfloor/|$T/log/|g" -e "s|/tmp/mailpoll-verify.json|$T/mailpoll-verify.json|g"
}
expect_mailpoll_log() { # expect_mailpoll_log FILE : the stand-in's log shows the fix
    local f=$1
    if "$TF_LOGTOOL" --event handshake --expect-min 1 "$f" && "$TF_LOGTOOL" --where detail.below_floor=true --none "$f" \
       && "$TF_LOGTOOL" --event handshake --where detail.changes=method,host --expect-min 1 "$f" \
       && "$TF_LOGTOOL" --event host_rewritten --expect-min 1 "$f"; then
        pass "log $f: handshake at >= 1.2, method and host changed"
    else
        fail "log $f lacks the expected records"; head -c 2000 "$f" 2>/dev/null | sed 's/^/    | /'
    fi
}

recipes_group() {
    # The old program: a POP3S poller pinned with PROTOCOL_TLSv1 naming the legacy host.
    mkdir -p "$T/bin" "$T/log"
    cat > "$T/bin/mailpoll" <<EOS
#!/bin/sh
# stand-in for /opt/helpdesk/bin/mailpoll (its --config argument is ignored)
exec "$PY" "$MAILDIR_SRC/pymail.py" pop3s pop-legacy.office365.com 995 tlsv1 "$CA"
EOS
    chmod +x "$T/bin/mailpoll"
    local cronenv=(env -i PATH=/usr/bin:/bin HOME=/root SHELL=/bin/sh LOGNAME=root)

    case_begin "recipe: the stand-in fails without tlsfloor"
    run_plain r-bare "$T/bin/mailpoll"
    expect_fail r-bare "mailpoll alone fails (legacy name does not resolve)"

    case_begin "recipe: cron line"
    local line; line=$(recipe_block cron | grep -v '^#' | grep .)
    check "one cron line" test "$(printf '%s\n' "$line" | wc -l)" -eq 1
    check "five valid time fields" bash -c 'set -f; set -- $1; [ $# -ge 6 ] && for f in "$1" "$2" "$3" "$4" "$5"; do [[ "$f" =~ ^(\*|[0-9]+(-[0-9]+)?)(/[0-9]+)?(,([0-9]+(-[0-9]+)?)(/[0-9]+)?)*$ ]] || exit 1; done' _ "$line"
    check "no unescaped % (cron would cut the command there)" bash -c '! printf "%s" "$1" | grep -q "\(^\|[^\\]\)%"' _ "$line"
    local cmd; cmd=$(printf '%s\n' "$line" | sed -E 's/^([^ ]+ +){5}//' | recipe_paths)
    rm -f "$T/log/mailpoll.jsonl"
    run_plain r-cron "${cronenv[@]}" TLSFLOOR_LIBRARY="$TF_LIB" /bin/sh -c "$cmd"
    expect_ok r-cron "the cron command works under cron's environment" "RETR Subject: Ticket 1"
    expect_mailpoll_log "$T/log/mailpoll.jsonl"

    case_begin "recipe: systemd drop-in"
    mkdir -p "$T/sd/mailpoll.service.d"
    recipe_block systemd-dropin > "$T/sd/mailpoll.service.d/tlsfloor.conf"
    printf '[Unit]\nDescription=help-desk mail poller\n[Service]\nType=oneshot\nExecStart=%s --config /etc/mailpoll.conf\n' \
        "$T/bin/mailpoll" > "$T/sd/mailpoll.service"
    check "drop-in sets LD_PRELOAD and TLSFLOOR_LOG" grep -q '^Environment=LD_PRELOAD=/.*libtlsfloor.so$' "$T/sd/mailpoll.service.d/tlsfloor.conf"
    if command -v systemd-analyze >/dev/null; then
        (cd "$T/sd" && systemd-analyze verify --man=no "$T/sd/mailpoll.service") > "$OUT/r-sd.out" 2> "$OUT/r-sd.err"
        echo $? > "$OUT/r-sd.rc"
        # It exits 0 even for unknown keys; any word about our drop-in is a failure.
        check "systemd-analyze verify: status 0" test "$(rc r-sd)" = 0
        check "systemd-analyze verify: no complaint about the drop-in" bash -c "! grep -i 'tlsfloor.conf\|unknown\|ignoring\|invalid' '$OUT/r-sd.err'"
        check "systemd-analyze verify really read it (a bad key is reported)" bash -c "
            mkdir -p '$T/sd2/mailpoll.service.d' && cp '$T/sd/mailpoll.service' '$T/sd2/' &&
            { cat '$T/sd/mailpoll.service.d/tlsfloor.conf'; echo 'Environmentt=X=1'; } > '$T/sd2/mailpoll.service.d/tlsfloor.conf' &&
            cd '$T/sd2' && systemd-analyze verify --man=no '$T/sd2/mailpoll.service' 2>&1 | grep -q 'Unknown key'"
    else
        check "drop-in parses: only [Service], comments and known keys" bash -c "awk '
            /^#/ || /^\$/ {next} /^\[Service\]\$/ {next}
            /^(Environment|LogsDirectory)=/ {next} {bad=1; print \"bad line: \" \$0} END {exit bad}' '$T/sd/mailpoll.service.d/tlsfloor.conf'"
    fi
    local envs=() l
    while IFS= read -r l; do envs+=("$(printf '%s' "${l#Environment=}" | recipe_paths)"); done \
        < <(grep '^Environment=' "$T/sd/mailpoll.service.d/tlsfloor.conf")
    rm -f "$T/log/mailpoll.jsonl"
    run_plain r-sd-run env -i PATH=/usr/bin:/bin "${envs[@]}" "$T/bin/mailpoll" --config /etc/mailpoll.conf
    expect_ok r-sd-run "the service's command works with the drop-in's environment" "RETR Subject: Ticket 1"
    expect_mailpoll_log "$T/log/mailpoll.jsonl"

    case_begin "recipe: Dockerfile"
    recipe_block dockerfile > "$T/Dockerfile"
    check "starts with FROM" bash -c "head -n1 '$T/Dockerfile' | grep -q '^FROM '"
    local dest; dest=$(awk '$1 == "COPY" {print $3}' "$T/Dockerfile")
    check "ENV LD_PRELOAD names the copied library ($dest)" grep -qx "ENV LD_PRELOAD=$dest" "$T/Dockerfile"
    check "every line is a known instruction" bash -c "! grep -Ev '^(FROM|COPY|ENV) ' '$T/Dockerfile'"
    envs=()
    while IFS= read -r l; do envs+=("$(printf '%s' "${l#ENV }" | recipe_paths)"); done < <(grep '^ENV ' "$T/Dockerfile")
    run_plain r-docker env -i PATH=/usr/bin:/bin "${envs[@]}" "$T/bin/mailpoll"
    expect_ok r-docker "the program works with the image's environment (not built: no docker here)" "RETR Subject: Ticket 1"
    check "stderr carries tlsfloor's readable handshake line" grep -q '^tlsfloor\[[0-9]*\]: handshake ' "$OUT/r-docker.err"

    case_begin "recipe: tlsfloor verify"
    local i=0 vline
    while IFS= read -r vline; do
        i=$((i + 1))
        vline=$(printf '%s' "$vline" | sed "s|^tlsfloor verify|$TF_SRC/scripts/tlsfloor-verify|" | recipe_paths)
        run_plain "r-verify-$i" env TLSFLOOR_LIBRARY="$TF_LIB" /bin/sh -c "$vline"
    done < <(recipe_block verify)
    check "three verify lines" test "$i" -eq 3
    expect_ok r-verify-1 "tlsfloor verify: works" "RETR Subject: Ticket 1"
    local doc_verdict; doc_verdict=$(grep '^VERDICT: ' "$MAILDIR_SRC/../../README.md")
    check "the documented verdict is what verify prints" grep -qxF "$doc_verdict" "$OUT/r-verify-1.out"
    local doc_header; doc_header=$(grep '^PEER  ' "$MAILDIR_SRC/../../README.md")
    check "the documented table header is what verify prints" grep -qxF "$doc_header" "$OUT/r-verify-1.out"
    local doc_row; doc_row=$(grep '^outlook.office365.com  ' "$MAILDIR_SRC/../../README.md")
    check "the documented row is what verify prints" grep -qxF "$doc_row" "$OUT/r-verify-1.out"
    expect_fail r-verify-2 "tlsfloor verify --native: the program's own failure" 1
    check "--native verdict: does not work on its own" grep -q '^VERDICT: no TLS connection .*pop-legacy.office365.com -> outlook.office365.com' "$OUT/r-verify-2.out"
    expect_ok r-verify-3 "tlsfloor verify --json --output"
    check "the JSON report was written" grep -q '"verdict":{"result":"ok"' "$T/mailpoll-verify.json"
}

# `tlsfloor verify` through the wrapper (the lead wires scripts/tlsfloor to exec tlsfloor-verify).
verify_wrapper_group() {
    case_begin "scripts/tlsfloor verify runs scripts/tlsfloor-verify"
    run_plain w-help env TLSFLOOR_LIBRARY="$TF_LIB" "$TF_SRC/scripts/tlsfloor" verify --help
    expect_ok w-help "tlsfloor verify --help" "usage: tlsfloor verify"
    run_plain w-none env TLSFLOOR_LIBRARY="$TF_LIB" "$TF_SRC/scripts/tlsfloor" verify -- /bin/true
    check "tlsfloor verify -- /bin/true: status 4 (no TLS seen)" test "$(rc w-none)" = 4
    check "it printed the verdict" grep -q '^VERDICT: no TLS connection' "$OUT/w-none.out"
}

# ---- authentication posture (issue 6): what mechanism a client uses, never the credential ----

auth_group() {
    cat > "$T/pyauth.py" <<'PY'
import imaplib, poplib, smtplib, ssl, sys
kind, ca = sys.argv[1], sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
if kind == "imap-login":
    m = imaplib.IMAP4_SSL("outlook.office365.com", 993, ssl_context=ctx); m.login("poller@example.test", "s3cret"); m.logout()
elif kind == "imap-xoauth2":
    m = imaplib.IMAP4_SSL("outlook.office365.com", 993, ssl_context=ctx)
    try:
        m.authenticate("XOAUTH2", lambda _: b"user=poller@example.test\x01auth=Bearer TFTOKEN42\x01\x01")
    except imaplib.IMAP4.error as e:
        print("server refused XOAUTH2 (no OAuth here):", e)
    m.logout()
elif kind == "pop3-stls-user":
    p = poplib.POP3("outlook.office365.com", 110); p.stls(context=ctx); p.user("poller@example.test"); p.pass_("s3cret"); p.quit()
elif kind == "smtp-starttls-login":
    s = smtplib.SMTP("smtp.office365.com", 587); s.starttls(context=ctx); s.login("poller@example.test", "s3cret"); s.quit()
print("done")
PY
    local k
    # name | command | protocol | mechanism | command word
    case_begin "curl IMAPS with SASL LOGIN"
    run_shim a-curl-login curl -sS --max-time 20 --cacert "$CA" --user "$U" --login-options 'AUTH=LOGIN' \
        "imaps://outlook.office365.com:993/INBOX"
    expect_ok a-curl-login "curl logged in" LIST
    expect_log a-curl-login auth detail.protocol=IMAP detail.mechanism=basic 'detail.command=AUTHENTICATE LOGIN' detail.user=null
    check "no password in the log" bash -c "! grep -q s3cret '$OUT/a-curl-login.jsonl'"
    check "no user name in the log by default" bash -c "! grep -q 'poller@' '$OUT/a-curl-login.jsonl'"

    case_begin "curl POP3S with SASL PLAIN"
    run_shim a-curl-pop curl -sS --max-time 20 --cacert "$CA" --user "$U" "pop3s://outlook.office365.com:995/"
    expect_ok a-curl-pop "curl listed" "^1 "
    expect_log a-curl-pop auth detail.protocol=POP3 detail.mechanism=basic 'detail.command=AUTH PLAIN'
    check "no password in the log" bash -c "! grep -q s3cret '$OUT/a-curl-pop.jsonl'"

    for k in "imap-login|IMAP|basic|LOGIN" "imap-xoauth2|IMAP|oauth|AUTHENTICATE XOAUTH2" \
             "pop3-stls-user|POP3|basic|USER" "smtp-starttls-login|SMTP|basic|AUTH PLAIN"; do
        IFS='|' read -r name proto mech word <<< "$k"
        case_begin "python3 $name"
        run_shim "a-py-$name" "$PY" "$T/pyauth.py" "$name" "$CA"
        expect_ok "a-py-$name" "python3 ran" done
        expect_log "a-py-$name" auth "detail.protocol=$proto" "detail.mechanism=$mech" "detail.command=$word"
        check "no secret in the log" bash -c "! grep -Eq 's3cret|TFTOKEN42' '$OUT/a-py-$name.jsonl'"
        expect_no_log "a-py-$name" uncovered_connection
    done
}

case "$group" in
    curl | python | openssl | c11 | failures | auth) start_servers; "${group}_group" ;;
    curl-peer) start_servers; curl_peer_group ;;
    recipes) start_servers; recipes_group ;;
    verify-wrapper) verify_wrapper_group ;;
    verify) start_servers; . "$MAILDIR_SRC/verify-cases.sh" ;;
    gnutls-*) start_servers; GNUTLS_GROUP=${group#gnutls-}; . "$MAILDIR_SRC/gnutls-cases.sh" ;;
    *) echo "run.sh: unknown group $group" >&2; exit 2 ;;
esac
finish
