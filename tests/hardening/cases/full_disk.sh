# shellcheck shell=bash
# hardening_full_disk (sourced by run.sh, which provides the helpers)
# The log on a full file system: the host carries on, the floor holds, and no record in the
# file is torn (a short write would leave half a line).
start_server; baseline_fails
mkdir "$work/disk"; mount -t tmpfs -o size=64k,mode=755 tmpfs "$work/disk"
log=$work/disk/log.jsonl
dd if=/dev/zero of="$work/disk/fill" bs=1k count=64 2>/dev/null || true
# Free a little room (a page or two) so records land on the edge of "full".
truncate -s -6000 "$work/disk/fill"
TLSFLOOR_LOG=$log timeout 60 env LD_PRELOAD="$PRE" "$HPIN" client "$PORT" -n 40 --pin max11 \
    >"$work/out" 2>"$work/err" || fail "client failed: $(cat "$work/err")"
df -k "$work/disk" | tail -1
[ -s "$log" ] || fail "nothing was logged at all (expected some records before the disk filled)"
checklog "$log" --min-lines 1
