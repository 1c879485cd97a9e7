//! Every IPC object of the machine in one listing — System V segments,
//! queues and semaphore sets, POSIX shared memory, named semaphores and
//! message queues, rsipc channels — with who uses it, whether it is
//! *stale* (left behind: nobody alive uses it), and a race-safe way to
//! remove it.
//!
//! * [`list`] reads `/proc/sysvipc/{shm,msg,sem}`, `/dev/shm` (named
//!   semaphores are its `sem.NAME` files; channels are recognised by their
//!   header) and the mqueue file system where it is mounted (found in
//!   `/proc/self/mountinfo`). It lists what the caller may see (its own
//!   objects, and others' that it may read; root sees all) and never fails
//!   for one unreadable entry: what could not be read is said in
//!   [`Listing::notes`].
//! * Who uses an object: the kernel's attach count and pids of a System V
//!   segment, the last pids of a queue or semaphore set, the processes that
//!   have a POSIX object open or mapped (`/proc/*/fd`, `/proc/*/maps`,
//!   where this process may read them), and the members of a channel, from
//!   the liveness locks the kernel holds for them.
//! * [`State`]: in use, stale, or unknown, each with a [`Cause`]. The rules
//!   per kind are in `docs/objects.md`; in short, an object is stale only
//!   when no live process uses it and nothing that could tell otherwise was
//!   hidden from this process.
//! * [`remove`] removes one object, re-checking its identity (and that no
//!   live process uses it) right before; [`reap`] removes every stale one
//!   a [`Filter`] selects, or with `dry_run` only says what it would do.
//!
//! The C API is `rsipc_objects_list`, `rsipc_objects_remove` and
//! `rsipc_objects_reap` (see [`crate::capi`]).

#![deny(unsafe_code)]

#[allow(unsafe_code)] // the C boundary: raw pointers in, records out
pub(crate) mod ffi;
mod posix;
mod procs;
mod remove;
mod sysv;

use std::time::{SystemTime, UNIX_EPOCH};

pub use remove::{reap, remove, Outcome, ReapEntry, ReapReport};

use crate::error::Result;

/// What an object is. The numbers are the C API's `RSIPC_OBJECT_*` kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A System V shared memory segment (`shmget(2)`).
    SysvShm = 1,
    /// A System V message queue (`msgget(2)`).
    SysvMsg = 2,
    /// A System V semaphore set (`semget(2)`).
    SysvSem = 3,
    /// A POSIX shared memory object (`shm_open(3)`, `/dev/shm/NAME`) that is
    /// not an rsipc channel.
    PosixShm = 4,
    /// A POSIX named semaphore (`sem_open(3)`, `/dev/shm/sem.NAME`).
    PosixSem = 5,
    /// A POSIX message queue (`mq_open(3)`).
    PosixMq = 6,
    /// An rsipc channel (`rsipc_chan_create`), recognised by its header.
    Chan = 7,
}

impl Kind {
    /// Every kind, in the order of their numbers.
    pub const ALL: [Kind; 7] =
        [Kind::SysvShm, Kind::SysvMsg, Kind::SysvSem, Kind::PosixShm, Kind::PosixSem, Kind::PosixMq, Kind::Chan];

    /// The kind's number (`RSIPC_OBJECT_*`).
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The kind of number `code`, if there is one.
    pub fn from_code(code: i32) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// This kind's bit in [`Filter::kinds`] (`1 << code`).
    pub fn bit(self) -> u32 {
        1 << self.code()
    }

    /// A short stable name: `sysv_shm`, `sysv_msg`, `sysv_sem`, `posix_shm`,
    /// `posix_sem`, `posix_mq`, `chan`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::SysvShm => "sysv_shm",
            Kind::SysvMsg => "sysv_msg",
            Kind::SysvSem => "sysv_sem",
            Kind::PosixShm => "posix_shm",
            Kind::PosixSem => "posix_sem",
            Kind::PosixMq => "posix_mq",
            Kind::Chan => "chan",
        }
    }

    /// The kind named `name` (as [`Kind::name`] gives it).
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether objects of this kind are System V ones (key and id).
    pub fn is_sysv(self) -> bool {
        matches!(self, Kind::SysvShm | Kind::SysvMsg | Kind::SysvSem)
    }
}

/// Why an object is in use, stale or of unknown state. The numbers are the
/// C API's `RSIPC_OBJECT_CAUSE_*` codes; [`Cause::text`] says it in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cause {
    /// In use: processes are attached to the segment (`nattch > 0`).
    Attached = 1,
    /// In use: live processes have it open or mapped.
    OpenOrMapped = 2,
    /// In use: live processes hold the channel's member liveness locks.
    Members = 3,
    /// In use: the process that created it is alive.
    CreatorAlive = 4,
    /// In use: a process that last used it (last attach/detach, send,
    /// receive, semaphore operation) is alive.
    LastUserAlive = 5,
    /// In use: processes are waiting on the semaphore set.
    Waiters = 6,
    /// In use: a live process is registered for the queue's notification.
    NotifyRegistered = 7,
    /// Stale: segment attached by nobody, its creator and its last
    /// attaching process are gone.
    NobodyAttachedCreatorGone = 20,
    /// Stale: the processes that last used it are all gone and nobody waits.
    LastUsersGone = 21,
    /// Stale: no process has it open or mapped, and every process could be
    /// inspected.
    NoUser = 22,
    /// Stale: no process holds a member lock of the channel, and no visible
    /// process has it open or mapped.
    NoMember = 23,
    /// Unknown: the kernel recorded no pid that could tell (a queue not yet
    /// both sent to and received from, a semaphore set never operated on).
    NeverUsed = 40,
    /// Unknown: some processes could not be inspected (other users'
    /// processes, without root), and one of them could be using it.
    HiddenProcesses = 41,
    /// Unknown: its details could not be read (permission).
    NotReadable = 42,
    /// Unknown: a pid the kernel recorded belongs to another pid namespace
    /// (shown as 0), or `/proc` is not mounted.
    PidNotVisible = 43,
}

impl Cause {
    /// The cause's number (`RSIPC_OBJECT_CAUSE_*`).
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The cause in words.
    pub fn text(self) -> &'static str {
        match self {
            Cause::Attached => "processes are attached to it",
            Cause::OpenOrMapped => "live processes have it open or mapped",
            Cause::Members => "live processes hold the channel (member liveness locks held)",
            Cause::CreatorAlive => "the process that created it is alive",
            Cause::LastUserAlive => "a process that last used it is alive",
            Cause::Waiters => "processes are waiting on it",
            Cause::NotifyRegistered => "a live process is registered for its notification",
            Cause::NobodyAttachedCreatorGone => "nobody is attached; its creator and last attaching process are gone",
            Cause::LastUsersGone => "the processes that last used it are gone and nobody waits on it",
            Cause::NoUser => "no process has it open or mapped (every process inspected)",
            Cause::NoMember => "no process holds the channel: no member lock held, nobody has it open or mapped",
            Cause::NeverUsed => "the kernel recorded no pid that could tell whether it is still used",
            Cause::HiddenProcesses => "some processes could not be inspected (run as root to judge)",
            Cause::NotReadable => "its details could not be read (permission)",
            Cause::PidNotVisible => "a pid it records is not visible here (another pid namespace, or no /proc)",
        }
    }
}

/// Whether anyone alive still uses an object, and why it is judged so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// A live process uses it.
    InUse(Cause),
    /// Nobody alive uses it; [`reap`] removes it.
    Stale(Cause),
    /// Cannot be told with certainty; never reaped.
    Unknown(Cause),
}

impl State {
    /// `RSIPC_OBJECT_IN_USE` (1), `RSIPC_OBJECT_STALE` (2) or
    /// `RSIPC_OBJECT_UNKNOWN` (3).
    pub fn code(self) -> i32 {
        match self {
            State::InUse(_) => 1,
            State::Stale(_) => 2,
            State::Unknown(_) => 3,
        }
    }

    /// `in_use`, `stale` or `unknown`.
    pub fn name(self) -> &'static str {
        match self {
            State::InUse(_) => "in_use",
            State::Stale(_) => "stale",
            State::Unknown(_) => "unknown",
        }
    }

    /// Why.
    pub fn cause(self) -> Cause {
        match self {
            State::InUse(c) | State::Stale(c) | State::Unknown(c) => c,
        }
    }

    pub fn is_stale(self) -> bool {
        matches!(self, State::Stale(_))
    }
}

/// What a channel's header and its liveness locks say.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChanInfo {
    /// Most messages the channel holds.
    pub capacity: u64,
    /// Largest message in bytes.
    pub max_msg: u64,
    /// Messages queued now (from the header's indices, without opening the
    /// channel: a message being written or read at this instant may count
    /// or not).
    pub queued: u64,
    /// Messages sent since creation.
    pub sent: u64,
    /// Messages received since creation.
    pub received: u64,
    /// Messages lost to dead peers (counted by the live peers when they
    /// recover a dead one's slot).
    pub lost: u64,
    /// Processes holding a member liveness lock: attached right now.
    pub members: u32,
}

/// One IPC object, as [`list`] found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    pub kind: Kind,
    /// POSIX objects and channels: `"/name"` (as given to `shm_open`,
    /// `sem_open`, `mq_open`, `rsipc_chan_open`).
    pub name: Option<String>,
    /// System V: the key (0 is `IPC_PRIVATE`).
    pub key: Option<i32>,
    /// System V: the id (`shmid`, `msqid`, `semid`).
    pub id: Option<i32>,
    /// Owner and group (System V: the owner's, not the creator's).
    pub uid: u32,
    pub gid: u32,
    /// Permission bits (`0o777` part).
    pub mode: u32,
    /// Bytes: a segment's or file's size; a queue's bytes queued.
    pub size: Option<u64>,
    /// System V queue: messages queued; semaphore set: semaphores in it.
    pub count: Option<u64>,
    /// System V segment: creator's pid (`shm_cpid`).
    pub cpid: Option<i32>,
    /// System V segment: last `shmat`/`shmdt` (`shm_lpid`); queue: last
    /// sender (`msg_lspid`).
    pub lpid: Option<i32>,
    /// System V queue: last receiver (`msg_lrpid`).
    pub lrpid: Option<i32>,
    /// System V segment: processes attached (`shm_nattch`).
    pub nattch: Option<u64>,
    /// Seconds since the epoch. System V segment: last attach; queue: last
    /// send; semaphore set: last operation; POSIX: last access.
    pub atime: Option<i64>,
    /// Segment: last detach; queue: last receive; POSIX: last modification.
    pub mtime: Option<i64>,
    /// Last change of its permissions (System V) or of its inode (POSIX).
    pub ctime: Option<i64>,
    /// POSIX objects and channels: the file's device and inode, its
    /// identity for [`remove`].
    pub dev: Option<u64>,
    pub ino: Option<u64>,
    /// Live processes found using it (attached, open, mapped, last user,
    /// notification), sorted.
    pub users: Vec<i32>,
    pub state: State,
    /// Channels: what the header and the liveness locks say.
    pub chan: Option<ChanInfo>,
}

impl Object {
    /// The object's own name for humans and patterns: `"/name"` for POSIX
    /// objects and channels, the key as `0x%08x` for System V ones.
    pub fn label(&self) -> String {
        match (&self.name, self.key) {
            (Some(n), _) => n.clone(),
            (None, Some(k)) => format!("{:#010x}", k as u32),
            _ => String::new(),
        }
    }

    /// The latest time it changed or was used (attach, send, operation,
    /// modification, permission change); [`Filter::older_than`] compares
    /// with it. A POSIX object's access time is left out: reading it (the
    /// listing's look at a channel header) would make it young.
    pub fn last_activity(&self) -> Option<i64> {
        let atime = if self.kind.is_sysv() { self.atime } else { None };
        [atime, self.mtime, self.ctime].into_iter().flatten().max()
    }
}

/// Which objects [`list`] and [`reap`] consider. `Filter::default()`
/// selects every object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Bits of [`Kind::bit`]; 0 means every kind.
    pub kinds: u32,
    /// A pattern with `*` (any run of characters) and `?` (one character),
    /// matched against the name (`"/name"`, with or without its slash), the
    /// key (`0x%08x`) and the id (decimal); `None` matches everything.
    pub pattern: Option<String>,
    /// Only objects of this owner uid.
    pub owner: Option<u32>,
    /// Only objects whose [`Object::last_activity`] is at least this many
    /// seconds ago (objects without any time never match).
    pub older_than: Option<u64>,
    /// Only stale objects.
    pub only_stale: bool,
}

impl Filter {
    /// Whether `obj` passes the filter (at time `now`, seconds since the
    /// epoch).
    pub fn matches(&self, obj: &Object, now: i64) -> bool {
        if self.kinds != 0 && self.kinds & obj.kind.bit() == 0 {
            return false;
        }
        if self.owner.is_some_and(|uid| uid != obj.uid) {
            return false;
        }
        if self.only_stale && !obj.state.is_stale() {
            return false;
        }
        if let Some(age) = self.older_than {
            match obj.last_activity() {
                Some(t) if now.saturating_sub(t) >= age as i64 => {}
                _ => return false,
            }
        }
        if let Some(p) = &self.pattern {
            let mut candidates = Vec::new();
            if let Some(n) = &obj.name {
                candidates.push(n.clone());
                candidates.push(n.trim_start_matches('/').to_owned());
            }
            if let Some(k) = obj.key {
                candidates.push(format!("{:#010x}", k as u32));
            }
            if let Some(id) = obj.id {
                candidates.push(id.to_string());
            }
            if !candidates.iter().any(|c| glob(p.as_bytes(), c.as_bytes())) {
                return false;
            }
        }
        true
    }
}

/// `*`/`?` matching, iterative with one backtrack point.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// What [`list`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listing {
    /// The objects, System V first (by kind, then id), then POSIX objects
    /// and channels (by kind, then name).
    pub objects: Vec<Object>,
    /// What could not be looked at, and what the caller can do about it
    /// (e.g. "no mqueue file system is mounted ...").
    pub notes: Vec<String>,
}

/// Every IPC object `filter` selects that this process may see (root sees
/// all; others see their own objects and those they may read), with its
/// users and its [`State`].
///
/// Never fails for one entry: an entry that cannot be read is skipped or
/// judged [`State::Unknown`], and the listing's notes say so. Errors:
/// none today (the `Result` is for a future source that can fail as a
/// whole).
pub fn list(filter: &Filter) -> Result<Listing> {
    let mut notes = Vec::new();
    let me = procs::Me::get();
    let mut found = Vec::new();
    let wants = |k: Kind| filter.kinds == 0 || filter.kinds & k.bit() != 0;
    let want_posix = [Kind::PosixShm, Kind::PosixSem, Kind::PosixMq, Kind::Chan].into_iter().any(wants);
    // POSIX entries are looked at before /proc is scanned: the listing's
    // own short-lived descriptors are closed by then.
    let mut posix = if want_posix { posix::collect(&mut notes) } else { Vec::new() };
    let scan = procs::scan();
    if scan.hidden > 0 {
        notes.push(format!(
            "{} processes could not be inspected (their /proc/PID/fd or maps are not readable by this user): \
             POSIX objects they might use are judged 'unknown', never 'stale'; run as root to judge them",
            scan.hidden
        ));
    }
    if !scan.proc_mounted {
        notes.push("/proc is not readable: users are not known and nothing is judged stale".to_owned());
    }
    if [Kind::SysvShm, Kind::SysvMsg, Kind::SysvSem].into_iter().any(wants) {
        found.extend(sysv::collect(&scan, &mut notes).into_iter().filter(|o| wants(o.kind)));
    }
    for raw in posix.iter_mut() {
        posix::judge(raw, &scan);
    }
    found.extend(posix.into_iter().map(|r| r.object).filter(|o| wants(o.kind)));
    found.retain(|o| me.may_see(o));
    let now = now();
    found.retain(|o| filter.matches(o, now));
    found.sort_by(|a, b| (a.kind, a.id, &a.name).cmp(&(b.kind, b.id, &b.name)));
    Ok(Listing { objects: found, notes })
}

/// Seconds since the epoch.
pub(crate) fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_like_the_shell() {
        assert!(glob(b"*", b""));
        assert!(glob(b"/app-*", b"/app-42"));
        assert!(glob(b"a?c", b"abc"));
        assert!(!glob(b"a?c", b"ac"));
        assert!(glob(b"*x*y", b"axxbxy"));
        assert!(!glob(b"*x*y", b"axxbx"));
        assert!(glob(b"0x0000*", b"0x0000abcd"));
    }

    #[test]
    fn kinds_round_trip_through_codes_and_names() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_code(k.code()), Some(k));
            assert_eq!(Kind::from_name(k.name()), Some(k));
        }
        assert_eq!(Kind::from_code(0), None);
    }
}
