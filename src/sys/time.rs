//! Clocks and sleeps: `clock_gettime(2)`, deadlines in milliseconds,
//! `timespec` checks, and a short sleep that is no cancellation point.

use crate::error::{Error, Result};

/// The current time on `clock`.
pub fn clock_now(clock: libc::clockid_t) -> Result<libc::timespec> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid out-pointer.
    super::cvt(unsafe { libc::clock_gettime(clock, &mut ts) })?;
    Ok(ts)
}

/// An absolute `CLOCK_MONOTONIC` deadline `ms` milliseconds from now.
pub fn deadline_after_ms(ms: u64) -> Result<libc::timespec> {
    let now = clock_now(libc::CLOCK_MONOTONIC)?;
    let nsec = now.tv_nsec as u64 + (ms % 1000) * 1_000_000;
    Ok(libc::timespec {
        tv_sec: now.tv_sec + (ms / 1000) as libc::time_t + (nsec / 1_000_000_000) as libc::time_t,
        tv_nsec: (nsec % 1_000_000_000) as libc::c_long,
    })
}

/// Milliseconds left until the `CLOCK_MONOTONIC` deadline (0 once passed).
pub fn ms_until(deadline: &libc::timespec) -> Result<i64> {
    let now = clock_now(libc::CLOCK_MONOTONIC)?;
    let ns = (deadline.tv_sec - now.tv_sec) as i64 * 1_000_000_000 + (deadline.tv_nsec - now.tv_nsec) as i64;
    Ok(if ns <= 0 { 0 } else { (ns + 999_999) / 1_000_000 })
}

/// Checks a caller's `timespec`: `EINVAL` unless `0 <= tv_nsec < 1e9`.
pub fn check_timespec(ts: &libc::timespec, what: &'static str) -> Result<()> {
    if ts.tv_nsec < 0 || ts.tv_nsec >= 1_000_000_000 {
        return Err(Error::new(libc::EINVAL, reason!("{}.tv_nsec = {} is outside 0..999999999", what, ts.tv_nsec)));
    }
    Ok(())
}

/// Sleeps about `ms` milliseconds, as a raw system call: glibc's
/// `nanosleep` (and so `std::thread::sleep` and nix's) is a cancellation
/// point, and the calls that sleep briefly (a channel open waiting for its
/// creator to finish) are not.
pub fn sleep_ms(ms: u64) {
    let ts = libc::timespec { tv_sec: (ms / 1000) as libc::time_t, tv_nsec: ((ms % 1000) * 1_000_000) as libc::c_long };
    // SAFETY: a valid timespec; no remainder wanted. EINTR just ends the
    // sleep early, which callers tolerate (they look again).
    unsafe {
        libc::syscall(libc::SYS_clock_nanosleep, libc::CLOCK_MONOTONIC, 0, &ts, std::ptr::null_mut::<libc::timespec>())
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_tv_nsec_is_einval() {
        let ts = libc::timespec { tv_sec: 0, tv_nsec: 1_000_000_000 };
        assert_eq!(check_timespec(&ts, "abs_timeout").unwrap_err().errno(), libc::EINVAL);
    }
}
