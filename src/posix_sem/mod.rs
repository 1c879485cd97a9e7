//! POSIX semaphores implemented in Rust on the Linux futex, bit for bit
//! compatible with glibc (2.34+, 64-bit atomics variant, the same as 2.36's
//! `nptl/sem_post.c` and `nptl/sem_waitcommon.c`), so one process using
//! rsipc and another using glibc can share one `sem_t`.
//!
//! The 32-byte `sem_t` starts with glibc's `struct new_sem`
//! ([`Semaphore`]): a 64-bit `data` word whose low 32 bits are the value and
//! whose high 32 bits count the waiters that may be asleep on the futex, then
//! glibc's futex flag word (`private`: 0 for a process-private semaphore, 128
//! for a process-shared one).
//!
//! * **post** adds a token with a release CAS (failing with `EOVERFLOW` at
//!   `SEM_VALUE_MAX`) and calls `FUTEX_WAKE(1)` only if the same atomic
//!   operation saw a registered waiter.
//! * **wait** first tries to take a token with one acquire CAS; only if the
//!   value is 0 (or the CAS lost a race) does it register as a waiter (add
//!   `1 << 32`) and sleep with `FUTEX_WAIT_BITSET` on the value word while it
//!   is 0; it then takes the token and unregisters in one CAS
//!   (`d - 1 - (1 << 32)`). A timeout or a signal unregisters and returns
//!   `ETIMEDOUT`/`EINTR`.
//!
//! So the uncontended post, wait and trywait make no system call, and since
//! both libraries run the same protocol on the same bytes, no post and no
//! wake-up is lost between them. Hot paths allocate nothing, use no
//! thread-local storage and take no lock.
//!
//! Through the C functions, `sem_wait`, `sem_timedwait` and `sem_clockwait`
//! are thread-cancellation points exactly where glibc's are (the futex
//! wait; `sem_wait` and `sem_timedwait` also test for a pending cancel when
//! called, `sem_clockwait` does not), and a cancelled waiter unregisters
//! itself as glibc's cleanup handler does. The Rust methods are not
//! cancellation points: a Rust thread cannot be cancelled.

// Safe Rust only: unsafe code lives in sys/ and at the C boundary (ffi);
// each exception below says why it needs it.
#![deny(unsafe_code)]

// The C boundary: raw pointers and descriptors from C.
#[allow(unsafe_code)]
pub(crate) mod ffi;
pub mod named;

use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use crate::error::{Error, Result};
use crate::sys::{self, Cancel, FutexClock};

pub use crate::sys::futex::Semaphore;
pub use named::{unlink, NamedSemaphore};

/// The largest value a semaphore can hold (glibc's `SEM_VALUE_MAX`,
/// `INT_MAX`). C programs get glibc's own definition from `<limits.h>`.
pub const SEM_VALUE_MAX: u32 = 2_147_483_647;
const _: () = assert!(SEM_VALUE_MAX == libc::c_int::MAX as u32);

/// What [`Semaphore::try_post_quiet`] found.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum QuietPost {
    /// A token was added.
    Posted,
    /// The value is `SEM_VALUE_MAX`: a post is `EOVERFLOW`.
    AtMax,
    /// A waiter to wake (or a value the fast path does not handle).
    Other,
}

/// The value bits of `data` (glibc's `SEM_VALUE_MASK`).
const VALUE_MASK: u64 = 0xffff_ffff;
/// Where the waiter count starts in `data` (glibc's `SEM_NWAITERS_SHIFT`).
const NWAITERS_SHIFT: u32 = 32;
/// One registered waiter.
const ONE_WAITER: u64 = 1 << NWAITERS_SHIFT;
/// glibc's `private` word for a process-shared semaphore: `FUTEX_SHARED`,
/// which on Linux is `FUTEX_PRIVATE_FLAG` (the futex operation is built as
/// `op | (private ^ FUTEX_PRIVATE_FLAG)`). A process-private one stores 0.
const PRIVATE_WORD_SHARED: i32 = 128;
const _: () = assert!(PRIVATE_WORD_SHARED == libc::FUTEX_PRIVATE_FLAG);

/// `EINVAL` for an initial value above `SEM_VALUE_MAX`.
pub(crate) fn check_initial_value(value: u32) -> Result<()> {
    if value > SEM_VALUE_MAX {
        return Err(Error::new(
            libc::EINVAL,
            reason!("the initial value {} is larger than SEM_VALUE_MAX ({})", value, SEM_VALUE_MAX),
        ));
    }
    Ok(())
}

/// The futex clock `sem_clockwait` accepts for `clock`.
fn futex_clock(clock: libc::clockid_t) -> Result<FutexClock> {
    match clock {
        libc::CLOCK_MONOTONIC => Ok(FutexClock::Monotonic),
        libc::CLOCK_REALTIME => Ok(FutexClock::Realtime),
        _ => Err(Error::new(
            libc::EINVAL,
            reason!("clock {} is not supported: use CLOCK_MONOTONIC or CLOCK_REALTIME", clock),
        )),
    }
}

/// Why a post at `SEM_VALUE_MAX` fails.
pub(crate) const AT_MAX: &str = "the value is already SEM_VALUE_MAX (2147483647)";

#[cold]
fn overflow() -> Error {
    Error::new(libc::EOVERFLOW, AT_MAX)
}

/// Why `trywait` fails with `EAGAIN` (shared by the guarded call and the
/// fast path, which must say the same thing).
pub(crate) const WOULD_BLOCK: &str = "the value is 0, so taking a token would block";

#[cold]
fn would_block() -> Error {
    Error::new(libc::EAGAIN, WOULD_BLOCK)
}

#[cold]
fn timed_out() -> Error {
    Error::new(libc::ETIMEDOUT, "the deadline passed while the value was 0")
}

impl Semaphore {
    /// A new unnamed semaphore holding `value`, as `sem_init(3)` makes it.
    /// `pshared` selects shared futexes, needed when the semaphore lives in
    /// memory shared with other processes (a `Semaphore` value moved into
    /// such memory keeps working).
    ///
    /// `EINVAL` if `value > SEM_VALUE_MAX`.
    pub fn new(pshared: bool, value: u32) -> Result<Semaphore> {
        let sem = Semaphore::zeroed();
        sem.init(pshared, value)?;
        Ok(sem)
    }

    /// (Re)initialises the semaphore in place, as `sem_init(3)`: value
    /// `value`, no waiters, process-shared futexes if `pshared`.
    ///
    /// `EINVAL` if `value > SEM_VALUE_MAX`.
    pub fn init(&self, pshared: bool, value: u32) -> Result<()> {
        check_initial_value(value)?;
        self.data.store(u64::from(value), Relaxed);
        self.private.store(if pshared { PRIVATE_WORD_SHARED } else { 0 }, Relaxed);
        Ok(())
    }

    /// Whether waits use shared futexes (the semaphore was made
    /// process-shared). Derived from glibc's flag word exactly as glibc
    /// derives the futex operation from it.
    #[inline]
    pub fn is_shared(&self) -> bool {
        self.private.load(Relaxed) & PRIVATE_WORD_SHARED != 0
    }

    /// Adds a token (`sem_post(3)`), waking one sleeping waiter if any is
    /// registered. `EOVERFLOW` at `SEM_VALUE_MAX`.
    #[inline]
    pub fn post(&self) -> Result<()> {
        let mut d = self.data.load(Relaxed);
        loop {
            if d & VALUE_MASK == u64::from(SEM_VALUE_MAX) {
                return Err(overflow());
            }
            // Release: whoever takes this token sees everything before the post.
            match self.data.compare_exchange_weak(d, d + 1, Release, Relaxed) {
                Ok(_) => break,
                Err(now) => d = now,
            }
        }
        if d >> NWAITERS_SHIFT > 0 {
            self.wake_one();
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn wake_one(&self) {
        // As glibc: the token is already published; a failed wake (which
        // the kernel only reports for a bad address) cannot be undone, and
        // waiters recheck the value on every wake-up anyway.
        let _ = sys::futex_wake(self.value_word(), 1, self.is_shared());
    }

    /// The C boundary's fast post: adds a token only when that needs nothing
    /// more — the value is below `SEM_VALUE_MAX` and no waiter is
    /// registered, so there is nobody to wake — and says what it found.
    /// [`QuietPost::Other`] changes nothing; the caller then makes a full
    /// [`post`](Self::post), which is the same operation a moment later.
    /// Never fails, never panics, makes no system call.
    #[inline(always)]
    pub(crate) fn try_post_quiet(&self) -> QuietPost {
        let mut d = self.data.load(Relaxed);
        // One test for both conditions: no waiter bits set (high half 0)
        // and a value below SEM_VALUE_MAX.
        while d < u64::from(SEM_VALUE_MAX) {
            // Release, as in `post`. The CAS fails if a waiter registered
            // meanwhile, so a post that owes a wake-up never ends here.
            match self.data.compare_exchange_weak(d, d + 1, Release, Relaxed) {
                Ok(_) => return QuietPost::Posted,
                Err(now) => d = now,
            }
        }
        // The word already loaded says whether the post would be
        // EOVERFLOW: no second load on that path.
        if d & VALUE_MASK == u64::from(SEM_VALUE_MAX) {
            QuietPost::AtMax
        } else {
            QuietPost::Other
        }
    }

    /// Takes a token, sleeping while the value is 0 (`sem_wait(3)`).
    /// `EINTR` when a signal handler interrupts the sleep (as glibc: a
    /// handler installed with `SA_RESTART` restarts it instead).
    #[inline]
    // unsafe: only to call the Cancel::Never form of the function below, which
    // cannot unwind.
    #[allow(unsafe_code)]
    pub fn wait(&self) -> Result<()> {
        // SAFETY: Cancel::Never cannot unwind.
        unsafe { self.wait_checked(Cancel::Never, None, FutexClock::Realtime) }
    }

    /// Takes a token if one is available, else `EAGAIN` (`sem_trywait(3)`).
    #[inline]
    pub fn try_wait(&self) -> Result<()> {
        if self.take(true) {
            Ok(())
        } else {
            Err(would_block())
        }
    }

    /// `sem_timedwait(3)`: as [`wait`](Self::wait), but gives up with
    /// `ETIMEDOUT` at the absolute `CLOCK_REALTIME` time `abs_timeout`.
    /// `EINVAL` if `abs_timeout.tv_nsec` is outside `0..1e9` (checked
    /// first, even when a token is available).
    // unsafe: only to call the Cancel::Never form of the function below, which
    // cannot unwind.
    #[allow(unsafe_code)]
    pub fn timed_wait(&self, abs_timeout: &libc::timespec) -> Result<()> {
        sys::check_timespec(abs_timeout, "abs_timeout")?;
        // SAFETY: Cancel::Never cannot unwind.
        unsafe { self.wait_checked(Cancel::Never, Some(abs_timeout), FutexClock::Realtime) }
    }

    /// glibc's `sem_clockwait`: as [`timed_wait`](Self::timed_wait) with the
    /// deadline measured on `clock`, which must be `CLOCK_MONOTONIC` or
    /// `CLOCK_REALTIME` (`EINVAL` otherwise).
    // unsafe: only to call the Cancel::Never form of the function below, which
    // cannot unwind.
    #[allow(unsafe_code)]
    pub fn clock_wait(&self, clock: libc::clockid_t, abs_timeout: &libc::timespec) -> Result<()> {
        let clock = futex_clock(clock)?;
        sys::check_timespec(abs_timeout, "abs_timeout")?;
        // SAFETY: Cancel::Never cannot unwind.
        unsafe { self.wait_checked(Cancel::Never, Some(abs_timeout), clock) }
    }

    /// The wait of [`wait`](Self::wait), [`timed_wait`](Self::timed_wait)
    /// and [`clock_wait`](Self::clock_wait) once their arguments are
    /// checked: a token at once, or glibc's slow path. Atomics and futex
    /// system calls only, and errors with fixed texts: it cannot panic. With
    /// [`Cancel::Point`] the futex wait is a cancellation point, as in
    /// glibc (`futex_abstimed_wait_cancelable`).
    ///
    /// # Safety
    /// With [`Cancel::Point`], as for [`sys::cancel::syscall`].
    #[inline]
    // unsafe: the cancellation contract of sys::cancel (with Cancel::Point a
    // cancel may unwind from here; no catch_unwind may be on the stack), passed
    // on to the C boundary; no memory is touched unsafely.
    #[allow(unsafe_code)]
    pub(crate) unsafe fn wait_checked(
        &self,
        how: Cancel,
        abs_timeout: Option<&libc::timespec>,
        clock: FutexClock,
    ) -> Result<()> {
        if self.take(false) {
            return Ok(());
        }
        // SAFETY: forwarded from this function's contract.
        unsafe { self.wait_slow(how, abs_timeout, clock) }
    }

    /// The current value (`sem_getvalue(3)`; glibc never reports waiters as
    /// a negative value).
    #[inline]
    pub fn value(&self) -> i32 {
        (self.data.load(Relaxed) & VALUE_MASK) as u32 as i32
    }

    /// How many waiters are registered (may be asleep on the futex) now.
    pub fn waiters(&self) -> u32 {
        (self.data.load(Relaxed) >> NWAITERS_SHIFT) as u32
    }

    /// glibc's `__new_sem_wait_fast`: one CAS attempt to take a token, or
    /// (`definitive`) retry until the value is seen to be 0. `false` changes
    /// nothing. Never fails, never panics, makes no system call: it is also
    /// the C boundary's fast path of wait and trywait.
    #[inline(always)]
    pub(crate) fn take(&self, definitive: bool) -> bool {
        let mut d = self.data.load(Relaxed);
        loop {
            if d & VALUE_MASK == 0 {
                return false;
            }
            // Acquire: synchronises with the post that provided the token.
            match self.data.compare_exchange_weak(d, d - 1, Acquire, Relaxed) {
                Ok(_) => return true,
                Err(now) => d = now,
            }
            if !definitive {
                return false;
            }
        }
    }

    /// glibc's `__new_sem_wait_slow64` (64-bit atomics variant).
    ///
    /// # Safety
    /// With [`Cancel::Point`], as for [`sys::cancel::syscall`].
    #[cold]
    #[inline(never)]
    // unsafe: the cancellation contract of sys::cancel (with Cancel::Point a
    // cancel may unwind from here; no catch_unwind may be on the stack), passed
    // on to the C boundary; no memory is touched unsafely.
    #[allow(unsafe_code)]
    unsafe fn wait_slow(&self, how: Cancel, abs_timeout: Option<&libc::timespec>, clock: FutexClock) -> Result<()> {
        // Register as a waiter; relaxed suffices, the RMWs order everything.
        let mut d = self.data.fetch_add(ONE_WAITER, Relaxed);
        // Until the CAS below takes a token and unregisters in one step, the
        // registration is given back when this is dropped: on a timeout or a
        // signal, and when a cancel unwinds the thread from the futex wait
        // (what glibc's cleanup handler `__sem_wait_cleanup` does).
        let registered = Registered(self);
        loop {
            if d & VALUE_MASK == 0 {
                // SAFETY: forwarded from this function's contract.
                unsafe { self.sleep(how, abs_timeout, clock) }?;
                d = self.data.load(Relaxed);
            } else {
                // Take a token and unregister in one step. On the first pass
                // `d` predates our registration, so (as in glibc, whose
                // unsigned arithmetic wraps) the new value may wrap and the
                // CAS then fails and reloads `d`.
                match self.data.compare_exchange_weak(d, d.wrapping_sub(1 + ONE_WAITER), Acquire, Relaxed) {
                    Ok(_) => {
                        std::mem::forget(registered);
                        return Ok(());
                    }
                    Err(now) => d = now,
                }
            }
        }
    }

    /// One futex sleep on the value word while it is 0. `Ok` for a wake-up
    /// (real or spurious) or a changed value; `Err` for a timeout, a signal
    /// or an unexpected kernel error.
    ///
    /// # Safety
    /// With [`Cancel::Point`], as for [`sys::cancel::syscall`].
    // unsafe: the cancellation contract of sys::cancel (with Cancel::Point a
    // cancel may unwind from here; no catch_unwind may be on the stack), passed
    // on to the C boundary; no memory is touched unsafely.
    #[allow(unsafe_code)]
    unsafe fn sleep(&self, how: Cancel, abs_timeout: Option<&libc::timespec>, clock: FutexClock) -> Result<()> {
        // glibc's work-around: the kernel rejects negative absolute times,
        // which are valid and long past (no cancellation point then, as in
        // glibc).
        if abs_timeout.is_some_and(|t| t.tv_sec < 0) {
            return Err(timed_out());
        }
        // SAFETY: forwarded from this function's contract.
        match unsafe { sys::futex_wait_as(how, self.value_word(), 0, self.is_shared(), abs_timeout, clock) } {
            Ok(()) => Ok(()),
            Err(e) => match e.errno() {
                libc::EAGAIN => Ok(()),
                libc::ETIMEDOUT => Err(timed_out()),
                libc::EINTR => Err(e.because("a signal handler interrupted the wait")),
                _ => Err(e),
            },
        }
    }
}

/// A waiter's registration in the high half of `data`, given back when
/// dropped (see `Semaphore::wait_slow`).
struct Registered<'a>(&'a Semaphore);

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.0.data.fetch_sub(ONE_WAITER, Relaxed);
    }
}

// Tests fork and call libc directly to watch the kernel objects.
#[cfg(test)]
#[allow(unsafe_code)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn far_future() -> libc::timespec {
        let mut t = sys::clock_now(libc::CLOCK_REALTIME).unwrap();
        t.tv_sec += 3600;
        t
    }

    #[test]
    fn init_stores_glibc_words() {
        let s = Semaphore::new(false, 5).unwrap();
        assert_eq!(s.data.load(Relaxed), 5);
        assert_eq!(s.private.load(Relaxed), 0);
        s.init(true, 7).unwrap();
        assert_eq!(s.data.load(Relaxed), 7);
        assert_eq!(s.private.load(Relaxed), 128);
        assert!(s.is_shared());
    }

    #[test]
    fn init_above_sem_value_max_is_einval() {
        let e = Semaphore::new(false, SEM_VALUE_MAX + 1).unwrap_err();
        assert_eq!(e.errno(), libc::EINVAL);
        assert!(Semaphore::new(false, SEM_VALUE_MAX).is_ok());
    }

    #[test]
    fn post_then_wait_and_trywait_move_the_value() {
        let s = Semaphore::new(false, 0).unwrap();
        s.post().unwrap();
        s.post().unwrap();
        assert_eq!(s.value(), 2);
        s.wait().unwrap();
        s.try_wait().unwrap();
        assert_eq!(s.value(), 0);
        assert_eq!(s.try_wait().unwrap_err().errno(), libc::EAGAIN);
        assert_eq!(s.waiters(), 0);
    }

    #[test]
    fn post_at_sem_value_max_is_eoverflow_and_keeps_the_value() {
        let s = Semaphore::new(false, SEM_VALUE_MAX).unwrap();
        assert_eq!(s.post().unwrap_err().errno(), libc::EOVERFLOW);
        assert_eq!(s.value(), SEM_VALUE_MAX as i32);
    }

    #[test]
    fn bad_tv_nsec_is_einval_even_with_a_token() {
        let s = Semaphore::new(false, 1).unwrap();
        for nsec in [-1, 1_000_000_000] {
            let t = libc::timespec { tv_sec: 0, tv_nsec: nsec };
            assert_eq!(s.timed_wait(&t).unwrap_err().errno(), libc::EINVAL);
            assert_eq!(s.clock_wait(libc::CLOCK_MONOTONIC, &t).unwrap_err().errno(), libc::EINVAL);
        }
        assert_eq!(s.value(), 1);
    }

    #[test]
    fn clock_wait_accepts_only_monotonic_and_realtime() {
        let s = Semaphore::new(false, 1).unwrap();
        let t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        assert_eq!(s.clock_wait(libc::CLOCK_BOOTTIME, &t).unwrap_err().errno(), libc::EINVAL);
        assert_eq!(s.clock_wait(libc::CLOCK_PROCESS_CPUTIME_ID, &t).unwrap_err().errno(), libc::EINVAL);
        s.clock_wait(libc::CLOCK_MONOTONIC, &t).unwrap();
        s.post().unwrap();
        s.clock_wait(libc::CLOCK_REALTIME, &t).unwrap();
    }

    #[test]
    fn a_past_deadline_times_out_and_unregisters() {
        let s = Semaphore::new(false, 0).unwrap();
        let past = libc::timespec { tv_sec: 1, tv_nsec: 0 };
        assert_eq!(s.timed_wait(&past).unwrap_err().errno(), libc::ETIMEDOUT);
        let negative = libc::timespec { tv_sec: -5, tv_nsec: 0 };
        assert_eq!(s.timed_wait(&negative).unwrap_err().errno(), libc::ETIMEDOUT);
        let mono = sys::deadline_after_ms(20).unwrap();
        assert_eq!(s.clock_wait(libc::CLOCK_MONOTONIC, &mono).unwrap_err().errno(), libc::ETIMEDOUT);
        assert_eq!(s.waiters(), 0);
        assert_eq!(s.value(), 0);
    }

    #[test]
    fn a_negative_deadline_still_takes_an_available_token() {
        let s = Semaphore::new(false, 1).unwrap();
        s.timed_wait(&libc::timespec { tv_sec: -5, tv_nsec: 0 }).unwrap();
    }

    #[test]
    fn a_waiting_thread_registers_and_is_woken_by_post() {
        let s = Arc::new(Semaphore::new(false, 0).unwrap());
        let s2 = s.clone();
        let t = std::thread::spawn(move || s2.timed_wait(&far_future()));
        while s.waiters() == 0 {
            std::thread::yield_now();
        }
        s.post().unwrap();
        t.join().unwrap().unwrap();
        assert_eq!(s.waiters(), 0);
        assert_eq!(s.value(), 0);
    }

    #[test]
    fn threads_exchange_many_tokens_without_losing_one() {
        let s = Arc::new(Semaphore::new(false, 0).unwrap());
        let n = 20_000;
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let s = s.clone();
                std::thread::spawn(move || {
                    for _ in 0..n {
                        s.wait().unwrap();
                    }
                })
            })
            .collect();
        let producers: Vec<_> = (0..2)
            .map(|_| {
                let s = s.clone();
                std::thread::spawn(move || {
                    for _ in 0..n {
                        s.post().unwrap();
                    }
                })
            })
            .collect();
        for t in producers.into_iter().chain(consumers) {
            t.join().unwrap();
        }
        assert_eq!(s.value(), 0);
        assert_eq!(s.waiters(), 0);
    }
}
