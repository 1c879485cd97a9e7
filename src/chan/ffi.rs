//! C shims for the native message channel.

// The C type names are the contract (docs/contract.md).
#![allow(non_camel_case_types)]

use std::ptr;

use libc::{c_char, c_int, c_void, mode_t, size_t, ssize_t};

use super::bcast::{Bcast, Policy, SubStats};
use super::{Chan, Stats, Step, Wait};
use crate::ffi::{c_str, guard, in_bytes, in_ref, out_bytes, out_ref, Mode, Name, Ptr};

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
enum Attempt<'a, R> {
    /// The C function's return value (its failure value with errno set,
    /// or success).
    Return(R),
    /// Sleep, then make the next attempt.
    Sleep(super::Sleep<'a>),
}

/// Runs a blocking channel call as a thread-cancellation point: each
/// attempt runs under the guard (argument checks, errors, panics), and the
/// sleeps between them run outside it, where the forced unwind of a
/// `pthread_cancel` may pass through to the C caller (this shim is
/// `extern "C-unwind"`; the guard's `catch_unwind` would catch the unwind
/// and make glibc abort the process). A call that never has to sleep never
/// acts on a cancel.
///
/// A caller that enabled asynchronous cancellation would expose the
/// attempts to a cancel landing inside the guard; so once a call has to
/// sleep, its later attempts run with deferred cancellation (the sleep
/// itself is asynchronous, as every cancellation point's system call is),
/// and the caller's type comes back when the call returns, which acts on
/// a cancel that arrived meanwhile, as the caller asked for.
#[inline]
fn blocking<'a, R: Copy>(timeout_ms: c_int, mut attempt: impl FnMut(&mut Wait) -> Attempt<'a, R>) -> R {
    let mut wait = Wait::new(timeout_ms);
    let first = match attempt(&mut wait) {
        Attempt::Return(r) => return r,
        Attempt::Sleep(sleep) => sleep,
    };
    blocking_slow(wait, first, attempt)
}

#[cold]
#[inline(never)]
fn blocking_slow<'a, R: Copy>(
    mut wait: Wait,
    first: super::Sleep<'a>,
    mut attempt: impl FnMut(&mut Wait) -> Attempt<'a, R>,
) -> R {
    // SAFETY: no catch_unwind frame is on the stack (see below).
    let _deferred = unsafe { crate::sys::chan::DeferredCancel::enter() };
    let mut sleep = first;
    loop {
        // SAFETY: no catch_unwind frame is on the stack here: the guard of
        // the attempt has returned, and the shims calling this are entered
        // from C.
        wait.woke(unsafe { sleep.sleep_cancellable(&wait) });
        match attempt(&mut wait) {
            Attempt::Return(r) => return r,
            Attempt::Sleep(next) => sleep = next,
        }
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
/// never acts on a cancel.
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
    blocking(timeout_ms, move |wait| {
        guard(
            Attempt::Return(-1),
            call!("chan_send", ch = Ptr(ch), msg = Ptr(msg), len = len, timeout_ms = timeout_ms),
            || {
                // SAFETY: forwarded from this function's contract.
                let ch = unsafe { in_ref(ch, "ch") }?;
                // SAFETY: forwarded from this function's contract.
                let msg = unsafe { in_bytes(msg, len, "msg") }?;
                let chan = match &ch.kind {
                    Kind::P2p(chan) => chan,
                    Kind::Bcast(b) => return b.send(msg, timeout_ms).map(|()| Attempt::Return(0)),
                };
                chan.send_step(msg, wait).map(|step| match step {
                    Step::Done(()) => Attempt::Return(0),
                    Step::Sleep(s) => Attempt::Sleep(s),
                })
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
/// the next message is longer than `cap` (it stays queued); `EAGAIN`,
/// `ETIMEDOUT`, `EINTR`, `ENOTRECOVERABLE` as for `rsipc_chan_send`.
///
/// # Cancellation
/// A thread-cancellation point while it sleeps for a message (as
/// `mq_receive` is while the queue is empty): a `pthread_cancel` arriving
/// then, or pending when it starts to sleep, cancels the thread there, with
/// nothing taken from the channel. A receive that does not have to sleep
/// never acts on a cancel.
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
    blocking(timeout_ms, move |wait| {
        guard(
            Attempt::Return(-1),
            call!("chan_recv", ch = Ptr(ch), buf = Ptr(buf), cap = cap, timeout_ms = timeout_ms),
            || {
                // SAFETY: forwarded from this function's contract.
                let ch = unsafe { in_ref(ch, "ch") }?;
                // SAFETY: forwarded from this function's contract.
                let buf = unsafe { out_bytes(buf, cap, "buf") }?;
                let chan = match &ch.kind {
                    Kind::P2p(chan) => chan,
                    Kind::Bcast(b) => return b.recv(buf, timeout_ms).map(|n| Attempt::Return(n as ssize_t)),
                };
                chan.recv_step(buf, wait).map(|step| match step {
                    Step::Done(n) => Attempt::Return(n as ssize_t),
                    Step::Sleep(s) => Attempt::Sleep(s),
                })
            },
        )
    })
}

/// Loans the next free slot of the channel for a message of up to `size`
/// bytes, to write in place (zero-copy send): stores the slot's payload
/// address in `*ptr`. Write the message there, then publish it with
/// `rsipc_chan_publish(ch, *ptr, len)` (`len <= size`), or give the slot
/// back with `rsipc_chan_loan_return(ch, *ptr)`. Waits while the channel is
/// full, with the timeout rules of `rsipc_chan_send`. Returns 0, or -1 with
/// errno (`*ptr` is then unchanged).
///
/// The payload is 64-byte aligned in channels whose `max_msg` is at least
/// 256 (16-byte aligned below that), and `max_msg` bytes long whatever
/// `size` is; its contents are whatever the slot held before (not zeroed).
///
/// Ordering: the slot takes the next position of the channel, as a send
/// would, so the message is delivered after every message sent or loaned
/// before it, and receivers wait at its position until it is published or
/// returned: keep loans short, and never wait for a message through the
/// same channel while holding a loan (the message may be queued behind
/// it). Other senders are not held up (they take the following slots). A
/// process can hold up to `capacity` loans at once. A process that dies
/// holding a loan loses nothing for the others: the slot is skipped,
/// never delivered, and counted in `lost` of `rsipc_chan_stats`.
///
/// # Errors
/// `EFAULT` if `ch` or `ptr` is NULL; `EMSGSIZE` (before any wait) if
/// `size` exceeds the channel's `max_msg`; `EAGAIN`, `ETIMEDOUT`, `EINTR`,
/// `ENOTRECOVERABLE` as for `rsipc_chan_send`.
///
/// # Cancellation
/// As `rsipc_chan_send`: a cancellation point while it sleeps for room,
/// with no slot held then.
///
/// # Safety
/// `ch` is NULL or a live handle; `ptr` is NULL or valid for writes of one
/// pointer.
#[no_mangle]
pub unsafe extern "C-unwind" fn rsipc_chan_loan(
    ch: *mut rsipc_chan_t,
    size: size_t,
    ptr: *mut *mut c_void,
    timeout_ms: c_int,
) -> c_int {
    blocking(timeout_ms, move |wait| {
        guard(
            Attempt::Return(-1),
            call!("chan_loan", ch = Ptr(ch), size = size, ptr = Ptr(ptr), timeout_ms = timeout_ms),
            || {
                // SAFETY: forwarded from this function's contract.
                let ch = unsafe { in_ref(ch, "ch") }?;
                // SAFETY: forwarded from this function's contract.
                let out = unsafe { out_ref(ptr, "ptr") }?;
                ch.chan()?.loan_step(size, wait).map(|step| match step {
                    Step::Done(p) => {
                        *out = p.cast();
                        Attempt::Return(0)
                    }
                    Step::Sleep(s) => Attempt::Sleep(s),
                })
            },
        )
    })
}

/// Publishes the loan `ptr` (from `rsipc_chan_loan` through `ch`) as a
/// message of its first `len` bytes: from now on a receiver may take it,
/// and this process must not touch the payload again. Never waits, makes
/// no system call while no receiver sleeps. Returns 0, or -1 with errno.
///
/// # Errors
/// `EFAULT` if `ch` is NULL; `EINVAL` if `ptr` is not the payload address
/// of a slot of this channel, or that slot is not on loan to this handle:
/// published or returned already, never loaned, or loaned through another
/// handle or process (a child after fork() cannot publish its parent's
/// loans) --
/// nothing changes then; `EMSGSIZE` if `len` exceeds the size loaned (the
/// loan stays open); `ENOTRECOVERABLE` if the slot was changed by someone
/// else while on loan (corrupted shared memory; nothing is published).
///
/// A payload address is a loan until it is published or returned; once it
/// is, the same address may be loaned again (after its message was
/// received), so a second publication of a stale pointer is only
/// detected while this handle holds no new loan of that slot. Closing a
/// handle that holds loans or borrows gives them up as its process's death
/// would: they are recovered by the others and counted in `lost`.
///
/// # Safety
/// `ch` is NULL or a live handle. `ptr` is never dereferenced by this call
/// unless it is a payload address of the channel.
#[no_mangle]
pub unsafe extern "C" fn rsipc_chan_publish(ch: *mut rsipc_chan_t, ptr: *mut c_void, len: size_t) -> c_int {
    guard(-1, call!("chan_publish", ch = Ptr(ch), ptr = Ptr(ptr), len = len), || {
        // SAFETY: forwarded from this function's contract.
        let ch = unsafe { in_ref(ch, "ch") }?;
        ch.chan()?.publish(ptr as *const u8, len).map(|()| 0)
    })
}

/// Gives the loan `ptr` (from `rsipc_chan_loan` through `ch`) back
/// unpublished: no receiver ever sees it, receivers waiting at its position
/// move on, and it counts as neither sent nor received in
/// `rsipc_chan_stats`. Returns 0, or -1 with errno.
///
/// # Errors
/// As `rsipc_chan_publish` (without `EMSGSIZE`): `EFAULT` if `ch` is NULL;
/// `EINVAL` if `ptr` is not a payload address of this channel on loan to
/// this handle; `ENOTRECOVERABLE` if the slot was changed by someone else.
///
/// # Safety
/// `ch` is NULL or a live handle. `ptr` is never dereferenced by this call
/// unless it is a payload address of the channel.
#[no_mangle]
pub unsafe extern "C" fn rsipc_chan_loan_return(ch: *mut rsipc_chan_t, ptr: *mut c_void) -> c_int {
    guard(-1, call!("chan_loan_return", ch = Ptr(ch), ptr = Ptr(ptr)), || {
        // SAFETY: forwarded from this function's contract.
        let ch = unsafe { in_ref(ch, "ch") }?;
        ch.chan()?.loan_return(ptr as *const u8).map(|()| 0)
    })
}

/// Borrows the next message in place (zero-copy receive): stores the
/// address of its payload in `*ptr` and its length in `*len`. The message
/// is this process's alone until it hands it back with
/// `rsipc_chan_release(ch, *ptr)`; it may read it, and modify it in place.
/// Waits while the channel is empty, with the timeout rules of
/// `rsipc_chan_send`. Returns 0, or -1 with errno (`*ptr`, `*len` are then
/// unchanged).
///
/// Messages are borrowed in the order `rsipc_chan_recv` takes them, and a
/// borrow holds up only its own slot: other receivers take the following
/// messages meanwhile, and senders wait for that slot only when the ring
/// has come round to it (so a process can hold up to `capacity` borrows,
/// and then senders wait). The payload has the alignment described at
/// `rsipc_chan_loan`. A process that dies holding a borrow loses the
/// message (counted in `lost` of `rsipc_chan_stats`) and its slot is freed
/// for the senders.
///
/// # Errors
/// `EFAULT` if `ch`, `ptr` or `len` is NULL; `EAGAIN`, `ETIMEDOUT`,
/// `EINTR`, `ENOTRECOVERABLE` as for `rsipc_chan_recv`.
///
/// # Cancellation
/// As `rsipc_chan_recv`: a cancellation point while it sleeps for a
/// message, with nothing taken then.
///
/// # Safety
/// `ch` is NULL or a live handle; `ptr` and `len` are NULL or valid for
/// writes of one pointer and one `size_t`.
#[no_mangle]
pub unsafe extern "C-unwind" fn rsipc_chan_recv_borrow(
    ch: *mut rsipc_chan_t,
    ptr: *mut *mut c_void,
    len: *mut size_t,
    timeout_ms: c_int,
) -> c_int {
    blocking(timeout_ms, move |wait| {
        guard(
            Attempt::Return(-1),
            call!("chan_recv_borrow", ch = Ptr(ch), ptr = Ptr(ptr), len = Ptr(len), timeout_ms = timeout_ms),
            || {
                // SAFETY: forwarded from this function's contract.
                let ch = unsafe { in_ref(ch, "ch") }?;
                // SAFETY: forwarded from this function's contract.
                let out = unsafe { out_ref(ptr, "ptr") }?;
                // SAFETY: forwarded from this function's contract.
                let out_len = unsafe { out_ref(len, "len") }?;
                ch.chan()?.borrow_step(wait).map(|step| match step {
                    Step::Done((p, n)) => {
                        *out = p.cast();
                        *out_len = n;
                        Attempt::Return(0)
                    }
                    Step::Sleep(s) => Attempt::Sleep(s),
                })
            },
        )
    })
}

/// Releases the borrow `ptr` (from `rsipc_chan_recv_borrow` through `ch`):
/// its slot is free for the senders, and this process must not touch the
/// payload again. Never waits. Returns 0, or -1 with errno.
///
/// # Errors
/// `EFAULT` if `ch` is NULL; `EINVAL` if `ptr` is not the payload address
/// of a slot of this channel, or that slot is not borrowed by this
/// handle: released already, never borrowed, or borrowed through another
/// handle or process -- nothing changes then; `ENOTRECOVERABLE` if the slot was
/// changed by someone else while borrowed (corrupted shared memory).
///
/// # Safety
/// `ch` is NULL or a live handle. `ptr` is never dereferenced by this call
/// unless it is a payload address of the channel.
#[no_mangle]
pub unsafe extern "C" fn rsipc_chan_release(ch: *mut rsipc_chan_t, ptr: *const c_void) -> c_int {
    guard(-1, call!("chan_release", ch = Ptr(ch), ptr = Ptr(ptr)), || {
        // SAFETY: forwarded from this function's contract.
        let ch = unsafe { in_ref(ch, "ch") }?;
        ch.chan()?.release(ptr as *const u8).map(|()| 0)
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

/// Policy flag of `rsipc_chan_create_broadcast`: the publisher waits until
/// every live subscriber has taken the message a slot holds before it
/// overwrites it; no subscriber loses a message.
pub const RSIPC_CHAN_BLOCK_PUBLISHER: i32 = 1;
/// Policy flag of `rsipc_chan_create_broadcast`: the publisher never waits;
/// a subscriber a whole channel behind loses its oldest messages, counted in
/// its `lost` (see `rsipc_chan_subscriber_stats`).
pub const RSIPC_CHAN_DROP_OLDEST: i32 = 2;

/// Creates a broadcast (publish–subscribe) channel and returns its publisher
/// handle: every message sent through it with `rsipc_chan_send` is received
/// by every subscriber attached (`rsipc_chan_subscribe`) when it is sent, in
/// the order sent. Subscribers attach and leave at any moment, from any
/// process that can open `name`.
///
/// `name`, `max_msg`, `capacity` and `mode` are as for `rsipc_chan_create`
/// (`name` must not be NULL: subscribers find the channel by its name; the
/// memory, `capacity` messages of `max_msg` bytes rounded up to cache lines
/// plus a header of about 9 KiB, is reserved here). `flags` is exactly one
/// policy for a subscriber that falls `capacity` messages behind:
/// `RSIPC_CHAN_BLOCK_PUBLISHER` (the publisher waits for it, within its
/// send's timeout) or `RSIPC_CHAN_DROP_OLDEST` (the publisher never waits;
/// the subscriber skips the messages overwritten before it took them and
/// counts them as lost). A subscriber that dies, however it dies, stops
/// counting for `RSIPC_CHAN_BLOCK_PUBLISHER` (the kernel's file lock of its
/// member id says so; see docs/channel.md).
///
/// One publisher: only this handle sends, one thread at a time, and only in
/// this process (a child forked with the handle gets `EPERM`). At most 64
/// subscribers are attached at once. Broadcast handles work with
/// `rsipc_chan_send`, `rsipc_chan_recv`, `rsipc_chan_subscriber_stats` and
/// `rsipc_chan_close`; the other channel calls fail with `EINVAL` on them,
/// and `rsipc_chan_open` refuses a broadcast channel. Returns the handle, or
/// NULL with errno.
///
/// # Errors
/// `EFAULT` if `name` is NULL; `EINVAL` if `flags` is not exactly one
/// policy, and as `rsipc_chan_create` for `max_msg`, `capacity` and the
/// name; `ENAMETOOLONG`, `EEXIST`, `ENOSPC`, `ENOMEM`, `EACCES`, `EMFILE`,
/// `ENFILE` as `rsipc_chan_create`. A failed call leaves no object behind.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn rsipc_chan_create_broadcast(
    name: *const c_char,
    max_msg: size_t,
    capacity: size_t,
    mode: mode_t,
    flags: c_int,
) -> *mut rsipc_chan_t {
    guard(
        ptr::null_mut(),
        call!(
            "chan_create_broadcast",
            name = Name(name),
            max_msg = max_msg,
            capacity = capacity,
            mode = Mode(mode),
            flags = flags
        ),
        || {
            // SAFETY: forwarded from this function's contract.
            let name = unsafe { c_str(name, "name") }?;
            let policy = match flags {
                RSIPC_CHAN_BLOCK_PUBLISHER => Policy::BlockPublisher,
                RSIPC_CHAN_DROP_OLDEST => Policy::DropOldest,
                _ => {
                    return Err(err!(
                        libc::EINVAL,
                        "flags must be RSIPC_CHAN_BLOCK_PUBLISHER or RSIPC_CHAN_DROP_OLDEST, not {}",
                        i64::from(flags)
                    ))
                }
            };
            Bcast::create(name, max_msg, capacity, mode, policy)
                .map(|b| Box::into_raw(Box::new(rsipc_chan { kind: Kind::Bcast(b) })))
        },
    )
}

/// Attaches a new subscriber to the broadcast channel `name` and returns its
/// handle: `rsipc_chan_recv` on it takes, in order, every message published
/// after this call returns (the subscriber's own copy: other subscribers
/// receive them too). `rsipc_chan_close` detaches it. A subscriber handle
/// belongs to the process that subscribed, used by one thread at a time
/// (`EBUSY` otherwise, on `rsipc_chan_recv`); it cannot send (`EPERM`).
///
/// Under `RSIPC_CHAN_DROP_OLDEST`, a subscriber that falls `capacity`
/// messages behind the publisher skips the messages overwritten meanwhile
/// and counts them in its `lost`; under `RSIPC_CHAN_BLOCK_PUBLISHER` the
/// publisher waits for it instead. Returns the handle, or NULL with errno.
///
/// # Errors
/// `EFAULT` if `name` is NULL; `ENOENT` if no object has that name;
/// `EINVAL` if it is not a broadcast channel (a point-to-point channel is
/// opened with `rsipc_chan_open`) or has another layout version, or for a
/// bad name; `EBUSY` if 64 live subscribers are attached; `ENAMETOOLONG`;
/// `EACCES`; `EMFILE`, `ENOMEM`.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn rsipc_chan_subscribe(name: *const c_char) -> *mut rsipc_chan_t {
    guard(ptr::null_mut(), call!("chan_subscribe", name = Name(name)), || {
        // SAFETY: forwarded from this function's contract.
        let name = unsafe { c_str(name, "name") }?;
        Bcast::subscribe(name).map(|b| Box::into_raw(Box::new(rsipc_chan { kind: Kind::Bcast(b) })))
    })
}

/// Fills `*out` with the counters of a broadcast handle: messages published
/// since creation, and for a subscriber's handle the messages it received,
/// the messages it lost (overwritten before it took them, under
/// `RSIPC_CHAN_DROP_OLDEST`) and the messages pending for it; the number of
/// subscribers attached, the capacity and the largest message. For a
/// subscriber, `published - pending` is its position (the sequence number
/// of its next message, counting from 0 at creation), so `received + lost
/// == published - pending - (the position at which it subscribed)`.
/// Returns 0, or -1 with errno.
///
/// # Errors
/// `EFAULT` if `ch` or `out` is NULL; `EINVAL` if `ch` is a point-to-point
/// channel's handle (use `rsipc_chan_stats`).
///
/// # Safety
/// `ch` is NULL or a live handle; `out` is NULL or valid for writes of one
/// `struct rsipc_chan_sub_stats`.
#[no_mangle]
pub unsafe extern "C" fn rsipc_chan_subscriber_stats(ch: *mut rsipc_chan_t, out: *mut SubStats) -> c_int {
    guard(-1, call!("chan_subscriber_stats", ch = Ptr(ch), out = Ptr(out)), || {
        // SAFETY: forwarded from this function's contract.
        let ch = unsafe { in_ref(ch, "ch") }?;
        // SAFETY: forwarded from this function's contract.
        let out = unsafe { out_ref(out, "out") }?;
        *out = ch.bcast()?.stats();
        Ok(0)
    })
}
