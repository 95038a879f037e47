#!/usr/bin/env bash
# emitters.sh TABLES — the C emitters name events only through TF_EV(name) (which does not
# compile for a name the table lacks): no string literal as an event; and every event the table
# says the shim or the provider writes is emitted by it (no row without a writer).
set -euo pipefail
tables=$1 src=${TLSFLOOR_SOURCE_DIR:?the source tree (set by ctest)}
# pass, fail, check, finish
. "$src/tests/lib/assert.sh"
lits=$(grep -nE 'tf_emit(_at|_intervention)?\(\s*"|emit_record\([^,]*,\s*"|tfp_emit\([^,]*,\s*"|\.event\s*=\s*"' \
       "$src"/preload/*.c "$src"/provider/*.c || true)
if [ -n "$lits" ]; then
    fail "events named by a string literal (use TF_EV(name), common/tf_events.def):"
    echo "$lits"
else
    pass "every event named through TF_EV"
fi
while IFS=$'\t' read -r name tools _; do
    case "$name" in '#'*) continue ;; esac
    for t in $tools; do
        case $t in shim) dir=preload ;; provider) dir=provider ;; *) continue ;; esac
        check "the table says $t writes $name: $dir/ emits TF_EV($name)" grep -q "TF_EV($name)" "$src/$dir"/*.c
    done
done < <("$tables" events --tsv)
finish
