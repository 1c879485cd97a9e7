//! Raw System V semaphore calls: `semget(2)`, `semop(2)`, `semtimedop(2)`
//! and the forms of `semctl(2)` (whose fourth argument, `union semun`, is
//! passed here as the one member each command reads).
//!
//! All are the system calls themselves, as glibc's wrappers make them on
//! x86-64 and aarch64, never glibc's symbols, which `librsipc_preload.so`
//! may interpose with rsipc's own.

use libc::c_long;

use super::cvt;
use crate::error::Result;

/// `semget(2)`.
pub fn semget(key: libc::key_t, nsems: i32, flags: i32) -> Result<i32> {
    // SAFETY: no pointers.
    cvt(unsafe { libc::syscall(libc::SYS_semget, key as c_long, nsems as c_long, flags as c_long) }).map(|id| id as i32)
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
