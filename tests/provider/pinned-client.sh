#!/bin/bash
# A C client pinned with TLSv1_client_method() ignores every config setting, the shipped
# ssl_conf (MinProtocol, Protocol) included: only the provider can stop it.
# shellcheck source=tests/provider/lib.sh
source "$(dirname "$0")/lib.sh"
tfp_pki
start_server 4433 -tls1
tfp_conf "$WORK/shipped.cnf" enforce "$WORK/enforce.jsonl" keep-ssl
tfp_conf "$WORK/audit.cnf" audit "$WORK/audit.jsonl"

OPENSSL_CONF=$EMPTY_CNF "$TFP_TESTBIN/tfp_client" 4433 tls1 > "$WORK/none.out" 2>&1
check "without the provider: TLSv1_client_method connects (TLS 1.0)" grep -qx "result: connected TLSv1" "$WORK/none.out"

OPENSSL_CONF=$WORK/shipped.cnf "$TFP_TESTBIN/tfp_client" 4433 tls1 > "$WORK/enforce.out" 2>&1
rc=$?
check "shipped enforce config: exits 0" [ "$rc" -eq 0 ]
check "shipped enforce config: provider loaded" grep -qx "tlsfloor: loaded" "$WORK/enforce.out"
check "shipped enforce config: TLSv1_client_method refused" grep -qx "result: refused" "$WORK/enforce.out"
check "shipped enforce config: with the provider's reason" grep -qF "$TFP_REFUSED" "$WORK/enforce.out"
check "shipped enforce config: one record, applied:true" [ "$(records "$WORK/enforce.jsonl" detail.applied=true)" -eq 1 ]

OPENSSL_CONF=$WORK/audit.cnf "$TFP_TESTBIN/tfp_client" 4433 tls1 > "$WORK/audit.out" 2>&1
check "audit config: TLSv1_client_method connects" grep -qx "result: connected TLSv1" "$WORK/audit.out"
check "audit config: one record, applied:false" [ "$(records "$WORK/audit.jsonl" detail.applied=false)" -eq 1 ]
[ "$ASSERT_FAILS" -eq 0 ] || cat "$WORK"/*.out
finish
