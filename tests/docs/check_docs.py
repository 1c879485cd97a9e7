#!/usr/bin/env python3
"""The documentation a user gets is complete and renders cleanly.

  check_docs.py man --build-dir DIR --library LIB
      installs the build into a temporary prefix; every function LIB
      exports (nm -D) has a page in share/man/man3 that `man` finds by name
      (`man -M PREFIX/share/man 3 NAME`), with NAME, SYNOPSIS (its
      prototype), DESCRIPTION and, unless the function cannot fail, ERRORS;
      rsipc(7) is there and lists every function; every page renders with
      `man -l` and `groff -man -ww -z` without a single warning; every
      relative link in docs/*.md and c-examples/README.md leads to a file;
      every example program built under DIR/c-examples has an entry in
      c-examples/README.md.
  check_docs.py rustdoc --source DIR --target-dir DIR --library LIB
      `cargo doc --no-deps` with RUSTDOCFLAGS=-Dwarnings succeeds and
      documents every exported function (module rsipc::capi).

A missing man or groff skips the rendering with a printed reason.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Functions that cannot fail, so their pages have no ERRORS section.
CANNOT_FAIL = {"rsipc_version", "rsipc_last_error", "rsipc_clear_error", "rsipc_chan_close"}


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def exported(lib):
    res = run(["nm", "-D", "--defined-only", lib])
    if res.returncode != 0:
        sys.exit(f"nm -D {lib} failed: {res.stderr}")
    names = {line.split()[-1].split("@")[0] for line in res.stdout.splitlines() if len(line.split()) == 3}
    names = sorted(n for n in names if n.startswith("rsipc_"))
    if not names:
        sys.exit(f"{lib} exports no rsipc_ function")
    return names


def check_links(fail, source):
    files = glob.glob(os.path.join(source, "docs", "*.md")) + [os.path.join(source, "c-examples", "README.md")]
    for path in files:
        if not os.path.exists(path):
            fail(f"{os.path.relpath(path, source)} is missing")
            continue
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            if not os.path.exists(os.path.normpath(os.path.join(os.path.dirname(path), target))):
                fail(f"{os.path.relpath(path, source)}: the link {target} leads nowhere")


def check_example_index(fail, source, build_dir):
    """Every example program built is in c-examples/README.md's index."""
    path = os.path.join(source, "c-examples", "README.md")
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    indexed = set()
    for item in re.split(r"\n(?=- )", text):
        head = item.split(" \u2014 ")[0] if item.startswith("- ") else ""
        indexed.update(re.findall(r"`([\w.]+)`", head))
    built = glob.glob(os.path.join(build_dir, "c-examples", "*", "*"))
    programs = sorted(os.path.basename(p) for p in built if os.path.isfile(p) and os.access(p, os.X_OK))
    if not programs:
        fail(f"no example program found under {build_dir}/c-examples")
    for name in programs:
        if name not in indexed:
            fail(f"c-examples/README.md does not describe the example program {name}")


def render(fail, page, tools):
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
    if tools["groff"]:
        res = run(["groff", "-man", "-ww", "-z", page], env=env)
        if res.returncode != 0 or res.stderr.strip():
            fail(f"groff -man -ww -z {os.path.basename(page)}:\n{res.stderr}")
    if tools["man"]:
        res = run(["man", "--warnings", "-l", page], env=env)
        if res.returncode != 0 or res.stderr.strip():
            fail(f"man -l {os.path.basename(page)}:\n{res.stderr}")
            return ""
        return res.stdout
    return ""


def self_test(tools):
    """The rendering check reports a page with a warning in it."""
    if not any(tools.values()):
        return True
    with tempfile.TemporaryDirectory(prefix="rsipc-docs-self.") as tmp:
        page = os.path.join(tmp, "bad.3")
        with open(page, "w") as fh:
            fh.write(".TH bad 3\n.SH NAME\nbad \\- a page with an undefined macro\n.XX\n")
        caught = []
        render(caught.append, page, tools)
    if len(caught) != sum(1 for t in tools.values() if t):
        print(f"FAIL: self-test: a page with an undefined macro was not reported by every renderer ({caught})")
        return False
    print("self-test: a planted rendering warning is reported")
    return True


def section_titles(page_text):
    return re.findall(r"^\.SH\s+\"?([^\"\n]+)", page_text, re.M)


def cmd_man(opts):
    problems = []

    def fail(what):
        print("FAIL: " + what)
        problems.append(what)

    tools = {t: shutil.which(t) for t in ("man", "groff")}
    for tool, path in tools.items():
        if not path:
            print(f"SKIP rendering with {tool}: it is not installed (apt-get install man-db groff-base)")
    if not self_test(tools):
        return 1
    names = exported(opts.library)
    source = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    check_links(fail, source)
    check_example_index(fail, source, opts.build_dir)
    with tempfile.TemporaryDirectory(prefix="rsipc-docs.") as prefix:
        res = run(["cmake", "--install", opts.build_dir, "--prefix", prefix])
        if res.returncode != 0:
            sys.exit(f"cmake --install failed:\n{res.stdout}{res.stderr}")
        mandirs = glob.glob(os.path.join(prefix, "**", "man3"), recursive=True)
        if len(mandirs) != 1:
            sys.exit(f"expected one installed man3 folder under the prefix, found {mandirs}")
        mandir = os.path.dirname(mandirs[0])
        overview = os.path.join(mandir, "man7", "rsipc.7")
        pages = sorted(glob.glob(os.path.join(mandir, "man3", "*.3")))
        print(f"{len(names)} exported functions, {len(pages)} pages in {os.path.relpath(mandir, prefix)}/man3")
        for name in names:
            page = os.path.join(mandir, "man3", name + ".3")
            if not os.path.exists(page):
                fail(f"{name} is exported but has no man page")
                continue
            with open(page, encoding="utf-8") as fh:
                text = fh.read()
            titles = section_titles(text)
            wanted = ["NAME", "SYNOPSIS", "DESCRIPTION"] + ([] if name in CANNOT_FAIL else ["ERRORS"])
            for title in wanted:
                if title not in titles:
                    fail(f"{name}(3) has no {title} section (it has {titles})")
            if not re.search(r"\b" + name + r"\(", text.split(".SH DESCRIPTION")[0]):
                fail(f"{name}(3): the SYNOPSIS does not show its prototype")
            out = render(fail, page, tools)
            if tools["man"] and name not in out:
                fail(f"man -l {name}.3 does not show the name")
            if tools["man"]:
                found = run(["man", "-M", mandir, "-w", "3", name])
                if found.returncode != 0 or os.path.realpath(found.stdout.strip()) != os.path.realpath(page):
                    fail(f"man -M PREFIX/share/man 3 {name} does not find the page: {found.stdout}{found.stderr}")
        extra = sorted(set(os.path.basename(p)[:-2] for p in pages) - set(names))
        for name in extra:
            fail(f"man3/{name}.3 documents a function the library does not export")
        if not os.path.exists(overview):
            fail("rsipc(7) is not installed")
        else:
            with open(overview, encoding="utf-8") as fh:
                text = fh.read()
            for name in names:
                if f".BR {name} (3)" not in text:
                    fail(f"rsipc(7) does not list {name}")
            render(fail, overview, tools)
            if tools["man"]:
                found = run(["man", "-M", mandir, "-w", "7", "rsipc"])
                if found.returncode != 0:
                    fail(f"man -M PREFIX/share/man 7 rsipc does not find the page: {found.stderr}")
        docs = glob.glob(os.path.join(prefix, "share", "doc", "*", "reference.md"))
        if not docs:
            fail("docs/reference.md is not installed under share/doc")
    if problems:
        print(f"{len(problems)} problem(s) with the documentation")
        return 1
    print(f"ok: {len(names)} function pages and rsipc(7), each found by man and rendered without a warning")
    return 0


def cmd_rustdoc(opts):
    cargo = shutil.which("cargo") or os.path.expanduser("~/.cargo/bin/cargo")
    env = dict(os.environ, RUSTDOCFLAGS="-Dwarnings", CARGO_TARGET_DIR=opts.target_dir)
    res = subprocess.run([cargo, "doc", "--no-deps", "--quiet"], cwd=opts.source, env=env)
    if res.returncode != 0:
        print("FAIL: RUSTDOCFLAGS=-Dwarnings cargo doc --no-deps failed")
        return 1
    capi = os.path.join(opts.target_dir, "doc", "rsipc", "capi")
    missing = [n for n in exported(opts.library) if not os.path.exists(os.path.join(capi, f"fn.{n}.html"))]
    for name in missing:
        print(f"FAIL: cargo doc does not document {name} (rsipc::capi)")
    if missing:
        return 1
    print(f"ok: cargo doc without warnings documents all {len(exported(opts.library))} exported functions in rsipc::capi")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("man")
    m.add_argument("--build-dir", required=True)
    m.add_argument("--library", required=True)
    r = sub.add_parser("rustdoc")
    r.add_argument("--source", required=True)
    r.add_argument("--target-dir", required=True)
    r.add_argument("--library", required=True)
    opts = ap.parse_args()
    return cmd_man(opts) if opts.cmd == "man" else cmd_rustdoc(opts)


if __name__ == "__main__":
    sys.exit(main())
