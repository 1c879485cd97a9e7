//! POSIX message queues: `mq_open(3)`, `mq_close(3)`, `mq_unlink(3)`,
//! `mq_send(3)`/`mq_timedsend(3)`, `mq_receive(3)`/`mq_timedreceive(3)`,
//! `mq_getattr(3)`/`mq_setattr(3)` and `mq_notify(3)`, over the kernel's
//! system calls, with the name rules and errors of glibc and explained
//! messages.
//!
//! Queues are kernel objects (an `mqueue` file system, usually mounted on
//! `/dev/mqueue`, need not be), so a queue opened here is the one a glibc
//! program opens by the same name, and an `mqd_t` is a descriptor as in
//! glibc. Messages come out highest priority first, oldest first within a
//! priority.

// Safe Rust only: unsafe code lives in sys/ and at the C boundary (ffi);
// each exception below says why it needs it.
#![deny(unsafe_code)]

// The C boundary: raw pointers and descriptors from C.
#[allow(unsafe_code)]
pub(crate) mod ffi;

use std::ffi::CStr;
use std::fmt;

use libc::{c_int, c_uint, mode_t, mqd_t};

use crate::error::Hex;
use crate::error::{later, Error, Reason, Result};
use crate::sys;
use crate::sys::mqueue as raw;

/// One more than the highest message priority (`MQ_PRIO_MAX` of
/// `<mqueue.h>`'s Linux implementation).
pub const MQ_PRIO_MAX: c_uint = 32768;

/// Bytes a queue name may have after its slash (`NAME_MAX`).
pub use crate::sys::fs::NAME_MAX;

// ---------------------------------------------------------------------------
// Names

/// The kernel's name for `name`: `name` without its leading slash, as glibc
/// passes it. A name not starting with `/` is `EINVAL` (glibc's only
/// check); the kernel then refuses a further `/`, `.` or `..` (`EACCES`),
/// an empty name (`ENOENT`) and more than `NAME_MAX` bytes
/// (`ENAMETOOLONG`), and [`explain_name`] says so.
fn kernel_name(name: &CStr) -> Result<&CStr> {
    match name.to_bytes_with_nul().split_first() {
        Some((b'/', rest)) => Ok(CStr::from_bytes_with_nul(rest).expect("the rest of a C string is a C string")),
        _ => Err(Error::new(libc::EINVAL, "a POSIX message queue name must start with '/'")),
    }
}

/// Explains what the kernel said about a queue name (after the slash).
#[cold]
fn explain_name(e: Error, kname: &CStr) -> Error {
    let bytes = kname.to_bytes();
    match e.errno() {
        libc::ENAMETOOLONG => {
            e.because(reason!("the name has {} bytes after its '/', more than NAME_MAX ({})", bytes.len(), NAME_MAX))
        }
        libc::EACCES if bytes.contains(&b'/') => e.because("a POSIX message queue name has no '/' after the first one"),
        libc::EACCES if bytes == b"." || bytes == b".." => e.because("\"/.\" and \"/..\" are not queue names"),
        libc::ENOENT if bytes.is_empty() => e.because("the name has nothing after its '/'"),
        _ => e,
    }
}

// ---------------------------------------------------------------------------
// Open, close, unlink

/// As `mq_open(3)`: opens the queue `name` (`/something`) for `O_RDONLY`,
/// `O_WRONLY` or `O_RDWR`, optionally `O_NONBLOCK`; with `O_CREAT` creates
/// it when absent (`O_EXCL`: `EEXIST` if present) with the permission bits
/// of `mode` and, if given, `attr`'s `mq_maxmsg` and `mq_msgsize` (else the
/// system's defaults, `/proc/sys/fs/mqueue/msg_default` and
/// `msgsize_default`). `mode` and `attr` are ignored without `O_CREAT`. The
/// descriptor is close-on-exec, as the kernel makes every queue descriptor.
pub fn open(name: &CStr, oflag: c_int, mode: mode_t, attr: Option<&libc::mq_attr>) -> Result<mqd_t> {
    let kname = kernel_name(name)?;
    // The kernel checks the access mode only when the queue exists: with
    // O_CREAT it would create a new queue and return a descriptor that can
    // neither send nor receive. Refused before anything is created, but
    // after the kernel's own answers about the name (a bad name, an
    // existing queue under O_EXCL).
    if oflag & (libc::O_ACCMODE | libc::O_CREAT) == libc::O_ACCMODE | libc::O_CREAT {
        return Err(open_accmode_creat(kname, oflag, mode));
    }
    let attr = if oflag & libc::O_CREAT != 0 { attr } else { None };
    raw::mq_open(kname, oflag, mode, attr).map_err(|e| explain_name(explain_open(e, oflag, attr), kname))
}

/// The error of `mq_open` with `O_CREAT` and the access mode `O_ACCMODE`:
/// the kernel's, found without creating anything, in its order (a bad
/// name; for an existing queue `EEXIST` under `O_EXCL`, else the access
/// mode), and `EINVAL` where the kernel would create the queue.
#[cold]
fn open_accmode_creat(kname: &CStr, oflag: c_int, mode: mode_t) -> Error {
    let accmode = || Error::new(libc::EINVAL, "the access mode must be O_RDONLY, O_WRONLY or O_RDWR");
    match raw::mq_open(kname, oflag & !(libc::O_CREAT | libc::O_EXCL), mode, None) {
        // An existing queue: the kernel says EINVAL for the access mode,
        // unless O_EXCL says EEXIST first.
        Err(e) if e.errno() == libc::EINVAL && oflag & libc::O_EXCL != 0 => {
            explain_name(explain_open(Error::new(libc::EEXIST, ""), oflag, None), kname)
        }
        // ENOENT: no queue, which the kernel would create (but for the
        // empty name, which it cannot).
        Err(e) if e.errno() == libc::EINVAL || (e.errno() == libc::ENOENT && !kname.is_empty()) => accmode(),
        Err(e) => explain_name(explain_open(e, oflag, None), kname),
        Ok(fd) => {
            // Not reached (the kernel refuses O_ACCMODE for an existing
            // queue); never leak the descriptor.
            let _ = sys::close(fd);
            accmode()
        }
    }
}

/// Reads a number from one of the `/proc/sys/fs/mqueue` files (for
/// messages only, when they are read).
fn mqueue_limit(file: &str) -> Option<i64> {
    let path = std::ffi::CString::new(format!("/proc/sys/fs/mqueue/{file}")).ok()?;
    let mut buf = [0u8; 32];
    let n = sys::fs::read_start(&path, &mut buf).ok()?;
    std::str::from_utf8(&buf[..n]).ok()?.trim().parse().ok()
}

/// `EINVAL` for `attr`: the limits it broke are read from /proc when the
/// message is read.
fn bad_attr(maxmsg: i64, msgsize: i64) -> Reason {
    fn compose(r: &Reason, out: &mut dyn fmt::Write) -> fmt::Result {
        let limit = |f| mqueue_limit(f).map_or("?".to_string(), |v| v.to_string());
        write!(
            out,
            "attr asks for mq_maxmsg {} and mq_msgsize {}: both must be > 0, and at most /proc/sys/fs/mqueue/msg_max ({}) and msgsize_max ({}) without CAP_SYS_RESOURCE{}",
            r.int(0),
            r.int(1),
            limit("msg_max"),
            limit("msgsize_max"),
            later::WHEN
        )
    }
    Reason::compose(compose).with(maxmsg).with(msgsize)
}

#[cold]
fn explain_open(e: Error, oflag: c_int, attr: Option<&libc::mq_attr>) -> Error {
    let creating = oflag & libc::O_CREAT != 0;
    match e.errno() {
        libc::EINVAL if creating && attr.is_some() => {
            let a = attr.expect("checked");
            e.because(bad_attr(a.mq_maxmsg, a.mq_msgsize))
        }
        libc::EEXIST => e.because("a queue with this name already exists (O_CREAT|O_EXCL)"),
        libc::ENOENT if !creating => e.because("no queue has this name, and O_CREAT is not set"),
        libc::EACCES => e.because("the queue's permissions deny the access mode asked for"),
        libc::ENOSPC => e.because("the system-wide limit on queues (/proc/sys/fs/mqueue/queues_max) is reached"),
        libc::EMFILE => e.because(
            "this process has no free descriptor (RLIMIT_NOFILE), or its queues would exceed RLIMIT_MSGQUEUE bytes",
        ),
        libc::ENFILE => e.because("the system-wide limit on open files was reached"),
        libc::ENOMEM => e.because("the kernel has no memory for the queue"),
        _ => e,
    }
}

/// As `mq_close(3)`: closes the descriptor (and removes this process's
/// notification registration made through it).
pub fn close(mqd: mqd_t) -> Result<()> {
    sys::close(mqd).map_err(|e| e.explain(libc::EBADF, reason!("descriptor {} is not open", mqd)))
}

/// As `mq_unlink(3)`: removes the name; the queue itself goes away when
/// its last descriptor is closed. `EPERM` from the kernel becomes
/// `EACCES`, as glibc does.
pub fn unlink(name: &CStr) -> Result<()> {
    let kname = kernel_name(name)?;
    raw::mq_unlink(kname).map_err(|e| {
        let e = if e.errno() == libc::EPERM { Error::from_errno(libc::EACCES) } else { e };
        match e.errno() {
            libc::ENOENT if !kname.to_bytes().is_empty() => e.because("no queue has this name"),
            libc::EACCES if !kname.to_bytes().contains(&b'/') => {
                e.because("this process may not remove the queue (no write permission on the mqueue directory)")
            }
            _ => explain_name(e, kname),
        }
    })
}

// ---------------------------------------------------------------------------
// Send and receive

/// As `mq_timedsend(3)` (`mq_send(3)` with `abs_timeout` `None`): queues
/// `msg` with priority `prio` (< [`MQ_PRIO_MAX`]); while the queue is full,
/// waits until the absolute `CLOCK_REALTIME` time `abs_timeout`
/// (`ETIMEDOUT`), forever without one, or not at all on an `O_NONBLOCK`
/// descriptor (`EAGAIN`).
///
/// `EINVAL` for a priority >= `MQ_PRIO_MAX` or an `abs_timeout` whose
/// `tv_nsec` is outside 0..1e9 (the kernel checks it on every call, even
/// one that would not wait); `EMSGSIZE` above the queue's `mq_msgsize`;
/// `EBADF` unless `mqd` is a queue descriptor open for writing; `EINTR`.
#[inline]
pub fn send(mqd: mqd_t, msg: &[u8], prio: c_uint, abs_timeout: Option<&libc::timespec>) -> Result<()> {
    check_send(prio, abs_timeout)?;
    raw::mq_timedsend(mqd, msg, prio, abs_timeout).map_err(|e| explain_send(e, mqd, msg.len()))
}

/// The checks of [`send`] before the system call: the deadline's `tv_nsec`
/// and the priority.
#[inline]
pub(crate) fn check_send(prio: c_uint, abs_timeout: Option<&libc::timespec>) -> Result<()> {
    if let Some(t) = abs_timeout {
        sys::check_timespec(t, "abs_timeout")?;
    }
    if prio >= MQ_PRIO_MAX {
        return Err(Error::new(
            libc::EINVAL,
            reason!("priority {} is too high: priorities go from 0 to MQ_PRIO_MAX - 1 ({})", prio, MQ_PRIO_MAX - 1),
        ));
    }
    Ok(())
}

/// The error of a failed send of `len` bytes, explained.
#[cold]
pub(crate) fn explain_send(e: Error, mqd: mqd_t, len: usize) -> Error {
    explain_transfer(e.errno(), mqd, len, Direction::Send)
}

/// What `mq_timedsend(2)` says for a message the caller has not given
/// (`msg_ptr` NULL with `len > 0`, or a `len` no buffer can have), in the
/// kernel's order: a bad timeout and priority (`EINVAL`), a descriptor
/// that is not a queue open for writing (`EBADF`), a message larger than
/// the queue's `mq_msgsize` (`EMSGSIZE`), and only then the buffer
/// (`EFAULT`).
#[cold]
pub fn send_refused(mqd: mqd_t, null: bool, len: usize, prio: c_uint, abs_timeout: Option<&libc::timespec>) -> Error {
    if let Err(e) = check_timeout(abs_timeout) {
        return e;
    }
    if prio >= MQ_PRIO_MAX {
        return Error::new(
            libc::EINVAL,
            reason!("priority {} is too high: priorities go from 0 to MQ_PRIO_MAX - 1 ({})", prio, MQ_PRIO_MAX - 1),
        );
    }
    match probe(mqd, libc::O_RDONLY, Direction::Send) {
        Err(e) => e,
        Ok(attr) if len as u64 > attr.mq_msgsize as u64 => explain_transfer(libc::EMSGSIZE, mqd, len, Direction::Send),
        Ok(_) if null => Error::new(libc::EFAULT, "`msg_ptr` is NULL"),
        Ok(_) => Error::new(libc::EMSGSIZE, reason!("msg_len {} is larger than any queue's mq_msgsize", len)),
    }
}

/// What `mq_timedreceive(2)` says for a NULL `msg_ptr` with `len > 0`,
/// without taking a message (the kernel would take it and then fault,
/// losing it): a bad timeout (`EINVAL`), a descriptor that is not a queue
/// open for reading (`EBADF`), a `len` below the queue's `mq_msgsize`
/// (`EMSGSIZE`), an empty queue open `O_NONBLOCK` (`EAGAIN`), as the
/// kernel says them, and `EFAULT` otherwise.
#[cold]
pub fn receive_refused(mqd: mqd_t, len: usize, abs_timeout: Option<&libc::timespec>) -> Error {
    if let Err(e) = check_timeout(abs_timeout) {
        return e;
    }
    match probe(mqd, libc::O_WRONLY, Direction::Receive) {
        Err(e) => e,
        Ok(attr) if (len as u64) < attr.mq_msgsize as u64 => {
            explain_transfer(libc::EMSGSIZE, mqd, len, Direction::Receive)
        }
        Ok(attr) if attr.mq_curmsgs == 0 && attr.mq_flags & libc::O_NONBLOCK as libc::c_long != 0 => {
            explain_transfer(libc::EAGAIN, mqd, len, Direction::Receive)
        }
        Ok(_) => Error::new(libc::EFAULT, "`msg_ptr` is NULL"),
    }
}

/// The kernel's first check of a transfer: a timeout with a `tv_nsec`
/// outside 0..999999999 or a negative `tv_sec` is `EINVAL`.
fn check_timeout(abs_timeout: Option<&libc::timespec>) -> Result<()> {
    if let Some(t) = abs_timeout {
        sys::check_timespec(t, "abs_timeout")?;
        if t.tv_sec < 0 {
            return Err(Error::new(libc::EINVAL, reason!("abs_timeout.tv_sec = {} is negative", t.tv_sec)));
        }
    }
    Ok(())
}

/// The attributes of `mqd` if it is a queue descriptor whose access mode
/// is not `wrong_mode`; else the kernel's `EBADF`, explained.
fn probe(mqd: mqd_t, wrong_mode: c_int, dir: Direction) -> Result<libc::mq_attr> {
    let attr = raw::mq_getsetattr(mqd, None).map_err(|e| explain_transfer(e.errno(), mqd, 0, dir))?;
    match sys::fcntl_int(mqd, libc::F_GETFL, 0) {
        Ok(fl) if fl & libc::O_ACCMODE == wrong_mode => Err(explain_transfer(libc::EBADF, mqd, 0, dir)),
        _ => Ok(attr),
    }
}

/// As `mq_timedreceive(3)` (`mq_receive(3)` with `abs_timeout` `None`):
/// takes the oldest message of the highest priority into `buf`, returning
/// its length and priority; while the queue is empty, waits as
/// [`send`] does (`ETIMEDOUT`, `EAGAIN`).
///
/// `EMSGSIZE` if `buf` is smaller than the queue's `mq_msgsize` (the
/// message stays queued); `EINVAL` for a bad `tv_nsec`; `EBADF` unless
/// `mqd` is a queue descriptor open for reading; `EINTR`.
pub fn receive(mqd: mqd_t, buf: &mut [u8], abs_timeout: Option<&libc::timespec>) -> Result<(usize, c_uint)> {
    let mut prio = 0;
    receive_into(mqd, buf, Some(&mut prio), abs_timeout).map(|n| (n, prio))
}

/// [`receive`] that stores the priority only where the caller wants it.
#[inline]
pub fn receive_into(
    mqd: mqd_t,
    buf: &mut [u8],
    prio: Option<&mut c_uint>,
    abs_timeout: Option<&libc::timespec>,
) -> Result<usize> {
    check_receive(abs_timeout)?;
    let len = buf.len();
    raw::mq_timedreceive(mqd, buf, prio, abs_timeout).map_err(|e| explain_receive(e, mqd, len))
}

/// The check of [`receive`] before the system call: the deadline's
/// `tv_nsec`.
#[inline]
pub(crate) fn check_receive(abs_timeout: Option<&libc::timespec>) -> Result<()> {
    match abs_timeout {
        Some(t) => sys::check_timespec(t, "abs_timeout"),
        None => Ok(()),
    }
}

/// The error of a failed receive into `len` bytes, explained.
#[cold]
pub(crate) fn explain_receive(e: Error, mqd: mqd_t, len: usize) -> Error {
    explain_transfer(e.errno(), mqd, len, Direction::Receive)
}

/// [`explain_receive`] from the bare errno (see
/// `raw::mq_timedreceive_errno_as`): the error is made where it is
/// explained, not copied there.
#[cold]
pub(crate) fn explain_receive_errno(errno: i32, mqd: mqd_t, len: usize) -> Error {
    explain_transfer(errno, mqd, len, Direction::Receive)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Send,
    Receive,
}

/// The queue's `mq_msgsize`, for messages (read when they are read).
fn msgsize_of(mqd: mqd_t) -> String {
    raw::mq_getsetattr(mqd, None).map_or("?".to_string(), |a| a.mq_msgsize.to_string())
}

/// Explains a failed transfer with what the failure itself says: nothing
/// here makes a system call. What needs one (the queue's `mq_msgsize`,
/// whether the descriptor is open) is asked when the message is read.
#[cold]
fn explain_transfer(errno: i32, mqd: mqd_t, len: usize, dir: Direction) -> Error {
    let e = Error::from_errno(errno);
    match (errno, dir) {
        (libc::EMSGSIZE, Direction::Send) => e.because(Reason::compose(too_long).with(mqd).with(len)),
        (libc::EMSGSIZE, Direction::Receive) => e.because(Reason::compose(too_small).with(mqd).with(len)),
        (libc::EAGAIN, Direction::Send) => {
            e.because("the queue is full and the descriptor is non-blocking (O_NONBLOCK)")
        }
        (libc::EAGAIN, Direction::Receive) => {
            e.because("the queue is empty and the descriptor is non-blocking (O_NONBLOCK)")
        }
        (libc::ETIMEDOUT, Direction::Send) => e.because("the queue was still full at abs_timeout"),
        (libc::ETIMEDOUT, Direction::Receive) => e.because("no message arrived before abs_timeout"),
        (libc::EBADF, Direction::Send) => e.because(Reason::compose(badf_send).with(mqd)),
        (libc::EBADF, Direction::Receive) => e.because(Reason::compose(badf_receive).with(mqd)),
        (libc::EINTR, _) => e.because("a signal handler interrupted the wait"),
        _ => e,
    }
}

fn too_long(r: &Reason, out: &mut dyn fmt::Write) -> fmt::Result {
    write!(
        out,
        "the message's {} bytes exceed the queue's mq_msgsize ({}){}",
        r.int(1),
        msgsize_of(r.int(0) as mqd_t),
        later::WHEN
    )
}

fn too_small(r: &Reason, out: &mut dyn fmt::Write) -> fmt::Result {
    write!(
        out,
        "the buffer ({} bytes) is smaller than the queue's mq_msgsize ({}); the message stays queued{}",
        r.int(1),
        msgsize_of(r.int(0) as mqd_t),
        later::WHEN
    )
}

fn badf_send(r: &Reason, out: &mut dyn fmt::Write) -> fmt::Result {
    explain_badf(r.int(0) as mqd_t, Direction::Send, out)
}

fn badf_receive(r: &Reason, out: &mut dyn fmt::Write) -> fmt::Result {
    explain_badf(r.int(0) as mqd_t, Direction::Receive, out)
}

/// Why `mqd` is `EBADF` for a transfer: not open, not a queue, or open for
/// the other direction (asked of the kernel now).
fn explain_badf(mqd: mqd_t, dir: Direction, out: &mut dyn fmt::Write) -> fmt::Result {
    if !later::fd_is_open(mqd) {
        write!(out, "descriptor {mqd} is not open")?;
    } else if raw::mq_getsetattr(mqd, None).is_err() {
        write!(out, "descriptor {mqd} is not a message queue descriptor")?;
    } else {
        match dir {
            Direction::Send => write!(out, "queue descriptor {mqd} is not open for writing (O_WRONLY or O_RDWR)")?,
            Direction::Receive => write!(out, "queue descriptor {mqd} is not open for reading (O_RDONLY or O_RDWR)")?,
        }
    }
    out.write_str(later::WHEN)
}

// ---------------------------------------------------------------------------
// Attributes

/// As `mq_getattr(3)`: the queue's flags (`O_NONBLOCK` of this
/// descriptor), `mq_maxmsg`, `mq_msgsize` and `mq_curmsgs`.
pub fn getattr(mqd: mqd_t) -> Result<libc::mq_attr> {
    raw::mq_getsetattr(mqd, None).map_err(|e| explain_attr(e, mqd))
}

/// As `mq_setattr(3)`: sets this descriptor's `O_NONBLOCK` from
/// `new.mq_flags` (the other fields are ignored; any other flag is
/// `EINVAL`) and returns the attributes from before.
pub fn setattr(mqd: mqd_t, new: &libc::mq_attr) -> Result<libc::mq_attr> {
    if new.mq_flags & !(libc::O_NONBLOCK as libc::c_long) != 0 {
        return Err(Error::new(libc::EINVAL, reason!("mq_flags {}: only O_NONBLOCK can be set", Hex(new.mq_flags))));
    }
    raw::mq_getsetattr(mqd, Some(new)).map_err(|e| explain_attr(e, mqd))
}

#[cold]
fn explain_attr(e: Error, mqd: mqd_t) -> Error {
    if e.errno() == libc::EBADF {
        return e.because(later::fd_open_but_not(mqd, "a message queue descriptor"));
    }
    e
}

// ---------------------------------------------------------------------------
// Notification

/// How `mq_notify` announces a message arriving on an empty queue.
#[derive(Clone, Copy)]
pub enum Notify<'a> {
    /// `SIGEV_NONE`: register, but announce nothing (the registration still
    /// blocks other processes' registrations).
    None,
    /// `SIGEV_SIGNAL`: send signal `signo` with `value` (`si_code`
    /// `SI_MESGQ`).
    Signal { signo: c_int, value: libc::sigval },
    /// `SIGEV_THREAD`: call `function(value)` in a new thread created with
    /// `attributes` (or the defaults).
    Thread { function: extern "C" fn(libc::sigval), value: libc::sigval, attributes: Option<&'a libc::pthread_attr_t> },
}

impl fmt::Debug for Notify<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notify::None => f.write_str("SIGEV_NONE"),
            Notify::Signal { signo, .. } => write!(f, "SIGEV_SIGNAL({signo})"),
            Notify::Thread { .. } => f.write_str("SIGEV_THREAD"),
        }
    }
}

/// As `mq_notify(3)`: registers this process to be told, once, when a
/// message arrives on the empty queue `mqd` and no receiver is waiting for
/// it; `None` removes this process's registration (a no-op without one).
/// One process at a time may be registered per queue: `EBUSY` otherwise,
/// even for the same process. The registration ends when it fires, when
/// the process closes `mqd`, or with `notify(mqd, None)`.
pub fn notify(mqd: mqd_t, how: Option<Notify<'_>>) -> Result<()> {
    let result = match how {
        None => raw::mq_notify(mqd, None),
        Some(Notify::None) => raw::mq_notify(mqd, Some(&sigevent(libc::SIGEV_NONE, 0, null_value()))),
        Some(Notify::Signal { signo, value }) => raw::mq_notify(mqd, Some(&sigevent(libc::SIGEV_SIGNAL, signo, value))),
        Some(Notify::Thread { function, value, attributes }) => raw::mq_notify_thread(mqd, function, value, attributes),
    };
    result.map_err(|e| explain_notify(e, mqd, how))
}

fn null_value() -> libc::sigval {
    libc::sigval { sival_ptr: std::ptr::null_mut() }
}

fn sigevent(notify: c_int, signo: c_int, value: libc::sigval) -> libc::sigevent {
    let mut sev = raw::zeroed_sigevent();
    sev.sigev_notify = notify;
    sev.sigev_signo = signo;
    sev.sigev_value = value;
    sev
}

#[cold]
fn explain_notify(e: Error, mqd: mqd_t, how: Option<Notify<'_>>) -> Error {
    match (e.errno(), how) {
        (libc::EBUSY, _) => {
            e.because("a process (this one or another) is already registered for this queue; only one may be at a time")
        }
        (libc::EINVAL, Some(Notify::Signal { signo, .. })) => {
            e.because(reason!("sigev_signo {} is not a valid signal number", signo))
        }
        (libc::EBADF, _) => explain_attr(e, mqd),
        (libc::EAGAIN, Some(Notify::Thread { .. })) => e.because("no thread could be created for SIGEV_THREAD"),
        (libc::ENOMEM, _) => e.because("the kernel has no memory for the registration"),
        _ => e,
    }
}

// Tests fork and call libc directly to watch the kernel objects.
#[cfg(test)]
#[allow(unsafe_code)]
mod tests;
