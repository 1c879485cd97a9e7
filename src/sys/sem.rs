//! Raw pieces of the POSIX semaphores: glibc's in-memory layout of `sem_t`,
//! the futex word inside it, the 32-byte shared mapping of a named
//! semaphore's file, and the file calls `sem_open` makes.
//!
//! The algorithm (post, wait, the named-semaphore table) lives in
//! `crate::sem`; this file only holds what needs `unsafe`.

use std::ffi::CStr;
use std::os::fd::AsRawFd;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicI32, AtomicU32, AtomicU64};

use super::{cvt, Fd};
use crate::error::Result;

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
        NonNull::new(p as *mut Semaphore).map(SemMap).ok_or_else(|| crate::Error::from_errno(libc::ENOMEM))
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

/// `open(2)` with `O_CLOEXEC` added (the system call: glibc's `sem_open`
/// is no cancellation point, its `open` is).
pub fn open(path: &CStr, flags: i32, mode: libc::mode_t) -> Result<Fd> {
    super::file::openat(libc::AT_FDCWD, path, flags | libc::O_CLOEXEC, mode)
}

/// `link(2)`.
pub fn link(from: &CStr, to: &CStr) -> Result<()> {
    // SAFETY: both paths are NUL-terminated.
    cvt(unsafe { libc::link(from.as_ptr(), to.as_ptr()) }).map(drop)
}

/// Gives the (`O_TMPFILE`) file open as `fd` the name `to`:
/// `linkat(AT_FDCWD, "/proc/self/fd/N", AT_FDCWD, to, AT_SYMLINK_FOLLOW)`,
/// which needs no privilege (unlike `AT_EMPTY_PATH`). Fails with `EEXIST`
/// when `to` exists, and with `ENOENT` when /proc is not mounted.
pub fn link_fd(fd: &Fd, to: &CStr) -> Result<()> {
    let proc_path = format!("/proc/self/fd/{}\0", fd.as_raw_fd());
    // SAFETY: both paths are NUL-terminated (proc_path ends with "\0").
    cvt(unsafe {
        libc::linkat(libc::AT_FDCWD, proc_path.as_ptr().cast(), libc::AT_FDCWD, to.as_ptr(), libc::AT_SYMLINK_FOLLOW)
    })
    .map(drop)
}

/// `unlink(2)`.
pub fn unlink(path: &CStr) -> Result<()> {
    // SAFETY: `path` is NUL-terminated.
    cvt(unsafe { libc::unlink(path.as_ptr()) }).map(drop)
}

/// Fills `buf` from the kernel's random pool (`getrandom(2)`, retrying
/// `EINTR` and short reads; the system call, not glibc's `getrandom`, which
/// is a cancellation point).
pub fn random_bytes(buf: &mut [u8]) -> Result<()> {
    let mut done = 0;
    while done < buf.len() {
        // SAFETY: the rest of `buf` is valid for writes.
        let ret = unsafe { libc::syscall(libc::SYS_getrandom, buf[done..].as_mut_ptr(), buf.len() - done, 0) };
        match cvt(ret) {
            Ok(n) => done += n as usize,
            Err(e) if e.errno() == libc::EINTR => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Registers fork handlers (`pthread_atfork(3)`).
pub fn atfork(prepare: extern "C" fn(), parent: extern "C" fn(), child: extern "C" fn()) -> Result<()> {
    // SAFETY: the handlers are plain functions of this library that never
    // unwind.
    // Since glibc 2.28 the `pthread_atfork` symbol this links to is the
    // libc_nonshared.a wrapper that passes our DSO handle, so the handlers
    // are unregistered if librsipc.so is ever unloaded.
    let err = unsafe { libc::pthread_atfork(Some(prepare), Some(parent), Some(child)) };
    if err != 0 {
        return Err(crate::Error::from_errno(err));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_word_is_the_low_half_of_data() {
        let s = Semaphore::zeroed();
        let word = s.value_word().as_ptr() as usize;
        let data = s.data.as_ptr() as usize;
        assert_eq!(word, if cfg!(target_endian = "big") { data + 4 } else { data });
    }

    #[test]
    fn random_bytes_fills_the_buffer() {
        let mut a = [0u8; 32];
        random_bytes(&mut a).unwrap();
        assert!(a.iter().any(|&b| b != 0));
    }
}
