#!/bin/bash
# build.sh full|minimal: the project builds inside the Debian 11 amd64 root (gcc 10, CMake 3.18,
# OpenSSL 1.1 headers only), over a copy-on-write view of it (tests/lib/netns-run --root).
#   full     with BUILD_TESTING and the unit tests (Debian 11's Check): configure, build, ctest -L unit
#   minimal  first removes Check, Python, pkg-config and the OpenSSL headers from the view (dpkg
#            --purge, so the root really lacks them; Dovecot was never there), then
#            cmake -DBUILD_TESTING=OFF builds the library, the wrapper and the subcommands
# Runs inside tests/lib/netns-run (nothing is downloaded). Environment: TLSFLOOR_SOURCE_DIR, TF_ROOT, TF_WORK.
set -euo pipefail
mode=${1:?usage: build.sh full|minimal}
export TF_SRC=${TLSFLOOR_SOURCE_DIR:?}
: "${TF_ROOT:?}" "${TF_WORK:?}"
[ -f "$TF_ROOT/.tlsfloor-root" ] || { echo "FAIL: no root in $TF_ROOT: scripts/test makes it (tests/lib/mkroot bullseye-amd64 $TF_ROOT)"; exit 1; }
rm -rf "$TF_WORK"
mkdir -p "$TF_WORK/state"
W=$TF_WORK
# pass, fail, finish
. "$TF_SRC/tests/lib/assert.sh"

# The sources as a packager gets them: what git tracks (or would add), no build products.
mkdir -p "$W/src"
(cd "$TF_SRC" && if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done | tar --null -T - -cf -
 else tar --exclude=./build --exclude='./build-*' --exclude=./dist --exclude=./.git -cf - .; fi) | tar -xf - -C "$W/src"

rr() { "$TF_SRC/tests/lib/netns-run" --root "$TF_ROOT" --state "$W/state" --bind "$W/src:/src" -- "$@"; }

echo "== the root's tools"
rr sh -c 'gcc --version | head -n1; cmake --version | head -n1; cat /etc/debian_version' | sed 's/^/  /'
rr sh -c 'gcc --version | grep -q " 10\." && cmake --version | grep -q "version 3\.18\."' \
    && pass "gcc 10 and CMake 3.18" || fail "not gcc 10 / CMake 3.18"

if [ "$mode" = minimal ]; then
    echo "== removing Check, Python, pkg-config and the OpenSSL headers from this view of the root"
    rr sh -c 'pk=$(dpkg-query -W -f "\${Package} \${Status}\n" check libsubunit-dev libssl-dev pkg-config \
                  "python3*" "libpython3*" 2>/dev/null | awk "/ installed\$/ {print \$1}");
              dpkg --purge --force-depends $pk >/dev/null 2>&1; echo "purged: " $pk'
    rr sh -c '! command -v python3 && ! command -v python3.9 && ! command -v pkg-config &&
              ! test -e /usr/include/openssl && ! test -e /usr/include/check.h &&
              ! ls /usr/lib/x86_64-linux-gnu/pkgconfig/check.pc && ! command -v dovecot' >/dev/null 2>&1 \
        && pass "the root now has no python3, pkg-config, OpenSSL headers, check.h, dovecot" \
        || fail "something is still there"
    echo "== cmake -DBUILD_TESTING=OFF"
    if rr sh -c 'cmake -S /src -B /tmp/b -DBUILD_TESTING=OFF -DTLSFLOOR_WERROR=ON &&
                 cmake --build /tmp/b -j2 && cmake --install /tmp/b --prefix /tmp/inst &&
                 find /tmp/inst -type f | sort && cp /tmp/inst/lib/tlsfloor/libtlsfloor.so /src/built.so' \
            > "$W/build.log" 2>&1; then
        pass "configured, built and installed without them"
    else
        fail "the build failed:"; tail -n 40 "$W/build.log" | sed 's/^/    | /'
    fi
    grep -q 'no OpenSSL 3 headers found: the provider is not built' "$W/build.log" \
        && pass "CMake said the provider is skipped (no OpenSSL 3 headers)" || fail "no message about the provider"
    for f in /tmp/inst/bin/tlsfloor /tmp/inst/lib/tlsfloor/libtlsfloor.so /tmp/inst/libexec/tlsfloor/tlsfloor-verify /tmp/inst/libexec/tlsfloor/tlsfloor-verify.awk \
             /tmp/inst/libexec/tlsfloor/tlsfloor-report /tmp/inst/libexec/tlsfloor/tlsfloor-scan /tmp/inst/share/man/man1/tlsfloor.1; do
        grep -qx "$f" "$W/build.log" && pass "installed $f" || fail "$f not installed"
    done
    ! grep -q 'ossl-modules\|tlsfloor-provider' "$W/build.log" && pass "no provider files" || fail "provider files installed"
else
    echo "== cmake -DBUILD_TESTING=ON -DTLSFLOOR_TEST_AREAS=unit; ctest -L unit"
    if rr sh -c 'cmake -S /src -B /tmp/b -DBUILD_TESTING=ON -DTLSFLOOR_TEST_AREAS=unit -DTLSFLOOR_WERROR=ON &&
                 cmake --build /tmp/b -j2 && cd /tmp/b && ctest -L unit --output-on-failure &&
                 cp /tmp/b/preload/libtlsfloor.so /src/built.so' > "$W/build.log" 2>&1; then
        pass "configured, built, unit tests passed"
    else
        fail "failed:"; tail -n 40 "$W/build.log" | sed 's/^/    | /'
    fi
    grep -E '^(Test project|.*tests passed|.*unit_)' "$W/build.log" | sed 's/^/    /'
    # The suites are the ones tests/unit/CMakeLists.txt lists: all of them must have run and passed.
    n=$(sed -n 's/^foreach(suite \(.*\))$/\1/p' "$W/src/tests/unit/CMakeLists.txt" | wc -w)
    [ "$n" -gt 0 ] || fail "cannot read the list of unit suites"
    grep -q "100% tests passed, 0 tests failed out of $n\$" "$W/build.log" && pass "$n of $n unit suites" || fail "not every unit suite passed ($n expected)"
    grep -q 'Test *#.*unit_policy .*Passed' "$W/build.log" && pass "unit_policy (ABI table against the OpenSSL 1.1.1 headers) passed" || fail "unit_policy"
fi
# What Debian 11 built: glibc symbol versions (<= 2.31 there by construction) and no TLS library.
if [ -f "$W/src/built.so" ]; then
    "$TF_SRC/tests/oldhosts/glibc-versions.sh" GLIBC_2.17 "x86_64=$W/src/built.so" | sed 's/^/    /'
    [ "${PIPESTATUS[0]}" = 0 ] && pass "the library built there imports nothing newer than GLIBC_2.17" || fail "glibc versions"
fi
finish
