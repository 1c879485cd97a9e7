//! Calls on a descriptor: the owned [`Fd`], `read(2)`, `write(2)`,
//! `close(2)`, `fcntl(2)`, `fstat(2)`, `dup3(2)`.
//!
//! `read`, `write` and `close` are the system calls themselves, not glibc's
//! wrappers: those are thread-cancellation points, and a cancel acting
//! inside the boundary's `catch_unwind` would abort the process (see
//! [`super::cancel`]). The few calls that are cancellation points in rsipc
//! say so with a [`Cancel`] argument.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

use libc::c_long;

use super::{cancel, cvt, Cancel};
use crate::error::Result;

/// A descriptor rsipc opened for its own use, closed when dropped — with the
/// system call, unlike `std::os::fd::OwnedFd` (and nix, which uses it),
/// whose drop calls glibc's `close`, a cancellation point: rsipc's calls
/// that are not cancellation points must never act on a pending cancel.
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

impl AsFd for Fd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        // SAFETY: the descriptor is open and owned by `self`, which outlives
        // the borrow.
        unsafe { BorrowedFd::borrow_raw(self.0) }
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

impl From<std::os::fd::OwnedFd> for Fd {
    /// Takes over a descriptor nix or std opened (so that its drop is the
    /// system call, not glibc's `close`).
    fn from(fd: std::os::fd::OwnedFd) -> Self {
        use std::os::fd::IntoRawFd;
        Fd(fd.into_raw_fd())
    }
}

/// A descriptor number a caller handed to rsipc: not owned (rsipc never
/// closes it) and not known to be open. For a number that is not open the
/// kernel answers `EBADF`, as it would to the caller's own call. This is
/// what the functions that work on the caller's descriptors take: a C
/// caller may pass -1 or a closed number, which `BorrowedFd` may not hold.
/// Rust callers pass an `i32` or a `BorrowedFd`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FdArg(RawFd);

impl FdArg {
    /// The number, for the system call.
    #[inline]
    pub const fn raw(self) -> RawFd {
        self.0
    }
}

impl From<RawFd> for FdArg {
    #[inline]
    fn from(fd: RawFd) -> FdArg {
        FdArg(fd)
    }
}

impl From<BorrowedFd<'_>> for FdArg {
    #[inline]
    fn from(fd: BorrowedFd<'_>) -> FdArg {
        FdArg(fd.as_raw_fd())
    }
}

impl std::fmt::Display for FdArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

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

/// `close(2)`, the system call (glibc's `close`, and so nix's and std's, is
/// a cancellation point). The descriptor is gone whatever the result.
#[inline]
pub fn close(fd: RawFd) -> Result<()> {
    // SAFETY: closing a descriptor number has no memory-safety effect on
    // this process's Rust objects (rsipc never holds the caller's fds).
    cvt(unsafe { libc::syscall(libc::SYS_close, fd as c_long) }).map(drop)
}

/// `fcntl(2)` with an integer (or no) argument. The system call: glibc's
/// `fcntl` is a cancellation point for the lock-waiting commands, and the
/// commands used here return the kernel's errno unchanged either way.
#[inline]
pub fn fcntl_int(fd: RawFd, cmd: i32, arg: i32) -> Result<i32> {
    // SAFETY: the commands used with this wrapper take an int argument or
    // none; no pointer is passed.
    cvt(unsafe { libc::syscall(libc::SYS_fcntl, fd as c_long, cmd as c_long, arg as c_long) }).map(|n| n as i32)
}

/// `fstat(2)` (nix: glibc's `fstat`, no cancellation point).
pub fn fstat(fd: RawFd) -> Result<libc::stat> {
    Ok(nix::sys::stat::fstat(fd)?)
}

/// Makes descriptor `to` refer to what `from` refers to (close-on-exec) and
/// closes `from`: `dup3(2)` (nix) then the drop of `from`.
pub fn move_fd(from: Fd, to: RawFd) -> Result<()> {
    nix::unistd::dup3(from.as_raw_fd(), to, nix::fcntl::OFlag::O_CLOEXEC)?;
    Ok(())
}

/// A one-byte `struct flock` at `offset` for the OFD lock commands.
fn flock_at(kind: i32, offset: libc::off_t) -> libc::flock {
    // SAFETY: an all-zero flock is a valid value of this plain C struct
    // (l_pid must be 0 for the OFD commands).
    let mut fl: libc::flock = unsafe { std::mem::zeroed() };
    fl.l_type = kind as libc::c_short;
    fl.l_whence = libc::SEEK_SET as libc::c_short;
    fl.l_start = offset;
    fl.l_len = 1;
    fl
}

/// Takes a write lock on the byte at `offset` for the open file description
/// of `fd` (`F_OFD_SETLK`, nix; never waits): `Ok(false)` if another
/// description holds it.
pub fn ofd_try_lock(fd: RawFd, offset: libc::off_t) -> Result<bool> {
    let fl = flock_at(libc::F_WRLCK, offset);
    match nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_OFD_SETLK(&fl)) {
        Ok(_) => Ok(true),
        Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::EACCES) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Whether an open file description other than `fd`'s holds a lock that
/// conflicts with a write lock on the byte at `offset` (`F_OFD_GETLK`, nix).
pub fn ofd_locked_by_other(fd: RawFd, offset: libc::off_t) -> Result<bool> {
    let mut fl = flock_at(libc::F_WRLCK, offset);
    nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_OFD_GETLK(&mut fl))?;
    Ok(fl.l_type != libc::F_UNLCK as libc::c_short)
}
