#!/bin/bash
# A setuid program run by an unprivileged user is under secure execution: OpenSSL ignores
# OPENSSL_CONF (and tlsfloor ignores TLSFLOOR_*), so only the system config counts. In this
# private mount namespace a copy of the system openssl.cnf, extended by tlsfloor-provider-install,
# is bind-mounted over /etc/ssl/openssl.cnf. The clients run as nobody, so the module and the
# programs are copied to a public folder (the checkout may be under a 0700 home directory).
# shellcheck source=tests/provider/lib.sh
source "$(dirname "$0")/lib.sh"
tfp_pki
start_server 4433 -tls1
sys=$(readlink -f "$(openssl version -d | sed -n 's/^OPENSSLDIR: "\(.*\)"$/\1/p')/openssl.cnf")
mkdir -p "$WORK/etc" && chmod 755 "$WORK/etc"
cp -p "$sys" "$WORK/etc/openssl.cnf"
cp -p "$sys" "$WORK/original.cnf"
pub=$(tfp_public_dir setuid) || exit 2
install -m 0644 -o root -g root "$TFP_MODULE" "$pub/tlsfloor.so"
bash "$TFP_SRC/scripts/tlsfloor-provider-install" install --config "$WORK/etc/openssl.cnf" --module "$pub/tlsfloor.so" \
    --mode enforce --log "$WORK/suid.jsonl" > "$WORK/install.out" 2>&1
check "install into the copy of the system config" grep -q installed "$WORK/install.out"
mount --bind "$WORK/etc/openssl.cnf" "$sys"
check "the system config (bind-mounted) includes tlsfloor" grep -q '^\.include .*tlsfloor-provider.cnf' "$sys"

install -m 4755 -o root -g root "$TFP_TESTBIN/tfp_client" "$pub/suid-client"
install -m 0755 -o root -g root "$TFP_TESTBIN/tfp_client" "$pub/plain-client"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
check "nobody can read the module and the include (else the controls below prove nothing)" \
    as_nobody test -r "$pub/tlsfloor.so" -a -r "$WORK/etc/tlsfloor-provider.cnf"
# What a user would try in order to slip past: another config and audit mode.
evade=(env OPENSSL_CONF="$EMPTY_CNF" TLSFLOOR_MODE=audit)

as_nobody "${evade[@]}" "$pub/suid-client" 4433 tls1 > "$WORK/suid.out" 2>&1
check "setuid client runs under secure execution" grep -qx "secure-execution: 1" "$WORK/suid.out"
check "setuid client: provider loaded from the system config despite OPENSSL_CONF" grep -qx "tlsfloor: loaded" "$WORK/suid.out"
check "setuid client: TLS 1.0 refused (TLSFLOOR_MODE=audit ignored)" grep -qx "result: refused" "$WORK/suid.out"
check "setuid client: with the provider's reason" grep -qF "$TFP_REFUSED" "$WORK/suid.out"
check "setuid client: one record, enforce, applied:true" [ "$(records "$WORK/suid.jsonl" mode=enforce)" -eq 1 ]

# Control: the same program without the setuid bit honours OPENSSL_CONF, so the refusal above
# came from the system config, not from something else in this setup.
as_nobody "${evade[@]}" "$pub/plain-client" 4433 tls1 > "$WORK/plain.out" 2>&1
check "control: not setuid: OPENSSL_CONF honoured, no provider, connects" \
    bash -c "grep -qx 'secure-execution: 0' '$WORK/plain.out' && grep -qx 'tlsfloor: not loaded' '$WORK/plain.out' && grep -qx 'result: connected TLSv1' '$WORK/plain.out'"
as_nobody env -u OPENSSL_CONF "$pub/plain-client" 4433 flex > "$WORK/plain-sys.out" 2>&1
check "control: not setuid, no OPENSSL_CONF: the system config refuses too" grep -qx "result: refused" "$WORK/plain-sys.out"

bash "$TFP_SRC/scripts/tlsfloor-provider-install" uninstall --config "$WORK/etc/openssl.cnf" > "$WORK/uninstall.out" 2>&1
check "uninstall restores the config byte for byte" cmp -s "$WORK/original.cnf" "$sys"
check "uninstall removes the include file" [ ! -e "$WORK/etc/tlsfloor-provider.cnf" ]
as_nobody "${evade[@]}" "$pub/suid-client" 4433 tls1 > "$WORK/suid-after.out" 2>&1
check "after uninstall the setuid client connects again" grep -qx "result: connected TLSv1" "$WORK/suid-after.out"
umount "$sys"
[ "$ASSERT_FAILS" -eq 0 ] || cat "$WORK"/*.out
finish
