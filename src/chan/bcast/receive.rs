//! A subscriber's receive: the seqlock read of its next slot, a lapped
//! subscriber's counted losses, and the cursor it moves.

use super::*;

impl Bcast {
    /// Takes this subscriber's next message into `buf`; returns its length.
    /// Waits (`timeout_ms` as `Chan::recv`) while there is none. Its sleeps
    /// are not cancellation points (the C function's are: it makes its
    /// attempts with [`Bcast::recv_step`]).
    ///
    /// Errors: `EPERM` on the publisher's handle; `EBUSY` if another
    /// thread uses the handle, or in a process forked from the
    /// subscriber's; `EMSGSIZE` if the message is longer than `buf` (it
    /// stays next); `EPIPE` once every message is taken and the publisher
    /// closed its handle or died; `EAGAIN`, `ETIMEDOUT`, `EINTR`.
    pub fn recv(&self, buf: &mut [u8], timeout_ms: i32) -> Result<usize> {
        drive(timeout_ms, |wait| self.recv_step(buf, wait))
    }

    /// One attempt of [`Bcast::recv`], as [`Bcast::send_step`].
    pub fn recv_step<'a>(&'a self, buf: &mut [u8], wait: &mut Wait<'a>) -> Result<Step<'a, usize>> {
        let &Role::Subscriber { entry, id } = &self.role else {
            return Err(Error::new(libc::EPERM, "the publisher's handle cannot receive: subscribe to receive"));
        };
        wait.attempt(&self.busy, || {
            if self.me()? != id {
                return Err(Error::new(
                    libc::EBUSY,
                    "a subscription belongs to the process that subscribed (this one was forked from it): subscribe again",
                ));
            }
            Ok(())
        })?;
        let h = self.header();
        let e = &h.subs[entry];
        loop {
            let c = e.cursor.load(Ordering::Relaxed);
            let (stamp, len_word, data) = self.slot(c);
            let st = stamp.load(Ordering::Acquire);
            if st == done(c) {
                let len = (len_word.load(Ordering::Relaxed) as u64).min(self.geo.max_msg) as usize;
                let n = len.min(buf.len());
                // SAFETY: `data` holds max_msg >= n bytes inside the slot;
                // the copy is used only if the stamp is unchanged after it.
                unsafe { std::ptr::copy_nonoverlapping(data, buf.as_mut_ptr(), n) };
                fence(Ordering::Acquire);
                if stamp.load(Ordering::Relaxed) != st {
                    continue; // overwritten meanwhile: lapped, seen next turn
                }
                if len > buf.len() {
                    return Err(err!(libc::EMSGSIZE, "the message has {} bytes; the buffer holds {}", len, buf.len()));
                }
                e.received.fetch_add(1, Ordering::Relaxed);
                self.advance(e, c + 1);
                return Ok(Step::Done(len));
            }
            if st > writing(c) {
                // Lapped: the slot holds a later message.
                let p = h.published.load(Ordering::Acquire);
                // The oldest message that may still be intact; if the
                // publisher overwrites it meanwhile, its stamp says so.
                let next = (c + 1).max(p.saturating_sub(self.geo.capacity));
                e.lost.fetch_add(next - c, Ordering::Relaxed);
                self.advance(e, next);
                continue;
            }
            // Message c is not published yet.
            if wait.spin() {
                continue;
            }
            if let Some(gone) = self.publisher_gone(id) {
                // Published before it went? Then take it first.
                if h.published.load(Ordering::Acquire) > c {
                    continue;
                }
                return Err(gone);
            }
            wait.slice("no message has been published")?;
            let ep = h.data.epoch.load(Ordering::SeqCst);
            h.data.sleepers.store(1, Ordering::SeqCst);
            if h.published.load(Ordering::SeqCst) > c {
                continue;
            }
            return Ok(wait.sleep(&h.data, ep));
        }
    }

    /// `EPIPE` if no message can come any more: the publisher closed its
    /// handle, or its process ended (its liveness lock is gone; `me` is
    /// this subscriber's member id).
    fn publisher_gone(&self, me: u32) -> Option<Error> {
        let w = self.header().publisher.load(Ordering::Acquire);
        let why = if w & PUBLISHER_GONE != 0 {
            "closed its handle"
        } else if !self.members.alive(w as u32, me) {
            "ended"
        } else {
            return None;
        };
        Some(err!(libc::EPIPE, "the publisher (member {}) {}: every message it published was received", w as u32, why))
    }

    fn advance(&self, e: &SubEntry, to: u64) {
        if self.policy == Policy::BlockPublisher {
            e.cursor.store(to, Ordering::SeqCst);
            wake(&self.header().space);
        } else {
            e.cursor.store(to, Ordering::Release);
        }
    }
}
