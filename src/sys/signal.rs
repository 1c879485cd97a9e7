//! Signal masks: [`SignalsHeld`], every signal blocked in the calling
//! thread but during short sleeps (a FIFO writer waiting for a reader).

use libc::c_long;

use super::{cvt, Cancel};
use crate::error::{Error, Result};

/// Every signal blocked in the calling thread until dropped (the thread's
/// mask is then restored); [`sleep_ms`](Self::sleep_ms) lets them in only
/// while it sleeps.
pub struct SignalsHeld {
    caller_mask: libc::sigset_t,
}

impl SignalsHeld {
    pub fn new() -> Result<SignalsHeld> {
        // SAFETY: all-zero sigset_t values are valid; sigfillset fills one.
        let mut all: libc::sigset_t = unsafe { std::mem::zeroed() };
        // SAFETY: as above.
        let mut caller_mask: libc::sigset_t = unsafe { std::mem::zeroed() };
        // SAFETY: `all` is a valid sigset_t to fill.
        unsafe { libc::sigfillset(&mut all) };
        // SAFETY: both pointers are to live sigset_t values.
        match unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &all, &mut caller_mask) } {
            0 => Ok(SignalsHeld { caller_mask }),
            errno => Err(Error::from_errno(errno)),
        }
    }

    /// Sleeps `ms` milliseconds with the caller's signal mask in place
    /// (`ppoll(2)` on no descriptors): a pending signal, or one arriving
    /// during the sleep, runs its handler and ends the sleep with `EINTR`.
    /// With [`Cancel::Point`] the sleep is a cancellation point (glibc's
    /// `ppoll` is one).
    ///
    /// # Safety
    /// With [`Cancel::Point`], as for [`super::cancel::syscall`].
    pub unsafe fn sleep_ms(&self, how: Cancel, ms: u32) -> Result<()> {
        /// The kernel's sigset_t: 64 signals (glibc's `__NSIG_BYTES`).
        const KERNEL_SIGSET_BYTES: c_long = 8;
        let ts =
            libc::timespec { tv_sec: (ms / 1000) as libc::time_t, tv_nsec: ((ms % 1000) * 1_000_000) as libc::c_long };
        let args = [
            0, // no descriptors
            0,
            &ts as *const libc::timespec as c_long,
            &self.caller_mask as *const libc::sigset_t as c_long,
            KERNEL_SIGSET_BYTES,
            0,
        ];
        // SAFETY: `ts` and the mask are live (the kernel reads the first 8
        // bytes of the mask); the rest is the caller's contract.
        cvt(unsafe { super::cancel::syscall_as(how, libc::SYS_ppoll, args) }).map(drop)
    }
}

impl Drop for SignalsHeld {
    fn drop(&mut self) {
        // SAFETY: restores the mask saved by `new`, a live sigset_t.
        unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &self.caller_mask, std::ptr::null_mut()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The signals blocked in this thread now.
    fn blocked() -> Vec<i32> {
        // SAFETY: an all-zero sigset_t is valid; a NULL new mask only reads.
        let mut m: libc::sigset_t = unsafe { std::mem::zeroed() };
        // SAFETY: `m` is a live sigset_t.
        unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut m) };
        // SAFETY: `m` is initialised.
        (1..=libc::SIGRTMAX()).filter(|&s| unsafe { libc::sigismember(&m, s) } == 1).collect()
    }

    #[test]
    fn signals_are_held_until_dropped_and_the_mask_is_restored() {
        let before = blocked();
        {
            let held = SignalsHeld::new().unwrap();
            assert!(blocked().contains(&libc::SIGUSR1) && blocked().contains(&libc::SIGTERM));
            // SAFETY: Cancel::Never cannot unwind.
            unsafe { held.sleep_ms(Cancel::Never, 1) }.unwrap();
            assert!(blocked().contains(&libc::SIGUSR1));
        }
        assert_eq!(blocked(), before);
    }
}
