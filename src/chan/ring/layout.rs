//! The layout of a channel's shared memory: the header at offset 0, the
//! slots after it, and the geometry this process derives from (and checks
//! against) them.

use std::sync::atomic::{AtomicU32, AtomicU64};

use crate::error::{Error, Result};

/// "RSIPCHAN" — first word of every channel object.
pub(crate) const MAGIC: u64 = u64::from_le_bytes(*b"RSIPCHAN");
/// Bumped whenever the layout or the protocol changes.
pub(crate) const LAYOUT_VERSION: u32 = 6;
/// Cache line size used to keep producer-side and consumer-side words apart
/// (two lines, so the adjacent-line prefetcher does not pair them either).
const LINE: usize = 64;
const GAP: usize = 2 * LINE;
/// Bytes of a slot besides its message: the state word (8 bytes) and the
/// length (4 bytes), padded to 16. Every message starts on a 64-byte
/// boundary (loaned and borrowed payloads are 64-byte aligned), in one of
/// two layouts:
///
/// - channels for messages of up to [`ONE_LINE_MSG`] (48) bytes put the
///   message at the start of the slot and the state and length right after
///   it (at `max_msg` rounded up to 16): a slot is the one line the peers
///   poll (a short copying send moves one line). Measured with the
///   benchmark's 8-byte ping-pong (p50 of the round trips, runs alternated
///   with layout 5's state word in front of the message): the state word
///   right after the message (in the same 32-byte half of the line) gave
///   60 ns in 8 of 12 runs (65 in the others), layout 5 in 14 of 16; at
///   the end of the line, 65 to 70 ns in all 10;
/// - channels for larger ones give the state and length a line of their
///   own in front of the message, so the copies move whole, aligned lines
///   and the polled line holds no message bytes. Measured on the 2-vCPU
///   benchmark machine (a C model of this protocol, one producer and one
///   consumer): with 4 KiB messages the separate line is a fifth faster.
///   For 49 to 255 bytes the message could also start the slot with the
///   state word after it (the same stride up to 112 bytes); in the
///   benchmark's 64-byte stream (runs alternated with layout 5, whose state
///   word shared the first line with 48 message bytes) that measured
///   21.9-22.8 ns per message against 19.9-20.7, the state line in front
///   20.8-21.0.
pub(crate) const SLOT_HEADER: usize = 16;
/// Largest `max_msg` whose slots are one line: the message, then the state
/// word and length.
const ONE_LINE_MSG: u64 = (LINE - SLOT_HEADER) as u64;
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
/// bytes (see [`SLOT_HEADER`]): a multiple of 64.
pub fn data_offset_for(max_msg: u64) -> u64 {
    if max_msg <= ONE_LINE_MSG {
        0
    } else {
        LINE as u64
    }
}

/// Offset of the state word (followed by the length) in a slot for
/// messages of up to `max_msg` bytes: right after the message, or the
/// slot's first line (see [`SLOT_HEADER`]); a multiple of 16.
pub fn head_offset_for(max_msg: u64) -> u64 {
    if max_msg <= ONE_LINE_MSG {
        max_msg.div_ceil(16) * 16
    } else {
        0
    }
}

/// Bytes per slot for messages of up to `max_msg` bytes: message, state
/// and length, rounded up to whole cache lines.
pub fn stride_for(max_msg: u64) -> u64 {
    let bytes = if max_msg <= ONE_LINE_MSG { max_msg + SLOT_HEADER as u64 } else { LINE as u64 + max_msg };
    bytes.div_ceil(LINE as u64) * LINE as u64
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
    /// Where the message bytes start in a slot (a multiple of 64).
    pub(super) data_offset: u64,
    /// Where the state word starts in a slot (the length follows it).
    pub(super) head_offset: u64,
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
            head_offset: head_offset_for(max_msg),
            shift,
        })
    }

    /// Whether a slot is one line: the message, then the state word
    /// (`max_msg` up to [`ONE_LINE_MSG`]; only then does the message start
    /// the slot).
    #[inline]
    pub(super) fn one_line(&self) -> bool {
        self.data_offset == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_start_on_a_line_small_ones_share_it_with_the_state_word() {
        let geometry = |m| (data_offset_for(m), head_offset_for(m), stride_for(m));
        assert_eq!(geometry(1), (0, 16, 64));
        assert_eq!(geometry(8), (0, 16, 64));
        assert_eq!(geometry(48), (0, 48, 64));
        assert_eq!(geometry(49), (64, 0, 128));
        assert_eq!(geometry(64), (64, 0, 128));
        assert_eq!(geometry(100), (64, 0, 192));
        assert_eq!(geometry(255), (64, 0, 320));
        assert_eq!(geometry(256), (64, 0, 320));
        assert_eq!(geometry(4096), (64, 0, 4160));
        for m in (1..600).chain([4095, 4096, 65536, 1 << 20]) {
            let (data, head, stride) = geometry(m);
            assert!(data % 64 == 0 && head % 16 == 0 && stride % 64 == 0, "max_msg {m}");
            // The message and the 16 bytes of state and length never overlap.
            assert!(data + m <= head || head + 16 <= data, "max_msg {m}");
            assert!(data + m <= stride && head + 16 <= stride, "max_msg {m}");
            assert_eq!(Geometry::new(m, 1).unwrap().one_line(), m <= 48, "max_msg {m}");
        }
    }
}
