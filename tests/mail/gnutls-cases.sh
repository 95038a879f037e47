# GnuTLS clients (issue 12) against the TLS 1.2-only Dovecot of the mail scenarios and a TLS
# 1.2-only HTTPS server; sourced by run.sh after start_servers with GROUP = cli | msmtp | mutt |
# wget | verify.  Each client: the control works; pinned to TLS 1.0 it fails without tlsfloor and
# works with it (priority_raised with the program as caller, a handshake record from gnutls at
# TLS >= 1.2 with changed:true); with a legacy host name it fails without tlsfloor (the name does
# not resolve) and works with it, SNI and certificate check on the standard name.
PIN10='NORMAL:-VERS-ALL:+VERS-TLS1.0'

# Every client here must really be a GnuTLS program: otherwise the test proves nothing.
expect_gnutls_program() { # expect_gnutls_program PATH
    if ldd "$1" 2>/dev/null | grep -q 'libgnutls\.so\.30'; then
        pass "$1 links libgnutls.so.30 ($(ldd "$1" | grep -c 'libssl\.so') libssl)"
    else
        fail "$1 does not link libgnutls.so.30: this test cannot show anything"
    fi
}

# The pinned run under tlsfloor: raised, from the program, a floor handshake by gnutls.
expect_gnutls_raised() { # NAME PROGRAM-PATH OLD-STRING
    local n=$1 prog=$2 old=$3
    expect_log "$n" priority_raised "detail.old=$old" detail.applied=true "frame.module=$prog"
    expect_log "$n" handshake detail.library=gnutls detail.changed=true 'detail.changes~priority' detail.below_floor=false
    expect_log "$n" handshake 'detail.version~^TLSv1\.[23]$'
    expect_floor_handshakes "$n"
    expect_no_log "$n" uncovered_connection
}

# The legacy-name run under tlsfloor.
expect_gnutls_rewritten() { # NAME LEGACY STANDARD
    local n=$1 leg=$2 std=$3
    expect_log "$n" host_rewritten detail.layer=sni "detail.old=$leg" "detail.new=$std"
    expect_log "$n" host_rewritten detail.layer=verify "detail.old=$leg" "detail.new=$std"
    expect_log "$n" handshake detail.library=gnutls "detail.sni=$std" detail.changed=true 'detail.changes~host'
    expect_floor_handshakes "$n"
    expect_no_log "$n" uncovered_connection
}

# ---- gnutls-cli -------------------------------------------------------------------------------

gnutls_cli_group() {
    expect_gnutls_program /usr/bin/gnutls-cli
    printf 'a LOGOUT\r\n' > "$T/logout"
    local cli=(timeout 20 gnutls-cli --x509cafile "$CA" -p 993)
    export RUN_STDIN=$T/logout
    case_begin "gnutls-cli $(gnutls-cli --version | head -n1): --priority $PIN10, IMAPS"
    run_plain g-ctl "${cli[@]}" outlook.office365.com
    expect_ok g-ctl "control: default priorities work" "a OK Logout"
    run_plain g-legacysrv "${cli[@]}" --priority "$PIN10" 127.0.0.2 --verify-hostname outlook.office365.com
    expect_ok g-legacysrv "pinned gnutls-cli works against the TLS 1.0/1.1 server" "a OK Logout"
    check "it negotiated TLS 1.0 there" grep -q '^- Description: (TLS1.0-' "$OUT/g-legacysrv.out"
    run_plain g-pin "${cli[@]}" --priority "$PIN10" outlook.office365.com
    expect_fail g-pin "pinned gnutls-cli fails against the TLS 1.2+ server"
    run_shim g-pin-tf "${cli[@]}" --priority "$PIN10" outlook.office365.com
    expect_ok g-pin-tf "pinned gnutls-cli works under tlsfloor" "a OK Logout"
    expect_gnutls_raised g-pin-tf /usr/bin/gnutls-cli "$PIN10"

    case_begin "gnutls-cli: legacy host imap-legacy.office365.com, pinned"
    run_plain g-leg "${cli[@]}" --priority "$PIN10" imap-legacy.office365.com
    expect_fail g-leg "legacy name fails without tlsfloor"
    run_shim g-leg-tf "${cli[@]}" --priority "$PIN10" imap-legacy.office365.com
    expect_ok g-leg-tf "legacy name works under tlsfloor" "a OK Logout"
    expect_gnutls_rewritten g-leg-tf imap-legacy.office365.com outlook.office365.com
    expect_log g-leg-tf priority_raised detail.applied=true

    case_begin "gnutls-cli: audit mode changes nothing and reports everything"
    # (audit does not rewrite resolution: the legacy name goes in through --sni-hostname and
    # --verify-hostname, the address is given)
    run_audit g-audit "${cli[@]}" --sni-hostname imap-legacy.office365.com \
        --verify-hostname imap-legacy.office365.com 127.0.0.1
    expect_ok g-audit "works as without tlsfloor (the test certificate has *.office365.com)" "a OK Logout"
    expect_log g-audit host_would_rewrite detail.layer=sni detail.old=imap-legacy.office365.com
    expect_log g-audit host_would_rewrite detail.layer=verify detail.old=imap-legacy.office365.com
    expect_no_log g-audit host_rewritten
    expect_log g-audit handshake detail.library=gnutls detail.sni=imap-legacy.office365.com detail.changed=false
    run_audit g-audit-pin "${cli[@]}" --priority "$PIN10" outlook.office365.com
    expect_same_error g-pin g-audit-pin
    expect_log g-audit-pin priority_raised detail.applied=false
    expect_log g-audit-pin handshake_failed detail.library=gnutls detail.changed=false detail.port=993
    expect_no_log g-audit-pin uncovered_connection
    unset RUN_STDIN
}

# ---- msmtp ------------------------------------------------------------------------------------

msmtp_rc() { # msmtp_rc FILE HOST [PRIORITIES]
    cat > "$1" <<RC
account default
host $2
port 587
tls on
tls_starttls on
tls_trust_file $CA
${3:+tls_priorities $3}
auth plain
user poller@example.test
password s3cret
from poller@example.test
RC
    chmod 600 "$1"
}

gnutls_msmtp_group() {
    expect_gnutls_program /usr/bin/msmtp
    printf 'Subject: msmtp via tlsfloor\n\nmarker TFMAIL-MSMTP\n' > "$T/msg"
    export RUN_STDIN=$T/msg
    local n0; n0=$(grep -c TFMAIL-MSMTP "$SINK_modern")
    msmtp_rc "$T/ctl.rc" smtp.office365.com
    msmtp_rc "$T/pin.rc" smtp.office365.com "$PIN10"
    msmtp_rc "$T/leg.rc" smtp-legacy.office365.com "$PIN10"
    case_begin "$(msmtp --version | head -n1): tls_priorities $PIN10, SMTP 587 STARTTLS"
    run_plain m-ctl timeout 20 msmtp -C "$T/ctl.rc" helpdesk@example.test
    expect_ok m-ctl "control: default priorities work"
    run_plain m-pin timeout 20 msmtp -C "$T/pin.rc" helpdesk@example.test
    expect_fail m-pin "pinned msmtp fails against the TLS 1.2+ server"
    run_shim m-pin-tf timeout 20 msmtp -C "$T/pin.rc" helpdesk@example.test
    expect_ok m-pin-tf "pinned msmtp works under tlsfloor"
    expect_gnutls_raised m-pin-tf /usr/bin/msmtp "$PIN10"
    expect_log m-pin-tf auth detail.protocol=SMTP detail.mechanism=basic detail.library=gnutls

    case_begin "msmtp: legacy host smtp-legacy.office365.com, pinned"
    run_plain m-leg timeout 20 msmtp -C "$T/leg.rc" helpdesk@example.test
    expect_fail m-leg "legacy name fails without tlsfloor"
    run_shim m-leg-tf timeout 20 msmtp -C "$T/leg.rc" helpdesk@example.test
    expect_ok m-leg-tf "legacy name works under tlsfloor"
    expect_gnutls_rewritten m-leg-tf smtp-legacy.office365.com smtp.office365.com
    check "the sink got 3 messages (control, pinned, legacy name)" \
        test "$(grep -c TFMAIL-MSMTP "$SINK_modern")" -eq $((n0 + 3))
    unset RUN_STDIN
}

# ---- mutt -------------------------------------------------------------------------------------

# A mutt that allows only TLS 1.0; it sends over SMTP 587 (STARTTLS) and files a copy of the
# message into the IMAPS INBOX (record), so one batch-mode run makes both connections.
mutt_rc() { # mutt_rc FILE IMAP-HOST SMTP-HOST PINNED(yes|no)
    local only10=$4
    cat > "$1" <<RC
set ssl_ca_certificates_file="$CA"
set certificate_file="$T/mutt-certs"
set ssl_force_tls=yes
set ssl_use_tlsv1=yes
set ssl_use_tlsv1_1=$([ "$only10" = yes ] && echo no || echo yes)
set ssl_use_tlsv1_2=$([ "$only10" = yes ] && echo no || echo yes)
set ssl_use_tlsv1_3=$([ "$only10" = yes ] && echo no || echo yes)
set imap_user="poller@example.test"
set imap_pass="s3cret"
set smtp_url="smtp://poller@example.test@$3:587/"
set smtp_pass="s3cret"
set from="poller@example.test"
set record="imaps://$2:993/INBOX"
set copy=yes
RC
}

# How many messages in the modern Dovecot's INBOX carry a marker.
inbox_count() { grep -rl -- "$1" "$T/dovecot-modern/home/poller/Maildir" 2>/dev/null | wc -l; }

gnutls_mutt_group() {
    expect_gnutls_program /usr/bin/mutt
    mkdir -p "$T/mutthome"
    mutt_rc "$T/ctl.muttrc" outlook.office365.com smtp.office365.com no
    mutt_rc "$T/pin.muttrc" outlook.office365.com smtp.office365.com yes
    mutt_rc "$T/leg.muttrc" imap-legacy.office365.com smtp-legacy.office365.com yes
    local k
    for k in ctl pin pin-tf leg leg-tf; do echo "marker TFMAIL-MUTT-$k" > "$T/body-$k"; done
    local mutt=(env HOME="$T/mutthome" timeout 30 mutt -n)
    case_begin "$(mutt -v | head -n1): only TLS 1.0 allowed, SMTP 587 + IMAPS 993 (record)"
    RUN_STDIN=$T/body-ctl run_plain u-ctl "${mutt[@]}" -F "$T/ctl.muttrc" -s ctl helpdesk@example.test
    expect_ok u-ctl "control: mutt with TLS 1.2 allowed sends and files"
    RUN_STDIN=$T/body-pin run_plain u-pin "${mutt[@]}" -F "$T/pin.muttrc" -s pin helpdesk@example.test
    expect_fail u-pin "mutt allowing only TLS 1.0 fails against the TLS 1.2+ server"
    RUN_STDIN=$T/body-pin-tf run_shim u-pin-tf "${mutt[@]}" -F "$T/pin.muttrc" -s pin-tf helpdesk@example.test
    expect_ok u-pin-tf "mutt allowing only TLS 1.0 works under tlsfloor"
    expect_gnutls_raised u-pin-tf /usr/bin/mutt 'NORMAL:-VERS-TLS1.3:-VERS-TLS1.2:-VERS-TLS1.1:-VERS-SSL3.0'
    expect_log u-pin-tf handshake detail.library=gnutls detail.port=587 detail.changed=true
    expect_log u-pin-tf handshake detail.library=gnutls detail.port=993 detail.changed=true
    check "the message reached the sink (SMTP)" grep -q TFMAIL-MUTT-pin-tf "$SINK_modern"
    check "its copy reached the IMAP INBOX (IMAPS APPEND)" test "$(inbox_count TFMAIL-MUTT-pin-tf)" -ge 1
    check "the failed run delivered nothing" test "$(grep -c TFMAIL-MUTT-pin\$ "$SINK_modern")" -eq 0

    case_begin "mutt: legacy hosts imap-legacy / smtp-legacy.office365.com, only TLS 1.0"
    RUN_STDIN=$T/body-leg run_plain u-leg "${mutt[@]}" -F "$T/leg.muttrc" -s leg helpdesk@example.test
    expect_fail u-leg "legacy names fail without tlsfloor"
    RUN_STDIN=$T/body-leg-tf run_shim u-leg-tf "${mutt[@]}" -F "$T/leg.muttrc" -s leg-tf helpdesk@example.test
    expect_ok u-leg-tf "legacy names work under tlsfloor"
    expect_gnutls_rewritten u-leg-tf smtp-legacy.office365.com smtp.office365.com
    expect_gnutls_rewritten u-leg-tf imap-legacy.office365.com outlook.office365.com
    check "the message reached the sink" grep -q TFMAIL-MUTT-leg-tf "$SINK_modern"
    check "its copy reached the IMAP INBOX" test "$(inbox_count TFMAIL-MUTT-leg-tf)" -ge 1
}

# ---- wget -------------------------------------------------------------------------------------

gnutls_wget_group() {
    expect_gnutls_program /usr/bin/wget
    cat > "$T/https.py" <<'PY'
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        b = b"TFWGET-BODY\n"
        self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers()
        self.wfile.write(b)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 8443), H)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.minimum_version = ssl.TLSVersion.TLSv1_2      # TLS 1.2-only, like the modern Dovecot
c.load_cert_chain(sys.argv[1], sys.argv[2])
s.socket = c.wrap_socket(s.socket, server_side=True)
open(sys.argv[3], "w").close()
s.serve_forever()
PY
    env -u LD_PRELOAD "$PY" "$T/https.py" "$PKI/server-chain.pem" "$PKI/server.key" "$T/https.ready" &
    PIDS+=($!)
    local i
    for i in $(seq 100); do [ -e "$T/https.ready" ] && break; sleep 0.05; done
    local wget=(timeout 20 wget -q -O - --tries=1 --ca-certificate="$CA")
    case_begin "$(wget --version | head -n1): HTTPS, TLS 1.2-only server"
    run_plain w-ctl "${wget[@]}" https://outlook.office365.com:8443/
    expect_ok w-ctl "control: wget works" TFWGET-BODY
    # wget 1.21 with GnuTLS: --secure-protocol=TLSv1 is "NORMAL:-VERS-SSL3.0", TLS 1.0 *or
    # higher*: not a pin. Measured, so the README does not promise a fix for a failure that
    # does not happen.
    run_plain w-tlsv1 "${wget[@]}" --secure-protocol=TLSv1 https://outlook.office365.com:8443/
    expect_ok w-tlsv1 "--secure-protocol=TLSv1 works without tlsfloor (TLS 1.0 or higher)" TFWGET-BODY
    run_shim w-tlsv1-tf "${wget[@]}" --secure-protocol=TLSv1 https://outlook.office365.com:8443/
    expect_ok w-tlsv1-tf "--secure-protocol=TLSv1 works under tlsfloor" TFWGET-BODY
    expect_no_log w-tlsv1-tf priority_raised
    expect_log w-tlsv1-tf handshake detail.library=gnutls detail.changed=false
    # The real pin: --ciphers is the GnuTLS priority string.
    run_plain w-pin "${wget[@]}" --ciphers="$PIN10" https://outlook.office365.com:8443/
    expect_fail w-pin "wget --ciphers=$PIN10 fails against the TLS 1.2+ server"
    run_shim w-pin-tf "${wget[@]}" --ciphers="$PIN10" https://outlook.office365.com:8443/
    expect_ok w-pin-tf "wget --ciphers=$PIN10 works under tlsfloor" TFWGET-BODY
    expect_gnutls_raised w-pin-tf /usr/bin/wget "$PIN10"

    case_begin "wget: legacy host imap-legacy.office365.com, pinned"
    run_plain w-leg "${wget[@]}" --ciphers="$PIN10" https://imap-legacy.office365.com:8443/
    expect_fail w-leg "legacy name fails without tlsfloor"
    run_shim w-leg-tf "${wget[@]}" --ciphers="$PIN10" https://imap-legacy.office365.com:8443/
    expect_ok w-leg-tf "legacy name works under tlsfloor" TFWGET-BODY
    expect_gnutls_rewritten w-leg-tf imap-legacy.office365.com outlook.office365.com
}

# ---- TLSFLOOR_VERIFY=require --------------------------------------------------------------------

# gnutls-cli --insecure verifies nothing of its own (its callback accepts anything). Under
# require, a rewritten session is verified in the handshake against the standard name with the
# program's own trust: the test CA given with --x509cafile passes; without it gnutls-cli has only
# the system's trust, where the test CA is not, and the handshake must fail.
gnutls_verify_group() {
    printf 'a LOGOUT\r\n' > "$T/logout"
    export RUN_STDIN=$T/logout
    local cli=(timeout 20 gnutls-cli --insecure -p 993)
    case_begin "gnutls-cli --insecure, legacy name, TLSFLOOR_VERIFY=require, the test CA given"
    TLSFLOOR_VERIFY=require run_shim gv-ca "${cli[@]}" --x509cafile "$CA" imap-legacy.office365.com
    expect_ok gv-ca "works: the chain verifies against outlook.office365.com" "a OK Logout"
    expect_log gv-ca verify_required detail.host=outlook.office365.com "detail.trust=the program's own" detail.library=gnutls
    expect_log gv-ca handshake detail.library=gnutls detail.changes=host,verify

    case_begin "gnutls-cli --insecure, legacy name, system trust only"
    TLSFLOOR_VERIFY=keep run_shim gv-keep "${cli[@]}" imap-legacy.office365.com
    expect_ok gv-keep "keep: the program's choice (no verification) stands" "a OK Logout"
    expect_no_log gv-keep verify_required
    TLSFLOOR_VERIFY=require run_shim gv-sys "${cli[@]}" imap-legacy.office365.com
    expect_fail gv-sys "require: the handshake fails (the test CA is not in the system's trust)"
    expect_log gv-sys verify_required detail.host=outlook.office365.com
    expect_log gv-sys handshake_failed detail.library=gnutls 'detail.reason~verif' detail.changes=host,verify
    expect_log gv-sys verify_refused detail.host=outlook.office365.com 'detail.error~^issuer not trusted' detail.library=gnutls
    expect_no_log gv-ca verify_refused
    expect_no_log gv-sys handshake
    unset RUN_STDIN
}

case "$GNUTLS_GROUP" in
    verify) gnutls_verify_group ;;
    cli) gnutls_cli_group ;;
    msmtp) gnutls_msmtp_group ;;
    mutt) gnutls_mutt_group ;;
    wget) gnutls_wget_group ;;
    *) echo "gnutls-cases.sh: unknown group $GNUTLS_GROUP" >&2; exit 2 ;;
esac
