"""FIFOs (named pipes): mkfifo, mkfifoat, and fifo_open, which opens only a
real FIFO (never a symlink or another file) and lets a writer wait for a
reader at most ``timeout_ms``."""
import os
from ctypes import c_char_p, c_int, c_uint

from ._lib import api, declare

__all__ = ["mkfifo", "mkfifoat", "fifo_open", "AT_FDCWD"]

#: mkfifoat's "relative to the current directory" (Linux value).
AT_FDCWD = -100

_mkfifo = declare("rsipc_mkfifo", c_int, [c_char_p, c_uint], fail=-1)
_mkfifoat = declare("rsipc_mkfifoat", c_int, [c_int, c_char_p, c_uint], fail=-1)
_fifo_open = declare("rsipc_fifo_open", c_int, [c_char_p, c_int, c_int], fail=-1)


@api
def mkfifo(path, mode=0o666):
    """Creates a FIFO at ``path`` (permissions ``mode`` less the umask)."""
    _mkfifo(os.fsencode(path), mode)


@api
def mkfifoat(dirfd, path, mode=0o666):
    """Creates a FIFO at ``path`` relative to the directory descriptor
    ``dirfd`` (``AT_FDCWD``: the current directory)."""
    _mkfifoat(dirfd, os.fsencode(path), mode)


@api
def fifo_open(path, flags, timeout_ms=-1):
    """Opens the existing FIFO ``path`` (``os.O_RDONLY``, ``os.O_WRONLY`` or
    ``os.O_RDWR``, optionally ``os.O_NONBLOCK``, ``os.O_CLOEXEC``) and returns
    the descriptor. A reader opens at once; a writer waits for a reader at
    most ``timeout_ms`` (ETIMEDOUT), forever if negative, not at all if 0
    (ENXIO). A symlink is ELOOP, any other non-FIFO EINVAL."""
    return _fifo_open(os.fsencode(path), flags, timeout_ms)
