#!/usr/bin/env python3
"""librsipc.so imports none of the names librsipc_preload.so exports.

The preload library exports glibc's standard names (pipe, mmap, shmget,
sem_post, ...) and forwards each to librsipc.so's rsipc_ function. If
librsipc.so itself called one of those names through its PLT, a preloaded
process would resolve that call to the preload's export, and rsipc would
call itself. So rsipc makes every such call as a system call (src/sys/), and
this test reads `nm -D --undefined-only` of the built library and fails if
any of the names is imported.

Usage: check_imports.py [--nm NM] [--cc CC] LIBRARY
With --cc it first checks itself: a small shared library that calls shmget,
mq_open and mmap64 must be reported.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

# The preload's names: exact names, and the two families it exports whole.
EXACT = {
    "pipe", "pipe2", "mkfifo", "mkfifoat",
    "mmap", "mmap64", "munmap", "msync",
    "shm_open", "shm_unlink", "ftok",
    "shmget", "shmat", "shmdt", "shmctl",
    "msgget", "msgsnd", "msgrcv", "msgctl",
    "semget", "semop", "semtimedop", "semctl",
}
FAMILIES = re.compile(r"^(mq_|sem_)")


def interposable(name):
    return name in EXACT or bool(FAMILIES.match(name))


def imports(nm, lib):
    res = subprocess.run([nm, "-D", "--undefined-only", lib], capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"{nm} -D --undefined-only {lib} failed: {res.stderr.strip()}")
    names = []
    for line in res.stdout.splitlines():
        fields = line.split()
        if fields:
            # "U name@VERSION" (or "w name" for a weak reference)
            names.append(fields[-1].split("@")[0])
    return names


def offending(nm, lib):
    return sorted({n for n in imports(nm, lib) if interposable(n)})


def self_test(nm, cc):
    src = (
        "#include <sys/shm.h>\n#include <mqueue.h>\n#include <sys/mman.h>\n"
        "int probe(void) { mmap64(0, 1, 0, 0, -1, 0);\n"
        "  return shmget(0, 1, 0) + (int)mq_open(\"/x\", 0); }\n"
    )
    with tempfile.TemporaryDirectory(prefix="rsipc-abi.") as work:
        c = os.path.join(work, "probe.c")
        so = os.path.join(work, "libprobe.so")
        with open(c, "w") as f:
            f.write("#define _GNU_SOURCE\n" + src)
        subprocess.run([cc, "-shared", "-fPIC", "-o", so, c, "-lrt"], check=True)
        found = offending(nm, so)
    want = ["mmap64", "mq_open", "shmget"]
    if found != want:
        print(f"self-test: the check found {found} in the probe library, expected {want}")
        return False
    print(f"self-test: the probe's imports {want} were reported")
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nm", default="nm")
    ap.add_argument("--cc", help="a C compiler, to check the check first")
    ap.add_argument("library")
    opts = ap.parse_args()
    if opts.cc and not self_test(opts.nm, opts.cc):
        return 1
    all_imports = imports(opts.nm, opts.library)
    bad = offending(opts.nm, opts.library)
    if bad:
        print(f"{opts.library} imports names that librsipc_preload.so exports "
              f"(a preloaded process would recurse into itself): {' '.join(bad)}")
        print("make these calls as system calls in src/sys/ instead")
        return 1
    print(f"{opts.library}: {len(all_imports)} imports, none of the preload's names")
    return 0


if __name__ == "__main__":
    sys.exit(main())
