#!/bin/bash
# clients.sh CASE [MODE] : a real program logs in with a PASSWORD to the OAuth-only server
# (lib.sh).  Runs inside tests/lib/netns-run.
#
# CASE (client, protocol, the program's own login):
#   curl-imaps-login  curl imaps://, AUTHENTICATE LOGIN (--login-options AUTH=LOGIN; curl 7.88
#                     refuses AUTH=+LOGIN, the LOGIN command: py-imaplib and fetchmail send that)
#   curl-imaps-plain  curl imaps://, AUTHENTICATE PLAIN (--login-options AUTH=PLAIN)
#   curl-pop3s        curl pop3s://, AUTH PLAIN
#   py-imaplib        python3 imaplib.IMAP4_SSL.login (IMAP LOGIN)
#   py-poplib-stls    python3 poplib, stls() then user()/pass_() (POP3 USER/PASS on 110)
#   py-smtplib        python3 smtplib, starttls() then login() and a message (587)
#   fetchmail-imap    fetchmail, IMAP on 993 (ssl, sslproto TLS1+, auth password: LOGIN)
#   fetchmail-pop3    fetchmail, POP3 on 995 (ssl, sslproto TLS1.2, auth password: USER/PASS)
#   msmtp             msmtp (GnuTLS), STARTTLS on 587, auth plain, a message
#   py-imap-cleartext python3 imaplib.IMAP4 on 143 without STARTTLS, login()
#   py-pop3-cleartext python3 poplib.POP3 on 110 without STLS, user()/pass_()
#                     (the two cleartext cases: refused by the server in every mode; in bridge
#                     mode no token command runs and there is no auth_bridged record: a token is
#                     never sent over plaintext.  Dovecot counts a loopback connection as secured
#                     and takes a login there, so a bridge that did send one would log in.)
# MODE:
#   nobridge (default)  the password login FAILS, with the client's authentication error, within
#                 AUTH_TIME_LIMIT seconds and refused by the server (Dovecot logged it): once
#                 without tlsfloor (standard host name) and once under tlsfloor without a token
#                 command (legacy host name, rewritten): an `auth` record says basic, and there
#                 is no auth_bridged/auth_bridge_failed record.
#   bridge        under `tlsfloor --oauth-token-command tests/auth/token-cmd` (legacy host name):
#                 the login works (mail listed/fetched/delivered), Dovecot logged an XOAUTH2 login,
#                 the log has auth_bridged {protocol, from: the program's mechanism, to: XOAUTH2},
#                 the token command was asked for this user, host (after the rewrite), protocol.
#   bridge-fail | bridge-empty | bridge-hang | bridge-refused
#                 the same with a token command that exits 1, prints nothing, never answers, or
#                 gives a token the server refuses (TOKEN_MODE=fail|empty|hang|foreign): the client
#                 reports an authentication error within AUTH_TIME_LIMIT, the log has
#                 auth_bridge_failed, and no token command is left running.
# Every mode: neither the password nor any token (a JWT: "eyJ...") appears in the tlsfloor log,
# the client's output, or Dovecot's log.
set -u
. "$(dirname "$0")/lib.sh"

CASE_NAME=${1:?usage: clients.sh CASE [nobridge|bridge|bridge-fail|bridge-empty|bridge-hang|bridge-refused]}
MODE=${2:-nobridge}
AUTH_TIME_LIMIT=${AUTH_TIME_LIMIT:-60}
WRAPPER=$TF_SRC/scripts/tlsfloor
export SASL_CA=$CA

# ---- the cases: protocol, host names, what success and an authentication error look like ------
# Sets PROTO (imap|pop3|smtp), STD and LEGACY (host names), FROM (the program's mechanism as the
# auth_bridged record names it), OK_MARK (stdout on success, may be empty), AUTH_ERR (extended
# regex over stdout+stderr on a refusal), AUTH_RC (exit status on a refusal), SENDS (1: a message
# goes to the sink), FETCHES (1: messages go to $T/fetched.mbox).
case_setup() {
    SENDS=0 FETCHES=0 OK_MARK='' CLEAR=0
    case $CASE_NAME in
        curl-imaps-login) PROTO=imap FROM=LOGIN OK_MARK=INBOX AUTH_ERR='Login denied' AUTH_RC=67 ;;
        curl-imaps-plain) PROTO=imap FROM=PLAIN OK_MARK=INBOX AUTH_ERR='Login denied' AUTH_RC=67 ;;
        curl-pop3s) PROTO=pop3 FROM=PLAIN OK_MARK='^1 ' AUTH_ERR='Login denied' AUTH_RC=67 ;;
        py-imaplib) PROTO=imap FROM=LOGIN OK_MARK='logged in' AUTH_ERR='REFUSED: .*AUTHENTICATIONFAILED' AUTH_RC=1 ;;
        py-poplib-stls) PROTO=pop3 FROM=USER OK_MARK='logged in' AUTH_ERR='REFUSED: .*-ERR \[AUTH\]' AUTH_RC=1 ;;
        py-smtplib) PROTO=smtp FROM=PLAIN OK_MARK='message sent' AUTH_ERR='REFUSED: 535' AUTH_RC=1 SENDS=1 ;;
        fetchmail-imap) PROTO=imap FROM=LOGIN AUTH_ERR='[Aa]uthentication failed|Authorization failure' AUTH_RC=3 FETCHES=1 ;;
        fetchmail-pop3) PROTO=pop3 FROM=USER AUTH_ERR='[Aa]uthentication failed|Authorization failure' AUTH_RC=3 FETCHES=1 ;;
        msmtp) PROTO=smtp FROM=PLAIN AUTH_ERR='authentication failed' AUTH_RC=77 SENDS=1 ;;
        py-imap-cleartext) PROTO=imap FROM=LOGIN AUTH_ERR='REFUSED: .*AUTHENTICATIONFAILED' AUTH_RC=1 CLEAR=1 ;;
        py-pop3-cleartext) PROTO=pop3 FROM=USER AUTH_ERR='REFUSED: .*-ERR \[AUTH\]' AUTH_RC=1 CLEAR=1 ;;
        *) echo "clients.sh: unknown case $CASE_NAME" >&2; exit 2 ;;
    esac
    case $PROTO in
        imap) STD=outlook.office365.com LEGACY=imap-legacy.office365.com ;;
        pop3) STD=outlook.office365.com LEGACY=pop-legacy.office365.com ;;
        smtp) STD=smtp.office365.com LEGACY=smtp-legacy.office365.com ;;
    esac
}

# client NAME HOST RUNNER : run the case's program against HOST through RUNNER (run_plain,
# run_tf, run_bridge), never longer than AUTH_TIME_LIMIT + 30 s (timeout kills it: status 124).
client() {
    local n=$1 host=$2 runner=$3 kill_after=$((AUTH_TIME_LIMIT + 30))
    local start end
    local curl=(timeout "$kill_after" curl -sS --max-time "$AUTH_TIME_LIMIT" --cacert "$CA"
                --user "$AUTH_USER:$AUTH_PASSWORD")
    start=$(date +%s.%N)
    case $CASE_NAME in
        curl-imaps-login) "$runner" "$n" "${curl[@]}" --login-options 'AUTH=LOGIN' "imaps://$host/INBOX" ;;
        curl-imaps-plain) "$runner" "$n" "${curl[@]}" --login-options 'AUTH=PLAIN' "imaps://$host/INBOX" ;;
        curl-pop3s) "$runner" "$n" "${curl[@]}" "pop3s://$host/" ;;
        py-imaplib | py-poplib-stls | py-smtplib | py-imap-cleartext | py-pop3-cleartext)
            local proto=imaps
            case $CASE_NAME in
                py-poplib-stls) proto=pop3 ;;
                py-smtplib) proto=smtp ;;
                py-imap-cleartext) proto=imap-clear ;;
                py-pop3-cleartext) proto=pop3-clear ;;
            esac
            SASL_HOST=$host SASL_SECRET=$AUTH_PASSWORD SASL_SEND=helpdesk@example.test \
                "$runner" "$n" timeout "$kill_after" "$PY" "$AUTH_SRC/sasl.py" "$proto" login "$AUTH_USER" ;;
        fetchmail-*)
            fetchmail_rc "$T/$n.fetchmailrc" "$host"
            # Its own home and lock file: as root fetchmail would lock /var/run/fetchmail.pid
            # (outside the test, and shared with a fetchmail test running in parallel).
            HOME=$T/fmhome FETCHMAILHOME=$T/fmhome "$runner" "$n" timeout "$kill_after" \
                fetchmail --nosyslog --nodetach --pidfile "$T/fmhome/fetchmail.pid" \
                -f "$T/$n.fetchmailrc" ;;
        msmtp)
            msmtp_rc "$T/$n.msmtprc" "$host"
            RUN_STDIN=$T/msmtp-msg "$runner" "$n" timeout "$kill_after" msmtp -C "$T/$n.msmtprc" \
                helpdesk@example.test ;;
    esac
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f\n", b - a }' > "$OUT/$n.secs"
}

fetchmail_rc() { # fetchmail_rc FILE HOST
    local proto=IMAP port=993 sslproto=TLS1+
    [ "$CASE_NAME" = fetchmail-pop3 ] && proto=POP3 port=995 sslproto=TLS1.2
    mkdir -p "$T/fmhome"
    cat > "$1" <<RC
set no bouncemail
poll $2 protocol $proto port $port timeout 30 auth password
  user "$AUTH_USER" there with password "$AUTH_PASSWORD" is root here
  ssl sslproto $sslproto sslcertck sslcertfile "$CA"
  keep fetchall
  mda "/bin/sh -c 'cat >> $T/fetched.mbox'"
RC
    chmod 600 "$1"
}

msmtp_rc() { # msmtp_rc FILE HOST
    printf 'Subject: msmtp oauth test\n\nmarker TFAUTH-MSMTP\n' > "$T/msmtp-msg"
    cat > "$1" <<RC
account default
host $2
port 587
timeout 30
tls on
tls_starttls on
tls_trust_file $CA
auth plain
user $AUTH_USER
password $AUTH_PASSWORD
from $AUTH_USER
RC
    chmod 600 "$1"
}

# ---- runners (see tests/mail/lib.sh run_plain) --------------------------------------------------
# run_tf NAME CMD... : under the wrapper, no token command; log in $OUT/NAME.jsonl
run_tf() {
    local n=$1; shift
    : > "$OUT/$n.jsonl"
    env -u TLSFLOOR_OAUTH_TOKEN_COMMAND -u LD_PRELOAD "$WRAPPER" --library "$TF_LIB" \
        --log "$OUT/$n.jsonl" -- "$@" > "$OUT/$n.out" 2> "$OUT/$n.err" < "${RUN_STDIN:-/dev/null}"
    echo $? > "$OUT/$n.rc"
}
# run_bridge NAME CMD... : the same with --oauth-token-command token-cmd (TOKEN_MODE from the
# caller); the token command's calls in $OUT/NAME.tokens
run_bridge() {
    local n=$1; shift
    : > "$OUT/$n.jsonl"
    : > "$OUT/$n.tokens"
    env -u TLSFLOOR_OAUTH_TOKEN_COMMAND -u LD_PRELOAD TOKEN_LOG="$OUT/$n.tokens" \
        "$WRAPPER" --library "$TF_LIB" --log "$OUT/$n.jsonl" --oauth-token-command "$TOKEN_CMD" \
        -- "$@" > "$OUT/$n.out" 2> "$OUT/$n.err" < "${RUN_STDIN:-/dev/null}"
    echo $? > "$OUT/$n.rc"
}

# ---- expectations -------------------------------------------------------------------------------
dovecot_count() { grep -Ec -- "$1" "$AUTH_DOVECOT_LOG"; }
sink_count() { grep -c '^MESSAGE' "$AUTH_SINK"; }
fetched_count() { [ -f "$T/fetched.mbox" ] && grep -c 'TFMAIL-BODY-' "$T/fetched.mbox" || echo 0; }

expect_in_time() { # NAME
    local s; s=$(cat "$OUT/$1.secs")
    if awk -v s="$s" -v l="$AUTH_TIME_LIMIT" 'BEGIN { exit !(s < l) }'; then
        pass "finished in ${s}s (limit ${AUTH_TIME_LIMIT}s)"
    else
        fail "took ${s}s (limit ${AUTH_TIME_LIMIT}s)"; show "$1"
    fi
}
expect_auth_error() { # NAME : the client's own authentication error, in time
    local n=$1
    if [ "$(rc "$n")" = "$AUTH_RC" ] && cat "$OUT/$n.out" "$OUT/$n.err" | grep -Eq -- "$AUTH_ERR"; then
        pass "the client reports an authentication error (status $AUTH_RC, /$AUTH_ERR/)"
    else
        fail "wanted an authentication error (status $AUTH_RC, /$AUTH_ERR/), got status $(rc "$n")"
        show "$n"
    fi
    expect_in_time "$n"
}
expect_server_refused() { # BEFORE : Dovecot refused one more login than BEFORE
    local now; now=$(dovecot_count 'auth failed')
    if [ "$now" -gt "$1" ]; then
        pass "Dovecot refused the login ($((now - $1)) 'auth failed')"
    else
        fail "Dovecot logged no refused login: the client never got to authenticate"
        tail -n 5 "$AUTH_DOVECOT_LOG" | sed 's/^/    | /'
    fi
}
# Nothing secret in the tlsfloor log, the client's output, or Dovecot's log.
expect_no_secret() { # NAME
    local n=$1 f files=() hit=
    for f in jsonl out err tokens; do [ -f "$OUT/$n.$f" ] && files+=("$OUT/$n.$f"); done
    files+=("$AUTH_DOVECOT_LOG")
    for f in "${files[@]}"; do
        if grep -qF -- "$AUTH_PASSWORD" "$f"; then hit="$hit password:$(basename "$f")"; fi
        if grep -qE 'eyJ[A-Za-z0-9_-]{8,}' "$f"; then hit="$hit token:$(basename "$f")"; fi
    done
    if [ -z "$hit" ]; then
        pass "no password or token in the tlsfloor log, the client's output, or Dovecot's log"
    else
        fail "secret found:$hit"
    fi
}
expect_log_i() { # NAME EVENT KEY=VALUE... (values compared case-insensitively)
    local n=$1 ev=$2 w k v c i re args=(); shift 2
    for w in "$@"; do
        k=${w%%=*} v=${w#*=} re=
        for ((i = 0; i < ${#v}; i++)); do
            c=${v:i:1}
            case $c in [[:alpha:]]) re+="[${c^}${c,}]" ;; *) re+="[$c]" ;; esac
        done
        args+=("$k~^$re\$")
    done
    expect_log "$n" "$ev" "${args[@]}"
}
expect_no_token_cmd_left() {
    sleep 0.5
    if pgrep -f -- "$TOKEN_CMD" > /dev/null; then
        fail "a token command is still running after the client ended"
        pgrep -af -- "$TOKEN_CMD" | sed 's/^/    | /'
    else
        pass "no token command left running"
    fi
}

# ---- modes --------------------------------------------------------------------------------------
nobridge() {
    local before sink0 fetched0
    case_begin "$CASE_NAME without tlsfloor ($STD): the password is refused"
    before=$(dovecot_count 'auth failed') sink0=$(sink_count) fetched0=$(fetched_count)
    client nb-plain "$STD" run_plain
    expect_auth_error nb-plain
    expect_server_refused "$before"
    expect_no_secret nb-plain
    [ "$SENDS" = 1 ] && check "nothing delivered" test "$(sink_count)" -eq "$sink0"
    [ "$FETCHES" = 1 ] && check "nothing fetched" test "$(fetched_count)" -eq "$fetched0"

    case_begin "$CASE_NAME under tlsfloor without a token command ($LEGACY): still refused"
    before=$(dovecot_count 'auth failed')
    client nb-tf "$LEGACY" run_tf
    expect_auth_error nb-tf
    expect_server_refused "$before"
    expect_log nb-tf host_rewritten "detail.old=$LEGACY" "detail.new=$STD"
    # (the auth record comes from TLS connections: a cleartext one has none)
    [ "$CLEAR" = 1 ] || expect_log_i nb-tf auth "detail.protocol=$PROTO" detail.mechanism=basic
    expect_no_log nb-tf auth_bridged
    expect_no_log nb-tf auth_bridge_failed
    expect_no_secret nb-tf
    [ "$SENDS" = 1 ] && check "nothing delivered" test "$(sink_count)" -eq "$sink0"
    [ "$FETCHES" = 1 ] && check "nothing fetched" test "$(fetched_count)" -eq "$fetched0"
}

bridge_ok() {
    local before sink0 fetched0 refused0 n=br
    case_begin "$CASE_NAME under tlsfloor --oauth-token-command ($LEGACY): logs in with XOAUTH2"
    before=$(dovecot_count "Login: user=<$AUTH_USER>, method=XOAUTH2")
    sink0=$(sink_count) fetched0=$(fetched_count) refused0=$(dovecot_count 'auth failed')
    TOKEN_MODE=good client "$n" "$LEGACY" run_bridge
    expect_ok "$n" "the program's password login works" "$OK_MARK"
    expect_in_time "$n"
    check "Dovecot logged an XOAUTH2 login for $AUTH_USER" \
        test "$(dovecot_count "Login: user=<$AUTH_USER>, method=XOAUTH2")" -gt "$before"
    expect_log_i "$n" auth_bridged "detail.protocol=$PROTO" "detail.from=$FROM" detail.to=XOAUTH2
    expect_no_log "$n" auth_bridge_failed
    check "the server never saw a password login (no refusal logged)" \
        test "$(dovecot_count 'auth failed')" -eq "$refused0"
    check "the token command was asked for user=$AUTH_USER host=$STD protocol=$PROTO" \
        grep -q "^user=$AUTH_USER host=$STD protocol=$PROTO " "$OUT/$n.tokens"
    expect_no_secret "$n"
    [ "$SENDS" = 1 ] && check "the message was delivered (sink)" test "$(sink_count)" -eq $((sink0 + 1))
    [ "$FETCHES" = 1 ] && check "the 3 messages were fetched" test "$(fetched_count)" -eq $((fetched0 + 3))
    return 0
}

# A cleartext connection is never bridged: refused as without tlsfloor, no token asked for.
bridge_cleartext() {
    local before n=br-clear
    case_begin "$CASE_NAME under tlsfloor --oauth-token-command, no TLS ($STD): never bridged"
    before=$(dovecot_count 'auth failed')
    TOKEN_MODE=good client "$n" "$STD" run_bridge
    expect_auth_error "$n"
    expect_server_refused "$before"
    check "the token command was never run" test ! -s "$OUT/$n.tokens"
    check "the wrapper ran the program (its options were accepted)" \
        sh -c "! grep -q 'unknown option' '$OUT/$n.err'"
    expect_no_log "$n" auth_bridged
    expect_no_secret "$n"
    return 0
}

bridge_failure() { # TOKEN_MODE WHAT
    local mode=$1 what=$2 n=bf-$1 sink0 fetched0
    case_begin "$CASE_NAME under tlsfloor, the token command $what: an authentication error"
    sink0=$(sink_count) fetched0=$(fetched_count)
    TOKEN_MODE=$mode client "$n" "$LEGACY" run_bridge
    expect_auth_error "$n"
    expect_log_i "$n" auth_bridge_failed "detail.protocol=$PROTO"
    check "the token command was asked" test -s "$OUT/$n.tokens"
    expect_no_token_cmd_left
    expect_no_secret "$n"
    [ "$SENDS" = 1 ] && check "nothing delivered" test "$(sink_count)" -eq "$sink0"
    [ "$FETCHES" = 1 ] && check "nothing fetched" test "$(fetched_count)" -eq "$fetched0"
    return 0
}

case_setup
if [ "$CLEAR" = 1 ] && [ "$MODE" != nobridge ] && [ "$MODE" != bridge ]; then
    echo "clients.sh: $CASE_NAME has only the modes nobridge and bridge" >&2; exit 2
fi
auth_server_start "$T/server" || exit 1
case $MODE in
    nobridge) nobridge ;;
    bridge) if [ "$CLEAR" = 1 ]; then bridge_cleartext; else bridge_ok; fi ;;
    bridge-fail) bridge_failure fail "exits 1" ;;
    bridge-empty) bridge_failure empty "prints nothing" ;;
    bridge-hang) bridge_failure hang "never answers" ;;
    bridge-refused) bridge_failure foreign "gives a token the server refuses" ;;
    *) echo "clients.sh: unknown mode $MODE" >&2; exit 2 ;;
esac
auth_server_stop
finish
