//! Raw System V shared-memory calls — `shmget(2)`, `shmat(2)`, `shmdt(2)`,
//! `shmctl(2)` — and the `stat(2)` behind `ftok`.
//!
//! The calls are the system calls themselves, as glibc's wrappers make them
//! on x86-64 and aarch64, never glibc's symbols, which
//! `librsipc_preload.so` may interpose with rsipc's own. Policy (argument checks, messages)
//! belongs to [`crate::sysv_shm`].

use std::ffi::CStr;
use std::ptr::NonNull;

use libc::{c_int, c_long, c_ulong, c_void};

use super::cvt;
use crate::error::{Error, Result};

// The constants below are missing from the libc crate. C programs get them
// from <sys/shm.h>, so they stay out of rsipc.h (cbindgen:ignore): a second
// definition there would clash.

/// cbindgen:ignore
/// `shmctl` command: `struct shmid_ds` of the segment at an index of the
/// kernel's table (`<sys/shm.h>` defines it under `_GNU_SOURCE`; the libc
/// crate does not).
pub const SHM_STAT: c_int = 13;
/// cbindgen:ignore
/// `shmctl` command: system-wide usage, `struct shm_info`.
pub const SHM_INFO: c_int = 14;
/// cbindgen:ignore
/// `shmctl` command: as `SHM_STAT` without the read-permission check
/// (Linux 4.17).
pub const SHM_STAT_ANY: c_int = 15;
/// cbindgen:ignore
/// `shm_perm.mode` bit: the segment is locked in memory (`SHM_LOCK`).
pub const SHM_LOCKED: c_int = 0o2000;
/// cbindgen:ignore
/// `shm_perm.mode` bit: the segment is marked for removal (`IPC_RMID` while
/// still attached).
pub const SHM_DEST: c_int = 0o1000;

/// The layout of glibc's `struct shminfo`, which `shmctl(IPC_INFO)` stores
/// through its `struct shmid_ds *` argument: the system's limits.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShmLimits {
    /// Largest segment, in bytes (`/proc/sys/kernel/shmmax`).
    pub shmmax: c_ulong,
    /// Smallest segment, in bytes (always 1).
    pub shmmin: c_ulong,
    /// Most segments system-wide (`/proc/sys/kernel/shmmni`).
    pub shmmni: c_ulong,
    /// Most attachments per process (unused by Linux; same as `shmmni`).
    pub shmseg: c_ulong,
    /// Most shared memory system-wide, in pages (`/proc/sys/kernel/shmall`).
    pub shmall: c_ulong,
    unused: [c_ulong; 4],
}

/// The layout of glibc's `struct shm_info`, which `shmctl(SHM_INFO)` stores
/// through its `struct shmid_ds *` argument: the system's current usage.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShmUsage {
    /// Segments that exist now.
    pub used_ids: c_int,
    /// Pages of shared memory in all segments.
    pub shm_tot: c_ulong,
    /// Pages resident in memory.
    pub shm_rss: c_ulong,
    /// Pages swapped out.
    pub shm_swp: c_ulong,
    /// Unused since Linux 2.4.
    pub swap_attempts: c_ulong,
    /// Unused since Linux 2.4.
    pub swap_successes: c_ulong,
}

// The kernel copies exactly these sizes (struct shminfo64, struct shm_info).
const _: () = assert!(std::mem::size_of::<ShmLimits>() == 9 * std::mem::size_of::<c_ulong>());
const _: () = assert!(std::mem::size_of::<ShmUsage>() == 6 * std::mem::size_of::<c_ulong>());

/// A promise, made in an `unsafe` block, that the memory a call may unmap
/// holds nothing still in use: the range an `SHM_REMAP` attach replaces, or
/// the attachment `shmdt` removes. The functions that can unmap memory take
/// one, so safe code cannot pull memory out from under live references.
#[derive(Clone, Copy, Debug)]
pub struct MayUnmap(());

impl MayUnmap {
    /// Makes the promise.
    ///
    /// # Safety
    /// Nothing the program still uses — no live Rust reference, no object
    /// of the caller — lies in the memory that the call given this value
    /// unmaps (`[shmaddr, shmaddr + segment size)` for `shmat` with
    /// `SHM_REMAP`; the attachment at `shmaddr` for `shmdt`).
    pub const unsafe fn assume() -> Self {
        MayUnmap(())
    }
}

/// `stat(2)` of `path`, following symbolic links (as glibc's `ftok` does).
pub fn stat(path: &CStr) -> Result<libc::stat> {
    // SAFETY: an all-zero stat is a valid value of this plain C struct.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `path` is NUL-terminated; `st` is a valid out-pointer.
    cvt(unsafe { libc::stat(path.as_ptr(), &mut st) })?;
    Ok(st)
}

/// `shmget(2)`.
pub fn shmget(key: libc::key_t, size: usize, flags: c_int) -> Result<c_int> {
    // SAFETY: no pointers involved.
    cvt(unsafe { libc::syscall(libc::SYS_shmget, key as c_long, size, flags as c_long) }).map(|id| id as c_int)
}

/// `shmat(2)`. With `SHM_REMAP` in `flags` the call may replace existing
/// mappings, so it needs `may_unmap` (`EINVAL` without it).
// `addr` is an address for the kernel to map at, never dereferenced.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn shmat(shmid: c_int, addr: *const c_void, flags: c_int, may_unmap: Option<MayUnmap>) -> Result<NonNull<c_void>> {
    if flags & libc::SHM_REMAP != 0 && may_unmap.is_none() {
        return Err(Error::new(libc::EINVAL, "SHM_REMAP can replace existing mappings: pass a MayUnmap promise"));
    }
    // SAFETY: without SHM_REMAP the kernel never maps over an existing
    // mapping (it fails with EINVAL instead), so no memory in use can be
    // touched; with SHM_REMAP the caller promised (MayUnmap) that the range
    // holds nothing in use. `addr` is only an address to the kernel.
    // The system call returns the address (glibc's shmat returns it as is);
    // its errors are -4095..-1, which syscall(2) turns into -1 and errno.
    let p = cvt(unsafe { libc::syscall(libc::SYS_shmat, shmid as c_long, addr, flags as c_long) })?;
    NonNull::new(p as *mut c_void).ok_or_else(|| Error::new(libc::EINVAL, "shmat returned a NULL address"))
}

/// `shmdt(2)`.
// `addr` only names the attachment to the kernel, never dereferenced.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn shmdt(addr: *const c_void, _may_unmap: MayUnmap) -> Result<()> {
    // SAFETY: the caller promised (MayUnmap) that the attachment at `addr`
    // holds nothing in use; any other address only makes the kernel fail
    // with EINVAL.
    cvt(unsafe { libc::syscall(libc::SYS_shmdt, addr) }).map(drop)
}

/// `shmctl(2)` for the commands that take no buffer (`IPC_RMID`, `SHM_LOCK`,
/// `SHM_UNLOCK`).
pub fn shmctl_nobuf(shmid: c_int, cmd: c_int) -> Result<c_int> {
    debug_assert!(matches!(cmd, libc::IPC_RMID | libc::SHM_LOCK | libc::SHM_UNLOCK));
    // SAFETY: these commands never read or write the buffer, NULL is fine.
    cvt(unsafe { shmctl(shmid, cmd, std::ptr::null_mut()) })
}

/// `shmctl(2)` for the commands that fill a `struct shmid_ds`
/// (`IPC_STAT`, `SHM_STAT`, `SHM_STAT_ANY`): the return value and the struct.
pub fn shmctl_stat(shmid: c_int, cmd: c_int) -> Result<(c_int, libc::shmid_ds)> {
    debug_assert!(matches!(cmd, libc::IPC_STAT | SHM_STAT | SHM_STAT_ANY));
    // SAFETY: an all-zero shmid_ds is a valid value of this plain C struct.
    let mut ds: libc::shmid_ds = unsafe { std::mem::zeroed() };
    // SAFETY: these commands write at most one shmid_ds into `ds`.
    let ret = cvt(unsafe { shmctl(shmid, cmd, (&mut ds as *mut libc::shmid_ds).cast()) })?;
    Ok((ret, ds))
}

/// `shmctl(2)` with `IPC_SET`.
pub fn shmctl_set(shmid: c_int, ds: &libc::shmid_ds) -> Result<()> {
    // SAFETY: IPC_SET only reads the struct; the kernel never writes it.
    cvt(unsafe { shmctl(shmid, libc::IPC_SET, (ds as *const libc::shmid_ds as *mut libc::shmid_ds).cast()) }).map(drop)
}

/// `shmctl(2)` with `IPC_INFO`: the index of the highest used entry of the
/// kernel's table, and the limits.
pub fn shmctl_ipc_info(shmid: c_int) -> Result<(c_int, ShmLimits)> {
    let mut limits = ShmLimits::default();
    // SAFETY: IPC_INFO writes exactly one struct shminfo, whose layout
    // ShmLimits has.
    let ret = cvt(unsafe { shmctl(shmid, libc::IPC_INFO, (&mut limits as *mut ShmLimits).cast()) })?;
    Ok((ret, limits))
}

/// `shmctl(2)` with `SHM_INFO`: the index of the highest used entry of the
/// kernel's table, and the usage.
pub fn shmctl_shm_info(shmid: c_int) -> Result<(c_int, ShmUsage)> {
    let mut usage = ShmUsage::default();
    // SAFETY: SHM_INFO writes exactly one struct shm_info, whose layout
    // ShmUsage has.
    let ret = cvt(unsafe { shmctl(shmid, SHM_INFO, (&mut usage as *mut ShmUsage).cast()) })?;
    Ok((ret, usage))
}

/// The `shmctl(2)` system call: `cmd` as given (the native 64-bit call
/// takes no `IPC_64` bit; glibc's `__IPC_64` is 0 on x86-64).
///
/// # Safety
/// `buf` is what `cmd` reads or writes (NULL where it uses none).
unsafe fn shmctl(shmid: c_int, cmd: c_int, buf: *mut c_void) -> c_int {
    // SAFETY: forwarded from this function's contract.
    unsafe { libc::syscall(libc::SYS_shmctl, shmid as c_long, cmd as c_long, buf) as c_int }
}

/// The alignment `shmat` requires of an address without `SHM_RND`
/// (`SHMLBA`: the page size on x86-64 and aarch64).
pub fn shmlba() -> usize {
    // SAFETY: sysconf has no memory effects.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if page > 0 {
        page as usize
    } else {
        4096
    }
}

/// The promise for unit tests, which detach only attachments they made and
/// no longer use (kept here so `unsafe` stays in this layer).
#[cfg(test)]
pub(crate) fn test_promise() -> MayUnmap {
    // SAFETY: see above.
    unsafe { MayUnmap::assume() }
}
