//! C shims of broadcast (publish-subscribe) channels
//! (`rsipc_chan_create_broadcast`, `rsipc_chan_subscribe`,
//! `rsipc_chan_subscriber_stats`) and their policy flags, and the broadcast
//! half of `rsipc_chan_send` and `rsipc_chan_recv`.

use super::*;
use crate::chan::bcast::{Sleep as BcastSleep, Wait as BcastWait};

impl<'a> Sleeps<BcastWait<'a>> for BcastSleep<'a> {
    #[inline]
    unsafe fn sleep_in(self, wait: &mut BcastWait<'a>) {
        // SAFETY: forwarded from this function's contract.
        let woke = unsafe { self.sleep_cancellable(wait) };
        wait.woke(woke);
    }
}

/// `rsipc_chan_send` on a broadcast handle: the publisher's attempts
/// ([`Bcast::send_step`]) under the guard, its sleeps for room
/// cancellation points (see `blocking_in`). Out of line, so that the
/// point-to-point shim pays one branch for it. The attempt borrows the
/// arguments instead of copying them into its closure (measured: the copy
/// was read back with 16-byte loads of 8-byte stores, a store-forwarding
/// stall that cost a send and a receive 6 ns together).
///
/// # Safety
/// As for `rsipc_chan_send`; `b` is the channel of `ch`.
#[inline(never)]
pub(super) unsafe fn bcast_send(
    b: &Bcast,
    ch: *mut rsipc_chan_t,
    msg: *const c_void,
    len: size_t,
    timeout_ms: c_int,
) -> c_int {
    blocking_in(BcastWait::new(timeout_ms), |wait| {
        guard(
            Attempt::Return(-1),
            call!("chan_send", ch = Ptr(ch), msg = Ptr(msg), len = len, timeout_ms = timeout_ms),
            || {
                // SAFETY: forwarded from this function's contract.
                let msg = unsafe { in_bytes(msg, len, "msg") }?;
                Ok(b.send_step(msg, wait)?.returning(|()| 0))
            },
        )
    })
}

/// `rsipc_chan_recv` on a broadcast handle, as [`bcast_send`]: the
/// subscriber's sleeps for a message are cancellation points.
///
/// # Safety
/// As for `rsipc_chan_recv`; `b` is the channel of `ch`.
#[inline(never)]
pub(super) unsafe fn bcast_recv(
    b: &Bcast,
    ch: *mut rsipc_chan_t,
    buf: *mut c_void,
    cap: size_t,
    timeout_ms: c_int,
) -> ssize_t {
    blocking_in(BcastWait::new(timeout_ms), |wait| {
        guard(
            Attempt::Return(-1),
            call!("chan_recv", ch = Ptr(ch), buf = Ptr(buf), cap = cap, timeout_ms = timeout_ms),
            || {
                // SAFETY: forwarded from this function's contract.
                let buf = unsafe { out_bytes(buf, cap, "buf") }?;
                Ok(b.recv_step(buf, wait)?.returning(|n| n as ssize_t))
            },
        )
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
/// and `rsipc_chan_open` refuses a broadcast channel. A send that sleeps
/// for room is a thread-cancellation point, as on a point-to-point channel
/// (see `rsipc_chan_send`). Returns the handle, or NULL with errno.
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
/// publisher waits for it instead. A receive that sleeps for a message is a
/// thread-cancellation point, as on a point-to-point channel (see
/// `rsipc_chan_recv`). Returns the handle, or NULL with errno.
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
