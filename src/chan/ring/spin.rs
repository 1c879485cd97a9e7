//! How long a blocked call spins before it sleeps.

use std::sync::atomic::{AtomicU32, Ordering};

/// The longest a blocked call spins on the slot before it sleeps: about
/// 25 us on current x86 (a `pause` is 10-40 ns), the order of one futex
/// sleep/wake, so spinning never costs much more than sleeping would.
const SPIN_MAX: u32 = 1000;
/// The shortest spin (see [`SpinBudget`]): well under a microsecond.
const SPIN_MIN: u32 = 4;
/// One wait in this many spins the full [`SPIN_MAX`] whatever the budget,
/// to find out whether spinning has started to pay again. It bounds how
/// long a budget that collapsed while the peer was away (preempted: every
/// wait slept, each halving the budget) keeps a ping-pong whose peer is
/// back and answering within a microsecond in sleep mode: up to this many
/// waits minus one, each paying a futex wake-up (5-15 us on the 2-vCPU
/// benchmark machine). At 256, one collapse cost about 3 ms of sleeps,
/// more than a whole 20000-round-trip benchmark repetition at 60 ns a
/// message; that is what made the awake row's mean read 110-300 ns on some
/// runs (`RSIPC_BENCH_VERBOSE=1 rsipc_bench --filter 'awake, p50'` shows
/// bursts of exactly 254-255 sleeps). A waiter whose peer really is slow
/// pays one full spin (about 25 us) per this many messages that each came
/// more than a spin apart: under 3% of its time.
const SPIN_PROBE_EVERY: u32 = 32;
/// Pauses between two looks at a slot that a peer holds (see `Ring::block`);
/// each counts as a spin of the budget.
pub(super) const HELD_SPIN_PAUSES: u32 = 8;
/// Spins after a wake-up before sleeping again (at most the call's budget).
pub(super) const SPIN_AFTER_WAKE: u32 = 100;

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
pub(super) struct SpinBudget {
    limit: AtomicU32,
    waits: AtomicU32,
}

impl SpinBudget {
    pub(super) fn new() -> SpinBudget {
        SpinBudget { limit: AtomicU32::new(SPIN_MAX), waits: AtomicU32::new(0) }
    }

    /// The spins a call may make, fixed when it first has to wait (>= 1).
    pub(super) fn for_wait(&self) -> u32 {
        let n = self.waits.load(Ordering::Relaxed).wrapping_add(1);
        self.waits.store(n, Ordering::Relaxed);
        if n % SPIN_PROBE_EVERY == 0 {
            SPIN_MAX
        } else {
            self.limit.load(Ordering::Relaxed).clamp(SPIN_MIN, SPIN_MAX)
        }
    }

    /// A call that waited succeeds: `spins` spent, `slept` if it slept.
    pub(super) fn learn(&self, spins: u32, slept: bool) {
        let old = self.limit.load(Ordering::Relaxed);
        let new =
            if slept { old / 2 } else { old.saturating_mul(2).max(spins.saturating_mul(4)) }.clamp(SPIN_MIN, SPIN_MAX);
        if new != old {
            self.limit.store(new, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
