//! Receiving: claim the next complete message, copy it out, free the slot.

use std::sync::atomic::Ordering;

use super::fault;
use super::index::advance;
use super::wait::{Blocked, Step, Wait};
use super::word::{word, Phase};
use super::{corrupt, taken_from_us, Error, Holder, Look, Pos, Result, Ring, Side};

impl Ring {
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
            return self.recv_then_drain(buf, wait, me, Some((h, w)));
        }
        wait.resume()?;
        self.recv_then_drain(buf, wait, me, None)
    }

    /// [`Ring::recv_waiting`], then the copy out of the slot it claimed.
    #[inline(always)]
    fn recv_then_drain(
        &self,
        buf: &mut [u8],
        wait: &mut Wait,
        me: u32,
        first: Option<(u64, u64)>,
    ) -> Result<Step<'_, usize>> {
        match self.recv_waiting(buf.len(), wait, me, first)? {
            Step::Done((pos, h)) => self.drain(pos, h, buf, me).map(Step::Done),
            Step::Sleep(sleep) => Ok(Step::Sleep(sleep)),
        }
    }

    /// One attempt to claim the next complete message for a receiver with
    /// room for any message (a borrow): `Done((slot, position))` once
    /// claimed (`Reading` by `me`).
    #[inline]
    pub(super) fn claim_recv(&self, wait: &mut Wait, me: u32) -> Result<Step<'_, (Pos, u64)>> {
        let cap = self.geo.max_msg as usize;
        if wait.is_fresh() {
            let h = self.header().head.load(Ordering::Relaxed);
            return match self.claim_blindly(h, Phase::Full, Phase::Reading, me) {
                Ok(pos) => Ok(Step::Done((pos, h))),
                Err(w) => self.recv_waiting(cap, wait, me, Some((h, w))),
            };
        }
        wait.resume()?;
        self.recv_waiting(cap, wait, me, None)
    }

    /// The rest of a receiver's claim, as [`Ring::send_waiting`], for a
    /// caller with room for `cap` bytes (`EMSGSIZE`, message left queued, if
    /// the next one is longer): `Done((slot, position))` once claimed
    /// (`Reading` by `me`).
    #[inline(never)]
    fn recv_waiting(
        &self,
        cap: usize,
        wait: &mut Wait,
        me: u32,
        first: Option<(u64, u64)>,
    ) -> Result<Step<'_, (Pos, u64)>> {
        let head = &self.header().head;
        let (mut h, mut w) = match first {
            Some(found) => found,
            None => {
                let h = head.load(Ordering::Relaxed);
                (h, Self::state(self.pos(h)).load(Ordering::Acquire))
            }
        };
        let roomy = cap as u64 >= self.geo.max_msg;
        loop {
            let pos = self.pos(h);
            let state = Self::state(pos);
            match Self::look_recv(w, pos.lap) {
                Look::Ready => {
                    // The length was stored before the Full word we acquired,
                    // and cannot change while the word stays Full for this lap.
                    let len = Self::len_word(pos).load(Ordering::Relaxed) as usize;
                    if len > cap && len as u64 <= self.geo.max_msg {
                        return Err(Error::new(
                            libc::EMSGSIZE,
                            reason!("the next message has {} bytes but the buffer holds {}; it stays queued", len, cap),
                        ));
                    }
                    let claimed = word(pos.lap, Phase::Reading, me);
                    if state.compare_exchange(w, claimed, Ordering::Acquire, Ordering::Relaxed).is_ok() {
                        self.settle(Side::Recv, wait);
                        return Ok(Step::Done((pos, h)));
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
                    // With room for any message, the spin may claim it as
                    // soon as it is published (see `Ring::block`).
                    let claim = roomy.then(|| (word(pos.lap, Phase::Full, 0), word(pos.lap, Phase::Reading, me)));
                    match self.block(Side::Recv, wait, state, w, None, claim)? {
                        Blocked::Sleep(sleep) => return Ok(Step::Sleep(sleep)),
                        Blocked::Claimed => {
                            self.settle(Side::Recv, wait);
                            return Ok(Step::Done((pos, h)));
                        }
                        Blocked::Again => {}
                    }
                }
                Look::Held(id) => {
                    let holder = Holder { id, me, position: h };
                    if let Blocked::Sleep(sleep) = self.block(Side::Recv, wait, state, w, Some(holder), None)? {
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
                        return Ok(Step::Done((pos, h)));
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
}
