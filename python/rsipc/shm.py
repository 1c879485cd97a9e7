"""POSIX shared memory: shm_open, shm_unlink, and shm_map (open, size, map,
close in one call). Objects are the /dev/shm files glibc uses."""
import os
from ctypes import c_char_p, c_int, c_size_t, c_uint, c_void_p

from ._lib import api, declare
from .memmap import MAP_FAILED

__all__ = ["shm_open", "shm_unlink", "shm_map"]

_shm_open = declare("rsipc_shm_open", c_int, [c_char_p, c_int, c_uint], fail=-1)
_shm_unlink = declare("rsipc_shm_unlink", c_int, [c_char_p], fail=-1)
_shm_map = declare("rsipc_shm_map", c_void_p, [c_char_p, c_size_t, c_int, c_uint],
                   fail_if=lambda r: r == MAP_FAILED)


@api
def shm_open(name, oflag, mode=0o600):
    """As shm_open(3): the descriptor (close-on-exec) of object ``name``
    ("/something")."""
    return _shm_open(os.fsencode(name), oflag, mode)


@api
def shm_unlink(name):
    """As shm_unlink(3)."""
    _shm_unlink(os.fsencode(name))


@api
def shm_map(name, length, oflag, mode=0o600):
    """Opens (``os.O_CREAT``: creates) object ``name``, grows it to
    ``length`` bytes if smaller (needs ``os.O_RDWR``), maps it MAP_SHARED and
    closes the descriptor. Returns the address (release it with
    ``rsipc.munmap(addr, length)``)."""
    return _shm_map(os.fsencode(name), length, oflag, mode)
