//! The publisher's send: writing a slot under its seqlock stamp, and
//! under `BlockPublisher` waiting for the slowest live subscriber.

use super::*;

impl Bcast {
    /// Publishes `msg` to every subscriber attached now. Under
    /// [`Policy::BlockPublisher`] waits (`timeout_ms` as `Chan::send`) while
    /// a live subscriber has not yet taken the slot's previous message.
    /// Its sleeps are not cancellation points (the C function's are: it
    /// makes its attempts with [`Bcast::send_step`]).
    ///
    /// Errors: `EPERM` on a subscriber's handle or in another process than
    /// the publisher's; `EMSGSIZE`; `EBUSY` if another thread uses the
    /// handle; `EAGAIN`, `ETIMEDOUT`, `EINTR`.
    pub fn send(&self, msg: &[u8], timeout_ms: i32) -> Result<()> {
        drive(timeout_ms, |wait| self.send_step(msg, wait))
    }

    /// One attempt of [`Bcast::send`]: the caller keeps `wait` (made by
    /// `Wait::new(timeout_ms)`) across the attempts of one send and sleeps
    /// when asked to, so the sleep can happen outside any `catch_unwind`.
    pub fn send_step<'a>(&'a self, msg: &[u8], wait: &mut Wait<'a>) -> Result<Step<'a, ()>> {
        let Role::Publisher { min_cursor } = &self.role else {
            return Err(Error::new(libc::EPERM, "a subscriber's handle cannot send: only the publisher's can"));
        };
        let h = self.header();
        wait.attempt(&self.busy, || {
            if msg.len() as u64 > self.geo.max_msg {
                return Err(super::super::too_big(msg.len(), self.geo.max_msg));
            }
            if u64::from(self.me()?) != h.publisher.load(Ordering::Relaxed) {
                return Err(Error::new(
                    libc::EPERM,
                    "a broadcast channel has one publisher: the process that created it (not a child forked from it)",
                ));
            }
            Ok(())
        })?;
        let s = h.published.load(Ordering::Relaxed);
        if self.policy == Policy::BlockPublisher && s >= self.geo.capacity {
            let need = s + 1 - self.geo.capacity;
            if min_cursor.load(Ordering::Relaxed) < need {
                match self.wait_room(need, wait)? {
                    Step::Done(min) => min_cursor.store(min, Ordering::Relaxed),
                    Step::Sleep(sleep) => return Ok(Step::Sleep(sleep)),
                }
            }
        }
        let (stamp, len, data) = self.slot(s);
        stamp.store(writing(s), Ordering::Relaxed);
        fence(Ordering::Release);
        // SAFETY: `data` has room for max_msg >= msg.len() bytes inside the
        // slot; subscribers only read it and re-check the stamp afterwards.
        unsafe { std::ptr::copy_nonoverlapping(msg.as_ptr(), data, msg.len()) };
        len.store(msg.len() as u32, Ordering::Relaxed);
        stamp.store(done(s), Ordering::Release);
        h.published.store(s + 1, Ordering::SeqCst);
        wake(&h.data);
        Ok(Step::Done(()))
    }

    /// The smallest cursor of the live subscribers (`u64::MAX` without
    /// any), and whether one below `need` is alive.
    fn scan(&self, need: u64, me: u32, check: bool) -> u64 {
        let mut min = u64::MAX;
        for e in &self.header().subs {
            let w = e.word.load(Ordering::SeqCst);
            if w == 0 || w & JOINING != 0 {
                continue;
            }
            let c = e.cursor.load(Ordering::SeqCst);
            if c < need && check && !self.members.alive(w as u32, me) {
                // A dead subscriber stops counting.
                let _ = e.word.compare_exchange(w, 0, Ordering::SeqCst, Ordering::Relaxed);
                continue;
            }
            min = min.min(c);
        }
        min
    }

    /// Waits until every live subscriber's cursor is at least `need`: the
    /// smallest cursor seen, or the sleep to take before looking again.
    fn wait_room<'a>(&'a self, need: u64, wait: &mut Wait<'a>) -> Result<Step<'a, u64>> {
        let me = self.me()?;
        let h = self.header();
        loop {
            let min = self.scan(need, me, wait.spun());
            if min >= need {
                return Ok(Step::Done(min));
            }
            if wait.spin() {
                continue;
            }
            wait.slice("a subscriber has not yet taken the oldest message (policy RSIPC_CHAN_BLOCK_PUBLISHER)")?;
            let e = h.space.epoch.load(Ordering::SeqCst);
            h.space.sleepers.store(1, Ordering::SeqCst);
            if self.scan(need, me, false) >= need {
                continue;
            }
            return Ok(wait.sleep(&h.space, e));
        }
    }
}
