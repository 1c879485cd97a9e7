//! C shims of zero-copy loans and borrows (`rsipc_chan_loan`,
//! `rsipc_chan_publish`, `rsipc_chan_loan_return`, `rsipc_chan_recv_borrow`,
//! `rsipc_chan_release`).

use super::*;

/// Loans the next free slot of the channel for a message of up to `size`
/// bytes, to write in place (zero-copy send): stores the slot's payload
/// address in `*ptr`. Write the message there, then publish it with
/// `rsipc_chan_publish(ch, *ptr, len)` (`len <= size`), or give the slot
/// back with `rsipc_chan_loan_return(ch, *ptr)`. Waits while the channel is
/// full, with the timeout rules of `rsipc_chan_send`. Returns 0, or -1 with
/// errno (`*ptr` is then unchanged).
///
/// The payload is 64-byte aligned (it starts a cache line) in every
/// channel, and `max_msg` bytes long whatever `size` is; its contents are
/// whatever the slot held before (not zeroed).
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
