#!/bin/bash
# install-debian11.sh DIST: the README's Install commands on a Debian 11 host (the cached
# bullseye amd64 root, i386 enabled, over a copy-on-write view; tests/lib/netns-run --root):
#   install-packages + install-i386   apt-get install ./dist/*.deb (amd64, i386); `tlsfloor
#       -- CLIENT` from PATH for a 64-bit client and a 32-bit vendor binary (the wrapper picks the
#       $LIB form); apt-get purge; nothing left behind
#   install-source                    apt-get + cmake build/install from source, on gcc 10/CMake 3.18
#   install-oldhost                   the Debian 12 build of the library copied in and preloaded
#   dockerfile (Recipes)              the "old container image": the root stands in for the image
#                                     (amd64 and i386), COPY and ENV applied, its program run
# Each client is pinned (--tlsv1.0 --tls-max 1.1) and names a legacy host; it fails without
# tlsfloor. Runs inside tests/lib/netns-run. Environment: TLSFLOOR_SOURCE_DIR, TF_WORK, TF_ROOT, TF_ROOT_I386,
# TF_LIBRARY_PATH, TF_LIBRARY_I386.
set -u
dist=${1:?usage: install-debian11.sh DIST}
export TF_SRC=${TLSFLOOR_SOURCE_DIR:?}
: "${TF_WORK:?}" "${TF_ROOT:?}" "${TF_ROOT_I386:?}" "${TF_LIBRARY_PATH:?}" "${TF_LIBRARY_I386:?}"
dist=$(cd "$dist" && pwd)
for r in "$TF_ROOT" "$TF_ROOT_I386"; do
    [ -f "$r/.tlsfloor-root" ] || { echo "FAIL: no root in $r (tests/lib/mkroot)"; exit 1; }
done
rm -rf "$TF_WORK"; mkdir -p "$TF_WORK/x"
W=$TF_WORK
# pass, fail, finish
. "$TF_SRC/tests/lib/assert.sh"
recipe() { "$TF_SRC/tests/lib/readme-block" "$1" | grep -v '^scripts/package$' |
    sed -e 's/^sudo //' -e "s|\\./dist/|/dist/|g" -e 's/apt-get install /apt-get install -y -q /'; }
# view STATE [ROOT] CMD...: in a copy-on-write view of the root (its own upper layer per STATE)
view() { local st=$1; shift; local root=$TF_ROOT
    if [ "$1" = --i386-root ]; then root=$TF_ROOT_I386; shift; fi
    "$TF_SRC/tests/lib/netns-run" --root "$root" --state "$W/$st" --i386 --bind "$W/x:/x" --bind "$dist:/dist" \
        --env DEBIAN_FRONTEND=noninteractive -- "$@"; }

# A TLS 1.2+ server on loopback, outside the roots.
"$TF_SRC/tests/lib/mkpki" "$W/x/pki" >/dev/null
chmod -R a+rX "$W/x"
openssl s_server -accept 127.0.0.1:4443 -www -quiet -no_ssl3 -no_tls1 -no_tls1_1 \
    -cert "$W/x/pki/server.pem" -key "$W/x/pki/server.key" </dev/null >"$W/server.log" 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null; wait $srv 2>/dev/null' EXIT
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/4443) 2>/dev/null && break; sleep 0.1; done
PIN="curl -sS --max-time 20 --cacert /x/pki/ca.pem --tlsv1.0 --tls-max 1.1 -o /dev/null -w HTTP%{http_code} https://imap-legacy.office365.com:4443/"
PIN32="/opt/legacy32/bin/openssl s_client -tls1 -connect imap-legacy.office365.com:4443 -CAfile /x/pki/ca.pem -verify_return_error -brief"
# the 32-bit vendor binary: Debian 11's i386 openssl
install -D -m 0755 "$TF_ROOT_I386/usr/bin/openssl" "$W/pk/upper/opt/legacy32/bin/openssl"

echo "== packages: the README's install-packages and install-i386 commands"
{ recipe install-packages; recipe install-i386; } > "$W/x/install.sh"
sed 's/^/     /' "$W/x/install.sh"
view pk sh -c "$PIN" > "$W/pk-plain" 2>&1; ! grep -q HTTP200 "$W/pk-plain" && pass "pinned curl with a legacy name fails without tlsfloor" || fail "it worked without tlsfloor"
view pk sh -c "$PIN32 </dev/null" > "$W/pk-plain32" 2>&1; ! grep -q 'Protocol version: TLSv1\.[23]' "$W/pk-plain32" && pass "the 32-bit binary fails without tlsfloor" || fail "32-bit worked without"
view pk sh -c 'find / -xdev -path /proc -prune -o -path /x -prune -o -path /dist -prune -o -print | sort' > "$W/before" 2>/dev/null
view pk sh -e /x/install.sh > "$W/install.log" 2>&1 && pass "installed (apt-get, offline: libc6 and libc6:i386 are there)" || { fail "install failed"; tail -20 "$W/install.log"; }
view pk dpkg-query -W -f '${Package}:${Architecture} ${Version} ${Status}\n' libtlsfloor:amd64 libtlsfloor:i386 tlsfloor > "$W/q" 2>&1
[ "$(grep -c 'install ok installed' "$W/q")" = 3 ] && pass "installed: $(awk '{print $1, $2}' "$W/q" | tr '\n' ';')" || { fail "dpkg:"; cat "$W/q"; }
view pk sh -c 'tlsfloor -- sh -c "echo \$LD_PRELOAD"' > "$W/ldp" 2>&1
# shellcheck disable=SC2016 # a literal $LIB
grep -qxF '/usr/$LIB/tlsfloor/libtlsfloor.so' "$W/ldp" && pass "the wrapper preloads /usr/\$LIB/tlsfloor/libtlsfloor.so (both installed)" || fail "LD_PRELOAD: $(cat "$W/ldp")"
view pk sh -c "tlsfloor --log /x/pk.jsonl -- $PIN" > "$W/pk-curl" 2>&1
grep -q HTTP200 "$W/pk-curl" && pass "tlsfloor -- curl (64-bit): HTTP 200" || fail "curl: $(cat "$W/pk-curl")"
view pk sh -c "tlsfloor --log /x/pk32.jsonl -- $PIN32 </dev/null" > "$W/pk-32" 2>&1
grep -q 'Protocol version: TLSv1\.[23]' "$W/pk-32" && pass "tlsfloor -- 32-bit openssl: $(grep -m1 'Protocol version' "$W/pk-32")" || { fail "32-bit:"; cat "$W/pk-32"; }
# read by the packaged log reader (static: it runs on Debian 11 too)
view pk tlsfloor log --event method_pinned,max_version_raised --where exe=/opt/legacy32/bin/openssl --expect-min 1 /x/pk32.jsonl \
    && view pk tlsfloor log --event host_rewritten --expect-min 1 /x/pk32.jsonl && pass "log of the 32-bit binary: pin raised, host rewritten" || fail "32-bit log: $(head -c 500 "$W/x/pk32.jsonl")"
view pk apt-get purge -y -q libtlsfloor:amd64 libtlsfloor:i386 tlsfloor > "$W/purge.log" 2>&1 && pass "purged" || { fail "purge"; tail "$W/purge.log"; }
view pk sh -c 'find / -xdev -path /proc -prune -o -path /x -prune -o -path /dist -prune -o -print | sort' > "$W/after" 2>/dev/null
grep -Ev '^/(var/lib/dpkg|var/lib/apt|var/cache|var/log|tmp)(/|$)|^/etc/ld\.so\.cache$' "$W/before" > "$W/b"
grep -Ev '^/(var/lib/dpkg|var/lib/apt|var/cache|var/log|tmp)(/|$)|^/etc/ld\.so\.cache$' "$W/after" > "$W/a"
if diff "$W/b" "$W/a" > "$W/diff"; then pass "file list before install = after purge ($(wc -l < "$W/a") paths, dpkg/apt state aside)"; else fail "left behind or lost:"; sed 's/^/    /' "$W/diff" | head -20; fi

echo "== from source: the README's install-source commands, on Debian 11"
mkdir -p "$W/x/src"
(cd "$TF_SRC" && if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done | tar --null -T - -cf -
 else tar --exclude=./build --exclude='./build-*' --exclude=./dist --exclude=./.git -cf - .; fi) | tar -xf - -C "$W/x/src"
recipe install-source > "$W/x/source.sh"
sed 's/^/     /' "$W/x/source.sh"
view src sh -c 'cd /x/src && sh -ex /x/source.sh' > "$W/source.log" 2>&1 && pass "built and installed from source" || { fail "source install:"; tail -30 "$W/source.log"; }
view src sh -c "/usr/local/bin/tlsfloor --log /x/src.jsonl -- $PIN" > "$W/src-curl" 2>&1
grep -q HTTP200 "$W/src-curl" && view src /usr/local/bin/tlsfloor log --event host_rewritten --expect-min 1 /x/src.jsonl && pass "/usr/local/bin/tlsfloor -- curl: HTTP 200, host rewritten" || fail "source-installed: $(cat "$W/src-curl")"

echo "== on an old host: the README's install-oldhost commands (the library built on Debian 12)"
# the stand-in for /opt/helpdesk/bin/mailpoll: a pinned client naming a legacy host
mk_mailpoll() { printf '#!/bin/sh\n# stand-in for /opt/helpdesk/bin/mailpoll (arguments ignored)\nexec %s\n' "$PIN" > "$1"; chmod 755 "$1"; }
for arch in amd64 i386; do
    st=old-$arch root=() lib=$TF_LIBRARY_PATH
    [ "$arch" = i386 ] && root=(--i386-root) lib=$TF_LIBRARY_I386
    mkdir -p "$W/$st/upper/opt/helpdesk/bin" "$W/x/$arch"
    mk_mailpoll "$W/$st/upper/opt/helpdesk/bin/mailpoll"
    cp "$lib" "$W/x/$arch/libtlsfloor.so"
    recipe install-oldhost > "$W/x/oldhost.sh"
    view "$st" "${root[@]}" sh -c "/opt/helpdesk/bin/mailpoll" > "$W/$st-plain" 2>&1
    ! grep -q HTTP200 "$W/$st-plain" && pass "$arch: mailpoll fails without tlsfloor" || fail "$arch: worked without"
    view "$st" "${root[@]}" sh -c "cd /x/$arch && sh -e /x/oldhost.sh" > "$W/$st-run" 2>&1
    grep -q HTTP200 "$W/$st-run" && grep -q '^tlsfloor\[[0-9]*\]: host_rewritten' "$W/$st-run" \
        && pass "$arch: installed and preloaded as the README says: HTTP 200, host rewritten" || { fail "$arch oldhost:"; cat "$W/$st-run"; }
done

echo "== an old container image: the README's Dockerfile applied to the roots (the image's stand-in)"
"$TF_SRC/tests/lib/readme-block" dockerfile > "$W/Dockerfile"
dest=$(awk '$1 == "COPY" {print $3}' "$W/Dockerfile")
mapfile -t envs < <(sed -n 's/^ENV //p' "$W/Dockerfile")
[ -n "$dest" ] && [ ${#envs[@]} -gt 0 ] && pass "Dockerfile: COPY to $dest, ${#envs[@]} ENV" || fail "Dockerfile not understood"
for arch in amd64 i386; do
    st=img-$arch root=() lib=$TF_LIBRARY_PATH
    [ "$arch" = i386 ] && root=(--i386-root) lib=$TF_LIBRARY_I386
    mkdir -p "$W/$st/upper/opt/helpdesk/bin"
    mk_mailpoll "$W/$st/upper/opt/helpdesk/bin/mailpoll"
    install -D -m 0644 "$lib" "$W/$st/upper$dest"                     # COPY
    eargs=(); for e in "${envs[@]}"; do eargs+=("$e"); done           # ENV
    view "$st" "${root[@]}" env "${eargs[@]}" /opt/helpdesk/bin/mailpoll > "$W/$st-run" 2>&1
    grep -q HTTP200 "$W/$st-run" && grep -q '^tlsfloor\[[0-9]*\]: handshake ' "$W/$st-run" \
        && pass "$arch image: the program works; tlsfloor's readable lines on stderr" || { fail "$arch image:"; cat "$W/$st-run"; }
done
finish
