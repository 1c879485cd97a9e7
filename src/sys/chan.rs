//! Raw calls for the native message channel: opening `/dev/shm/NAME` the
//! way `shm_open(3)` does, shared mappings, and process liveness.
//!
//! The POSIX shared memory module is a separate mechanism; the channel opens
//! its object itself (same directory, same name rules) so the two stay
//! independent.

use std::ffi::CStr;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};

use super::cvt;
use crate::error::{Error, Result};

/// The directory glibc's `shm_open` uses.
const SHM_DIR: &[u8] = b"/dev/shm/";

/// Longest name after the slash (`NAME_MAX`).
pub(crate) const NAME_MAX: usize = 255;

/// `/dev/shm/` + at most `NAME_MAX` bytes + NUL, built on the stack.
#[derive(Debug)]
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

/// Opens `path` read-write, close-on-exec, never following a symlink; with
/// `create = Some(mode)` it must not exist yet (`O_CREAT|O_EXCL`).
pub fn open_shm(path: &ShmPath, create: Option<libc::mode_t>) -> Result<RawFd> {
    let base = libc::O_RDWR | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    let (flags, mode) = match create {
        Some(mode) => (base | libc::O_CREAT | libc::O_EXCL, mode),
        None => (base, 0),
    };
    // SAFETY: the path is NUL-terminated; open with a mode argument reads it
    // only with O_CREAT, as the variadic contract says.
    super::cvt_retry(|| unsafe { libc::open(path.as_cstr().as_ptr(), flags, mode as libc::c_uint) })
}

/// `unlink(2)` of `path`.
pub fn unlink(path: &ShmPath) -> Result<()> {
    // SAFETY: the path is NUL-terminated.
    cvt(unsafe { libc::unlink(path.as_cstr().as_ptr()) }).map(drop)
}

/// `ftruncate(2)`.
pub fn ftruncate(fd: RawFd, len: u64) -> Result<()> {
    let len = libc::off_t::try_from(len).map_err(|_| Error::new(libc::EFBIG, "size does not fit in off_t"))?;
    // SAFETY: plain system call on a descriptor.
    super::cvt_retry(|| unsafe { libc::ftruncate(fd, len) }).map(drop)
}

/// Maps `len` bytes read-write and shared: of `fd` from offset 0, or
/// anonymous memory (shared with children after `fork()`) for `None`.
pub fn map_shared(fd: Option<RawFd>, len: usize) -> Result<*mut u8> {
    let (flags, fd) = match fd {
        Some(fd) => (libc::MAP_SHARED, fd),
        None => (libc::MAP_SHARED | libc::MAP_ANONYMOUS, -1),
    };
    // SAFETY: a new mapping chosen by the kernel; it aliases no Rust object.
    let p = unsafe { libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ | libc::PROT_WRITE, flags, fd, 0) };
    if p == libc::MAP_FAILED {
        return Err(Error::last_os());
    }
    Ok(p.cast())
}

/// Unmaps a mapping made by [`map_shared`].
///
/// # Safety
/// `addr`/`len` are exactly one mapping from [`map_shared`], and nothing
/// refers to it afterwards.
pub unsafe fn unmap(addr: *mut u8, len: usize) -> Result<()> {
    // SAFETY: the caller's contract.
    cvt(unsafe { libc::munmap(addr.cast(), len) }).map(drop)
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
                unsafe { libc::munmap(page.cast(), page_size()) };
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
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return NO_CACHE;
    }
    // SAFETY: advice on our own fresh mapping.
    if unsafe { libc::madvise(p, len, libc::MADV_WIPEONFORK) } != 0 {
        // SAFETY: our own mapping, unused.
        unsafe { libc::munmap(p, len) };
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

/// Whether process `pid` still runs. A zombie (killed but not yet reaped by
/// its parent) counts as dead: it can no longer touch shared memory.
/// Processes that exist but cannot be signalled (`EPERM`) count as alive.
pub fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks for existence and permission.
    if unsafe { libc::kill(pid, 0) } == -1 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH) {
        return false;
    }
    !matches!(process_state(pid), Some(b'Z') | Some(b'X') | None)
}

/// The state letter of `/proc/PID/stat` (`R`, `S`, `D`, `Z`, ...), or
/// `None` when the process is gone. Allocation-free.
fn process_state(pid: libc::pid_t) -> Option<u8> {
    let mut path = [0u8; 32];
    let mut w = &mut path[..];
    use std::io::Write;
    write!(w, "/proc/{pid}/stat\0").ok()?;
    // SAFETY: `path` holds a NUL-terminated string.
    let fd = unsafe { libc::open(path.as_ptr().cast(), libc::O_RDONLY | libc::O_CLOEXEC) };
    if fd < 0 {
        // No /proc entry: gone. (Without /proc at all, trust kill().)
        return if std::io::Error::last_os_error().raw_os_error() == Some(libc::ENOENT) && proc_mounted() {
            None
        } else {
            Some(b'?')
        };
    }
    let mut buf = [0u8; 512];
    let n = super::read(fd, &mut buf);
    let _ = super::close(fd);
    let text = &buf[..n.ok()?];
    // "pid (comm) S ...": comm may contain ')' so take the last one.
    let close = text.iter().rposition(|&b| b == b')')?;
    text.get(close + 2).copied()
}

fn proc_mounted() -> bool {
    // SAFETY: NUL-terminated literal path.
    unsafe { libc::access(c"/proc/self/stat".as_ptr(), libc::F_OK) == 0 }
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
    fn this_process_is_alive_and_a_reaped_child_is_not() {
        assert!(process_alive(current_pid()));
        // SAFETY: getpid has no preconditions.
        assert_eq!(current_pid(), unsafe { libc::getpid() } as u32);
        // SAFETY: the child only calls _exit.
        let child = unsafe { libc::fork() };
        if child == 0 {
            // SAFETY: _exit is always safe.
            unsafe { libc::_exit(0) }
        }
        // A zombie is dead already.
        let mut status = 0;
        let start = std::time::Instant::now();
        while process_state(child) != Some(b'Z') {
            assert!(start.elapsed().as_secs() < 60, "the child never became a zombie");
            std::thread::yield_now();
        }
        assert!(!process_alive(child as u32));
        // SAFETY: valid out-pointer; `child` is our child.
        assert_eq!(unsafe { libc::waitpid(child, &mut status, 0) }, child);
        assert!(!process_alive(child as u32));
        assert!(!process_alive(0));
    }
}
