"""POSIX message queues: mq_open, mq_close, mq_unlink, mq_send,
mq_receive, mq_timedsend, mq_timedreceive, mq_getattr, mq_setattr,
mq_notify.

Queue descriptors are ints. Timeouts are absolute ``CLOCK_REALTIME`` times
in seconds (``time.time() + 0.5``). ``mq_notify`` takes ``None``
(unregister), :data:`SIGEV_NONE`, :data:`SIGEV_SIGNAL` with a signal number,
or :data:`SIGEV_THREAD` with a Python callable run in a new thread.
"""
import ctypes
import math
import os
import threading
from ctypes import CFUNCTYPE, POINTER, c_char_p, c_int, c_long, c_size_t, c_ssize_t, c_uint, c_void_p

from ._lib import Struct, api, bytes_like, declare

__all__ = [
    "MQ_PRIO_MAX", "SIGEV_SIGNAL", "SIGEV_NONE", "SIGEV_THREAD",
    "MqAttr", "Sigevent", "Timespec",
    "mq_open", "mq_close", "mq_unlink", "mq_send", "mq_receive", "mq_timedsend", "mq_timedreceive",
    "mq_getattr", "mq_setattr", "mq_notify",
]

MQ_PRIO_MAX = 32768
SIGEV_SIGNAL = 0
SIGEV_NONE = 1
SIGEV_THREAD = 2


class MqAttr(Struct):
    """``struct mq_attr``."""
    _fields_ = [
        ("mq_flags", c_long), ("mq_maxmsg", c_long), ("mq_msgsize", c_long), ("mq_curmsgs", c_long),
        ("_reserved", c_long * 4),
    ]


class Timespec(Struct):
    """``struct timespec``."""
    _fields_ = [("tv_sec", c_long), ("tv_nsec", c_long)]


_NOTIFY_FUNCTION = CFUNCTYPE(None, c_void_p)


class Sigevent(Struct):
    """glibc's ``struct sigevent`` (64 bytes), with the ``SIGEV_THREAD``
    members of its union named."""
    _fields_ = [
        ("sigev_value", c_void_p), ("sigev_signo", c_int), ("sigev_notify", c_int),
        ("sigev_notify_function", c_void_p), ("sigev_notify_attributes", c_void_p),
        ("_pad", c_int * 8),
    ]


assert ctypes.sizeof(Sigevent) == 64

# rsipc_mq_open is variadic in C; its definition takes all four arguments,
# which is how ctypes calls it.
_open = declare("rsipc_mq_open", c_int, [c_char_p, c_int, c_uint, POINTER(MqAttr)], fail=-1)
_close = declare("rsipc_mq_close", c_int, [c_int], fail=-1)
_unlink = declare("rsipc_mq_unlink", c_int, [c_char_p], fail=-1)
_send = declare("rsipc_mq_send", c_int, [c_int, c_void_p, c_size_t, c_uint], fail=-1)
_receive = declare("rsipc_mq_receive", c_ssize_t, [c_int, c_void_p, c_size_t, POINTER(c_uint)], fail=-1)
_timedsend = declare("rsipc_mq_timedsend", c_int, [c_int, c_void_p, c_size_t, c_uint, POINTER(Timespec)], fail=-1)
_timedreceive = declare(
    "rsipc_mq_timedreceive", c_ssize_t, [c_int, c_void_p, c_size_t, POINTER(c_uint), POINTER(Timespec)], fail=-1)
_getattr = declare("rsipc_mq_getattr", c_int, [c_int, POINTER(MqAttr)], fail=-1)
_setattr = declare("rsipc_mq_setattr", c_int, [c_int, POINTER(MqAttr), POINTER(MqAttr)], fail=-1)
_notify = declare("rsipc_mq_notify", c_int, [c_int, POINTER(Sigevent)], fail=-1)

# SIGEV_THREAD callbacks must outlive their registration: kept here by
# descriptor, replaced by the next registration through the same one.
_callbacks = {}
_callbacks_lock = threading.Lock()


def _timespec(deadline):
    frac, whole = math.modf(deadline)
    return Timespec(int(whole), int(round(frac * 1e9)) % 1_000_000_000)


@api
def mq_open(name, oflag, mode=0o600, attr=None):
    """Opens (with ``os.O_CREAT``: creates) the queue ``name`` ("/name").
    ``attr`` is ``None`` (the system's defaults), an :class:`MqAttr`, or a
    ``(maxmsg, msgsize)`` pair. Returns the descriptor."""
    if isinstance(attr, tuple):
        attr = MqAttr(0, attr[0], attr[1], 0)
    return _open(os.fsencode(name), oflag, mode, None if attr is None else ctypes.byref(attr))


@api
def mq_close(mqd):
    """Closes the queue descriptor ``mqd``."""
    _close(mqd)


@api
def mq_unlink(name):
    """Removes the name; the queue goes once every descriptor is closed."""
    _unlink(os.fsencode(name))


@api
def mq_send(mqd, data, prio=0):
    """Queues ``data`` with priority ``prio``."""
    data = bytes_like(data)
    _send(mqd, data, len(data), prio)


def _receive_size(mqd, size):
    return mq_getattr(mqd).mq_msgsize if size is None else size


@api
def mq_receive(mqd, size=None):
    """Takes the oldest message of the highest priority: ``(bytes, prio)``.
    ``size`` defaults to the queue's ``mq_msgsize``."""
    size = _receive_size(mqd, size)
    buf = ctypes.create_string_buffer(size)
    prio = c_uint()
    n = _receive(mqd, buf, size, ctypes.byref(prio))
    return buf.raw[:n], prio.value


@api
def mq_timedsend(mqd, data, prio, deadline):
    """:func:`mq_send`, waiting at most until ``deadline`` (absolute,
    ``time.time()`` seconds, or a :class:`Timespec`)."""
    data = bytes_like(data)
    ts = deadline if isinstance(deadline, Timespec) else _timespec(deadline)
    _timedsend(mqd, data, len(data), prio, ctypes.byref(ts))


@api
def mq_timedreceive(mqd, deadline, size=None):
    """:func:`mq_receive`, waiting at most until ``deadline`` (absolute,
    ``time.time()`` seconds, or a :class:`Timespec`)."""
    size = _receive_size(mqd, size)
    ts = deadline if isinstance(deadline, Timespec) else _timespec(deadline)
    buf = ctypes.create_string_buffer(size)
    prio = c_uint()
    n = _timedreceive(mqd, buf, size, ctypes.byref(prio), ctypes.byref(ts))
    return buf.raw[:n], prio.value


@api
def mq_getattr(mqd):
    """The queue's :class:`MqAttr` (``mq_flags`` is this descriptor's
    ``O_NONBLOCK``)."""
    attr = MqAttr()
    _getattr(mqd, ctypes.byref(attr))
    return attr


@api
def mq_setattr(mqd, flags):
    """Sets this descriptor's ``O_NONBLOCK`` (``flags`` is 0 or
    ``os.O_NONBLOCK``); returns the :class:`MqAttr` from before."""
    old = MqAttr()
    _setattr(mqd, ctypes.byref(MqAttr(flags, 0, 0, 0)), ctypes.byref(old))
    return old


@api
def mq_notify(mqd, how=None, signo=0, value=0, function=None):
    """Registers for one notification when a message reaches the empty
    queue: ``how`` is ``None`` (unregister), ``SIGEV_NONE``,
    ``SIGEV_SIGNAL`` (signal ``signo`` with ``value``) or ``SIGEV_THREAD``
    (``function(value)`` called in a new thread)."""
    if how is None:
        _notify(mqd, None)
        return
    sev = Sigevent()
    sev.sigev_notify = how
    sev.sigev_signo = signo
    sev.sigev_value = value
    callback = None
    if how == SIGEV_THREAD:
        if function is None:
            raise ValueError("SIGEV_THREAD needs a function")
        callback = _NOTIFY_FUNCTION(lambda v: function(v or 0))
        sev.sigev_notify_function = ctypes.cast(callback, c_void_p).value
    _notify(mqd, ctypes.byref(sev))
    if callback is not None:
        with _callbacks_lock:
            _callbacks[mqd] = callback
