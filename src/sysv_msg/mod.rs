//! System V message queues: `msgget(2)`, `msgsnd(2)`, `msgrcv(2)`,
//! `msgctl(2)`, with their errors explained.
//!
//! Queues are kernel objects, so a queue used here is the same object a
//! glibc program sees. A message travels in the `struct msgbuf` layout C
//! programs use: a native `long` `mtype` (> 0), then the text. The functions
//! below take that layout as bytes ([`encode`] and [`decode`] convert).
//!
//! Two behaviours go beyond the bare system call, both only on paths where
//! the kernel would fail or wait anyway:
//! * a message larger than the queue's `msg_qbytes` can never be queued: the
//!   kernel would make a blocking sender wait forever (or say `EAGAIN`);
//!   rsipc says `EINVAL`, naming the limit;
//! * every `EINVAL` names its cause (`mtype`, `msgmax`, a removed queue...).

// Safe Rust only: unsafe code lives in sys/ and at the C boundary (ffi);
// each exception below says why it needs it.
#![deny(unsafe_code)]

// The C boundary: raw pointers and descriptors from C.
#[allow(unsafe_code)]
pub(crate) mod ffi;

use std::fmt;

use libc::{c_int, c_long, key_t};

use crate::arg::Key;
use crate::ctl::{self, CtlCommand, CtlObject};
use crate::error::{later, Error, Reason, Result};
use crate::sys::ipc as sys;
pub use crate::sys::ipc::{MSG_COPY, MSG_EXCEPT, MSG_INFO, MSG_STAT, MSG_STAT_ANY, MTYPE_LEN};
use crate::sys::Cancel;

/// The `msgrcv` flags rsipc knows by name (others go to the kernel as they
/// are, which ignores them).
pub const MSGRCV_FLAGS: c_int = libc::IPC_NOWAIT | libc::MSG_NOERROR | MSG_EXCEPT | MSG_COPY;

// ---------------------------------------------------------------------------
// The message layout

/// A message in the `struct msgbuf` layout: `mtype` in native byte order,
/// then `text`. (For Rust callers; the C path uses the caller's buffer.)
pub fn encode(mtype: c_long, text: &[u8]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(MTYPE_LEN + text.len());
    buf.extend_from_slice(&mtype.to_ne_bytes());
    buf.extend_from_slice(text);
    buf
}

/// The `mtype` and the first `len` bytes of text of a buffer [`receive`]
/// filled (`len` is what it returned).
pub fn decode(buf: &[u8], len: usize) -> (c_long, &[u8]) {
    (mtype_of(buf), &buf[MTYPE_LEN..MTYPE_LEN + len])
}

/// The `mtype` at the start of a message buffer (at least [`MTYPE_LEN`]
/// bytes long; it need not be aligned).
fn mtype_of(buf: &[u8]) -> c_long {
    let mut raw = [0u8; MTYPE_LEN];
    raw.copy_from_slice(&buf[..MTYPE_LEN]);
    c_long::from_ne_bytes(raw)
}

#[cold]
fn short_buffer(len: usize) -> Error {
    Error::new(libc::EINVAL, reason!("the buffer has {} bytes, fewer than its {}-byte mtype", len, MTYPE_LEN))
}

// ---------------------------------------------------------------------------
// msgget

/// As `msgget(2)`: the id of the queue of `key`, created with `IPC_CREAT`
/// (permission bits in the low 9 bits of `flags`; `IPC_PRIVATE` always
/// creates a new one).
///
/// Errors as the kernel gives them, explained: `EEXIST`, `ENOENT`,
/// `EACCES`, `ENOSPC`, `ENOMEM`.
pub fn msgget(key: key_t, flags: c_int) -> Result<c_int> {
    sys::msgget(key, flags).map_err(|e| explain_msgget(e, key))
}

#[cold]
fn explain_msgget(e: Error, key: key_t) -> Error {
    let key = Key(key);
    match e.errno() {
        libc::EEXIST => e.because(reason!("a queue with key {} already exists (IPC_CREAT|IPC_EXCL)", key)),
        libc::ENOENT => e.because(reason!("no queue has key {}, and IPC_CREAT is not set", key)),
        libc::EACCES => e.because(reason!("the permissions of the queue with key {} deny the access asked for", key)),
        libc::ENOSPC => e.because("the system-wide limit on message queues (/proc/sys/kernel/msgmni) is reached"),
        libc::ENOMEM => e.because("the kernel has no memory for a new queue"),
        _ => e,
    }
}

// ---------------------------------------------------------------------------
// msgsnd

/// As `msgsnd(2)`: queues `msg` (`mtype` then text, see [`encode`]) on
/// `msqid`; waits while the queue is full unless `flags` has `IPC_NOWAIT`
/// (`EAGAIN`).
///
/// `EINVAL` for an `mtype` <= 0, a text longer than `msgmax`
/// (`/proc/sys/kernel/msgmax`) or than the queue's `msg_qbytes` (the message
/// could never fit, where the kernel would wait forever; checked once the
/// queue is full, when `IPC_STAT` is allowed), or no queue
/// `msqid`; `EIDRM` if the queue is removed while waiting; `EINTR` if a
/// signal handler interrupts the wait (never restarted, as in the kernel);
/// `EACCES` without write permission.
#[inline]
// unsafe: only to call the Cancel::Never form of the function below, which
// cannot unwind.
#[allow(unsafe_code)]
pub fn send(msqid: c_int, msg: &[u8], flags: c_int) -> Result<()> {
    let text = check_send(msg)?;
    // SAFETY: Cancel::Never cannot unwind.
    unsafe { send_as(Cancel::Never, msqid, msg, flags) }.map_err(|f| explain_send_failure(f, msqid, text))
}

/// The checks of [`send`] before any system call: the buffer holds an
/// `mtype` and the `mtype` is > 0. Returns the text length.
pub(crate) fn check_send(msg: &[u8]) -> Result<usize> {
    if msg.len() < MTYPE_LEN {
        return Err(short_buffer(msg.len()));
    }
    let mtype = mtype_of(msg);
    if mtype <= 0 {
        return Err(Error::new(libc::EINVAL, reason!("mtype is {}: a message's type must be > 0", mtype)));
    }
    Ok(msg.len() - MTYPE_LEN)
}

/// Why [`send_as`] failed, before it is explained.
pub(crate) enum SendFailure {
    /// The system call's error.
    Os(Error),
    /// The text is larger than the queue's `msg_qbytes` (given): it could
    /// never be queued.
    TooLarge(u64),
    /// The queue is full and `IPC_NOWAIT` is set (`EAGAIN`).
    Full(Error),
}

/// [`send`] after [`check_send`]: system calls only, no message built, so
/// it can run where nothing may panic. With [`Cancel::Point`] the wait for
/// room in the queue is a cancellation point.
///
/// # Safety
/// With [`Cancel::Point`], as for [`crate::sys::cancel::syscall`].
#[inline]
// unsafe: the cancellation contract of sys::cancel (with Cancel::Point a
// cancel may unwind from here; no catch_unwind may be on the stack), passed
// on to the C boundary; no memory is touched unsafely.
#[allow(unsafe_code)]
pub(crate) unsafe fn send_as(
    how: Cancel,
    msqid: c_int,
    msg: &[u8],
    flags: c_int,
) -> std::result::Result<(), SendFailure> {
    // Without waiting first: a queue with room takes the message in this one
    // call; a full queue is when a message too large for it must be told
    // apart from one that only has to wait.
    match sys::msgsnd(msqid, msg, flags | libc::IPC_NOWAIT) {
        Ok(()) => Ok(()),
        Err(e) if e.errno() == libc::EAGAIN => {
            if let Some(qbytes) = larger_than_queue(msqid, msg.len().saturating_sub(MTYPE_LEN)) {
                return Err(SendFailure::TooLarge(qbytes));
            }
            if flags & libc::IPC_NOWAIT != 0 {
                return Err(SendFailure::Full(e));
            }
            // SAFETY: forwarded from this function's contract.
            unsafe { sys::msgsnd_as(how, msqid, msg, flags) }.map_err(SendFailure::Os)
        }
        Err(e) => Err(SendFailure::Os(e)),
    }
}

/// The error of a failed send of a `text`-byte message, explained.
#[cold]
pub(crate) fn explain_send_failure(failure: SendFailure, msqid: c_int, text: usize) -> Error {
    match failure {
        SendFailure::TooLarge(qbytes) => Error::new(
            libc::EINVAL,
            reason!(
                "the message's {} bytes exceed the queue's msg_qbytes ({} bytes): it could never be queued",
                text,
                qbytes
            ),
        ),
        SendFailure::Full(e) => e.because("the queue is full (msg_qbytes reached) and IPC_NOWAIT is set"),
        SendFailure::Os(e) => explain_send(e, msqid, text),
    }
}

/// `Some(msg_qbytes)` if a text of `len` bytes can never fit in queue
/// `msqid`; `None` if it can, or if the queue cannot be read (then the
/// kernel's own behaviour stands).
fn larger_than_queue(msqid: c_int, len: usize) -> Option<u64> {
    let (_, ds) = sys::msgctl_stat(msqid, libc::IPC_STAT).ok()?;
    let qbytes: libc::msglen_t = ds.msg_qbytes;
    (len as u64 > qbytes as u64).then_some(qbytes as u64)
}

/// The system's largest message text (`msgmax`), from `IPC_INFO`.
pub fn msgmax() -> Result<usize> {
    sys::msgctl_info(0, libc::IPC_INFO).map(|(_, info)| info.msgmax as usize)
}

#[cold]
fn explain_send(e: Error, msqid: c_int, text: usize) -> Error {
    match e.errno() {
        // Whether the text exceeds msgmax is asked when the message is read.
        libc::EINVAL => e.because(Reason::compose(compose_send_einval).with(msqid).with(text)),
        libc::EIDRM => e.because(reason!("queue {} was removed while this call waited", msqid)),
        libc::EACCES => e.because(reason!("queue {}'s permissions deny this process write access", msqid)),
        libc::EINTR => e.because("a signal handler interrupted the wait for room in the queue"),
        libc::ENOMEM => e.because("the kernel has no memory for a copy of the message"),
        libc::EFAULT => e.because("the message buffer is not readable memory"),
        _ => e,
    }
}

fn compose_send_einval(r: &Reason, out: &mut dyn fmt::Write) -> fmt::Result {
    let (msqid, text) = (r.int(0) as c_int, r.int(1) as u64 as usize);
    match msgmax() {
        Ok(max) if text > max => {
            write!(out, "the message's {text} bytes exceed msgmax ({max} bytes, /proc/sys/kernel/msgmax)")?
        }
        _ => no_such_queue(msqid).write(out)?,
    }
    out.write_str(later::WHEN)
}

fn no_such_queue(msqid: c_int) -> Reason {
    if msqid < 0 {
        reason!("msqid {} is negative", msqid)
    } else {
        reason!("no queue has id {} (it was never created, or has been removed)", msqid)
    }
}

// ---------------------------------------------------------------------------
// msgrcv

/// As `msgrcv(2)`: takes a message from `msqid` into `buf` (`mtype`, then
/// room for `buf.len() - MTYPE_LEN` bytes of text) and returns the text
/// length.
///
/// `msgtyp` 0 takes the first message, > 0 the first of that type (with
/// `MSG_EXCEPT`: of any other type), < 0 the first of the lowest type <=
/// `|msgtyp|`. `IPC_NOWAIT`: `ENOMSG` instead of waiting. A text longer than
/// the room is `E2BIG` and stays queued, or is cut short with `MSG_NOERROR`.
/// `MSG_COPY` (with `IPC_NOWAIT`, not with `MSG_EXCEPT`) copies the message
/// at index `msgtyp` (0 = first) and leaves it queued; kernels built without
/// `CONFIG_CHECKPOINT_RESTORE` say `ENOSYS` for it.
///
/// Other errors: `EIDRM` (removed while waiting), `EINTR`, `EACCES`,
/// `EINVAL` (no queue `msqid`).
#[inline]
// unsafe: hands the buffer's pointer to receive_raw, valid for its length.
#[allow(unsafe_code)]
pub fn receive(msqid: c_int, buf: &mut [u8], msgtyp: c_long, flags: c_int) -> Result<usize> {
    if buf.len() < MTYPE_LEN {
        return Err(short_buffer(buf.len()));
    }
    // SAFETY: `buf` holds the mtype and `buf.len() - MTYPE_LEN` bytes of text.
    unsafe { receive_raw(msqid, buf.as_mut_ptr().cast(), buf.len() - MTYPE_LEN, msgtyp, flags) }
}

/// [`receive`] into a caller's `struct msgbuf` at `msgp` with room for
/// `msgsz` bytes of text, as msgrcv(2) takes it: `msgsz` may be anything up
/// to `LONG_MAX` (larger is `EINVAL`, as in the kernel), only the message
/// is written.
///
/// # Safety
/// `msgp` is valid for writes of a `long` followed by the text of any
/// message the call may take, up to `msgsz` bytes.
// unsafe: msgp is a caller's raw `struct msgbuf *` (C boundary data).
#[allow(unsafe_code)]
pub unsafe fn receive_raw(
    msqid: c_int,
    msgp: *mut libc::c_void,
    msgsz: usize,
    msgtyp: c_long,
    flags: c_int,
) -> Result<usize> {
    check_receive(msqid, msgsz, flags)?;
    // SAFETY: forwarded from this function's contract; Cancel::Never
    // cannot unwind.
    unsafe { sys::msgrcv_raw_as(Cancel::Never, msqid, msgp, msgsz, msgtyp, flags) }
        .map_err(|e| explain_receive(e, msqid, msgsz, msgtyp, flags))
}

/// The checks of [`receive_raw`] before the system call, in the kernel's
/// order: a negative id or a `msgsz` above `LONG_MAX` is `EINVAL`, and
/// `MSG_COPY` comes with `IPC_NOWAIT` and without `MSG_EXCEPT`.
pub(crate) fn check_receive(msqid: c_int, msgsz: usize, flags: c_int) -> Result<()> {
    if msqid < 0 || msgsz > c_long::MAX as usize {
        return Err(Error::new(libc::EINVAL, bad_receive_args(msqid, msgsz)));
    }
    if flags & MSG_COPY != 0 {
        if flags & MSG_EXCEPT != 0 {
            return Err(Error::new(libc::EINVAL, "MSG_COPY and MSG_EXCEPT cannot be combined"));
        }
        if flags & libc::IPC_NOWAIT == 0 {
            return Err(Error::new(libc::EINVAL, "MSG_COPY needs IPC_NOWAIT (it never waits for a message)"));
        }
    }
    Ok(())
}

#[cold]
fn bad_receive_args(msqid: c_int, msgsz: usize) -> Reason {
    if msqid < 0 {
        no_such_queue(msqid)
    } else {
        reason!("msgsz {} is larger than LONG_MAX", msgsz)
    }
}

/// What msgrcv(2) says for a NULL `msgp`, without taking a message (the
/// kernel would take it and then fault, losing it): its own answers where
/// it gives them before it touches the buffer — `EINVAL` for a negative
/// id, a `msgsz` above `LONG_MAX` or a bad `MSG_COPY` combination, then
/// no such queue (`EINVAL`, `EIDRM`), no read permission (`EACCES`), an
/// empty queue under `IPC_NOWAIT` (`ENOMSG`) — and `EFAULT` otherwise.
#[cold]
// unsafe: a NULL msgp, which the kernel only checks (EFAULT) once a message fits.
#[allow(unsafe_code)]
pub fn receive_null(msqid: c_int, msgsz: usize, msgtyp: c_long, flags: c_int) -> Error {
    let null = || Error::new(libc::EFAULT, "`msgp` is NULL");
    if flags & MSG_COPY != 0 {
        // MSG_COPY never takes the message: the kernel's own answer is safe.
        // SAFETY: the kernel checks the NULL pointer (EFAULT), it never
        // dereferences it in this process.
        return match unsafe { receive_raw(msqid, std::ptr::null_mut(), msgsz, msgtyp, flags) } {
            Err(e) if e.errno() == libc::EFAULT => null(),
            Err(e) => e,
            Ok(_) => null(),
        };
    }
    if msqid < 0 || msgsz > c_long::MAX as usize {
        return Error::new(libc::EINVAL, bad_receive_args(msqid, msgsz));
    }
    match sys::msgctl_stat(msqid, libc::IPC_STAT) {
        Err(e) => explain_receive(e, msqid, msgsz, msgtyp, flags),
        Ok((_, ds)) if ds.msg_qnum == 0 && flags & libc::IPC_NOWAIT != 0 => {
            explain_receive(Error::new(libc::ENOMSG, ""), msqid, msgsz, msgtyp, flags)
        }
        Ok(_) => null(),
    }
}

/// Which messages a `msgtyp` (and `MSG_EXCEPT`) asks for, in words.
struct Selection(c_long, c_int);

impl crate::error::Shown for Selection {
    fn pack(&self) -> [i64; 3] {
        [self.0, self.1 as i64, 0]
    }
    fn unpack(v: &[i64; 3]) -> Self {
        Selection(v[0] as c_long, v[1] as c_int)
    }
}

impl fmt::Display for Selection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Selection(msgtyp, flags) = *self;
        if flags & MSG_COPY != 0 {
            write!(f, "no message at index {msgtyp} (MSG_COPY counts from 0)")
        } else if msgtyp == 0 {
            f.write_str("no message")
        } else if msgtyp > 0 && flags & MSG_EXCEPT != 0 {
            write!(f, "no message of a type other than {msgtyp}")
        } else if msgtyp > 0 {
            write!(f, "no message of type {msgtyp}")
        } else {
            write!(f, "no message of a type <= {}", msgtyp.unsigned_abs())
        }
    }
}

fn compose_copy_einval(r: &Reason, out: &mut dyn fmt::Write) -> fmt::Result {
    let msqid = r.int(0) as c_int;
    if ctl::exists::<Command>(msqid) {
        write!(
            out,
            "the message at index {} is longer than msgsz ({} bytes): MSG_COPY never cuts a copy short, even with MSG_NOERROR",
            r.int(1),
            r.int(2) as u64
        )?;
    } else {
        no_such_queue(msqid).write(out)?;
    }
    out.write_str(later::WHEN)
}

#[cold]
pub(crate) fn explain_receive(e: Error, msqid: c_int, room: usize, msgtyp: c_long, flags: c_int) -> Error {
    match e.errno() {
        libc::ENOMSG => e.because(reason!("{} is in queue {}, and IPC_NOWAIT is set", Selection(msgtyp, flags), msqid)),
        libc::E2BIG => e.because(reason!(
            "the message is longer than msgsz ({} bytes) and MSG_NOERROR is not set; it stays in the queue",
            room
        )),
        // Whether the queue exists is asked when the message is read.
        libc::EINVAL if flags & MSG_COPY != 0 => {
            e.because(Reason::compose(compose_copy_einval).with(msqid).with(msgtyp).with(room))
        }
        libc::EINVAL => e.because(no_such_queue(msqid)),
        libc::EIDRM => e.because(reason!("queue {} was removed while this call waited", msqid)),
        libc::EACCES => e.because(reason!("queue {}'s permissions deny this process read access", msqid)),
        libc::EINTR => e.because("a signal handler interrupted the wait for a message"),
        libc::ENOSYS if flags & MSG_COPY != 0 => {
            e.because("MSG_COPY needs a kernel built with CONFIG_CHECKPOINT_RESTORE, which this one is not")
        }
        libc::EFAULT => e.because("the message buffer is not writable memory"),
        _ => e,
    }
}

// ---------------------------------------------------------------------------
// msgctl

/// The commands of `msgctl(2)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// `IPC_STAT`: the queue's `struct msqid_ds`.
    Stat,
    /// `IPC_SET`: owner, group, permission bits and `msg_qbytes`.
    Set,
    /// `IPC_RMID`: remove the queue at once, waking every waiter (`EIDRM`).
    Rmid,
    /// `IPC_INFO`: the system's limits, `struct msginfo`.
    Info,
    /// `MSG_INFO`: the system's usage, `struct msginfo`.
    MsgInfo,
    /// `MSG_STAT`: `struct msqid_ds` of the queue at a table index.
    StatIndex,
    /// `MSG_STAT_ANY`: as `MSG_STAT` without the read-permission check.
    StatAny,
}

impl CtlCommand for Command {
    const TABLE: &'static [(Command, c_int, &'static str)] = &[
        (Command::Stat, libc::IPC_STAT, "IPC_STAT"),
        (Command::Set, libc::IPC_SET, "IPC_SET"),
        (Command::Rmid, libc::IPC_RMID, "IPC_RMID"),
        (Command::Info, libc::IPC_INFO, "IPC_INFO"),
        (Command::MsgInfo, MSG_INFO, "MSG_INFO"),
        (Command::StatIndex, MSG_STAT, "MSG_STAT"),
        (Command::StatAny, MSG_STAT_ANY, "MSG_STAT_ANY"),
    ];
    const CALL: &'static str = "msgctl";
    const ID: &'static str = "msqid";

    fn takes_index(self) -> bool {
        matches!(self, Command::StatIndex | Command::StatAny)
    }
}

impl CtlObject for Command {
    type Ds = libc::msqid_ds;
    const NOUN: &'static str = "queue";
    const DS: &'static str = "msqid_ds";
    const STAT: Command = Command::Stat;
    const STAT_INDEX: Command = Command::StatIndex;
    const STAT_ANY: Command = Command::StatAny;

    fn stat_raw(msqid: c_int, cmd: c_int) -> Result<(c_int, libc::msqid_ds)> {
        sys::msgctl_stat(msqid, cmd)
    }

    fn no_such(msqid: c_int) -> Reason {
        no_such_queue(msqid)
    }

    fn explain(e: Error, msqid: c_int, command: Command) -> Error {
        explain_ctl(e, msqid, command)
    }
}

/// `IPC_STAT`: the queue's `struct msqid_ds` (`EACCES` without read
/// permission).
pub fn stat(msqid: c_int) -> Result<libc::msqid_ds> {
    ctl::stat::<Command>(msqid)
}

/// `MSG_STAT` (`any == false`) or `MSG_STAT_ANY`: the id and `struct
/// msqid_ds` of the queue at `index` of the kernel's table (0 up to the
/// index `IPC_INFO`/`MSG_INFO` return). `MSG_STAT_ANY` skips the read
/// permission check.
pub fn stat_index(index: c_int, any: bool) -> Result<(c_int, libc::msqid_ds)> {
    ctl::stat_index::<Command>(index, any)
}

/// `IPC_SET`: sets the queue's owner uid and gid, permission bits (the low 9
/// bits of `msg_perm.mode`) and `msg_qbytes` from `ds`; the other fields
/// are ignored. Raising `msg_qbytes` above `msgmnb` needs
/// `CAP_SYS_RESOURCE` (`EPERM`).
pub fn set(msqid: c_int, ds: &libc::msqid_ds) -> Result<()> {
    sys::msgctl_set(msqid, ds).map_err(|e| explain_ctl(e, msqid, Command::Set))
}

/// `IPC_RMID`: removes the queue and its messages at once; every process
/// waiting in `msgsnd`/`msgrcv` on it wakes with `EIDRM`.
pub fn remove(msqid: c_int) -> Result<()> {
    sys::msgctl_rmid(msqid).map_err(|e| explain_ctl(e, msqid, Command::Rmid))
}

/// `IPC_INFO`: the index of the highest used entry of the kernel's queue
/// table, and the system's limits (`msgmax`, `msgmnb`, `msgmni`, ...).
pub fn limits(msqid: c_int) -> Result<(c_int, libc::msginfo)> {
    sys::msgctl_info(msqid, libc::IPC_INFO).map_err(|e| explain_ctl(e, msqid, Command::Info))
}

/// `MSG_INFO`: the index of the highest used entry of the kernel's queue
/// table, and the system's usage: queues in `msgpool`, messages in
/// `msgmap`, bytes in `msgtql` (the limits in the other fields).
pub fn usage(msqid: c_int) -> Result<(c_int, libc::msginfo)> {
    sys::msgctl_info(msqid, MSG_INFO).map_err(|e| explain_ctl(e, msqid, Command::MsgInfo))
}

#[cold]
fn explain_ctl(e: Error, msqid: c_int, command: Command) -> Error {
    ctl::explain(e, msqid, command, |e| {
        match (e.errno(), command) {
        (libc::EINVAL, _) => e.because(no_such_queue(msqid)),
        (libc::EPERM, Command::Set) => e.because(
            "only the queue's owner or creator (or CAP_SYS_ADMIN) may change it, and raising msg_qbytes above msgmnb needs CAP_SYS_RESOURCE",
        ),
        (libc::EPERM, _) => e.because("only the queue's owner or creator, or a process with CAP_SYS_ADMIN, may remove it"),
        _ => e,
    }
    })
}

// Tests fork and call libc directly to watch the kernel objects.
#[cfg(test)]
#[allow(unsafe_code)]
mod tests;
