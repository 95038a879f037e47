# shellcheck shell=bash disable=SC2034
# OAuth-only mail server for the OAuth bridge tests (issue 15), sourced by the scripts here
# inside tests/lib/netns-run.  Builds on tests/mail/lib.sh (sourced: $T, $PKI, $CA, run_plain,
# run_shim, expect_*, case_begin, check, finish, the cleanup trap, start_dovecot).
#
#   auth_server_start WORKDIR   Dovecot 2.3 on 127.0.0.1 (TLS >= 1.2, certificate for
#                               outlook.office365.com and smtp.office365.com): 993 IMAPS, 143 IMAP
#                               (STARTTLS), 995 POP3S, 110 POP3 (STLS), 587 submission (STARTTLS)
#                               relaying to a sink on 127.0.0.1:2525.  Its only passdb is oauth2
#                               with local JWT validation (HS256, tests/auth/test-hs256.key);
#                               mechanisms XOAUTH2, OAUTHBEARER, and PLAIN/LOGIN that always fail.
#   auth_server_stop            stops it (and the sink); the EXIT trap does it too.
# Set by auth_server_start: AUTH_DIR (WORKDIR), AUTH_SINK (relayed messages, one "MESSAGE" line
# each), AUTH_DOVECOT_LOG (Dovecot's log).
# Constants: AUTH_USER, AUTH_PASSWORD (what password clients send; never valid), TOKEN_CMD.

AUTH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../mail/lib.sh
. "$AUTH_SRC/../mail/lib.sh"

AUTH_USER=alice@contoso.example
AUTH_PASSWORD='Tf15-Alice-Passw0rd'
TOKEN_CMD=$AUTH_SRC/token-cmd
AUTH_ISSUER=https://login.tlsfloor.test/contoso/v2.0
AUTH_AUDIENCE=https://outlook.office365.com
AUTH_PIDS_FROM=

auth_server_start() { # auth_server_start WORKDIR
    local dir=$1
    mkdir -p "$dir/keys/default/HS256"
    chmod 755 "$dir"
    # Dovecot looks the key up as shared/<azp>/<alg>/<kid> ("default" when the token has none);
    # the fs dict strips "shared/".
    cp "$AUTH_SRC/test-hs256.key" "$dir/keys/default/HS256/default"
    cat > "$dir/oauth2.conf" <<CONF
introspection_mode = local
local_validation_key_dict = fs:posix:prefix=$dir/keys/
username_attribute = email
issuers = $AUTH_ISSUER
client_id = $AUTH_AUDIENCE
CONF
    chmod -R a+rX "$dir/keys" "$dir/oauth2.conf"
    # PLAIN and LOGIN are offered (a program can try its password) but reach only an oauth2
    # passdb that knows no key: a password is "not a JWT", a token is refused too, and the client
    # gets an ordinary authentication failure (without a passdb for them it would be a temporary
    # failure).  Only XOAUTH2 and OAUTHBEARER with a good token log in.
    mkdir -p "$dir/nokeys"
    sed "s|^local_validation_key_dict = .*|local_validation_key_dict = fs:posix:prefix=$dir/nokeys/|" \
        "$dir/oauth2.conf" > "$dir/oauth2-password.conf"
    local authconf="auth_mechanisms = xoauth2 oauthbearer plain login
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $dir/oauth2.conf
}
passdb {
  driver = oauth2
  mechanisms = plain login
  args = $dir/oauth2-password.conf
}
# Many refusals in a row from 127.0.0.1 (the tests' point): no growing penalty (up to 15 s),
# a short fixed delay instead.
auth_failure_delay = 1 secs
# Why a login was refused, in Dovecot's log (never the password: auth_verbose_passwords is no).
auth_verbose = yes
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}"
    AUTH_PIDS_FROM=${#PIDS[@]}
    DOVECOT_DIR=$dir DOVECOT_AUTH_CONF=$authconf start_dovecot auth 127.0.0.1 tls12 || return 1
    AUTH_DIR=$dir
    # shellcheck disable=SC2154  # (set by start_dovecot through eval)
    AUTH_SINK=$SINK_auth
    AUTH_DOVECOT_LOG=$dir/dovecot.log
}

auth_server_stop() {
    local i
    [ -n "$AUTH_PIDS_FROM" ] || return 0
    for ((i = AUTH_PIDS_FROM; i < ${#PIDS[@]}; i++)); do kill "${PIDS[i]}" 2>/dev/null; done
    for ((i = AUTH_PIDS_FROM; i < ${#PIDS[@]}; i++)); do wait "${PIDS[i]}" 2>/dev/null; done
    PIDS=("${PIDS[@]:0:AUTH_PIDS_FROM}")
    AUTH_PIDS_FROM=
}

# token MODE [USER]: a token from the test token command (for the server checks)
token() {
    TOKEN_MODE=$1 TLSFLOOR_OAUTH_USER=${2:-$AUTH_USER} "$TOKEN_CMD"
}
