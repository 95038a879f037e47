#!/bin/bash
# install-host.sh DIST: the Debian packages installed "on the build machine" with
# `apt-get install ./dist/*.deb` (this architecture's and the all ones), used from PATH, then
# purged, leaving nothing behind. All of it happens chrooted in a copy-on-write view of / (an
# overlay whose upper layer lives in this test's work directory, in a private mount namespace:
# tests/lib/netns-run --root), so the machine itself never changes: not its files, not dpkg's status or
# logs. Checked: the view's upper layer holds no file of ours after the purge, only dpkg's and
# apt's own bookkeeping; the host's dpkg never heard of the packages.
# Runs inside tests/lib/netns-run. Environment: TLSFLOOR_SOURCE_DIR, TF_WORK.
set -u
dist=${1:?usage: install-host.sh DIST}
export TF_SRC=${TLSFLOOR_SOURCE_DIR:?}
: "${TF_WORK:?}"
dist=$(cd "$dist" && pwd)
# pass, fail, finish (and the scenario layer)
. "$TF_SRC/tests/lib/assert.sh"
rm -rf "$TF_WORK"; mkdir -p "$TF_WORK/state" "$TF_WORK/x"
W=$TF_WORK
version=$(sed -n 's/^project(tlsfloor VERSION \([0-9.]*\).*/\1/p' "$TF_SRC/CMakeLists.txt")
arch=$(dpkg --print-architecture)
debs=("$dist/libtlsfloor_${version}_$arch.deb" "$dist/tlsfloor_${version}_$arch.deb" "$dist/tlsfloor-provider_${version}_$arch.deb")
for d in "${debs[@]}"; do [ -f "$d" ] || { echo "FAIL: $d missing (scripts/package)"; exit 1; }; done

# in the view, with the exchange directory /x
view() { "$TF_SRC/tests/lib/netns-run" --root / --state "$W/state" --bind "$W/x:/x" --env DEBIAN_FRONTEND=noninteractive -- "$@"; }

# A TLS 1.2+ server on loopback (outside the view, same network namespace).
"$TF_SRC/tests/lib/mkpki" "$W/x/pki" >/dev/null
chmod -R a+rX "$W/x"
openssl s_server -accept 127.0.0.1:4443 -www -quiet -no_ssl3 -no_tls1 -no_tls1_1 \
    -cert "$W/x/pki/server.pem" -key "$W/x/pki/server.key" </dev/null >"$W/server.log" 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null; wait $srv 2>/dev/null' EXIT
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/4443) 2>/dev/null && break; sleep 0.1; done

# The README's commands (recipes install-packages and install-provider), as root, non-interactive;
# its `scripts/package` line is what the packaging_build test runs.
recipe() { "$TF_SRC/tests/lib/readme-block" "$1" | grep -v '^scripts/package$' |
    sed -e 's/^sudo //' -e "s|\./dist/|$dist/|g" -e 's/apt-get install /apt-get install -y -q /'; }
{ recipe install-packages; recipe install-provider; } > "$W/x/install.sh"
echo "== the README's install commands:"; sed 's/^/     /' "$W/x/install.sh"
if view sh -e /x/install.sh > "$W/install.log" 2>&1; then pass "installed"; else fail "install failed"; tail -20 "$W/install.log"; fi
view dpkg-query -W -f '${Package} ${Version} ${Status}\n' libtlsfloor tlsfloor tlsfloor-provider > "$W/q" 2>&1
[ "$(grep -c 'install ok installed' "$W/q")" = 3 ] && pass "dpkg: $(tr '\n' ';' < "$W/q")" || { fail "not all installed"; cat "$W/q"; }
view sh -c 'dpkg -L libtlsfloor tlsfloor tlsfloor-provider' | grep -v '^$' | sort -u > "$W/files"
cp "$W/files" "$W/x/files"
view sh -c 'while read -r f; do [ -e "$f" ] || echo "missing $f"; done < /x/files' > "$W/missing"
[ ! -s "$W/missing" ] && pass "every file dpkg lists exists ($(wc -l < "$W/files") paths)" || { fail "missing files"; cat "$W/missing"; }

echo "== tlsfloor from PATH"
view sh -c 'command -v tlsfloor' | grep -qx /usr/bin/tlsfloor && pass "tlsfloor is /usr/bin/tlsfloor" || fail "tlsfloor not on PATH"
view man -w tlsfloor 2>/dev/null | grep -q 'man1/tlsfloor.1' && pass "man tlsfloor finds tlsfloor(1)" || fail "no man page"
CURL="curl -sS --max-time 20 --cacert /x/pki/ca.pem --tlsv1.0 --tls-max 1.1 -o /dev/null -w %{http_code}"
view sh -c "$CURL https://outlook.office365.com:4443/" > "$W/plain.out" 2>&1
! grep -qx 200 "$W/plain.out" && pass "pinned curl fails without tlsfloor" || fail "pinned curl worked without tlsfloor"
view sh -c "tlsfloor --log /x/pin.jsonl -- $CURL https://outlook.office365.com:4443/" > "$W/pin.out" 2>&1
grep -qx 200 "$W/pin.out" && pass "tlsfloor -- pinned curl: HTTP 200" || { fail "tlsfloor -- pinned curl: $(cat "$W/pin.out")"; }
# read by the packaged log reader (tlsfloor log = libexec/tlsfloor/tlsfloor-log)
view tlsfloor log --event max_version_raised --expect-min 1 /x/pin.jsonl \
    && view tlsfloor log --event handshake --where 'detail.version~^TLSv1\.[23]$' --expect-min 1 /x/pin.jsonl \
    && pass "log: max_version_raised, handshake at TLS 1.2+" || fail "log: $(head -c 600 "$W/x/pin.jsonl")"
grep -q '/usr/lib/x86_64-linux-gnu/tlsfloor/libtlsfloor.so' <(view sh -c 'tlsfloor -- sh -c "echo \$LD_PRELOAD"') \
    && pass "the wrapper preloads the packaged library" || fail "LD_PRELOAD is not the packaged library"
view sh -c "tlsfloor --log /x/leg.jsonl -- $CURL https://imap-legacy.office365.com:4443/" > "$W/leg.out" 2>&1
grep -qx 200 "$W/leg.out" && view tlsfloor log --event host_rewritten --expect-min 1 /x/leg.jsonl && pass "a legacy name, rewritten" || fail "legacy name: $(cat "$W/leg.out")"

echo "== every subcommand the READMEs name, installed"
cp "$TF_SRC/README.md" "$W/x/README.md"; cp "$TF_SRC/provider/README.md" "$W/x/provider-README.md"
# (with the assertion library it sources: ../lib/assert.sh, as in the source tree)
mkdir -p "$W/x/packaging" "$W/x/lib"
cp "$TF_SRC/tests/packaging/subcommands.sh" "$W/x/packaging/"
cp "$TF_SRC/tests/lib/assert.sh" "$TF_SRC/tests/lib/logcheck.sh" "$W/x/lib/"
view /x/packaging/subcommands.sh /usr/bin/tlsfloor /x/README.md /x/provider-README.md > "$W/subs" 2>&1 && pass "$(tail -2 "$W/subs" | head -1)" || { fail "subcommands:"; cat "$W/subs"; }
view tlsfloor check-provider --config /usr/share/tlsfloor/tlsfloor.cnf > "$W/cp" 2>&1 \
    && pass "tlsfloor check-provider with the packaged config: $(tail -n1 "$W/cp")" || { fail "check-provider:"; cat "$W/cp"; }
view sh -c 'tlsfloor provider-install install && tlsfloor provider-install status && tlsfloor check-provider --quiet && tlsfloor provider-install uninstall && tlsfloor provider-install status' > "$W/pi" 2>&1 \
    && pass "tlsfloor provider-install install/status/uninstall, check-provider in between" || { fail "provider-install:"; cat "$W/pi"; }

echo "== apt-get purge"
view apt-get purge -y -q libtlsfloor tlsfloor tlsfloor-provider > "$W/purge.log" 2>&1 && pass "purged" || { fail "purge failed"; tail "$W/purge.log"; }
view dpkg-query -W -f '${Package} ${Status}\n' libtlsfloor tlsfloor tlsfloor-provider > "$W/q2" 2>&1
! grep -q ' installed$\|config-files' "$W/q2" && pass "dpkg: none installed, no config files" || { fail "still known:"; cat "$W/q2"; }
view sh -c 'while read -r f; do [ -e "$f" ] && [ ! -d "$f" ] && echo "left $f"; done < /x/files' > "$W/left"
[ ! -s "$W/left" ] && pass "no file dpkg listed is left" || { fail "left behind:"; cat "$W/left"; }
# The upper layer: everything the install and purge changed. Only bookkeeping may remain; a file
# copied up and restored byte for byte (openssl.cnf after provider-install uninstall) is no change.
# A whiteout records a file of the machine that the view lost: reported (dpkg replaces an unowned
# file at install and removes it at purge), not ours to keep.
(cd "$W/state/upper" && find . \( -type f -o -type l \) | sed 's|^\.||' | sort) > "$W/upper"
grep -Ev '^/(var/lib/dpkg|var/lib/apt|var/cache/apt|var/cache/debconf|var/cache/man|var/cache/ldconfig|var/log)/|^/etc/ld\.so\.cache$|^/x/|^/etc/(hosts|resolv\.conf)$|^/tmp/|^/root/\.' "$W/upper" |
    while read -r f; do
        if [ -f "$f" ] && [ ! -L "$f" ] && cmp -s "$W/state/upper$f" "$f"; then continue; fi
        echo "$f"
    done > "$W/upper-ours"
[ ! -s "$W/upper-ours" ] && pass "the view's upper layer holds only dpkg/apt bookkeeping ($(wc -l < "$W/upper") files)" \
    || { fail "left in the view:"; sed 's/^/    /' "$W/upper-ours"; }
(cd "$W/state/upper" && find . -type c | sed 's|^\.||') > "$W/whiteouts"
if [ -s "$W/whiteouts" ]; then
    echo "  note  files of the machine the purge removed from the view (unowned there; dpkg took them over):"
    while read -r f; do
        if dpkg -S "$f" >/dev/null 2>&1; then fail "the purge removed $f, which a package of the machine owns"
        else echo "          $f (owned by no package)"; fi
    done < "$W/whiteouts"
fi
(cd "$W/state/upper" && find . -type d | sed 's|^\.||' | while read -r d; do [ -n "$d" ] && [ ! -d "$d" ] && echo "$d"; done) > "$W/newdirs"
grep -Ev '^/x(/|$)|^/tmp(/|$)' "$W/newdirs" > "$W/newdirs-ours" || true
[ ! -s "$W/newdirs-ours" ] && pass "no directory created outside the bookkeeping" || { fail "new directories:"; cat "$W/newdirs-ours"; }
# The machine itself: dpkg never heard of them.
! dpkg-query -W libtlsfloor tlsfloor tlsfloor-provider >/dev/null 2>&1 && pass "the machine's dpkg knows none of them" || fail "the machine's dpkg knows them"
[ ! -e /usr/bin/tlsfloor ] && [ ! -e /usr/lib/x86_64-linux-gnu/tlsfloor ] && pass "nothing installed on the machine" || fail "files on the machine"
finish
