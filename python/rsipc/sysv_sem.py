"""System V semaphore sets: semget, semop, semtimedop and semctl.

Operations are ``(sem_num, sem_op, sem_flg)`` tuples. ``semctl`` is the raw
call (its fourth argument an int, or a ctypes object whose address is
passed); the ``semctl_*`` helpers cover every command with Python values.
"""
import ctypes
import platform
from ctypes import POINTER, c_int, c_long, c_short, c_size_t, c_uint, c_ulong, c_ushort

from ._lib import Struct, api, declare
from .sysv_shm import IPC_CREAT, IPC_EXCL, IPC_INFO, IPC_PRIVATE, IPC_RMID, IPC_SET, IPC_STAT

__all__ = [
    "IPC_PRIVATE", "IPC_CREAT", "IPC_EXCL", "IPC_NOWAIT", "IPC_RMID", "IPC_SET", "IPC_STAT", "IPC_INFO",
    "SEM_UNDO", "GETPID", "GETVAL", "GETALL", "GETNCNT", "GETZCNT", "SETVAL", "SETALL",
    "SEM_STAT", "SEM_INFO", "SEM_STAT_ANY",
    "sembuf", "ipc_perm", "semid_ds", "seminfo",
    "semget", "semop", "semtimedop", "semctl",
    "semctl_getval", "semctl_setval", "semctl_getall", "semctl_setall", "semctl_getpid",
    "semctl_getncnt", "semctl_getzcnt", "semctl_stat", "semctl_set", "semctl_rmid",
    "semctl_info", "semctl_sem_stat",
]

# The IPC_* values come from rsipc.sysv_shm (one definition for the package).
IPC_NOWAIT = 0o4000
SEM_UNDO = 0x1000
GETPID = 11
GETVAL = 12
GETALL = 13
GETNCNT = 14
GETZCNT = 15
SETVAL = 16
SETALL = 17
SEM_STAT = 18
SEM_INFO = 19
SEM_STAT_ANY = 20


class sembuf(Struct):
    """``struct sembuf``: one operation of :func:`semop`."""
    _fields_ = [("sem_num", c_ushort), ("sem_op", c_short), ("sem_flg", c_short)]


if platform.machine() in ("x86_64", "AMD64"):
    class ipc_perm(Struct):
        """``struct ipc_perm`` (x86-64 layout)."""
        _fields_ = [("key", c_int), ("uid", c_uint), ("gid", c_uint), ("cuid", c_uint), ("cgid", c_uint),
                    ("mode", c_ushort), ("_pad1", c_ushort), ("seq", c_ushort), ("_pad2", c_ushort),
                    ("_reserved1", c_ulong), ("_reserved2", c_ulong)]

    class semid_ds(Struct):
        """``struct semid_ds`` (x86-64 layout)."""
        _fields_ = [("sem_perm", ipc_perm), ("sem_otime", c_long), ("_reserved1", c_ulong),
                    ("sem_ctime", c_long), ("_reserved2", c_ulong), ("sem_nsems", c_ulong),
                    ("_reserved3", c_ulong), ("_reserved4", c_ulong)]
else:  # the generic 64-bit layout (aarch64 and others)
    class ipc_perm(Struct):
        """``struct ipc_perm`` (generic 64-bit layout)."""
        _fields_ = [("key", c_int), ("uid", c_uint), ("gid", c_uint), ("cuid", c_uint), ("cgid", c_uint),
                    ("mode", c_uint), ("seq", c_ushort), ("_pad2", c_ushort),
                    ("_reserved1", c_ulong), ("_reserved2", c_ulong)]

    class semid_ds(Struct):
        """``struct semid_ds`` (generic 64-bit layout)."""
        _fields_ = [("sem_perm", ipc_perm), ("sem_otime", c_long), ("sem_ctime", c_long),
                    ("sem_nsems", c_ulong), ("_reserved3", c_ulong), ("_reserved4", c_ulong)]


class seminfo(Struct):
    """``struct seminfo``, which IPC_INFO (limits) and SEM_INFO (usage) fill."""
    _fields_ = [(n, c_int) for n in ("semmap", "semmni", "semmns", "semmnu", "semmsl",
                                     "semopm", "semume", "semusz", "semvmx", "semaem")]


class _timespec(Struct):
    _fields_ = [("tv_sec", c_long), ("tv_nsec", c_long)]


_semget = declare("rsipc_semget", c_int, [c_int, c_int, c_int], fail=-1)
_semop = declare("rsipc_semop", c_int, [c_int, POINTER(sembuf), c_size_t], fail=-1)
_semtimedop = declare("rsipc_semtimedop", c_int, [c_int, POINTER(sembuf), c_size_t, POINTER(_timespec)], fail=-1)
# Variadic in C; the library's definition takes the fourth argument as a
# pointer-sized integer (the `union semun`), which ctypes passes as such.
_semctl = declare("rsipc_semctl", c_int, [c_int, c_int, c_int, c_ulong], fail=-1)


def _ops(ops):
    arr = (sembuf * max(len(ops), 1))()
    for i, (num, op, flg) in enumerate(ops):
        arr[i] = sembuf(num, op, flg)
    return arr


def _timeout(t):
    if t is None:
        return None
    if isinstance(t, tuple):
        return ctypes.byref(_timespec(t[0], t[1]))
    sec = int(t // 1)
    return ctypes.byref(_timespec(sec, int(round((t - sec) * 1e9)) % 1000000000))


def _arg(arg):
    """The fourth semctl argument: an int (val), or a ctypes object (its
    address), or None (NULL)."""
    if arg is None:
        return 0
    if isinstance(arg, int):
        return arg & 0xFFFFFFFFFFFFFFFF
    return ctypes.addressof(arg)


@api
def semget(key, nsems, semflg=0):
    """The id of the set with ``key`` (creating it with IPC_CREAT)."""
    return _semget(key, nsems, semflg)


@api
def semop(semid, ops):
    """Applies the ``(sem_num, sem_op, sem_flg)`` operations atomically."""
    _semop(semid, _ops(ops), len(ops))


@api
def semtimedop(semid, ops, timeout=None):
    """:func:`semop` waiting at most ``timeout`` seconds (float, or a
    ``(tv_sec, tv_nsec)`` pair; None: no limit); EAGAIN on expiry."""
    _semtimedop(semid, _ops(ops), len(ops), _timeout(timeout))


@api
def semctl(semid, semnum, cmd, arg=None):
    """The raw call: returns what semctl(2) returns."""
    return _semctl(semid, semnum, cmd, _arg(arg))


@api
def semctl_getval(semid, semnum):
    """GETVAL: the value of semaphore ``semnum``."""
    return semctl(semid, semnum, GETVAL)


@api
def semctl_setval(semid, semnum, value):
    """SETVAL: sets semaphore ``semnum`` to ``value``."""
    semctl(semid, semnum, SETVAL, value)


@api
def semctl_getpid(semid, semnum):
    """GETPID: the pid of the last process that operated on ``semnum``."""
    return semctl(semid, semnum, GETPID)


@api
def semctl_getncnt(semid, semnum):
    """GETNCNT: how many processes wait for ``semnum`` to grow."""
    return semctl(semid, semnum, GETNCNT)


@api
def semctl_getzcnt(semid, semnum):
    """GETZCNT: how many processes wait for ``semnum`` to reach 0."""
    return semctl(semid, semnum, GETZCNT)


@api
def semctl_stat(semid):
    """The set's semid_ds (IPC_STAT)."""
    ds = semid_ds()
    semctl(semid, 0, IPC_STAT, ds)
    return ds


@api
def semctl_set(semid, ds):
    """IPC_SET from a semid_ds (owner and mode)."""
    semctl(semid, 0, IPC_SET, ds)


@api
def semctl_rmid(semid):
    """IPC_RMID: removes the set at once, waking every waiter with EIDRM."""
    semctl(semid, 0, IPC_RMID)


@api
def semctl_getall(semid):
    """Every value of the set, as a list."""
    n = semctl_stat(semid).sem_nsems
    arr = (c_ushort * n)()
    semctl(semid, 0, GETALL, arr)
    return list(arr)


@api
def semctl_setall(semid, values):
    """SETALL: sets every value of the set from the list ``values``."""
    arr = (c_ushort * len(values))(*values)
    semctl(semid, 0, SETALL, arr)


@api
def semctl_info(used=False):
    """(highest index, seminfo): IPC_INFO (limits) or, with ``used``,
    SEM_INFO (``semusz`` sets and ``semaem`` semaphores in use)."""
    info = seminfo()
    top = semctl(0, 0, SEM_INFO if used else IPC_INFO, info)
    return top, info


@api
def semctl_sem_stat(index, any=False):
    """(id, semid_ds) of the set at kernel index ``index`` (SEM_STAT, or
    SEM_STAT_ANY which skips the read-permission check)."""
    ds = semid_ds()
    semid = semctl(index, 0, SEM_STAT_ANY if any else SEM_STAT, ds)
    return semid, ds
