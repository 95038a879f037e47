#!/usr/bin/python3
"""logcheck.py: assertions on a tlsfloor JSON Lines log (see DEVELOPERS.md, "Log records").

    logcheck.py LOG json
        every line is one complete JSON object with the contract's keys (nothing torn or
        interleaved), the file ends with a newline
    logcheck.py LOG expect EVENT [--mode enforce|audit] [--count N | --min-count N]
                               [--symbol NAME[,NAME...]] [--module-re RE]
                               [--detail KEY=VALUE]... [--detail-re KEY=REGEX]...
        the records of EVENT (in MODE when given) number exactly N (default 1) or at least N;
        each one's first caller frame (resolved through caller.site when the record carries
        only site and count) has one of the symbols / a module matching RE; each one's detail
        has KEY equal to VALUE ("true"/"false" compare as booleans) / matching REGEX. Audit-mode
        interventions must say detail.applied:false.
    logcheck.py LOG absent EVENT [--mode M]
    logcheck.py LOG sites EVENT
        per call site of EVENT: exactly one record carries frames and the counts are 1..n once each
    logcheck.py LOG summary
        one line per record: event mode symbol detail

Exits 0 when the assertion holds; otherwise prints why and the log, and exits 1.
"""
import argparse
import json
import re
import sys

INTERVENTIONS = {"method_pinned", "max_version_raised", "min_version_raised", "option_cleared",
                 "cipher_list_extended", "host_rewritten"}
REQUIRED = ("ts", "pid", "exe", "tool", "mode", "event")


class Failure(Exception):
    pass


def load(path):
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise Failure("cannot read the log: %s" % e)
    problems, records = [], []
    if raw and not raw.endswith(b"\n"):
        problems.append("the file does not end with a newline (a torn record?)")
    for n, line in enumerate(raw.split(b"\n")[:-1] if raw.endswith(b"\n") else raw.split(b"\n"), 1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as e:
            problems.append("line %d is not UTF-8: %s" % (n, e))
            continue
        if len(line) > 4096:
            problems.append("line %d is %d bytes, more than TF_LOG_MAX (4096)" % (n, len(line)))
        try:
            r = json.loads(text)
        except ValueError as e:
            problems.append("line %d is not one JSON object (%s): %.200s" % (n, e, text))
            continue
        if not isinstance(r, dict):
            problems.append("line %d is JSON but not an object: %.200s" % (n, text))
            continue
        missing = [k for k in REQUIRED if k not in r]
        if missing:
            problems.append("line %d lacks %s: %.200s" % (n, ", ".join(missing), text))
        if r.get("mode") not in ("enforce", "audit"):
            problems.append("line %d has mode %r" % (n, r.get("mode")))
        r["_line"] = n
        records.append(r)
    return records, problems


def resolve_frames(records):
    """site -> frames, from the records that carry them (the first from each site)."""
    sites = {}
    for r in records:
        c = r.get("caller")
        if isinstance(c, dict) and c.get("frames"):
            sites.setdefault((r.get("pid"), c.get("site")), c["frames"])
    return sites


def first_frame(r, sites):
    c = r.get("caller")
    if not isinstance(c, dict):
        return None
    frames = c.get("frames") or sites.get((r.get("pid"), c.get("site")))
    return frames[0] if frames else None


def describe(r, sites):
    f = first_frame(r, sites) or {}
    return "line %d: %s mode=%s detail=%s caller=%s" % (
        r["_line"], r.get("event"), r.get("mode"), json.dumps(r.get("detail"), sort_keys=True),
        "%s (%s+%s)" % (f.get("symbol"), f.get("module"), f.get("offset")) if f else "-")


def as_value(text):
    return {"true": True, "false": False, "null": None}.get(text, text)


def cmd_expect(records, args):
    sites = resolve_frames(records)
    sel = [r for r in records if r.get("event") == args.event and (not args.mode or r.get("mode") == args.mode)]
    what = "%s records%s" % (args.event, " in mode %s" % args.mode if args.mode else "")
    errors = []
    if args.min_count is not None:
        if len(sel) < args.min_count:
            errors.append("expected at least %d %s, found %d" % (args.min_count, what, len(sel)))
    elif len(sel) != args.count:
        errors.append("expected exactly %d %s, found %d" % (args.count, what, len(sel)))
    symbols = set(args.symbol.split(",")) if args.symbol else None
    for r in sel:
        f = first_frame(r, sites)
        if symbols is not None or args.module_re:
            if f is None:
                errors.append("%s: no caller frame (neither in the record nor for its site)" % describe(r, sites))
            else:
                if symbols is not None and f.get("symbol") not in symbols:
                    errors.append("%s: first caller frame is %r, expected %s" % (
                        describe(r, sites), f.get("symbol"), " or ".join(sorted(symbols))))
                if args.module_re and not re.search(args.module_re, str(f.get("module"))):
                    errors.append("%s: first caller frame's module %r does not match /%s/" % (
                        describe(r, sites), f.get("module"), args.module_re))
        d = r.get("detail") if isinstance(r.get("detail"), dict) else {}
        for kv in args.detail:
            k, _, v = kv.partition("=")
            if k not in d or d[k] != as_value(v):
                errors.append("%s: detail.%s is %s, expected %r" % (
                    describe(r, sites), k, json.dumps(d.get(k)) if k in d else "absent", as_value(v)))
        for kv in args.detail_re:
            k, _, v = kv.partition("=")
            if k not in d or not re.search(v, str(d[k])):
                errors.append("%s: detail.%s is %s, expected to match /%s/" % (
                    describe(r, sites), k, json.dumps(d.get(k)) if k in d else "absent", v))
        if args.event in INTERVENTIONS and r.get("mode") == "audit" and d.get("applied") is not False:
            errors.append("%s: an audit-mode intervention must carry detail.applied:false" % describe(r, sites))
        if args.event in INTERVENTIONS and r.get("mode") == "enforce" and d.get("applied") is False:
            errors.append("%s: an enforce-mode intervention says detail.applied:false" % describe(r, sites))
    if errors:
        raise Failure("\n".join(errors))
    for r in sel:
        print("  log ok: " + describe(r, sites))


def cmd_absent(records, args):
    sites = resolve_frames(records)
    sel = [r for r in records if r.get("event") == args.event and (not args.mode or r.get("mode") == args.mode)]
    if sel:
        raise Failure("expected no %s record, found %d:\n%s" % (
            args.event, len(sel), "\n".join(describe(r, sites) for r in sel)))
    print("  log ok: no %s record" % args.event)


def cmd_sites(records, args):
    sel = [r for r in records if r.get("event") == args.event]
    by_site = {}
    errors = []
    for r in sel:
        c = r.get("caller")
        if not isinstance(c, dict) or "site" not in c or "count" not in c:
            errors.append("line %d: caller lacks site/count: %s" % (r["_line"], json.dumps(c)))
            continue
        by_site.setdefault((r.get("pid"), c["site"]), []).append(r)
    for (pid, site), rs in sorted(by_site.items(), key=lambda kv: str(kv[0])):
        counts = sorted(r["caller"]["count"] for r in rs)
        if counts != list(range(1, len(rs) + 1)):
            errors.append("pid %s site %s: counts are %s, expected 1..%d once each" % (pid, site, counts, len(rs)))
        with_frames = [r for r in rs if r["caller"].get("frames")]
        if len(with_frames) != 1:
            errors.append("pid %s site %s: %d records carry frames, expected exactly 1 (the first)" % (
                pid, site, len(with_frames)))
        elif with_frames[0]["caller"]["count"] != 1:
            errors.append("pid %s site %s: the record with frames has count %s, expected 1" % (
                pid, site, with_frames[0]["caller"]["count"]))
    if errors:
        raise Failure("\n".join(errors))
    print("  log ok: %d %s records over %d call site(s), counts consistent" % (len(sel), args.event, len(by_site)))


def cmd_summary(records, args):
    sites = resolve_frames(records)
    for r in records:
        print(describe(r, sites))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("log")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("json")
    sub.add_parser("summary")
    e = sub.add_parser("expect")
    e.add_argument("event")
    e.add_argument("--mode", choices=("enforce", "audit"))
    e.add_argument("--count", type=int, default=1)
    e.add_argument("--min-count", type=int)
    e.add_argument("--symbol")
    e.add_argument("--module-re")
    e.add_argument("--detail", action="append", default=[])
    e.add_argument("--detail-re", action="append", default=[])
    a = sub.add_parser("absent")
    a.add_argument("event")
    a.add_argument("--mode", choices=("enforce", "audit"))
    s = sub.add_parser("sites")
    s.add_argument("event")
    args = p.parse_args()

    try:
        records, problems = load(args.log)
        if problems:
            raise Failure("the log is not clean JSON Lines:\n" + "\n".join(problems[:20]))
        if args.cmd == "json":
            if not records:
                raise Failure("the log is empty")
            print("  log ok: %d records, each one JSON object on its own line" % len(records))
        elif args.cmd == "expect":
            cmd_expect(records, args)
        elif args.cmd == "absent":
            cmd_absent(records, args)
        elif args.cmd == "sites":
            cmd_sites(records, args)
        else:
            cmd_summary(records, args)
    except Failure as f:
        print("logcheck: %s: %s" % (args.log, f), file=sys.stderr)
        try:
            with open(args.log, errors="replace") as fh:
                lines = fh.readlines()
            print("logcheck: the log (%d lines%s):" % (len(lines), ", first 40" if len(lines) > 40 else ""),
                  file=sys.stderr)
            for line in lines[:40]:
                print("    | " + line.rstrip("\n")[:600], file=sys.stderr)
        except OSError:
            pass
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
