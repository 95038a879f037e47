#!/bin/bash
# fresh-demo.sh: the README's first command on a freshly bootstrapped Debian 12 (the cached
# bookworm minbase root, over a copy-on-write view; its apt cache holds the demo's packages so
# that the install runs offline). As a user, scripts/demo names what it needs and stops; as root
# it installs exactly that (no recommends, nothing more), builds the library and shows the fix.
# The package list of scripts/test also resolves on that fresh machine.
# Runs inside tests/lib/netns-run. Environment: TLSFLOOR_SOURCE_DIR, TF_WORK, TF_ROOT (bookworm-fresh).
set -u
export TF_SRC=${TLSFLOOR_SOURCE_DIR:?}
: "${TF_WORK:?}" "${TF_ROOT:?}"
[ -f "$TF_ROOT/.tlsfloor-root" ] || { echo "FAIL: no root in $TF_ROOT (tests/lib/mkroot bookworm-fresh)"; exit 1; }
rm -rf "$TF_WORK"; mkdir -p "$TF_WORK/state/upper/opt"
W=$TF_WORK
# pass, fail, finish
. "$TF_SRC/tests/lib/assert.sh"
view() { "$TF_SRC/tests/lib/netns-run" --root "$TF_ROOT" --state "$W/state" -- "$@"; }

# A clean checkout, as a new user has it (what git tracks or would add).
mkdir -p "$W/state/upper/opt/tlsfloor"
(cd "$TF_SRC" && if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done | tar --null -T - -cf -
 else tar --exclude=./build --exclude='./build-*' --exclude=./dist --exclude=./.git -cf - .; fi) | tar -xf - -C "$W/state/upper/opt/tlsfloor"
chmod -R a+rX "$W/state/upper/opt"

view sh -c 'cat /etc/debian_version; for c in cmake gcc make curl openssl ip; do command -v $c || echo "no $c"; done' > "$W/fresh" 2>&1
grep -q '^12\.' "$W/fresh" && [ "$(grep -c '^no ' "$W/fresh")" = 6 ] \
    && pass "a fresh Debian $(head -n1 "$W/fresh"): no cmake, gcc, make, curl, openssl, ip" || { fail "not fresh:"; cat "$W/fresh"; }
want=$(cd "$TF_SRC" && scripts/demo --packages)
view sh -c 'apt-mark showmanual | sort' > "$W/manual-before"
view sh -c 'dpkg-query -W -f "\${Package}\n" | sort' > "$W/before-all"
view sh -c "apt-get install -s --no-install-recommends $want | sed -n 's/^Inst \\([^ ]*\\) .*/\\1/p' | sort" > "$W/expected-new"

echo "== as a user: scripts/demo names what it needs"
view setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'cd /opt/tlsfloor && HOME=/tmp scripts/demo' > "$W/user" 2>&1 && rc=0 || rc=$?
[ "$rc" = 1 ] && grep -q "^scripts/demo needs: cmake make gcc libc6-dev curl openssl" "$W/user" \
    && pass "it stops at once and names them: $(head -n1 "$W/user")" || { fail "as a user (status $rc):"; cat "$W/user"; }
view sh -c 'command -v cmake' > /dev/null 2>&1 && fail "something got installed" || pass "nothing installed"

echo "== as root: scripts/demo"
view sh -c 'cd /opt/tlsfloor && scripts/demo' > "$W/demo" 2>&1 && rc=0 || rc=$?
[ "$rc" = 0 ] && pass "scripts/demo: status 0" || { fail "scripts/demo: status $rc"; tail -30 "$W/demo"; }
grep -q "^== scripts/demo needs cmake make gcc libc6-dev curl openssl iproute2: installing them" "$W/demo" && pass "it said what it installs" || fail "no install message"
grep -q 'tlsv1 alert protocol version' "$W/demo" && [ "$(grep -c 'HTTP 200' "$W/demo")" = 2 ] \
    && grep -Eq 'max_version_raised +old=TLSv1.1 new=TLSv1.3|"event":"max_version_raised","detail":\{"old":"TLSv1.1","new":"TLSv1.3"' "$W/demo" && grep -q 'host_rewritten layer=resolve old=imap-legacy.office365.com' "$W/demo" \
    && pass "the demo shows the failure, the fix, the records and the rewrite" || { fail "demo output:"; cat "$W/demo"; }
view sh -c 'apt-mark showmanual | sort' > "$W/manual-after"
new_manual=$(comm -13 "$W/manual-before" "$W/manual-after" | tr '\n' ' ' | sed 's/ $//')
[ "$new_manual" = "$(echo "$want" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" ] \
    && pass "chosen packages: exactly $new_manual" || fail "chosen packages: '$new_manual', wanted '$want'"
view sh -c 'dpkg-query -W -f "\${Package}\n" | sort' > "$W/after-all"
comm -13 "$W/before-all" "$W/after-all" > "$W/new-all"
if [ -s "$W/new-all" ] && diff -q "$W/new-all" "$W/expected-new" >/dev/null; then
    pass "installed: those and their dependencies, $(wc -l < "$W/new-all") packages, exactly apt's plan without recommends"
else fail "installed packages differ from apt's plan:"; diff "$W/expected-new" "$W/new-all" | head -20; fi
view sh -c 'cd /opt/tlsfloor && scripts/demo' > "$W/demo2" 2>&1 && ! grep -q 'installing them' "$W/demo2" && grep -q 'HTTP 200' "$W/demo2" \
    && pass "a second run installs nothing and works" || fail "second run"

echo "== scripts/test's packages resolve on this fresh machine"
view sh -c "cd /opt/tlsfloor && apt-get install -s --no-install-recommends \$(scripts/test --print-packages)" > "$W/test-pkgs" 2>&1 \
    && pass "apt-get -s install of scripts/test's list: $(grep -c '^Inst ' "$W/test-pkgs") packages" || { fail "scripts/test's packages:"; tail "$W/test-pkgs"; }
finish
