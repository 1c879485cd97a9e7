//! Futexes: `futex(2)` wait and wake, and glibc's `sem_t`, whose value
//! is a futex word shared with glibc programs (its layout, and the 32-byte
//! shared mapping of a named semaphore's file).
//!
//! Hand-written: nix has no futex call. The algorithm (post, wait, the
//! named-semaphore table) lives in `crate::posix_sem`; this file only holds what
//! needs `unsafe`.

use std::os::fd::AsRawFd;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicI32, AtomicU32, AtomicU64};

use libc::c_long;

use super::{cancel, cvt, Cancel, Fd};
use crate::error::{Error, Result};

/// `FUTEX_PRIVATE_FLAG` when the word is only shared by threads of one process.
#[inline]
fn futex_op(op: i32, shared: bool) -> i32 {
    if shared {
        op
    } else {
        op | libc::FUTEX_PRIVATE_FLAG
    }
}

/// Which clock an absolute futex timeout is measured on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FutexClock {
    Monotonic,
    Realtime,
}

/// Sleeps while `*word == expected`, until woken, until the absolute time
/// `deadline` on `clock` (`ETIMEDOUT`), or until a signal (`EINTR`).
/// `EAGAIN` means the word no longer held `expected`.
///
/// This is `FUTEX_WAIT_BITSET` with `FUTEX_BITSET_MATCH_ANY`, the operation
/// glibc uses for semaphores, so rsipc and glibc waiters wake each other.
pub fn futex_wait(
    word: &AtomicU32,
    expected: u32,
    shared: bool,
    deadline: Option<&libc::timespec>,
    clock: FutexClock,
) -> Result<()> {
    // SAFETY: Cancel::Never cannot unwind.
    unsafe { futex_wait_as(Cancel::Never, word, expected, shared, deadline, clock) }
}

/// [`futex_wait`], a cancellation point with [`Cancel::Point`] (as glibc's
/// `futex_abstimed_wait_cancelable`, which its semaphores wait in).
///
/// # Safety
/// With [`Cancel::Point`], as for [`cancel::syscall`].
pub unsafe fn futex_wait_as(
    how: Cancel,
    word: &AtomicU32,
    expected: u32,
    shared: bool,
    deadline: Option<&libc::timespec>,
    clock: FutexClock,
) -> Result<()> {
    let mut op = futex_op(libc::FUTEX_WAIT_BITSET, shared);
    if clock == FutexClock::Realtime {
        op |= libc::FUTEX_CLOCK_REALTIME;
    }
    let timeout = deadline.map_or(std::ptr::null(), |t| t as *const libc::timespec);
    let args = [
        word.as_ptr() as c_long,
        op as c_long,
        expected as c_long,
        timeout as c_long,
        0, // uaddr2, unused
        libc::FUTEX_BITSET_MATCH_ANY as c_long,
    ];
    // SAFETY: `word` is a live, 4-byte aligned u32; `timeout` is NULL or
    // points to a live timespec; the rest is the caller's contract.
    cvt(unsafe { cancel::syscall_as(how, libc::SYS_futex, args) }).map(drop)
}

/// Wakes at most `count` waiters on `word`; returns how many were woken.
pub fn futex_wake(word: &AtomicU32, count: i32, shared: bool) -> Result<i32> {
    // SAFETY: `word` is a live, 4-byte aligned u32.
    let ret = unsafe { libc::syscall(libc::SYS_futex, word.as_ptr(), futex_op(libc::FUTEX_WAKE, shared), count) };
    cvt(ret).map(|n| n as i32)
}

/// glibc's `struct new_sem` (the 64-bit-atomics variant used on x86-64 and
/// aarch64) at the start of the 32-byte `sem_t`, followed by the bytes glibc
/// leaves unused:
///
/// ```c
/// struct new_sem { uint64_t data; int private; int pad; };
/// ```
///
/// `data` holds the value in its low 32 bits and the number of registered
/// waiters in its high 32 bits; the futex word is the value half. `private`
/// is glibc's futex flag word: 0 for a process-private semaphore,
/// `FUTEX_PRIVATE_FLAG` (128) for a process-shared one (glibc XORs it with
/// `FUTEX_PRIVATE_FLAG` to build the futex operation). Every field is an
/// atomic because other threads and processes (rsipc or glibc) use the same
/// bytes concurrently.
#[repr(C, align(8))]
pub struct Semaphore {
    pub(crate) data: AtomicU64,
    pub(crate) private: AtomicI32,
    pub(crate) pad: AtomicI32,
    reserved: [AtomicU64; 2],
}

const _: () = assert!(std::mem::size_of::<Semaphore>() == std::mem::size_of::<libc::sem_t>());
const _: () = assert!(std::mem::align_of::<Semaphore>() == std::mem::align_of::<libc::sem_t>());
const _: () = assert!(std::mem::size_of::<Semaphore>() == 32);

impl Semaphore {
    /// All 32 bytes zero: a process-private semaphore of value 0.
    pub const fn zeroed() -> Semaphore {
        Semaphore {
            data: AtomicU64::new(0),
            private: AtomicI32::new(0),
            pad: AtomicI32::new(0),
            reserved: [AtomicU64::new(0), AtomicU64::new(0)],
        }
    }

    /// The 32-bit futex word: the value half of `data` (glibc's
    /// `(unsigned int *) &sem->data + SEM_VALUE_OFFSET`).
    #[inline]
    pub fn value_word(&self) -> &AtomicU32 {
        let base = self.data.as_ptr() as *const AtomicU32;
        let offset = if cfg!(target_endian = "big") { 1 } else { 0 };
        // SAFETY: `data` is 8 bytes, 8-aligned and lives as long as `self`,
        // so each of its 4-byte halves is a valid, aligned AtomicU32 for that
        // lifetime. The reference is only ever handed to the futex system
        // call (which reads the word atomically in the kernel); Rust code
        // never accesses the half with a 32-bit atomic operation, so there
        // is no mixed-size access in the program.
        unsafe { &*base.add(offset) }
    }
}

impl std::fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::sync::atomic::Ordering::Relaxed;
        let data = self.data.load(Relaxed);
        f.debug_struct("Semaphore")
            .field("value", &(data as u32))
            .field("nwaiters", &(data >> 32))
            .field("private", &self.private.load(Relaxed))
            .finish()
    }
}

/// A `PROT_READ|PROT_WRITE`, `MAP_SHARED` mapping of the first 32 bytes of a
/// semaphore file, unmapped when dropped.
#[derive(Debug)]
pub struct SemMap(NonNull<Semaphore>);

// SAFETY: the mapping is plain shared memory whose only content is the
// all-atomic `Semaphore`; any thread may use or unmap it.
unsafe impl Send for SemMap {}
// SAFETY: as above; `&Semaphore` is Sync (atomics only).
unsafe impl Sync for SemMap {}

impl SemMap {
    /// Maps the first `sizeof(sem_t)` bytes of `fd` shared.
    pub fn map(fd: &Fd) -> Result<SemMap> {
        // SAFETY: a fresh mapping chosen by the kernel (addr NULL, no
        // MAP_FIXED) overlaps nothing Rust owns.
        let p = unsafe {
            super::mman::mmap_raw(
                std::ptr::null_mut(),
                std::mem::size_of::<Semaphore>(),
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                0,
            )
        }?;
        // mmap never returns NULL for an addr-less request that succeeded
        // (page 0 is not mappable by default); treat it as a failure anyway.
        NonNull::new(p as *mut Semaphore).map(SemMap).ok_or_else(|| Error::from_errno(libc::ENOMEM))
    }

    /// The semaphore in the mapping.
    #[inline]
    pub fn sem(&self) -> &Semaphore {
        // SAFETY: the mapping is 32 readable and writable bytes, page-aligned,
        // alive until `self` is dropped; `Semaphore` is valid for any bytes.
        unsafe { self.0.as_ref() }
    }

    /// The mapping's address, as the `sem_t *` handed to C.
    pub fn addr(&self) -> usize {
        self.0.as_ptr() as usize
    }
}

impl Drop for SemMap {
    fn drop(&mut self) {
        // SAFETY: this object owns the mapping; nothing refers to it after
        // the last owner is gone (callers hand out references tied to it).
        let _ = unsafe { super::mman::munmap(self.0.as_ptr().cast(), std::mem::size_of::<Semaphore>()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::time::{deadline_after_ms, ms_until};
    use std::sync::atomic::Ordering;

    #[test]
    fn futex_wait_returns_eagain_when_the_word_changed() {
        let w = AtomicU32::new(1);
        let e = futex_wait(&w, 0, false, None, FutexClock::Monotonic).unwrap_err();
        assert_eq!(e.errno(), libc::EAGAIN);
    }

    #[test]
    fn futex_wait_times_out_at_the_deadline() {
        let w = AtomicU32::new(0);
        let deadline = deadline_after_ms(5).unwrap();
        let e = futex_wait(&w, 0, false, Some(&deadline), FutexClock::Monotonic).unwrap_err();
        assert_eq!(e.errno(), libc::ETIMEDOUT);
        assert_eq!(ms_until(&deadline).unwrap(), 0);
    }

    #[test]
    fn futex_wake_wakes_a_waiting_thread() {
        let w = std::sync::Arc::new(AtomicU32::new(0));
        let w2 = w.clone();
        let t = std::thread::spawn(move || {
            while w2.load(Ordering::Acquire) == 0 {
                let _ = futex_wait(&w2, 0, false, None, FutexClock::Monotonic);
            }
        });
        w.store(1, Ordering::Release);
        futex_wake(&w, 1, false).unwrap();
        t.join().unwrap();
    }

    #[test]
    fn the_value_word_is_the_low_half_of_data() {
        let s = Semaphore::zeroed();
        let word = s.value_word().as_ptr() as usize;
        let data = s.data.as_ptr() as usize;
        assert_eq!(word, if cfg!(target_endian = "big") { data + 4 } else { data });
    }
}
