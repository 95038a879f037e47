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
    logq "$log" --event method_pinned --expect 1
    logq "$log" --event method_pinned --where 'frame.module~libtfplugin\.so$' --where frame.symbol=plugin_connect_tlsv1 \
        --where detail.old=TLSv1_client_method --expect 1
    if [ "$mode" = deepbind ]; then
        logq "$log" --event dlopen_deepbind_dropped --where detail.file=libtfplugin.so --where frame.symbol=main --expect 1
    fi
    logq "$log" --event dlopen_deepbind_dropped --expect "$([ "$mode" = deepbind ] && echo 1 || echo 0)"
    logq "$log" --event handshake --where detail.changed=true --expect-min 1
    echo "$mode ok: $("$logtool" --fields event "$log" | tr '\n' ' ')"
done
echo "PASS"
