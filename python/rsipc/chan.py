"""The native message channel: a bounded multi-producer multi-consumer
message queue in shared memory (rsipc_chan_*).

    with rsipc.Chan.create("/jobs", max_msg=256, capacity=64) as ch:
        ch.send(b"hello")
        ch.recv()          # b"hello"

``name=None`` makes an anonymous channel shared with children after
``os.fork()``. Timeouts are in milliseconds: negative waits forever, 0 not at
all (EAGAIN), otherwise at most that long (ETIMEDOUT).

:meth:`Chan.pollfd` gives a descriptor for ``select``/``selectors``/
``asyncio`` (``loop.add_reader``); :meth:`Chan.recv_async` and
:meth:`Chan.send_async` wait with it inside a running event loop::

    msg = await ch.recv_async()

Broadcast (publish-subscribe) channels: every message the one publisher
sends reaches every subscriber attached at the time::

    with rsipc.Broadcast.create("/ticks", max_msg=64, capacity=32) as pub, \
         rsipc.Broadcast.subscribe("/ticks") as sub:
        pub.send(b"tick")
        sub.recv()         # b"tick"
"""
import asyncio
import ctypes
import errno
import select
from ctypes import POINTER, c_char_p, c_int, c_size_t, c_ssize_t, c_uint, c_uint64, c_void_p

from ._lib import RsipcError, Struct, api, bytes_like, declare

__all__ = [
    "BLOCK_PUBLISHER",
    "Borrow",
    "Broadcast",
    "Chan",
    "ChanStats",
    "DROP_OLDEST",
    "Loan",
    "SubscriberStats",
    "chan_create",
    "chan_create_broadcast",
    "chan_open",
    "chan_subscribe",
    "chan_unlink",
]


class ChanStats(Struct):
    """``struct rsipc_chan_stats``: messages queued now, capacity, largest
    message in bytes, messages sent and received since creation, messages
    lost to dead peers. ``sent == received + lost + queued``."""

    _fields_ = [(f, c_uint64) for f in ("queued", "capacity", "max_msg", "sent", "received", "lost")]

    def as_dict(self):
        """The counters as a dict."""
        return {f: getattr(self, f) for f, _ in self._fields_}


_create = declare("rsipc_chan_create", c_void_p, [c_char_p, c_size_t, c_size_t, c_uint], fail_if=lambda r: not r)
_open = declare("rsipc_chan_open", c_void_p, [c_char_p], fail_if=lambda r: not r)
_send = declare("rsipc_chan_send", c_int, [c_void_p, c_void_p, c_size_t, c_int], fail=-1)
_recv = declare("rsipc_chan_recv", c_ssize_t, [c_void_p, c_void_p, c_size_t, c_int], fail=-1)
_close = declare("rsipc_chan_close", c_int, [c_void_p], fail=-1)
_unlink = declare("rsipc_chan_unlink", c_int, [c_char_p], fail=-1)
_stats = declare("rsipc_chan_stats", c_int, [c_void_p, POINTER(ChanStats)], fail=-1)
_pollfd = declare("rsipc_chan_pollfd", c_int, [c_void_p, c_int], fail=-1)
_loan = declare("rsipc_chan_loan", c_int, [c_void_p, c_size_t, POINTER(c_void_p), c_int], fail=-1)
_publish = declare("rsipc_chan_publish", c_int, [c_void_p, c_void_p, c_size_t], fail=-1)
_loan_return = declare("rsipc_chan_loan_return", c_int, [c_void_p, c_void_p], fail=-1)
_recv_borrow = declare("rsipc_chan_recv_borrow", c_int, [c_void_p, POINTER(c_void_p), POINTER(c_size_t), c_int], fail=-1)
_release = declare("rsipc_chan_release", c_int, [c_void_p, c_void_p], fail=-1)


def _view(address, size, readonly):
    """A memoryview of ``size`` bytes of the channel's memory at ``address``."""
    view = memoryview((ctypes.c_char * size).from_address(address)).cast("B")
    return view.toreadonly() if readonly else view


def _retire(view):
    """Ends ``view`` (the slot is no longer ours); views sliced from it, or
    exported from it, are the caller's to drop before that."""
    try:
        view.release()
    except BufferError:
        pass


def _name(name):
    return None if name is None else (name.encode() if isinstance(name, str) else bytes_like(name))


class _Handle:
    """What both kinds of handle share: the C handle, the channel's
    geometry, sending and receiving bytes, and closing (with :meth:`close`,
    a ``with`` block, or when garbage-collected). A subclass names what it
    is a handle on (``_what``) and has ``stats()``."""

    _what = "channel"

    def __init__(self, handle):
        self._handle = handle
        stats = self.stats()
        self.max_msg = stats.max_msg
        self.capacity = stats.capacity
        # One receive buffer per handle: no allocation per message beyond
        # the returned bytes.
        self._buf = ctypes.create_string_buffer(max(1, self.max_msg))

    def _live(self):
        if not self._handle:
            raise ValueError(f"the {self._what} handle is closed")
        return self._handle

    # The public methods are the subclasses', each under its own name in
    # argument errors (see `api`).
    def _send_bytes(self, data, timeout_ms):
        data = bytes_like(data)
        _send(self._live(), data, len(data), timeout_ms)

    def _recv_bytes(self, timeout_ms):
        n = _recv(self._live(), self._buf, len(self._buf), timeout_ms)
        return ctypes.string_at(self._buf, n)

    def close(self):
        """Releases this handle (the channel lives on while others use
        it)."""
        handle, self._handle = self._handle, None
        if handle:
            _close(handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        # Also after an __init__ that failed before the handle was kept.
        if getattr(self, "_handle", None):
            try:
                self.close()
            except Exception:
                pass


class Chan(_Handle):
    """One handle on a channel (per process per open). Close it with
    :meth:`close` or a ``with`` block."""

    @classmethod
    @api
    def create(cls, name=None, max_msg=256, capacity=64, mode=0o600):
        """Creates a channel: the POSIX shared memory object ``name``
        ("/name", exclusive), or an anonymous one with ``name=None``."""
        return cls(_create(_name(name), max_msg, capacity, mode))

    @classmethod
    @api
    def open(cls, name):
        """Opens the existing channel ``name``."""
        return cls(_open(_name(name)))

    @api
    def send(self, data, timeout_ms=-1):
        """Sends ``data`` (bytes-like) as one message."""
        self._send_bytes(data, timeout_ms)

    @api
    def recv(self, timeout_ms=-1):
        """Receives the next message as bytes."""
        return self._recv_bytes(timeout_ms)

    @api
    def pollfd(self, events=select.POLLIN):
        """A descriptor that is readable (wait for ``select.POLLIN`` /
        ``EVENT_READ`` / ``loop.add_reader``) when this handle may receive
        (``events`` holds ``select.POLLIN``) or send (``select.POLLOUT``).
        After each readiness report, call :meth:`recv` (or :meth:`send`)
        with ``timeout_ms=0`` until it raises EAGAIN: that re-arms it. The
        handle owns the descriptor: do not read or close it. Repeated calls
        return the same descriptor."""
        return _pollfd(self._live(), events)

    async def _when_ready(self, events, attempt):
        loop = asyncio.get_running_loop()
        fd = self.pollfd(events)
        while True:
            try:
                return attempt()
            except RsipcError as e:
                if e.errno != errno.EAGAIN:
                    raise
            # The EAGAIN re-armed the descriptor: it becomes readable when
            # the attempt may succeed.
            ready = loop.create_future()
            loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
            try:
                await ready
            finally:
                loop.remove_reader(fd)

    async def recv_async(self):
        """Receives the next message as bytes, waiting in the running
        ``asyncio`` event loop (never blocking it) while the channel is
        empty. Cancelling the awaiting task leaves the channel as it was.
        asyncio watches a descriptor for one reader at a time: on one handle,
        await one ``recv_async`` or ``send_async`` at a time (use another
        handle for concurrent waits)."""
        return await self._when_ready(select.POLLIN, lambda: self.recv(0))

    async def send_async(self, data):
        """Sends ``data`` as one message, waiting in the running ``asyncio``
        event loop while the channel is full."""
        data = bytes_like(data)
        return await self._when_ready(select.POLLOUT, lambda: self.send(data, 0))

    @api
    def loan(self, size, timeout_ms=-1):
        """Loans the next free slot for a message of up to ``size`` bytes
        (zero-copy send): a :class:`Loan`, whose ``buf`` is a writable
        ``memoryview`` of ``size`` bytes in the channel. As a context
        manager it gives that view and publishes all ``size`` bytes when
        the block ends (unless :meth:`Loan.publish` or :meth:`Loan.give_back`
        was called in it), or gives the loan back if the block raises::

            with ch.loan(len(frame)) as buf:
                buf[:] = frame
        """
        ptr = c_void_p()
        _loan(self._live(), size, ctypes.byref(ptr), timeout_ms)
        return Loan(self, ptr.value, size)

    @api
    def borrow(self, timeout_ms=-1):
        """Borrows the next message in place (zero-copy receive): a
        :class:`Borrow`, whose ``buf`` is a read-only ``memoryview`` of the
        message in the channel, valid until :meth:`Borrow.release`. As a
        context manager it gives that view and releases it when the block
        ends::

            with ch.borrow() as msg:
                total += sum(msg)
        """
        ptr, n = c_void_p(), c_size_t()
        _recv_borrow(self._live(), ctypes.byref(ptr), ctypes.byref(n), timeout_ms)
        return Borrow(self, ptr.value, n.value)

    @api
    def stats(self):
        """A :class:`ChanStats` snapshot."""
        out = ChanStats()
        _stats(self._live(), ctypes.byref(out))
        return out


@api
class Loan:
    """A slot on loan from :meth:`Chan.loan`: write the message into
    ``buf`` (``address`` is where it lies: 64-byte aligned), then
    :meth:`publish` or
    :meth:`give_back` it (once). The view is released then; keep no other
    view of it."""

    def __init__(self, chan, address, size):
        self._chan, self.address, self.size = chan, address, size
        self.buf = _view(address, size, readonly=False)
        self._open = True

    def _end(self):
        if not self._open:
            raise ValueError("the loan was published or given back already")
        self._open = False
        _retire(self.buf)

    @api
    def publish(self, n=None):
        """Publishes the first ``n`` bytes (default: all ``size``) as one
        message."""
        n = self.size if n is None else n
        if not self._open:
            raise ValueError("the loan was published or given back already")
        _publish(self._chan._live(), self.address, n)
        self._end()

    @api
    def give_back(self):
        """Gives the slot back unpublished (no receiver sees it)."""
        if not self._open:
            raise ValueError("the loan was published or given back already")
        _loan_return(self._chan._live(), self.address)
        self._end()

    def __enter__(self):
        return self.buf

    def __exit__(self, exc_type, *exc):
        if self._open:
            if exc_type is None:
                self.publish()
            else:
                self.give_back()


class Borrow:
    """A message borrowed by :meth:`Chan.borrow`: read ``buf`` (at
    ``address``), then :meth:`release` it (once). The view is released
    then; keep no other view of it."""

    def __init__(self, chan, address, length):
        self._chan, self.address = chan, address
        self.buf = _view(address, length, readonly=True)
        self._open = True

    def __len__(self):
        return len(self.buf)

    def __bytes__(self):
        return bytes(self.buf)

    @api
    def release(self):
        """Hands the slot back to the senders."""
        if not self._open:
            raise ValueError("the borrow was released already")
        _release(self._chan._live(), self.address)
        self._open = False
        _retire(self.buf)

    def __enter__(self):
        return self.buf

    def __exit__(self, *exc):
        if self._open:
            self.release()


def chan_create(name=None, max_msg=256, capacity=64, mode=0o600):
    """Creates a channel (see :meth:`Chan.create`)."""
    return Chan.create(name, max_msg, capacity, mode)


@api
def chan_open(name):
    """Opens the existing channel ``name``."""
    return Chan.open(name)


@api
def chan_unlink(name):
    """Removes the channel name; open handles keep working."""
    _unlink(_name(name))


#: Policy of :meth:`Broadcast.create`: the publisher waits for the slowest
#: live subscriber; nothing is lost.
BLOCK_PUBLISHER = 1
#: Policy of :meth:`Broadcast.create`: the publisher never waits; a
#: subscriber a whole channel behind loses its oldest messages (counted).
DROP_OLDEST = 2


class SubscriberStats(Struct):
    """``struct rsipc_chan_sub_stats``: messages published since creation;
    for a subscriber, the messages it received, lost and has pending; the
    subscribers attached now, the capacity, the largest message."""

    _fields_ = [
        (f, c_uint64)
        for f in ("published", "received", "lost", "pending", "subscribers", "capacity", "max_msg")
    ]

    def as_dict(self):
        """The counters as a dict."""
        return {f: getattr(self, f) for f, _ in self._fields_}


_create_broadcast = declare(
    "rsipc_chan_create_broadcast", c_void_p, [c_char_p, c_size_t, c_size_t, c_uint, c_int], fail_if=lambda r: not r
)
_subscribe = declare("rsipc_chan_subscribe", c_void_p, [c_char_p], fail_if=lambda r: not r)
_subscriber_stats = declare("rsipc_chan_subscriber_stats", c_int, [c_void_p, POINTER(SubscriberStats)], fail=-1)


class Broadcast(_Handle):
    """A handle on a broadcast channel: its publisher (:meth:`create`) or
    one subscriber (:meth:`subscribe`). Close it with :meth:`close` or a
    ``with`` block; closing a subscriber detaches it."""

    _what = "broadcast"

    @classmethod
    @api
    def create(cls, name, max_msg=256, capacity=64, policy=BLOCK_PUBLISHER, mode=0o600):
        """Creates the broadcast channel ``name`` ("/name", exclusive) with
        ``policy`` :data:`BLOCK_PUBLISHER` or :data:`DROP_OLDEST`, and
        returns its publisher handle."""
        return cls(_create_broadcast(_name(name), max_msg, capacity, mode, policy))

    @classmethod
    @api
    def subscribe(cls, name):
        """Attaches a subscriber to ``name``: it receives every message
        published from now on."""
        return cls(_subscribe(_name(name)))

    @api
    def send(self, data, timeout_ms=-1):
        """Publishes ``data`` (bytes-like) to every subscriber (publisher
        handle only)."""
        self._send_bytes(data, timeout_ms)

    @api
    def recv(self, timeout_ms=-1):
        """Receives this subscriber's next message as bytes. Once every
        message is taken and the publisher is gone (closed its handle or
        died), raises :class:`RsipcError` with ``errno.EPIPE``."""
        return self._recv_bytes(timeout_ms)

    def __iter__(self):
        """Yields this subscriber's messages, waiting for each, and ends
        when the publisher is gone and every message was taken (the
        ``EPIPE`` of :meth:`recv`)."""
        while True:
            try:
                msg = self.recv()
            except RsipcError as e:
                if e.errno == errno.EPIPE:
                    return
                raise
            yield msg

    @api
    def stats(self):
        """The handle's counters (:class:`SubscriberStats`)."""
        out = SubscriberStats()
        _subscriber_stats(self._live(), ctypes.byref(out))
        return out

    def close(self):
        """Releases the handle (a subscriber detaches)."""
        super().close()


def chan_create_broadcast(name, max_msg=256, capacity=64, policy=BLOCK_PUBLISHER, mode=0o600):
    """Creates a broadcast channel (see :meth:`Broadcast.create`)."""
    return Broadcast.create(name, max_msg, capacity, policy, mode)


def chan_subscribe(name):
    """Subscribes to a broadcast channel (see :meth:`Broadcast.subscribe`)."""
    return Broadcast.subscribe(name)
