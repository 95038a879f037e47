#!/usr/bin/env bash
# records.sh — real records, written by the real emitters (shim: OpenSSL and GnuTLS
# clients, enforce and audit, a bad setting, a rewrite, a failed handshake), checked against the
# event table by tlsfloor-log --check: every event known and written by its tool, every detail key
# listed with its type. Also shows that the checker fails on records that break the table.
# Runs inside netns-run (the servers listen on loopback).
. "$(dirname "$0")/../shim/lib.sh"
checker=$logtool
pin=$build/tests/clients/pinclient
logs=$work/logs
mkdir -p "$logs"

start_server 4433 -www
shim() { local name=$1; shift; TLSFLOOR_LOG=$logs/$name.jsonl LD_PRELOAD=$lib "$@" </dev/null >/dev/null 2>&1 || true; }

# OpenSSL pins of every kind (method, min/max, options, cipher list), enforce and audit.
for p in method-tlsv1-client ctx-max-version ctx-min-version-tls1 ctx-options cipher-null; do
    shim "pin-$p" "$pin" --"$p" --port 4433
    shim "audit-$p" env TLSFLOOR_MODE=audit "$pin" --"$p" --port 4433
done
# A user rule: resolution, SNI (and the handshake that follows); audit: would rewrite.
shim rewrite env TLSFLOOR_REWRITE=legacy.test=localhost openssl s_client -connect legacy.test:4433 -servername legacy.test
shim rewrite-audit env TLSFLOOR_MODE=audit TLSFLOOR_REWRITE=legacy.test=localhost \
    openssl s_client -connect legacy.test:4433 -servername legacy.test
# A bad setting (config_error) and a failed handshake (a server that speaks only TLS 1.0).
kill "$server"; wait "$server" 2>/dev/null || true
start_server 4434 -tls1 -cipher 'DEFAULT:@SECLEVEL=0' -www
shim failed env TLSFLOOR_MIN=1.0 openssl s_client -connect 127.0.0.1:4434 -cipher 'DEFAULT:@SECLEVEL=0'
# GnuTLS: a priority string below the floor.
kill "$server"; wait "$server" 2>/dev/null || true
start_server 4435 -www
shim gnutls gnutls-cli --insecure --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.0' -p 4435 127.0.0.1

"$checker" --check "$logs"/*.jsonl || fail "records that disagree with the event table"
echo "$("$checker" --count "$logs"/*.jsonl) records keep the event table"
# The run must have produced the events it is about (a check of nothing proves nothing).
for e in method_pinned max_version_raised min_version_raised option_cleared cipher_list_extended \
         host_rewritten host_would_rewrite handshake handshake_failed config_error priority_raised; do
    "$checker" --event "$e" --expect-min 1 "$logs"/*.jsonl 2>/dev/null ||
        fail "no $e record was written: $(cat "$logs"/*.jsonl | head -c 2000)"
done

# The checker itself: each way of breaking the table is caught.
# (no pipe into head: under pipefail grep's SIGPIPE would end the script, silently, now and then)
good=$(awk '/"event":"handshake"/ { print; exit }' "$logs"/*.jsonl)
[ -n "$good" ] || fail "no handshake record to mutate"
bad_cases=(
    's/"event":"handshake"/"event":"handshake_unknown"/'
    's/"tool":"shim"/"tool":"provider"/'
    's/"cipher":"[^"]*"/"cipher":7/'
    's/"changed":\(true\|false\)/"changed":"no"/'
    's/"version":"[^"]*",//'
    's/"detail":{/"detail":{"extra":"x",/'
)
for c in "${bad_cases[@]}"; do
    sed "$c" <<<"$good" >"$work/bad.jsonl"
    cmp -s "$work/bad.jsonl" <(echo "$good") && fail "mutation $c changed nothing"
    rc=0
    "$checker" --check "$work/bad.jsonl" >"$work/bad.out" 2>&1 || rc=$?
    [ "$rc" = 1 ] || fail "tlsfloor-log --check exited $rc (not 1: refused) on a record broken by $c: $(cat "$work/bad.out")"
    echo "refused ($c): $(grep -m1 'bad.jsonl:1:' "$work/bad.out" | cut -c1-160)"
done
echo "$good" >"$work/good.jsonl"
"$checker" --check "$work/good.jsonl" || fail "tlsfloor-log --check refused the unmutated record"
echo PASS
