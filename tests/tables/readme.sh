#!/usr/bin/env bash
# readme.sh TABLES WHICH — the README's generated table (the lines after
# "<!-- generated: tlsfloor tables WHICH --markdown" and its header, up to the first line that is
# not a table row) is exactly what `tlsfloor-tables WHICH --markdown` prints. WHICH: settings or
# events. On a difference: the diff, and the rows to paste.
set -euo pipefail
tables=$1 which=$2 src=${TLSFLOOR_SOURCE_DIR:?the source tree (set by ctest)}
want=$("$tables" "$which" --markdown)
got=$(awk -v tag="<!-- generated: tlsfloor tables $which --markdown" '
    index($0, tag) == 1 { on = 1; skip = 2; next }
    on && skip { skip--; next }
    on && /^\|/ { print; next }
    on { exit }' "$src/README.md")
[ -n "$got" ] || { echo "FAIL: README.md has no table after '<!-- generated: tlsfloor tables $which --markdown'"; exit 1; }
if [ "$got" != "$want" ]; then
    echo "FAIL: README.md's $which table differs from common/tf_$which.def:"
    diff <(echo "$got") <(echo "$want") || true
    echo "rows to paste (tlsfloor-tables $which --markdown):"
    echo "$want"
    exit 1
fi
echo "PASS: README.md's $which table: $(wc -l <<<"$want") rows, as the table says"
