"""Memory mapping: mmap, munmap, msync, map_file, map_anonymous_shared.

Addresses are Python ints; ``memory_at(addr, length)`` gives a writable
buffer over mapped memory (wrap it in ``memoryview`` to slice it)."""
import ctypes
import mmap as _std_mmap
import os
from ctypes import POINTER, c_char_p, c_int, c_int64, c_size_t, c_uint, c_void_p

from ._lib import api, declare

__all__ = [
    "mmap", "munmap", "msync", "map_file", "map_anonymous_shared", "memory_at",
    "MAP_FAILED", "PROT_NONE", "PROT_READ", "PROT_WRITE", "PROT_EXEC",
    "MAP_SHARED", "MAP_PRIVATE", "MAP_ANONYMOUS", "MAP_FIXED",
    "MS_ASYNC", "MS_SYNC", "MS_INVALIDATE",
]

#: ``(void *)-1`` as the int ctypes returns for it.
MAP_FAILED = c_void_p(-1).value

PROT_NONE = 0
PROT_READ = _std_mmap.PROT_READ
PROT_WRITE = _std_mmap.PROT_WRITE
PROT_EXEC = _std_mmap.PROT_EXEC
MAP_SHARED = _std_mmap.MAP_SHARED
MAP_PRIVATE = _std_mmap.MAP_PRIVATE
MAP_ANONYMOUS = _std_mmap.MAP_ANONYMOUS
# Linux values (the standard mmap module does not export these).
MAP_FIXED = 0x10
MS_ASYNC = 1
MS_INVALIDATE = 2
MS_SYNC = 4

_failed = {"fail_if": lambda r: r == MAP_FAILED}
_mmap = declare("rsipc_mmap", c_void_p, [c_void_p, c_size_t, c_int, c_int, c_int, c_int64], **_failed)
_munmap = declare("rsipc_munmap", c_int, [c_void_p, c_size_t], fail=-1)
_msync = declare("rsipc_msync", c_int, [c_void_p, c_size_t, c_int], fail=-1)
_map_file = declare("rsipc_map_file", c_void_p, [c_char_p, c_int, c_uint, POINTER(c_size_t)], **_failed)
_map_anonymous_shared = declare("rsipc_map_anonymous_shared", c_void_p, [c_size_t], **_failed)


@api
def mmap(addr, length, prot, flags, fd=-1, offset=0):
    """As mmap(2); ``addr`` is None or a hint (an exact address with
    MAP_FIXED). Returns the address of the mapping."""
    return _mmap(addr, length, prot, flags, fd, offset)


@api
def munmap(addr, length):
    """As munmap(2)."""
    _munmap(addr, length)


@api
def msync(addr, length, flags=MS_SYNC):
    """As msync(2)."""
    _msync(addr, length, flags)


@api
def map_file(path, oflag, mode=0o600, length=0):
    """Opens (``os.O_CREAT``: creates) ``path`` and maps it MAP_SHARED —
    ``os.O_RDONLY`` read-only, ``os.O_RDWR`` read-write; ``length`` 0 maps the
    whole file, a larger one grows it (O_RDWR). Returns ``(addr, length)``."""
    n = c_size_t(length)
    addr = _map_file(os.fsencode(path), oflag, mode, ctypes.byref(n))
    return addr, n.value


@api
def map_anonymous_shared(length):
    """A zero-filled read-write region shared with children forked later;
    returns its address."""
    return _map_anonymous_shared(length)


@api
def memory_at(addr, length):
    """A ctypes char array over ``length`` bytes of mapped memory at ``addr``
    (valid until it is unmapped)."""
    return (ctypes.c_char * length).from_address(addr)
