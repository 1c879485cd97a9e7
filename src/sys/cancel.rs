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

use libc::{c_int, c_long};

/// glibc's value of `PTHREAD_CANCEL_ASYNCHRONOUS` (the libc crate does not
/// bind the cancellation API for Linux).
const PTHREAD_CANCEL_ASYNCHRONOUS: c_int = 1;

/// cbindgen:ignore
mod c {
    use libc::{c_int, c_long};

    // Declared "C-unwind": both can end in a forced unwind (cancellation),
    // and unwinding out of a function declared "C" is undefined behaviour.
    extern "C-unwind" {
        pub fn pthread_setcanceltype(kind: c_int, old: *mut c_int) -> c_int;
        // glibc's syscall(2) is variadic, but its x86-64 and aarch64
        // implementations are assembly stubs that read the six argument
        // registers directly, so a fixed-arity prototype calls it
        // correctly (Rust cannot declare a variadic "C-unwind" import).
        #[link_name = "syscall"]
        pub fn syscall6(nr: c_long, a1: c_long, a2: c_long, a3: c_long, a4: c_long, a5: c_long, a6: c_long)
            -> c_long;
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

/// Acts on a pending cancel, as `pthread_testcancel(3)`: for the waits that
/// do not block in a system call at the moment they are entered.
///
/// # Safety
/// No `catch_unwind` frame may be on the calling thread's stack.
#[inline]
pub unsafe fn test() {
    let mut old: c_int = 0;
    // SAFETY: switching to asynchronous cancellation acts on a pending
    // cancel (unwinding from here) and otherwise changes nothing but the
    // type, which is restored at once.
    unsafe {
        c::pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, &mut old);
        c::pthread_setcanceltype(old, &mut old);
    }
}

