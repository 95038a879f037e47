#!/usr/bin/env python3
"""Judges the HTML report as Chromium rendered it (html/driver.js wrote its findings into
<pre id="test-results"> of the dumped DOM) against the report's --json document.

    check.py REPORT.json DOM.html CHROMIUM-STDERR HOSTILE-EXE

Prints "ok: ..." / "FAIL: ..." lines; exit status 1 when anything failed."""
import html
import json
import re
import sys

report_path, dom_path, log_path, hostile = sys.argv[1:5]
report = json.load(open(report_path, encoding="utf-8"))
dom = open(dom_path, encoding="utf-8", errors="replace").read()
chromium_log = open(log_path, encoding="utf-8", errors="replace").read()
fails = 0


def check(ok, what, detail=""):
    global fails
    if ok:
        print("ok: " + what)
    else:
        fails += 1
        print("FAIL: " + what + (": " + detail if detail else ""))


m = list(re.finditer(r'<pre id="test-results"[^>]*>(.*?)</pre>', dom, re.S))
m = m[-1] if m else None
if not m:
    print("FAIL: the driver wrote no results (the page's scripts did not run?)")
    sys.exit(1)
res = json.loads(html.unescape(m.group(1)))
check(not res["exceptions"], "the driver ran through", "\n  ".join(res["exceptions"]))
res.setdefault("resources", None)
res.setdefault("data", None)
res.setdefault("save_button_shown", False)

# no console output and no error at all: the page logs nothing, so any CONSOLE line is wrong
console_lines = [l for l in chromium_log.splitlines() if ":CONSOLE" in l]
check(not console_lines, "no console messages in Chromium's log", "\n  ".join(console_lines[:10]))
check(not res.get("console") and not res.get("errors"), "no console call, uncaught error or CSP violation seen by the page",
      json.dumps(res.get("console", []) + res.get("errors", []))[:800])
check(res["resources"] == [], "no resource fetched (self-contained)", json.dumps(res["resources"]))

# the figures, computed here from --json
PINS = {"method_pinned", "max_version_raised", "option_cleared", "priority_raised"}
summary = report["summary"]
by_version = summary["connections_by_version"]
below = sum(n for v, n in by_version.items() if v.startswith("SSL") or v in ("TLSv1", "TLSv1.0", "TLSv1.1"))
want = {
    "pinning": len({(r["host"], r["exe"]) for r in report["call_sites"] if r["event"] in PINS}),
    "legacy": len({(r["host"], r["endpoint"]) for r in report["findings"]
                   if r["finding"].startswith("legacy endpoint")}),
    "basic": sum(r["count"] for r in report["findings"] if r["finding"].startswith("basic authentication")),
    "uncovered": sum(r["count"] for r in report["other_events"] if r["event"] == "uncovered_connection"),
    "failed": sum(r["failed"] for r in report["programs"]),
    "records": summary["records"],
    "handshakes": sum(by_version.values()),
    "below_floor": below,
}
for k, v in want.items():
    check(res["figures"].get(k) == str(v), "figure %s is %s as in --json" % (k, v), "page shows %r" % res["figures"].get(k))
for k in ("pinning", "legacy", "basic", "uncovered", "failed"):
    check(want[k] > 0, "figure %s is not zero in this log (the test means something)" % k)

# the chart: one bar per version, in order, with its count, red below 1.2, width by count
bars = res["bars"]
check([(b["version"], b["count"], b["shown"]) for b in bars] == [(v, str(n), str(n)) for v, n in by_version.items()],
      "chart bars match connections_by_version", json.dumps(bars))
for b in bars:
    bad = b["version"] in ("TLSv1", "TLSv1.0", "TLSv1.1") or b["version"].startswith("SSL")
    check(b["cls"] == ("bad" if bad else "ok"), "bar %s is %s" % (b["version"], "red" if bad else "green"))
top = max(by_version.values())
check(bars and all(abs(b["width"] - max(3, int(440 * int(b["count"]) / top))) < 1 for b in bars), "bar widths scale with counts")

# the tables: every row of --json
for t in ("findings", "programs", "endpoints", "call_sites", "other_events"):
    check(res["rows"].get(t) == len(report[t]), "table %s has the %d rows of --json" % (t, len(report[t])),
          "page has %r" % res["rows"].get(t))

# sorting: clicks and Enter on headers
records = sorted(r["records"] for r in report["programs"])
s = res["sort"]
check([int(x) for x in s.get("records_up", [])] == records and s.get("records_up_aria") == "ascending",
      "click on 'records' sorts programs ascending", json.dumps(s.get("records_up")))
check([int(x) for x in s.get("records_down", [])] == records[::-1] and s.get("records_down_aria") == "descending",
      "second click sorts descending", json.dumps(s.get("records_down")))
exes = s.get("exe_up", [])
check(exes == sorted(exes, key=str.lower) and sorted(exes) == sorted(r["exe"] for r in report["programs"]),
      "Enter on 'exe' sorts programs by name", json.dumps(exes)[:400])

# filtering: every word, case-insensitive, over the whole row
f = res["filter"]
def rows_with(*words):
    n = 0
    for r in report["findings"]:
        line = "".join("" if v is None else str(v) for k, v in r.items() if k != "host" or v is not None).lower()
        n += all(w in line for w in words)
    return n
f = {k: f.get(k, -1) for k in ("basic", "basic_label", "legacy_office365", "none", "cleared")}
check(f["basic"] == rows_with("basic", "authentication") and f["basic"] > 0, "filter 'BASIC authentication' keeps %d rows" % f["basic"],
      "want %d" % rows_with("basic", "authentication"))
check(f["basic_label"] == "%d of %d rows" % (f["basic"], len(report["findings"])), "filter says how many rows it shows",
      repr(f["basic_label"]))
check(f["legacy_office365"] == rows_with("legacy", "endpoint", "office365") and f["legacy_office365"] > 0,
      "filter with several words keeps rows having all of them")
check(f["none"] == 0, "a filter matching nothing hides every row")
check(f["cleared"] == len(report["findings"]), "clearing the filter shows every row again")

# the hostile name: text in the cells, nothing injected or run
h = {k: res["hostile"].get(k, -1) for k in ("cells", "pwned", "images", "handlers", "scripts")}
check(h["cells"] >= 2, "the hostile program name is shown as text (%d cells)" % h["cells"])
check(h["pwned"] is None, "nothing the hostile names carry ran", "window.tfPwned = %r" % h["pwned"])
check(h["images"] == 0 and h["handlers"] == 0, "no element injected (img, event handler attributes)",
      "img %d, handlers %d" % (h["images"], h["handlers"]))
check(h["scripts"] == ["tlsfloor-data", "inline"], "only the page's two scripts exist", json.dumps(h["scripts"]))
check(res["data"] == report, "the embedded JSON is the --json document")
check(res["save_button_shown"], "the save button appears when scripts run")
sys.exit(1 if fails else 0)
