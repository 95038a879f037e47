# shellcheck shell=bash
# hardening_late_libssl (issue 10, item 6): the first hooked call is a libcrypto function, and libssl
# arrives later with a plugin (dlopen). Every SSL_* call after that reaches the real libssl and
# the plugin's TLSv1_client_method pin is raised.
start_server
if "$LATE" "$LATE_PLUGIN" 127.0.0.1 "$PORT" >"$work/base" 2>&1; then
    fail "baseline: the plugin's TLS 1.0 connection worked without tlsfloor"
fi
log=$work/log.jsonl
TLSFLOOR_LOG=$log tf "$LATE" "$LATE_PLUGIN" 127.0.0.1 "$PORT" >"$work/out" 2>&1 \
    || fail "with tlsfloor (status $?): $(cat "$work/out")"
grep -q 'X509_VERIFY_PARAM_set1_host=1' "$work/out" || fail "the libcrypto call before libssl failed: $(cat "$work/out")"
checklog "$log" --expect method_pinned=1 --expect handshake=1 --no-event shim_inactive
