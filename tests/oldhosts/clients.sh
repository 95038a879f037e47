#!/bin/bash
# clients.sh: Debian 11's own clients, chrooted in a Debian 11 root (amd64 or i386), pinned to
# TLS 1.0/1.1, against a TLS 1.2-only Dovecot on loopback started outside the root. Each one
# fails without tlsfloor and works with the libtlsfloor.so built on this Debian 12 machine (for
# the root's architecture), with the expected records; once with the standard name (the pin
# alone), once with a retired legacy name (pin and name).
# Runs inside tests/lib/netns-run. Environment: see lib.sh; TF_ARCH (amd64|i386).
set -u
. "$(dirname "$0")/lib.sh"
arch=${TF_ARCH:?TF_ARCH}

start_dovecot modern 127.0.0.1 modern || exit 1

# ---- the clients, as files in $T (seen as /tf in the root) ----
cat > "$T/imap.py" <<'PY'
# python3 imaplib pinned to TLS 1.0-1.1 (ssl.TLSVersion, Python 3.7+)
import imaplib, ssl, sys
host, ca = sys.argv[1], sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(ca)
ctx.minimum_version = ssl.TLSVersion.TLSv1
ctx.maximum_version = ssl.TLSVersion.TLSv1_1
m = imaplib.IMAP4_SSL(host, 993, ssl_context=ctx)
m.login("poller@example.test", "s3cret")
m.select("INBOX")
typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
print(data[0][1].decode().strip())
m.logout()
print("python", sys.version.split()[0], ssl.OPENSSL_VERSION)
PY
cat > "$T/pop.pl" <<'PL'
# perl IO::Socket::SSL pinned to TLS 1.1 (SSL_version, a version-specific method underneath)
use strict; use warnings; use IO::Socket::SSL;
my ($host, $ca) = @ARGV;
my $s = IO::Socket::SSL->new(PeerHost => $host, PeerPort => 995, SSL_version => 'TLSv1_1',
    SSL_ca_file => $ca, SSL_verify_mode => SSL_VERIFY_PEER, SSL_hostname => $host,
    SSL_verifycn_scheme => 'default', SSL_verifycn_name => $host)
    or die "connect failed: $SSL_ERROR\n";
sub cmd { my $c = shift; print $s "$c\r\n" if defined $c; my $l = <$s>; die "no answer\n" unless defined $l; return $l }
print cmd(undef);
cmd("USER poller\@example.test"); cmd("PASS s3cret");
print cmd("RETR 1");
while (my $l = <$s>) { last if $l =~ /^\.\r?\n$/; print $l if $l =~ /TFMAIL-BODY/ }
cmd("QUIT");
print "IO::Socket::SSL $IO::Socket::SSL::VERSION\n";
PL
printf 'a1 LOGOUT\n' > "$T/logout.txt"

# client_cmd CLIENT HOST: the command line run in the root
client_cmd() {
    local c=$1 h=$2
    case $c in
        curl) echo curl -sS --max-time 20 --cacert "$RCA" --user poller@example.test:s3cret --tlsv1.0 --tls-max 1.1 \
                  "imaps://$h:993/INBOX/;UID=1;SECTION=HEADER.FIELDS%20(SUBJECT)" ;;
        python3) echo python3 "$INROOT_T/imap.py" "$h" "$RCA" ;;
        perl) echo perl "$INROOT_T/pop.pl" "${h/imap-legacy/pop-legacy}" "$RCA" ;;
        fetchmail) echo fetchmail --all --keep --nosyslog --mda /bin/true -f "$INROOT_T/fetchmailrc-$h" ;;
        openssl) echo openssl s_client -tls1 -connect "$h:993" -servername "$h" -CAfile "$RCA" \
                      -verify_return_error -verify_hostname "$h" -quiet ;;
    esac
}
# what stdout shows when the client worked; the intervention its pin calls for
marker() { case $1 in curl | python3) echo "Subject: Ticket 1" ;; perl) echo TFMAIL-BODY-1 ;;
                      fetchmail) echo "3 messages" ;; openssl) echo "^\\* OK" ;; esac; }
pin_event() { case $1 in perl) echo method_pinned ;; *) echo max_version_raised ;; esac; }

versions() { # the root's own programs, as the report gives them
    root_run v plain sh -c 'curl --version | head -n1; python3 --version; openssl version;
        perl -MIO::Socket::SSL -e "print qq(perl \$^V IO::Socket::SSL \$IO::Socket::SSL::VERSION\n)";
        fetchmail --version 2>/dev/null | head -n1; dpkg --print-architecture; cat /etc/debian_version'
    sed 's/^/  /' "$OUT/v.out"
}
case_begin "Debian 11 $arch root: the clients"
versions
check "the root is Debian 11 ($arch)" bash -c "grep -qx '$arch' '$OUT/v.out' && grep -q '^11\\.' '$OUT/v.out'"
check "curl 7.74" grep -q '^curl 7\.74\.' "$OUT/v.out"
check "python 3.9" grep -q '^Python 3\.9\.' "$OUT/v.out"
check "OpenSSL 1.1.1" grep -q '^OpenSSL 1\.1\.1' "$OUT/v.out"
check "perl with IO::Socket::SSL" grep -q 'IO::Socket::SSL [0-9]' "$OUT/v.out"
check "fetchmail" grep -q 'fetchmail release 6\.' "$OUT/v.out"
check "libtlsfloor.so for $arch copied in" test -s "$STATE/upper$RLIB"

hosts=(outlook.office365.com imap-legacy.office365.com)
# Under qemu (i386 on a kernel without 32-bit support) each run is slow: there the legacy name
# alone (the pin and the name at once) for every client.
[ "$arch" = i386 ] && hosts=(imap-legacy.office365.com)
for host in "${hosts[@]}"; do
    # fetchmail: 0600 rc file, pinned with sslproto
    printf 'poll %s protocol IMAP port 993\n  user "poller@example.test" password "s3cret"\n  ssl sslproto tls1 sslcertck sslcertfile %s\n' \
        "$host" "$RCA" > "$T/fetchmailrc-$host"
    chmod 600 "$T/fetchmailrc-$host"
    for c in curl python3 perl fetchmail openssl; do
        n=$c-${host%%.*}
        # shellcheck disable=SC2046 # the command line is split on purpose
        set -- $(client_cmd "$c" "$host")
        case_begin "$arch: $c pinned to TLS 1.0/1.1, host $host"
        RUN_STDIN=$T/logout.txt root_run "$n-plain" plain "$@"
        expect_fail "$n-plain" "without tlsfloor it fails"
        RUN_STDIN=$T/logout.txt root_run "$n-shim" shim "$@"
        expect_ok "$n-shim" "with tlsfloor it works" "$(marker "$c")"
        logcheck "$n-shim" json
        logcheck "$n-shim" expect "$(pin_event "$c")" --min-count 1
        logcheck "$n-shim" expect handshake --min-count 1 --detail-re 'version=TLSv1\.[23]'
        logcheck "$n-shim" absent handshake_failed
        if [ "$host" != outlook.office365.com ]; then
            logcheck "$n-shim" expect host_rewritten --min-count 1 --detail new=outlook.office365.com
        fi
    done
done

# The caller's backtrace on this architecture: frames name the client's library. On i386 the
# root has libunwind8: the shim must find it under its i386 names (_ULx86_*).
case_begin "$arch: backtraces"
n=bt
# shellcheck disable=SC2046 # the command line is split on purpose
root_run "$n" shim --env LD_DEBUG=bindings $(client_cmd curl outlook.office365.com)
expect_ok "$n" "curl works" "Subject: Ticket 1"
logcheck "$n" expect max_version_raised --module-re 'libcurl\.so'
if [ "$arch" = i386 ]; then
    check "libunwind's i386 entry points found (_ULx86_init_local, _ULx86_step, _ULx86_get_reg)" bash -c \
        "grep -q 'libunwind.so.8 \\[0\\]: normal symbol ._ULx86_init_local' '$OUT/$n.err' &&
         grep -q 'libunwind.so.8 \\[0\\]: normal symbol ._ULx86_step' '$OUT/$n.err' &&
         grep -q 'libunwind.so.8 \\[0\\]: normal symbol ._ULx86_get_reg' '$OUT/$n.err'"
else
    check "no libunwind in this root: glibc's backtrace() served" bash -c "! grep -q libunwind '$OUT/$n.err'"
fi
finish
