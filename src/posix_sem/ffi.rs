//! C shims for the POSIX semaphores.

use libc::{c_char, c_int, c_uint, clockid_t, mode_t, sem_t, timespec};

use super::{NamedSemaphore, QuietPost, Semaphore};
use crate::error::{Call, Site};
use crate::error::{Error, Result};
use crate::ffi::{
    c_str, flag_names, flag_table, guard, guard_cancel, in_ref, non_null, FlagTable, Mode, Name, Ptr, Timespec,
};
use crate::sys::{cancel, Cancel, FutexClock};

/// `sem` as the semaphore it points to: NULL is `EFAULT`, an address that is
/// not 8-byte aligned (so not a `sem_t`) is `EINVAL`.
///
/// # Safety
/// `sem` is NULL or points to a `sem_t` valid for `'a` (initialised, or
/// about to be by `sem_init`).
#[inline]
unsafe fn sem_ref<'a>(sem: *mut sem_t) -> Result<&'a Semaphore> {
    let p = non_null(sem, "sem")?;
    if p.as_ptr() as usize % std::mem::align_of::<sem_t>() != 0 {
        return Err(misaligned());
    }
    // SAFETY: non-NULL and aligned; valid for 'a by the caller's contract.
    // `Semaphore` is glibc's layout of the 32-byte `sem_t`, all atomics, so
    // sharing it with other threads and processes is sound.
    Ok(unsafe { &*(p.as_ptr() as *const Semaphore) })
}

/// `sem` as a semaphore if it is non-NULL and aligned, for the fast paths
/// of post, wait and trywait, which run outside [`guard`]: they only ever
/// succeed (one CAS, no system call, nothing that can panic), and anything
/// else — a bad pointer, no token, a waiter to wake — is handed to the
/// guarded call, which checks again and reports or waits.
///
/// # Safety
/// As for [`sem_ref`].
#[inline(always)]
unsafe fn sem_fast<'a>(sem: *mut sem_t) -> Option<&'a Semaphore> {
    if sem.is_null() || sem as usize % std::mem::align_of::<sem_t>() != 0 {
        return None;
    }
    // SAFETY: as in `sem_ref`.
    Some(unsafe { &*(sem as *const Semaphore) })
}

#[cold]
fn misaligned() -> Error {
    Error::new(libc::EINVAL, "`sem` is not 8-byte aligned, so it is not a sem_t")
}

/// As sem_init(3): initialises the unnamed semaphore at `sem` with `value`;
/// `pshared != 0` makes it usable by every process that maps the memory it
/// is in (use shared memory), `pshared == 0` by the threads of this process.
/// The layout is glibc's, so glibc's `sem_*` functions can use it too.
/// Returns 0, or -1 with errno.
///
/// # Errors
/// `EINVAL` if `value > SEM_VALUE_MAX` or `sem` is misaligned; `EFAULT` if
/// `sem` is NULL.
///
/// # Safety
/// `sem` is NULL or points to a writable `sem_t`.
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub unsafe extern "C" fn rsipc_sem_init(sem: *mut sem_t, pshared: c_int, value: c_uint) -> c_int {
    guard(-1, call!("sem_init", sem = Ptr(sem), pshared = pshared, value = value), || {
        // glibc checks the value before it looks at `sem`.
        super::check_initial_value(value)?;
        // SAFETY: forwarded from this function's contract.
        let s = unsafe { sem_ref(sem) }?;
        s.init(pshared != 0, value).map(|()| 0)
    })
}

/// As sem_destroy(3): ends the life of an unnamed semaphore. As in glibc
/// there is nothing to release; destroying a semaphore that threads still
/// wait on is undefined. Returns 0, or -1 with errno.
///
/// # Errors
/// `EFAULT` if `sem` is NULL; `EINVAL` if it is misaligned.
///
/// # Safety
/// `sem` is NULL or points to a `sem_t`.
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub unsafe extern "C" fn rsipc_sem_destroy(sem: *mut sem_t) -> c_int {
    guard(-1, call!("sem_destroy", sem = Ptr(sem)), || {
        // SAFETY: forwarded from this function's contract.
        unsafe { sem_ref(sem) }.map(|_| 0)
    })
}

/// As sem_post(3): adds one to the value, waking one waiter if any sleeps.
/// Makes no system call when nobody waits. Returns 0, or -1 with errno.
///
/// # Errors
/// `EOVERFLOW` if the value is already `SEM_VALUE_MAX`; `EFAULT` if `sem`
/// is NULL; `EINVAL` if it is misaligned.
///
/// # Safety
/// `sem` is NULL or points to an initialised `sem_t` (rsipc's or glibc's).
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub unsafe extern "C" fn rsipc_sem_post(sem: *mut sem_t) -> c_int {
    // SAFETY: forwarded from this function's contract.
    if let Some(s) = unsafe { sem_fast(sem) } {
        match s.try_post_quiet() {
            QuietPost::Posted => return 0,
            QuietPost::AtMax => return post_would_overflow(sem),
            QuietPost::Other => {}
        }
    }
    // SAFETY: forwarded from this function's contract.
    unsafe { sem_post_guarded(sem) }
}

/// `EOVERFLOW` from `rsipc_sem_post` on a valid semaphore at
/// `SEM_VALUE_MAX`, recorded as a static site: a few stores, as cheap as
/// glibc's and safe in the signal handlers sem_post is made for.
#[inline(always)]
fn post_would_overflow(sem: *mut sem_t) -> c_int {
    static SITE: Site =
        Site { call: "sem_post", args: &[("sem", true)], errno: libc::EOVERFLOW, reason: super::AT_MAX };
    crate::ffi::fail_at(&SITE, [sem as usize, 0])
}

/// `rsipc_sem_post` when the fast path did not apply: a waiter to wake, the
/// value at `SEM_VALUE_MAX`, a bad pointer.
///
/// # Safety
/// As for `rsipc_sem_post`.
#[inline(never)]
unsafe extern "C" fn sem_post_guarded(sem: *mut sem_t) -> c_int {
    guard(-1, call!("sem_post", sem = Ptr(sem)), || {
        // SAFETY: forwarded from this function's contract.
        let s = unsafe { sem_ref(sem) }?;
        s.post().map(|()| 0)
    })
}

/// As sem_wait(3): takes one from the value, sleeping while it is 0. Makes
/// no system call when the value is positive. A thread-cancellation point,
/// as glibc's: a pending cancel acts when the call begins (even with a
/// token available), and the sleep can be cancelled; a cancelled waiter
/// leaves the semaphore as it found it. Returns 0, or -1 with errno.
///
/// # Errors
/// `EINTR` if a signal handler interrupted the wait (a handler installed
/// with `SA_RESTART` resumes it instead, as with glibc); `EFAULT` if `sem`
/// is NULL; `EINVAL` if it is misaligned.
///
/// # Safety
/// `sem` is NULL or points to an initialised `sem_t` (rsipc's or glibc's).
#[no_mangle]
pub unsafe extern "C-unwind" fn rsipc_sem_wait(sem: *mut sem_t) -> c_int {
    // glibc's sem_wait tests for a pending cancel first (POSIX: a
    // cancellation point "shall occur" in sem_wait, blocking or not).
    // SAFETY: called from C: no catch_unwind of rsipc is on the stack.
    unsafe { cancel::test() };
    // SAFETY: forwarded from this function's contract.
    if unsafe { sem_fast(sem) }.is_some_and(|s| s.take(false)) {
        return 0;
    }
    // SAFETY: forwarded from this function's contract.
    unsafe { sem_wait_guarded(sem) }
}

/// `rsipc_sem_wait` when the fast path did not apply: no token (sleep), a
/// lost race, a bad pointer.
///
/// # Safety
/// As for `rsipc_sem_wait`.
#[inline(never)]
unsafe extern "C-unwind" fn sem_wait_guarded(sem: *mut sem_t) -> c_int {
    guard_cancel(
        -1,
        call!("sem_wait", sem = Ptr(sem)),
        // SAFETY: forwarded from this function's contract.
        || unsafe { sem_ref(sem) },
        // SAFETY: guard_cancel runs this with no catch_unwind on the stack.
        |s| unsafe { s.wait_checked(Cancel::Point, None, FutexClock::Realtime) },
        |waited| waited.map(|()| 0),
    )
}

/// As sem_trywait(3): takes one from the value if it is positive, without
/// waiting. Returns 0, or -1 with errno.
///
/// # Errors
/// `EAGAIN` if the value is 0; `EFAULT` if `sem` is NULL; `EINVAL` if it is
/// misaligned.
///
/// # Safety
/// `sem` is NULL or points to an initialised `sem_t` (rsipc's or glibc's).
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub unsafe extern "C" fn rsipc_sem_trywait(sem: *mut sem_t) -> c_int {
    // SAFETY: forwarded from this function's contract.
    match unsafe { sem_fast(sem) } {
        Some(s) if s.take(true) => 0,
        // take(true) retries lost races, so false means the value was 0.
        Some(_) => trywait_would_block(sem),
        // SAFETY: forwarded from this function's contract.
        None => unsafe { sem_trywait_guarded(sem) },
    }
}

/// `EAGAIN` from `rsipc_sem_trywait` on a valid semaphore: a normal outcome
/// of polling, recorded as a static site and the semaphore's address.
#[inline(always)]
fn trywait_would_block(sem: *mut sem_t) -> c_int {
    static SITE: Site =
        Site { call: "sem_trywait", args: &[("sem", true)], errno: libc::EAGAIN, reason: super::WOULD_BLOCK };
    crate::ffi::fail_at(&SITE, [sem as usize, 0])
}

/// `rsipc_sem_trywait` when the fast path did not apply: no token
/// (`EAGAIN`), a bad pointer.
///
/// # Safety
/// As for `rsipc_sem_trywait`.
#[inline(never)]
unsafe extern "C" fn sem_trywait_guarded(sem: *mut sem_t) -> c_int {
    guard(-1, call!("sem_trywait", sem = Ptr(sem)), || {
        // SAFETY: forwarded from this function's contract.
        let s = unsafe { sem_ref(sem) }?;
        s.try_wait().map(|()| 0)
    })
}

/// As sem_timedwait(3): as `rsipc_sem_wait`, but gives up at the absolute
/// `CLOCK_REALTIME` time `*abs_timeout`. A thread-cancellation point as
/// `rsipc_sem_wait` is, once `abs_timeout` is checked (as in glibc, a bad
/// `tv_nsec` fails before a pending cancel acts). Returns 0, or -1 with
/// errno.
///
/// # Errors
/// `ETIMEDOUT` when the deadline passes first; `EINVAL` if
/// `abs_timeout->tv_nsec` is outside 0..999999999 (even when the value is
/// positive) or `sem` is misaligned; `EINTR` as for `rsipc_sem_wait`;
/// `EFAULT` if `sem` or `abs_timeout` is NULL.
///
/// # Safety
/// `sem` is NULL or points to an initialised `sem_t`; `abs_timeout` is NULL
/// or points to a `struct timespec`.
#[no_mangle]
pub unsafe extern "C-unwind" fn rsipc_sem_timedwait(sem: *mut sem_t, abs_timeout: *const timespec) -> c_int {
    guard_cancel(
        -1,
        call!("sem_timedwait", sem = Ptr(sem), abs_timeout = Timespec(abs_timeout)),
        || {
            // SAFETY: forwarded from this function's contract.
            let s = unsafe { sem_ref(sem) }?;
            // SAFETY: forwarded from this function's contract.
            let t = unsafe { in_ref(abs_timeout, "abs_timeout") }?;
            crate::sys::check_timespec(t, "abs_timeout").map(|()| (s, t))
        },
        // SAFETY: guard_cancel runs this with no catch_unwind on the stack.
        |(s, t)| unsafe {
            // glibc's sem_timedwait tests for a pending cancel once the
            // deadline is checked, before it looks at the value.
            cancel::test();
            s.wait_checked(Cancel::Point, Some(t), FutexClock::Realtime)
        },
        |waited| waited.map(|()| 0),
    )
}

/// As glibc's sem_clockwait(3): as `rsipc_sem_timedwait` with the deadline
/// measured on `clockid`, `CLOCK_MONOTONIC` or `CLOCK_REALTIME`. As in
/// glibc 2.36, only its sleep is a thread-cancellation point: it takes an
/// available token even with a cancel pending. Returns 0, or -1 with errno.
///
/// # Errors
/// `EINVAL` for any other clock, a bad `tv_nsec` or a misaligned `sem`;
/// `ETIMEDOUT`, `EINTR` and `EFAULT` as for `rsipc_sem_timedwait`.
///
/// # Safety
/// As for `rsipc_sem_timedwait`.
#[no_mangle]
pub unsafe extern "C-unwind" fn rsipc_sem_clockwait(
    sem: *mut sem_t,
    clockid: clockid_t,
    abs_timeout: *const timespec,
) -> c_int {
    guard_cancel(
        -1,
        call!("sem_clockwait", sem = Ptr(sem), clockid = ClockName(clockid), abs_timeout = Timespec(abs_timeout)),
        || {
            // SAFETY: forwarded from this function's contract.
            let s = unsafe { sem_ref(sem) }?;
            // SAFETY: forwarded from this function's contract.
            let t = unsafe { in_ref(abs_timeout, "abs_timeout") }?;
            let clock = super::futex_clock(clockid)?;
            crate::sys::check_timespec(t, "abs_timeout").map(|()| (s, t, clock))
        },
        // SAFETY: guard_cancel runs this with no catch_unwind on the stack.
        |(s, t, clock)| unsafe { s.wait_checked(Cancel::Point, Some(t), clock) },
        |waited| waited.map(|()| 0),
    )
}

/// As sem_getvalue(3): stores the current value in `*sval` (never negative,
/// as in glibc). Returns 0, or -1 with errno.
///
/// # Errors
/// `EFAULT` if `sem` or `sval` is NULL; `EINVAL` if `sem` is misaligned.
///
/// # Safety
/// `sem` is NULL or points to an initialised `sem_t`; `sval` is NULL or
/// points to a writable int.
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub unsafe extern "C" fn rsipc_sem_getvalue(sem: *mut sem_t, sval: *mut c_int) -> c_int {
    guard(-1, call!("sem_getvalue", sem = Ptr(sem), sval = Ptr(sval)), || {
        // SAFETY: forwarded from this function's contract.
        let s = unsafe { sem_ref(sem) }?;
        let out = non_null(sval, "sval")?;
        // SAFETY: non-NULL, writable by the caller's contract.
        unsafe { out.as_ptr().write(s.value()) };
        Ok(0)
    })
}

/// cbindgen:ignore
///
/// As sem_open(3): opens the named semaphore `name` (`/something`), which
/// is the file `/dev/shm/sem.something` glibc uses, so rsipc and glibc
/// programs share it. With `O_CREAT` two more arguments follow,
/// `mode_t mode, unsigned int value`, and the semaphore is created with
/// permission bits `mode` and initial value `value` when absent
/// (`O_CREAT|O_EXCL`: only creates). The same semaphore opened twice in one
/// process returns the same pointer, and needs two `rsipc_sem_close` calls.
/// Returns the semaphore, or `SEM_FAILED` with errno.
///
/// # Errors
/// `EINVAL` for a bad name or a value above `SEM_VALUE_MAX`; `ENOENT`,
/// `EEXIST`, `ELOOP` (a symbolic link at the name), `EACCES`,
/// `ENAMETOOLONG`, `EMFILE`, `ENFILE`, `ENOSPC`; `EFAULT` if `name` is NULL.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
///
/// # Variadic
/// The header declares the libc prototype
/// `sem_t *rsipc_sem_open(const char *name, int oflag, ...)`. Stable Rust
/// cannot define a C-variadic function, so the definition takes the full
/// argument list: on Linux x86-64 and aarch64 a variadic caller passes the
/// `mode_t` and `unsigned int` exactly where these fixed parameters are
/// read. `mode` and `value` are read only when `oflag` has `O_CREAT`.
#[no_mangle]
pub unsafe extern "C" fn rsipc_sem_open(name: *const c_char, oflag: c_int, mode: mode_t, value: c_uint) -> *mut sem_t {
    let create = oflag & libc::O_CREAT != 0;
    let (mode, value) = if create { (mode, value) } else { (0, 0) };
    guard(
        std::ptr::null_mut(),
        move |c: &mut Call| {
            call!("sem_open", name = Name(name), oflag = SemOpenFlags(oflag))(c);
            if create {
                c.arg("mode", Mode(mode));
                c.arg("value", value);
            }
        },
        || {
            // SAFETY: forwarded from this function's contract.
            let name = unsafe { c_str(name, "name") }?;
            NamedSemaphore::open(name, oflag, mode, value).map(NamedSemaphore::into_raw)
        },
    )
}

/// As sem_close(3): closes a named semaphore opened with `rsipc_sem_open`;
/// the last close of it in this process unmaps it. Returns 0, or -1 with
/// errno.
///
/// # Errors
/// `EINVAL` if `sem` is not a named semaphore this process has open through
/// rsipc (including NULL and one already closed).
///
/// Any pointer may be passed: it is only compared with the addresses of the
/// process's open named semaphores.
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub extern "C" fn rsipc_sem_close(sem: *mut sem_t) -> c_int {
    guard(-1, call!("sem_close", sem = Ptr(sem)), || super::named::close_addr(sem as usize).map(|()| 0))
}

/// As sem_unlink(3): removes the name of a named semaphore; processes that
/// have it open keep using it. Returns 0, or -1 with errno.
///
/// # Errors
/// `ENOENT` if there is no such semaphore or the name is invalid (as in
/// glibc); `EACCES` without permission; `EFAULT` if `name` is NULL.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub unsafe extern "C" fn rsipc_sem_unlink(name: *const c_char) -> c_int {
    guard(-1, call!("sem_unlink", name = Name(name)), || {
        // SAFETY: forwarded from this function's contract.
        let name = unsafe { c_str(name, "name") }?;
        super::unlink(name).map(|()| 0)
    })
}

flag_table! {
    /// The flags sem_open(3) reads (glibc ignores the access mode and every
    /// other bit).
    struct SemOpenFlags = FlagTable::bits(flag_names![O_CREAT, O_EXCL]);
}

/// Shows a clock id by name.
struct ClockName(clockid_t);
shown_newtype!(ClockName);

impl std::fmt::Display for ClockName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            libc::CLOCK_REALTIME => f.write_str("CLOCK_REALTIME"),
            libc::CLOCK_MONOTONIC => f.write_str("CLOCK_MONOTONIC"),
            libc::CLOCK_BOOTTIME => f.write_str("CLOCK_BOOTTIME"),
            libc::CLOCK_PROCESS_CPUTIME_ID => f.write_str("CLOCK_PROCESS_CPUTIME_ID"),
            libc::CLOCK_THREAD_CPUTIME_ID => f.write_str("CLOCK_THREAD_CPUTIME_ID"),
            other => write!(f, "{other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sem_open_messages_decode_only_the_flags_sem_open_reads() {
        let name = std::ffi::CString::new(format!("/rsipc-unit-no-such-sem-{}", std::process::id())).unwrap();
        // SAFETY: a valid name; without O_CREAT nothing is created.
        assert!(unsafe { rsipc_sem_open(name.as_ptr(), libc::O_RDONLY, 0, 0) }.is_null());
        let msg = crate::error::last_error();
        assert!(msg.starts_with(&format!("sem_open(name=\"{}\", oflag=0): ENOENT", name.to_str().unwrap())), "{msg}");
    }
}
