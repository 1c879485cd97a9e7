#!/usr/bin/env python3
"""The installed rsipc.h is safe to include anywhere.

Installs the build into a temporary prefix and checks the header as a user
gets it:

* it compiles as C89, C99 and C11 (and GNU C11 with _GNU_SOURCE) with
  -Wall -Wextra -Wpedantic -Werror, and as C++11, C++17 and C++20 with
  <pthread.h>, <iostream>, <semaphore.h> and <mqueue.h> before and after it,
  with gcc/g++ and clang/clang++ (a compiler that is missing is skipped with
  a printed reason);
* every name it adds starts with rsipc_ or RSIPC_:
  - macros: the macros defined after `#include <rsipc.h>` against those of
    the same system includes without it (`-E -dM`), in strict C89, GNU C11
    and C++17, with each compiler;
  - identifiers and tags: clang's JSON AST of a file that includes only
    rsipc.h; every function, variable, typedef, struct/union/enum tag and
    enumerator whose location is in a file that file includes directly (that
    is, in rsipc.h itself, not in the system headers it includes);
* no two blank lines in a row;
* it declares every function the library exports (nm -D) and the C++
  consumer links and runs.

`--self-test` first runs the name checks on a header with the leaks rsipc.h
once had (its own `pthread_atfork` declaration, NAME_MAX, an enum of test
hooks) and fails unless each is reported.

Usage: check_header.py [--self-test] (--build-dir DIR | --prefix DIR)
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

PREFIXES = ("rsipc_", "RSIPC_")
# Kinds of AST node that put a name in a scope the includer shares.
DECL_KINDS = {
    "FunctionDecl", "VarDecl", "TypedefDecl", "RecordDecl", "CXXRecordDecl",
    "EnumDecl", "EnumConstantDecl", "TypeAliasDecl", "NamespaceDecl",
}
C_STDS = ["c89", "c99", "c11"]
CXX_STDS = ["c++11", "c++17", "c++20"]
WARN = ["-Wall", "-Wextra", "-Wpedantic", "-Werror"]

C_PROGRAM = """\
#include <rsipc.h>
#include <rsipc.h> /* the include guard holds */

/* Names the header once took from its includer (issue 13). */
enum state { SEND_CLAIMED, SEND_HALF, RECV_CLAIMED, RECV_HALF };
static int SEMVMX = 1;

int main(void)
{
    struct rsipc_chan_stats st;
    st.queued = 0;
    return (int)st.queued + SEMVMX - 1 + (rsipc_version() == 0) + SEND_CLAIMED - SEND_CLAIMED;
}
"""

CXX_SYSTEM = "#include <pthread.h>\n#include <iostream>\n#include <semaphore.h>\n#include <mqueue.h>\n"
CXX_BODY = """
static void nothing() {}

int main()
{
    // pthread_atfork as <pthread.h> declares it (the header once redeclared it).
    if (pthread_atfork(nothing, nothing, nothing) != 0) return 1;
    struct rsipc_chan_stats st = {};
    sem_t sem;
    if (rsipc_sem_init(&sem, 0, 1) != 0 || rsipc_sem_destroy(&sem) != 0) return 1;
    std::cout << "C++ consumer: rsipc " << rsipc_version() << ", stats.lost=" << st.lost << std::endl;
    return 0;
}
"""


class Failures:
    def __init__(self, quiet=False):
        self.items = []
        self.quiet = quiet

    def add(self, what):
        if not self.quiet:
            print("FAIL: " + what)
        self.items.append(what)


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def compilers():
    """{'c': [(name, path)], 'c++': [...]} of the compilers present."""
    found = {"c": [], "c++": []}
    for lang, names in (("c", ["gcc", "clang"]), ("c++", ["g++", "clang++"])):
        for name in names:
            path = shutil.which(name)
            if path:
                found[lang].append((name, path))
            else:
                print(f"SKIP {name}: not installed")
    return found


def system_includes(header_text):
    return re.findall(r"^#include <([^>]+)>", header_text, re.M)


def macros(cc, args, source, work):
    src = os.path.join(work, "macros" + (".cpp" if "++" in cc else ".c"))
    with open(src, "w") as f:
        f.write(source)
    res = run([cc, *args, "-E", "-dM", src])
    if res.returncode != 0:
        raise RuntimeError(f"{cc} {' '.join(args)} -E -dM failed:\n{res.stderr}")
    out = {}
    for line in res.stdout.splitlines():
        m = re.match(r"#define (\w+)(.*)", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def check_macros(fail, cc, args, include_dir, header_text, work, label):
    """Macros defined with rsipc.h and not by its system includes alone."""
    base_src = "".join(f"#include <{h}>\n" for h in system_includes(header_text))
    base = macros(cc, args, base_src, work)
    with_h = macros(cc, [*args, "-I", include_dir], base_src + "#include <rsipc.h>\n", work)
    added = sorted(n for n in with_h if n not in base)
    removed = sorted(n for n in base if n not in with_h)
    changed = sorted(n for n in base if n in with_h and base[n] != with_h[n])
    bad = [n for n in added if not n.startswith(PREFIXES)]
    for n in bad:
        fail.add(f"{label}: macro {n} does not start with RSIPC_")
    for n in removed:
        fail.add(f"{label}: the header #undefs the system macro {n}")
    for n in changed:
        fail.add(f"{label}: the header changes the system macro {n}")
    return added


def location_includer(loc):
    """The file that includes the one `loc` is in (None for the main file)."""
    loc = loc.get("expansionLoc", loc)
    inc = loc.get("includedFrom")
    return inc.get("file") if inc else None


def declared_names(clang, args, include_dir, work, label):
    """(kind, name) of everything a file that includes only rsipc.h gets
    from rsipc.h itself, from clang's JSON AST."""
    main = os.path.join(work, "names" + (".cpp" if "++" in clang else ".c"))
    with open(main, "w") as f:
        f.write("#include <rsipc.h>\n")
    res = run([clang, *args, "-I", include_dir, "-fsyntax-only", "-Xclang", "-ast-dump=json", main])
    if res.returncode != 0:
        raise RuntimeError(f"{label}: clang -ast-dump=json failed:\n{res.stderr}")
    tu = json.loads(res.stdout)
    found = []

    def walk(node, in_header):
        if not isinstance(node, dict):
            return
        kind = node.get("kind", "")
        if "loc" in node and node["loc"]:
            in_header = location_includer(node["loc"]) == main
        if in_header and kind in DECL_KINDS and node.get("name") and not node.get("isImplicit"):
            found.append((kind, node["name"]))
        # Parameters and members live in their own scopes.
        if kind in ("FunctionDecl", "FieldDecl", "ParmVarDecl"):
            return
        for child in node.get("inner", []):
            walk(child, in_header)

    for child in tu.get("inner", []):
        walk(child, False)
    return found


def check_names(fail, clang, args, include_dir, work, label, exported=None):
    names = declared_names(clang, args, include_dir, work, label)
    if not names:
        fail.add(f"{label}: found no declaration in rsipc.h (the AST walk is broken)")
        return names
    for kind, name in names:
        if not name.startswith(PREFIXES):
            fail.add(f"{label}: {kind} {name} does not start with rsipc_")
    if exported is not None:
        declared = {n for k, n in names if k == "FunctionDecl"}
        for sym in sorted(exported - declared):
            fail.add(f"{label}: the library exports {sym} but rsipc.h does not declare it")
    return names


def compile_matrix(fail, comps, include_dir, lib_dir, work):
    c_src = os.path.join(work, "consumer.c")
    with open(c_src, "w") as f:
        f.write(C_PROGRAM)
    for name, cc in comps["c"]:
        for std, extra in [(s, []) for s in C_STDS] + [("gnu11", ["-D_GNU_SOURCE"])]:
            res = run([cc, f"-std={std}", *extra, *WARN, "-I", include_dir, "-c", c_src, "-o", os.devnull])
            label = f"{name} -std={std} {' '.join(extra)}".strip()
            if res.returncode != 0:
                fail.add(f"{label}: rsipc.h does not compile:\n{res.stderr}")
            else:
                print(f"ok   {label}")
    orders = {"rsipc.h first": "#include <rsipc.h>\n" + CXX_SYSTEM, "rsipc.h last": CXX_SYSTEM + "#include <rsipc.h>\n"}
    ran = False
    for name, cxx in comps["c++"]:
        for std in CXX_STDS:
            for order, head in orders.items():
                src = os.path.join(work, "consumer.cpp")
                with open(src, "w") as f:
                    f.write(head + CXX_BODY)
                exe = os.path.join(work, "consumer_cxx")
                res = run([cxx, f"-std={std}", *WARN, "-I", include_dir, src, "-o", exe,
                           "-L", lib_dir, "-lrsipc", "-pthread", "-Wl,-rpath," + lib_dir])
                label = f"{name} -std={std} ({order})"
                if res.returncode != 0:
                    fail.add(f"{label}: rsipc.h does not compile:\n{res.stderr}")
                    continue
                print(f"ok   {label}")
                if not ran:
                    out = run([exe])
                    if out.returncode != 0 or not out.stdout.startswith("C++ consumer: rsipc "):
                        fail.add(f"{label}: the C++ consumer failed: {out.stdout}{out.stderr}")
                    else:
                        print("     " + out.stdout.strip())
                    ran = True


def check_namespace(fail, comps, include_dir, header_text, work, exported):
    modes = [("strict C89", ["-std=c89"], "c"), ("GNU C11", ["-std=gnu11", "-D_GNU_SOURCE"], "c"),
             ("C++17", ["-std=c++17"], "c++")]
    for label, args, lang in modes:
        for name, cc in comps[lang]:
            added = check_macros(fail, cc, args, include_dir, header_text, work, f"{name} {label}")
            print(f"ok   {name} {label}: macros added: {' '.join(added)}")
    clangs = {"c": shutil.which("clang"), "c++": shutil.which("clang++")}
    for label, args, lang in modes:
        if not clangs[lang]:
            print(f"SKIP identifier check ({label}): clang is not installed")
            continue
        names = check_names(fail, clangs[lang], args, include_dir, work, f"clang {label}", exported)
        print(f"ok   clang {label}: {len(names)} declarations, all prefixed")


BAD_HEADER = """\
#ifndef RSIPC_H
#define RSIPC_H
#include <pthread.h>
#include <limits.h>
#define NAME_MAX_LEAK 255
#define RSIPC_FINE 1
extern int pthread_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void));
enum rsipc_hooks { SEND_CLAIMED = 1 };
struct leaked_tag { int x; };
int rsipc_fine(void);
#endif
"""
BAD_EXPECTED = ["macro NAME_MAX_LEAK", "FunctionDecl pthread_atfork", "EnumConstantDecl SEND_CLAIMED",
                "RecordDecl leaked_tag"]


def self_test(comps, work):
    """The checks catch the leaks they are for."""
    inc = os.path.join(work, "bad")
    os.makedirs(inc)
    with open(os.path.join(inc, "rsipc.h"), "w") as f:
        f.write(BAD_HEADER)
    probe = Failures(quiet=True)
    for name, cc in comps["c"][:1]:
        check_macros(probe, cc, ["-std=gnu11"], inc, BAD_HEADER, work, "self-test")
    clang = shutil.which("clang")
    if clang:
        check_names(probe, clang, ["-std=gnu11"], inc, work, "self-test")
    else:
        print("SKIP self-test of the identifier check: clang is not installed")
    reported = "\n".join(probe.items)
    missed = [e for e in BAD_EXPECTED if e not in reported and (clang or e.startswith("macro"))]
    if any("fine" in item.lower() for item in probe.items):
        missed.append("(a prefixed name was reported)")
    if missed:
        print("self-test: the checker did not report: " + ", ".join(missed))
        return False
    print("self-test: every planted leak was reported")
    return True


def exported_functions(lib):
    res = run(["nm", "-D", "--defined-only", lib])
    if res.returncode != 0:
        raise RuntimeError(f"nm -D {lib} failed: {res.stderr}")
    # A versioned symbol shows as name@@NODE (name@NODE for an old version).
    return {line.split()[-1].split("@")[0] for line in res.stdout.splitlines()
            if len(line.split()) == 3 and line.split()[1] in "TtWw"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", help="a CMake build tree: installed into a temporary prefix first")
    ap.add_argument("--prefix", help="an installed prefix to check instead")
    ap.add_argument("--self-test", action="store_true")
    opts = ap.parse_args()
    if not (opts.build_dir or opts.prefix):
        ap.error("give --build-dir or --prefix")
    comps = compilers()
    if not comps["c"]:
        print("no C compiler found")
        return 1
    with tempfile.TemporaryDirectory(prefix="rsipc-header.") as work:
        if opts.self_test and not self_test(comps, work):
            return 1
        prefix = opts.prefix
        if opts.build_dir:
            prefix = os.path.join(work, "prefix")
            res = run(["cmake", "--install", opts.build_dir, "--prefix", prefix])
            if res.returncode != 0:
                print(f"cmake --install failed:\n{res.stdout}{res.stderr}")
                return 1
        headers = [os.path.join(d, "rsipc.h") for d, _, files in os.walk(prefix) if "rsipc.h" in files]
        libs = [os.path.join(d, "librsipc.so") for d, _, files in os.walk(prefix) if "librsipc.so" in files]
        if len(headers) != 1 or len(libs) != 1:
            print(f"expected one installed rsipc.h and librsipc.so under {prefix}, found {headers} {libs}")
            return 1
        include_dir, lib_dir = os.path.dirname(headers[0]), os.path.dirname(libs[0])
        print(f"checking the installed {headers[0]}")
        with open(headers[0]) as f:
            header_text = f.read()
        fail = Failures()
        if "\n\n\n" in header_text:
            line = header_text[: header_text.index("\n\n\n")].count("\n") + 2
            fail.add(f"rsipc.h has two or more blank lines in a row at line {line}")
        compile_matrix(fail, comps, include_dir, lib_dir, work)
        exported = {s for s in exported_functions(libs[0]) if s.startswith("rsipc_")}
        check_namespace(fail, comps, include_dir, header_text, work, exported)
        if fail.items:
            print(f"{len(fail.items)} problem(s) with rsipc.h")
            return 1
    print("rsipc.h: compiles everywhere and declares only rsipc_/RSIPC_ names")
    return 0


if __name__ == "__main__":
    sys.exit(main())
