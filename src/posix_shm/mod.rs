//! POSIX shared memory: `shm_open(3)`, `shm_unlink(3)`, and [`map`]
//! (open, size, map, close in one call).
//!
//! An object is the file `/dev/shm/NAME`, exactly as glibc makes it, so a
//! glibc program and an rsipc program open the same object. Names follow
//! glibc: leading slashes are skipped, the rest must be one non-empty path
//! component of at most `NAME_MAX` bytes. Unlike glibc, `"."` and `".."`
//! are always refused (glibc refuses them only through `EISDIR`, so a
//! read-only open hands out a descriptor of `/dev/shm` itself), and an object
//! that is not a regular file — a FIFO planted at the name would make
//! glibc's `shm_open` block — is `EINVAL`.

// Safe Rust only: unsafe code lives in sys/ and at the C boundary (ffi);
// each exception below says why it needs it.
#![deny(unsafe_code)]

// The C boundary: raw pointers and descriptors from C.
#[allow(unsafe_code)]
pub(crate) mod ffi;

use std::ffi::CStr;
use std::os::fd::{AsRawFd, OwnedFd};

use crate::error::{Error, Lossy, Result};
use crate::mmap::{self, file_kind, Mapping};
use crate::sys;

// The `/dev/shm` path of an object name, by glibc's rules (the one
// builder, shared with named channels).
use crate::sys::shm::ShmPath as ObjectPath;

/// Opens (with `O_CREAT`, creates) the shared memory object `name`, as
/// `shm_open(3)`: `oflag` is `O_RDONLY` or `O_RDWR` with `O_CREAT`, `O_EXCL`,
/// `O_TRUNC`, passed to open(2) as glibc passes them; `mode` is used with
/// `O_CREAT`. The descriptor is close-on-exec; a symbolic link at the name is
/// `ELOOP`, never followed.
pub fn open(name: &CStr, oflag: i32, mode: libc::mode_t) -> Result<OwnedFd> {
    let path = ObjectPath::new(name)?;
    open_object(path.as_c_str(), oflag, mode).map(|(fd, _)| fd.into())
}

/// Opens the object at `path` (in `/dev/shm`) as [`open`] does, also
/// returning its `fstat`.
fn open_object(path: &CStr, oflag: i32, mode: libc::mode_t) -> Result<(sys::Fd, libc::stat)> {
    let flags = oflag | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    let caller_nonblock = oflag & libc::O_NONBLOCK != 0;
    // O_NONBLOCK so that a FIFO planted at the name cannot block the open;
    // the type is checked right after.
    let fd = match sys::fs::openat(libc::AT_FDCWD, path, flags | libc::O_NONBLOCK, mode) {
        // Only a lease held on the file says EWOULDBLOCK to a non-blocking
        // open: wait for it to be released, as open(2) would.
        Err(e) if e.errno() == libc::EWOULDBLOCK && !caller_nonblock => {
            sys::fs::openat(libc::AT_FDCWD, path, flags, mode)
        }
        other => other,
    }
    .map_err(|e| explain_open(e, path))?;
    let st = sys::fstat(fd.as_raw_fd())?;
    if st.st_mode & libc::S_IFMT != libc::S_IFREG {
        return Err(Error::new(
            libc::EINVAL,
            reason!("{} is a {}, not a shared memory object", Lossy(path.to_bytes()), file_kind(st.st_mode)),
        ));
    }
    if !caller_nonblock {
        let fl = sys::fcntl_int(fd.as_raw_fd(), libc::F_GETFL, 0)?;
        sys::fcntl_int(fd.as_raw_fd(), libc::F_SETFL, fl & !libc::O_NONBLOCK)?;
    }
    Ok((fd, st))
}

fn explain_open(e: Error, path: &CStr) -> Error {
    let path = Lossy(path.to_bytes());
    match e.errno() {
        libc::ENOENT => e.because("no shared memory object has this name (pass O_CREAT to create it)"),
        libc::EEXIST => e.because("an object with this name already exists (O_CREAT|O_EXCL)"),
        libc::EACCES => e.because("permission denied by the object's mode"),
        libc::ELOOP => e.because(reason!("{} is a symbolic link: shm_open never follows one", path)),
        // glibc turns EISDIR into EINVAL: a directory is not a valid object.
        libc::EISDIR => Error::new(libc::EINVAL, reason!("{} is a directory, not a shared memory object", path)),
        // Only a FIFO (O_WRONLY, no reader), a socket or a driverless
        // device says ENXIO: as for every object that is not a regular
        // file, EINVAL.
        libc::ENXIO => {
            Error::new(libc::EINVAL, reason!("{} is a FIFO, socket or device, not a shared memory object", path))
        }
        libc::EMFILE => e.because("this process has no free file descriptor (RLIMIT_NOFILE)"),
        libc::ENFILE => e.because("the system-wide limit on open files was reached"),
        _ => e,
    }
}

/// Removes the name of the shared memory object `name`, as `shm_unlink(3)`;
/// processes that have it open or mapped keep it until they close or unmap
/// it. An invalid name is `ENOENT` (no object can have it), as in glibc,
/// except a name longer than `NAME_MAX`: `ENAMETOOLONG`.
pub fn unlink(name: &CStr) -> Result<()> {
    let path = ObjectPath::new(name).map_err(|e| match e.errno() {
        libc::ENAMETOOLONG => e,
        _ => {
            let why = reason!("no object can have this name: {}", e.reason().static_text().unwrap_or("invalid name"));
            Error::new(libc::ENOENT, why)
        }
    })?;
    sys::fs::unlinkat(libc::AT_FDCWD, path.as_c_str()).map_err(|e| match e.errno() {
        libc::ENOENT => e.because("no shared memory object has this name"),
        // As glibc: the sticky /dev/shm refuses to unlink others' objects
        // with EPERM, which shm_unlink reports as EACCES.
        libc::EPERM | libc::EACCES => Error::new(
            libc::EACCES,
            "permission denied: the object belongs to another user, or /dev/shm is not writable",
        ),
        _ => e,
    })
}

/// Opens (or creates) the object `name`, makes it at least `len` bytes long
/// (growing it with `ftruncate` when it is smaller — always when just
/// created — which needs `O_RDWR`), maps the first `len` bytes `MAP_SHARED`
/// (read-only for `O_RDONLY`, read-write for `O_RDWR`) and closes the
/// descriptor. An object this call created with `O_CREAT|O_EXCL` is removed
/// again when a later step fails.
pub fn map(name: &CStr, len: usize, oflag: i32, mode: libc::mode_t) -> Result<Mapping> {
    map_object(name, len, oflag, mode, false)
}

/// [`map`], with the object's first `len` bytes reserved first
/// (`fallocate(2)`), whether this call created the object or found it: on
/// tmpfs, `ftruncate` reserves nothing, and a page the file system cannot
/// supply when the mapping first touches it is a `SIGBUS`; reserved, a full
/// `/dev/shm` is `ENOSPC` (or `ENOMEM`) here instead. Needs `O_RDWR`
/// (`EINVAL` for `O_RDONLY`). Data already in the object is kept.
pub fn map_reserved(name: &CStr, len: usize, oflag: i32, mode: libc::mode_t) -> Result<Mapping> {
    map_object(name, len, oflag, mode, true)
}

fn map_object(name: &CStr, len: usize, oflag: i32, mode: libc::mode_t, reserve: bool) -> Result<Mapping> {
    let prot = mmap::prot_for(oflag)?;
    mmap::check_len(len)?;
    if reserve && prot & libc::PROT_WRITE == 0 {
        return Err(Error::new(libc::EINVAL, "reserving the object's memory needs O_RDWR (it may grow the object)"));
    }
    let path = ObjectPath::new(name)?;
    let (fd, st) = open_object(path.as_c_str(), oflag, mode)?;
    let created = oflag & (libc::O_CREAT | libc::O_EXCL) == libc::O_CREAT | libc::O_EXCL;
    let reserved = if reserve { sys::fs::reserve(fd.as_raw_fd(), len as u64, created) } else { Ok(()) };
    let mapped = reserved
        .and_then(|()| {
            let size = if reserve { (st.st_size as u64).max(len as u64) } else { st.st_size as u64 };
            mmap::ensure_size(&fd, size, len, prot & libc::PROT_WRITE != 0, "object")
        })
        .and_then(|()| mmap::map(0, len, prot, libc::MAP_SHARED, fd.as_raw_fd(), 0));
    if mapped.is_err() && created {
        // This call created the object: a failure leaves nothing behind.
        sys::fs::remove_if_same(path.as_c_str(), &st);
    }
    mapped
}

// Tests fork and call libc directly to watch the kernel objects.
#[cfg(test)]
#[allow(unsafe_code)]
mod tests {
    use super::*;
    use crate::sys::fs::NAME_MAX;
    use std::ffi::CString;

    fn name(tag: &str) -> CString {
        CString::new(format!("/rsipc-unit-shm-{}-{tag}", std::process::id())).unwrap()
    }

    struct Unlink(CString);
    impl Drop for Unlink {
        fn drop(&mut self) {
            let _ = unlink(&self.0);
        }
    }

    fn path_of(name: &str) -> Vec<u8> {
        ObjectPath::new(&CString::new(name).unwrap()).map(|p| p.as_c_str().to_bytes().to_vec()).unwrap()
    }

    fn name_errno(name: &[u8]) -> i32 {
        ObjectPath::new(&CString::new(name).unwrap()).err().map_or(0, |e| e.errno())
    }

    #[test]
    fn names_map_to_dev_shm_as_in_glibc() {
        assert_eq!(path_of("/abc"), b"/dev/shm/abc");
        assert_eq!(path_of("abc"), b"/dev/shm/abc");
        assert_eq!(path_of("///abc"), b"/dev/shm/abc");
        assert_eq!(path_of("/.abc"), b"/dev/shm/.abc");
    }

    #[test]
    fn empty_and_slash_only_names_are_einval() {
        assert_eq!(name_errno(b""), libc::EINVAL);
        assert_eq!(name_errno(b"/"), libc::EINVAL);
        assert_eq!(name_errno(b"//"), libc::EINVAL);
    }

    #[test]
    fn an_inner_slash_is_einval() {
        assert_eq!(name_errno(b"/a/b"), libc::EINVAL);
        assert_eq!(name_errno(b"/ab/"), libc::EINVAL);
    }

    #[test]
    fn dot_and_dot_dot_are_einval() {
        assert_eq!(name_errno(b"/."), libc::EINVAL);
        assert_eq!(name_errno(b"/.."), libc::EINVAL);
    }

    #[test]
    fn names_longer_than_name_max_are_enametoolong() {
        let mut long = vec![b'/'];
        long.extend(std::iter::repeat_n(b'x', NAME_MAX));
        assert_eq!(name_errno(&long), 0);
        long.push(b'x');
        assert_eq!(name_errno(&long), libc::ENAMETOOLONG);
        long.extend(std::iter::repeat_n(b'x', 1000));
        assert_eq!(name_errno(&long), libc::ENAMETOOLONG);
    }

    #[test]
    fn open_creates_a_close_on_exec_object_in_dev_shm() {
        let n = name("create");
        let _cleanup = Unlink(n.clone());
        let fd = open(&n, libc::O_RDWR | libc::O_CREAT | libc::O_EXCL, 0o600).unwrap();
        assert_ne!(sys::fcntl_int(fd.as_raw_fd(), libc::F_GETFD, 0).unwrap() & libc::FD_CLOEXEC, 0);
        assert_eq!(sys::fcntl_int(fd.as_raw_fd(), libc::F_GETFL, 0).unwrap() & libc::O_NONBLOCK, 0);
        let on_disk = format!("/dev/shm{}", n.to_str().unwrap());
        assert!(std::fs::metadata(on_disk).unwrap().is_file());
        assert_eq!(open(&n, libc::O_RDWR | libc::O_CREAT | libc::O_EXCL, 0o600).unwrap_err().errno(), libc::EEXIST);
    }

    #[test]
    fn opening_a_missing_object_is_enoent_and_says_how_to_create_it() {
        let e = open(&name("missing"), libc::O_RDWR, 0).unwrap_err();
        assert_eq!(e.errno(), libc::ENOENT);
        assert!(e.message().contains("O_CREAT"), "{e}");
    }

    #[test]
    fn unlink_of_invalid_names_is_enoent_and_of_long_names_enametoolong() {
        assert_eq!(unlink(&CString::new("").unwrap()).unwrap_err().errno(), libc::ENOENT);
        assert_eq!(unlink(&CString::new("/a/b").unwrap()).unwrap_err().errno(), libc::ENOENT);
        let long = CString::new(format!("/{}", "x".repeat(NAME_MAX + 1))).unwrap();
        assert_eq!(unlink(&long).unwrap_err().errno(), libc::ENAMETOOLONG);
        assert_eq!(unlink(&name("never")).unwrap_err().errno(), libc::ENOENT);
    }

    #[test]
    fn map_creates_and_sizes_the_object() {
        let n = name("map");
        let _cleanup = Unlink(n.clone());
        let m = map(&n, 5000, libc::O_RDWR | libc::O_CREAT, 0o600).unwrap();
        assert_eq!(m.len(), 5000);
        // SAFETY: 5000 read-write bytes owned by `m`.
        unsafe { *(m.as_ptr() as *mut u8).add(4999) = 42 };
        let again = map(&n, 5000, libc::O_RDONLY, 0).unwrap();
        // SAFETY: 5000 readable bytes owned by `again`.
        assert_eq!(unsafe { *(again.as_ptr() as *const u8).add(4999) }, 42);
        let on_disk = format!("/dev/shm{}", n.to_str().unwrap());
        assert_eq!(std::fs::metadata(on_disk).unwrap().len(), 5000);
    }

    #[test]
    fn map_removes_the_object_it_created_when_mapping_fails() {
        let n = name("undo");
        let _cleanup = Unlink(n.clone());
        let huge = isize::MAX as usize / 2;
        assert!(map(&n, huge, libc::O_RDWR | libc::O_CREAT | libc::O_EXCL, 0o600).is_err());
        assert_eq!(open(&n, libc::O_RDONLY, 0).unwrap_err().errno(), libc::ENOENT);
    }

    #[test]
    fn map_read_only_of_a_smaller_object_is_einval() {
        let n = name("small");
        let _cleanup = Unlink(n.clone());
        drop(open(&n, libc::O_RDWR | libc::O_CREAT, 0o600).unwrap());
        assert_eq!(map(&n, 4096, libc::O_RDONLY, 0).unwrap_err().errno(), libc::EINVAL);
        assert_eq!(map(&n, 0, libc::O_RDWR, 0).unwrap_err().errno(), libc::EINVAL);
        assert_eq!(map(&n, 4096, libc::O_WRONLY, 0).unwrap_err().errno(), libc::EINVAL);
    }

    #[test]
    fn a_planted_fifo_is_einval_without_blocking() {
        let n = name("fifo");
        let _cleanup = Unlink(n.clone());
        let path = ObjectPath::new(&n).unwrap();
        crate::fifo::mkfifo(path.as_c_str(), 0o600).unwrap();
        let e = open(&n, libc::O_RDONLY, 0).unwrap_err();
        assert_eq!(e.errno(), libc::EINVAL);
        assert!(e.message().contains("FIFO"), "{e}");
        // Write-only, the open itself fails (no reader): still EINVAL.
        assert_eq!(open(&n, libc::O_WRONLY, 0).unwrap_err().errno(), libc::EINVAL);
    }

    #[test]
    fn a_planted_socket_is_einval() {
        let n = name("sock");
        let _cleanup = Unlink(n.clone());
        let path = ObjectPath::new(&n).unwrap();
        let _listener = std::os::unix::net::UnixListener::bind(path.as_c_str().to_str().unwrap()).unwrap();
        assert_eq!(open(&n, libc::O_RDWR, 0).unwrap_err().errno(), libc::EINVAL);
        assert_eq!(map(&n, 4096, libc::O_RDWR, 0).unwrap_err().errno(), libc::EINVAL);
    }
}
