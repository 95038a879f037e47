#!/usr/bin/env python3
"""checklog.py LOG [checks]: a tlsfloor JSON Lines log is whole and says what it should.

Always: every line ends in a newline, is < 4096 bytes, parses as a JSON object with ts, pid,
tool, mode, event and detail. Checks:
  --expect EVENT=N     exactly N records of EVENT    --min-event / --max-event EVENT=N
  --pids N             exactly N distinct pids       --min-pids N
  --per-pid N          every pid has N of each --expect event
  --sites              per (pid, caller.site) no count repeats (a lost update in the call-site
                       table); --sites-strict: counts are exactly 1..k and only 1 has frames
  --min-lines N        --mode MODE (every record)    --no-event EVENT
  --grep EVENT=TEXT    some EVENT record has TEXT in detail.message
"""
import argparse
import collections
import json
import sys

ap = argparse.ArgumentParser()
ap.add_argument("log")
ap.add_argument("--expect", action="append", default=[])
ap.add_argument("--min-event", action="append", default=[])
ap.add_argument("--max-event", action="append", default=[])
ap.add_argument("--pids", type=int)
ap.add_argument("--min-pids", type=int)
ap.add_argument("--per-pid", type=int)
ap.add_argument("--sites", action="store_true")
ap.add_argument("--sites-strict", action="store_true")
ap.add_argument("--min-lines", type=int, default=1)
ap.add_argument("--mode")
ap.add_argument("--no-event", action="append", default=[])
ap.add_argument("--grep", action="append", default=[])
a = ap.parse_args()

errors = []
data = open(a.log, "rb").read()
if data and not data.endswith(b"\n"):
    errors.append("the log does not end with a newline (torn last record): ...%r" % data[-120:])
records = []
for i, raw in enumerate(data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n"), 1):
    if len(raw) + 1 > 4096:
        errors.append("line %d: %d bytes, over TF_LOG_MAX" % (i, len(raw) + 1))
    try:
        r = json.loads(raw.decode("utf-8"))
    except Exception as e:  # noqa: BLE001
        errors.append("line %d does not parse (%s): %r" % (i, e, raw[:200]))
        continue
    if not isinstance(r, dict) or not all(k in r for k in ("ts", "pid", "tool", "mode", "event", "detail")):
        errors.append("line %d lacks fields: %r" % (i, raw[:200]))
        continue
    records.append(r)

events = collections.Counter(r["event"] for r in records)
by_pid = collections.defaultdict(collections.Counter)
for r in records:
    by_pid[r["pid"]][r["event"]] += 1

def pairs(items):
    for item in items:
        k, _, v = item.partition("=")
        yield k, v

if len(records) < a.min_lines:
    errors.append("%d records, expected at least %d" % (len(records), a.min_lines))
for ev, n in pairs(a.expect):
    if events[ev] != int(n):
        errors.append("%s: %d records, expected %s" % (ev, events[ev], n))
    if a.per_pid is not None:
        for pid, c in by_pid.items():
            if c[ev] != a.per_pid:
                errors.append("pid %s: %d %s records, expected %d" % (pid, c[ev], ev, a.per_pid))
for ev, n in pairs(a.min_event):
    if events[ev] < int(n):
        errors.append("%s: %d records, expected at least %s" % (ev, events[ev], n))
for ev, n in pairs(a.max_event):
    if events[ev] > int(n):
        errors.append("%s: %d records, expected at most %s" % (ev, events[ev], n))
for ev in a.no_event:
    if events[ev]:
        errors.append("%d %s records, expected none" % (events[ev], ev))
if a.pids is not None and len(by_pid) != a.pids:
    errors.append("%d pids, expected %d" % (len(by_pid), a.pids))
if a.min_pids is not None and len(by_pid) < a.min_pids:
    errors.append("%d pids, expected at least %d" % (len(by_pid), a.min_pids))
if a.mode:
    bad = [r for r in records if r["mode"] != a.mode]
    if bad:
        errors.append("%d records in mode %s, expected %s" % (len(bad), bad[0]["mode"], a.mode))
for ev, text in pairs(a.grep):
    if not any(r["event"] == ev and text in str(r["detail"].get("message", "")) for r in records):
        errors.append("no %s record mentioning %r" % (ev, text))
if a.sites or a.sites_strict:
    counts = collections.defaultdict(list)
    frames = collections.defaultdict(list)
    for r in records:
        c = r.get("caller")
        if c:
            counts[(r["pid"], c["site"])].append(c["count"])
            frames[(r["pid"], c["site"])].append((c["count"], "frames" in c))
    for key, cs in counts.items():
        dup = [k for k, v in collections.Counter(cs).items() if v > 1]
        if dup:
            errors.append("pid %s site %s: counts %s repeated" % (key[0], key[1], dup[:5]))
        if a.sites_strict:
            if sorted(cs) != list(range(1, len(cs) + 1)):
                errors.append("pid %s site %s: counts are not 1..%d" % (key[0], key[1], len(cs)))
            wrong = [n for n, has in frames[key] if has != (n == 1)]
            if wrong:
                errors.append("pid %s site %s: frames on counts %s" % (key[0], key[1], wrong[:5]))

print("%s: %d records, %d pids, events %s" % (a.log, len(records), len(by_pid), dict(events)))
for e in errors[:20]:
    print("  ERROR:", e)
sys.exit(1 if errors else 0)
