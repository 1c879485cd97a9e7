#!/usr/bin/env python3
"""Runs one ported example for ctest and asserts its output.

usage: run_example.py [--expect FILE] [--stdin FILE] [--timeout S]
                      [--wrap=WORD ...] [--fail-on-stderr REGEX] -- CMD [ARGS...]

The command must exit 0 within the timeout, and when --expect is given its
standard output must match FILE line by line: a line of FILE matches the same
line of output literally, except a line starting with `re:`, whose rest is a
Python regular expression that must match the whole output line (for pids,
keys and addresses). Standard error is passed through for diagnosis.

--wrap=WORD (repeatable) puts the words before the command, e.g. a valgrind
command line (`--wrap=valgrind --wrap=--error-exitcode=1 ...`; write
`--wrap=WORD` with `=` so a WORD starting with `-` is taken as a value).
--fail-on-stderr REGEX also fails the run when a line of standard error
matches REGEX (valgrind's `==PID==` reports come from forked children too,
whose exit status the example may not check).
"""
import argparse
import re
import subprocess
import sys


def matches(expected_lines, actual_lines):
    if len(expected_lines) != len(actual_lines):
        return False
    for want, got in zip(expected_lines, actual_lines):
        if want.startswith("re:"):
            if not re.fullmatch(want[3:], got):
                return False
        elif want != got:
            return False
    return True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--expect")
    parser.add_argument("--stdin")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--wrap", action="append", default=[])
    parser.add_argument("--fail-on-stderr")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command")

    command = args.wrap + command
    stdin = open(args.stdin, "rb") if args.stdin else subprocess.DEVNULL
    stderr = subprocess.PIPE if args.fail_on_stderr else None
    try:
        proc = subprocess.run(command, stdin=stdin, stdout=subprocess.PIPE, stderr=stderr, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        print(f"example timed out after {args.timeout} s: {command}", file=sys.stderr)
        return 1
    out = proc.stdout.decode("utf-8", "replace")
    sys.stdout.write(out)
    if args.fail_on_stderr:
        err = proc.stderr.decode("utf-8", "replace")
        sys.stderr.write(err)
        flagged = [line for line in err.splitlines() if re.search(args.fail_on_stderr, line)]
        if flagged:
            print(f"standard error has {len(flagged)} line(s) matching {args.fail_on_stderr!r}", file=sys.stderr)
            return 1
    if proc.returncode != 0:
        print(f"example exited with status {proc.returncode}", file=sys.stderr)
        return 1
    if args.expect:
        with open(args.expect, encoding="utf-8") as f:
            expected = f.read().splitlines()
        actual = out.splitlines()
        if not matches(expected, actual):
            print("output does not match " + args.expect + "\n--- expected", file=sys.stderr)
            print("\n".join(expected), file=sys.stderr)
            print("--- got", file=sys.stderr)
            print("\n".join(actual), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
