"""Loading the library and the shared error convention."""
import ctypes
import ctypes.util
import os
from pathlib import Path

_REPO = Path(__file__).resolve().parents[2]
_CANDIDATES = [
    _REPO / "build" / "cargo" / "release" / "librsipc.so",
    _REPO / "build" / "cargo" / "debug" / "librsipc.so",
    _REPO / "target" / "release" / "librsipc.so",
    _REPO / "target" / "debug" / "librsipc.so",
]


def _find_library():
    env = os.environ.get("RSIPC_LIBRARY")
    if env:
        return env
    for candidate in _CANDIDATES:
        if candidate.exists():
            return str(candidate)
    found = ctypes.util.find_library("rsipc")
    if found:
        return found
    raise OSError("librsipc.so not found: build it (cmake --build build) or set RSIPC_LIBRARY")


library_path = _find_library()
lib = ctypes.CDLL(library_path, use_errno=True)

lib.rsipc_version.restype = ctypes.c_char_p
lib.rsipc_version.argtypes = []
lib.rsipc_last_error.restype = ctypes.c_char_p
lib.rsipc_last_error.argtypes = []
lib.rsipc_clear_error.restype = None
lib.rsipc_clear_error.argtypes = []


class RsipcError(OSError):
    """An rsipc call failed: ``errno`` is the C errno, ``strerror`` the
    message of ``rsipc_last_error()`` (``call(args): ENAME: why``)."""


def version():
    """The library version, "MAJOR.MINOR.PATCH"."""
    return lib.rsipc_version().decode()


def last_error():
    """This thread's last rsipc error message ("" if none)."""
    return lib.rsipc_last_error().decode("utf-8", "replace")


def clear_error():
    lib.rsipc_clear_error()


def _raise():
    raise RsipcError(ctypes.get_errno(), last_error())


def declare(name, restype, argtypes, fail=None, fail_if=None):
    """Declares ``lib.<name>``'s prototype and returns it. When the function
    returns ``fail`` (or ``fail_if(result)`` is true) the call raises
    :class:`RsipcError`; the raw ``lib.<name>`` keeps returning the value."""
    func = getattr(lib, name)
    func.restype = restype
    func.argtypes = argtypes

    def checked(*args):
        ctypes.set_errno(0)
        result = func(*args)
        if (fail_if is not None and fail_if(result)) or (fail_if is None and result == fail):
            _raise()
        return result

    checked.__name__ = name
    checked.raw = func
    return checked
