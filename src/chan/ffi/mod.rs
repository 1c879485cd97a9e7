//! C shims for the native message channel.

// The C type names are the contract (docs/contract.md).
#![allow(non_camel_case_types)]

use std::ptr;

use libc::{c_char, c_int, c_void, mode_t, size_t, ssize_t};

use super::bcast::{Bcast, Policy, SubStats};
use super::{Chan, Progress, Sleep, Stats, Step, Wait};
use crate::ffi::{c_str, guard, in_bytes, in_ref, out_bytes, out_ref, Mode, Name, Ptr};

// In this order, which is the header's: loans and borrows, then broadcast.
mod loan;

mod bcast;

pub use bcast::*;
pub use loan::*;

/// cbindgen:ignore
///
/// An open channel: what `rsipc_chan_create`/`rsipc_chan_open` return and
/// `rsipc_chan_close` releases. Opaque to C: cbindgen skips it and renames
/// references to `struct rsipc_chan`, so the header's only mention is
/// `typedef struct rsipc_chan rsipc_chan_t;`.
pub struct rsipc_chan {
    kind: Kind,
}

/// Which kind of channel a handle is on.
enum Kind {
    /// A point-to-point channel (`rsipc_chan_create`/`rsipc_chan_open`).
    P2p(Chan),
    /// A broadcast channel's publisher or subscriber.
    Bcast(Bcast),
}

impl rsipc_chan {
    /// The point-to-point channel, or `EINVAL` for a broadcast handle.
    #[inline]
    fn chan(&self) -> crate::error::Result<&Chan> {
        match &self.kind {
            Kind::P2p(c) => Ok(c),
            Kind::Bcast(_) => Err(not_p2p()),
        }
    }

    /// The broadcast channel, or `EINVAL` for a point-to-point handle.
    fn bcast(&self) -> crate::error::Result<&Bcast> {
        match &self.kind {
            Kind::Bcast(b) => Ok(b),
            Kind::P2p(_) => Err(crate::error::Error::new(
                libc::EINVAL,
                "the handle is on a point-to-point channel, not a broadcast one",
            )),
        }
    }
}

#[cold]
fn not_p2p() -> crate::error::Error {
    crate::error::Error::new(
        libc::EINVAL,
        "the handle is on a broadcast channel, which supports only send, receive, subscriber stats and close",
    )
}

/// The opaque channel handle of the C API (one per process per open).
pub type rsipc_chan_t = rsipc_chan;

fn boxed(chan: Chan) -> *mut rsipc_chan_t {
    Box::into_raw(Box::new(rsipc_chan { kind: Kind::P2p(chan) }))
}

/// What one guarded attempt of a send or receive hands back to its shim.
#[derive(Clone, Copy)]
enum Attempt<S, R> {
    /// The C function's return value (its failure value with errno set,
    /// or success).
    Return(R),
    /// Sleep (a [`Sleep`] or a broadcast call's sleep), then make the next
    /// attempt.
    Sleep(S),
}

/// A sleep a blocking call asked for, taken on the call's waiting state
/// `W` (a point-to-point [`Wait`] or a broadcast one).
trait Sleeps<W>: Copy {
    /// Sleeps as a thread-cancellation point and tells `wait` how the
    /// sleep ended.
    ///
    /// # Safety
    /// No `catch_unwind` frame may be on the calling thread's stack.
    unsafe fn sleep_in(self, wait: &mut W);
}

impl Sleeps<Wait> for Sleep<'_> {
    #[inline]
    unsafe fn sleep_in(self, wait: &mut Wait) {
        // SAFETY: forwarded from this function's contract.
        let woke = unsafe { self.sleep_cancellable(wait) };
        wait.woke(woke);
    }
}

/// A step of either kind of channel (a [`Progress`]: point-to-point `Step`
/// or broadcast `Step`) as its shim's attempt, the value of a completed
/// call made into the C return value by `done`.
trait IntoAttempt<T, S> {
    fn returning<R>(self, done: impl FnOnce(T) -> R) -> Attempt<S, R>;
}

impl<S, T> IntoAttempt<T, S> for Progress<S, T> {
    #[inline]
    fn returning<R>(self, done: impl FnOnce(T) -> R) -> Attempt<S, R> {
        match self {
            Progress::Done(v) => Attempt::Return(done(v)),
            Progress::Sleep(s) => Attempt::Sleep(s),
        }
    }
}

/// Runs a blocking point-to-point call as a thread-cancellation point
/// (see [`blocking_in`]).
#[inline]
fn blocking<'a, R: Copy>(timeout_ms: c_int, attempt: impl FnMut(&mut Wait) -> Attempt<Sleep<'a>, R>) -> R {
    blocking_in(Wait::new(timeout_ms), attempt)
}

/// Runs a blocking channel call, whose waiting state is `wait`, as a
/// thread-cancellation point: each attempt runs under the guard (argument
/// checks, errors, panics), and the sleeps between them run outside it,
/// where the forced unwind of a `pthread_cancel` may pass through to the C
/// caller (this shim is `extern "C-unwind"`; the guard's `catch_unwind`
/// would catch the unwind and make glibc abort the process); the unwind
/// drops `wait`, which gives back what the call held (a broadcast handle's
/// busy flag). A call that never has to sleep never acts on a cancel.
///
/// A caller that enabled asynchronous cancellation would expose the
/// attempts to a cancel landing inside the guard; so once a call has to
/// sleep, its later attempts run with deferred cancellation (the sleep
/// itself is asynchronous, as every cancellation point's system call is),
/// and the caller's type comes back when the call returns, which acts on
/// a cancel that arrived meanwhile, as the caller asked for.
#[inline]
fn blocking_in<W, S: Sleeps<W>, R: Copy>(mut wait: W, mut attempt: impl FnMut(&mut W) -> Attempt<S, R>) -> R {
    let first = match attempt(&mut wait) {
        Attempt::Return(r) => return r,
        Attempt::Sleep(sleep) => sleep,
    };
    blocking_slow(wait, first, attempt)
}

#[cold]
#[inline(never)]
fn blocking_slow<W, S: Sleeps<W>, R: Copy>(
    mut wait: W,
    first: S,
    mut attempt: impl FnMut(&mut W) -> Attempt<S, R>,
) -> R {
    // SAFETY: no catch_unwind frame is on the stack (see below).
    let _deferred = unsafe { crate::sys::chan::DeferredCancel::enter() };
    let mut sleep = first;
    loop {
        // SAFETY: no catch_unwind frame is on the stack here: the guard of
        // the attempt has returned, and the shims calling this are entered
        // from C.
        unsafe { sleep.sleep_in(&mut wait) };
        match attempt(&mut wait) {
            Attempt::Return(r) => return r,
            Attempt::Sleep(next) => sleep = next,
        }
    }
}

/// The broadcast channel of `ch`, if `ch` is a broadcast handle.
///
/// # Safety
/// `ch` is NULL or a live handle.
#[inline]
unsafe fn broadcast<'a>(ch: *const rsipc_chan_t) -> Option<&'a Bcast> {
    // SAFETY: forwarded from this function's contract.
    match unsafe { ch.as_ref() } {
        Some(rsipc_chan { kind: Kind::Bcast(b) }) => Some(b),
        _ => None,
    }
}

/// Creates a channel holding up to `capacity` messages of up to `max_msg`
/// bytes each: a bounded multi-producer multi-consumer queue in shared
/// memory where each message goes to exactly one receiver and the messages
/// of one sender arrive in the order sent.
///
/// `name` is a POSIX shared memory name (`"/name"`, as for shm_open(3)); the
/// channel is that object (`/dev/shm/name`), created exclusively with
/// permissions `mode` less the umask, and other processes reach it with
/// `rsipc_chan_open`. `name == NULL` creates an anonymous channel, shared
/// with the children this process `fork()`s afterwards (`mode` is unused).
/// Returns the handle, or NULL with errno.
///
/// The channel's memory (about `capacity` times `max_msg` rounded up to
/// cache lines) is reserved here, with fallocate(2): a full `/dev/shm` or
/// memory is an error from this call, never a `SIGBUS` in a later send.
///
/// # Errors
/// `EINVAL` if `max_msg` or `capacity` is 0 or too large (`max_msg` at most
/// `INT32_MAX`, `capacity` at most 2^32), or `name` is not `/name` with no
/// other `/`; `ENAMETOOLONG` for a name longer than `NAME_MAX` after the
/// slash; `EEXIST` if the name exists; `ENOSPC` if `/dev/shm` has no room
/// for the channel; `ENOMEM` if memory is short, or the channel is larger
/// than the machine's memory and swap together (refused before any page
/// is taken); `EACCES`, `EMFILE`, `ENFILE` as for open(2). A failed call
/// leaves no object behind.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn rsipc_chan_create(
    name: *const c_char,
    max_msg: size_t,
    capacity: size_t,
    mode: mode_t,
) -> *mut rsipc_chan_t {
    guard(
        ptr::null_mut(),
        call!("chan_create", name = Name(name), max_msg = max_msg, capacity = capacity, mode = Mode(mode)),
        || {
            // SAFETY: forwarded from this function's contract.
            let name = if name.is_null() { None } else { Some(unsafe { c_str(name, "name") }?) };
            Chan::create(name, max_msg, capacity, mode).map(boxed)
        },
    )
}

/// Opens the existing channel `name` (made by `rsipc_chan_create` in any
/// process). Returns a new handle, or NULL with errno.
///
/// # Errors
/// `EFAULT` if `name` is NULL; `ENOENT` if no object has that name;
/// `EINVAL` if the object is not an rsipc channel or has another layout
/// version, or for a bad name; `ENAMETOOLONG`; `EACCES`.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn rsipc_chan_open(name: *const c_char) -> *mut rsipc_chan_t {
    guard(ptr::null_mut(), call!("chan_open", name = Name(name)), || {
        // SAFETY: forwarded from this function's contract.
        let name = unsafe { c_str(name, "name") }?;
        Chan::open(name).map(boxed)
    })
}

/// Copies the `len` bytes at `msg` into the channel as one message.
/// Waits while the channel is full: `timeout_ms < 0` forever, `0` not at
/// all, otherwise at most `timeout_ms` milliseconds. While a receiver is
/// awake this costs no system call. Returns 0, or -1 with errno.
///
/// # Errors
/// `EFAULT` if `ch` is NULL, or `msg` is NULL with `len > 0`; `EMSGSIZE`
/// (before any wait) if `len` exceeds the channel's `max_msg`; `EAGAIN` if
/// full and `timeout_ms == 0`; `ETIMEDOUT` if still full after
/// `timeout_ms`; `EINTR` if a signal handler interrupted the wait;
/// `ENOTRECOVERABLE` if the channel's shared memory is corrupted (returned
/// within the timeout, with a message saying what was found).
///
/// # Cancellation
/// A thread-cancellation point while it sleeps for room (as `mq_send` is
/// while the queue is full): a `pthread_cancel` arriving then, or pending
/// when it starts to sleep, cancels the thread there, with nothing sent
/// and nothing held in the channel. A send that does not have to sleep
/// never acts on a cancel. The same for a broadcast channel's publisher
/// while it sleeps for room (`RSIPC_CHAN_BLOCK_PUBLISHER`): the message is
/// not published, and the channel and the handle stay usable.
///
/// # Safety
/// `ch` is NULL or a live handle; `msg` is NULL or valid for reads of `len`
/// bytes.
#[no_mangle]
pub unsafe extern "C-unwind" fn rsipc_chan_send(
    ch: *mut rsipc_chan_t,
    msg: *const c_void,
    len: size_t,
    timeout_ms: c_int,
) -> c_int {
    // SAFETY: forwarded from this function's contract.
    if let Some(b) = unsafe { broadcast(ch) } {
        // SAFETY: forwarded from this function's contract.
        return unsafe { bcast_send(b, ch, msg, len, timeout_ms) };
    }
    blocking(timeout_ms, move |wait| {
        guard(
            Attempt::Return(-1),
            call!("chan_send", ch = Ptr(ch), msg = Ptr(msg), len = len, timeout_ms = timeout_ms),
            || {
                // SAFETY: forwarded from this function's contract.
                let ch = unsafe { in_ref(ch, "ch") }?;
                // SAFETY: forwarded from this function's contract.
                let msg = unsafe { in_bytes(msg, len, "msg") }?;
                Ok(ch.chan()?.send_step(msg, wait)?.returning(|()| 0))
            },
        )
    })
}

/// Takes the next message into `buf` (room for `cap` bytes) and returns its
/// length. Waits while the channel is empty, with the timeout rules of
/// `rsipc_chan_send`. Returns -1 with errno on failure.
///
/// # Errors
/// `EFAULT` if `ch` is NULL, or `buf` is NULL with `cap > 0`; `EMSGSIZE` if
/// the next message is longer than `cap` (it stays queued); `EPIPE` on a
/// broadcast subscriber that has taken every message once the publisher
/// closed its handle or died; `EAGAIN`, `ETIMEDOUT`, `EINTR`,
/// `ENOTRECOVERABLE` as for `rsipc_chan_send`.
///
/// # Cancellation
/// A thread-cancellation point while it sleeps for a message (as
/// `mq_receive` is while the queue is empty): a `pthread_cancel` arriving
/// then, or pending when it starts to sleep, cancels the thread there, with
/// nothing taken from the channel. A receive that does not have to sleep
/// never acts on a cancel. The same for a broadcast channel's subscriber
/// while it sleeps for a message: its position and counters stay as they
/// were, and its handle stays usable.
///
/// # Safety
/// `ch` is NULL or a live handle; `buf` is NULL or valid for writes of
/// `cap` bytes.
#[no_mangle]
pub unsafe extern "C-unwind" fn rsipc_chan_recv(
    ch: *mut rsipc_chan_t,
    buf: *mut c_void,
    cap: size_t,
    timeout_ms: c_int,
) -> ssize_t {
    // SAFETY: forwarded from this function's contract.
    if let Some(b) = unsafe { broadcast(ch) } {
        // SAFETY: forwarded from this function's contract.
        return unsafe { bcast_recv(b, ch, buf, cap, timeout_ms) };
    }
    blocking(timeout_ms, move |wait| {
        guard(
            Attempt::Return(-1),
            call!("chan_recv", ch = Ptr(ch), buf = Ptr(buf), cap = cap, timeout_ms = timeout_ms),
            || {
                // SAFETY: forwarded from this function's contract.
                let ch = unsafe { in_ref(ch, "ch") }?;
                // SAFETY: forwarded from this function's contract.
                let buf = unsafe { out_bytes(buf, cap, "buf") }?;
                Ok(ch.chan()?.recv_step(buf, wait)?.returning(|n| n as ssize_t))
            },
        )
    })
}

/// Releases the handle `ch` (unmaps this process's view of the channel).
/// The channel itself lives on while other handles or its name exist.
/// `ch == NULL` does nothing. Returns 0.
///
/// # Safety
/// `ch` is NULL or a live handle, not used by any other thread during or
/// after this call.
#[no_mangle]
pub unsafe extern "C" fn rsipc_chan_close(ch: *mut rsipc_chan_t) -> c_int {
    guard(-1, call!("chan_close", ch = Ptr(ch)), || {
        if !ch.is_null() {
            // SAFETY: a live handle from Box::into_raw (this function's
            // contract), released exactly once here.
            drop(unsafe { Box::from_raw(ch) });
        }
        Ok(0)
    })
}

/// Removes the channel name `name` (as shm_unlink(3)); handles already open
/// keep working, and the memory is freed when the last one closes.
/// Returns 0, or -1 with errno.
///
/// # Errors
/// `EFAULT` if `name` is NULL; `EINVAL`/`ENAMETOOLONG` for a bad name;
/// `ENOENT` if no such name; `EACCES`.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn rsipc_chan_unlink(name: *const c_char) -> c_int {
    guard(-1, call!("chan_unlink", name = Name(name)), || {
        // SAFETY: forwarded from this function's contract.
        let name = unsafe { c_str(name, "name") }?;
        super::unlink(name).map(|()| 0)
    })
}

/// Fills `*out` with the channel's counters: messages queued now, capacity,
/// largest message in bytes, messages sent and received since creation, and
/// messages lost to dead peers. Slots held by processes that have died are
/// recovered first, so the numbers account for every message:
/// `sent == received + lost + queued`. Returns 0, or -1 with errno.
///
/// # Errors
/// `EFAULT` if `ch` or `out` is NULL.
///
/// # Safety
/// `ch` is NULL or a live handle; `out` is NULL or valid for writes of one
/// `struct rsipc_chan_stats`.
#[no_mangle]
pub unsafe extern "C" fn rsipc_chan_stats(ch: *mut rsipc_chan_t, out: *mut Stats) -> c_int {
    guard(-1, call!("chan_stats", ch = Ptr(ch), out = Ptr(out)), || {
        // SAFETY: forwarded from this function's contract.
        let ch = unsafe { in_ref(ch, "ch") }?;
        // SAFETY: forwarded from this function's contract.
        let out = unsafe { out_ref(out, "out") }?;
        *out = ch.chan()?.stats();
        Ok(0)
    })
}

/// Returns a descriptor that poll(2), select(2) and epoll(7) report readable
/// (`POLLIN`, `EPOLLIN`) when a call through `ch` may proceed on a side that
/// `events` asks for: `POLLIN` for "a message is queued" (rsipc_chan_recv),
/// `POLLOUT` for "a slot is free" (rsipc_chan_send), or both (then readable
/// when either may hold). Always wait for `POLLIN`/`EPOLLIN` on it, also for
/// the `POLLOUT` side. Works between processes that share nothing but the
/// channel's name; while nobody polls, sending and receiving make no
/// system call for it.
///
/// Use: wait until the descriptor is readable, then call rsipc_chan_recv
/// (or rsipc_chan_send) with `timeout_ms == 0` until it fails with `EAGAIN`.
/// That `EAGAIN` (or an `ETIMEDOUT`) through this handle re-arms the
/// descriptor: it reads it empty, and it becomes readable again at the next
/// message (or free slot). This works level-triggered (the descriptor stays
/// readable until that `EAGAIN`) and edge-triggered (`EPOLLET`: one event
/// per re-arming). Readiness is a hint: with several receivers another one
/// may take the message first, and the call then fails with `EAGAIN`, which
/// re-arms. Never read the descriptor yourself, and do not close it.
///
/// The descriptor is a Unix datagram socket bound to a file in `/dev/shm`
/// (`rsipc-bell-` and 16 hex digits) with the channel's permission bits; it
/// belongs to the handle: later calls return the same descriptor (adding
/// the sides asked for), and rsipc_chan_close closes it and removes the
/// file. The file of a process that died while polling is removed by the
/// next handle that needs a doorbell and by rsipc_chan_stats.
///
/// Returns the descriptor, or -1 with errno.
///
/// # Errors
/// `EFAULT` if `ch` is NULL; `EINVAL` if `events` holds neither `POLLIN`
/// nor `POLLOUT`, or other bits; `EBUSY` if 64 live handles already poll
/// the channel, or if the handle came from another process through fork()
/// after that process made the descriptor (open the channel again);
/// `EMFILE`, `ENFILE`, `ENOMEM`, and the errors of bind(2) in `/dev/shm`
/// (`EACCES`, `ENOSPC`).
///
/// # Safety
/// `ch` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn rsipc_chan_pollfd(ch: *mut rsipc_chan_t, events: c_int) -> c_int {
    guard(-1, call!("chan_pollfd", ch = Ptr(ch), events = events), || {
        // SAFETY: forwarded from this function's contract.
        let ch = unsafe { in_ref(ch, "ch") }?;
        let events = i16::try_from(events)
            .map_err(|_| err!(libc::EINVAL, "events may only contain POLLIN and POLLOUT, not {}", i64::from(events)))?;
        // The handle owns the descriptor; the caller polls it until it
        // closes the handle.
        ch.chan()?.pollfd(events).map(|fd| std::os::fd::AsRawFd::as_raw_fd(&fd))
    })
}
