//! C shims for the System V semaphores.

use libc::{c_int, c_ulong, key_t, sembuf, semid_ds, seminfo, size_t, timespec};

use super::Command;
use crate::ctl::{Buffer, CmdName, CtlBuffer, CtlCommand};
use crate::error::{Call, Error, Result};
use crate::ffi::{guard, read_buffer, store_query, IpcGetFlags, Key, Ptr};

/// As semget(2): the id of the semaphore set with `key`, creating one of
/// `nsems` semaphores (all 0) when `semflg` has `IPC_CREAT` and none
/// exists; `IPC_PRIVATE` always creates. Returns the id, or -1 with errno.
///
/// # Errors
/// `EEXIST` (`IPC_CREAT|IPC_EXCL` and the key exists), `ENOENT` (no such
/// key, no `IPC_CREAT`), `EINVAL` (`nsems` out of range or larger than the
/// existing set's), `EACCES`, `ENOSPC`, `ENOMEM`.
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub extern "C" fn rsipc_semget(key: key_t, nsems: c_int, semflg: c_int) -> c_int {
    guard(-1, call!("semget", key = Key(key), nsems = nsems, semflg = IpcGetFlags(semflg)), || {
        super::semget(key, nsems, semflg)
    })
}

/// `nsops` operations at `sops` as a slice, as the kernel takes them: it
/// reads `nsops` as an `unsigned int`, so only its low 32 bits count (0 is
/// then `EINVAL`, later). A NULL `sops` is `EFAULT` after the kernel's own
/// first check: more operations than `SEMOPM` is `E2BIG`.
///
/// # Safety
/// When `nsops > 0`, `sops` is NULL or valid for reads of the `nsops`
/// sembufs the kernel reads.
unsafe fn ops<'a>(sops: *const sembuf, nsops: size_t) -> Result<&'a [sembuf]> {
    let n = nsops as u32 as usize;
    if n == 0 {
        return Ok(&[]);
    }
    let Some(p) = std::ptr::NonNull::new(sops as *mut sembuf) else {
        return Err(null_ops(n));
    };
    // SAFETY: non-NULL; valid for the n entries the kernel reads by the
    // caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(p.as_ptr(), n) })
}

#[cold]
fn null_ops(n: usize) -> Error {
    match super::info(false) {
        Ok((_, limits)) if n > limits.semopm as usize => Error::new(
            libc::E2BIG,
            reason!("nsops {} is above the kernel's SEMOPM limit ({}, /proc/sys/kernel/sem)", n, limits.semopm),
        ),
        _ => Error::new(libc::EFAULT, "`sops` is NULL"),
    }
}

/// As semop(2): applies the `nsops` operations at `sops` to set `semid`
/// atomically (all or none), waiting as long as needed unless an operation
/// has `IPC_NOWAIT`; `SEM_UNDO` operations are undone when the process
/// exits. Returns 0, or -1 with errno.
///
/// # Errors
/// `EAGAIN` (`IPC_NOWAIT` and it would wait), `EINVAL` (`nsops == 0` or no
/// such set), `EFAULT` (`sops` NULL), `EFBIG` (a `sem_num` out of range),
/// `E2BIG` (more than `SEMOPM` operations), `EIDRM` (set removed while
/// waiting), `EINTR`, `EACCES`, `ERANGE`, `ENOMEM`.
///
/// # Safety
/// `sops` is NULL or points to `nsops` readable `struct sembuf`s.
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub unsafe extern "C" fn rsipc_semop(semid: c_int, sops: *mut sembuf, nsops: size_t) -> c_int {
    guard(-1, call!("semop", semid = semid, sops = Ptr(sops), nsops = nsops), || {
        // SAFETY: forwarded from this function's contract.
        let ops = unsafe { ops(sops, nsops) }?;
        super::semop(semid, ops).map(|()| 0)
    })
}

/// As semtimedop(2): `rsipc_semop` that waits at most the relative
/// `*timeout` (NULL: without limit) and then fails with `EAGAIN`, as Linux
/// does. Returns 0, or -1 with errno.
///
/// # Errors
/// Those of `rsipc_semop`, plus `EAGAIN` when the timeout expires and
/// `EINVAL` for a negative `tv_sec` or a `tv_nsec` outside 0..999999999.
///
/// # Safety
/// `sops` as for `rsipc_semop`; `timeout` is NULL or points to a `struct
/// timespec`.
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub unsafe extern "C" fn rsipc_semtimedop(
    semid: c_int,
    sops: *mut sembuf,
    nsops: size_t,
    timeout: *const timespec,
) -> c_int {
    guard(-1, call!("semtimedop", semid = semid, sops = Ptr(sops), nsops = nsops, timeout = Ptr(timeout)), || {
        // SAFETY: forwarded from this function's contract.
        let ops = unsafe { ops(sops, nsops) }?;
        // SAFETY: NULL or a valid timespec by this function's contract.
        let timeout = unsafe { timeout.as_ref() };
        super::semtimedop(semid, ops, timeout).map(|()| 0)
    })
}

/// cbindgen:ignore
///
/// As semctl(2): control operation `cmd` on the semaphore set `semid`
/// (member `semnum` where the command takes one). The fourth argument,
/// where the command needs one, is the caller's `union semun` (which the
/// caller defines, as semctl(2) says).
///
/// Returns what semctl(2) returns for the command (listed below), or -1
/// with errno.
///
/// # Commands
/// Every command of semctl(2) on Linux, with the `union semun` member it
/// reads:
/// - `GETVAL`, `SETVAL` (`val`): the value of member `semnum`;
/// - `GETALL`, `SETALL` (`array` of the set's `sem_nsems` values): every
///   value at once;
/// - `GETPID`, `GETNCNT`, `GETZCNT`: the pid of the last process to operate
///   on member `semnum`, and how many wait for it to grow or to be zero;
/// - `IPC_STAT`, `IPC_SET` (`buf`): the set's `struct semid_ds`;
///   `IPC_RMID`: remove the set, waking every waiter with `EIDRM`;
/// - `IPC_INFO`, `SEM_INFO` (`__buf`, a `struct seminfo *`): the system's
///   limits and usage; return the highest used index;
/// - `SEM_STAT`, `SEM_STAT_ANY` (`buf`): as `IPC_STAT` with `semid` an
///   index of the kernel's table; return the set's id.
///
/// # Errors
/// `EINVAL` for an unknown command, a negative `semid`, no such set or a
/// bad `semnum`; `EFAULT` if the command needs a buffer or array and it is
/// NULL — the kernel's checks come first, as with glibc (only `IPC_SET`
/// reads its buffer before it looks the set up); `EIDRM`, `EACCES`,
/// `EPERM`, `ERANGE` (a value above `SEMVMX`, 32767).
///
/// # Safety
/// The pointer member the command reads is NULL or valid for it: a `struct
/// semid_ds`, a `struct seminfo`, or an array of the set's `sem_nsems`
/// unsigned shorts.
///
/// # Variadic
/// The header declares the libc prototype
/// `int rsipc_semctl(int semid, int semnum, int cmd, ...)`. Stable Rust
/// cannot define a C-variadic function, so the definition takes the fourth
/// argument as a fixed parameter: the caller's `union semun` (or a bare
/// `int`), which on Linux x86-64 and aarch64 travels in the same integer
/// register as this pointer-sized integer. Only the member the command uses
/// is read (`val`: the low 32 bits, as the ABI leaves the rest undefined
/// for an `int`); for 3-argument commands it is ignored.
#[no_mangle]
pub unsafe extern "C" fn rsipc_semctl(semid: c_int, semnum: c_int, cmd: c_int, arg: c_ulong) -> c_int {
    guard(
        -1,
        move |c: &mut Call| {
            call!("semctl", semid = semid, semnum = semnum, cmd = CmdName::<Command>::new(cmd))(c);
            // The fourth argument as the command reads it (nothing for
            // commands that take none).
            match cmd {
                libc::SETVAL => c.arg("val", arg as u32 as c_int),
                libc::GETALL | libc::SETALL => c.arg("array", Ptr(arg as *const u16)),
                libc::IPC_STAT | libc::IPC_SET | libc::SEM_STAT | libc::SEM_STAT_ANY => {
                    c.arg("buf", Ptr(arg as *const semid_ds))
                }
                libc::IPC_INFO | libc::SEM_INFO => c.arg("__buf", Ptr(arg as *const seminfo)),
                _ => {}
            }
        },
        // SAFETY: forwarded from this function's contract.
        || unsafe { semctl(semid, semnum, cmd, arg) },
    )
}

/// The body of `rsipc_semctl`: the command set of `ctl.rs`, checked first
/// as the kernel does (unknown command, negative id); then each command
/// touches the caller's memory only where the kernel would, after the set
/// was looked up (a NULL buffer with a bogus id is `EINVAL`, as with
/// glibc).
///
/// # Safety
/// As for `rsipc_semctl`.
unsafe fn semctl(semid: c_int, semnum: c_int, cmd: c_int, arg: c_ulong) -> Result<c_int> {
    let command = Command::check(semid, cmd)?;
    // SAFETY (every `store_query`, `read_buffer` and `all_raw` below): the member
    // the command reads is NULL or valid for it, by this function's contract.
    match command {
        Command::GetVal => super::getval(semid, semnum),
        // The `int val` member: only the low 32 bits are defined.
        Command::SetVal => super::setval(semid, semnum, arg as u32 as c_int).map(|()| 0),
        Command::GetPid => super::getpid(semid, semnum),
        Command::GetNcnt => super::getncnt(semid, semnum),
        Command::GetZcnt => super::getzcnt(semid, semnum),
        Command::Rmid => super::ipc_rmid(semid).map(|()| 0),
        Command::Stat => unsafe {
            store_query(command, arg as *mut semid_ds, super::ipc_stat(semid).map(|ds| (0, ds)))
        },
        Command::StatIndex | Command::StatAny => unsafe {
            store_query(command, arg as *mut semid_ds, super::sem_stat(semid, command == Command::StatAny))
        },
        Command::Info | Command::SemInfo => unsafe {
            store_query(command, arg as *mut seminfo, super::info(command == Command::SemInfo))
        },
        Command::Set => {
            // The kernel copies the buffer in before it looks the set up.
            let ds = unsafe { read_buffer(command, arg as *const semid_ds) }?;
            super::ipc_set(semid, ds).map(|()| 0)
        }
        Command::GetAll | Command::SetAll => unsafe {
            super::all_raw(semid, arg as *mut u16, command == Command::SetAll).map(|()| 0)
        },
    }
}

impl CtlBuffer for Command {
    fn buffer(self) -> Option<Buffer> {
        match self {
            Command::Info | Command::SemInfo => Some(Buffer::fills("arg.__buf", "seminfo")),
            Command::Set => Some(Buffer::reads("arg.buf", "semid_ds")),
            Command::Stat | Command::StatIndex | Command::StatAny => Some(Buffer::fills("arg.buf", "semid_ds")),
            Command::GetAll | Command::SetAll => None, // checked by all_raw, against the set's size
            Command::GetVal | Command::SetVal | Command::GetPid | Command::GetNcnt | Command::GetZcnt => None,
            Command::Rmid => None,
        }
    }
}
