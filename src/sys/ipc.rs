//! System V IPC: message queues (`msgget(2)`, `msgsnd(2)`, `msgrcv(2)`,
//! `msgctl(2)`), semaphore sets (`semget(2)`, `semop(2)`, `semtimedop(2)`,
//! `semctl(2)`) and shared memory (`shmget(2)`, `shmat(2)`, `shmdt(2)`,
//! `shmctl(2)`). Policy (argument checks, messages) belongs to
//! [`crate::sysv_msg`], [`crate::sysv_sem`] and [`crate::sysv_shm`].
//!
//! Hand-written: nix has no System V IPC. Every call is the system call
//! itself, as glibc's wrappers make them on x86-64 and aarch64 (one system
//! call per function; glibc's `__IPC_64` is 0 there, so `*ctl` commands go
//! to the kernel unchanged), never glibc's symbols, which
//! `librsipc_preload.so` exports (rsipc would call itself). `msgsnd` and
//! `msgrcv` are cancellation points only when asked ([`Cancel`]), as
//! glibc's wrappers are.
//!
//! A message buffer is handled as bytes in the `struct msgbuf` layout every
//! caller uses: a native `long` `mtype`, then the text. The slices passed
//! here always hold at least the `long`.

use std::ptr::NonNull;

use libc::{c_int, c_long, c_ulong, c_void, key_t};

use super::{cancel, cvt, Cancel};
use crate::error::{Error, Result};

// ---------------------------------------------------------------------------
// Message queues

// The constants below are missing from the libc crate (or from some of its
// targets). C programs get them from <sys/msg.h>, so they stay out of
// rsipc.h (cbindgen:ignore): a second definition there would clash.

/// cbindgen:ignore
/// `msgrcv` flag: copy the message at index `msgtyp` without removing it
/// (Linux 3.8, `CONFIG_CHECKPOINT_RESTORE`; needs `IPC_NOWAIT`).
pub const MSG_COPY: c_int = 0o40000;
/// cbindgen:ignore
/// `msgrcv` flag: with `msgtyp > 0`, the first message of any other type.
pub const MSG_EXCEPT: c_int = 0o20000;
/// cbindgen:ignore
/// `msgctl` command: `struct msqid_ds` of the queue at an index of the
/// kernel's table.
pub const MSG_STAT: c_int = 11;
/// cbindgen:ignore
/// `msgctl` command: system-wide usage in a `struct msginfo`.
pub const MSG_INFO: c_int = 12;
/// cbindgen:ignore
/// `msgctl` command: as `MSG_STAT` without the read-permission check
/// (Linux 4.17).
pub const MSG_STAT_ANY: c_int = 13;

const _: () = assert!(MSG_COPY == libc::MSG_COPY);
const _: () = assert!(MSG_EXCEPT == libc::MSG_EXCEPT);
const _: () = assert!(MSG_STAT == libc::MSG_STAT);
const _: () = assert!(MSG_INFO == libc::MSG_INFO);

/// Bytes of the `mtype` header in front of a message's text.
pub const MTYPE_LEN: usize = std::mem::size_of::<c_long>();

/// `msgget(2)`.
pub fn msgget(key: key_t, flags: c_int) -> Result<c_int> {
    // SAFETY: no pointers involved.
    // The id fits an int (as glibc returns it); converting before `cvt`
    // spares the failure path a copy of the error.
    cvt(unsafe { libc::syscall(libc::SYS_msgget, key as c_long, flags as c_long) } as c_int)
}

/// `msgsnd(2)` of `msg` (`mtype` header + text; the text length is
/// `msg.len() - MTYPE_LEN`). No retry on `EINTR`: the kernel never restarts
/// msgsnd after a signal handler, and neither does glibc. Never a
/// cancellation point.
#[inline]
pub fn msgsnd(msqid: c_int, msg: &[u8], flags: c_int) -> Result<()> {
    // SAFETY: Cancel::Never cannot unwind.
    unsafe { msgsnd_as(Cancel::Never, msqid, msg, flags) }
}

/// [`msgsnd`], a cancellation point with [`Cancel::Point`].
///
/// # Safety
/// With [`Cancel::Point`], as for [`cancel::syscall`].
#[inline]
pub unsafe fn msgsnd_as(how: Cancel, msqid: c_int, msg: &[u8], flags: c_int) -> Result<()> {
    // The callers check the length first; this keeps the kernel from
    // reading an mtype past the end of the slice, without a panic.
    let Some(text) = msg.len().checked_sub(MTYPE_LEN) else { return Err(Error::from_errno(libc::EINVAL)) };
    let args = [msqid as c_long, msg.as_ptr() as c_long, text as c_long, flags as c_long, 0, 0];
    // SAFETY: `msg` is valid for reads of MTYPE_LEN + text bytes, which is
    // all the kernel reads; the rest is the caller's contract.
    cvt(unsafe { cancel::syscall_as(how, libc::SYS_msgsnd, args) }).map(drop)
}

/// `msgrcv(2)` into a caller's `struct msgbuf` at `msgp`, with room for
/// `msgsz` bytes of text; returns the text length; a cancellation point
/// with [`Cancel::Point`]. The kernel writes the `mtype` and at most the
/// message's text, never `msgsz` bytes as such, so `msgsz` may be any value
/// (above `LONG_MAX` the kernel says `EINVAL`).
///
/// # Safety
/// `msgp` is valid for writes of a `long` and of the text of any message
/// the call may take, up to `msgsz` bytes; with [`Cancel::Point`], as for
/// [`cancel::syscall`].
#[inline]
pub unsafe fn msgrcv_raw_as(
    how: Cancel,
    msqid: c_int,
    msgp: *mut libc::c_void,
    msgsz: usize,
    msgtyp: c_long,
    flags: c_int,
) -> Result<usize> {
    let args = [msqid as c_long, msgp as c_long, msgsz as c_long, msgtyp, flags as c_long, 0];
    // SAFETY: forwarded from this function's contract.
    let n = cvt(unsafe { cancel::syscall_as(how, libc::SYS_msgrcv, args) })?;
    Ok(n as usize)
}

/// `msgctl(2)` with `IPC_RMID` (no buffer).
pub fn msgctl_rmid(msqid: c_int) -> Result<()> {
    // SAFETY: IPC_RMID never touches the buffer; NULL is fine.
    cvt(unsafe { msgctl(msqid, libc::IPC_RMID, std::ptr::null_mut()) }).map(drop)
}

/// `msgctl(2)` for the commands that fill a `struct msqid_ds` (`IPC_STAT`,
/// `MSG_STAT`, `MSG_STAT_ANY`): the return value and the struct.
pub fn msgctl_stat(msqid: c_int, cmd: c_int) -> Result<(c_int, libc::msqid_ds)> {
    debug_assert!(matches!(cmd, libc::IPC_STAT | MSG_STAT | MSG_STAT_ANY));
    // SAFETY: an all-zero msqid_ds is a valid value of this plain C struct.
    let mut ds: libc::msqid_ds = unsafe { std::mem::zeroed() };
    // SAFETY: these commands write at most one msqid_ds into `ds`.
    let ret = cvt(unsafe { msgctl(msqid, cmd, (&mut ds as *mut libc::msqid_ds).cast()) })?;
    Ok((ret, ds))
}

/// `msgctl(2)` with `IPC_SET`.
pub fn msgctl_set(msqid: c_int, ds: &libc::msqid_ds) -> Result<()> {
    // SAFETY: IPC_SET only reads the struct; the kernel never writes it.
    cvt(unsafe { msgctl(msqid, libc::IPC_SET, (ds as *const libc::msqid_ds as *mut libc::msqid_ds).cast()) }).map(drop)
}

/// `msgctl(2)` with `IPC_INFO` or `MSG_INFO`: the index of the highest used
/// entry of the kernel's table, and the `struct msginfo` (limits for
/// `IPC_INFO`, usage in `msgpool`/`msgmap`/`msgtql` for `MSG_INFO`).
pub fn msgctl_info(msqid: c_int, cmd: c_int) -> Result<(c_int, libc::msginfo)> {
    debug_assert!(matches!(cmd, libc::IPC_INFO | MSG_INFO));
    // SAFETY: an all-zero msginfo is a valid value of this plain C struct.
    let mut info: libc::msginfo = unsafe { std::mem::zeroed() };
    // SAFETY: these commands write exactly one struct msginfo through the
    // (cast) buffer pointer.
    let ret = cvt(unsafe { msgctl(msqid, cmd, (&mut info as *mut libc::msginfo).cast()) })?;
    Ok((ret, info))
}

/// The `msgctl(2)` system call: `cmd` as given (the native 64-bit call
/// takes no `IPC_64` bit; glibc's `__IPC_64` is 0 on x86-64).
///
/// # Safety
/// `buf` is what `cmd` reads or writes (NULL where it uses none).
unsafe fn msgctl(msqid: c_int, cmd: c_int, buf: *mut libc::c_void) -> c_int {
    // SAFETY: forwarded from this function's contract.
    unsafe { libc::syscall(libc::SYS_msgctl, msqid as c_long, cmd as c_long, buf) as c_int }
}

// ---------------------------------------------------------------------------
// Semaphore sets

/// `semget(2)`.
pub fn semget(key: libc::key_t, nsems: i32, flags: i32) -> Result<i32> {
    // SAFETY: no pointers.
    // As for msgget: an int, converted before `cvt`.
    cvt(unsafe { libc::syscall(libc::SYS_semget, key as c_long, nsems as c_long, flags as c_long) } as i32)
}

/// `semtimedop(2)` (`timeout == None`: `semop(2)`, wait without limit).
pub fn semtimedop(semid: i32, ops: &[libc::sembuf], timeout: Option<&libc::timespec>) -> Result<()> {
    let timeout = timeout.map_or(std::ptr::null(), |t| t as *const libc::timespec);
    // SAFETY: `ops` is valid for reads of `ops.len()` sembufs (the kernel
    // only reads them despite the non-const prototype); `timeout` is NULL or
    // a live timespec.
    let ret = unsafe { libc::syscall(libc::SYS_semtimedop, semid, ops.as_ptr(), ops.len(), timeout) };
    cvt(ret).map(drop)
}

/// `semctl(2)` for the commands whose argument is an `int` (`SETVAL`) or
/// unused (`GETVAL`, `GETPID`, `GETNCNT`, `GETZCNT`, `IPC_RMID`).
pub fn semctl_int(semid: i32, semnum: i32, cmd: i32, val: i32) -> Result<i32> {
    // SAFETY: these commands read no pointer; the int travels as the union.
    cvt(unsafe { semctl(semid, semnum, cmd, val as c_long) })
}

/// `semctl(2)` with a `struct semid_ds *` (`IPC_STAT`, `SEM_STAT`,
/// `SEM_STAT_ANY` write it, `IPC_SET` reads it).
pub fn semctl_ds(semid: i32, cmd: i32, buf: &mut libc::semid_ds) -> Result<i32> {
    // SAFETY: `buf` is a live, writable semid_ds.
    cvt(unsafe { semctl(semid, 0, cmd, buf as *mut libc::semid_ds as c_long) })
}

/// `semctl(2)` with a `struct seminfo *` (`IPC_INFO`, `SEM_INFO`).
pub fn semctl_info(cmd: i32, buf: &mut libc::seminfo) -> Result<i32> {
    // SAFETY: `buf` is a live, writable seminfo.
    cvt(unsafe { semctl(0, 0, cmd, buf as *mut libc::seminfo as c_long) })
}

/// `semctl(GETALL)` into `values`, which must hold the set's `sem_nsems`
/// values (the caller checks).
pub fn semctl_getall(semid: i32, values: &mut [u16]) -> Result<()> {
    // SAFETY: `values` is writable; the caller made it at least sem_nsems
    // long, all the kernel writes.
    cvt(unsafe { semctl(semid, 0, libc::GETALL, values.as_mut_ptr() as c_long) }).map(drop)
}

/// `semctl(SETALL)` from `values`, which must hold the set's `sem_nsems`
/// values (the caller checks).
pub fn semctl_setall(semid: i32, values: &[u16]) -> Result<()> {
    // SAFETY: the kernel only reads sem_nsems values, which the caller
    // checked `values` holds.
    cvt(unsafe { semctl(semid, 0, libc::SETALL, values.as_ptr() as c_long) }).map(drop)
}

/// `semctl(2)` `GETALL` or `SETALL` with a raw array pointer.
///
/// # Safety
/// `array` is NULL (the kernel then says `EFAULT`) or valid for the set's
/// `sem_nsems` values, written (`GETALL`) or read (`SETALL`).
pub unsafe fn semctl_array(semid: i32, cmd: i32, array: *mut u16) -> Result<()> {
    // SAFETY: forwarded from this function's contract.
    cvt(unsafe { semctl(semid, 0, cmd, array as c_long) }).map(drop)
}

/// The `semctl(2)` system call, its fourth argument the `union semun` as
/// the register glibc passes (`int` or pointer member); `cmd` as given (the
/// native 64-bit call takes no `IPC_64` bit; glibc's `__IPC_64` is 0 on
/// x86-64).
///
/// # Safety
/// `arg` is what `cmd` reads or writes through.
unsafe fn semctl(semid: i32, semnum: i32, cmd: i32, arg: c_long) -> i32 {
    // SAFETY: forwarded from this function's contract.
    unsafe { libc::syscall(libc::SYS_semctl, semid as c_long, semnum as c_long, cmd as c_long, arg) as i32 }
}

/// An all-zero `struct semid_ds` (to be filled by the kernel).
pub fn zeroed_semid_ds() -> libc::semid_ds {
    // SAFETY: a plain C struct of integers (with padding fields the libc
    // crate keeps private), for which all-zero bytes are a valid value.
    unsafe { std::mem::zeroed() }
}

// ---------------------------------------------------------------------------
// Shared memory

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

/// `shmget(2)`.
pub fn shmget(key: libc::key_t, size: usize, flags: c_int) -> Result<c_int> {
    // SAFETY: no pointers involved.
    // As for msgget: an int, converted before `cvt`.
    cvt(unsafe { libc::syscall(libc::SYS_shmget, key as c_long, size, flags as c_long) } as c_int)
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
    super::mman::page_size()
}

/// The promise for unit tests, which detach only attachments they made and
/// no longer use (kept here so `unsafe` stays in this layer).
#[cfg(test)]
pub(crate) fn test_promise() -> MayUnmap {
    // SAFETY: see above.
    unsafe { MayUnmap::assume() }
}
