# shellcheck shell=bash
# hardening_log_symlink (sourced by run.sh, which provides the helpers)
# /etc/ld.so.preload holds the shim and /etc/tlsfloor.conf names a log in a folder that user
# nobody can write: a service user's folder (the README's cron recipe) or a sticky world-writable
# one. nobody replaces the log by a symbolic link (to a root-only file, or dangling) and runs a
# setuid-root program. Root must not write through the link: the target stays as it was, a
# dangling link creates nothing, the records go to syslog after one config_error, and the floor
# holds. Then, unprivileged: a link at the log path is not followed either.
if [ "${TLSFLOOR_SANITIZED:-0}" = 1 ]; then
    echo "SKIP: /etc/ld.so.preload with a sanitized shim would need the ASan runtime in every process"; exit 77
fi
getent passwd nobody >/dev/null || { echo "SKIP: no user nobody"; exit 77; }
start_server; baseline_fails
syslog_capture
ng=$(id -gn nobody)
pub=$(public_dir logsym)
install -o root -g root -m 4755 "$HPIN" "$pub/hpin-suid"
install -o root -g root -m 0644 "$(readlink -f "$TLSFLOOR_LIB")" "$pub/libtlsfloor.so"
private_etc
install -d -o nobody -g "$ng" -m 0755 "$pub/svc"       # install -d -o helpdesk /var/log/tlsfloor
install -d -o root -g root -m 1777 "$pub/sticky"       # like /tmp
printf 'root:$6$secret\n' >"$pub/secret"; chmod 600 "$pub/secret"
cp -p "$pub/secret" "$work/secret.orig"

# run_suid LOG: the setuid program as nobody, with the shim from /etc/ld.so.preload and LOG in
# /etc/tlsfloor.conf; the floor must hold (a client pinned to TLS 1.1 against TLS >= 1.2).
run_suid() {
    echo "log $1" >/etc/tlsfloor.conf
    : >"$syslog"
    echo "$pub/libtlsfloor.so" >/etc/ld.so.preload
    as_nobody "$pub/hpin-suid" client "$PORT" --pin max11 -n 2 >"$work/out" 2>&1
    local rc=$?
    rm -f /etc/ld.so.preload
    [ "$rc" = 0 ] || fail "$1: the setuid program failed (floor not held?): $(cat "$work/out")"
    grep -q 'lowest=0x30[34]' "$work/out" || fail "$1: floor did not hold: $(cat "$work/out")"
    sleep 0.2    # the listener writes what it received
}

# expect_refused LOG: the link was not followed; one config_error, then records, in syslog.
expect_refused() {
    cmp -s "$pub/secret" "$work/secret.orig" || fail "$1: root wrote through the link into a root-only file: $(cat "$pub/secret")"
    [ "$(stat -c %s "$pub/secret")" = "$(stat -c %s "$work/secret.orig")" ] || fail "$1: the target changed"
    [ -L "$1" ] || fail "$1: the link was replaced"
    [ "$(syslog_records config_error)" = 1 ] || fail "$1: expected one config_error in syslog: $(cat "$syslog")"
    grep -Eq "config_error message=\"log file $1 refused: .*(not owned by root|writable by users other than root); logging to syslog\"" "$syslog" \
        || fail "$1: the config_error does not say why: $(cat "$syslog")"
    [ "$(syslog_records max_version_raised)" = 2 ] || fail "$1: the records did not go to syslog: $(cat "$syslog")"
    [ "$(syslog_records handshake)" = 2 ] || fail "$1: the handshakes did not go to syslog: $(cat "$syslog")"
}

for d in svc sticky; do
    # To a root-only file.
    as_nobody ln -s "$pub/secret" "$pub/$d/x.jsonl"
    run_suid "$pub/$d/x.jsonl"
    expect_refused "$pub/$d/x.jsonl"
    # Dangling: root would create a file of its own where nobody points.
    as_nobody ln -s "$pub/created-by-root-$d" "$pub/$d/y.jsonl"
    run_suid "$pub/$d/y.jsonl"
    [ ! -e "$pub/created-by-root-$d" ] || fail "$d: root created the file a dangling link pointed to"
    expect_refused "$pub/$d/y.jsonl"
done
# No link at all, but the folder is nobody's (or anyone's): nobody could swap the file at any
# time, so it is refused as well, and nothing is created there.
run_suid "$pub/svc/plain.jsonl"
[ ! -e "$pub/svc/plain.jsonl" ] || fail "a log was created in a folder nobody owns"
grep -q "config_error.*$pub/svc .*not owned by root.*logging to syslog" "$syslog" || fail "svc: no clear config_error: $(cat "$syslog")"
run_suid "$pub/sticky/plain.jsonl"
[ ! -e "$pub/sticky/plain.jsonl" ] || fail "a log was created in a sticky world-writable folder"
# Control: root's own folder and file are used (the log is written, nothing goes to syslog).
install -d -o root -g root -m 0755 "$pub/root"
run_suid "$pub/root/ok.jsonl"
checklog "$pub/root/ok.jsonl" --expect max_version_raised=2 --expect handshake=2 --no-event config_error
[ "$(syslog_records max_version_raised)" = 0 ] || fail "control: records went to syslog"

# Unprivileged: nobody's own program does not follow a link at the log path either (the link
# could have been planted by another user in a shared folder).
public_tools
as_nobody sh -c "echo mine >'$pub/svc/mine' && ln -s '$pub/svc/mine' '$pub/svc/l.jsonl'"
as_nobody env LD_PRELOAD="$PPRE" TLSFLOOR_LOG="$pub/svc/l.jsonl" "$PHPIN" client "$PORT" --pin max11 \
    >"$work/out" 2>"$work/err" || fail "unprivileged: client failed: $(cat "$work/err")"
[ "$(cat "$pub/svc/mine")" = mine ] || fail "unprivileged: the link was followed: $(cat "$pub/svc/mine")"
grep -q "config_error.*l.jsonl is a symbolic link.*logging to stderr" "$work/err" || fail "unprivileged: no config_error: $(cat "$work/err")"
grep -q "max_version_raised" "$work/err" || fail "unprivileged: records did not fall back to stderr"
