#!/bin/bash
# subcommands.sh TLSFLOOR README...: every `tlsfloor SUBCOMMAND` the READMEs name is reachable
# through TLSFLOOR (the source tree's scripts/tlsfloor, or the installed one): `SUB --help` runs
# the subcommand (its usage text, status 0 or 2), never "not found"/"not installed"/"unknown option".
# Commands are read from inline code that starts with "tlsfloor " and from lines of sh/console
# blocks that start with "tlsfloor " or "$ tlsfloor "; `tlsfloor bench  DATE` is the header
# scripts/bench prints, not a command.
set -euo pipefail
tf=${1:?usage: subcommands.sh TLSFLOOR README...}
shift
subs=$(for r in "$@"; do
    awk '/^```(sh|console|bash)?$/ && !inb {inb = 1; code = 1; next}
         /^```/ {if (inb) {inb = 0; code = 0} else {inb = 1; code = 0}; next}
         inb && code {l = $0; sub(/^\$ /, "", l); if (l ~ /^tlsfloor [a-z]/) {split(l, w, " "); print w[2]}; next}
         inb {next}
         { s = $0; while (match(s, /`tlsfloor [a-z][^`]*`/)) { span = substr(s, RSTART + 1, RLENGTH - 2);
               s = substr(s, RSTART + RLENGTH); if (span ~ /^tlsfloor bench  /) continue;
               split(span, w, " "); print w[2] } }' "$r"
done | sed 's/[^a-z-].*//' | sort -u)
[ -n "$subs" ] || { echo "FAIL: no subcommand found in $*"; exit 1; }
# pass, fail, finish
. "$(dirname "$0")/../lib/assert.sh"
for s in $subs; do
    out=$("$tf" "$s" --help 2>&1) && rc=0 || rc=$?
    if [ "$rc" -le 2 ] && ! grep -qi 'not found\|not installed\|unknown option\|no command given' <<<"$out" \
       && grep -qiE "usage|tlsfloor[ -]$s" <<<"$out"; then
        pass "tlsfloor $s --help (status $rc): $(grep -i -m1 usage <<<"$out")"
    else
        fail "tlsfloor $s --help (status $rc):"; sed 's/^/    | /' <<<"$out" | head -5
    fi
done
echo "subcommands named: $(echo $subs)"
finish
