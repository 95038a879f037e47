#!/bin/bash
# res-query.sh: every res_* query function (and the __res_* name a binary built before glibc
# 2.34 calls) asked about smtp-legacy.office365.com, against dnsmasq in the namespace
# (tests/rewrite/dnslib.sh). Without tlsfloor each fails (NXDOMAIN); with it each returns the
# answer to the question asked: the legacy name in the question, a CNAME to smtp.office365.com,
# then its address; one host_rewritten per call. Also: a short buffer (TC, never past it), the
# standard name untouched, audit mode. Runs inside tests/lib/netns-run.
# Environment: TLSFLOOR_SOURCE_DIR, TLSFLOOR_BUILD_DIR, TF_LIBRARY_PATH, TF_RESQUERY (the resquery program).
set -u
. "$TLSFLOOR_SOURCE_DIR/tests/mail/lib.sh"
. "$TF_SRC/tests/rewrite/dnslib.sh"
Q=${TF_RESQUERY:?TF_RESQUERY must name the resquery program}
trap 'stop_dns; cleanup' EXIT

private_resolv_conf || exit 1
start_dns || exit 1
check_dns

expect_out() { # expect_out NAME PATTERN WHAT
    if grep -qx -- "$2" "$OUT/$1.out"; then pass "$3"; else fail "$3 (wanted line '$2')"; show "$1"; fi
}

for fn in res_query res_search res_querydomain res_nquery res_nsearch res_nquerydomain \
          __res_query __res_search __res_querydomain __res_nquery __res_nsearch __res_nquerydomain; do
    args=("$LEGACY")
    case $fn in *querydomain) args=(smtp-legacy office365.com) ;; esac
    case_begin "$fn ${args[*]}"
    run_plain "$fn-plain" "$Q" "$fn" "${args[@]}"
    expect_fail "$fn-plain" "fails without tlsfloor" 1
    run_shim "$fn-tf" "$Q" "$fn" "${args[@]}"
    expect_ok "$fn-tf" "succeeds under tlsfloor"
    expect_out "$fn-tf" "tc=0 qd=$LEGACY an=2" "the question is the one asked, two answers"
    expect_out "$fn-tf" "an CNAME $LEGACY $STD" "first a CNAME from the legacy name to the standard one"
    expect_out "$fn-tf" "an A $STD 127.0.0.1" "then the standard name's address"
    n=$(log_count "$fn-tf" host_rewritten detail.layer=resolve "detail.old=$LEGACY" "detail.new=$STD")
    check "one host_rewritten (resolve) for the call ($n)" test "$n" -eq 1 -a "$(log_count "$fn-tf" host_rewritten)" -eq 1
done

# 78 bytes hold the whole answer (header 12, question 31, CNAME 19, address 16); 70 only the
# CNAME: TC, one record, nothing written past the buffer (resquery checks), length <= 70.
case_begin "a buffer too short for the whole answer"
run_shim short-tf "$Q" res_query "$LEGACY" "" 70
expect_ok short-tf "succeeds with what fits"
expect_out short-tf "tc=1 qd=$LEGACY an=1" "TC set, the CNAME kept, the address dropped"
check "the length returned fits the buffer" grep -Eqx 'rc=(6[0-9]|70)' "$OUT/short-tf.out"
run_shim full-tf "$Q" res_query "$LEGACY" "" 78
expect_out full-tf "tc=0 qd=$LEGACY an=2" "78 bytes: all of it, no TC"

case_begin "the standard name is left alone"
run_shim std-tf "$Q" res_search "$STD"
expect_out std-tf "tc=0 qd=$STD an=1" "the server's own answer"
check "no record" test "$(log_count std-tf host_rewritten)" -eq 0

case_begin "audit mode"
run_audit audit "$Q" res_search "$LEGACY"
expect_fail audit "fails as without tlsfloor" 1
expect_log audit host_would_rewrite detail.layer=resolve "detail.old=$LEGACY"
check "no host_rewritten" test "$(log_count audit host_rewritten)" -eq 0
finish
