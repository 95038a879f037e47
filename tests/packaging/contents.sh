#!/bin/bash
# contents.sh DIST SRC: what scripts/package built, checked file by file.
#   Debian: the four packages, their architectures, Multi-Arch, dependencies and exact file
#   lists; the shim in each libtlsfloor .deb imports nothing newer than GLIBC_2.17; the provider's
#   configs name the module where the package puts it; tlsfloor(1) renders without warnings.
#   RPM: the file lists (rpm -qlp) and the declared dependencies (rpm -qp --requires).
# Prints the package list with sizes.
set -euo pipefail
dist=${1:?usage: contents.sh DIST SRC} src=${2:?}
# pass, fail, finish
. "$src/tests/lib/assert.sh"
version=$(sed -n 's/^project(tlsfloor VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== packages in $dist"
(cd "$dist" && for f in *.deb *.rpm; do printf '  %8d bytes  %s\n' "$(stat -c %s "$f")" "$f"; done)

files() { dpkg-deb -c "$1" | awk '{print $6}' | sed 's|^\./|/|' | grep -v '/$' | sort; }
same() { # same WHAT EXPECTED-FILE ACTUAL-FILE
    if diff -u "$2" "$3" > "$work/diff"; then pass "$1"; else fail "$1:"; sed 's/^/    /' "$work/diff"; fi
}

declare -A expect
expect[libtlsfloor_amd64]="/usr/lib/x86_64-linux-gnu/tlsfloor/libtlsfloor.so
/usr/lib/x86_64-linux-gnu/tlsfloor/tlsfloor-agent.jar
/usr/share/doc/libtlsfloor/changelog.gz
/usr/share/doc/libtlsfloor/copyright
/usr/share/lintian/overrides/libtlsfloor"
expect[libtlsfloor_i386]="/usr/lib/i386-linux-gnu/tlsfloor/libtlsfloor.so
/usr/share/doc/libtlsfloor/changelog.gz
/usr/share/doc/libtlsfloor/copyright
/usr/share/lintian/overrides/libtlsfloor"
expect[tlsfloor_amd64]="/usr/bin/tlsfloor
/usr/libexec/tlsfloor/tlsfloor-log
/usr/libexec/tlsfloor/tlsfloor-report
/usr/libexec/tlsfloor/tlsfloor-report-html
/usr/libexec/tlsfloor/tlsfloor-scan
/usr/libexec/tlsfloor/tlsfloor-scanner
/usr/libexec/tlsfloor/tlsfloor-verify
/usr/libexec/tlsfloor/tlsfloor-verify.awk
/usr/share/doc/tlsfloor/README.md.gz
/usr/share/doc/tlsfloor/changelog.gz
/usr/share/doc/tlsfloor/copyright
/usr/share/lintian/overrides/tlsfloor
/usr/share/man/man1/tlsfloor.1.gz
/usr/share/tlsfloor/tables/events.json
/usr/share/tlsfloor/tables/events.tsv
/usr/share/tlsfloor/tables/libraries.json
/usr/share/tlsfloor/tables/libraries.tsv
/usr/share/tlsfloor/tables/ports.json
/usr/share/tlsfloor/tables/ports.tsv
/usr/share/tlsfloor/tables/rules.json
/usr/share/tlsfloor/tables/rules.tsv
/usr/share/tlsfloor/tables/settings.json
/usr/share/tlsfloor/tables/settings.tsv"
expect[tlsfloor-provider_amd64]="/usr/lib/x86_64-linux-gnu/ossl-modules/tlsfloor.so
/usr/libexec/tlsfloor/tlsfloor-provider-check
/usr/libexec/tlsfloor/tlsfloor-provider-install
/usr/libexec/tlsfloor/tlsfloor-provider-probe
/usr/share/doc/tlsfloor-provider/changelog.gz
/usr/share/doc/tlsfloor-provider/copyright
/usr/share/tlsfloor/tlsfloor-audit.cnf
/usr/share/tlsfloor/tlsfloor.cnf"

for key in libtlsfloor_amd64 libtlsfloor_i386 tlsfloor_amd64 tlsfloor-provider_amd64; do
    name=${key%_*} arch=${key##*_}
    deb=$dist/${name}_${version}_${arch}.deb
    echo "== $name ($arch)"
    [ -f "$deb" ] || { fail "$deb missing"; continue; }
    f() { dpkg-deb -f "$deb" "$1"; }
    [ "$(f Package)" = "$name" ] && [ "$(f Version)" = "$version" ] && [ "$(f Architecture)" = "$arch" ] \
        && pass "Package $name, Version $version, Architecture $arch" || fail "control: $(f Package) $(f Version) $(f Architecture)"
    printf '%s\n' "${expect[$key]}" > "$work/want"
    files "$deb" > "$work/got"
    same "file list" "$work/want" "$work/got"
    case $name in
        libtlsfloor)
            [ "$(f Multi-Arch)" = same ] && pass "Multi-Arch: same" || fail "Multi-Arch: $(f Multi-Arch)"
            [ "$(f Depends)" = "libc6 (>= 2.17)" ] && pass "Depends: libc6 (>= 2.17)" || fail "Depends: $(f Depends)"
            mkdir -p "$work/x-$arch" && dpkg-deb -x "$deb" "$work/x-$arch"
            ea=$arch; [ "$arch" = amd64 ] && ea=x86_64
            if "$src/tests/oldhosts/glibc-versions.sh" GLIBC_2.17 "$ea=$(ls "$work/x-$arch"/usr/lib/*/tlsfloor/libtlsfloor.so)" > "$work/gv" 2>&1; then
                pass "the packaged shim imports nothing newer than GLIBC_2.17 ($(grep newest "$work/gv" | awk '{print $2}'))"
            else
                fail "glibc versions:"; sed 's/^/    /' "$work/gv"
            fi ;;
        tlsfloor)
            [ "$(f Multi-Arch)" = foreign ] && pass "Multi-Arch: foreign" || fail "Multi-Arch: $(f Multi-Arch)"
            f Depends | grep -q "libtlsfloor (>= $version)" && pass "depends on libtlsfloor" || fail "Depends: $(f Depends)"
            mkdir -p "$work/x-man" && dpkg-deb -x "$deb" "$work/x-man"
            if zcat "$work/x-man/usr/share/man/man1/tlsfloor.1.gz" | groff -man -ww -z 2>"$work/man" && [ ! -s "$work/man" ]; then
                pass "tlsfloor(1) renders without warnings"
            else fail "tlsfloor(1):"; sed 's/^/    /' "$work/man"; fi
            zcat "$work/x-man/usr/share/man/man1/tlsfloor.1.gz" | grep -q 'provider\\-install' && pass "tlsfloor(1) documents provider-install" || fail "tlsfloor(1) lacks provider-install" ;;
        tlsfloor-provider)
            f Depends | grep -q 'libssl3' && f Depends | grep -q "tlsfloor (= $version)" && pass "Depends: $(f Depends)" || fail "Depends: $(f Depends)"
            mkdir -p "$work/x-p" && dpkg-deb -x "$deb" "$work/x-p"
            grep -q '^module *= */usr/lib/x86_64-linux-gnu/ossl-modules/tlsfloor.so' "$work/x-p/usr/share/tlsfloor/tlsfloor.cnf" \
                && pass "tlsfloor.cnf loads the packaged module" || fail "tlsfloor.cnf: $(grep -n module "$work/x-p/usr/share/tlsfloor/tlsfloor.cnf")" ;;
    esac
done

echo "== RPM"
rpm_want_main="/usr/bin/tlsfloor
/usr/lib64/tlsfloor
/usr/lib64/tlsfloor/libtlsfloor.so
/usr/lib64/tlsfloor/tlsfloor-agent.jar
/usr/libexec/tlsfloor
/usr/libexec/tlsfloor/tlsfloor-log
/usr/libexec/tlsfloor/tlsfloor-report
/usr/libexec/tlsfloor/tlsfloor-report-html
/usr/libexec/tlsfloor/tlsfloor-scan
/usr/libexec/tlsfloor/tlsfloor-scanner
/usr/libexec/tlsfloor/tlsfloor-verify
/usr/libexec/tlsfloor/tlsfloor-verify.awk
/usr/share/doc/tlsfloor/README.md
/usr/share/man/man1/tlsfloor.1
/usr/share/tlsfloor/tables
/usr/share/tlsfloor/tables/events.json
/usr/share/tlsfloor/tables/events.tsv
/usr/share/tlsfloor/tables/libraries.json
/usr/share/tlsfloor/tables/libraries.tsv
/usr/share/tlsfloor/tables/ports.json
/usr/share/tlsfloor/tables/ports.tsv
/usr/share/tlsfloor/tables/rules.json
/usr/share/tlsfloor/tables/rules.tsv
/usr/share/tlsfloor/tables/settings.json
/usr/share/tlsfloor/tables/settings.tsv"
rpm_want_provider="/usr/lib64/ossl-modules/tlsfloor.so
/usr/libexec/tlsfloor/tlsfloor-provider-check
/usr/libexec/tlsfloor/tlsfloor-provider-install
/usr/libexec/tlsfloor/tlsfloor-provider-probe
/usr/share/tlsfloor
/usr/share/tlsfloor/tlsfloor-audit.cnf
/usr/share/tlsfloor/tlsfloor.cnf"
for p in tlsfloor tlsfloor-provider; do
    r=$dist/$p-$version-1.x86_64.rpm
    [ -f "$r" ] || { fail "$r missing"; continue; }
    [ "$(rpm -qp --qf '%{ARCH}' "$r" 2>/dev/null)" = x86_64 ] && pass "$p: x86_64" || fail "$p: arch"
    if [ "$p" = tlsfloor ]; then printf '%s\n' "$rpm_want_main"; else printf '%s\n' "$rpm_want_provider"; fi > "$work/want"
    rpm -qlp "$r" 2>/dev/null | sed 's|\.gz$||' | sort > "$work/got"
    same "$p: file list (rpm -qlp)" "$work/want" "$work/got"
    rpm -qp --requires "$r" 2>/dev/null | sort > "$work/req"
    echo "  requires: $(tr '\n' ' ' < "$work/req")"
    newer=$(grep -o 'GLIBC_2\.[0-9]*' "$work/req" | awk -F. '$2 > 17' | sort -u || true)
    if [ "$p" = tlsfloor ]; then
        [ -z "$newer" ] && pass "$p: no glibc version newer than 2.17 required" || fail "$p requires $newer"
        grep -qx 'libdl.so.2()(64bit)' "$work/req" && grep -qx 'libpthread.so.0()(64bit)' "$work/req" \
            && pass "$p: requires libdl.so.2 and libpthread.so.0 (where glibc < 2.34 keeps dl* and pthread_*)" || fail "$p: libdl/libpthread not required"
        ! grep -q 'libssl\|libcrypto' "$work/req" && pass "$p: no TLS library required" || fail "$p requires a TLS library"
        grep -qx 'bash' "$work/req" && grep -qx 'gawk' "$work/req" && pass "$p: requires bash and gawk (the wrapper, the subcommands)" || fail "$p: bash/gawk not required"
        rpm2cpio "$r" | (mkdir -p "$work/rpmx" && cd "$work/rpmx" && cpio -idm --quiet)
        "$src/tests/oldhosts/glibc-versions.sh" GLIBC_2.17 "x86_64=$work/rpmx/usr/lib64/tlsfloor/libtlsfloor.so" > "$work/gv" 2>&1 \
            && pass "$p: the shim imports nothing newer than GLIBC_2.17" || { fail "$p: glibc versions"; sed 's/^/    /' "$work/gv"; }
    else
        grep -q 'libcrypto.so.3(OPENSSL_3.0.0)(64bit)' "$work/req" && grep -qx "tlsfloor = $version-1" "$work/req" \
            && pass "$p: requires libcrypto.so.3 (OPENSSL_3.0.0) and tlsfloor = $version-1" || fail "$p: requires"
    fi
done
finish
