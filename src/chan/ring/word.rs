//! Slot state words: `[ lap: 40 | phase: 2 | member: 22 ]`.

const MEMBER_BITS: u32 = 22;
const MEMBER_MASK: u64 = (1 << MEMBER_BITS) - 1;
const PHASE_SHIFT: u32 = MEMBER_BITS;
const LAP_SHIFT: u32 = MEMBER_BITS + 2;
const LAP_BITS: u32 = 64 - LAP_SHIFT;
const LAP_MASK: u64 = (1 << LAP_BITS) - 1;
const _: () = assert!(super::super::member::ID_MAX as u64 == MEMBER_MASK);

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
pub(super) fn lap_diff(a: u64, b: u64) -> i64 {
    let d = a.wrapping_sub(b) & LAP_MASK;
    if d >= 1 << (LAP_BITS - 1) {
        d as i64 - (1i64 << LAP_BITS)
    } else {
        d as i64
    }
}
