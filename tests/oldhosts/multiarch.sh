#!/bin/bash
# multiarch.sh: one LD_PRELOAD=/usr/$LIB/tlsfloor/libtlsfloor.so serves a 64-bit shell script
# that starts a 32-bit legacy binary, and a 32-bit program that starts a 64-bit one: in the
# Debian 11 amd64 root (i386 enabled: libc6:i386, libssl1.1:i386), with the shim built here for
# amd64 and for i386 in the two multiarch directories, and a 32-bit vendor binary (Debian 11's
# i386 openssl and dash, copied from the i386 root to /opt/legacy32). The dynamic loader expands
# $LIB per process; a fixed path to the 64-bit library cannot load in the 32-bit program.
# Runs inside tests/lib/netns-run. Environment: lib.sh's, TF_LIBRARY_I386, TF_ROOT_I386.
set -u
. "$(dirname "$0")/lib.sh"
: "${TF_LIBRARY_I386:?}" "${TF_ROOT_I386:?}"
[ -f "$TF_ROOT_I386/.tlsfloor-root" ] || { echo "FAIL: no i386 root in $TF_ROOT_I386"; exit 1; }
[ -f "$TF_LIBRARY_I386" ] || { echo "FAIL: no i386 shim ($TF_LIBRARY_I386): configure with -DTLSFLOOR_I386=ON"; exit 1; }
ROOT_RUN_OPTS=(--i386)

start_dovecot modern 127.0.0.1 modern || exit 1
root_copy "$TF_LIB" /usr/lib/x86_64-linux-gnu/tlsfloor/libtlsfloor.so
root_copy "$TF_LIBRARY_I386" /usr/lib/i386-linux-gnu/tlsfloor/libtlsfloor.so
root_copy "$TF_ROOT_I386/usr/bin/openssl" /opt/legacy32/bin/openssl 0755
root_copy "$TF_ROOT_I386/bin/dash" /opt/legacy32/bin/sh32 0755
printf 'a1 LOGOUT\n' > "$T/logout.txt"
# shellcheck disable=SC2016 # a literal $LIB, for the dynamic loader
BOTH='/usr/$LIB/tlsfloor/libtlsfloor.so'
CURL="curl -sS --max-time 20 --cacert $RCA --user poller@example.test:s3cret --tlsv1.0 --tls-max 1.1"
FETCH='/INBOX/;UID=1;SECTION=HEADER.FIELDS%20(SUBJECT)'
{
    echo '#!/bin/bash'
    echo '# a 64-bit script that runs the 32-bit vendor binary, then a 64-bit client'
    echo "/opt/legacy32/bin/openssl s_client -tls1 -connect imap-legacy.office365.com:993 -servername imap-legacy.office365.com -CAfile $RCA -verify_return_error -quiet < $INROOT_T/logout.txt || exit 1"
    echo "$CURL 'imaps://outlook.office365.com:993$FETCH'"
} > "$T/poll.sh"
chmod 755 "$T/poll.sh"

case_begin "the programs' architectures"
check "/opt/legacy32/bin/openssl is a 32-bit i386 program" bash -c "readelf -h '$STATE/upper/opt/legacy32/bin/openssl' | grep -q 'Intel 80386'"
check "the root's bash and curl are x86-64" bash -c "readelf -h '$TF_ROOT/bin/bash' | grep -q 'X86-64' && readelf -h '$TF_ROOT/usr/bin/curl' | grep -q 'X86-64'"

case_begin "64-bit script -> 32-bit binary, without tlsfloor"
root_run ma-plain plain "$INROOT_T/poll.sh"
expect_fail ma-plain "the 32-bit legacy binary fails (pin, legacy name)"

case_begin "64-bit script -> 32-bit binary, then a 64-bit curl; LD_PRELOAD=$BOTH"
: > "$OUT/ma-both.jsonl"
root_run ma-both plain --env "LD_PRELOAD=$BOTH" --env "TLSFLOOR_LOG=$INROOT_T/out/ma-both.jsonl" "$INROOT_T/poll.sh"
expect_ok ma-both "both work" "Subject: Ticket 1"
check "the 32-bit binary got the IMAP greeting" grep -q '^\* OK' "$OUT/ma-both.out"
check "no loader complaint (wrong ELF class)" bash -c "! grep -q 'wrong ELF class\|cannot be preloaded' '$OUT/ma-both.err'"
logcheck ma-both json
check "records from the 32-bit binary (exe /opt/legacy32/bin/openssl): pin raised" \
    "$TF_LOGTOOL" --event max_version_raised --where exe=/opt/legacy32/bin/openssl --expect-min 1 "$OUT/ma-both.jsonl"
check "records from the 32-bit binary (exe /opt/legacy32/bin/openssl): host rewritten" \
    "$TF_LOGTOOL" --event host_rewritten --where exe=/opt/legacy32/bin/openssl --expect-min 1 "$OUT/ma-both.jsonl"
check "records from the 64-bit curl" \
    "$TF_LOGTOOL" --event max_version_raised --where exe=/usr/bin/curl --expect-min 1 "$OUT/ma-both.jsonl"
logcheck ma-both expect handshake --count 2 --detail-re 'version=TLSv1\.[23]'

case_begin "32-bit shell -> 64-bit curl; LD_PRELOAD=$BOTH"
: > "$OUT/ma-rev.jsonl"
root_run ma-rev plain --env "LD_PRELOAD=$BOTH" --env "TLSFLOOR_LOG=$INROOT_T/out/ma-rev.jsonl" \
    /opt/legacy32/bin/sh32 -c "$CURL 'imaps://imap-legacy.office365.com:993$FETCH'"
expect_ok ma-rev "works" "Subject: Ticket 1"
check "no loader complaint" bash -c "! grep -q 'wrong ELF class\|cannot be preloaded' '$OUT/ma-rev.err'"
logcheck ma-rev expect host_rewritten --min-count 1 --detail new=outlook.office365.com
logcheck ma-rev expect handshake --count 1 --detail-re 'version=TLSv1\.[23]'

case_begin "a fixed path to the 64-bit library instead: the 32-bit binary runs unfixed"
root_run ma-fixed plain --env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/tlsfloor/libtlsfloor.so "$INROOT_T/poll.sh"
expect_fail ma-fixed "the 32-bit binary still fails"
check "the loader says why (wrong ELF class)" grep -q 'wrong ELF class: ELFCLASS64' "$OUT/ma-fixed.err"
finish
