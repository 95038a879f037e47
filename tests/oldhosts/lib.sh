# shellcheck shell=bash
# Helpers for the old-host scenarios (sourced inside tests/lib/netns-run): the mail test servers
# of tests/mail/lib.sh (Dovecot, TLS >= 1.2 only, started here, outside the root) and runners
# that execute a command chrooted in a Debian 11 root over a copy-on-write view (tests/lib/netns-run --root).
#
# Environment: TLSFLOOR_SOURCE_DIR, TLSFLOOR_BUILD_DIR, TF_LIBRARY_PATH (the shim for the root's architecture, built on
# this Debian 12 machine), TF_ROOT (the root, from tests/lib/mkroot).
: "${TF_ROOT:?TF_ROOT must name a root made by tests/lib/mkroot}"
. "$TLSFLOOR_SOURCE_DIR/tests/mail/lib.sh"

ROOT_RUN=$TF_SRC/tests/lib/netns-run
TF_LOGTOOL=$TF_BUILD/report/tlsfloor-log
. "$TF_SRC/tests/lib/logcheck.sh"
if [ ! -f "$TF_ROOT/.tlsfloor-root" ]; then
    echo "FAIL: no root in $TF_ROOT: scripts/test makes it (tests/lib/mkroot PROFILE $TF_ROOT)" >&2
    exit 1
fi
STATE=$T/root-state          # the overlay's upper layer: what this test adds to the root
mkdir -p "$STATE"
INROOT_T=/tf                 # $T, seen from inside the root
RCA=$INROOT_T/pki/ca.pem
RLIB=/usr/local/lib/tlsfloor/libtlsfloor.so
ROOT_RUN_OPTS=()             # e.g. (--i386) for i386 programs in an amd64 root

# root_copy FILE PATH-IN-ROOT [MODE]: put a file into this test's view of the root
root_copy() {
    install -D -m "${3:-0644}" "$1" "$STATE/upper$2"
}
# The library built on Debian 12, copied into the root as a user of an old host would.
root_copy "$TF_LIB" "$RLIB" 0644

# root_run NAME plain|shim|audit [--env N=V]... CMD...: run in the root; results in $OUT/NAME.*
# (shim/audit: LD_PRELOAD the copied library, JSON log to $OUT/NAME.jsonl)
root_run() {
    local n=$1 how=$2
    shift 2
    local extra=()
    while [ "${1:-}" = --env ]; do extra+=(--env "$2"); shift 2; done
    case $how in
        plain) ;;
        shim | audit)
            : > "$OUT/$n.jsonl"
            extra+=(--env "LD_PRELOAD=$RLIB" --env "TLSFLOOR_LOG=$INROOT_T/out/$n.jsonl")
            [ "$how" = audit ] && extra+=(--env TLSFLOOR_MODE=audit) ;;
        *) echo "root_run: plain|shim|audit, not $how" >&2; return 2 ;;
    esac
    "$ROOT_RUN" --root "$TF_ROOT" --state "$STATE" --bind "$T:$INROOT_T" "${ROOT_RUN_OPTS[@]}" "${extra[@]}" -- "$@" \
        > "$OUT/$n.out" 2> "$OUT/$n.err" < "${RUN_STDIN:-/dev/null}"
    echo $? > "$OUT/$n.rc"
}

# logcheck NAME ARGS...: one check through tf_logcheck (tests/lib/logcheck.sh)
logcheck() {
    local n=$1; shift
    if tf_logcheck "$OUT/$n.jsonl" "$@" > "$OUT/$n.logcheck" 2>&1; then
        pass "log: $*"
    else
        fail "log: $*"; sed 's/^/    | /' "$OUT/$n.logcheck" | head -40
    fi
}
