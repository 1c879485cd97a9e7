//! Sending: claim the next free slot, copy the message in, publish it.

use std::sync::atomic::Ordering;

use super::fault;
use super::index::advance;
use super::wait::{Blocked, Step, Wait};
use super::word::{word, Phase};
use super::{taken_from_us, Holder, Look, Pos, Result, Ring, Side};

impl Ring {
    /// One attempt to copy `msg` into the next free slot (the caller checked
    /// its length against `max_msg`): `Done` once sent, `Sleep` when the
    /// call has to sleep before it looks again (the caller sleeps, tells
    /// `wait` how the sleep ended, and calls again with the same `wait`).
    #[inline]
    pub fn send(&self, msg: &[u8], wait: &mut Wait) -> Result<Step<'_, ()>> {
        let me = self.me()?;
        let claimed = if wait.is_fresh() {
            let t = self.header().tail.load(Ordering::Relaxed);
            match self.claim_blindly(t, Phase::Empty, Phase::Writing, me) {
                Ok(pos) => return self.fill(pos, t, msg, me).map(Step::Done),
                Err(w) => self.send_waiting(wait, me, Some((t, w)))?,
            }
        } else {
            wait.resume()?;
            self.send_waiting(wait, me, None)?
        };
        match claimed {
            Step::Done((pos, t)) => self.fill(pos, t, msg, me).map(Step::Done),
            Step::Sleep(sleep) => Ok(Step::Sleep(sleep)),
        }
    }

    /// One attempt to claim the next free slot for a sender (as
    /// [`Ring::send`], which then fills it; a loan hands it to the caller):
    /// `Done((slot, position))` once claimed (`Writing` by `me`).
    #[inline]
    pub(super) fn claim_send(&self, wait: &mut Wait, me: u32) -> Result<Step<'_, (Pos, u64)>> {
        if wait.is_fresh() {
            let t = self.header().tail.load(Ordering::Relaxed);
            return match self.claim_blindly(t, Phase::Empty, Phase::Writing, me) {
                Ok(pos) => Ok(Step::Done((pos, t))),
                Err(w) => self.send_waiting(wait, me, Some((t, w))),
            };
        }
        wait.resume()?;
        self.send_waiting(wait, me, None)
    }

    /// Claims position `p` with one compare-exchange from the word it has
    /// when free for this call (`Empty` of its lap for a sender, `Full` for
    /// a receiver) to `to` by `me`, so the slot's line is fetched once, for
    /// writing, instead of read and then upgraded. On failure, the word
    /// found.
    #[inline]
    pub(super) fn claim_blindly(&self, p: u64, from: Phase, to: Phase, me: u32) -> std::result::Result<Pos, u64> {
        let pos = self.pos(p);
        Self::state(pos)
            .compare_exchange(word(pos.lap, from, 0), word(pos.lap, to, me), Ordering::Acquire, Ordering::Acquire)
            .map(|_| pos)
    }

    /// The rest of a sender's claim: `first` is the position and slot word
    /// its first attempt found, `None` to look afresh (after a sleep).
    /// `Done((slot, position))` once the slot is claimed (`Writing` by `me`).
    #[inline(never)]
    pub(super) fn send_waiting(
        &self,
        wait: &mut Wait,
        me: u32,
        first: Option<(u64, u64)>,
    ) -> Result<Step<'_, (Pos, u64)>> {
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
                        return Ok(Step::Done((pos, t)));
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
                    if let Blocked::Sleep(sleep) = self.block(Side::Send, wait, state, w, None, None)? {
                        return Ok(Step::Sleep(sleep));
                    }
                }
                // The holder is the receiver of the previous lap's position.
                Look::Held(id) => {
                    let holder = Holder { id, me, position: t.wrapping_sub(self.geo.capacity) };
                    if let Blocked::Sleep(sleep) = self.block(Side::Send, wait, state, w, Some(holder), None)? {
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
                        return Ok(Step::Done((pos, t)));
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
    pub(super) fn fill(&self, pos: Pos, t: u64, msg: &[u8], me: u32) -> Result<()> {
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
}
