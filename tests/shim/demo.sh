#!/usr/bin/env bash
# demo.sh — scripts/demo shows what the README says it shows.
set -euo pipefail
build=${TLSFLOOR_BUILD_DIR:?the build tree (set by ctest)} src=${TLSFLOOR_SOURCE_DIR:?the source tree (set by ctest)}
# fail (stops the script at the first failed check), pass
ASSERT_FAIL_FAST=1
. "$src/tests/lib/assert.sh"
trap '[ "$ASSERT_FAILS" = 0 ] || echo "$out" >&2' EXIT   # a failure shows what the demo printed
out=$(TLSFLOOR_LIBRARY=$build/preload/libtlsfloor.so timeout 120 "$src/scripts/demo" 2>&1)
# pinned client: fails without, works with, log names what was raised, audit still fails
echo "$out" | grep -q 'tlsv1 alert protocol version' || fail "no failure shown without tlsfloor"
# As root the demo adds a legacy host name in a private network namespace; without root it
# says how to see that part.
if [ "$(id -u)" = 0 ]; then
    [ "$(grep -c 'HTTP 200' <<<"$out")" = 2 ] || fail "expected two successes (pinned, legacy name)"
else
    [ "$(grep -c 'HTTP 200' <<<"$out")" = 1 ] || fail "expected one success (pinned; not root: no legacy name)"
    grep -q '^(run as root to also see a legacy host name rewritten' <<<"$out" || fail "no hint about the root-only part"
fi
echo "$out" | grep -Eq 'max_version_raised +old=TLSv1.1 new=TLSv1.3 .*<- libcurl' || fail "no max_version_raised with its caller"
echo "$out" | grep -Eq 'handshake +version=TLSv1\.[23] ' || fail "no handshake record"
echo "$out" | grep -q 'max_version_raised (audit)' || fail "no audit record"
[ "$(id -u)" = 0 ] || { echo "PASS (not root: the legacy host name part is not shown, so not checked)"; exit 0; }
# legacy host name: unresolvable without, rewritten at resolve and SNI with
echo "$out" | grep -q 'Could not resolve host: imap-legacy.office365.com' || fail "legacy name resolved without tlsfloor"
echo "$out" | grep -q 'host_rewritten layer=resolve old=imap-legacy.office365.com new=outlook.office365.com' || fail "no resolve rewrite"
echo "$out" | grep -q 'host_rewritten layer=sni' || fail "no SNI rewrite"
echo PASS
