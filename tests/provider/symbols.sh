#!/bin/bash
# The module exports OSSL_provider_init only and needs nothing newer than OpenSSL 3.0.0; the
# build-tree configs point at the build-tree module (the installed ones: provider_layout, shim_wrapper).
# shellcheck source=tests/provider/lib.sh
source "$(dirname "$0")/lib.sh"
exports=$(nm -D --defined-only "$TFP_MODULE" | awk '{print $3}' | sort | tr '\n' ' ')
check "exports only OSSL_provider_init (got: $exports)" [ "$exports" = "OSSL_provider_init " ]
versions=$(objdump -T "$TFP_MODULE" | grep -o 'OPENSSL_[0-9][0-9.]*' | sort -u | tr '\n' ' ')
check "OpenSSL symbol versions: OPENSSL_3.0.0 only (got: $versions)" [ "$versions" = "OPENSSL_3.0.0 " ]
check "links the shared libcrypto, not libssl" bash -c "ldd '$TFP_MODULE' | grep -q libcrypto.so.3 && ! ldd '$TFP_MODULE' | grep -q libssl"
check "build config points at the build-tree module" grep -qx "module = $TFP_MODULE" "$TFP_SHIPPED"
check "enforce config has the ssl_conf system default" grep -qx 'ssl_conf = tlsfloor_ssl' "$TFP_SHIPPED"
check "audit config has no ssl_conf" bash -c "! grep -q '^ssl_conf' '$TFP_SHIPPED_AUDIT'"
check "configs set openssl_conf and nodejs_conf" bash -c "grep -qx 'openssl_conf = tlsfloor_init' '$TFP_SHIPPED' && grep -qx 'nodejs_conf = tlsfloor_init' '$TFP_SHIPPED'"
out=$(OPENSSL_CONF=$TFP_SHIPPED openssl list -kdf-algorithms 2>&1)
check "under the shipped config TLS1-PRF is offered by tlsfloor" grep -q 'TLS1-PRF @ tlsfloor' <<<"$out"
finish
