#!/bin/bash
# A client linked statically with OpenSSL 3 (libssl.a, libcrypto.a) still reads the config,
# loads tlsfloor.so (which brings the shared libcrypto), is refused with the provider's reason
# (raised through the core upcalls into the static library's error queue), and exits 0 without
# a crash at exit (OPENSSL_INIT_NO_ATEXIT in the module); all of it under valgrind.
# shellcheck source=tests/provider/lib.sh
source "$(dirname "$0")/lib.sh"
bin=$TFP_TESTBIN/tfp_client_static
check "the static client links no shared libssl/libcrypto" bash -c "! ldd '$bin' | grep -Eq 'libssl|libcrypto'"
tfp_pki
start_server 4433 -tls1
tfp_conf "$WORK/enforce.cnf" enforce "$WORK/enforce.jsonl"
tfp_conf "$WORK/audit.cnf" audit "$WORK/audit.jsonl"

OPENSSL_CONF=$EMPTY_CNF "$bin" 4433 flex > "$WORK/none.out" 2>&1
check "without the provider: the static client connects (TLS 1.0)" grep -qx "result: connected TLSv1" "$WORK/none.out"

vg() { valgrind -q --error-exitcode=99 --suppressions="$(dirname "$0")/valgrind.supp" --log-file="$WORK/valgrind-$1.log" "${@:2}"; }
for method in flex tls1; do
    OPENSSL_CONF=$WORK/enforce.cnf vg "enforce-$method" "$bin" 4433 $method > "$WORK/enforce-$method.out" 2>&1
    rc=$?
    check "static ($method), enforce: exits 0 under valgrind, no errors (status $rc)" [ "$rc" -eq 0 ]
    check "static ($method), enforce: loaded the provider" grep -qx "tlsfloor: loaded" "$WORK/enforce-$method.out"
    check "static ($method), enforce: refused" grep -qx "result: refused" "$WORK/enforce-$method.out"
    check "static ($method), enforce: with the provider's reason" grep -qF "$TFP_REFUSED" "$WORK/enforce-$method.out"
    check "static ($method), enforce: valgrind log empty" [ ! -s "$WORK/valgrind-enforce-$method.log" ]
done
check "static, enforce: two records, applied:true" [ "$(records "$WORK/enforce.jsonl" detail.applied=true)" -eq 2 ]

OPENSSL_CONF=$WORK/audit.cnf vg audit "$bin" 4433 flex > "$WORK/audit.out" 2>&1
rc=$?
check "static, audit: exits 0 under valgrind (status $rc)" [ "$rc" -eq 0 ]
check "static, audit: connects" grep -qx "result: connected TLSv1" "$WORK/audit.out"
check "static, audit: one record, applied:false" [ "$(records "$WORK/audit.jsonl" detail.applied=false)" -eq 1 ]
[ "$ASSERT_FAILS" -eq 0 ] || { cat "$WORK"/*.out; cat "$WORK"/valgrind-*.log; }
finish
