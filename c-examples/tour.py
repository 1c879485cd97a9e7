#!/usr/bin/env python3
"""The tour: runs every ported example (ctest label "example") and prints
one line per example — what ran and what it shows — instead of a column of
"Passed".

usage: tour.py BUILD_DIR [ctest options, e.g. -j2]

The description of each program is its entry in c-examples/README.md (the
text after the dash of the bullet that names its binary), so the index and
the tour say the same thing. ctest's own report is printed only when an
example fails. The exit status is ctest's.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))


def descriptions():
    """{binary name: first sentence of its README entry}."""
    with open(os.path.join(HERE, "README.md"), encoding="utf-8") as fh:
        text = fh.read()
    out = {}
    for item in re.split(r"\n(?=- )", text):
        if not item.startswith("- "):
            continue
        item = " ".join(item.split())
        head, sep, rest = item[2:].partition(" \u2014 ")
        if not sep:
            continue
        sentence = re.split(r"(?<=[.])\s", rest)[0].rstrip(".")
        sentence = re.sub(r"`([^`]*)`", r"\1", sentence)
        for name in re.findall(r"`([\w.]+)`", head):
            out.setdefault(name, sentence)
    return out


def programs(command):
    """The example programs a test command runs (after run_example.py's --)."""
    words = command[command.index("--") + 1 :] if "--" in command else command
    return [os.path.basename(w) for w in words if os.sep in w and os.access(w, os.X_OK) and not w.endswith(".sh")]


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    build, extra = sys.argv[1], sys.argv[2:]
    listing = subprocess.run(["ctest", "--test-dir", build, "-L", "example", "--show-only=json-v1"],
                             stdout=subprocess.PIPE, text=True, check=True)
    tests = {t["name"]: t.get("command", []) for t in json.loads(listing.stdout)["tests"]}
    about = descriptions()
    with tempfile.TemporaryDirectory(prefix="rsipc-tour.") as tmp:
        junit = os.path.join(tmp, "tour.xml")
        res = subprocess.run(["ctest", "--test-dir", build, "-L", "example", "--output-on-failure",
                              "--output-junit", junit, *extra], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
        try:
            cases = ET.parse(junit).getroot().iter("testcase")
            results = {c.get("name"): (c.get("status"), float(c.get("time", 0))) for c in cases}
        except (OSError, ET.ParseError):
            results = {}
    ran = 0
    for name, command in tests.items():
        if not name.startswith("example_"):
            continue
        status, secs = results.get(name, ("notrun", 0.0))
        progs = programs(command)
        # Programs of one README entry share its description: name it once.
        by_text = {}
        for p in dict.fromkeys(progs):
            by_text.setdefault(about.get(p, ""), []).append(p)
        what = "; ".join(" + ".join(ps) + (f": {text}" if text else "") for text, ps in by_text.items()) or name
        mark = {"run": "ok  ", "fail": "FAIL"}.get(status, status)
        print(f"{mark} {name[len('example_'):]:<28} {what} ({secs:.1f} s)")
        ran += 1
    if res.returncode != 0:
        print(res.stdout)
    print(f"{ran} examples, output checked against expected/; {'all passed' if res.returncode == 0 else 'FAILED'}")
    return res.returncode


if __name__ == "__main__":
    sys.exit(main())
