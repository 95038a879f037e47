#!/usr/bin/env python3
# scripts/bench.py: the measurements of scripts/bench, which builds the helpers, enters the private
# network namespace and runs this as `bench.py [--only SECTION,...] TMP LIB ROOT BUILD`. Not run
# on its own, installed nowhere. Sections, in the order they run: start, handshake, bulk,
# stunnel, rss, provider, java, report, scan (--only runs the ones named, still in that order).
# Every run ends with the table and the "Issue 14 targets" block.
import json, os, re, signal, statistics, subprocess, sys, time

SECTIONS = ("start", "handshake", "bulk", "stunnel", "rss", "provider", "java", "report", "scan")
ALIASES = {"memory": "rss", "process": "start", "handshakes": "handshake"}

argv = sys.argv[1:]
only = None
if argv and argv[0].startswith("--only"):
    spec = argv[0][len("--only="):] if argv[0].startswith("--only=") else (argv[1] if len(argv) > 1 else "")
    argv = argv[1:] if argv[0].startswith("--only=") else argv[2:]
    only = [ALIASES.get(s.strip(), s.strip()) for s in spec.split(",") if s.strip()]
    unknown = [s for s in only if s not in SECTIONS]
    if unknown or not only:
        raise SystemExit("bench: --only takes sections among %s (got %r)" % (",".join(SECTIONS), spec))
if len(argv) != 4:
    raise SystemExit("usage: bench.py [--only SECTION[,SECTION]] TMP LIB ROOT BUILD (run by scripts/bench)")
tmp, lib, ROOT, BUILD = argv
QUICK = os.environ.get("BENCH_QUICK") == "1"
HPIN = os.path.join(tmp, "hpin")
EMPTY = os.path.join(tmp, "libempty.so")
PORT, SPORT = 4433, 5000
LOG = os.path.join(tmp, "tlsfloor.jsonl")
t_start = time.time()
load_start = open("/proc/loadavg").read().split()[:3]

base_env = {k: v for k, v in os.environ.items() if not k.startswith("TLSFLOOR_") and k != "LD_PRELOAD"}
base_env["OPENSSL_CONF"] = "/dev/null"

def env_for(variant, **extra):
    e = dict(base_env)
    if variant == "tlsfloor":
        e["LD_PRELOAD"] = lib
        e["TLSFLOOR_LOG"] = LOG
    elif variant == "tlsfloor_stderr":   # the default log: stderr (a pipe here)
        e["LD_PRELOAD"] = lib
    elif variant == "empty":
        e["LD_PRELOAD"] = EMPTY
    e.update(extra)
    return e

def run(cmd, env, check=True):
    """Runs cmd; returns (wall seconds, CPU seconds of it and its children)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    err = p.stderr.read().decode(errors="replace"); p.stderr.close()
    if check and p.returncode != 0:
        raise SystemExit("bench: %s failed (%d): %s" % (" ".join(cmd), p.returncode, err[-500:]))
    return wall, ru.ru_utime + ru.ru_stime

def rounds(variants, cmd_of, nrounds, reps=1):
    """Alternates variants round by round; returns {variant: [(wall, cpu) per round]}."""
    res = {v: [] for v in variants}
    for r in range(nrounds):
        order = variants if r % 2 == 0 else list(reversed(variants))
        for v in order:
            w = c = 0.0
            for _ in range(reps):
                cmd, env = cmd_of(v)
                dw, dc = run(cmd, env)
                w += dw; c += dc
            res[v].append((w, c))
    return res

def ratio(res, a, b, idx):
    rs = [x[idx] / y[idx] for x, y in zip(res[a], res[b]) if y[idx] > 0]
    return statistics.median(rs), min(rs), max(rs)

def fmt_ratio(m, lo, hi):
    return "%.3fx (%.3f-%.3f)" % (m, lo, hi)

def callgrind(cmd, env, children=False):
    """Instructions executed (sum over processes with --trace-children)."""
    vg = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    if children:
        vg.append("--trace-children=yes")
    p = subprocess.run(vg + cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    n = [int(x.replace(b",", b"")) for x in re.findall(rb"Collected : ([\d,]+)", p.stderr)]
    if not n:
        raise SystemExit("bench: callgrind gave no count for %s: %s" % (cmd, p.stderr[-300:]))
    return sum(n)

rows = []   # (section, measure, value, target, verdict)
targets = {}   # issue 14's ratios: name -> (value text, target text, met)
def row(section, what, value, target="", ok=None):
    verdict = "" if ok is None else ("met" if ok else "MISSED")
    rows.append((section, what, value, target, verdict))
    print("  %-34s %-48s %-10s %s" % (section[:34], what[:48], target, value), file=sys.stderr, flush=True)

def server(tls=True):
    ready = os.path.join(tmp, "ready")
    if os.path.exists(ready):
        os.unlink(ready)
    p = subprocess.Popen([HPIN, "server", str(PORT), os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem"), ready],
                         env=base_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        if os.path.exists(ready):
            return p
        time.sleep(0.02)
    raise SystemExit("bench: server did not start")

srv = None
def ensure_server():
    """The TLS server the client rows talk to (port PORT), started once."""
    global srv
    if srv is None:
        srv = server()

def stop_server():
    global srv
    if srv is not None:
        srv.terminate(); srv.wait()
        srv = None

def proc_cpu(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")

def client(v, n, pin, extra=()):
    return [HPIN, "client", str(PORT), "-n", str(n), "--pin", pin] + list(extra)

# ---------------------------------------------------------------- 1. process start
def section_start():
    print("bench: process start", file=sys.stderr)
    three = ["none", "empty", "tlsfloor"]
    N_TRUE = 100 if QUICK else 300
    res = rounds(three, lambda v: (["/bin/sh", "-c", "i=0; while [ $i -lt %d ]; do /bin/true; i=$((i+1)); done" % N_TRUE],
                                   env_for(v)), 3 if QUICK else 15)
    # The loop's shell is preloaded too: N_TRUE+1 processes per sample.
    row("start /bin/true (%dx, wall)" % N_TRUE, "tlsfloor / empty preload", fmt_ratio(*ratio(res, "tlsfloor", "empty", 0)), "<=1.05x",
        ratio(res, "tlsfloor", "empty", 0)[0] <= 1.05)
    row("start /bin/true (%dx, wall)" % N_TRUE, "tlsfloor / no preload", fmt_ratio(*ratio(res, "tlsfloor", "none", 0)))
    row("start /bin/true (%dx, wall)" % N_TRUE, "empty preload / no preload", fmt_ratio(*ratio(res, "empty", "none", 0)))
    ins = {v: callgrind(["/bin/true"], env_for(v)) for v in three}
    row("start /bin/true (instructions)", "tlsfloor / empty preload  [%d vs %d]" % (ins["tlsfloor"], ins["empty"]),
        "%.4fx" % (ins["tlsfloor"] / ins["empty"]), "<=1.05x", ins["tlsfloor"] / ins["empty"] <= 1.05)
    row("start /bin/true (instructions)", "tlsfloor / no preload  [%d]" % ins["none"], "%.4fx" % (ins["tlsfloor"] / ins["none"]))
    script = os.path.join(tmp, "fifty.sh")
    open(script, "w").write("#!/bin/sh\nfor i in 1 2 3 4 5 6 7 8 9 10; do\n  /bin/true; /bin/echo x >/dev/null; /bin/true; /bin/cat /dev/null; /bin/true\ndone\n")
    os.chmod(script, 0o755)
    res = rounds(three, lambda v: ([script], env_for(v)), 5 if QUICK else 25, reps=4)
    row("shell script, 50 children (wall)", "tlsfloor / empty preload", fmt_ratio(*ratio(res, "tlsfloor", "empty", 0)), "<=1.05x",
        ratio(res, "tlsfloor", "empty", 0)[0] <= 1.05)
    row("shell script, 50 children (wall)", "tlsfloor / no preload", fmt_ratio(*ratio(res, "tlsfloor", "none", 0)))
    ins = {v: callgrind([script], env_for(v), children=True) for v in three}
    row("shell script, 50 children (instr.)", "tlsfloor / empty preload  [%d vs %d]" % (ins["tlsfloor"], ins["empty"]),
        "%.4fx" % (ins["tlsfloor"] / ins["empty"]), "<=1.05x", ins["tlsfloor"] / ins["empty"] <= 1.05)
    row("shell script, 50 children (instr.)", "tlsfloor / no preload", "%.4fx" % (ins["tlsfloor"] / ins["none"]))

# ---------------------------------------------------------------- 2. handshakes
def section_handshake():
    print("bench: handshakes", file=sys.stderr)
    ensure_server()
    NH = 100 if QUICK else 400
    # Variants: plain unpinned client; the same under tlsfloor (it logs each handshake); a pinned
    # client (max TLS 1.1) under tlsfloor, which the shim raises and logs on every connection.
    # Without tlsfloor the pinned client cannot connect at all, so both compare to the plain client.
    hs = {"plain": lambda: (client("none", NH, "none"), env_for("none")),
          "tf_unpinned": lambda: (client("tlsfloor", NH, "none"), env_for("tlsfloor")),
          "tf_pinned": lambda: (client("tlsfloor", NH, "max11"), env_for("tlsfloor"))}
    res = rounds(list(hs), lambda v: hs[v](), 3 if QUICK else 15)
    for v in ("tf_unpinned", "tf_pinned"):
        m = ratio(res, v, "plain", 1)
        label = "unpinned client" if v == "tf_unpinned" else "pinned client (raised, logged)"
        # CPU time on a shared 2-core machine moves by more than the target: the verdict comes from
        # the instruction counts below; this row shows the spread.
        row("TLS handshake, client CPU", "%s / no tlsfloor" % label, fmt_ratio(*m), "(see instr.)")
        row("TLS handshake, wall", "%s / no tlsfloor" % label, fmt_ratio(*ratio(res, v, "plain", 0)))
    per = statistics.median(c for _, c in res["plain"]) / NH * 1e6
    row("TLS handshake, client CPU", "absolute, no tlsfloor (TLS 1.3, P-256)", "%.0f us/handshake" % per)
    # Instructions per handshake: (40 - 10 connections) / 30, which removes process start-up.
    ipc = {}
    for v, (pin, var) in {"plain": ("none", "none"), "tf_unpinned": ("none", "tlsfloor"), "tf_pinned": ("max11", "tlsfloor")}.items():
        a = callgrind(client(var, 10, pin), env_for(var))
        b = callgrind(client(var, 40, pin), env_for(var))
        ipc[v] = (b - a) / 30
    row("TLS handshake, instructions", "no tlsfloor", "%.0f/handshake" % ipc["plain"])
    row("TLS handshake, instructions", "unpinned under tlsfloor", "%.0f/handshake (%.4fx)" % (ipc["tf_unpinned"], ipc["tf_unpinned"] / ipc["plain"]),
        "<=1.02x", ipc["tf_unpinned"] / ipc["plain"] <= 1.02)
    # Issue 14: the same unpinned handshake with the default log (stderr, one line per record): a
    # known call site is recognised from its return address, nothing is unwound after the first.
    a = callgrind(client("tlsfloor", 10, "none"), env_for("tlsfloor_stderr"))
    b = callgrind(client("tlsfloor", 40, "none"), env_for("tlsfloor_stderr"))
    ipc["tf_default_log"] = (b - a) / 30
    row("TLS handshake, instructions", "unpinned, default log / no tlsfloor", "%.0f/handshake (%.4fx)" % (ipc["tf_default_log"], ipc["tf_default_log"] / ipc["plain"]),
        "<=1.002x", ipc["tf_default_log"] / ipc["plain"] <= 1.002)
    targets["handshake"] = ("%.4fx" % (ipc["tf_default_log"] / ipc["plain"]), "<=1.002x", ipc["tf_default_log"] / ipc["plain"] <= 1.002)
    row("TLS handshake, instructions", "pinned under tlsfloor (JSON log)", "%.0f/handshake (%.4fx)" % (ipc["tf_pinned"], ipc["tf_pinned"] / ipc["plain"]),
        "<=1.10x", ipc["tf_pinned"] / ipc["plain"] <= 1.10)

# ---------------------------------------------------------------- 3. bulk
def section_bulk():
    print("bench: bulk", file=sys.stderr)
    ensure_server()
    MB = 200 * 1024 * 1024
    bulk = {"plain": lambda: (client("none", 1, "none", ["--bytes", str(MB)]), env_for("none")),
            "tlsfloor": lambda: (client("tlsfloor", 1, "max11", ["--bytes", str(MB)]), env_for("tlsfloor"))}
    res = rounds(list(bulk), lambda v: bulk[v](), 3 if QUICK else 9)
    m = ratio(res, "tlsfloor", "plain", 1)
    row("bulk 200 MB, one connection", "client CPU, pinned+tlsfloor / plain", fmt_ratio(*m), "(see instr.)")
    row("bulk 200 MB, one connection", "wall, pinned+tlsfloor / plain", fmt_ratio(*ratio(res, "tlsfloor", "plain", 0)))
    w = statistics.median(x for x, _ in res["plain"])
    row("bulk 200 MB, one connection", "absolute, no tlsfloor", "%.0f MB/s" % (200 / w))
    # Per byte: instructions for 20 MB minus those for 4 MB (start-up and handshake cancel out).
    def per_byte(var, pin):
        big = callgrind(client(var, 1, pin, ["--bytes", str(20 * 1024 * 1024)]), env_for(var))
        small = callgrind(client(var, 1, pin, ["--bytes", str(4 * 1024 * 1024)]), env_for(var))
        return (big - small) / (16 * 1024 * 1024)
    a, b = per_byte("none", "none"), per_byte("tlsfloor", "max11")
    row("bulk, instructions per byte", "pinned+tlsfloor / plain  [%.3f vs %.3f]" % (b, a), "%.4fx" % (b / a), "<=1.01x", b / a <= 1.01)

# ---------------------------------------------------------------- 4. vs stunnel
def section_stunnel():
    print("bench: stunnel", file=sys.stderr)
    ensure_server()
    conf = os.path.join(tmp, "stunnel.conf")
    open(conf, "w").write("foreground = yes\npid =\nsyslog = no\ndebug = 0\noutput = %s/stunnel.log\n"
                          "[tls12]\nclient = yes\naccept = 127.0.0.1:%d\nconnect = 127.0.0.1:%d\n"
                          "sslVersion = TLSv1.2\nverifyChain = no\n"
                          "[tls12-noresume]\nclient = yes\naccept = 127.0.0.1:%d\nconnect = 127.0.0.1:%d\n"
                          "sslVersion = TLSv1.2\nverifyChain = no\nsessionResume = no\n" % (tmp, SPORT, PORT, SPORT + 1, PORT))
    st = subprocess.Popen(["stunnel4", conf], env=base_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    if st.poll() is not None:
        raise SystemExit("bench: stunnel4 did not start")
    # The program under tlsfloor keeps one SSL_CTX (as a poller does) and is pinned to TLS 1.1, so
    # tlsfloor raises it (to TLS 1.3: the server's best) and logs every connection to a JSON file.
    def vs_stunnel(label, n, nbytes, nrounds, sport=SPORT):
        out = {"stunnel": [], "tlsfloor": []}
        for r in range(nrounds):
            for v in (("stunnel", "tlsfloor") if r % 2 == 0 else ("tlsfloor", "stunnel")):
                if v == "stunnel":
                    c0 = proc_cpu(st.pid)
                    wall, cpu = run([HPIN, "client", str(sport), "--plain", "-n", str(n), "--bytes", str(nbytes)], env_for("none"))
                    cpu += proc_cpu(st.pid) - c0
                else:
                    wall, cpu = run(client("tlsfloor", n, "max11", ["--bytes", str(nbytes), "--shared-ctx"]), env_for("tlsfloor"))
                out[v].append((wall, cpu))
        row(label, "wall, tlsfloor / stunnel", fmt_ratio(*ratio(out, "tlsfloor", "stunnel", 0)), "<1x", ratio(out, "tlsfloor", "stunnel", 0)[0] < 1)
        row(label, "CPU (client+stunnel), tlsfloor / stunnel", fmt_ratio(*ratio(out, "tlsfloor", "stunnel", 1)), "<1x",
            ratio(out, "tlsfloor", "stunnel", 1)[0] < 1)
    vs_stunnel("bulk 200 MB vs stunnel (TLS 1.2)", 1, MB, 3 if QUICK else 7)
    vs_stunnel("500 short conns vs stunnel (resumes)", 500, 2, 2 if QUICK else 5)
    vs_stunnel("500 short conns vs stunnel sessionResume=no", 500, 2, 2 if QUICK else 5, SPORT + 1)
    st.terminate(); st.wait()

# ---------------------------------------------------------------- 5. memory
def section_rss():
    print("bench: memory", file=sys.stderr)
    ensure_server()
    # RSS splits into anonymous memory (the process's own) and file pages (library code and symbol
    # tables now touched: shared with every other process using them, in the page cache).
    def rss(v, pin, **extra):
        p = subprocess.run(client(v, 1000, pin, ["--rss"]), env=env_for(v, **extra), capture_output=True, text=True, check=True)
        return {int(n): (int(a), int(b), int(c)) for n, a, b, c in
                re.findall(r"rss (\d+) (\d+) anon (\d+) file (\d+)", p.stdout)}
    def added(tf, base, i):
        return {k: tf[k][i] - base[k][i] for k in sorted(base)}
    base = rss("none", "none")
    tf = rss("tlsfloor", "max11")
    nolog = rss("tlsfloor", "max11", TLSFLOOR_LOG="none")
    steps = (10, 100, 1000)
    for label, data in (("JSON log", tf), ("TLSFLOOR_LOG=none", nolog)):
        anon, total, filep = added(data, base, 1), added(data, base, 0), added(data, base, 2)
        row("memory, 1000 pinned conns, " + label, "anonymous added after 10/100/1000",
            "/".join("%d" % anon[k] for k in steps) + " KiB", "<256 KiB", max(anon[k] for k in steps) < 256)
        row("memory, 1000 pinned conns, " + label, "RSS added (incl. shared file pages)",
            "/".join("%d" % total[k] for k in steps) + " KiB (file %d)" % filep[1000])
        grow = (data[1000][1] - data[100][1]) - (base[1000][1] - base[100][1])
        row("memory, 1000 pinned conns, " + label, "anonymous growth 100 -> 1000 conns, net of plain",
            "%+d KiB" % grow, "~0", abs(grow) < 64)

# ---------------------------------------------------------------- 6. the provider
def section_provider():
    print("bench: provider", file=sys.stderr)
    if os.path.exists(os.path.join(BUILD, "provider", "tlsfloor.so")):
        p = subprocess.run([os.path.join(ROOT, "provider", "bench-provider.sh"), BUILD, "2" if QUICK else "3"],
                           capture_output=True, text=True, env=base_env)
        m = re.search(r"ratio with/without: ([0-9.]+)", p.stdout)
        w = re.search(r"with provider: +([0-9.]+)", p.stdout)
        wo = re.search(r"without provider: +([0-9.]+)", p.stdout)
        if m and w and wo:
            row("provider, TLS 1.2 full handshakes", "handshakes/s with / without (best of 3)",
                "%sx [%s vs %s /s]" % (m.group(1), w.group(1), wo.group(1)))
        else:
            row("provider, TLS 1.2 full handshakes", "bench-provider.sh failed", p.stderr.strip()[-80:], "", False)

# ---------------------------------------------------------------- 7. the Java agent
# JVM start-up with tlsfloor-agent.jar against without it (the wrapper adds it through
# JAVA_TOOL_OPTIONS): `java -version`, and a small TLS client (tests/java/TlsPing.java, one
# handshake and 2 bytes), unpinned with and without the agent, and pinned to TLSv1 with the
# agent (it cannot connect without). CPU time is user+sys of the JVM, all its threads.
def section_java():
    print("bench: java agent", file=sys.stderr)
    AGENT = os.path.join(BUILD, "java", "tlsfloor-agent.jar")
    if not os.path.exists(AGENT) or subprocess.run(["sh", "-c", "command -v java && command -v javac && command -v keytool"],
                                                   capture_output=True).returncode != 0:
        row("java agent start-up", "not measured: no JDK or no tlsfloor-agent.jar", "-", "", False)
    else:
        jcls = os.path.join(tmp, "jcls")
        subprocess.run(["javac", "-d", jcls, os.path.join(ROOT, "tests", "java", "TlsPing.java")], check=True)
        trust = os.path.join(tmp, "trust.p12")
        subprocess.run(["keytool", "-importcert", "-noprompt", "-alias", "bench", "-file", os.path.join(tmp, "cert.pem"),
                        "-keystore", trust, "-storepass", "changeit", "-storetype", "PKCS12"], check=True, capture_output=True)
        jenv = {k: v for k, v in base_env.items() if k not in ("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")}
        def jvm(v, *args):
            e = dict(jenv)
            if v != "none":
                e["JAVA_TOOL_OPTIONS"] = "-javaagent:" + AGENT
                e["TLSFLOOR_LOG"] = os.path.join(tmp, "java.jsonl")
            return ["java", "-Djavax.net.ssl.trustStore=" + trust, "-Djavax.net.ssl.trustStorePassword=changeit"] + list(args), e
        JR = 3 if QUICK else 11
        res = rounds(["none", "agent"], lambda v: jvm(v, "-version"), JR)
        row("JVM start, java -version", "CPU user+sys, agent / none", fmt_ratio(*ratio(res, "agent", "none", 1)))
        row("JVM start, java -version", "wall, agent / none", fmt_ratio(*ratio(res, "agent", "none", 0)))
        row("JVM start, java -version", "absolute, none / agent (CPU)", "%.0f / %.0f ms" % (
            statistics.median(c for _, c in res["none"]) * 1e3, statistics.median(c for _, c in res["agent"]) * 1e3))
        ensure_server()
        ping = {"none": lambda: jvm("none", "-cp", jcls, "TlsPing", "TLS", str(PORT)),
                "agent": lambda: jvm("agent", "-cp", jcls, "TlsPing", "TLS", str(PORT)),
                "agent_pinned": lambda: jvm("agent", "-cp", jcls, "TlsPing", "TLSv1", str(PORT))}
        res = rounds(list(ping), lambda v: ping[v](), JR)
        row("Java TLS client (1 handshake)", "CPU, unpinned with agent / none", fmt_ratio(*ratio(res, "agent", "none", 1)))
        row("Java TLS client (1 handshake)", "CPU, pinned TLSv1 with agent (raised) / none", fmt_ratio(*ratio(res, "agent_pinned", "none", 1)))
        row("Java TLS client (1 handshake)", "wall, unpinned with agent / none", fmt_ratio(*ratio(res, "agent", "none", 0)))
        row("Java TLS client (1 handshake)", "absolute CPU, none / agent / pinned+agent", "%.0f / %.0f / %.0f ms" % tuple(
            statistics.median(c for _, c in res[v]) * 1e3 for v in ("none", "agent", "agent_pinned")))
        stop_server()

# ---------------------------------------------------------------- 8. the report
# tlsfloor report --json on 1 million records made from this run's own log (the shim's records,
# pid/host/program varied) against a bare python3 json.loads loop: scripts/bench-report.
def section_report():
    print("bench: report", file=sys.stderr)
    if not (os.path.exists(LOG) and os.path.getsize(LOG)):
        # --only without handshake: the template log comes from a few logged handshakes instead
        ensure_server()
        run(client("tlsfloor", 50, "max11"), env_for("tlsfloor"))
        run(client("tlsfloor", 50, "none"), env_for("tlsfloor"))
        stop_server()
    if os.path.getsize(LOG) if os.path.exists(LOG) else 0:
        out = subprocess.run([os.path.join(ROOT, "scripts", "bench-report"), "--rows", BUILD, LOG],
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit("bench: bench-report failed: %s" % out.stderr[-400:])
        for line in out.stdout.splitlines():
            s, w, v, t, verdict = line.split("\t")
            row(s, w, v, t, None if verdict == "" else verdict == "met")
            if w.startswith("wall, tlsfloor report --json / python3"):
                targets["report"] = (v.split()[0], t, verdict == "met")
    else:
        row("report, 1M shim records", "no log written by the handshake rounds", "not measured", "<=1x", False)

# ---------------------------------------------------------------- 9. scan
# tlsfloor scan over a tree against `strings -a` over the same files (the regular files the scan
# walks: no symbolic links), both warm in the page cache, alternating. Target: at most 2.0x wall.
def section_scan():
    print("bench: scan", file=sys.stderr)
    SCAN_TREE = os.environ.get("BENCH_SCAN_TREE", "/usr/bin")
    scan_env = dict(base_env, TLSFLOOR_SCANNER=os.path.join(BUILD, "scan", "tlsfloor-scanner"))
    scan_files = sorted(os.path.join(d, f) for d, _, fs in os.walk(SCAN_TREE) for f in fs
                        if os.path.isfile(os.path.join(d, f)) and not os.path.islink(os.path.join(d, f)))
    if not os.access(scan_env["TLSFLOOR_SCANNER"], os.X_OK) or subprocess.run(["sh", "-c", "command -v strings"],
                                                                             capture_output=True).returncode != 0:
        row("scan %s" % SCAN_TREE, "not measured: no tlsfloor-scanner or no strings (binutils)", "-", "<=2.0x", False)
    else:
        # exit 1 means findings, not failure
        scan_cmd = {"scan": ["sh", "-c", '"$0" "$1"; [ $? -le 1 ]', os.path.join(ROOT, "scripts", "tlsfloor-scan"), SCAN_TREE],
                    "strings": ["strings", "-a", "--"] + scan_files}
        for v in scan_cmd:   # warm the page cache for both
            run(scan_cmd[v], scan_env, check=False)
        res = rounds(list(scan_cmd), lambda v: (scan_cmd[v], scan_env), 3 if QUICK else 7)
        m = ratio(res, "scan", "strings", 0)
        row("scan %s (%d files, wall)" % (SCAN_TREE, len(scan_files)), "tlsfloor scan / strings -a", fmt_ratio(*m), "<=2.0x", m[0] <= 2.0)
        targets["scan"] = ("%.3fx" % m[0], "<=2.0x", m[0] <= 2.0)
        row("scan %s (%d files, CPU)" % (SCAN_TREE, len(scan_files)), "tlsfloor scan / strings -a", fmt_ratio(*ratio(res, "scan", "strings", 1)))
        row("scan %s (%d files)" % (SCAN_TREE, len(scan_files)), "absolute wall, scan / strings -a", "%.2f / %.2f s" % tuple(
            statistics.median(w for w, _ in res[v]) for v in ("scan", "strings")))
        out = subprocess.run([os.path.join(ROOT, "scripts", "tlsfloor-scan"), "--json", SCAN_TREE], env=scan_env,
                             capture_output=True, text=True).stdout
        doc = json.loads(out)
        c = doc["confidence"]
        row("scan %s" % SCAN_TREE, "programs with findings (high/medium/low), hidden", "%d (%d/%d/%d), %d hidden" % (
            doc["programs"], c["high"], c["medium"], c["low"], doc["hidden"]))


# ---------------------------------------------------------------- run
for name in SECTIONS:
    if only is None or name in only:
        globals()["section_" + name]()
    if name == "rss":
        stop_server()   # the client rows are done (java starts its own, report its own if need be)
stop_server()

# ---------------------------------------------------------------- table
cpu = "?"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip(); break
uname = os.uname()
load_end = open("/proc/loadavg").read().split()[:3]
print()
print("tlsfloor bench  %s  |  %s, %d CPUs, %s %s, %s  |  load before: %s, after: %s  |  %.0f s"
      % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), cpu, os.cpu_count(), uname.sysname, uname.release,
         subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip(), " ".join(load_start),
         " ".join(load_end), time.time() - t_start))
if only:
    print("Sections run: %s (--only)." % ",".join(s for s in SECTIONS if s in only))
print("Ratios: tlsfloor variant / baseline, median over alternating rounds (min-max); instruction counts from callgrind.")
print()
print("| measurement | comparison | result | target | |")
print("| --- | --- | --- | --- | --- |")
for r in rows:
    print("| %s | %s | %s | %s | %s |" % (r[0], r[1], r[2], r[3], r[4]))

# ---------------------------------------------------------------- issue 14
# The three ratios issue 14 sets targets for, in one place, with the machine they were measured on.
print()
print("Issue 14 targets  (nproc %d, %s; load average at start %s, at end %s)"
      % (os.cpu_count(), cpu, " ".join(load_start), " ".join(load_end)))
for name, what, section in (("report", "report --json / python3 json.loads (wall, 1M records)", "report"),
                            ("scan", "tlsfloor scan / strings -a (wall, %s)" % os.environ.get("BENCH_SCAN_TREE", "/usr/bin"), "scan"),
                            ("handshake", "handshake instructions, default log / no tlsfloor", "handshake")):
    if name in targets:
        v, t, ok = targets[name]
        print("  %-58s %-9s target %-8s %s" % (what, v, t, "pass" if ok else "FAIL"))
    else:
        print("  %-58s %-9s %s" % (what, "-", "not measured (section %s not run)" % section
                                   if only and section not in only else "not measured (see the table)"))
