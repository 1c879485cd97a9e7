//! How broadcast calls wait: the per-handle busy flag, deadlines cut into
//! re-check slices, the spin with its yields, and the futex sleep and wake.

use super::*;

/// Clears `busy` when a call ends.
pub(super) struct Busy<'a>(pub(super) &'a AtomicBool);

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// A deadline for a call's waits.
pub(super) struct Deadline {
    timeout_ms: i32,
    until: Option<Option<libc::timespec>>,
}

impl Deadline {
    pub(super) fn new(timeout_ms: i32) -> Deadline {
        Deadline { timeout_ms, until: None }
    }

    /// Milliseconds to sleep now at most (`RECHECK_MS` or less), or the
    /// error for a call that may wait no longer.
    pub(super) fn slice(&mut self, what: &'static str) -> Result<u64> {
        if self.timeout_ms == 0 {
            return Err(Error::new(libc::EAGAIN, what));
        }
        if self.until.is_none() {
            self.until =
                Some(if self.timeout_ms < 0 { None } else { Some(sys::deadline_after_ms(self.timeout_ms as u64)?) });
        }
        match self.until.flatten() {
            None => Ok(RECHECK_MS),
            Some(d) => match sys::ms_until(&d)? {
                0 => Err(Error::new(libc::ETIMEDOUT, what)),
                ms => Ok((ms as u64).min(RECHECK_MS)),
            },
        }
    }
}

/// One turn of a spin: a pause, and every [`YIELD_EVERY`] turns a
/// `sched_yield`, so that on a machine with fewer cores than subscribers
/// the peers a waiter waits for get to run.
#[inline]
pub(super) fn spin(spins: &mut u32) {
    *spins += 1;
    if *spins % YIELD_EVERY == 0 {
        sys::process::yield_now();
    } else {
        std::hint::spin_loop();
    }
}

/// Wakes every sleeper on `w` if one announced itself.
#[inline]
pub(super) fn wake(w: &WaitWord) {
    if w.sleepers.load(Ordering::SeqCst) != 0 {
        w.sleepers.store(0, Ordering::SeqCst);
        w.epoch.fetch_add(1, Ordering::SeqCst);
        let _ = sys::futex_wake(&w.epoch, i32::MAX, true);
    }
}

/// Sleeps on `w` while its epoch is `e`, for at most `ms`.
pub(super) fn sleep(w: &WaitWord, e: u32, ms: u64) -> Result<()> {
    let until = sys::deadline_after_ms(ms)?;
    match sys::futex_wait(&w.epoch, e, true, Some(&until), sys::FutexClock::Monotonic) {
        Ok(()) => Ok(()),
        Err(err) if err.errno() == libc::EAGAIN || err.errno() == libc::ETIMEDOUT => Ok(()),
        Err(_) => Err(Error::new(libc::EINTR, "a signal handler interrupted the wait")),
    }
}
