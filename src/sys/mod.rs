//! The raw-call layer: thin wrappers around the system calls the safe
//! modules make. `unsafe` that is not at the C boundary lives here (and in
//! the per-mechanism files beside this one).
//!
//! Wrappers take plain descriptors and Rust slices, return [`Result`], and do
//! nothing but the call and the errno conversion; the policy (argument
//! checks, messages) belongs to the mechanism modules.

use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::AtomicU32;

use libc::c_long;

use crate::error::{Error, Result};
pub use cancel::Cancel;

/// A return value whose "-1 means failure, see errno" convention [`cvt`]
/// understands.
pub trait MinusOne: Copy + PartialEq {
    const MINUS_ONE: Self;
}

macro_rules! impl_minus_one {
    ($($t:ty)*) => { $(impl MinusOne for $t { const MINUS_ONE: Self = -1; })* };
}
impl_minus_one!(i32 i64 isize);

/// `Ok(ret)`, or the thread's errno as an [`Error`] when `ret == -1`.
#[inline]
pub fn cvt<T: MinusOne>(ret: T) -> Result<T> {
    if ret == T::MINUS_ONE {
        Err(Error::last_os())
    } else {
        Ok(ret)
    }
}

/// Like [`cvt`], but retries the call while it fails with `EINTR`.
#[inline]
pub fn cvt_retry<T: MinusOne>(mut call: impl FnMut() -> T) -> Result<T> {
    loop {
        match cvt(call()) {
            Err(e) if e.errno() == libc::EINTR => continue,
            other => return other,
        }
    }
}

// Every call below is the system call itself, not glibc's wrapper: glibc's
// `read`, `write`, `close`, `open`, `fcntl(F_SETLKW)`, ... are thread-
// cancellation points, and a cancel acting inside the boundary's
// `catch_unwind` would abort the process (see `cancel`). The few calls that
// are cancellation points in rsipc say so with a `Cancel` argument.

/// `read(2)` into `buf`; retries nothing.
#[inline]
pub fn read(fd: RawFd, buf: &mut [u8]) -> Result<usize> {
    // SAFETY: Cancel::Never cannot unwind.
    unsafe { read_as(Cancel::Never, fd, buf) }
}

/// `read(2)` into `buf`, a cancellation point with [`Cancel::Point`].
///
/// # Safety
/// With [`Cancel::Point`], as for [`cancel::syscall`].
#[inline]
pub unsafe fn read_as(how: Cancel, fd: RawFd, buf: &mut [u8]) -> Result<usize> {
    let args = [fd as c_long, buf.as_mut_ptr() as c_long, buf.len() as c_long, 0, 0, 0];
    // SAFETY: `buf` is valid for writes of `buf.len()` bytes; the rest is
    // the caller's contract.
    cvt(unsafe { cancel::syscall_as(how, libc::SYS_read, args) }).map(|n| n as usize)
}

/// `write(2)` from `buf`; retries nothing.
#[inline]
pub fn write(fd: RawFd, buf: &[u8]) -> Result<usize> {
    // SAFETY: Cancel::Never cannot unwind.
    unsafe { write_as(Cancel::Never, fd, buf) }
}

/// `write(2)` from `buf`, a cancellation point with [`Cancel::Point`].
///
/// # Safety
/// With [`Cancel::Point`], as for [`cancel::syscall`].
#[inline]
pub unsafe fn write_as(how: Cancel, fd: RawFd, buf: &[u8]) -> Result<usize> {
    let args = [fd as c_long, buf.as_ptr() as c_long, buf.len() as c_long, 0, 0, 0];
    // SAFETY: `buf` is valid for reads of `buf.len()` bytes; the rest is the
    // caller's contract.
    cvt(unsafe { cancel::syscall_as(how, libc::SYS_write, args) }).map(|n| n as usize)
}

/// `close(2)`.
#[inline]
pub fn close(fd: RawFd) -> Result<()> {
    // SAFETY: closing a descriptor number has no memory-safety effect on
    // this process's Rust objects (rsipc never holds the caller's fds).
    cvt(unsafe { libc::syscall(libc::SYS_close, fd as c_long) }).map(drop)
}

/// `fcntl(2)` with an integer (or no) argument.
#[inline]
pub fn fcntl_int(fd: RawFd, cmd: i32, arg: i32) -> Result<i32> {
    // SAFETY: the commands used with this wrapper take an int argument or
    // none; no pointer is passed.
    cvt(unsafe { libc::syscall(libc::SYS_fcntl, fd as c_long, cmd as c_long, arg as c_long) }).map(|n| n as i32)
}

/// A descriptor rsipc opened for its own use, closed when dropped — with the
/// system call, unlike `std::os::fd::OwnedFd`, whose drop calls glibc's
/// `close`, a cancellation point (its drop runs inside the boundary).
#[derive(Debug)]
pub struct Fd(RawFd);

impl Fd {
    /// Takes ownership of `fd`.
    ///
    /// # Safety
    /// `fd` is an open descriptor that nothing else owns or closes.
    pub unsafe fn from_raw(fd: RawFd) -> Fd {
        Fd(fd)
    }

    /// Gives the descriptor away (to a C caller) without closing it.
    pub fn into_raw(self) -> RawFd {
        let fd = self.0;
        std::mem::forget(self);
        fd
    }
}

impl AsRawFd for Fd {
    fn as_raw_fd(&self) -> RawFd {
        self.0
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        let _ = close(self.0);
    }
}

impl From<Fd> for std::os::fd::OwnedFd {
    /// For the safe API's callers (Rust code, where `OwnedFd` is the usual
    /// owner and glibc's `close` is harmless).
    fn from(fd: Fd) -> Self {
        use std::os::fd::FromRawFd;
        // SAFETY: `Fd` owned the open descriptor and gives it up here.
        unsafe { std::os::fd::OwnedFd::from_raw_fd(fd.into_raw()) }
    }
}

/// `pipe2(2)`: `[read end, write end]`.
pub fn pipe2(flags: i32) -> Result<[RawFd; 2]> {
    let mut fds = [-1; 2];
    // SAFETY: `fds` is valid for writes of two ints.
    cvt(unsafe { libc::pipe2(fds.as_mut_ptr(), flags) })?;
    Ok(fds)
}

/// `fstat(2)`.
pub fn fstat(fd: RawFd) -> Result<libc::stat> {
    // SAFETY: an all-zero stat is a valid value of this plain C struct.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `st` is a valid out-pointer.
    cvt(unsafe { libc::fstat(fd, &mut st) })?;
    Ok(st)
}

/// `FUTEX_PRIVATE_FLAG` when the word is only shared by threads of one process.
#[inline]
fn futex_op(op: i32, shared: bool) -> i32 {
    if shared {
        op
    } else {
        op | libc::FUTEX_PRIVATE_FLAG
    }
}

/// Which clock an absolute futex timeout is measured on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FutexClock {
    Monotonic,
    Realtime,
}

/// Sleeps while `*word == expected`, until woken, until the absolute time
/// `deadline` on `clock` (`ETIMEDOUT`), or until a signal (`EINTR`).
/// `EAGAIN` means the word no longer held `expected`.
///
/// This is `FUTEX_WAIT_BITSET` with `FUTEX_BITSET_MATCH_ANY`, the operation
/// glibc uses for semaphores, so rsipc and glibc waiters wake each other.
pub fn futex_wait(
    word: &AtomicU32,
    expected: u32,
    shared: bool,
    deadline: Option<&libc::timespec>,
    clock: FutexClock,
) -> Result<()> {
    // SAFETY: Cancel::Never cannot unwind.
    unsafe { futex_wait_as(Cancel::Never, word, expected, shared, deadline, clock) }
}

/// [`futex_wait`], a cancellation point with [`Cancel::Point`] (as glibc's
/// `futex_abstimed_wait_cancelable`, which its semaphores wait in).
///
/// # Safety
/// With [`Cancel::Point`], as for [`cancel::syscall`].
pub unsafe fn futex_wait_as(
    how: Cancel,
    word: &AtomicU32,
    expected: u32,
    shared: bool,
    deadline: Option<&libc::timespec>,
    clock: FutexClock,
) -> Result<()> {
    let mut op = futex_op(libc::FUTEX_WAIT_BITSET, shared);
    if clock == FutexClock::Realtime {
        op |= libc::FUTEX_CLOCK_REALTIME;
    }
    let timeout = deadline.map_or(std::ptr::null(), |t| t as *const libc::timespec);
    let args = [
        word.as_ptr() as c_long,
        op as c_long,
        expected as c_long,
        timeout as c_long,
        0, // uaddr2, unused
        libc::FUTEX_BITSET_MATCH_ANY as c_long,
    ];
    // SAFETY: `word` is a live, 4-byte aligned u32; `timeout` is NULL or
    // points to a live timespec; the rest is the caller's contract.
    cvt(unsafe { cancel::syscall_as(how, libc::SYS_futex, args) }).map(drop)
}

/// Wakes at most `count` waiters on `word`; returns how many were woken.
pub fn futex_wake(word: &AtomicU32, count: i32, shared: bool) -> Result<i32> {
    // SAFETY: `word` is a live, 4-byte aligned u32.
    let ret = unsafe { libc::syscall(libc::SYS_futex, word.as_ptr(), futex_op(libc::FUTEX_WAKE, shared), count) };
    cvt(ret).map(|n| n as i32)
}

/// The current time on `clock`.
pub fn clock_now(clock: libc::clockid_t) -> Result<libc::timespec> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid out-pointer.
    cvt(unsafe { libc::clock_gettime(clock, &mut ts) })?;
    Ok(ts)
}

/// An absolute `CLOCK_MONOTONIC` deadline `ms` milliseconds from now.
pub fn deadline_after_ms(ms: u64) -> Result<libc::timespec> {
    let now = clock_now(libc::CLOCK_MONOTONIC)?;
    let nsec = now.tv_nsec as u64 + (ms % 1000) * 1_000_000;
    Ok(libc::timespec {
        tv_sec: now.tv_sec + (ms / 1000) as libc::time_t + (nsec / 1_000_000_000) as libc::time_t,
        tv_nsec: (nsec % 1_000_000_000) as libc::c_long,
    })
}

/// Milliseconds left until the `CLOCK_MONOTONIC` deadline (0 once passed).
pub fn ms_until(deadline: &libc::timespec) -> Result<i64> {
    let now = clock_now(libc::CLOCK_MONOTONIC)?;
    let ns = (deadline.tv_sec - now.tv_sec) as i64 * 1_000_000_000 + (deadline.tv_nsec - now.tv_nsec) as i64;
    Ok(if ns <= 0 { 0 } else { (ns + 999_999) / 1_000_000 })
}

/// Checks a caller's `timespec`: `EINVAL` unless `0 <= tv_nsec < 1e9`.
pub fn check_timespec(ts: &libc::timespec, what: &'static str) -> Result<()> {
    if ts.tv_nsec < 0 || ts.tv_nsec >= 1_000_000_000 {
        return Err(Error::new(libc::EINVAL, reason!("{}.tv_nsec = {} is outside 0..999999999", what, ts.tv_nsec)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

    #[test]
    fn cvt_maps_minus_one_to_errno() {
        // SAFETY: close of an invalid descriptor only sets errno.
        let e = cvt(unsafe { libc::close(-1) }).unwrap_err();
        assert_eq!(e.errno(), libc::EBADF);
        assert_eq!(cvt(3i32).unwrap(), 3);
    }

    #[test]
    fn futex_wait_returns_eagain_when_the_word_changed() {
        let w = AtomicU32::new(1);
        let e = futex_wait(&w, 0, false, None, FutexClock::Monotonic).unwrap_err();
        assert_eq!(e.errno(), libc::EAGAIN);
    }

    #[test]
    fn futex_wait_times_out_at_the_deadline() {
        let w = AtomicU32::new(0);
        let deadline = deadline_after_ms(5).unwrap();
        let e = futex_wait(&w, 0, false, Some(&deadline), FutexClock::Monotonic).unwrap_err();
        assert_eq!(e.errno(), libc::ETIMEDOUT);
        assert_eq!(ms_until(&deadline).unwrap(), 0);
    }

    #[test]
    fn futex_wake_wakes_a_waiting_thread() {
        let w = std::sync::Arc::new(AtomicU32::new(0));
        let w2 = w.clone();
        let t = std::thread::spawn(move || {
            while w2.load(Ordering::Acquire) == 0 {
                let _ = futex_wait(&w2, 0, false, None, FutexClock::Monotonic);
            }
        });
        w.store(1, Ordering::Release);
        futex_wake(&w, 1, false).unwrap();
        t.join().unwrap();
    }

    #[test]
    fn bad_tv_nsec_is_einval() {
        let ts = libc::timespec { tv_sec: 0, tv_nsec: 1_000_000_000 };
        assert_eq!(check_timespec(&ts, "abs_timeout").unwrap_err().errno(), libc::EINVAL);
    }
}

pub mod cancel;
pub mod sysv_shm;

pub mod sem;

pub mod sysv_sem;

pub mod fifo;
pub mod file;
pub mod mman;

pub mod msg;

pub mod mq;

pub mod bell;
pub mod chan;
