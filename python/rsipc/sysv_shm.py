"""System V keys and shared memory: ftok, shmget, shmat, shmdt, shmctl.

Addresses returned by :func:`shmat` are plain integers; read and write the
attachment with :func:`shm_read` and :func:`shm_write`. Each ``shmctl``
command also has a wrapper of its own (:func:`shm_stat`, :func:`shm_remove`,
...); :func:`shmctl` passes any command and buffer through unchanged.
"""
import ctypes
import os
from ctypes import c_char_p, c_int, c_long, c_size_t, c_uint, c_ulong, c_ushort, c_void_p

from ._lib import Struct, api, bytes_like, declare

__all__ = [
    "IPC_PRIVATE", "IPC_CREAT", "IPC_EXCL", "IPC_RMID", "IPC_SET", "IPC_STAT", "IPC_INFO",
    "SHM_RDONLY", "SHM_RND", "SHM_REMAP", "SHM_EXEC",
    "SHM_LOCK", "SHM_UNLOCK", "SHM_STAT", "SHM_INFO", "SHM_STAT_ANY", "SHM_DEST", "SHM_LOCKED",
    "IpcPerm", "ShmidDs", "ShmLimits", "ShmUsage",
    "ftok", "shmget", "shmat", "shmdt", "shmctl",
    "shm_stat", "shm_set", "shm_remove", "shm_limits", "shm_usage", "shm_stat_index", "shm_lock", "shm_unlock",
    "shm_read", "shm_write",
]

# <sys/ipc.h>, <sys/shm.h> (Linux values).
IPC_PRIVATE = 0
IPC_CREAT = 0o1000
IPC_EXCL = 0o2000
IPC_RMID = 0
IPC_SET = 1
IPC_STAT = 2
IPC_INFO = 3
SHM_RDONLY = 0o10000
SHM_RND = 0o20000
SHM_REMAP = 0o40000
SHM_EXEC = 0o100000
SHM_LOCK = 11
SHM_UNLOCK = 12
SHM_STAT = 13
SHM_INFO = 14
SHM_STAT_ANY = 15
SHM_DEST = 0o1000
SHM_LOCKED = 0o2000


class IpcPerm(Struct):
    """glibc's ``struct ipc_perm`` on 64-bit Linux. (On aarch64 ``mode`` is
    a 32-bit field; read as 16 bits on a little-endian machine it holds the
    same value, and ``_pad1`` its zero upper half.)"""
    _fields_ = [
        ("key", c_int), ("uid", c_uint), ("gid", c_uint), ("cuid", c_uint), ("cgid", c_uint),
        ("mode", c_ushort), ("_pad1", c_ushort), ("seq", c_ushort), ("_pad2", c_ushort),
        ("_unused1", c_ulong), ("_unused2", c_ulong),
    ]


class ShmidDs(Struct):
    """``struct shmid_ds`` on 64-bit Linux."""
    _fields_ = [
        ("shm_perm", IpcPerm), ("shm_segsz", c_size_t),
        ("shm_atime", c_long), ("shm_dtime", c_long), ("shm_ctime", c_long),
        ("shm_cpid", c_int), ("shm_lpid", c_int), ("shm_nattch", c_ulong),
        ("_unused4", c_ulong), ("_unused5", c_ulong),
    ]


class ShmLimits(Struct):
    """``struct shminfo``, which ``shmctl(IPC_INFO)`` fills."""
    _fields_ = [
        ("shmmax", c_ulong), ("shmmin", c_ulong), ("shmmni", c_ulong), ("shmseg", c_ulong), ("shmall", c_ulong),
        ("_unused", c_ulong * 4),
    ]


class ShmUsage(Struct):
    """``struct shm_info``, which ``shmctl(SHM_INFO)`` fills."""
    _fields_ = [
        ("used_ids", c_int), ("shm_tot", c_ulong), ("shm_rss", c_ulong), ("shm_swp", c_ulong),
        ("swap_attempts", c_ulong), ("swap_successes", c_ulong),
    ]


_FAILED_ATTACH = c_void_p(-1).value

_ftok = declare("rsipc_ftok", c_int, [c_char_p, c_int], fail=-1)
_shmget = declare("rsipc_shmget", c_int, [c_int, c_size_t, c_int], fail=-1)
_shmat = declare("rsipc_shmat", c_void_p, [c_int, c_void_p, c_int], fail_if=lambda r: r == _FAILED_ATTACH)
_shmdt = declare("rsipc_shmdt", c_int, [c_void_p], fail=-1)
_shmctl = declare("rsipc_shmctl", c_int, [c_int, c_int, c_void_p], fail=-1)


@api
def ftok(path, proj_id):
    """The System V key of the existing file ``path`` and ``proj_id`` (its
    low 8 bits), the same key glibc's ``ftok`` gives."""
    return _ftok(os.fsencode(path), proj_id)


@api
def shmget(key, size, flags=0):
    """The id of the segment of ``key`` (created with ``IPC_CREAT``)."""
    return _shmget(key, size, flags)


@api
def shmat(shmid, addr=None, flags=0):
    """Attaches segment ``shmid``; returns its address as an int."""
    return _shmat(shmid, addr, flags)


@api
def shmdt(addr):
    """Detaches the segment attached at ``addr``."""
    _shmdt(addr)


@api
def shmctl(shmid, cmd, buf=None):
    """``shmctl(shmid, cmd, buf)`` as in C: ``buf`` is ``None`` or a ctypes
    structure (``ShmidDs``, ``ShmLimits``, ``ShmUsage``) passed by reference.
    Returns the C return value."""
    return _shmctl(shmid, cmd, None if buf is None else ctypes.byref(buf))


@api
def shm_stat(shmid):
    """``IPC_STAT``: the segment's ``ShmidDs``."""
    ds = ShmidDs()
    shmctl(shmid, IPC_STAT, ds)
    return ds


@api
def shm_set(shmid, ds):
    """``IPC_SET``: owner, group and mode from ``ds``."""
    shmctl(shmid, IPC_SET, ds)


@api
def shm_remove(shmid):
    """``IPC_RMID``: remove the segment once the last process detaches."""
    shmctl(shmid, IPC_RMID)


@api
def shm_limits():
    """``IPC_INFO``: ``(highest used index, ShmLimits)``."""
    limits = ShmLimits()
    return shmctl(0, IPC_INFO, limits), limits


@api
def shm_usage():
    """``SHM_INFO``: ``(highest used index, ShmUsage)``."""
    usage = ShmUsage()
    return shmctl(0, SHM_INFO, usage), usage


@api
def shm_stat_index(index, any_permission=False):
    """``SHM_STAT`` (or ``SHM_STAT_ANY``): ``(shmid, ShmidDs)`` of the segment
    at ``index`` of the kernel's table."""
    ds = ShmidDs()
    shmid = shmctl(index, SHM_STAT_ANY if any_permission else SHM_STAT, ds)
    return shmid, ds


@api
def shm_lock(shmid):
    """``SHM_LOCK``: keep the segment in memory."""
    shmctl(shmid, SHM_LOCK)


@api
def shm_unlock(shmid):
    """``SHM_UNLOCK``."""
    shmctl(shmid, SHM_UNLOCK)


@api
def shm_read(addr, size, offset=0):
    """``size`` bytes of the attachment at ``addr``, from ``offset``."""
    return ctypes.string_at(addr + offset, size)


@api
def shm_write(addr, data, offset=0):
    """Copies ``data`` into the attachment at ``addr``, at ``offset``."""
    data = bytes_like(data)
    ctypes.memmove(addr + offset, data, len(data))
