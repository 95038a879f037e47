#!/usr/bin/python3
"""Checks a tlsfloor JSON Lines log.

  checklog.py LOG expect EVENT [KEY=VALUE...]   at least one matching record
  checklog.py LOG count EVENT N [KEY=VALUE...]  exactly N matching records
  checklog.py LOG none EVENT [KEY=VALUE...]     no matching record

KEY is a detail field (layer, old, new, message, host, ...), or: mode (the record's mode),
symbol (the first caller frame's symbol; the record must carry frames), module~ (a substring of
the first caller frame's module), count (caller.count), frames (yes|no). Every line of LOG must
be a JSON object; a missing LOG counts as empty. Exit 0 when the check holds, 1 otherwise."""
import json
import os
import sys


def load(path):
    recs = []
    if not os.path.exists(path):
        return recs
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            try:
                r = json.loads(raw)
            except ValueError as e:
                sys.exit("checklog: %s:%d is not JSON (%s): %r" % (path, n, e, raw[:200]))
            if not isinstance(r, dict):
                sys.exit("checklog: %s:%d is not a JSON object" % (path, n))
            recs.append(r)
    return recs


def first_frame(r):
    fr = (r.get("caller") or {}).get("frames") or []
    return fr[0] if fr else None


def matches(r, event, conds):
    if r.get("event") != event:
        return False
    for k, v in conds:
        if k == "mode":
            if r.get("mode") != v:
                return False
        elif k == "symbol":
            f = first_frame(r)
            if not f or f.get("symbol") != v:
                return False
        elif k == "module~":
            f = first_frame(r)
            if not f or v not in (f.get("module") or ""):
                return False
        elif k == "count":
            if str((r.get("caller") or {}).get("count")) != v:
                return False
        elif k == "frames":
            if (first_frame(r) is not None) != (v == "yes"):
                return False
        else:
            d = r.get("detail") or {}
            if k not in d or str(d[k]) != v and not (isinstance(d[k], bool) and str(d[k]).lower() == v):
                return False
    return True


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    path, op, event = sys.argv[1:4]
    rest = sys.argv[4:]
    want = None
    if op == "count":
        want = int(rest[0])
        rest = rest[1:]
    conds = []
    for c in rest:
        k, sep, v = c.partition("=")
        if not sep:
            sys.exit("checklog: bad condition %r" % c)
        conds.append((k, v))
    recs = load(path)
    hits = [r for r in recs if matches(r, event, conds)]
    ok = {"expect": len(hits) >= 1, "none": len(hits) == 0, "count": len(hits) == want}.get(op)
    if ok is None:
        sys.exit("checklog: unknown operation %r" % op)
    desc = "%s %s %s" % (op, event, " ".join(rest)) + (" (want %d)" % want if want is not None else "")
    if not ok:
        print("checklog: FAILED: %s: %d matching of %d records in %s" % (desc, len(hits), len(recs), path))
        for r in recs:
            print("  " + json.dumps(r, sort_keys=True)[:600])
        return 1
    print("checklog: ok: %s (%d matching)" % (desc, len(hits)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
