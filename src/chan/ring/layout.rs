//! The layout of a channel's shared memory: the header at offset 0, the
//! slots after it, and the geometry this process derives from (and checks
//! against) them.

use std::sync::atomic::{AtomicU32, AtomicU64};

use crate::error::{Error, Result};

/// "RSIPCHAN" — first word of every channel object.
pub(crate) const MAGIC: u64 = u64::from_le_bytes(*b"RSIPCHAN");
/// Bumped whenever the layout or the protocol changes.
pub(crate) const LAYOUT_VERSION: u32 = 5;
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

/// Word that waiters sleep on (futex) and the flags they raise before
/// sleeping (futex sleepers) or arming a doorbell (pollers); one pair per
/// direction.
#[repr(C)]
pub struct WaitWord {
    /// Bumped by every wake-up; the futex word.
    pub epoch: AtomicU32,
    /// Non-zero while some process may sleep on `epoch` ([`SLEEPER`]) or
    /// have armed its doorbell ([`POLLER`]).
    pub sleepers: AtomicU32,
}

/// A bit of [`WaitWord::sleepers`]: some process may sleep on the futex.
pub(crate) const SLEEPER: u32 = 1;
/// A bit of [`WaitWord::sleepers`]: some handle may have armed its doorbell.
pub(crate) const POLLER: u32 = 2;

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
    /// Loans given back unpublished (`Ring::loan_return`): positions that
    /// senders claimed and receivers step over, counted as neither sent nor
    /// received.
    pub returned: AtomicU64,
    _pad5: [u8; GAP - 16],
    /// The doorbells of pollable handles (see `super::bell`).
    pub bells: [BellEntry; BELLS],
}

/// How many handles at once can have a pollable descriptor on a channel.
pub(crate) const BELLS: usize = 64;

/// One pollable handle's doorbell, as the wakers see it.
#[repr(C)]
pub struct BellEntry {
    /// The member id of the handle that owns the entry (0: free) and which
    /// sides it waits for (`super::bell::ARMED`).
    pub word: AtomicU64,
    /// Names its socket (`crate::sys::bell::BellPath`); never 0 while the
    /// entry is owned.
    pub token: AtomicU64,
}

pub(crate) const HEADER_SIZE: usize = std::mem::size_of::<Header>();
const _: () = assert!(HEADER_SIZE % GAP == 0);
const _: () = assert!(std::mem::align_of::<Header>() <= 8);
const _: () = assert!(std::mem::size_of::<BellEntry>() * BELLS % GAP == 0);

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

/// The geometry this process checked when it mapped the channel.
#[derive(Clone, Copy, Debug)]
pub struct Geometry {
    pub max_msg: u64,
    pub capacity: u64,
    pub stride: u64,
    pub total_size: u64,
    /// Where the message bytes start in a slot.
    pub(super) data_offset: u64,
    /// Messages of this channel share the slot's first cache line with its
    /// state word (`max_msg` below [`ALIGNED_MSG`]).
    pub(super) small: bool,
    /// log2(capacity) when it is a power of two: positions then split into
    /// (lap, slot) with a shift and a mask instead of a division.
    pub(super) shift: Option<u32>,
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
            small: max_msg < ALIGNED_MSG,
            shift,
        })
    }
}
