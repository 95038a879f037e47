#!/bin/bash
# auth_bridge_setuid: the OAuth bridge under secure execution. A setuid-root copy of curl,
# preloaded only through /etc/ld.so.preload (private to this mount namespace), started by
# nobody: TLSFLOOR_OAUTH_TOKEN_COMMAND from the environment is ignored (no bridge, the password
# login fails and the command never runs); oauth_token_command in /etc/tlsfloor.conf bridges the
# login, and the command runs as nobody (real and effective ids), never as root.
# Control first: the same curl without the setuid bit honours the environment.
set -u
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
getent passwd nobody >/dev/null || { echo "FAIL: no user nobody"; exit 1; }
auth_server_start "$T/auth" || { echo "FAIL: the OAuth-only Dovecot did not start"; exit 1; }

pub=$("$TF_SRC/tests/lib/public-dir" bridge-setuid)
install -o root -g root -m 4755 "$(command -v curl)" "$pub/curl-suid"
install -o root -g root -m 0755 "$(command -v curl)" "$pub/curl-plain"
install -o root -g root -m 0644 "$(readlink -f "$TF_LIB")" "$pub/libtlsfloor.so"
install -m 0755 "$AUTH_SRC/token-cmd" "$pub/token-cmd"
install -m 0644 "$AUTH_SRC/test-hs256.key" "$pub/test-hs256.key"
install -m 0644 "$CA" "$pub/ca.pem"
: > "$pub/ids"; chmod 666 "$pub/ids"
: > "$pub/conf.jsonl"; chmod 644 "$pub/conf.jsonl"
: > "$pub/env.jsonl"; chmod 666 "$pub/env.jsonl"
# the command notes who runs it (real and effective uid), then prints the token
# shellcheck disable=SC2016 # $(id ...) is for the command's shell
printf '#!/bin/sh\necho "ruid=$(id -ru) euid=$(id -u)" >> %s\nexec %s\n' "$pub/ids" "$pub/token-cmd" > "$pub/cmd"
chmod 755 "$pub/cmd"
nobody_uid=$(id -u nobody)
ng=$(id -gn nobody)

# A private /etc (an overlay: /etc/ld.so.preload and /etc/tlsfloor.conf never touch the real
# one); the namespace's /etc/hosts (legacy names unresolvable, office365 names on 127.0.0.1) is
# carried over.
cp /etc/hosts "$T/hosts"
mkdir -p "$T/etc-upper" "$T/etc-work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc-upper,workdir=$T/etc-work" /etc ||
    { echo "FAIL: cannot make a private /etc"; exit 1; }
cat "$T/hosts" > /etc/hosts
# dash drops a setuid identity by itself unless run with -p: a /bin/sh that keeps it (only in
# this namespace) shows whether tlsfloor gave the command the real ids, not the shell.
install -m 0755 /bin/dash "$pub/dash"
printf '#!%s -p\nexec %s -p "$@"\n' "$pub/dash" "$pub/dash" > "$pub/sh-keeps-ids"
chmod 755 "$pub/sh-keeps-ids"
mount --bind "$pub/sh-keeps-ids" "$(readlink -f /bin/sh)" || { echo "FAIL: cannot bind a shell over /bin/sh"; exit 1; }

as_nobody() { # as_nobody CURL OUTNAME: curl imaps AUTHENTICATE PLAIN with the password, as nobody
    env TLSFLOOR_OAUTH_TOKEN_COMMAND="$pub/cmd" TLSFLOOR_LOG="$pub/env.jsonl" \
        setpriv --reuid=nobody --regid="$ng" --clear-groups \
        timeout 60 "$pub/$1" -sS --cacert "$pub/ca.pem" --login-options AUTH=PLAIN \
        -u "$AUTH_USER:$AUTH_PASSWORD" "imaps://outlook.office365.com/INBOX?ALL" \
        > "$T/$2.out" 2> "$T/$2.err"
    echo $? > "$T/$2.rc"
}
ids_lines() { grep -c . "$pub/ids"; }

case_begin "control: not setuid, the environment's command"
echo "$pub/libtlsfloor.so" > /etc/ld.so.preload
as_nobody curl-plain plain
check "curl logs in through the bridge" grep -q "SEARCH 1 2 3" "$T/plain.out"
check "the command ran once, as nobody" grep -qx "ruid=$nobody_uid euid=$nobody_uid" "$pub/ids"
check "auth_bridged in the environment's log" "$TF_LOGTOOL" --event auth_bridged --expect-min 1 "$pub/env.jsonl"
: > "$pub/ids"; : > "$pub/env.jsonl"

case_begin "setuid: the environment's command is ignored"
as_nobody curl-suid env
check "curl's password login is denied (67: no bridge)" test "$(cat "$T/env.rc")" = 67
check "the command never ran" test "$(ids_lines)" = 0
check "nothing in the environment's log" test ! -s "$pub/env.jsonl"

case_begin "setuid: /etc/tlsfloor.conf's command, run as the real user"
printf 'log %s\noauth_token_command %s\n' "$pub/conf.jsonl" "$pub/cmd" > /etc/tlsfloor.conf
as_nobody curl-suid conf
rm -f /etc/ld.so.preload
check "curl logs in through the bridge" grep -q "SEARCH 1 2 3" "$T/conf.out"
check "the command ran as nobody, not root" grep -qx "ruid=$nobody_uid euid=$nobody_uid" "$pub/ids"
check "only once" test "$(ids_lines)" = 1
check "auth_bridged in the system's log" "$TF_LOGTOOL" --event auth_bridged --expect-min 1 "$pub/conf.jsonl"
check "no password or token in any log" \
    bash -c "! grep -qF -e '$AUTH_PASSWORD' -e 'auth=Bearer' '$pub/conf.jsonl' '$pub/env.jsonl' '$AUTH_DOVECOT_LOG'"
for n in plain env conf; do [ "$ASSERT_FAILS" = 0 ] || { echo "--- $n"; cat "$T/$n.rc" "$T/$n.err"; }; done
finish
