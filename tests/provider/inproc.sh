#!/bin/bash
# The in-process C test (tests/provider/test_inproc.c) with configs derived from the shipped one.
# shellcheck source=tests/provider/lib.sh
source "$(dirname "$0")/lib.sh"
tfp_conf "$WORK/audit.cnf" audit "$WORK/audit.jsonl"
tfp_conf "$WORK/enforce.cnf" enforce "$WORK/enforce.jsonl"
"$TFP_TESTBIN/tfp_test_inproc" "$WORK/audit.cnf" "$WORK/audit.jsonl" "$WORK/enforce.cnf" "$WORK/enforce.jsonl" > "$WORK/out" 2>&1
rc=$?
grep -v '^ok:' "$WORK/out"
check "in-process test passes (exit $rc)" [ "$rc" -eq 0 ]
finish
