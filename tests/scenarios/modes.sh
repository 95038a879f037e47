#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# modes.sh 3|11: every way a handshake can start (SSL_connect, SSL_write on a connect-state
# connection, BIO_f_ssl, BIO_new_ssl_connect, SSL_do_handshake) gets the floor and a handshake
# record naming the pinclient function that started it; an unpinned client is left alone.
. "$(dirname "$0")/common.sh"
ossl=$1
tf_init "modes$ossl"
client_cmd "$ossl" || tf_done
srv_start modern 4433 || { tf_fail "server did not start"; tf_done; }
common=(--host "$HOST" --port 4433 --verify "$TF_PKI/ca.pem")

for spec in connect:handshake_connect implicit:handshake_implicit_write bio:handshake_bio \
            bio-connect:handshake_bio_connect do-handshake:handshake_do_handshake; do
    mode=${spec%%:*} fn=${spec#*:}
    for pin in ctx-max-version ssl-max-version conf-max-protocol; do
        # conf-max-protocol reaches no setter: only the check before the handshake sees it.
        tf_case "mode $mode, $pin"
        tf_expect_fail "no shim" "${CLIENT[@]}" "${common[@]}" --mode "$mode" --"$pin"
        tf_need_shim || continue
        log=$TF_WORK/$mode-$pin.jsonl
        shim_env "$log"
        tf_expect_ok "shim" "${SHIM[@]}" "${CLIENT[@]}" "${common[@]}" --mode "$mode" --"$pin" &&
            tf_expect_version 1.2 1
        tf_log "$log" json
        sym=$("${CLIENT[@]}" --list-pins | awk -v p="$pin" '$1 == p {print $2}')
        if [ "$pin" = conf-max-protocol ]; then
            # caught where the program gives the command, makes the connection or starts the handshake
            sym="$sym,new_ssl_connection,new_ssl_connect_bio,$fn"
        fi
        tf_log "$log" expect max_version_raised --mode enforce --detail old=TLSv1.1 --symbol "$sym"
        tf_log "$log" expect handshake --mode enforce --symbol "$fn" --detail changed=true \
            --detail "sni=$HOST" --detail-re 'version=^TLSv1\.[23]$' --detail-re 'cipher=.'
    done

    tf_case "mode $mode, no pin: untouched, logged as unchanged"
    if tf_need_shim; then
        log=$TF_WORK/$mode-nopin.jsonl
        shim_env "$log"
        tf_expect_ok "shim, no pin" "${SHIM[@]}" "${CLIENT[@]}" "${common[@]}" --mode "$mode" &&
            tf_expect_output_has '^version=TLSv1\.3 '
        tf_log "$log" expect handshake --mode enforce --symbol "$fn" --detail changed=false \
            --detail version=TLSv1.3 --detail "sni=$HOST"
        for e in method_pinned max_version_raised min_version_raised option_cleared cipher_list_extended; do
            tf_log "$log" absent "$e"
        done
    fi
done

tf_case "no SNI given: handshake record without sni, still raised"
if tf_need_shim; then
    log=$TF_WORK/nosni.jsonl
    shim_env "$log"
    tf_expect_ok "shim, no SNI" "${SHIM[@]}" "${CLIENT[@]}" --connect 127.0.0.1 --port 4433 --ctx-max-version &&
        tf_expect_version 1.2 1
    tf_log "$log" expect handshake --detail changed=true --detail-re 'version=^TLSv1\.[23]$'
fi

tf_done
