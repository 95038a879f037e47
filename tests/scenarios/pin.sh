#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# pin.sh 3|11 PIN
# One way of pinning TLS (a pinclient flag), with pinclient built against OpenSSL 3 or 1.1:
#   without the shim   the pinned client fails against a server that speaks only what is
#                      above the pin (for the min pins: connects to a TLS 1.0/1.1 server)
#   with the shim      it succeeds at >= the floor (min pins: refuses the legacy server), and
#                      the log holds exactly one record of the right event whose first caller
#                      frame is the pinclient function that made the pin, plus the handshake
#   audit mode         it still fails (min pins: still connects), the event says "mode":"audit"
. "$(dirname "$0")/common.sh"
ossl=$1
pin=$2
tf_init "pin$ossl-$pin"
client_cmd "$ossl" || tf_done

# Per pin: server kind, event, the function(s) a caller frame may name, detail assertions.
# Bounds written by SSL_CONF_cmd reach no exported setter: the shim may catch them when the
# command is given (the pin function), when the connection is made (new_ssl_connection) or before
# the handshake (handshake_connect).
floor=1.2
kind=block          # block: the pin blocks a modern handshake; min: the pin allows a legacy one;
                    # noop: libssl itself undoes the pin; rejected: the library refuses the call
                    # itself, and so it must stay under tlsfloor
args=(--"$pin")
details=()
case $pin in
    method-tlsv1-client|method-tlsv1)
        server=modern event=method_pinned details=(--detail version=TLSv1.0) ;;
    method-tlsv1_1-client|method-tlsv1_1)
        server=modern event=method_pinned details=(--detail version=TLSv1.1) ;;
    method-tlsv1_2-client)
        # Not a pin at the default floor; at TLSFLOOR_MIN=1.3 it is, against a TLS 1.3-only server.
        server=tls13 event=method_pinned floor=1.3 details=(--detail version=TLSv1.2) ;;
    ctx-ssl-version)
        server=modern event=method_pinned details=(--detail version=TLSv1.0) ;;
    ssl-method)
        # libssl 1.1 and 3.x put the context's method back when the first handshake starts
        # (SSL_clear): this pin never takes effect, with or without the shim, so the shim
        # neither changes nor reports it.
        kind=noop server=modern event=method_pinned details=(--detail version=TLSv1.0) ;;
    ctx-max-version)
        server=modern event=max_version_raised
        details=(--detail old=TLSv1.1 --detail new=TLSv1.3 --detail via=SSL_CTX_set_max_proto_version) ;;
    ssl-max-version)
        server=modern event=max_version_raised
        details=(--detail old=TLSv1.1 --detail new=TLSv1.3 --detail via=SSL_set_max_proto_version) ;;
    conf-max-protocol|ssl-conf-max-protocol)
        server=modern event=max_version_raised details=(--detail old=TLSv1.1 --detail new=TLSv1.3) ;;
    ctx-options|ssl-options|conf-protocol)
        server=modern event=option_cleared details=(--detail-re 'cleared=NO_TLSv1_2') ;;
    cipher-null|ssl-cipher-null)
        server=tls12 event=cipher_list_extended ;;
    cipher-rc4)
        # Suites the library no longer has at all: SSL_CTX_set_cipher_list fails. A rejected
        # list stays rejected (tlsfloor once retried it extended, and failed open).
        kind=rejected server=tls12 event=cipher_list_extended ;;
    cipher-cmdline)
        # A cipher list given on the command line, passed through to SSL_CTX_set_cipher_list.
        server=tls12 event=cipher_list_extended args=(--cipher 'NULL-SHA') ;;
    ctx-min-version-tls1|ssl-min-version-tls1|conf-min-protocol)
        kind=min server=legacy event=min_version_raised details=(--detail old=TLSv1.0 --detail new=TLSv1.2) ;;
    ctx-min-version-zero|ssl-min-version-zero)
        kind=min server=legacy event=min_version_raised details=(--detail old=any --detail new=TLSv1.2) ;;
    *)
        tf_fail "pin.sh does not know pin $pin"
        tf_done ;;
esac

# The function that makes the pin, from pinclient's own table.
if [ "$pin" = cipher-cmdline ]; then
    symbol=pin_cipher_list_cmdline
else
    symbol=$("${CLIENT[@]}" --list-pins | awk -v p="$pin" '$1 == p {print $2}')
    [ -n "$symbol" ] || { tf_fail "pinclient --list-pins has no $pin"; tf_done; }
fi
case $pin in
    conf-*) symbols="$symbol,new_ssl_connection,handshake_connect" ;;
    ssl-conf-*) symbols="$symbol,handshake_connect" ;;
    *) symbols=$symbol ;;
esac

srv_start "$server" 4433 || { tf_fail "server did not start"; tf_done; }
common=(--host "$HOST" --port 4433 --verify "$TF_PKI/ca.pem")
floor_env=()
[ "$floor" = 1.2 ] || floor_env=("TLSFLOOR_MIN=$floor")
floor_name=TLSv$floor
ver_re='TLSv1\.[23]'
[ "$floor" = 1.2 ] || ver_re='TLSv1\.3'

if [ "$kind" = noop ]; then
    tf_case "$pin: libssl undoes the pin by itself: without the shim it connects at TLS 1.3"
    tf_expect_ok "pinned, no shim" "${CLIENT[@]}" "${common[@]}" "${args[@]}" &&
        tf_expect_output_has '^version=TLSv1\.3 '

    tf_case "$pin: with the shim it connects, and a pin that never takes effect is not reported"
    if tf_need_shim; then
        log=$TF_WORK/enforce.jsonl
        shim_env "$log"
        tf_expect_ok "pinned, shim" "${SHIM[@]}" "${CLIENT[@]}" "${common[@]}" "${args[@]}" &&
            tf_expect_version 1.2 1
        tf_log "$log" json
        tf_log "$log" absent "$event"
        tf_log "$log" expect handshake --mode enforce --symbol handshake_connect \
            --detail-re 'version=^TLSv1\.[23]$' --detail "sni=$HOST"
    fi
elif [ "$kind" = rejected ]; then
    tf_case "$pin: without the shim the library rejects the call"
    tf_expect_fail "pinned, no shim" "${CLIENT[@]}" "${common[@]}" "${args[@]}" &&
        tf_expect_output_has 'SSL_CTX_set_cipher_list.* failed' "$TF_ERR"

    for mode in enforce audit; do
        tf_case "$pin: with the shim ($mode) the call is still rejected, and nothing is reported as applied"
        if tf_need_shim; then
            log=$TF_WORK/$mode.jsonl
            shim_env "$log" TLSFLOOR_MODE=$mode
            tf_expect_fail "pinned, shim, $mode" "${SHIM[@]}" "${CLIENT[@]}" "${common[@]}" "${args[@]}" &&
                tf_expect_output_has 'SSL_CTX_set_cipher_list.* failed' "$TF_ERR"
            if [ -e "$log" ]; then
                tf_log "$log" json
                tf_log "$log" absent "$event"
                tf_log "$log" absent handshake
            fi
        fi
    done
elif [ "$kind" = block ]; then
    tf_case "$pin: without the shim the pinned client fails against the $server server"
    tf_expect_fail "pinned, no shim" "${CLIENT[@]}" "${common[@]}" "${args[@]}"

    tf_case "$pin: with the shim it connects at >= $floor_name and logs $event"
    if tf_need_shim; then
        log=$TF_WORK/enforce.jsonl
        shim_env "$log" "${floor_env[@]}"
        tf_expect_ok "pinned, shim" "${SHIM[@]}" "${CLIENT[@]}" "${common[@]}" "${args[@]}" &&
            tf_expect_version "$floor" 1
        tf_log "$log" json
        tf_log "$log" expect "$event" --mode enforce --symbol "$symbols" "${details[@]}"
        tf_log "$log" expect handshake --mode enforce --symbol handshake_connect \
            --detail-re "version=^$ver_re\$" --detail changed=true --detail "sni=$HOST"
        tf_log "$log" absent handshake_failed
    fi

    tf_case "$pin: in audit mode it still fails and logs $event as audit"
    if tf_need_shim; then
        log=$TF_WORK/audit.jsonl
        shim_env "$log" TLSFLOOR_MODE=audit "${floor_env[@]}"
        tf_expect_fail "pinned, shim, audit" "${SHIM[@]}" "${CLIENT[@]}" "${common[@]}" "${args[@]}"
        tf_log "$log" json
        tf_log "$log" expect "$event" --mode audit --symbol "$symbols" "${details[@]}"
        tf_log "$log" absent "$event" --mode enforce
        tf_log "$log" expect handshake_failed --mode audit --detail changed=false
        tf_log "$log" absent handshake
    fi

    if [ "$pin" = method-tlsv1_2-client ]; then
        tf_case "$pin: at the default floor 1.2 a TLSv1.2 method is no pin"
        srv_start modern 4434 || tf_fail "modern server did not start"
        log=$TF_WORK/floor12.jsonl
        if tf_need_shim; then
            shim_env "$log"
            tf_expect_ok "TLSv1.2 method, floor 1.2" "${SHIM[@]}" "${CLIENT[@]}" --host "$HOST" --port 4434 \
                --verify "$TF_PKI/ca.pem" "${args[@]}" &&
                tf_expect_output_has '^version=TLSv1\.2 '
            tf_log "$log" absent method_pinned
            tf_log "$log" expect handshake --detail version=TLSv1.2 --detail changed=false
        fi
    fi
else
    # min pins: they widen, not narrow. A TLS 1.0/1.1-only server shows the difference.
    tf_case "$pin: without the shim the client connects to the legacy server below 1.2"
    tf_expect_ok "min pin, no shim" "${CLIENT[@]}" "${common[@]}" "${args[@]}" &&
        tf_expect_output_has '^version=TLSv1(\.1)? '

    tf_case "$pin: with the shim the legacy server is refused and $event is logged"
    if tf_need_shim; then
        log=$TF_WORK/enforce.jsonl
        shim_env "$log"
        tf_expect_fail "min pin, shim" "${SHIM[@]}" "${CLIENT[@]}" "${common[@]}" "${args[@]}"
        tf_log "$log" json
        tf_log "$log" expect "$event" --mode enforce --symbol "$symbols" "${details[@]}"
        tf_log "$log" expect handshake_failed --mode enforce
        tf_log "$log" absent handshake
    fi

    tf_case "$pin: in audit mode the legacy server still works and $event is logged as audit"
    if tf_need_shim; then
        log=$TF_WORK/audit.jsonl
        shim_env "$log" TLSFLOOR_MODE=audit
        tf_expect_ok "min pin, shim, audit" "${SHIM[@]}" "${CLIENT[@]}" "${common[@]}" "${args[@]}" &&
            tf_expect_output_has '^version=TLSv1(\.1)? '
        tf_log "$log" json
        tf_log "$log" expect "$event" --mode audit --symbol "$symbols" "${details[@]}"
        tf_log "$log" expect handshake --mode audit --detail below_floor=true --detail changed=false
    fi

    tf_case "$pin: with the shim a modern server still works"
    srv_start modern 4434 || tf_fail "modern server did not start"
    if tf_need_shim; then
        log=$TF_WORK/modern.jsonl
        shim_env "$log"
        tf_expect_ok "min pin, shim, modern server" "${SHIM[@]}" "${CLIENT[@]}" --host "$HOST" --port 4434 \
            --verify "$TF_PKI/ca.pem" "${args[@]}" && tf_expect_version 1.2 1
        tf_log "$log" expect "$event" --mode enforce --symbol "$symbols" "${details[@]}"
    fi
fi

tf_done
