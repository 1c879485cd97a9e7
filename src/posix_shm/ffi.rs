//! C shims for POSIX shared memory.

use std::os::fd::IntoRawFd;

use libc::{c_char, c_int, c_void, mode_t, size_t};

use crate::ffi::{c_str, guard, Mode, Name, OpenFlags};
use crate::mmap::Mapping;

/// As shm_open(3): opens (with `O_CREAT`, creates with permissions `mode`
/// less the umask) the POSIX shared memory object `name` — the file
/// `/dev/shm/NAME` that glibc's shm_open uses, so both open the same object.
/// `oflag` is `O_RDONLY` or `O_RDWR`, with `O_CREAT`, `O_EXCL`, `O_TRUNC`.
/// Names as in glibc: leading `/`s are skipped (write `"/name"`), the rest is
/// one path component of 1 to `NAME_MAX` bytes. The descriptor is
/// `FD_CLOEXEC`; a symbolic link at the name is never followed. A new object
/// is empty: size it with ftruncate(2). Returns the descriptor, or -1 with
/// errno.
///
/// # Errors
/// `EFAULT` if `name` is NULL; `EINVAL` for an empty name, `"/"`, a `/`
/// inside the name, `"."`, `".."`, or an object that is not a regular file;
/// `ENAMETOOLONG` past `NAME_MAX`; `ELOOP` for a symbolic link; `ENOENT`
/// without `O_CREAT`; `EEXIST` with `O_CREAT|O_EXCL`; `EACCES`, `EMFILE`,
/// `ENFILE` as shm_open(3).
///
/// # Departures from glibc
/// The names `"/."` and `"/.."` are `EINVAL`: glibc opens the directory
/// `/dev/shm` itself for them with `O_RDONLY` and hands out its descriptor.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn rsipc_shm_open(name: *const c_char, oflag: c_int, mode: mode_t) -> c_int {
    guard(-1, call!("shm_open", name = Name(name), oflag = OpenFlags(oflag), mode = Mode(mode)), || {
        // SAFETY: forwarded from this function's contract.
        let name = unsafe { c_str(name, "name") }?;
        super::open(name, oflag, mode).map(IntoRawFd::into_raw_fd)
    })
}

/// As shm_unlink(3): removes the name of the shared memory object `name`;
/// processes that have it open or mapped keep using it. Returns 0, or -1 with
/// errno.
///
/// # Errors
/// `EFAULT` if `name` is NULL; `ENOENT` if no object has the name (also for
/// a name no object can have, as glibc); `ENAMETOOLONG` past `NAME_MAX`;
/// `EACCES` for another user's object.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn rsipc_shm_unlink(name: *const c_char) -> c_int {
    guard(-1, call!("shm_unlink", name = Name(name)), || {
        // SAFETY: forwarded from this function's contract.
        let name = unsafe { c_str(name, "name") }?;
        super::unlink(name).map(|()| 0)
    })
}

/// Opens (or with `O_CREAT` creates) the shared memory object `name` as
/// `rsipc_shm_open`, grows it to `len` bytes when it is smaller (always when
/// just created; needs `O_RDWR`), maps its first `len` bytes `MAP_SHARED` —
/// read-write for `O_RDWR`, read-only for `O_RDONLY` — and closes the
/// descriptor. Release the mapping with `rsipc_munmap(p, len)` and the name
/// with `rsipc_shm_unlink`. Returns the start of the mapping, or `MAP_FAILED`
/// with errno (an object this call created with `O_CREAT|O_EXCL` is removed
/// again).
///
/// # Errors
/// Those of `rsipc_shm_open`; `EINVAL` if `len == 0`, for `O_WRONLY`, or for
/// an `O_RDONLY` object smaller than `len`; `ENOMEM` for a `len` too large;
/// the errors of ftruncate(2) and mmap(2).
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn rsipc_shm_map(name: *const c_char, len: size_t, oflag: c_int, mode: mode_t) -> *mut c_void {
    guard(
        libc::MAP_FAILED,
        call!("shm_map", name = Name(name), len = len, oflag = OpenFlags(oflag), mode = Mode(mode)),
        || {
            // SAFETY: forwarded from this function's contract.
            let name = unsafe { c_str(name, "name") }?;
            super::map(name, len, oflag, mode).map(Mapping::into_raw)
        },
    )
}

/// As `rsipc_shm_map`, and the object's first `len` bytes are reserved
/// (`fallocate(2)`) before they are mapped, whether the call created the
/// object or found it: a full `/dev/shm` (or memory) is `ENOSPC`/`ENOMEM`
/// from this call, never a `SIGBUS` when the mapping is first written.
/// (`rsipc_shm_map`, like `ftruncate(2)` + `mmap(2)`, reserves nothing on
/// tmpfs: its pages are found missing only when touched.) Data already in
/// the object is kept. A function of its own rather than a flag in
/// `oflag`: no bit of `oflag` is free of `open(2)`'s meaning forever.
///
/// # Errors
/// Those of `rsipc_shm_map`; `EINVAL` for `O_RDONLY` (reserving may grow
/// the object); `ENOSPC` if the file system has no room for `len` bytes;
/// `ENOMEM` if memory is short, or `len` exceeds the machine's memory and
/// swap; `EFBIG`. On failure nothing was reserved, and an object this call
/// created with `O_CREAT|O_EXCL` is removed again.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn rsipc_shm_map_reserve(
    name: *const c_char,
    len: size_t,
    oflag: c_int,
    mode: mode_t,
) -> *mut c_void {
    guard(
        libc::MAP_FAILED,
        call!("shm_map_reserve", name = Name(name), len = len, oflag = OpenFlags(oflag), mode = Mode(mode)),
        || {
            // SAFETY: forwarded from this function's contract.
            let name = unsafe { c_str(name, "name") }?;
            super::map_reserved(name, len, oflag, mode).map(Mapping::into_raw)
        },
    )
}
