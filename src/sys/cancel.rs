//! Thread-cancellation points, made the way glibc 2.36 makes its own.
//!
//! glibc turns a blocking system call into a cancellation point by switching
//! the thread to asynchronous cancellation for the duration of the call
//! (`SYSCALL_CANCEL` → `__pthread_enable_asynccancel` / `..._disable_...`):
//! a `pthread_cancel` then interrupts the call with `SIGCANCEL`, whose
//! handler unwinds the thread (a *forced unwind*) from inside the call. The
//! only public way to do the same is `pthread_setcanceltype`, which is what
//! [`syscall`] does: switching to asynchronous cancellation acts at once on
//! a cancel that is already pending, so a pending cancel is honoured before
//! the call blocks, as in glibc.
//!
//! Rules for the callers (they follow from how the forced unwind travels):
//! * the unwind starts inside `syscall(2)` (glibc's assembly stub, which has
//!   unwind tables) and passes through every frame up to the C caller, so
//!   every rsipc function that can reach [`syscall`] is `extern "C-unwind"`,
//!   and no `catch_unwind` may be on the stack at that moment: Rust's
//!   `catch_unwind` would catch the forced unwind and drop it, which glibc
//!   answers with "FATAL: exception not rethrown" and `abort()`;
//! * Rust destructors of the frames it passes *do* run (that is how a
//!   waiter count is given back when a waiting thread is cancelled);
//! * the same window exists as in glibc 2.36: a cancel that arrives after
//!   the call returned and before the old type is restored still acts.
//!
//! Everything else rsipc calls must not be a cancellation point (it uses
//! raw system calls, never the glibc wrappers that are), so a function that
//! glibc does not make a cancellation point never acts on a pending cancel.
//!
//! A thread whose cancel type is asynchronous can be unwound at any
//! instruction, also inside a `catch_unwind`. The boundary of a
//! cancellation point therefore holds the thread at the deferred type
//! ([`Deferred`]) while it runs Rust code and restores the caller's type on
//! the way out, where a cancel that arrived meanwhile acts: an asynchronous
//! cancel acts at the next cancellation point inside the call, or as the
//! call returns.

use libc::{c_int, c_long};

/// glibc's value of `PTHREAD_CANCEL_DEFERRED` (the libc crate does not bind
/// the cancellation API for Linux).
const PTHREAD_CANCEL_DEFERRED: c_int = 0;
/// glibc's value of `PTHREAD_CANCEL_ASYNCHRONOUS`.
const PTHREAD_CANCEL_ASYNCHRONOUS: c_int = 1;

/// Whether a blocking system call acts on thread cancellation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cancel {
    /// A plain system call: never a cancellation point. For Rust callers
    /// (a Rust thread cannot be unwound by `pthread_cancel`: the standard
    /// library's thread start catches unwinds) and for every call glibc
    /// does not make a cancellation point.
    Never,
    /// A cancellation point, as glibc's wrapper of the same call
    /// ([`syscall`]): only on the C path of a function that is one.
    Point,
}

/// cbindgen:ignore
mod c {
    use libc::{c_int, c_long};

    // Declared "C-unwind": each can end in a forced unwind (cancellation),
    // and unwinding out of a function declared "C" is undefined behaviour.
    extern "C-unwind" {
        pub fn pthread_setcanceltype(kind: c_int, old: *mut c_int) -> c_int;
        pub fn pthread_testcancel();
        // glibc's syscall(2) is variadic, but its x86-64 and aarch64
        // implementations are assembly stubs that read the six argument
        // registers directly, so a fixed-arity prototype calls it
        // correctly (Rust cannot declare a variadic "C-unwind" import).
        #[link_name = "syscall"]
        pub fn syscall6(nr: c_long, a1: c_long, a2: c_long, a3: c_long, a4: c_long, a5: c_long, a6: c_long) -> c_long;
    }
    extern "C" {
        /// glibc 2.32+ (`<sys/single_threaded.h>`).
        pub static __libc_single_threaded: libc::c_char;
    }
}

/// The system call `nr` as a cancellation point: `-1` with `errno` set on
/// failure, as `syscall(2)`. A cancel pending when it is called, or arriving
/// while the call blocks, unwinds the thread from here.
///
/// # Safety
/// As for the system call `nr` with these arguments; and no `catch_unwind`
/// frame may be on the calling thread's stack (see the module docs).
#[inline(never)]
pub unsafe fn syscall(nr: c_long, args: [c_long; 6]) -> c_long {
    if single_threaded() {
        // glibc's SINGLE_THREAD_P shortcut: with one thread in the process,
        // no other thread can cancel this one while it waits, so the only
        // cancel to act on is one already pending (its own
        // pthread_cancel(pthread_self()), after which glibc no longer takes
        // the shortcut): the call itself can be a plain system call.
        // SAFETY: as for the caller (no catch_unwind on the stack).
        unsafe { test() };
        // SAFETY: forwarded from this function's contract.
        return unsafe { libc::syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]) };
    }
    let mut old: c_int = 0;
    // SAFETY: valid arguments; may unwind (a pending cancel), which the
    // caller's contract allows.
    unsafe { c::pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, &mut old) };
    // SAFETY: forwarded from this function's contract.
    let ret = unsafe { c::syscall6(nr, args[0], args[1], args[2], args[3], args[4], args[5]) };
    // SAFETY: the calling thread's errno slot.
    let errno = unsafe { *libc::__errno_location() };
    // SAFETY: restores the type read above.
    unsafe { c::pthread_setcanceltype(old, &mut old) };
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = errno };
    ret
}

/// The system call `nr`, a cancellation point or not as `how` says.
///
/// # Safety
/// As for the system call `nr` with these arguments; with
/// [`Cancel::Point`], as for [`syscall`].
#[inline]
pub unsafe fn syscall_as(how: Cancel, nr: c_long, args: [c_long; 6]) -> c_long {
    match how {
        // SAFETY: forwarded from this function's contract.
        Cancel::Point => unsafe { syscall(nr, args) },
        // SAFETY: forwarded from this function's contract. glibc's syscall(2)
        // is not a cancellation point.
        Cancel::Never => unsafe { libc::syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]) },
    }
}

/// Whether the process has never had a second thread: glibc's
/// `__libc_single_threaded` (2.32+, cleared by the first `pthread_create`).
#[inline]
fn single_threaded() -> bool {
    // SAFETY: a byte glibc exports for exactly this reading; a stale `false`
    // only costs the full path, and it is never `true` once a second thread
    // may exist.
    unsafe { std::ptr::read_volatile(std::ptr::addr_of!(c::__libc_single_threaded)) != 0 }
}

/// Acts on a pending cancel, as `pthread_testcancel(3)` (which it calls):
/// for the calls glibc makes act on a pending cancel before they look at
/// their arguments or block (`sem_wait` tests first, every wrapper built on
/// `SYSCALL_CANCEL` switches to asynchronous cancellation first).
///
/// # Safety
/// No `catch_unwind` frame may be on the calling thread's stack.
#[inline]
pub unsafe fn test() {
    // SAFETY: acts on a pending cancel (unwinding from here), which the
    // caller's contract allows; otherwise it only reads the thread's state.
    unsafe { c::pthread_testcancel() }
}

/// The calling thread held at the deferred cancel type until
/// [`restore`](Deferred::restore): a cancel that arrives meanwhile waits
/// for the next cancellation point (or the restore), so it can never unwind
/// the thread from inside a `catch_unwind`, whatever type the caller chose.
/// For a thread already at the deferred type (the default) this costs one
/// call that changes nothing.
#[must_use = "the caller's cancel type is only restored by `restore`"]
pub struct Deferred {
    was_asynchronous: bool,
}

impl Deferred {
    /// Switches the calling thread to the deferred type (which never acts on
    /// a cancel), remembering the type it had.
    ///
    /// In a process that has never had a second thread (glibc's
    /// `__libc_single_threaded`, as in [`syscall`]) it changes nothing and
    /// makes no call: the only thread that could cancel this one is this
    /// one, and a cancel it sent itself is either pending at the deferred
    /// type (which the switch would not change: it acts at the call's own
    /// cancellation point, as before) or acted inside `pthread_cancel` at
    /// the asynchronous type; switching to the asynchronous type with a
    /// cancel pending acts at once too. (A signal handler that calls
    /// `pthread_cancel` or `pthread_create`, neither async-signal-safe,
    /// is outside this reasoning.) This is glibc's own shortcut
    /// (`SINGLE_THREAD_P`): its failing `mq_receive` in a single-threaded
    /// process is a bare system call.
    #[inline]
    pub fn hold() -> Deferred {
        if single_threaded() {
            return Deferred { was_asynchronous: false };
        }
        let mut old: c_int = PTHREAD_CANCEL_DEFERRED;
        // SAFETY: valid arguments; switching to the deferred type never acts
        // on a cancel, so this cannot unwind.
        unsafe { c::pthread_setcanceltype(PTHREAD_CANCEL_DEFERRED, &mut old) };
        Deferred { was_asynchronous: old == PTHREAD_CANCEL_ASYNCHRONOUS }
    }

    /// Gives the thread its asynchronous type back if it had it; a cancel
    /// pending by then acts here. Not done on a forced unwind (the thread
    /// is being cancelled already).
    ///
    /// # Safety
    /// No `catch_unwind` frame may be on the calling thread's stack.
    #[inline]
    pub unsafe fn restore(self) {
        if self.was_asynchronous {
            let mut old: c_int = 0;
            // SAFETY: valid arguments; acting on a pending cancel (unwinding
            // from here) is what the caller's contract allows.
            unsafe { c::pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, &mut old) };
        }
    }
}

/// The calling thread's cancellation type set to deferred while this value
/// lives; the old type comes back when it is dropped (which, if the old
/// type was asynchronous and a cancel is pending, acts on it at once).
pub struct DeferredCancel {
    old: c_int,
}

impl DeferredCancel {
    /// # Safety
    /// No `catch_unwind` frame may be on the calling thread's stack when
    /// the value is dropped (restoring asynchronous cancellation may unwind).
    pub unsafe fn enter() -> DeferredCancel {
        let mut old = PTHREAD_CANCEL_DEFERRED;
        // SAFETY: valid arguments; switching to deferred never acts on a
        // cancel.
        unsafe { c::pthread_setcanceltype(PTHREAD_CANCEL_DEFERRED, &mut old) };
        DeferredCancel { old }
    }
}

impl Drop for DeferredCancel {
    fn drop(&mut self) {
        if self.old != PTHREAD_CANCEL_DEFERRED {
            let mut old = 0;
            // SAFETY: the calling thread's errno slot (kept for the caller:
            // the call's result is already set).
            let errno = unsafe { *libc::__errno_location() };
            // SAFETY: restores the type read by `enter`; may unwind, which
            // `enter`'s contract allows. (During a cancellation's own unwind
            // glibc has marked the thread exiting and does not act again.)
            unsafe { c::pthread_setcanceltype(self.old, &mut old) };
            // SAFETY: as above.
            unsafe { *libc::__errno_location() = errno };
        }
    }
}
