#!/usr/bin/env python3
"""The compat-header tests (ctest label "compat"): rsipc_compat.h must work
when a build forces it into every file with `-include rsipc_compat.h`, read
before the program's own `#define _GNU_SOURCE`, as well as when it is
included after the system headers.

    run.py header      --cc CC --include DIR --work DIR
    run.py gnu-c       --cc CC --include DIR --lib DIR --nm NM --work DIR
    run.py gnu-cxx     --cc CC --include DIR --lib DIR --nm NM --work DIR
    run.py every-name  --cc CC --include DIR --lib DIR --nm NM --work DIR

Each test uses CC (the build's C compiler) and also every other compiler of
gcc, clang (and g++, clang++ for C++) found on PATH; a missing one is
reported and skipped. Exit status 0 passes, 1 fails, 77 skips (no C++
compiler for gnu-cxx).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WARNINGS = ["-Wall", "-Wextra", "-Werror"]
# -O0; fortified at -O2 (glibc's inline mq_open wrapper, GCC only); and with
# 64-bit file offsets (glibc labels mmap "mmap64").
FLAG_SETS = [
    ["-O0"],
    ["-O2", "-D_FORTIFY_SOURCE=2"],
    ["-O2", "-D_FORTIFY_SOURCE=2", "-D_FILE_OFFSET_BITS=64"],
]
# The ways a program gets the header: none, forced in first, included last,
# and both (a tree ported the classic way, then built with -include).
MODES = {
    "plain": [],
    "first": ["-include", "rsipc_compat.h"],
    "last": ["-DCOMPAT_LAST"],
    "both": ["-include", "rsipc_compat.h", "-DCOMPAT_LAST"],
}


def mapped_names():
    """The 43 names, from names.h (the same list every_name.c uses)."""
    with open(os.path.join(HERE, "names.h")) as f:
        names = re.findall(r"X\((\w+)\)", f.read())
    assert len(names) == len(set(names)) and names, "names.h: bad list"
    return names


NAMES = mapped_names()
# An undefined symbol that is a glibc spelling of a mapped name: the name
# itself, its 64-bit or time64 variants, glibc's internal aliases
# (__mq_open_2, __sem_timedwait64, mmap64, ...).
GLIBC_SPELLING = re.compile(r"^_*(%s)(64|_time64|_2|_alias)?(@.*)?$" % "|".join(NAMES))


class Failures:
    def __init__(self):
        self.count = 0

    def fail(self, what):
        self.count += 1
        print("FAIL: " + what, flush=True)


def compilers(cc, candidates):
    """CC first (if given), then each candidate on PATH, without duplicates."""
    found, seen = [], set()
    for name in ([cc] if cc else []) + candidates:
        path = shutil.which(name)
        if path is None:
            print("skipping %s: not found on PATH" % name)
            continue
        real = os.path.realpath(path)
        if real not in seen:
            seen.add(real)
            found.append(path)
    return found


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, **kw)


def compile_program(failures, compiler, source, out, extra, args, link=True):
    cmd = [compiler] + extra + WARNINGS + ["-I" + args.include, "-I" + HERE]
    if link:
        cmd += ["-o", out, source, "-pthread"]
        if "-DCOMPAT_LAST" in extra or "-include" in extra:
            cmd += ["-L" + args.lib, "-lrsipc", "-Wl,-rpath," + args.lib]
    else:
        cmd += ["-c", "-o", out, source]
    res = run(cmd)
    if res.returncode != 0:
        failures.fail("%s did not compile:\n  %s\n%s" % (os.path.basename(source), " ".join(cmd), res.stderr))
        return False
    return True


def undefined_symbols(nm, path):
    res = run([nm, "-u", path])
    if res.returncode != 0:
        raise RuntimeError("nm failed on %s: %s" % (path, res.stderr))
    return {line.split()[-1] for line in res.stdout.splitlines() if line.strip()}


def check_routing(failures, nm, obj, label, must_reference):
    """No undefined glibc spelling of a mapped name; rsipc_NAME for each of
    `must_reference`."""
    undefined = undefined_symbols(nm, obj)
    leaked = sorted(s for s in undefined if GLIBC_SPELLING.match(s))
    if leaked:
        failures.fail("%s: references glibc's %s instead of rsipc" % (label, ", ".join(leaked)))
    missing = sorted(n for n in must_reference if "rsipc_" + n not in undefined)
    if missing:
        failures.fail("%s: no reference to rsipc_%s" % (label, ", rsipc_".join(missing)))


def preprocess(compiler, args, source_text, extra, lang):
    cmd = [compiler, "-x", lang, "-E", "-I" + args.include] + extra + ["-"]
    return run(cmd, input=source_text)


# ---------------------------------------------------------------------------
def test_header(args):
    """Read first, the header includes nothing and defines only the mapping
    (plus its own RSIPC_ macros and, where glibc has a fortified mq_open,
    the two glibc-internal names that wrapper calls)."""
    failures = Failures()
    fortify_internals = {"__mq_open_2", "__mq_open_alias"}
    builds = [(c, "c") for c in compilers(args.cc, ["gcc", "clang"])]
    builds += [(c, "c++") for c in compilers(None, ["g++", "clang++"])]
    for compiler, lang in builds:
        label = "%s (%s)" % (os.path.basename(compiler), lang)
        res = preprocess(compiler, args, "", ["-H", "-include", "rsipc_compat.h"], lang)
        headers = [ln for ln in res.stderr.splitlines() if ln.startswith(".")]
        if res.returncode != 0 or headers:
            failures.fail("%s: read first, rsipc_compat.h must include no header; -H shows:\n%s" % (label, res.stderr))
        # (-H does list what is included, so the check above can fail.)
        res = preprocess(compiler, args, "#include <stddef.h>\n", ["-H"], lang)
        if not [ln for ln in res.stderr.splitlines() if ln.startswith(".")]:
            failures.fail("%s: -H lists no included header" % label)
        before = set(preprocess(compiler, args, "", ["-dM"], lang).stdout.splitlines())
        after = set(preprocess(compiler, args, "", ["-dM", "-include", "rsipc_compat.h"], lang).stdout.splitlines())
        if not before <= after:
            failures.fail("%s: the header changed or removed a predefined macro: %s" % (label, sorted(before - after)))
        defined = {re.match(r"#define (\w+)", ln).group(1) for ln in after - before}
        names = {d for d in defined if not d.startswith("RSIPC_")}
        if names - fortify_internals != set(NAMES):
            failures.fail("%s: macros other than the mapping: extra %s, missing %s"
                          % (label, sorted(names - fortify_internals - set(NAMES)),
                             sorted(set(NAMES) - names)))
        for name in NAMES:
            # The helpers' code comes first in the output; the name is last.
            res = preprocess(compiler, args, "\n" + name + "\n", ["-P", "-include", "rsipc_compat.h"], lang)
            expansion = res.stdout.strip().splitlines()[-1:]
            if expansion != ["rsipc_" + name] and not (name == "mmap" and expansion == ["rsipc_compat_mmap"]):
                failures.fail("%s: %s expands to %r" % (label, name, expansion))
        # Reached by CFLAGS in an assembler source, it does nothing.
        asm_before = preprocess(compiler, args, "", ["-dM"], "assembler-with-cpp")
        res = preprocess(compiler, args, "", ["-dM", "-include", "rsipc_compat.h"], "assembler-with-cpp")
        extra = set(res.stdout.splitlines()) - set(asm_before.stdout.splitlines())
        if res.returncode != 0 or extra:
            failures.fail("%s: in an assembler source the header defined %s" % (label, sorted(extra)))
    return failures


def build_and_compare(args, failures, compiler, source, lang_flags, label):
    """Build `source` plain and in each compat mode; every build must
    run successfully and print the same; compat builds must route to rsipc."""
    env = dict(os.environ, RSIPC_COMPAT_PROBE="1")
    for flags in FLAG_SETS:
        outputs = {}
        for mode, mode_flags in MODES.items():
            tag = "%s-%s-%s" % (label, mode, "".join(f.strip("-").replace("=", "") for f in flags))
            exe = os.path.join(args.work, tag)
            extra = lang_flags + flags + mode_flags
            if not compile_program(failures, compiler, source, exe, extra, args):
                continue
            res = run([exe], env=env, timeout=60)
            what = "%s %s" % (os.path.basename(exe), " ".join(extra))
            if res.returncode != 0:
                failures.fail("%s exited with %d:\n%s%s" % (what, res.returncode, res.stdout, res.stderr))
            outputs[mode] = res.stdout
            if mode != "plain":
                if "routed to rsipc: sem_post(" not in res.stderr:
                    failures.fail("%s: sem_post(NULL) did not reach rsipc:\n%s" % (what, res.stderr))
                obj = exe + ".o"
                if compile_program(failures, compiler, source, obj, extra, args, link=False):
                    check_routing(failures, args.nm, obj, what, ["sem_post"])
        if "plain" in outputs:
            print("---- %s %s (plain glibc) ----\n%s" % (label, " ".join(flags), outputs["plain"]), end="")
            for mode, out in outputs.items():
                if out != outputs["plain"]:
                    failures.fail("%s %s: compat header %s prints differently:\n%s\nplain glibc printed:\n%s"
                                  % (label, " ".join(flags), mode, out, outputs["plain"]))


def test_gnu_c(args):
    failures = Failures()
    for compiler in compilers(args.cc, ["gcc", "clang"]):
        build_and_compare(args, failures, compiler, os.path.join(HERE, "gnu_program.c"), [], os.path.basename(compiler))
    return failures


def test_gnu_cxx(args):
    failures = Failures()
    found = compilers(None, ["g++", "clang++"])
    if not found:
        print("SKIP: no C++ compiler (g++ or clang++) on PATH")
        sys.exit(77)
    for compiler in found:
        build_and_compare(args, failures, compiler, os.path.join(HERE, "gnu_program.cc"), ["-std=c++17"],
                          os.path.basename(compiler))
    return failures


def test_every_name(args):
    """Every mapped name, in every build, ends in an rsipc_ symbol."""
    failures = Failures()
    builds = [(c, ["-x", "c", "-std=gnu11"]) for c in compilers(args.cc, ["gcc", "clang"])]
    builds += [(c, ["-x", "c++", "-std=c++17"]) for c in compilers(None, ["g++", "clang++"])]
    source = os.path.join(HERE, "every_name.c")
    fortified = 0
    for compiler, lang in builds:
        for flags in FLAG_SETS:
            for mode in ["first", "last", "both"]:
                extra = lang + flags + MODES[mode]
                tag = "every-%s-%s-%s-%s" % (os.path.basename(compiler), lang[1], mode,
                                             "".join(f.strip("-").replace("=", "") for f in flags))
                what = "%s %s" % (os.path.basename(compiler), " ".join(extra))
                obj = os.path.join(args.work, tag + ".o")
                if not compile_program(failures, compiler, source, obj, extra, args, link=False):
                    continue
                check_routing(failures, args.nm, obj, what, NAMES)
                # Is glibc's fortified mq_open in play? (GCC at -O2 only.)
                pre = run([compiler] + extra + ["-E", "-I" + args.include, "-I" + HERE, source])
                if "__mq_open_wrong_number_of_args" in pre.stdout:
                    fortified += 1
                exe = os.path.join(args.work, tag)
                link = [compiler, "-o", exe, obj, "-L" + args.lib, "-lrsipc", "-Wl,-rpath," + args.lib]
                res = run(link)
                if res.returncode != 0:
                    failures.fail("%s: does not link:\n%s" % (what, res.stderr))
                    continue
                res = run([exe], timeout=60)
                if res.returncode != 0:
                    failures.fail("%s: run failed (%d):\n%s%s" % (what, res.returncode, res.stdout, res.stderr))
                print("ok   %-60s %s" % (what, res.stdout.strip()))
    if fortified == 0 and any("gcc" in os.path.basename(c) or "g++" in os.path.basename(c) for c, _ in builds):
        failures.fail("no build had glibc's fortified mq_open: the fortify check tested nothing")
    print("%d builds used glibc's fortified mq_open" % fortified)
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("test", choices=["header", "gnu-c", "gnu-cxx", "every-name"])
    parser.add_argument("--cc", help="the build's C compiler")
    parser.add_argument("--include", required=True, help="directory of rsipc.h and rsipc_compat.h")
    parser.add_argument("--lib", help="directory of librsipc.so")
    parser.add_argument("--nm", default="nm")
    parser.add_argument("--work", required=True, help="scratch directory for the builds")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    test = {"header": test_header, "gnu-c": test_gnu_c, "gnu-cxx": test_gnu_cxx, "every-name": test_every_name}
    failures = test[args.test](args)
    print("%s: %s" % (args.test, "%d failures" % failures.count if failures.count else "ok"))
    return 1 if failures.count else 0


if __name__ == "__main__":
    sys.exit(main())
