# shellcheck shell=bash
# hardening_preload_twice (issue 10, item 19): the library preloaded twice (a copy under another
# path): the second copy stays inert, every record is written once.
if [ "${TLSFLOOR_SANITIZED:-0}" = 1 ]; then
    echo "SKIP: a second sanitized copy would need its own ASan setup"; exit 77
fi
start_server; baseline_fails
mkdir -p "$work/copy"
cp "$TLSFLOOR_LIB" "$work/copy/libtlsfloor.so"
log=$work/log.jsonl
for order in "$TLSFLOOR_LIB:$work/copy/libtlsfloor.so" "$work/copy/libtlsfloor.so:$TLSFLOOR_LIB"; do
    : >"$log"
    TLSFLOOR_REWRITE=legacy.test=localhost TLSFLOOR_LOG=$log env LD_PRELOAD="$order" \
        "$HPIN" client "$PORT" --pin max11 >"$work/out" 2>&1 || fail "$order: $(cat "$work/out")"
    TLSFLOOR_REWRITE=legacy.test=localhost TLSFLOOR_LOG=$log env LD_PRELOAD="$order" \
        "$PYTHON3" -c 'import socket; socket.getaddrinfo("legacy.test", 443)' || fail "$order: lookup"
    checklog "$log" --expect max_version_raised=1 --expect handshake=1 --expect host_rewritten=1
done
