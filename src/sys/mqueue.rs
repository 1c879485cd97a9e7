//! POSIX message queues: the system calls — `mq_open`, `mq_unlink`,
//! `mq_timedsend`, `mq_timedreceive`, `mq_getsetattr`, `mq_notify` — made
//! directly (as glibc's wrappers make them, so no `-lrt` is needed; not
//! nix's `mq_*`, which call glibc's, names `librsipc_preload.so` exports),
//! and the thread behind `SIGEV_THREAD` notification. Policy (name rules, argument
//! checks, messages) belongs to [`crate::posix_mq`].
//!
//! The kernel's queue names have no leading slash: glibc's `mq_open("/q")`
//! passes `"q"`, and callers here pass the name that way too.

use std::ffi::CStr;
use std::os::fd::RawFd;
use std::sync::mpsc;

use libc::{c_int, c_long, c_uint, c_void, mode_t, mqd_t};

use super::{cancel, cvt, Cancel};
use crate::error::{Error, Result};

/// `mq_open(2)` of `name` (without the leading slash).
pub fn mq_open(name: &CStr, oflag: c_int, mode: mode_t, attr: Option<&libc::mq_attr>) -> Result<mqd_t> {
    let attr = attr.map_or(std::ptr::null(), |a| a as *const libc::mq_attr);
    // SAFETY: `name` is NUL-terminated; `attr` is NULL or a live mq_attr the
    // kernel only reads.
    let fd = cvt(unsafe { libc::syscall(libc::SYS_mq_open, name.as_ptr(), oflag as c_long, mode as c_long, attr) })?;
    Ok(fd as mqd_t)
}

/// `mq_unlink(2)` of `name` (without the leading slash).
pub fn mq_unlink(name: &CStr) -> Result<()> {
    // SAFETY: `name` is NUL-terminated.
    cvt(unsafe { libc::syscall(libc::SYS_mq_unlink, name.as_ptr()) }).map(drop)
}

/// `mq_timedsend(2)`: `abs_timeout` `None` waits as long as it takes.
/// Never a cancellation point.
pub fn mq_timedsend(mqd: mqd_t, msg: &[u8], prio: c_uint, abs_timeout: Option<&libc::timespec>) -> Result<()> {
    // SAFETY: Cancel::Never cannot unwind.
    unsafe { mq_timedsend_as(Cancel::Never, mqd, msg, prio, abs_timeout) }
}

/// [`mq_timedsend`], a cancellation point with [`Cancel::Point`] (as
/// glibc's `mq_send` and `mq_timedsend`).
///
/// # Safety
/// With [`Cancel::Point`], as for [`cancel::syscall`].
pub unsafe fn mq_timedsend_as(
    how: Cancel,
    mqd: mqd_t,
    msg: &[u8],
    prio: c_uint,
    abs_timeout: Option<&libc::timespec>,
) -> Result<()> {
    let timeout = abs_timeout.map_or(std::ptr::null(), |t| t as *const libc::timespec);
    let args = [mqd as c_long, msg.as_ptr() as c_long, msg.len() as c_long, prio as c_long, timeout as c_long, 0];
    // SAFETY: `msg` is valid for reads of its length; `timeout` is NULL or a
    // live timespec; the rest is the caller's contract.
    cvt(unsafe { cancel::syscall_as(how, libc::SYS_mq_timedsend, args) }).map(drop)
}

/// `mq_timedreceive(2)` into `buf`: the message length; its priority goes
/// to `prio` when given (the kernel skips that store for NULL, so callers
/// that do not want it should not ask). Never a cancellation point.
#[inline]
pub fn mq_timedreceive(
    mqd: mqd_t,
    buf: &mut [u8],
    prio: Option<&mut c_uint>,
    abs_timeout: Option<&libc::timespec>,
) -> Result<usize> {
    // SAFETY: Cancel::Never cannot unwind.
    unsafe { mq_timedreceive_as(Cancel::Never, mqd, buf, prio, abs_timeout) }
}

/// [`mq_timedreceive`], a cancellation point with [`Cancel::Point`] (as
/// glibc's `mq_receive` and `mq_timedreceive`).
///
/// # Safety
/// With [`Cancel::Point`], as for [`cancel::syscall`].
#[inline]
pub unsafe fn mq_timedreceive_as(
    how: Cancel,
    mqd: mqd_t,
    buf: &mut [u8],
    prio: Option<&mut c_uint>,
    abs_timeout: Option<&libc::timespec>,
) -> Result<usize> {
    // SAFETY: forwarded from this function's contract.
    unsafe { mq_timedreceive_errno_as(how, mqd, buf, prio, abs_timeout) }.map_err(Error::from_errno)
}

/// [`mq_timedreceive_as`] with the failure as its bare errno (`EIO` if the
/// call left errno 0): a word, where an [`Error`] is a value of some 100
/// bytes that each step of a failing call would copy. For the C path, which
/// explains the errno itself.
///
/// # Safety
/// With [`Cancel::Point`], as for [`cancel::syscall`].
#[inline]
pub unsafe fn mq_timedreceive_errno_as(
    how: Cancel,
    mqd: mqd_t,
    buf: &mut [u8],
    prio: Option<&mut c_uint>,
    abs_timeout: Option<&libc::timespec>,
) -> std::result::Result<usize, i32> {
    let timeout = abs_timeout.map_or(std::ptr::null(), |t| t as *const libc::timespec);
    let prio = prio.map_or(std::ptr::null_mut(), |p| p as *mut c_uint);
    let args = [mqd as c_long, buf.as_mut_ptr() as c_long, buf.len() as c_long, prio as c_long, timeout as c_long, 0];
    // SAFETY: `buf` is valid for writes of its length, `prio` is NULL or
    // valid for one unsigned int; `timeout` is NULL or a live timespec; the
    // rest is the caller's contract.
    let n = unsafe { cancel::syscall_as(how, libc::SYS_mq_timedreceive, args) };
    if n == -1 {
        // SAFETY: the calling thread's errno slot.
        let errno = unsafe { *libc::__errno_location() };
        return Err(if errno == 0 { libc::EIO } else { errno });
    }
    Ok(n as usize)
}

/// `mq_getsetattr(2)`: sets `O_NONBLOCK` from `new.mq_flags` when given,
/// and returns the attributes from before.
pub fn mq_getsetattr(mqd: mqd_t, new: Option<&libc::mq_attr>) -> Result<libc::mq_attr> {
    let new = new.map_or(std::ptr::null(), |a| a as *const libc::mq_attr);
    // SAFETY: an all-zero mq_attr is a valid value of this plain C struct.
    let mut old: libc::mq_attr = unsafe { std::mem::zeroed() };
    // SAFETY: `new` is NULL or a live mq_attr the kernel only reads; `old`
    // is a valid out-pointer.
    cvt(unsafe { libc::syscall(libc::SYS_mq_getsetattr, mqd as c_long, new, &mut old as *mut libc::mq_attr) })?;
    Ok(old)
}

/// An all-zero `struct mq_attr`.
pub fn zeroed_attr() -> libc::mq_attr {
    // SAFETY: an all-zero mq_attr is a valid value of this plain C struct.
    unsafe { std::mem::zeroed() }
}

/// An all-zero `struct sigevent`.
pub fn zeroed_sigevent() -> libc::sigevent {
    // SAFETY: an all-zero sigevent is a valid value of this plain C struct.
    unsafe { std::mem::zeroed() }
}

/// `mq_notify(2)` with `SIGEV_NONE`/`SIGEV_SIGNAL` (or `None`: unregister).
pub fn mq_notify(mqd: mqd_t, sev: Option<&libc::sigevent>) -> Result<()> {
    let sev = sev.map_or(std::ptr::null(), |s| s as *const libc::sigevent);
    // SAFETY: `sev` is NULL or a live sigevent the kernel only reads.
    cvt(unsafe { libc::syscall(libc::SYS_mq_notify, mqd as c_long, sev) }).map(drop)
}

// ---------------------------------------------------------------------------
// SIGEV_THREAD

/// Bytes of the cookie the kernel sends to the notification socket; its
/// last byte says why (`<linux/mqueue.h>`).
const NOTIFY_COOKIE_LEN: usize = 32;
/// Cookie code: a message arrived on the empty queue.
const NOTIFY_WOKENUP: u8 = 1;

/// What one `SIGEV_THREAD` registration needs on its thread.
struct Registration {
    mqd: mqd_t,
    sock: RawFd,
    function: extern "C" fn(libc::sigval),
    value: libc::sigval,
    /// The `mq_notify` result (0 or an errno) goes back to the caller.
    registered: mpsc::SyncSender<c_int>,
}

/// `mq_notify` with `SIGEV_THREAD`, done as the kernel defines it: the
/// registration names a netlink socket, to which the kernel sends a 32-byte
/// cookie when the notification fires (or is removed).
///
/// Each registration gets its own socket and a thread created with
/// `attributes` (or the defaults). The thread makes the `mq_notify` call,
/// reports the result, waits for the cookie with every signal blocked, and
/// on a notification calls `function(value)` — in that thread, with the
/// registering thread's signal mask — then exits; a removed registration
/// (`mq_notify(NULL)`, the descriptor closed) just ends it. This is musl's
/// design; glibc multiplexes one socket and helper thread instead and
/// creates the notification thread later from a copy of the attributes.
/// Either way the function runs in a new thread created with the caller's
/// attributes; the thread detaches itself, whatever the attributes say.
///
/// `attributes` is a `pthread_attr_t` that `pthread_attr_init` prepared (the
/// only way safe code can hold one: the type has no public constructor).
pub fn mq_notify_thread(
    mqd: mqd_t,
    function: extern "C" fn(libc::sigval),
    value: libc::sigval,
    attributes: Option<&libc::pthread_attr_t>,
) -> Result<()> {
    let attributes = attributes.map_or(std::ptr::null(), |a| a as *const libc::pthread_attr_t);
    // SAFETY: plain socket creation; the descriptor is ours.
    let sock = cvt(unsafe { libc::socket(libc::AF_NETLINK, libc::SOCK_RAW | libc::SOCK_CLOEXEC, 0) })?;
    let (registered, result) = mpsc::sync_channel(1);
    let job = Box::into_raw(Box::new(Registration { mqd, sock, function, value, registered }));
    let mut thread: libc::pthread_t = 0;
    // SAFETY: `attributes` is NULL or initialised (see above); `job` is a
    // live Box that `notification_thread` takes over.
    let err = unsafe { libc::pthread_create(&mut thread, attributes, notification_thread, job.cast()) };
    if err != 0 {
        // SAFETY: the thread was not created, so `job` is still ours.
        drop(unsafe { Box::from_raw(job) });
        let _ = super::close(sock);
        return Err(Error::from_errno(err));
    }
    // The thread always answers before it can exit; a closed channel can
    // only mean it died without answering.
    match result.recv() {
        Ok(0) => Ok(()),
        Ok(errno) => Err(Error::from_errno(errno)),
        Err(_) => Err(Error::new(libc::EAGAIN, "the notification thread ended before registering")),
    }
}

/// The thread of one `SIGEV_THREAD` registration (see [`mq_notify_thread`]).
extern "C" fn notification_thread(arg: *mut c_void) -> *mut c_void {
    // SAFETY: `arg` is the Box mq_notify_thread leaked for this thread.
    let job = unsafe { Box::from_raw(arg.cast::<Registration>()) };
    // SAFETY: detaching the calling thread; an already-detached thread (from
    // the caller's attributes) makes it fail harmlessly with EINVAL.
    unsafe { libc::pthread_detach(libc::pthread_self()) };

    // Block every signal while waiting, so the wait is never interrupted and
    // signals go to the program's other threads; keep the caller's mask
    // (inherited at creation) for the notification function.
    // SAFETY: sigset_t is plain data; sigfillset/pthread_sigmask only write
    // the sets given.
    let mut all: libc::sigset_t = unsafe { std::mem::zeroed() };
    let mut caller_mask: libc::sigset_t = unsafe { std::mem::zeroed() };
    unsafe {
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_BLOCK, &all, &mut caller_mask);
    }

    let cookie = [0u8; NOTIFY_COOKIE_LEN];
    // SAFETY: an all-zero sigevent is a valid value of this plain C struct.
    let mut sev: libc::sigevent = unsafe { std::mem::zeroed() };
    sev.sigev_notify = libc::SIGEV_THREAD;
    sev.sigev_signo = job.sock;
    sev.sigev_value = libc::sigval { sival_ptr: cookie.as_ptr() as *mut c_void };
    // SAFETY: the kernel reads the sigevent and copies NOTIFY_COOKIE_LEN
    // bytes of the cookie, both live for the call.
    let ret = unsafe { libc::syscall(libc::SYS_mq_notify, job.mqd as c_long, &sev as *const libc::sigevent) };
    let errno = if ret == -1 { Error::last_os().errno() } else { 0 };
    let _ = job.registered.send(errno);
    if errno != 0 {
        let _ = super::close(job.sock);
        return std::ptr::null_mut();
    }

    let mut got = [0u8; NOTIFY_COOKIE_LEN];
    let n = loop {
        // SAFETY: `got` is valid for writes of NOTIFY_COOKIE_LEN bytes.
        // The system call, not glibc's recv (a cancellation point).
        let n = unsafe {
            libc::syscall(
                libc::SYS_recvfrom,
                job.sock,
                got.as_mut_ptr(),
                got.len(),
                libc::MSG_NOSIGNAL | libc::MSG_WAITALL,
                std::ptr::null_mut::<libc::sockaddr>(),
                std::ptr::null_mut::<libc::socklen_t>(),
            )
        } as isize;
        if n == -1 && Error::last_os().errno() == libc::EINTR {
            continue;
        }
        break n;
    };
    let _ = super::close(job.sock);
    if n == NOTIFY_COOKIE_LEN as isize && got[NOTIFY_COOKIE_LEN - 1] == NOTIFY_WOKENUP {
        // SAFETY: restoring the mask this thread was created with.
        unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &caller_mask, std::ptr::null_mut()) };
        (job.function)(job.value);
    }
    std::ptr::null_mut()
}
