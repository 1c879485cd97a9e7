//! The FIFO calls: `mkfifoat(3)` and the short sleeps of a writer waiting
//! for a reader.

use std::ffi::CStr;
use std::os::fd::RawFd;

use super::cvt;
use crate::error::{Error, Result};

/// `mkfifoat(3)`: glibc's own function (a `mknodat(2)` of `mode | S_IFIFO`),
/// so the created FIFO is exactly what a glibc program would create.
pub fn mkfifoat(dirfd: RawFd, path: &CStr, mode: libc::mode_t) -> Result<()> {
    // SAFETY: `path` is NUL-terminated.
    cvt(unsafe { libc::mkfifoat(dirfd, path.as_ptr(), mode) }).map(drop)
}

/// Sleeps `ms` milliseconds on `CLOCK_MONOTONIC`. A signal handler that
/// interrupts the sleep ends it early with `EINTR`.
pub fn sleep_ms(ms: u32) -> Result<()> {
    let ts = libc::timespec { tv_sec: (ms / 1000) as libc::time_t, tv_nsec: ((ms % 1000) * 1_000_000) as libc::c_long };
    // SAFETY: `ts` is a valid timespec; the remaining-time pointer may be NULL.
    match unsafe { libc::clock_nanosleep(libc::CLOCK_MONOTONIC, 0, &ts, std::ptr::null_mut()) } {
        0 => Ok(()),
        errno => Err(Error::from_errno(errno)),
    }
}
