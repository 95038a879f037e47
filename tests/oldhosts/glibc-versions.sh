#!/bin/bash
# glibc-versions.sh MAX ARCH=LIBRARY...
# Reads each library's dynamic symbol table (readelf, no execution) and fails on any glibc
# symbol version newer than MAX (GLIBC_2.17: RHEL/CentOS 7, Ubuntu 16.04+, Debian 9+), naming
# each offending symbol. Also checks the ELF machine (x86_64 or i386), that the glibc 2.17
# binding's libraries are listed as needed (libdl.so.2, libpthread.so.0: where dl* and
# pthread_* lived before glibc 2.34) and that no TLS library is. Prints the versions imported.
set -euo pipefail
max=${1:?usage: glibc-versions.sh MAX ARCH=LIBRARY...}
shift
[ $# -gt 0 ] || { echo "usage: glibc-versions.sh MAX ARCH=LIBRARY..." >&2; exit 2; }
max=${max#GLIBC_}
fails=0

newer() { # newer A B: version A > B
    [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n1)" = "$1" ]
}

for spec in "$@"; do
    arch=${spec%%=*} lib=${spec#*=}
    echo "== $arch: $lib"
    if [ ! -f "$lib" ]; then
        echo "FAIL: $lib does not exist (not built)"; fails=$((fails + 1)); continue
    fi
    machine=$(readelf -h "$lib" | awk -F: '/Machine:/ {gsub(/^ +/, "", $2); print $2}')
    case "$arch/$machine" in
        x86_64/"Advanced Micro Devices X86-64" | i386/"Intel 80386") echo "   machine: $machine" ;;
        *) echo "FAIL: $lib is '$machine', expected $arch"; fails=$((fails + 1)); continue ;;
    esac
    # "SYMBOL VERSION" for every undefined (imported) versioned symbol.
    imports=$(readelf --dyn-syms -W "$lib" | awk '$7 == "UND" && $8 ~ /@GLIBC_/ {
        split($8, p, "@"); v = p[2]; sub(/ \([0-9]+\)$/, "", v); print p[1], v }' | sort -u)
    if [ -z "$imports" ]; then
        echo "FAIL: no versioned glibc imports found in $lib (readelf output changed?)"; fails=$((fails + 1)); continue
    fi
    echo "   glibc versions imported (count):"
    echo "$imports" | awk '{print $2}' | sort -V | uniq -c | sed 's/^/     /'
    bad=0
    while read -r sym ver; do
        v=${ver#GLIBC_}
        if newer "$v" "$max"; then
            echo "FAIL: $arch: $sym@$ver is newer than GLIBC_$max: bind it to an old version in common/tf_glibc_compat.h (or regenerate tf_glibc_compat_table.h), or do without it"
            bad=$((bad + 1))
        fi
    done <<<"$imports"
    [ "$bad" -eq 0 ] && echo "   newest: $(echo "$imports" | awk '{print $2}' | sort -V | tail -n1) (<= GLIBC_$max)"
    fails=$((fails + bad))
    needed=$(readelf -d "$lib" | awk '/NEEDED/ {gsub(/[][]/, "", $NF); print $NF}')
    echo "   needed: $(echo $needed)"
    if echo "$imports" | grep -qE '^(dl[a-z_]*|pthread_[a-z_]*) '; then
        for n in libdl.so.2 libpthread.so.0; do
            echo "$needed" | grep -qx "$n" || { echo "FAIL: $arch: $n is not needed, but dl*/pthread_* are bound to their pre-2.34 versions"; fails=$((fails + 1)); }
        done
    fi
    if echo "$needed" | grep -qE '^lib(ssl|crypto|gnutls)'; then
        echo "FAIL: $arch: links a TLS library"; fails=$((fails + 1))
    fi
done
if [ "$fails" -gt 0 ]; then
    echo "FAIL: $fails problem(s)"
    exit 1
fi
echo PASS
