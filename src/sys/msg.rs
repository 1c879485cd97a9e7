//! Raw System V message-queue calls — `msgget(2)`, `msgsnd(2)`,
//! `msgrcv(2)`, `msgctl(2)`: the system calls themselves (x86-64 and
//! aarch64 have one per call; glibc's wrappers make exactly these), never
//! through glibc's symbols, which `librsipc_preload.so` may interpose with
//! rsipc's own. `msgsnd` and `msgrcv` are cancellation points only when
//! asked ([`Cancel`]), as glibc's wrappers are. Policy (argument checks, messages) belongs to
//! [`crate::msg`].
//!
//! A message buffer is handled as bytes in the `struct msgbuf` layout every
//! caller uses: a native `long` `mtype`, then the text. The slices passed
//! here always hold at least the `long`.

use libc::{c_int, c_long, key_t};

use super::{cancel, cvt, Cancel};
use crate::error::{Error, Result};

// The constants below are missing from the libc crate (or from some of its
// targets). C programs get them from <sys/msg.h>, so they stay out of
// rsipc.h (cbindgen:ignore): a second definition there would clash.

/// cbindgen:ignore
/// `msgrcv` flag: copy the message at index `msgtyp` without removing it
/// (Linux 3.8, `CONFIG_CHECKPOINT_RESTORE`; needs `IPC_NOWAIT`).
pub const MSG_COPY: c_int = 0o40000;
/// cbindgen:ignore
/// `msgrcv` flag: with `msgtyp > 0`, the first message of any other type.
pub const MSG_EXCEPT: c_int = 0o20000;
/// cbindgen:ignore
/// `msgctl` command: `struct msqid_ds` of the queue at an index of the
/// kernel's table.
pub const MSG_STAT: c_int = 11;
/// cbindgen:ignore
/// `msgctl` command: system-wide usage in a `struct msginfo`.
pub const MSG_INFO: c_int = 12;
/// cbindgen:ignore
/// `msgctl` command: as `MSG_STAT` without the read-permission check
/// (Linux 4.17).
pub const MSG_STAT_ANY: c_int = 13;

const _: () = assert!(MSG_COPY == libc::MSG_COPY);
const _: () = assert!(MSG_EXCEPT == libc::MSG_EXCEPT);
const _: () = assert!(MSG_STAT == libc::MSG_STAT);
const _: () = assert!(MSG_INFO == libc::MSG_INFO);

/// Bytes of the `mtype` header in front of a message's text.
pub const MTYPE_LEN: usize = std::mem::size_of::<c_long>();

/// `msgget(2)`.
pub fn msgget(key: key_t, flags: c_int) -> Result<c_int> {
    // SAFETY: no pointers involved.
    cvt(unsafe { libc::syscall(libc::SYS_msgget, key as c_long, flags as c_long) }).map(|id| id as c_int)
}

/// `msgsnd(2)` of `msg` (`mtype` header + text; the text length is
/// `msg.len() - MTYPE_LEN`). No retry on `EINTR`: the kernel never restarts
/// msgsnd after a signal handler, and neither does glibc. Never a
/// cancellation point.
#[inline]
pub fn msgsnd(msqid: c_int, msg: &[u8], flags: c_int) -> Result<()> {
    // SAFETY: Cancel::Never cannot unwind.
    unsafe { msgsnd_as(Cancel::Never, msqid, msg, flags) }
}

/// [`msgsnd`], a cancellation point with [`Cancel::Point`].
///
/// # Safety
/// With [`Cancel::Point`], as for [`cancel::syscall`].
#[inline]
pub unsafe fn msgsnd_as(how: Cancel, msqid: c_int, msg: &[u8], flags: c_int) -> Result<()> {
    // The callers check the length first; this keeps the kernel from
    // reading an mtype past the end of the slice, without a panic.
    let Some(text) = msg.len().checked_sub(MTYPE_LEN) else { return Err(Error::from_errno(libc::EINVAL)) };
    let args = [msqid as c_long, msg.as_ptr() as c_long, text as c_long, flags as c_long, 0, 0];
    // SAFETY: `msg` is valid for reads of MTYPE_LEN + text bytes, which is
    // all the kernel reads; the rest is the caller's contract.
    cvt(unsafe { cancel::syscall_as(how, libc::SYS_msgsnd, args) }).map(drop)
}

/// `msgrcv(2)` into a caller's `struct msgbuf` at `msgp`, with room for
/// `msgsz` bytes of text; returns the text length; a cancellation point
/// with [`Cancel::Point`]. The kernel writes the `mtype` and at most the
/// message's text, never `msgsz` bytes as such, so `msgsz` may be any value
/// (above `LONG_MAX` the kernel says `EINVAL`).
///
/// # Safety
/// `msgp` is valid for writes of a `long` and of the text of any message
/// the call may take, up to `msgsz` bytes; with [`Cancel::Point`], as for
/// [`cancel::syscall`].
#[inline]
pub unsafe fn msgrcv_raw_as(
    how: Cancel,
    msqid: c_int,
    msgp: *mut libc::c_void,
    msgsz: usize,
    msgtyp: c_long,
    flags: c_int,
) -> Result<usize> {
    let args = [msqid as c_long, msgp as c_long, msgsz as c_long, msgtyp, flags as c_long, 0];
    // SAFETY: forwarded from this function's contract.
    let n = cvt(unsafe { cancel::syscall_as(how, libc::SYS_msgrcv, args) })?;
    Ok(n as usize)
}

/// `msgctl(2)` with `IPC_RMID` (no buffer).
pub fn msgctl_rmid(msqid: c_int) -> Result<()> {
    // SAFETY: IPC_RMID never touches the buffer; NULL is fine.
    cvt(unsafe { msgctl(msqid, libc::IPC_RMID, std::ptr::null_mut()) }).map(drop)
}

/// `msgctl(2)` for the commands that fill a `struct msqid_ds` (`IPC_STAT`,
/// `MSG_STAT`, `MSG_STAT_ANY`): the return value and the struct.
pub fn msgctl_stat(msqid: c_int, cmd: c_int) -> Result<(c_int, libc::msqid_ds)> {
    debug_assert!(matches!(cmd, libc::IPC_STAT | MSG_STAT | MSG_STAT_ANY));
    // SAFETY: an all-zero msqid_ds is a valid value of this plain C struct.
    let mut ds: libc::msqid_ds = unsafe { std::mem::zeroed() };
    // SAFETY: these commands write at most one msqid_ds into `ds`.
    let ret = cvt(unsafe { msgctl(msqid, cmd, (&mut ds as *mut libc::msqid_ds).cast()) })?;
    Ok((ret, ds))
}

/// `msgctl(2)` with `IPC_SET`.
pub fn msgctl_set(msqid: c_int, ds: &libc::msqid_ds) -> Result<()> {
    // SAFETY: IPC_SET only reads the struct; the kernel never writes it.
    cvt(unsafe { msgctl(msqid, libc::IPC_SET, (ds as *const libc::msqid_ds as *mut libc::msqid_ds).cast()) }).map(drop)
}

/// `msgctl(2)` with `IPC_INFO` or `MSG_INFO`: the index of the highest used
/// entry of the kernel's table, and the `struct msginfo` (limits for
/// `IPC_INFO`, usage in `msgpool`/`msgmap`/`msgtql` for `MSG_INFO`).
pub fn msgctl_info(msqid: c_int, cmd: c_int) -> Result<(c_int, libc::msginfo)> {
    debug_assert!(matches!(cmd, libc::IPC_INFO | MSG_INFO));
    // SAFETY: an all-zero msginfo is a valid value of this plain C struct.
    let mut info: libc::msginfo = unsafe { std::mem::zeroed() };
    // SAFETY: these commands write exactly one struct msginfo through the
    // (cast) buffer pointer.
    let ret = cvt(unsafe { msgctl(msqid, cmd, (&mut info as *mut libc::msginfo).cast()) })?;
    Ok((ret, info))
}

/// The `msgctl(2)` system call: `cmd` as given (the native 64-bit call
/// takes no `IPC_64` bit; glibc's `__IPC_64` is 0 on x86-64).
///
/// # Safety
/// `buf` is what `cmd` reads or writes (NULL where it uses none).
unsafe fn msgctl(msqid: c_int, cmd: c_int, buf: *mut libc::c_void) -> c_int {
    // SAFETY: forwarded from this function's contract.
    unsafe { libc::syscall(libc::SYS_msgctl, msqid as c_long, cmd as c_long, buf) as c_int }
}
