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

// The handle's concerns, each an `impl Bcast` of its own: making handles,
// mapping an existing channel, publishing, receiving, counters, waiting.
mod attach;
mod open;
mod publish;
mod receive;
mod stats;
mod wait;
use open::*;
pub use stats::SubStats;
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
/// A bit of the header's `publisher` word: the publisher closed its handle.
const PUBLISHER_GONE: u64 = 1 << 63;
/// How long a waiter sleeps at most before it looks again (and checks that
/// the peers it waits for live: a blocked publisher its subscribers, a
/// subscriber the publisher).
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

impl Bcast {
    /// Whether this handle publishes.
    pub fn is_publisher(&self) -> bool {
        matches!(self.role, Role::Publisher { .. })
    }

    /// The channel's policy.
    pub fn policy(&self) -> Policy {
        self.policy
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
}
