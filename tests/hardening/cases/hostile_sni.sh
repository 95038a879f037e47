# shellcheck shell=bash
# hardening_hostile_sni (sourced by run.sh, which provides the helpers)
# A server under tlsfloor logs each handshake on stderr with the SNI the client sent. A client's
# SNI of `a.example changed=no version=TLSv1.0` (or with quotes, backslashes, a newline) must
# stay one value: the line has exactly the fields of a handshake record, and sni reads back as
# exactly what was sent.
start_server      # makes the certificate (and a server without tlsfloor, unused)
env LD_PRELOAD="$PRE" TLSFLOOR_LOG=stderr "$HPIN" server 4434 "$work/cert.pem" "$work/key.pem" "$work/ready2" 2>"$work/server.err" &
track_pid $!
for _ in $(seq 100); do [ -e "$work/ready2" ] && break; sleep 0.05; done
snis=("benign.example" "a.example changed=no version=TLSv1.0" 'a.example" changed="no'
      'x\" version=TLSv1.0 \' $'a.example\nversion=TLSv1.0 fake=1' '=' 'tab	and	more')
for sni in "${snis[@]}"; do
    "$HPIN" client 4434 --pin none --sni "$sni" >"$work/out" 2>&1 || fail "client with SNI '$sni' failed: $(cat "$work/out")"
done
sleep 0.3
"$PYTHON3" - "$work/server.err" "${snis[@]}" <<'PY' || fail "the stderr lines: $(cat "$work/server.err")"
import re, sys
def fields(line):
    """key=value pairs of a readable tlsfloor line: value plain, or "..." with \\" \\\\ \\xNN."""
    m = re.match(rb"tlsfloor\[\d+\]: (\S+)( \(audit\))?", line)
    event, pos, out = m.group(1), m.end(), []
    while pos < len(line):
        assert line[pos:pos + 1] == b" ", (line, pos)
        pos += 1
        if line.startswith(b"at ", pos) or line.startswith(b"[", pos):
            break
        k = re.match(rb"[a-z_]+=", line[pos:])
        assert k, (line, pos)
        key, pos, val = k.group(0)[:-1].decode(), pos + k.end(), bytearray()
        if line[pos:pos + 1] == b'"':
            pos += 1
            while line[pos:pos + 1] != b'"':
                assert pos < len(line), "unterminated quotes"
                if line[pos:pos + 1] == b"\\":
                    if line[pos + 1:pos + 2] == b"x":
                        val.append(int(line[pos + 2:pos + 4], 16)); pos += 4
                    else:
                        val += line[pos + 1:pos + 2]; pos += 2
                else:
                    val += line[pos:pos + 1]; pos += 1
            pos += 1
        else:
            end = line.find(b" ", pos)
            end = len(line) if end < 0 else end
            val, pos = line[pos:end], end
        out.append((key, bytes(val).decode()))
    return event.decode(), out
lines = [l for l in open(sys.argv[1], "rb").read().split(b"\n") if b": handshake " in l]
snis = sys.argv[2:]
assert len(lines) == len(snis), f"{len(lines)} handshake lines for {len(snis)} connections"
keys = None
for line, sni in zip(lines, snis):
    event, f = fields(line)
    d = dict(f)
    if keys is None:
        keys = [k for k, _ in f]
        assert keys[:3] == ["version", "cipher", "sni"], keys
    assert [k for k, _ in f] == keys, f"fields {[k for k, _ in f]}, expected {keys}: {line!r}"
    assert d["sni"] == sni, f"sni read back as {d['sni']!r}, sent {sni!r}: {line!r}"
    assert d["version"] in ("TLSv1.2", "TLSv1.3") and d["changed"] == "no", line
print(f"{len(lines)} handshake lines, fields {keys}")
PY
