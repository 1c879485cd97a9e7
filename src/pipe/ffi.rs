//! C shims for the pipe API.

use libc::{c_int, c_void, size_t, ssize_t};

use crate::ffi::{flag_names, flag_table, guard, guard_transfer_cancel, in_bytes, non_null, out_bytes, FlagTable, Ptr};
use crate::sys::{cancel, Cancel};

flag_table! {
    /// The flags pipe2(2) knows (no access mode: a pipe has two ends).
    struct Pipe2Flags = FlagTable::bits(flag_names![O_CLOEXEC, O_NONBLOCK, O_DIRECT]);
}
/// Shared body of rsipc_pipe and rsipc_pipe2.
///
/// # Safety
/// `fds` is NULL or valid for writes of two ints.
unsafe fn pipe_into(fds: *mut c_int, flags: c_int) -> crate::Result<c_int> {
    super::check_pipe2_flags(flags)?;
    let out = non_null(fds, "fds")?;
    let pair = super::pipe2_fds(flags)?.map(crate::sys::Fd::into_raw);
    // SAFETY: `out` is non-NULL and, by the caller's contract, valid for two
    // ints.
    unsafe { out.as_ptr().copy_from_nonoverlapping(pair.as_ptr(), 2) };
    Ok(0)
}

/// As pipe(2): creates a pipe, `fds[0]` the read end and `fds[1]` the write
/// end. Returns 0, or -1 with errno.
///
/// # Errors
/// `EFAULT` if `fds` is NULL; `EMFILE`/`ENFILE` when out of descriptors.
///
/// # Safety
/// `fds` is NULL or points to two writable ints.
/// cbindgen:postfix=RSIPC_THROW
/// cbindgen:ptrs-as-arrays=[[fds;2]]
// The annotation is cbindgen's syntax, not an intra-doc link.
#[allow(rustdoc::broken_intra_doc_links)]
#[no_mangle]
pub unsafe extern "C" fn rsipc_pipe(fds: *mut c_int) -> c_int {
    // SAFETY: forwarded from this function's contract.
    guard(-1, call!("pipe", fds = Ptr(fds)), || unsafe { pipe_into(fds, 0) })
}

/// As pipe2(2): a pipe whose ends get `flags` (`O_CLOEXEC`, `O_NONBLOCK`,
/// `O_DIRECT` for packet mode). Returns 0, or -1 with errno.
///
/// # Errors
/// `EFAULT` if `fds` is NULL; `EINVAL` for any other flag bit;
/// `EMFILE`/`ENFILE` when out of descriptors.
///
/// # Safety
/// `fds` is NULL or points to two writable ints.
/// cbindgen:postfix=RSIPC_THROW
/// cbindgen:ptrs-as-arrays=[[fds;2]]
// The annotation is cbindgen's syntax, not an intra-doc link.
#[allow(rustdoc::broken_intra_doc_links)]
#[no_mangle]
pub unsafe extern "C" fn rsipc_pipe2(fds: *mut c_int, flags: c_int) -> c_int {
    // SAFETY: forwarded from this function's contract.
    guard(-1, call!("pipe2", fds = Ptr(fds), flags = Pipe2Flags(flags)), || unsafe { pipe_into(fds, flags) })
}

/// The capacity of the pipe or FIFO `fd` in bytes (`F_GETPIPE_SZ`; 65536 by
/// default on Linux). Returns -1 with errno on failure.
///
/// # Errors
/// `EBADF` if `fd` is not open or is not a pipe or FIFO (the message says
/// which).
#[no_mangle]
pub extern "C" fn rsipc_pipe_capacity(fd: c_int) -> c_int {
    guard(-1, call!("pipe_capacity", fd = fd), || super::capacity(fd))
}

/// Resizes the pipe or FIFO `fd` to hold at least `bytes` (`F_SETPIPE_SZ`;
/// the kernel rounds up to a power-of-two number of pages) and returns the
/// new capacity, or -1 with errno.
///
/// # Errors
/// `EINVAL` if `bytes <= 0`; `EBADF` if `fd` is not an open pipe or FIFO;
/// `EPERM` above `/proc/sys/fs/pipe-max-size` without `CAP_SYS_RESOURCE`;
/// `EBUSY` if the pipe holds more data than `bytes`.
#[no_mangle]
pub extern "C" fn rsipc_pipe_set_capacity(fd: c_int, bytes: c_int) -> c_int {
    guard(-1, call!("pipe_set_capacity", fd = fd, bytes = bytes), || super::set_capacity(fd, bytes))
}

/// Sets (`on == 1`) or clears (`on == 0`) `O_NONBLOCK` on any descriptor.
/// Returns 0, or -1 with errno.
///
/// # Errors
/// `EINVAL` if `on` is neither 0 nor 1; `EBADF` if `fd` is not open.
#[no_mangle]
pub extern "C" fn rsipc_set_nonblocking(fd: c_int, on: c_int) -> c_int {
    guard(-1, call!("set_nonblocking", fd = fd, on = on), || {
        let on = match on {
            0 => false,
            1 => true,
            _ => return Err(crate::Error::new(libc::EINVAL, reason!("`on` must be 0 or 1, not {}", on))),
        };
        super::set_nonblocking(fd, on).map(|()| 0)
    })
}

/// Writes all `len` bytes of `buf` to `fd`, retrying `EINTR` and short
/// writes. Returns `len` on success; fewer than `len` with errno set (and
/// rsipc_last_error() saying why) when an error stopped it after some bytes;
/// -1 with errno when nothing was written. `len == 0` writes nothing and
/// returns 0. Every write(2) of the loop is a thread-cancellation point, as
/// in a loop over glibc's write: a cancel acts at the first one (when
/// `len > 0`) or while one waits; the bytes written before stay written.
///
/// # Errors
/// `EFAULT` if `buf` is NULL and `len > 0`; `EINVAL` if `len > SSIZE_MAX`;
/// `EBADF`, `EPIPE` (with `SIGPIPE` unless ignored), `EAGAIN` on a full
/// non-blocking descriptor, and the other errors of write(2).
///
/// # Safety
/// `buf` is NULL or valid for reads of `len` bytes.
#[no_mangle]
pub unsafe extern "C-unwind" fn rsipc_write_all(fd: c_int, buf: *const c_void, len: size_t) -> ssize_t {
    // A loop of write(2), each a cancellation point: the first one acts on
    // a pending cancel before anything else.
    if len > 0 {
        // SAFETY: called from C: no catch_unwind of rsipc is on the stack.
        unsafe { cancel::test() };
    }
    guard_transfer_cancel(
        call!("write_all", fd = fd, buf = Ptr(buf), len = len),
        || {
            check_len(len)?;
            // SAFETY: forwarded from this function's contract.
            unsafe { in_bytes(buf, len, "buf") }
        },
        // SAFETY: guard_transfer_cancel runs this with no catch_unwind on the
        // stack.
        |bytes| unsafe { super::write_all_as(Cancel::Point, fd.into(), bytes) },
        |t| Ok(super::explain_transfer(fd.into(), t, "written to")),
    )
}

/// Reads from `fd` until `len` bytes are in `buf` or end of file, retrying
/// `EINTR` and short reads. Returns `len` on success; fewer than `len` with
/// errno 0 at end of file; fewer than `len` with errno set when an error
/// stopped it after some bytes; -1 with errno when an error came before any
/// byte. Every read(2) of the loop is a thread-cancellation point, as in a
/// loop over glibc's read (see rsipc_write_all).
///
/// # Errors
/// `EFAULT` if `buf` is NULL and `len > 0`; `EINVAL` if `len > SSIZE_MAX`;
/// `EBADF`, `EAGAIN` on an empty non-blocking descriptor, and the other
/// errors of read(2).
///
/// # Safety
/// `buf` is NULL or valid for writes of `len` bytes.
#[no_mangle]
pub unsafe extern "C-unwind" fn rsipc_read_exact(fd: c_int, buf: *mut c_void, len: size_t) -> ssize_t {
    // A loop of read(2), each a cancellation point: the first one acts on a
    // pending cancel before anything else.
    if len > 0 {
        // SAFETY: called from C: no catch_unwind of rsipc is on the stack.
        unsafe { cancel::test() };
    }
    guard_transfer_cancel(
        call!("read_exact", fd = fd, buf = Ptr(buf), len = len),
        || {
            check_len(len)?;
            // SAFETY: forwarded from this function's contract.
            unsafe { out_bytes(buf, len, "buf") }
        },
        // SAFETY: guard_transfer_cancel runs this with no catch_unwind on the
        // stack.
        |bytes| unsafe { super::read_exact_as(Cancel::Point, fd.into(), bytes) },
        |t| Ok(super::explain_transfer(fd.into(), t, "read from")),
    )
}

/// A length the `ssize_t` return value can report.
fn check_len(len: size_t) -> crate::Result<()> {
    if len > ssize_t::MAX as size_t {
        return Err(crate::Error::new(libc::EINVAL, reason!("len {} is larger than SSIZE_MAX", len)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipe2_messages_decode_only_the_flags_pipe2_has() {
        // SAFETY: NULL fds is rejected before any write.
        assert_eq!(unsafe { rsipc_pipe2(std::ptr::null_mut(), 0) }, -1);
        let msg = crate::error::last_error();
        assert!(msg.starts_with("pipe2(fds=NULL, flags=0): EFAULT"), "{msg}");
        // SAFETY: as above.
        assert_eq!(unsafe { rsipc_pipe2(std::ptr::null_mut(), libc::O_CLOEXEC | libc::O_RDWR) }, -1);
        let msg = crate::error::last_error();
        assert!(msg.starts_with("pipe2(fds=NULL, flags=O_CLOEXEC|0x2): EINVAL"), "{msg}");
    }
}
