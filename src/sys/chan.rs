//! Raw calls for the native message channel: its shared memory object
//! (a POSIX shared memory object, opened the way `shm_open(3)` opens one),
//! its mappings, and the members' liveness locks.
//!
//! Every call here is a system call or one of glibc's functions that is no
//! cancellation point: no channel call but a blocked send or receive may
//! act on a cancel (see [`super::cancel`]).

use std::ffi::CStr;
use std::os::fd::{AsRawFd, RawFd};

use super::{fs, mman, Fd};
use crate::error::{Error, Result};

pub use super::cancel::DeferredCancel;
pub use super::fd::{close, fstat};
pub use super::process::current_pid;
pub use super::shm::ShmPath;
pub use super::time::sleep_ms;

/// Checks a channel name (`/name`: [`ShmPath::with_one_slash`]) and builds
/// its `/dev/shm` path.
pub fn shm_path(name: &CStr) -> Result<ShmPath> {
    ShmPath::with_one_slash(name)
}

/// Opens `path` read-write, close-on-exec, never following a symlink; with
/// `create = Some(mode)` it must not exist yet (`O_CREAT|O_EXCL`). `EINTR`
/// is retried.
pub fn open_shm(path: &ShmPath, create: Option<libc::mode_t>) -> Result<Fd> {
    let base = libc::O_RDWR | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    let (flags, mode) = match create {
        Some(mode) => (base | libc::O_CREAT | libc::O_EXCL, mode),
        None => (base, 0),
    };
    loop {
        match fs::openat(libc::AT_FDCWD, path.as_c_str(), flags, mode) {
            Err(e) if e.errno() == libc::EINTR => continue,
            other => return other,
        }
    }
}

/// `unlink(2)` of `path`.
pub fn unlink(path: &ShmPath) -> Result<()> {
    fs::unlinkat(libc::AT_FDCWD, path.as_c_str())
}

/// A new anonymous memory file (close-on-exec): the backing of an anonymous
/// channel. A file rather than anonymous memory so that processes can hold
/// liveness locks on it (see [`lock_member`]).
pub fn memfd() -> Result<Fd> {
    fs::memfd(c"rsipc-chan")
}

/// A new open file description of the file `fd` refers to (descriptor
/// close-on-exec), reached through `/proc/thread-self/fd/N` (or, before
/// Linux 3.17, `/proc/self/fd/N`), which works for unlinked files and
/// memfds too: a process forked from another shares its parent's open file
/// descriptions, and liveness locks belong to the description, so each
/// process needs one of its own. `thread-self` first because in a process
/// whose main thread has exited, `/proc/self/fd` (the main thread's view)
/// is empty.
pub fn reopen(fd: RawFd) -> Result<Fd> {
    let flags = libc::O_RDWR | libc::O_CLOEXEC;
    let mut first = None;
    for dir in ["/proc/thread-self/fd", "/proc/self/fd"] {
        let mut buf = [0u8; 48];
        let path = fs::fd_path(dir, fd, &mut buf)?;
        match fs::openat(libc::AT_FDCWD, path, flags, 0) {
            Ok(fd) => return Ok(fd),
            Err(e) => {
                first.get_or_insert(e);
            }
        }
    }
    Err(first.unwrap_or_else(|| Error::from_errno(libc::ENOENT)))
}

/// Makes descriptor `to` refer to what `from` refers to (close-on-exec) and
/// closes `from`.
pub fn move_fd(from: Fd, to: RawFd) -> Result<()> {
    super::fd::move_fd(from, to)
}

/// Where the liveness lock of member `id` lies in the channel's file: one
/// byte each, far beyond any channel's size (a lock needs no data there).
fn lock_offset(id: u32) -> libc::off_t {
    (1 << 40) + libc::off_t::from(id)
}

/// Takes the liveness lock of member `id` on the open file description of
/// `fd` (`F_OFD_SETLK`, a write lock on the member's byte, never waiting):
/// `Ok(false)` if another description holds it. The kernel releases it
/// when the last descriptor of this description closes, that is when the
/// process ends, however it ends; it belongs to no pid, so it means the
/// same in every pid namespace and cannot be inherited by a reused pid.
pub fn lock_member(fd: RawFd, id: u32) -> Result<bool> {
    super::fd::ofd_try_lock(fd, lock_offset(id))
}

/// Whether some open file description other than `fd`'s holds the
/// liveness lock of member `id` (`F_OFD_GETLK`), i.e. whether the process
/// that registered as `id` still runs.
pub fn member_locked(fd: RawFd, id: u32) -> Result<bool> {
    super::fd::ofd_locked_by_other(fd, lock_offset(id))
}

/// Maps `len` bytes of `fd` from offset 0, read-write and shared.
pub fn map_shared(fd: &Fd, len: usize) -> Result<*mut u8> {
    // SAFETY: a new mapping chosen by the kernel (no MAP_FIXED); it aliases
    // no Rust object.
    let p = unsafe {
        mman::mmap_raw(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED,
            fd.as_raw_fd(),
            0,
        )
    }?;
    Ok(p.cast())
}

/// Unmaps a mapping made by [`map_shared`].
///
/// # Safety
/// `addr`/`len` are exactly one mapping from [`map_shared`], and nothing
/// refers to it afterwards.
pub unsafe fn unmap(addr: *mut u8, len: usize) -> Result<()> {
    // SAFETY: the caller's contract.
    unsafe { mman::munmap(addr.cast(), len) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_lock_is_seen_by_other_descriptions_until_its_holder_dies() {
        let a_fd = memfd().unwrap();
        let b_fd = reopen(a_fd.as_raw_fd()).unwrap();
        let (a, b) = (a_fd.as_raw_fd(), b_fd.as_raw_fd());
        assert!(lock_member(a, 7).unwrap());
        // The holder's own description does not see its lock as foreign.
        assert!(!member_locked(a, 7).unwrap());
        assert!(member_locked(b, 7).unwrap());
        assert!(!lock_member(b, 7).unwrap());
        assert!(!member_locked(b, 8).unwrap());
        // A forked child with a description of its own holds a lock that
        // goes away with the child, zombie or not.
        let pipe = super::super::pipe::pipe2(libc::O_CLOEXEC).unwrap();
        let ready = [pipe[0].as_raw_fd(), pipe[1].as_raw_fd()];
        // SAFETY: the child only makes raw system calls and _exit.
        let child = unsafe { libc::fork() };
        if child == 0 {
            let own = reopen(a);
            let ok = own.as_ref().is_ok_and(|own| lock_member(own.as_raw_fd(), 9).unwrap_or(false));
            // Held until the child exits.
            std::mem::forget(own);
            // SAFETY: plain write of one byte from a local, then _exit.
            unsafe {
                libc::write(ready[1], [u8::from(ok)].as_ptr().cast(), 1);
                libc::_exit(0)
            }
        }
        let mut byte = [0u8];
        // SAFETY: valid buffer of one byte.
        assert_eq!(unsafe { libc::read(ready[0], byte.as_mut_ptr().cast(), 1) }, 1);
        assert_eq!(byte[0], 1, "the child could not take its lock");
        let mut status = 0;
        // SAFETY: valid out-pointer; `child` is our child.
        assert_eq!(unsafe { libc::waitpid(child, &mut status, 0) }, child);
        assert!(!member_locked(b, 9).unwrap());
    }
}
