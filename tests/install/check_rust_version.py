#!/usr/bin/env python3
"""ctest rust_version: Cargo.toml's rust-version is not lower than what the
locked dependency graph needs.

    check_rust_version.py CARGO SOURCE_DIR

Only one toolchain is installed, so rsipc cannot be built with the version it
declares; what can be checked is that no crate of the committed Cargo.lock
that a Linux x86-64 build uses (normal, build and dev dependencies) declares a
higher rust-version than rsipc does -- the floor a user's older toolchain hits
first. `cargo metadata --locked --offline` reads the lock file and the
registry cache the build already filled.
"""
import json
import subprocess
import sys


def version(text):
    parts = [int(x) for x in text.split(".")][:3]
    return tuple(parts + [0] * (3 - len(parts)))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    cargo, source = sys.argv[1], sys.argv[2]
    out = subprocess.run(
        [cargo, "metadata", "--format-version", "1", "--locked", "--offline",
         "--filter-platform", "x86_64-unknown-linux-gnu"],
        cwd=source, check=True, capture_output=True, text=True).stdout
    meta = json.loads(out)
    used = {node["id"] for node in meta["resolve"]["nodes"]}
    root = meta["resolve"]["root"]
    packages = {p["id"]: p for p in meta["packages"] if p["id"] in used}
    declared = packages[root].get("rust_version")
    if not declared:
        print("FAIL: Cargo.toml declares no rust-version")
        sys.exit(1)
    needs = sorted(((version(p["rust_version"]), p["name"], p["version"]) for pid, p in packages.items()
                    if pid != root and p.get("rust_version")), reverse=True)
    top = needs[0][0]
    highest = [f"{name} {ver}" for v, name, ver in needs if v == top]
    print(f"rsipc declares rust-version {declared}; the locked dependencies need "
          f"{'.'.join(map(str, top))} ({', '.join(highest)})")
    if version(declared) < top:
        print(f"FAIL: rust-version {declared} is lower than what the locked dependencies need")
        sys.exit(1)


if __name__ == "__main__":
    main()
