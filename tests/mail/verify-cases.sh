# `tlsfloor verify` (scripts/tlsfloor-verify) against the mail servers; sourced by run.sh after
# start_servers.  Each run_verify captures stdout (the command's output, then the report), the
# status, and a --json report from a separate run where noted.
V=$TF_SRC/scripts/tlsfloor-verify
PYM=("$PY" "$MAILDIR_SRC/pymail.py")
export TLSFLOOR_LIBRARY=$TF_LIB

run_verify() { # run_verify NAME VERIFY-ARGS... -- COMMAND...   (no shim of our own around it)
    local n=$1; shift
    env -u LD_PRELOAD "$V" "$@" > "$OUT/$n.out" 2> "$OUT/$n.err" < /dev/null
    echo $? > "$OUT/$n.rc"
}
expect_rc() { # expect_rc NAME STATUS WHAT
    if [ "$(rc "$1")" = "$2" ]; then pass "$3 (status $2)"; else fail "$3: status $(rc "$1"), wanted $2"; show "$1"; fi
}
expect_out() { # expect_out NAME ERE WHAT
    if grep -Eq -- "$2" "$OUT/$1.out"; then pass "$3"; else fail "$3: no line matching /$2/"; show "$1"; fi
}
# A python3 one-off that checks the --json report (the tool itself needs no python).
json_check() { # json_check NAME PY-EXPR WHAT     (r is the parsed report)
    if env -u LD_PRELOAD "$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if ('"$2"') else 1)' \
            "$OUT/$1.json" 2>"$OUT/$1.jsonerr"; then
        pass "$3"
    else
        fail "$3 ($2)"; sed 's/^/    | /' "$OUT/$1.json" "$OUT/$1.jsonerr" | head -c 3000
    fi
}

case_begin "verify: pinned python3 POP3 STLS, enforce"
run_verify v-pin -- "${PYM[@]}" pop3-stls outlook.office365.com 110 max11 "$CA"
expect_rc v-pin 0 "exit 0: every connection at TLS >= 1.2"
expect_out v-pin '^RETR Subject: Ticket 1' "the command's own output comes through"
expect_out v-pin '^outlook\.office365\.com +110 +POP3 +TLSv1\.[23] +[a-z_,]*max_version[a-z_,]* +ok$' "one row: host, port, POP3, version, max_version changed, ok"
expect_out v-pin '^max_version_raised: TLSv1\.1 -> TLSv1\.3 via SSL_CTX_set_max_proto_version, asked by .*_ssl' "names the intervention and the module that asked"
expect_out v-pin '^VERDICT: works under TLS 1\.2 with tlsfloor; tlsfloor had to change: .*max_version' "verdict: works with tlsfloor"
check "exactly one row" test "$(grep -Ec ' (ok|BELOW FLOOR|FAILED: .*)$' "$OUT/v-pin.out")" -eq 1

case_begin "verify --native: the same pinned client on its own"
run_verify v-pin-native --native -- "${PYM[@]}" pop3-stls outlook.office365.com 110 max11 "$CA"
expect_rc v-pin-native 1 "exit status is the command's own (python failed)"
expect_out v-pin-native '^outlook\.office365\.com +110 +POP3 +- +would: [a-z_,]*max_version[a-z_,]* +FAILED: ' "row: failed handshake with its reason, what tlsfloor would change"
expect_out v-pin-native '^max_version_raised \(not applied\): TLSv1\.1 -> TLSv1\.3' "audit intervention listed as not applied"
expect_out v-pin-native '^VERDICT: does not work under TLS 1\.2 on its own \(tlsfloor only watched\): handshake with outlook\.office365\.com:110 failed: .*tlsfloor would change: .*max_version' "verdict: does not work on its own"

case_begin "verify: a modern client"
run_verify v-ctl -- "${PYM[@]}" imaps outlook.office365.com 993 none "$CA"
expect_rc v-ctl 0 "exit 0"
expect_out v-ctl '^outlook\.office365\.com +993 +IMAP +TLSv1\.3 +- +ok$' "row: IMAP TLSv1.3 nothing changed"
expect_out v-ctl '^VERDICT: works under TLS 1\.2 without help: tlsfloor changed nothing' "verdict: works without help"
run_verify v-ctl-native --native -- "${PYM[@]}" imaps outlook.office365.com 993 none "$CA"
expect_rc v-ctl-native 0 "--native: exit 0"
expect_out v-ctl-native '^VERDICT: works under TLS 1\.2 on its own, without tlsfloor' "--native verdict: works on its own"

case_begin "verify --native: pinned client against the legacy server (connects, below the floor)"
run_verify v-below --native -- "${PYM[@]}" imaps outlook.office365.com 993 max11 "$CA" "$L"
expect_rc v-below 3 "exit 3: the command worked but negotiated below the floor"
expect_out v-below '^outlook\.office365\.com +993 +IMAP +TLSv1\.1 +would: [a-z_,]*max_version[a-z_,]* +BELOW FLOOR$' "row: TLSv1.1 below floor"
expect_out v-below '^VERDICT: does not work under TLS 1\.2 on its own .*1 connection\(s\) negotiated an older version' "verdict names the old version"

case_begin "verify: legacy host name, SMTP submission (sent once)"
n0=$(grep -c '^MESSAGE' "$SINK_modern")
run_verify v-leg -- "${PYM[@]}" smtp-starttls smtp-legacy.office365.com 587 none "$CA"
expect_rc v-leg 0 "exit 0"
expect_out v-leg '^smtp\.office365\.com +587 +SMTP +TLSv1\.3 +host +ok$' "row: SMTP to the standard host, host changed"
expect_out v-leg '^host rewritten smtp-legacy\.office365\.com -> smtp\.office365\.com \(.*resolve' "rewrite listed"
check "the message reached the sink exactly once" test "$(grep -c '^MESSAGE' "$SINK_modern")" -eq $((n0 + 1))
run_verify v-leg-native --native -- "${PYM[@]}" smtp-starttls smtp-legacy.office365.com 587 none "$CA"
expect_rc v-leg-native 1 "--native: the command's status (name does not resolve)"
expect_out v-leg-native '^\(no TLS connections\)' "--native: no connection"
expect_out v-leg-native '^VERDICT: no TLS connection .*legacy host names seen: smtp-legacy\.office365\.com -> smtp\.office365\.com' "--native verdict names the legacy host"

case_begin "verify: several connections in one run (IMAPS pinned, SMTP legacy name, POP3 modern)"
cat > "$T/multi.sh" <<EOF
#!/bin/sh
set -e
echo run >> "$T/multi.count"
"$PY" "$MAILDIR_SRC/pymail.py" imaps outlook.office365.com 993 tlsv1 "$CA"
"$PY" "$MAILDIR_SRC/pymail.py" smtp-starttls smtp-legacy.office365.com 587 max11 "$CA"
"$PY" "$MAILDIR_SRC/pymail.py" pop3s outlook.office365.com 995 none "$CA"
EOF
chmod +x "$T/multi.sh"
run_verify v-multi --json --output "$OUT/v-multi.json" -- "$T/multi.sh"
expect_rc v-multi 0 "exit 0"
check "COMMAND ran exactly once" test "$(wc -l < "$T/multi.count")" -eq 1
check "--output: stdout holds only the command's output" bash -c "! grep -q 'VERDICT\\|\"verdict\"' '$OUT/v-multi.out'"
json_check v-multi 'len(r["connections"]) == 3' "--json: three connections"
json_check v-multi '[c["protocol"] for c in r["connections"]] == ["IMAP","SMTP","POP3"] and [c["port"] for c in r["connections"]] == [993,587,995]' "--json: protocols and ports"
json_check v-multi 'all(c["result"] == "ok" and c["version"] in ("TLSv1.2","TLSv1.3") for c in r["connections"])' "--json: all ok at >= 1.2"
json_check v-multi '"method" in r["connections"][0]["changes"] and set(r["connections"][1]["changes"]) >= {"host","max_version"} and r["connections"][2]["changes"] == []' "--json: per-connection changes"
json_check v-multi 'r["rewrites"] == [{"old":"smtp-legacy.office365.com","new":"smtp.office365.com","applied":True}]' "--json: rewrite"
json_check v-multi 'r["verdict"]["result"] == "ok" and r["exit_status"] == 0 and r["command_status"] == 0 and r["mode"] == "enforce" and r["floor"] == "TLSv1.2"' "--json: verdict and statuses"
json_check v-multi '{i["event"] for i in r["interventions"]} >= {"method_pinned","max_version_raised"}' "--json: interventions"

case_begin "verify --json --native: failure reason"
run_verify v-json-fail --json --native --output "$OUT/v-json-fail.json" -- "${PYM[@]}" imaps outlook.office365.com 993 tlsv1 "$CA"
expect_rc v-json-fail 1 "the command's status"
json_check v-json-fail 'r["connections"][0]["result"] == "failed" and r["connections"][0]["reason"] and r["connections"][0]["version"] is None' "--json: failed connection with a reason"
json_check v-json-fail 'r["verdict"]["result"] == "failed" and r["exit_status"] == 1 and r["mode"] == "audit"' "--json: verdict failed"

case_begin "verify: pinned curl, IMAPS, legacy name, --tls-max 1.1"
run_verify v-curl --json --output "$OUT/v-curl.json" -- curl -sS --cacert "$CA" --user "$U" --tls-max 1.1 imaps://imap-legacy.office365.com/INBOX
expect_rc v-curl 0 "exit 0"
json_check v-curl 'len(r["connections"]) == 1 and r["connections"][0]["sni"] == "outlook.office365.com" and set(r["connections"][0]["changes"]) >= {"host","max_version"}' "--json: one connection, host and max_version changed"

case_begin "verify: --min 1.3"
run_verify v-min13 --min 1.3 -- curl -sS --cacert "$CA" --user "$U" --tls-max 1.2 imaps://outlook.office365.com/INBOX
expect_rc v-min13 0 "exit 0"
expect_out v-min13 'TLSv1\.3 .*max_version.* ok$' "TLSv1.3 negotiated, cap raised"
expect_out v-min13 '^VERDICT: works under TLS 1\.3 with tlsfloor' "verdict names TLS 1.3"

case_begin "verify: exit statuses without TLS"
run_verify v-none -- /bin/true
expect_rc v-none 4 "no TLS connection: exit 4"
expect_out v-none '^VERDICT: no TLS connection' "verdict: no TLS connection"
run_verify v-cmdfail -- /bin/sh -c 'exit 7'
expect_rc v-cmdfail 7 "a failing command: its own status"
run_verify v-refused -- curl -sS imaps://outlook.office365.com:9993/
expect_rc v-refused 7 "refused port: curl's own status"
run_verify v-usage
expect_rc v-usage 2 "no command: usage error 2"
run_verify v-badopt --bogus -- /bin/true
expect_rc v-badopt 2 "unknown option: usage error 2"

case_begin "verify: runs COMMAND once even when it fails; finds the library"
: > "$T/once.count"
run_verify v-once -- /bin/sh -c "echo run >> '$T/once.count'; exec '$PY' '$MAILDIR_SRC/pymail.py' pop3s outlook.office365.com 9995 none '$CA'"
expect_rc v-once 1 "the failing command's status"
check "COMMAND ran exactly once" test "$(wc -l < "$T/once.count")" -eq 1
mkdir -p "$T/repo/scripts" "$T/repo/build/preload" "$T/repo/build/report"
cp "$V" "$V.awk" "$T/repo/scripts/"
cp "$TF_LIB" "$T/repo/build/preload/libtlsfloor.so"
# the build's tables (tables/ports.tsv: the protocol column) and log reader, as the library,
# from <repo>/build
mkdir -p "$T/repo/build/tables" && cp -r "$(dirname "$TF_LIB")/../tables/tables" "$T/repo/build/tables/"
cp "$(dirname "$TF_LIB")/../report/tlsfloor-log" "$T/repo/build/report/"
env -u TLSFLOOR_LIBRARY -u LD_PRELOAD "$T/repo/scripts/tlsfloor-verify" -- "${PYM[@]}" imaps outlook.office365.com 993 max11 "$CA" > "$OUT/v-rel.out" 2>&1
echo $? > "$OUT/v-rel.rc"
expect_rc v-rel 0 "library found at <repo>/build/preload relative to the script"
rm "$T/repo/build/preload/libtlsfloor.so"
: > "$T/nolib.count"
env -u TLSFLOOR_LIBRARY -u LD_PRELOAD "$T/repo/scripts/tlsfloor-verify" -- /bin/sh -c "echo run >> '$T/nolib.count'" > "$OUT/v-nolib.out" 2>&1
echo $? > "$OUT/v-nolib.rc"
expect_rc v-nolib 2 "no library: status 2"
check "no library: COMMAND not run" test ! -s "$T/nolib.count"
expect_out v-nolib 'cannot find libtlsfloor\.so' "no library: says so"
# the log reader (tlsfloor-log) is found the same way, before COMMAND runs
cp "$TF_LIB" "$T/repo/build/preload/libtlsfloor.so"
rm "$T/repo/build/report/tlsfloor-log"
: > "$T/noreader.count"
env -u TLSFLOOR_LIBRARY -u LD_PRELOAD "$T/repo/scripts/tlsfloor-verify" -- /bin/sh -c "echo run >> '$T/noreader.count'" > "$OUT/v-noreader.out" 2>&1
echo $? > "$OUT/v-noreader.rc"
expect_rc v-noreader 2 "no log reader: status 2"
check "no log reader: COMMAND not run" test ! -s "$T/noreader.count"
expect_out v-noreader 'cannot find tlsfloor-log' "no log reader: says so"
