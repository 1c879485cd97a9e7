//! C shims for POSIX message queues.

use std::fmt;

use libc::{c_char, c_int, c_uint, mode_t, mq_attr, mqd_t, sigevent, size_t, ssize_t, timespec};

use super::Notify;
use crate::error::{Arg, Call, IntoArg};
use crate::ffi::{
    c_str, flag_names, flag_table, guard, guard_cancel, in_bytes, in_ref, out_bytes, out_ref, FlagTable, Mode, Name,
    Ptr, Timespec,
};

flag_table! {
    /// The flags mq_open(3) knows: the access mode, `O_CREAT`, `O_EXCL`,
    /// `O_NONBLOCK` (glibc adds `O_CLOEXEC` itself).
    struct MqOpenFlags = FlagTable::open(flag_names![O_CREAT, O_EXCL, O_NONBLOCK, O_CLOEXEC]);
}

use crate::sys::mqueue as raw;
use crate::sys::{cancel, Cancel};
use crate::{Error, Result};

/// cbindgen:ignore
///
/// As mq_open(3): opens the queue `name` (`/something`) for `O_RDONLY`,
/// `O_WRONLY` or `O_RDWR` (plus `O_NONBLOCK`); with `O_CREAT` two more
/// arguments follow, `mode_t mode, struct mq_attr *attr`, and the queue is
/// created when absent (`O_EXCL`: fail if present) with permission bits
/// `mode` and, unless `attr` is NULL, `attr->mq_maxmsg` and
/// `attr->mq_msgsize`. The descriptor is close-on-exec. Returns it, or
/// `(mqd_t)-1` with errno.
///
/// # Errors
/// `EFAULT` (`name` NULL); `EINVAL` (no leading '/', bad access mode —
/// refused even where the kernel would create a queue with it, after the
/// kernel's answers about the name —, or an
/// `attr` outside 1..`msg_max`/`msgsize_max`); `EACCES` (permission, or a
/// second '/' in the name, as glibc); `ENAMETOOLONG` (more than `NAME_MAX`
/// bytes after the '/'); `ENOENT`; `EEXIST`; `EMFILE`; `ENFILE`; `ENOSPC`;
/// `ENOMEM`.
///
/// # Safety
/// `name` is NULL or NUL-terminated; with `O_CREAT`, `attr` is NULL or
/// points to a `struct mq_attr`.
///
/// # Variadic
/// The header declares the libc prototype
/// `mqd_t rsipc_mq_open(const char *name, int oflag, ...)`. Stable Rust
/// cannot define a C-variadic function, so the definition takes the full
/// argument list: on Linux x86-64 and aarch64 a variadic call passes these
/// integer and pointer arguments exactly where this fixed-argument function
/// reads them. `mode` and `attr` are read only when `oflag` has `O_CREAT`
/// (a two-argument call leaves them undefined).
#[no_mangle]
pub unsafe extern "C" fn rsipc_mq_open(name: *const c_char, oflag: c_int, mode: mode_t, attr: *const mq_attr) -> mqd_t {
    let creating = oflag & libc::O_CREAT != 0;
    guard(
        -1,
        move |c: &mut Call| {
            call!("mq_open", name = Name(name), oflag = MqOpenFlags(oflag))(c);
            if creating {
                c.arg("mode", Mode(mode));
                c.arg("attr", Attr(attr));
            }
        },
        || {
            // SAFETY: forwarded from this function's contract.
            let name = unsafe { c_str(name, "name") }?;
            // SAFETY: read only with O_CREAT, where the contract covers it.
            let attr = if creating && !attr.is_null() { Some(unsafe { &*attr }) } else { None };
            super::open(name, oflag, if creating { mode } else { 0 }, attr)
        },
    )
}

/// As mq_close(3): closes the queue descriptor `mqdes`, removing this
/// process's notification registration made through it. Returns 0, or -1
/// with errno.
///
/// # Errors
/// `EBADF` if `mqdes` is not open.
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub extern "C" fn rsipc_mq_close(mqdes: mqd_t) -> c_int {
    guard(-1, call!("mq_close", mqdes = mqdes), || super::close(mqdes).map(|()| 0))
}

/// As mq_unlink(3): removes the queue name `name`; the queue goes away once
/// every descriptor is closed. Returns 0, or -1 with errno.
///
/// # Errors
/// `EFAULT` (`name` NULL); `EINVAL` (no leading '/'); `ENOENT`; `EACCES`
/// (permission — the kernel's `EPERM` included, as glibc — or a second '/');
/// `ENAMETOOLONG`.
///
/// # Safety
/// `name` is NULL or NUL-terminated.
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub unsafe extern "C" fn rsipc_mq_unlink(name: *const c_char) -> c_int {
    guard(-1, call!("mq_unlink", name = Name(name)), || {
        // SAFETY: forwarded from this function's contract.
        let name = unsafe { c_str(name, "name") }?;
        super::unlink(name).map(|()| 0)
    })
}

/// The checked arguments of rsipc_mq_send and rsipc_mq_timedsend.
///
/// # Safety
/// `msg` is NULL or valid for reads of `len` bytes; `abs_timeout` is NULL
/// or points to a `struct timespec`.
#[inline(always)]
unsafe fn send_args<'a>(
    mqdes: mqd_t,
    msg: *const c_char,
    len: size_t,
    prio: c_uint,
    abs_timeout: Option<*const timespec>,
) -> Result<(&'a [u8], Option<&'a timespec>)> {
    let timeout = match abs_timeout {
        // SAFETY: forwarded from this function's contract.
        Some(t) => Some(unsafe { in_ref(t, "abs_timeout") }?),
        None => None,
    };
    if len > isize::MAX as usize || (msg.is_null() && len > 0) {
        // No slice for these: the kernel's answers that come before it
        // reads the message, then EMSGSIZE or EFAULT.
        return Err(super::send_refused(mqdes, msg.is_null(), len, prio, timeout));
    }
    // SAFETY: forwarded from this function's contract.
    let msg = unsafe { in_bytes(msg.cast(), len, "msg_ptr") }?;
    super::check_send(prio, timeout).map(|()| (msg, timeout))
}

/// The checked arguments of rsipc_mq_receive and rsipc_mq_timedreceive.
///
/// # Safety
/// `msg` is NULL or valid for writes of `len` bytes; `prio` is NULL or
/// valid for writes of an unsigned int; `abs_timeout` is NULL or points to
/// a `struct timespec`.
#[inline(always)]
unsafe fn receive_args<'a>(
    mqdes: mqd_t,
    msg: *mut c_char,
    len: size_t,
    prio: *mut c_uint,
    abs_timeout: Option<*const timespec>,
) -> Result<(&'a mut [u8], Option<&'a mut c_uint>, Option<&'a timespec>)> {
    // The kernel writes at most mq_msgsize bytes, however large `len` is;
    // the slice need not claim more than a slice can hold.
    let len = len.min(isize::MAX as usize);
    let timeout = match abs_timeout {
        // SAFETY: forwarded from this function's contract.
        Some(t) => Some(unsafe { in_ref(t, "abs_timeout") }?),
        None => None,
    };
    if msg.is_null() && len > 0 {
        // Refused before a message is taken (the kernel would take it and
        // then fault, losing it), after the kernel's earlier answers.
        return Err(super::receive_refused(mqdes, len, timeout));
    }
    // SAFETY: forwarded from this function's contract.
    let buf = unsafe { out_bytes(msg.cast(), len, "msg_ptr") }?;
    // SAFETY: NULL or valid for writes of an unsigned int, by this
    // function's contract.
    let prio = unsafe { prio.as_mut() };
    super::check_receive(timeout).map(|()| (buf, prio, timeout))
}

/// As mq_send(3): queues `msg_len` bytes at `msg_ptr` with priority
/// `msg_prio` (0 to `MQ_PRIO_MAX - 1` = 32767; higher comes out first).
/// Waits while the queue is full unless the descriptor is `O_NONBLOCK`.
/// Returns 0, or -1 with errno.
///
/// A thread-cancellation point, as glibc's: a pending cancel acts when the
/// call begins, and the wait for room can be cancelled (the message is then
/// not queued). So are rsipc_mq_timedsend, rsipc_mq_receive and
/// rsipc_mq_timedreceive (a cancelled receive takes no message).
///
/// # Errors
/// `EFAULT` (`msg_ptr` NULL with `msg_len > 0`); `EAGAIN` (full,
/// `O_NONBLOCK`); `EMSGSIZE` (`msg_len` above the queue's `mq_msgsize`);
/// `EINVAL` (`msg_prio` >= `MQ_PRIO_MAX`); `EBADF` (not a queue descriptor
/// open for writing); `EINTR`. In the kernel's order: the priority, the
/// descriptor, the size, then the message.
///
/// # Safety
/// `msg_ptr` is NULL or valid for reads of `msg_len` bytes.
#[no_mangle]
pub unsafe extern "C-unwind" fn rsipc_mq_send(
    mqdes: mqd_t,
    msg_ptr: *const c_char,
    msg_len: size_t,
    msg_prio: c_uint,
) -> c_int {
    // As glibc's, a cancellation point that acts on a pending cancel first.
    // SAFETY: called from C: no catch_unwind of rsipc is on the stack.
    unsafe { cancel::test() };
    guard_cancel(
        -1,
        call!("mq_send", mqdes = mqdes, msg_ptr = Ptr(msg_ptr), msg_len = msg_len, msg_prio = msg_prio),
        // SAFETY: forwarded from this function's contract.
        || unsafe { send_args(mqdes, msg_ptr, msg_len, msg_prio, None) },
        // SAFETY: guard_cancel runs this with no catch_unwind on the stack.
        |(msg, timeout)| unsafe { raw::mq_timedsend_as(Cancel::Point, mqdes, msg, msg_prio, timeout) },
        |sent| sent.map(|()| 0).map_err(|e| super::explain_send(e, mqdes, msg_len)),
    )
}

/// As mq_timedsend(3): mq_send, but a wait for room ends at the absolute
/// `CLOCK_REALTIME` time `*abs_timeout` with `ETIMEDOUT` (NULL
/// `abs_timeout`: no limit, as glibc). Returns 0, or -1 with errno.
///
/// # Errors
/// Those of rsipc_mq_send, and `ETIMEDOUT`; `EINVAL` if
/// `abs_timeout->tv_nsec` is outside 0..999999999 (checked on every call,
/// as the kernel does, even when the queue has room).
///
/// # Safety
/// `msg_ptr` is NULL or valid for reads of `msg_len` bytes; `abs_timeout`
/// is NULL or points to a `struct timespec`.
#[no_mangle]
pub unsafe extern "C-unwind" fn rsipc_mq_timedsend(
    mqdes: mqd_t,
    msg_ptr: *const c_char,
    msg_len: size_t,
    msg_prio: c_uint,
    abs_timeout: *const timespec,
) -> c_int {
    // As glibc's, a cancellation point that acts on a pending cancel first.
    // SAFETY: called from C: no catch_unwind of rsipc is on the stack.
    unsafe { cancel::test() };
    guard_cancel(
        -1,
        call!(
            "mq_timedsend",
            mqdes = mqdes,
            msg_ptr = Ptr(msg_ptr),
            msg_len = msg_len,
            msg_prio = msg_prio,
            abs_timeout = Timespec(abs_timeout)
        ),
        || {
            let timeout = (!abs_timeout.is_null()).then_some(abs_timeout);
            // SAFETY: forwarded from this function's contract.
            unsafe { send_args(mqdes, msg_ptr, msg_len, msg_prio, timeout) }
        },
        // SAFETY: guard_cancel runs this with no catch_unwind on the stack.
        |(msg, timeout)| unsafe { raw::mq_timedsend_as(Cancel::Point, mqdes, msg, msg_prio, timeout) },
        |sent| sent.map(|()| 0).map_err(|e| super::explain_send(e, mqdes, msg_len)),
    )
}

/// As mq_receive(3): takes the oldest message of the highest priority into
/// `msg_ptr` (`msg_len` must be at least the queue's `mq_msgsize`) and
/// stores its priority in `*msg_prio` unless NULL. Waits while the queue is
/// empty unless the descriptor is `O_NONBLOCK`. Returns the message length,
/// or -1 with errno.
///
/// # Errors
/// `EFAULT` (`msg_ptr` NULL with `msg_len > 0`: refused before a message
/// is taken, after the kernel's answers for the descriptor, the size and
/// an empty `O_NONBLOCK` queue); `EMSGSIZE` (`msg_len` below `mq_msgsize`;
/// the message stays queued); `EAGAIN` (empty, `O_NONBLOCK`); `EBADF` (not
/// a queue descriptor open for reading); `EINTR`.
///
/// # Safety
/// `msg_ptr` is NULL or valid for writes of `msg_len` bytes; `msg_prio` is
/// NULL or valid for writes of an unsigned int.
#[no_mangle]
pub unsafe extern "C-unwind" fn rsipc_mq_receive(
    mqdes: mqd_t,
    msg_ptr: *mut c_char,
    msg_len: size_t,
    msg_prio: *mut c_uint,
) -> ssize_t {
    // As glibc's, a cancellation point that acts on a pending cancel first.
    // SAFETY: called from C: no catch_unwind of rsipc is on the stack.
    unsafe { cancel::test() };
    // SAFETY: forwarded from this function's contract; called from C.
    unsafe {
        receive(
            call!("mq_receive", mqdes = mqdes, msg_ptr = Ptr(msg_ptr), msg_len = msg_len, msg_prio = Ptr(msg_prio)),
            mqdes,
            msg_ptr,
            msg_len,
            msg_prio,
            None,
        )
    }
}

/// As mq_timedreceive(3): mq_receive, but a wait for a message ends at the
/// absolute `CLOCK_REALTIME` time `*abs_timeout` with `ETIMEDOUT` (NULL
/// `abs_timeout`: no limit, as glibc). Returns the message length, or -1
/// with errno.
///
/// # Errors
/// Those of rsipc_mq_receive, and `ETIMEDOUT`; `EINVAL` if
/// `abs_timeout->tv_nsec` is outside 0..999999999 (checked on every call,
/// as the kernel does, even when a message is waiting).
///
/// # Safety
/// `msg_ptr` is NULL or valid for writes of `msg_len` bytes; `msg_prio` is
/// NULL or valid for writes of an unsigned int; `abs_timeout` is NULL or
/// points to a `struct timespec`.
#[no_mangle]
pub unsafe extern "C-unwind" fn rsipc_mq_timedreceive(
    mqdes: mqd_t,
    msg_ptr: *mut c_char,
    msg_len: size_t,
    msg_prio: *mut c_uint,
    abs_timeout: *const timespec,
) -> ssize_t {
    // As glibc's, a cancellation point that acts on a pending cancel first.
    // SAFETY: called from C: no catch_unwind of rsipc is on the stack.
    unsafe { cancel::test() };
    let timeout = (!abs_timeout.is_null()).then_some(abs_timeout);
    // SAFETY: forwarded from this function's contract; called from C.
    unsafe {
        receive(
            call!(
                "mq_timedreceive",
                mqdes = mqdes,
                msg_ptr = Ptr(msg_ptr),
                msg_len = msg_len,
                msg_prio = Ptr(msg_prio),
                abs_timeout = Timespec(abs_timeout)
            ),
            mqdes,
            msg_ptr,
            msg_len,
            msg_prio,
            timeout,
        )
    }
}

/// What rsipc_mq_receive and rsipc_mq_timedreceive (`timeout` `Some`) do
/// after their entry cancellation test: check the arguments, receive as a
/// cancellation point, explain a failure. `describe` is the call's
/// description.
///
/// # Safety
/// As for rsipc_mq_timedreceive; called from C, so that no catch_unwind of
/// rsipc is on the stack.
#[inline(always)]
unsafe fn receive(
    describe: impl FnOnce(&mut Call),
    mqdes: mqd_t,
    msg_ptr: *mut c_char,
    msg_len: size_t,
    msg_prio: *mut c_uint,
    timeout: Option<*const timespec>,
) -> ssize_t {
    guard_cancel(
        -1,
        describe,
        // SAFETY: forwarded from this function's contract.
        || unsafe { receive_args(mqdes, msg_ptr, msg_len, msg_prio, timeout) },
        |(buf, prio, timeout)| {
            let len = buf.len();
            // SAFETY: guard_cancel runs this with no catch_unwind on the stack.
            (unsafe { raw::mq_timedreceive_errno_as(Cancel::Point, mqdes, buf, prio, timeout) }, len)
        },
        |(received, len)| match received {
            Ok(n) => Ok(n as ssize_t),
            Err(errno) => Err(super::explain_receive_errno(errno, mqdes, len)),
        },
    )
}

/// As mq_getattr(3): stores the queue's attributes in `*attr`: `mq_flags`
/// (`O_NONBLOCK` of this descriptor), `mq_maxmsg`, `mq_msgsize`,
/// `mq_curmsgs`. Returns 0, or -1 with errno.
///
/// # Errors
/// `EFAULT` if `attr` is NULL (glibc returns 0 and stores nothing);
/// `EBADF` if `mqdes` is not a queue descriptor.
///
/// # Departures from glibc
/// A NULL `attr` is `EFAULT`, where glibc returns 0 and stores nothing: the
/// caller asked for attributes and would not get them.
///
/// # Safety
/// `attr` is NULL or valid for writes of a `struct mq_attr`.
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub unsafe extern "C" fn rsipc_mq_getattr(mqdes: mqd_t, attr: *mut mq_attr) -> c_int {
    guard(-1, call!("mq_getattr", mqdes = mqdes, attr = Ptr(attr)), || {
        // The descriptor first (EBADF), as the kernel looks at it.
        let got = super::getattr(mqdes)?;
        // SAFETY: forwarded from this function's contract.
        *unsafe { out_ref(attr, "attr") }? = got;
        Ok(0)
    })
}

/// As mq_setattr(3): sets this descriptor's `O_NONBLOCK` from
/// `newattr->mq_flags` (the other fields are ignored) and, unless
/// `oldattr` is NULL, stores the attributes from before in `*oldattr`.
/// Returns 0, or -1 with errno.
///
/// # Errors
/// `EFAULT` if `newattr` is NULL (the kernel would only read the
/// attributes); `EINVAL` for a flag other than `O_NONBLOCK`; `EBADF` if
/// `mqdes` is not a queue descriptor.
///
/// # Departures from glibc
/// A NULL `newattr` is `EFAULT`, where glibc succeeds and changes nothing
/// (the kernel takes it for a query): a call meant to set attributes has
/// none to set.
///
/// # Safety
/// `newattr` is NULL or points to a `struct mq_attr`; `oldattr` is NULL or
/// valid for writes of one.
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub unsafe extern "C" fn rsipc_mq_setattr(mqdes: mqd_t, newattr: *const mq_attr, oldattr: *mut mq_attr) -> c_int {
    guard(-1, call!("mq_setattr", mqdes = mqdes, newattr = Attr(newattr), oldattr = Ptr(oldattr)), || {
        if newattr.is_null() {
            // The descriptor first (EBADF), as the kernel looks at it.
            super::getattr(mqdes)?;
        }
        // SAFETY: forwarded from this function's contract.
        let new = unsafe { in_ref(newattr, "newattr") }?;
        let old = super::setattr(mqdes, new)?;
        if !oldattr.is_null() {
            // SAFETY: non-NULL, valid for writes by this function's contract.
            unsafe { oldattr.write(old) };
        }
        Ok(0)
    })
}

/// The `SIGEV_THREAD` members of glibc's `struct sigevent` (the union after
/// `sigev_notify`), which the libc crate does not name.
#[repr(C)]
struct SigeventThread {
    value: libc::sigval,
    signo: c_int,
    notify: c_int,
    function: Option<extern "C" fn(libc::sigval)>,
    attributes: *const libc::pthread_attr_t,
}

const _: () = assert!(std::mem::size_of::<SigeventThread>() <= std::mem::size_of::<sigevent>());
const _: () = assert!(std::mem::align_of::<SigeventThread>() <= std::mem::align_of::<sigevent>());

/// As mq_notify(3): registers this process to be told once when a message
/// arrives on the empty queue `mqdes` (and no receiver is waiting):
/// `SIGEV_NONE` registers without telling, `SIGEV_SIGNAL` sends
/// `sigev_signo` with `sigev_value`, `SIGEV_THREAD` calls
/// `sigev_notify_function(sigev_value)` in a new detached thread created
/// with `sigev_notify_attributes` (or the defaults). NULL `sevp` removes
/// this process's registration. Returns 0, or -1 with errno.
///
/// For `SIGEV_THREAD` each registration has its own waiting thread (as in
/// musl; glibc shares one helper thread): the function runs in that thread,
/// with the registering thread's signal mask.
///
/// # Errors
/// `EBUSY` (a process — this one included — is already registered);
/// `EINVAL` (an unknown `sigev_notify`, a bad `sigev_signo`); `EFAULT`
/// (`SIGEV_THREAD` with a NULL function); `EBADF` (not a queue descriptor);
/// `EAGAIN` (no thread for `SIGEV_THREAD`); `ENOMEM`.
///
/// # Safety
/// `sevp` is NULL or points to a `struct sigevent`; with `SIGEV_THREAD`,
/// `sigev_notify_attributes` is NULL or an initialised `pthread_attr_t`,
/// and the function may be called from another thread.
/// cbindgen:postfix=RSIPC_THROW
#[no_mangle]
pub unsafe extern "C" fn rsipc_mq_notify(mqdes: mqd_t, sevp: *const sigevent) -> c_int {
    guard(-1, call!("mq_notify", mqdes = mqdes, sevp = Sigev(sevp)), || {
        if sevp.is_null() {
            return super::notify(mqdes, None).map(|()| 0);
        }
        // SAFETY: non-NULL, a struct sigevent by this function's contract.
        let sev = unsafe { &*sevp };
        let how = match sev.sigev_notify {
            libc::SIGEV_NONE => Notify::None,
            libc::SIGEV_SIGNAL => Notify::Signal { signo: sev.sigev_signo, value: sev.sigev_value },
            libc::SIGEV_THREAD => {
                // SAFETY: glibc's struct sigevent has this layout (checked
                // in size and alignment above).
                let thread = unsafe { &*sevp.cast::<SigeventThread>() };
                let Some(function) = thread.function else {
                    // The descriptor first (EBADF), as the kernel looks
                    // at it before it would ever call the function.
                    super::getattr(mqdes)?;
                    return Err(Error::new(libc::EFAULT, "`sigev_notify_function` is NULL"));
                };
                // SAFETY: NULL or initialised, by this function's contract.
                let attributes = unsafe { thread.attributes.as_ref() };
                Notify::Thread { function, value: sev.sigev_value, attributes }
            }
            other => {
                return Err(Error::new(
                    libc::EINVAL,
                    reason!("sigev_notify {}: mq_notify takes SIGEV_NONE, SIGEV_SIGNAL or SIGEV_THREAD", other),
                ))
            }
        };
        super::notify(mqdes, Some(how)).map(|()| 0)
    })
}

/// An `mq_attr` argument for messages: its sizes (read when the call
/// fails), or `NULL`.
struct Attr(*const mq_attr);

impl IntoArg for Attr {
    fn into_arg(self) -> Arg {
        fn show(v: &[i64; 3], f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{{mq_flags={:#x}, mq_maxmsg={}, mq_msgsize={}}}", v[0], v[1], v[2])
        }
        // SAFETY: the caller of the rsipc function promised a valid struct
        // (or NULL).
        match unsafe { self.0.as_ref() } {
            None => Arg::Text("NULL"),
            Some(a) => Arg::Shown(show, [a.mq_flags, a.mq_maxmsg, a.mq_msgsize]),
        }
    }
}

/// A `sigevent` argument for messages: its kind (read when the call
/// fails), or `NULL`.
struct Sigev(*const sigevent);

impl IntoArg for Sigev {
    fn into_arg(self) -> Arg {
        fn show(v: &[i64; 3], f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match v[0] as c_int {
                libc::SIGEV_NONE => f.write_str("{SIGEV_NONE}"),
                libc::SIGEV_SIGNAL => write!(f, "{{SIGEV_SIGNAL, sigev_signo={}}}", v[1]),
                libc::SIGEV_THREAD => f.write_str("{SIGEV_THREAD}"),
                n => write!(f, "{{sigev_notify={n}}}"),
            }
        }
        // SAFETY: the caller of the rsipc function promised a valid struct
        // (or NULL).
        match unsafe { self.0.as_ref() } {
            None => Arg::Text("NULL"),
            Some(s) => Arg::Shown(show, [s.sigev_notify as i64, s.sigev_signo as i64, 0]),
        }
    }
}
