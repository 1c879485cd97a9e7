//! Path-based file calls shared by the FIFO, memory-mapping and POSIX
//! shared memory modules: `openat(2)` returning an owned descriptor,
//! `ftruncate(2)`, `unlinkat(2)`.

use std::ffi::CStr;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

use super::cvt;
use crate::error::Result;

/// `openat(2)`: the new descriptor, owned (closed when dropped). `EINTR` is
/// returned, not retried, as `open(2)` does.
pub fn openat(dirfd: RawFd, path: &CStr, flags: i32, mode: libc::mode_t) -> Result<OwnedFd> {
    // SAFETY: `path` is NUL-terminated; `mode` is the variadic third
    // argument open(2) reads when O_CREAT or O_TMPFILE is given.
    let fd = cvt(unsafe { libc::openat(dirfd, path.as_ptr(), flags, libc::c_uint::from(mode)) })?;
    // SAFETY: `fd` was just returned by openat and belongs to nothing else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
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
