#!/usr/bin/awk -f
# tlsfloor-verify.awk: the report and verdict of `tlsfloor verify` (scripts/tlsfloor-verify).
# It never parses JSON: its input is `tlsfloor-log --fields FIELDS LOG`, one record a line, the
# values TAB-separated in the order of FIELDS (strings decoded; a TAB, newline or CR in a value
# written \t, \n, \r; "" absent, null as null). Variables (awk -v): fields (that same
# comma-separated list), mode (enforce|audit), floor (1.2|1.3), status (COMMAND's), json (0|1),
# cmd (the command line), mailports ("993 IMAP,995 POP3,...": tables/ports.tsv).
# Exits with the verdict's status: COMMAND's own when it failed, else 0, 3 or 4.

# the value of a field by its name ("detail.peer"), decoded; "" when absent or null (unknown)
function v(name,    s, out, c) {
    s = $(COL[name])
    if (s == "null") return ""
    out = ""
    while (match(s, /\\[tnr\\]/)) {
        c = substr(s, RSTART + 1, 1)
        out = out substr(s, 1, RSTART - 1) (c == "t" ? "\t" : (c == "n" ? "\n" : (c == "r" ? "\r" : "\\")))
        s = substr(s, RSTART + 2)
    }
    return out s
}
# s with its control characters escaped as the log writes them (common/tf_json.c): \n, \t,
# \u00XX; quote and backslash too when for_json (a JSON string's content), never raw to a terminal
function esc(s, for_json,    out, c) {
    if (for_json) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s) }
    out = ""
    while (match(s, /[\001-\037\177]/)) {
        c = substr(s, RSTART, 1)
        out = out substr(s, 1, RSTART - 1) (c == "\n" ? "\\n" : (c == "\t" ? "\\t" : sprintf("\\u%04x", ORD[c])))
        s = substr(s, RSTART + 1)
    }
    return out s
}
function jq(s) { return "\"" esc(s, 1) "\"" }          # a JSON string
function jstr_or_null(s) { return s == "" ? "null" : jq(s) }
function proto(port) { return (port in PORTPROTO) ? PORTPROTO[port] : "-" }
function vnum(ver) {   # TLS version name to a comparable number
    if (ver == "TLSv1.3") return 13; if (ver == "TLSv1.2") return 12
    if (ver == "TLSv1.1") return 11; if (ver == "TLSv1" || ver == "TLSv1.0") return 10
    if (ver == "SSLv3") return 3
    return 0
}
BEGIN {
    FS = "\t"
    nfields = split(fields, FNAME, ",")
    for (i = 1; i <= nfields; i++) COL[FNAME[i]] = i
    for (i = 1; i < 32; i++) ORD[sprintf("%c", i)] = i
    ORD["\177"] = 127
    m = split(mailports, list, ",")
    for (i = 1; i <= m; i++) { split(list[i], pp, " "); PORTPROTO[pp[1] + 0] = pp[2] }
    n = 0; nrw = 0; nint = 0; nnote = 0; fl = (floor == "1.3") ? 13 : 12
}
{
    ev = v("event")
    if (ev == "handshake" || ev == "handshake_failed") handshake(ev)
    else if (ev == "host_rewritten" || ev == "host_would_rewrite") rewrite()
    else if (ev ~ /^(method_pinned|max_version_raised|min_version_raised|option_cleared|cipher_list_extended|verify_required|protocols_raised)$/) intervention(ev)
    else if (ev == "config_error" || ev == "shim_inactive") {
        # the detail object's members as the log has them, cut at 200 bytes
        d = v("detail"); gsub(/^\{|\}$/, "", d); gsub(/\\"/, "\"", d); gsub(/\\\\/, "\\", d)
        nnote++; NOTE[nnote] = ev ": " substr(d, 1, 200)
    }
}
function handshake(ev,    peer, sni, port, addr, java, bf, below) {
    n++
    peer = v("detail.peer"); sni = v("detail.sni")
    port = ""; addr = ""
    java = v("tool") == "java"   # the Java agent records address and port apart
    if (peer != "" && !java && match(peer, /:[0-9]+$/)) {
        port = substr(peer, RSTART + 1); addr = substr(peer, 1, RSTART - 1)
    }
    # newer shims also record "port" (and "protocol") on their own: use them when the
    # peer address is unknown (a program reading through its own BIO)
    if (port == "" && v("detail.port") ~ /^[1-9][0-9]*$/) port = v("detail.port")
    if (java) addr = peer
    H[n] = sni != "" ? sni : (addr != "" ? addr : "?")
    P[n] = port != "" ? port : "?"
    PR[n] = port != "" ? proto(port + 0) : "-"
    if (PR[n] == "-" && v("detail.protocol") ~ /^[A-Za-z0-9]+$/) PR[n] = toupper(v("detail.protocol"))
    PEER[n] = peer; SNI[n] = sni
    CH[n] = v("detail.changes"); CHD[n] = v("detail.changed")
    # the Java agent says only whether it changed the connection (its records name how)
    if (CH[n] == "" && CHD[n] == "true" && java) CH[n] = "java"
    PID[n] = v("pid"); EXE[n] = v("exe")
    if (ev == "handshake") {
        V[n] = v("detail.version"); C[n] = v("detail.cipher")
        bf = v("detail.below_floor")
        below = (bf == "true") || (vnum(V[n]) > 0 && vnum(V[n]) < fl)
        R[n] = below ? "below_floor" : "ok"; WHY[n] = ""
        if (below) nbelow++; else nok++
    } else {
        V[n] = ""; C[n] = ""; R[n] = "failed"; WHY[n] = v("detail.reason"); nfail++
    }
    if (CH[n] != "") nchanged++
}
function rewrite(    k) {
    k = v("detail.old") "->" v("detail.new")
    if (!(k in RWSEEN)) { RWSEEN[k] = 1; nrw++; RWO[nrw] = v("detail.old"); RWN[nrw] = v("detail.new") }
    RWL[k] = RWL[k] (RWL[k] == "" ? "" : ",") v("detail.layer")
}
# one line per distinct intervention: event, values and the caller's first frame
function intervention(ev,    k) {
    k = ev "|" v("detail.old") "|" v("detail.new") "|" v("frame.module") "|" v("frame.offset") "|" v("frame.class") "|" v("frame.line")
    if (k in INSEEN) return
    INSEEN[k] = 1; nint++
    IE[nint] = ev; IO[nint] = v("detail.old"); IN[nint] = v("detail.new")
    IV[nint] = v("detail.via"); IM[nint] = v("frame.module"); IOF[nint] = v("frame.offset")
    IS[nint] = v("frame.symbol")
    if (v("detail.property") != "") IV[nint] = IV[nint] " " v("detail.property")
    if (IM[nint] == "" && v("frame.class") != "")   # a Java frame: class.method(file:line)
        IM[nint] = v("frame.class") "." v("frame.method") "(" v("frame.file") ":" v("frame.line") ")"
}
END {
    fname = "TLS " floor
    how = mode == "enforce" ? "with tlsfloor" : "on its own (tlsfloor only watched)"
    if (n == 0) {
        code = "no_tls"
        text = "no TLS connection through OpenSSL or GnuTLS was seen: the program made none, failed before one, or uses a TLS library tlsfloor cannot see (static OpenSSL, GnuTLS before 3.4, NSS, Java, Go)"
        if (nrw > 0) text = text "; legacy host names seen: " rwlist()
    } else if (nbelow + nfail == 0) {
        code = "ok"
        if (mode == "enforce" && nchanged > 0)
            text = "works under " fname " with tlsfloor; tlsfloor had to change: " changelist() " (run it under tlsfloor)"
        else if (mode == "enforce")
            text = "works under " fname " without help: tlsfloor changed nothing"
        else if (nint + nrw > 0)
            text = "works under " fname " on its own, though tlsfloor would still change: " changelist()
        else
            text = "works under " fname " on its own, without tlsfloor"
    } else {
        code = nfail > 0 ? "failed" : "below_floor"
        text = "does not work under " fname " " how ": "
        sep = ""
        if (nbelow > 0) { text = text nbelow " connection(s) negotiated an older version"; sep = "; " }
        for (i = 1; i <= n; i++) if (R[i] == "failed") { text = text sep "handshake with " H[i] ":" P[i] " failed: " WHY[i]; sep = "; "; break }
        if (mode != "enforce" && nint + nrw > 0) text = text " (tlsfloor would change: " changelist() "; try: tlsfloor verify -- COMMAND)"
    }
    if (status != 0) {
        text = text "; the command itself failed with status " status
        if (code == "ok") text = text " (not a TLS version problem tlsfloor can see)"
    }
    exit_code = status != 0 ? status : (code == "ok" ? 0 : (code == "no_tls" ? 4 : 3))
    if (json) print_json(); else print_text()
    exit exit_code
}
function changelist(    i, seen, k, list, m, parts) {
    list = ""
    for (i = 1; i <= n; i++) if (CH[i] != "") {
        m = split(CH[i], parts, ",")
        for (k = 1; k <= m; k++) if (!(parts[k] in seen)) { seen[parts[k]] = 1; list = list (list == "" ? "" : ", ") parts[k] }
    }
    for (i = 1; i <= nint; i++) {
        k = change_name(IE[i])
        if (!(k in seen)) { seen[k] = 1; list = list (list == "" ? "" : ", ") k }
    }
    if (nrw > 0 && !("host" in seen)) list = list (list == "" ? "" : ", ") "host"
    return list == "" ? "nothing" : list
}
function change_name(ev) {   # intervention event -> the word the handshake records use
    if (ev == "method_pinned") return "method"
    if (ev == "max_version_raised") return "max_version"
    if (ev == "min_version_raised") return "min_version"
    if (ev == "option_cleared") return "options"
    if (ev == "cipher_list_extended") return "ciphers"
    if (ev == "verify_required") return "verify"
    if (ev == "protocols_raised") return "protocols"
    return ev
}
function rwlist(    i, s) {
    s = ""
    for (i = 1; i <= nrw; i++) s = s (i > 1 ? ", " : "") RWO[i] " -> " RWN[i]
    return s
}
function print_text(    i, res, chg) {
    printf "tlsfloor verify (%s, floor TLS %s): %s\n", mode == "enforce" ? "enforce" : "native/audit", floor, cmd
    printf "%-28s %-5s %-5s %-8s %-24s %s\n", "PEER", "PORT", "PROTO", "TLS", "TLSFLOOR CHANGED", "RESULT"
    for (i = 1; i <= n; i++) {
        chg = CH[i] == "" ? "-" : (mode == "enforce" ? CH[i] : "would: " CH[i])
        res = R[i] == "ok" ? "ok" : (R[i] == "below_floor" ? "BELOW FLOOR" : "FAILED: " WHY[i])
        printf "%-28s %-5s %-5s %-8s %-24s %s\n", esc(H[i]), esc(P[i]), esc(PR[i]), V[i] == "" ? "-" : esc(V[i]), esc(chg), esc(res)
    }
    if (n == 0) print "(no TLS connections)"
    for (i = 1; i <= nrw; i++)
        printf "host %s %s -> %s (%s)\n", mode == "enforce" ? "rewritten" : "would be rewritten", esc(RWO[i]), esc(RWN[i]), esc(RWL[RWO[i] "->" RWN[i]])
    for (i = 1; i <= nint; i++)
        printf "%s%s: %s -> %s via %s, asked by %s%s%s\n", IE[i], mode == "enforce" ? "" : " (not applied)",
            IO[i] == "" ? "-" : esc(IO[i]), IN[i] == "" ? "-" : esc(IN[i]), IV[i] == "" ? "-" : esc(IV[i]),
            IM[i] == "" ? "?" : esc(IM[i]), IOF[i] == "" ? "" : "+" esc(IOF[i]), IS[i] == "" ? "" : " (" esc(IS[i]) ")"
    for (i = 1; i <= nnote; i++) print "note: " esc(NOTE[i])
    printf "VERDICT: %s\n", esc(text)
}
function print_json(    i, s, m, k, parts) {
    s = "{\"tool\":\"tlsfloor verify\",\"mode\":" jq(mode) ",\"floor\":" jq("TLSv" floor)
    s = s ",\"command\":" jq(cmd) ",\"command_status\":" status ",\"exit_status\":" exit_code
    s = s ",\"connections\":["
    for (i = 1; i <= n; i++) {
        s = s (i > 1 ? "," : "") "{\"host\":" jq(H[i]) ",\"port\":" (P[i] == "?" ? "null" : P[i])
        s = s ",\"protocol\":" (PR[i] == "-" ? "null" : jq(PR[i])) ",\"peer\":" jstr_or_null(PEER[i])
        s = s ",\"sni\":" jstr_or_null(SNI[i]) ",\"version\":" jstr_or_null(V[i]) ",\"cipher\":" jstr_or_null(C[i])
        s = s ",\"result\":" jq(R[i]) ",\"reason\":" jstr_or_null(WHY[i])
        s = s ",\"changed\":" (CHD[i] == "true" ? "true" : "false") ",\"changes\":["
        m = split(CH[i], parts, ",")
        for (k = 1; k <= m; k++) s = s (k > 1 ? "," : "") jq(parts[k])
        s = s "],\"pid\":" (PID[i] ~ /^[0-9]+$/ ? PID[i] : "null") ",\"exe\":" jstr_or_null(EXE[i]) "}"
    }
    s = s "],\"rewrites\":["
    for (i = 1; i <= nrw; i++)
        s = s (i > 1 ? "," : "") "{\"old\":" jq(RWO[i]) ",\"new\":" jq(RWN[i]) ",\"applied\":" (mode == "enforce" ? "true" : "false") "}"
    s = s "],\"interventions\":["
    for (i = 1; i <= nint; i++)
        s = s (i > 1 ? "," : "") "{\"event\":" jq(IE[i]) ",\"old\":" jstr_or_null(IO[i]) ",\"new\":" jstr_or_null(IN[i]) \
            ",\"via\":" jstr_or_null(IV[i]) ",\"module\":" jstr_or_null(IM[i]) ",\"offset\":" jstr_or_null(IOF[i]) "}"
    s = s "],\"notes\":["
    for (i = 1; i <= nnote; i++) s = s (i > 1 ? "," : "") jq(NOTE[i])
    s = s "],\"verdict\":{\"result\":" jq(code) ",\"text\":" jq(text) "}}"
    print s
}
