#!/bin/bash
# Discovery tests (ctest label "discovery"): tlsfloor report and tlsfloor scan.
#   run.sh CASE    with TLSFLOOR_SOURCE_DIR, DISC_BIN (this directory's build dir),
#                  DISC_SHIM (libtlsfloor.so), DISC_OPENSSL11 (fixture built against 1.1, or ""),
#                  DISC_REPORT (the tlsfloor-report program)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=${TLSFLOOR_SOURCE_DIR:?}
bin=${DISC_BIN:?}
report=${DISC_REPORT:?}
logtool=${TLSFLOOR_BUILD_DIR:?}/report/tlsfloor-log
scan=$root/scripts/tlsfloor-scan
work=$(mktemp -d "${TMPDIR:-/tmp}/disc-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
# pass, fail, finish
. "$root/tests/lib/assert.sh"
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

# too_wide FILE COLUMNS DESC: every line fits COLUMNS characters (UTF-8 aware)
too_wide() {
    local n
    n=$(python3 -c 'import sys; print(max([len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")] + [0]))' "$1")
    if [ "$n" -le "$2" ]; then pass "$3: at most $2 columns (widest $n)"; else fail "$3: a line of $n columns (over $2)"; fi
}
# json_check FILE DESC PYTHON: runs PYTHON with r = the parsed JSON; ok(cond, what, shown) checks
json_check() {
    local out
    if out=$(python3 -c '
import json, re, sys
r = json.load(open(sys.argv[1]))
bad = []
def ok(cond, what, shown=None):
    if not cond:
        bad.append("%s: %s" % (what, json.dumps(shown)[:400]))
exec(sys.argv[2])
print("\n".join(bad))
sys.exit(1 if bad else 0)' "$1" "$3" 2>&1); then pass "$2"; else fail "$2:"; printf '%s\n' "$out" | sed 's/^/  | /' | head -20; fi
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

# A crafted log whose values try to break out of the page: HTML in the program name, a
# "</script>" and a line separator (U+2028) in values that land in the embedded JSON.
hostile_log() {
    printf '%s\n' \
        '{"ts":"2026-07-02T10:00:00.000Z","pid":7,"exe":"/opt/</script><script>window.tfPwned=2</script>\u2028<img src=x onerror=\"window.tfPwned=3\">","tool":"shim","mode":"enforce","event":"max_version_raised","detail":{"old":"TLSv1.0","new":"TLSv1.3","via":"SSL_CTX_ctrl","applied":true},"caller":{"site":1,"count":1,"frames":[{"module":"/opt/<b>lib</b>.so","offset":"0x10","symbol":"x\u2029<svg onload=alert(1)>"}]}}' \
        '{"ts":"2026-07-02T10:00:01.000Z","pid":7,"exe":"/opt/</script><script>window.tfPwned=2</script>\u2028<img src=x onerror=\"window.tfPwned=3\">","tool":"shim","mode":"enforce","event":"handshake","detail":{"version":"TLSv1.2","sni":"<i>x</i>&amp;.example","peer":"127.0.0.1:993"}}'
}

# The page (tlsfloor-report-html through report --html) without a browser: its figures, what it
# may not contain, escaping, and the generator's handling of bad input.
case_report_html() {
    local gen=${TLSFLOOR_REPORT_HTML:?}
    cd "$here/fixtures" || exit 1
    expect_rc 0 "report --html" "$report" --no-source --html mixed.jsonl
    cp "$work/out" "$work/r.html"
    has "$work/r.html" "html: figures, chart, tables, script" '^<!DOCTYPE html>' \
        '<span class="n" id="fig-pinning-n">2</span>' '<span class="n" id="fig-legacy-n">3</span>' \
        '<span class="n" id="fig-basic-n">3</span>' '<span class="n" id="fig-uncovered-n">1</span>' \
        '<span class="n" id="fig-failed-n">2</span>' 'programs still pin TLS 1.0/1.1' \
        '<g class="bar" data-version="TLSv1.0" data-count="2">.*<rect class="bad" x="96" y="106" width="440"' \
        '<table class="sortable" id="findings">' '<table class="sortable" id="programs">' \
        '<table class="sortable" id="endpoints">' '<table class="sortable" id="call_sites">' \
        '<input type="search" class="filter" id="findings-filter"' '7 malformed lines skipped' \
        '<td>/usr/local/bin/überpoll</td>' "Content-Security-Policy\" content=\"default-src 'none'; style-src 'nonce-[0-9a-f]{32}'; script-src 'nonce-[0-9a-f]{32}'"
    sed '/<script type="application\/json"/d' "$work/r.html" > "$work/r-nodata.html"
    hasnt "$work/r-nodata.html" "html is self-contained (no external resources)" '(src|href)=|url\(|https?://|@import'
    "$report" --no-source --html many.jsonl > "$work/m.html"
    has "$work/m.html" "html chart for many.jsonl" '<g class="bar" data-version="TLSv1.3" data-count="24">'
    local n1 n2
    n1=$(grep -o "nonce-[0-9a-f]*" "$work/r.html" | head -1)
    n2=$(grep -o "nonce-[0-9a-f]*" "$work/m.html" | head -1)
    [ "$n1" != "$n2" ] && pass "every page has its own nonce" || fail "two pages share the nonce $n1"
    # hostile values: escaped as text, nothing closes the data script early, no raw U+2028
    hostile_log > "$work/hostile.jsonl"
    expect_rc 0 "report --html of a hostile log" "$report" --no-source --html "$work/hostile.jsonl"
    [ "$(grep -c '</script>' "$work/out")" = 2 ] && pass "hostile: only the page's two </script>" ||
        { fail "hostile: </script> count is $(grep -c '</script>' "$work/out")"; grep -n '</script>' "$work/out" | head; }
    hasnt "$work/out" "hostile: no markup from the log" '<img|<svg onload|<b>lib|<i>x'
    has "$work/out" "hostile: names shown escaped" '<td>/opt/&lt;/script&gt;&lt;script&gt;window.tfPwned=2&lt;/script&gt;' \
        '\\u003c/script\\u003e\\u003cscript\\u003e' '\\u2028\\u003cimg' '\\u2029\\u003csvg onload=alert\(1\)\\u003e'
    grep '<script type="application/json"' "$work/out" > "$work/data-line"
    if LC_ALL=C grep -q $'\xe2\x80[\xa8\xa9]' "$work/data-line"; then fail "hostile: a raw U+2028/U+2029 in the embedded JSON"
    else pass "hostile: no raw U+2028/U+2029 in the embedded JSON"; fi
    # --html hands the --json document to the page generator (TLSFLOOR_REPORT_HTML names it)
    printf '#!/bin/sh\ncat > "%s"\necho "<html>from the generator</html>"\n' "$work/got.json" > "$work/gen"
    chmod +x "$work/gen"
    TLSFLOOR_REPORT_HTML=$work/gen expect_rc 0 "report --html with a page generator" "$report" --no-source --html mixed.jsonl
    has "$work/out" "the generator's page is the output" '^<html>from the generator</html>$'
    "$report" --no-source --json mixed.jsonl > "$work/want.json"
    same "$work/got.json" "$work/want.json" "the generator got the --json document on stdin"
    # the generator alone
    expect_rc 1 "generator: not JSON" sh -c "printf '{\"summary\": [1,' | '$gen'"
    has "$work/err" "generator says why" 'not JSON: truncated at byte 15'
    [ -s "$work/out" ] && fail "generator wrote a page for bad input" || pass "nothing written for bad input"
    expect_rc 1 "generator: JSON that is no report" sh -c "echo '[1,2]' | '$gen'"
    expect_rc 1 "generator: nesting too deep" sh -c "awk 'BEGIN{for(i=0;i<100;i++)printf \"[\"}' | '$gen'"
    expect_rc 2 "generator: unknown argument" "$gen" --bogus
    expect_rc 0 "generator: a minimal report" sh -c "echo '{\"summary\":{}}' | '$gen'"
    has "$work/out" "minimal report: zero figures, no chart" 'id="fig-basic-n">0<' '(no completed handshakes)'
    expect_rc 2 "report --html without the generator" env TLSFLOOR_REPORT_HTML=/nonexistent sh -c \
        "cp '$report' '$work/lone-report' && '$work/lone-report' --html mixed.jsonl"
    has "$work/err" "missing generator named" 'needs tlsfloor-report-html'
}

# The page in Debian's headless Chromium, from a log the real shim wrote (real_log, plus a
# program with a hostile name and a handshake that fails even under enforce), the hostile
# crafted log and the fixture with every kind of finding. One load checks everything:
# html/hook.js (first) records errors and console calls, html/driver.js (last) reads figures,
# sorts and filters, and leaves its results in the DOM; html/check.py judges them against
# --json. The screenshot and the pages stay in DISC_BIN/html-artifacts/.
case_report_html_chromium() {
    local gen=${TLSFLOOR_REPORT_HTML:?} art=$bin/html-artifacts log=$work/real.jsonl
    if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root (netns-run: private namespaces)"; exit 77; fi
    command -v chromium > /dev/null || { fail "chromium is not installed (apt-get install chromium)"; return; }
    rm -rf "$art" && mkdir -p "$art/hostile-bin" || { fail "cannot make $art"; return; }
    local hostile_name=$'evil"\'><img src=x onerror=window.tfPwned=1>&amp;<b>x\xe2\x80\xa8y'
    local hostile=$art/hostile-bin/$hostile_name
    cp "$bin/disc_pinned_ssl3" "$hostile" || { fail "cannot copy the hostile program"; return; }
    {
        printf 'h=%q\n' "$hostile"
        cat <<'EXTRA'
LD_PRELOAD=$shim TLSFLOOR_LOG=$log TLSFLOOR_MODE=audit "$h" > $work/c4.log 2>&1
# a server that speaks only TLS 1.0: the enforced floor makes this handshake fail
openssl s_server -accept $((port + 1)) -tls1 -cert $pki/server.pem -key $pki/server.key -cipher 'DEFAULT:@SECLEVEL=0' -quiet -www > $work/srv10.log 2>&1 &
s10=$!
for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$((port + 1))) 2>/dev/null && break; sleep 0.1; done
echo Q | LD_PRELOAD=$shim TLSFLOOR_LOG=$log TLSFLOOR_MODE=enforce openssl s_client -tls1 -connect 127.0.0.1:$((port + 1)) > $work/c5.log 2>&1
kill $s10
EXTRA
    } > "$work/extra.sh"
    real_log "$log" "$work/extra.sh" || return
    "$logtool" --event handshake_failed --expect-min 1 "$log" 2>/dev/null && pass "the real log has a failed handshake" || fail "no handshake_failed in the real log"
    grep -qF 'evil\"'"'"'><img src=x onerror=window.tfPwned=1>&amp;<b>x' "$log" && pass "the real log names the hostile program" || fail "the hostile program left no record"
    hostile_log > "$work/hostile.jsonl"
    local inputs=("$log" "$work/hostile.jsonl" "$here/fixtures/mixed.jsonl")
    "$report" --no-source --json "${inputs[@]}" > "$art/report.json" || { fail "report --json"; return; }
    "$report" --no-source --html "${inputs[@]}" > "$art/report.html" || { fail "report --html"; return; }
    pass "report --json and --html of $(wc -l < "$log") real records and the hostile and fixture logs"
    # the test copy: hook.js right after the CSP meta, driver.js before </body>, with the nonce
    local nonce
    nonce=$(grep -o "script-src 'nonce-[0-9a-f]*'" "$art/report.html" | sed "s/.*nonce-//; s/'//")
    [ -n "$nonce" ] || fail "no script nonce in the page (no Content-Security-Policy)"
    python3 - "$art/report.html" "$art/report-test.html" "$nonce" "$hostile" "$here/html" <<'PY' || { fail "cannot make the test page"; return; }
import json, sys
page, out, nonce, hostile, d = sys.argv[1:6]
s = open(page, encoding="utf-8").read()
tag = '<script data-test="1" nonce="%s">' % nonce
hook = tag + open(d + "/hook.js").read() + "</script>\n"
name = json.dumps(hostile).replace("<", "\\u003c").replace("\u2028", "\\u2028")
driver = tag + "var TF_HOSTILE = " + name + ";\n" + open(d + "/driver.js").read() + "</script>\n"
csp = s.find('http-equiv="Content-Security-Policy"')
meta_end = s.index("/>", csp) + 2 if csp >= 0 else s.index("<head>") + 6
s = s[:meta_end] + "\n" + hook + s[meta_end:]
s = s[:s.rindex("</body>")] + driver + s[s.rindex("</body>"):]
open(out, "w", encoding="utf-8").write(s)
PY
    local t0=$SECONDS
    "$root/tests/lib/netns-run" timeout 180 chromium --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$art/profile" --enable-logging=stderr --v=0 --window-size=1280,2200 \
        --screenshot="$art/report.png" --dump-dom "file://$art/report-test.html" \
        > "$art/dom.html" 2> "$art/chromium.log"
    local rc=$?
    [ "$rc" = 0 ] && pass "chromium loaded the page ($((SECONDS - t0)) s)" || { fail "chromium exit $rc"; tail -5 "$art/chromium.log"; }
    [ -s "$art/report.png" ] && pass "screenshot kept: $art/report.png" || fail "no screenshot"
    python3 "$here/html/check.py" "$art/report.json" "$art/dom.html" "$art/chromium.log" "$hostile" > "$work/check.out" 2>&1
    cat "$work/check.out"
    ASSERT_FAILS=$((ASSERT_FAILS + $(grep -c '^FAIL' "$work/check.out")))
    grep -q '^[A-Za-z]*: the driver ran through' "$work/check.out" || fail "check.py did not judge the page"
    rm -rf "$art/profile"
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
    has "$work/out" "empty log report" '^tlsfloor report: 0 records from 1 input$' '^  \(none\)$'
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

# A log written by the real shim into LOG: openssl s_client -tls1 against s_server (audit and
# enforce) and the pinned fixture program (audit), in a private network namespace. EXTRA, a
# script, runs there too, after them, with port, shim, log, bin and work set.
real_log() {   # real_log LOG [EXTRA]
    local shim=${DISC_SHIM:?} pki=$bin/pki port=14433 log=$1 extra=${2:-/dev/null}
    [ -f "$shim" ] || { fail "shim $shim not built"; return 1; }
    "$root/tests/lib/mkpki" "$pki" || { fail "mkpki"; return 1; }
    cat > "$work/inner.sh" <<INNER
set -u
"$root/tests/lib/loopback-only" || exit 2
openssl s_server -accept $port -cert $pki/server.pem -key $pki/server.key -cipher 'DEFAULT:@SECLEVEL=0' -quiet -www > $work/srv.log 2>&1 &
srv=\$!
for i in \$(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
echo Q | LD_PRELOAD=$shim TLSFLOOR_LOG=$log TLSFLOOR_MODE=audit openssl s_client -tls1 -cipher 'DEFAULT:@SECLEVEL=0' -servername imap-legacy.office365.com -connect 127.0.0.1:$port > $work/c1.log 2>&1
echo Q | LD_PRELOAD=$shim TLSFLOOR_LOG=$log TLSFLOOR_MODE=enforce openssl s_client -tls1 -connect 127.0.0.1:$port > $work/c2.log 2>&1
LD_PRELOAD=$shim TLSFLOOR_LOG=$log TLSFLOOR_MODE=audit $bin/disc_pinned_ssl3 > $work/c3.log 2>&1
port=$port shim=$shim log=$log bin=$bin work=$work pki=$pki /bin/bash $extra
kill \$srv
INNER
    unshare -n /bin/bash "$work/inner.sh" || { fail "the shim run inside unshare -n failed"; return 1; }
    [ -s "$log" ] || { fail "the shim wrote no log at $log"; return 1; }
}

# A log written by the real shim: openssl s_client -tls1 against s_server, audit and enforce.
case_report_real() {
    local log=$work/real.jsonl port=14433
    if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root (unshare -n: a private network namespace)"; exit 77; fi
    real_log "$log" || return
    pass "the shim wrote $(wc -l < "$log") records"
    expect_rc 0 "report of the real log" "$report" "$log"
    # text: the checklist's sections hold the pins and the legacy name, with the code that asked
    # (values whole in JSON below; the text may wrap a long value onto the next line)
    local want
    want=$(grep -n 'the pin the report must point at' "$here/elf/pinned_client.c" | cut -d: -f1)
    has "$work/out" "real log: report shows the pins, versions, rewrite and modes" \
        '^modes: audit [0-9]+, enforce [0-9]+$' \
        'connections by negotiated version: TLSv1.3 1, TLSv1.0 1$' \
        '^  1\. pin TLS 1.0/1.1 .* 2 +1$' '^  2\. name a legacy endpoint .* 1 +1$' \
        '^1\. Programs that pin TLS 1.0/1.1' \
        "^  $(hostname) +/usr/bin/openssl +\? in the program\+0x[0-9a-f]+ +max_version_raised +TLSv1.0 -> TLSv1.3 via +audit +1$" \
        "^  $(hostname) +/usr/bin/openssl +\? in the program\+0x[0-9a-f]+ +min_version_raised +TLSv1.0 -> TLSv1.2 via +enforce +1$" \
        "pinned_client.c:$want( |$)" \
        '^2\. Programs that name a legacy endpoint' \
        'host_would_rewrite +imap-legacy.office365.com -> +audit' \
        "^  $(hostname) +imap-legacy.office365.com +$port +/usr/bin/openssl +1 +TLSv1.0 x1 " \
        "^  $(hostname) +127.0.0.1 +$port +/usr/bin/openssl +1 +TLSv1.3 x1 " \
        'negotiated TLSv1.0, below TLS 1.2'
    hasnt "$work/out" "real log: nothing malformed" 'malformed'
    too_wide "$work/out" 120 "real log: text"
    expect_rc 0 "report --no-source of the real log" "$report" --no-source "$log"
    hasnt "$work/out" "--no-source: no source lines" 'pinned_client.c:'
    expect_rc 0 "report --json of the real log" "$report" --json "$log"
    has "$work/out" "real log in JSON" '"connections_by_version": \{"TLSv1.3": 1, "TLSv1.0": 1\}' '"malformed": 0,'
    # the pinned fixture program has debug info: the method_pinned site resolves to its source line
    json_check "$work/out" "real log: call sites, endpoints and findings in JSON" "
host = '$(hostname)'
site = lambda ev, mode: [s for s in r['call_sites'] if s['event'] == ev and s['mode'] == mode]
mx = site('max_version_raised', 'audit')
ok(len(mx) == 1 and mx[0]['exe'] == mx[0]['module'] == '/usr/bin/openssl' and mx[0]['host'] == host, 'max_version_raised site', mx)
ok(mx[0]['change'] == 'TLSv1.0 -> TLSv1.3 via SSL_CTX_set_max_proto_version' and re.match('0x[0-9a-f]+$', mx[0]['offset']), 'its change and offset', mx)
mn = site('min_version_raised', 'enforce')
ok(len(mn) == 1 and mn[0]['change'] == 'TLSv1.0 -> TLSv1.2 via SSL_CTX_set_min_proto_version' and mn[0]['kind'] == 'pin', 'min_version_raised site', mn)
rw = site('host_would_rewrite', 'audit')
ok(len(rw) == 1 and rw[0]['change'] == 'imap-legacy.office365.com -> outlook.office365.com (sni)' and rw[0]['kind'] == 'legacy', 'host_would_rewrite site', rw)
mp = site('method_pinned', 'audit')
ok(len(mp) == 1 and mp[0]['exe'].endswith('/disc_pinned_ssl3') and mp[0]['symbol'] in ('main', None), 'method_pinned site', mp)
ok((mp[0]['source'] or '').endswith('/pinned_client.c:$want'), 'method_pinned source line via addr2line', mp)
ok(mp[0]['change'] == 'TLSv1_client_method -> TLS_client_method via SSL_CTX_new', 'method_pinned change', mp)
ep = {(e['endpoint'], e['port']): e for e in r['endpoints']}
ok(ep[('imap-legacy.office365.com', '$port')]['versions'] == 'TLSv1.0 x1', 'legacy endpoint negotiated TLSv1.0', ep)
ok(ep[('127.0.0.1', '$port')]['versions'] == 'TLSv1.3 x1', 'enforced endpoint negotiated TLSv1.3', ep)
ok(any(f['finding'].startswith('negotiated TLSv1.0, below TLS 1.2') and f['kind'] == 'pin' for f in r['findings']), 'below-floor finding', r['findings'])
ok(r['summary']['checklist']['pin'] == {'programs': 2, 'findings': 1}, 'checklist pin counts', r['summary']['checklist'])
"
}

# A record as the shim writes it, with a host, pid, program and event of our choosing.
shim_record() { # shim_record HOST PID EXE EVENT DETAIL [CALLER]
    printf '{"ts":"2026-09-01T10:00:00.000Z","host":"%s","pid":%s,"exe":"%s","tool":"shim","mode":"enforce","event":"%s","detail":%s%s}\n' \
        "$1" "$2" "$3" "$4" "$5" "${6:+,\"caller\":$6}"
}

# tlsfloor log, the one reader of scripts and tests (report/log.c): selection, output, assertions
# and exit codes; values read back exactly through --fields; .gz, stdin and many files; a call
# site's frame found from the record that carries it; hostile lines skipped, fatal only to --check.
case_log_reader() {
    cd "$work" || exit 1
    local lt=${TLSFLOOR_BUILD_DIR:?}/report/tlsfloor-log fr='{"site":1,"count":1,"frames":[{"module":"/usr/bin/a","offset":"0x10","symbol":"poll_main"}]}'
    {
        shim_record h 1 /usr/bin/a max_version_raised '{"old":"TLSv1.1","new":"TLSv1.3","via":"SSL_CTX_set_max_proto_version","applied":true}' "$fr"
        shim_record h 1 /usr/bin/a handshake '{"version":"TLSv1.2","sni":"tab\there","cipher":"TLS_AES_128_GCM_SHA256","peer":"C:\\new\\dir","below_floor":false,"changed":true,"port":993,"changes":"max_version"}' '{"site":1,"count":2}'
        shim_record h 2 /usr/bin/b handshake '{"version":"TLSv1.3","cipher":"TLS_AES_128_GCM_SHA256","sni":"outlook.office365.com","peer":"127.0.0.1:993","below_floor":false,"changed":false,"port":993,"changes":""}'
        shim_record h 2 /usr/bin/b config_error '{"message":"line\none"}'
    } > good.jsonl
    expect_rc 0 "--count" "$lt" --count good.jsonl
    has "$work/out" "--count: all four" '^4$'
    expect_rc 0 "--fields" "$lt" --event handshake --fields pid,detail.sni,detail.peer,frame.symbol,detail.absent good.jsonl
    printf '1\ttab\\there\tC:\\\\new\\\\dir\tpoll_main\t\n2\toutlook.office365.com\t127.0.0.1:993\t\t\n' > want.tsv
    same "$work/out" want.tsv "--fields: TAB and backslash escaped, a site's frame from its first record, absent as empty"
    expect_rc 0 "--fields of a newline" "$lt" --event config_error --fields detail.message good.jsonl
    has "$work/out" "--fields: a newline as \\n" '^line\\none$'
    expect_rc 0 "--where = ~ ? ! and --event lists" "$lt" --event handshake,config_error --where pid=2 \
        --where 'detail.sni~^outlook' --where detail.version? --where detail.role! --count good.jsonl
    has "$work/out" "--where: one record" '^1$'
    expect_rc 0 "booleans and numbers by value" "$lt" --where detail.changed=true --where pid=1.0 --expect 1 good.jsonl
    expect_rc 1 "a failed --expect" "$lt" --event handshake --expect 3 good.jsonl
    has "$work/err" "a failed --expect says why and where" 'expected exactly 3' 'good.jsonl:1: max_version_raised'
    expect_rc 1 "--none fails when a record matches" "$lt" --event config_error --none good.jsonl
    expect_rc 0 "--check of a whole, valid log" "$lt" --check good.jsonl
    expect_rc 2 "an unreadable log" "$lt" --count "$work/absent.jsonl"
    expect_rc 2 "an unknown key" "$lt" --where nosuch.key=1 --count good.jsonl
    expect_rc 2 "two outputs" "$lt" --count --summary good.jsonl
    # .gz, stdin and two files add up
    gzip -c good.jsonl > good.jsonl.1.gz
    expect_rc 0 ".gz, stdin and a file together" "$lt" --event handshake --count good.jsonl.1.gz - good.jsonl < good.jsonl
    has "$work/out" "three inputs: six handshakes" '^6$'
    # hostile lines: skipped and counted for a query, fatal to --check (which names the line)
    {
        cat good.jsonl
        head -c 2097152 /dev/zero | tr '\0' 'x'; echo
        python3 -c 'print("{\"event\":\"e\",\"x\":" + "[" * 5000 + "]" * 5000 + "}")'
        head -c 3000 /dev/urandom | tr -d '\n'; echo
        shim_record h 3 /usr/bin/c handshake '{"version":"TLSv1.2","extra":1}'
        printf '{"ts":"2026-09-01T10:00:00.000Z","pid":3,"exe":"/usr/bin/c","event":"handshake","detail":{"version":"TLSv1.2"'
    } > hostile.jsonl
    expect_rc 0 "hostile lines: a query goes on" timeout 20 "$lt" --event handshake --count hostile.jsonl
    has "$work/out" "hostile lines: the good handshakes counted" '^3$'
    has "$work/err" "hostile lines: counted" 'malformed and 1 huge lines? skipped'
    expect_rc 1 "--check refuses the hostile log" timeout 20 "$lt" --check hostile.jsonl
    has "$work/err" "--check names the line and the reason" 'hostile.jsonl:8: handshake: detail key "extra" is not in the event table'
}

# The text report fits 120 columns (or --width) however long the paths and texts; --json keeps them whole.
case_report_width() {
    cd "$work" || exit 1
    local long=/opt/very/long/vendor/directory/structure/that/goes/on/and/on/for/a/while/release-2026.11/bin/the-mail-poller-with-a-long-name
    local lib=/opt/very/long/vendor/directory/structure/that/goes/on/lib/x86_64-linux-gnu/libvendor-network-transport.so.7.3.1
    {
        shim_record mx1.example.net 10 "$long" max_version_raised '{"old":"TLSv1.1","new":"TLSv1.3","via":"SSL_CTX_set_max_proto_version"}' \
            "{\"site\":1,\"count\":1,\"frames\":[{\"module\":\"$lib\",\"offset\":\"0x1a2b0\",\"symbol\":\"vendor_transport_open_secure_channel_with_options\",\"build_id\":null}]}"
        shim_record mx1.example.net 10 "$long" handshake '{"version":"TLSv1.0","sni":"imap-legacy.office365.com","peer":"127.0.0.1:993","changed":true,"changes":"max_version"}'
        shim_record mx1.example.net 10 "$long" auth '{"mechanism":"basic","command":"LOGIN"}'
        shim_record mx1.example.net 11 "$long" config_error "{\"message\":\"$(printf 'word%.0s ' $(seq 60))\"}"
        shim_record a-very-long-host-name-in-a-large-fleet.datacenter-eu-west.example.net 12 /usr/bin/fetchmail uncovered_connection '{"peer":"10.0.0.1:995","libraries":"libgnutls.so.30","stack":"GnuTLS","verdict":"not reached"}'
    } > wide.jsonl
    expect_rc 0 "report of long paths" "$report" --no-source wide.jsonl
    too_wide "$work/out" 120 "default text"
    has "$work/out" "long paths shortened in the middle, start and end kept" '/opt/very/lo.*….*long-name' \
        '^  1\. pin TLS 1.0/1.1 .* 1 +1$' '^  2\. name a legacy endpoint .* 1 +1$' '^  3\. authenticate with Basic auth .* 1 +1$' \
        '^  4\. make TLS connections tlsfloor cannot reach .* 1 +1$'
    # the checklist is on the first screen (24 lines)
    head -24 "$work/out" > "$work/first"
    has "$work/first" "checklist within the first 24 lines" '^Checklist' '^  5\. '
    expect_rc 0 "report --width 100" "$report" --no-source --width 100 wide.jsonl
    too_wide "$work/out" 100 "--width 100"
    expect_rc 0 "report --json of long paths" "$report" --no-source --json wide.jsonl
    json_check "$work/out" "--json keeps every value whole" "
ok(r['programs'][0]['exe'] == '$long' or r['programs'][1]['exe'] == '$long', 'exe whole', r['programs'])
ok(any(s['module'] == '$lib' and s['symbol'] == 'vendor_transport_open_secure_channel_with_options' for s in r['call_sites']), 'module whole', r['call_sites'])
ok(any(f['kind'] == 'uncovered' and 'stack GnuTLS: not reached' in f['finding'] for f in r['findings']), 'uncovered finding with its stack', r['findings'])
"
}

# Many files at once, .gz as logrotate leaves them, standard input; malformed, huge, truncated and
# hostile lines counted and skipped, never fatal, never slow.
case_report_inputs() {
    cd "$work" || exit 1
    local fx=$here/fixtures
    gzip -c "$fx/mixed.jsonl" > mixed.jsonl.1.gz
    expect_rc 0 "report of a .gz log" "$report" --no-source --json mixed.jsonl.1.gz
    sed 's/"mixed.jsonl.1.gz/"mixed.jsonl/g' "$work/out" > gz.json
    "$report" --no-source --json "$fx/mixed.jsonl" | sed "s|\"$fx/mixed.jsonl|\"mixed.jsonl|g" > plain.json
    same gz.json plain.json "the .gz log reads as the plain one"
    expect_rc 0 "report of .gz, plain and stdin together" "$report" --no-source --json mixed.jsonl.1.gz "$fx/many.jsonl" - < "$fx/mixed.jsonl"
    has "$work/out" "three inputs add up" '"records": 410,' '"malformed": 15,' '"truncated": 2,' \
        "\"inputs\": \\[\"mixed.jsonl.1.gz\", \"$fx/many.jsonl\", \"\\(stdin\\)\"\\]"
    # hostile lines: 2 MiB of one line, a deep nest, NUL and binary bytes, a line cut at EOF
    {
        shim_record h 1 /usr/bin/a handshake '{"version":"TLSv1.2","sni":"outlook.office365.com","peer":"127.0.0.1:993"}'
        head -c 2097152 /dev/zero | tr '\0' 'x'; echo
        shim_record h 1 /usr/bin/a handshake '{"version":"TLSv1.3","sni":"outlook.office365.com","peer":"127.0.0.1:993"}'
        python3 -c 'print("{\"event\":\"e\",\"x\":" + "[" * 5000 + "]" * 5000 + "}")'
        printf '{"event":"handshake","exe":"a\0b"}\n'
        head -c 3000 /dev/urandom | tr -d '\n'; echo
        shim_record h 2 /usr/bin/b auth '{"mechanism":"basic","command":"LOGIN","sni":"outlook.office365.com","peer":"127.0.0.1:993"}'
        printf '{"ts":"2026-09-01T10:00:00.000Z","pid":3,"exe":"/usr/bin/c","event":"handshake","detail":{"version":"TLSv1.2"'
    } > hostile.jsonl
    expect_rc 0 "report of hostile lines" "$report" --no-source --json hostile.jsonl
    json_check "$work/out" "hostile lines counted, good records kept" "
s = r['summary']
ok(s['records'] == 3, 'three good records', s)
ok(s['malformed'] == 5 and s['huge_lines'] == 1, 'five malformed lines, one of them huge', s)
ok(s['malformed_at'] == ['hostile.jsonl:2', 'hostile.jsonl:4', 'hostile.jsonl:5', 'hostile.jsonl:6', 'hostile.jsonl:8'], 'where', s)
ok(s['connections_by_version'] == {'TLSv1.3': 1, 'TLSv1.2': 1}, 'versions', s)
"
    expect_rc 0 "text report of hostile lines" "$report" --no-source hostile.jsonl
    has "$work/out" "text says what was skipped" '^5 malformed lines skipped \(hostile.jsonl:2, ' '^1 of them longer than 1048576 bytes$'
    # 40 MiB of deep nesting and escapes in 1 MiB lines: linear, a few seconds at most
    python3 -c '
import sys
deep = "{\"event\":\"e\",\"x\":[" + "[[[[[[[[[[[[[[1]]]]]]]]]]]]]]," * 30000 + "1]}\n"
esc = "{\"event\":\"e\",\"x\":\"" + "\\u00e9\\ud83d\\ude00\\n" * 40000 + "\"}\n"
for i in range(20):
    sys.stdout.write(deep + esc)' > slow.jsonl
    local t0 t1
    t0=$(date +%s%N)
    expect_rc 0 "report of 40 MiB of hostile lines" "$report" --no-source --json slow.jsonl
    t1=$(date +%s%N)
    if [ $(((t1 - t0) / 1000000)) -lt 10000 ]; then pass "40 MiB of hostile lines in $(((t1 - t0) / 1000000)) ms"
    else fail "40 MiB of hostile lines took $(((t1 - t0) / 1000000)) ms"; fi
    has "$work/out" "hostile but valid lines are records" '"records": 40,'
    # a .gz cut short: what was read counts, gzip's complaint is said, the report is written
    head -c 1000 mixed.jsonl.1.gz > cut.jsonl.gz
    expect_rc 0 "report of a truncated .gz" "$report" --no-source --json cut.jsonl.gz
    has "$work/err" "truncated .gz said on stderr" 'cut.jsonl.gz: gzip -dc failed'
}

# Records of the Java agent (tool "java", frames {class, method, file, line}) as Log.java writes
# them: the call site names the class and method with file:line.
case_report_java() {
    cd "$work" || exit 1
    local fr='[{"class":"com.example.mail.ImapPoller","method":"openSecure","file":"ImapPoller.java","line":87},{"class":"com.example.Main","method":"main","file":"Main.java","line":12}]'
    {
        printf '{"ts":"2026-09-01T10:00:00.000Z","pid":77,"exe":"/usr/lib/jvm/java-17-openjdk-amd64/bin/java","tool":"java","mode":"enforce","event":"max_version_raised","detail":{"old":"TLSv1.1","new":"TLSv1.3","via":"SSLContext.getInstance"},"caller":{"site":1,"count":1,"frames":%s}}\n' "$fr"
        printf '{"ts":"2026-09-01T10:00:01.000Z","pid":77,"exe":"/usr/lib/jvm/java-17-openjdk-amd64/bin/java","tool":"java","mode":"enforce","event":"max_version_raised","detail":{"old":"TLSv1.1","new":"TLSv1.3","via":"SSLContext.getInstance"},"caller":{"site":1,"count":2}}\n'
        printf '{"ts":"2026-09-01T10:00:02.000Z","pid":77,"exe":"/usr/lib/jvm/java-17-openjdk-amd64/bin/java","tool":"java","mode":"enforce","event":"host_rewritten","detail":{"old":"imap-legacy.office365.com","new":"outlook.office365.com","layer":"java"},"caller":{"site":2,"count":1,"frames":[{"class":"com.example.mail.ImapPoller","method":"connect","file":null,"line":null}]}}\n'
    } > java.jsonl
    # (wide enough that nothing wraps; the 120-column layout is case_report_width's)
    expect_rc 0 "report of Java agent records" "$report" --width 200 java.jsonl
    has "$work/out" "Java call sites: class.method (file:line)" \
        ' com\.example\.mail\.ImapPoller\.openSecure \(ImapPoller\.java:87\) +max_version_raised +TLSv1.1 -> TLSv1.3 via SSLContext.getInstance +enforce +2$' \
        ' com\.example\.mail\.ImapPoller\.connect +host_rewritten +imap-legacy.office365.com -> outlook.office365.com \(java\) +enforce +1$'
    expect_rc 0 "report --json of Java agent records" "$report" --json java.jsonl
    json_check "$work/out" "Java call sites in JSON" "
s = {c['event']: c for c in r['call_sites']}
m = s['max_version_raised']
ok(m['module'] == 'com.example.mail.ImapPoller' and m['symbol'] == 'openSecure' and m['source'] == 'ImapPoller.java:87', 'java frame', m)
ok(m['count'] == 2 and m['offset'] is None and m['kind'] == 'pin', 'count and kind', m)
h = s['host_rewritten']
ok(h['module'] == 'com.example.mail.ImapPoller' and h['symbol'] == 'connect' and h['source'] is None and h['kind'] == 'legacy', 'java frame without a file', h)
"
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
# a binary that imports TLSv1_client_method. A binary that names a retired endpoint only in its
# help text (disc_help_legacy) is left out too. Special files are skipped, symbolic links not
# followed.
case_scan_precision() {
    local t=$work/tree
    mkdir -p "$t" && cp -r "$here/fixtures/precision/." "$t/" && cp "$bin/disc_pinned_ssl3" "$bin/disc_help_legacy" "$t/bin/" || { fail "copy"; return; }
    mkfifo "$t/bin/fifo" && ln -s /usr/bin/openssl "$t/bin/openssl-link" && ln -s /nonexistent "$t/dangling"
    expect_rc 1 "scan of a tree with documentation, help text, pins and a pinning binary" timeout 120 "$scan" "$t"
    cp "$work/out" "$work/default.txt"
    has "$work/default.txt" "default: the program's pins are found, high, counted per file" \
        '5 text files, 0 Java files, 0 other files; 3 programs or files with findings \(3 high, 0 medium, 0 low confidence; 3 findings\)$' \
        '^7 matches in documentation or help text not shown \(--all shows them\)$' \
        'bin/disc_help_legacy +program +OpenSSL 3 \(libssl.so.3\) +yes +- +-$' \
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
        'bin/poll:5 +minimum below TLS 1.2 \(curl\) +low ' '; 7 programs or files with findings \(3 high, 0 medium, 4 low confidence; 10 findings\)$' \
        'bin/disc_help_legacy +program +OpenSSL 3 \(libssl.so.3\) +yes +- +imap-legacy.office365.com$' \
        'confidence: low \(names a retired endpoint only in help or usage text\)$'
    hasnt "$work/out" "--all: nothing hidden" 'not shown'
    expect_rc 1 "scan --all --json" "$scan" --all --json "$t"
    has "$work/out" "--all --json: reasons" '"programs": 7,' '"hidden": 0,' \
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
    # the test programs copied: other tests write into $bin while this one runs
    mkdir -p "$work/progs" && cp "$bin"/disc_* "$work/progs/" || { fail "cannot copy the test programs"; return; }
    for j in 1 2 8; do
        expect_rc 1 "scan --jobs $j" "$scan" --json --all --jobs "$j" /usr/bin "$here/fixtures" "$work/progs"
        cp "$work/out" "$work/jobs$j.json"
    done
    has "$work/jobs1.json" "the serial scan found ELF and text files" '"elf": [1-9][0-9]+,' '"text": [1-9][0-9]*,'
    same "$work/jobs2.json" "$work/jobs1.json" "2 threads: the same result as 1"
    same "$work/jobs8.json" "$work/jobs1.json" "8 threads: the same result as 1"
    expect_rc 2 "--jobs needs a number" "$scan" --jobs x /usr/bin
}

declare -F "case_${1:-}" > /dev/null || { echo "FAIL: no test case '${1:-}' in $0"; exit 1; }
"case_$1"
finish
