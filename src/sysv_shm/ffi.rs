//! C shims for System V keys and shared memory.

use libc::{c_char, c_int, c_void, key_t, shmid_ds, size_t};

use super::{Command, Key, MayUnmap, ShmLimits, ShmUsage};
use crate::ctl::{Buffer, CmdName, CtlBuffer, CtlCommand};
use crate::ffi::{c_str, flag_names, flag_table, guard, read_buffer, store_query, FlagTable, Name, Ptr};

/// As ftok(3): the System V key of the existing file `path` and the low 8
/// bits of `proj_id`, bit for bit the key glibc's `ftok` computes
/// (`(st_ino & 0xffff) | (st_dev & 0xff) << 16 | (proj_id & 0xff) << 24`,
/// following symbolic links). Returns the key, or -1 with errno.
///
/// # Errors
/// `EFAULT` if `path` is NULL; the errors of stat(2) — `ENOENT`, `EACCES`,
/// `ENOTDIR`, `ELOOP`, `ENAMETOOLONG` — with a message naming the path.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string.
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub unsafe extern "C" fn rsipc_ftok(path: *const c_char, proj_id: c_int) -> key_t {
    guard(-1, call!("ftok", path = Name(path), proj_id = proj_id), || {
        // SAFETY: forwarded from this function's contract.
        let path = unsafe { c_str(path, "path") }?;
        super::ftok(path, proj_id)
    })
}

/// As shmget(2): the id of the System V shared memory segment of `key`;
/// with `IPC_CREAT` a new segment of `size` bytes (zero-filled) is created
/// when none exists, with the permission bits in the low 9 bits of `shmflg`;
/// `IPC_PRIVATE` always creates a new one. Returns the id, or -1 with errno.
///
/// # Errors
/// `EEXIST` (`IPC_CREAT|IPC_EXCL` and the key is taken), `ENOENT` (no
/// segment and no `IPC_CREAT`), `EINVAL` (a new segment's size outside
/// SHMMIN..SHMMAX, or `size` larger than the existing segment), `EACCES`
/// (the mode denies access), `ENOSPC`, `ENOMEM`, `EPERM` (`SHM_HUGETLB`).
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub extern "C" fn rsipc_shmget(key: key_t, size: size_t, shmflg: c_int) -> c_int {
    guard(-1, call!("shmget", key = Key(key), size = size, flags = ShmgetFlags(shmflg)), || {
        super::shmget(key, size, shmflg)
    })
}

/// As shmat(2): attaches segment `shmid` at an address the kernel picks
/// (`shmaddr` NULL) or at `shmaddr` (rounded down to SHMLBA with
/// `SHM_RND`), read-write or, with `SHM_RDONLY`, read-only; `SHM_EXEC` adds
/// execute permission and `SHM_REMAP` replaces any mapping in the range.
/// Returns the address, or `(void *)-1` with errno.
///
/// # Errors
/// `EINVAL` (no segment `shmid`, removed, `shmaddr` not aligned without
/// `SHM_RND`, `SHM_REMAP` without an address, the range overlaps a mapping),
/// `EACCES` (the mode denies the access asked for), `EIDRM`, `ENOMEM`.
///
/// # Safety
/// `shmaddr` is only an address (never dereferenced by rsipc); with
/// `SHM_REMAP` whatever is mapped in the segment's range at `shmaddr` is
/// replaced, so nothing the program still uses may live there.
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub unsafe extern "C" fn rsipc_shmat(shmid: c_int, shmaddr: *const c_void, shmflg: c_int) -> *mut c_void {
    let failed = usize::MAX as *mut c_void; // (void *)-1
    guard(failed, call!("shmat", shmid = shmid, shmaddr = Ptr(shmaddr), flags = ShmatFlags(shmflg)), || {
        // SAFETY: this function's contract: the C caller accepts what
        // SHM_REMAP replaces, exactly as with shmat(2).
        let may_unmap = unsafe { MayUnmap::assume() };
        super::shmat(shmid, shmaddr, shmflg, Some(may_unmap)).map(|p| p.as_ptr())
    })
}

/// As shmdt(2): detaches the segment attached at `shmaddr` (the address
/// shmat returned). Returns 0, or -1 with errno.
///
/// # Errors
/// `EINVAL` if no segment is attached at `shmaddr` (including NULL).
///
/// # Safety
/// Nothing the program still uses may live in the attachment at `shmaddr`
/// (its memory disappears); any other address is only compared by the
/// kernel.
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub unsafe extern "C" fn rsipc_shmdt(shmaddr: *const c_void) -> c_int {
    guard(-1, call!("shmdt", shmaddr = Ptr(shmaddr)), || {
        // SAFETY: this function's contract, as with shmdt(2).
        let may_unmap = unsafe { MayUnmap::assume() };
        super::shmdt(shmaddr, may_unmap).map(|()| 0)
    })
}

/// As shmctl(2): `IPC_STAT` fills `*buf`; `IPC_SET` sets owner, group and
/// mode from `*buf`; `IPC_RMID` removes the segment after the last detach;
/// `IPC_INFO` stores a `struct shminfo` and `SHM_INFO` a `struct shm_info`
/// through `buf` (cast it, as with glibc) and return the highest used index
/// of the kernel's table; `SHM_STAT`/`SHM_STAT_ANY` take that index in
/// `shmid`, fill `*buf` and return the segment's id; `SHM_LOCK`/`SHM_UNLOCK`
/// lock and unlock its pages (`buf` ignored). Returns what shmctl(2)
/// returns, or -1 with errno.
///
/// # Errors
/// `EINVAL` (unknown `cmd`, negative `shmid`, no such segment or index),
/// `EFAULT` (`buf` is NULL where `cmd` needs it — the kernel's checks come
/// first), `EACCES` (no read permission for `IPC_STAT`/`SHM_STAT`),
/// `EPERM` (`IPC_SET`/`IPC_RMID` by a non-owner, `SHM_LOCK` without
/// `CAP_IPC_LOCK`), `EIDRM`, `ENOMEM`, `EOVERFLOW`.
///
/// # Safety
/// `buf` is NULL or valid for what `cmd` reads or writes: a `struct
/// shmid_ds` (`IPC_STAT`, `IPC_SET`, `SHM_STAT`, `SHM_STAT_ANY`), a
/// `struct shminfo` (`IPC_INFO`), a `struct shm_info` (`SHM_INFO`).
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub unsafe extern "C" fn rsipc_shmctl(shmid: c_int, cmd: c_int, buf: *mut shmid_ds) -> c_int {
    guard(-1, call!("shmctl", shmid = shmid, cmd = CmdName::<Command>::new(cmd), buf = Ptr(buf)), || {
        let command = Command::check(shmid, cmd)?;
        // SAFETY (every `store_query` and `read_buffer` below): `buf` is valid for the
        // struct the command uses, by this function's contract.
        match command {
            Command::Stat => unsafe { store_query(command, buf, super::stat(shmid).map(|ds| (0, ds))) },
            Command::StatIndex => unsafe { store_query(command, buf, super::stat_index(shmid, false)) },
            Command::StatAny => unsafe { store_query(command, buf, super::stat_index(shmid, true)) },
            Command::Info => unsafe { store_query(command, buf.cast::<ShmLimits>(), super::limits(shmid)) },
            Command::ShmInfo => unsafe { store_query(command, buf.cast::<ShmUsage>(), super::usage(shmid)) },
            Command::Set => super::set(shmid, unsafe { read_buffer(command, buf) }?).map(|()| 0),
            Command::Rmid => super::remove(shmid).map(|()| 0),
            Command::Lock => super::lock(shmid).map(|()| 0),
            Command::Unlock => super::unlock(shmid).map(|()| 0),
        }
    })
}

impl CtlBuffer for Command {
    fn buffer(self) -> Option<Buffer> {
        match self {
            Command::Info => Some(Buffer::fills("buf", "shminfo")),
            Command::ShmInfo => Some(Buffer::fills("buf", "shm_info")),
            Command::Set => Some(Buffer::reads("buf", "shmid_ds")),
            Command::Stat | Command::StatIndex | Command::StatAny => Some(Buffer::fills("buf", "shmid_ds")),
            Command::Rmid | Command::Lock | Command::Unlock => None,
        }
    }
}

flag_table! {
    /// `shmget` flags: `IPC_CREAT|IPC_EXCL|SHM_HUGETLB|0644`.
    struct ShmgetFlags = FlagTable::ipc(flag_names![IPC_CREAT, IPC_EXCL, SHM_HUGETLB, SHM_NORESERVE]);
}

flag_table! {
    /// `shmat` flags: `SHM_RDONLY|SHM_RND`, or `0`.
    struct ShmatFlags = FlagTable::bits(flag_names![SHM_RDONLY, SHM_RND, SHM_REMAP, SHM_EXEC]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_commands_are_shown_by_name() {
        assert_eq!(ShmgetFlags(libc::IPC_CREAT | libc::IPC_EXCL | 0o644).to_string(), "IPC_CREAT|IPC_EXCL|0644");
        assert_eq!(ShmgetFlags(0).to_string(), "0");
        assert_eq!(ShmgetFlags(libc::IPC_CREAT).to_string(), "IPC_CREAT");
        assert_eq!(ShmatFlags(libc::SHM_RDONLY | libc::SHM_RND).to_string(), "SHM_RDONLY|SHM_RND");
        assert_eq!(ShmatFlags(0).to_string(), "0");
        assert_eq!(CmdName::<Command>::new(libc::IPC_RMID).to_string(), "IPC_RMID");
        assert_eq!(CmdName::<Command>::new(99).to_string(), "99");
    }

    #[test]
    fn a_failed_shmget_reads_call_flags_errno_and_cause() {
        let id = rsipc_shmget(libc::IPC_PRIVATE, 4096, libc::IPC_CREAT | 0o600);
        assert!(id >= 0);
        let mut ds = std::mem::MaybeUninit::<shmid_ds>::zeroed();
        // SAFETY: `ds` is a valid shmid_ds buffer.
        assert_eq!(unsafe { rsipc_shmctl(id, libc::IPC_STAT, ds.as_mut_ptr()) }, 0);
        // SAFETY: IPC_RMID ignores buf.
        assert_eq!(unsafe { rsipc_shmctl(id, libc::IPC_RMID, std::ptr::null_mut()) }, 0);
        // SAFETY: NULL buf is checked.
        assert_eq!(unsafe { rsipc_shmctl(id, libc::IPC_STAT, std::ptr::null_mut()) }, -1);
        let msg = crate::error::last_error();
        assert!(
            msg.starts_with(&format!("shmctl(shmid={id}, cmd=IPC_STAT, buf=NULL): EINVAL: no segment has id")),
            "{msg}"
        );
    }
}
