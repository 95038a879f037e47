# shellcheck shell=bash
# shellcheck disable=SC2034  # variables set here are used by the scripts that source this
# assert.sh: the tests' one assertion library (source it; bash only).
#
# The checks every area's scripts share (a script counts its checks and exits by finish):
#   pass MSG               one check passed
#   fail MSG               one check failed (the script goes on; with ASSERT_FAIL_FAST=1, as
#                          the hardening cases and shim scripts set, it exits 1 at once)
#   check DESC CMD...      pass DESC when CMD exits 0, else fail DESC
#   finish                 print "N checks passed, M failed"; status 0 only when none failed
#                          and at least one passed (a script that checked nothing proves nothing)
#   ASSERT_CASE            when set, prefixes every message (the case or test at hand)
#   ASSERT_PASSES, ASSERT_FAILS   the counts so far
#
# The scenario layer (tests/scenarios, packaging), cases with their own work directory:
#   tf_init NAME           set up $TF_WORK, paths ($TF_BUILD, $TF_SRC, $TF_SHIM, $TF_PINCLIENT,
#                          $TF_PINCLIENT11, $TF_OSSL11_LIBDIR, $TF_PKI) and the exit trap
#   tf_at_exit CMD...      run CMD at exit (last registered runs first)
#   tf_case NAME           start a case; failures are counted per case
#   tf_run LABEL CMD...    run CMD, keep stdout/stderr in $TF_WORK/LABEL.{out,err}, set $TF_RC,
#                          $TF_OUT (path of stdout), $TF_ERR (path of stderr)
#   tf_expect_ok LABEL CMD...     tf_run, and fail (showing the output) unless it exits 0
#   tf_expect_fail LABEL CMD...   tf_run, and fail (showing the output) unless it exits non-zero
#   tf_expect_version MIN   the last run's stdout holds version=... lines all >= MIN (1.2 / 1.3)
#   tf_log LOG ARGS...     tf_logcheck LOG ARGS... (logcheck.sh: tlsfloor-log); fails the case if it fails
#   tf_fail MSG / tf_pass MSG / tf_note MSG
#   tf_need_shim           fail the case (and return 1) when the shim is not built
#   tf_public_dir NAME     print /mnt/NAME: a folder every user can reach, on a tmpfs private to
#                          this test's mount namespace (tests/lib/public-dir); its files are copied
#                          to $TF_WORK/NAME at exit
#   tf_done                print the summary line and exit 0 / 1
#
# Environment (the trees from tlsfloor_test, the rest from tests/scenarios/CMakeLists.txt; defaults
# derived from this file's place):
#   TLSFLOOR_BUILD_DIR  TLSFLOOR_SOURCE_DIR  TLSFLOOR_SHIM  TLSFLOOR_PINCLIENT  TLSFLOOR_LOGTOOL
#   TLSFLOOR_PINCLIENT11  TLSFLOOR_OPENSSL11_LIBDIR  TLSFLOOR_TEST_PKI
#   TLSFLOOR_KEEP_WORK=1  keep $TF_WORK (BUILD/scenario-work/NAME.XXXXXX) even when all passed

_ASSERT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$_ASSERT_DIR/logcheck.sh"
TF_PY=/usr/bin/python3
ASSERT_PASSES=0
ASSERT_FAILS=0

pass() {
    ASSERT_PASSES=$((ASSERT_PASSES + 1))
    echo "  ok    ${ASSERT_CASE:+$ASSERT_CASE: }$*"
}

fail() {
    ASSERT_FAILS=$((ASSERT_FAILS + 1))
    echo "  FAIL  ${ASSERT_CASE:+$ASSERT_CASE: }$*"
    if [ "${ASSERT_FAIL_FAST:-0}" = 1 ]; then exit 1; fi
    return 0
}

check() {
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}

finish() {
    echo "--- $ASSERT_PASSES checks passed, $ASSERT_FAILS failed"
    [ "$ASSERT_FAILS" -eq 0 ] && [ "$ASSERT_PASSES" -gt 0 ]
}

# ---- the scenario layer ----

TF_CASE=""
TF_CASES_PASSED=0
TF_CASES_FAILED=0
TF_CASE_FAILED=0
TF_FAILED_NAMES=()
TF_EXIT_HOOKS=()

tf_at_exit() {
    TF_EXIT_HOOKS+=("$*")
}

_tf_on_exit() {
    local i
    for ((i = ${#TF_EXIT_HOOKS[@]} - 1; i >= 0; i--)); do
        eval "${TF_EXIT_HOOKS[$i]}" || true
    done
}

tf_init() {
    local name=$1
    TF_LIB=$_ASSERT_DIR
    TF_SRC=${TLSFLOOR_SOURCE_DIR:-$(cd "$TF_LIB/../.." && pwd)}
    TF_BUILD=${TLSFLOOR_BUILD_DIR:-$TF_SRC/build}
    TF_SHIM=${TLSFLOOR_SHIM:-$TF_BUILD/preload/libtlsfloor.so}
    TF_PINCLIENT=${TLSFLOOR_PINCLIENT:-$TF_BUILD/tests/clients/pinclient}
    TF_PINCLIENT11=${TLSFLOOR_PINCLIENT11:-$TF_BUILD/tests/clients/pinclient11}
    TF_OSSL11_LIBDIR=${TLSFLOOR_OPENSSL11_LIBDIR:-$TF_BUILD/openssl11/root/usr/lib/x86_64-linux-gnu}
    TF_PKI=${TLSFLOOR_TEST_PKI:-$TF_BUILD/test-pki}
    TF_LOGTOOL=${TLSFLOOR_LOGTOOL:-$TF_BUILD/report/tlsfloor-log}
    mkdir -p "$TF_BUILD/scenario-work"
    TF_WORK=$(mktemp -d "$TF_BUILD/scenario-work/$name.XXXXXX")
    tf_at_exit _tf_cleanup_work    # registered first: runs last, after the servers stopped
    trap _tf_on_exit EXIT
    trap 'echo "FAIL: interrupted" >&2; exit 130' INT TERM
    # The shim and its config must reach only the processes a case hands them to.
    unset LD_PRELOAD TLSFLOOR_MODE TLSFLOOR_MIN TLSFLOOR_LOG TLSFLOOR_CONFIG TLSFLOOR_REWRITE \
          TLSFLOOR_REWRITE_DEFAULTS TLSFLOOR_VERIFY
    "$TF_LIB/mkpki" "$TF_PKI" || { echo "FAIL: mkpki $TF_PKI failed" >&2; exit 1; }
    if [ "${TLSFLOOR_IN_NETNS:-}" != 1 ]; then
        echo "FAIL: scenario $name must run under tests/lib/netns-run" >&2
        exit 1
    fi
    echo "# scenario $name: work dir $TF_WORK"
}

# The work dir (outputs, logs) is kept when a case failed or TLSFLOOR_KEEP_WORK=1.
_tf_cleanup_work() {
    if [ "${TF_DONE_OK:-0}" = 1 ] && [ "${TLSFLOOR_KEEP_WORK:-0}" != 1 ]; then
        rm -rf "$TF_WORK"
    elif [ -n "${TF_WORK:-}" ]; then
        echo "# kept $TF_WORK" >&2
    fi
}

tf_case() {
    _tf_end_case
    TF_CASE=$1
    TF_CASE_FAILED=0
    echo "## case $TF_CASE"
}

_tf_end_case() {
    [ -n "$TF_CASE" ] || return 0
    if [ "$TF_CASE_FAILED" = 0 ]; then
        TF_CASES_PASSED=$((TF_CASES_PASSED + 1))
        echo "ok: $TF_CASE"
    else
        TF_CASES_FAILED=$((TF_CASES_FAILED + 1))
        TF_FAILED_NAMES+=("$TF_CASE")
        echo "not ok: $TF_CASE"
    fi
    TF_CASE=""
}

tf_fail() {
    TF_CASE_FAILED=1
    echo "FAIL: ${TF_CASE:-setup}: $*" >&2
}

tf_pass() { echo "  pass: $*"; }
tf_note() { echo "  note: $*"; }

# Shows a file (indented, at most 60 lines) under a heading.
tf_show() {
    local title=$1 file=$2
    [ -e "$file" ] || { echo "    ($title: $file does not exist)" >&2; return 0; }
    echo "    --- $title ($file) ---" >&2
    head -n 60 "$file" | sed 's/^/    | /' >&2
}

tf_run() {
    # A label usable as a file name, unique within the scenario.
    local label
    TF_SEQ=$(( ${TF_SEQ:-0} + 1 ))
    printf -v label '%03d-%s' "$TF_SEQ" "${1//[^A-Za-z0-9_.-]/_}"
    shift
    TF_OUT=$TF_WORK/$label.out
    TF_ERR=$TF_WORK/$label.err
    TF_LAST_CMD="$*"
    TF_RC=0
    timeout -k 5 "${TF_TIMEOUT:-60}" "$@" >"$TF_OUT" 2>"$TF_ERR" </dev/null || TF_RC=$?
    echo "  ran [$label] rc=$TF_RC: $*"
    return 0
}

tf_show_run() {
    echo "    command: $TF_LAST_CMD" >&2
    tf_show stdout "$TF_OUT"
    tf_show stderr "$TF_ERR"
}

tf_expect_ok() {
    local what=$1
    tf_run "$@"
    if [ "$TF_RC" != 0 ]; then
        tf_fail "$what: expected success, exit status $TF_RC"
        tf_show_run
        return 1
    fi
    return 0
}

tf_expect_fail() {
    local what=$1
    tf_run "$@"
    if [ "$TF_RC" = 0 ]; then
        tf_fail "$what: expected failure, but it exited 0"
        tf_show_run
        return 1
    fi
    if [ "$TF_RC" -ge 124 ]; then
        tf_fail "$what: expected a clean failure, got exit status $TF_RC (timeout or signal)"
        tf_show_run
        return 1
    fi
    return 0
}

# tf_expect_version MIN [N]: every "version=" line of the last run's stdout (pinclient format) is
# at least MIN; with N, exactly N such lines.
tf_expect_version() {
    local min=$1 n=${2:-}
    if ! "$TF_PY" - "$TF_OUT" "$min" "$n" <<'PY' >&2
import re, sys
path, floor, want = sys.argv[1], sys.argv[2], sys.argv[3]
rank = {"SSLv3": 0, "TLSv1": 1, "TLSv1.1": 2, "TLSv1.2": 3, "TLSv1.3": 4}
floor = {"1.0": "TLSv1", "1.1": "TLSv1.1", "1.2": "TLSv1.2", "1.3": "TLSv1.3"}.get(floor, floor)
lines = [l for l in open(path, errors="replace") if l.startswith("version=")]
bad = []
for l in lines:
    m = re.match(r"version=(\S+) cipher=(\S+)", l)
    if not m or m.group(1) not in rank or rank[m.group(1)] < rank[floor]:
        bad.append(l.rstrip())
if not lines:
    print("no version= line in the output"); sys.exit(1)
if want and len(lines) != int(want):
    print("expected %s version= lines, found %d" % (want, len(lines))); sys.exit(1)
if bad:
    print("%d connection(s) below %s: %s" % (len(bad), floor, "; ".join(bad[:5]))); sys.exit(1)
PY
    then
        tf_fail "versions in $TF_OUT: see above"
        tf_show_run
        return 1
    fi
    return 0
}

# tf_expect_output_has REGEX [FILE]: the last run's stdout (or FILE) matches REGEX (grep -E).
tf_expect_output_has() {
    local re=$1 file=${2:-$TF_OUT}
    if ! grep -Eq -- "$re" "$file"; then
        tf_fail "output $file does not match /$re/"
        tf_show_run
        return 1
    fi
    return 0
}

tf_log() {
    local log=$1
    shift
    if ! tf_logcheck "$log" "$@"; then
        tf_fail "log check failed: tf_logcheck $log $*"
        return 1
    fi
    return 0
}

tf_need_shim() {
    if [ ! -f "$TF_SHIM" ]; then
        tf_fail "the shim is not built: $TF_SHIM does not exist"
        return 1
    fi
    return 0
}

tf_public_dir() {
    local d
    d=$("$TF_LIB/public-dir" "$1") || { echo "FAIL: public-dir $1" >&2; exit 1; }
    tf_at_exit "cp -a '$d' '$TF_WORK/' 2>/dev/null"
    echo "$d"
}

tf_done() {
    _tf_end_case
    echo "$TF_CASES_PASSED passed, $TF_CASES_FAILED failed"
    if [ "$TF_CASES_FAILED" != 0 ]; then
        printf 'failed case: %s\n' "${TF_FAILED_NAMES[@]}" >&2
        exit 1
    fi
    if [ "$TF_CASES_PASSED" = 0 ]; then
        echo "FAIL: no case ran" >&2
        exit 1
    fi
    TF_DONE_OK=1
    exit 0
}
