//! The memory-mapping system calls.
//!
//! A [`Mapping`] owns a region the kernel placed where nothing else was
//! mapped, so creating and dropping one cannot disturb memory the program
//! uses: that part is safe. The raw calls that can replace or remove memory
//! in use — `mmap` with `MAP_FIXED` at a caller's address, `munmap` of a
//! caller's range — are `unsafe fn`s for the C boundary.

use std::os::fd::RawFd;

use libc::{c_long, c_void};

use super::{cvt, Cancel};
use crate::error::{Error, Result};

/// The system page size in bytes, read once (`sysconf` is a library call
/// through several layers; mmap checks use it on every call).
#[inline]
pub fn page_size() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    static PAGE_SIZE: AtomicUsize = AtomicUsize::new(0);
    match PAGE_SIZE.load(Relaxed) {
        0 => {
            // SAFETY: sysconf has no memory effects; glibc reads it from the aux vector.
            let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
            let n = if n > 0 { n as usize } else { 4096 };
            PAGE_SIZE.store(n, Relaxed);
            n
        }
        n => n,
    }
}

/// A mapped region owned by this value: unmapped when dropped, or handed to
/// a C caller with [`Mapping::into_raw`].
#[derive(Debug)]
pub struct Mapping {
    addr: *mut c_void,
    len: usize,
}

// SAFETY: the value only owns an address range; unmapping it from another
// thread is as valid as from this one.
unsafe impl Send for Mapping {}

impl Mapping {
    /// The start of the region.
    pub fn as_ptr(&self) -> *mut c_void {
        self.addr
    }

    /// Its length in bytes, as asked for (the kernel maps whole pages).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: a mapping has at least one byte.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Gives the region up without unmapping it (to a C caller, who will
    /// `munmap` it) and returns its start.
    pub fn into_raw(self) -> *mut c_void {
        let addr = self.addr;
        std::mem::forget(self);
        addr
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: the region was mapped by `map` and is owned by this value
        // alone; nothing refers to it after the drop.
        let _ = unsafe { munmap(self.addr, self.len) };
    }
}

/// `mmap(2)` without `MAP_FIXED`: `hint` is only a hint, the kernel picks a
/// range where nothing is mapped. `MAP_FIXED` is refused with `EINVAL`
/// (use [`mmap_raw`]).
#[inline]
pub fn map(hint: usize, len: usize, prot: i32, flags: i32, fd: RawFd, off: i64) -> Result<Mapping> {
    if flags & libc::MAP_FIXED != 0 {
        return Err(Error::new(libc::EINVAL, "MAP_FIXED replaces existing mappings: not available as a Mapping"));
    }
    // SAFETY: without MAP_FIXED the kernel never replaces an existing
    // mapping (MAP_FIXED_NOREPLACE fails with EEXIST instead), so no memory
    // of this program changes; the new range is owned by the Mapping.
    let addr = unsafe { mmap_raw(hint as *mut c_void, len, prot, flags, fd, off) }?;
    Ok(Mapping { addr, len })
}

/// `mmap(2)` with any flags; `MAP_FAILED` becomes the errno. The system
/// call, made as glibc's `mmap` makes it (offset check first), never through
/// the `mmap` symbol, which `librsipc_preload.so` may interpose.
///
/// # Safety
/// With `MAP_FIXED`, whatever was mapped at `[addr, addr + len)` is
/// replaced: the caller guarantees nothing still uses it.
#[inline]
pub unsafe fn mmap_raw(
    addr: *mut c_void,
    len: usize,
    prot: i32,
    flags: i32,
    fd: RawFd,
    off: i64,
) -> Result<*mut c_void> {
    // glibc's mmap refuses an offset that is not a multiple of its mmap2
    // unit (4096, whatever the page size) before it makes the call.
    if off & (MMAP_OFF_UNIT - 1) != 0 {
        return Err(Error::from_errno(libc::EINVAL));
    }
    let args = [addr as c_long, len as c_long, prot as c_long, flags as c_long, fd as c_long, off as c_long];
    // SAFETY: forwarded from this function's contract.
    let p = unsafe { libc::syscall(libc::SYS_mmap, args[0], args[1], args[2], args[3], args[4], args[5]) };
    // The kernel's error returns are -4095..-1, which glibc's syscall(2)
    // turns into -1 (MAP_FAILED) and errno; no mapping starts there.
    if p == -1 {
        Err(Error::last_os())
    } else {
        Ok(p as *mut c_void)
    }
}

/// glibc's `MMAP2_PAGE_UNIT`: the offset alignment its `mmap` checks itself.
const MMAP_OFF_UNIT: i64 = 4096;

/// `munmap(2)`.
///
/// # Safety
/// Nothing still uses memory in `[addr, addr + len)`.
#[inline]
pub unsafe fn munmap(addr: *mut c_void, len: usize) -> Result<()> {
    // SAFETY: forwarded from this function's contract. The system call, not
    // the `munmap` symbol (which the preload library may interpose).
    cvt(unsafe { libc::syscall(libc::SYS_munmap, addr, len) }).map(drop)
}

/// `msync(2)`. It only writes dirty pages back (`MS_INVALIDATE` does not
/// discard data on Linux), so it cannot change memory the program uses.
/// Never a cancellation point.
pub fn msync(addr: usize, len: usize, flags: i32) -> Result<()> {
    // SAFETY: Cancel::Never cannot unwind.
    unsafe { msync_as(Cancel::Never, addr, len, flags) }
}

/// [`msync`], a cancellation point with [`Cancel::Point`] (glibc's
/// `msync` is one: `MS_SYNC` waits for the writes).
///
/// # Safety
/// With [`Cancel::Point`], as for [`super::cancel::syscall`].
pub unsafe fn msync_as(how: Cancel, addr: usize, len: usize, flags: i32) -> Result<()> {
    let args = [addr as c_long, len as c_long, flags as c_long, 0, 0, 0];
    // SAFETY: the kernel checks the range (ENOMEM when unmapped); no memory
    // is read or written by this process; the rest is the caller's contract.
    cvt(unsafe { super::cancel::syscall_as(how, libc::SYS_msync, args) }).map(drop)
}
