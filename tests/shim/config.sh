#!/usr/bin/env bash
# config.sh — bad settings are reported once and the floor still holds; a config file
# is read; an unpinned client cannot fall below the floor either. Runs inside netns-run.
. "$(dirname "$0")/lib.sh"

# A server that still speaks only TLS 1.0/1.1 (what the floor must refuse to use).
start_server 4434 -tls1 -cipher 'DEFAULT:@SECLEVEL=0' -www

# Two connections in one process (curl's own default minimum is 1.2, so it says 1.0).
client=(curl -sk --tlsv1.0 --ciphers 'DEFAULT:@SECLEVEL=0' -o /dev/null -o /dev/null -w '%{http_code}\n'
        https://127.0.0.1:4434/a https://127.0.0.1:4434/b)
out=$("${client[@]}" 2>&1) || true
[ "$out" = $'200\n200' ] || fail "control: curl --tlsv1.0 should reach the TLS 1.0 server, got: $out"

# 1. An invalid floor from the environment: reported once, 1.2 holds (both connections refused).
log=$work/min.jsonl
out=$(TLSFLOOR_MIN=1.0 TLSFLOOR_LOG=$log LD_PRELOAD=$lib "${client[@]}" 2>&1) || true
[ "$out" = $'000\n000' ] || fail "TLSFLOOR_MIN=1.0 let a connection below 1.2 through: $out"
logq "$log" --event config_error --expect 1
logq "$log" --event config_error --where 'detail.message~TLSFLOOR_MIN' --where 'detail.message~1\.0' --expect 1
logq "$log" --event handshake_failed --expect 2
logq "$log" --event handshake --none

# 2. A config file with junk: each bad line reported once (with file:line), good lines applied.
conf=$work/tlsfloor.conf
printf 'mode audit\nmin 1.1\nnonsense here\nlog = %s\n\x01\x02 binary\n' "$work/file.jsonl" >"$conf"
out=$(TLSFLOOR_CONFIG=$conf LD_PRELOAD=$lib "${client[@]}" 2>&1) || true
[ "$out" = $'200\n200' ] || fail "audit mode from the config file should change nothing, got: $out"
log=$work/file.jsonl
logq "$log" --event config_error --expect 3
logq "$log" --event config_error --where 'detail.message~:2:' --where 'detail.message~min' --expect-min 1
logq "$log" --event config_error --where 'detail.message~:3:' --expect-min 1
logq "$log" --event config_error --where 'detail.message~:5:' --expect-min 1
logq "$log" --event handshake --expect 2
logq "$log" --event handshake --where detail.version=TLSv1.0 --where detail.below_floor=true --mode audit --expect 2

# 3. The environment overrides the file; a missing TLSFLOOR_CONFIG is an error, not a crash.
log=$work/missing.jsonl
out=$(TLSFLOOR_CONFIG=$work/absent.conf TLSFLOOR_LOG=$log LD_PRELOAD=$lib "${client[@]}" 2>&1) || true
[ "$out" = $'000\n000' ] || fail "missing config: floor must hold, got: $out"
logq "$log" --event config_error --expect 1
logq "$log" --event config_error --where 'detail.message~absent\.conf' --expect 1

# 4. A log destination that cannot be used: said on stderr, once; the floor holds.
out=$(TLSFLOOR_LOG=relative.log LD_PRELOAD=$lib "${client[@]}" 2>&1) || true
echo "$out" | grep -c 'config_error' | grep -qx 1 || fail "expected one config_error on stderr: $out"
echo "$out" | grep -q 'relative.log' || fail "the error should name the bad value: $out"
[ "$(echo "$out" | grep -c '^000$')" = 2 ] || fail "floor must hold with a bad log: $out"
# 4b. A secret setting's value (the table's secret column: oauth_token_command) is never shown:
#     not by the shim's config_error, not by the wrapper refusing it.
out=$(TLSFLOOR_OAUTH_TOKEN_COMMAND=$'vault-SECRET\x01' TLSFLOOR_LOG=stderr LD_PRELOAD=$lib "${client[@]}" 2>&1) || true
grep -q 'config_error.*TLSFLOOR_OAUTH_TOKEN_COMMAND' <<<"$out" || fail "a bad token command should be reported: $out"
grep -q 'SECRET' <<<"$out" && fail "the shim showed a secret value: $out"
out=$("$src/scripts/tlsfloor" --library "$lib" --oauth-token-command $'vault-SECRET\nx' -- true 2>&1) &&
    fail "the wrapper accepted a two-line command"
grep -q -- '--oauth-token-command' <<<"$out" || fail "the wrapper should name the option: $out"
grep -q 'SECRET' <<<"$out" && fail "the wrapper showed a secret value: $out"
out=$("$src/scripts/tlsfloor" --library "$lib" --min 1.1 -- true 2>&1) && fail "the wrapper accepted --min 1.1"
grep -q -- '--min 1.1:' <<<"$out" || fail "the wrapper should show a value that is not secret: $out"
# 5. No pin at all: OpenSSL's default minimum (any version) is raised silently, not logged as a
#    pin, and the connection to a TLS 1.0-only server is refused.
out=$(openssl s_client -connect 127.0.0.1:4434 -cipher 'DEFAULT:@SECLEVEL=0' </dev/null 2>&1) || true
echo "$out" | grep -Eq 'Protocol +: TLSv1$' || fail "control: unpinned s_client should speak TLSv1: $out"
log=$work/unpinned.jsonl
out=$(TLSFLOOR_LOG=$log LD_PRELOAD=$lib openssl s_client -connect 127.0.0.1:4434 -cipher 'DEFAULT:@SECLEVEL=0' </dev/null 2>&1) && fail "unpinned client went below the floor: $out"
logq "$log" --expect 1
# no pin was logged, but the failure says the default minimum was raised
logq "$log" --event handshake_failed --where detail.changed=true --where detail.changes=default_min_version --expect 1
echo PASS
