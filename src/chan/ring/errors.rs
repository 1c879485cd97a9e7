//! The errors of the ring protocol and their messages.

use super::word::{lap_of, phase_of};
use super::Side;
use crate::error::Error;

/// A slot this process had claimed was changed by someone else before its
/// publication or release: reported, never overwritten.
#[cold]
pub(super) fn taken_from_us(side: Side, p: u64, claimed: u64, now: u64) -> Error {
    corrupt(match side {
        Side::Send => reason!("{}", TakenFromUs::<true>(p, claimed, now)),
        Side::Recv => reason!("{}", TakenFromUs::<false>(p, claimed, now)),
    })
}

/// "its tail index (T) and head index (H) are N positions apart, for a
/// capacity of C".
pub(super) struct Indices(pub(super) u64, pub(super) u64, pub(super) u64);

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
pub(super) fn would_block(side: Side) -> Error {
    match side {
        Side::Send => Error::new(libc::EAGAIN, "the channel is full and timeout_ms is 0"),
        Side::Recv => Error::new(libc::EAGAIN, "the channel is empty and timeout_ms is 0"),
    }
}

#[cold]
pub(super) fn timed_out(side: Side) -> Error {
    match side {
        Side::Send => Error::new(libc::ETIMEDOUT, "the channel stayed full until the timeout"),
        Side::Recv => Error::new(libc::ETIMEDOUT, "the channel stayed empty until the timeout"),
    }
}

#[cold]
pub(super) fn corrupt(what: crate::error::Reason) -> Error {
    Error::new(libc::ENOTRECOVERABLE, what.prefixed("the channel's shared memory is corrupted: "))
}

/// "slot word 0x... at position P is impossible there (phase ..., lap ...)".
pub(super) struct Impossible(pub(super) u64, pub(super) u64);

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
