"""Loading the library, the shared error convention, and what every wrapper
module builds on (:func:`declare`, :func:`api`, :class:`Struct`)."""
import ctypes
import functools
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

#: The file name the library is installed and loaded under (its SONAME).
SONAME = "librsipc.so.0"

_PACKAGE = Path(__file__).resolve().parent


def _checkout_candidates():
    """The build directories of the source tree, when this package is the
    one in a checkout (python/rsipc next to the top-level Cargo.toml)."""
    repo = _PACKAGE.parents[1]
    try:
        cargo_toml = (repo / "Cargo.toml").read_text()
    except OSError:
        return []
    if not re.search(r'^name = "rsipc"$', cargo_toml, re.M):
        return []
    # build/lib holds the library CMake links (versioned symbols); cargo's
    # own cdylib (unversioned) is the fallback for a cargo-only build.
    return [repo / "build" / "lib" / "librsipc.so"] + [
        repo / d / profile / "librsipc.so" for d in ("build/cargo", "target") for profile in ("release", "debug")]


def _pkg_config_libdir():
    """``pkg-config --variable=libdir rsipc`` (honours PKG_CONFIG_PATH), or
    None without pkg-config or rsipc.pc."""
    exe = shutil.which("pkg-config")
    if exe is None:
        return None
    try:
        r = subprocess.run([exe, "--variable=libdir", "rsipc"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if r.returncode != 0 or not r.stdout.strip():
        return None
    return os.path.normpath(r.stdout.strip())


def _prefix_candidates():
    """<prefix>/lib, lib64 and lib/<multiarch> of this Python's prefix (a
    venv's, when in one), its base prefix, and /usr/local."""
    multiarch = sysconfig.get_config_var("MULTIARCH")
    libdirs = ["lib", "lib64"] + ([f"lib/{multiarch}"] if multiarch else [])
    prefixes = []
    for prefix in (sys.prefix, sys.base_prefix, "/usr/local"):
        if prefix not in prefixes:
            prefixes.append(prefix)
    return [Path(p) / d / SONAME for p in prefixes for d in libdirs]


def _loaded_path(default):
    """The file the dynamic loader mapped for the library (from
    /proc/self/maps), else ``default``."""
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split(None, 5)[-1].strip()
                if os.path.basename(path).startswith("librsipc.so"):
                    return path
    except OSError:
        pass
    return default


def _load():
    """Finds and loads the library: returns (CDLL, path). The search order
    (documented in python/README.md):

    1. ``$RSIPC_LIBRARY``, a path to the library (when set, nothing else is
       tried);
    2. the source tree's build directories, when this package is the
       checkout's ``python/rsipc`` (``build/lib``, ``build/cargo/{release,debug}``,
       ``target/{release,debug}``);
    3. the system's dynamic loader, by SONAME (``LD_LIBRARY_PATH``, the
       ``ldconfig`` cache, /lib and /usr/lib);
    4. the ``libdir`` of ``pkg-config rsipc`` (``PKG_CONFIG_PATH`` included);
    5. the installation prefixes: this Python's (``sys.prefix``: a venv
       into which ``cmake --install --prefix "$VIRTUAL_ENV"`` put the
       library), its base prefix, and /usr/local (where ``cmake --install``
       puts it by default, found here even before ``ldconfig`` has run).
    """
    env = os.environ.get("RSIPC_LIBRARY")
    if env:
        try:
            return ctypes.CDLL(env, use_errno=True), env
        except OSError as e:
            raise ImportError(f"rsipc: cannot load RSIPC_LIBRARY={env}: {e}") from None
    tried = ["$RSIPC_LIBRARY (not set)"]

    def attempt(path, how):
        try:
            return ctypes.CDLL(str(path), use_errno=True), str(path)
        except OSError as e:
            tried.append(f"{how}: {e}")
            return None

    for candidate in _checkout_candidates():
        if candidate.exists() and (found := attempt(candidate, f"the source tree's {candidate}")):
            return found
    if found := attempt(SONAME, "the dynamic loader"):
        return found[0], _loaded_path(SONAME)
    libdir = _pkg_config_libdir()
    if libdir is None:
        tried.append("pkg-config: no rsipc.pc found (or no pkg-config)")
    elif (found := attempt(Path(libdir) / SONAME, "pkg-config's libdir")):
        return found
    for candidate in _prefix_candidates():
        if candidate.exists() and (found := attempt(candidate, f"prefix {candidate}")):
            return found
    tried.append("prefixes: no " + SONAME + " in " + ", ".join(sorted({str(c.parent) for c in _prefix_candidates()})))
    raise ImportError(
        f"rsipc: the C library ({SONAME}) was not found. Install it (cmake --install build, then ldconfig "
        "when the prefix is a system one, or --prefix \"$VIRTUAL_ENV\" for a venv), or set RSIPC_LIBRARY to "
        "its path. Tried:\n  " + "\n  ".join(tried))


lib, library_path = _load()

lib.rsipc_version.restype = ctypes.c_char_p
lib.rsipc_version.argtypes = []
lib.rsipc_last_error.restype = ctypes.c_char_p
lib.rsipc_last_error.argtypes = []
lib.rsipc_clear_error.restype = None
lib.rsipc_clear_error.argtypes = []


class RsipcError(OSError):
    """An rsipc call failed: ``errno`` is the C errno, ``strerror`` the
    message of ``rsipc_last_error()`` (``call(args): ENAME: why``)."""


def _argument_type_error(message, detail):
    """A TypeError about an argument: ``detail`` says which and why, the
    message adds the name of the public function the caller called."""
    err = TypeError(message)
    err.rsipc_detail = detail
    return err


def api(func):
    """Marks a public function (or method): an argument of the wrong type
    raises ``TypeError("rsipc.<name>(): ...")`` naming it, never a bare
    ``ctypes.ArgumentError``. When public functions call each other, the
    message names the outermost one, the one the caller wrote."""
    name = func.__qualname__

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except TypeError as e:
            detail = getattr(e, "rsipc_detail", None) or str(e)
            raise _argument_type_error(f"rsipc.{name}(): {detail}", detail) from None

    return wrapper


def bytes_like(data):
    """``data`` (bytes, bytearray, memoryview, a buffer) as bytes; anything
    else (an int, which ``bytes()`` would take as a length, a str) is a
    TypeError."""
    if isinstance(data, bytes):
        return data
    try:
        return memoryview(data).tobytes()
    except TypeError:
        raise TypeError(f"a bytes-like object is required, not {type(data).__name__!r}") from None


@api
def version():
    """The library version, "MAJOR.MINOR.PATCH"."""
    return lib.rsipc_version().decode()


@api
def last_error():
    """This thread's last rsipc error message ("" if none)."""
    return lib.rsipc_last_error().decode("utf-8", "replace")


@api
def clear_error():
    """Resets this thread's last error message to ""."""
    lib.rsipc_clear_error()


def _raise():
    raise RsipcError(ctypes.get_errno(), last_error())


def _type_name(t):
    """What a ctypes argument type takes, in Python words."""
    if t in (ctypes.c_char_p,):
        return "bytes (C char *)"
    if t in (ctypes.c_void_p,):
        return "an address, an int or None (C void *)"
    if hasattr(t, "_type_") and isinstance(t._type_, str) and t._type_ in "bBhHiIlLqQnN?":
        return f"an int (C {t.__name__[2:]})"
    if hasattr(t, "contents"):  # POINTER(X)
        return f"a {t._type_.__name__} or a pointer to one"
    return getattr(t, "__name__", str(t))


def declare(name, restype, argtypes, fail=None, fail_if=None):
    """Declares ``lib.<name>``'s prototype and returns it. When the function
    returns ``fail`` (or ``fail_if(result)`` is true) the call raises
    :class:`RsipcError`; the raw ``lib.<name>`` keeps returning the value.
    An argument ctypes cannot convert raises a TypeError that says which
    one and why (the public function calling it adds its own name)."""
    func = getattr(lib, name)
    func.restype = restype
    func.argtypes = argtypes

    def checked(*args):
        ctypes.set_errno(0)
        try:
            result = func(*args)
        except ctypes.ArgumentError as e:
            m = re.match(r"argument (\d+): (.*)", str(e))
            if m is None or not 0 < int(m.group(1)) <= len(args):
                detail = f"{name}: {e}"
            else:
                n = int(m.group(1))
                value = args[n - 1]
                detail = (f"{name}'s argument {n} must be {_type_name(argtypes[n - 1])}, "
                          f"not {type(value).__name__} {value!r:.60}")
            raise _argument_type_error(detail, detail) from None
        if (fail_if is not None and fail_if(result)) or (fail_if is None and result == fail):
            _raise()
        return result

    checked.__name__ = name
    checked.raw = func
    return checked


class Struct(ctypes.Structure):
    """A ctypes structure whose repr shows its public fields:
    ``MqAttr(mq_flags=0, mq_maxmsg=10, ...)``. Fields whose names start with
    "_" (padding, reserved words) are left out."""

    def _repr_fields(self):
        return [(f[0], getattr(self, f[0])) for f in self._fields_ if not f[0].startswith("_")]

    def __repr__(self):
        parts = []
        for field, value in self._repr_fields():
            if isinstance(value, ctypes.Array):
                value = list(value)
            parts.append(f"{field}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"
