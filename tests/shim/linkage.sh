#!/usr/bin/env bash
# linkage.sh — the shim links no OpenSSL and references no OpenSSL symbol, so it loads into
# any process (even under LD_BIND_NOW=1) and serves libssl.so.1.1 and libssl.so.3 alike.
set -euo pipefail
lib=${TLSFLOOR_BUILD_DIR:?the build tree (set by ctest)}/preload/libtlsfloor.so
src=${TLSFLOOR_SOURCE_DIR:?the source tree (set by ctest)}
# fail (stops the script at the first failed check), pass
ASSERT_FAIL_FAST=1
. "$src/tests/lib/assert.sh"
needed=$(readelf -d "$lib" | awk '/NEEDED/ {print $NF}')
echo "NEEDED: $needed"
echo "$needed" | grep -Eq 'libssl|libcrypto|libunwind' && fail "links $needed"
undef=$(nm -D --undefined-only "$lib" | awk '{print $NF}')
bad=$(echo "$undef" | grep -E '^(SSL|TLS|DTLS|X509|ERR|CRYPTO|OPENSSL|OpenSSL|BIO|EVP|unw)_' || true)
[ -z "$bad" ] || fail "undefined OpenSSL symbols: $bad"
# Exported: only the hooks (and nothing from common/).
exported=$(nm -D --defined-only "$lib" | awk '{print $NF}' | sort)
echo "$exported" | grep -q '^tf_' && fail "internal symbols exported: $(echo "$exported" | grep '^tf_')"
for sym in SSL_CTX_new SSL_CTX_ctrl SSL_ctrl SSL_new SSL_connect getaddrinfo dlopen; do
    echo "$exported" | grep -qx "$sym" || fail "$sym not exported"
done
# Non-TLS programs with every symbol bound at start: nothing missing.
LD_BIND_NOW=1 LD_PRELOAD=$lib /bin/true || fail "/bin/true under LD_BIND_NOW"
out=$(LD_BIND_NOW=1 LD_PRELOAD=$lib sh -c 'echo ok' 2>&1)
[ "$out" = ok ] || fail "sh under LD_BIND_NOW printed: $out"
# A process that never uses TLS opens no log (lazy init).
log=$(mktemp -u)
TLSFLOOR_LOG=$log LD_PRELOAD=$lib /bin/true
[ ! -e "$log" ] || fail "a non-TLS process created the log"
echo PASS
