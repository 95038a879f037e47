# shellcheck shell=bash
# hardening_config_malformed (sourced by run.sh, which provides the helpers)
start_server; baseline_fails
log=$work/log.jsonl
# Eight bad lines in one file (all eight shown), six in another (NUL byte last).
printf '%s\n' 'mode = = audit' 'min 1.0' 'min' 'log relative/path' 'rewrite onlyone' \
    'rewrite a=b c' 'verify maybe' 'mode audit extra words' >"$work/bad.conf"
printf '%s\n' 'nosuchkey 1' $'mode\taudit\x01' $'min 1.1\r' 'rewrite *.=x' 'rewrite_defaults 2' >"$work/bad2.conf"
printf 'mode audit\0\n' >>"$work/bad2.conf"
for c in "$work/bad.conf" "$work/bad2.conf"; do
    TLSFLOOR_CONFIG=$c TLSFLOOR_LOG=$log tf "$HPIN" client "$PORT" --pin max11 \
        || fail "malformed config $c: client failed"
done
# Not a regular file / missing / a FIFO with no writer (must not block).
mkfifo "$work/fifo.conf"
for c in "$work" "$work/missing.conf" "$work/fifo.conf" /dev/zero; do
    TLSFLOOR_CONFIG=$c TLSFLOOR_LOG=$log timeout 30 env LD_PRELOAD="$PRE" "$HPIN" client "$PORT" --pin max11 \
        >/dev/null || fail "config $c: client failed or hung"
done
checklog "$log" --expect handshake=6 --expect config_error=18 --mode enforce --no-event config_error_dropped \
    --grep 'config_error=NUL byte' --grep 'config_error=not a regular file' --grep 'config_error=cannot read config file'
