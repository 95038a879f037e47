#!/usr/bin/env python3
"""java-events.py EVENTS.json JAVA_SRC_DIR: the Java agent's records against the event table.
Every Log.emit/Log.emitAs call names an event of the table written by tool "java", with detail
keys (the string literals at the key positions) the table lists for it; every event the table
says Java writes is emitted somewhere. A key that is not a literal fails (the table could not
be checked)."""
import json
import os
import re
import sys

CALL = re.compile(r'Log\.emit(As)?\(')


def args_of(text, start):
    """The top-level arguments of the call whose '(' is at text[start - 1]."""
    depth, args, cur, i, quote = 0, [], [], start, None
    while i < len(text):
        c = text[i]
        if quote:
            cur.append(c)
            if c == '\\':
                cur.append(text[i + 1])
                i += 1
            elif c == quote:
                quote = None
        elif c in '"\'':
            quote = c
            cur.append(c)
        elif c in '([{':
            depth += 1
            cur.append(c)
        elif c in ')]}':
            if depth == 0:
                args.append(''.join(cur).strip())
                return args
            depth -= 1
            cur.append(c)
        elif c == ',' and depth == 0:
            args.append(''.join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    raise ValueError("unterminated call")


def literal(arg):
    m = re.fullmatch(r'"([^"\\]*)"', arg)
    return m.group(1) if m else None


def main():
    table = {e["name"]: e for e in json.load(open(sys.argv[1]))}
    bad, calls, seen = [], 0, set()
    for root, _, files in os.walk(sys.argv[2]):
        for f in sorted(files):
            if not f.endswith(".java"):
                continue
            path = os.path.join(root, f)
            text = open(path, encoding="utf-8").read()
            for m in CALL.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                args = args_of(text, m.end())
                if m.group(1):          # emitAs(caller, event, ...)
                    args = args[1:]
                if not args or args[0] == "String event":
                    continue            # the definitions in Log.java
                calls += 1
                where = "%s:%d" % (path, line)
                ev = literal(args[0])
                if ev is None:
                    bad.append("%s: event %s is not a literal" % (where, args[0]))
                    continue
                seen.add(ev)
                e = table.get(ev)
                if e is None:
                    bad.append("%s: event %r is not in the table" % (where, ev))
                    continue
                if "java" not in e["tools"]:
                    bad.append("%s: %s: the table does not list java among its writers" % (where, ev))
                for k in args[1::2]:
                    key = literal(k)
                    if key is None:
                        bad.append("%s: %s: key %s is not a literal" % (where, ev, k))
                    elif key not in e["keys"]:
                        bad.append("%s: %s: key %r is not in the table" % (where, ev, key))
    for name, e in table.items():
        if "java" in e["tools"] and name not in seen:
            bad.append("the table says java writes %s, the agent never does" % name)
    for b in bad:
        print("FAIL: " + b)
    print("java-events: %d calls, events %s" % (calls, ",".join(sorted(seen))))
    sys.exit(1 if bad or calls == 0 else 0)


main()
