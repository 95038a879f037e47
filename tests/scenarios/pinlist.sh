#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# pinlist.sh PIN...: the pins CMake registers scenarios for are exactly pinclient's pins, for both
# builds, and each names a distinct exported pin_* function.
. "$(dirname "$0")/common.sh"
tf_init pinlist
want=$(printf '%s\n' "$@" | sort)

for ossl in 3 11; do
    tf_case "pinclient ($ossl) pins match the scenario list"
    client_cmd "$ossl" || continue
    tf_expect_ok "list pins" "${CLIENT[@]}" --list-pins || continue
    have=$(awk '{print $1}' "$TF_OUT" | sort)
    if [ "$have" != "$want" ]; then
        tf_fail "pins differ (< pinclient, > CMake): $(diff <(echo "$have") <(echo "$want") | grep '^[<>]' | tr '\n' ' ')"
    fi
    dups=$(awk '{print $2}' "$TF_OUT" | sort | uniq -d)
    [ -z "$dups" ] || tf_fail "functions used by several pins: $dups"
    bin=$TF_PINCLIENT
    [ "$ossl" = 3 ] || bin=$TF_PINCLIENT11
    for fn in $(awk '{print $2}' "$TF_OUT") pin_cipher_list_cmdline handshake_connect handshake_implicit_write \
              handshake_bio handshake_bio_connect handshake_do_handshake new_ssl_connection new_ssl_connect_bio; do
        nm -D --defined-only "$bin" | awk '{print $3}' | grep -qx "$fn" ||
            tf_fail "$fn is not exported by $bin (dladdr could not name it)"
    done
done
tf_done
