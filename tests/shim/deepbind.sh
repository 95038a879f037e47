#!/usr/bin/env bash
# deepbind.sh — runs inside tests/lib/netns-run (loopback only).
. "$(dirname "$0")/lib.sh"
host=$build/tests/shim/loaderhost

start_server 4433 -no_ssl3 -no_tls1 -no_tls1_1 -naccept 100

for mode in plain deepbind; do
    # Without the shim the TLS 1.0 pin fails against the TLS 1.2+ server.
    if "$host" "$mode" 4433 >"$work/out" 2>&1; then
        cat "$work/out"; fail "$mode: pinned plugin connected without tlsfloor"
    fi
    # With it: the plugin is still found through the host's RUNPATH ($ORIGIN), and its pin is
    # caught even when it was opened with RTLD_DEEPBIND.
    log=$work/$mode.jsonl
    LD_PRELOAD=$lib TLSFLOOR_LOG=$log "$host" "$mode" 4433 >"$work/out" 2>&1 ||
        { cat "$work/out" "$log" 2>/dev/null; fail "$mode: plugin did not connect under tlsfloor"; }
    grep -q 'plugin: connected TLSv1\.[23]' "$work/out" || { cat "$work/out"; fail "$mode: not TLS >= 1.2"; }
    /usr/bin/python3 - "$log" "$mode" <<'PY' || fail "$mode: log check"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
events = [r["event"] for r in recs]
mode = sys.argv[2]
pinned = [r for r in recs if r["event"] == "method_pinned"]
assert len(pinned) == 1, events
f = pinned[0]["caller"]["frames"][0]
assert f["module"].endswith("libtfplugin.so") and f["symbol"] == "plugin_connect_tlsv1", f
assert pinned[0]["detail"]["old"] == "TLSv1_client_method", pinned[0]
dropped = [r for r in recs if r["event"] == "dlopen_deepbind_dropped"]
assert len(dropped) == (1 if mode == "deepbind" else 0), events
if dropped:
    assert dropped[0]["detail"]["file"] == "libtfplugin.so", dropped[0]
    assert dropped[0]["caller"]["frames"][0]["symbol"] == "main", dropped[0]
assert [r for r in recs if r["event"] == "handshake"][0]["detail"]["changed"] is True
print(mode, "ok:", events)
PY
done
echo "PASS"
