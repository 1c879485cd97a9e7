//! How broadcast calls wait: the per-call waiting state (the handle's busy
//! flag, the deadline cut into re-check slices, the spin with its yields),
//! the futex sleep (a cancellation point on the C path) and the wake.
//!
//! A send or receive is made of attempts, as the point-to-point channel's
//! (`ring::wait`): an attempt that has to sleep announces itself in the
//! wait word and hands a [`Sleep`] back to its caller, which sleeps and then
//! makes the next attempt. The C shims sleep outside their guard's
//! `catch_unwind`, so that a `pthread_cancel` can unwind the thread from
//! inside the sleep (see `crate::sys::cancel`); the call's [`Wait`] is
//! dropped on the way, which gives the handle's busy flag back. Nothing
//! else is held while a call sleeps: a subscriber's cursor moves only
//! after a copy that an attempt completes, a publisher writes a slot only
//! once it has room, and the announcement costs at most one spurious
//! wake-up.

use super::*;
use crate::chan::Progress;
use crate::sys::Cancel;

/// The handle taken by one call (its `busy` flag set), given back when the
/// call ends, also when a cancel unwinds it.
pub(super) struct Busy<'a>(&'a AtomicBool);

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// What one attempt of a broadcast send or receive came to (see
/// [`Progress`]); nothing is held while the call sleeps.
pub type Step<'a, T> = Progress<Sleep<'a>, T>;

/// A futex sleep an attempt asked for: the word; the value it must still
/// hold and the end of the sleep are in the call's [`Wait`].
#[derive(Clone, Copy)]
pub struct Sleep<'a> {
    word: &'a AtomicU32,
}

impl Sleep<'_> {
    /// Sleeps (not a cancellation point); 0 when woken, else the errno
    /// (`EAGAIN`, `ETIMEDOUT`, `EINTR`).
    pub fn sleep(&self, wait: &Wait<'_>) -> i32 {
        // SAFETY: Cancel::Never cannot unwind.
        unsafe { self.sleep_as(Cancel::Point, wait) }
    }

    /// [`Sleep::sleep`] as a thread-cancellation point: a pending or
    /// arriving cancel unwinds the thread from inside the sleep.
    ///
    /// # Safety
    /// No `catch_unwind` frame may be on the calling thread's stack.
    pub unsafe fn sleep_cancellable(&self, wait: &Wait<'_>) -> i32 {
        // SAFETY: forwarded from this function's contract.
        unsafe { self.sleep_as(Cancel::Point, wait) }
    }

    /// # Safety
    /// With [`Cancel::Point`], as for `crate::sys::cancel::syscall`.
    unsafe fn sleep_as(&self, how: Cancel, wait: &Wait<'_>) -> i32 {
        // SAFETY: forwarded from this function's contract.
        let slept = unsafe {
            sys::futex_wait_as(how, self.word, wait.expected, true, Some(&wait.until), sys::FutexClock::Monotonic)
        };
        match slept {
            Ok(()) => 0,
            Err(e) => e.errno(),
        }
    }
}

/// Per-call waiting state of a broadcast send or receive, kept by the
/// caller across the call's attempts.
pub struct Wait<'a> {
    timeout_ms: i32,
    /// The absolute deadline, fixed when the call first sleeps (`Some(None)`:
    /// none).
    deadline: Option<Option<libc::timespec>>,
    spins: u32,
    /// The handle, taken by the call's first attempt.
    busy: Option<Busy<'a>>,
    /// The value the word of the sleep asked for must still hold.
    expected: u32,
    /// When that sleep ends at the latest (absolute, `CLOCK_MONOTONIC`).
    until: libc::timespec,
    /// How the last sleep ended (0 or an errno), not yet taken in.
    woke: Option<i32>,
}

impl<'a> Wait<'a> {
    pub fn new(timeout_ms: i32) -> Wait<'a> {
        Wait {
            timeout_ms,
            deadline: None,
            spins: 0,
            busy: None,
            expected: 0,
            until: libc::timespec { tv_sec: 0, tv_nsec: 0 },
            woke: None,
        }
    }

    /// Records how the sleep of the last [`Step::Sleep`] ended: 0 if woken,
    /// else its errno.
    pub fn woke(&mut self, errno: i32) {
        self.woke = Some(errno);
    }

    /// At the start of each attempt: on the call's first, runs `checks` and
    /// takes the handle `busy` (`EBUSY` if another thread uses it); on a
    /// later one, takes in how the sleep before it ended (`EINTR` for a
    /// signal handler).
    pub(super) fn attempt(&mut self, busy: &'a AtomicBool, checks: impl FnOnce() -> Result<()>) -> Result<()> {
        if self.busy.is_none() {
            checks()?;
            if busy.swap(true, Ordering::Acquire) {
                return Err(Error::new(libc::EBUSY, "another thread is using this broadcast handle"));
            }
            self.busy = Some(Busy(busy));
            return Ok(());
        }
        match self.woke.take() {
            None | Some(0 | libc::EAGAIN | libc::ETIMEDOUT) => Ok(()),
            Some(libc::EINTR) => Err(Error::new(libc::EINTR, "a signal handler interrupted the wait")),
            Some(errno) => Err(Error::from_errno(errno)),
        }
    }

    /// One turn of the spin before sleeping, if the spin is not over:
    /// a pause, and every [`YIELD_EVERY`] turns a `sched_yield`, so that on
    /// a machine with fewer cores than subscribers the peers a waiter waits
    /// for get to run.
    #[inline]
    pub(super) fn spin(&mut self) -> bool {
        if self.spins >= SPINS {
            return false;
        }
        self.spins += 1;
        if self.spins % YIELD_EVERY == 0 {
            sys::process::yield_now();
        } else {
            std::hint::spin_loop();
        }
        true
    }

    /// Whether the spin is over (a waiter then checks its peers' liveness).
    #[inline]
    pub(super) fn spun(&self) -> bool {
        self.spins >= SPINS
    }

    /// Before a sleep: the error for a call that may wait no longer
    /// (`EAGAIN` without a timeout, `ETIMEDOUT` past it, saying `what` it
    /// waited for), else the end of the next sleep, `RECHECK_MS` away at
    /// most.
    pub(super) fn slice(&mut self, what: &'static str) -> Result<()> {
        if self.timeout_ms == 0 {
            return Err(Error::new(libc::EAGAIN, what));
        }
        let deadline = match self.deadline {
            Some(d) => d,
            None => {
                let d = if self.timeout_ms < 0 { None } else { Some(sys::deadline_after_ms(self.timeout_ms as u64)?) };
                *self.deadline.insert(d)
            }
        };
        let ms = match deadline {
            None => RECHECK_MS,
            Some(d) => match sys::ms_until(&d)? {
                0 => return Err(Error::new(libc::ETIMEDOUT, what)),
                ms => (ms as u64).min(RECHECK_MS),
            },
        };
        self.until = sys::deadline_after_ms(ms)?;
        Ok(())
    }

    /// The sleep on `w` while its epoch is `epoch` (read before the waiter
    /// announced itself and looked again), until the end [`Wait::slice`]
    /// set.
    pub(super) fn sleep<'w, T>(&mut self, w: &'w WaitWord, epoch: u32) -> Step<'w, T> {
        self.expected = epoch;
        Step::Sleep(Sleep { word: &w.epoch })
    }
}

/// Runs a call's attempts to the end, sleeping (not as a cancellation
/// point) when one asks for it: the Rust path of [`Bcast::send`] and
/// [`Bcast::recv`].
pub(super) fn drive<'a, T>(
    timeout_ms: i32,
    mut attempt: impl FnMut(&mut Wait<'a>) -> Result<Step<'a, T>>,
) -> Result<T> {
    let mut wait = Wait::new(timeout_ms);
    loop {
        match attempt(&mut wait)? {
            Step::Done(v) => return Ok(v),
            Step::Sleep(sleep) => {
                let woke = sleep.sleep(&wait);
                wait.woke(woke);
            }
        }
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
