//! Recovery from dead peers: finishing the move of a process that died
//! holding a slot, the sweep that finds such slots, and the counters.

use std::sync::atomic::{AtomicU64, Ordering};

use super::word::{lap_diff, lap_of, member_of, phase_of, word, Phase};
use super::{Look, Ring, Side};

/// How many positions below the head `sweep` examines.
pub(super) const SWEEP_WINDOW: u64 = 1 << 16;

impl Ring {
    /// The peer holding the slot whose word is `seen` (for `position`)
    /// died: finish its move for it. A dead sender's half-written message
    /// is skipped (the position counts as consumed); a dead receiver's slot
    /// is released. Either way the message is lost and counted, by the one
    /// process whose compare-exchange succeeds.
    pub(super) fn recover(&self, state: &AtomicU64, seen: u64, position: u64) {
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
        self.sweep_bells(me);
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

    /// A snapshot of the counters: `(sent, received, lost, queued)`, where
    /// `sent == received + lost + queued`. Positions of loans given back
    /// unpublished count in none of them.
    pub fn counters(&self) -> (u64, u64, u64, u64) {
        self.sweep();
        // Lost and returned are read before head, and every lost or returned
        // position is below head before it is counted, so received never
        // goes negative.
        let returned = self.header().returned.load(Ordering::Acquire);
        let lost = self.header().lost.load(Ordering::Acquire);
        let head = self.true_index(Side::Recv);
        let tail = self.true_index(Side::Send).max(head);
        let consumed = head.saturating_sub(returned);
        let lost = lost.min(consumed);
        let received = consumed - lost;
        (tail.saturating_sub(returned), received, lost, tail.wrapping_sub(head))
    }
}
