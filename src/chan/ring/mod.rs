//! The shared-memory layout of a channel and the ring protocol over it (see
//! the module documentation of [`super`] for the protocol in words).
//!
//! Everything another process can change is an atomic; every size and
//! offset this process uses to index the mapping comes from its own copy of
//! the header, checked once when the channel was opened, so a corrupted or
//! hostile peer can make calls fail but never make this process touch
//! memory outside the mapping.
//!
//! One concern per file:
//!
//! * `layout`: the header, the slots, the geometry checked at open;
//! * `word`: the encoding of a slot's state word;
//! * this file: a mapped ring as one process sees it, and how it classifies
//!   a slot word;
//! * `send`, `recv`: the two sides of the protocol;
//! * `index`: the index hints and their bounds;
//! * `spin`: how long a blocked call spins (learnt per handle);
//! * `wait`: the futex sleep, the wake-up, and a call's waiting state;
//! * `recover`: slots held by dead peers, the sweep, the counters;
//! * `bell`: the doorbells of pollable handles;
//! * `errors`: the protocol's errors and their messages;
//! * `copy`, `fault`: moving message bytes (and preparing a loan's lines
//!   for the caller's writes), and the unit tests' fault injection around
//!   it.

mod bell;
mod copy;
mod errors;
pub(crate) mod fault;
mod index;
mod layout;
mod loan;
mod recover;
mod recv;
mod send;
mod spin;
mod wait;
mod word;

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use super::member::Members;
use crate::error::{Error, Result};
use crate::sys;

use errors::{corrupt, taken_from_us, timed_out, would_block, Indices};
pub use layout::{Geometry, Header};
pub(crate) use layout::{HEADER_SIZE, LAYOUT_VERSION, MAGIC};
use spin::SpinBudget;
pub use wait::{Sleep, Step, Wait};
use word::lap_diff;
#[cfg(test)]
pub(crate) use word::word;
pub use word::{lap_of, member_of, phase_of, Phase};

impl Ring {
    /// Wraps a mapping of at least `geo.total_size` bytes of the channel
    /// file `fd` (named `path`, if it has a name), registering this process
    /// as a member. The value owns `fd` from now on, also on failure.
    ///
    /// # Safety
    /// `base` points to a live, writable, 8-byte aligned mapping of at least
    /// `geo.total_size` bytes that outlives the returned value and is only
    /// ever accessed through this protocol.
    pub unsafe fn attach(base: *mut u8, geo: Geometry, fd: sys::Fd, path: Option<sys::chan::ShmPath>) -> Result<Ring> {
        // SAFETY: the mapping starts with a Header (the caller's contract).
        let counter = unsafe { &(*(base as *const Header)).next_member };
        let members = Members::register(fd, path, counter)?;
        Ok(Ring { base, geo, members, spin: [SpinBudget::new(), SpinBudget::new()], bell: std::sync::OnceLock::new() })
    }

    /// This process's member id (registering it after a fork).
    #[inline]
    fn me(&self) -> Result<u32> {
        self.members.me(&self.header().next_member)
    }

    /// Whether member `id` (as a slot word names it) still runs.
    fn alive(&self, id: u32, me: u32) -> bool {
        self.members.alive(id, me)
    }

    pub fn base(&self) -> *mut u8 {
        self.base
    }

    pub fn geometry(&self) -> Geometry {
        self.geo
    }

    #[inline]
    pub fn header(&self) -> &Header {
        // SAFETY: the mapping starts with a Header (size checked at open)
        // and is 8-byte aligned (page aligned); all of its fields are atomics
        // or padding.
        unsafe { &*(self.base as *const Header) }
    }

    /// Fills in a freshly zeroed header; the magic number is stored last,
    /// with release ordering, so an opener that sees it sees the rest.
    pub fn initialise(&self) {
        let h = self.header();
        h.version.store(LAYOUT_VERSION, Ordering::Relaxed);
        h.header_size.store(HEADER_SIZE as u32, Ordering::Relaxed);
        h.max_msg.store(self.geo.max_msg, Ordering::Relaxed);
        h.capacity.store(self.geo.capacity, Ordering::Relaxed);
        h.stride.store(self.geo.stride, Ordering::Relaxed);
        h.total_size.store(self.geo.total_size, Ordering::Relaxed);
        // Slots start as Empty for lap 0, which is the all-zero word: a new
        // mapping is zero-filled already.
        h.magic.store(MAGIC, Ordering::Release);
    }

    #[inline]
    fn pos(&self, p: u64) -> Pos {
        let (lap, index) = match self.geo.shift {
            Some(shift) => (p >> shift, p & (self.geo.capacity - 1)),
            None => (p / self.geo.capacity, p % self.geo.capacity),
        };
        Pos { head: self.head(index), lap }
    }

    /// The state word's address in slot `index`, which the caller checked
    /// is below the capacity.
    #[inline]
    fn head(&self, index: u64) -> *mut u8 {
        debug_assert!(index < self.geo.capacity);
        // SAFETY: index < capacity, so the slot lies inside the mapping
        // (total_size = HEADER_SIZE + capacity * stride, checked at open),
        // and head_offset + 16 <= stride.
        unsafe { self.base.add(HEADER_SIZE + (index * self.geo.stride + self.geo.head_offset) as usize) }
    }

    #[inline]
    fn state(pos: Pos) -> &'static AtomicU64 {
        // SAFETY: `pos.head` is the slot's state word, 16-byte aligned (the
        // stride and head_offset are multiples of 16 and the slots start
        // 128-byte aligned in a page-aligned mapping); the mapping outlives
        // every use (see `Ring::new`). The 'static is internal: the
        // reference never escapes a method of Ring.
        unsafe { &*(pos.head as *const AtomicU64) }
    }

    #[inline]
    fn len_word(pos: Pos) -> &'static AtomicU32 {
        // SAFETY: the 4 bytes after the state word hold the message length
        // (as `state`).
        unsafe { &*(pos.head.add(8) as *const AtomicU32) }
    }

    #[inline]
    fn data(&self, pos: Pos) -> *mut u8 {
        // SAFETY: the slot starts head_offset bytes before its state word,
        // its message data_offset bytes after its start, and data_offset +
        // max_msg <= stride: the message bytes lie inside the slot.
        unsafe { pos.head.sub(self.geo.head_offset as usize).add(self.geo.data_offset as usize) }
    }

    #[inline]
    fn index(&self, side: Side) -> &AtomicU64 {
        match side {
            Side::Send => &self.header().tail,
            Side::Recv => &self.header().head,
        }
    }

    /// Classifies slot word `w` for a sender at a position of lap `lap`.
    #[inline]
    fn look_send(w: u64, lap: u64) -> Look {
        match (lap_diff(lap_of(w), lap), phase_of(w)) {
            (0, Phase::Empty) => Look::Ready,
            (0, _) => Look::Taken,
            (d, _) if d > 0 => Look::Taken,
            // The previous lap's message is still here.
            (-1, Phase::Full) | (-1, Phase::Writing) => Look::Idle,
            (-1, Phase::Reading) => Look::Held(member_of(w)),
            _ => Look::Inconsistent,
        }
    }

    /// Classifies slot word `w` for a receiver at a position of lap `lap`.
    #[inline]
    fn look_recv(w: u64, lap: u64) -> Look {
        match (lap_diff(lap_of(w), lap), phase_of(w)) {
            (0, Phase::Full) => Look::Ready,
            (0, Phase::Reading) => Look::Taken,
            (0, Phase::Writing) => Look::Held(member_of(w)),
            (0, Phase::Empty) => Look::Idle,
            (d, _) if d > 0 => Look::Taken,
            // The previous lap's receiver is still copying: no sender could
            // publish this position yet.
            (-1, Phase::Reading) => Look::Idle,
            _ => Look::Inconsistent,
        }
    }
}

/// The mapped channel memory. The pointer stays valid while this value
/// lives (the owner unmaps it only on drop, after every borrow ended).
pub struct Ring {
    base: *mut u8,
    geo: Geometry,
    /// This process's membership (liveness lock and id).
    members: Members,
    /// This handle's spin budgets, senders' and receivers' (process-local,
    /// not in the shared mapping).
    spin: [SpinBudget; 2],
    /// This handle's doorbell, once `pollfd` made it.
    bell: std::sync::OnceLock<bell::Bell>,
}

// SAFETY: all shared state behind `base` is accessed through atomics or
// under the slot protocol, which is designed for concurrent use by threads
// and processes.
unsafe impl Send for Ring {}
// SAFETY: as above.
unsafe impl Sync for Ring {}

/// Where a position lives: its slot (named by the address of the slot's
/// state word) and its lap.
#[derive(Clone, Copy)]
struct Pos {
    head: *mut u8,
    lap: u64,
}

/// What a call found when it looked at its slot.
enum Look {
    /// The slot is ours to claim (sender: empty for this lap; receiver: a
    /// complete message).
    Ready,
    /// Someone already took this position: help move the index on.
    Taken,
    /// Nothing to do until a peer acts (receiver: no message; sender: no
    /// free slot).
    Idle,
    /// A peer (member id) is in the middle of copying into or out of the
    /// slot.
    Held(u32),
    /// A state the protocol never produces for this position.
    Inconsistent,
}

/// A peer holding the slot a call waits for.
#[derive(Clone, Copy)]
struct Holder {
    id: u32,
    /// The caller's own member id (a slot held by this process is never
    /// dead).
    me: u32,
    /// The position the holder claimed.
    position: u64,
}

/// Which side of the channel a call is on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Send,
    Recv,
}

#[cfg(test)]
impl Ring {
    /// This process's member id (tests compare it with slot words).
    pub(crate) fn member_id(&self) -> u32 {
        self.me().unwrap()
    }

    /// Whether member `id` counts as alive for this process.
    pub(crate) fn member_alive(&self, id: u32) -> bool {
        self.alive(id, self.me().unwrap())
    }

    /// The state word of position `p`'s slot (tests inspect it).
    pub(crate) fn slot_word(&self, p: u64) -> u64 {
        Self::state(self.pos(p)).load(Ordering::Acquire)
    }

    /// Overwrites the state word and the length word of slot `index`, as a
    /// hostile or broken peer could (tests of corrupted shared memory).
    pub(crate) fn scribble_slot(&self, index: u64, state: u64, len: u32) {
        let pos = self.pos(index % self.geo.capacity);
        Self::state(pos).store(state, Ordering::SeqCst);
        Self::len_word(pos).store(len, Ordering::SeqCst);
    }

    /// Whether some process announced it may sleep on `side`'s wait word.
    pub(crate) fn has_sleepers(&self, recv_side: bool) -> bool {
        let side = if recv_side { Side::Recv } else { Side::Send };
        self.wait_word(side).sleepers.load(Ordering::Acquire) != 0
    }
}
