"""POSIX semaphores: rsipc's own futex implementation with glibc's layout.

Unnamed semaphores live in a :class:`sem_t` (32 bytes, as in C); put one in
shared memory (``sem_t.from_buffer(mmap_object)``) and create it with
``pshared=True`` to use it from several processes. Named semaphores are the
``/dev/shm/sem.NAME`` files glibc uses: :func:`sem_open` returns a pointer to
the mapped ``sem_t`` that every other function accepts.

Timeouts are absolute: a float (seconds since the epoch for
``CLOCK_REALTIME``, as ``time.time()``; ``time.monotonic()`` for
``CLOCK_MONOTONIC``) or a ``(tv_sec, tv_nsec)`` pair.
"""
import ctypes
import time
from ctypes import POINTER, c_char_p, c_int, c_long, c_uint, c_uint64

from ._lib import Struct, api, declare

__all__ = [
    "sem_t", "SEM_VALUE_MAX", "CLOCK_REALTIME", "CLOCK_MONOTONIC",
    "sem_init", "sem_destroy", "sem_wait", "sem_trywait", "sem_timedwait", "sem_clockwait",
    "sem_post", "sem_getvalue", "sem_open", "sem_close", "sem_unlink",
]

SEM_VALUE_MAX = 2147483647
CLOCK_REALTIME = time.CLOCK_REALTIME
CLOCK_MONOTONIC = time.CLOCK_MONOTONIC


class sem_t(Struct):
    """Storage for one semaphore: glibc's 32-byte, 8-aligned ``sem_t``
    (``data`` = value | waiters << 32, the futex flag word, padding). Its
    repr shows the value and the number of waiters as stored (read them
    with :func:`sem_getvalue` in code)."""
    _fields_ = [("_data", c_uint64), ("_private", c_int), ("_pad", c_int), ("_reserved", c_uint64 * 2)]

    def _repr_fields(self):
        return [("value", self._data & 0xFFFFFFFF), ("waiters", self._data >> 32)]


class _timespec(Struct):
    _fields_ = [("tv_sec", c_long), ("tv_nsec", c_long)]


def _abs_time(t):
    """A timespec from a float of seconds or a (tv_sec, tv_nsec) pair."""
    if isinstance(t, tuple):
        return _timespec(t[0], t[1])
    sec = int(t // 1)
    return _timespec(sec, int(round((t - sec) * 1e9)) % 1000000000)


_P = POINTER(sem_t)
_init = declare("rsipc_sem_init", c_int, [_P, c_int, c_uint], fail=-1)
_destroy = declare("rsipc_sem_destroy", c_int, [_P], fail=-1)
_wait = declare("rsipc_sem_wait", c_int, [_P], fail=-1)
_trywait = declare("rsipc_sem_trywait", c_int, [_P], fail=-1)
_timedwait = declare("rsipc_sem_timedwait", c_int, [_P, POINTER(_timespec)], fail=-1)
_clockwait = declare("rsipc_sem_clockwait", c_int, [_P, c_int, POINTER(_timespec)], fail=-1)
_post = declare("rsipc_sem_post", c_int, [_P], fail=-1)
_getvalue = declare("rsipc_sem_getvalue", c_int, [_P, POINTER(c_int)], fail=-1)
# Variadic in C; the library's definition takes the full argument list (see
# the header), which ctypes calls like any fixed-argument function.
_open = declare("rsipc_sem_open", _P, [c_char_p, c_int, c_uint, c_uint], fail_if=lambda p: not p)
_close = declare("rsipc_sem_close", c_int, [_P], fail=-1)
_unlink = declare("rsipc_sem_unlink", c_int, [c_char_p], fail=-1)


def _name(name):
    return name.encode() if isinstance(name, str) else name


@api
def sem_init(sem, pshared=False, value=0):
    """Initialises the unnamed semaphore ``sem`` (a :class:`sem_t`)."""
    _init(sem, 1 if pshared else 0, value)


@api
def sem_destroy(sem):
    """Destroys the unnamed semaphore ``sem`` (nobody may be waiting on it)."""
    _destroy(sem)


@api
def sem_wait(sem):
    """Takes one token, sleeping while the value is 0."""
    _wait(sem)


@api
def sem_trywait(sem):
    """Takes one token or raises EAGAIN."""
    _trywait(sem)


@api
def sem_timedwait(sem, abs_timeout):
    """As :func:`sem_wait`, until the absolute CLOCK_REALTIME time
    ``abs_timeout`` (ETIMEDOUT)."""
    _timedwait(sem, ctypes.byref(_abs_time(abs_timeout)))


@api
def sem_clockwait(sem, clockid, abs_timeout):
    """As :func:`sem_timedwait` on ``clockid`` (CLOCK_MONOTONIC or
    CLOCK_REALTIME)."""
    _clockwait(sem, clockid, ctypes.byref(_abs_time(abs_timeout)))


@api
def sem_post(sem):
    """Adds one token, waking a waiter if any."""
    _post(sem)


@api
def sem_getvalue(sem):
    """The current value."""
    v = c_int()
    _getvalue(sem, ctypes.byref(v))
    return v.value


@api
def sem_open(name, oflag=0, mode=0o600, value=0):
    """Opens (``os.O_CREAT``: creates if needed) the named semaphore
    ``name``; returns a pointer to its ``sem_t``. Opening the same name
    twice returns the same pointer and needs two :func:`sem_close`."""
    return _open(_name(name), oflag, mode, value)


@api
def sem_close(sem):
    """Closes a semaphore returned by :func:`sem_open`."""
    _close(sem)


@api
def sem_unlink(name):
    """Removes the name of a named semaphore."""
    _unlink(_name(name))
