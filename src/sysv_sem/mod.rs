//! System V semaphore sets: `semget(2)`, `semop(2)`, `semtimedop(2)` and
//! `semctl(2)`, one safe function per `semctl` command. They are kernel
//! objects, so rsipc and glibc programs share them by nature; rsipc adds the
//! checks (NULL arguments, buffer sizes) and explained errors.

// Safe Rust only: unsafe code lives in sys/ and at the C boundary (ffi);
// each exception below says why it needs it.
#![deny(unsafe_code)]

// The C boundary: raw pointers and descriptors from C.
#[allow(unsafe_code)]
pub(crate) mod ffi;

use libc::c_int;

use crate::ctl::CtlCommand;
use crate::error::{Error, Result};
use crate::sys::{self, ipc as raw};

/// Why `semop` says `E2BIG` (the limit, 500 by default, is a tunable, so
/// the kernel's own check is the one that counts).
const SEMOP_LIMIT_HINT: &str = "more operations than the kernel's SEMOPM limit (/proc/sys/kernel/sem, 4th field)";

/// The largest value a System V semaphore holds (`SEMVMX`).
pub const SEMVMX: i32 = 32767;

/// `semget(2)`: the id of the set with `key` (`IPC_PRIVATE` for a new
/// private one), creating it with `nsems` semaphores under `IPC_CREAT`.
pub fn semget(key: libc::key_t, nsems: i32, semflg: i32) -> Result<i32> {
    raw::semget(key, nsems, semflg).map_err(|e| match e.errno() {
        libc::EEXIST => e.because("a semaphore set with this key already exists (IPC_CREAT|IPC_EXCL)"),
        libc::ENOENT => e.because("no semaphore set has this key, and IPC_CREAT was not given"),
        libc::EINVAL if nsems < 0 => e.because("nsems is negative"),
        libc::EINVAL => {
            e.because("nsems is 0 or above SEMMSL for a new set, or larger than the existing set with this key has")
        }
        libc::EACCES => e.because("the set exists but its permissions deny this access"),
        libc::ENOSPC => e.because("the system limit on semaphore sets (SEMMNI) or semaphores (SEMMNS) was reached"),
        libc::ENOMEM => e.because("the kernel could not allocate the set"),
        _ => e,
    })
}

/// `semop(2)`: applies all of `ops` atomically (each `sem_op` > 0 adds, < 0
/// waits until it can subtract, 0 waits for zero; `SEM_UNDO` and
/// `IPC_NOWAIT` in `sem_flg`), sleeping as long as needed.
pub fn semop(semid: i32, ops: &[libc::sembuf]) -> Result<()> {
    do_semop(semid, ops, None)
}

/// `semtimedop(2)`: as [`semop`], but waits at most the relative `timeout`
/// (`None`: no limit) and then fails with `EAGAIN`, as Linux does.
/// The kernel checks the timeout, in its order: after the number of
/// operations (`E2BIG`, `EINVAL` for none) and reading them.
pub fn semtimedop(semid: i32, ops: &[libc::sembuf], timeout: Option<&libc::timespec>) -> Result<()> {
    do_semop(semid, ops, timeout)
}

/// Why a timeout is refused (`EINVAL`), if it is.
fn bad_timeout(timeout: Option<&libc::timespec>) -> Option<Error> {
    let t = timeout?;
    if let Err(e) = sys::check_timespec(t, "timeout") {
        return Some(e);
    }
    (t.tv_sec < 0).then(|| Error::new(libc::EINVAL, reason!("timeout.tv_sec = {} is negative", t.tv_sec)))
}

fn do_semop(semid: i32, ops: &[libc::sembuf], timeout: Option<&libc::timespec>) -> Result<()> {
    if ops.is_empty() {
        return Err(Error::new(libc::EINVAL, "nsops is 0: give at least one operation"));
    }
    raw::semtimedop(semid, ops, timeout).map_err(|e| match e.errno() {
        libc::EINVAL if semid >= 0 && bad_timeout(timeout).is_some() => bad_timeout(timeout).expect("checked"),
        libc::EAGAIN if timeout.is_some() => {
            e.because("the operations could not all be applied before the timeout (or at once, with IPC_NOWAIT)")
        }
        libc::EAGAIN => e.because("IPC_NOWAIT was given and the operations could not all be applied at once"),
        libc::E2BIG => e.because(SEMOP_LIMIT_HINT),
        libc::EFBIG => e.because("a sem_num is not a semaphore of this set (it is >= the set's nsems)"),
        libc::EIDRM => e.because("the semaphore set was removed while waiting"),
        libc::EINTR => e.because("a signal handler interrupted the wait"),
        libc::EINVAL => e.because("no semaphore set has this id"),
        libc::EACCES => e.because("the set's permissions deny this operation"),
        libc::ERANGE => e.because("the operation would take a value above SEMVMX (32767)"),
        libc::ENOMEM => e.because("the kernel could not allocate the SEM_UNDO record"),
        _ => e,
    })
}

/// Explains a `semctl` failure for `semid`.
fn explain_ctl(e: Error) -> Error {
    match e.errno() {
        libc::EINVAL => e.because("no semaphore set has this id, or semnum is not one of its semaphores"),
        libc::EIDRM => e.because("the semaphore set was removed"),
        libc::EACCES => e.because("the set's permissions deny this access"),
        libc::EPERM => e.because("only the set's owner or creator (or CAP_SYS_ADMIN) may do this"),
        libc::ERANGE => e.because("the value is negative or above SEMVMX (32767)"),
        _ => e,
    }
}

/// The commands of `semctl(2)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// `GETVAL`: the value of one semaphore.
    GetVal,
    /// `SETVAL`: set one semaphore's value.
    SetVal,
    /// `GETALL`: every value into the caller's array.
    GetAll,
    /// `SETALL`: every value from the caller's array.
    SetAll,
    /// `GETPID`: the last process that operated on one semaphore.
    GetPid,
    /// `GETNCNT`: processes waiting for one semaphore to increase.
    GetNcnt,
    /// `GETZCNT`: processes waiting for one semaphore to become 0.
    GetZcnt,
    /// `IPC_STAT`: the set's `struct semid_ds`.
    Stat,
    /// `IPC_SET`: owner, group and permission bits.
    Set,
    /// `IPC_RMID`: remove the set at once, waking every waiter (`EIDRM`).
    Rmid,
    /// `IPC_INFO`: the system's limits, `struct seminfo`.
    Info,
    /// `SEM_INFO`: the system's usage, `struct seminfo`.
    SemInfo,
    /// `SEM_STAT`: `struct semid_ds` of the set at a table index.
    StatIndex,
    /// `SEM_STAT_ANY`: as `SEM_STAT` without the read-permission check.
    StatAny,
}

impl CtlCommand for Command {
    const TABLE: &'static [(Command, c_int, &'static str)] = &[
        (Command::GetVal, libc::GETVAL, "GETVAL"),
        (Command::SetVal, libc::SETVAL, "SETVAL"),
        (Command::GetAll, libc::GETALL, "GETALL"),
        (Command::SetAll, libc::SETALL, "SETALL"),
        (Command::GetPid, libc::GETPID, "GETPID"),
        (Command::GetNcnt, libc::GETNCNT, "GETNCNT"),
        (Command::GetZcnt, libc::GETZCNT, "GETZCNT"),
        (Command::Stat, libc::IPC_STAT, "IPC_STAT"),
        (Command::Set, libc::IPC_SET, "IPC_SET"),
        (Command::Rmid, libc::IPC_RMID, "IPC_RMID"),
        (Command::Info, libc::IPC_INFO, "IPC_INFO"),
        (Command::SemInfo, libc::SEM_INFO, "SEM_INFO"),
        (Command::StatIndex, libc::SEM_STAT, "SEM_STAT"),
        (Command::StatAny, libc::SEM_STAT_ANY, "SEM_STAT_ANY"),
    ];
    const CALL: &'static str = "semctl";
    const ID: &'static str = "semid";

    fn takes_index(self) -> bool {
        matches!(self, Command::StatIndex | Command::StatAny)
    }
}

/// `semctl(GETVAL)`: the value of semaphore `semnum`.
pub fn getval(semid: i32, semnum: i32) -> Result<i32> {
    raw::semctl_int(semid, semnum, libc::GETVAL, 0).map_err(explain_ctl)
}

/// `semctl(SETVAL)`: sets semaphore `semnum` to `value` (0..=`SEMVMX`,
/// else `ERANGE`), clearing its undo entries and waking waiters.
pub fn setval(semid: i32, semnum: i32, value: i32) -> Result<()> {
    raw::semctl_int(semid, semnum, libc::SETVAL, value).map(drop).map_err(explain_ctl)
}

/// `semctl(GETPID)`: the pid of the last process that operated on `semnum`.
pub fn getpid(semid: i32, semnum: i32) -> Result<i32> {
    raw::semctl_int(semid, semnum, libc::GETPID, 0).map_err(explain_ctl)
}

/// `semctl(GETNCNT)`: how many processes wait for `semnum` to increase.
pub fn getncnt(semid: i32, semnum: i32) -> Result<i32> {
    raw::semctl_int(semid, semnum, libc::GETNCNT, 0).map_err(explain_ctl)
}

/// `semctl(GETZCNT)`: how many processes wait for `semnum` to become 0.
pub fn getzcnt(semid: i32, semnum: i32) -> Result<i32> {
    raw::semctl_int(semid, semnum, libc::GETZCNT, 0).map_err(explain_ctl)
}

/// `semctl(IPC_RMID)`: removes the set, waking every waiter with `EIDRM`.
pub fn ipc_rmid(semid: i32) -> Result<()> {
    raw::semctl_int(semid, 0, libc::IPC_RMID, 0).map(drop).map_err(explain_ctl)
}

/// `semctl(IPC_STAT)`: the set's `struct semid_ds`.
pub fn ipc_stat(semid: i32) -> Result<libc::semid_ds> {
    let mut ds = empty_semid_ds();
    raw::semctl_ds(semid, libc::IPC_STAT, &mut ds).map_err(explain_ctl)?;
    Ok(ds)
}

/// `semctl(IPC_SET)`: sets the owner uid/gid and permission bits from `ds`.
pub fn ipc_set(semid: i32, ds: &libc::semid_ds) -> Result<()> {
    let mut copy = *ds;
    raw::semctl_ds(semid, libc::IPC_SET, &mut copy).map(drop).map_err(explain_ctl)
}

/// `semctl(SEM_STAT)` (`any == false`) or `semctl(SEM_STAT_ANY)`: the set
/// at kernel index `index` — its id and `struct semid_ds`. `SEM_STAT`
/// checks read permission, `SEM_STAT_ANY` does not.
pub fn sem_stat(index: i32, any: bool) -> Result<(i32, libc::semid_ds)> {
    let mut ds = empty_semid_ds();
    let cmd = if any { libc::SEM_STAT_ANY } else { libc::SEM_STAT };
    let id = raw::semctl_ds(index, cmd, &mut ds).map_err(|e| {
        e.explain(libc::EINVAL, "no semaphore set is at this index (see IPC_INFO/SEM_INFO for the highest one)")
            .explain(libc::EACCES, "the set at this index denies read permission (SEM_STAT_ANY skips that check)")
    })?;
    Ok((id, ds))
}

/// `semctl(IPC_INFO)` (`used == false`: the limits) or `semctl(SEM_INFO)`
/// (`used == true`: `semusz` = sets in use, `semaem` = semaphores in use):
/// the highest used index in the kernel's array and the `struct seminfo`.
pub fn info(used: bool) -> Result<(i32, libc::seminfo)> {
    let mut buf = libc::seminfo {
        semmap: 0,
        semmni: 0,
        semmns: 0,
        semmnu: 0,
        semmsl: 0,
        semopm: 0,
        semume: 0,
        semusz: 0,
        semvmx: 0,
        semaem: 0,
    };
    let cmd = if used { libc::SEM_INFO } else { libc::IPC_INFO };
    let top = raw::semctl_info(cmd, &mut buf)?;
    Ok((top, buf))
}

/// How many semaphores set `semid` has (its `sem_nsems`).
pub fn nsems(semid: i32) -> Result<usize> {
    Ok(ipc_stat(semid)?.sem_nsems as usize)
}

/// `semctl(GETALL)`: every value of the set into `values`, which must hold
/// at least the set's `sem_nsems` entries (`EINVAL` otherwise).
pub fn getall(semid: i32, values: &mut [u16]) -> Result<()> {
    let n = nsems(semid)?;
    check_len(values.len(), n)?;
    raw::semctl_getall(semid, &mut values[..n]).map_err(explain_ctl)
}

/// `semctl(SETALL)`: sets every value of the set from `values` (at least
/// `sem_nsems` entries, `EINVAL` otherwise; each at most `SEMVMX`,
/// `ERANGE` otherwise).
pub fn setall(semid: i32, values: &[u16]) -> Result<()> {
    let n = nsems(semid)?;
    check_len(values.len(), n)?;
    raw::semctl_setall(semid, &values[..n]).map_err(explain_ctl)
}

/// `semctl(GETALL)` (`set == false`, writes the array) or `semctl(SETALL)`
/// with the caller's array as the kernel takes it: the kernel looks the set
/// up and checks permission before it touches `array`, so a NULL `array`
/// is `EFAULT` only after those (as with glibc).
///
/// # Safety
/// `array` is NULL or valid for the set's `sem_nsems` values (written for
/// `GETALL`, read for `SETALL`).
// unsafe: array is a caller's raw `unsigned short *` (C boundary data).
#[allow(unsafe_code)]
pub unsafe fn all_raw(semid: i32, array: *mut u16, set: bool) -> Result<()> {
    let cmd = if set { libc::SETALL } else { libc::GETALL };
    // SAFETY: forwarded from this function's contract; the kernel faults
    // safely on NULL.
    unsafe { raw::semctl_array(semid, cmd, array) }.map_err(|e| {
        if array.is_null() {
            e.explain(libc::EFAULT, "`arg.array` is NULL")
        } else {
            explain_ctl(e)
        }
    })
}

fn check_len(have: usize, need: usize) -> Result<()> {
    if have < need {
        return Err(Error::new(
            libc::EINVAL,
            reason!("the array holds {} values but the set has {} semaphores", have, need),
        ));
    }
    Ok(())
}

fn empty_semid_ds() -> libc::semid_ds {
    raw::zeroed_semid_ds()
}

// Tests fork and call libc directly to watch the kernel objects.
#[cfg(test)]
#[allow(unsafe_code)]
mod tests {
    use super::*;

    struct Set(i32);
    impl Drop for Set {
        fn drop(&mut self) {
            let _ = ipc_rmid(self.0);
        }
    }

    fn op(num: u16, op: i16, flg: i16) -> libc::sembuf {
        libc::sembuf { sem_num: num, sem_op: op, sem_flg: flg }
    }

    #[test]
    fn a_private_set_starts_at_zero_and_counts_operations() {
        let set = Set(semget(libc::IPC_PRIVATE, 3, 0o600).unwrap());
        assert_eq!(nsems(set.0).unwrap(), 3);
        semop(set.0, &[op(0, 2, 0), op(2, 1, 0)]).unwrap();
        let mut all = [9u16; 3];
        getall(set.0, &mut all).unwrap();
        assert_eq!(all, [2, 0, 1]);
        assert_eq!(getpid(set.0, 0).unwrap(), std::process::id() as i32);
    }

    #[test]
    fn nowait_on_zero_is_eagain_and_nothing_is_applied() {
        let set = Set(semget(libc::IPC_PRIVATE, 2, 0o600).unwrap());
        setval(set.0, 0, 1).unwrap();
        let e = semop(set.0, &[op(0, -1, 0), op(1, -1, libc::IPC_NOWAIT as i16)]).unwrap_err();
        assert_eq!(e.errno(), libc::EAGAIN);
        assert_eq!(getval(set.0, 0).unwrap(), 1);
    }

    #[test]
    fn semtimedop_expires_with_eagain() {
        let set = Set(semget(libc::IPC_PRIVATE, 1, 0o600).unwrap());
        let t = libc::timespec { tv_sec: 0, tv_nsec: 10_000_000 };
        assert_eq!(semtimedop(set.0, &[op(0, -1, 0)], Some(&t)).unwrap_err().errno(), libc::EAGAIN);
        let bad = libc::timespec { tv_sec: 0, tv_nsec: -1 };
        assert_eq!(semtimedop(set.0, &[op(0, -1, 0)], Some(&bad)).unwrap_err().errno(), libc::EINVAL);
    }

    #[test]
    fn empty_and_out_of_range_operations_are_rejected() {
        let set = Set(semget(libc::IPC_PRIVATE, 1, 0o600).unwrap());
        assert_eq!(semop(set.0, &[]).unwrap_err().errno(), libc::EINVAL);
        assert_eq!(semop(set.0, &[op(5, 1, 0)]).unwrap_err().errno(), libc::EFBIG);
        assert_eq!(setval(set.0, 0, SEMVMX + 1).unwrap_err().errno(), libc::ERANGE);
    }

    #[test]
    fn short_arrays_are_einval() {
        let set = Set(semget(libc::IPC_PRIVATE, 4, 0o600).unwrap());
        let mut two = [0u16; 2];
        assert_eq!(getall(set.0, &mut two).unwrap_err().errno(), libc::EINVAL);
        assert_eq!(setall(set.0, &two).unwrap_err().errno(), libc::EINVAL);
        setall(set.0, &[1, 2, 3, 4]).unwrap();
        assert_eq!(getval(set.0, 3).unwrap(), 4);
    }

    #[test]
    fn info_reports_limits() {
        let (_, limits) = info(false).unwrap();
        assert!(limits.semmsl > 0 && limits.semopm > 0);
        assert_eq!(limits.semvmx, SEMVMX);
    }
}
