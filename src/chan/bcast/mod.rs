//! Broadcast (publish–subscribe) channels: every message one publisher
//! sends is received by every subscriber attached at that time.
//!
//! A broadcast channel is a separate ring kind in the channel file family:
//! the same shared memory object, reserved with `fallocate(2)` and checked
//! at open, the same first header fields (magic number, version, geometry,
//! member-id counter) and the same kernel-held liveness (see `member`), but
//! the `KIND_BROADCAST` bit set in the version word and a version of its
//! own (`BCAST_VERSION`), so a point-to-point open of a broadcast channel
//! (and the reverse) fails with a message saying which kind it is.
//!
//! # Layout
//!
//! The header holds the geometry, the policy, the publisher's member id,
//! the count of messages `published`, two wait words (`data`: subscribers
//! wait for a message; `space`: a blocked publisher waits for the slowest
//! live subscriber) and a table of [`SUBSCRIBERS`] subscriber entries, each
//! on its own cache lines: `word` (the subscriber's member id; 0 when
//! free; with `JOINING` while it attaches), `cursor` (the sequence
//! number of the next message it takes), and its `received` and `lost`
//! counters. The `capacity` slots follow: an 8-byte stamp, a 4-byte length,
//! the message bytes.
//!
//! # Protocol (a seqlock per slot)
//!
//! Message `s` goes to slot `s % capacity`. The publisher stores the
//! stamp `writing(s)`, a release fence, the bytes and the length, then the
//! stamp `done(s)` (release), then `published = s + 1`. A subscriber at
//! cursor `c` loads the stamp (acquire): `done(c)` means copy the bytes
//! out, fence (acquire), load the stamp again: unchanged, the copy is the
//! message; changed, the publisher overwrote the slot meanwhile (a lapped
//! subscriber, policy [`Policy::DropOldest`]). A stamp of a later message
//! means the subscriber was lapped: it moves its cursor to the oldest
//! message that may still be intact (`published - capacity`) and counts
//! the messages it skipped in its `lost`. A stamp of an earlier message (or
//! `writing(c)`) means message `c` is not published yet: it waits. The
//! publisher never waits for a subscriber under [`Policy::DropOldest`].
//!
//! Under [`Policy::BlockPublisher`], before it writes message `s` the
//! publisher waits until every live subscriber's cursor is at least
//! `s + 1 - capacity` (the slot's previous message has been taken by all).
//! It remembers the smallest cursor it saw, so it scans the table only once
//! per lap or so. A subscriber that lags checks whether its holder lives
//! (`F_OFD_GETLK` on its member id's byte, the kernel's word); a dead
//! subscriber's entry is freed and stops counting. A subscriber moves its
//! cursor only after its copy, so under this policy no message is lost.
//!
//! # Joining and leaving
//!
//! A subscriber claims a free entry (compare-exchange `0 -> JOINING|id`),
//! sets its cursor to `published`, makes the entry live (`id`, SeqCst) and
//! sets its cursor to `published` again: the publisher skips joining
//! entries, and every publication whose check comes after the entry went
//! live sees it, so the subscriber receives every message from the second
//! load on. Closing the handle frees the entry; a subscriber killed at any
//! instant holds no slot (it only reads) and its entry is freed by the
//! blocked publisher or by the next subscribe that finds the table full.
//!
//! # Limits
//!
//! One publisher: the handle `create` returns, used by one thread at a
//! time, in the creating process (a forked child gets `EPERM`). At most
//! [`SUBSCRIBERS`] subscribers at once. Broadcast handles have no loans,
//! borrows or poll descriptors.
//!
//! # Cancellation
//!
//! A send or receive that has to sleep is a thread-cancellation point
//! there, as a point-to-point one: its attempts ([`Bcast::send_step`],
//! [`Bcast::recv_step`]) run under the FFI guard and the sleeps between
//! them outside it (see `wait`); a cancelled call holds nothing.

use std::ffi::CStr;
use std::os::fd::AsRawFd;
use std::sync::atomic::{fence, AtomicBool, AtomicU32, AtomicU64, Ordering};

use super::member::Members;
use crate::error::{Error, Result};
use crate::sys;

mod open;
mod wait;
use open::*;
use wait::*;
pub(crate) use wait::{Sleep, Step, Wait};

/// The version word's bit that marks a broadcast channel.
pub(crate) const KIND_BROADCAST: u32 = 1 << 31;
/// The version word of broadcast channels of this layout.
pub(crate) const BCAST_VERSION: u32 = KIND_BROADCAST | 1;
/// Most subscribers attached at once.
pub const SUBSCRIBERS: usize = 64;
/// An entry's `word` while its subscriber attaches (with its id).
const JOINING: u64 = 1 << 32;
const GAP: usize = 128;
/// Bytes before the message in a slot (stamp, length, padding).
const SLOT_HEADER: u64 = 16;
/// Largest message and capacity (as point-to-point channels).
const MAX_MSG_LIMIT: u64 = i32::MAX as u64;
const CAPACITY_LIMIT: u64 = 1 << 32;
/// How long a waiter sleeps at most before it looks again (and, for a
/// blocked publisher, checks that the subscribers it waits for live).
const RECHECK_MS: u64 = 50;
/// Turns of a spin before sleeping.
const SPINS: u32 = 2000;
/// Turns of a spin between two `sched_yield`s.
const YIELD_EVERY: u32 = 50;

/// What happens when a subscriber falls a whole ring behind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// The publisher waits until every live subscriber has taken the slot
    /// it needs: nothing is lost.
    BlockPublisher = 1,
    /// The publisher overwrites the oldest message; a subscriber that had
    /// not taken it counts it as lost.
    DropOldest = 2,
}

/// A wait word: a futex epoch and a "someone may sleep" flag.
#[repr(C)]
struct WaitWord {
    epoch: AtomicU32,
    sleepers: AtomicU32,
}

/// One subscriber's entry.
#[repr(C)]
struct SubEntry {
    word: AtomicU64,
    cursor: AtomicU64,
    received: AtomicU64,
    lost: AtomicU64,
    _pad: [u8; GAP - 32],
}

/// The header of a broadcast channel. Its first fields are those of the
/// point-to-point header (`ring::Header`), so either kind is recognised.
#[repr(C)]
struct BHeader {
    magic: AtomicU64,
    version: AtomicU32,
    header_size: AtomicU32,
    max_msg: AtomicU64,
    capacity: AtomicU64,
    stride: AtomicU64,
    total_size: AtomicU64,
    next_member: AtomicU64,
    policy: AtomicU32,
    _r: AtomicU32,
    publisher: AtomicU64,
    _pad0: [u8; GAP - 72],
    published: AtomicU64,
    _pad1: [u8; GAP - 8],
    data: WaitWord,
    _pad2: [u8; GAP - 8],
    space: WaitWord,
    _pad3: [u8; GAP - 8],
    subs: [SubEntry; SUBSCRIBERS],
}

const HEADER_SIZE: usize = std::mem::size_of::<BHeader>();
const _: () = assert!(HEADER_SIZE % GAP == 0);

fn stride_for(max_msg: u64) -> u64 {
    (SLOT_HEADER + max_msg).div_ceil(64) * 64
}

#[inline]
fn done(s: u64) -> u64 {
    (s + 1) << 1
}

#[inline]
fn writing(s: u64) -> u64 {
    done(s) | 1
}

/// Checked geometry of a broadcast channel.
#[derive(Clone, Copy, Debug)]
struct Geo {
    max_msg: u64,
    capacity: u64,
    stride: u64,
    total_size: u64,
}

impl Geo {
    fn new(max_msg: u64, capacity: u64) -> Result<Geo> {
        if max_msg == 0 || max_msg > MAX_MSG_LIMIT {
            return Err(err!(libc::EINVAL, "max_msg must be 1..={}, not {}", MAX_MSG_LIMIT, max_msg));
        }
        if capacity == 0 || capacity > CAPACITY_LIMIT {
            return Err(err!(libc::EINVAL, "capacity must be 1..={}, not {}", CAPACITY_LIMIT, capacity));
        }
        let stride = stride_for(max_msg);
        let total_size = stride
            .checked_mul(capacity)
            .and_then(|n| n.checked_add(HEADER_SIZE as u64))
            .filter(|&n| n <= isize::MAX as u64)
            .ok_or_else(|| {
                err!(libc::ENOMEM, "{} slots of {} bytes do not fit in the address space", capacity, max_msg)
            })?;
        Ok(Geo { max_msg, capacity, stride, total_size })
    }
}

/// What a handle on a broadcast channel is.
enum Role {
    /// The one publisher.
    Publisher {
        /// A lower bound of every live subscriber's cursor, seen at the
        /// last scan (policy `BlockPublisher`).
        min_cursor: AtomicU64,
    },
    /// A subscriber holding entry `entry` under member id `id`.
    Subscriber { entry: usize, id: u32 },
}

/// A handle on a broadcast channel: its publisher or one subscriber.
pub struct Bcast {
    base: *mut u8,
    map_len: usize,
    geo: Geo,
    policy: Policy,
    members: Members,
    role: Role,
    /// Set while a thread of this process uses the handle.
    busy: AtomicBool,
}

// SAFETY: the shared state behind `base` is accessed through atomics and
// the seqlock protocol; `busy` keeps one thread at a time on a handle.
unsafe impl Send for Bcast {}
// SAFETY: as above.
unsafe impl Sync for Bcast {}

/// A subscriber's counters, filled by `rsipc_chan_subscriber_stats()`.
///
/// In C this type is `struct rsipc_chan_sub_stats`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SubStats {
    /// Messages the publisher sent since the channel was created.
    pub published: u64,
    /// Messages this subscriber received (0 for the publisher's handle).
    pub received: u64,
    /// Messages this subscriber lost: overwritten (policy
    /// `RSIPC_CHAN_DROP_OLDEST`) before it took them.
    pub lost: u64,
    /// Messages published that this subscriber has neither taken nor
    /// counted as lost yet: `published` less its position. Beyond
    /// `capacity`, the excess will count as lost at its next receive.
    pub pending: u64,
    /// Subscribers attached now (entries in use, dead ones not yet
    /// noticed included).
    pub subscribers: u64,
    /// Most messages the channel holds.
    pub capacity: u64,
    /// Largest message in bytes.
    pub max_msg: u64,
}

impl Bcast {
    /// Creates the broadcast channel `name` (`/name`, exclusively, with
    /// permissions `mode` less the umask) and returns its publisher handle.
    ///
    /// Errors: as `Chan::create`.
    // unsafe: maps the channel's shared memory.
    #[allow(unsafe_code)]
    pub fn create(name: &CStr, max_msg: usize, capacity: usize, mode: libc::mode_t, policy: Policy) -> Result<Bcast> {
        let geo = Geo::new(max_msg as u64, capacity as u64)?;
        let len = geo.total_size as usize;
        let path = sys::chan::shm_path(name)?;
        let fd = sys::chan::open_shm(&path, Some(mode)).map_err(|e| {
            super::explain_open(e).explain(libc::EEXIST, "a channel or shared memory object of this name exists")
        })?;
        let made = sys::fs::reserve(fd.as_raw_fd(), geo.total_size, true)
            .map_err(super::explain_reserve)
            .and_then(|()| sys::chan::map_shared(&fd, len).map_err(super::explain_map));
        let base = match made {
            Ok(base) => base,
            Err(e) => {
                drop(fd);
                let _ = sys::chan::unlink(&path);
                return Err(e);
            }
        };
        // SAFETY: the mapping starts with a zeroed header.
        let counter = unsafe { &(*(base as *const BHeader)).next_member };
        let members = match Members::register(fd, Some(path.clone()), counter) {
            Ok(m) => m,
            Err(e) => {
                // SAFETY: our own mapping, no reference to it survives.
                let _ = unsafe { sys::chan::unmap(base, len) };
                let _ = sys::chan::unlink(&path);
                return Err(e);
            }
        };
        let b = Bcast {
            base,
            map_len: len,
            geo,
            policy,
            members,
            role: Role::Publisher { min_cursor: AtomicU64::new(0) },
            busy: AtomicBool::new(false),
        };
        let me = b.me()?;
        let h = b.header();
        h.version.store(BCAST_VERSION, Ordering::Relaxed);
        h.header_size.store(HEADER_SIZE as u32, Ordering::Relaxed);
        h.max_msg.store(geo.max_msg, Ordering::Relaxed);
        h.capacity.store(geo.capacity, Ordering::Relaxed);
        h.stride.store(geo.stride, Ordering::Relaxed);
        h.total_size.store(geo.total_size, Ordering::Relaxed);
        h.policy.store(policy as u32, Ordering::Relaxed);
        h.publisher.store(u64::from(me), Ordering::Relaxed);
        h.magic.store(super::MAGIC, Ordering::Release);
        Ok(b)
    }

    /// Attaches a new subscriber to the broadcast channel `name`: it
    /// receives every message published after this call returns.
    ///
    /// Errors: `ENOENT`; `EINVAL` if the object is not a broadcast channel;
    /// `EBUSY` if [`SUBSCRIBERS`] live subscribers are attached; `EACCES`.
    // unsafe: maps the channel's shared memory.
    #[allow(unsafe_code)]
    pub fn subscribe(name: &CStr) -> Result<Bcast> {
        let path = sys::chan::shm_path(name)?;
        let fd = sys::chan::open_shm(&path, None)
            .map_err(|e| super::explain_open(e).explain(libc::ENOENT, "no channel of this name exists"))?;
        let (base, map_len, geo, policy) = map_existing(&fd)?;
        // SAFETY: the mapping starts with a checked header.
        let counter = unsafe { &(*(base as *const BHeader)).next_member };
        let members = match Members::register(fd, Some(path), counter) {
            Ok(m) => m,
            Err(e) => {
                // SAFETY: our own mapping, no reference to it survives.
                let _ = unsafe { sys::chan::unmap(base, map_len) };
                return Err(e);
            }
        };
        let mut b = Bcast {
            base,
            map_len,
            geo,
            policy,
            members,
            role: Role::Publisher { min_cursor: AtomicU64::new(0) },
            busy: AtomicBool::new(false),
        };
        // Until it holds an entry, the handle is made as a publisher's that
        // is not the publisher (dropping it frees nothing).
        let id = b.me()?;
        let entry = b.join(id)?;
        b.role = Role::Subscriber { entry, id };
        Ok(b)
    }

    fn join(&self, id: u32) -> Result<usize> {
        let h = self.header();
        for round in 0..2 {
            for (i, e) in h.subs.iter().enumerate() {
                if e.word.load(Ordering::Relaxed) != 0 {
                    continue;
                }
                if e.word.compare_exchange(0, JOINING | u64::from(id), Ordering::SeqCst, Ordering::Relaxed).is_ok() {
                    e.received.store(0, Ordering::Relaxed);
                    e.lost.store(0, Ordering::Relaxed);
                    e.cursor.store(h.published.load(Ordering::SeqCst), Ordering::SeqCst);
                    e.word.store(u64::from(id), Ordering::SeqCst);
                    e.cursor.store(h.published.load(Ordering::SeqCst), Ordering::SeqCst);
                    return Ok(i);
                }
            }
            if round == 0 {
                self.sweep(id);
            }
        }
        Err(err!(libc::EBUSY, "the channel has {} live subscribers, its most", SUBSCRIBERS))
    }

    /// Frees the entries of dead subscribers.
    fn sweep(&self, me: u32) {
        for e in &self.header().subs {
            let w = e.word.load(Ordering::SeqCst);
            if w != 0 && !self.members.alive(w as u32, me) {
                let _ = e.word.compare_exchange(w, 0, Ordering::SeqCst, Ordering::Relaxed);
            }
        }
    }

    fn me(&self) -> Result<u32> {
        self.members.me(&self.header().next_member)
    }

    #[inline]
    fn header(&self) -> &BHeader {
        // SAFETY: the mapping starts with a BHeader (size checked at open),
        // page aligned; all its fields are atomics or padding.
        unsafe { &*(self.base as *const BHeader) }
    }

    /// Stamp, length word and message bytes of slot `s % capacity`.
    #[inline]
    fn slot(&self, s: u64) -> (&AtomicU64, &AtomicU32, *mut u8) {
        let index = s % self.geo.capacity;
        // SAFETY: index < capacity: the slot lies inside the mapping
        // (total_size = HEADER_SIZE + capacity * stride, checked at open);
        // its first 12 bytes are the stamp and the length, 8-byte aligned.
        unsafe {
            let p = self.base.add(HEADER_SIZE + (index * self.geo.stride) as usize);
            (&*(p as *const AtomicU64), &*(p.add(8) as *const AtomicU32), p.add(SLOT_HEADER as usize))
        }
    }

    /// Whether this handle publishes.
    pub fn is_publisher(&self) -> bool {
        matches!(self.role, Role::Publisher { .. })
    }

    /// Publishes `msg` to every subscriber attached now. Under
    /// [`Policy::BlockPublisher`] waits (`timeout_ms` as `Chan::send`) while
    /// a live subscriber has not yet taken the slot's previous message.
    /// Its sleeps are not cancellation points (the C function's are: it
    /// makes its attempts with [`Bcast::send_step`]).
    ///
    /// Errors: `EPERM` on a subscriber's handle or in another process than
    /// the publisher's; `EMSGSIZE`; `EBUSY` if another thread uses the
    /// handle; `EAGAIN`, `ETIMEDOUT`, `EINTR`.
    pub fn send(&self, msg: &[u8], timeout_ms: i32) -> Result<()> {
        drive(timeout_ms, |wait| self.send_step(msg, wait))
    }

    /// One attempt of [`Bcast::send`]: the caller keeps `wait` (made by
    /// `Wait::new(timeout_ms)`) across the attempts of one send and sleeps
    /// when asked to, so the sleep can happen outside any `catch_unwind`.
    pub fn send_step<'a>(&'a self, msg: &[u8], wait: &mut Wait<'a>) -> Result<Step<'a, ()>> {
        let Role::Publisher { min_cursor } = &self.role else {
            return Err(Error::new(libc::EPERM, "a subscriber's handle cannot send: only the publisher's can"));
        };
        let h = self.header();
        wait.attempt(&self.busy, || {
            if msg.len() as u64 > self.geo.max_msg {
                return Err(super::too_big(msg.len(), self.geo.max_msg));
            }
            if u64::from(self.me()?) != h.publisher.load(Ordering::Relaxed) {
                return Err(Error::new(
                    libc::EPERM,
                    "a broadcast channel has one publisher: the process that created it (not a child forked from it)",
                ));
            }
            Ok(())
        })?;
        let s = h.published.load(Ordering::Relaxed);
        if self.policy == Policy::BlockPublisher && s >= self.geo.capacity {
            let need = s + 1 - self.geo.capacity;
            if min_cursor.load(Ordering::Relaxed) < need {
                match self.wait_room(need, wait)? {
                    Step::Done(min) => min_cursor.store(min, Ordering::Relaxed),
                    Step::Sleep(sleep) => return Ok(Step::Sleep(sleep)),
                }
            }
        }
        let (stamp, len, data) = self.slot(s);
        stamp.store(writing(s), Ordering::Relaxed);
        fence(Ordering::Release);
        // SAFETY: `data` has room for max_msg >= msg.len() bytes inside the
        // slot; subscribers only read it and re-check the stamp afterwards.
        unsafe { std::ptr::copy_nonoverlapping(msg.as_ptr(), data, msg.len()) };
        len.store(msg.len() as u32, Ordering::Relaxed);
        stamp.store(done(s), Ordering::Release);
        h.published.store(s + 1, Ordering::SeqCst);
        wake(&h.data);
        Ok(Step::Done(()))
    }

    /// The smallest cursor of the live subscribers (`u64::MAX` without
    /// any), and whether one below `need` is alive.
    fn scan(&self, need: u64, me: u32, check: bool) -> u64 {
        let mut min = u64::MAX;
        for e in &self.header().subs {
            let w = e.word.load(Ordering::SeqCst);
            if w == 0 || w & JOINING != 0 {
                continue;
            }
            let c = e.cursor.load(Ordering::SeqCst);
            if c < need && check && !self.members.alive(w as u32, me) {
                // A dead subscriber stops counting.
                let _ = e.word.compare_exchange(w, 0, Ordering::SeqCst, Ordering::Relaxed);
                continue;
            }
            min = min.min(c);
        }
        min
    }

    /// Waits until every live subscriber's cursor is at least `need`: the
    /// smallest cursor seen, or the sleep to take before looking again.
    fn wait_room<'a>(&'a self, need: u64, wait: &mut Wait<'a>) -> Result<Step<'a, u64>> {
        let me = self.me()?;
        let h = self.header();
        loop {
            let min = self.scan(need, me, wait.spun());
            if min >= need {
                return Ok(Step::Done(min));
            }
            if wait.spin() {
                continue;
            }
            wait.slice("a subscriber has not yet taken the oldest message (policy RSIPC_CHAN_BLOCK_PUBLISHER)")?;
            let e = h.space.epoch.load(Ordering::SeqCst);
            h.space.sleepers.store(1, Ordering::SeqCst);
            if self.scan(need, me, false) >= need {
                continue;
            }
            return Ok(wait.sleep(&h.space, e));
        }
    }

    /// Takes this subscriber's next message into `buf`; returns its length.
    /// Waits (`timeout_ms` as `Chan::recv`) while there is none. Its sleeps
    /// are not cancellation points (the C function's are: it makes its
    /// attempts with [`Bcast::recv_step`]).
    ///
    /// Errors: `EPERM` on the publisher's handle; `EBUSY` if another
    /// thread uses the handle, or in a process forked from the
    /// subscriber's; `EMSGSIZE` if the message is longer than `buf` (it
    /// stays next); `EAGAIN`, `ETIMEDOUT`, `EINTR`.
    pub fn recv(&self, buf: &mut [u8], timeout_ms: i32) -> Result<usize> {
        drive(timeout_ms, |wait| self.recv_step(buf, wait))
    }

    /// One attempt of [`Bcast::recv`], as [`Bcast::send_step`].
    pub fn recv_step<'a>(&'a self, buf: &mut [u8], wait: &mut Wait<'a>) -> Result<Step<'a, usize>> {
        let &Role::Subscriber { entry, id } = &self.role else {
            return Err(Error::new(libc::EPERM, "the publisher's handle cannot receive: subscribe to receive"));
        };
        wait.attempt(&self.busy, || {
            if self.me()? != id {
                return Err(Error::new(
                    libc::EBUSY,
                    "a subscription belongs to the process that subscribed (this one was forked from it): subscribe again",
                ));
            }
            Ok(())
        })?;
        let h = self.header();
        let e = &h.subs[entry];
        loop {
            let c = e.cursor.load(Ordering::Relaxed);
            let (stamp, len_word, data) = self.slot(c);
            let st = stamp.load(Ordering::Acquire);
            if st == done(c) {
                let len = (len_word.load(Ordering::Relaxed) as u64).min(self.geo.max_msg) as usize;
                let n = len.min(buf.len());
                // SAFETY: `data` holds max_msg >= n bytes inside the slot;
                // the copy is used only if the stamp is unchanged after it.
                unsafe { std::ptr::copy_nonoverlapping(data, buf.as_mut_ptr(), n) };
                fence(Ordering::Acquire);
                if stamp.load(Ordering::Relaxed) != st {
                    continue; // overwritten meanwhile: lapped, seen next turn
                }
                if len > buf.len() {
                    return Err(err!(libc::EMSGSIZE, "the message has {} bytes; the buffer holds {}", len, buf.len()));
                }
                e.received.fetch_add(1, Ordering::Relaxed);
                self.advance(e, c + 1);
                return Ok(Step::Done(len));
            }
            if st > writing(c) {
                // Lapped: the slot holds a later message.
                let p = h.published.load(Ordering::Acquire);
                // The oldest message that may still be intact; if the
                // publisher overwrites it meanwhile, its stamp says so.
                let next = (c + 1).max(p.saturating_sub(self.geo.capacity));
                e.lost.fetch_add(next - c, Ordering::Relaxed);
                self.advance(e, next);
                continue;
            }
            // Message c is not published yet.
            if wait.spin() {
                continue;
            }
            wait.slice("no message has been published")?;
            let ep = h.data.epoch.load(Ordering::SeqCst);
            h.data.sleepers.store(1, Ordering::SeqCst);
            if h.published.load(Ordering::SeqCst) > c {
                continue;
            }
            return Ok(wait.sleep(&h.data, ep));
        }
    }

    fn advance(&self, e: &SubEntry, to: u64) {
        if self.policy == Policy::BlockPublisher {
            e.cursor.store(to, Ordering::SeqCst);
            wake(&self.header().space);
        } else {
            e.cursor.store(to, Ordering::Release);
        }
    }

    /// This handle's counters (see [`SubStats`]).
    pub fn stats(&self) -> SubStats {
        let h = self.header();
        let published = h.published.load(Ordering::Acquire);
        let subscribers = h.subs.iter().filter(|e| e.word.load(Ordering::Relaxed) != 0).count() as u64;
        let mut s = SubStats {
            published,
            subscribers,
            capacity: self.geo.capacity,
            max_msg: self.geo.max_msg,
            ..SubStats::default()
        };
        if let Role::Subscriber { entry, .. } = self.role {
            let e = &h.subs[entry];
            s.received = e.received.load(Ordering::Relaxed);
            s.lost = e.lost.load(Ordering::Relaxed);
            s.pending = published.saturating_sub(e.cursor.load(Ordering::Relaxed));
        }
        s
    }

    /// The channel's policy.
    pub fn policy(&self) -> Policy {
        self.policy
    }
}

impl Drop for Bcast {
    // unsafe: unmaps the shared memory.
    #[allow(unsafe_code)]
    fn drop(&mut self) {
        if let Role::Subscriber { entry, id } = self.role {
            if self.me().ok() == Some(id) {
                let h = self.header();
                let _ = h.subs[entry].word.compare_exchange(u64::from(id), 0, Ordering::SeqCst, Ordering::Relaxed);
                wake(&h.space);
            }
        }
        // SAFETY: our own mapping; `self` is going away.
        let _ = unsafe { sys::chan::unmap(self.base, self.map_len) };
    }
}
