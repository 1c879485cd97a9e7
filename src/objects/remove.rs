//! Removing objects without ever removing one that a live process uses or
//! one re-created under the same name since it was listed.
//!
//! * System V: the id names one object for its whole life (the kernel's
//!   sequence number is part of it), so removing by id cannot hit a
//!   re-created object. Right before `IPC_RMID` the object is read again
//!   (`IPC_STAT`: same key, and for a segment `nattch == 0`) and judged
//!   again. Remaining window: a process attaching between that check and
//!   `IPC_RMID` keeps its mapping (the kernel destroys the segment when it
//!   detaches).
//! * `/dev/shm` files (shared memory, named semaphores, channels): the name
//!   is first moved to a private name in the same directory
//!   (`renameat2(RENAME_NOREPLACE)`, atomic), the moved file's device and
//!   inode are compared with the listed ones, and only then, with the name
//!   gone so that no process can newly open it, are its users looked for
//!   again (channel member locks, `/proc`). It is unlinked if unused and
//!   the same object, else moved back. A re-created object is thus never
//!   removed; what remains is that a process opening the name in the
//!   instants it is moved away gets `ENOENT` (with `O_CREAT`, a new object).
//! * Message queues: the mqueue file system cannot rename, so the queue's
//!   inode is compared and `mq_unlink` follows: a queue removed and
//!   re-created in between (microseconds) would be removed.

#![deny(unsafe_code)]

use std::ffi::CString;
use std::fs::{self, File, OpenOptions};
use std::os::fd::AsFd;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use super::posix::{self, Raw, SHM_DIR};
use super::procs::{self, Scan};
use super::{sysv, Filter, Kind, Object, State};
use crate::error::{Error, Lossy, Result};
use crate::sys;

/// What became of one object.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    /// Removed.
    Removed,
    /// Stale; a dry run left it.
    WouldRemove,
    /// Left alone: its state when it was judged (in use, unknown, or no
    /// longer stale when looked at again right before removal).
    Kept(State),
    /// Its removal failed (`ENOENT`: gone meanwhile; `ESTALE`: the name now
    /// belongs to another object; `EPERM`/`EACCES`: not the caller's).
    Failed(Error),
}

/// One object a reap considered.
#[derive(Clone, Debug, PartialEq)]
pub struct ReapEntry {
    pub object: Object,
    pub outcome: Outcome,
}

/// What [`reap`] did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReapReport {
    /// Every object the filter selected, with its outcome.
    pub entries: Vec<ReapEntry>,
    /// The listing's notes.
    pub notes: Vec<String>,
}

impl ReapReport {
    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.entries.iter().filter(|e| f(&e.outcome)).count()
    }
    /// Objects removed (or, in a dry run, that would be).
    pub fn removed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Removed | Outcome::WouldRemove))
    }
    /// Objects left alone.
    pub fn kept(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Kept(_)))
    }
    /// Objects whose removal failed.
    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Failed(_)))
    }
}

/// Removes `obj` (as [`list`](super::list) gave it), unless a live process
/// uses it.
///
/// Errors: `EBUSY` if it is in use now; `ENOENT` if it is gone; `ESTALE`
/// if its name or key now belongs to another object (re-created since it
/// was listed); `EPERM`/`EACCES` for another user's object; `EINVAL` for
/// an object without a name or id.
pub fn remove(obj: &Object) -> Result<()> {
    match remove_all(std::slice::from_ref(obj), false).pop() {
        Some(Outcome::Removed) => Ok(()),
        Some(Outcome::Kept(state)) => {
            Err(Error::new(libc::EBUSY, reason!("the object is in use: {}", Lossy(state.cause().text().as_bytes()))))
        }
        Some(Outcome::Failed(e)) => Err(e),
        _ => Err(Error::new(libc::ENOTRECOVERABLE, "the removal reported nothing")),
    }
}

/// Removes every stale object `filter` selects (or with `dry_run`, says
/// which it would remove); each is judged again right before its removal
/// and kept if no longer stale. The report lists every selected object
/// with its outcome.
pub fn reap(filter: &Filter, dry_run: bool) -> Result<ReapReport> {
    let listing = super::list(filter)?;
    let stale: Vec<Object> = listing.objects.iter().filter(|o| o.state.is_stale()).cloned().collect();
    let mut outcomes = if dry_run { Vec::new() } else { remove_all(&stale, true) }.into_iter();
    let entries = listing
        .objects
        .into_iter()
        .map(|object| {
            let outcome = match object.state {
                State::Stale(_) if dry_run => Outcome::WouldRemove,
                State::Stale(_) => outcomes.next().unwrap_or(Outcome::Kept(object.state)),
                other => Outcome::Kept(other),
            };
            ReapEntry { object, outcome }
        })
        .collect();
    Ok(ReapReport { entries, notes: listing.notes })
}

/// A `/dev/shm` object moved to a private name, waiting for the verdict.
struct Parked {
    index: usize,
    dir: File,
    name: CString,
    tmp: CString,
}

/// Whether an object judged `state` may go: a reap takes only stale ones,
/// an explicit removal anything no live process is seen using.
fn may_go(state: State, stale_only: bool) -> bool {
    match state {
        State::Stale(_) => true,
        State::Unknown(_) => !stale_only,
        State::InUse(_) => false,
    }
}

fn gone() -> Error {
    Error::new(libc::ENOENT, "the object no longer exists")
}

fn replaced() -> Error {
    Error::new(libc::ESTALE, "the name now belongs to another object (re-created since it was listed); left alone")
}

fn io_error(e: std::io::Error) -> Error {
    Error::from_errno(e.raw_os_error().unwrap_or(libc::EIO))
}

/// The file name of a `/dev/shm` object.
fn shm_file_name(obj: &Object) -> Option<String> {
    let name = obj.name.as_deref()?.strip_prefix('/')?;
    if name.is_empty() || name.contains('/') {
        return None;
    }
    Some(if obj.kind == Kind::PosixSem { format!("sem.{name}") } else { name.to_owned() })
}

/// Removes `objs`, each only if [`may_go`] after a last look.
fn remove_all(objs: &[Object], stale_only: bool) -> Vec<Outcome> {
    let _no_cancel = sys::objects::NoCancel::hold();
    let mut out: Vec<Option<Outcome>> = vec![None; objs.len()];
    let mut parked = Vec::new();
    let mut queues = Vec::new();
    let first = procs::scan();
    for (i, obj) in objs.iter().enumerate() {
        match obj.kind {
            Kind::SysvShm | Kind::SysvMsg | Kind::SysvSem => out[i] = Some(remove_sysv(obj, stale_only, &first)),
            Kind::PosixShm | Kind::PosixSem | Kind::Chan => match park(i, obj) {
                Ok(p) => parked.push(p),
                Err(e) => out[i] = Some(Outcome::Failed(e)),
            },
            Kind::PosixMq => queues.push(i),
        }
    }
    // With the names moved away nobody can newly open them: who uses them
    // now is final.
    let scan = if parked.is_empty() && queues.is_empty() { first } else { procs::scan() };
    for p in parked {
        let i = p.index;
        out[i] = Some(settle(p, &objs[i], stale_only, &scan));
    }
    for i in queues {
        out[i] = Some(remove_queue(&objs[i], stale_only, &scan));
    }
    out.into_iter().map(|o| o.unwrap_or(Outcome::Failed(gone()))).collect()
}

fn remove_sysv(obj: &Object, stale_only: bool, scan: &Scan) -> Outcome {
    let Some(id) = obj.id else { return Outcome::Failed(Error::new(libc::EINVAL, "the object has no id")) };
    let Some(now) = sysv::fresh(obj.kind, id, scan) else { return Outcome::Failed(gone()) };
    if now.key != obj.key {
        return Outcome::Failed(replaced());
    }
    if !may_go(now.state, stale_only) {
        return Outcome::Kept(now.state);
    }
    let key = obj.key.unwrap_or(0);
    // The kernel's view, right before the removal.
    let removed = match obj.kind {
        Kind::SysvShm => crate::sysv_shm::stat(id).and_then(|ds| {
            if ds.shm_perm.__key != key {
                return Err(replaced());
            }
            if ds.shm_nattch > 0 {
                return Ok(false);
            }
            crate::sysv_shm::remove(id).map(|()| true)
        }),
        Kind::SysvMsg => crate::sysv_msg::stat(id).and_then(|ds| {
            if ds.msg_perm.__key != key {
                return Err(replaced());
            }
            crate::sysv_msg::remove(id).map(|()| true)
        }),
        _ => crate::sysv_sem::ipc_stat(id).and_then(|ds| {
            if ds.sem_perm.__key != key {
                return Err(replaced());
            }
            crate::sysv_sem::ipc_rmid(id).map(|()| true)
        }),
    };
    match removed {
        Ok(true) => Outcome::Removed,
        Ok(false) => Outcome::Kept(State::InUse(super::Cause::Attached)),
        Err(e) if e.errno() == libc::EINVAL || e.errno() == libc::EIDRM => Outcome::Failed(gone()),
        Err(e) => Outcome::Failed(e),
    }
}

/// A name no one else uses: this process's pid and a counter.
fn private_name() -> CString {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    CString::new(format!(".rsipc-removing-{}-{}", std::process::id(), n)).expect("no NUL in the name")
}

fn park(index: usize, obj: &Object) -> Result<Parked> {
    let file_name = shm_file_name(obj).ok_or(Error::new(libc::EINVAL, "the object has no valid name"))?;
    let dir = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
        .open(SHM_DIR)
        .map_err(io_error)?;
    let name = CString::new(file_name).map_err(|_| Error::new(libc::EINVAL, "the name holds a NUL byte"))?;
    // Refuse at once what is clearly another object, before touching it.
    let m = fs::symlink_metadata(Path::new(SHM_DIR).join(name.to_str().unwrap_or(""))).map_err(io_error)?;
    if Some(m.dev()) != obj.dev || Some(m.ino()) != obj.ino {
        return Err(replaced());
    }
    let tmp = private_name();
    sys::objects::rename_noreplace(dir.as_fd(), &name, &tmp)
        .map_err(|e| e.explain(libc::ENOENT, "the object no longer exists"))?;
    let parked = Parked { index, dir, name, tmp };
    // What was moved is exactly what is checked now.
    match fs::symlink_metadata(parked.tmp_path()) {
        Ok(m) if m.file_type().is_file() && Some(m.dev()) == obj.dev && Some(m.ino()) == obj.ino => Ok(parked),
        _ => Err(unpark(&parked).err().unwrap_or_else(replaced)),
    }
}

impl Parked {
    fn tmp_path(&self) -> PathBuf {
        Path::new(SHM_DIR).join(self.tmp.to_str().unwrap_or(""))
    }
}

/// Moves a parked object back under its name. If that name was taken
/// meanwhile the object stays under its private name, and the error says
/// so.
fn unpark(p: &Parked) -> Result<()> {
    sys::objects::rename_noreplace(p.dir.as_fd(), &p.tmp, &p.name).map_err(|e| {
        e.because(reason!(
            "the object could not be moved back (its name was re-created meanwhile); it is now {}/{}",
            Lossy(SHM_DIR.as_bytes()),
            Lossy(p.tmp.as_bytes())
        ))
    })
}

fn settle(p: Parked, obj: &Object, stale_only: bool, scan: &Scan) -> Outcome {
    let tmp_name = p.tmp.to_str().unwrap_or("").to_owned();
    let Some(mut raw) = posix::shm_entry(Path::new(SHM_DIR), &tmp_name) else {
        return match unpark(&p) {
            Ok(()) => Outcome::Failed(gone()),
            Err(e) => Outcome::Failed(e),
        };
    };
    // Judged as the kind it was listed as (a channel is still one).
    if raw.object.kind != obj.kind && obj.kind == Kind::PosixSem {
        raw.object.kind = Kind::PosixSem;
    }
    posix::judge(&mut raw, scan);
    let state = raw.object.state;
    if raw.object.dev != obj.dev || raw.object.ino != obj.ino || !may_go(state, stale_only) {
        return match unpark(&p) {
            Ok(()) if !may_go(state, stale_only) => Outcome::Kept(state),
            Ok(()) => Outcome::Failed(replaced()),
            Err(e) => Outcome::Failed(e),
        };
    }
    match sys::objects::unlink_at(p.dir.as_fd(), &p.tmp) {
        Ok(()) => Outcome::Removed,
        Err(e) => {
            let _ = unpark(&p);
            Outcome::Failed(e)
        }
    }
}

fn remove_queue(obj: &Object, stale_only: bool, scan: &Scan) -> Outcome {
    let Some(name) = obj.name.as_deref() else {
        return Outcome::Failed(Error::new(libc::EINVAL, "the object has no name"));
    };
    let Some(dir) = posix::mqueue_mount() else {
        return Outcome::Failed(Error::new(libc::ENOENT, "no mqueue file system is mounted"));
    };
    let Some(mut raw): Option<Raw> = posix::mq_entry(&dir, name.trim_start_matches('/')) else {
        return Outcome::Failed(gone());
    };
    if raw.object.dev != obj.dev || raw.object.ino != obj.ino {
        return Outcome::Failed(replaced());
    }
    posix::judge(&mut raw, scan);
    if !may_go(raw.object.state, stale_only) {
        return Outcome::Kept(raw.object.state);
    }
    let Ok(cname) = CString::new(name) else { return Outcome::Failed(Error::new(libc::EINVAL, "NUL in the name")) };
    match crate::posix_mq::unlink(&cname) {
        Ok(()) => Outcome::Removed,
        Err(e) => Outcome::Failed(e),
    }
}
