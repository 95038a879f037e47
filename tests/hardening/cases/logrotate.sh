# shellcheck shell=bash
# hardening_logrotate (sourced by run.sh, which provides the helpers)
# A long-running program logs to a file that Debian's logrotate rotates, in its "create" mode
# (rename, create a new file, compress the old one and so delete it) and in "copytruncate" mode.
# Records made after a rotation (the program is asked for them more than a second later:
# tlsfloor looks at the path at most once a second) must all be in the new file, none in the
# rotated one, none lost.
command -v logrotate >/dev/null || { echo "SKIP: logrotate not installed (scripts/test installs it)"; exit 77; }
start_server
mkdir -m 755 "$work/logs" "$work/go"
log=$work/logs/app.jsonl
cat >"$work/create.conf" <<EOC
$log {
    create 0644 root root
    rotate 5
    compress
    missingok
}
EOC
cat >"$work/copytruncate.conf" <<EOC
$log {
    copytruncate
    rotate 5
    missingok
}
EOC
chmod 644 "$work/create.conf" "$work/copytruncate.conf"
TLSFLOOR_LOG=$log env LD_PRELOAD="$PRE" "$HPIN" client "$PORT" -n 3 --pin max11 --triggered "$work/go" \
    >"$work/out" 2>"$work/err" &
track_pid $!
client=$!
round() {   # K: ask for round K (3 connections: 6 records) and wait for it
    touch "$work/go/$1"
    for _ in $(seq 600); do [ -e "$work/go/$1.done" ] && return 0; sleep 0.05; done
    fail "round $1 did not finish: $(cat "$work/err")"
}
records() { if [ -e "$1" ]; then "$TLSFLOOR_LOGTOOL" --count "$1"; else echo 0; fi; }   # FILE or FILE.gz
round 1
[ "$(records "$log")" = 6 ] || fail "round 1: $(records "$log") records, expected 6"
# create: rename to app.jsonl.1, new app.jsonl, app.jsonl.1 compressed to app.jsonl.1.gz
logrotate -f -s "$work/state" "$work/create.conf" || fail "logrotate (create) failed"
[ -e "$log.1.gz" ] && [ ! -e "$log.1" ] || fail "logrotate did not rotate and compress: $(ls "$work/logs")"
sleep 1.6
round 2
[ "$(records "$log.1.gz")" = 6 ] || fail "create: the rotated file has $(records "$log.1.gz") records, expected round 1's 6"
[ "$(records "$log")" = 6 ] || fail "create: the new file has $(records "$log") records after round 2, expected 6 (lost: written to the rotated file)"
checklog "$log" --expect max_version_raised=3 --expect handshake=3
# copytruncate: app.jsonl copied to app.jsonl.1, then cut to 0 bytes in place
logrotate -f -s "$work/state" "$work/copytruncate.conf" || fail "logrotate (copytruncate) failed"
[ "$(records "$log.1")" = 6 ] && [ ! -s "$log" ] || fail "logrotate did not copy and truncate: $(ls -l "$work/logs")"
sleep 1.6
round 3
[ "$(records "$log.1")" = 6 ] || fail "copytruncate: the copy changed: $(records "$log.1") records"
[ "$(head -c 5 "$log")" = '{"ts"' ] || fail "copytruncate: the file does not start with a record (a hole of zeros?): $(head -c 40 "$log" | od -c | head -3)"
checklog "$log" --expect max_version_raised=3 --expect handshake=3
touch "$work/go/stop"
wait "$client" || fail "the program failed: $(cat "$work/err")"
grep -q 'lowest=0x30[34]' "$work/out" || fail "floor did not hold: $(cat "$work/out")"
