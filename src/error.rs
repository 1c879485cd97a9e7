//! The one error type of rsipc and the per-thread "last error" message.
//!
//! Every safe function returns [`Result<T>`]; the boundary
//! (`crate::ffi::guard`) turns an [`Error`] into the C convention: the
//! call's failure value, `errno`, and a message for `rsipc_last_error()` of
//! the form `call(args): ENAME: what happened in plain words`.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

/// A failed operation: the `errno` value C callers see, and why.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    errno: i32,
    msg: Cow<'static, str>,
}

/// The result type of every safe rsipc function.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error with `errno` and an explanation in plain words.
    pub fn new(errno: i32, msg: impl Into<Cow<'static, str>>) -> Self {
        Error { errno, msg: msg.into() }
    }

    /// The calling thread's current `errno`, explained in generic words.
    /// Call it right after the failing system call. Cold and out of line so
    /// the callers' success paths stay short.
    #[cold]
    #[inline(never)]
    pub fn last_os() -> Self {
        Self::from_errno(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO))
    }

    /// `errno`, explained in generic words (the C library's description).
    pub fn from_errno(errno: i32) -> Self {
        Error { errno, msg: Cow::Borrowed(describe(errno)) }
    }

    /// The errno C callers receive.
    pub fn errno(&self) -> i32 {
        self.errno
    }

    /// The explanation, without the errno name.
    pub fn message(&self) -> &str {
        &self.msg
    }

    /// Replaces the explanation, keeping the errno. Modules use it to say
    /// what an errno means for their call ("a segment with this key already
    /// exists" rather than "File exists").
    pub fn because(mut self, msg: impl Into<Cow<'static, str>>) -> Self {
        self.msg = msg.into();
        self
    }

    /// Replaces the explanation only when the errno is `errno`.
    pub fn explain(self, errno: i32, msg: impl Into<Cow<'static, str>>) -> Self {
        if self.errno == errno {
            self.because(msg)
        } else {
            self
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", errno_name(self.errno), self.msg)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl std::error::Error for Error {}

impl From<nix::errno::Errno> for Error {
    fn from(e: nix::errno::Errno) -> Self {
        Error::from_errno(e as i32)
    }
}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        std::io::Error::from_raw_os_error(e.errno)
    }
}

/// A generic description of `errno`, as `strerror` gives it (the
/// "C" locale's words, which never change at run time).
pub fn describe(errno: i32) -> &'static str {
    ERRNO_TABLE.iter().find(|(n, _, _)| *n == errno).map(|(_, _, text)| *text).unwrap_or("unknown error")
}

/// The symbolic name of `errno` (`"EEXIST"`), or `"E?"` for an unknown one.
pub fn errno_name(errno: i32) -> &'static str {
    ERRNO_TABLE.iter().find(|(n, _, _)| *n == errno).map(|(_, name, _)| *name).unwrap_or("E?")
}

/// Linux errno values rsipc can report, with their names and the C library's
/// descriptions. (Aliases such as EWOULDBLOCK/EAGAIN share a number; the
/// first name listed wins.)
const ERRNO_TABLE: &[(i32, &str, &str)] = &[
    (libc::EPERM, "EPERM", "operation not permitted"),
    (libc::ENOENT, "ENOENT", "no such file or directory"),
    (libc::ESRCH, "ESRCH", "no such process"),
    (libc::EINTR, "EINTR", "interrupted by a signal"),
    (libc::EIO, "EIO", "input/output error"),
    (libc::ENXIO, "ENXIO", "no such device or address"),
    (libc::E2BIG, "E2BIG", "argument list too long"),
    (libc::EBADF, "EBADF", "bad file descriptor"),
    (libc::ECHILD, "ECHILD", "no child processes"),
    (libc::EAGAIN, "EAGAIN", "resource temporarily unavailable"),
    (libc::ENOMEM, "ENOMEM", "cannot allocate memory"),
    (libc::EACCES, "EACCES", "permission denied"),
    (libc::EFAULT, "EFAULT", "bad address"),
    (libc::EBUSY, "EBUSY", "device or resource busy"),
    (libc::EEXIST, "EEXIST", "file exists"),
    (libc::EXDEV, "EXDEV", "invalid cross-device link"),
    (libc::ENODEV, "ENODEV", "no such device"),
    (libc::ENOTDIR, "ENOTDIR", "not a directory"),
    (libc::EISDIR, "EISDIR", "is a directory"),
    (libc::EINVAL, "EINVAL", "invalid argument"),
    (libc::ENFILE, "ENFILE", "too many open files in system"),
    (libc::EMFILE, "EMFILE", "too many open files"),
    (libc::ENOTTY, "ENOTTY", "inappropriate ioctl for device"),
    (libc::ETXTBSY, "ETXTBSY", "text file busy"),
    (libc::EFBIG, "EFBIG", "file too large"),
    (libc::ENOSPC, "ENOSPC", "no space left on device"),
    (libc::ESPIPE, "ESPIPE", "illegal seek"),
    (libc::EROFS, "EROFS", "read-only file system"),
    (libc::EMLINK, "EMLINK", "too many links"),
    (libc::EPIPE, "EPIPE", "broken pipe"),
    (libc::EDOM, "EDOM", "numerical argument out of domain"),
    (libc::ERANGE, "ERANGE", "numerical result out of range"),
    (libc::EDEADLK, "EDEADLK", "resource deadlock avoided"),
    (libc::ENAMETOOLONG, "ENAMETOOLONG", "file name too long"),
    (libc::ENOLCK, "ENOLCK", "no locks available"),
    (libc::ENOSYS, "ENOSYS", "function not implemented"),
    (libc::ENOTEMPTY, "ENOTEMPTY", "directory not empty"),
    (libc::ELOOP, "ELOOP", "too many levels of symbolic links"),
    (libc::ENOMSG, "ENOMSG", "no message of desired type"),
    (libc::EIDRM, "EIDRM", "identifier removed"),
    (libc::ENODATA, "ENODATA", "no data available"),
    (libc::ETIME, "ETIME", "timer expired"),
    (libc::EOVERFLOW, "EOVERFLOW", "value too large for defined data type"),
    (libc::EBADFD, "EBADFD", "file descriptor in bad state"),
    (libc::EILSEQ, "EILSEQ", "invalid or incomplete multibyte or wide character"),
    (libc::EMSGSIZE, "EMSGSIZE", "message too long"),
    (libc::ENOTSUP, "ENOTSUP", "operation not supported"),
    (libc::EADDRINUSE, "EADDRINUSE", "address already in use"),
    (libc::ETIMEDOUT, "ETIMEDOUT", "connection timed out"),
    (libc::EALREADY, "EALREADY", "operation already in progress"),
    (libc::EINPROGRESS, "EINPROGRESS", "operation now in progress"),
    (libc::ESTALE, "ESTALE", "stale file handle"),
    (libc::EDQUOT, "EDQUOT", "disk quota exceeded"),
    (libc::ECANCELED, "ECANCELED", "operation canceled"),
    (libc::EOWNERDEAD, "EOWNERDEAD", "owner died"),
    (libc::ENOTRECOVERABLE, "ENOTRECOVERABLE", "state not recoverable"),
];

// ---------------------------------------------------------------------------
// The per-thread message behind rsipc_last_error().

thread_local! {
    /// NUL-terminated message of this thread's last failed call; empty (just
    /// the terminator) when none. The buffer is reused, so a failing call
    /// allocates only when a message outgrows it.
    static LAST_ERROR: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Records the concatenation of `parts` as this thread's last error, written
/// straight into the reused buffer (no intermediate `String`); interior NULs
/// are replaced so the C string is never cut short.
pub(crate) fn set_last_error_parts(parts: &[&str]) {
    // try_with: during thread teardown the slot may be gone; losing the
    // message then is better than panicking.
    let _ = LAST_ERROR.try_with(|cell| {
        if let Ok(mut buf) = cell.try_borrow_mut() {
            buf.clear();
            for part in parts {
                buf.extend(part.bytes().map(|b| if b == 0 { b'?' } else { b }));
            }
            buf.push(0);
        }
    });
}

/// Clears this thread's last error.
pub(crate) fn clear_last_error() {
    let _ = LAST_ERROR.try_with(|cell| {
        if let Ok(mut buf) = cell.try_borrow_mut() {
            buf.clear();
        }
    });
}

/// Pointer to this thread's last error message, valid until the next failing
/// call on this thread (the buffer only changes when a message is recorded).
pub(crate) fn last_error_ptr() -> *const libc::c_char {
    static EMPTY: &[u8] = b"\0";
    LAST_ERROR
        .try_with(|cell| match cell.try_borrow() {
            Ok(buf) if !buf.is_empty() => buf.as_ptr() as *const libc::c_char,
            _ => EMPTY.as_ptr() as *const libc::c_char,
        })
        .unwrap_or(EMPTY.as_ptr() as *const libc::c_char)
}

/// This thread's last error message as a Rust string (for Rust callers and
/// tests).
pub fn last_error() -> String {
    LAST_ERROR
        .try_with(|cell| {
            let buf = cell.borrow();
            match buf.split_last() {
                Some((_, text)) => String::from_utf8_lossy(text).into_owned(),
                None => String::new(),
            }
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_names_and_descriptions_come_from_the_table() {
        assert_eq!(errno_name(libc::EEXIST), "EEXIST");
        assert_eq!(describe(libc::EFAULT), "bad address");
        assert_eq!(errno_name(100_000), "E?");
    }

    #[test]
    fn explain_replaces_only_the_matching_errno() {
        let e = Error::from_errno(libc::EEXIST).explain(libc::EEXIST, "it exists");
        assert_eq!(e.message(), "it exists");
        let e = Error::from_errno(libc::ENOENT).explain(libc::EEXIST, "it exists");
        assert_eq!(e.message(), "no such file or directory");
    }

    #[test]
    fn last_error_round_trips_and_clears() {
        set_last_error_parts(&["pipe(fds=NULL)", ": EFAULT: ", "fds is NULL"]);
        assert_eq!(last_error(), "pipe(fds=NULL): EFAULT: fds is NULL");
        clear_last_error();
        assert_eq!(last_error(), "");
        // SAFETY: last_error_ptr always returns a valid NUL-terminated string.
        assert_eq!(unsafe { std::ffi::CStr::from_ptr(last_error_ptr()) }.to_bytes(), b"");
    }
}
