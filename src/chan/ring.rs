//! The shared-memory layout of a channel and the ring protocol over it (see
//! the module documentation of [`super`] for the protocol in words).
//!
//! Everything another process can change is an atomic; every size and
//! offset this process uses to index the mapping comes from its own copy of
//! the header, checked once when the channel was opened, so a corrupted or
//! hostile peer can make calls fail but never make this process touch
//! memory outside the mapping.

use std::sync::atomic::{fence, AtomicU32, AtomicU64, Ordering};

use super::member::Members;
use crate::error::{Error, Result};
use crate::sys;

// ---------------------------------------------------------------------------
// Layout.

/// "RSIPCHAN" — first word of every channel object.
pub(crate) const MAGIC: u64 = u64::from_le_bytes(*b"RSIPCHAN");
/// Bumped whenever the layout or the protocol changes.
pub(crate) const LAYOUT_VERSION: u32 = 3;
/// Cache line size used to keep producer-side and consumer-side words apart
/// (two lines, so the adjacent-line prefetcher does not pair them either).
const LINE: usize = 64;
const GAP: usize = 2 * LINE;
/// Bytes in front of each message in its slot: the state word and the
/// length. In channels for messages below [`ALIGNED_MSG`] bytes the message
/// follows them at once (the line the peers poll also carries the start of
/// the message); in channels for larger ones it starts on the slot's second
/// cache line, so the copies move whole, aligned lines and the polled line
/// holds no message bytes. Measured on the 2-vCPU benchmark machine (a C
/// model of this protocol, one producer and one consumer): with 64-byte
/// messages the first is a third faster, with 4 KiB ones the second a fifth.
pub(crate) const SLOT_HEADER: usize = 16;
/// `max_msg` from which a channel's messages start on a line of their own.
const ALIGNED_MSG: u64 = 256;
/// Largest message size a channel accepts (lengths are stored in 32 bits and
/// returned as `ssize_t`).
pub(crate) const MAX_MSG_LIMIT: u64 = i32::MAX as u64;
/// Largest capacity (keeps lap numbers far from their 40-bit wrap).
pub(crate) const CAPACITY_LIMIT: u64 = 1 << 32;

/// Word that waiters sleep on (futex) and the flag they raise before
/// sleeping; one pair per direction.
#[repr(C)]
pub struct WaitWord {
    /// Bumped by every wake-up; the futex word.
    pub epoch: AtomicU32,
    /// Non-zero while some process may sleep on `epoch`.
    pub sleepers: AtomicU32,
}

/// The header at offset 0 of the mapping. Lines are kept apart so that
/// producers (tail), consumers (head) and the rarely written words do not
/// share cache lines.
#[repr(C)]
pub struct Header {
    pub magic: AtomicU64,
    pub version: AtomicU32,
    pub header_size: AtomicU32,
    pub max_msg: AtomicU64,
    pub capacity: AtomicU64,
    pub stride: AtomicU64,
    pub total_size: AtomicU64,
    /// Hands out member ids (see `super::member`).
    pub next_member: AtomicU64,
    _pad0: [u8; GAP - 56],
    /// Producer position hint: every position below it has been claimed by a
    /// sender.
    pub tail: AtomicU64,
    _pad1: [u8; GAP - 8],
    /// Consumer position hint: every position below it has been claimed by a
    /// receiver (or skipped).
    pub head: AtomicU64,
    _pad2: [u8; GAP - 8],
    /// Receivers wait here for a message to be published.
    pub not_empty: WaitWord,
    _pad3: [u8; GAP - 8],
    /// Senders wait here for a slot to be released.
    pub not_full: WaitWord,
    _pad4: [u8; GAP - 8],
    /// Messages lost to dead peers.
    pub lost: AtomicU64,
    _pad5: [u8; GAP - 8],
}

pub(crate) const HEADER_SIZE: usize = std::mem::size_of::<Header>();
const _: () = assert!(HEADER_SIZE % GAP == 0);
const _: () = assert!(std::mem::align_of::<Header>() <= 8);

/// Offset of the message bytes in a slot for messages of up to `max_msg`
/// bytes (see [`SLOT_HEADER`]).
pub fn data_offset_for(max_msg: u64) -> u64 {
    if max_msg < ALIGNED_MSG {
        SLOT_HEADER as u64
    } else {
        LINE as u64
    }
}

/// Bytes per slot for messages of up to `max_msg` bytes: header plus
/// message, rounded up to whole cache lines.
pub fn stride_for(max_msg: u64) -> u64 {
    (data_offset_for(max_msg) + max_msg).div_ceil(LINE as u64) * LINE as u64
}

/// Total mapping size, or `None` on overflow.
pub fn total_size_for(max_msg: u64, capacity: u64) -> Option<u64> {
    stride_for(max_msg).checked_mul(capacity)?.checked_add(HEADER_SIZE as u64).filter(|&n| n <= isize::MAX as u64)
}

// ---------------------------------------------------------------------------
// Slot state words: [ lap: 40 | phase: 2 | member: 22 ].

const MEMBER_BITS: u32 = 22;
const MEMBER_MASK: u64 = (1 << MEMBER_BITS) - 1;
const PHASE_SHIFT: u32 = MEMBER_BITS;
const LAP_SHIFT: u32 = MEMBER_BITS + 2;
const LAP_BITS: u32 = 64 - LAP_SHIFT;
const LAP_MASK: u64 = (1 << LAP_BITS) - 1;
const _: () = assert!(super::member::ID_MAX as u64 == MEMBER_MASK);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Ready for the sender of this lap's position.
    Empty = 0,
    /// A sender (member id) is copying its message in.
    Writing = 1,
    /// A complete message waits for a receiver.
    Full = 2,
    /// A receiver (member id) is copying the message out.
    Reading = 3,
}

#[inline]
pub fn word(lap: u64, phase: Phase, member: u32) -> u64 {
    ((lap & LAP_MASK) << LAP_SHIFT) | ((phase as u64) << PHASE_SHIFT) | (member as u64 & MEMBER_MASK)
}

#[inline]
pub fn lap_of(w: u64) -> u64 {
    w >> LAP_SHIFT
}

#[inline]
pub fn phase_of(w: u64) -> Phase {
    match (w >> PHASE_SHIFT) & 3 {
        0 => Phase::Empty,
        1 => Phase::Writing,
        2 => Phase::Full,
        _ => Phase::Reading,
    }
}

#[inline]
pub fn member_of(w: u64) -> u32 {
    (w & MEMBER_MASK) as u32
}

/// `a - b` for laps modulo 2^40, as a signed number.
#[inline]
fn lap_diff(a: u64, b: u64) -> i64 {
    let d = a.wrapping_sub(b) & LAP_MASK;
    if d >= 1 << (LAP_BITS - 1) {
        d as i64 - (1i64 << LAP_BITS)
    } else {
        d as i64
    }
}

// ---------------------------------------------------------------------------
// A mapped ring, as seen by one process.

/// The geometry this process checked when it mapped the channel.
#[derive(Clone, Copy, Debug)]
pub struct Geometry {
    pub max_msg: u64,
    pub capacity: u64,
    pub stride: u64,
    pub total_size: u64,
    /// Where the message bytes start in a slot.
    data_offset: u64,
    /// log2(capacity) when it is a power of two: positions then split into
    /// (lap, slot) with a shift and a mask instead of a division.
    shift: Option<u32>,
}

impl Geometry {
    pub fn new(max_msg: u64, capacity: u64) -> Result<Geometry> {
        if max_msg == 0 || max_msg > MAX_MSG_LIMIT {
            return Err(Error::new(libc::EINVAL, reason!("max_msg must be 1..={}, not {}", MAX_MSG_LIMIT, max_msg)));
        }
        if capacity == 0 || capacity > CAPACITY_LIMIT {
            return Err(Error::new(libc::EINVAL, reason!("capacity must be 1..={}, not {}", CAPACITY_LIMIT, capacity)));
        }
        let total_size = total_size_for(max_msg, capacity).ok_or_else(|| {
            Error::new(libc::ENOMEM, reason!("{} slots of {} bytes do not fit in the address space", capacity, max_msg))
        })?;
        let shift = capacity.is_power_of_two().then(|| capacity.trailing_zeros());
        Ok(Geometry {
            max_msg,
            capacity,
            stride: stride_for(max_msg),
            total_size,
            data_offset: data_offset_for(max_msg),
            shift,
        })
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
}

/// How long this handle's blocked calls on one side spin before they sleep,
/// learnt from what spinning achieved lately.
///
/// Spinning pays when the peer answers within the spin, as in a ping-pong
/// or a stream between busy processes. When the peer answers later, the
/// spin is pure loss, and a larger one than its CPU time: a process that
/// spun before it slept can wake up later (on the virtual machine rsipc is
/// benchmarked on, by about twice the spin; most likely the host scheduler
/// charging the vCPU for its busy time). So the budget halves at every wait
/// that ended up sleeping, down to [`SPIN_MIN`], and grows back (doubling,
/// or four times the spins the wait needed) at every wait a spin ended. A
/// budget at its minimum could never see a spin succeed, so one wait in
/// [`SPIN_PROBE_EVERY`] spins the full [`SPIN_MAX`]. Relaxed atomics:
/// threads sharing the handle may race on the budget, which only affects
/// how long they spin.
struct SpinBudget {
    limit: AtomicU32,
    waits: AtomicU32,
}

impl SpinBudget {
    fn new() -> SpinBudget {
        SpinBudget { limit: AtomicU32::new(SPIN_MAX), waits: AtomicU32::new(0) }
    }

    /// The spins a call may make, fixed when it first has to wait (>= 1).
    fn for_wait(&self) -> u32 {
        let n = self.waits.load(Ordering::Relaxed).wrapping_add(1);
        self.waits.store(n, Ordering::Relaxed);
        if n % SPIN_PROBE_EVERY == 0 {
            SPIN_MAX
        } else {
            self.limit.load(Ordering::Relaxed).clamp(SPIN_MIN, SPIN_MAX)
        }
    }

    /// A call that waited succeeds: `spins` spent, `slept` if it slept.
    fn learn(&self, spins: u32, slept: bool) {
        let old = self.limit.load(Ordering::Relaxed);
        let new =
            if slept { old / 2 } else { old.saturating_mul(2).max(spins.saturating_mul(4)) }.clamp(SPIN_MIN, SPIN_MAX);
        if new != old {
            self.limit.store(new, Ordering::Relaxed);
        }
    }
}

// SAFETY: all shared state behind `base` is accessed through atomics or
// under the slot protocol, which is designed for concurrent use by threads
// and processes.
unsafe impl Send for Ring {}
// SAFETY: as above.
unsafe impl Sync for Ring {}

/// Where a position lives: its slot and its lap.
#[derive(Clone, Copy)]
struct Pos {
    slot: *mut u8,
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

/// The longest a blocked call spins on the slot before it sleeps: about
/// 25 us on current x86 (a `pause` is 10-40 ns), the order of one futex
/// sleep/wake, so spinning never costs much more than sleeping would.
const SPIN_MAX: u32 = 1000;
/// The shortest spin (see [`SpinBudget`]): well under a microsecond.
const SPIN_MIN: u32 = 4;
/// One wait in this many spins the full [`SPIN_MAX`] whatever the budget,
/// to find out whether spinning has started to pay again.
const SPIN_PROBE_EVERY: u32 = 256;
/// Pauses between two looks at a slot that a peer holds (see `Ring::block`);
/// each counts as a spin of the budget.
const HELD_SPIN_PAUSES: u32 = 8;
/// Spins after a wake-up before sleeping again (at most the call's budget).
const SPIN_AFTER_WAKE: u32 = 100;
/// Sleep length while a peer holds the slot (doubling from the first value
/// up to the second): the peer is checked for liveness at each wake-up.
const HELD_RECHECK_MS: (u64, u64) = (1, 100);
/// Sleep length while merely idle: waking now and then lets a waiter find
/// a peer that died holding its slot without waking anyone.
const IDLE_RECHECK_MS: u64 = 250;
/// How many positions below the head `sweep` examines.
const SWEEP_WINDOW: u64 = 1 << 16;
/// Largest believable distance between the two index hints beyond the
/// capacity. A hint lags the position it stands for only while a process
/// that claimed a position is stalled between its claim and its store of
/// the hint; 2^40 messages during one stall is beyond any machine.
const INDEX_SLACK: u64 = 1 << 40;
/// Positions a call may step over in a row (found claimed by others), in
/// excess of twice the capacity, before it judges the ring corrupted: the
/// jumps of `past_taken` leave at most about a lap of claimed positions
/// between a lagging hint and the free one.
const STEP_SLACK: u64 = 1024;
/// How often (in positions stepped over) a call checks its deadline.
const STEPS_PER_CLOCK_CHECK: u64 = 256;

impl Ring {
    /// Wraps a mapping of at least `geo.total_size` bytes of the channel
    /// file `fd` (named `path`, if it has a name), registering this process
    /// as a member. The value owns `fd` from now on, also on failure.
    ///
    /// # Safety
    /// `base` points to a live, writable, 8-byte aligned mapping of at least
    /// `geo.total_size` bytes that outlives the returned value and is only
    /// ever accessed through this protocol.
    pub unsafe fn attach(base: *mut u8, geo: Geometry, fd: i32, path: Option<sys::chan::ShmPath>) -> Result<Ring> {
        // SAFETY: the mapping starts with a Header (the caller's contract).
        let counter = unsafe { &(*(base as *const Header)).next_member };
        let members = Members::register(fd, path, counter)?;
        Ok(Ring { base, geo, members, spin: [SpinBudget::new(), SpinBudget::new()] })
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
        // SAFETY: index < capacity, so the slot lies inside the mapping
        // (total_size = HEADER_SIZE + capacity * stride, checked at open).
        let slot = unsafe { self.base.add(HEADER_SIZE + (index * self.geo.stride) as usize) };
        Pos { slot, lap }
    }

    #[inline]
    fn state(pos: Pos) -> &'static AtomicU64 {
        // SAFETY: the slot's first 8 bytes are its state word, 64-byte
        // aligned; the mapping outlives every use (see `Ring::new`). The
        // 'static is internal: the reference never escapes a method of Ring.
        unsafe { &*(pos.slot as *const AtomicU64) }
    }

    #[inline]
    fn len_word(pos: Pos) -> &'static AtomicU32 {
        // SAFETY: bytes 8..12 of the slot hold the message length (as
        // `state`).
        unsafe { &*(pos.slot.add(8) as *const AtomicU32) }
    }

    #[inline]
    fn data(&self, pos: Pos) -> *mut u8 {
        // SAFETY: data_offset + max_msg <= stride: the message bytes lie
        // inside the slot.
        unsafe { pos.slot.add(self.geo.data_offset as usize) }
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

    // -----------------------------------------------------------------------
    // Sending.

    /// One attempt to copy `msg` into the next free slot (the caller checked
    /// its length against `max_msg`): `Done` once sent, `Sleep` when the
    /// call has to sleep before it looks again (the caller sleeps, tells
    /// `wait` how the sleep ended, and calls again with the same `wait`).
    #[inline]
    pub fn send(&self, msg: &[u8], wait: &mut Wait) -> Result<Step<'_, ()>> {
        let me = self.me()?;
        if wait.is_fresh() {
            let t = self.header().tail.load(Ordering::Relaxed);
            match self.claim_blindly(t, Phase::Empty, Phase::Writing, me) {
                Ok(pos) => return self.fill(pos, t, msg, me).map(Step::Done),
                Err(w) => return self.send_waiting(msg, wait, me, Some((t, w))),
            }
        }
        wait.resume()?;
        self.send_waiting(msg, wait, me, None)
    }

    /// Claims position `p` with one compare-exchange from the word it has
    /// when free for this call (`Empty` of its lap for a sender, `Full` for
    /// a receiver) to `to` by `me`, so the slot's line is fetched once, for
    /// writing, instead of read and then upgraded. On failure, the word
    /// found.
    #[inline]
    fn claim_blindly(&self, p: u64, from: Phase, to: Phase, me: u32) -> std::result::Result<Pos, u64> {
        let pos = self.pos(p);
        Self::state(pos)
            .compare_exchange(word(pos.lap, from, 0), word(pos.lap, to, me), Ordering::Acquire, Ordering::Acquire)
            .map(|_| pos)
    }

    /// The rest of a send: `first` is the position and slot word its first
    /// claim found, `None` to look afresh (after a sleep).
    #[inline(never)]
    fn send_waiting(&self, msg: &[u8], wait: &mut Wait, me: u32, first: Option<(u64, u64)>) -> Result<Step<'_, ()>> {
        let tail = &self.header().tail;
        let (mut t, mut w) = match first {
            Some(found) => found,
            None => {
                let t = tail.load(Ordering::Relaxed);
                (t, Self::state(self.pos(t)).load(Ordering::Acquire))
            }
        };
        loop {
            let pos = self.pos(t);
            let state = Self::state(pos);
            match Self::look_send(w, pos.lap) {
                Look::Ready => {
                    if state
                        .compare_exchange(w, word(pos.lap, Phase::Writing, me), Ordering::Acquire, Ordering::Relaxed)
                        .is_ok()
                    {
                        self.settle(Side::Send, wait);
                        return self.fill(pos, t, msg, me).map(Step::Done);
                    }
                    wait.lost_race();
                }
                Look::Taken => {
                    // Off the hot path (a lagging hint is rare): the other
                    // side's index is a cache line the peers keep writing.
                    self.check_indices()?;
                    let next = self.past_taken(Side::Send, t, w);
                    let _ = tail.compare_exchange(t, next, Ordering::Relaxed, Ordering::Relaxed);
                    wait.stepped(Side::Send, t, self.geo.capacity)?;
                }
                Look::Idle => {
                    if let Some(sleep) = self.block(Side::Send, wait, state, w, None)? {
                        return Ok(Step::Sleep(sleep));
                    }
                }
                // The holder is the receiver of the previous lap's position.
                Look::Held(id) => {
                    let holder = Holder { id, me, position: t.wrapping_sub(self.geo.capacity) };
                    if let Some(sleep) = self.block(Side::Send, wait, state, w, Some(holder))? {
                        return Ok(Step::Sleep(sleep));
                    }
                }
                Look::Inconsistent => {
                    self.check_indices()?;
                    wait.inconsistent(t, w)?
                }
            }
            // Look again. Not waiting (the position was taken, or a dead
            // peer's slot was just recovered): claim blindly. While waiting,
            // only read the slot, so the peer keeps its line.
            t = tail.load(Ordering::Relaxed);
            w = if wait.spins == 0 {
                match self.claim_blindly(t, Phase::Empty, Phase::Writing, me) {
                    Ok(pos) => {
                        self.settle(Side::Send, wait);
                        return self.fill(pos, t, msg, me).map(Step::Done);
                    }
                    Err(now) => now,
                }
            } else {
                Self::state(self.pos(t)).load(Ordering::Acquire)
            };
        }
    }

    /// The rest of a send once position `t` (slot `pos`) is ours: move the
    /// tail on, copy the message in, publish it, wake receivers.
    ///
    /// The publication is a compare-exchange from the exact word of our
    /// claim, so a slot taken from us meanwhile (another process judged us
    /// dead and recovered it, or a corrupted word) is reported, never
    /// overwritten.
    #[inline(always)]
    fn fill(&self, pos: Pos, t: u64, msg: &[u8], me: u32) -> Result<()> {
        fault::at(fault::SEND_CLAIMED);
        // SAFETY: the slot is ours (Writing) until we publish; msg.len() <=
        // max_msg (checked by the caller), so it fits the slot's data area.
        unsafe { fault::copy(msg.as_ptr(), self.data(pos), msg.len(), fault::SEND_HALF) };
        Self::len_word(pos).store(msg.len() as u32, Ordering::Relaxed);
        // Publish (release: the bytes and the length before the word), and
        // order that before the load of `sleepers` in the wake check: a
        // SeqCst compare-exchange is a full barrier, like the swap it
        // replaces.
        let claimed = word(pos.lap, Phase::Writing, me);
        let full = word(pos.lap, Phase::Full, 0);
        if let Err(now) = Self::state(pos).compare_exchange(claimed, full, Ordering::SeqCst, Ordering::Relaxed) {
            return Err(taken_from_us(Side::Send, t, claimed, now));
        }
        advance(&self.header().tail, t);
        self.wake_after_swap(Side::Recv);
        Ok(())
    }

    // -----------------------------------------------------------------------
    // Receiving.

    /// One attempt to copy the next message into `buf` (as [`Ring::send`]);
    /// `Done(length)`, or `EMSGSIZE` (message left queued) if it is longer
    /// than `buf`.
    #[inline]
    pub fn recv(&self, buf: &mut [u8], wait: &mut Wait) -> Result<Step<'_, usize>> {
        let me = self.me()?;
        if wait.is_fresh() {
            let h = self.header().head.load(Ordering::Relaxed);
            // With room for any message, EMSGSIZE is impossible, so a message
            // can be claimed before its length is read.
            let roomy = buf.len() as u64 >= self.geo.max_msg;
            let w = if roomy {
                match self.claim_blindly(h, Phase::Full, Phase::Reading, me) {
                    Ok(pos) => return self.drain(pos, h, buf, me).map(Step::Done),
                    Err(w) => w,
                }
            } else {
                Self::state(self.pos(h)).load(Ordering::Acquire)
            };
            return self.recv_waiting(buf, wait, me, Some((h, w)));
        }
        wait.resume()?;
        self.recv_waiting(buf, wait, me, None)
    }

    /// The rest of a receive, as [`Ring::send_waiting`].
    #[inline(never)]
    fn recv_waiting(
        &self,
        buf: &mut [u8],
        wait: &mut Wait,
        me: u32,
        first: Option<(u64, u64)>,
    ) -> Result<Step<'_, usize>> {
        let head = &self.header().head;
        let (mut h, mut w) = match first {
            Some(found) => found,
            None => {
                let h = head.load(Ordering::Relaxed);
                (h, Self::state(self.pos(h)).load(Ordering::Acquire))
            }
        };
        let roomy = buf.len() as u64 >= self.geo.max_msg;
        loop {
            let pos = self.pos(h);
            let state = Self::state(pos);
            match Self::look_recv(w, pos.lap) {
                Look::Ready => {
                    // The length was stored before the Full word we acquired,
                    // and cannot change while the word stays Full for this lap.
                    let len = Self::len_word(pos).load(Ordering::Relaxed) as usize;
                    if len > buf.len() && len as u64 <= self.geo.max_msg {
                        return Err(Error::new(
                            libc::EMSGSIZE,
                            reason!(
                                "the next message has {} bytes but the buffer holds {}; it stays queued",
                                len,
                                buf.len()
                            ),
                        ));
                    }
                    let claimed = word(pos.lap, Phase::Reading, me);
                    if state.compare_exchange(w, claimed, Ordering::Acquire, Ordering::Relaxed).is_ok() {
                        self.settle(Side::Recv, wait);
                        return self.drain(pos, h, buf, me).map(Step::Done);
                    }
                    wait.lost_race();
                }
                Look::Taken => {
                    // Off the hot path (a lagging hint is rare): the other
                    // side's index is a cache line the peers keep writing.
                    self.check_indices()?;
                    let next = self.past_taken(Side::Recv, h, w);
                    let _ = head.compare_exchange(h, next, Ordering::Relaxed, Ordering::Relaxed);
                    wait.stepped(Side::Recv, h, self.geo.capacity)?;
                }
                Look::Idle => {
                    if let Some(sleep) = self.block(Side::Recv, wait, state, w, None)? {
                        return Ok(Step::Sleep(sleep));
                    }
                }
                Look::Held(id) => {
                    let holder = Holder { id, me, position: h };
                    if let Some(sleep) = self.block(Side::Recv, wait, state, w, Some(holder))? {
                        return Ok(Step::Sleep(sleep));
                    }
                }
                Look::Inconsistent => {
                    self.check_indices()?;
                    wait.inconsistent(h, w)?
                }
            }
            // Look again, as in send_waiting.
            h = head.load(Ordering::Relaxed);
            w = if roomy && wait.spins == 0 {
                match self.claim_blindly(h, Phase::Full, Phase::Reading, me) {
                    Ok(pos) => {
                        self.settle(Side::Recv, wait);
                        return self.drain(pos, h, buf, me).map(Step::Done);
                    }
                    Err(now) => now,
                }
            } else {
                Self::state(self.pos(h)).load(Ordering::Acquire)
            };
        }
    }

    /// The rest of a receive once position `h` (slot `pos`) is ours: move
    /// the head on, copy the message out, release the slot, wake senders.
    /// The release is a compare-exchange from our claim's word, as in
    /// [`Ring::fill`].
    #[inline(always)]
    fn drain(&self, pos: Pos, h: u64, buf: &mut [u8], me: u32) -> Result<usize> {
        fault::at(fault::RECV_CLAIMED);
        let len = Self::len_word(pos).load(Ordering::Relaxed) as usize;
        let fits = len as u64 <= self.geo.max_msg && len <= buf.len();
        if fits {
            // SAFETY: the slot is ours (Reading) until we release it; len is
            // within both the slot's data area and `buf`.
            unsafe { fault::copy(self.data(pos), buf.as_mut_ptr(), len, fault::RECV_HALF) };
        }
        // Release. The SeqCst compare-exchange is also the full barrier that
        // orders it before the load of `sleepers` in wake_after_swap.
        let claimed = word(pos.lap, Phase::Reading, me);
        let freed = word(pos.lap + 1, Phase::Empty, 0);
        if let Err(now) = Self::state(pos).compare_exchange(claimed, freed, Ordering::SeqCst, Ordering::Relaxed) {
            // What we copied may have been overwritten by a sender of the
            // next lap while we copied: it is not delivered.
            return Err(taken_from_us(Side::Recv, h, claimed, now));
        }
        advance(&self.header().head, h);
        self.wake_after_swap(Side::Send);
        if fits {
            Ok(len)
        } else {
            // Only a corrupted length gets here (callers check sizes before
            // claiming): the message is dropped and counted.
            self.header().lost.fetch_add(1, Ordering::AcqRel);
            Err(corrupt(reason!("a queued message claims {} bytes, more than max_msg ({})", len, self.geo.max_msg)))
        }
    }

    /// Where the index of `side` goes after position `p`, whose slot word
    /// `w` shows it taken. Normally `p + 1`; when the word is a whole lap
    /// or more ahead of `p`'s lap (the hint lags, or was corrupted), the
    /// index jumps to just past the latest position the word proves claimed
    /// (positions are claimed in order, so every one below it was too),
    /// instead of stepping over the laps one position at a time.
    fn past_taken(&self, side: Side, p: u64, w: u64) -> u64 {
        let d = lap_diff(lap_of(w), self.pos(p).lap);
        if d <= 0 {
            return p.wrapping_add(1);
        }
        // The slot is at lap(p) + d. Its position of that lap is claimed on
        // this side if the word says so; the one a lap earlier always is.
        let claimed_at_d = match (side, phase_of(w)) {
            (Side::Send, Phase::Empty) => false,
            (Side::Send, _) => true,
            (Side::Recv, Phase::Reading) => true,
            (Side::Recv, _) => false,
        };
        let laps = if claimed_at_d { d as u64 } else { d as u64 - 1 };
        p.wrapping_add(laps.wrapping_mul(self.geo.capacity)).wrapping_add(1)
    }

    /// `ENOTRECOVERABLE` if the two index hints lie further apart than any
    /// run of the protocol can put them.
    fn check_indices(&self) -> Result<()> {
        let (tail, head) = (self.header().tail.load(Ordering::Relaxed), self.header().head.load(Ordering::Relaxed));
        // Not modulo 2^64: positions start at 0 and go up by one per
        // message, and 2^64 messages is beyond any channel's life.
        let gap = i128::from(tail) - i128::from(head);
        let cap = i128::from(self.geo.capacity);
        if gap > cap + i128::from(INDEX_SLACK) || gap < -i128::from(INDEX_SLACK) {
            return Err(corrupt(reason!("{}", Indices(tail, head, self.geo.capacity))));
        }
        Ok(())
    }

    // -----------------------------------------------------------------------
    // Waiting and waking.

    /// One step of waiting while slot word `state` holds `seen`: spin a
    /// little (the side's [`SpinBudget`]), then (if a peer holds the slot)
    /// check that the peer lives and recover the slot if it died, then
    /// ask the caller to sleep until woken, the recheck period passes, or
    /// the deadline. Returns `Ok(None)` to make the caller look again,
    /// `Ok(Some(sleep))` to sleep first; `EAGAIN`/`ETIMEDOUT` to give up.
    fn block(
        &self,
        side: Side,
        wait: &mut Wait,
        state: &AtomicU64,
        seen: u64,
        holder: Option<Holder>,
    ) -> Result<Option<Sleep<'_>>> {
        wait.steps = 0;
        if wait.timeout_ms == 0 && holder.is_none() {
            self.check_indices()?;
            return Err(would_block(side));
        }
        if wait.limit == 0 {
            // The call's first wait: the timeout counts from now.
            wait.deadline()?;
            wait.limit = self.spin[side as usize].for_wait();
        }
        if wait.spins < wait.limit {
            // Spin on the slot word alone (pauses and a load per turn) until
            // it changes or the budget is spent; the caller then looks at the
            // slot again. While a peer holds the slot (copying a message in
            // or out), look less often: each look takes the slot's line from
            // the holder, whose compare-exchange at the end of its copy then
            // has to fetch it back (measured on the 2-vCPU benchmark
            // machine, one producer and one consumer: 15% more throughput
            // with 4 KiB messages, 30% less time per 64-byte message).
            let pauses = if holder.is_some() { HELD_SPIN_PAUSES } else { 1 };
            while wait.spins < wait.limit {
                wait.spins += pauses;
                for _ in 0..pauses {
                    std::hint::spin_loop();
                }
                if state.load(Ordering::Relaxed) != seen {
                    break;
                }
            }
            return Ok(None);
        }
        if let Some(holder) = holder {
            if !self.alive(holder.id, holder.me) {
                self.recover(state, seen, holder.position);
                wait.spins = 0;
                return Ok(None);
            }
        }
        // About to give up or sleep: the cost of a look at both indices no
        // longer matters, and a corrupted one is better reported now.
        self.check_indices()?;
        if wait.timeout_ms == 0 {
            return Err(would_block(side));
        }
        let deadline = wait.deadline()?;
        let recheck_ms = match holder {
            Some(_) => wait.next_held_recheck(),
            None => IDLE_RECHECK_MS,
        };
        let mut until = sys::deadline_after_ms(recheck_ms)?;
        if let Some(d) = deadline {
            if sys::ms_until(&d)? == 0 {
                return Err(timed_out(side));
            }
            if (d.tv_sec, d.tv_nsec) < (until.tv_sec, until.tv_nsec) {
                until = d;
            }
        }
        let ww = self.wait_word(side);
        // Read the epoch first, then announce, then look again: a waker that
        // changes the slot after our look sees the announcement and bumps the
        // epoch, so the futex wait returns at once (see the module docs: no
        // lost wake-ups).
        let epoch = ww.epoch.load(Ordering::Acquire);
        ww.sleepers.swap(1, Ordering::SeqCst);
        if state.load(Ordering::SeqCst) != seen {
            return Ok(None);
        }
        wait.slept = true;
        wait.after_wake = wait.limit - wait.limit.min(SPIN_AFTER_WAKE);
        wait.sleeping = true;
        wait.expected = epoch;
        wait.until = until;
        Ok(Some(Sleep { word: &ww.epoch }))
    }

    /// A call claims its slot: if it had to wait, adapt the side's spin
    /// budget to how the wait ended.
    #[inline]
    fn settle(&self, side: Side, wait: &Wait) {
        if wait.limit != 0 {
            self.spin[side as usize].learn(wait.spins, wait.slept);
        }
    }

    #[inline]
    fn wait_word(&self, side: Side) -> &WaitWord {
        match side {
            Side::Send => &self.header().not_full,
            Side::Recv => &self.header().not_empty,
        }
    }

    /// After changing a slot with a plain store or a CAS, wakes the waiters
    /// of `side` if any announced themselves.
    #[inline]
    fn wake(&self, side: Side) {
        // Orders our slot change before the load of `sleepers` (pairs with
        // the waiter's swap + SeqCst load in `block`). On x86 a locked
        // instruction on a line of our own stack.
        fence(Ordering::SeqCst);
        self.wake_after_swap(side);
    }

    /// After changing a slot with a SeqCst swap (itself a full barrier),
    /// wakes the waiters of `side` if any announced themselves. Steady state
    /// with nobody asleep: one load of a line nobody writes, no system call.
    #[inline]
    fn wake_after_swap(&self, side: Side) {
        let ww = self.wait_word(side);
        if ww.sleepers.load(Ordering::SeqCst) != 0 {
            self.wake_slow(ww);
        }
    }

    #[cold]
    #[inline(never)]
    fn wake_slow(&self, ww: &WaitWord) {
        if ww.sleepers.swap(0, Ordering::SeqCst) != 0 {
            ww.epoch.fetch_add(1, Ordering::SeqCst);
            // Everyone: each sleeper looks again and re-announces itself if
            // it still has to wait. A dead sleeper's stale flag costs one
            // such wake-up and is then gone.
            let _ = sys::futex_wake(&ww.epoch, i32::MAX, true);
        }
    }

    // -----------------------------------------------------------------------
    // Recovery from dead peers.

    /// The peer holding the slot whose word is `seen` (for `position`)
    /// died: finish its move for it. A dead sender's half-written message
    /// is skipped (the position counts as consumed); a dead receiver's slot
    /// is released. Either way the message is lost and counted, by the one
    /// process whose compare-exchange succeeds.
    fn recover(&self, state: &AtomicU64, seen: u64, position: u64) {
        if !matches!(phase_of(seen), Phase::Writing | Phase::Reading) {
            return;
        }
        let freed = word(lap_of(seen) + 1, Phase::Empty, 0);
        if state.compare_exchange(seen, freed, Ordering::AcqRel, Ordering::Relaxed).is_err() {
            return;
        }
        // Both a skipped and a reclaimed position are consumer positions:
        // move the head hint past it (it is at `position` or beyond) before
        // counting the loss, so head - lost never exceeds what was received.
        let _ = self.header().head.compare_exchange(position, position + 1, Ordering::AcqRel, Ordering::Relaxed);
        self.header().lost.fetch_add(1, Ordering::AcqRel);
        self.wake(Side::Send);
        self.wake(Side::Recv);
    }

    /// Finds slots held by dead processes and recovers them: dead receivers
    /// among the last `SWEEP_WINDOW` positions below the head (every
    /// receiver's position is within `capacity` of it, so for capacities up
    /// to the window that is all of them; older ones in larger channels are
    /// reclaimed by the senders that reach them), and dead senders at the
    /// head, where receivers would skip them.
    pub fn sweep(&self) {
        // Without a registration of its own (a forked child whose
        // registration failed), this process would see its parent's lock as
        // its own and take the parent for dead: judge nobody then.
        let Ok(me) = self.me() else { return };
        // Past every claimed position, including one whose receiver died
        // before moving the head.
        let head = self.true_index(Side::Recv);
        let window = self.geo.capacity.min(SWEEP_WINDOW);
        for p in head.saturating_sub(window)..head {
            let pos = self.pos(p);
            let state = Self::state(pos);
            let w = state.load(Ordering::Acquire);
            if phase_of(w) == Phase::Reading && !self.alive(member_of(w), me) {
                // The reader holds position p, or the one a lap earlier.
                let held = if lap_diff(lap_of(w), pos.lap) == 0 { p } else { p.wrapping_sub(self.geo.capacity) };
                self.recover(state, w, held);
            }
        }
        // Dead senders: only at the head, one after the other.
        for _ in 0..window {
            let h = self.true_index(Side::Recv);
            let pos = self.pos(h);
            let state = Self::state(pos);
            let w = state.load(Ordering::Acquire);
            match Self::look_recv(w, pos.lap) {
                Look::Held(id) if !self.alive(id, me) => self.recover(state, w, h),
                _ => break,
            }
        }
    }

    /// The index of `side` moved past every position already claimed there
    /// (the stored hint can lag behind a claim whose owner has not advanced
    /// it yet, or died before it could).
    fn true_index(&self, side: Side) -> u64 {
        let index = self.index(side);
        let mut p = index.load(Ordering::Acquire);
        // Bounded like a call's steps (see `Wait::stepped`), and never more
        // than a sweep's window, so a corrupted ring cannot hold it up.
        for _ in 0..2 * self.geo.capacity.min(SWEEP_WINDOW) + STEP_SLACK {
            let pos = self.pos(p);
            let w = Self::state(pos).load(Ordering::Acquire);
            let look = match side {
                Side::Send => Self::look_send(w, pos.lap),
                Side::Recv => Self::look_recv(w, pos.lap),
            };
            if !matches!(look, Look::Taken) {
                break;
            }
            let _ = index.compare_exchange(p, self.past_taken(side, p, w), Ordering::AcqRel, Ordering::Relaxed);
            p = index.load(Ordering::Acquire);
        }
        p
    }

    /// A snapshot of the counters: `(sent, received, lost, queued)`, where
    /// `sent == received + lost + queued`.
    pub fn counters(&self) -> (u64, u64, u64, u64) {
        self.sweep();
        // Lost is read before head, and every lost position is below head
        // before it is counted, so received never goes negative.
        let lost = self.header().lost.load(Ordering::Acquire);
        let head = self.true_index(Side::Recv);
        let tail = self.true_index(Side::Send).max(head);
        let received = head.saturating_sub(lost);
        (tail, received, lost.min(head), tail.wrapping_sub(head))
    }
}

/// Moves an index hint from `p` to `p + 1` after this process claimed
/// position `p`, unless someone already moved it. A plain store, not a CAS:
/// the only promise of a hint is that every position below it has been
/// claimed, which `p + 1` keeps even if a racing helper had moved the hint
/// further (it then goes back a little, and later callers step forward over
/// positions they find taken). Claims never depend on the hint being
/// monotonic: a slot is only claimed for its exact lap.
#[inline]
fn advance(index: &AtomicU64, p: u64) {
    if index.load(Ordering::Relaxed) == p {
        index.store(p + 1, Ordering::Relaxed);
    }
}

/// What one attempt of a send or receive came to.
pub enum Step<'a, T> {
    /// The call is complete.
    Done(T),
    /// The call has to sleep before it looks again: the caller sleeps
    /// ([`Sleep::sleep`] or [`Sleep::sleep_cancellable`]), tells the call's
    /// [`Wait`] how the sleep ended, and makes the next attempt. Nothing is
    /// held while it sleeps (no slot is claimed; the announcement in the
    /// wait word costs at most one spurious wake-up), so a thread cancelled
    /// in the sleep leaves the channel as it was.
    Sleep(Sleep<'a>),
}

/// A futex sleep a call asked for (see [`Step::Sleep`]): the word to sleep
/// on; the value it must still hold and the deadline are kept in the call's
/// [`Wait`] (so that a step, which the shims pass back by value, stays two
/// words long).
#[derive(Clone, Copy)]
pub struct Sleep<'a> {
    word: &'a AtomicU32,
}

impl Sleep<'_> {
    /// Sleeps (not a cancellation point); 0 when woken, else the errno
    /// (`EAGAIN`, `ETIMEDOUT`, `EINTR`). `wait` is the call's, as the step
    /// that asked for the sleep left it.
    pub fn sleep(&self, wait: &Wait) -> i32 {
        match sys::futex_wait(self.word, wait.expected, true, Some(&wait.until), sys::FutexClock::Monotonic) {
            Ok(()) => 0,
            Err(e) => e.errno(),
        }
    }

    /// [`Sleep::sleep`] as a thread-cancellation point (see
    /// `crate::sys::cancel`): a pending or arriving cancel unwinds the
    /// thread from inside the sleep.
    ///
    /// # Safety
    /// No `catch_unwind` frame may be on the calling thread's stack.
    pub unsafe fn sleep_cancellable(&self, wait: &Wait) -> i32 {
        let args = [
            self.word.as_ptr() as libc::c_long,
            libc::FUTEX_WAIT_BITSET as libc::c_long,
            wait.expected as libc::c_long,
            &wait.until as *const libc::timespec as libc::c_long,
            0,
            libc::FUTEX_BITSET_MATCH_ANY as libc::c_long,
        ];
        // SAFETY: a shared-futex wait on a live word (borrowed from the
        // mapping) with a live timeout; the caller's contract covers the
        // unwinding.
        if unsafe { sys::cancel::syscall(libc::SYS_futex, args) } == -1 {
            // SAFETY: the calling thread's errno slot.
            unsafe { *libc::__errno_location() }
        } else {
            0
        }
    }
}

/// Per-call waiting state, kept by the caller across the attempts of one
/// send or receive.
pub struct Wait {
    timeout_ms: i32,
    /// Whether no attempt has been made yet.
    fresh: bool,
    /// The rest, made when the call first does more than its first attempt
    /// (a call that never waits only sets the two words above).
    state: Option<WaitState>,
}

/// The part of a [`Wait`] that only a call that waits uses (reached
/// through `Deref`: an unused one reads as [`WaitState::START`]).
#[derive(Clone, Copy)]
pub struct WaitState {
    /// Spins made so far (reset after recovering a slot).
    spins: u32,
    /// Spins allowed before sleeping: 0 until the call first waits, then the
    /// side's budget.
    limit: u32,
    /// Whether the call has slept.
    slept: bool,
    deadline: Option<Option<libc::timespec>>,
    held_recheck_ms: u64,
    last_inconsistent: Option<(u64, u64)>,
    /// Positions stepped over in a row (found claimed by others).
    steps: u64,
    /// Spins to resume with after a wake-up.
    after_wake: u32,
    /// A sleep was asked for and its outcome not yet taken in.
    sleeping: bool,
    /// How the last sleep ended: 0 or an errno.
    woke: i32,
    /// The value the wait word of the sleep asked for must still hold.
    expected: u32,
    /// When that sleep ends at the latest (absolute, `CLOCK_MONOTONIC`).
    until: libc::timespec,
}

impl WaitState {
    const START: WaitState = WaitState {
        spins: 0,
        limit: 0,
        slept: false,
        deadline: None,
        held_recheck_ms: HELD_RECHECK_MS.0,
        last_inconsistent: None,
        steps: 0,
        after_wake: 0,
        sleeping: false,
        woke: 0,
        expected: 0,
        until: libc::timespec { tv_sec: 0, tv_nsec: 0 },
    };
}

impl std::ops::Deref for Wait {
    type Target = WaitState;

    #[inline]
    fn deref(&self) -> &WaitState {
        self.state.as_ref().unwrap_or(&WaitState::START)
    }
}

impl std::ops::DerefMut for Wait {
    #[inline]
    fn deref_mut(&mut self) -> &mut WaitState {
        self.state.get_or_insert(WaitState::START)
    }
}

impl Wait {
    #[inline]
    pub fn new(timeout_ms: i32) -> Wait {
        Wait { timeout_ms, fresh: true, state: None }
    }

    /// Whether this is the call's first attempt (true once).
    #[inline]
    fn is_fresh(&mut self) -> bool {
        std::mem::replace(&mut self.fresh, false)
    }

    /// Records how the sleep of the last [`Step::Sleep`] ended: 0 if woken,
    /// else its errno.
    pub fn woke(&mut self, errno: i32) {
        self.woke = errno;
    }

    /// Takes in the outcome of the sleep before a new attempt.
    fn resume(&mut self) -> Result<()> {
        if !std::mem::replace(&mut self.sleeping, false) {
            return Ok(());
        }
        match self.woke {
            0 | libc::EAGAIN => self.spins = self.after_wake,
            // The recheck period or the deadline passed: look again, and
            // (spins stay at the limit) check both at once.
            libc::ETIMEDOUT => {}
            libc::EINTR => return Err(Error::new(libc::EINTR, "a signal handler interrupted the wait")),
            errno => return Err(Error::from_errno(errno)),
        }
        Ok(())
    }

    /// The absolute deadline (`None` = forever), fixed the first time the
    /// call has to wait, so the fast path never reads the clock.
    fn deadline(&mut self) -> Result<Option<libc::timespec>> {
        if let Some(d) = self.deadline {
            return Ok(d);
        }
        let d = if self.timeout_ms < 0 { None } else { Some(sys::deadline_after_ms(self.timeout_ms as u64)?) };
        self.deadline = Some(d);
        Ok(d)
    }

    fn next_held_recheck(&mut self) -> u64 {
        let ms = self.held_recheck_ms;
        self.held_recheck_ms = (ms * 2).min(HELD_RECHECK_MS.1);
        ms
    }

    /// A claim lost its race to a peer: normal progress.
    fn lost_race(&mut self) {
        self.steps = 0;
    }

    /// The call stepped over position `p`, found claimed. In a sound ring a
    /// call steps over at most about a lap of positions in a row (see
    /// `Ring::past_taken`); many more means the index or the slot words are
    /// corrupted. The deadline is checked now and then too, so no number of
    /// steps outlasts the timeout.
    fn stepped(&mut self, side: Side, p: u64, capacity: u64) -> Result<()> {
        self.last_inconsistent = None;
        self.steps += 1;
        if self.steps > 2 * capacity + STEP_SLACK {
            let steps = self.steps;
            return Err(corrupt(if side == Side::Send {
                reason!(
                    "the tail index stepped over {} positions in a row that its slots show as claimed (up to {}), in a ring of {}",
                    steps,
                    p,
                    capacity
                )
            } else {
                reason!(
                    "the head index stepped over {} positions in a row that its slots show as claimed (up to {}), in a ring of {}",
                    steps,
                    p,
                    capacity
                )
            }));
        }
        if self.steps % STEPS_PER_CLOCK_CHECK == 0 && self.timeout_ms > 0 {
            if let Some(d) = self.deadline()? {
                if sys::ms_until(&d)? == 0 {
                    return Err(timed_out(side));
                }
            }
        }
        Ok(())
    }

    /// A state the protocol cannot produce: look again once (the index may
    /// have moved), fail if the same state is seen at the same position.
    fn inconsistent(&mut self, p: u64, w: u64) -> Result<()> {
        if self.last_inconsistent == Some((p, w)) {
            return Err(corrupt(reason!("{}", Impossible(p, w))));
        }
        self.last_inconsistent = Some((p, w));
        Ok(())
    }
}

/// A slot this process had claimed was changed by someone else before its
/// publication or release: reported, never overwritten.
#[cold]
fn taken_from_us(side: Side, p: u64, claimed: u64, now: u64) -> Error {
    corrupt(match side {
        Side::Send => reason!("{}", TakenFromUs::<true>(p, claimed, now)),
        Side::Recv => reason!("{}", TakenFromUs::<false>(p, claimed, now)),
    })
}

/// "its tail index (T) and head index (H) are N positions apart, for a
/// capacity of C".
struct Indices(u64, u64, u64);

impl crate::error::Shown for Indices {
    fn pack(&self) -> [i64; 3] {
        [self.0 as i64, self.1 as i64, self.2 as i64]
    }
    fn unpack(v: &[i64; 3]) -> Self {
        Indices(v[0] as u64, v[1] as u64, v[2] as u64)
    }
}

impl std::fmt::Display for Indices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Indices(tail, head, cap) = *self;
        let gap = i128::from(tail) - i128::from(head);
        write!(f, "its tail index ({tail}) and head index ({head}) are {gap} positions apart, for a capacity of {cap}")
    }
}

/// A claimed slot changed under a send (`SEND`) or a receive: position,
/// the word claimed, the word found.
struct TakenFromUs<const SEND: bool>(u64, u64, u64);

impl<const SEND: bool> crate::error::Shown for TakenFromUs<SEND> {
    fn pack(&self) -> [i64; 3] {
        [self.0 as i64, self.1 as i64, self.2 as i64]
    }
    fn unpack(v: &[i64; 3]) -> Self {
        TakenFromUs(v[0] as u64, v[1] as u64, v[2] as u64)
    }
}

impl<const SEND: bool> std::fmt::Display for TakenFromUs<SEND> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let TakenFromUs(p, claimed, now) = *self;
        let (call, what) = if SEND {
            ("send", "the message was not delivered")
        } else {
            ("receive", "the message copied out may be torn, so it is not returned")
        };
        write!(
            f,
            "the slot of position {p} that this {call} had claimed (word {claimed:#018x}) became {now:#018x} \
             before the {call} finished: another process took it over, judging this one dead, or the word was \
             overwritten; {what}"
        )
    }
}

#[cold]
fn would_block(side: Side) -> Error {
    match side {
        Side::Send => Error::new(libc::EAGAIN, "the channel is full and timeout_ms is 0"),
        Side::Recv => Error::new(libc::EAGAIN, "the channel is empty and timeout_ms is 0"),
    }
}

#[cold]
fn timed_out(side: Side) -> Error {
    match side {
        Side::Send => Error::new(libc::ETIMEDOUT, "the channel stayed full until the timeout"),
        Side::Recv => Error::new(libc::ETIMEDOUT, "the channel stayed empty until the timeout"),
    }
}

#[cold]
fn corrupt(what: crate::error::Reason) -> Error {
    Error::new(libc::ENOTRECOVERABLE, what.prefixed("the channel's shared memory is corrupted: "))
}

/// "slot word 0x... at position P is impossible there (phase ..., lap ...)".
struct Impossible(u64, u64);

impl crate::error::Shown for Impossible {
    fn pack(&self) -> [i64; 3] {
        [self.0 as i64, self.1 as i64, 0]
    }
    fn unpack(v: &[i64; 3]) -> Self {
        Impossible(v[0] as u64, v[1] as u64)
    }
}

impl std::fmt::Display for Impossible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (p, w) = (self.0, self.1);
        write!(
            f,
            "slot word {w:#018x} at position {p} is impossible there (phase {:?}, lap {})",
            phase_of(w),
            lap_of(w)
        )
    }
}

/// `copy_nonoverlapping(src, dst, len)`, with messages of up to 16 bytes
/// copied in place (two overlapping loads and stores) instead of by a call
/// to `memcpy`: latency-bound exchanges send small messages.
///
/// # Safety
/// As `std::ptr::copy_nonoverlapping(src, dst, len)`.
#[inline(always)]
unsafe fn copy_bytes(src: *const u8, dst: *mut u8, len: usize) {
    use std::ptr::{read_unaligned, write_unaligned};
    // SAFETY (every block below): the caller's contract makes src valid for
    // reads and dst for writes of len bytes, without overlap; each access
    // lies within the first len bytes (`len - 8 >= 0` when `len >= 8`, and
    // so on).
    unsafe {
        if len > 16 {
            std::ptr::copy_nonoverlapping(src, dst, len);
        } else if len >= 8 {
            let (a, b) = (read_unaligned(src as *const u64), read_unaligned(src.add(len - 8) as *const u64));
            write_unaligned(dst as *mut u64, a);
            write_unaligned(dst.add(len - 8) as *mut u64, b);
        } else if len >= 4 {
            let (a, b) = (read_unaligned(src as *const u32), read_unaligned(src.add(len - 4) as *const u32));
            write_unaligned(dst as *mut u32, a);
            write_unaligned(dst.add(len - 4) as *mut u32, b);
        } else {
            for i in 0..len {
                *dst.add(i) = *src.add(i);
            }
        }
    }
}

/// Fault injection for the unit tests: a test process sets `POINT` and the
/// protocol kills the process (SIGKILL) at that point, so tests can leave a
/// slot exactly as a peer dying there would. Compiled out of the library.
pub(crate) mod fault {
    #[cfg(test)]
    pub static POINT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);
    /// Sender: slot claimed (Writing), tail not yet advanced.
    pub const SEND_CLAIMED: u8 = 1;
    /// Sender: half of the message copied in.
    pub const SEND_HALF: u8 = 2;
    /// Receiver: slot claimed (Reading), head not yet advanced.
    pub const RECV_CLAIMED: u8 = 3;
    /// Receiver: half of the message copied out.
    pub const RECV_HALF: u8 = 4;

    #[cfg(test)]
    pub fn at(point: u8) {
        if POINT.load(std::sync::atomic::Ordering::Relaxed) == point {
            // SAFETY: raising a signal has no memory-safety preconditions.
            unsafe { libc::raise(libc::SIGKILL) };
        }
    }

    #[cfg(not(test))]
    #[inline(always)]
    pub fn at(_point: u8) {}

    /// `copy_nonoverlapping`, split in two around fault `point` in tests.
    ///
    /// # Safety
    /// As `std::ptr::copy_nonoverlapping(src, dst, len)`.
    #[inline(always)]
    pub unsafe fn copy(src: *const u8, dst: *mut u8, len: usize, point: u8) {
        #[cfg(test)]
        {
            let half = len / 2;
            // SAFETY: the caller's contract, in two parts.
            unsafe { std::ptr::copy_nonoverlapping(src, dst, half) };
            at(point);
            // SAFETY: as above.
            unsafe { std::ptr::copy_nonoverlapping(src.add(half), dst.add(half), len - half) };
        }
        #[cfg(not(test))]
        {
            let _ = point;
            // SAFETY: the caller's contract.
            unsafe { super::copy_bytes(src, dst, len) };
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_bytes_copies_every_length_exactly() {
        let src: Vec<u8> = (1..=40).collect();
        for len in 0..=40 {
            let mut dst = [0u8; 48];
            // SAFETY: src has 40 bytes, dst 48, distinct buffers.
            unsafe { copy_bytes(src.as_ptr(), dst.as_mut_ptr(), len) };
            assert_eq!(&dst[..len], &src[..len], "length {len}");
            assert!(dst[len..].iter().all(|&b| b == 0), "length {len} wrote past its end");
        }
    }

    #[test]
    fn the_spin_budget_halves_at_each_sleep_down_to_the_minimum() {
        let b = SpinBudget::new();
        assert_eq!(b.limit.load(Ordering::Relaxed), SPIN_MAX);
        b.learn(SPIN_MAX, true);
        assert_eq!(b.limit.load(Ordering::Relaxed), SPIN_MAX / 2);
        for _ in 0..20 {
            b.learn(SPIN_MIN, true);
        }
        assert_eq!(b.limit.load(Ordering::Relaxed), SPIN_MIN);
    }

    #[test]
    fn the_spin_budget_grows_back_when_a_spin_ends_the_wait() {
        let b = SpinBudget::new();
        b.limit.store(SPIN_MIN, Ordering::Relaxed);
        // Four times what the wait needed, if that is more than doubling.
        b.learn(100, false);
        assert_eq!(b.limit.load(Ordering::Relaxed), 400);
        b.learn(1, false);
        assert_eq!(b.limit.load(Ordering::Relaxed), 800);
        b.learn(1, false);
        assert_eq!(b.limit.load(Ordering::Relaxed), SPIN_MAX);
    }

    #[test]
    fn a_minimal_spin_budget_still_probes_the_full_spin_now_and_then() {
        let b = SpinBudget::new();
        b.limit.store(SPIN_MIN, Ordering::Relaxed);
        let limits: Vec<u32> = (0..2 * SPIN_PROBE_EVERY).map(|_| b.for_wait()).collect();
        assert_eq!(limits.iter().filter(|&&l| l == SPIN_MAX).count(), 2);
        assert!(limits.iter().all(|&l| l == SPIN_MAX || l == SPIN_MIN));
    }
}
