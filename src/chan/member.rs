//! Which processes are attached to a channel, as the kernel vouches for it.
//!
//! Every process that uses a channel registers as a *member*: it takes a
//! member id (1 ..= [`ID_MAX`]) from the header's counter and holds an OFD
//! lock (`F_OFD_SETLK`) on that id's byte of the channel's file, through an
//! open file description of its own. The id is what slot words record as
//! the holder of a slot. Another process asks whether the holder lives with
//! `F_OFD_GETLK` on the same byte: the kernel drops the lock when the last
//! reference to the description goes (its descriptors, and any mapping made
//! through it), which happens when the process ends, however it ends
//! (killed, crashed, `exit`, the last thread of a process whose main thread
//! called `pthread_exit`). A process that has merely lost its main thread
//! keeps the lock. Nothing here depends on pids, so it holds across pid
//! namespaces, with `/proc` mounted `hidepid=2` or not at all, and a pid
//! reused by a new process inherits nothing.
//!
//! A child made by `fork()` shares its parent's open file descriptions,
//! and with them the parent's lock. So the child lets go of them at once:
//! a `pthread_atfork` child handler (module `forks`) reopens the file of
//! every lock descriptor through `/proc/self/fd/N` and puts the new
//! description, which holds no lock, under the same number (`dup3`). The
//! child's first use of a handle registers it under a new id (reopening
//! again, or, without `/proc`, by the channel's name if it still names the
//! same file). Without `/proc`, or in a child made without the fork
//! handlers (a raw `clone`), the inherited descriptor keeps the parent's
//! lock alive until the child uses the channel, execs or ends: a parent
//! that dies meanwhile is judged alive until then.
//!
//! The lock is not taken through the description the channel was mapped
//! through: a mapping holds a reference to the description it was made
//! with, and every child forked later inherits the mapping, so a lock on
//! that description would outlive its process for as long as any such
//! child lives (re-registering replaces the child's descriptor, not its
//! mapping), and a process killed holding a slot would be judged alive
//! and block the channel. Registering therefore first puts a fresh
//! description under the descriptor, as a forked child does. Only where
//! that cannot be done (no `/proc`, and no name that still leads to the
//! file) does the process lock the mapped description; children it forks
//! then keep its lock alive while they live.
//!
//! Ids come from a counter, so an id comes back only after [`ID_MAX`]
//! (about four million) registrations, and only if its lock is free then.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};
use crate::sys;
use crate::sys::chan::ShmPath;

/// Largest member id: ids fill the 22 holder bits of a slot word, and 0
/// means "no holder".
pub(crate) const ID_MAX: u32 = (1 << 22) - 1;
/// How many ids a registration tries before giving up (`EAGAIN`).
const ID_TRIES: u32 = 1 << 16;
/// `owner`'s id half while a thread of the process registers it.
const BUSY: u32 = u32::MAX;

/// This process's membership of one channel (one per handle).
pub(crate) struct Members {
    /// The channel's file, through an open file description of this
    /// process (after a fork: once [`Members::me`] has run in the child,
    /// which puts a description of its own under the same number). Closed
    /// when the value is dropped, which releases this process's lock (if
    /// no other descriptor of the description remains, e.g. in a child
    /// that never used it).
    fd: sys::Fd,
    /// `pid << 32 | id` of the process that registered through `fd`.
    owner: AtomicU64,
    /// The channel's name, to reopen it where `/proc` is missing.
    path: Option<ShmPath>,
}

impl Members {
    /// Registers this process, through `fd` (a descriptor it opened itself
    /// and mapped the channel through, which the value owns from now on,
    /// also on failure), with the channel whose id counter is `counter`.
    /// The lock goes on a description of its own when one can be opened
    /// (see the module documentation: the mapping keeps `fd`'s description
    /// alive in children forked later).
    pub(crate) fn register(fd: sys::Fd, path: Option<ShmPath>, counter: &AtomicU64) -> Result<Members> {
        let members = Members { fd, owner: AtomicU64::new(0), path };
        // Failing that, the mapped description serves (the caveat above).
        let _ = members.own_description();
        // Listed before the lock is taken, so no fork can copy the lock
        // into a child without the child letting go of it (and dropping
        // `members` on failure takes it off the list again).
        forks::list(members.fd().as_raw_fd());
        let id = take_id(members.fd(), counter)?;
        members.owner.store(u64::from(sys::chan::current_pid()) << 32 | u64::from(id), Ordering::Release);
        Ok(members)
    }

    /// The descriptor of the channel's file.
    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// This process's member id, registering the process first if the
    /// handle came from its parent through `fork()`.
    #[inline]
    pub(crate) fn me(&self, counter: &AtomicU64) -> Result<u32> {
        let pid = sys::chan::current_pid();
        let owner = self.owner.load(Ordering::Acquire);
        if (owner >> 32) as u32 == pid && owner as u32 != BUSY {
            return Ok(owner as u32);
        }
        self.reregister(pid, counter)
    }

    #[cold]
    #[inline(never)]
    fn reregister(&self, pid: u32, counter: &AtomicU64) -> Result<u32> {
        let mut spins = 0u32;
        loop {
            let owner = self.owner.load(Ordering::Acquire);
            if (owner >> 32) as u32 == pid {
                if owner as u32 != BUSY {
                    return Ok(owner as u32);
                }
                // Another thread of this process is registering it.
                spins += 1;
                if spins % 64 == 0 {
                    sys::process::yield_now();
                }
                std::hint::spin_loop();
                continue;
            }
            let busy = u64::from(pid) << 32 | u64::from(BUSY);
            if self.owner.compare_exchange(owner, busy, Ordering::AcqRel, Ordering::Acquire).is_err() {
                continue;
            }
            let registered = self.own_description().and_then(|()| take_id(self.fd(), counter));
            match registered {
                Ok(id) => {
                    self.owner.store(u64::from(pid) << 32 | u64::from(id), Ordering::Release);
                    return Ok(id);
                }
                Err(e) => {
                    // Let a later call try again.
                    self.owner.store(owner, Ordering::Release);
                    return Err(e);
                }
            }
        }
    }

    /// Replaces the inherited description behind `fd` by one of this
    /// process's own, under the same descriptor number.
    fn own_description(&self) -> Result<()> {
        let fd = self.fd();
        let fresh = match sys::chan::reopen(fd.as_raw_fd()) {
            Ok(fresh) => fresh,
            Err(e) => self.reopen_by_name(fd).map_err(|_| {
                e.because(
                    "this process (forked from the one that opened the channel) needs a descriptor of its own \
                     for its liveness lock, and /proc/self/fd could not reopen the channel's file",
                )
            })?,
        };
        sys::chan::move_fd(fresh, fd.as_raw_fd())
    }

    /// Opens the channel's name again, if it still names the file `fd`
    /// refers to.
    fn reopen_by_name(&self, fd: BorrowedFd<'_>) -> Result<sys::Fd> {
        let path = self.path.as_ref().ok_or_else(|| Error::from_errno(libc::ENOENT))?;
        let fresh = sys::chan::open_shm(path, None)?;
        let (a, b) = (sys::chan::fstat(fd.as_raw_fd()), sys::chan::fstat(fresh.as_raw_fd()));
        match (a, b) {
            (Ok(a), Ok(b)) if a.st_dev == b.st_dev && a.st_ino == b.st_ino => Ok(fresh),
            // `fresh` is closed as it is dropped.
            _ => Err(Error::from_errno(libc::ENOENT)),
        }
    }

    /// Whether member `id` still runs (`me` is the caller's own id). An id
    /// of 0 or beyond [`ID_MAX`] belongs to nobody. When the kernel cannot
    /// answer, the member counts as alive: a slot is never taken from a
    /// process that may still use it.
    pub(crate) fn alive(&self, id: u32, me: u32) -> bool {
        if id == me {
            return true;
        }
        if id == 0 || id > ID_MAX {
            return false;
        }
        sys::chan::member_locked(self.fd().as_raw_fd(), id).unwrap_or(true)
    }
}

impl Drop for Members {
    fn drop(&mut self) {
        // Off the list before the descriptor closes (a fork in between
        // would find a number that no longer is, or is someone else's).
        forks::unlist(self.fd().as_raw_fd());
    }
}

/// Letting go of the liveness locks in a forked child.
///
/// A child made by `fork()` inherits every descriptor, and with them the
/// open file descriptions that hold its parent's liveness locks: while the
/// child lives, the parent would count as alive even after it was killed
/// holding a slot, and that slot would block the channel until the child
/// ended, also a child that never uses the channel (a worker, a helper
/// that has not exec'd yet). So the process keeps a list of its lock
/// descriptors, and a `pthread_atfork` child handler puts a description
/// of the child's own (reopened through `/proc/self/fd`, no lock on it)
/// under each of them: the parent's locks then live exactly as long as the
/// parent. A child that uses a handle registers under an id of its own at
/// its first call, as before. Without `/proc` the child keeps the
/// inherited description (the caveat in the module documentation).
/// Children made without the handlers (a raw `clone`, `vfork`) are not
/// covered until they use the channel or exec (the descriptors are
/// close-on-exec).
mod forks {
    use std::os::fd::RawFd;
    use std::sync::{Mutex, Once, PoisonError};

    use crate::sys;
    use crate::sys::process::ForkGate;

    /// The lock descriptors of this process's handles. Taken only while
    /// [`GATE`] is closed.
    static LOCK_FDS: Mutex<Vec<RawFd>> = Mutex::new(Vec::new());

    /// Closed while the list changes, and by the forking thread from the
    /// prepare handler until the parent and child handlers.
    static GATE: ForkGate = ForkGate::new();

    /// Runs `f` on the list, with the gate closed.
    fn with_list(f: impl FnOnce(&mut Vec<RawFd>)) {
        static FORK_HANDLERS: Once = Once::new();
        // Registration fails only for lack of memory; children then keep
        // their parent's locks until they use the channel or exec.
        FORK_HANDLERS.call_once(|| {
            let _ = sys::process::atfork(close_gate_before_fork, open_gate_in_parent, let_go_in_child);
        });
        let _held = GATE.hold();
        f(&mut LOCK_FDS.lock().unwrap_or_else(PoisonError::into_inner));
    }

    pub(super) fn list(fd: RawFd) {
        with_list(|fds| fds.push(fd));
    }

    pub(super) fn unlist(fd: RawFd) {
        with_list(|fds| fds.retain(|&listed| listed != fd));
    }

    /// Before `fork`: hold the gate, so the list is whole (and no other
    /// thread is changing it or closing a listed descriptor) at the instant
    /// the child is created.
    extern "C" fn close_gate_before_fork() {
        GATE.close();
    }

    extern "C" fn open_gate_in_parent() {
        GATE.open();
    }

    /// In the child (one thread; only system calls here): a description of
    /// its own under each lock descriptor, then the gate opens. The list's
    /// mutex is free: it is only taken while the gate is closed.
    extern "C" fn let_go_in_child() {
        if let Ok(fds) = LOCK_FDS.try_lock() {
            for &fd in fds.iter() {
                if let Ok(fresh) = sys::chan::reopen(fd) {
                    let _ = sys::chan::move_fd(fresh, fd);
                }
            }
        }
        GATE.open();
    }
}

/// Takes a free member id for the description of `fd`: the next ids from
/// the counter, skipping any whose lock a live member holds.
fn take_id(fd: BorrowedFd<'_>, counter: &AtomicU64) -> Result<u32> {
    for _ in 0..ID_TRIES {
        let n = counter.fetch_add(1, Ordering::Relaxed);
        let id = (n % u64::from(ID_MAX)) as u32 + 1;
        if sys::chan::lock_member(fd.as_raw_fd(), id)
            .map_err(|e| e.because("could not take the liveness lock (F_OFD_SETLK) on the channel's file"))?
        {
            return Ok(id);
        }
    }
    Err(Error::new(
        libc::EAGAIN,
        reason!("the next {} member ids of the channel are all held by live processes", ID_TRIES),
    ))
}
