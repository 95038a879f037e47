#!/usr/bin/env bash
# dlsym.sh — tlsfloor's dlsym/dlvsym hooks change nothing but lookups of hooked TLS names on
# a TLS library's handle: RTLD_DEFAULT, RTLD_NEXT (from the program and from another preloaded
# library, before or after tlsfloor), a non-TLS library's handle, misses and their dlerror() text,
# and libssl functions the shim does not hook all land where they land without it.
set -uo pipefail
build=$(cd "${TLSFLOOR_BUILD_DIR:?the build tree (set by ctest)}" && pwd)
lib=$build/preload/libtlsfloor.so
check=$build/tests/shim/dlsymcheck
probe=$build/tests/shim/libnextprobe.so
for f in "$lib" "$check" "$probe"; do
    [ -e "$f" ] || { echo "FAIL: $f is not built"; exit 1; }
done
unset LD_PRELOAD
export TLSFLOOR_LOG=/dev/null
# pass, fail, finish
. "${TLSFLOOR_SOURCE_DIR:?}/tests/lib/assert.sh"

# expect PRELOAD EXPECTED-OUTPUT: the program's lines under that LD_PRELOAD
expect() {
    local out
    out=$(env LD_PRELOAD="$1" "$check" 2>&1)
    if [ "$out" = "$2" ]; then pass "LD_PRELOAD='${1//$build\//}'"; else
        fail "LD_PRELOAD='${1//$build\//}'"; diff <(echo "$2") <(echo "$out") | sed 's/^/    /'
    fi
}

common='libm cos libm.so.6
libm vsym cos libm.so.6
libm missing NULL
libm missing error names it
handle SSL_get_fd libssl.so.3
handle SSL_no_such NULL'
# without tlsfloor: everything in libssl/libc/libm
plain="linked SSL_free libssl.so.3
default SSL_new libssl.so.3
next SSL_new libssl.so.3
default strlen libc.so.6
$common
handle SSL_new libssl.so.3
handle vsym SSL_new libssl.so.3"
expect "" "$plain"
# with tlsfloor: the global scope finds its SSL_new first (as before any dlsym hook); the handle
# lookups of hooked names give the shim's hook, the others are unchanged
shim_head="linked SSL_free libssl.so.3
default SSL_new libtlsfloor.so
next SSL_new libtlsfloor.so
default strlen libc.so.6
$common
handle SSL_new libtlsfloor.so
handle vsym SSL_new libtlsfloor.so"
expect "$lib" "$shim_head"
# another preloaded library's RTLD_NEXT: what follows IT (glibc reads its return address)
expect "$probe" "$plain
preload next SSL_new libssl.so.3
preload next strlen libc.so.6
preload next vsym SSL_new libssl.so.3"
expect "$probe $lib" "$shim_head
preload next SSL_new libtlsfloor.so
preload next strlen libc.so.6
preload next vsym SSL_new libssl.so.3"
expect "$lib $probe" "$shim_head
preload next SSL_new libssl.so.3
preload next strlen libc.so.6
preload next vsym SSL_new libssl.so.3"
# a second copy of tlsfloor stays inert. The first copy's table then holds the second copy's hooks
# (its RTLD_NEXT), not the function the handle gives, so handle lookups are left as they are:
# never a hook that would forward to something else than what the program asked for.
cp "$lib" "$build/tests/shim/libtlsfloor-copy.so"
expect "$lib $build/tests/shim/libtlsfloor-copy.so" "${shim_head%handle SSL_new*}handle SSL_new libssl.so.3
handle vsym SSL_new libssl.so.3"
rm -f "$build/tests/shim/libtlsfloor-copy.so"
finish
