//! The guard every `extern "C"` function runs its body under: panics
//! caught, errno and the failure record set in one place, and the steps of
//! a function that is a thread-cancellation point.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};

use crate::error::{self, Call, Error, Result};
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
    D: FnOnce(&mut Call),
    F: FnOnce() -> Result<R>,
{
    guard_with(fail, describe, body)
}

/// A failure as a body of a guard returns it: an [`Error`] (the call returns
/// its failure value), or a value and an [`Error`] (the byte loops). The
/// error is recorded where the body left it: re-wrapping it (`map_err`)
/// would copy the whole [`Error`], some 100 bytes, on every failure.
pub(crate) trait Failure<R> {
    /// The value to return, and the error to record.
    fn parts(&self, fail: R) -> (R, &Error);
}

impl<R> Failure<R> for Error {
    #[inline(always)]
    fn parts(&self, fail: R) -> (R, &Error) {
        (fail, self)
    }
}

impl<R: Copy> Failure<R> for (R, Error) {
    #[inline(always)]
    fn parts(&self, _: R) -> (R, &Error) {
        (self.0, &self.1)
    }
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
    D: FnOnce(&mut Call),
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
    D: FnOnce(&mut Call),
    P: FnOnce() -> Result<T>,
    W: FnOnce(T) -> O,
    F: FnOnce(O) -> Result<R>,
{
    guard_steps(fail, describe, prepare, wait, finish)
}

/// The one implementation behind [`guard_cancel`] and
/// [`guard_transfer_cancel`].
#[inline]
fn guard_steps<R, T, O, E, D, P, W, F>(fail: R, describe: D, prepare: P, wait: W, finish: F) -> R
where
    R: Copy,
    E: Failure<R>,
    D: FnOnce(&mut Call),
    P: FnOnce() -> Result<T>,
    W: FnOnce(T) -> O,
    F: FnOnce(O) -> std::result::Result<R, E>,
{
    let deferred = cancel::Deferred::hold();
    // One mark for the whole call (a cancel unwinding through `wait`
    // drops it too).
    let inside = Inside::enter();
    let result = match panic::catch_unwind(AssertUnwindSafe(prepare)) {
        Ok(Ok(prepared)) => {
            let outcome = {
                let _no_panic = AbortOnPanic;
                wait(prepared)
            };
            catch_and_report(fail, describe, || finish(outcome))
        }
        Ok(Err(e)) => self::fail(fail, describe, &e),
        Err(payload) => self::fail(fail, describe, &panic_error(payload)),
    };
    drop(inside);
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

/// Marks this thread as inside a guarded rsipc call while it lives (also
/// when a panic or a cancel unwinds through it): the count in the error
/// module's hot TLS block ([`error::inside`]), which the panic hook reads.
/// It keeps the count's address, so a call reaches the block once.
struct Inside(*const Cell<u32>);

impl Inside {
    #[inline(always)]
    fn enter() -> Inside {
        let n = error::inside();
        // SAFETY: this thread's count (see `error::inside`); `Inside` is
        // neither `Send` nor `Sync` (a raw pointer), so it is dropped on
        // this thread.
        unsafe { (*n).set((*n).get().wrapping_add(1)) };
        Inside(n)
    }
}

impl Drop for Inside {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: as in `enter`.
        unsafe { (*self.0).set((*self.0).get().wrapping_sub(1)) };
    }
}

/// The "inside rsipc" count of this thread (the panic hook's question, and
/// the tests').
#[inline]
fn inside_count() -> u32 {
    // SAFETY: this thread's count (see `error::inside`), read at once.
    unsafe { (*error::inside()).get() }
}

/// The one implementation behind the guards: a failure returns its value
/// (see [`Failure`]) with errno and the record set from its error.
#[inline]
fn guard_with<R, E, D, F>(panic_value: R, describe: D, body: F) -> R
where
    R: Copy,
    E: Failure<R>,
    D: FnOnce(&mut Call),
    F: FnOnce() -> std::result::Result<R, E>,
{
    let _inside = Inside::enter();
    catch_and_report(panic_value, describe, body)
}

/// `body` under `catch_unwind`, its error or panic recorded; the caller
/// holds the "inside rsipc" mark. The error is recorded where `body` left
/// it, inside the closure (recording cannot panic), so it is never moved
/// out of `catch_unwind`'s result.
#[inline(always)]
fn catch_and_report<R, E, D, F>(panic_value: R, describe: D, body: F) -> R
where
    R: Copy,
    E: Failure<R>,
    D: FnOnce(&mut Call),
    F: FnOnce() -> std::result::Result<R, E>,
{
    let mut describe = Some(describe);
    let describe_ref = &mut describe;
    match panic::catch_unwind(AssertUnwindSafe(move || match body() {
        Ok(value) => value,
        Err(failure) => {
            let (value, e) = failure.parts(panic_value);
            fail(value, describe_ref.take().expect("described once"), e)
        }
    })) {
        Ok(value) => value,
        Err(payload) => match describe.take() {
            Some(describe) => fail(panic_value, describe, &panic_error(payload)),
            None => fail(panic_value, |_: &mut Call| {}, &panic_error(payload)),
        },
    }
}

#[cold]
fn panic_error(payload: Box<dyn std::any::Any + Send>) -> Error {
    // Keeps the constructor that installs the panic hook in every link that
    // has a guard (a static library's member is linked only when something
    // refers to it).
    #[cfg(not(test))]
    std::hint::black_box(&INSTALL_PANIC_HOOK);
    let what: &str = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown panic");
    crate::err!(libc::ENOTRECOVERABLE, "internal error in rsipc (please report it): {}", error::Lossy(what.as_bytes()))
}

/// Sets errno and records the failure of the call `describe` describes;
/// returns `value`. Plain stores only: safe in a signal handler, and cheap
/// enough for calls that fail in normal use (`sem_trywait`'s `EAGAIN`).
#[cold]
#[inline(never)]
pub(crate) fn fail<R, D: FnOnce(&mut Call)>(value: R, describe: D, e: &Error) -> R {
    error::record_with_errno(describe, e.errno(), e.reason());
    value
}

/// Sets errno and records a failure at `site` (see [`error::Site`]) with
/// its argument words; returns -1. The cheapest failure path: a pointer
/// and a word or two stored (see [`error::fail_site`]).
#[inline(always)]
pub(crate) fn fail_at(site: &'static error::Site, words: [usize; 2]) -> libc::c_int {
    error::fail_site(site, words)
}

/// Sets the calling thread's C `errno`.
#[inline(always)]
pub(crate) fn set_errno(value: i32) {
    // SAFETY: __errno_location returns the calling thread's errno slot, which
    // is valid for the thread's lifetime.
    unsafe { *libc::__errno_location() = value }
}

/// rsipc must print nothing, even when one of its own functions panics: the
/// standard hook would write "thread panicked at ..." to stderr. The hook
/// installed here keeps quiet about panics raised inside a guarded rsipc
/// call (they are reported through errno and `rsipc_last_error()` instead)
/// and hands every other panic (the host program's own, when it is a Rust
/// program linking the rlib) to the hook it replaced.
///
/// It is installed by an ELF constructor (`.init_array`), before `main` or
/// when the library is loaded, not by the first call: installing a hook
/// allocates and takes std's hook lock, which a first call made from a
/// signal handler must not do. Unit tests keep the standard hook so
/// failures are visible.
#[cfg(not(test))]
#[used]
#[link_section = ".init_array"]
static INSTALL_PANIC_HOOK: extern "C" fn() = install_panic_hook;

#[cfg(not(test))]
extern "C" fn install_panic_hook() {
    panic::set_hook(quiet_inside_rsipc(panic::take_hook()));
}

/// A panic hook as `take_hook` returns one. (`PanicHookInfo` is Rust 1.81;
/// the locked dependencies already need a newer compiler than the declared
/// `rust-version`.)
#[allow(clippy::incompatible_msrv)]
type Hook = Box<dyn Fn(&panic::PanicHookInfo<'_>) + Sync + Send + 'static>;

/// The hook rsipc installs: `previous`, except for panics raised inside a
/// guarded rsipc call on this thread (the "inside rsipc" flag, not the
/// panic's file: a host program's own `src/` is not rsipc's).
fn quiet_inside_rsipc(previous: Hook) -> Hook {
    Box::new(move |info| {
        // The count has no destructor, so it is readable during thread
        // teardown too (a panic then is not inside a call: 0).
        let inside = inside_count() > 0;
        if !inside {
            previous(info);
        }
    })
}

/// Whether this thread is inside a guarded rsipc call (for tests).
#[cfg(test)]
pub(crate) fn inside_rsipc() -> bool {
    inside_count() > 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Reason;

    #[test]
    fn guard_returns_the_value_on_success_and_leaves_errno_alone() {
        set_errno(1234);
        error::record(crate::call!("earlier"), libc::EINVAL, &Reason::from("before"));
        let v = guard(-1, |_: &mut Call| unreachable!("described only on failure"), || Ok(7));
        assert_eq!(v, 7);
        // SAFETY: reading this thread's errno.
        assert_eq!(unsafe { *libc::__errno_location() }, 1234);
        assert_eq!(error::last_error(), "earlier(): EINVAL: before");
    }

    #[test]
    fn guard_sets_errno_and_message_on_failure() {
        let v =
            guard(-1, crate::call!("demo", x = 1), || -> Result<i32> { Err(Error::new(libc::EEXIST, "it exists")) });
        assert_eq!(v, -1);
        // SAFETY: reading this thread's errno.
        assert_eq!(unsafe { *libc::__errno_location() }, libc::EEXIST);
        assert_eq!(error::last_error(), "demo(x=1): EEXIST: it exists");
    }

    #[test]
    fn guard_turns_a_panic_into_enotrecoverable() {
        let v = guard(-1, crate::call!("demo"), || -> Result<i32> {
            assert!(inside_rsipc(), "the body runs inside rsipc");
            panic!("boom")
        });
        assert_eq!(v, -1);
        assert!(!inside_rsipc(), "the flag is cleared after a caught panic");
        // SAFETY: reading this thread's errno.
        assert_eq!(unsafe { *libc::__errno_location() }, libc::ENOTRECOVERABLE);
        let msg = error::last_error();
        assert!(msg.starts_with("demo(): ENOTRECOVERABLE: internal error in rsipc"), "{msg}");
        assert!(msg.contains("boom"), "{msg}");
    }

    #[test]
    fn the_panic_hook_is_quiet_only_about_panics_inside_rsipc() {
        use std::sync::atomic::{AtomicU32, Ordering};
        thread_local!(static SEEN: std::cell::Cell<u32> = const { std::cell::Cell::new(0) });
        static OTHER_THREADS: AtomicU32 = AtomicU32::new(0);
        let standard = panic::take_hook();
        // The previous hook records this thread's panics (other tests'
        // panics on other threads are counted apart).
        panic::set_hook(quiet_inside_rsipc(Box::new(|_| {
            if SEEN.try_with(|s| s.set(s.get() + 1)).is_err() {
                OTHER_THREADS.fetch_add(1, Ordering::Relaxed);
            }
        })));
        let v = guard(-1, crate::call!("demo"), || -> Result<i32> { panic!("inside rsipc") });
        let inside = SEEN.with(std::cell::Cell::get);
        // A panic of the host program whose file is also some `src/...`.
        let outside = panic::catch_unwind(|| panic!("the host's own panic"));
        let after = SEEN.with(std::cell::Cell::get);
        panic::set_hook(standard);
        assert_eq!(v, -1);
        assert!(outside.is_err());
        assert_eq!(inside, 0, "a panic inside rsipc is kept quiet");
        assert_eq!(after, 1, "the host's panic reaches the previous hook");
    }

    #[test]
    fn guard_cancel_runs_its_steps_in_order_and_reports_as_guard_does() {
        let v = guard_cancel(
            -1,
            |_: &mut Call| unreachable!("described only on failure"),
            || Ok(2),
            |x| x * 10,
            |y| Ok(y + 1),
        );
        assert_eq!(v, 21);
        let v = guard_cancel(
            -1,
            crate::call!("demo", x = 1),
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
            crate::call!("demo"),
            || -> Result<()> { panic!("boom") },
            |()| unreachable!("no wait after failed checks"),
            |()| Ok(0),
        );
        assert_eq!(v, -1);
        // SAFETY: reading this thread's errno.
        assert_eq!(unsafe { *libc::__errno_location() }, libc::ENOTRECOVERABLE);
        let v = guard_cancel(
            -1,
            crate::call!("demo"),
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
        let during = guard_cancel(-1, |_: &mut Call| unreachable!(), || Ok(()), |()| cancel_type(), Ok);
        let after = cancel_type();
        // SAFETY: as above.
        unsafe { pthread_setcanceltype(old, &mut old) };
        assert_eq!((during, after), (DEFERRED, ASYNCHRONOUS));
    }
}
