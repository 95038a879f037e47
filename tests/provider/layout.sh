#!/bin/bash
# layout.sh: where `cmake --install` puts the provider module, as configured:
#   prefix /usr                        OpenSSL's module directory, as a path under the prefix
#   -DTLSFLOOR_OSSL_MODULES_DIR=DIR    DIR, whatever the prefix
#   any other prefix                   <prefix>/lib/ossl-modules
# and what the installed configs will name (completed at install time). Build trees configured
# before this rule cached OpenSSL's module directory by themselves: that value is forgotten.
# Configure only, in scratch trees under BUILD; shim_wrapper installs a real build into a
# temporary prefix and checks that nothing lands outside it.
set -euo pipefail
build=$(cd "${TLSFLOOR_BUILD_DIR:?the build tree (set by ctest)}" && pwd) src=$(cd "${TLSFLOOR_SOURCE_DIR:?the source tree (set by ctest)}" && pwd)
mkdir -p "$build/tests/provider"
work=$(mktemp -d "$build/tests/provider/layout.XXXXXX")
trap 'rm -rf "$work"' EXIT
# pass, fail, finish
. "$src/tests/lib/assert.sh"

mdir=$(openssl version -m | sed -n 's/^MODULESDIR: "\(.*\)"$/\1/p')
case $mdir in /usr/*) ;; *) echo "FAIL: OpenSSL's module directory is not under /usr: '$mdir'" >&2; exit 1 ;; esac

# layout NAME CMAKE-ARGS...: configure a scratch tree; sets DEST (the module's install
# destination, as cmake_install.cmake has it) and MODULE (the installed config's module line).
layout() {
    local name=$1 d=$work/$1
    shift
    if ! cmake -S "$src" -B "$d" -DTLSFLOOR_OPENSSL11_ROOT= "$@" >"$d.log" 2>&1; then
        fail "$name: cmake $*: $(tail -5 "$d.log")"
        DEST='' MODULE=''
        return 0
    fi
    DEST=$(sed -n 's/^ *file(INSTALL DESTINATION "\([^"]*\)" TYPE MODULE FILES .*tlsfloor\.so".*/\1/p' \
        "$d/provider/cmake_install.cmake")
    MODULE=$(sed -n 's/^module = //p' "$d/provider/installed/tlsfloor.cnf.in" 2>/dev/null || true)
}
# expect NAME WANT-DEST WANT-MODULE
expect() {
    if [ "$DEST" = "$2" ] && [ "$MODULE" = "$3" ]; then
        pass "$1: module into $DEST, configs name $MODULE"
    else
        fail "$1: module into '$DEST' (want '$2'), configs name '$MODULE' (want '$3')"
    fi
}

rel=${mdir#/usr}
layout usr -DCMAKE_INSTALL_PREFIX=/usr
expect "prefix /usr" "\${CMAKE_INSTALL_PREFIX}$rel" "@TF_INSTALL_PREFIX@$rel/tlsfloor.so"

layout local -DCMAKE_INSTALL_PREFIX=/usr/local
expect "prefix /usr/local" "\${CMAKE_INSTALL_PREFIX}/lib/ossl-modules" "@TF_INSTALL_PREFIX@/lib/ossl-modules/tlsfloor.so"

layout explicit -DCMAKE_INSTALL_PREFIX=/opt/tlsfloor -DTLSFLOOR_OSSL_MODULES_DIR="$mdir"
expect "explicit TLSFLOOR_OSSL_MODULES_DIR" "$mdir" "$mdir/tlsfloor.so"

# A tree configured by the old rule: the module directory cached with the old help text.
printf 'set(TLSFLOOR_OSSL_MODULES_DIR "%s" CACHE PATH "OpenSSL module directory")\n' "$mdir" > "$work/old-cache.cmake"
layout old -C "$work/old-cache.cmake" -DCMAKE_INSTALL_PREFIX=/opt/tlsfloor
expect "old build tree, prefix /opt/tlsfloor" "\${CMAKE_INSTALL_PREFIX}/lib/ossl-modules" "@TF_INSTALL_PREFIX@/lib/ossl-modules/tlsfloor.so"

finish
