//! Raw calls of the object listing (`crate::objects`): the few it cannot
//! make through `std`.

use std::os::fd::{AsRawFd, BorrowedFd};

use libc::c_int;

use crate::error::{Error, Result};

/// cbindgen:ignore
mod c {
    use libc::c_int;
    extern "C" {
        pub fn pthread_setcancelstate(state: c_int, old: *mut c_int) -> c_int;
    }
}

/// glibc's `PTHREAD_CANCEL_DISABLE` (the libc crate does not bind the
/// cancellation API for Linux).
const PTHREAD_CANCEL_DISABLE: c_int = 1;

/// Holds thread cancellation disabled while alive: the listing reads
/// `/proc` and `/dev/shm` through `std`, whose `open`/`read`/`close` are
/// glibc's cancellation points, and a cancel acting inside the boundary's
/// `catch_unwind` would abort the process. A cancel that arrives meanwhile
/// stays pending and acts at the caller's next cancellation point.
pub struct NoCancel {
    old: c_int,
}

impl NoCancel {
    pub fn hold() -> NoCancel {
        let mut old = 0;
        // SAFETY: plain libc call with a valid out pointer.
        unsafe { c::pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &mut old) };
        NoCancel { old }
    }
}

impl Drop for NoCancel {
    fn drop(&mut self) {
        let mut ignored = 0;
        // SAFETY: plain libc call with a valid out pointer.
        unsafe { c::pthread_setcancelstate(self.old, &mut ignored) };
    }
}

/// The first write lock another open file description holds on
/// `[start, start + len)` of `fd`'s file (`F_OFD_GETLK`): its range, or
/// `None` if the range is free.
fn first_lock(fd: BorrowedFd<'_>, start: i64, len: i64) -> Result<Option<(i64, i64)>> {
    // SAFETY: an all-zero flock is a valid value of this plain C struct
    // (l_pid must be 0 for the OFD commands).
    let mut fl: libc::flock = unsafe { std::mem::zeroed() };
    fl.l_type = libc::F_WRLCK as libc::c_short;
    fl.l_whence = libc::SEEK_SET as libc::c_short;
    fl.l_start = start;
    fl.l_len = len;
    // SAFETY: F_OFD_GETLK reads and writes the flock we pass, nothing else.
    let r = unsafe { libc::syscall(libc::SYS_fcntl, fd.as_raw_fd(), libc::F_OFD_GETLK, &mut fl as *mut libc::flock) };
    if r == -1 {
        return Err(Error::last_os());
    }
    if fl.l_type == libc::F_UNLCK as libc::c_short {
        return Ok(None);
    }
    Ok(Some((fl.l_start, fl.l_len)))
}

/// How many distinct locks other open file descriptions hold on bytes of
/// `[start, start + len)` of `fd`'s file, counting at most `limit`. The
/// kernel reports one conflicting lock per query, in no particular order,
/// so the range is split around each lock found: about two queries per
/// lock.
pub fn count_locks(fd: BorrowedFd<'_>, start: i64, len: i64, limit: u32) -> Result<u32> {
    let mut count = 0u32;
    let mut todo = vec![(start, start + len)];
    while let Some((a, b)) = todo.pop() {
        if a >= b || count >= limit {
            continue;
        }
        if let Some((s, l)) = first_lock(fd, a, b - a)? {
            count += 1;
            // l == 0 means "to the end of the file": nothing beyond it.
            let end = if l == 0 { b } else { (s + l).min(b) };
            todo.push((a, s.max(a)));
            todo.push((end, b));
        }
    }
    Ok(count)
}

/// `renameat2(dir, from, dir, to, RENAME_NOREPLACE)`: moves a name inside
/// one directory without ever replacing an existing name (`EEXIST`).
pub fn rename_noreplace(dir: BorrowedFd<'_>, from: &std::ffi::CStr, to: &std::ffi::CStr) -> Result<()> {
    // SAFETY: both names are NUL-terminated strings that outlive the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            dir.as_raw_fd(),
            from.as_ptr(),
            dir.as_raw_fd(),
            to.as_ptr(),
            libc::RENAME_NOREPLACE,
        )
    };
    if r == -1 {
        Err(Error::last_os())
    } else {
        Ok(())
    }
}

/// `unlinkat(dir, name, 0)`.
pub fn unlink_at(dir: BorrowedFd<'_>, name: &std::ffi::CStr) -> Result<()> {
    // SAFETY: a NUL-terminated name that outlives the call.
    let r = unsafe { libc::syscall(libc::SYS_unlinkat, dir.as_raw_fd(), name.as_ptr(), 0) };
    if r == -1 {
        Err(Error::last_os())
    } else {
        Ok(())
    }
}

/// The effective user id of this process.
pub fn euid() -> u32 {
    // SAFETY: no arguments, cannot fail.
    unsafe { libc::geteuid() }
}
