//! [`Error`], the one error type of rsipc, and [`Result`].

use super::*;

/// A failed operation: the `errno` value C callers see, and why, as plain
/// data (no allocation to make, copy or drop one).
#[derive(Clone, Copy)]
pub struct Error {
    pub(super) errno: i32,
    pub(super) reason: Reason,
}

/// The result type of every safe rsipc function.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error with `errno` and a reason: a `&'static str`, or a
    /// [`reason!`](crate::reason) with values.
    #[inline(always)]
    pub fn new(errno: i32, reason: impl Into<Reason>) -> Self {
        Error { errno, reason: reason.into() }
    }

    /// The calling thread's current `errno`, explained in generic words.
    /// Call it right after the failing system call. Cold and out of line so
    /// the callers' success paths stay short.
    #[cold]
    #[inline(never)]
    pub fn last_os() -> Self {
        // SAFETY: __errno_location returns the calling thread's errno slot.
        let errno = unsafe { *libc::__errno_location() };
        Self::from_errno(if errno == 0 { libc::EIO } else { errno })
    }

    /// `errno`, explained in generic words (the C library's description).
    #[inline]
    pub fn from_errno(errno: i32) -> Self {
        // The description is looked up when the message is read, not here.
        Error { errno, reason: Reason::template("{}").with(Arg::Describe(errno)) }
    }

    /// The errno C callers receive.
    #[inline(always)]
    pub fn errno(&self) -> i32 {
        self.errno
    }

    /// The reason, as data.
    pub fn reason(&self) -> &Reason {
        &self.reason
    }

    /// The explanation, without the errno name, composed now (for Rust
    /// callers and tests; the C boundary never calls it).
    pub fn message(&self) -> String {
        let mut s = String::new();
        let _ = self.reason.write(&mut s);
        s
    }

    /// Replaces the explanation, keeping the errno. Modules use it to say
    /// what an errno means for their call ("a segment with this key already
    /// exists" rather than "File exists").
    #[inline(always)]
    pub fn because(mut self, reason: impl Into<Reason>) -> Self {
        self.reason = reason.into();
        self
    }

    /// Replaces the explanation only when the errno is `errno`.
    #[inline(always)]
    pub fn explain(self, errno: i32, reason: impl Into<Reason>) -> Self {
        if self.errno == errno {
            self.because(reason)
        } else {
            self
        }
    }
}

impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        self.errno == other.errno && self.message() == other.message()
    }
}

impl Eq for Error {}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(errno_name(self.errno))?;
        f.write_str(": ")?;
        self.reason.write(f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl std::error::Error for Error {}
