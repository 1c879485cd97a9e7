//! System V keys and shared memory: `ftok(3)` computed in Rust with glibc's
//! formula, and `shmget(2)`, `shmat(2)`, `shmdt(2)`, `shmctl(2)` with their
//! errors explained.
//!
//! Segments are kernel objects, so a segment made here is the same object a
//! glibc program sees; the only user-space part is the key, and [`ftok`]
//! computes it bit for bit as glibc does.

// Safe Rust only: unsafe code lives in sys/ and at the C boundary (ffi);
// each exception below says why it needs it.
#![deny(unsafe_code)]

// The C boundary: raw pointers and descriptors from C.
#[allow(unsafe_code)]
pub(crate) mod ffi;

use std::ffi::CStr;
use std::fmt;
use std::ptr::NonNull;

use libc::{c_int, c_void, key_t};

use crate::ctl::{self, CtlCommand, CtlObject};
use crate::error::{describe, later, Error, Reason, Result};
use crate::sys::ipc as sys;
pub use crate::sys::ipc::{MayUnmap, ShmLimits, ShmUsage, SHM_DEST, SHM_INFO, SHM_LOCKED, SHM_STAT, SHM_STAT_ANY};

/// The `shmat` flags rsipc knows by name.
pub const SHMAT_FLAGS: c_int = libc::SHM_RDONLY | libc::SHM_RND | libc::SHM_REMAP | libc::SHM_EXEC;

// ---------------------------------------------------------------------------
// Keys

/// The System V key of `path` and `proj_id`, as glibc's `ftok(3)`:
/// `(st_ino & 0xffff) | (st_dev & 0xff) << 16 | (proj_id & 0xff) << 24`
/// with `stat(2)` following symbolic links. Only the low 8 bits of
/// `proj_id` count.
///
/// A path that cannot be `stat`ed is an error naming the path (`ENOENT`,
/// `EACCES`, `ENOTDIR`, `ELOOP`, `ENAMETOOLONG`).
pub fn ftok(path: &CStr, proj_id: c_int) -> Result<key_t> {
    let st = crate::sys::fs::stat(path).map_err(|e| explain_stat(e, path))?;
    Ok(key_of(st.st_ino, st.st_dev, proj_id))
}

/// glibc's key formula. glibc computes it in 64 bits (`st_ino` is 64-bit)
/// and the conversion to `key_t` keeps the low 32, which is what this does.
pub fn key_of(ino: u64, dev: u64, proj_id: c_int) -> key_t {
    let key = (ino & 0xffff) | ((dev & 0xff) << 16) | (((proj_id as u32) & 0xff) as u64) << 24;
    key as u32 as key_t
}

#[cold]
fn explain_stat(e: Error, path: &CStr) -> Error {
    let p = crate::error::Quoted(path);
    match e.errno() {
        libc::ENOENT => e.because(reason!("{} does not exist (ftok needs an existing file)", p)),
        libc::EACCES => e.because(reason!("search permission is denied on a directory leading to {}", p)),
        libc::ENOTDIR => e.because(reason!("a component of {} before the last is not a directory", p)),
        libc::ELOOP => e.because(reason!("too many symbolic links while resolving {}", p)),
        libc::ENAMETOOLONG => e.because(reason!("{} is too long a path", p)),
        errno => e.because(reason!("cannot stat {}: {}", p, describe(errno))),
    }
}

pub use crate::arg::Key;

// ---------------------------------------------------------------------------
// shmget

/// As `shmget(2)`: the id of the segment of `key`, created (with
/// `IPC_CREAT`) with `size` bytes and the permission bits of `flags`
/// (`IPC_PRIVATE` always creates a new one). Flags are passed to the kernel
/// unchanged (`IPC_CREAT`, `IPC_EXCL`, `SHM_HUGETLB`, `SHM_NORESERVE`, ...).
///
/// Errors as the kernel gives them, explained: `EEXIST`, `ENOENT`,
/// `EACCES`, `EINVAL` (a size outside `1..=SHMMAX` for a new segment, or
/// larger than the existing one), `ENOSPC`, `ENOMEM`, `EPERM`.
pub fn shmget(key: key_t, size: usize, flags: c_int) -> Result<c_int> {
    sys::shmget(key, size, flags).map_err(|e| explain_shmget(e, key, size))
}

#[cold]
fn explain_shmget(e: Error, key: key_t, size: usize) -> Error {
    match e.errno() {
        libc::EEXIST => e.because("a segment with this key already exists"),
        libc::ENOENT => e.because("no segment has this key and IPC_CREAT was not given"),
        libc::EACCES => {
            e.because("the segment with this key exists, but its permissions deny this process the access asked for")
        }
        libc::EINVAL => e.because(explain_shmget_size(key, size)),
        libc::ENOSPC => e.because(
            "the system-wide limit on segments (SHMMNI) or on shared memory in total (SHMALL) would be exceeded",
        ),
        libc::ENOMEM => e.because("not enough memory for the segment"),
        libc::EPERM => e.because("SHM_HUGETLB needs CAP_IPC_LOCK or membership of /proc/sys/vm/hugetlb_shm_group"),
        libc::ENFILE => e.because("the system-wide limit on open files was reached"),
        _ => e,
    }
}

/// Why `shmget` said `EINVAL`: the existing segment is smaller than `size`,
/// or `size` is outside the limits for a new one. Which, and the limits,
/// are asked of the kernel when the message is read.
fn explain_shmget_size(key: key_t, size: usize) -> Reason {
    Reason::compose(compose_shmget_size).with(key).with(size)
}

fn compose_shmget_size(r: &Reason, out: &mut dyn fmt::Write) -> fmt::Result {
    let (key, size) = (r.int(0) as key_t, r.int(1) as u64 as usize);
    if key != libc::IPC_PRIVATE {
        match sys::shmget(key, 0, 0) {
            Ok(id) => {
                match sys::shmctl_stat(id, libc::IPC_STAT) {
                    Ok((_, ds)) => write!(
                        out,
                        "the segment with this key has {} bytes, fewer than the size asked for ({size})",
                        ds.shm_segsz
                    )?,
                    Err(_) => write!(out, "the segment with this key is smaller than the size asked for ({size})")?,
                }
                return out.write_str(later::WHEN);
            }
            Err(e) if e.errno() == libc::EACCES => {
                write!(out, "the segment with this key is smaller than the size asked for ({size})")?;
                return out.write_str(later::WHEN);
            }
            Err(_) => {}
        }
    }
    if size > i64::MAX as usize {
        // Within a SHMMAX that defaults to nearly 2^64, but no shared
        // memory file can be larger than 2^63 - 1 bytes.
        return write!(out, "size {size} is larger than any shared memory file can be (2^63 - 1 bytes)");
    }
    match sys::shmctl_ipc_info(0) {
        Ok((_, limits)) => write!(
            out,
            "a new segment's size must be between {} (SHMMIN) and {} (SHMMAX) bytes, not {size}",
            limits.shmmin, limits.shmmax
        )?,
        Err(_) => write!(out, "a new segment's size must be between SHMMIN and SHMMAX bytes, not {size}")?,
    }
    out.write_str(later::WHEN)
}

// ---------------------------------------------------------------------------
// shmat, shmdt

/// As `shmat(2)`: attaches segment `shmid` at an address the kernel picks
/// (`addr` NULL) or at `addr` (rounded down to `SHMLBA` with `SHM_RND`),
/// read-write, or read-only with `SHM_RDONLY`, executable with `SHM_EXEC`.
/// `SHM_REMAP` replaces whatever is mapped in the range; it needs the
/// caller's [`MayUnmap`] promise (`EINVAL` without it).
///
/// Errors as the kernel gives them, explained: `EINVAL` (no such segment, an
/// unaligned `addr` without `SHM_RND`, `SHM_REMAP` without an address, a
/// range that overlaps a mapping), `EACCES`, `EIDRM`, `ENOMEM`.
pub fn shmat(shmid: c_int, addr: *const c_void, flags: c_int, may_unmap: Option<MayUnmap>) -> Result<NonNull<c_void>> {
    if flags & libc::SHM_REMAP != 0 && may_unmap.is_none() {
        return Err(Error::new(libc::EINVAL, "SHM_REMAP replaces existing mappings and needs a MayUnmap promise"));
    }
    sys::shmat(shmid, addr, flags, may_unmap).map_err(|e| explain_shmat(e, shmid, addr, flags))
}

#[cold]
fn explain_shmat(e: Error, shmid: c_int, addr: *const c_void, flags: c_int) -> Error {
    match e.errno() {
        libc::EINVAL => {
            let lba = sys::shmlba();
            let a = addr as usize;
            if shmid < 0 {
                e.because(reason!("shmid {} is negative", shmid))
            } else if a != 0 && a % lba != 0 && flags & libc::SHM_RND == 0 {
                e.because(reason!(
                    "shmaddr {} is not a multiple of SHMLBA ({}) and SHM_RND was not given",
                    crate::arg::Ptr(addr),
                    lba
                ))
            } else if flags & libc::SHM_REMAP != 0 && (a == 0 || (flags & libc::SHM_RND != 0 && a < lba)) {
                e.because("SHM_REMAP needs a non-NULL shmaddr (at least SHMLBA with SHM_RND) to attach at")
            } else {
                // Whether the segment exists is asked when the message is read.
                e.because(Reason::compose(compose_shmat_einval).with(shmid).with(crate::arg::Ptr(addr)))
            }
        }
        libc::EACCES => {
            let access = match (flags & libc::SHM_RDONLY != 0, flags & libc::SHM_EXEC != 0) {
                (true, false) => "read",
                (true, true) => "read and execute",
                (false, false) => "read-write",
                (false, true) => "read-write and execute",
            };
            e.because(reason!("the segment's permissions deny this process {} access", access))
        }
        libc::EIDRM => e.because(reason!("segment {} was removed", shmid)),
        libc::ENOMEM => e.because("no room in the address space for the segment, or no memory to map it"),
        _ => e,
    }
}

fn compose_shmat_einval(r: &Reason, out: &mut dyn fmt::Write) -> fmt::Result {
    let shmid = r.int(0) as c_int;
    if !ctl::exists::<Command>(shmid) {
        write!(out, "no segment has id {shmid} (it was never created, or has been removed)")?;
    } else if r.int(1) != 0 {
        out.write_str("the segment does not fit at ")?;
        r.write_arg(1, out)?;
        out.write_str(
            ": the range overlaps an existing mapping (SHM_REMAP replaces it) or runs past the address space",
        )?;
    } else {
        out.write_str(describe(libc::EINVAL))?;
    }
    out.write_str(later::WHEN)
}

/// As `shmdt(2)`: detaches the segment attached at `addr`, which must be the
/// address `shmat` returned. Anything else is `EINVAL`.
pub fn shmdt(addr: *const c_void, may_unmap: MayUnmap) -> Result<()> {
    sys::shmdt(addr, may_unmap).map_err(|e| {
        if e.errno() != libc::EINVAL {
            e
        } else if addr as usize % sys::shmlba() != 0 {
            e.because(reason!("shmaddr {} is not page-aligned, so no segment is attached there", crate::arg::Ptr(addr)))
        } else {
            e.because(reason!("no shared memory segment is attached at {}", crate::arg::Ptr(addr)))
        }
    })
}

// ---------------------------------------------------------------------------
// shmctl

/// The commands of `shmctl(2)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// `IPC_STAT`: the segment's `struct shmid_ds`.
    Stat,
    /// `IPC_SET`: owner, group and permission bits from a `struct shmid_ds`.
    Set,
    /// `IPC_RMID`: remove the segment once the last process detaches.
    Rmid,
    /// `IPC_INFO`: the system's limits, `struct shminfo`.
    Info,
    /// `SHM_INFO`: the system's usage, `struct shm_info`.
    ShmInfo,
    /// `SHM_STAT`: `struct shmid_ds` of the segment at a table index.
    StatIndex,
    /// `SHM_STAT_ANY`: as `SHM_STAT` without the read-permission check.
    StatAny,
    /// `SHM_LOCK`: keep the segment's pages in memory.
    Lock,
    /// `SHM_UNLOCK`: let them be swapped again.
    Unlock,
}

impl CtlCommand for Command {
    const TABLE: &'static [(Command, c_int, &'static str)] = &[
        (Command::Stat, libc::IPC_STAT, "IPC_STAT"),
        (Command::Set, libc::IPC_SET, "IPC_SET"),
        (Command::Rmid, libc::IPC_RMID, "IPC_RMID"),
        (Command::Info, libc::IPC_INFO, "IPC_INFO"),
        (Command::ShmInfo, SHM_INFO, "SHM_INFO"),
        (Command::StatIndex, SHM_STAT, "SHM_STAT"),
        (Command::StatAny, SHM_STAT_ANY, "SHM_STAT_ANY"),
        (Command::Lock, libc::SHM_LOCK, "SHM_LOCK"),
        (Command::Unlock, libc::SHM_UNLOCK, "SHM_UNLOCK"),
    ];
    const CALL: &'static str = "shmctl";
    const ID: &'static str = "shmid";

    fn takes_index(self) -> bool {
        matches!(self, Command::StatIndex | Command::StatAny)
    }
}

impl CtlObject for Command {
    type Ds = libc::shmid_ds;
    const NOUN: &'static str = "segment";
    const DS: &'static str = "shmid_ds";
    const STAT: Command = Command::Stat;
    const STAT_INDEX: Command = Command::StatIndex;
    const STAT_ANY: Command = Command::StatAny;

    fn stat_raw(shmid: c_int, cmd: c_int) -> Result<(c_int, libc::shmid_ds)> {
        sys::shmctl_stat(shmid, cmd)
    }

    fn no_such(shmid: c_int) -> Reason {
        no_such_segment(shmid)
    }

    fn explain(e: Error, shmid: c_int, command: Command) -> Error {
        explain_ctl(e, shmid, command)
    }
}

/// `IPC_STAT`: the segment's `struct shmid_ds` (`EACCES` without read
/// permission).
pub fn stat(shmid: c_int) -> Result<libc::shmid_ds> {
    ctl::stat::<Command>(shmid)
}

/// `SHM_STAT` (`any == false`) or `SHM_STAT_ANY`: the id and `struct
/// shmid_ds` of the segment at `index` of the kernel's table (0 up to the
/// index `IPC_INFO`/`SHM_INFO` return). `SHM_STAT_ANY` skips the read
/// permission check.
pub fn stat_index(index: c_int, any: bool) -> Result<(c_int, libc::shmid_ds)> {
    ctl::stat_index::<Command>(index, any)
}

/// `IPC_SET`: sets the segment's owner uid, gid and permission bits (the low
/// 9 bits of `shm_perm.mode`) from `ds`; the other fields are ignored.
pub fn set(shmid: c_int, ds: &libc::shmid_ds) -> Result<()> {
    sys::shmctl_set(shmid, ds).map_err(|e| explain_ctl(e, shmid, Command::Set))
}

/// `IPC_RMID`: marks the segment for removal. It goes away when the last
/// process detaches; until then its key is `IPC_PRIVATE` and it can still
/// be attached by id (Linux).
pub fn remove(shmid: c_int) -> Result<()> {
    sys::shmctl_nobuf(shmid, libc::IPC_RMID).map(drop).map_err(|e| explain_ctl(e, shmid, Command::Rmid))
}

/// `IPC_INFO`: the index of the highest used entry of the kernel's segment
/// table, and the system's limits (`struct shminfo`).
pub fn limits(shmid: c_int) -> Result<(c_int, ShmLimits)> {
    sys::shmctl_ipc_info(shmid).map_err(|e| explain_ctl(e, shmid, Command::Info))
}

/// `SHM_INFO`: the index of the highest used entry of the kernel's segment
/// table, and the system's usage (`struct shm_info`).
pub fn usage(shmid: c_int) -> Result<(c_int, ShmUsage)> {
    sys::shmctl_shm_info(shmid).map_err(|e| explain_ctl(e, shmid, Command::ShmInfo))
}

/// `SHM_LOCK`: keeps the segment's pages in memory (`SHM_LOCKED` shows in
/// `shm_perm.mode`).
pub fn lock(shmid: c_int) -> Result<()> {
    sys::shmctl_nobuf(shmid, libc::SHM_LOCK).map(drop).map_err(|e| explain_ctl(e, shmid, Command::Lock))
}

/// `SHM_UNLOCK`: lets the segment's pages be swapped again.
pub fn unlock(shmid: c_int) -> Result<()> {
    sys::shmctl_nobuf(shmid, libc::SHM_UNLOCK).map(drop).map_err(|e| explain_ctl(e, shmid, Command::Unlock))
}

fn no_such_segment(shmid: c_int) -> Reason {
    reason!("no segment has id {} (it was never created, or has been removed)", shmid)
}

#[cold]
fn explain_ctl(e: Error, shmid: c_int, command: Command) -> Error {
    use Command::*;
    ctl::explain(e, shmid, command, |e| match (e.errno(), command) {
        (libc::EINVAL, Stat | Rmid | Lock | Unlock) => e.because(no_such_segment(shmid)),
        (libc::EPERM, Set | Rmid) => {
            e.because("only the segment's owner or creator, or a process with CAP_SYS_ADMIN, may change or remove it")
        }
        (libc::EPERM, Lock | Unlock) => {
            e.because("locking another user's segment needs CAP_IPC_LOCK; the owner needs a non-zero RLIMIT_MEMLOCK")
        }
        (libc::ENOMEM, Lock) => e.because("RLIMIT_MEMLOCK is too small to lock the segment"),
        _ => e,
    })
}

// Tests fork and call libc directly to watch the kernel objects.
#[cfg(test)]
#[allow(unsafe_code)]
mod tests {
    use super::*;

    /// A private segment removed when the test ends.
    struct Segment(c_int);
    impl Segment {
        fn new(size: usize) -> Segment {
            Segment(shmget(libc::IPC_PRIVATE, size, libc::IPC_CREAT | 0o600).unwrap())
        }
    }
    impl Drop for Segment {
        fn drop(&mut self) {
            let _ = remove(self.0);
        }
    }

    fn promise() -> MayUnmap {
        sys::test_promise()
    }

    fn cstr(s: &[u8]) -> &CStr {
        CStr::from_bytes_with_nul(s).unwrap()
    }

    #[test]
    fn key_of_follows_glibcs_formula() {
        assert_eq!(key_of(0x12345, 0x0803, 1), 0x0103_2345);
        assert_eq!(key_of(0xffff_ffff_0001, 0xff, 0x1ff), 0xffff_0001_u32 as key_t);
        assert_eq!(key_of(7, 0, -1), 0xff00_0007_u32 as key_t);
    }

    #[test]
    fn ftok_uses_the_inode_and_device_of_the_path() {
        let st = crate::sys::fs::stat(cstr(b"/\0")).unwrap();
        assert_eq!(ftok(cstr(b"/\0"), b'A' as c_int).unwrap(), key_of(st.st_ino, st.st_dev, b'A' as c_int));
    }

    #[test]
    fn ftok_of_a_missing_path_is_enoent_naming_it() {
        let e = ftok(cstr(b"/no/such/rsipc-file\0"), 1).unwrap_err();
        assert_eq!(e.errno(), libc::ENOENT);
        assert!(e.message().contains("\"/no/such/rsipc-file\""), "{e}");
    }

    #[test]
    fn key_shows_ipc_private_by_name_and_others_in_hex() {
        assert_eq!(Key(libc::IPC_PRIVATE).to_string(), "IPC_PRIVATE");
        assert_eq!(Key(0x1234).to_string(), "0x1234");
        assert_eq!(Key(-1).to_string(), "0xffffffff");
    }

    #[test]
    fn shmget_without_ipc_creat_for_an_unused_key_is_enoent() {
        // A key made free by creating and removing its segment.
        let mut key = 0x5200_0000 | (std::process::id() as key_t & 0xff_ffff);
        let id = loop {
            match shmget(key, 4096, libc::IPC_CREAT | libc::IPC_EXCL | 0o600) {
                Ok(id) => break id,
                Err(e) if e.errno() == libc::EEXIST => key += 1,
                Err(e) => panic!("{e}"),
            }
        };
        remove(id).unwrap();
        let e = shmget(key, 4096, 0o600).unwrap_err();
        assert_eq!(e.errno(), libc::ENOENT);
        assert_eq!(e.message(), "no segment has this key and IPC_CREAT was not given");
    }

    #[test]
    fn shmget_of_size_zero_for_a_new_segment_is_einval_citing_the_limits() {
        let e = shmget(libc::IPC_PRIVATE, 0, libc::IPC_CREAT | 0o600).unwrap_err();
        assert_eq!(e.errno(), libc::EINVAL);
        assert!(e.message().contains("SHMMAX"), "{e}");
    }

    #[test]
    fn shmget_above_the_largest_file_is_einval_saying_so() {
        // Below the default SHMMAX (nearly 2^64) but no shared memory file
        // can be that large: the kernel's EINVAL, not a SHMMAX complaint.
        let e = shmget(libc::IPC_PRIVATE, i64::MAX as usize + 1, libc::IPC_CREAT | 0o600).unwrap_err();
        assert_eq!(e.errno(), libc::EINVAL);
        assert!(e.message().contains("2^63 - 1"), "{e}");
    }

    #[test]
    fn attach_detach_and_stat() {
        let seg = Segment::new(4096);
        let p = shmat(seg.0, std::ptr::null(), 0, None).unwrap();
        shmdt(p.as_ptr(), promise()).unwrap();
        // (Attachment counts are checked by the integration tests, in a
        // child of their own: other unit tests may fork meanwhile.)
        let ds = stat(seg.0).unwrap();
        assert_eq!(ds.shm_segsz, 4096);
        assert_eq!(ds.shm_cpid, std::process::id() as libc::pid_t);
    }

    #[test]
    fn shmat_with_remap_needs_a_promise() {
        let seg = Segment::new(4096);
        let e = shmat(seg.0, std::ptr::null(), libc::SHM_REMAP, None).unwrap_err();
        assert_eq!(e.errno(), libc::EINVAL);
        assert!(e.message().contains("MayUnmap"), "{e}");
    }

    #[test]
    fn shmat_of_an_unaligned_address_without_shm_rnd_is_einval() {
        let seg = Segment::new(4096);
        let e = shmat(seg.0, 0x1001 as *const c_void, 0, None).unwrap_err();
        assert_eq!(e.errno(), libc::EINVAL);
        assert!(e.message().contains("SHMLBA"), "{e}");
    }

    #[test]
    fn shmat_of_a_removed_segment_is_einval_saying_no_such_segment() {
        let id = Segment::new(4096).0; // dropped: removed at once
        let e = shmat(id, std::ptr::null(), 0, None).unwrap_err();
        assert!(matches!(e.errno(), libc::EINVAL | libc::EIDRM), "{e}");
        assert!(e.message().contains(&format!("no segment has id {id}")), "{e}");
    }

    #[test]
    fn shmdt_of_a_non_attachment_is_einval() {
        let local = 0u64;
        let e = shmdt(&local as *const u64 as *const c_void, promise()).unwrap_err();
        assert_eq!(e.errno(), libc::EINVAL);
        assert!(e.message().contains("attached"), "{e}");
    }

    #[test]
    fn commands_round_trip_and_unknown_ones_are_einval() {
        for &(c, _, _) in Command::TABLE {
            assert_eq!(Command::from_raw(c.raw()), Some(c));
        }
        assert_eq!(Command::check(0, 999).unwrap_err().errno(), libc::EINVAL);
        assert_eq!(Command::check(-1, libc::IPC_INFO).unwrap_err().errno(), libc::EINVAL);
        assert_eq!(Command::check(3, libc::IPC_STAT).unwrap(), Command::Stat);
    }

    #[test]
    fn limits_and_usage_count_a_new_segment() {
        let seg = Segment::new(8192);
        let (highest, limits) = limits(0).unwrap();
        assert!(limits.shmmax >= 8192 && limits.shmmin == 1 && limits.shmmni > 0);
        let (_, usage) = usage(0).unwrap();
        assert!(usage.used_ids >= 1 && usage.shm_tot >= 2);
        // The segment is somewhere at or below the highest index.
        let found = (0..=highest).any(|i| matches!(stat_index(i, true), Ok((id, _)) if id == seg.0));
        assert!(found);
    }

    #[test]
    fn set_changes_the_permission_bits() {
        let seg = Segment::new(4096);
        let mut ds = stat(seg.0).unwrap();
        ds.shm_perm.mode = 0o640;
        set(seg.0, &ds).unwrap();
        assert_eq!(stat(seg.0).unwrap().shm_perm.mode & 0o777, 0o640);
    }

    #[test]
    fn remove_twice_is_einval_the_second_time() {
        let seg = Segment::new(4096);
        remove(seg.0).unwrap();
        let e = remove(seg.0).unwrap_err();
        assert_eq!(e.errno(), libc::EINVAL);
        assert!(e.message().contains("no segment has id"), "{e}");
    }
}
