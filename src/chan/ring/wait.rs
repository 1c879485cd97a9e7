//! Waiting and waking: the spin, the futex sleep and its announcement, and
//! the per-call waiting state.

use std::sync::atomic::{fence, AtomicU32, AtomicU64, Ordering};

use super::errors::Impossible;
use super::index::STEP_SLACK;
use super::layout::{WaitWord, POLLER, SLEEPER};
use super::spin::HELD_SPIN_PAUSES;
use super::spin::SPIN_AFTER_WAKE;
use super::word::{phase_of, Phase};
use super::{corrupt, timed_out, would_block, Error, Holder, Result, Ring, Side};
use crate::chan::Progress;
use crate::sys;

/// Sleep length while a peer holds the slot (doubling from the first value
/// up to the second): the peer is checked for liveness at each wake-up.
const HELD_RECHECK_MS: (u64, u64) = (1, 100);
/// Sleep length while merely idle: waking now and then lets a waiter find
/// a peer that died holding its slot without waking anyone.
const IDLE_RECHECK_MS: u64 = 250;
/// How often (in positions stepped over) a call checks its deadline.
const STEPS_PER_CLOCK_CHECK: u64 = 256;

impl Ring {
    /// One step of waiting while slot word `state` holds `seen`: spin a
    /// little (the side's [`SpinBudget`]), then (if a peer holds the slot)
    /// check that the peer lives and recover the slot if it died, then
    /// ask the caller to sleep until woken, the recheck period passes, or
    /// the deadline. `claim` (a receiver's `Full` word of its position and
    /// its `Reading` word; see the spin below) lets the spin claim the
    /// message itself. Returns [`Blocked::Again`] to make the caller look
    /// again, [`Blocked::Sleep`] to sleep first, [`Blocked::Claimed`] once
    /// `claim` succeeded; `EAGAIN`/`ETIMEDOUT` to give up.
    pub(super) fn block(
        &self,
        side: Side,
        wait: &mut Wait,
        state: &AtomicU64,
        seen: u64,
        holder: Option<Holder>,
        claim: Option<(u64, u64)>,
    ) -> Result<Blocked<'_>> {
        wait.steps = 0;
        if wait.timeout_ms == 0 && holder.is_none() {
            self.check_indices()?;
            self.idle_on(side);
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
            //
            // A receiver of a one-line channel (the message shares the state
            // word's line), waiting at a slot that is empty (not one the
            // previous lap's receiver still reads), looks with a
            // compare-exchange instead of a load: the claim itself when
            // `claim` is given (from its position's `Full` word to its
            // `Reading` word), else the word with itself (which changes
            // nothing). Either fails while the slot stays as it was and
            // brings the line in exclusive, so once the sender has
            // published, the receiver's first look claims the message: one
            // transfer of the line instead of a transfer for the load and an
            // upgrade (the sender's copy invalidated) for the claim. The
            // sender's own claim has to fetch the line from the receiver
            // either way. Measured with the paired "awake one-way" rows of
            // `benches/` on the 2-vCPU benchmark machine, against the
            // previous library minutes apart: 45-63 ns one-way instead of
            // 62-71. Senders, and receivers of larger messages, keep
            // loading: there the peer works on the line between its claim
            // and its release or publication, and taking it away costs more
            // than the upgrade (4 KiB streams were 10-20% slower). Two or
            // four pauses between the compare-exchanges, or none, were
            // slower.
            let exclusive =
                side == Side::Recv && holder.is_none() && self.geo.one_line() && phase_of(seen) == Phase::Empty;
            if exclusive {
                let (expect, new) = claim.unwrap_or((seen, seen));
                while wait.spins < wait.limit {
                    wait.spins += 1;
                    std::hint::spin_loop();
                    match state.compare_exchange(expect, new, Ordering::Acquire, Ordering::Relaxed) {
                        Ok(_) if claim.is_some() => return Ok(Blocked::Claimed),
                        Ok(_) => {}
                        Err(now) if now == seen => {}
                        Err(_) => break,
                    }
                }
            } else {
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
            }
            return Ok(Blocked::Again);
        }
        if let Some(holder) = holder {
            if !self.alive(holder.id, holder.me) {
                self.recover(state, seen, holder.position);
                wait.spins = 0;
                return Ok(Blocked::Again);
            }
        }
        // About to give up or sleep: the cost of a look at both indices no
        // longer matters, and a corrupted one is better reported now.
        self.check_indices()?;
        if wait.timeout_ms == 0 {
            self.idle_on(side);
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
                self.idle_on(side);
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
        ww.sleepers.fetch_or(SLEEPER, Ordering::SeqCst);
        if state.load(Ordering::SeqCst) != seen {
            return Ok(Blocked::Again);
        }
        wait.slept = true;
        wait.after_wake = wait.limit - wait.limit.min(SPIN_AFTER_WAKE);
        wait.sleeping = true;
        wait.expected = epoch;
        wait.until = until;
        Ok(Blocked::Sleep(Sleep { word: &ww.epoch }))
    }

    /// A call claims its slot: if it had to wait, adapt the side's spin
    /// budget to how the wait ended.
    #[inline]
    pub(super) fn settle(&self, side: Side, wait: &Wait) {
        if wait.limit != 0 {
            self.spin[side as usize].learn(wait.spins, wait.slept);
        }
    }

    #[inline]
    pub(super) fn wait_word(&self, side: Side) -> &WaitWord {
        match side {
            Side::Send => &self.header().not_full,
            Side::Recv => &self.header().not_empty,
        }
    }

    /// After changing a slot with a plain store or a CAS, wakes the waiters
    /// of `side` if any announced themselves.
    #[inline]
    pub(super) fn wake(&self, side: Side) {
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
    pub(super) fn wake_after_swap(&self, side: Side) {
        let ww = self.wait_word(side);
        if ww.sleepers.load(Ordering::SeqCst) != 0 {
            self.wake_slow(side, ww);
        }
    }

    #[cold]
    #[inline(never)]
    fn wake_slow(&self, side: Side, ww: &WaitWord) {
        let announced = ww.sleepers.swap(0, Ordering::SeqCst);
        if announced & SLEEPER != 0 {
            ww.epoch.fetch_add(1, Ordering::SeqCst);
            // Everyone: each sleeper looks again and re-announces itself if
            // it still has to wait. A dead sleeper's stale flag costs one
            // such wake-up and is then gone.
            let _ = sys::futex_wake(&ww.epoch, i32::MAX, true);
        }
        if announced & POLLER != 0 {
            self.ring_bells(side);
        }
    }
}

/// What one step of waiting ([`Ring::block`]) came to.
pub(super) enum Blocked<'a> {
    /// Look at the slot again.
    Again,
    /// The spin claimed the message (see `claim` of [`Ring::block`]).
    Claimed,
    /// Sleep first, then look again.
    Sleep(Sleep<'a>),
}

/// What one attempt of a send or receive came to (see [`Progress`]).
/// Nothing is held while the call sleeps (no slot is claimed; the
/// announcement in the wait word costs at most one spurious wake-up), so a
/// thread cancelled in the sleep leaves the channel as it was.
pub type Step<'a, T> = Progress<Sleep<'a>, T>;

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
    pub(super) spins: u32,
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
    pub(super) fn is_fresh(&mut self) -> bool {
        std::mem::replace(&mut self.fresh, false)
    }

    /// Records how the sleep of the last [`Step::Sleep`] ended: 0 if woken,
    /// else its errno.
    pub fn woke(&mut self, errno: i32) {
        self.woke = errno;
    }

    /// Takes in the outcome of the sleep before a new attempt.
    pub(super) fn resume(&mut self) -> Result<()> {
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
    pub(super) fn deadline(&mut self) -> Result<Option<libc::timespec>> {
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
    pub(super) fn lost_race(&mut self) {
        self.steps = 0;
    }

    /// The call stepped over position `p`, found claimed. In a sound ring a
    /// call steps over at most about a lap of positions in a row (see
    /// `Ring::past_taken`); many more means the index or the slot words are
    /// corrupted. The deadline is checked now and then too, so no number of
    /// steps outlasts the timeout.
    pub(super) fn stepped(&mut self, side: Side, p: u64, capacity: u64) -> Result<()> {
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
    pub(super) fn inconsistent(&mut self, p: u64, w: u64) -> Result<()> {
        if self.last_inconsistent == Some((p, w)) {
            return Err(corrupt(reason!("{}", Impossible(p, w))));
        }
        self.last_inconsistent = Some((p, w));
        Ok(())
    }
}
