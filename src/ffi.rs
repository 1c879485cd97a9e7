//! The C boundary, written once.
//!
//! Every `extern "C"` function of rsipc is a thin shim:
//!
//! ```ignore
//! guard(-1, move || format!("pipe2(fds={}, flags={})", Ptr(fds), OFlags(flags)), || {
//!     let fds = out_ptr(fds, "fds")?;           // NULL -> EFAULT
//!     pipe::pipe2(flags).map(|p| { *fds = p; 0 })
//! })
//! ```
//!
//! [`guard`] runs the body under `catch_unwind`, returns its value on
//! success, and on failure sets `errno`, records the message for
//! `rsipc_last_error()` (`call(args): ENAME: why`) and returns the call's
//! failure value. The description closure is only called on failure, so the
//! success path allocates nothing; it is a `move` closure so the arguments it
//! shows stay in registers instead of being spilled for a reference.
//!
//! The functions that are thread-cancellation points (those whose glibc
//! counterpart is one: `msgsnd`, `msgrcv`, the `mq_*send`/`mq_*receive`
//! calls, the semaphore waits, `msync`, `fifo_open` as `open`, the loops of
//! `write_all`/`read_exact`) are `extern "C-unwind"` and use
//! [`guard_cancel`] instead: a cancel unwinds the thread through them to the
//! caller, so the part that can block runs with no `catch_unwind` on the
//! stack. Everything else calls the kernel directly, never a glibc wrapper
//! that is a cancellation point (`crate::sys::cancel`).

use std::ffi::CStr;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::ptr::NonNull;

use libc::c_char;

use crate::error::{self, errno_name, Error, Result};
use crate::sys::cancel;

/// Runs `body` as the implementation of one C function.
///
/// * `Ok(v)` → `v`, errno and the last-error message untouched.
/// * `Err(e)` → `errno = e.errno()`, message `"{describe()}: {ENAME}: {why}"`,
///   returns `fail`.
/// * a panic (a bug in rsipc) → `errno = ENOTRECOVERABLE`, a message that
///   says so, returns `fail`. Nothing is printed and the process goes on.
#[inline]
pub(crate) fn guard<R, D, F>(fail: R, describe: D, body: F) -> R
where
    R: Copy,
    D: FnOnce() -> String,
    F: FnOnce() -> Result<R>,
{
    guard_with(fail, describe, || body().map_err(|e| (fail, e)))
}

/// [`guard`] for the byte loops (`rsipc_write_all`, `rsipc_read_exact`),
/// whose C contract returns the bytes moved even when an error stopped the
/// loop: complete → the count; end of file → the count with `errno = 0`;
/// an error after some bytes → the count, with errno and the message set; an
/// error before any byte → -1. Every `read`/`write` of the loops is a
/// cancellation point, so this takes the steps of [`guard_cancel`].
#[inline]
pub(crate) fn guard_transfer_cancel<T, O, D, P, W, F>(describe: D, prepare: P, wait: W, finish: F) -> isize
where
    D: FnOnce() -> String,
    P: FnOnce() -> Result<T>,
    W: FnOnce(T) -> O,
    F: FnOnce(O) -> Result<crate::pipe::Transfer>,
{
    guard_steps(-1, describe, prepare, wait, |outcome| transfer_outcome(finish(outcome)))
}

/// What a byte loop's [`Transfer`](crate::pipe::Transfer) means for its C
/// caller (see [`guard_transfer_cancel`]).
#[inline]
fn transfer_outcome(t: Result<crate::pipe::Transfer>) -> std::result::Result<isize, (isize, Error)> {
    use crate::pipe::End;
    let t = t.map_err(|e| (-1, e))?;
    match t.end {
        End::Complete => Ok(t.done as isize),
        End::Eof => {
            set_errno(0);
            Ok(t.done as isize)
        }
        End::Error(e) if t.done == 0 => Err((-1, e)),
        End::Error(e) => Err((t.done as isize, e)),
    }
}

/// [`guard`] for a function that is a thread-cancellation point, in three
/// steps:
///
/// * `prepare` checks the arguments, under `catch_unwind` as in [`guard`];
/// * `wait` is the part that may block, with **no** `catch_unwind` on the
///   stack, so that a cancel unwinds the thread through it to the C caller
///   (`catch_unwind` would catch glibc's forced unwind and drop it, which
///   aborts the process). It must be code that cannot panic — system calls,
///   atomics, errors made from an errno and a fixed text; a panic there
///   aborts the process rather than unwind into C. Its destructors run when
///   the thread is cancelled: that is where state is given back;
/// * `finish` turns what `wait` returned into the call's result (the
///   explanations of errors), under `catch_unwind` again.
///
/// The whole call runs at the deferred cancel type (see
/// [`cancel::Deferred`]): a caller that chose the asynchronous type has a
/// cancel act at the first cancellation point inside `wait`, or as the
/// call returns — never inside a `catch_unwind`. Where the function acts
/// on a pending cancel (at entry, in the wait) is the shim's to say, as
/// glibc's counterpart does.
#[inline]
pub(crate) fn guard_cancel<R, T, O, D, P, W, F>(fail: R, describe: D, prepare: P, wait: W, finish: F) -> R
where
    R: Copy,
    D: FnOnce() -> String,
    P: FnOnce() -> Result<T>,
    W: FnOnce(T) -> O,
    F: FnOnce(O) -> Result<R>,
{
    guard_steps(fail, describe, prepare, wait, |outcome| finish(outcome).map_err(|e| (fail, e)))
}

/// The one implementation behind [`guard_cancel`] and
/// [`guard_transfer_cancel`].
#[inline]
fn guard_steps<R, T, O, D, P, W, F>(fail: R, describe: D, prepare: P, wait: W, finish: F) -> R
where
    R: Copy,
    D: FnOnce() -> String,
    P: FnOnce() -> Result<T>,
    W: FnOnce(T) -> O,
    F: FnOnce(O) -> std::result::Result<R, (R, Error)>,
{
    // First, so that an asynchronous cancel cannot land in the hook's
    // one-time installation either.
    let deferred = cancel::Deferred::hold();
    install_panic_hook();
    let result = match panic::catch_unwind(AssertUnwindSafe(prepare)) {
        Ok(Ok(prepared)) => {
            let outcome = {
                let _no_panic = AbortOnPanic;
                wait(prepared)
            };
            guard_with(fail, describe, || finish(outcome))
        }
        Ok(Err(e)) => fail_with(fail, describe, &e),
        Err(payload) => fail_with(fail, describe, &panic_error(payload)),
    };
    // SAFETY: no catch_unwind of rsipc is on the stack any more; a cancel
    // that arrived during the call acts here for an asynchronous caller.
    unsafe { deferred.restore() };
    result
}

/// Aborts the process if a Rust panic unwinds through it: the wait step of
/// [`guard_cancel`] runs with nothing to catch a panic, and a panic must
/// never unwind into C. glibc's forced unwind (a cancel) is no panic
/// (`std::thread::panicking()` is false then), so it passes through.
struct AbortOnPanic;

impl Drop for AbortOnPanic {
    #[inline]
    fn drop(&mut self) {
        if std::thread::panicking() {
            std::process::abort();
        }
    }
}

/// The one implementation behind the guards: `Err((value, e))` returns
/// `value` with errno and the message set from `e`.
#[inline]
fn guard_with<R, D, F>(panic_value: R, describe: D, body: F) -> R
where
    D: FnOnce() -> String,
    F: FnOnce() -> std::result::Result<R, (R, Error)>,
{
    install_panic_hook();
    match panic::catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => value,
        Ok(Err((value, e))) => fail_with(value, describe, &e),
        Err(payload) => fail_with(panic_value, describe, &panic_error(payload)),
    }
}

#[cold]
fn panic_error(payload: Box<dyn std::any::Any + Send>) -> Error {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    Error::new(libc::ENOTRECOVERABLE, format!("internal error in rsipc (please report it): {what}"))
}

#[cold]
#[inline(never)]
fn fail_with<R, D: FnOnce() -> String>(fail: R, describe: D, e: &Error) -> R {
    // The description is built under catch_unwind too: formatting a caller's
    // arguments must not be able to unwind into C either.
    let call = panic::catch_unwind(AssertUnwindSafe(describe)).unwrap_or_else(|_| "rsipc".into());
    error::set_last_error_parts(&[&call, ": ", errno_name(e.errno()), ": ", e.message()]);
    set_errno(e.errno());
    fail
}

/// Sets the calling thread's C `errno`.
pub(crate) fn set_errno(value: i32) {
    // SAFETY: __errno_location returns the calling thread's errno slot, which
    // is valid for the thread's lifetime.
    unsafe { *libc::__errno_location() = value }
}

/// rsipc must print nothing, even when one of its own functions panics. The
/// standard hook would write "thread panicked at src/..." to stderr, so the
/// library's own panics (whose location is in this crate's `src/`) are kept
/// quiet; they are reported through errno and `rsipc_last_error()` instead.
/// Panics elsewhere (a Rust program or test linking the rlib) still reach the
/// previous hook. Unit tests keep the standard hook so failures are visible.
fn install_panic_hook() {
    #[cfg(not(test))]
    {
        static HOOK: std::sync::Once = std::sync::Once::new();
        HOOK.call_once(|| {
            let previous = panic::take_hook();
            panic::set_hook(Box::new(move |info| {
                let ours = info.location().is_some_and(|l| l.file().starts_with("src/"));
                if !ours {
                    previous(info);
                }
            }));
        });
    }
}

// ---------------------------------------------------------------------------
// Pointer helpers: NULL becomes EFAULT naming the argument.

#[cold]
fn null(what: &'static str) -> Error {
    Error::new(libc::EFAULT, format!("`{what}` is NULL"))
}

/// `p` as a non-NULL pointer, or `EFAULT` naming `what`.
#[inline]
pub(crate) fn non_null<T>(p: *mut T, what: &'static str) -> Result<NonNull<T>> {
    NonNull::new(p).ok_or_else(|| null(what))
}

/// `p` as a non-NULL const pointer, or `EFAULT` naming `what`.
#[inline]
pub(crate) fn non_null_const<T>(p: *const T, what: &'static str) -> Result<NonNull<T>> {
    NonNull::new(p as *mut T).ok_or_else(|| null(what))
}

/// `p` as `&mut T`, or `EFAULT` naming `what`.
///
/// # Safety
/// `p` is NULL or valid for reads and writes of a `T` for `'a`, with no other
/// reference to it alive.
#[inline]
pub(crate) unsafe fn out_ref<'a, T>(p: *mut T, what: &'static str) -> Result<&'a mut T> {
    // SAFETY: non-NULL checked; validity is the caller's contract.
    non_null(p, what).map(|mut p| unsafe { p.as_mut() })
}

/// `p` as `&T`, or `EFAULT` naming `what`.
///
/// # Safety
/// `p` is NULL or valid for reads of a `T` for `'a`.
#[inline]
pub(crate) unsafe fn in_ref<'a, T>(p: *const T, what: &'static str) -> Result<&'a T> {
    // SAFETY: non-NULL checked; validity is the caller's contract.
    non_null_const(p, what).map(|p| unsafe { p.as_ref() })
}

/// `p` as a C string, or `EFAULT` naming `what`.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string valid for `'a`.
#[inline]
pub(crate) unsafe fn c_str<'a>(p: *const c_char, what: &'static str) -> Result<&'a CStr> {
    // SAFETY: non-NULL checked; termination is the caller's contract.
    non_null_const(p, what).map(|p| unsafe { CStr::from_ptr(p.as_ptr()) })
}

/// `len` bytes at `p` as a slice; `len == 0` accepts any pointer (as the
/// kernel does), otherwise NULL is `EFAULT` naming `what`.
///
/// # Safety
/// When `len > 0`, `p` is NULL or valid for reads of `len` bytes for `'a`.
#[inline]
pub(crate) unsafe fn in_bytes<'a>(p: *const libc::c_void, len: usize, what: &'static str) -> Result<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    let p = non_null_const(p as *const u8, what)?;
    // SAFETY: non-NULL, len > 0; validity for len bytes is the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(p.as_ptr(), len) })
}

/// `len` writable bytes at `p`; `len == 0` accepts any pointer, otherwise
/// NULL is `EFAULT` naming `what`.
///
/// # Safety
/// When `len > 0`, `p` is NULL or valid for writes of `len` bytes for `'a`,
/// with no other reference to them alive.
#[inline]
pub(crate) unsafe fn out_bytes<'a>(p: *mut libc::c_void, len: usize, what: &'static str) -> Result<&'a mut [u8]> {
    if len == 0 {
        return Ok(&mut []);
    }
    let p = non_null(p as *mut u8, what)?;
    // SAFETY: non-NULL, len > 0; validity for len bytes is the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts_mut(p.as_ptr(), len) })
}

/// Stores the result of a query command (`IPC_STAT`, `IPC_INFO`, ...) in the
/// caller's buffer and returns the call's value. The query runs first, as in
/// the kernel, so a NULL `buf` is `EFAULT` only when the query itself
/// succeeded; `null_msg` says what the command would have stored there.
///
/// # Safety
/// `buf` is NULL or valid for writes of a `T`.
pub(crate) unsafe fn store_query<T>(
    buf: *mut T,
    null_msg: impl FnOnce() -> String,
    result: Result<(libc::c_int, T)>,
) -> Result<libc::c_int> {
    let (ret, value) = result?;
    // SAFETY: forwarded from this function's contract.
    let out = unsafe { out_ref(buf, "buf") }.map_err(|e| e.because(null_msg()))?;
    *out = value;
    Ok(ret)
}

// ---------------------------------------------------------------------------
// Formatting of arguments for error messages (only ever run on failure).

/// Writes `addr` as `{:p}` shows it (`0x` and lowercase hex digits) into
/// `buf` without allocating, for messages built on fast paths.
pub(crate) fn hex_address(addr: usize, buf: &mut [u8; 18]) -> &str {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut start = buf.len();
    let mut rest = addr;
    loop {
        start -= 1;
        buf[start] = DIGITS[rest & 0xf];
        rest >>= 4;
        if rest == 0 {
            break;
        }
    }
    start -= 2;
    buf[start] = b'0';
    buf[start + 1] = b'x';
    std::str::from_utf8(&buf[start..]).expect("ASCII digits")
}

/// Shows a pointer as `NULL` or its address.
pub(crate) struct Ptr<T>(pub *const T);

impl<T> fmt::Display for Ptr<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_null() {
            f.write_str("NULL")
        } else {
            write!(f, "{:p}", self.0)
        }
    }
}

/// Shows a C string argument quoted, or `NULL`.
pub(crate) struct Name(pub *const c_char);

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_null() {
            return f.write_str("NULL");
        }
        // SAFETY: the caller of the rsipc function promised a NUL-terminated
        // string; only the first 64 bytes are shown.
        let s = unsafe { CStr::from_ptr(self.0) }.to_string_lossy();
        if s.chars().count() > 64 {
            let short: String = s.chars().take(64).collect();
            write!(f, "\"{short}\"...")
        } else {
            write!(f, "\"{s}\"")
        }
    }
}

/// Writes the names of the bits of `value` found in `names`, `|`-separated,
/// then any unnamed rest in hex (or `0` when nothing is set).
fn write_bits(f: &mut fmt::Formatter<'_>, value: i64, names: &[(i64, &str)], mut first: bool) -> fmt::Result {
    let mut rest = value;
    for &(bit, name) in names {
        if bit != 0 && rest & bit == bit {
            if !first {
                f.write_str("|")?;
            }
            f.write_str(name)?;
            first = false;
            rest &= !bit;
        }
    }
    if rest != 0 {
        if !first {
            f.write_str("|")?;
        }
        write!(f, "{rest:#x}")?;
    } else if first {
        f.write_str("0")?;
    }
    Ok(())
}

/// `open(2)`-style flags: `O_WRONLY|O_CREAT|O_EXCL`.
pub(crate) struct OFlags(pub i32);

impl fmt::Display for OFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: &[(i64, &str)] = &[
            (libc::O_CREAT as i64, "O_CREAT"),
            (libc::O_EXCL as i64, "O_EXCL"),
            (libc::O_TRUNC as i64, "O_TRUNC"),
            (libc::O_APPEND as i64, "O_APPEND"),
            (libc::O_NONBLOCK as i64, "O_NONBLOCK"),
            (libc::O_CLOEXEC as i64, "O_CLOEXEC"),
            (libc::O_DIRECT as i64, "O_DIRECT"),
            (libc::O_NOFOLLOW as i64, "O_NOFOLLOW"),
            (libc::O_NOCTTY as i64, "O_NOCTTY"),
        ];
        let access = match self.0 & libc::O_ACCMODE {
            libc::O_RDONLY => "O_RDONLY",
            libc::O_WRONLY => "O_WRONLY",
            libc::O_RDWR => "O_RDWR",
            _ => "O_ACCMODE",
        };
        f.write_str(access)?;
        let rest = (self.0 & !libc::O_ACCMODE) as u32 as i64;
        if rest != 0 {
            write_bits(f, rest, NAMES, false)?;
        }
        Ok(())
    }
}

/// System V `*get` flags: `IPC_CREAT|IPC_EXCL|0644`, `IPC_CREAT` (no
/// permission bits), or `0600`.
pub(crate) struct IpcFlags(pub i32);

/// The flag names every System V `*get` call shares.
const IPC_GET_NAMES: &[(i64, &str)] = &[(libc::IPC_CREAT as i64, "IPC_CREAT"), (libc::IPC_EXCL as i64, "IPC_EXCL")];

impl IpcFlags {
    /// Writes the flags, naming the bits of `IPC_GET_NAMES` and `extra`
    /// (call-specific flags such as `SHM_HUGETLB`).
    pub(crate) fn fmt_with(&self, f: &mut fmt::Formatter<'_>, extra: &[(i64, &str)]) -> fmt::Result {
        let mode = self.0 & 0o777;
        let mut rest = (self.0 & !0o777) as u32 as i64;
        let mut first = true;
        for &(bit, name) in IPC_GET_NAMES.iter().chain(extra) {
            if bit != 0 && rest & bit == bit {
                f.write_str(if first { "" } else { "|" })?;
                f.write_str(name)?;
                first = false;
                rest &= !bit;
            }
        }
        if rest != 0 {
            write!(f, "{}{rest:#x}", if first { "" } else { "|" })?;
            first = false;
        }
        match (first, mode) {
            (true, _) => write!(f, "{}", Mode(mode as libc::mode_t)),
            (false, 0) => Ok(()),
            (false, _) => write!(f, "|{}", Mode(mode as libc::mode_t)),
        }
    }
}

impl fmt::Display for IpcFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_with(f, &[])
    }
}

/// A System V key as messages show it: `IPC_PRIVATE` or `0x1234`.
pub struct Key(pub libc::key_t);

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == libc::IPC_PRIVATE {
            f.write_str("IPC_PRIVATE")
        } else {
            write!(f, "{:#x}", self.0 as u32)
        }
    }
}

/// Any flag word from a table of names (for call-specific flags such as
/// `MSG_NOERROR` or `SHM_RDONLY`).
pub(crate) struct Bits<'a>(pub i64, pub &'a [(i64, &'a str)]);

impl fmt::Display for Bits<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_bits(f, self.0, self.1, true)
    }
}

/// A file mode as octal `0644`.
pub(crate) struct Mode(pub libc::mode_t);

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            f.write_str("0")
        } else {
            write!(f, "0{:o}", self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_returns_the_value_on_success_and_leaves_errno_alone() {
        set_errno(1234);
        error::set_last_error_parts(&["earlier"]);
        let v = guard(-1, || unreachable!("described only on failure"), || Ok(7));
        assert_eq!(v, 7);
        // SAFETY: reading this thread's errno.
        assert_eq!(unsafe { *libc::__errno_location() }, 1234);
        assert_eq!(error::last_error(), "earlier");
    }

    #[test]
    fn guard_sets_errno_and_message_on_failure() {
        let v = guard(-1, || "demo(x=1)".to_string(), || -> Result<i32> { Err(Error::new(libc::EEXIST, "it exists")) });
        assert_eq!(v, -1);
        // SAFETY: reading this thread's errno.
        assert_eq!(unsafe { *libc::__errno_location() }, libc::EEXIST);
        assert_eq!(error::last_error(), "demo(x=1): EEXIST: it exists");
    }

    #[test]
    fn guard_turns_a_panic_into_enotrecoverable() {
        let v = guard(-1, || "demo()".to_string(), || -> Result<i32> { panic!("boom") });
        assert_eq!(v, -1);
        // SAFETY: reading this thread's errno.
        assert_eq!(unsafe { *libc::__errno_location() }, libc::ENOTRECOVERABLE);
        let msg = error::last_error();
        assert!(msg.starts_with("demo(): ENOTRECOVERABLE: internal error in rsipc"), "{msg}");
        assert!(msg.contains("boom"), "{msg}");
    }

    #[test]
    fn guard_cancel_runs_its_steps_in_order_and_reports_as_guard_does() {
        let v = guard_cancel(-1, || unreachable!("described only on failure"), || Ok(2), |x| x * 10, |y| Ok(y + 1));
        assert_eq!(v, 21);
        let v = guard_cancel(
            -1,
            || "demo(x=1)".to_string(),
            || Ok(()),
            |()| libc::EAGAIN,
            |errno| -> Result<i32> { Err(Error::new(errno, "explained after the wait")) },
        );
        assert_eq!(v, -1);
        // SAFETY: reading this thread's errno.
        assert_eq!(unsafe { *libc::__errno_location() }, libc::EAGAIN);
        assert_eq!(error::last_error(), "demo(x=1): EAGAIN: explained after the wait");
    }

    #[test]
    fn guard_cancel_turns_a_panic_in_its_checks_into_enotrecoverable_and_never_waits() {
        let v = guard_cancel(
            -1,
            || "demo()".to_string(),
            || -> Result<()> { panic!("boom") },
            |()| unreachable!("no wait after failed checks"),
            |()| Ok(0),
        );
        assert_eq!(v, -1);
        // SAFETY: reading this thread's errno.
        assert_eq!(unsafe { *libc::__errno_location() }, libc::ENOTRECOVERABLE);
        let v = guard_cancel(
            -1,
            || "demo()".to_string(),
            || -> Result<()> { Err(Error::new(libc::EINVAL, "bad")) },
            |()| unreachable!("no wait after failed checks"),
            |()| Ok(0),
        );
        assert_eq!(v, -1);
        assert_eq!(error::last_error(), "demo(): EINVAL: bad");
    }

    #[test]
    fn guard_cancel_waits_at_the_deferred_type_and_gives_the_callers_type_back() {
        extern "C-unwind" {
            fn pthread_setcanceltype(kind: libc::c_int, old: *mut libc::c_int) -> libc::c_int;
        }
        const DEFERRED: libc::c_int = 0;
        const ASYNCHRONOUS: libc::c_int = 1;
        // The type now, left as it is (switching to the deferred type and
        // back never acts on a cancel, and none is sent to this thread).
        fn cancel_type() -> libc::c_int {
            let (mut was, mut ignored) = (0, 0);
            // SAFETY: valid arguments; no cancel is pending on this thread.
            unsafe {
                pthread_setcanceltype(DEFERRED, &mut was);
                pthread_setcanceltype(was, &mut ignored);
            }
            was
        }
        let mut old = 0;
        // SAFETY: as above.
        unsafe { pthread_setcanceltype(ASYNCHRONOUS, &mut old) };
        let during = guard_cancel(-1, || unreachable!(), || Ok(()), |()| cancel_type(), Ok);
        let after = cancel_type();
        // SAFETY: as above.
        unsafe { pthread_setcanceltype(old, &mut old) };
        assert_eq!((during, after), (DEFERRED, ASYNCHRONOUS));
    }

    #[test]
    fn null_pointers_are_efault_naming_the_argument() {
        let e = non_null(std::ptr::null_mut::<i32>(), "fds").unwrap_err();
        assert_eq!(e.errno(), libc::EFAULT);
        assert_eq!(e.message(), "`fds` is NULL");
        // SAFETY: a zero length never dereferences.
        assert!(unsafe { in_bytes(std::ptr::null(), 0, "buf") }.unwrap().is_empty());
        // SAFETY: NULL is rejected before any dereference.
        assert_eq!(unsafe { in_bytes(std::ptr::null(), 1, "buf") }.unwrap_err().errno(), libc::EFAULT);
    }

    #[test]
    fn hex_address_matches_the_pointer_format() {
        for addr in [0usize, 1, 0xabc, 0x7fff_dead_beef, usize::MAX] {
            let mut buf = [0u8; 18];
            assert_eq!(hex_address(addr, &mut buf), format!("{:p}", addr as *const u8));
        }
    }

    #[test]
    fn flags_are_shown_by_name() {
        assert_eq!(OFlags(libc::O_WRONLY | libc::O_NONBLOCK).to_string(), "O_WRONLY|O_NONBLOCK");
        assert_eq!(OFlags(libc::O_RDONLY).to_string(), "O_RDONLY");
        assert_eq!(IpcFlags(libc::IPC_CREAT | libc::IPC_EXCL | 0o644).to_string(), "IPC_CREAT|IPC_EXCL|0644");
        assert_eq!(IpcFlags(libc::IPC_CREAT).to_string(), "IPC_CREAT");
        assert_eq!(IpcFlags(0).to_string(), "0");
        assert_eq!(IpcFlags(0o600).to_string(), "0600");
        assert_eq!(OFlags(i32::MIN).to_string(), "O_RDONLY|0x80000000");
        assert_eq!(Key(libc::IPC_PRIVATE).to_string(), "IPC_PRIVATE");
        assert_eq!(Key(0x1234).to_string(), "0x1234");
        assert_eq!(Ptr(std::ptr::null::<u8>()).to_string(), "NULL");
    }
}
