#!/bin/bash
# lint.sh cppcheck|clang-tidy|rules: static analysis of common/, preload/ (the code that runs
# inside host programs) and report/; "rules" checks the project's own rules (DEVELOPERS.md) by name. Exit 0 clean, 1 findings, 77 tool not installed. Findings print as
# FILE:LINE: ... [check]. The clang-tidy checks are in the repository's .clang-tidy.
set -euo pipefail
tool=${1:?usage: lint.sh cppcheck|clang-tidy}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
sources=(common/*.c preload/*.c report/*.c)
incs=(-Icommon -Ipreload -Ireport)
# (never the system include dir itself: cppcheck then parses glibc's headers and chokes)
case "${OPENSSL_INCLUDE_DIR:-/usr/include}" in /usr/include | /usr/include/) ;; *) incs+=(-I"$OPENSSL_INCLUDE_DIR") ;; esac
case "$tool" in
cppcheck)
    command -v cppcheck >/dev/null || { echo "SKIP: cppcheck not installed"; exit 77; }
    # preload/hooks.def is included several times with different macros: cppcheck must see it.
    cppcheck --quiet --std=c11 --enable=warning,portability,performance --inconclusive \
        --error-exitcode=1 --inline-suppr --suppress=missingIncludeSystem \
        -D_GNU_SOURCE -D__linux__ -D__x86_64__ "${incs[@]}" \
        --template='{file}:{line}: {severity}: {message} [{id}]' "${sources[@]}"
    ;;
clang-tidy)
    command -v clang-tidy >/dev/null || { echo "SKIP: clang-tidy not installed"; exit 77; }
    rc=0
    for f in "${sources[@]}"; do
        clang-tidy --quiet "$f" -- -std=gnu11 -D_GNU_SOURCE "${incs[@]}" 2>/dev/null || rc=1
    done
    exit $rc
    ;;
rules)
    rc=0
    # The shim defines dlsym: its own lookups must use tf_real_dlsym, or a backend's table is
    # filled with the shim's hooks and calls itself forever (DEVELOPERS.md).
    comment='^[^:]*:[0-9]+:[[:space:]]*(\*|/\*|//)'
    if grep -nE '(^|[^_[:alnum:]])dl(v?)sym[[:space:]]*\(' preload/*.c | grep -vE "$comment" | grep -v '^preload/hooks_dlsym.c:'; then
        echo "rules: preload/ calls dlsym/dlvsym directly (use tf_real_dlsym)"; rc=1
    fi
    # Loaded objects are walked only through tf_module_walk (fork safety, DEVELOPERS.md).
    if grep -nE '(^|[^_[:alnum:]])dl_iterate_phdr[[:space:]]*\(' common/*.c preload/*.c | grep -vE "$comment" | grep -v '^common/tf_module.c:'; then
        echo "rules: dl_iterate_phdr called outside tf_module_walk"; rc=1
    fi
    exit $rc
    ;;
*) echo "unknown tool $tool" >&2; exit 2 ;;
esac
