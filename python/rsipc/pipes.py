"""Pipes: pipe, pipe2, capacity, non-blocking mode, write_all, read_exact."""
import ctypes
from ctypes import c_int, c_size_t, c_ssize_t, c_void_p, POINTER

from ._lib import api, bytes_like, declare

__all__ = ["pipe", "pipe2", "pipe_capacity", "pipe_set_capacity", "set_nonblocking", "write_all", "read_exact"]

_pipe = declare("rsipc_pipe", c_int, [POINTER(c_int)], fail=-1)
_pipe2 = declare("rsipc_pipe2", c_int, [POINTER(c_int), c_int], fail=-1)
_capacity = declare("rsipc_pipe_capacity", c_int, [c_int], fail=-1)
_set_capacity = declare("rsipc_pipe_set_capacity", c_int, [c_int, c_int], fail=-1)
_set_nonblocking = declare("rsipc_set_nonblocking", c_int, [c_int, c_int], fail=-1)
_write_all = declare("rsipc_write_all", c_ssize_t, [c_int, c_void_p, c_size_t], fail=-1)
_read_exact = declare("rsipc_read_exact", c_ssize_t, [c_int, c_void_p, c_size_t], fail=-1)


@api
def pipe():
    """A new pipe as (read_fd, write_fd)."""
    fds = (c_int * 2)()
    _pipe(fds)
    return fds[0], fds[1]


@api
def pipe2(flags=0):
    """A new pipe with O_CLOEXEC / O_NONBLOCK / O_DIRECT as (read_fd, write_fd)."""
    fds = (c_int * 2)()
    _pipe2(fds, flags)
    return fds[0], fds[1]


@api
def pipe_capacity(fd):
    """The pipe's capacity in bytes."""
    return _capacity(fd)


@api
def pipe_set_capacity(fd, nbytes):
    """Resizes the pipe; returns the new capacity."""
    return _set_capacity(fd, nbytes)


@api
def set_nonblocking(fd, on=True):
    """Sets (``on``) or clears the descriptor's O_NONBLOCK flag."""
    _set_nonblocking(fd, 1 if on else 0)


@api
def write_all(fd, data):
    """Writes all of ``data``; returns the bytes written (fewer only when an
    error stopped it after some bytes)."""
    data = bytes_like(data)
    buf = ctypes.create_string_buffer(data, len(data))
    return _write_all(fd, buf, len(data))


@api
def read_exact(fd, n):
    """Reads ``n`` bytes, fewer at end of file."""
    buf = ctypes.create_string_buffer(n)
    got = _read_exact(fd, buf, n)
    return buf.raw[:got]
