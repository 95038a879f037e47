#!/bin/bash
# run.sh TEST: one hardening test (cases/TEST.sh), inside tests/lib/netns-run --skip-ok (only lo, up).
# Environment (set by ctest): HPIN (tests/hardening/hpin), TLSFLOOR_LIB (libtlsfloor.so),
# TLSFLOOR_LOGTOOL (tlsfloor-log, the log checks), PYTHON3, TLSFLOOR_SANITIZED (1 for an ASan/UBSan build), HARD_WORK (scratch folder).
# Exit 0 pass, 1 fail, 77 skip.
set -euo pipefail

name=${1:?usage: run.sh TEST}
: "${HPIN:?HPIN not set}" "${TLSFLOOR_LIB:?TLSFLOOR_LIB not set}" "${TLSFLOOR_LOGTOOL:?TLSFLOOR_LOGTOOL not set}"
PYTHON3=${PYTHON3:-python3}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The namespaces (network, mount, PID: whatever a case starts dies with it) are tests/lib/netns-run's.
[ "${TLSFLOOR_IN_NETNS:-}" = 1 ] || { echo "run me through tests/lib/netns-run --skip-ok" >&2; exit 2; }

[ -f "$here/cases/$name.sh" ] || { echo "unknown test $name" >&2; exit 2; }
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck disable=SC1090
. "$here/cases/$name.sh"
status=0
note "ok"
