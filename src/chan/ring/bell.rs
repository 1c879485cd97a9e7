//! Pollable handles: a descriptor that `poll`/`epoll`/`select` report
//! readable when the channel has a message (or room) for this handle.
//!
//! The descriptor is a Unix datagram socket bound to a path in `/dev/shm`
//! (a *doorbell*, see `crate::sys::bell`), named by a random token that the
//! handle publishes in an entry of the header's doorbell table. A handle
//! *arms* its entry for a side when it finds nothing to do there (a send or
//! receive through it fails with `EAGAIN` or `ETIMEDOUT`, or `pollfd` is
//! first called), and raises [`POLLER`] in that side's wait word, exactly
//! as a futex sleeper raises [`SLEEPER`]. A sender that publishes a message
//! already looks at that word (it is how it finds futex sleepers), so while
//! nobody is armed a message costs nothing more; when the bit is up, the
//! waker disarms every armed entry of the side (one fetch-and each: exactly
//! one waker rings per arming) and rings its doorbell with one
//! non-blocking `sendto(2)`.
//!
//! Arming is ordered like a futex sleep: drain the socket, arm the entry,
//! raise the bit (SeqCst), then look at the channel again; if the look
//! finds work, disarm and ring our own doorbell. So either the waker sees
//! the bit or the look sees the message: no lost wake-up.
//!
//! A poller that died leaves an armed entry: the next waker's `sendto`
//! fails at once (`ECONNREFUSED`, nobody bound) and the entry stays
//! disarmed; the entry and the socket's file are reclaimed by the next
//! handle that needs an entry, and by [`Ring::sweep`].

use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::sync::atomic::{AtomicU8, Ordering};

use super::layout::{BellEntry, BELLS, POLLER};
use super::word::member_of;
use super::{Error, Look, Result, Ring, Side};
use crate::sys;
use crate::sys::bell::BellPath;

/// Bits of [`BellEntry::word`]: the entry's owner waits for this side
/// (indexed by `Side as usize`: a free slot for `Send`, a message for
/// `Recv`).
const ARMED: [u64; 2] = [1 << 33, 1 << 32];
/// How many tokens `make_bell` tries before giving up.
const BIND_TRIES: u32 = 16;

/// This handle's doorbell.
pub(crate) struct Bell {
    fd: sys::Fd,
    path: BellPath,
    /// The entry of the header's table this handle owns.
    entry: usize,
    /// The member id the entry names.
    member: u32,
    /// The process that made it (a forked child's copy of the handle does
    /// not poll through it).
    pid: u32,
    /// The sides asked for: bit `1 << side`.
    sides: AtomicU8,
}

impl Drop for Bell {
    fn drop(&mut self) {
        if self.pid == sys::chan::current_pid() {
            sys::bell::unlink(&self.path);
        }
    }
}

/// Which side's bit of `Bell::sides` (and `ARMED`).
fn side_bit(side: Side) -> u8 {
    1 << side as u8
}

impl Ring {
    /// The descriptor that becomes readable when the channel has a message
    /// (`recv`) or a free slot (`send`) for this handle; made at the first
    /// call, later calls add sides to it and return the same descriptor.
    pub fn pollfd(&self, recv: bool, send: bool) -> Result<BorrowedFd<'_>> {
        if !recv && !send {
            return Err(Error::new(libc::EINVAL, "events must contain POLLIN, POLLOUT or both"));
        }
        let me = self.me()?;
        let bell = match self.bell.get() {
            Some(bell) => bell,
            None => {
                let made = self.make_bell(me)?;
                if let Err(lost) = self.bell.set(made) {
                    // Another thread of this process made one first.
                    self.free_entry(&lost);
                }
                self.bell.get().expect("set above")
            }
        };
        if bell.pid != sys::chan::current_pid() {
            return Err(Error::new(
                libc::EBUSY,
                "this handle's descriptor belongs to the process that made it; \
                 a process forked from it must open the channel again to poll it",
            ));
        }
        let wanted = if recv { side_bit(Side::Recv) } else { 0 } | if send { side_bit(Side::Send) } else { 0 };
        if bell.sides.fetch_or(wanted, Ordering::AcqRel) & wanted != wanted {
            self.rearm(bell);
        }
        Ok(bell.fd.as_fd())
    }

    /// A socket and an entry of the table for this handle.
    fn make_bell(&self, me: u32) -> Result<Bell> {
        let mode = sys::chan::fstat(self.members.fd().as_raw_fd())?.st_mode;
        let mut tries = 0;
        let (fd, path, token) = loop {
            let token = sys::bell::random_token()?;
            let path = BellPath::new(token);
            match sys::bell::bind(&path, mode) {
                Ok(fd) => break (fd, path, token),
                Err(e) if e.errno() == libc::EADDRINUSE && tries < BIND_TRIES => tries += 1,
                Err(e) => return Err(e.because("could not make the doorbell socket in /dev/shm")),
            }
        };
        match self.claim_entry(me, token) {
            Some(entry) => {
                Ok(Bell { fd, path, entry, member: me, pid: sys::chan::current_pid(), sides: AtomicU8::new(0) })
            }
            None => {
                sys::bell::unlink(&path);
                Err(Error::new(libc::EBUSY, reason!("all {} doorbells of the channel belong to live handles", BELLS)))
            }
        }
    }

    /// Takes a free entry of the table (or one a dead process owned) for
    /// member `me` and doorbell `token`.
    fn claim_entry(&self, me: u32, token: u64) -> Option<usize> {
        for (i, e) in self.bells().iter().enumerate() {
            let w = e.word.load(Ordering::Acquire);
            let id = member_of(w);
            if id != 0 && self.alive(id, me) {
                continue;
            }
            let old = e.token.load(Ordering::Acquire);
            if e.word.compare_exchange(w, u64::from(me), Ordering::AcqRel, Ordering::Relaxed).is_ok() {
                if id != 0 && old != 0 {
                    sys::bell::unlink(&BellPath::new(old));
                }
                // Before the entry is ever armed (arming is SeqCst, and a
                // waker reads the token only after its fetch-and saw the
                // arming).
                e.token.store(token, Ordering::SeqCst);
                return Some(i);
            }
        }
        None
    }

    fn bells(&self) -> &[BellEntry; BELLS] {
        &self.header().bells
    }

    /// Gives `bell`'s entry back (unless another process took it over,
    /// judging this one dead).
    fn free_entry(&self, bell: &Bell) {
        if bell.pid != sys::chan::current_pid() {
            return;
        }
        let e = &self.bells()[bell.entry];
        let mut w = e.word.load(Ordering::Acquire);
        while member_of(w) == bell.member {
            match e.word.compare_exchange(w, 0, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => break,
                Err(now) => w = now,
            }
        }
    }

    /// Releases this handle's doorbell entry (before the mapping goes).
    pub fn release_bell(&self) {
        if let Some(bell) = self.bell.get() {
            self.free_entry(bell);
        }
    }

    /// A call through this handle found nothing to do on `side`: if the
    /// handle polls that side, re-arm its doorbell.
    #[cold]
    #[inline(never)]
    pub(super) fn idle_on(&self, side: Side) {
        if let Some(bell) = self.bell.get() {
            if bell.sides.load(Ordering::Acquire) & side_bit(side) != 0 && bell.pid == sys::chan::current_pid() {
                self.rearm(bell);
            }
        }
    }

    /// Drains the doorbell, arms it for every side it polls, raises
    /// [`POLLER`] there, and looks again (see the module documentation for
    /// the ordering). Every side, not only the one that found nothing to
    /// do: the drained bytes may have been rings for the other one.
    fn rearm(&self, bell: &Bell) {
        sys::bell::drain(bell.fd.as_raw_fd());
        let e = &self.bells()[bell.entry];
        if member_of(e.word.load(Ordering::Acquire)) != bell.member {
            // Taken over by a process that judged this one dead: nothing
            // will ring; do not scribble on its entry.
            return;
        }
        let sides = bell.sides.load(Ordering::Acquire);
        let mut ring = false;
        for side in [Side::Recv, Side::Send] {
            if sides & side_bit(side) == 0 {
                continue;
            }
            let armed = ARMED[side as usize];
            e.word.fetch_or(armed, Ordering::SeqCst);
            self.wait_word(side).sleepers.fetch_or(POLLER, Ordering::SeqCst);
            if self.has_work(side) && e.word.fetch_and(!armed, Ordering::SeqCst) & armed != 0 {
                ring = true;
            }
        }
        if ring {
            let _ = sys::bell::ring(&bell.path);
        }
    }

    /// Whether a call on `side` may proceed now: a message (or a free slot)
    /// at the index, a slot held by a dead peer (the call recovers it), or
    /// a state the call will report.
    fn has_work(&self, side: Side) -> bool {
        let Ok(me) = self.me() else { return true };
        let p = self.true_index(side);
        let pos = self.pos(p);
        let w = Self::state(pos).load(Ordering::SeqCst);
        let look = match side {
            Side::Send => Self::look_send(w, pos.lap),
            Side::Recv => Self::look_recv(w, pos.lap),
        };
        match look {
            Look::Idle => false,
            Look::Held(id) => !self.alive(id, me),
            Look::Ready | Look::Taken | Look::Inconsistent => true,
        }
    }

    /// Rings every doorbell armed for `side` (the waker found [`POLLER`]
    /// raised), disarming each: exactly one waker rings per arming.
    #[cold]
    #[inline(never)]
    pub(super) fn ring_bells(&self, side: Side) {
        let armed = ARMED[side as usize];
        for e in self.bells() {
            if e.word.load(Ordering::Relaxed) & armed != 0 && e.word.fetch_and(!armed, Ordering::SeqCst) & armed != 0 {
                let token = e.token.load(Ordering::Acquire);
                // A dead poller: nobody bound, the send fails at once.
                let _ = sys::bell::ring(&BellPath::new(token));
            }
        }
    }

    /// Frees the entries of dead pollers and removes their sockets' files.
    pub(super) fn sweep_bells(&self, me: u32) {
        for e in self.bells() {
            let w = e.word.load(Ordering::Acquire);
            let id = member_of(w);
            if id == 0 || self.alive(id, me) {
                continue;
            }
            let token = e.token.load(Ordering::Acquire);
            if e.word.compare_exchange(w, 0, Ordering::AcqRel, Ordering::Relaxed).is_ok() && token != 0 {
                sys::bell::unlink(&BellPath::new(token));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::chan::Chan;

    #[test]
    fn only_the_first_send_after_arming_takes_the_slow_path() {
        let ch = Chan::create(None, 8, 16, 0o600).unwrap();
        let mut buf = [0u8; 8];
        // Not polled: nobody is announced, no send takes the slow path.
        ch.send(b"a", 0).unwrap();
        assert!(!ch.ring.has_sleepers(true));
        assert_eq!(ch.recv(&mut buf, 0).unwrap(), 1);
        // Polled and armed (the channel is empty): the first send sees the
        // announcement and rings; it is gone for the sends after it.
        ch.pollfd(libc::POLLIN).unwrap();
        assert!(ch.ring.has_sleepers(true));
        ch.send(b"b", 0).unwrap();
        assert!(!ch.ring.has_sleepers(true));
        for _ in 0..10 {
            ch.send(b"c", 0).unwrap();
            assert!(!ch.ring.has_sleepers(true));
        }
        // Receiving until EAGAIN re-arms it.
        while ch.recv(&mut buf, 0).is_ok() {}
        assert!(ch.ring.has_sleepers(true));
        // The writable side was not asked for: never announced.
        assert!(!ch.ring.has_sleepers(false));
    }
}
