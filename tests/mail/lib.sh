# Shared helpers for the mail scenarios (sourced by run.sh, inside tests/lib/netns-run).
#
# Environment (set by CMake): TLSFLOOR_SOURCE_DIR, TLSFLOOR_BUILD_DIR (here TF_SRC, TF_BUILD), TF_MAILBIN (where the
# mail test programs were built), TF_OPENSSL11_ROOT (Debian 11 OpenSSL root, may be empty).
#
# Servers:  modern Dovecot on 127.0.0.1 (TLS >= 1.2, ssl = required) and a legacy Dovecot on
# 127.0.0.2 (TLS 1.0/1.1 only, @SECLEVEL=0), both with IMAPS 993, POP3S 995, IMAP 143, POP3 110,
# submission 587 (STARTTLS), submission relaying to a sink on 127.0.0.1:2525 / 127.0.0.2:2525.

set -u

TF_SRC=${TLSFLOOR_SOURCE_DIR:?TLSFLOOR_SOURCE_DIR must point at the source tree}
TF_BUILD=${TLSFLOOR_BUILD_DIR:?TLSFLOOR_BUILD_DIR must point at the build tree}
export TF_SRC TF_BUILD   # (helpers run as programs read them too)
TF_LIB=${TF_LIBRARY_PATH:-$TF_BUILD/preload/libtlsfloor.so}
TF_LOGTOOL=${TF_LOGTOOL:-$TF_BUILD/report/tlsfloor-log}   # the log reader: the checks below select records with it
PY=/usr/bin/python3          # Debian's python3 (system OpenSSL 3), never a pyenv shim
MAILDIR_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ "${TLSFLOOR_IN_NETNS:-}" != 1 ]; then
    echo "lib.sh: must run inside tests/lib/netns-run" >&2
    exit 2
fi
[ -f "$TF_LIB" ] || { echo "FAIL: $TF_LIB not built" >&2; exit 1; }
[ -x "$TF_LOGTOOL" ] || { echo "FAIL: $TF_LOGTOOL not built" >&2; exit 1; }
if [ -n "${TF_NO_DOVECOT:-}" ] || ! command -v dovecot >/dev/null; then
    echo "FAIL: dovecot not installed (apt-get install dovecot-imapd dovecot-pop3d dovecot-submissiond; scripts/test does)" >&2
    exit 1
fi

T=$(mktemp -d /tmp/tfmail.XXXXXX)
chmod 755 "$T"
PKI=$T/pki
PIDS=()

MAIN_PID=$$
cleanup() {
    local p
    [ "${BASHPID:-$$}" = "$MAIN_PID" ] || return 0   # not from a subshell's exit
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    if [ -n "${KEEP_TMP:-}" ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT

"$TF_SRC/tests/lib/mkpki" "$PKI" >/dev/null
CA=$PKI/ca.pem

# ---- reporting ------------------------------------------------------------------------------

# pass, fail, check DESCRIPTION COMMAND..., finish: tests/lib/assert.sh, each message prefixed
# with the case at hand
. "$TF_SRC/tests/lib/assert.sh"
CASE=""
case_begin() { CASE=$1; ASSERT_CASE=$1; echo "=== $CASE"; }

# ---- servers --------------------------------------------------------------------------------

seed_maildir() { # seed_maildir DIR
    local d=$1 i
    mkdir -p "$d/cur" "$d/new" "$d/tmp"
    for i in 1 2 3; do
        cat > "$d/cur/100000000$i.M$i.test:2,S" <<EOF
From: Help Desk <helpdesk@example.test>
To: poller@example.test
Subject: Ticket $i for tlsfloor
Date: Thu, 01 Jan 2026 00:00:0$i +0000
Message-ID: <ticket-$i@example.test>

Body of ticket number $i (marker TFMAIL-BODY-$i).
EOF
    done
}

# start_dovecot NAME ADDR modern|legacy|tls12
# DOVECOT_DIR (default $T/dovecot-NAME) and DOVECOT_AUTH_CONF (the auth_mechanisms/passdb lines;
# default: plain and login against a passwd-file) let another area (tests/auth) change only those.
start_dovecot() {
    local name=$1 addr=$2 kind=$3 d=${DOVECOT_DIR:-$T/dovecot-$1}
    mkdir -p "$d/run" "$d/state" "$d/home/poller"
    seed_maildir "$d/home/poller/Maildir"
    chown -R nobody:nogroup "$d/home"
    # PLAIN scheme keeps the test simple; the password is only valid inside the namespace.
    echo "poller@example.test:{PLAIN}s3cret::::::" > "$d/passwd"
    local tls
    if [ "$kind" = legacy ]; then
        # Only TLS 1.0/1.1: min from Dovecot, max through an OpenSSL config imported into the
        # login processes, ciphers at @SECLEVEL=0 with RSA key exchange preferred.
        cat > "$d/openssl.cnf" <<'EOF'
openssl_conf = tf_conf
[tf_conf]
ssl_conf = tf_ssl
[tf_ssl]
system_default = tf_sys
[tf_sys]
MinProtocol = TLSv1
MaxProtocol = TLSv1.1
CipherString = DEFAULT:@SECLEVEL=0
EOF
        tls="ssl_min_protocol = TLSv1
ssl_cipher_list = AES256-SHA:AES128-SHA:DEFAULT:@SECLEVEL=0
ssl_prefer_server_ciphers = yes
import_environment = TZ OPENSSL_CONF=$d/openssl.cnf"
    elif [ "$kind" = tls12 ]; then
        # Exactly TLS 1.2 (tests/auth): Dovecot 2.3 has no maximum setting, OpenSSL's config does.
        printf 'openssl_conf = tf_conf\n[tf_conf]\nssl_conf = tf_ssl\n[tf_ssl]\nsystem_default = tf_sys\n[tf_sys]\nMinProtocol = TLSv1.2\nMaxProtocol = TLSv1.2\n' > "$d/openssl.cnf"
        tls="ssl_min_protocol = TLSv1.2
import_environment = TZ OPENSSL_CONF=$d/openssl.cnf"
    else
        tls="ssl_min_protocol = TLSv1.2"
    fi
    cat > "$d/dovecot.conf" <<EOF
instance_name = tfmail-$name
base_dir = $d/run
state_dir = $d/state
listen = $addr
protocols = imap pop3 submission
log_path = $d/dovecot.log
info_log_path = $d/dovecot.log
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
first_valid_uid = 1
ssl = required
ssl_cert = <$PKI/server-chain.pem
ssl_key = <$PKI/server.key
$tls
${DOVECOT_AUTH_CONF:-auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $d/passwd
\}}
disable_plaintext_auth = yes
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$d/home/poller
}
mail_location = maildir:~/Maildir
hostname = mail.test
login_log_format_elements = user=<%u> method=%m rip=%r lip=%l mpid=%e %c %k
submission_relay_host = $addr
submission_relay_port = 2525
submission_relay_trusted = yes
service imap-login {
  inet_listener imap {
    port = 143
  }
  inet_listener imaps {
    port = 993
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 110
  }
  inet_listener pop3s {
    port = 995
    ssl = yes
  }
}
service submission-login {
  inet_listener submission {
    port = 587
  }
}
service anvil {
  chroot =
}
service stats {
  chroot =
}
EOF
    SINK_OUT_FILE=$d/sink.mbox
    : > "$SINK_OUT_FILE"
    env -u LD_PRELOAD "$PY" "$MAILDIR_SRC/sink.py" "$addr" 2525 "$SINK_OUT_FILE" &
    PIDS+=($!)
    env -u LD_PRELOAD dovecot -F -c "$d/dovecot.conf" > "$d/stdout" 2>&1 &
    local pid=$!
    PIDS+=($pid)
    local port i
    for port in 993 995 143 110 587 2525; do
        for i in $(seq 100); do
            if (exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null; then break; fi
            if ! kill -0 "$pid" 2>/dev/null; then
                echo "dovecot $name died:" >&2; cat "$d/stdout" "$d/dovecot.log" >&2; return 1
            fi
            sleep 0.05
        done
        (exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null || {
            echo "dovecot $name: port $addr:$port never opened" >&2; cat "$d/dovecot.log" >&2; return 1; }
    done
    eval "SINK_$name=\$SINK_OUT_FILE"
}

start_servers() {
    start_dovecot modern 127.0.0.1 modern || exit 1
    start_dovecot legacy 127.0.0.2 legacy || exit 1
}

# ---- running clients ------------------------------------------------------------------------

# run_plain NAME CMD...   : run without tlsfloor; stdout/stderr/status in $T/out/NAME.{out,err,rc}
# run_shim  NAME CMD...   : run under the shim (enforce), JSON log in $T/out/NAME.jsonl
# run_audit NAME CMD...   : same, audit mode
OUT=$T/out
mkdir -p "$OUT"
run_plain() {
    local n=$1; shift
    env -u LD_PRELOAD "$@" > "$OUT/$n.out" 2> "$OUT/$n.err" < "${RUN_STDIN:-/dev/null}"
    echo $? > "$OUT/$n.rc"
}
run_shim_mode() {
    local mode=$1 n=$2; shift 2
    : > "$OUT/$n.jsonl"
    env LD_PRELOAD="$TF_LIB" TLSFLOOR_MODE="$mode" TLSFLOOR_LOG="$OUT/$n.jsonl" \
        "$@" > "$OUT/$n.out" 2> "$OUT/$n.err" < "${RUN_STDIN:-/dev/null}"
    echo $? > "$OUT/$n.rc"
}
run_shim() { run_shim_mode enforce "$@"; }
run_audit() { run_shim_mode audit "$@"; }
rc() { cat "$OUT/$1.rc"; }

show() { # dump a run's output after a failed check
    local n=$1 f
    for f in rc out err jsonl; do
        [ -s "$OUT/$n.$f" ] || continue
        echo "    --- $n.$f"
        head -c 3000 "$OUT/$n.$f" | sed 's/^/    | /'
    done
}

# expectations, each reporting one check
expect_ok() { # expect_ok NAME WHAT [GREP-IN-STDOUT]
    local n=$1 what=$2 pat=${3:-}
    if [ "$(rc "$n")" = 0 ] && { [ -z "$pat" ] || grep -q -- "$pat" "$OUT/$n.out"; }; then
        pass "$what"
    else
        fail "$what (status $(rc "$n")${pat:+, wanted '$pat' in stdout})"; show "$n"
    fi
}
expect_fail() { # expect_fail NAME WHAT [STATUS]
    local n=$1 what=$2 want=${3:-}
    local r; r=$(rc "$n")
    if [ "$r" != 0 ] && { [ -z "$want" ] || [ "$r" = "$want" ]; }; then
        pass "$what (status $r)"
    else
        fail "$what (status $r, wanted ${want:-non-zero})"; show "$n"
    fi
}
# The number of EVENT records of NAME's log with every KEY=VALUE (or KEY~ERE, KEY?, KEY!) of
# tlsfloor-log --where: KEY is a top-level key (mode, tool, exe), detail.NAME or frame.NAME (the
# caller's first frame). Malformed records are not counted (tlsfloor-log notes them on stderr).
log_count() { # log_count NAME EVENT [KEY=VALUE...]
    local n=$1 ev=$2 w args=(); shift 2
    for w in "$@"; do args+=(--where "$w"); done
    "$TF_LOGTOOL" --event "$ev" "${args[@]}" --count "$OUT/$n.jsonl"
}
expect_log() { # expect_log NAME EVENT KEY=VALUE...   at least one record with all of them
    local n=$1 ev=$2; shift 2
    if [ "$(log_count "$n" "$ev" "$@")" -ge 1 ]; then
        pass "log has $ev $*"
    else
        fail "log has no $ev record matching: $*"; show "$n"
    fi
}
expect_no_log() { # expect_no_log NAME EVENT
    local n=$1 ev=$2
    if [ "$(log_count "$n" "$ev")" -eq 0 ]; then
        pass "log has no $ev record"
    else
        fail "log has an unexpected $ev record"; show "$n"
    fi
}
# Every handshake record at/above the floor, at least one of them, and none failed.
expect_floor_handshakes() { # NAME [MIN-COUNT]
    local n=$1 min=${2:-1}
    local total below failed
    total=$(log_count "$n" handshake)
    below=$(log_count "$n" handshake detail.below_floor=true)
    failed=$(log_count "$n" handshake_failed)
    if [ "$total" -ge "$min" ] && [ "$below" -eq 0 ] && [ "$failed" -eq 0 ]; then
        pass "log: $total handshake(s) at TLS >= 1.2, none failed"
    else
        fail "log: handshakes=$total below_floor=$below failed=$failed (wanted >= $min, 0, 0)"; show "$n"
    fi
}
# The same program's error with and without tlsfloor: same status, same message.
expect_same_error() { # expect_same_error NAME_PLAIN NAME_SHIM [SED-FILTER]
    local a=$1 b=$2 filt=${3:-}
    local ea eb
    ea=$(sed -e "$filt" "$OUT/$a.err" 2>/dev/null | grep -v '^tlsfloor\[' ; :)
    eb=$(sed -e "$filt" "$OUT/$b.err" 2>/dev/null | grep -v '^tlsfloor\[' ; :)
    if [ "$(rc "$a")" = "$(rc "$b")" ] && [ "$ea" = "$eb" ]; then
        pass "same error with and without tlsfloor (status $(rc "$a"): $(echo "$ea" | tail -n1 | cut -c1-100))"
    else
        fail "error differs: without: $(rc "$a") '$ea' / with: $(rc "$b") '$eb'"; show "$b"
    fi
}
