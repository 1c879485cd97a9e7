//! Path and file calls: `openat(2)`, `mknodat(2)` (FIFOs), `ftruncate(2)`,
//! `fallocate(2)`, `stat(2)`, `link(2)`, `unlink(2)`, `memfd_create(2)`,
//! and [`NAME_MAX`].
//!
//! nix where it wraps the call and glibc's function is no cancellation
//! point and not a name `librsipc_preload.so` exports; the system call
//! itself (each says why) where glibc's function is a cancellation point
//! (`open`, `pwrite`, `posix_fallocate`) or a preloaded name (`mkfifoat`).

use std::ffi::CStr;
use std::os::fd::{AsRawFd, RawFd};

use libc::c_long;
use nix::fcntl::AtFlags;

use super::{cancel, cvt, Cancel, Fd};
use crate::error::{Error, Result};

/// The longest file name (one path component), in bytes: `NAME_MAX`.
pub const NAME_MAX: usize = libc::NAME_MAX as usize;

/// `openat(2)`: the new descriptor, owned (closed when dropped). `EINTR` is
/// returned, not retried, as `open(2)` does. Never a cancellation point
/// (the system call, not glibc's `openat`, which is one).
pub fn openat(dirfd: RawFd, path: &CStr, flags: i32, mode: libc::mode_t) -> Result<Fd> {
    // SAFETY: Cancel::Never cannot unwind.
    unsafe { openat_as(Cancel::Never, dirfd, path, flags, mode) }
}

/// [`openat`], a cancellation point with [`Cancel::Point`] (as glibc's
/// `open`/`openat`).
///
/// # Safety
/// With [`Cancel::Point`], as for [`cancel::syscall`].
pub unsafe fn openat_as(how: Cancel, dirfd: RawFd, path: &CStr, flags: i32, mode: libc::mode_t) -> Result<Fd> {
    let args = [dirfd as c_long, path.as_ptr() as c_long, flags as c_long, mode as c_long, 0, 0];
    // SAFETY: `path` is NUL-terminated; `mode` is read only with O_CREAT or
    // O_TMPFILE; the rest is the caller's contract.
    let fd = cvt(unsafe { cancel::syscall_as(how, libc::SYS_openat, args) })?;
    // SAFETY: `fd` was just returned by openat and belongs to nothing else.
    Ok(unsafe { Fd::from_raw(fd as RawFd) })
}

/// The first bytes of the file at `path` (a `/proc` or `/sys` value), up to
/// `buf.len()`: how many were read. System calls only, so it is never a
/// cancellation point (unlike `std::fs`, which calls glibc's `open`).
pub fn read_start(path: &CStr, buf: &mut [u8]) -> Result<usize> {
    let fd = openat(libc::AT_FDCWD, path, libc::O_RDONLY | libc::O_CLOEXEC, 0)?;
    let mut done = 0;
    while done < buf.len() {
        match super::read(fd.as_raw_fd(), &mut buf[done..]) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.errno() == libc::EINTR => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// `mkfifoat(3)` made as glibc makes it: the system call `mknodat(2)` of
/// `mode | S_IFIFO` with device 0, so the created FIFO (and every errno) is
/// exactly what a glibc program gets. Not nix's `mkfifoat`, which calls
/// glibc's: `librsipc_preload.so` exports that name.
pub fn mkfifoat(dirfd: RawFd, path: &CStr, mode: libc::mode_t) -> Result<()> {
    let mode = (mode | libc::S_IFIFO) as c_long;
    // SAFETY: `path` is NUL-terminated.
    cvt(unsafe { libc::syscall(libc::SYS_mknodat, dirfd as c_long, path.as_ptr(), mode, 0 as c_long) }).map(drop)
}

/// `ftruncate(2)` of a descriptor rsipc opened (nix), retrying `EINTR`.
pub fn ftruncate(fd: &Fd, len: i64) -> Result<()> {
    loop {
        match nix::unistd::ftruncate(fd, len) {
            Err(nix::errno::Errno::EINTR) => continue,
            other => return Ok(other?),
        }
    }
}

/// `unlinkat(2)` of a non-directory (nix).
pub fn unlinkat(dirfd: RawFd, path: &CStr) -> Result<()> {
    Ok(nix::unistd::unlinkat(Some(dirfd), path, nix::unistd::UnlinkatFlags::NoRemoveDir)?)
}

/// `unlink(2)` (nix).
pub fn unlink(path: &CStr) -> Result<()> {
    Ok(nix::unistd::unlink(path)?)
}

/// `stat(2)` of `path`, following symbolic links (nix).
pub fn stat(path: &CStr) -> Result<libc::stat> {
    Ok(nix::sys::stat::stat(path)?)
}

/// `fstatat(2)` of `path` itself (a symbolic link is described, not
/// followed; nix).
pub fn lstat(path: &CStr) -> Result<libc::stat> {
    Ok(nix::sys::stat::fstatat(None, path, AtFlags::AT_SYMLINK_NOFOLLOW)?)
}

/// Removes `path` if it still names the file `st` describes (same device
/// and inode): undoes the creation of a file a later step failed for.
/// Best effort; errors are ignored.
pub fn remove_if_same(path: &CStr, st: &libc::stat) {
    if let Ok(now) = lstat(path) {
        if now.st_dev == st.st_dev && now.st_ino == st.st_ino {
            let _ = unlinkat(libc::AT_FDCWD, path);
        }
    }
}

/// `link(2)`: `linkat(2)` from and to the working directory (nix).
pub fn link(from: &CStr, to: &CStr) -> Result<()> {
    Ok(nix::unistd::linkat(None, from, None, to, AtFlags::empty())?)
}

/// Gives the (`O_TMPFILE`) file open as `fd` the name `to`:
/// `linkat(AT_FDCWD, "/proc/self/fd/N", AT_FDCWD, to, AT_SYMLINK_FOLLOW)`,
/// which needs no privilege (unlike `AT_EMPTY_PATH`). Fails with `EEXIST`
/// when `to` exists, and with `ENOENT` when /proc is not mounted.
pub fn link_fd(fd: &Fd, to: &CStr) -> Result<()> {
    let mut path = [0u8; 32];
    let proc_path = fd_path("/proc/self/fd", fd.as_raw_fd(), &mut path)?;
    Ok(nix::unistd::linkat(None, proc_path, None, to, AtFlags::AT_SYMLINK_FOLLOW)?)
}

/// `DIR/FD` as a C string in `buf` (no allocation).
pub fn fd_path<'a>(dir: &str, fd: RawFd, buf: &'a mut [u8]) -> Result<&'a CStr> {
    use std::io::Write;
    let mut w = &mut buf[..];
    write!(w, "{dir}/{fd}\0").map_err(|_| Error::from_errno(libc::ENAMETOOLONG))?;
    CStr::from_bytes_until_nul(buf).map_err(|_| Error::from_errno(libc::EINVAL))
}

/// A new anonymous memory file named `name`, close-on-exec
/// (`memfd_create(2)`, nix).
pub fn memfd(name: &CStr) -> Result<Fd> {
    Ok(nix::sys::memfd::memfd_create(name, nix::sys::memfd::MemFdCreateFlag::MFD_CLOEXEC)?.into())
}

/// Reserves the first `len` bytes of the file `fd` (growing it to `len` if
/// it is shorter): `fallocate(2)` mode 0, the system call itself, not
/// glibc's `posix_fallocate`, whose fallback writes a byte into every block
/// (a race with the mapping's users) and whose `fallocate` wrapper is a
/// cancellation point. On tmpfs (`/dev/shm`, memfd) `ftruncate` only sets
/// the size: the pages are found missing when first touched through a
/// mapping, and a full file system then answers with `SIGBUS`. Reserved
/// pages are never missing, so a full file system says `ENOSPC` here
/// instead (`ENOMEM` where memory itself is short), and a failed call
/// leaves the file as it was (the kernel gives back the pages it took).
///
/// A file system without `fallocate` (`EOPNOTSUPP`): with `fresh` (a file
/// this process just created and nobody else writes yet) the range is
/// written with zeros instead, which allocates it just the same; otherwise
/// the error is returned.
pub fn reserve(fd: RawFd, len: u64, fresh: bool) -> Result<()> {
    let Ok(len) = libc::off_t::try_from(len) else {
        return Err(Error::new(libc::EFBIG, "the size does not fit in off_t"));
    };
    if len == 0 {
        return Ok(());
    }
    // A few pages cannot hurt the machine: spare small reservations (a
    // named semaphore's page) the three look-ups.
    if len > 1 << 16 {
        check_room(fd, len as u64)?;
    }
    // SAFETY: plain integer arguments.
    match super::cvt_retry(|| unsafe { libc::syscall(libc::SYS_fallocate, fd, 0, 0 as libc::off_t, len) }) {
        Err(e) if e.errno() == libc::EOPNOTSUPP && fresh => write_zeros(fd, len),
        Err(e) => Err(e
            .explain(libc::ENOSPC, reason!("the file system has no room for {} bytes (nothing was reserved)", len))
            .explain(libc::ENOMEM, reason!("not enough memory to reserve {} bytes (nothing was reserved)", len))),
        Ok(_) => Ok(()),
    }
}

/// Refuses up front a reservation that cannot succeed, before any page is
/// taken: more than the file system has free (`ENOSPC`), or more than the
/// machine's memory and swap together (`ENOMEM`). The second matters on
/// tmpfs file systems without a size limit (memfd) or whose limit is all
/// of memory (`/dev/shm` by default is half of it, often more when
/// configured so): `fallocate` there takes page after page until the OOM
/// killer steps in, which picks some other process, since unmapped tmpfs
/// pages count against no one.
fn check_room(fd: RawFd, len: u64) -> Result<()> {
    // SAFETY: all-zero is a valid value of these plain C structs.
    let (mut fs, mut info): (libc::statfs, libc::sysinfo) = unsafe { (std::mem::zeroed(), std::mem::zeroed()) };
    let have = match super::fstat(fd) {
        Ok(st) => (st.st_blocks as u64).saturating_mul(512),
        Err(_) => 0,
    };
    let need = len.saturating_sub(have);
    // SAFETY: valid out-pointers. Hand-written: nix's fstatfs wants a
    // borrowed descriptor and hides f_bavail/f_bsize behind accessors, and
    // its sysinfo needs a feature rsipc does not enable for one call.
    if super::cvt(unsafe { libc::syscall(libc::SYS_fstatfs, fd, &mut fs) }).is_ok() && fs.f_blocks != 0 {
        let free = fs.f_bavail.saturating_mul(fs.f_bsize as u64);
        if need > free {
            return Err(Error::new(
                libc::ENOSPC,
                reason!("{} bytes are wanted and the file system has {} free (nothing was reserved)", len, free),
            ));
        }
    }
    // SAFETY: as above.
    if super::cvt(unsafe { libc::syscall(libc::SYS_sysinfo, &mut info) }).is_ok() {
        let unit = u64::from(info.mem_unit.max(1));
        let memory = info.totalram.saturating_add(info.totalswap).saturating_mul(unit);
        if need > memory {
            return Err(Error::new(
                libc::ENOMEM,
                reason!("{} bytes are more than this machine's memory and swap ({} bytes)", len, memory),
            ));
        }
    }
    Ok(())
}

/// Writes zeros over the first `len` bytes of `fd` (see [`reserve`]).
fn write_zeros(fd: RawFd, len: libc::off_t) -> Result<()> {
    static ZEROS: [u8; 4096] = [0; 4096];
    let mut at: libc::off_t = 0;
    while at < len {
        let n = (len - at).min(ZEROS.len() as libc::off_t) as usize;
        // SAFETY: ZEROS is valid for reads of n <= 4096 bytes; pwrite64 as a
        // raw system call (glibc's pwrite is a cancellation point).
        let done = super::cvt_retry(|| unsafe { libc::syscall(libc::SYS_pwrite64, fd, ZEROS.as_ptr(), n, at) })?;
        if done == 0 {
            return Err(Error::new(libc::EIO, "the file system accepted no bytes"));
        }
        at += done as libc::off_t;
    }
    Ok(())
}
