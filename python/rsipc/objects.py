"""Every IPC object of the machine, who uses it, and whether it is stale
(rsipc_objects_*).

    for obj in rsipc.list_objects():
        print(obj.kind, obj.label, obj.state, obj.cause_text)
    report = rsipc.reap_objects(dry_run=True)   # what a reap would remove

:func:`list_objects` returns :class:`IpcObject` dataclasses: System V
segments, queues and semaphore sets, POSIX shared memory, named semaphores
and message queues, and rsipc channels, each with its users and its state
(``"in_use"``, ``"stale"`` or ``"unknown"``) and the reason. The rules are
in docs/objects.md. :func:`remove_object` removes one object unless a live
process uses it (never one re-created since it was listed);
:func:`reap_objects` removes every stale one a filter selects.
"""
import ctypes
from ctypes import POINTER, c_char, c_char_p, c_int, c_int32, c_int64, c_size_t, c_ssize_t, c_uint32, c_uint64
from dataclasses import dataclass, field
from typing import List, Optional

from ._lib import Struct, api, declare

__all__ = ["IpcObject", "ChanInfo", "Listing", "ReapEntry", "ReapReport", "OBJECT_KINDS",
           "list_objects", "remove_object", "reap_objects"]

#: Kind names and their numbers (``RSIPC_OBJECT_*``).
OBJECT_KINDS = {"sysv_shm": 1, "sysv_msg": 2, "sysv_sem": 3, "posix_shm": 4, "posix_sem": 5,
                "posix_mq": 6, "chan": 7}
_KIND_NAMES = {v: k for k, v in OBJECT_KINDS.items()}
_STATES = {1: "in_use", 2: "stale", 3: "unknown"}
_OUTCOMES = {1: "removed", 2: "would_remove", 3: "kept", 4: "failed"}

# RSIPC_OBJECT_HAS_* bits, in the order of the optional fields.
_OPTIONAL = [("key", 1), ("id", 2), ("size", 4), ("count", 8), ("cpid", 16), ("lpid", 32), ("lrpid", 64),
             ("nattch", 128), ("atime", 256), ("mtime", 512), ("ctime", 1024)]
_HAS_FILE = 2048
_HAS_CHAN = 4096


class _Object(Struct):
    """``struct rsipc_object``."""
    _fields_ = [
        ("kind", c_int32), ("state", c_int32), ("cause", c_int32), ("fields", c_uint32),
        ("name", c_char * 264),
        ("key", c_int32), ("id", c_int32),
        ("uid", c_uint32), ("gid", c_uint32), ("mode", c_uint32),
        ("cpid", c_int32), ("lpid", c_int32), ("lrpid", c_int32),
        ("size", c_uint64), ("count", c_uint64), ("nattch", c_uint64),
        ("atime", c_int64), ("mtime", c_int64), ("ctime", c_int64),
        ("dev", c_uint64), ("ino", c_uint64),
        ("nusers", c_uint32), ("users", c_int32 * 16),
        ("chan_members", c_uint32),
        ("chan_capacity", c_uint64), ("chan_max_msg", c_uint64), ("chan_queued", c_uint64),
        ("chan_sent", c_uint64), ("chan_received", c_uint64), ("chan_lost", c_uint64),
        ("cause_text", c_char * 128),
    ]


assert ctypes.sizeof(_Object) == 624


class _Filter(Struct):
    """``struct rsipc_objects_filter``."""
    _fields_ = [("kinds", c_uint32), ("only_stale", c_int), ("owner", c_int64), ("older_than", c_int64),
                ("pattern", c_char_p)]


class _ReapEntry(Struct):
    """``struct rsipc_reap_entry``."""
    _fields_ = [("object", _Object), ("outcome", c_int32), ("error", c_int32)]


class _ReapCounts(Struct):
    """``struct rsipc_reap_counts``."""
    _fields_ = [("removed", c_uint64), ("kept", c_uint64), ("failed", c_uint64)]


_list = declare("rsipc_objects_list", c_ssize_t,
                [POINTER(_Filter), POINTER(_Object), c_size_t, ctypes.c_char_p, c_size_t], fail=-1)
_remove = declare("rsipc_objects_remove", c_int, [POINTER(_Object)], fail=-1)
_reap = declare("rsipc_objects_reap", c_ssize_t,
                [POINTER(_Filter), c_int, POINTER(_ReapEntry), c_size_t, POINTER(_ReapCounts)], fail=-1)


@dataclass
class ChanInfo:
    """A channel's header numbers and its live members."""
    capacity: int
    max_msg: int
    queued: int
    sent: int
    received: int
    lost: int
    members: int


@dataclass
class IpcObject:
    """One IPC object. Optional fields are None when the kind has no such
    field. ``state`` is "in_use", "stale" or "unknown", ``cause`` its
    ``RSIPC_OBJECT_CAUSE_*`` number and ``cause_text`` the reason."""
    kind: str
    name: Optional[str]
    key: Optional[int]
    id: Optional[int]
    uid: int
    gid: int
    mode: int
    size: Optional[int]
    count: Optional[int]
    cpid: Optional[int]
    lpid: Optional[int]
    lrpid: Optional[int]
    nattch: Optional[int]
    atime: Optional[int]
    mtime: Optional[int]
    ctime: Optional[int]
    dev: Optional[int]
    ino: Optional[int]
    users: List[int]
    nusers: int
    state: str
    cause: int
    cause_text: str
    chan: Optional[ChanInfo]
    _record: _Object = field(repr=False, compare=False, default=None)

    @property
    def label(self):
        """The name for POSIX objects and channels, the key as 0x%08x for
        System V ones."""
        if self.name:
            return self.name
        return f"0x{self.key & 0xffffffff:08x}" if self.key is not None else ""

    @classmethod
    def _from(cls, r):
        opt = {name: (getattr(r, name) if r.fields & bit else None) for name, bit in _OPTIONAL}
        has_file = bool(r.fields & _HAS_FILE)
        chan = None
        if r.fields & _HAS_CHAN:
            chan = ChanInfo(r.chan_capacity, r.chan_max_msg, r.chan_queued, r.chan_sent, r.chan_received,
                            r.chan_lost, r.chan_members)
        record = _Object()
        ctypes.pointer(record)[0] = r
        return cls(kind=_KIND_NAMES.get(r.kind, str(r.kind)), name=r.name.decode() or None,
                   uid=r.uid, gid=r.gid, mode=r.mode,
                   dev=r.dev if has_file else None, ino=r.ino if has_file else None,
                   users=list(r.users[:min(r.nusers, 16)]), nusers=r.nusers,
                   state=_STATES.get(r.state, str(r.state)), cause=r.cause,
                   cause_text=r.cause_text.decode(errors="replace"), chan=chan, _record=record, **opt)


@dataclass
class Listing:
    """What :func:`list_objects` found, and its notes (what could not be
    looked at and what to do about it)."""
    objects: List[IpcObject]
    notes: List[str]


@dataclass
class ReapEntry:
    """One object a reap considered: outcome "removed", "would_remove",
    "kept" or "failed" (then ``error`` is the errno and the object's
    ``cause_text`` the reason)."""
    object: IpcObject
    outcome: str
    error: int


@dataclass
class ReapReport:
    entries: List[ReapEntry]
    removed: int
    kept: int
    failed: int


def _filter(kinds, pattern, owner, older_than, only_stale):
    if kinds is None:
        mask = 0
    else:
        if isinstance(kinds, str):
            kinds = [kinds]
        try:
            mask = sum(1 << OBJECT_KINDS[k] for k in set(kinds))
        except KeyError as e:
            raise ValueError(f"unknown object kind {e.args[0]!r} (one of {', '.join(OBJECT_KINDS)})") from None
    return _Filter(mask, 1 if only_stale else 0, -1 if owner is None else owner, older_than or 0,
                   pattern.encode() if isinstance(pattern, str) else pattern)


@api
def list_objects(kinds=None, pattern=None, owner=None, older_than=None, only_stale=False, with_notes=False):
    """The IPC objects this process may see, as :class:`IpcObject` (with
    ``with_notes=True``, a :class:`Listing` with the notes). ``kinds``: a
    kind name or a list of them (see :data:`OBJECT_KINDS`); ``pattern``:
    ``*``/``?`` pattern on the name, key (0x%08x) or id; ``owner``: uid;
    ``older_than``: seconds since the last activity; ``only_stale``."""
    flt = _filter(kinds, pattern, owner, older_than, only_stale)
    while True:
        total = _list(ctypes.byref(flt), None, 0, None, 0)
        cap = total + 16
        out = (_Object * cap)()
        notes = ctypes.create_string_buffer(4096)
        n = _list(ctypes.byref(flt), out, cap, notes, len(notes))
        if n <= cap:
            break
    objects = [IpcObject._from(out[i]) for i in range(n)]
    if with_notes:
        text = notes.value.decode(errors="replace")
        return Listing(objects, [line for line in text.split("\n") if line])
    return objects


@api
def remove_object(obj):
    """Removes ``obj`` (an :class:`IpcObject` from :func:`list_objects`)
    unless a live process uses it (``EBUSY``); never an object re-created
    under its name since it was listed (``ESTALE``); ``ENOENT`` if gone."""
    _remove(ctypes.byref(obj._record))


@api
def reap_objects(kinds=None, pattern=None, owner=None, older_than=None, dry_run=False):
    """Removes every stale object the filter selects (``dry_run``: removes
    nothing, says what it would remove); returns a :class:`ReapReport` with
    an entry for every selected object."""
    flt = _filter(kinds, pattern, owner, older_than, False)
    counts = _ReapCounts()
    # The reap acts on every selected object; the array only has to hold
    # their entries, which a listing sizes.
    cap = _list(ctypes.byref(flt), None, 0, None, 0) + 64
    out = (_ReapEntry * cap)()
    n = _reap(ctypes.byref(flt), 1 if dry_run else 0, out, cap, ctypes.byref(counts))
    entries = [ReapEntry(IpcObject._from(out[i].object), _OUTCOMES.get(out[i].outcome, str(out[i].outcome)),
                         out[i].error) for i in range(min(n, cap))]
    return ReapReport(entries, counts.removed, counts.kept, counts.failed)
