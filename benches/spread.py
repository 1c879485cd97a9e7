#!/usr/bin/env python3
"""Runs rsipc_bench several times and prints, per row, the spread of its
medians across the runs, so a figure in a report can be told apart from
one lucky (or unlucky) run.

    benches/spread.py build/benches/rsipc_bench --runs 5 -- --full --filter chan

Everything after ``--`` goes to rsipc_bench (``--csv`` is added). For each
row and variant it prints the median of the runs' medians and their range
(lowest and highest run median, and the range as a share of the median),
then the rows' ratios the same way. Each rsipc_bench run already reports,
per row, the median, min and max over its repetitions; the percentile rows
(p50/p99 of the round trips) come out of every run like any other row.
"""
import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile


def one_run(bench, args):
    with tempfile.TemporaryDirectory(prefix="rsipc-spread-") as d:
        out = os.path.join(d, "run.csv")
        md = os.path.join(d, "run.md")
        subprocess.run([bench, *args, "--csv", out, "--markdown", md], check=True, stdout=subprocess.DEVNULL)
        with open(out, newline="") as f:
            return list(csv.DictReader(f))


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1 :]
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("bench", help="path of rsipc_bench")
    p.add_argument("--runs", type=int, default=5, help="how many runs (default 5)")
    opt = p.parse_args(argv)
    if opt.runs < 2:
        p.error("--runs must be at least 2")

    medians, ratios, units, order = {}, {}, {}, []
    for run in range(opt.runs):
        print(f"run {run + 1} of {opt.runs} ...", file=sys.stderr, flush=True)
        for row in one_run(opt.bench, extra):
            key = (row["section"], row["mechanism"], row["workload"], row["variant"])
            if key not in medians:
                order.append(key)
                medians[key] = []
            medians[key].append(float(row["median"]))
            units[key] = row["unit"]
            if row.get("ratio"):
                ratios.setdefault(key[:3], []).append(float(row["ratio"]))

    print(f"| mechanism | workload | variant | unit | median of {opt.runs} run medians | lowest | highest | range |")
    print("|---|---|---|---|--:|--:|--:|--:|")
    for key in order:
        v = medians[key]
        mid = statistics.median(v)
        spread = (max(v) - min(v)) / mid * 100 if mid else 0.0
        print(f"| {key[1]} | {key[2]} | {key[3]} | {units[key]} | {mid:.4g} | {min(v):.4g} | {max(v):.4g} | {spread:.0f}% |")
    if ratios:
        print()
        print("| mechanism | workload | median ratio | lowest | highest |")
        print("|---|---|--:|--:|--:|")
        for key, v in ratios.items():
            print(f"| {key[1]} | {key[2]} | {statistics.median(v):.3f} | {min(v):.3f} | {max(v):.3f} |")


if __name__ == "__main__":
    main()
