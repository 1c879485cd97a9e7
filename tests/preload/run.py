#!/usr/bin/env python3
"""The preload tests (ctest label "preload"): librsipc_preload.so and
rsipc-run, with programs that know nothing of rsipc (standard names, linked
against the C library only), built here with the build's C compiler.

    run.py exports    --lib PRELOAD.so --map MAP --names NAMES.h --nm NM --readelf READELF
    run.py no-plt     --lib PRELOAD.so --rsipc LIBRSIPC.so --nm NM
    run.py routing    --cc CC --lib PRELOAD.so --run RSIPC-RUN --work DIR
    run.py old-binary --cc CC --lib PRELOAD.so --readelf READELF --work DIR
    run.py cancel     --cc CC --lib PRELOAD.so --work DIR
    run.py rsipc-run  --lib PRELOAD.so --run RSIPC-RUN

exports     the library defines exactly the names of rsipc_preload.map
            (the compat header's names, plus mmap64 and __mq_open_2), all
            unversioned, and no version definitions;
no-plt      librsipc.so refers to none of those names (its raw layer
            makes system calls), so rsipc never re-enters itself through
            the preload: rsipc_shmget calling shmget would land in the
            preloaded shmget, i.e. in rsipc_shmget again;
routing     sem_post(NULL) from an unmodified program: -1/EFAULT and
            rsipc_last_error()'s message under the preload (LD_PRELOAD and
            rsipc-run, and from another preloaded library's constructor),
            SIGSEGV without it, and with the group turned off
            (RSIPC_PRELOAD=-sem);
old-binary  a binary whose references are pre-2.34 versions
            (sem_wait@GLIBC_2.2.5, mq_open@GLIBC_2.3.4) reaches rsipc;
cancel      pthread_cancel of a thread blocked in sem_wait / mq_receive,
            through the standard names, with and without the preload;
rsipc-run   --help, --library, LD_PRELOAD kept, RSIPC_PRELOAD passed on.

Exit status 0 passes, 1 fails.
"""

import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WARNINGS = ["-Wall", "-Wextra", "-Werror"]
# What the library exports beyond the compat header's names: the 64-bit
# alias glibc gives mmap, and the fortified mq_open's helper.
EXTRA_NAMES = ["mmap64", "__mq_open_2"]


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def run(cmd, env=None, expect_rc=0):
    shown = " ".join(cmd)
    if env:
        shown = " ".join(f"{k}={v}" for k, v in env.items()) + " " + shown
    print("$ " + shown)
    full_env = dict(os.environ)
    # The test's own environment must not decide the groups.
    full_env.pop("RSIPC_PRELOAD", None)
    full_env.pop("LD_PRELOAD", None)
    full_env.update(env or {})
    res = subprocess.run(cmd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    sys.stdout.write(res.stdout)
    if expect_rc is not None and res.returncode != expect_rc:
        fail(f"exit status {res.returncode}, expected {expect_rc}")
    return res.stdout


def compile_c(args, src, out, extra=()):
    os.makedirs(args.work, exist_ok=True)
    exe = os.path.join(args.work, out)
    run([args.cc, "-O2", *WARNINGS, "-pthread", "-o", exe, os.path.join(HERE, src), *extra])
    return exe


def names_from_header(path):
    with open(path) as f:
        return re.findall(r"X\((\w+)\)", f.read())


def names_from_map(path):
    with open(path) as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    body = text.split("global:")[1].split("local:")[0]
    return [w for w in re.split(r"[\s;]+", body) if w]


def test_exports(args):
    intended = names_from_header(args.names) + EXTRA_NAMES
    in_map = names_from_map(args.map)
    if sorted(in_map) != sorted(intended):
        fail(f"rsipc_preload.map lists {sorted(set(in_map) ^ set(intended))} differently from names.h")
    out = run([args.nm, "-D", "--defined-only", args.lib])
    defined = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            defined[parts[2]] = parts[1]
    names = {n.split("@")[0] for n in defined}
    if names != set(intended):
        fail(f"exported {sorted(names - set(intended))} too, missing {sorted(set(intended) - names)}")
    not_text = [n for n, t in defined.items() if t != "T"]
    if not_text:
        fail(f"not functions: {not_text}")
    versioned = [n for n in defined if "@" in n]
    if versioned:
        fail(f"versioned definitions: {versioned}")
    ver = run([args.readelf, "-V", "-W", args.lib])
    if "Version definition section" in ver:
        fail("the library defines symbol versions")
    syms = run([args.readelf, "--dyn-syms", "-W", args.lib], expect_rc=0)
    for line in syms.splitlines():
        parts = line.split()
        if len(parts) >= 8 and parts[6] != "UND" and parts[7].split("@")[0] in intended:
            if parts[4] != "GLOBAL" or parts[5] != "DEFAULT" or "@" in parts[7]:
                fail(f"{parts[7]}: binding {parts[4]} visibility {parts[5]}")
    print(f"ok: exactly the {len(intended)} intended names, unversioned GLOBAL DEFAULT functions")


def test_no_plt(args):
    exported = set(names_from_map(os.path.join(HERE, "..", "..", "preload", "rsipc_preload.map")))
    out = run([args.nm, "-D", "--undefined-only", args.rsipc])
    imported = {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}
    both = sorted(imported & exported)
    if both:
        fail(f"librsipc.so calls {both} through its PLT: under the preload these re-enter rsipc")
    print(f"ok: librsipc.so imports none of the {len(exported)} preloaded names")


def test_routing(args):
    exe = compile_c(args, "routing.c", "routing")
    early = os.path.join(args.work, "early.so")
    run([args.cc, "-O2", *WARNINGS, "-shared", "-fPIC", "-o", early, os.path.join(HERE, "early.c")])
    # nm -u: an unmodified program, the C library's names only.
    print("$ routing, without the preload")
    run([exe, "crash"])
    print("# under LD_PRELOAD (early.so's constructor runs before the preload's)")
    run([exe, "routed"], env={"LD_PRELOAD": f"{args.lib}:{early}"})
    print("# under rsipc-run")
    run([args.run, exe, "routed"])
    print("# RSIPC_PRELOAD=-sem: the semaphores are glibc's again")
    run([exe, "crash"], env={"LD_PRELOAD": args.lib, "RSIPC_PRELOAD": "default,-sem"})
    run([exe, "routed"], env={"LD_PRELOAD": args.lib, "RSIPC_PRELOAD": "sem"})
    print("ok")


def test_old_binary(args):
    exe = compile_c(args, "old_binary.c", "old_binary")
    syms = run([args.readelf, "--dyn-syms", "-W", exe])
    for want in ["sem_wait@GLIBC_2.2.5", "sem_init@GLIBC_2.2.5", "mq_open@GLIBC_2.3.4", "shmdt@GLIBC_2.2.5"]:
        if want not in syms:
            fail(f"the binary does not refer to {want}")
    run([exe], env={"LD_PRELOAD": args.lib})
    print("ok")


def test_cancel(args):
    exe = compile_c(args, "cancel.c", "cancel")
    print("# glibc")
    run([exe])
    print("# under the preload")
    run([exe, "preloaded"], env={"LD_PRELOAD": args.lib})
    print("ok")


def test_rsipc_run(args):
    out = run([args.run, "--help"])
    if "usage: rsipc-run" not in out or "RSIPC_PRELOAD" not in out:
        fail("--help does not explain usage and RSIPC_PRELOAD")
    lib = run([args.run, "--library"]).strip()
    if os.path.realpath(lib) != os.path.realpath(args.lib):
        fail(f"--library prints {lib}, not {args.lib}")
    run([args.run], expect_rc=2)
    # An existing entry is kept, after the library; RSIPC_PRELOAD passes.
    other = args.lib  # any loadable library will do
    out = run([args.run, "env"], env={"LD_PRELOAD": other, "RSIPC_PRELOAD": "sem,mq"})
    env = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    if env.get("LD_PRELOAD") != f"{lib}:{other}":
        fail(f"LD_PRELOAD is {env.get('LD_PRELOAD')!r}")
    if env.get("RSIPC_PRELOAD") != "sem,mq":
        fail("RSIPC_PRELOAD not passed on")
    out = run([args.run, "--", "sh", "-c", 'echo "$LD_PRELOAD"'])
    if out.strip() != lib:
        fail(f"LD_PRELOAD without a previous value is {out.strip()!r}")
    print("ok")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("test", choices=["exports", "no-plt", "routing", "old-binary", "cancel", "rsipc-run"])
    p.add_argument("--cc")
    p.add_argument("--lib", required=True)
    p.add_argument("--map")
    p.add_argument("--names")
    p.add_argument("--nm")
    p.add_argument("--readelf")
    p.add_argument("--run")
    p.add_argument("--rsipc")
    p.add_argument("--work")
    args = p.parse_args()
    {
        "exports": test_exports,
        "no-plt": test_no_plt,
        "routing": test_routing,
        "old-binary": test_old_binary,
        "cancel": test_cancel,
        "rsipc-run": test_rsipc_run,
    }[args.test](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
