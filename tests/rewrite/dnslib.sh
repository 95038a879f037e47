# dnslib.sh: the namespace's DNS server for the resolver tests (sourced after tests/mail/lib.sh,
# inside tests/lib/netns-run): dnsmasq on 127.0.0.1:53 answers only for the standard name
# (smtp.office365.com -> 127.0.0.1; every other office365.com name: NXDOMAIN), and a private
# /etc/resolv.conf points at it.
command -v dnsmasq >/dev/null || PATH=$PATH:/usr/sbin
command -v dnsmasq >/dev/null || { echo "FAIL: dnsmasq not installed (scripts/test installs dnsmasq-base)"; exit 1; }

# ---- DNS: dnsmasq, and a resolv.conf that uses only it ----
LEGACY=smtp-legacy.office365.com
STD=smtp.office365.com
DNSMASQ_PID=

# Our own resolv.conf (private mount namespace). netns-run's is a bind mount of a file it has
# deleted, and the kernel mounts nothing over that: it goes first.
private_resolv_conf() {
    printf 'nameserver 127.0.0.1\noptions timeout:2 attempts:2\n' > "$T/resolv.conf"
    chmod 644 "$T/resolv.conf"
    while mountpoint -q /etc/resolv.conf && umount /etc/resolv.conf; do :; done
    mount --bind "$T/resolv.conf" /etc/resolv.conf || { echo "FAIL: cannot mount a private /etc/resolv.conf"; return 1; }
}

start_dns() {
    dnsmasq --keep-in-foreground --no-resolv --no-hosts --no-poll --pid-file= --user=root \
        --listen-address=127.0.0.1 --bind-interfaces --port=53 \
        --local=/office365.com/ --address=/$STD/127.0.0.1 \
        --log-queries --log-facility="$T/dnsmasq.log" > "$T/dnsmasq.out" 2>&1 &
    DNSMASQ_PID=$!
    local i
    for i in $(seq 100); do
        [ -n "$(dig_a "$STD" 2>/dev/null)" ] && return 0
        kill -0 "$DNSMASQ_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "dnsmasq did not answer:"; cat "$T/dnsmasq.out" "$T/dnsmasq.log" 2>/dev/null
    return 1
}
# The A records the DNS server gives for a name (python3's own resolver: no libc, no shim).
dig_a() {
    env -u LD_PRELOAD "$PY" - "$1" <<'EOF'
import socket, struct, sys
name = sys.argv[1]
q = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0" + struct.pack(">HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
s.sendto(q, ("127.0.0.1", 53))
r = s.recv(512)
rcode, an = r[3] & 15, struct.unpack(">H", r[6:8])[0]
print(f"rcode={rcode} an={an}" if rcode == 0 and an else "", end="")
EOF
}

stop_dns() {
    if [ -n "$DNSMASQ_PID" ]; then
        kill "$DNSMASQ_PID" 2>/dev/null
        wait "$DNSMASQ_PID" 2>/dev/null
        DNSMASQ_PID=
    fi
}

check_dns() {
    case_begin "the DNS of the namespace"
    check "dnsmasq answers for $STD" test -n "$(dig_a "$STD")"
    check "and not for $LEGACY" test -z "$(dig_a "$LEGACY")"
}
