//! Raw calls for the native message channel: opening `/dev/shm/NAME` the
//! way `shm_open(3)` does, shared mappings, and process liveness.
//!
//! The POSIX shared memory module is a separate mechanism; the channel opens
//! its object itself (same directory, same name rules) so the two stay
//! independent.

use std::ffi::CStr;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};

use crate::error::{Error, Result};

/// The directory glibc's `shm_open` uses.
const SHM_DIR: &[u8] = b"/dev/shm/";

/// Longest name after the slash (`NAME_MAX`).
pub(crate) const NAME_MAX: usize = 255;

/// `/dev/shm/` + at most `NAME_MAX` bytes + NUL, built on the stack.
#[derive(Debug, Clone)]
pub struct ShmPath {
    buf: [u8; SHM_DIR.len() + NAME_MAX + 1],
}

impl ShmPath {
    /// The path as a C string.
    pub fn as_cstr(&self) -> &CStr {
        // The buffer always holds exactly one NUL, written by `shm_path`.
        CStr::from_bytes_until_nul(&self.buf).unwrap_or_default()
    }
}

/// Checks `name` with `shm_open`'s rules and builds `/dev/shm/NAME`: one
/// leading `/`, no other `/`, not empty, not `.` or `..` (`EINVAL`), at most
/// `NAME_MAX` bytes after the slash (`ENAMETOOLONG`).
pub fn shm_path(name: &CStr) -> Result<ShmPath> {
    let bytes = name.to_bytes();
    let Some(rest) = bytes.strip_prefix(b"/") else {
        return Err(Error::new(libc::EINVAL, "the name must start with '/' (\"/name\")"));
    };
    if rest.is_empty() {
        return Err(Error::new(libc::EINVAL, "the name is empty after its leading '/'"));
    }
    if rest.contains(&b'/') {
        return Err(Error::new(libc::EINVAL, "the name may contain no '/' after the leading one"));
    }
    if rest == b"." || rest == b".." {
        return Err(Error::new(libc::EINVAL, "\".\" and \"..\" are not object names"));
    }
    if rest.len() > NAME_MAX {
        return Err(Error::new(
            libc::ENAMETOOLONG,
            reason!("the name has {} bytes after the '/', more than NAME_MAX ({})", rest.len(), NAME_MAX),
        ));
    }
    let mut path = ShmPath { buf: [0; SHM_DIR.len() + NAME_MAX + 1] };
    path.buf[..SHM_DIR.len()].copy_from_slice(SHM_DIR);
    path.buf[SHM_DIR.len()..SHM_DIR.len() + rest.len()].copy_from_slice(rest);
    Ok(path)
}

/// Raw `syscall(2)`, `EINTR` retried. The channel makes its system calls
/// this way because glibc's wrappers of `open`, `close`, `fcntl` ... are
/// cancellation points, and no channel call but a blocked send or receive
/// may act on a cancel (see `crate::sys::cancel`).
fn raw(nr: libc::c_long, args: [libc::c_long; 4]) -> Result<libc::c_long> {
    // SAFETY: every caller passes the arguments its system call `nr` expects
    // (pointers valid for the call).
    super::cvt_retry(|| unsafe { libc::syscall(nr, args[0], args[1], args[2], args[3]) })
}

/// cbindgen:ignore
mod c {
    use libc::c_int;

    // "C-unwind": switching to asynchronous cancellation acts on a pending
    // cancel (a forced unwind out of the call).
    extern "C-unwind" {
        pub fn pthread_setcanceltype(kind: c_int, old: *mut c_int) -> c_int;
    }
}

/// glibc's `PTHREAD_CANCEL_DEFERRED` (the libc crate does not bind the
/// cancellation API for Linux).
const PTHREAD_CANCEL_DEFERRED: libc::c_int = 0;

/// The calling thread's cancellation type set to deferred while this value
/// lives; the old type comes back when it is dropped (which, if the old
/// type was asynchronous and a cancel is pending, acts on it at once).
pub struct DeferredCancel {
    old: libc::c_int,
}

impl DeferredCancel {
    /// # Safety
    /// No `catch_unwind` frame may be on the calling thread's stack when
    /// the value is dropped (restoring asynchronous cancellation may unwind).
    pub unsafe fn enter() -> DeferredCancel {
        let mut old = PTHREAD_CANCEL_DEFERRED;
        // SAFETY: valid arguments; switching to deferred never acts on a
        // cancel.
        unsafe { c::pthread_setcanceltype(PTHREAD_CANCEL_DEFERRED, &mut old) };
        DeferredCancel { old }
    }
}

impl Drop for DeferredCancel {
    fn drop(&mut self) {
        if self.old != PTHREAD_CANCEL_DEFERRED {
            let mut old = 0;
            // SAFETY: the calling thread's errno slot (kept for the caller:
            // the call's result is already set).
            let errno = unsafe { *libc::__errno_location() };
            // SAFETY: restores the type read by `enter`; may unwind, which
            // `enter`'s contract allows. (During a cancellation's own unwind
            // glibc has marked the thread exiting and does not act again.)
            unsafe { c::pthread_setcanceltype(self.old, &mut old) };
            // SAFETY: as above.
            unsafe { *libc::__errno_location() = errno };
        }
    }
}

/// Sleeps about `ms` milliseconds, as a raw system call: glibc's
/// `nanosleep` (and so `std::thread::sleep`) is a cancellation point, and
/// the channel calls that sleep briefly (an open waiting for a creator to
/// finish) are not.
pub fn sleep_ms(ms: u64) {
    let ts = libc::timespec { tv_sec: (ms / 1000) as libc::time_t, tv_nsec: ((ms % 1000) * 1_000_000) as libc::c_long };
    // SAFETY: a valid timespec; no remainder wanted. EINTR just ends the
    // sleep early, which callers tolerate (they look again).
    unsafe {
        libc::syscall(libc::SYS_clock_nanosleep, libc::CLOCK_MONOTONIC, 0, &ts, std::ptr::null_mut::<libc::timespec>())
    };
}

/// Opens `path` read-write, close-on-exec, never following a symlink; with
/// `create = Some(mode)` it must not exist yet (`O_CREAT|O_EXCL`).
pub fn open_shm(path: &ShmPath, create: Option<libc::mode_t>) -> Result<RawFd> {
    let base = libc::O_RDWR | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    let (flags, mode) = match create {
        Some(mode) => (base | libc::O_CREAT | libc::O_EXCL, mode),
        None => (base, 0),
    };
    let path = path.as_cstr().as_ptr() as libc::c_long;
    raw(libc::SYS_openat, [libc::AT_FDCWD as _, path, flags as _, mode as _]).map(|fd| fd as RawFd)
}

/// `unlink(2)` of `path`.
pub fn unlink(path: &ShmPath) -> Result<()> {
    raw(libc::SYS_unlinkat, [libc::AT_FDCWD as _, path.as_cstr().as_ptr() as _, 0, 0]).map(drop)
}

/// `close(2)` as a raw system call (glibc's `close` is a cancellation
/// point). The descriptor is gone whatever the result.
pub fn close(fd: RawFd) {
    // SAFETY: closing a descriptor this module opened.
    unsafe { libc::syscall(libc::SYS_close, fd) };
}

/// A new anonymous memory file (`memfd_create(2)`, close-on-exec): the
/// backing of an anonymous channel. A file rather than anonymous memory so
/// that processes can hold liveness locks on it (see [`lock_member`]).
pub fn memfd() -> Result<RawFd> {
    raw(libc::SYS_memfd_create, [c"rsipc-chan".as_ptr() as _, libc::MFD_CLOEXEC as _, 0, 0]).map(|fd| fd as RawFd)
}

/// A new open file description of the file `fd` refers to (descriptor
/// close-on-exec), reached through `/proc/thread-self/fd/N` (or, before
/// Linux 3.17, `/proc/self/fd/N`), which works for unlinked files and
/// memfds too: a process forked from another shares its parent's open file
/// descriptions, and liveness locks belong to the description, so each
/// process needs one of its own. `thread-self` first because in a process
/// whose main thread has exited, `/proc/self/fd` (the main thread's view)
/// is empty.
pub fn reopen(fd: RawFd) -> Result<RawFd> {
    let flags = libc::O_RDWR | libc::O_CLOEXEC;
    let mut first = None;
    for dir in ["/proc/thread-self/fd", "/proc/self/fd"] {
        let mut path = [0u8; 48];
        let mut w = &mut path[..];
        use std::io::Write;
        write!(w, "{dir}/{fd}\0").map_err(|_| Error::from_errno(libc::EINVAL))?;
        match raw(libc::SYS_openat, [libc::AT_FDCWD as _, path.as_ptr() as _, flags as _, 0]) {
            Ok(fd) => return Ok(fd as RawFd),
            Err(e) => {
                first.get_or_insert(e);
            }
        }
    }
    Err(first.unwrap_or_else(|| Error::from_errno(libc::ENOENT)))
}

/// Makes descriptor `to` refer to what `from` refers to (close-on-exec) and
/// closes `from`: `dup3(2)` then `close(2)`.
pub fn move_fd(from: RawFd, to: RawFd) -> Result<()> {
    let r = raw(libc::SYS_dup3, [from as _, to as _, libc::O_CLOEXEC as _, 0]);
    close(from);
    r.map(drop)
}

/// `fstat(2)` as a raw system call.
pub fn fstat(fd: RawFd) -> Result<libc::stat> {
    // SAFETY: an all-zero stat is a valid value of this plain C struct.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    raw(libc::SYS_fstat, [fd as _, &mut st as *mut libc::stat as _, 0, 0])?;
    Ok(st)
}

/// Where the liveness lock of member `id` lies in the channel's file: one
/// byte each, far beyond any channel's size (a lock needs no data there).
fn lock_offset(id: u32) -> libc::off_t {
    (1 << 40) + libc::off_t::from(id)
}

fn flock_at(kind: i32, id: u32) -> libc::flock {
    // SAFETY: an all-zero flock is a valid value of this plain C struct
    // (l_pid must be 0 for the OFD commands).
    let mut fl: libc::flock = unsafe { std::mem::zeroed() };
    fl.l_type = kind as libc::c_short;
    fl.l_whence = libc::SEEK_SET as libc::c_short;
    fl.l_start = lock_offset(id);
    fl.l_len = 1;
    fl
}

/// Takes the liveness lock of member `id` on the open file description of
/// `fd` (`F_OFD_SETLK`, a write lock on the member's byte, never waiting):
/// `Ok(false)` if another description holds it. The kernel releases it
/// when the last descriptor of this description closes, that is when the
/// process ends, however it ends; it belongs to no pid, so it means the
/// same in every pid namespace and cannot be inherited by a reused pid.
pub fn lock_member(fd: RawFd, id: u32) -> Result<bool> {
    let mut fl = flock_at(libc::F_WRLCK, id);
    match raw(libc::SYS_fcntl, [fd as _, libc::F_OFD_SETLK as _, &mut fl as *mut libc::flock as _, 0]) {
        Ok(_) => Ok(true),
        Err(e) if e.errno() == libc::EAGAIN || e.errno() == libc::EACCES => Ok(false),
        Err(e) => Err(e),
    }
}

/// Whether some open file description other than `fd`'s holds the
/// liveness lock of member `id` (`F_OFD_GETLK`), i.e. whether the process
/// that registered as `id` still runs.
pub fn member_locked(fd: RawFd, id: u32) -> Result<bool> {
    let mut fl = flock_at(libc::F_WRLCK, id);
    raw(libc::SYS_fcntl, [fd as _, libc::F_OFD_GETLK as _, &mut fl as *mut libc::flock as _, 0])?;
    Ok(fl.l_type != libc::F_UNLCK as libc::c_short)
}

/// Maps `len` bytes of `fd` from offset 0, read-write and shared.
pub fn map_shared(fd: RawFd, len: usize) -> Result<*mut u8> {
    // SAFETY: a new mapping chosen by the kernel (no MAP_FIXED); it aliases
    // no Rust object.
    let p = unsafe {
        super::mman::mmap_raw(std::ptr::null_mut(), len, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_SHARED, fd, 0)
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
    unsafe { super::mman::munmap(addr.cast(), len) }
}

// ---------------------------------------------------------------------------
// The caller's process id, cached (glibc's getpid is a system call).
//
// The cache lives in a private page marked MADV_WIPEONFORK: the kernel hands
// every child made by fork() (or any clone without CLONE_VM) a zeroed copy,
// so a child never sees its parent's pid, whichever thread forked and
// whatever the other threads were doing. (pthread_atfork plus a lock would
// not do: a fork while another thread holds the lock leaves the child's copy
// locked forever.) Without MADV_WIPEONFORK (Linux < 4.14) every call asks
// the kernel.

/// Null until the page exists; `NO_CACHE` if it cannot be made.
static PID_PAGE: AtomicPtr<AtomicU32> = AtomicPtr::new(std::ptr::null_mut());
const NO_CACHE: *mut AtomicU32 = std::ptr::dangling_mut::<AtomicU32>();

/// This process's id, without a system call once cached.
#[inline]
pub fn current_pid() -> u32 {
    let page = PID_PAGE.load(Ordering::Acquire);
    if !page.is_null() && page != NO_CACHE {
        // SAFETY: a page mapped once and never unmapped; see current_pid_slow.
        let pid = unsafe { &*page }.load(Ordering::Relaxed);
        if pid != 0 {
            return pid;
        }
    }
    current_pid_slow(page)
}

#[cold]
fn current_pid_slow(mut page: *mut AtomicU32) -> u32 {
    // SAFETY: getpid has no preconditions.
    let pid = unsafe { libc::getpid() } as u32;
    if page.is_null() {
        page = wipe_on_fork_page();
        if let Err(other) = PID_PAGE.compare_exchange(std::ptr::null_mut(), page, Ordering::AcqRel, Ordering::Acquire) {
            if page != NO_CACHE {
                // SAFETY: our own page, never published.
                let _ = unsafe { super::mman::munmap(page.cast(), page_size()) };
            }
            page = other;
        }
    }
    if page != NO_CACHE {
        // SAFETY: as in current_pid.
        unsafe { &*page }.store(pid, Ordering::Relaxed);
    }
    pid
}

/// A zeroed private page the kernel wipes in forked children, or `NO_CACHE`.
fn wipe_on_fork_page() -> *mut AtomicU32 {
    let len = page_size();
    // SAFETY: a new private anonymous mapping; it aliases nothing.
    let p = unsafe {
        super::mman::mmap_raw(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    let Ok(p) = p else { return NO_CACHE };
    // SAFETY: advice on our own fresh mapping.
    if unsafe { libc::madvise(p, len, libc::MADV_WIPEONFORK) } != 0 {
        // SAFETY: our own mapping, unused.
        let _ = unsafe { super::mman::munmap(p, len) };
        return NO_CACHE;
    }
    p.cast()
}

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    match unsafe { libc::sysconf(libc::_SC_PAGESIZE) } {
        n if n > 0 => n as usize,
        _ => 4096,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shm_paths_follow_the_shm_open_rules() {
        let cs = |s: &str| std::ffi::CString::new(s).unwrap();
        assert_eq!(shm_path(&cs("/abc")).unwrap().as_cstr().to_bytes(), b"/dev/shm/abc");
        for bad in ["", "/", "abc", "/a/b", "//a", "/.", "/.."] {
            assert_eq!(shm_path(&cs(bad)).unwrap_err().errno(), libc::EINVAL, "{bad:?}");
        }
        let long = std::ffi::CString::new(format!("/{}", "x".repeat(NAME_MAX))).unwrap();
        assert_eq!(shm_path(&long).unwrap().as_cstr().to_bytes().len(), SHM_DIR.len() + NAME_MAX);
        let too_long = std::ffi::CString::new(format!("/{}", "x".repeat(NAME_MAX + 1))).unwrap();
        assert_eq!(shm_path(&too_long).unwrap_err().errno(), libc::ENAMETOOLONG);
    }

    #[test]
    fn a_forked_child_sees_its_own_pid() {
        let parent = current_pid();
        // SAFETY: the child only compares pids and calls _exit.
        let child = unsafe { libc::fork() };
        if child == 0 {
            // SAFETY: getpid and _exit are always safe.
            let ok = current_pid() == unsafe { libc::getpid() } as u32 && current_pid() != parent;
            unsafe { libc::_exit(if ok { 0 } else { 1 }) }
        }
        let mut status = 0;
        // SAFETY: valid out-pointer; `child` is our child.
        assert_eq!(unsafe { libc::waitpid(child, &mut status, 0) }, child);
        assert_eq!(status, 0);
        assert_eq!(current_pid(), parent);
    }

    #[test]
    fn a_member_lock_is_seen_by_other_descriptions_until_its_holder_dies() {
        let a = memfd().unwrap();
        let b = reopen(a).unwrap();
        assert!(lock_member(a, 7).unwrap());
        // The holder's own description does not see its lock as foreign.
        assert!(!member_locked(a, 7).unwrap());
        assert!(member_locked(b, 7).unwrap());
        assert!(!lock_member(b, 7).unwrap());
        assert!(!member_locked(b, 8).unwrap());
        // A forked child with a description of its own holds a lock that
        // goes away with the child, zombie or not.
        let ready = {
            let mut p = [0; 2];
            // SAFETY: valid out-array of two ints.
            assert_eq!(unsafe { libc::pipe(p.as_mut_ptr()) }, 0);
            p
        };
        // SAFETY: the child only makes raw system calls and _exit.
        let child = unsafe { libc::fork() };
        if child == 0 {
            let own = reopen(a).unwrap_or(-1);
            let ok = own >= 0 && lock_member(own, 9).unwrap_or(false);
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
        for fd in [a, b, ready[0], ready[1]] {
            close(fd);
        }
    }
}
