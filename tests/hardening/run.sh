#!/bin/bash
# run.sh TEST: one hardening test (cases/TEST.sh), inside a private network + mount namespace (only lo, up).
# Environment (set by ctest): HPIN (tests/hardening/hpin), TLSFLOOR_LIB (libtlsfloor.so),
# TLSFLOOR_LOGTOOL (tlsfloor-log, the log checks), PYTHON3, TLSFLOOR_SANITIZED (1 for an ASan/UBSan build), HARD_WORK (scratch folder).
# Exit 0 pass, 1 fail, 77 skip.
set -euo pipefail

name=${1:?usage: run.sh TEST}
: "${HPIN:?HPIN not set}" "${TLSFLOOR_LIB:?TLSFLOOR_LIB not set}" "${TLSFLOOR_LOGTOOL:?TLSFLOOR_LOGTOOL not set}"
PYTHON3=${PYTHON3:-python3}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ "${HARD_INNER:-}" != 1 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "SKIP: needs root (unshare -mn)"; exit 77
    fi
    export HARD_INNER=1
    TF_HOST_MNTNS=$(readlink /proc/self/ns/mnt)   # (public-dir never mounts there)
    export TF_HOST_MNTNS
    # A PID namespace too: when the test ends (or ctest kills it at its timeout) every process it
    # started dies with it, so nothing is ever left running.
    exec unshare -mnp --fork --kill-child --mount-proc -- /bin/bash "${BASH_SOURCE[0]}" "$@"
fi

[ -f "$here/cases/$name.sh" ] || { echo "unknown test $name" >&2; exit 2; }
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck disable=SC1090
. "$here/cases/$name.sh"
status=0
note "ok"
