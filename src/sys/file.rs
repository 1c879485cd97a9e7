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
