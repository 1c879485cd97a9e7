//! Anonymous pipes: `pipe(2)`, `pipe2(2)`, capacity (`F_GETPIPE_SZ` /
//! `F_SETPIPE_SZ`), non-blocking mode, and the loops every pipe user writes
//! by hand — write everything, read exactly.

// Safe Rust only: unsafe code lives in sys/ and at the C boundary (ffi);
// each exception below says why it needs it.
#![deny(unsafe_code)]

// The C boundary: raw pointers and descriptors from C.
#[allow(unsafe_code)]
pub(crate) mod ffi;

use std::os::fd::OwnedFd;

use crate::sys::FdArg;

use crate::error::Hex;
use crate::error::{Error, Result};
use crate::sys::{self, Cancel};

/// The flags `pipe2(2)` accepts.
pub const PIPE2_FLAGS: i32 = libc::O_CLOEXEC | libc::O_NONBLOCK | libc::O_DIRECT;

/// `EINVAL` for flags outside `O_CLOEXEC | O_NONBLOCK | O_DIRECT`. The
/// kernel checks the flags before it looks at the `fds` pointer, so the C
/// shim calls this first too (same errno as glibc for `pipe2(NULL, bad)`).
pub fn check_pipe2_flags(flags: i32) -> Result<()> {
    if flags & !PIPE2_FLAGS != 0 {
        return Err(Error::new(
            libc::EINVAL,
            reason!("unknown flag bits {}: pipe2 takes O_CLOEXEC, O_NONBLOCK and O_DIRECT", Hex(flags & !PIPE2_FLAGS)),
        ));
    }
    Ok(())
}

/// Creates a pipe: `[read end, write end]`, as `pipe2(2)`.
///
/// Flags outside `O_CLOEXEC | O_NONBLOCK | O_DIRECT` are `EINVAL`.
pub fn pipe2(flags: i32) -> Result<[OwnedFd; 2]> {
    Ok(pipe2_fds(flags)?.map(OwnedFd::from))
}

/// [`pipe2`] with ends that close with the system call (for the C
/// boundary, where glibc's `close` would be a cancellation point).
pub(crate) fn pipe2_fds(flags: i32) -> Result<[sys::Fd; 2]> {
    check_pipe2_flags(flags)?;
    sys::pipe::pipe2(flags).map_err(|e| {
        e.explain(libc::EMFILE, "this process has no free file descriptor (RLIMIT_NOFILE)")
            .explain(libc::ENFILE, "the system-wide limit on open files was reached")
    })
}

/// Explains `EBADF` from `fcntl` on `fd`: not open at all, or open but not
/// usable for this command (`what_it_is_not`, e.g. "a pipe or FIFO"). Which
/// of the two is asked of the kernel when the message is read, never on
/// the failure path.
fn explain_ebadf(fd: FdArg, e: Error, what_it_is_not: &'static str) -> Error {
    match e.errno() {
        libc::EBADF => e.because(crate::error::later::fd_open_but_not(fd.raw(), what_it_is_not)),
        _ => e,
    }
}

/// Explains the errors `fcntl` gives for a descriptor that is not a pipe.
#[cold]
fn not_a_pipe(fd: FdArg, e: Error) -> Error {
    explain_ebadf(fd, e, "a pipe or FIFO")
}

/// The pipe's capacity in bytes (`F_GETPIPE_SZ`).
#[inline]
pub fn capacity(fd: impl Into<FdArg>) -> Result<i32> {
    let fd = fd.into();
    sys::fcntl_int(fd.raw(), libc::F_GETPIPE_SZ, 0).map_err(|e| not_a_pipe(fd, e))
}

/// Resizes the pipe to at least `bytes` (the kernel rounds up to a power-of-two
/// number of pages) and returns the new capacity.
///
/// `bytes <= 0` is `EINVAL`; more than `/proc/sys/fs/pipe-max-size` without
/// `CAP_SYS_RESOURCE` is `EPERM`; less than the data now in the pipe is
/// `EBUSY`.
pub fn set_capacity(fd: impl Into<FdArg>, bytes: i32) -> Result<i32> {
    let fd = fd.into();
    if bytes <= 0 {
        return Err(Error::new(libc::EINVAL, reason!("capacity {} must be positive", bytes)));
    }
    sys::fcntl_int(fd.raw(), libc::F_SETPIPE_SZ, bytes).map_err(|e| {
        not_a_pipe(fd, e)
            .explain(libc::EPERM, "the size exceeds /proc/sys/fs/pipe-max-size and the caller lacks CAP_SYS_RESOURCE")
            .explain(libc::EBUSY, "the pipe holds more data than the requested capacity")
    })
}

/// Sets (`on == true`) or clears `O_NONBLOCK` on `fd`.
pub fn set_nonblocking(fd: impl Into<FdArg>, on: bool) -> Result<()> {
    let fd = fd.into();
    // An O_PATH descriptor is open, but its status flags cannot be changed.
    let explain = |e: Error| explain_ebadf(fd, e, "one whose status flags can be changed (an O_PATH descriptor?)");
    let flags = sys::fcntl_int(fd.raw(), libc::F_GETFL, 0).map_err(explain)?;
    let wanted = if on { flags | libc::O_NONBLOCK } else { flags & !libc::O_NONBLOCK };
    if wanted != flags {
        sys::fcntl_int(fd.raw(), libc::F_SETFL, wanted).map_err(explain)?;
    }
    Ok(())
}

/// How a loop over `read`/`write` ended.
#[derive(Debug, PartialEq, Eq)]
pub enum End {
    /// Every byte asked for was transferred.
    Complete,
    /// End of file came first (reads only).
    Eof,
    /// An error stopped the loop.
    Error(Error),
}

/// The outcome of [`write_all`] / [`read_exact`]: bytes moved and why the loop
/// stopped. Partial progress is not an error by itself: the bytes moved are
/// the caller's even when an error came after them.
#[derive(Debug, PartialEq, Eq)]
pub struct Transfer {
    pub done: usize,
    pub end: End,
}

/// Writes all of `buf`, retrying `EINTR` and short writes.
///
/// A non-blocking descriptor that fills up stops the loop with `EAGAIN`
/// after the bytes it took.
#[inline]
// unsafe: only to call the Cancel::Never form of the function below, which
// cannot unwind.
#[allow(unsafe_code)]
pub fn write_all(fd: impl Into<FdArg>, buf: &[u8]) -> Transfer {
    let fd = fd.into();
    // SAFETY: Cancel::Never cannot unwind.
    explain_transfer(fd, unsafe { write_all_as(Cancel::Never, fd, buf) }, "written to")
}

/// [`write_all`] with its error unexplained (system calls only): each
/// `write` is a cancellation point with [`Cancel::Point`], as glibc's.
///
/// # Safety
/// With [`Cancel::Point`], as for [`crate::sys::cancel::syscall`].
#[inline]
// unsafe: the cancellation contract of sys::cancel (with Cancel::Point a
// cancel may unwind from here; no catch_unwind may be on the stack), passed
// on to the C boundary; no memory is touched unsafely.
#[allow(unsafe_code)]
pub(crate) unsafe fn write_all_as(how: Cancel, fd: FdArg, buf: &[u8]) -> Transfer {
    let mut done = 0;
    while done < buf.len() {
        // SAFETY: forwarded from this function's contract.
        match unsafe { sys::write_as(how, fd.raw(), &buf[done..]) } {
            Ok(n) => done += n,
            Err(e) if e.errno() == libc::EINTR => continue,
            Err(e) => return Transfer { done, end: End::Error(e) },
        }
    }
    Transfer { done, end: End::Complete }
}

/// Reads until `buf` is full or end of file, retrying `EINTR` and short reads.
#[inline]
// unsafe: only to call the Cancel::Never form of the function below, which
// cannot unwind.
#[allow(unsafe_code)]
pub fn read_exact(fd: impl Into<FdArg>, buf: &mut [u8]) -> Transfer {
    let fd = fd.into();
    // SAFETY: Cancel::Never cannot unwind.
    explain_transfer(fd, unsafe { read_exact_as(Cancel::Never, fd, buf) }, "read from")
}

/// [`read_exact`] with its error unexplained (system calls only): each
/// `read` is a cancellation point with [`Cancel::Point`], as glibc's.
///
/// # Safety
/// With [`Cancel::Point`], as for [`crate::sys::cancel::syscall`].
#[inline]
// unsafe: the cancellation contract of sys::cancel (with Cancel::Point a
// cancel may unwind from here; no catch_unwind may be on the stack), passed
// on to the C boundary; no memory is touched unsafely.
#[allow(unsafe_code)]
pub(crate) unsafe fn read_exact_as(how: Cancel, fd: FdArg, buf: &mut [u8]) -> Transfer {
    let mut done = 0;
    while done < buf.len() {
        // SAFETY: forwarded from this function's contract.
        match unsafe { sys::read_as(how, fd.raw(), &mut buf[done..]) } {
            Ok(0) => return Transfer { done, end: End::Eof },
            Ok(n) => done += n,
            Err(e) if e.errno() == libc::EINTR => continue,
            Err(e) => return Transfer { done, end: End::Error(e) },
        }
    }
    Transfer { done, end: End::Complete }
}

/// `t` with the error that stopped it (if any) explained; `verb` is
/// "written to" or "read from".
#[inline]
pub(crate) fn explain_transfer(fd: FdArg, t: Transfer, verb: &'static str) -> Transfer {
    match t.end {
        End::Error(e) => Transfer { done: t.done, end: End::Error(explain_io(fd, e, verb)) },
        end => Transfer { done: t.done, end },
    }
}

#[cold]
fn explain_io(fd: FdArg, e: Error, verb: &'static str) -> Error {
    match e.errno() {
        libc::EBADF => e.because(reason!("descriptor {} is not open, or not open to be {}", fd.raw(), verb)),
        libc::EPIPE => e.because("every read end of the pipe is closed"),
        libc::EAGAIN => e.because("the descriptor is non-blocking and the pipe would block"),
        _ => e,
    }
}

// Tests fork and call libc directly to watch the kernel objects.
#[cfg(test)]
#[allow(unsafe_code)]
mod tests {
    use super::*;

    use std::os::fd::AsRawFd;

    /// Both ends, closed when dropped, and their numbers.
    struct Pipe([OwnedFd; 2]);
    impl Pipe {
        fn new(flags: i32) -> Pipe {
            Pipe(pipe2(flags).unwrap())
        }
        fn fd(&self, end: usize) -> FdArg {
            self.0[end].as_raw_fd().into()
        }
    }

    #[test]
    fn set_nonblocking_on_an_o_path_descriptor_says_it_is_open() {
        let p = std::ffi::CString::new("/proc/self/status").unwrap();
        // SAFETY: valid C string; the descriptor is closed below.
        let fd = sys::fs::openat(libc::AT_FDCWD, &p, libc::O_PATH | libc::O_CLOEXEC, 0).unwrap();
        let e = set_nonblocking(fd.as_raw_fd(), true).unwrap_err();
        // Whether the descriptor is open is asked when the message is
        // composed, so it is read while the descriptor still is.
        let msg = e.message();
        drop(fd);
        assert_eq!(e.errno(), libc::EBADF);
        assert!(msg.contains("is open but"), "{msg}");
    }

    #[test]
    fn pipe2_rejects_unknown_flags() {
        assert_eq!(pipe2(libc::O_APPEND).unwrap_err().errno(), libc::EINVAL);
    }

    #[test]
    fn pipe2_applies_cloexec_and_nonblock() {
        let p = Pipe::new(libc::O_CLOEXEC | libc::O_NONBLOCK);
        assert_ne!(sys::fcntl_int(p.fd(0).raw(), libc::F_GETFD, 0).unwrap() & libc::FD_CLOEXEC, 0);
        assert_ne!(sys::fcntl_int(p.fd(1).raw(), libc::F_GETFL, 0).unwrap() & libc::O_NONBLOCK, 0);
    }

    #[test]
    fn capacity_is_64k_by_default_and_can_grow() {
        let p = Pipe::new(0);
        assert_eq!(capacity(p.fd(0)).unwrap(), 65536);
        assert_eq!(set_capacity(p.fd(1), 100_000).unwrap(), 131072);
        assert_eq!(capacity(p.fd(0)).unwrap(), 131072);
    }

    #[test]
    fn capacity_of_a_non_pipe_says_so() {
        let file = std::fs::File::open("/proc/self/status").unwrap();
        let e = capacity(file.as_raw_fd()).unwrap_err();
        assert_eq!(e.errno(), libc::EBADF);
        assert!(e.message().contains("not a pipe"), "{e}");
        assert!(capacity(-1).unwrap_err().message().contains("not open"));
    }

    #[test]
    fn set_capacity_rejects_non_positive_sizes() {
        let p = Pipe::new(0);
        assert_eq!(set_capacity(p.fd(1), 0).unwrap_err().errno(), libc::EINVAL);
        assert_eq!(set_capacity(p.fd(1), -5).unwrap_err().errno(), libc::EINVAL);
    }

    #[test]
    fn nonblocking_toggles() {
        let p = Pipe::new(0);
        set_nonblocking(p.fd(0), true).unwrap();
        assert_ne!(sys::fcntl_int(p.fd(0).raw(), libc::F_GETFL, 0).unwrap() & libc::O_NONBLOCK, 0);
        set_nonblocking(p.fd(0), false).unwrap();
        assert_eq!(sys::fcntl_int(p.fd(0).raw(), libc::F_GETFL, 0).unwrap() & libc::O_NONBLOCK, 0);
    }

    #[test]
    fn write_all_then_read_exact_round_trip() {
        let p = Pipe::new(0);
        assert_eq!(write_all(p.fd(1), b"hello world"), Transfer { done: 11, end: End::Complete });
        let mut buf = [0u8; 5];
        assert_eq!(read_exact(p.fd(0), &mut buf), Transfer { done: 5, end: End::Complete });
        assert_eq!(&buf, b"hello");
    }

    #[test]
    fn read_exact_reports_eof_with_the_bytes_read() {
        let [r, w] = pipe2(0).unwrap();
        write_all(w.as_raw_fd(), b"abc");
        drop(w);
        let mut buf = [0u8; 8];
        assert_eq!(read_exact(r.as_raw_fd(), &mut buf), Transfer { done: 3, end: End::Eof });
    }

    #[test]
    fn write_all_on_a_full_nonblocking_pipe_stops_with_eagain_after_the_bytes_it_took() {
        let p = Pipe::new(libc::O_NONBLOCK);
        let big = vec![7u8; 100_000];
        let t = write_all(p.fd(1), &big);
        assert_eq!(t.done, 65536);
        assert!(matches!(t.end, End::Error(ref e) if e.errno() == libc::EAGAIN));
    }
}
