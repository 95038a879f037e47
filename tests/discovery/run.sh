#!/bin/bash
# Discovery tests (ctest label "discovery"): tlsfloor report and tlsfloor scan.
#   run.sh CASE    with DISC_ROOT (source tree), DISC_BIN (this directory's build dir),
#                  DISC_SHIM (libtlsfloor.so), DISC_OPENSSL11 (fixture built against 1.1, or "")
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=${DISC_ROOT:?}
bin=${DISC_BIN:?}
report=$root/scripts/tlsfloor-report
scan=$root/scripts/tlsfloor-scan
work=$(mktemp -d "${TMPDIR:-/tmp}/disc-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { echo "ok: $*"; }
# expect_rc WANT DESC CMD...: runs CMD, output in $work/out, stderr in $work/err
expect_rc() {
    local want=$1 desc=$2; shift 2
    "$@" > "$work/out" 2> "$work/err"
    local rc=$?
    if [ "$rc" = "$want" ]; then pass "$desc (exit $rc)"; else fail "$desc: exit $rc, wanted $want"; sed 's/^/  stderr: /' "$work/err" | head -5; fi
}
# same FILE EXPECTED DESC: exact comparison
same() {
    if cmp -s "$1" "$2"; then pass "$3"; else fail "$3 differs from $2:"; diff -u "$2" "$1" | head -40; fi
}
has() {   # has FILE DESC REGEX...: every extended regex must match some line
    local f=$1 desc=$2; shift 2
    local r
    for r in "$@"; do
        grep -Eq -- "$r" "$f" || { fail "$desc: no line matches /$r/"; sed 's/^/  | /' "$f" | head -60; return; }
    done
    pass "$desc"
}
hasnt() {
    local f=$1 desc=$2 r=$3
    if grep -Eq -- "$r" "$f"; then fail "$desc: a line matches /$r/"; grep -E -- "$r" "$f" | head -5; else pass "$desc"; fi
}

case_report_golden() {
    cd "$here/fixtures" || exit 1
    local f fmt ext
    for f in mixed many; do
        for fmt in text json csv; do
            ext=$fmt; [ "$fmt" = text ] && ext=txt
            expect_rc 0 "report --$fmt $f.jsonl" "$report" --no-source --"$fmt" "$f.jsonl"
            same "$work/out" "$here/expected/$f.$ext" "report --$fmt $f.jsonl matches expected/$f.$ext"
        done
    done
    # the same log from standard input: the same report apart from the input's name
    "$report" --no-source < mixed.jsonl | sed 's/^7 malformed.*//' > "$work/stdin.txt"
    sed 's/^7 malformed.*//' "$here/expected/mixed.txt" > "$work/file.txt"
    same "$work/stdin.txt" "$work/file.txt" "report from stdin equals report from the file"
    "$report" --no-source - < mixed.jsonl > "$work/dash.txt"
    has "$work/dash.txt" "report reads '-' as stdin" '^7 malformed lines skipped \(\(stdin\):7, '
    # concatenated inputs add up
    expect_rc 0 "report of two files" "$report" --no-source --json mixed.jsonl many.jsonl
    has "$work/out" "two files: records and malformed lines add up" '"records": 385,' '"malformed": 8,' \
        '"inputs": \["mixed.jsonl", "many.jsonl"\]'
    if command -v python3 > /dev/null; then
        for f in mixed many; do
            "$report" --no-source --json "$f.jsonl" | python3 -m json.tool > /dev/null &&
                pass "--json output of $f parses as JSON" || fail "--json output of $f is not JSON"
            "$report" --no-source --csv "$f.jsonl" | python3 -c 'import csv,sys
rows=list(csv.reader(sys.stdin)); n={len(r) for r in rows}
sys.exit(0 if len(n)==1 and len(rows)>2 else 1)' &&
                pass "--csv output of $f is rectangular CSV" || fail "--csv output of $f is not rectangular CSV"
        done
    fi
}

case_report_html() {
    cd "$here/fixtures" || exit 1
    expect_rc 0 "report --html" "$report" --no-source --html mixed.jsonl
    cp "$work/out" "$work/r.html"
    has "$work/r.html" "html has the key elements" '^<!DOCTYPE html>' '<table class="sortable" id="programs">' \
        '<table class="sortable" id="endpoints">' '<table class="sortable" id="call_sites">' '<svg xmlns=' \
        '<rect class="bad" x="80"' '<rect class="ok" x="80"' '<script>' 'addEventListener' \
        '7 malformed lines skipped' 'will be rejected: needs OAuth' '/usr/local/bin/überpoll'
    grep -v '^<svg xmlns="http://www.w3.org/2000/svg"' "$work/r.html" > "$work/r-noxmlns.html"
    hasnt "$work/r-noxmlns.html" "html is self-contained (no external resources)" '(src|href)=|url\(|https?://|@import'
    if command -v xmllint > /dev/null; then
        if xmllint --noout "$work/r.html" 2> "$work/xml.err"; then pass "html is well-formed (xmllint)"
        else fail "html is not well-formed"; head -5 "$work/xml.err"; fi
        if xmllint --html --noout "$work/r.html" 2>&1 | grep -v 'Tag \(svg\|text\|rect\) invalid' | grep -q 'error'; then
            fail "xmllint --html reports errors other than the SVG tags HTML 4 does not know"
        else pass "xmllint --html: no errors besides SVG tag names"; fi
    else
        fail "xmllint not installed (libxml2-utils): cannot check the HTML"
    fi
    "$report" --no-source --html many.jsonl > "$work/m.html"
    has "$work/m.html" "html chart bars for many.jsonl" '>TLSv1.3</text><rect class="ok" x="80" y="4" width="102" height="22"/><text x="188" y="21" font-size="13">24</text>' \
        '>TLSv1.0</text><rect class="bad" x="80" y="60" width="51" height="22"/>'
}

case_report_edge() {
    cd "$work" || exit 1
    expect_rc 2 "report with an unknown option" "$report" --bogus
    has "$work/err" "usage error names the option" 'unknown option --bogus'
    expect_rc 2 "report of a missing file" "$report" /nonexistent/log.jsonl
    expect_rc 2 "report of a directory" "$report" "$work"
    expect_rc 0 "report --help" "$report" --help
    : > empty.jsonl
    expect_rc 0 "report of an empty log" "$report" empty.jsonl
    has "$work/out" "empty log report" '^tlsfloor report: 0 records from 0 inputs$' '^  \(none\)$'
    printf 'garbage\n{"event":\n\n' > junk.jsonl
    expect_rc 0 "report of a log with only junk" "$report" --json junk.jsonl
    has "$work/out" "junk lines counted" '"records": 0,' '"malformed": 2,' '"malformed_at": \["junk.jsonl:1", "junk.jsonl:2"\]'
    # a file name with "=" is a file, not an awk assignment
    cp "$here/fixtures/mixed.jsonl" 'a=b.jsonl'
    expect_rc 0 "report of a=b.jsonl" "$report" --no-source --json 'a=b.jsonl'
    has "$work/out" "a=b.jsonl read as a file" '"records": 25,'
    # unicode escapes, surrogate pairs, \" and \\ decode; text output escapes control characters
    printf '%s\n' '{"ts":"2026-01-01T00:00:00.000Z","pid":1,"exe":"/x/\u00e9\u4e2d\ud83d\ude00\"q\\b","tool":"shim","mode":"audit","event":"config_error","detail":{"message":"line1\nline2 \ud800 lone"}}' > u.jsonl
    "$report" --json u.jsonl > u.json
    has u.json "unicode escapes decoded and re-encoded" '"exe": "/x/é中😀\\"q\\\\b"' '"detail": "line1\\nline2 � lone"'
    "$report" u.jsonl > u.txt
    has u.txt "text output shows control characters escaped" 'line1\\x0aline2 � lone'
    # records longer than any buffer and very many of them
    awk 'BEGIN { for (i = 0; i < 20000; i++) printf "{\"ts\":\"2026-01-01T00:00:%02d.000Z\",\"pid\":%d,\"exe\":\"/p\",\"tool\":\"shim\",\"mode\":\"enforce\",\"event\":\"handshake\",\"detail\":{\"version\":\"TLSv1.3\",\"sni\":\"h%d.example\",\"peer\":\"127.0.0.1:993\"}}\n", i % 60, i, i % 50 }' > big.jsonl
    expect_rc 0 "report of 20000 records" "$report" --json big.jsonl
    has "$work/out" "20000 records, 50 endpoints" '"records": 20000,' '"TLSv1.3": 20000'
    [ "$(grep -c '"endpoint": "h[0-9]*.example"' "$work/out")" = 50 ] && pass "50 endpoints listed" || fail "endpoints not 50"
}

# A log written by the real shim: openssl s_client -tls1 against s_server, audit and enforce.
case_report_real() {
    local shim=${DISC_SHIM:?} pki=$bin/pki port=14433 log=$work/real.jsonl
    if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root (unshare -n: a private network namespace)"; exit 77; fi
    [ -f "$shim" ] || { fail "shim $shim not built"; return; }
    "$root/tests/lib/mkpki" "$pki" || { fail "mkpki"; return; }
    cat > "$work/inner.sh" <<INNER
set -u
"$root/tests/lib/loopback-only" || exit 2
openssl s_server -accept $port -cert $pki/server.pem -key $pki/server.key -cipher 'DEFAULT:@SECLEVEL=0' -quiet -www > $work/srv.log 2>&1 &
srv=\$!
for i in \$(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
echo Q | LD_PRELOAD=$shim TLSFLOOR_LOG=$log TLSFLOOR_MODE=audit openssl s_client -tls1 -cipher 'DEFAULT:@SECLEVEL=0' -servername imap-legacy.office365.com -connect 127.0.0.1:$port > $work/c1.log 2>&1
echo Q | LD_PRELOAD=$shim TLSFLOOR_LOG=$log TLSFLOOR_MODE=enforce openssl s_client -tls1 -connect 127.0.0.1:$port > $work/c2.log 2>&1
LD_PRELOAD=$shim TLSFLOOR_LOG=$log TLSFLOOR_MODE=audit $bin/disc_pinned_ssl3 > $work/c3.log 2>&1
kill \$srv
INNER
    unshare -n /bin/bash "$work/inner.sh" || { fail "the shim run inside unshare -n failed"; return; }
    [ -s "$log" ] || { fail "the shim wrote no log at $log"; return; }
    pass "the shim wrote $(wc -l < "$log") records"
    expect_rc 0 "report of the real log" "$report" "$log"
    has "$work/out" "real log: report shows the pins, versions, rewrite and modes" \
        '^modes: audit [0-9]+, enforce [0-9]+$' \
        'connections by negotiated version: TLSv1.3 1, TLSv1.0 1$' \
        '/usr/bin/openssl +/usr/bin/openssl +0x[0-9a-f]+ .* max_version_raised +TLSv1.0 -> TLSv1.3 via SSL_CTX_set_max_proto_version +audit' \
        'min_version_raised +TLSv1.0 -> TLSv1.2 via SSL_CTX_set_min_proto_version +enforce' \
        'host_would_rewrite +imap-legacy.office365.com -> outlook.office365.com \(sni\) +audit' \
        "^  $(hostname) +imap-legacy.office365.com +$port .* TLSv1.0 x1 " \
        "^  $(hostname) +127.0.0.1 +$port .* TLSv1.3 x1 " \
        'negotiated TLSv1.0, below TLS 1.2'
    hasnt "$work/out" "real log: nothing malformed" 'malformed'
    # the pinned fixture program has debug info: the method_pinned site resolves to its source line
    local want
    want=$(grep -n 'the pin the report must point at' "$here/elf/pinned_client.c" | cut -d: -f1)
    has "$work/out" "real log: method_pinned call site with source file:line via addr2line" \
        "disc_pinned_ssl3 +0x[0-9a-f]+ +(main|-) +[^ ]*/pinned_client.c:$want +method_pinned +TLSv1_client_method -> TLS_client_method"
    expect_rc 0 "report --no-source of the real log" "$report" --no-source "$log"
    hasnt "$work/out" "--no-source: no source lines" 'pinned_client.c:'
    expect_rc 0 "report --json of the real log" "$report" --json "$log"
    has "$work/out" "real log in JSON" '"connections_by_version": \{"TLSv1.3": 1, "TLSv1.0": 1\}' '"malformed": 0,'
}

case_scan_text() {
    cd "$here/fixtures/text" || exit 1
    expect_rc 1 "scan of the text fixtures finds pins" "$scan" .
    same "$work/out" "$here/expected/scan-text.txt" "scan text output matches expected/scan-text.txt"
    expect_rc 1 "scan --json of the text fixtures" "$scan" --json .
    same "$work/out" "$here/expected/scan-text.json" "scan json output matches expected/scan-text.json"
    command -v python3 > /dev/null && { python3 -m json.tool "$work/out" > /dev/null && pass "scan --json parses" || fail "scan --json is not JSON"; }
    cd "$here/fixtures/clean" || exit 1
    expect_rc 0 "scan of clean files finds nothing" "$scan" .
    has "$work/out" "clean scan output" '; 0 programs or files with findings$' '\(nothing found\)'
    expect_rc 2 "scan with no PATH" "$scan"
    expect_rc 2 "scan with an unknown option" "$scan" --bogus .
    expect_rc 2 "scan of a missing path" "$scan" /nonexistent/path
    expect_rc 0 "scan --help" "$scan" --help
}

case_scan_elf() {
    local e=$bin
    expect_rc 1 "scan of the ELF fixtures" "$scan" "$e/disc_pinned_ssl3" "$e/disc_static" "$e/disc_gnutls" "$e/disc_plain"
    cp "$work/out" "$work/elf.txt"
    has "$work/elf.txt" "ELF: libssl 3 client: OpenSSL 3, fixable, TLSv1_client_method import, legacy name" \
        "disc_pinned_ssl3 +program +OpenSSL 3 \(libssl.so.3\) +yes +TLSv1_client_method +imap-legacy.office365.com$"
    has "$work/elf.txt" "ELF: the pinning import is a finding of high confidence, the static OpenSSL one of medium" \
        '^      confidence: high \(imports TLSv1_client_method\)$' \
        '^      confidence: medium \(its TLS is out of tlsfloor.s reach; no pin seen\)$'
    has "$work/elf.txt" "ELF: static OpenSSL recognised by its version string, not fixable" \
        "disc_static +program +OpenSSL 1.1.1w  11 Sep 2023 \(static\) +no " \
        'OpenSSL linked into the file cannot be preloaded into'
    has "$work/elf.txt" "ELF: GnuTLS client (libgnutls.so.30), fixable" "disc_gnutls +program +GnuTLS \(libgnutls.so.30\) +yes"
    hasnt "$work/elf.txt" "ELF: GnuTLS is not called uncovered" 'GnuTLS is not covered by tlsfloor'
    hasnt "$work/elf.txt" "ELF: a program without TLS is not listed" 'disc_plain'
    expect_rc 0 "scan of a program without TLS" "$scan" "$e/disc_plain"
    expect_rc 1 "scan --json of the ELF fixtures" "$scan" --json "$e/disc_pinned_ssl3" "$e/disc_static" "$e/disc_gnutls"
    has "$work/out" "ELF JSON fields" '"tls": "OpenSSL 3 \(libssl.so.3\)", "tlsfloor_fixes": "yes", "imports": \["TLSv1_client_method"\], "legacy_endpoints": \["imap-legacy.office365.com"\]' \
        '"tlsfloor_fixes": "no"' '"finding": true, "confidence": "high", "reason": "imports TLSv1_client_method"'
    if [ -z "${DISC_OPENSSL11:-}" ]; then
        fail "TLSFLOOR_OPENSSL11_ROOT was not set at configure time: the OpenSSL 1.1 ELF fixture was not built (scripts/test sets it)"
    else
        expect_rc 1 "scan of the libssl 1.1 fixture" "$scan" "$DISC_OPENSSL11"
        has "$work/out" "ELF: libssl 1.1 client: OpenSSL 1.1, fixable, TLSv1_client_method import" \
            "disc_pinned_ssl11 +program +OpenSSL 1.1 \(libssl.so.1.1\) +yes +TLSv1_client_method +imap-legacy.office365.com$"
    fi
    # a directory walk finds the same, and a library is classified as a library
    mkdir -p "$work/tree/bin" && cp "$e/disc_gnutls" "$e/disc_plain" "$work/tree/bin/" && cp "$here/fixtures/text/fetchmailrc" "$work/tree/"
    expect_rc 1 "scan of a directory tree" "$scan" "$work/tree"
    has "$work/out" "tree scan: ELF and text findings" '2 ELF files, 1 text file' 'bin/disc_gnutls +program +GnuTLS' 'fetchmailrc:4 +version pin'
    expect_rc 0 "scan of libssl.so.3 itself" "$scan" /usr/lib/x86_64-linux-gnu/libssl.so.3
    has "$work/out" "libssl itself is a library covered by tlsfloor" 'libssl.so.3 +library +OpenSSL itself'
}

# Go: a TLS client and a hello world built here with Debian's go; a C program that carries the
# text "crypto/tls". Java: a class that calls SSLContext.getInstance("TLSv1"), compiled here with
# javac, as a class and in a jar; a clean jar whose "TLSv1" string lies in another class.
case_scan_go_java() {
    local t
    for t in go javac jar; do
        command -v "$t" > /dev/null || { fail "$t missing (packages golang-go, openjdk-17-jdk-headless)"; return; }
    done
    # the build cache in the build tree: the first build of crypto/tls takes a while
    export GOCACHE=$bin/gocache GO111MODULE=off CGO_ENABLED=0 GOFLAGS=-trimpath
    go build -o "$work/gotls" "$here/elf/go_tls_client.go" || { fail "go build of the TLS client"; return; }
    go build -o "$work/gohello" "$here/elf/go_hello.go" || { fail "go build of hello"; return; }
    javac -d "$work/pin" "$here/java/LegacyClient.java" && javac -d "$work/clean" "$here/java/CleanClient.java" ||
        { fail "javac"; return; }
    jar cf "$work/legacy.jar" -C "$work/pin" . && jar cf "$work/clean.jar" -C "$work/clean" . || { fail "jar"; return; }
    expect_rc 1 "scan of Go and Java files" "$scan" "$work/gotls" "$work/gohello" "$bin/disc_fake_go" \
        "$work/legacy.jar" "$work/pin/com/example/LegacyClient.class" "$work/clean.jar" "$work/clean/CleanClient.class"
    cp "$work/out" "$work/gj.txt"
    has "$work/gj.txt" "Go TLS client flagged, not fixable, with what to do" \
        'gotls +static program +Go crypto/tls \(go1\.[0-9]+(\.[0-9]+)?\) +no ' \
        'no libc calls tlsfloor can see: set tls\.Config\.MinVersion' 'TLS-terminating relay' \
        '3 ELF files, 0 text files, 4 Java files'
    hasnt "$work/gj.txt" "Go program without crypto/tls not listed" 'gohello'
    hasnt "$work/gj.txt" "a C program carrying the text crypto/tls is not a Go program" 'disc_fake_go'
    has "$work/gj.txt" "Java archive and class pinning TLSv1 flagged with the class and what to do" \
        'legacy\.jar +Java archive +Java \(JSSE\) +no +SSLContext\.getInstance\(TLSv1\)' \
        'LegacyClient\.class +Java class +Java \(JSSE\) +no +SSLContext\.getInstance\(TLSv1\)' \
        'in com/example/LegacyClient\.class: .*allow TLS 1\.2\+'
    hasnt "$work/gj.txt" "clean jar and class not flagged" 'clean\.jar|CleanClient'
    expect_rc 0 "scan of the clean Java files and the Go hello alone" "$scan" "$work/clean.jar" "$work/clean" "$work/gohello"
    expect_rc 1 "scan --json of Go and Java" "$scan" --json "$work/gotls" "$work/legacy.jar"
    has "$work/out" "JSON: Go and Java rows" '"kind": "Java archive", "tls": "Java \(JSSE\)", "tlsfloor_fixes": "no", "imports": \["SSLContext.getInstance\(TLSv1\)"\]' \
        '"tls": "Go crypto/tls' '"java": 1'
    python3 -m json.tool "$work/out" > /dev/null && pass "Go/Java scan --json parses" || fail "Go/Java scan --json is not JSON"
    # a class that is not one (bad constant pool) is reported, not a crash
    printf '\312\376\272\276\0\0\0\064\0\3\77' > "$work/Broken.class"
    expect_rc 0 "a broken class file is skipped" "$scan" "$work/Broken.class"
    has "$work/err" "broken class: said on stderr" 'Broken.class: cannot read it as Java'
}

# Precision: documentation (.pod, .md, man pages, POD blocks) and help text are left out unless
# --all, and say so; a program's own pin next to them is still found with high confidence, as is
# a binary that imports TLSv1_client_method. Special files are skipped, symbolic links not
# followed.
case_scan_precision() {
    local t=$work/tree
    mkdir -p "$t" && cp -r "$here/fixtures/precision/." "$t/" && cp "$bin/disc_pinned_ssl3" "$t/bin/" || { fail "copy"; return; }
    mkfifo "$t/bin/fifo" && ln -s /usr/bin/openssl "$t/bin/openssl-link" && ln -s /nonexistent "$t/dangling"
    expect_rc 1 "scan of a tree with documentation, help text, pins and a pinning binary" timeout 120 "$scan" "$t"
    cp "$work/out" "$work/default.txt"
    has "$work/default.txt" "default: the program's pins are found, high, counted per file" \
        '5 text files, 0 Java files, 0 other files; 3 programs or files with findings \(3 high, 0 medium, 0 low confidence; 3 findings\)$' \
        '^6 matches in documentation or help text not shown \(--all shows them\)$' \
        'bin/disc_pinned_ssl3 +program +OpenSSL 3 \(libssl.so.3\) +yes +TLSv1_client_method' \
        '^      confidence: high \(imports TLSv1_client_method\)$' \
        'bin/poll:9 +minimum below TLS 1.2 \(curl\) +high +exec curl -s --tlsv1 "\$1"$' \
        'lib/Poll.pm:10 +version pin \(ssl_version\) +high '
    hasnt "$work/default.txt" "default: no documentation" 'IO-Socket-SSL.pod|README.md|poll.1:|Poll.pm:6'
    hasnt "$work/default.txt" "default: no help text" 'bin/poll:5'
    hasnt "$work/default.txt" "symbolic links are not followed, the FIFO is skipped" 'openssl-link|fifo|dangling'
    expect_rc 1 "scan --all" "$scan" --all "$t"
    has "$work/out" "--all: documentation and help text, low" \
        'IO-Socket-SSL.pod:3 +version pin \(ssl_version\) +low ' 'README.md:3 +legacy endpoint +low ' \
        'man/man1/poll.1:5 +version pin \(ssl_version\) +low ' 'lib/Poll.pm:6 +version pin \(ssl_version\) +low ' \
        'bin/poll:5 +minimum below TLS 1.2 \(curl\) +low ' '; 6 programs or files with findings \(3 high, 0 medium, 3 low confidence; 9 findings\)$'
    hasnt "$work/out" "--all: nothing hidden" 'not shown'
    expect_rc 1 "scan --all --json" "$scan" --all --json "$t"
    has "$work/out" "--all --json: reasons" '"programs": 6,' '"hidden": 0,' \
        '"file": "[^"]*IO-Socket-SSL.pod", "line": 3, .*"confidence": "low", "reason": "documentation"' \
        '"file": "[^"]*bin/poll", "line": 5, .*"confidence": "low", "reason": "help or usage text"' \
        '"file": "[^"]*bin/poll", "line": 9, .*"confidence": "high", "reason": "a setting, option or call that pins the version"'
    python3 -m json.tool "$work/out" > /dev/null && pass "--all --json parses" || fail "--all --json is not JSON"
    # documentation alone: nothing found by default (exit 0), found with --all (exit 1)
    mkdir -p "$work/doconly" && cp "$here/fixtures/precision/IO-Socket-SSL.pod" "$here/fixtures/precision/README.md" "$work/doconly/"
    expect_rc 0 "documentation alone: nothing found by default" "$scan" "$work/doconly"
    has "$work/out" "documentation alone: said what was left out" '^3 matches in documentation or help text not shown'
    expect_rc 1 "documentation alone with --all" "$scan" --all "$work/doconly"
}

# The same result from one thread and from several, over a real tree (/usr/bin) and the fixtures.
case_scan_parallel() {
    local j
    for j in 1 2 8; do
        expect_rc 1 "scan --jobs $j" "$scan" --json --all --jobs "$j" /usr/bin "$here/fixtures" "$bin"
        cp "$work/out" "$work/jobs$j.json"
    done
    has "$work/jobs1.json" "the serial scan found ELF and text files" '"elf": [1-9][0-9]+,' '"text": [1-9][0-9]*,'
    same "$work/jobs2.json" "$work/jobs1.json" "2 threads: the same result as 1"
    same "$work/jobs8.json" "$work/jobs1.json" "8 threads: the same result as 1"
    expect_rc 2 "--jobs needs a number" "$scan" --jobs x /usr/bin
}

"case_$1"
echo "$fails failure(s)"
[ "$fails" = 0 ]
