#!/usr/bin/env python3
"""`pip install ./python` gives a working `import rsipc`, outside the source
tree, with the library found where an installation puts it.

usage: python_package.py BUILD_DIR SOURCE_DIR CMAKE

  1. the C library installed into a temporary prefix (cmake --install), the
     package into a --target directory (offline: --no-index, and pip's
     isolated build has nothing to fetch); `import rsipc` from another
     directory finds the library through pkg-config (PKG_CONFIG_PATH), with
     RSIPC_LIBRARY and LD_LIBRARY_PATH unset;
  2. a venv (python -m venv) holding both (cmake --install --prefix <venv>,
     pip install --prefix <venv>): its python finds the library in its own
     prefix, with nothing set at all.
Each import also runs a call through the library. Exit status 77 (skipped)
when this Python has no pip.
"""
import os
import shutil
import subprocess
import sys
import tempfile

build_dir, source_dir, cmake = sys.argv[1], sys.argv[2], sys.argv[3]
PROBE = ("import os, rsipc; r, w = rsipc.pipe(); rsipc.write_all(w, b'ok'); "
         "assert rsipc.read_exact(r, 2) == b'ok'; print(rsipc.library_path); print(rsipc.version())")


def run(*cmd, **kw):
    print("+", " ".join(cmd), flush=True)
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r.stdout


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("RSIPC_LIBRARY", "LD_LIBRARY_PATH", "PKG_CONFIG_PATH", "PYTHONPATH", "VIRTUAL_ENV")}
    env.update(extra)
    return env


def probe(python, where, env):
    out = run(python, "-c", PROBE, cwd=where, env=env).splitlines()
    print(f"  import rsipc: library {out[0]}, version {out[1]}")
    return out[0]


def system_library():
    """The library the system's loader finds by itself, if any (then the
    checks below cannot tell which step found it)."""
    r = subprocess.run([sys.executable, "-c", "import ctypes; ctypes.CDLL('librsipc.so.0')"],
                       capture_output=True, env=clean_env())
    return r.returncode == 0


def main():
    if subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True).returncode != 0:
        print(f"skipped: {sys.executable} has no pip")
        return 77
    package = os.path.join(source_dir, "python")
    with tempfile.TemporaryDirectory(prefix="rsipc-pyinstall-") as tmp:
        cwd = os.path.join(tmp, "elsewhere")
        os.mkdir(cwd)
        empty = os.path.join(tmp, "empty")
        os.mkdir(empty)
        shared = system_library()
        if shared:
            print("note: the system's loader finds a librsipc.so.0 of its own: where each import found it is "
                  "not checked")

        # 1. --target, library through pkg-config.
        prefix = os.path.join(tmp, "prefix")
        run(cmake, "--install", build_dir, "--prefix", prefix)
        pcdir = next(root for root, _, files in os.walk(prefix) if "rsipc.pc" in files)
        site = os.path.join(tmp, "site")
        run(sys.executable, "-m", "pip", "install", "--no-index", "--no-deps", "--target", site, package,
            env=clean_env(PIP_DISABLE_PIP_VERSION_CHECK="1"))
        if os.path.exists(os.path.join(package, "build")) or os.path.exists(os.path.join(package, "rsipc.egg-info")):
            sys.exit("pip install left build files in the source tree")
        if shutil.which("pkg-config") is None:
            print("note: no pkg-config here: the package is found through RSIPC_LIBRARY instead")
            library = os.path.join(pcdir, "..", "librsipc.so.0")
            found = probe(sys.executable, cwd, clean_env(PYTHONPATH=site, RSIPC_LIBRARY=library))
        else:
            found = probe(sys.executable, cwd,
                          clean_env(PYTHONPATH=site, PKG_CONFIG_PATH=pcdir, PKG_CONFIG_LIBDIR=empty))
        if not shared and not os.path.realpath(found).startswith(os.path.realpath(prefix) + os.sep):
            sys.exit(f"the library came from {found}, not from the installed prefix {prefix}")
        # Without pkg-config's help the same package says where it looked.
        r = subprocess.run([sys.executable, "-c", "import rsipc"], cwd=cwd, capture_output=True, text=True,
                           env=clean_env(PYTHONPATH=site, PKG_CONFIG_LIBDIR=empty))
        if not shared and (r.returncode == 0 or "was not found" not in r.stderr):
            sys.exit(f"expected the not-found ImportError, got:\n{r.stdout}{r.stderr}")

        # 2. A venv with both in it.
        venv = os.path.join(tmp, "venv")
        run(sys.executable, "-m", "venv", "--without-pip", venv)
        run(cmake, "--install", build_dir, "--prefix", venv)
        venv_python = os.path.join(venv, "bin", "python")
        run(sys.executable, "-m", "pip", "install", "--no-index", "--no-deps", "--prefix", venv, package,
            env=clean_env(PIP_DISABLE_PIP_VERSION_CHECK="1"))
        found = probe(venv_python, cwd, clean_env(PKG_CONFIG_LIBDIR=empty))
        if not shared and not os.path.realpath(found).startswith(os.path.realpath(venv) + os.sep):
            sys.exit(f"the venv's python loaded {found}, not the library in the venv")
    print("python package install test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
