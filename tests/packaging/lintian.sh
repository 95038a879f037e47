#!/bin/bash
# lintian.sh DIST: lintian on the Debian packages. Errors and warnings fail the test; the
# remaining informational tags are printed (tag, package, count) for the record.
set -euo pipefail
dist=${1:?usage: lintian.sh DIST}
command -v lintian >/dev/null || { echo "FAIL: lintian not installed (apt-get install lintian; scripts/test does)"; exit 1; }
debs=("$dist"/libtlsfloor_*.deb "$dist"/tlsfloor_*.deb "$dist"/tlsfloor-provider_*.deb)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
lintian --allow-root --no-cfg --display-info --color never "${debs[@]}" > "$out" 2>&1 || true
echo "== lintian $(lintian --version | awk '{print $2}') on ${#debs[@]} packages"
awk -F': ' '/^[EWI]: / {split($3, t, " "); print $1 ": " $2 ": " t[1]}' "$out" | sort | uniq -c | sed 's/^/  /'
if grep -q '^[EW]: ' "$out"; then
    echo "FAIL: lintian reports errors or warnings:"
    grep '^[EW]: ' "$out"
    exit 1
fi
grep -q '^[EWIN]: \|^$' "$out" || [ ! -s "$out" ] || { echo "FAIL: unexpected lintian output:"; cat "$out"; exit 1; }
echo "PASS: no errors, no warnings"
