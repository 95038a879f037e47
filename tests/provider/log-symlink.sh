#!/bin/bash
# The provider's log under secure execution: the system openssl.cnf (a copy, bind-mounted in
# this private mount namespace) loads the provider with a log in a folder user nobody can write
# (its own, or a sticky world-writable one). nobody replaces the log by a symbolic link to a
# root-only file (or a dangling one) and runs a setuid-root client: the legacy handshake is still
# refused, root does not write through the link (the target is unchanged, nothing is created),
# and the records go to syslog after one config_error.
# shellcheck source=tests/provider/lib.sh
source "$(dirname "$0")/lib.sh"
tfp_pki
start_server 4433 -tls1
syslog=$WORK/syslog.txt
mkdir -p "$WORK/scratch"
listener=$(bash "$TFP_SRC/tests/lib/syslog-capture" "$WORK/scratch" "$syslog") || { echo "no syslog capture"; exit 2; }
TFP_PIDS+=("$listener")
sys=$(readlink -f "$(openssl version -d | sed -n 's/^OPENSSLDIR: "\(.*\)"$/\1/p')/openssl.cnf")
install -m 4755 -o root "$TFP_TESTBIN/tfp_client" "$WORK/suid-client"
install -d -o nobody -g "$(id -gn nobody)" -m 0755 "$WORK/svc"
install -d -o root -g root -m 1777 "$WORK/sticky"
printf 'root:$6$secret\n' >"$WORK/secret"; chmod 600 "$WORK/secret"
cp -p "$WORK/secret" "$WORK/secret.orig"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
syslog_records() { grep -c "tlsfloor\[[0-9]*\]: $1\( \|\$\)" "$syslog" || true; }

# case NAME LOG LINK-TARGET
case_link() {
    local name=$1 log=$2 target=$3
    mkdir -p "$WORK/etc-$name" && chmod 755 "$WORK/etc-$name"
    cp -p "$sys" "$WORK/etc-$name/openssl.cnf"
    bash "$TFP_SRC/scripts/tlsfloor-provider-install" install --config "$WORK/etc-$name/openssl.cnf" --module "$TFP_MODULE" \
        --mode enforce --log "$log" > "$WORK/install-$name.out" 2>&1
    as_nobody ln -s "$target" "$log"
    mount --bind "$WORK/etc-$name/openssl.cnf" "$sys"
    : >"$syslog"
    as_nobody env OPENSSL_CONF="$EMPTY_CNF" "$WORK/suid-client" 4433 tls1 > "$WORK/$name.out" 2>&1
    umount "$sys"
    sleep 0.2
    check "$name: setuid client, provider loaded" grep -qx "tlsfloor: loaded" "$WORK/$name.out"
    check "$name: TLS 1.0 still refused" grep -qx "result: refused" "$WORK/$name.out"
    check "$name: the root-only target is unchanged" cmp -s "$WORK/secret" "$WORK/secret.orig"
    check "$name: nothing created where the link points" bash -c "[ '$target' = '$WORK/secret' ] || [ ! -e '$target' ]"
    check "$name: one config_error in syslog" [ "$(syslog_records config_error)" -eq 1 ]
    check "$name: it says why" grep -q "config_error message=\"log file $log refused: .*logging to syslog\"" "$syslog"
    check "$name: the legacy_handshake record went to syslog" [ "$(syslog_records legacy_handshake)" -eq 1 ]
}
case_link svc "$WORK/svc/x.jsonl" "$WORK/secret"
case_link sticky "$WORK/sticky/y.jsonl" "$WORK/created-by-root"
[ "$ASSERT_FAILS" -eq 0 ] || { cat "$WORK"/*.out; cat "$syslog"; }
finish
