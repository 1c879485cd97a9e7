//! FIFOs (named pipes): `mkfifo(3)`, `mkfifoat(3)`, and [`open`], the safe
//! way to open one.
//!
//! `open(2)` on a path that should be a FIFO has three traps: it follows a
//! symbolic link planted at the path, it happily opens (or blocks on, or
//! rewinds) whatever else is there, and a writer blocks forever when no
//! reader comes. [`open`] looks the path up with `O_PATH | O_NOFOLLOW` —
//! which opens nothing for I/O — checks the type with `fstat` on that very
//! descriptor, and only then opens the FIFO through it
//! (`/proc/thread-self/fd/N`), so the checked inode is the opened inode.
//! A writer that waits forever does so in a blocking open of that inode,
//! exactly as `open(O_WRONLY)` waits (signals included); a writer with a
//! timeout retries a non-blocking open while no reader is there, sleeping
//! between tries, until `timeout_ms` runs out.

// Safe Rust only: unsafe code lives in sys/ and at the C boundary (ffi);
// each exception below says why it needs it.
#![deny(unsafe_code)]

// The C boundary: raw pointers and descriptors from C.
#[allow(unsafe_code)]
pub(crate) mod ffi;

use std::ffi::CStr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use crate::error::Hex;
use crate::sys::Cancel;

use crate::error::{Error, Result};
use crate::mmap::file_kind;
use crate::sys;

/// The flags [`open`] accepts: an access mode plus these. Creating,
/// truncating and the other open(2) flags make no sense for an existing FIFO
/// (and `O_CREAT` would create a regular file).
pub const OPEN_FLAGS: i32 = libc::O_ACCMODE
    | libc::O_NONBLOCK
    | libc::O_CLOEXEC
    | libc::O_NOFOLLOW
    | libc::O_NOCTTY
    | libc::O_APPEND
    | libc::O_LARGEFILE;

/// The first pause of a writer waiting for a reader, in milliseconds; it
/// doubles up to [`MAX_PAUSE_MS`].
const FIRST_PAUSE_MS: u32 = 1;

/// The longest pause between two tries of a waiting writer. The kernel has
/// no event for "a reader opened this FIFO" that also covers a reader blocked
/// in open(2) (inotify's IN_OPEN comes only once that open returns, and it
/// waits for us), so the writer polls: at most 100 cheap, failing open calls
/// a second, and a reader is noticed within 10 ms.
const MAX_PAUSE_MS: u32 = 10;

/// Creates a FIFO at `path` with permissions `mode` (less the umask), as
/// `mkfifo(3)`.
pub fn mkfifo(path: &CStr, mode: libc::mode_t) -> Result<()> {
    mkfifoat(libc::AT_FDCWD, path, mode)
}

/// Creates a FIFO at `path` relative to the directory `dirfd` (or the
/// current directory for `AT_FDCWD`, or anywhere for an absolute path), as
/// `mkfifoat(3)`.
pub fn mkfifoat(dirfd: impl Into<sys::FdArg>, path: &CStr, mode: libc::mode_t) -> Result<()> {
    let dirfd = dirfd.into();
    sys::fs::mkfifoat(dirfd.raw(), path, mode).map_err(|e| match e.errno() {
        libc::EEXIST => e.because("a file already exists at this path (mkfifo never replaces one)"),
        libc::EBADF => e.because(reason!("dirfd {} is not an open descriptor and the path is relative", dirfd.raw())),
        libc::ENOTDIR if dirfd.raw() != libc::AT_FDCWD => {
            e.because("dirfd is not a directory, or a component of the path is not one")
        }
        libc::EPERM => e.because("the file system does not support FIFOs"),
        _ => explain_path(e, path),
    })
}

/// Explains the errors of looking a path up.
fn explain_path(e: Error, path: &CStr) -> Error {
    match e.errno() {
        libc::ENOENT if path.to_bytes().is_empty() => e.because("the path is empty"),
        libc::ENOENT => e.because("no such file, or a directory on the path does not exist"),
        libc::EACCES => e.because("permission denied by the file's mode or a directory on the path"),
        libc::ENOTDIR => e.because("a component of the path is not a directory"),
        libc::ENAMETOOLONG => e.because("the path, or a component of it, is too long"),
        libc::ELOOP => e.because("too many symbolic links in the directories of the path"),
        libc::EROFS => e.because("the file system is read-only"),
        libc::ENOSPC => e.because("no space left on the file system"),
        _ => e,
    }
}

/// Opens the existing FIFO `path` for reading (`O_RDONLY`), writing
/// (`O_WRONLY`) or both (`O_RDWR`), refusing anything that is not a FIFO:
/// a symbolic link at `path` is `ELOOP` (never followed), any other file
/// type is `EINVAL` (never opened).
///
/// A reader opens at once. A writer waits for a reader at most `timeout_ms`
/// milliseconds (`ETIMEDOUT`), forever if it is negative, not at all if it is
/// 0 (`ENXIO`, as `open(O_WRONLY | O_NONBLOCK)`). A signal handler that runs
/// during a wait forever does what it does to `open(O_WRONLY)`: `EINTR`, or
/// a restarted wait if it was installed with `SA_RESTART`; one that runs
/// during a timed wait always ends it with `EINTR`. The descriptor is
/// blocking unless `flags` has `O_NONBLOCK`, close-on-exec only if `flags`
/// has `O_CLOEXEC` (it is the caller's, as from open(2)).
// unsafe: only to call the Cancel::Never form of the function below, which
// cannot unwind.
#[allow(unsafe_code)]
pub fn open(path: &CStr, flags: i32, timeout_ms: i32) -> Result<OwnedFd> {
    let fifo = check(path, flags)?;
    // SAFETY: Cancel::Never cannot unwind.
    unsafe { fifo.open(Cancel::Never, timeout_ms) }.map(OwnedFd::from)
}

/// A path checked to name a FIFO, with the flags to open it with: what
/// [`open`] does before it may wait. The C shim runs this part inside the
/// boundary's `catch_unwind` and [`Checked::open`] outside it, where the
/// wait can be a cancellation point.
pub(crate) struct Checked<'a> {
    path: &'a CStr,
    flags: i32,
    /// The `O_PATH` descriptor of the checked inode.
    handle: sys::Fd,
    st: libc::stat,
}

/// Checks `flags`, looks `path` up without following a link and checks
/// that it is a FIFO (see [`open`]); opens nothing for I/O.
pub(crate) fn check(path: &CStr, flags: i32) -> Result<Checked<'_>> {
    let access = flags & libc::O_ACCMODE;
    if access == libc::O_ACCMODE {
        return Err(Error::new(libc::EINVAL, "the access mode must be O_RDONLY, O_WRONLY or O_RDWR"));
    }
    if flags & !OPEN_FLAGS != 0 {
        return Err(Error::new(
            libc::EINVAL,
            reason!("flag bits {} are not accepted: fifo_open opens an existing FIFO (create it with mkfifo) and takes O_RDONLY, O_WRONLY or O_RDWR with O_NONBLOCK, O_CLOEXEC, O_APPEND, O_NOCTTY, O_NOFOLLOW", Hex(flags & !OPEN_FLAGS)),
        ));
    }
    // O_PATH opens nothing for I/O: no device is touched, no FIFO peer is
    // woken, and with O_NOFOLLOW a symbolic link is returned as itself.
    let handle = sys::fs::openat(libc::AT_FDCWD, path, libc::O_PATH | libc::O_NOFOLLOW | libc::O_CLOEXEC, 0)
        .map_err(|e| explain_path(e, path))?;
    let st = sys::fstat(handle.as_raw_fd())?;
    match st.st_mode & libc::S_IFMT {
        libc::S_IFIFO => Ok(Checked { path, flags, handle, st }),
        libc::S_IFLNK => Err(Error::new(libc::ELOOP, "the path is a symbolic link: fifo_open never follows one")),
        _ => Err(Error::new(
            libc::EINVAL,
            reason!("the path names a {}, not a FIFO (it was not opened)", file_kind(st.st_mode)),
        )),
    }
}

impl Checked<'_> {
    /// Opens the checked FIFO: at once for a reader, after waiting for a
    /// reader (see [`open`]) for a writer. With [`Cancel::Point`] the wait
    /// is a cancellation point, as open(2)'s is: the blocking open for
    /// `timeout_ms < 0`, each sleep between two tries otherwise. Everything
    /// here is system calls and errors built without panicking; when the
    /// thread is cancelled, the destructors close the descriptors and
    /// restore the signal mask.
    ///
    /// # Safety
    /// With [`Cancel::Point`], as for [`sys::cancel::syscall`].
    // unsafe: the cancellation contract of sys::cancel (with Cancel::Point a
    // cancel may unwind from here; no catch_unwind may be on the stack), passed
    // on to the C boundary; no memory is touched unsafely.
    #[allow(unsafe_code)]
    pub(crate) unsafe fn open(&self, how: Cancel, timeout_ms: i32) -> Result<sys::Fd> {
        let flags = self.flags;
        // Opened non-blocking, so that a reader never waits for a writer and
        // a writer's tries fail with ENXIO instead of blocking; close-on-exec
        // while it is ours. Both are set as the caller asked at the end.
        let io_flags = (flags & !libc::O_NOFOLLOW) | libc::O_NONBLOCK | libc::O_CLOEXEC | libc::O_NOCTTY;
        let fd = if flags & libc::O_ACCMODE == libc::O_WRONLY {
            // SAFETY: forwarded from this function's contract.
            unsafe { self.wait_for_reader(how, io_flags, timeout_ms) }?
        } else {
            // SAFETY: Cancel::Never cannot unwind.
            unsafe { self.reopen(Cancel::Never, io_flags) }?
        };
        let fl = sys::fcntl_int(fd.as_raw_fd(), libc::F_GETFL, 0)?;
        let wanted = if flags & libc::O_NONBLOCK == 0 { fl & !libc::O_NONBLOCK } else { fl | libc::O_NONBLOCK };
        if wanted != fl {
            sys::fcntl_int(fd.as_raw_fd(), libc::F_SETFL, wanted)?;
        }
        if flags & libc::O_CLOEXEC == 0 {
            sys::fcntl_int(fd.as_raw_fd(), libc::F_SETFD, 0)?;
        }
        Ok(fd)
    }

    /// Opens the FIFO for writing once a reader is there.
    ///
    /// # Safety
    /// With [`Cancel::Point`], as for [`sys::cancel::syscall`].
    // unsafe: the cancellation contract of sys::cancel (with Cancel::Point a
    // cancel may unwind from here; no catch_unwind may be on the stack), passed
    // on to the C boundary; no memory is touched unsafely.
    #[allow(unsafe_code)]
    unsafe fn wait_for_reader(&self, how: Cancel, flags: i32, timeout_ms: i32) -> Result<sys::Fd> {
        if timeout_ms < 0 {
            // The kernel's own wait: a blocking open of the checked inode, so
            // a signal ends or restarts it exactly as it would open(O_WRONLY).
            // SAFETY: forwarded from this function's contract.
            return unsafe { self.reopen(how, flags & !libc::O_NONBLOCK) }
                .map_err(|e| e.explain(libc::EINTR, "a signal handler interrupted the wait for a reader"));
        }
        // SAFETY: Cancel::Never cannot unwind.
        match unsafe { self.reopen(Cancel::Never, flags) } {
            Err(e) if e.errno() == libc::ENXIO => {}
            other => return other,
        }
        if timeout_ms == 0 {
            return Err(Error::new(libc::ENXIO, "no process has the FIFO open for reading (timeout_ms is 0: no wait)"));
        }
        let deadline = sys::deadline_after_ms(timeout_ms as u64)?;
        // Signals stay blocked between the sleeps and are let in only during
        // them, so every handler that runs while the writer waits ends the
        // wait (EINTR) — none runs unnoticed between two tries.
        let signals = sys::signal::SignalsHeld::new()?;
        let mut pause = FIRST_PAUSE_MS;
        loop {
            // SAFETY: Cancel::Never cannot unwind.
            match unsafe { self.reopen(Cancel::Never, flags) } {
                Err(e) if e.errno() == libc::ENXIO => {}
                other => return other,
            }
            let left = sys::ms_until(&deadline)?;
            if left == 0 {
                return Err(Error::new(
                    libc::ETIMEDOUT,
                    reason!("no process opened the FIFO for reading within {} ms", timeout_ms),
                ));
            }
            // SAFETY: forwarded from this function's contract.
            unsafe { signals.sleep_ms(how, pause.min(left.min(u32::MAX as i64) as u32)) }
                .map_err(|e| e.explain(libc::EINTR, "a signal handler interrupted the wait for a reader"))?;
            pause = (pause * 2).min(MAX_PAUSE_MS);
        }
    }

    /// Opens the checked inode with `flags`, through
    /// `/proc/thread-self/fd/N` — the very inode whose type was checked,
    /// whatever has happened to the path since. Without `/proc` it opens the
    /// path again (`O_NOFOLLOW`) and checks that it found the same inode.
    ///
    /// # Safety
    /// With [`Cancel::Point`], as for [`sys::cancel::syscall`].
    // unsafe: the cancellation contract of sys::cancel (with Cancel::Point a
    // cancel may unwind from here; no catch_unwind may be on the stack), passed
    // on to the C boundary; no memory is touched unsafely.
    #[allow(unsafe_code)]
    unsafe fn reopen(&self, how: Cancel, flags: i32) -> Result<sys::Fd> {
        let proc_path = ProcFdPath::new(self.handle.as_fd());
        // SAFETY: forwarded from this function's contract.
        match unsafe { sys::fs::openat_as(how, libc::AT_FDCWD, proc_path.as_c_str(), flags, 0) } {
            // SAFETY: forwarded from this function's contract.
            Err(e) if e.errno() == libc::ENOENT => unsafe { reopen_by_path(how, &self.st, self.path, flags) },
            other => other.map_err(|e| explain_reopen(e, flags)),
        }
    }
}

/// `Checked::reopen` without `/proc`: the path opened again, accepted only
/// if it is still the inode described by `expected`.
///
/// # Safety
/// With [`Cancel::Point`], as for [`sys::cancel::syscall`].
// unsafe: the cancellation contract of sys::cancel (with Cancel::Point a
// cancel may unwind from here; no catch_unwind may be on the stack), passed
// on to the C boundary; no memory is touched unsafely.
#[allow(unsafe_code)]
unsafe fn reopen_by_path(how: Cancel, expected: &libc::stat, path: &CStr, flags: i32) -> Result<sys::Fd> {
    // SAFETY: forwarded from this function's contract.
    let fd =
        unsafe { sys::fs::openat_as(how, libc::AT_FDCWD, path, flags | libc::O_NOFOLLOW, 0) }.map_err(|e| {
            match e.errno() {
                libc::ELOOP => e.because("the FIFO was replaced by a symbolic link while it was being opened"),
                _ => explain_reopen(explain_path(e, path), flags),
            }
        })?;
    let st = sys::fstat(fd.as_raw_fd())?;
    if st.st_dev != expected.st_dev || st.st_ino != expected.st_ino {
        return Err(Error::new(libc::EINVAL, "the FIFO was replaced by another file while it was being opened"));
    }
    Ok(fd)
}

fn explain_reopen(e: Error, flags: i32) -> Error {
    let how = match flags & libc::O_ACCMODE {
        libc::O_RDONLY => "reading",
        libc::O_WRONLY => "writing",
        _ => "reading and writing",
    };
    e.explain(libc::EACCES, reason!("the FIFO's permissions do not allow opening it for {}", how))
}

/// `/proc/thread-self/fd/N` as a C string, built without allocating.
struct ProcFdPath {
    buf: [u8; 40],
    len: usize,
}

impl ProcFdPath {
    const PREFIX: &'static [u8] = b"/proc/thread-self/fd/";

    /// The path of `fd`, a descriptor of this process.
    fn new(fd: BorrowedFd<'_>) -> Self {
        Self::of_number(fd.as_raw_fd().unsigned_abs())
    }

    fn of_number(mut n: u32) -> Self {
        let mut digits = [0u8; 10];
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let mut buf = [0u8; 40];
        buf[..Self::PREFIX.len()].copy_from_slice(Self::PREFIX);
        let len = Self::PREFIX.len() + digits.len() - start;
        buf[Self::PREFIX.len()..len].copy_from_slice(&digits[start..]);
        ProcFdPath { buf, len }
    }

    fn as_c_str(&self) -> &CStr {
        // The digits hold no NUL, so the first NUL is the one after them
        // (the fallback never happens; it keeps this free of panics).
        CStr::from_bytes_until_nul(&self.buf[..=self.len]).unwrap_or_default()
    }
}

// Tests fork and call libc directly to watch the kernel objects.
#[cfg(test)]
#[allow(unsafe_code)]
mod tests {
    use super::*;
    use std::ffi::CString;

    struct Temp(CString);
    impl Temp {
        fn new(tag: &str) -> Temp {
            Temp(CString::new(format!("/tmp/rsipc-unit-fifo-{}-{tag}", std::process::id())).unwrap())
        }
    }
    impl Drop for Temp {
        fn drop(&mut self) {
            let _ = sys::fs::unlinkat(libc::AT_FDCWD, &self.0);
        }
    }

    fn fd_flags(fd: &OwnedFd) -> (i32, i32) {
        (
            sys::fcntl_int(fd.as_raw_fd(), libc::F_GETFL, 0).unwrap(),
            sys::fcntl_int(fd.as_raw_fd(), libc::F_GETFD, 0).unwrap(),
        )
    }

    #[test]
    fn proc_fd_paths_are_built_without_allocating() {
        assert_eq!(ProcFdPath::of_number(0).as_c_str().to_bytes(), b"/proc/thread-self/fd/0");
        assert_eq!(ProcFdPath::of_number(1234567890).as_c_str().to_bytes(), b"/proc/thread-self/fd/1234567890");
    }

    #[test]
    fn mkfifo_twice_is_eexist() {
        let t = Temp::new("twice");
        mkfifo(&t.0, 0o600).unwrap();
        let e = mkfifo(&t.0, 0o600).unwrap_err();
        assert_eq!(e.errno(), libc::EEXIST);
        assert!(e.message().contains("already exists"), "{e}");
    }

    #[test]
    fn a_reader_opens_at_once_and_gets_a_blocking_descriptor_without_cloexec() {
        let t = Temp::new("reader");
        mkfifo(&t.0, 0o600).unwrap();
        let fd = open(&t.0, libc::O_RDONLY, 0).unwrap();
        let (fl, fdfl) = fd_flags(&fd);
        assert_eq!(fl & libc::O_NONBLOCK, 0);
        assert_eq!(fdfl & libc::FD_CLOEXEC, 0);
    }

    #[test]
    fn flags_ask_for_nonblocking_and_cloexec() {
        let t = Temp::new("flags");
        mkfifo(&t.0, 0o600).unwrap();
        let fd = open(&t.0, libc::O_RDONLY | libc::O_NONBLOCK | libc::O_CLOEXEC, 0).unwrap();
        let (fl, fdfl) = fd_flags(&fd);
        assert_ne!(fl & libc::O_NONBLOCK, 0);
        assert_ne!(fdfl & libc::FD_CLOEXEC, 0);
    }

    #[test]
    fn a_writer_without_reader_and_no_timeout_is_enxio() {
        let t = Temp::new("enxio");
        mkfifo(&t.0, 0o600).unwrap();
        assert_eq!(open(&t.0, libc::O_WRONLY, 0).unwrap_err().errno(), libc::ENXIO);
    }

    #[test]
    fn a_writer_without_reader_times_out() {
        let t = Temp::new("timeout");
        mkfifo(&t.0, 0o600).unwrap();
        let e = open(&t.0, libc::O_WRONLY, 30).unwrap_err();
        assert_eq!(e.errno(), libc::ETIMEDOUT);
        assert!(e.message().contains("30 ms"), "{e}");
    }

    #[test]
    fn a_writer_opens_at_once_when_a_reader_is_there() {
        let t = Temp::new("pair");
        mkfifo(&t.0, 0o600).unwrap();
        let r = open(&t.0, libc::O_RDONLY, 0).unwrap();
        let w = open(&t.0, libc::O_WRONLY, 0).unwrap();
        assert_eq!(sys::write(w.as_raw_fd(), b"hi").unwrap(), 2);
        let mut buf = [0u8; 2];
        assert_eq!(sys::read(r.as_raw_fd(), &mut buf).unwrap(), 2);
        assert_eq!(&buf, b"hi");
    }

    #[test]
    fn a_writer_waiting_forever_opens_once_a_reader_comes() {
        let t = Temp::new("forever");
        mkfifo(&t.0, 0o600).unwrap();
        for flags in [libc::O_WRONLY, libc::O_WRONLY | libc::O_NONBLOCK] {
            let path = t.0.clone();
            // The reader may come before or after the writer starts waiting:
            // either way the writer must open.
            let writer = std::thread::spawn(move || open(&path, flags, -1).map(|fd| fd_flags(&fd).0));
            let _r = open(&t.0, libc::O_RDONLY, 0).unwrap();
            let fl = writer.join().unwrap().unwrap();
            assert_eq!(fl & libc::O_NONBLOCK, flags & libc::O_NONBLOCK);
        }
    }

    #[test]
    fn o_rdwr_opens_at_once() {
        let t = Temp::new("rdwr");
        mkfifo(&t.0, 0o600).unwrap();
        open(&t.0, libc::O_RDWR, 0).unwrap();
    }

    #[test]
    fn a_regular_file_is_einval_and_untouched() {
        let t = Temp::new("regular");
        std::fs::write(t.0.to_str().unwrap(), b"data").unwrap();
        let e = open(&t.0, libc::O_WRONLY, 0).unwrap_err();
        assert_eq!(e.errno(), libc::EINVAL);
        assert!(e.message().contains("regular file"), "{e}");
        assert_eq!(std::fs::read(t.0.to_str().unwrap()).unwrap(), b"data");
    }

    #[test]
    fn a_symlink_to_a_fifo_is_eloop() {
        let fifo = Temp::new("target");
        let link = Temp::new("link");
        mkfifo(&fifo.0, 0o600).unwrap();
        std::os::unix::fs::symlink(fifo.0.to_str().unwrap(), link.0.to_str().unwrap()).unwrap();
        let e = open(&link.0, libc::O_RDONLY, 0).unwrap_err();
        assert_eq!(e.errno(), libc::ELOOP);
        assert!(e.message().contains("symbolic link"), "{e}");
    }

    #[test]
    fn bad_flags_are_einval() {
        let t = Temp::new("badflags");
        mkfifo(&t.0, 0o600).unwrap();
        assert_eq!(open(&t.0, libc::O_ACCMODE, 0).unwrap_err().errno(), libc::EINVAL);
        assert_eq!(open(&t.0, libc::O_WRONLY | libc::O_CREAT, 0).unwrap_err().errno(), libc::EINVAL);
        assert_eq!(open(&t.0, libc::O_WRONLY | libc::O_TRUNC, 0).unwrap_err().errno(), libc::EINVAL);
    }

    #[test]
    fn the_fallback_without_proc_opens_the_same_fifo_and_refuses_a_replaced_one() {
        let t = Temp::new("fallback");
        mkfifo(&t.0, 0o600).unwrap();
        let handle =
            sys::fs::openat(libc::AT_FDCWD, &t.0, libc::O_PATH | libc::O_NOFOLLOW | libc::O_CLOEXEC, 0).unwrap();
        let st = sys::fstat(handle.as_raw_fd()).unwrap();
        unsafe { reopen_by_path(Cancel::Never, &st, &t.0, libc::O_RDONLY | libc::O_NONBLOCK | libc::O_CLOEXEC) }
            .unwrap();
        // Replace the FIFO by another one: a different inode.
        sys::fs::unlinkat(libc::AT_FDCWD, &t.0).unwrap();
        mkfifo(&t.0, 0o600).unwrap();
        let e =
            unsafe { reopen_by_path(Cancel::Never, &st, &t.0, libc::O_RDONLY | libc::O_NONBLOCK | libc::O_CLOEXEC) }
                .unwrap_err();
        assert_eq!(e.errno(), libc::EINVAL);
        assert!(e.message().contains("replaced"), "{e}");
    }
}
