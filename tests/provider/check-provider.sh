#!/bin/bash
# `tlsfloor check-provider` (scripts/tlsfloor-provider-check): verdicts and exit codes.
# shellcheck source=tests/provider/lib.sh
source "$(dirname "$0")/lib.sh"
chk() { bash "$TFP_SRC/scripts/tlsfloor-provider-check" --probe "$TFP_BUILD/provider/tlsfloor-provider-probe" "$@"; }
expect() {  # expect DESC STATUS PATTERN -- ARGS...
    local desc=$1 want=$2 pat=$3; shift 4
    chk "$@" > "$WORK/out" 2>&1
    local rc=$?
    if [ "$rc" -eq "$want" ] && grep -Eq -- "$pat" "$WORK/out"; then pass "$desc"; else fail "$desc (status $rc)"; cat "$WORK/out"; fi
}
tfp_conf "$WORK/audit-stderr.cnf" audit stderr

expect "shipped enforce config: OK, refused" 0 '^verdict: OK: enforce' -- --config "$TFP_SHIPPED"
expect "shipped audit config: OK, logged" 0 '^verdict: OK: audit' -- --config "$TFP_SHIPPED_AUDIT"
expect "audit config with log=stderr: the record is seen" 0 'record: legacy_handshake written to stderr' -- --config "$WORK/audit-stderr.cnf"
OPENSSL_CONF=$TFP_SHIPPED expect "OPENSSL_CONF is the config in force" 0 "^config in force: $TFP_SHIPPED\$" --

sed "s|^module = .*|module = $WORK/nowhere/tlsfloor.so|" "$TFP_SHIPPED" > "$WORK/wrong-module.cnf"
expect "wrong module path: reported, FAIL, status 1" 1 "^verdict: FAIL: the module $WORK/nowhere/tlsfloor.so named in the config does not exist" -- --config "$WORK/wrong-module.cnf"
expect "wrong module path: shows the missing module" 1 "module: $WORK/nowhere/tlsfloor.so: MISSING" -- --config "$WORK/wrong-module.cnf"

sed '/^default = tlsfloor_default_provider/d' "$TFP_SHIPPED" > "$WORK/no-default.cnf"
expect "config without the default provider: FAIL with the documented reason" 1 '^verdict: FAIL: the config loads tlsfloor but no default provider' -- --config "$WORK/no-default.cnf"
# ... which is what programs see, too: no ciphers at all.
OPENSSL_CONF=$WORK/no-default.cnf openssl s_client -connect 127.0.0.1:9 < /dev/null > "$WORK/nodef.out" 2>&1
check "config without the default provider: openssl s_client fails with 'library has no ciphers'" grep -q 'library has no ciphers' "$WORK/nodef.out"

sed '/^default_properties = /d' "$TFP_SHIPPED" > "$WORK/no-props.cnf"
expect "config without default_properties: TLS1-PRF not from tlsfloor, FAIL" 1 '^verdict: FAIL: TLS1-PRF does not come from tlsfloor' -- --config "$WORK/no-props.cnf"

expect "config without tlsfloor: FAIL" 1 '^verdict: FAIL: no tlsfloor module is named' -- --config "$EMPTY_CNF"
expect "missing probe: ERROR, status 2" 2 '^verdict: ERROR' -- --probe /nonexistent --config "$TFP_SHIPPED"
finish
