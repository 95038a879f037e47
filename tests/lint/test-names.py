#!/usr/bin/env python3
"""test-names.py [JSON]: every ctest test is registered the one way (DEVELOPERS.md, Tests).

Reads `ctest --show-only=json-v1` (run in $TLSFLOOR_BUILD_DIR, or the file JSON) and fails,
naming each offender, when a test
  - was not registered by tlsfloor_test() called in tests/AREA/CMakeLists.txt,
  - is not named AREA_<case>,
  - has labels other than exactly [AREA],
or when a test named in DEVELOPERS.md's feature table (between <!-- feature-tests --> and
<!-- /feature-tests -->, last column; `*` as in a shell pattern) matches no test.
The folder comes from the test's CMake backtrace, so neither the name nor the label can vouch
for itself. Exit 0 clean, 1 findings, 2 usage.
"""
import fnmatch
import json
import os
import re
import subprocess
import sys

AREA_FILE = re.compile(r"(?:^|/)tests/([^/]+)/CMakeLists\.txt$")


def load(argv):
    if len(argv) > 1:
        with open(argv[1], encoding="utf-8") as f:
            return json.load(f)
    build = os.environ.get("TLSFLOOR_BUILD_DIR")
    if not build:
        print("usage: test-names.py [JSON] (or set TLSFLOOR_BUILD_DIR)", file=sys.stderr)
        sys.exit(2)
    out = subprocess.run(["ctest", "--show-only=json-v1"], cwd=build, check=True,
                         stdout=subprocess.PIPE).stdout
    return json.loads(out)


def frames(graph, node):
    """(file, command) of each frame, innermost first."""
    while node is not None:
        n = graph["nodes"][node]
        cmd = graph["commands"][n["command"]] if "command" in n else None
        yield graph["files"][n["file"]], cmd
        node = n.get("parent")


def problems(test, graph):
    name = test["name"]
    chain = list(frames(graph, test.get("backtrace")))
    if not any(cmd == "tlsfloor_test" for _, cmd in chain):
        yield "registered with add_test(), not tlsfloor_test()"
    areas = [m.group(1) for m in (AREA_FILE.search(f) for f, _ in chain) if m]
    if not areas:
        yield "not registered from a tests/AREA/CMakeLists.txt"
        return
    area = areas[0]
    if not name.startswith(area + "_"):
        yield "registered in tests/%s/ but not named %s_<case>" % (area, area)
    labels = next((p["value"] for p in test.get("properties", []) if p["name"] == "LABELS"), [])
    if labels != [area]:
        yield "labels %s, want exactly [%s] (its folder)" % (labels, area)


def table_names(path):
    """The test names (or patterns) in the feature table's last column."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    start, end = text.find("<!-- feature-tests -->"), text.find("<!-- /feature-tests -->")
    if start < 0 or end < start:
        return None
    names = []
    for line in text[start:end].splitlines():
        cells = line.strip().strip("|").split("|")
        if len(cells) >= 3 and not set(cells[-1].strip()) <= set("- "):
            names += re.findall(r"`([^`]+)`", cells[-1])
    return names


def table_problems(tests):
    src = os.environ.get("TLSFLOOR_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
    names = table_names(os.path.join(src, "DEVELOPERS.md"))
    if not names:
        yield "DEVELOPERS.md: no feature table (<!-- feature-tests --> ... <!-- /feature-tests -->)"
        return
    for n in names:
        if not fnmatch.filter(tests, n):
            yield "DEVELOPERS.md feature table names %s: no such test" % n


def main(argv):
    doc = load(argv)
    graph = doc["backtraceGraph"]
    bad = 0
    for test in doc["tests"]:
        for p in problems(test, graph):
            print("%s: %s" % (test["name"], p))
            bad += 1
    for p in table_problems([t["name"] for t in doc["tests"]]):
        print(p)
        bad += 1
    print("%d tests, %d findings" % (len(doc["tests"]), bad))
    if not doc["tests"]:
        print("FAIL: no test found", file=sys.stderr)
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
