#!/bin/bash
# tlsfloor-provider-install on copies of configs: extends existing sections, never replaces the
# provider list, keeps existing default properties, refuses FIPS, uninstall restores the bytes.
# shellcheck source=tests/provider/lib.sh
source "$(dirname "$0")/lib.sh"
inst() { bash "$TFP_SRC/scripts/tlsfloor-provider-install" "$@"; }
probe=$TFP_BUILD/provider/tlsfloor-provider-probe

# 1. Debian's stock config (empty [openssl_init]).
cp "$(readlink -f "$(openssl version -d | sed -n 's/^OPENSSLDIR: "\(.*\)"$/\1/p')/openssl.cnf")" "$WORK/debian.cnf"
cp "$WORK/debian.cnf" "$WORK/debian.orig"
inst install --config "$WORK/debian.cnf" --module "$TFP_MODULE" --log none > "$WORK/i1.out" 2>&1
check "stock config: install succeeds" grep -q 'installed' "$WORK/i1.out"
OPENSSL_CONF=$WORK/debian.cnf "$probe" > "$WORK/p1.out" 2>&1
check "stock config: probe OK (enforce refused)" grep -q '^verdict: OK: enforce' "$WORK/p1.out"
inst install --config "$WORK/debian.cnf" --module "$TFP_MODULE" > "$WORK/i1b.out" 2>&1
check "second install refused" grep -q 'already installed' "$WORK/i1b.out"
inst status --config "$WORK/debian.cnf" | grep -q '^installed' && pass "status: installed" || fail "status: installed"
inst uninstall --config "$WORK/debian.cnf" > "$WORK/u1.out" 2>&1
check "stock config: uninstall restores the bytes" cmp -s "$WORK/debian.cnf" "$WORK/debian.orig"
check "stock config: no backup left behind" [ ! -e "$WORK/debian.cnf.tlsfloor-backup" ]

# 2. A config with its own provider list (default + legacy) and default properties.
cat > "$WORK/custom.cnf" <<CNF
openssl_conf = my_init
[my_init]
providers = my_providers
alg_section = my_algs
[my_providers]
default = my_default
legacy = my_legacy
[my_default]
activate = 1
[my_legacy]
activate = 1
[my_algs]
default_properties = fips=no
CNF
cp "$WORK/custom.cnf" "$WORK/custom.orig"
inst install --config "$WORK/custom.cnf" --module "$TFP_MODULE" --mode audit --log none > "$WORK/i2.out" 2>&1
check "custom config: install succeeds" grep -q 'installed' "$WORK/i2.out"
inc=$WORK/tlsfloor-provider.cnf
check "custom config: adds tlsfloor to [my_providers]" grep -Pzq '\[my_providers\]\ntlsfloor = tlsfloor_system_provider' "$inc"
check "custom config: does not create a new provider list" bash -c "! grep -q '^providers' '$inc'"
check "custom config: keeps the existing default properties" grep -qx 'default_properties = fips=no,?provider=tlsfloor' "$inc"
out=$(OPENSSL_CONF=$WORK/custom.cnf openssl list -providers)
check "custom config: default, legacy and tlsfloor all active" bash -c "grep -qx '  default' <<<'$out' && grep -qx '  legacy' <<<'$out' && grep -qx '  tlsfloor' <<<'$out'"
OPENSSL_CONF=$WORK/custom.cnf "$probe" > "$WORK/p2.out" 2>&1
check "custom config: probe OK (audit)" grep -q '^verdict: OK: audit' "$WORK/p2.out"
inst uninstall --config "$WORK/custom.cnf" > /dev/null 2>&1
check "custom config: uninstall restores the bytes" cmp -s "$WORK/custom.cnf" "$WORK/custom.orig"

# 3. FIPS: refused, nothing changed.
echo 1 > "$WORK/fips_enabled"
TLSFLOOR_FIPS_ENABLED_FILE=$WORK/fips_enabled inst install --config "$WORK/custom.cnf" --module "$TFP_MODULE" > "$WORK/i3.out" 2>&1
rc=$?
check "FIPS mode: install refused (status $rc)" bash -c "[ $rc -ne 0 ] && grep -q 'refusing: FIPS' '$WORK/i3.out'"
check "FIPS mode: config unchanged" cmp -s "$WORK/custom.cnf" "$WORK/custom.orig"
printf '.include /usr/lib/ssl/fipsmodule.cnf\n' | cat - "$WORK/custom.orig" > "$WORK/fips.cnf"
inst install --config "$WORK/fips.cnf" --module "$TFP_MODULE" > "$WORK/i4.out" 2>&1
check "config including fipsmodule.cnf: install refused" grep -q 'refusing: FIPS' "$WORK/i4.out"

# 4. Existing default properties that already name the provider: refused (cannot be combined).
sed 's/^default_properties = .*/default_properties = ?provider=default/' "$WORK/custom.orig" > "$WORK/prov.cnf"
cp "$WORK/prov.cnf" "$WORK/prov.orig"
inst install --config "$WORK/prov.cnf" --module "$TFP_MODULE" > "$WORK/i6.out" 2>&1
check "default_properties naming a provider: install refused, unchanged" bash -c "grep -q 'already constrains the provider' '$WORK/i6.out' && cmp -s '$WORK/prov.cnf' '$WORK/prov.orig'"

# 5. A missing module: refused before touching anything.
inst install --config "$WORK/custom.cnf" --module "$WORK/none/tlsfloor.so" > "$WORK/i5.out" 2>&1
check "missing module: install refused, config unchanged" bash -c "grep -q 'does not exist' '$WORK/i5.out' && cmp -s '$WORK/custom.cnf' '$WORK/custom.orig'"
finish
