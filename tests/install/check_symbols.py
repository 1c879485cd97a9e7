#!/usr/bin/env python3
"""ctest install_symbols: the shared library's exports are rsipc's C API,
every function at the symbol version RSIPC_0.1 and nothing else exported.

    check_symbols.py LIBRARY HEADER [REFERENCE_CDYLIB]

Reads `readelf --dyn-syms -V -d` of LIBRARY and checks that
  * the SONAME is librsipc.so.MAJOR;
  * the library defines exactly two versions: its base (the SONAME) and
    RSIPC_0.1;
  * every defined dynamic symbol but the version's own ABS marker is a
    function named rsipc_* at the default version RSIPC_0.1 (@@RSIPC_0.1);
  * the exported functions are exactly those HEADER declares (comments left
    out), and exactly those rustc's own cdylib (REFERENCE_CDYLIB, if given)
    exports: the C link step loses and adds nothing.
"""
import re
import subprocess
import sys

VERSION = "RSIPC_0.1"


def readelf(*args):
    return subprocess.run(["readelf", "-W", *args], check=True, capture_output=True, text=True).stdout


def defined_dynsyms(path):
    """(name, version, type, bind, ndx) of each symbol the library defines."""
    out = []
    for line in readelf("--dyn-syms", path).splitlines():
        f = line.split()
        if len(f) < 8 or not f[0][:-1].isdigit() or f[6] == "UND":
            continue
        name, _, version = f[7].partition("@")
        out.append((name, version, f[3], f[4], f[6]))
    return out


def header_functions(path):
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return set(re.findall(r"\b(rsipc_[A-Za-z0-9_]+)\s*\(", text))


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    lib, header = sys.argv[1], sys.argv[2]
    errors = []

    dynamic = readelf("-d", lib)
    m = re.search(r"Library soname: \[([^\]]+)\]", dynamic)
    soname = m.group(1) if m else None
    if not soname or not re.fullmatch(r"librsipc\.so\.\d+", soname):
        errors.append(f"SONAME is {soname!r}, not librsipc.so.MAJOR")

    # Version definitions (.gnu.version_d): "Rev: 1  Flags: BASE  Index: 1  Cnt: 1  Name: librsipc.so.0".
    versions = readelf("-V", lib)
    vd = versions.split("Version definition section", 1)
    if len(vd) < 2:
        errors.append("no version definition section (.gnu.version_d): the library has no symbol versions")
        defined_versions = []
    else:
        section = vd[1].split("Version needs section", 1)[0]
        defined_versions = re.findall(r"Flags: (\S+)\s+Index: \d+\s+Cnt: \d+\s+Name: (\S+)", section)
        names = sorted(name for _, name in defined_versions)
        if names != sorted([soname or "?", VERSION]):
            errors.append(f"version definitions are {defined_versions}, want the base {soname} and {VERSION}")

    exported = set()
    for name, version, typ, bind, ndx in defined_dynsyms(lib):
        if name == VERSION and ndx == "ABS":
            continue  # the version definition's own marker symbol
        if not name.startswith("rsipc_"):
            errors.append(f"exports {name}@{version} ({typ} {bind}): only rsipc_* may be exported")
            continue
        if version != "@" + VERSION:
            errors.append(f"{name} is exported at {version or 'no version'!r}, not @@{VERSION}")
        if typ != "FUNC" or bind != "GLOBAL":
            errors.append(f"{name} is {typ} {bind}, not a global function")
        exported.add(name)

    declared = header_functions(header)
    for name in sorted(declared - exported):
        errors.append(f"{name} is declared in {header} but not exported")
    for name in sorted(exported - declared):
        errors.append(f"{name} is exported but not declared in {header}")

    if len(sys.argv) == 4:
        reference = {name for name, _, _, _, _ in defined_dynsyms(sys.argv[3])}
        if reference != exported:
            errors.append(f"rustc's cdylib exports {sorted(reference ^ exported)} differently")

    print(f"{lib}: SONAME {soname}, versions {[n for _, n in defined_versions]}, {len(exported)} functions exported")
    for e in errors:
        print("FAIL:", e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
