#!/usr/bin/env python3
"""tlsfloor-scan-java.py FILE...: the Java archives and classes tlsfloor scan found, read for version
pins and retired endpoint names (their constant pools); one row per finding, in the ELF table's
format, on standard output. Run by scripts/tlsfloor-scan, installed next to it."""
import re, struct, sys, zipfile
PINS = {"TLSv1", "TLSv1.1", "SSLv3"}
CALLS = {("javax/net/ssl/SSLContext", "getInstance"): "SSLContext.getInstance",
         ("javax/net/ssl/SSLSocket", "setEnabledProtocols"): "SSLSocket.setEnabledProtocols",
         ("javax/net/ssl/SSLServerSocket", "setEnabledProtocols"): "SSLServerSocket.setEnabledProtocols",
         ("javax/net/ssl/SSLEngine", "setEnabledProtocols"): "SSLEngine.setEnabledProtocols",
         ("javax/net/ssl/SSLParameters", "setProtocols"): "SSLParameters.setProtocols"}
LEGACY = re.compile(r"(pop|imap|smtp)-legacy\.(office365\.com|partner\.outlook\.cn)", re.I)
SIZES = {3: 4, 4: 4, 5: 8, 6: 8, 7: 2, 8: 2, 9: 4, 10: 4, 11: 4, 12: 4, 15: 3, 16: 2, 17: 4, 18: 4, 19: 2, 20: 2}

def constants(data):
    """String constants and method references of a class file (its constant pool)."""
    if data[:4] != b"\xca\xfe\xba\xbe":
        raise ValueError("not a class file")
    n = struct.unpack(">H", data[8:10])[0]
    pool, i, pos = {}, 1, 10
    while i < n:
        tag = data[pos]
        if tag == 1:
            ln = struct.unpack(">H", data[pos + 1:pos + 3])[0]
            pool[i] = (1, data[pos + 3:pos + 3 + ln].decode("utf-8", "replace"))
            pos += 3 + ln
        elif tag in SIZES:
            pool[i] = (tag, data[pos + 1:pos + 1 + SIZES[tag]])
            pos += 1 + SIZES[tag]
        else:
            raise ValueError("bad constant pool tag %d" % tag)
        i += 2 if tag in (5, 6) else 1
    u2 = lambda b, o=0: struct.unpack(">H", b[o:o + 2])[0]
    utf = lambda k: pool.get(k, (0, ""))[1] if pool.get(k, (0,))[0] == 1 else ""
    strings = {utf(u2(v)) for t, v in pool.values() if t == 8}
    calls = set()
    for t, v in pool.values():
        if t in (10, 11):
            cls, nat = pool.get(u2(v), (0, b"")), pool.get(u2(v, 2), (0, b""))
            if cls[0] == 7 and nat[0] == 12:
                calls.add((utf(u2(cls[1])), utf(u2(nat[1]))))
    return strings, calls

def classes(path):
    if path.endswith(".class"):
        with open(path, "rb") as f:
            yield path.rsplit("/", 1)[-1], f.read()
        return
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith(".class"):
                yield name, z.read(name)

for path in sys.argv[1:]:
    kind = "Java class" if path.endswith(".class") else "Java archive"
    found, where, legacy = [], [], set()
    try:
        for name, data in classes(path):
            strings, calls = constants(data)
            legacy |= {m.group(0).lower() for s in strings for m in [LEGACY.search(s)] if m}
            pins, pinned_by = sorted(strings & PINS), sorted(CALLS[c] for c in calls if c in CALLS)
            if pins and pinned_by:   # the version and the call in the same class
                found += ["%s(%s)" % (c, p) for c in pinned_by for p in pins]
                where.append(name)
    except Exception as e:
        sys.stderr.write("tlsfloor scan: %s: cannot read it as Java (%s), skipped\n" % (path, e))
        continue
    if not found and not legacy:
        continue
    advice = ("in %s: Java's TLS (JSSE) is Java code no preload reaches; allow TLS 1.2+ there "
              "(SSLContext.getInstance(\"TLSv1.2\") or \"TLS\", setEnabledProtocols with TLSv1.2/TLSv1.3) and rebuild, "
              "or run it behind a TLS-terminating relay (stunnel), or run it with tlsfloor's Java agent (tlsfloor -- java ...), which raises these pins" % ", ".join(where)) if found else ""
    if legacy:
        advice += ("; " if advice else "") + "legacy endpoint names are retired: change them to the standard ones"
    why = "pins the version and calls JSSE in one class" if found else "carries a retired endpoint's name"
    row = ["elf", path, kind, "Java (JSSE)", "no", " ".join(sorted(set(found))), " ".join(sorted(legacy)), advice, "1", "high", why]
    print("\t".join(x.replace("\t", "?").replace("\n", "?") for x in row))
