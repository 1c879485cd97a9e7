//! Pointer helpers: a C pointer argument checked once (NULL becomes
//! `EFAULT` naming the argument) and turned into a Rust reference, slice or
//! string.

use std::ffi::CStr;
use std::ptr::NonNull;

use libc::c_char;

use crate::ctl::{self, CtlBuffer};
use crate::error::{Error, Result};

#[cold]
fn null(what: &'static str) -> Error {
    crate::err!(libc::EFAULT, "`{}` is NULL", what)
}

/// `p` as a non-NULL pointer, or `EFAULT` naming `what`.
#[inline]
pub(crate) fn non_null<T>(p: *mut T, what: &'static str) -> Result<NonNull<T>> {
    NonNull::new(p).ok_or_else(|| null(what))
}

/// `p` as a non-NULL const pointer, or `EFAULT` naming `what`.
#[inline]
pub(crate) fn non_null_const<T>(p: *const T, what: &'static str) -> Result<NonNull<T>> {
    NonNull::new(p as *mut T).ok_or_else(|| null(what))
}

/// `p` as `&mut T`, or `EFAULT` naming `what`.
///
/// # Safety
/// `p` is NULL or valid for reads and writes of a `T` for `'a`, with no other
/// reference to it alive.
#[inline]
pub(crate) unsafe fn out_ref<'a, T>(p: *mut T, what: &'static str) -> Result<&'a mut T> {
    // SAFETY: non-NULL checked; validity is the caller's contract.
    non_null(p, what).map(|mut p| unsafe { p.as_mut() })
}

/// `p` as `&T`, or `EFAULT` naming `what`.
///
/// # Safety
/// `p` is NULL or valid for reads of a `T` for `'a`.
#[inline]
pub(crate) unsafe fn in_ref<'a, T>(p: *const T, what: &'static str) -> Result<&'a T> {
    // SAFETY: non-NULL checked; validity is the caller's contract.
    non_null_const(p, what).map(|p| unsafe { p.as_ref() })
}

/// `p` as a C string, or `EFAULT` naming `what`.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string valid for `'a`.
#[inline]
pub(crate) unsafe fn c_str<'a>(p: *const c_char, what: &'static str) -> Result<&'a CStr> {
    // SAFETY: non-NULL checked; termination is the caller's contract.
    non_null_const(p, what).map(|p| unsafe { CStr::from_ptr(p.as_ptr()) })
}

/// `len` bytes at `p` as a slice; `len == 0` accepts any pointer (as the
/// kernel does), otherwise NULL is `EFAULT` naming `what`.
///
/// # Safety
/// When `len > 0`, `p` is NULL or valid for reads of `len` bytes for `'a`.
#[inline]
pub(crate) unsafe fn in_bytes<'a>(p: *const libc::c_void, len: usize, what: &'static str) -> Result<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    let p = non_null_const(p as *const u8, what)?;
    // SAFETY: non-NULL, len > 0; validity for len bytes is the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(p.as_ptr(), len) })
}

/// `len` writable bytes at `p`; `len == 0` accepts any pointer, otherwise
/// NULL is `EFAULT` naming `what`.
///
/// # Safety
/// When `len > 0`, `p` is NULL or valid for writes of `len` bytes for `'a`,
/// with no other reference to them alive.
#[inline]
pub(crate) unsafe fn out_bytes<'a>(p: *mut libc::c_void, len: usize, what: &'static str) -> Result<&'a mut [u8]> {
    if len == 0 {
        return Ok(&mut []);
    }
    let p = non_null(p as *mut u8, what)?;
    // SAFETY: non-NULL, len > 0; validity for len bytes is the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts_mut(p.as_ptr(), len) })
}

/// Stores the result of a query command (`IPC_STAT`, `IPC_INFO`, ...) in the
/// caller's buffer and returns the call's value. The query runs first, as in
/// the kernel, so a NULL `buf` is `EFAULT` only when the query itself
/// succeeded, with a message saying what `command` stores there.
///
/// # Safety
/// `buf` is NULL or valid for writes of a `T`.
pub(crate) unsafe fn store_query<C: CtlBuffer, T>(
    command: C,
    buf: *mut T,
    result: Result<(libc::c_int, T)>,
) -> Result<libc::c_int> {
    let (ret, value) = result?;
    let out = NonNull::new(buf).ok_or_else(|| ctl::null_buffer(command))?;
    // SAFETY: non-NULL; valid for writes of a `T` by this function's
    // contract.
    unsafe { out.as_ptr().write(value) };
    Ok(ret)
}

/// The struct a setting command (`IPC_SET`) reads from the caller's
/// buffer, or `EFAULT` saying what `command` reads there.
///
/// # Safety
/// `buf` is NULL or valid for reads of a `T` for `'a`.
pub(crate) unsafe fn read_buffer<'a, C: CtlBuffer, T>(command: C, buf: *const T) -> Result<&'a T> {
    // SAFETY: NULL or valid, by this function's contract.
    unsafe { buf.as_ref() }.ok_or_else(|| ctl::null_buffer(command))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_pointers_are_efault_naming_the_argument() {
        let e = non_null(std::ptr::null_mut::<i32>(), "fds").unwrap_err();
        assert_eq!(e.errno(), libc::EFAULT);
        assert_eq!(e.message(), "`fds` is NULL");
        // SAFETY: a zero length never dereferences.
        assert!(unsafe { in_bytes(std::ptr::null(), 0, "buf") }.unwrap().is_empty());
        // SAFETY: NULL is rejected before any dereference.
        assert_eq!(unsafe { in_bytes(std::ptr::null(), 1, "buf") }.unwrap_err().errno(), libc::EFAULT);
    }
}
