//! C shims for System V message queues.

use libc::{c_int, c_long, c_void, key_t, msqid_ds, size_t, ssize_t};

use super::{Command, MSG_COPY, MSG_EXCEPT, MTYPE_LEN};
use crate::ctl::{Buffer, CmdName, CtlBuffer, CtlCommand};
use crate::ffi::{
    flag_names, flag_table, guard, guard_cancel, in_bytes, non_null_const, read_buffer, store_query, FlagTable,
    IpcGetFlags, Key, Ptr,
};
use crate::sys::ipc as sys;
use crate::sys::{cancel, Cancel};
use crate::{Error, Result};

/// As msgget(2): the id of the System V message queue of `key`; with
/// `IPC_CREAT` a new empty queue is created when none exists, with the
/// permission bits in the low 9 bits of `msgflg`; `IPC_PRIVATE` always
/// creates a new one. Returns the id, or -1 with errno.
///
/// # Errors
/// `EEXIST` (`IPC_CREAT|IPC_EXCL` and the key is taken), `ENOENT` (no queue
/// and no `IPC_CREAT`), `EACCES` (the mode denies access), `ENOSPC` (the
/// system's `msgmni` queues exist), `ENOMEM`.
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub extern "C" fn rsipc_msgget(key: key_t, msgflg: c_int) -> c_int {
    guard(-1, call!("msgget", key = Key(key), flags = IpcGetFlags(msgflg)), || super::msgget(key, msgflg))
}

/// As msgsnd(2): appends the message at `msgp` — a `long mtype` (> 0)
/// followed by `msgsz` bytes of text, as in `struct msgbuf` — to queue
/// `msqid`. While the queue is full the call waits, unless `msgflg` has
/// `IPC_NOWAIT`. Returns 0, or -1 with errno.
///
/// A thread-cancellation point, as glibc's: a pending cancel acts when the
/// call begins, and the wait for room can be cancelled (the message is then
/// not queued).
///
/// # Errors
/// `EFAULT` (`msgp` is NULL); `EINVAL` (`mtype` <= 0, `msgsz` larger than
/// `msgmax`, or larger than the queue's `msg_qbytes` so that it could never
/// be queued — where the kernel would wait forever; rsipc detects it when
/// the queue is full and the caller may read its `msqid_ds` — or no queue
/// `msqid`; the message says which);
/// `EAGAIN` (full and `IPC_NOWAIT`); `EIDRM` (the queue was removed while
/// waiting); `EINTR` (a signal handler ran while waiting; never restarted);
/// `EACCES` (no write permission); `ENOMEM`.
///
/// # Departures from glibc
/// A message larger than the queue's `msg_qbytes` is `EINVAL`: the kernel
/// would wait forever (or, with `IPC_NOWAIT`, say `EAGAIN`) for room that can
/// never come.
///
/// # Safety
/// `msgp` is NULL or valid for reads of a `long` followed by `msgsz` bytes.
#[no_mangle]
pub unsafe extern "C-unwind" fn rsipc_msgsnd(msqid: c_int, msgp: *const c_void, msgsz: size_t, msgflg: c_int) -> c_int {
    // As glibc's msgsnd, a cancellation point that acts on a pending cancel
    // before anything else.
    // SAFETY: called from C: no catch_unwind of rsipc is on the stack.
    unsafe { cancel::test() };
    guard_cancel(
        -1,
        call!("msgsnd", msqid = msqid, msgp = Ptr(msgp), msgsz = msgsz, flags = MsgFlags(msgflg)),
        || {
            // The kernel reads the mtype before it looks at anything else.
            non_null_const(msgp, "msgp")?;
            let len = buffer_len(msgsz)?;
            // SAFETY: forwarded from this function's contract (non-NULL).
            let msg = unsafe { in_bytes(msgp, len, "msgp") }?;
            super::check_send(msg).map(|text| (msg, text))
        },
        // SAFETY: guard_cancel runs this with no catch_unwind on the stack.
        |(msg, text)| (unsafe { super::send_as(Cancel::Point, msqid, msg, msgflg) }, text),
        |(sent, text)| sent.map(|()| 0).map_err(|f| super::explain_send_failure(f, msqid, text)),
    )
}

/// As msgrcv(2): removes a message from queue `msqid` and stores its `long
/// mtype` and up to `msgsz` bytes of its text at `msgp` (`struct msgbuf`
/// layout). `msgtyp` 0 takes the first message, > 0 the first of type
/// `msgtyp` (with `MSG_EXCEPT`: the first of any other type), < 0 the first
/// of the lowest type <= `|msgtyp|`. Waits for one unless `msgflg` has
/// `IPC_NOWAIT`. A longer text is `E2BIG` and stays queued, unless
/// `MSG_NOERROR` cuts it to `msgsz` bytes. `MSG_COPY` (Linux; needs
/// `IPC_NOWAIT`) copies the message at index `msgtyp` (0 = first) and
/// leaves it in the queue; kernels built without `CONFIG_CHECKPOINT_RESTORE`
/// refuse it with `ENOSYS`. Returns the number of text bytes stored, or -1
/// with errno.
///
/// A thread-cancellation point, as glibc's: a pending cancel acts when the
/// call begins, and the wait for a message can be cancelled (no message is
/// then taken).
///
/// # Errors
/// `EFAULT` (`msgp` is NULL — checked before any message is taken, so none
/// is lost, and after the kernel's checks of the id, the size, the flags
/// and the permission, and after `ENOMSG` for an empty queue under
/// `IPC_NOWAIT`); `ENOMSG` (`IPC_NOWAIT` and no suitable message); `E2BIG`;
/// `EINVAL` (no queue `msqid`, `msgsz` above `LONG_MAX`, `MSG_COPY` without
/// `IPC_NOWAIT` or with `MSG_EXCEPT`, or with `MSG_NOERROR` and a text
/// longer than `msgsz`: the kernel never cuts a copy short); `EIDRM`
/// (removed while waiting);
/// `EINTR`; `EACCES` (no read permission); `ENOSYS` (`MSG_COPY`, see above).
///
/// As with msgrcv(2), `msgsz` is only the room the caller offers: any
/// value up to `LONG_MAX` is fine, only the message is written.
///
/// # Departures from glibc
/// A NULL `msgp` is `EFAULT` before any message is taken: the kernel would
/// take the message off the queue and then fault copying it out, losing it.
///
/// # Safety
/// `msgp` is NULL or valid for writes of a `long` followed by `msgsz` bytes
/// (or at least the text of the message taken).
#[no_mangle]
pub unsafe extern "C-unwind" fn rsipc_msgrcv(
    msqid: c_int,
    msgp: *mut c_void,
    msgsz: size_t,
    msgtyp: c_long,
    msgflg: c_int,
) -> ssize_t {
    // As glibc's msgrcv, a cancellation point that acts on a pending cancel
    // before anything else.
    // SAFETY: called from C: no catch_unwind of rsipc is on the stack.
    unsafe { cancel::test() };
    guard_cancel(
        -1,
        call!("msgrcv", msqid = msqid, msgp = Ptr(msgp), msgsz = msgsz, msgtyp = msgtyp, flags = MsgFlags(msgflg)),
        || {
            if msgp.is_null() {
                return Err(super::receive_null(msqid, msgsz, msgtyp, msgflg));
            }
            super::check_receive(msqid, msgsz, msgflg).map(|()| msgp)
        },
        // SAFETY: guard_cancel runs this with no catch_unwind on the stack.
        |msgp| unsafe { sys::msgrcv_raw_as(Cancel::Point, msqid, msgp, msgsz, msgtyp, msgflg) },
        |received| received.map(|n| n as ssize_t).map_err(|e| super::explain_receive(e, msqid, msgsz, msgtyp, msgflg)),
    )
}

/// The bytes of a message to send: the `mtype` and `msgsz` bytes of text.
/// A size that does not fit in the address space is far above `msgmax`
/// (an `int`), so `EINVAL`, as the kernel says.
fn buffer_len(msgsz: size_t) -> Result<usize> {
    msgsz.checked_add(MTYPE_LEN).filter(|&len| len <= isize::MAX as usize).ok_or_else(|| {
        Error::new(libc::EINVAL, reason!("msgsz {} is far above msgmax, the largest text a message may have", msgsz))
    })
}

/// As msgctl(2): `IPC_STAT` fills `*buf`; `IPC_SET` sets owner, group, mode
/// and `msg_qbytes` from `*buf`; `IPC_RMID` removes the queue at once (every
/// process waiting in msgsnd/msgrcv on it wakes with `EIDRM`; `buf`
/// ignored); `IPC_INFO` (limits) and `MSG_INFO` (usage) store a `struct
/// msginfo` through `buf` (cast it, as with glibc) and return the highest
/// used index of the kernel's table; `MSG_STAT`/`MSG_STAT_ANY` take that
/// index in `msqid`, fill `*buf` and return the queue's id. Returns what
/// msgctl(2) returns, or -1 with errno.
///
/// # Errors
/// `EINVAL` (unknown `cmd`, negative `msqid`, no such queue or index),
/// `EFAULT` (`buf` is NULL where `cmd` needs it — the kernel's checks come
/// first), `EACCES` (no read permission for `IPC_STAT`/`MSG_STAT`),
/// `EPERM` (`IPC_SET`/`IPC_RMID` by a non-owner, or `msg_qbytes` above
/// `msgmnb` without `CAP_SYS_RESOURCE`), `EIDRM`, `EOVERFLOW`.
///
/// # Safety
/// `buf` is NULL or valid for what `cmd` reads or writes: a `struct
/// msqid_ds` (`IPC_STAT`, `IPC_SET`, `MSG_STAT`, `MSG_STAT_ANY`) or a
/// `struct msginfo` (`IPC_INFO`, `MSG_INFO`).
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub unsafe extern "C" fn rsipc_msgctl(msqid: c_int, cmd: c_int, buf: *mut msqid_ds) -> c_int {
    guard(-1, call!("msgctl", msqid = msqid, cmd = CmdName::<Command>::new(cmd), buf = Ptr(buf)), || {
        let command = Command::check(msqid, cmd)?;
        // SAFETY (every `store_query` and `read_buffer` below): `buf` is valid for the
        // struct the command uses, by this function's contract.
        match command {
            Command::Stat => unsafe { store_query(command, buf, super::stat(msqid).map(|ds| (0, ds))) },
            Command::StatIndex => unsafe { store_query(command, buf, super::stat_index(msqid, false)) },
            Command::StatAny => unsafe { store_query(command, buf, super::stat_index(msqid, true)) },
            Command::Info => unsafe { store_query(command, buf.cast::<libc::msginfo>(), super::limits(msqid)) },
            Command::MsgInfo => unsafe { store_query(command, buf.cast::<libc::msginfo>(), super::usage(msqid)) },
            Command::Set => super::set(msqid, unsafe { read_buffer(command, buf) }?).map(|()| 0),
            Command::Rmid => super::remove(msqid).map(|()| 0),
        }
    })
}

impl CtlBuffer for Command {
    fn buffer(self) -> Option<Buffer> {
        match self {
            Command::Info | Command::MsgInfo => Some(Buffer::fills("buf", "msginfo")),
            Command::Set => Some(Buffer::reads("buf", "msqid_ds")),
            Command::Stat | Command::StatIndex | Command::StatAny => Some(Buffer::fills("buf", "msqid_ds")),
            Command::Rmid => None,
        }
    }
}

flag_table! {
    /// `msgsnd`/`msgrcv` flags by name.
    struct MsgFlags = FlagTable::bits(flag_names![
        IPC_NOWAIT,
        MSG_NOERROR,
        MSG_EXCEPT = MSG_EXCEPT,
        MSG_COPY = MSG_COPY,
    ]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errno() -> c_int {
        // SAFETY: reading this thread's errno.
        unsafe { *libc::__errno_location() }
    }

    #[test]
    fn null_msgp_is_efault_for_send_and_receive() {
        // SAFETY: NULL is rejected before any access.
        assert_eq!(unsafe { rsipc_msgsnd(0, std::ptr::null(), 4, 0) }, -1);
        assert_eq!(errno(), libc::EFAULT);
        assert!(crate::error::last_error().starts_with("msgsnd(msqid=0, msgp=NULL, msgsz=4, flags=0): EFAULT"));
        // A NULL buffer to receive into is EFAULT after the kernel's checks
        // of the queue (an empty one under IPC_NOWAIT is ENOMSG, as there).
        let q = rsipc_msgget(libc::IPC_PRIVATE, libc::IPC_CREAT | 0o600);
        assert!(q >= 0);
        let sent: [u8; 12] = [7, 0, 0, 0, 0, 0, 0, 0, b'a', b'b', b'c', b'd'];
        // SAFETY: `sent` holds an mtype and 4 bytes of text.
        assert_eq!(unsafe { rsipc_msgsnd(q, sent.as_ptr().cast(), 4, 0) }, 0);
        // SAFETY: NULL is rejected before any access.
        assert_eq!(unsafe { rsipc_msgrcv(q, std::ptr::null_mut(), 4, 0, libc::IPC_NOWAIT) }, -1);
        assert_eq!(errno(), libc::EFAULT);
        assert!(crate::error::last_error().contains("flags=IPC_NOWAIT): EFAULT"), "{}", crate::error::last_error());
        let mut m = [0u8; 16];
        // SAFETY: room for the mtype and 8 bytes; the message is still there.
        assert_eq!(unsafe { rsipc_msgrcv(q, m.as_mut_ptr().cast(), 8, 0, libc::IPC_NOWAIT) }, 4);
        // SAFETY: as above.
        assert_eq!(unsafe { rsipc_msgrcv(q, std::ptr::null_mut(), 4, 0, libc::IPC_NOWAIT) }, -1);
        assert_eq!(errno(), libc::ENOMSG);
        // SAFETY: as above.
        assert_eq!(unsafe { rsipc_msgrcv(-1, std::ptr::null_mut(), 4, 0, libc::IPC_NOWAIT) }, -1);
        assert_eq!(errno(), libc::EINVAL);
        // SAFETY: IPC_RMID ignores buf.
        assert_eq!(unsafe { rsipc_msgctl(q, libc::IPC_RMID, std::ptr::null_mut()) }, 0);
    }

    #[test]
    fn msgsz_above_long_max_is_einval() {
        let mut m = [0u8; 16];
        // SAFETY: the size is rejected before the buffer is used.
        assert_eq!(unsafe { rsipc_msgrcv(0, m.as_mut_ptr().cast(), usize::MAX, 0, 0) }, -1);
        assert_eq!(errno(), libc::EINVAL);
    }

    #[test]
    fn msgsz_up_to_long_max_is_only_room() {
        let q = rsipc_msgget(libc::IPC_PRIVATE, libc::IPC_CREAT | 0o600);
        assert!(q >= 0);
        let sent: [u8; 12] = [7, 0, 0, 0, 0, 0, 0, 0, b'a', b'b', b'c', b'd'];
        for msgsz in [c_long::MAX as size_t, c_long::MAX as size_t - 7, 1 << 40] {
            // SAFETY: `sent` holds an mtype and 4 bytes of text.
            assert_eq!(unsafe { rsipc_msgsnd(q, sent.as_ptr().cast(), 4, 0) }, 0);
            let mut m = [0u8; 16];
            // SAFETY: the kernel writes the mtype and the 4 bytes, which fit.
            assert_eq!(unsafe { rsipc_msgrcv(q, m.as_mut_ptr().cast(), msgsz, 0, 0) }, 4, "msgsz {msgsz}");
            assert_eq!(&m[..12], &sent);
        }
        // SAFETY: IPC_RMID ignores buf.
        assert_eq!(unsafe { rsipc_msgctl(q, libc::IPC_RMID, std::ptr::null_mut()) }, 0);
    }

    #[test]
    fn commands_and_flags_are_shown_by_name() {
        assert_eq!(CmdName::<Command>::new(super::super::MSG_STAT_ANY).to_string(), "MSG_STAT_ANY");
        assert_eq!(CmdName::<Command>::new(77).to_string(), "77");
        assert_eq!(MsgFlags(libc::IPC_NOWAIT | MSG_COPY).to_string(), "IPC_NOWAIT|MSG_COPY");
    }
}
