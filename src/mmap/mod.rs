//! Memory mapping: `mmap(2)`, `munmap(2)`, `msync(2)` with the argument
//! checks glibc leaves to the kernel (or to a crash), and the two mappings
//! programs usually want — a file mapped whole or grown to a size, and an
//! anonymous shared region that survives `fork()`.
//!
//! Safe Rust gets an owned [`Mapping`] (unmapped on drop); the C boundary
//! hands the address over with [`Mapping::into_raw`].

// Safe Rust only: unsafe code lives in sys/ and at the C boundary (ffi);
// each exception below says why it needs it.
#![deny(unsafe_code)]

// The C boundary: raw pointers and descriptors from C.
#[allow(unsafe_code)]
pub(crate) mod ffi;

use std::ffi::CStr;
use std::fmt;
use std::os::fd::AsRawFd;

use crate::sys::FdArg;

use crate::error::Hex;
use crate::error::{Error, Reason, Result};
use crate::sys;
pub use crate::sys::mman::Mapping;

/// The system page size in bytes.
pub fn page_size() -> usize {
    sys::mman::page_size()
}

/// `len` rounded up to whole pages, or `None` when that overflows the
/// address space (`isize::MAX`).
fn page_round(len: usize) -> Option<usize> {
    let page = page_size();
    len.checked_add(page - 1).map(|l| l & !(page - 1)).filter(|&l| l <= isize::MAX as usize)
}

/// Checks a mapping length: `EINVAL` for 0, `ENOMEM` when it cannot fit in
/// an address space (as the kernel says for a length that overflows when
/// rounded up to pages).
pub fn check_len(len: usize) -> Result<usize> {
    if len == 0 {
        return Err(Error::new(libc::EINVAL, "len is 0: a mapping needs at least one byte"));
    }
    page_round(len).ok_or_else(|| {
        Error::new(
            libc::ENOMEM,
            reason!("len {} is larger than any address space (it overflows when rounded up to whole pages)", len),
        )
    })
}

/// The arguments of one `mmap(2)` call, for [`explain_mmap`].
#[derive(Clone, Copy, Debug)]
pub struct MmapArgs {
    pub addr: usize,
    pub len: usize,
    pub prot: i32,
    pub flags: i32,
    pub fd: FdArg,
    pub off: i64,
}

/// Why `mmap(2)` said `EINVAL`, `ENOMEM` or `EOVERFLOW` for `a`: the first
/// cause in the kernel's order of checks (the kernel, not rsipc, decides
/// the errno; rsipc checks nothing before the call, so the order is the
/// kernel's on every kernel): an unaligned offset; for a file, the
/// descriptor (`EBADF`, explained elsewhere); a zero length (`EINVAL`); a
/// length that overflows when rounded up to pages (`ENOMEM`); for a file,
/// a range past the largest file offset (`EOVERFLOW`; a negative offset is
/// one); an unaligned `addr` with `MAP_FIXED`, then a mapping type other
/// than one of `MAP_SHARED`, `MAP_PRIVATE`, `MAP_SHARED_VALIDATE` (or
/// `MAP_DROPPABLE` for anonymous memory on Linux 6.11 and later)
/// (`EINVAL`). `None` when no argument explains it.
fn mmap_cause(errno: i32, a: &MmapArgs) -> Option<Reason> {
    let page = page_size();
    let anonymous = a.flags & libc::MAP_ANONYMOUS != 0;
    match errno {
        libc::EINVAL if a.off as u64 % page as u64 != 0 => {
            Some(reason!("off {} is not a multiple of the page size ({})", a.off, page))
        }
        libc::EINVAL if a.len == 0 => Some(Reason::from("len is 0: a mapping needs at least one byte")),
        libc::EINVAL if a.flags & libc::MAP_FIXED != 0 && a.addr % page != 0 => {
            Some(reason!("addr {} is not a multiple of the page size, which MAP_FIXED requires", Hex(a.addr)))
        }
        libc::EINVAL => match a.flags & libc::MAP_TYPE {
            libc::MAP_SHARED | libc::MAP_PRIVATE | libc::MAP_SHARED_VALIDATE => None,
            libc::MAP_DROPPABLE if anonymous => None,
            _ => Some(
                "flags must contain exactly one of MAP_SHARED, MAP_PRIVATE and MAP_SHARED_VALIDATE (or MAP_DROPPABLE with MAP_ANONYMOUS)"
                    .into(),
            ),
        },
        libc::ENOMEM if page_round(a.len).is_none() => Some(reason!("len {} is larger than any address space (it overflows when rounded up to whole pages)", a.len)),
        libc::EOVERFLOW if !anonymous && a.off < 0 => {
            Some(reason!("off {} is negative: no file has such an offset", a.off))
        }
        libc::EOVERFLOW if !anonymous => {
            Some(reason!("off {} + len {} goes past the largest file offset", a.off, a.len))
        }
        _ => None,
    }
}

/// Why `mmap(2)` said `EACCES`: how the descriptor is open, asked of the
/// kernel when the message is read (never on the failure path).
fn compose_eacces(r: &Reason, out: &mut dyn fmt::Write) -> fmt::Result {
    let (fd, shared, writable) = (r.int(0) as libc::c_int, r.int(1) != 0, r.int(2) != 0);
    match sys::fcntl_int(fd, libc::F_GETFL, 0) {
        Ok(fl) if fl & libc::O_ACCMODE == libc::O_WRONLY => {
            write!(out, "descriptor {fd} is open write-only (O_WRONLY); every file mapping needs read access")?
        }
        Ok(fl) if shared && writable && fl & libc::O_ACCMODE == libc::O_RDONLY => {
            write!(out, "descriptor {fd} is open read-only (O_RDONLY); a writable MAP_SHARED mapping needs O_RDWR")?
        }
        Ok(fl) if shared && writable && fl & libc::O_APPEND != 0 => {
            write!(out, "descriptor {fd} is open with O_APPEND, which a writable MAP_SHARED mapping cannot honour")?
        }
        _ => write!(out, "descriptor {fd} does not refer to a file that can be mapped this way")?,
    }
    out.write_str(crate::error::later::WHEN)
}

/// Explains an error the kernel gave for `mmap(2)` (called only on failure;
/// what needs a look at the descriptor is looked at when the message is
/// read).
pub fn explain_mmap(e: Error, a: &MmapArgs) -> Error {
    if let Some(cause) = mmap_cause(e.errno(), a) {
        return e.because(cause);
    }
    let MmapArgs { addr, prot, flags, fd, .. } = *a;
    let fd = fd.raw();
    let shared = flags & libc::MAP_TYPE != libc::MAP_PRIVATE;
    let writable = prot & libc::PROT_WRITE != 0;
    match e.errno() {
        libc::EACCES => e.because(Reason::compose(compose_eacces).with(fd).with(shared as i32).with(writable as i32)),
        libc::EBADF => {
            e.because(reason!("descriptor {} is not open (pass MAP_ANONYMOUS for memory without a file)", fd))
        }
        libc::ENODEV => e.because(reason!(
            "the file behind descriptor {} cannot be memory-mapped (a pipe, socket or directory?)",
            fd
        )),
        libc::ENOMEM => e.because(
            "no free range of that size in the address space, or the process reached vm.max_map_count or RLIMIT_AS",
        ),
        libc::EEXIST => e.because("MAP_FIXED_NOREPLACE: the range at addr already holds a mapping"),
        libc::EPERM => e.because("the file system forbids PROT_EXEC (noexec), or a file seal forbids this mapping"),
        libc::ENOTSUP => {
            e.because("MAP_SHARED_VALIDATE: a flag is unknown to this kernel or unsupported for this file")
        }
        libc::EAGAIN => e.because("the file is locked, or locking the pages would exceed RLIMIT_MEMLOCK"),
        libc::EINVAL if flags & libc::MAP_HUGETLB != 0 => e.because(reason!(
            "MAP_HUGETLB: {} (addr {})",
            if flags & libc::MAP_ANONYMOUS != 0 {
                "the huge page size asked for is not one this system has"
            } else {
                "the file is not on hugetlbfs"
            },
            Hex(addr)
        )),
        libc::EINVAL => e.because("the kernel rejected this combination of flags, address and length"),
        _ => e,
    }
}

/// Maps `len` bytes as `mmap(2)` does: the kernel checks the arguments, in
/// its order, and [`explain_mmap`] says why it refused. `hint` is only a
/// hint: `MAP_FIXED` is refused with `EINVAL` here (it replaces existing
/// memory; the C boundary offers it).
#[inline]
pub fn map(hint: usize, len: usize, prot: i32, flags: i32, fd: impl Into<FdArg>, off: i64) -> Result<Mapping> {
    let fd = fd.into();
    sys::mman::map(hint, len, prot, flags, fd.raw(), off)
        .map_err(|e| explain_mmap(e, &MmapArgs { addr: hint, len, prot, flags, fd, off }))
}

/// The checks of `munmap(2)`: `addr` page-aligned, `len > 0`, the range
/// inside the address space (`EINVAL` for each, as the kernel says).
pub fn check_munmap(addr: usize, len: usize) -> Result<()> {
    check_range(addr, len)?;
    if len == 0 {
        return Err(Error::new(libc::EINVAL, "len is 0: there is nothing to unmap"));
    }
    Ok(())
}

/// Explains an error the kernel gave for `munmap(2)`.
pub fn explain_munmap(e: Error) -> Error {
    match e.errno() {
        libc::EINVAL => e.because("the range goes past the end of the user address space"),
        libc::ENOMEM => e.because("unmapping the middle of a mapping would exceed vm.max_map_count"),
        _ => e,
    }
}

/// `addr` page-aligned and `[addr, addr + len)` not wrapping around.
fn check_range(addr: usize, len: usize) -> Result<()> {
    let page = page_size();
    if addr % page != 0 {
        return Err(Error::new(
            libc::EINVAL,
            reason!("addr {} is not a multiple of the page size ({})", Hex(addr), page),
        ));
    }
    if page_round(len).and_then(|l| addr.checked_add(l)).is_none() {
        return Err(Error::new(
            libc::EINVAL,
            reason!("addr {} + len {} wraps around the address space", Hex(addr), len),
        ));
    }
    Ok(())
}

/// `msync(2)`: writes the dirty pages of `[addr, addr + len)` back to the
/// file. `flags` is at most one of `MS_ASYNC` / `MS_SYNC`, plus
/// `MS_INVALIDATE`; `addr` must be page-aligned.
///
/// The checks come in the kernel's order, with its errno: unknown flags,
/// an unaligned `addr`, both `MS_ASYNC` and `MS_SYNC` (`EINVAL`), a range
/// that wraps around (`ENOMEM`).
pub fn msync(addr: usize, len: usize, flags: i32) -> Result<()> {
    check_msync(addr, len, flags)?;
    sys::mman::msync(addr, len, flags).map_err(explain_msync)
}

/// The checks of [`msync`] before the system call.
pub(crate) fn check_msync(addr: usize, len: usize, flags: i32) -> Result<()> {
    const KNOWN: i32 = libc::MS_ASYNC | libc::MS_SYNC | libc::MS_INVALIDATE;
    if flags & !KNOWN != 0 {
        return Err(Error::new(
            libc::EINVAL,
            reason!("unknown flag bits {}: msync takes MS_ASYNC or MS_SYNC, and MS_INVALIDATE", Hex(flags & !KNOWN)),
        ));
    }
    let page = page_size();
    if addr % page != 0 {
        return Err(Error::new(
            libc::EINVAL,
            reason!("addr {} is not a multiple of the page size ({})", Hex(addr), page),
        ));
    }
    if flags & libc::MS_ASYNC != 0 && flags & libc::MS_SYNC != 0 {
        return Err(Error::new(libc::EINVAL, "MS_ASYNC and MS_SYNC exclude each other"));
    }
    if page_round(len).and_then(|l| addr.checked_add(l)).is_none() {
        return Err(Error::new(
            libc::ENOMEM,
            reason!("addr {} + len {} wraps around the address space", Hex(addr), len),
        ));
    }
    Ok(())
}

/// The error of the msync system call, explained.
#[cold]
pub(crate) fn explain_msync(e: Error) -> Error {
    e.explain(libc::ENOMEM, "part of the range is not mapped")
        .explain(libc::EBUSY, "MS_INVALIDATE on a range with locked pages (mlock)")
}

/// The open flags [`map_file`] accepts besides the access mode.
pub const MAP_FILE_FLAGS: i32 = libc::O_CREAT | libc::O_EXCL | libc::O_TRUNC | libc::O_NOFOLLOW | libc::O_CLOEXEC;

/// The protection a mapping opened with access mode `oflag` gets:
/// `O_RDONLY` → read-only, `O_RDWR` → read-write; `O_WRONLY` is `EINVAL`
/// (every mapping can be read).
pub fn prot_for(oflag: i32) -> Result<i32> {
    match oflag & libc::O_ACCMODE {
        libc::O_RDONLY => Ok(libc::PROT_READ),
        libc::O_RDWR => Ok(libc::PROT_READ | libc::PROT_WRITE),
        _ => Err(Error::new(
            libc::EINVAL,
            "the access mode must be O_RDONLY (read-only mapping) or O_RDWR (read-write): every mapping needs read access",
        )),
    }
}

/// Makes an object at least `want` bytes long for a mapping of that size:
/// grows it with `ftruncate` when `writable`, else `EINVAL` (pages past the
/// end would fault with `SIGBUS`). Never shrinks.
pub(crate) fn ensure_size(fd: &sys::Fd, size: u64, want: usize, writable: bool, what: &'static str) -> Result<()> {
    if size >= want as u64 {
        return Ok(());
    }
    if !writable {
        return Err(Error::new(
            libc::EINVAL,
            reason!(
                "the {} has {} bytes, fewer than len ({}), and opened read-only it cannot be grown",
                what,
                size,
                want
            ),
        ));
    }
    sys::fs::ftruncate(fd, want as i64).map_err(|e| {
        e.explain(libc::EFBIG, reason!("len {} is larger than the file system allows", want))
            .explain(libc::EPERM, reason!("the {} is sealed against growing (F_SEAL_GROW)", what))
            .explain(libc::ENOSPC, "no space left to grow the file")
    })
}

/// Opens (or creates) `path` and maps it `MAP_SHARED`: `O_RDONLY` maps it
/// read-only, `O_RDWR` read-write; `O_CREAT`, `O_EXCL`, `O_TRUNC`,
/// `O_NOFOLLOW` act as for `open(2)` (`mode` is used with `O_CREAT`).
///
/// `len == 0` maps the whole file (an empty file is `EINVAL`); a larger
/// `len` grows the file to it (`O_RDWR` only; read-only is `EINVAL`); a
/// smaller one maps the first `len` bytes. The descriptor is closed before
/// returning. The file must be a regular file (`EINVAL` otherwise). A file
/// this call created with `O_CREAT|O_EXCL` is removed again when a later
/// step fails.
pub fn map_file(path: &CStr, oflag: i32, mode: libc::mode_t, len: usize) -> Result<Mapping> {
    let prot = prot_for(oflag)?;
    if oflag & !(libc::O_ACCMODE | MAP_FILE_FLAGS) != 0 {
        return Err(Error::new(
            libc::EINVAL,
            reason!("flag bits {} are not accepted: map_file takes O_RDONLY or O_RDWR with O_CREAT, O_EXCL, O_TRUNC, O_NOFOLLOW", Hex(oflag & !(libc::O_ACCMODE | MAP_FILE_FLAGS))),
        ));
    }
    let exclusive = oflag & (libc::O_CREAT | libc::O_EXCL) == libc::O_CREAT | libc::O_EXCL;
    if len == 0 && exclusive {
        return Err(Error::new(
            libc::EINVAL,
            "len is 0 and O_CREAT|O_EXCL creates an empty file: there would be nothing to map",
        ));
    }
    if len != 0 {
        check_len(len)?;
    }
    // O_NONBLOCK so that a FIFO (or a device) at the path cannot block the
    // open — a reader would wait forever for a writer; the type is checked
    // right after and the descriptor is never used for I/O.
    let flags = oflag | libc::O_CLOEXEC | libc::O_NOCTTY;
    let fd = match sys::fs::openat(libc::AT_FDCWD, path, flags | libc::O_NONBLOCK, mode) {
        // Only a lease held on the file says EWOULDBLOCK to a non-blocking
        // open: wait for it to be released, as open(2) would.
        Err(e) if e.errno() == libc::EWOULDBLOCK => sys::fs::openat(libc::AT_FDCWD, path, flags, mode),
        other => other,
    }
    .map_err(explain_open)?;
    let st = sys::fstat(fd.as_raw_fd())?;
    let mapped = map_opened_file(&fd, &st, prot, len);
    if mapped.is_err() && exclusive {
        // This call created the file: a failure leaves nothing behind.
        sys::fs::remove_if_same(path, &st);
    }
    mapped
    // `fd` is closed here; the mapping keeps the file.
}

/// The part of [`map_file`] after the open: check, size, map.
fn map_opened_file(fd: &sys::Fd, st: &libc::stat, prot: i32, len: usize) -> Result<Mapping> {
    if st.st_mode & libc::S_IFMT != libc::S_IFREG {
        return Err(Error::new(
            libc::EINVAL,
            reason!("the path names a {}, not a regular file", file_kind(st.st_mode)),
        ));
    }
    let size = st.st_size as u64;
    let want = if len == 0 {
        if size == 0 {
            return Err(Error::new(libc::EINVAL, "the file is empty and len is 0: there is nothing to map"));
        }
        usize::try_from(size).map_err(|_| Error::new(libc::ENOMEM, "the file is larger than the address space"))?
    } else {
        len
    };
    ensure_size(fd, size, want, prot & libc::PROT_WRITE != 0, "file")?;
    map(0, want, prot, libc::MAP_SHARED, fd.as_raw_fd(), 0)
}

/// A `MAP_SHARED | MAP_ANONYMOUS` read-write region of `len` bytes, filled
/// with zeros, shared with the children this process forks afterwards.
pub fn map_anonymous_shared(len: usize) -> Result<Mapping> {
    map(0, len, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_SHARED | libc::MAP_ANONYMOUS, -1, 0)
}

/// Explains the errors of opening a file to map.
fn explain_open(e: Error) -> Error {
    match e.errno() {
        libc::ENOENT => e.because("no such file (pass O_CREAT to create it), or a directory on the path is missing"),
        libc::EEXIST => e.because("the file already exists (O_CREAT|O_EXCL)"),
        libc::EACCES => e.because("permission denied by the file's mode or a directory on the path"),
        libc::ELOOP => e.because("the path is a symbolic link (O_NOFOLLOW) or has too many links"),
        libc::EISDIR => e.because("the path names a directory"),
        // Only a file that is not a regular file says ENXIO to an open for
        // reading (a socket, a device without a driver): as for every other
        // file type, EINVAL.
        libc::ENXIO => Error::new(libc::EINVAL, "the path names a socket or a device, not a regular file"),
        _ => e,
    }
}

/// A file type in words, for messages.
pub(crate) fn file_kind(mode: libc::mode_t) -> &'static str {
    match mode & libc::S_IFMT {
        libc::S_IFREG => "regular file",
        libc::S_IFDIR => "directory",
        libc::S_IFIFO => "FIFO",
        libc::S_IFLNK => "symbolic link",
        libc::S_IFSOCK => "socket",
        libc::S_IFCHR => "character device",
        libc::S_IFBLK => "block device",
        _ => "file of unknown type",
    }
}

// Tests fork and call libc directly to watch the kernel objects.
#[cfg(test)]
#[allow(unsafe_code)]
mod tests;
