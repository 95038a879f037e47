#!/bin/bash
# postfix-relay.sh: a real Postfix relays to [smtp-legacy.office365.com]:587 with its default
# DNS lookups (res_search, not getaddrinfo). Runs inside tests/lib/netns-run.
#
# In the namespace: dnsmasq on 127.0.0.1:53 answers only for the standard name
# (smtp.office365.com -> 127.0.0.1; every other office365.com name: NXDOMAIN), a private
# /etc/resolv.conf points at it, the TLS 1.2-only Dovecot of the mail scenarios offers
# submission on 587 (STARTTLS, AUTH) and relays to a sink, and a private Postfix instance
# (postfix -c DIR, queue and data in the test's folder) takes a message on 127.0.0.1:10025.
#  1. without tlsfloor the message stays deferred: "Host or domain name not found";
#  2. with the shim imported into Postfix's daemons it is delivered to the sink, and the log
#     has exactly one host_rewritten (layer resolve) for the legacy name and no other rewrite
#     record (the numeric-address check Postfix makes first is not a lookup).
# Environment: TLSFLOOR_SOURCE_DIR, TLSFLOOR_BUILD_DIR, TF_LIBRARY_PATH (the shim under test).
set -u
. "$TLSFLOOR_SOURCE_DIR/tests/mail/lib.sh"
. "$TF_SRC/tests/rewrite/dnslib.sh"

for prog in postfix; do
    command -v "$prog" >/dev/null || PATH=$PATH:/usr/sbin
    command -v "$prog" >/dev/null || { echo "FAIL: $prog not installed (scripts/test installs postfix and dnsmasq-base)"; exit 1; }
done
id postfix >/dev/null 2>&1 || { echo "FAIL: no postfix user (the postfix package makes it)"; exit 1; }

PF=$T/postfix
PUB=$("$TF_SRC/tests/lib/public-dir" postfix-relay)   # what the postfix user reads and writes
PF_STARTED=

stop_all() {
    [ "${BASHPID:-$$}" = "$MAIN_PID" ] || return 0
    if [ -n "$PF_STARTED" ]; then
        local i mpid
        mpid=$(tr -dc 0-9 < "$PF/queue/pid/master.pid" 2>/dev/null)
        postfix -c "$PF/conf" stop >/dev/null 2>&1
        for i in $(seq 100); do   # the master stops its daemons first; bounded
            [ -n "$mpid" ] && kill -0 "$mpid" 2>/dev/null || break
            sleep 0.1
        done
        PF_STARTED=
    fi
    stop_dns
}
trap 'stop_all; cleanup' EXIT

# ---- Postfix: a private instance ----
write_postfix_conf() { # write_postfix_conf with-shim|without-shim
    local env="MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C"
    if [ "$1" = with-shim ]; then
        env="$env LD_PRELOAD=$PUB/libtlsfloor.so TLSFLOOR_LOG=$PUB/shim.jsonl TLSFLOOR_MODE=enforce"
    fi
    cat > "$PF/conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
myhostname = relay.tlsfloor.test
mydomain = tlsfloor.test
myorigin = \$myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost = [$LEGACY]:587
smtp_tls_security_level = encrypt
smtp_tls_loglevel = 1
smtp_sasl_auth_enable = yes
smtp_sasl_password_maps = texthash:$PF/conf/sasl_passwd
smtp_sasl_security_options = noanonymous
smtp_sasl_tls_security_options = noanonymous
maillog_file = $PF/maillog
maillog_file_prefixes = $PF
import_environment = $env
EOF
}

start_postfix() { # start_postfix with-shim|without-shim
    mkdir -p "$PF/conf" "$PF/queue" "$PF/data"
    chown postfix "$PF/data"
    echo "[$LEGACY]:587 poller@example.test:s3cret" > "$PF/conf/sasl_passwd"
    chmod 600 "$PF/conf/sasl_passwd"
    write_postfix_conf "$1"
    cat > "$PF/conf/master.cf" <<'EOF'
127.0.0.1:10025 inet n -  n -  - smtpd
pickup     unix n -  n 60 1 pickup
cleanup    unix n -  n -  0 cleanup
qmgr       unix n -  n 300 1 qmgr
tlsmgr     unix - -  n 1000? 1 tlsmgr
rewrite    unix - -  n -  - trivial-rewrite
bounce     unix - -  n -  0 bounce
defer      unix - -  n -  0 bounce
trace      unix - -  n -  0 bounce
verify     unix - -  n -  1 verify
flush      unix n -  n 1000? 0 flush
proxymap   unix - -  n -  - proxymap
smtp       unix - -  n -  - smtp
relay      unix - -  n -  - smtp
showq      unix n -  n -  - showq
error      unix - -  n -  - error
retry      unix - -  n -  - error
discard    unix - -  n -  - discard
anvil      unix - -  n -  1 anvil
scache     unix - -  n -  1 scache
postlog    unix-dgram n - n - 1 postlogd
EOF
    : > "$PF/maillog"
    # (postfix writes its errors to a terminal only: script gives it one)
    if ! script -qec "postfix -c $PF/conf start" /dev/null > "$PF/start.out" 2>&1; then
        echo "postfix did not start:"; cat "$PF/start.out" "$PF/maillog"; return 1
    fi
    PF_STARTED=1
    local i
    for i in $(seq 100); do
        (exec 3<>/dev/tcp/127.0.0.1/10025) 2>/dev/null && return 0
        sleep 0.05
    done
    echo "postfix: 127.0.0.1:10025 never opened"; cat "$PF/start.out" "$PF/maillog"
    return 1
}

send_message() { # send_message MARKER
    env -u LD_PRELOAD "$PY" - "$1" <<'EOF'
import smtplib, sys
m = sys.argv[1]
msg = f"From: app@relay.tlsfloor.test\r\nTo: helpdesk@example.test\r\nSubject: {m}\r\n\r\nbody {m}\r\n"
with smtplib.SMTP("127.0.0.1", 10025, timeout=10) as s:
    s.sendmail("app@relay.tlsfloor.test", ["helpdesk@example.test"], msg)
EOF
}

wait_maillog() { # wait_maillog PATTERN SECONDS: the pattern appears in Postfix's log in time
    local i
    for i in $(seq $(($2 * 10))); do
        grep -q -- "$1" "$PF/maillog" && return 0
        sleep 0.1
    done
    return 1
}

start_dovecot modern 127.0.0.1 modern || exit 1
private_resolv_conf || exit 1
start_dns || exit 1
cp "$TF_LIB" "$PUB/libtlsfloor.so"
chmod 644 "$PUB/libtlsfloor.so"
# Postfix's smtp client makes its TLS context as root, before it drops to the postfix user: the
# shim opens its log then, as a privileged process, and writes only where only root can change
# the path (README, "The log"). The descriptor stays open for the postfix user.
: > "$PUB/shim.jsonl"
chmod 644 "$PUB/shim.jsonl"

check_dns

case_begin "Postfix without tlsfloor: relayhost [$LEGACY]:587"
start_postfix without-shim || exit 1
send_message TFPOSTFIX-PLAIN || fail "message not accepted"
if wait_maillog "status=deferred.*Host or domain name not found" 30; then
    pass "deferred: $(grep -o 'Host or domain name not found[^)]*' "$PF/maillog" | head -n1 | cut -c1-110)"
else
    fail "not deferred for the unresolvable name"; tail -n 20 "$PF/maillog" | sed 's/^/    | /'
fi
check "nothing reached the sink" test "$(grep -c TFPOSTFIX "$SINK_modern")" -eq 0
postsuper -c "$PF/conf" -d ALL >/dev/null 2>&1
stop_all
start_dns || exit 1   # (stop_all stopped it)

case_begin "Postfix with tlsfloor imported into its daemons"
: > "$PF/maillog"
start_postfix with-shim || exit 1
dns_lines=$(wc -l < "$T/dnsmasq.log")   # (start_dns's own probe is before this)
send_message TFPOSTFIX-SHIM || fail "message not accepted"
if wait_maillog "status=sent" 60; then
    pass "sent: $(grep -o 'relay=[^ ]*' "$PF/maillog" | tail -n1)"
else
    fail "not delivered"; tail -n 20 "$PF/maillog" | sed 's/^/    | /'
fi
for i in $(seq 50); do grep -q TFPOSTFIX-SHIM "$SINK_modern" && break; sleep 0.1; done
check "the sink has the message (through Dovecot's submission, TLS 1.2+, AUTH)" grep -q "TFPOSTFIX-SHIM" "$SINK_modern"
tail -n +$((dns_lines + 1)) "$T/dnsmasq.log" > "$T/dns-phase2.log"
check "Postfix asked the DNS about the standard name" grep -q "query\[A\] $STD from 127.0.0.1" "$T/dns-phase2.log"
check "and never about the legacy one" test "$(grep -c "query\[.*\] $LEGACY" "$T/dns-phase2.log")" -eq 0
stop_all   # the log is complete once the daemons are gone
cp "$PUB/shim.jsonl" "$OUT/postfix.jsonl"   # log_count and expect_log read $OUT/NAME.jsonl

OUT_LOG=$OUT/postfix.jsonl
n_rw=$(log_count postfix host_rewritten)
n_ok=$(log_count postfix host_rewritten detail.layer=resolve "detail.old=$LEGACY" "detail.new=$STD")
if [ "$n_rw" -eq 1 ] && [ "$n_ok" -eq 1 ]; then
    pass "one host_rewritten (resolve, $LEGACY -> $STD): $("$TF_LOGTOOL" --fields frame.symbol "$OUT_LOG" | head -n3 | tr '\n' ' ')"
else
    fail "host_rewritten records: $n_rw (wanted exactly 1, resolve $LEGACY -> $STD: $n_ok)"
    sed 's/^/    | /' "$OUT_LOG" | cut -c1-400
fi
# Postfix first asks getaddrinfo(AI_NUMERICHOST) whether the name is an address
# (hostaddr_to_sockaddr): no lookup, so no record; the one record is its DNS lookup's.
check "the record comes from Postfix's DNS lookup (dns_lookup_*)" test "$(log_count postfix host_rewritten 'frame.symbol~^dns_lookup')" -ge 1
check "no record from the numeric-address check (hostaddr_to_sockaddr)" test "$(log_count postfix host_rewritten frame.symbol=hostaddr_to_sockaddr)" -eq 0
check "no host_would_rewrite record" test "$(log_count postfix host_would_rewrite)" -eq 0
check "the handshake was at TLS 1.2 or newer" test "$(log_count postfix handshake detail.below_floor=false)" -ge 1
finish
