# shellcheck shell=bash
# hardening_config_huge (sourced by run.sh, which provides the helpers)
start_server; baseline_fails
log=$work/log.jsonl
# Over the size limit: ignored entirely (its "mode audit" must not apply).
{ echo "mode audit"; head -c 300000 /dev/zero | tr '\0' '#'; echo; } >"$work/big.conf"
TLSFLOOR_CONFIG=$work/big.conf TLSFLOOR_LOG=$log tf "$HPIN" client "$PORT" --pin max11 \
    || fail "oversized config: client failed"
# Just under the limit, one error per line: at most 8 shown plus one summary; fast.
"$PYTHON3" -c 'import sys; sys.stdout.write("bogus x\n" * 30000)' >"$work/many.conf"
start=$(date +%s%N)
TLSFLOOR_CONFIG=$work/many.conf TLSFLOOR_LOG=$log tf "$HPIN" client "$PORT" --pin max11 \
    || fail "config with 30000 bad lines: client failed"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
note "30000 bad lines: ${ms} ms"
# One very long line, binary junk, then a bad mode.
{ "$PYTHON3" -c 'print("mode " + "a" * 100000)'; head -c 4096 /dev/urandom | tr -d '\n\0'; echo;
  echo "mode audit please"; } >"$work/long.conf"
TLSFLOOR_CONFIG=$work/long.conf TLSFLOOR_LOG=$log tf "$HPIN" client "$PORT" --pin max11 \
    || fail "config with a 100000-byte line: client failed"
checklog "$log" --expect handshake=3 --grep 'config_error=larger than' \
    --grep 'config_error=further config errors not shown' --grep 'config_error=longer than' \
    --max-event config_error=13 --mode enforce
