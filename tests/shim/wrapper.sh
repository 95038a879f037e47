#!/usr/bin/env bash
# wrapper.sh — scripts/tlsfloor: environment it sets, LD_PRELOAD kept, errors, and the
# installed layout (cmake --install into a temporary prefix) finding the library and provider.
set -euo pipefail
build=${TLSFLOOR_BUILD_DIR:?the build tree (set by ctest)} src=${TLSFLOOR_SOURCE_DIR:?the source tree (set by ctest)}
w=$src/scripts/tlsfloor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# fail (stops the script at the first failed check), pass
ASSERT_FAIL_FAST=1
. "$src/tests/lib/assert.sh"
show='printf "%s|%s|%s|%s|%s|%s|%s\n" "$LD_PRELOAD" "${TLSFLOOR_MODE-}" "${TLSFLOOR_MIN-}" "${TLSFLOOR_LOG-}" "${TLSFLOOR_REWRITE-}" "${TLSFLOOR_VERIFY-}" "${TLSFLOOR_REWRITE_DEFAULTS-}"'
lib=$(readlink -f "$build/preload/libtlsfloor.so")

out=$(cd "$work" && env -u LD_PRELOAD "$w" --audit --min 1.3 --log rel.jsonl --rewrite a.test=b.test \
      --rewrite '*.c.test=d.test' --verify require --no-default-rewrites -- sh -c "$show")
[ "$out" = "$lib|audit|1.3|$work/rel.jsonl|a.test=b.test,*.c.test=d.test|require|0" ] || fail "env: $out"

# An existing LD_PRELOAD (and TLSFLOOR_REWRITE) is extended, not replaced; no duplicate entry.
out=$(LD_PRELOAD=/lib/x86_64-linux-gnu/libc.so.6 TLSFLOOR_REWRITE=x.test=y.test "$w" --rewrite a.test=b.test -- sh -c "$show")
[ "$out" = "/lib/x86_64-linux-gnu/libc.so.6:$lib||||x.test=y.test,a.test=b.test||" ] || fail "append: $out"
out=$(LD_PRELOAD="$lib" "$w" -- sh -c 'echo "$LD_PRELOAD"')
[ "$out" = "$lib" ] || fail "duplicate preload: $out"

# Usage errors: exit 2, a message, the command not run.
for bad in "--min 1.1" "--min 1.0" "--log" "--rewrite nonsense" "--rewrite a=b=c" "--verify off" "--bogus"; do
    # shellcheck disable=SC2086
    if "$w" $bad -- touch "$work/ran" 2>"$work/err"; then fail "accepted: $bad"; fi
    [ ! -e "$work/ran" ] || fail "ran the command despite: $bad"
    [ -s "$work/err" ] || fail "no message for: $bad"
done
set +e; "$w" -- 2>/dev/null; rc=$?; set -e
[ "$rc" = 2 ] || fail "no command: exit status $rc"
set +e; "$w" --min 1.0 -- true 2>/dev/null; rc=$?; set -e
[ "$rc" = 2 ] || fail "usage error exit status $rc"
# The command's own status comes back.
set +e; "$w" -- sh -c 'exit 7'; rc=$?; set -e
[ "$rc" = 7 ] || fail "exit status $rc"

# --provider: OPENSSL_CONF points at the built config (audit variant with --audit), no preload.
out=$(env -u LD_PRELOAD "$w" --provider -- sh -c 'echo "${LD_PRELOAD-}|$OPENSSL_CONF"')
[ "$out" = "|$(readlink -f "$build/provider/tlsfloor.cnf")" ] || fail "provider: $out"
out=$(env -u LD_PRELOAD "$w" --provider --audit -- sh -c 'echo "$OPENSSL_CONF|$TLSFLOOR_MODE"')
[ "$out" = "$(readlink -f "$build/provider/tlsfloor-audit.cnf")|audit" ] || fail "provider audit: $out"

# Installed layout: the wrapper finds its library, its subcommands and the provider config.
# Nothing may land outside the prefix: not in OpenSSL's module directory (the provider's default
# home under the /usr prefix only), nor anywhere else.
mdir=$(openssl version -m | sed -n 's/^MODULESDIR: "\(.*\)"$/\1/p')
[ -d "$mdir" ] || fail "no OpenSSL module directory ($mdir)"
listing() { find "$mdir" -mindepth 1 -printf '%p %y %s %T@ %i\n' | sort; }
before=$(listing)
DESTDIR= cmake --install "$build" --prefix "$work/prefix" >/dev/null
after=$(listing)
[ "$before" = "$after" ] || fail "cmake --install --prefix changed $mdir: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | tr '\n' ' ')"
outside=$(grep -v "^$work/prefix/" "$build/install_manifest.txt" || true)
[ -z "$outside" ] || fail "installed outside the prefix: $outside"
grep -qx "$work/prefix/lib/ossl-modules/tlsfloor.so" "$build/install_manifest.txt" || fail "no provider module under the prefix"
# The installed configs name the installed module (the prefix given at install time) and load it.
imod=$work/prefix/lib/ossl-modules/tlsfloor.so
for cnf in tlsfloor.cnf tlsfloor-audit.cnf; do
    grep -qx "module = $imod" "$work/prefix/share/tlsfloor/$cnf" || fail "installed $cnf: $(grep '^module' "$work/prefix/share/tlsfloor/$cnf")"
done
out=$(OPENSSL_CONF=$work/prefix/share/tlsfloor/tlsfloor.cnf openssl list -providers)
grep -qx '  tlsfloor' <<<"$out" || fail "the installed config does not load tlsfloor: $out"
# The installed tlsfloor-provider-install uses the installed module by default.
cp "$(readlink -f "$(openssl version -d | sed -n 's/^OPENSSLDIR: "\(.*\)"$/\1/p')/openssl.cnf")" "$work/openssl.cnf"
"$work/prefix/libexec/tlsfloor/tlsfloor-provider-install" install --config "$work/openssl.cnf" --log none >/dev/null ||
    fail "installed tlsfloor-provider-install without --module"
grep -qx "module = $imod" "$work/tlsfloor-provider.cnf" || fail "default --module: $(grep '^module' "$work/tlsfloor-provider.cnf")"
iw=$work/prefix/bin/tlsfloor
[ -x "$iw" ] || fail "no installed wrapper"
ilib=$(find "$work/prefix" -name libtlsfloor.so | head -1)
[ -n "$ilib" ] && case "$ilib" in */tlsfloor/libtlsfloor.so) ;; *) fail "library at $ilib" ;; esac
# Move the source tree's build out of reach: the installed wrapper must not need it.
cp "$iw" "$work/tlsfloor-copy"
out=$(cd / && env -u LD_PRELOAD "$iw" -- sh -c 'echo "$LD_PRELOAD"')
[ "$out" = "$ilib" ] || fail "installed wrapper used $out, expected $ilib"
"$iw" --help | grep -q 'check-provider' || fail "installed help"
# Subcommands resolve to the installed scripts and find the installed library.
set +e; out=$(cd / && env -u LD_PRELOAD "$iw" verify -- true 2>&1); rc=$?; set -e
[ "$rc" = 4 ] || fail "installed verify: exit $rc: $out"
echo "$out" | grep -q 'no TLS connection' || fail "installed verify output: $out"
out=$("$iw" report /dev/null 2>&1) || fail "installed report: $out"
echo "$out" | grep -q '0 records' || fail "installed report output: $out"
set +e; "$iw" nosuchsub 2>/dev/null; rc=$?; set -e
[ "$rc" = 127 ] || [ "$rc" = 2 ] || fail "unknown word treated oddly: $rc"
echo PASS
