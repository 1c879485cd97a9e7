//! C shims for FIFOs.

use std::fmt;

use libc::{c_char, c_int, mode_t};

use crate::ffi::{c_str, guard, guard_cancel, Mode, Name, OpenFlags};
use crate::sys::{cancel, Cancel, Fd};

/// A `dirfd` argument: `AT_FDCWD` by name, else the number.
struct DirFd(c_int);
shown_newtype!(DirFd);

impl fmt::Display for DirFd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == libc::AT_FDCWD {
            f.write_str("AT_FDCWD")
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// As mkfifo(3): creates a FIFO (named pipe) at `path` with permissions
/// `mode` less the umask. Returns 0, or -1 with errno.
///
/// # Errors
/// `EFAULT` if `path` is NULL; `EEXIST` if anything exists at `path`;
/// `ENOENT`, `EACCES`, `ENOTDIR`, `ENAMETOOLONG`, `ELOOP`, `EROFS`, `ENOSPC`
/// as mkfifo(3).
///
/// # Safety
/// `path` is NULL or a NUL-terminated string.
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub unsafe extern "C" fn rsipc_mkfifo(path: *const c_char, mode: mode_t) -> c_int {
    guard(-1, call!("mkfifo", path = Name(path), mode = Mode(mode)), || {
        // SAFETY: forwarded from this function's contract.
        let path = unsafe { c_str(path, "path") }?;
        super::mkfifo(path, mode).map(|()| 0)
    })
}

/// As mkfifoat(3): creates a FIFO at `path` relative to the directory
/// descriptor `dirfd` (`AT_FDCWD`: the current directory; ignored for an
/// absolute path). Returns 0, or -1 with errno.
///
/// # Errors
/// Those of `rsipc_mkfifo`, and `EBADF`/`ENOTDIR` for a `dirfd` that is not
/// an open directory when `path` is relative.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string.
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub unsafe extern "C" fn rsipc_mkfifoat(dirfd: c_int, path: *const c_char, mode: mode_t) -> c_int {
    guard(-1, call!("mkfifoat", dirfd = DirFd(dirfd), path = Name(path), mode = Mode(mode)), || {
        // SAFETY: forwarded from this function's contract.
        let path = unsafe { c_str(path, "path") }?;
        super::mkfifoat(dirfd, path, mode).map(|()| 0)
    })
}

/// Opens the existing FIFO `path` for `O_RDONLY`, `O_WRONLY` or `O_RDWR`,
/// safely: a symbolic link at `path` is refused with `ELOOP` (never
/// followed) and anything that is not a FIFO with `EINVAL` (never opened —
/// the path is looked up with `O_PATH|O_NOFOLLOW` and checked with fstat on
/// that descriptor, then the same inode is opened). A reader opens at once
/// (its reads see end of file until a writer opens: wait with poll(2) for
/// `POLLIN`). A writer waits at most `timeout_ms` milliseconds for a reader
/// (`ETIMEDOUT`); `timeout_ms < 0` waits forever, `0` does not wait (`ENXIO`
/// with no reader, as `open(O_WRONLY|O_NONBLOCK)`). A signal handler running
/// during a wait forever acts as on `open(O_WRONLY)` (`EINTR`, or the wait
/// goes on if the handler has `SA_RESTART`); one running during a timed wait
/// always ends it with `EINTR`. `flags` may add `O_NONBLOCK` (the
/// returned descriptor is blocking without it), `O_CLOEXEC`, `O_APPEND`,
/// `O_NOCTTY`, `O_NOFOLLOW`. Returns the descriptor, or -1 with errno.
///
/// A thread-cancellation point, as open(2) is: a pending cancel acts when
/// the call begins, and a writer's wait for a reader (the blocking open, or
/// each sleep of a timed wait) can be cancelled.
///
/// # Errors
/// `EFAULT` if `path` is NULL; `EINVAL` for another flag or a path that is
/// not a FIFO; `ELOOP` for a symbolic link; `ENXIO`/`ETIMEDOUT`/`EINTR` for a
/// writer without reader; `ENOENT`, `EACCES` and the other errors of open(2).
///
/// # Safety
/// `path` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C-unwind" fn rsipc_fifo_open(path: *const c_char, flags: c_int, timeout_ms: c_int) -> c_int {
    // As open(2) in glibc, a cancellation point that acts on a pending
    // cancel before anything else.
    // SAFETY: called from C: no catch_unwind of rsipc is on the stack.
    unsafe { cancel::test() };
    guard_cancel(
        -1,
        call!("fifo_open", path = Name(path), flags = OpenFlags(flags), timeout_ms = timeout_ms),
        || {
            // SAFETY: forwarded from this function's contract.
            let path = unsafe { c_str(path, "path") }?;
            super::check(path, flags)
        },
        // SAFETY: guard_cancel runs this with no catch_unwind on the stack.
        |fifo| unsafe { fifo.open(Cancel::Point, timeout_ms) },
        |opened| opened.map(Fd::into_raw),
    )
}
