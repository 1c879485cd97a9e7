//! The raw-call layer: thin wrappers around the system calls the safe
//! modules make, one file per system-call family (as rustix's
//! `backend/linux_raw/<family>/syscalls.rs`). `unsafe` that is not at the C
//! boundary lives here.
//!
//! Wrappers take plain descriptors and Rust slices, return [`Result`], and do
//! nothing but the call and the errno conversion; the policy (argument
//! checks, messages) belongs to the mechanism modules, which this layer never
//! imports.
//!
//! Three rules decide how each call is made (each wrapper says which applies):
//! * nix where it wraps the call and glibc's function is fine to reach;
//! * the system call itself (`libc::syscall`) where glibc's function is a
//!   thread-cancellation point (`read`, `write`, `close`, `open`, ...): a
//!   cancel acting inside the boundary's `catch_unwind` would abort the
//!   process (see [`cancel`]); the few calls that are cancellation points in
//!   rsipc say so with a [`Cancel`] argument;
//! * the system call itself where glibc's function has a name that
//!   `librsipc_preload.so` exports (`pipe2`, `mkfifoat`, `mmap`, `munmap`,
//!   `msync`, the System V and `mq_` calls): from a preloaded process that
//!   name would lead back into rsipc (the `abi` test checks that
//!   `librsipc.so` imports none of them).
//!
//! Hand-written where nix has nothing: System V IPC ([`ipc`]) and futexes
//! ([`futex`]).

// The raw layer is where rsipc's unsafe code lives (every block with a
// SAFETY comment); the safe modules deny it.
#![allow(unsafe_code)]

pub mod bell;
pub mod cancel;
pub mod chan;
pub mod fd;
pub mod fs;
pub mod futex;
pub mod ipc;
pub mod mman;
pub mod mqueue;
pub mod objects;
pub mod pipe;
pub mod process;
pub mod shm;
pub mod signal;
pub mod time;

pub use cancel::Cancel;
pub use fd::{close, fcntl_int, fstat, read, read_as, write, write_as, Fd, FdArg};
pub use futex::{futex_wait, futex_wait_as, futex_wake, FutexClock};
pub use time::{check_timespec, clock_now, deadline_after_ms, ms_until};

use crate::error::{Error, Result};

/// A return value whose "-1 means failure, see errno" convention [`cvt`]
/// understands.
pub trait MinusOne: Copy + PartialEq {
    const MINUS_ONE: Self;
}

macro_rules! impl_minus_one {
    ($($t:ty)*) => { $(impl MinusOne for $t { const MINUS_ONE: Self = -1; })* };
}
impl_minus_one!(i32 i64 isize);

/// `Ok(ret)`, or the thread's errno as an [`Error`] when `ret == -1`.
#[inline]
pub fn cvt<T: MinusOne>(ret: T) -> Result<T> {
    if ret == T::MINUS_ONE {
        Err(Error::last_os())
    } else {
        Ok(ret)
    }
}

/// Like [`cvt`], but retries the call while it fails with `EINTR`.
#[inline]
pub fn cvt_retry<T: MinusOne>(mut call: impl FnMut() -> T) -> Result<T> {
    loop {
        match cvt(call()) {
            Err(e) if e.errno() == libc::EINTR => continue,
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cvt_maps_minus_one_to_errno() {
        // SAFETY: close of an invalid descriptor only sets errno.
        let e = cvt(unsafe { libc::close(-1) }).unwrap_err();
        assert_eq!(e.errno(), libc::EBADF);
        assert_eq!(cvt(3i32).unwrap(), 3);
    }
}
