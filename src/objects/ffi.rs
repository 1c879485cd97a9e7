//! C shims for the object listing: `rsipc_objects_list`,
//! `rsipc_objects_remove`, `rsipc_objects_reap`, and the records they fill.

#![allow(non_camel_case_types)]

use libc::{c_char, c_int, size_t, ssize_t};

use super::{Cause, ChanInfo, Filter, Kind, Object, Outcome, State};
use crate::error::{Error, Result};
use crate::ffi::{guard, in_ref, Ptr};
use crate::sys::objects::NoCancel;

/// Bytes of `rsipc_object.name`: a POSIX name (`/` and up to `NAME_MAX`
/// bytes) and its NUL, rounded up.
const NAME_LEN: usize = 264;
/// Bytes of `rsipc_object.cause_text`.
const TEXT_LEN: usize = 128;
/// Pids `rsipc_object.users` holds.
const USERS_LEN: usize = 16;

// C: The kinds of IPC objects (`rsipc_object.kind`); a filter's `kinds` is a mask of `1 << kind`.
/// `rsipc_object.kind`: System V shared memory segment (shmget(2)).
pub const RSIPC_OBJECT_SYSV_SHM: i32 = 1;
/// `rsipc_object.kind`: System V message queue (msgget(2)).
pub const RSIPC_OBJECT_SYSV_MSG: i32 = 2;
/// `rsipc_object.kind`: System V semaphore set (semget(2)).
pub const RSIPC_OBJECT_SYSV_SEM: i32 = 3;
/// `rsipc_object.kind`: POSIX shared memory object that is not a channel (shm_open(3)).
pub const RSIPC_OBJECT_POSIX_SHM: i32 = 4;
/// `rsipc_object.kind`: POSIX named semaphore (sem_open(3), `/dev/shm/sem.NAME`).
pub const RSIPC_OBJECT_POSIX_SEM: i32 = 5;
/// `rsipc_object.kind`: POSIX message queue (mq_open(3)).
pub const RSIPC_OBJECT_POSIX_MQ: i32 = 6;
/// `rsipc_object.kind`: rsipc channel (rsipc_chan_create).
pub const RSIPC_OBJECT_CHAN: i32 = 7;

// C: Whether an object is used (`rsipc_object.state`).
/// `rsipc_object.state`: A live process uses it.
pub const RSIPC_OBJECT_IN_USE: i32 = 1;
/// `rsipc_object.state`: Nobody alive uses it: rsipc_objects_reap removes it.
pub const RSIPC_OBJECT_STALE: i32 = 2;
/// `rsipc_object.state`: Cannot be told with certainty: never reaped.
pub const RSIPC_OBJECT_UNKNOWN: i32 = 3;

// C: Why an object has its state (`rsipc_object.cause`; the text is in `rsipc_object.cause_text`). 1-19: in use; 20-39: stale; 40-: unknown.
/// `rsipc_object.cause`: Processes are attached to the segment (`nattch > 0`).
pub const RSIPC_OBJECT_CAUSE_ATTACHED: i32 = 1;
/// `rsipc_object.cause`: Live processes have it open or mapped.
pub const RSIPC_OBJECT_CAUSE_OPEN_OR_MAPPED: i32 = 2;
/// `rsipc_object.cause`: Live processes hold the channel's member liveness locks.
pub const RSIPC_OBJECT_CAUSE_MEMBERS: i32 = 3;
/// `rsipc_object.cause`: The process that created it is alive.
pub const RSIPC_OBJECT_CAUSE_CREATOR_ALIVE: i32 = 4;
/// `rsipc_object.cause`: A process that last used it is alive.
pub const RSIPC_OBJECT_CAUSE_LAST_USER_ALIVE: i32 = 5;
/// `rsipc_object.cause`: Processes wait on the semaphore set.
pub const RSIPC_OBJECT_CAUSE_WAITERS: i32 = 6;
/// `rsipc_object.cause`: A live process is registered for the queue's notification.
pub const RSIPC_OBJECT_CAUSE_NOTIFY_REGISTERED: i32 = 7;
/// `rsipc_object.cause`: Nobody attached; creator and last attaching process gone.
pub const RSIPC_OBJECT_CAUSE_NOBODY_ATTACHED_CREATOR_GONE: i32 = 20;
/// `rsipc_object.cause`: The processes that last used it are gone, nobody waits.
pub const RSIPC_OBJECT_CAUSE_LAST_USERS_GONE: i32 = 21;
/// `rsipc_object.cause`: No process has it open or mapped (every process inspected).
pub const RSIPC_OBJECT_CAUSE_NO_USER: i32 = 22;
/// `rsipc_object.cause`: No channel member lock held, no visible process has it open or mapped.
pub const RSIPC_OBJECT_CAUSE_NO_MEMBER: i32 = 23;
/// `rsipc_object.cause`: No recorded pid can tell (queue never both sent to and received from, semaphore set never operated on).
pub const RSIPC_OBJECT_CAUSE_NEVER_USED: i32 = 40;
/// `rsipc_object.cause`: Some processes could not be inspected (not root).
pub const RSIPC_OBJECT_CAUSE_HIDDEN_PROCESSES: i32 = 41;
/// `rsipc_object.cause`: Its details could not be read (permission).
pub const RSIPC_OBJECT_CAUSE_NOT_READABLE: i32 = 42;
/// `rsipc_object.cause`: A recorded pid is not visible here (another pid namespace, or no /proc).
pub const RSIPC_OBJECT_CAUSE_PID_NOT_VISIBLE: i32 = 43;

// C: Bits of `rsipc_object.fields`: which of the optional fields hold a value (the others are 0).
/// `rsipc_object.fields` bit: `key` is set.
pub const RSIPC_OBJECT_HAS_KEY: u32 = 1;
/// `rsipc_object.fields` bit: `id` is set.
pub const RSIPC_OBJECT_HAS_ID: u32 = 2;
/// `rsipc_object.fields` bit: `size` is set.
pub const RSIPC_OBJECT_HAS_SIZE: u32 = 4;
/// `rsipc_object.fields` bit: `count` is set.
pub const RSIPC_OBJECT_HAS_COUNT: u32 = 8;
/// `rsipc_object.fields` bit: `cpid` is set.
pub const RSIPC_OBJECT_HAS_CPID: u32 = 16;
/// `rsipc_object.fields` bit: `lpid` is set.
pub const RSIPC_OBJECT_HAS_LPID: u32 = 32;
/// `rsipc_object.fields` bit: `lrpid` is set.
pub const RSIPC_OBJECT_HAS_LRPID: u32 = 64;
/// `rsipc_object.fields` bit: `nattch` is set.
pub const RSIPC_OBJECT_HAS_NATTCH: u32 = 128;
/// `rsipc_object.fields` bit: `atime` is set.
pub const RSIPC_OBJECT_HAS_ATIME: u32 = 256;
/// `rsipc_object.fields` bit: `mtime` is set.
pub const RSIPC_OBJECT_HAS_MTIME: u32 = 512;
/// `rsipc_object.fields` bit: `ctime` is set.
pub const RSIPC_OBJECT_HAS_CTIME: u32 = 1024;
/// `rsipc_object.fields` bit: `dev` and `ino` are set.
pub const RSIPC_OBJECT_HAS_FILE: u32 = 2048;
/// `rsipc_object.fields` bit: the `chan_*` fields are set.
pub const RSIPC_OBJECT_HAS_CHAN: u32 = 4096;

// C: What became of an object in rsipc_objects_reap (`rsipc_reap_entry.outcome`).
/// `rsipc_reap_entry.outcome`: Removed.
pub const RSIPC_REAP_REMOVED: i32 = 1;
/// `rsipc_reap_entry.outcome`: Stale; a dry run left it.
pub const RSIPC_REAP_WOULD_REMOVE: i32 = 2;
/// `rsipc_reap_entry.outcome`: Left alone (not stale, or no longer stale when looked at again right before removal): see the object's state and cause.
pub const RSIPC_REAP_KEPT: i32 = 3;
/// `rsipc_reap_entry.outcome`: The removal failed: `error` holds the errno, `cause_text` the reason.
pub const RSIPC_REAP_FAILED: i32 = 4;

/// One IPC object, as rsipc_objects_list() found it. Fields a kind does not
/// have are 0; `fields` says which optional ones are set
/// (`RSIPC_OBJECT_HAS_*`). Times are seconds since the epoch. 624 bytes.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct rsipc_object {
    /// `RSIPC_OBJECT_SYSV_SHM` ... `RSIPC_OBJECT_CHAN`.
    pub kind: i32,
    /// `RSIPC_OBJECT_IN_USE`, `RSIPC_OBJECT_STALE` or `RSIPC_OBJECT_UNKNOWN`.
    pub state: i32,
    /// `RSIPC_OBJECT_CAUSE_*`: why it has that state.
    pub cause: i32,
    /// `RSIPC_OBJECT_HAS_*` bits.
    pub fields: u32,
    /// POSIX objects and channels: `"/name"`, NUL-terminated; System V: `""`.
    pub name: [c_char; 264],
    /// System V key (0 is `IPC_PRIVATE`) and id.
    pub key: i32,
    pub id: i32,
    /// Owner, group, permission bits.
    pub uid: u32,
    pub gid: u32,
    pub mode: u32,
    /// System V segment: creator pid.
    pub cpid: i32,
    /// Segment: last shmat/shmdt pid; queue: last sender.
    pub lpid: i32,
    /// Queue: last receiver.
    pub lrpid: i32,
    /// Bytes: a segment's or file's size, a queue's bytes queued.
    pub size: u64,
    /// System V queue: messages queued; semaphore set: semaphores.
    pub count: u64,
    /// Segment: processes attached.
    pub nattch: u64,
    /// Segment: last attach; queue: last send; semaphore set: last
    /// operation; POSIX: last access.
    pub atime: i64,
    /// Segment: last detach; queue: last receive; POSIX: last modification.
    pub mtime: i64,
    /// Last change (permissions, inode).
    pub ctime: i64,
    /// POSIX objects and channels: the file's device and inode (its
    /// identity for rsipc_objects_remove).
    pub dev: u64,
    pub ino: u64,
    /// How many live processes were found using it; the first 16 (sorted)
    /// are in `users`.
    pub nusers: u32,
    pub users: [i32; 16],
    /// Channel: processes attached now (holding member liveness locks).
    pub chan_members: u32,
    /// Channel: capacity, largest message, messages queued, sent, received
    /// and lost to dead peers, from its header.
    pub chan_capacity: u64,
    pub chan_max_msg: u64,
    pub chan_queued: u64,
    pub chan_sent: u64,
    pub chan_received: u64,
    pub chan_lost: u64,
    /// The cause in words (in a reap's failed entry: why the removal
    /// failed), NUL-terminated.
    pub cause_text: [c_char; 128],
}

const _: () = assert!(
    Kind::SysvShm as i32 == RSIPC_OBJECT_SYSV_SHM
        && Kind::SysvMsg as i32 == RSIPC_OBJECT_SYSV_MSG
        && Kind::SysvSem as i32 == RSIPC_OBJECT_SYSV_SEM
        && Kind::PosixShm as i32 == RSIPC_OBJECT_POSIX_SHM
        && Kind::PosixSem as i32 == RSIPC_OBJECT_POSIX_SEM
        && Kind::PosixMq as i32 == RSIPC_OBJECT_POSIX_MQ
        && Kind::Chan as i32 == RSIPC_OBJECT_CHAN
);

// The array lengths are written as literals above (cbindgen leaves out
// constants); these hold them to the names the code uses.
const _: () = assert!(std::mem::size_of::<rsipc_object>() == 624);
const _: () = assert!(std::mem::size_of::<[c_char; NAME_LEN]>() == 264 && TEXT_LEN == 128 && USERS_LEN == 16);

/// Which objects rsipc_objects_list() and rsipc_objects_reap() consider; a
/// NULL filter selects all.
#[repr(C)]
pub struct rsipc_objects_filter {
    /// Mask of `1 << RSIPC_OBJECT_*` kinds; 0 selects every kind.
    pub kinds: u32,
    /// Non-zero: only stale objects.
    pub only_stale: c_int,
    /// Only objects of this owner uid; -1 for any.
    pub owner: i64,
    /// Only objects whose last activity (the latest of their times; a POSIX
    /// object's access time left out) is at least this many seconds ago;
    /// 0 for any age.
    pub older_than: i64,
    /// NULL, or a pattern with `*` and `?` matched against the name (with
    /// or without its leading `/`), the key as `0x%08x` and the id in
    /// decimal.
    pub pattern: *const c_char,
}

/// One object considered by rsipc_objects_reap(), and what became of it.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct rsipc_reap_entry {
    pub object: rsipc_object,
    /// `RSIPC_REAP_REMOVED`, `_WOULD_REMOVE`, `_KEPT` or `_FAILED`.
    pub outcome: i32,
    /// `RSIPC_REAP_FAILED`: the errno of the failure; else 0.
    pub error: i32,
}

/// Counts of a reap (rsipc_objects_reap()).
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct rsipc_reap_counts {
    /// Removed (in a dry run: would be removed).
    pub removed: u64,
    /// Left alone.
    pub kept: u64,
    /// Removal failed.
    pub failed: u64,
}

fn copy_text(dst: &mut [c_char], text: &str) {
    let n = text.len().min(dst.len() - 1);
    for (d, s) in dst.iter_mut().zip(text.as_bytes()[..n].iter()) {
        *d = *s as c_char;
    }
    dst[n] = 0;
}

impl From<&Object> for rsipc_object {
    fn from(o: &Object) -> Self {
        let mut r = rsipc_object {
            kind: o.kind.code(),
            state: o.state.code(),
            cause: o.state.cause().code(),
            fields: 0,
            name: [0; NAME_LEN],
            key: 0,
            id: 0,
            uid: o.uid,
            gid: o.gid,
            mode: o.mode,
            cpid: 0,
            lpid: 0,
            lrpid: 0,
            size: 0,
            count: 0,
            nattch: 0,
            atime: 0,
            mtime: 0,
            ctime: 0,
            dev: 0,
            ino: 0,
            nusers: o.users.len() as u32,
            users: [0; USERS_LEN],
            chan_members: 0,
            chan_capacity: 0,
            chan_max_msg: 0,
            chan_queued: 0,
            chan_sent: 0,
            chan_received: 0,
            chan_lost: 0,
            cause_text: [0; TEXT_LEN],
        };
        macro_rules! opt {
            ($field:ident, $bit:ident) => {
                if let Some(v) = o.$field {
                    r.$field = v;
                    r.fields |= $bit;
                }
            };
        }
        opt!(key, RSIPC_OBJECT_HAS_KEY);
        opt!(id, RSIPC_OBJECT_HAS_ID);
        opt!(size, RSIPC_OBJECT_HAS_SIZE);
        opt!(count, RSIPC_OBJECT_HAS_COUNT);
        opt!(cpid, RSIPC_OBJECT_HAS_CPID);
        opt!(lpid, RSIPC_OBJECT_HAS_LPID);
        opt!(lrpid, RSIPC_OBJECT_HAS_LRPID);
        opt!(nattch, RSIPC_OBJECT_HAS_NATTCH);
        opt!(atime, RSIPC_OBJECT_HAS_ATIME);
        opt!(mtime, RSIPC_OBJECT_HAS_MTIME);
        opt!(ctime, RSIPC_OBJECT_HAS_CTIME);
        if let (Some(dev), Some(ino)) = (o.dev, o.ino) {
            r.dev = dev;
            r.ino = ino;
            r.fields |= RSIPC_OBJECT_HAS_FILE;
        }
        if let Some(c) = o.chan {
            r.chan_members = c.members;
            r.chan_capacity = c.capacity;
            r.chan_max_msg = c.max_msg;
            r.chan_queued = c.queued;
            r.chan_sent = c.sent;
            r.chan_received = c.received;
            r.chan_lost = c.lost;
            r.fields |= RSIPC_OBJECT_HAS_CHAN;
        }
        for (d, s) in r.users.iter_mut().zip(&o.users) {
            *d = *s;
        }
        copy_text(&mut r.name, o.name.as_deref().unwrap_or(""));
        copy_text(&mut r.cause_text, o.state.cause().text());
        r
    }
}

/// The identity fields of a record, as an [`Object`] for [`super::remove`].
fn object_of(r: &rsipc_object) -> Result<Object> {
    let kind = Kind::from_code(r.kind).ok_or(err!(libc::EINVAL, "kind {} is not an RSIPC_OBJECT_* kind", r.kind))?;
    let has = |bit: u32| r.fields & bit != 0;
    let name_bytes: Vec<u8> = r.name.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
    if name_bytes.len() == NAME_LEN {
        return Err(Error::new(libc::EINVAL, "the record's name is not NUL-terminated"));
    }
    let name = String::from_utf8(name_bytes).map_err(|_| Error::new(libc::EINVAL, "the record's name is not UTF-8"))?;
    let (key, id, dev, ino) = if kind.is_sysv() {
        if !has(RSIPC_OBJECT_HAS_ID) || !has(RSIPC_OBJECT_HAS_KEY) {
            return Err(Error::new(libc::EINVAL, "a System V record needs its key and id (RSIPC_OBJECT_HAS_KEY|_ID)"));
        }
        (Some(r.key), Some(r.id), None, None)
    } else {
        if !has(RSIPC_OBJECT_HAS_FILE) || name.is_empty() {
            return Err(Error::new(libc::EINVAL, "a POSIX record needs its name, dev and ino (RSIPC_OBJECT_HAS_FILE)"));
        }
        (None, None, Some(r.dev), Some(r.ino))
    };
    Ok(Object {
        kind,
        name: (!name.is_empty()).then_some(name),
        key,
        id,
        uid: r.uid,
        gid: r.gid,
        mode: r.mode,
        size: None,
        count: None,
        cpid: None,
        lpid: None,
        lrpid: None,
        nattch: None,
        atime: None,
        mtime: None,
        ctime: None,
        dev,
        ino,
        users: Vec::new(),
        state: State::Unknown(Cause::NotReadable),
        chan: None::<ChanInfo>,
    })
}

/// The filter behind `p` (NULL: everything).
///
/// # Safety
/// `p` is NULL or valid for reads, its `pattern` NULL or a NUL-terminated
/// string.
unsafe fn filter_of(p: *const rsipc_objects_filter) -> Result<Filter> {
    if p.is_null() {
        return Ok(Filter::default());
    }
    // SAFETY: non-NULL; valid by the caller's contract.
    let f = unsafe { in_ref(p, "filter") }?;
    let known = Kind::ALL.iter().fold(0, |m, k| m | k.bit());
    if f.kinds & !known != 0 {
        return Err(err!(libc::EINVAL, "kinds {} has bits of no RSIPC_OBJECT_* kind", f.kinds));
    }
    if f.owner < -1 || f.owner > i64::from(u32::MAX) {
        return Err(err!(libc::EINVAL, "owner {} is neither -1 nor a uid", f.owner));
    }
    if f.older_than < 0 {
        return Err(err!(libc::EINVAL, "older_than {} is negative", f.older_than));
    }
    let pattern = if f.pattern.is_null() {
        None
    } else {
        // SAFETY: non-NULL and NUL-terminated by the caller's contract.
        let s = unsafe { std::ffi::CStr::from_ptr(f.pattern) };
        Some(s.to_str().map_err(|_| Error::new(libc::EINVAL, "the pattern is not UTF-8"))?.to_owned())
    };
    Ok(Filter {
        kinds: f.kinds,
        pattern,
        owner: (f.owner >= 0).then_some(f.owner as u32),
        older_than: (f.older_than > 0).then_some(f.older_than as u64),
        only_stale: f.only_stale != 0,
    })
}

/// `cap` writable records at `p` (`cap == 0` accepts NULL).
///
/// # Safety
/// When `cap > 0`, `p` is NULL or valid for writes of `cap` records.
unsafe fn out_records<'a, T>(p: *mut T, cap: usize, what: &'static str) -> Result<&'a mut [T]> {
    if cap == 0 {
        return Ok(&mut []);
    }
    if p.is_null() {
        return Err(err!(
            libc::EFAULT,
            "`{}` is NULL but its capacity is {}",
            crate::error::Lossy(what.as_bytes()),
            cap
        ));
    }
    // SAFETY: non-NULL; valid for cap records by the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts_mut(p, cap) })
}

/// Lists the IPC objects of the machine (of this process's IPC and mount
/// namespaces) that `filter` selects and this process may see: System V
/// segments, queues and semaphore sets (from `/proc/sysvipc`), POSIX shared
/// memory objects and named semaphores (`/dev/shm`), POSIX message queues
/// (the mqueue file system, where one is mounted) and rsipc channels
/// (recognised by their header). Root sees every object; other users see
/// their own and those whose mode lets them read. Each record says who
/// uses the object and whether it is in use, stale (left behind: no live
/// process uses it) or unknown, and why (`cause`, `cause_text`); the rules
/// per kind are in docs/objects.md.
///
/// Writes the first `cap` records to `out` and returns how many objects
/// there are, which may be more than `cap`: call with `cap == 0` (and `out`
/// NULL) to size the array, then again (objects come and go, so allow for
/// growth and compare the result with `cap`). System V objects come first
/// (by kind, then id), then POSIX objects and channels (by kind, then name).
///
/// `notes` (NULL with `notes_cap == 0` if not wanted) receives, as
/// NUL-terminated lines separated by `\n` and cut to `notes_cap` bytes,
/// what could not be looked at and what the caller can do: e.g. that no
/// mqueue file system is mounted (queues are then not listed; mount one
/// with `mount -t mqueue none /dev/mqueue`), or that other users' processes
/// could not be inspected (their objects are then judged unknown, never
/// stale). One unreadable entry never fails the listing.
///
/// Thread cancellation is disabled for the duration of the call. Returns
/// the number of objects, or -1 with errno.
///
/// # Errors
/// `EFAULT` if `out` is NULL with `cap > 0`, or `notes` NULL with
/// `notes_cap > 0`; `EINVAL` for a filter with unknown kind bits, an owner
/// below -1, a negative `older_than`, or a pattern that is not UTF-8.
///
/// # Safety
/// `filter` is NULL or valid for reads (its `pattern` NULL or a
/// NUL-terminated string); `out` is valid for writes of `cap` records;
/// `notes` for writes of `notes_cap` bytes.
#[no_mangle]
pub unsafe extern "C" fn rsipc_objects_list(
    filter: *const rsipc_objects_filter,
    out: *mut rsipc_object,
    cap: size_t,
    notes: *mut c_char,
    notes_cap: size_t,
) -> ssize_t {
    guard(-1, call!("rsipc_objects_list", filter = Ptr(filter), out = Ptr(out), cap = cap), || {
        let _no_cancel = NoCancel::hold();
        // SAFETY: forwarded from this function's contract.
        let filter = unsafe { filter_of(filter) }?;
        // SAFETY: forwarded from this function's contract.
        let out = unsafe { out_records(out, cap, "out") }?;
        // SAFETY: forwarded from this function's contract.
        let notes_out = unsafe { out_records(notes, notes_cap, "notes") }?;
        let listing = super::list(&filter)?;
        for (slot, obj) in out.iter_mut().zip(&listing.objects) {
            *slot = rsipc_object::from(obj);
        }
        if !notes_out.is_empty() {
            copy_text(notes_out, &listing.notes.join("\n"));
        }
        Ok(listing.objects.len() as ssize_t)
    })
}

/// Removes the object `obj` describes (a record from
/// rsipc_objects_list(); only its kind, name, key, id, dev and ino are
/// used), unless a live process uses it. Its identity is checked again
/// right before the removal, so an object removed and re-created under the
/// same name or key since it was listed is never removed: a System V
/// object by its id (unique for its life) and key; a `/dev/shm` object
/// (shared memory, named semaphore, channel) by moving its name to a
/// private one first (atomic), comparing the device and inode of what was
/// moved, looking for users again while no one can newly open it, then
/// unlinking it or moving it back. A message queue (its file system cannot
/// rename) is compared by inode and then unlinked: a re-creation in the
/// microseconds between would be removed. A segment a process attaches
/// between the last check and `IPC_RMID` is destroyed when it detaches.
///
/// Thread cancellation is disabled for the duration of the call. Returns
/// 0, or -1 with errno.
///
/// # Errors
/// `EFAULT` if `obj` is NULL; `EINVAL` for an unknown kind or a record
/// without its identity fields (`RSIPC_OBJECT_HAS_KEY|_ID` for System V,
/// `RSIPC_OBJECT_HAS_FILE` and a name for the others); `EBUSY` if a live
/// process uses it (rsipc_last_error() says how); `ENOENT` if it is gone;
/// `ESTALE` if its name or key now belongs to another object; `EPERM` or
/// `EACCES` for an object the caller may not remove.
///
/// # Safety
/// `obj` is NULL or valid for reads of a record.
#[no_mangle]
pub unsafe extern "C" fn rsipc_objects_remove(obj: *const rsipc_object) -> c_int {
    guard(-1, call!("rsipc_objects_remove", obj = Ptr(obj)), || {
        let _no_cancel = NoCancel::hold();
        // SAFETY: forwarded from this function's contract.
        let record = unsafe { in_ref(obj, "obj") }?;
        super::remove(&object_of(record)?).map(|()| 0)
    })
}

/// Removes every stale object `filter` selects (NULL: every stale object
/// this process may see); with `dry_run` non-zero, removes nothing and
/// reports which it would remove. Each stale object is judged again right
/// before its removal (as rsipc_objects_remove() does, with the same
/// identity checks) and kept if it is no longer stale; in-use and unknown
/// objects are never removed.
///
/// Every object the filter selects gets an entry (its record as listed and
/// its outcome); the first `cap` are written to `out` (NULL with
/// `cap == 0` if not wanted), and `counts` (NULL if not wanted) receives
/// the totals. The reap acts on every selected object whatever `cap` is.
/// Returns the number of entries, or -1 with errno (then nothing was
/// removed).
///
/// Thread cancellation is disabled for the duration of the call.
///
/// # Errors
/// `EFAULT` if `out` is NULL with `cap > 0`; `EINVAL` as for
/// rsipc_objects_list(). Failures to remove single objects are not errors
/// of the call: their entries say `RSIPC_REAP_FAILED` with the errno.
///
/// # Safety
/// `filter` as for rsipc_objects_list(); `out` is valid for writes of `cap`
/// entries; `counts` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn rsipc_objects_reap(
    filter: *const rsipc_objects_filter,
    dry_run: c_int,
    out: *mut rsipc_reap_entry,
    cap: size_t,
    counts: *mut rsipc_reap_counts,
) -> ssize_t {
    guard(-1, call!("rsipc_objects_reap", filter = Ptr(filter), dry_run = dry_run, out = Ptr(out), cap = cap), || {
        let _no_cancel = NoCancel::hold();
        // SAFETY: forwarded from this function's contract.
        let filter = unsafe { filter_of(filter) }?;
        // SAFETY: forwarded from this function's contract.
        let out = unsafe { out_records(out, cap, "out") }?;
        let report = super::reap(&filter, dry_run != 0)?;
        for (slot, entry) in out.iter_mut().zip(&report.entries) {
            let mut object = rsipc_object::from(&entry.object);
            let (outcome, error): (i32, i32) = match entry.outcome {
                Outcome::Removed => (RSIPC_REAP_REMOVED, 0),
                Outcome::WouldRemove => (RSIPC_REAP_WOULD_REMOVE, 0),
                Outcome::Kept(state) => {
                    object.state = state.code();
                    object.cause = state.cause().code();
                    copy_text(&mut object.cause_text, state.cause().text());
                    (RSIPC_REAP_KEPT, 0)
                }
                Outcome::Failed(e) => {
                    copy_text(&mut object.cause_text, &e.message());
                    (RSIPC_REAP_FAILED, e.errno())
                }
            };
            *slot = rsipc_reap_entry { object, outcome, error };
        }
        if !counts.is_null() {
            let c = rsipc_reap_counts {
                removed: report.removed() as u64,
                kept: report.kept() as u64,
                failed: report.failed() as u64,
            };
            // SAFETY: non-NULL; valid for writes by the caller's contract.
            unsafe { counts.write(c) };
        }
        Ok(report.entries.len() as ssize_t)
    })
}
