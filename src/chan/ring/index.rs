//! The index hints (`tail`, `head`): moving them past claimed positions
//! and checking that they are believable.

use std::sync::atomic::{AtomicU64, Ordering};

use super::recover::SWEEP_WINDOW;
use super::word::{lap_diff, lap_of, phase_of, Phase};
use super::{corrupt, Indices, Look, Result, Ring, Side};

/// Largest believable distance between the two index hints beyond the
/// capacity. A hint lags the position it stands for only while a process
/// that claimed a position is stalled between its claim and its store of
/// the hint; 2^40 messages during one stall is beyond any machine.
const INDEX_SLACK: u64 = 1 << 40;
/// Positions a call may step over in a row (found claimed by others), in
/// excess of twice the capacity, before it judges the ring corrupted: the
/// jumps of `past_taken` leave at most about a lap of claimed positions
/// between a lagging hint and the free one.
pub(super) const STEP_SLACK: u64 = 1024;

impl Ring {
    /// Where the index of `side` goes after position `p`, whose slot word
    /// `w` shows it taken. Normally `p + 1`; when the word is a whole lap
    /// or more ahead of `p`'s lap (the hint lags, or was corrupted), the
    /// index jumps to just past the latest position the word proves claimed
    /// (positions are claimed in order, so every one below it was too),
    /// instead of stepping over the laps one position at a time.
    pub(super) fn past_taken(&self, side: Side, p: u64, w: u64) -> u64 {
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
    pub(super) fn check_indices(&self) -> Result<()> {
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

    /// The index of `side` moved past every position already claimed there
    /// (the stored hint can lag behind a claim whose owner has not advanced
    /// it yet, or died before it could).
    pub(super) fn true_index(&self, side: Side) -> u64 {
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
}

/// Moves an index hint from `p` to `p + 1` after this process claimed
/// position `p`, unless someone already moved it. A plain store, not a CAS:
/// the only promise of a hint is that every position below it has been
/// claimed, which `p + 1` keeps even if a racing helper had moved the hint
/// further (it then goes back a little, and later callers step forward over
/// positions they find taken). Claims never depend on the hint being
/// monotonic: a slot is only claimed for its exact lap.
#[inline]
pub(super) fn advance(index: &AtomicU64, p: u64) {
    if index.load(Ordering::Relaxed) == p {
        index.store(p + 1, Ordering::Relaxed);
    }
}
