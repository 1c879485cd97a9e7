//! Path-based file calls shared by the FIFO, memory-mapping and POSIX
//! shared memory modules: `openat(2)` returning an owned descriptor,
//! `ftruncate(2)`, `unlinkat(2)`.

use std::ffi::CStr;
use std::os::fd::RawFd;

use libc::c_long;

use super::{cancel, cvt, Cancel, Fd};
use crate::error::Result;

/// `openat(2)`: the new descriptor, owned (closed when dropped). `EINTR` is
/// returned, not retried, as `open(2)` does. Never a cancellation point
/// (the system call, not glibc's `openat`).
pub fn openat(dirfd: RawFd, path: &CStr, flags: i32, mode: libc::mode_t) -> Result<Fd> {
    // SAFETY: Cancel::Never cannot unwind.
    unsafe { openat_as(Cancel::Never, dirfd, path, flags, mode) }
}

/// [`openat`], a cancellation point with [`Cancel::Point`] (as glibc's
/// `open`/`openat`).
///
/// # Safety
/// With [`Cancel::Point`], as for [`cancel::syscall`].
pub unsafe fn openat_as(how: Cancel, dirfd: RawFd, path: &CStr, flags: i32, mode: libc::mode_t) -> Result<Fd> {
    let args = [dirfd as c_long, path.as_ptr() as c_long, flags as c_long, mode as c_long, 0, 0];
    // SAFETY: `path` is NUL-terminated; `mode` is read only with O_CREAT or
    // O_TMPFILE; the rest is the caller's contract.
    let fd = cvt(unsafe { cancel::syscall_as(how, libc::SYS_openat, args) })?;
    // SAFETY: `fd` was just returned by openat and belongs to nothing else.
    Ok(unsafe { Fd::from_raw(fd as RawFd) })
}

/// The first bytes of the file at `path` (a `/proc` or `/sys` value), up to
/// `buf.len()`: how many were read. System calls only, so it is never a
/// cancellation point (unlike `std::fs`, which calls glibc's `open`).
pub fn read_start(path: &CStr, buf: &mut [u8]) -> Result<usize> {
    let fd = openat(libc::AT_FDCWD, path, libc::O_RDONLY | libc::O_CLOEXEC, 0)?;
    let mut done = 0;
    while done < buf.len() {
        match super::read(std::os::fd::AsRawFd::as_raw_fd(&fd), &mut buf[done..]) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.errno() == libc::EINTR => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// `ftruncate(2)`, retrying `EINTR`.
pub fn ftruncate(fd: RawFd, len: i64) -> Result<()> {
    // SAFETY: plain integer arguments.
    super::cvt_retry(|| unsafe { libc::ftruncate(fd, len) }).map(drop)
}

/// `unlinkat(2)` of a non-directory.
pub fn unlinkat(dirfd: RawFd, path: &CStr) -> Result<()> {
    // SAFETY: `path` is NUL-terminated.
    cvt(unsafe { libc::unlinkat(dirfd, path.as_ptr(), 0) }).map(drop)
}

/// `fstatat(2)` of `path` itself (a symbolic link is described, not
/// followed).
pub fn lstat(path: &CStr) -> Result<libc::stat> {
    // SAFETY: an all-zero stat is a valid value of this plain C struct.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `path` is NUL-terminated and `st` a valid out-pointer.
    cvt(unsafe { libc::fstatat(libc::AT_FDCWD, path.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) })?;
    Ok(st)
}

/// Removes `path` if it still names the file `st` describes (same device
/// and inode): undoes the creation of a file a later step failed for.
/// Best effort; errors are ignored.
pub fn remove_if_same(path: &CStr, st: &libc::stat) {
    if let Ok(now) = lstat(path) {
        if now.st_dev == st.st_dev && now.st_ino == st.st_ino {
            let _ = unlinkat(libc::AT_FDCWD, path);
        }
    }
}
