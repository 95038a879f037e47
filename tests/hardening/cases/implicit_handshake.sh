# shellcheck shell=bash
# hardening_implicit_handshake (issue 10, item 15): SSL_set_connect_state, then a pin by SSL_CONF_cmd
# (MaxProtocol TLSv1.1), then SSL_write: the handshake starts inside SSL_write and must be
# raised like an explicit one, and the pin logged.
start_server
if "$HOSTILE" implicit 127.0.0.1 "$PORT" >"$work/base" 2>&1; then
    fail "baseline: the pinned implicit handshake worked without tlsfloor: $(cat "$work/base")"
fi
log=$work/log.jsonl
TLSFLOOR_LOG=$log tf "$HOSTILE" implicit 127.0.0.1 "$PORT" >"$work/out" 2>&1 || fail "$(cat "$work/out")"
checklog "$log" --expect max_version_raised=1 --expect handshake=1
grep -q '"via":"SSL_write"' "$log" || fail "the pin was not caught at SSL_write: $(cat "$log")"
