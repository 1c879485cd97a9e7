"""System V message queues: msgget, msgsnd, msgrcv, msgctl.

Messages are ``(mtype, bytes)`` pairs on the Python side; the wrappers build
and read the C ``struct msgbuf`` (a ``long`` type, then the text). Each
``msgctl`` command also has a wrapper of its own (:func:`msg_stat`,
:func:`msg_remove`, ...); :func:`msgctl` passes any command and buffer
through unchanged. ``IPC_PRIVATE``, ``IPC_CREAT`` and the other ``IPC_*``
names are those of :mod:`rsipc.sysv_shm`.
"""
import ctypes
from ctypes import c_int, c_long, c_size_t, c_ssize_t, c_ulong, c_ushort, c_void_p

from ._lib import Struct, api, bytes_like, declare
from .sysv_shm import IPC_INFO, IPC_RMID, IPC_SET, IPC_STAT, IpcPerm

__all__ = [
    "IPC_NOWAIT", "MSG_NOERROR", "MSG_EXCEPT", "MSG_COPY", "MSG_STAT", "MSG_INFO", "MSG_STAT_ANY",
    "MsqidDs", "MsgInfo",
    "msgget", "msgsnd", "msgrcv", "msgctl",
    "msg_stat", "msg_set", "msg_remove", "msg_limits", "msg_usage", "msg_stat_index",
]

# <sys/ipc.h>, <sys/msg.h> (Linux values).
IPC_NOWAIT = 0o4000
MSG_NOERROR = 0o10000
MSG_EXCEPT = 0o20000
MSG_COPY = 0o40000
MSG_STAT = 11
MSG_INFO = 12
MSG_STAT_ANY = 13

_MTYPE = ctypes.sizeof(c_long)


class MsqidDs(Struct):
    """``struct msqid_ds`` on 64-bit Linux."""
    _fields_ = [
        ("msg_perm", IpcPerm),
        ("msg_stime", c_long), ("msg_rtime", c_long), ("msg_ctime", c_long),
        ("msg_cbytes", c_ulong), ("msg_qnum", c_ulong), ("msg_qbytes", c_ulong),
        ("msg_lspid", c_int), ("msg_lrpid", c_int),
        ("_unused4", c_ulong), ("_unused5", c_ulong),
    ]


class MsgInfo(Struct):
    """``struct msginfo``, which ``msgctl(IPC_INFO)`` (limits) and
    ``msgctl(MSG_INFO)`` (usage in msgpool, msgmap, msgtql) fill."""
    _fields_ = [
        ("msgpool", c_int), ("msgmap", c_int), ("msgmax", c_int), ("msgmnb", c_int),
        ("msgmni", c_int), ("msgssz", c_int), ("msgtql", c_int), ("msgseg", c_ushort),
    ]


_msgget = declare("rsipc_msgget", c_int, [c_int, c_int], fail=-1)
_msgsnd = declare("rsipc_msgsnd", c_int, [c_int, c_void_p, c_size_t, c_int], fail=-1)
_msgrcv = declare("rsipc_msgrcv", c_ssize_t, [c_int, c_void_p, c_size_t, c_long, c_int], fail=-1)
_msgctl = declare("rsipc_msgctl", c_int, [c_int, c_int, c_void_p], fail=-1)


@api
def msgget(key, flags=0):
    """The id of the queue of ``key`` (created with ``IPC_CREAT``)."""
    return _msgget(key, flags)


@api
def msgsnd(msqid, mtype, data, flags=0):
    """Queues ``data`` with type ``mtype`` (> 0); waits while the queue is
    full unless ``flags`` has ``IPC_NOWAIT``."""
    data = bytes_like(data)
    buf = ctypes.create_string_buffer(_MTYPE + len(data))
    c_long.from_buffer(buf).value = mtype
    ctypes.memmove(ctypes.addressof(buf) + _MTYPE, data, len(data))
    _msgsnd(msqid, buf, len(data), flags)


@api
def msgrcv(msqid, size, msgtyp=0, flags=0):
    """Takes a message of at most ``size`` bytes chosen by ``msgtyp`` (0:
    first; > 0: first of that type, or of another with ``MSG_EXCEPT``; < 0:
    lowest type <= ``|msgtyp|``); returns ``(mtype, bytes)``."""
    buf = ctypes.create_string_buffer(_MTYPE + size)
    n = _msgrcv(msqid, buf, size, msgtyp, flags)
    return c_long.from_buffer(buf).value, buf.raw[_MTYPE:_MTYPE + n]


@api
def msgctl(msqid, cmd, buf=None):
    """``msgctl(msqid, cmd, buf)`` as in C: ``buf`` is ``None`` or a ctypes
    structure (``MsqidDs``, ``MsgInfo``) passed by reference. Returns the C
    return value."""
    return _msgctl(msqid, cmd, None if buf is None else ctypes.byref(buf))


@api
def msg_stat(msqid):
    """``IPC_STAT``: the queue's ``MsqidDs``."""
    ds = MsqidDs()
    msgctl(msqid, IPC_STAT, ds)
    return ds


@api
def msg_set(msqid, ds):
    """``IPC_SET``: owner, group, mode and ``msg_qbytes`` from ``ds``."""
    msgctl(msqid, IPC_SET, ds)


@api
def msg_remove(msqid):
    """``IPC_RMID``: remove the queue now, waking every waiter with EIDRM."""
    msgctl(msqid, IPC_RMID)


@api
def msg_limits():
    """``IPC_INFO``: ``(highest used index, MsgInfo)`` with the limits."""
    info = MsgInfo()
    return msgctl(0, IPC_INFO, info), info


@api
def msg_usage():
    """``MSG_INFO``: ``(highest used index, MsgInfo)`` with the usage."""
    info = MsgInfo()
    return msgctl(0, MSG_INFO, info), info


@api
def msg_stat_index(index, any_permission=False):
    """``MSG_STAT`` (or ``MSG_STAT_ANY``): ``(msqid, MsqidDs)`` of the queue
    at ``index`` of the kernel's table."""
    ds = MsqidDs()
    msqid = msgctl(index, MSG_STAT_ANY if any_permission else MSG_STAT, ds)
    return msqid, ds
