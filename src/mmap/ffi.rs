//! C shims for memory mapping.

use libc::{c_char, c_int, c_void, mode_t, off_t, size_t};

use super::Mapping;
use crate::error::{Arg, Call};
use crate::ffi::{c_str, flag_names, flag_table, guard, guard_cancel, out_ref, FlagTable, Mode, Name, OpenFlags, Ptr};
use crate::sys;
use crate::sys::{cancel, Cancel};

/// `mmap(2)`'s failure value, `(void *)-1`.
const MAP_FAILED: *mut c_void = libc::MAP_FAILED;

flag_table! {
    /// `mmap(2)` protection bits: `PROT_READ|PROT_WRITE`, or `PROT_NONE`.
    pub(crate) struct Prot = FlagTable::bits(flag_names![
        PROT_READ, PROT_WRITE, PROT_EXEC, PROT_GROWSDOWN, PROT_GROWSUP,
    ]).none("PROT_NONE");
}

flag_table! {
    /// `mmap(2)` flags: the mapping type, then the other bits by name.
    pub(crate) struct MapFlags = FlagTable::bits(flag_names![
        MAP_FIXED, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_NORESERVE, MAP_POPULATE, MAP_LOCKED,
        MAP_GROWSDOWN, MAP_STACK, MAP_HUGETLB, MAP_NONBLOCK, MAP_SYNC,
    ])
    .field(libc::MAP_TYPE, flag_names![MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE, MAP_DROPPABLE]);
}

flag_table! {
    /// `msync(2)` flags.
    struct MsyncFlags = FlagTable::bits(flag_names![MS_ASYNC, MS_SYNC, MS_INVALIDATE]);
}

/// As mmap(2): maps `len` bytes of the file `fd` from offset `off` (or
/// anonymous memory with `MAP_ANONYMOUS`) with protection `prot`
/// (`PROT_READ`, `PROT_WRITE`, `PROT_EXEC` or `PROT_NONE`) and `flags`
/// (exactly one of `MAP_SHARED`, `MAP_PRIVATE`, `MAP_SHARED_VALIDATE` —
/// or, for anonymous memory on Linux 6.11 and later, `MAP_DROPPABLE` —
/// plus `MAP_FIXED`, `MAP_ANONYMOUS`, ...). `addr` is a hint, or with `MAP_FIXED`
/// the exact address. Returns the start of the mapping, or `MAP_FAILED`
/// (`(void *)-1`) with errno.
///
/// # Errors
/// `EINVAL` for `len == 0`, an offset that is not a multiple of the page
/// size, no mapping type, or an unaligned `addr` with `MAP_FIXED`; `ENOMEM`
/// for a length that overflows when rounded up to pages, or no room in the
/// address space; `EOVERFLOW` for a file offset that is negative or when
/// `off + len` passes the largest file offset; `EACCES` when `fd` is not open for
/// reading, or is read-only (or append-only) and a writable `MAP_SHARED`
/// mapping is asked for; `EBADF`, `ENODEV`, `EPERM`, `EEXIST`
/// (`MAP_FIXED_NOREPLACE`) and the other errors of mmap(2). The message says
/// which. The kernel makes every check, in its order (an unaligned offset
/// first, then a file mapping's descriptor — `EBADF` before anything about
/// the length, the type or the offset range), so the errno is glibc's for
/// any combination of bad arguments.
///
/// # Safety
/// With `MAP_FIXED`, whatever was mapped at `[addr, addr + len)` is replaced
/// (as with mmap(2)): nothing may still use it. Without `MAP_FIXED` the call
/// cannot disturb existing memory.
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub unsafe extern "C" fn rsipc_mmap(
    addr: *mut c_void,
    len: size_t,
    prot: c_int,
    flags: c_int,
    fd: c_int,
    off: off_t,
) -> *mut c_void {
    guard(
        MAP_FAILED,
        call!("mmap", addr = Ptr(addr), len = len, prot = Prot(prot), flags = MapFlags(flags), fd = fd, off = off),
        || {
            if flags & libc::MAP_FIXED == 0 {
                return super::map(addr as usize, len, prot, flags, fd, off).map(Mapping::into_raw);
            }
            // SAFETY: MAP_FIXED replaces what is mapped at `addr`: the caller
            // asked for exactly that and guarantees nothing still uses it.
            unsafe { sys::mman::mmap_raw(addr, len, prot, flags, fd, off) }.map_err(|e| {
                super::explain_mmap(e, &super::MmapArgs { addr: addr as usize, len, prot, flags, fd: fd.into(), off })
            })
        },
    )
}

/// As munmap(2): removes the mappings in `[addr, addr + len)` (whole pages;
/// unmapped pages in the range are fine). Returns 0, or -1 with errno.
///
/// # Errors
/// `EINVAL` if `addr` is not a multiple of the page size, `len == 0`, or the
/// range wraps around or leaves the user address space.
///
/// # Safety
/// Nothing may still use memory in the range (as with munmap(2)).
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub unsafe extern "C" fn rsipc_munmap(addr: *mut c_void, len: size_t) -> c_int {
    guard(-1, call!("munmap", addr = Ptr(addr), len = len), || {
        super::check_munmap(addr as usize, len)?;
        // SAFETY: the caller guarantees nothing still uses the range.
        unsafe { sys::mman::munmap(addr, len) }.map_err(super::explain_munmap)?;
        Ok(0)
    })
}

/// As msync(2): writes the modified pages of `[addr, addr + len)` back to
/// the mapped file; `flags` is `MS_SYNC` (wait) or `MS_ASYNC`, optionally
/// with `MS_INVALIDATE`. Returns 0, or -1 with errno. A thread-cancellation
/// point, as glibc's (a pending cancel acts when the call begins).
///
/// # Errors
/// `EINVAL` if `addr` is not a multiple of the page size, `flags` has
/// unknown bits or both `MS_SYNC` and `MS_ASYNC`; `ENOMEM` if part of the
/// range is not mapped; `EBUSY` for `MS_INVALIDATE` on locked pages.
///
/// # Departures from glibc
/// A range that wraps around the address space (a `len` near `SIZE_MAX`)
/// is `ENOMEM`: the kernel rounds such a length up to 0 and reports success
/// without writing anything back.
#[no_mangle]
pub extern "C-unwind" fn rsipc_msync(addr: *mut c_void, len: size_t, flags: c_int) -> c_int {
    // As glibc's msync, a cancellation point that acts on a pending cancel
    // before anything else.
    // SAFETY: called from C: no catch_unwind of rsipc is on the stack.
    unsafe { cancel::test() };
    guard_cancel(
        -1,
        call!("msync", addr = Ptr(addr), len = len, flags = MsyncFlags(flags)),
        || super::check_msync(addr as usize, len, flags),
        // SAFETY: guard_cancel runs this with no catch_unwind on the stack.
        |()| unsafe { crate::sys::mman::msync_as(Cancel::Point, addr as usize, len, flags) },
        |synced| synced.map(|()| 0).map_err(super::explain_msync),
    )
}

/// Opens (with `O_CREAT`, creates with `mode`) the file `path` and maps it
/// `MAP_SHARED`: `O_RDONLY` maps it read-only, `O_RDWR` read-write
/// (`O_CREAT`, `O_EXCL`, `O_TRUNC`, `O_NOFOLLOW` act as for open(2)).
/// `*len == 0` maps the whole file; a larger `*len` than the file grows it
/// first (`O_RDWR` only); a smaller one maps the first `*len` bytes. On
/// success stores the mapped length in `*len` and returns the start; the
/// descriptor is closed (release the mapping with `rsipc_munmap(p, *len)`).
/// Returns `MAP_FAILED` with errno on failure, `*len` unchanged (and a file
/// this call created with `O_CREAT|O_EXCL` removed again).
///
/// # Errors
/// `EFAULT` if `path` or `len` is NULL; `EINVAL` for `O_WRONLY`, other open
/// flags, an empty file with `*len == 0` (also `O_CREAT|O_EXCL` with
/// `*len == 0`, checked before creating anything), a read-only file smaller than
/// `*len`, or a path that is not a regular file; `ENOMEM` for a `*len` too
/// large for the address space; the errors of open(2), ftruncate(2) and
/// mmap(2).
///
/// # Safety
/// `path` is NULL or a NUL-terminated string; `len` is NULL or points to a
/// writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn rsipc_map_file(
    path: *const c_char,
    oflag: c_int,
    mode: mode_t,
    len: *mut size_t,
) -> *mut c_void {
    guard(
        MAP_FAILED,
        move |c: &mut Call| {
            call!("map_file", path = Name(path), oflag = OpenFlags(oflag), mode = Mode(mode))(c);
            if len.is_null() {
                c.arg("len", Arg::Text("NULL"));
            } else {
                // SAFETY: non-NULL, and by the caller's contract a readable size_t.
                c.arg("*len", unsafe { *len });
            }
        },
        || {
            // SAFETY: forwarded from this function's contract.
            let path = unsafe { c_str(path, "path") }?;
            // SAFETY: forwarded from this function's contract.
            let len = unsafe { out_ref(len, "len") }?;
            let mapping = super::map_file(path, oflag, mode, *len)?;
            *len = mapping.len();
            Ok(mapping.into_raw())
        },
    )
}

/// Maps `len` bytes of zero-filled anonymous memory, read-write and
/// `MAP_SHARED|MAP_ANONYMOUS`, so the children this process forks afterwards
/// share it (see the related-processes example). Release it with
/// `rsipc_munmap(p, len)`. Returns `MAP_FAILED` with errno on failure.
///
/// # Errors
/// `EINVAL` if `len == 0`; `ENOMEM` if it is too large or the address
/// space is full.
#[no_mangle]
pub extern "C" fn rsipc_map_anonymous_shared(len: size_t) -> *mut c_void {
    guard(MAP_FAILED, call!("map_anonymous_shared", len = len), || {
        super::map_anonymous_shared(len).map(Mapping::into_raw)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_shown_by_name() {
        assert_eq!(Prot(libc::PROT_READ | libc::PROT_WRITE).to_string(), "PROT_READ|PROT_WRITE");
        assert_eq!(Prot(0).to_string(), "PROT_NONE");
        assert_eq!(MapFlags(libc::MAP_SHARED).to_string(), "MAP_SHARED");
        assert_eq!(MapFlags(libc::MAP_PRIVATE | libc::MAP_ANONYMOUS).to_string(), "MAP_PRIVATE|MAP_ANONYMOUS");
        assert_eq!(MapFlags(libc::MAP_ANONYMOUS).to_string(), "MAP_ANONYMOUS");
        assert_eq!(MapFlags(0).to_string(), "0");
    }

    #[test]
    fn a_failed_map_file_leaves_len_alone_and_explains() {
        let mut len: size_t = 0;
        // SAFETY: a valid string and a valid out-pointer.
        let p = unsafe { rsipc_map_file(c"/nonexistent/rsipc".as_ptr(), libc::O_RDONLY, 0, &mut len) };
        assert_eq!(p, MAP_FAILED);
        assert_eq!(len, 0);
        let msg = crate::error::last_error();
        assert!(
            msg.starts_with("map_file(path=\"/nonexistent/rsipc\", oflag=O_RDONLY, mode=0, *len=0): ENOENT: "),
            "{msg}"
        );
    }
}
