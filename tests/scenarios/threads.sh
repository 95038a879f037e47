#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# threads.sh 3|11: 8 threads x 5 connections, each with its own pinned context, one JSON file log:
# every connection >= TLS 1.2, every line of the log one JSON object (nothing torn or interleaved),
# exactly one record per intervention and per handshake, call-site counts consistent.
. "$(dirname "$0")/common.sh"
ossl=$1
tf_init "threads$ossl"
client_cmd "$ossl" || tf_done
srv_start modern 4433 || { tf_fail "server did not start"; tf_done; }
threads=8 count=5 total=40

for pin in ctx-max-version ssl-max-version method-tlsv1-client ctx-options; do
    case $pin in
        ctx-max-version|ssl-max-version) event=max_version_raised ;;
        method-tlsv1-client) event=method_pinned ;;
        ctx-options) event=option_cleared ;;
    esac
    sym=$("${CLIENT[@]}" --list-pins | awk -v p="$pin" '$1 == p {print $2}')
    tf_case "$threads threads x $count connections, $pin"
    tf_need_shim || continue
    log=$TF_WORK/threads-$pin.jsonl
    shim_env "$log"
    TF_TIMEOUT=120 tf_expect_ok "threads" "${SHIM[@]}" "${CLIENT[@]}" --host "$HOST" --port 4433 \
        --verify "$TF_PKI/ca.pem" --threads "$threads" --count "$count" --"$pin" &&
        tf_expect_version 1.2 "$total"
    tf_log "$log" json
    tf_log "$log" expect "$event" --mode enforce --count "$total" --symbol "$sym"
    tf_log "$log" expect handshake --mode enforce --count "$total" --symbol handshake_connect \
        --detail changed=true --detail-re 'version=^TLSv1\.[23]$'
    tf_log "$log" absent handshake_failed
    tf_log "$log" sites "$event"
    tf_log "$log" sites handshake
    n=$(wc -l <"$log")
    [ "$n" = $((2 * total)) ] || tf_fail "the log has $n lines, expected $((2 * total)) (one per intervention and handshake)"
done

tf_case "$threads threads x $count connections sharing one context per thread, audit mode"
if tf_need_shim; then
    log=$TF_WORK/threads-audit.jsonl
    shim_env "$log" TLSFLOOR_MODE=audit
    TF_TIMEOUT=120 tf_expect_fail "threads, audit" "${SHIM[@]}" "${CLIENT[@]}" --host "$HOST" --port 4433 \
        --verify "$TF_PKI/ca.pem" --threads "$threads" --count "$count" --reuse-ctx --ctx-max-version
    tf_log "$log" json
    tf_log "$log" expect max_version_raised --mode audit --count "$threads" --symbol pin_ctx_max_version
    tf_log "$log" expect handshake_failed --mode audit --count "$total"
    tf_log "$log" sites handshake_failed
fi

tf_done
