//! The native message channel: a bounded multi-producer multi-consumer
//! queue of fixed-size slots in shared memory, with futex-based blocking,
//! no system call per message while the peers are awake, and recovery from
//! peers that die at any instant.
//!
//! # Layout
//!
//! A channel is one shared mapping of a file: a POSIX shared memory object
//! (`/dev/shm/NAME`, so `shm_unlink` and `ls /dev/shm` see it) or, for an
//! anonymous channel, a memfd (`memfd_create(2)`) whose mapping and
//! descriptor children inherit over `fork()`. A file, even for anonymous
//! channels, because peers hold their liveness locks on it (see "Dead
//! peers"). Its whole size is reserved when it is created (`fallocate(2)`):
//! tmpfs's `ftruncate` reserves nothing, and a page a full `/dev/shm` could
//! not supply on first touch would be a `SIGBUS` in a later send; reserved,
//! a full file system is `ENOSPC` from `create`, which leaves nothing
//! behind. Sizes beyond the file system's free space or the machine's
//! memory and swap are refused before any page is taken.
//!
//! It starts with a header (`ring::Header`): magic number, layout version,
//! `max_msg`, `capacity`, slot stride and total size (all checked by
//! [`Chan::open`], with the object's size), the member-id counter, then,
//! each on its own pair of cache lines,
//! the producer index `tail`, the consumer index `head`, the two wait words
//! and the `lost` and `returned` counters. The `capacity` slots follow; each is a whole
//! number of cache lines holding an 8-byte state word, a 4-byte length and
//! the message bytes, which always start on a cache line: when `max_msg` is
//! at most 48 the message starts the slot and the state word and length
//! follow it in the same line (the line the peers poll); else the state
//! word and length have the slot's first line and the message starts on
//! its second, so copies move whole, aligned lines (see `ring::layout`).
//!
//! # Slot states
//!
//! Positions `p = 0, 1, 2, ...` are handed out in order; position `p` lives
//! in slot `p % capacity` during lap `p / capacity`. A slot's state word
//! packs `[lap: 40 bits | phase: 2 | member: 22]`, where the member is the
//! id under which the holding process registered (see "Dead peers"):
//!
//! ```text
//!   Empty(L) --sender CAS--> Writing(L, id) ---CAS---> Full(L)
//!      ^                                                   |
//!      |                                             receiver CAS
//!      |                                                   v
//!   Empty(L+1) <------------- CAS (release) ------- Reading(L, id)
//! ```
//!
//! Every change of owner is one compare-exchange on the state word, which
//! records *who* holds the slot (member id) together with *which* position it
//! holds (lap). So any process can tell, from one load, whether a position
//! is free, being written, complete, or being read, and by whom.
//!
//! * **Send** at position `t = tail`: if the slot is `Empty(lap t)`, CAS it to
//!   `Writing(lap t, me)`, copy the bytes and the length in, publish
//!   `Full(lap t)` with a compare-exchange from the very word it claimed
//!   (so a slot taken over meanwhile, by a peer that wrongly judged this
//!   process dead or by a corrupted word, is reported as `ENOTRECOVERABLE`
//!   and never overwritten), then move `tail` to `t+1` (unless another
//!   process already did). A slot already claimed for `t` (or later) means
//!   `tail` lags: help advance it (CAS `t` -> `t+1`) and look again. A slot
//!   still holding lap `t/cap - 1` means the ring is full.
//! * **Receive** at position `h = head`: if the slot is `Full(lap h)`, check
//!   the length against the caller's buffer (`EMSGSIZE` leaves it queued:
//!   nothing has been changed yet), CAS it to `Reading(lap h, me)`, copy out,
//!   release with a compare-exchange from its claim to `Empty(lap h + 1)`
//!   (a failure is reported, and the copied bytes are not returned: a
//!   sender may have overwritten them), and move `head` on.
//!   `Empty(lap h)` (or the previous lap's reader still at work) means the
//!   channel is empty at `h`.
//!
//! The first attempt of a call claims blindly: the free word of a position
//! (`Empty(lap t)`, or `Full(lap h)` for a receiver whose buffer holds
//! `max_msg`) is known in advance, so the CAS fetches the slot's cache line
//! once, for writing, instead of reading it and then upgrading it. A failed
//! CAS returns the current word, which is then classified as above.
//!
//! The indices are only hints that every process helps forward; the only
//! promise of a hint is that every position below it has been claimed. The
//! owner of a claim moves the hint with a plain store (no locked
//! instruction), which a racing helper can make go back a little; later
//! callers then step forward over the positions they find taken. The claim
//! itself is always the CAS on the slot, which expects an exact (lap, phase,
//! pid) word, so a stale index or a process that stalled between its load
//! and its CAS can never claim a position that moved on meanwhile (ABA
//! would need 2^40 laps of that one slot during the stall). Positions are
//! claimed in increasing order (a position becomes claimable only after the
//! one before it was claimed), a sender's next send can only find later
//! positions free, and receivers likewise, so messages of one sender are
//! received in the order sent, and each exactly once (one CAS wins each
//! `Full` word).
//!
//! A message is never seen half-written: its bytes and length are stored
//! before the (release) store that publishes `Full`, which the receiver
//! acquires before reading them; a receiver releases the slot only after
//! its copy, and the next sender acquires that release in its claim CAS.
//!
//! # Waiting and waking
//!
//! A call that cannot proceed spins briefly on the slot (no system call;
//! behind a slot a peer holds, it looks only every few pauses, so that the
//! holder's closing compare-exchange finds the slot's line still its own),
//! then sleeps on a per-direction futex word ("not empty" for receivers,
//! "not full" for senders) with the caller's deadline. How long it spins
//! (up to about 25 us) each handle learns per direction: the budget halves
//! whenever a wait ended up sleeping anyway and grows back whenever a spin
//! ended one, with an occasional full spin to notice when spinning pays
//! again. Spinning before a sleep is not free: on the 2-vCPU virtual
//! machine rsipc is benchmarked on, a process that was busy before it slept
//! wakes up later, by about twice its busy time (measured; most likely the
//! host scheduler charging the vCPU for it), so a receiver whose messages
//! always come late should barely spin. The protocol:
//!
//! ```text
//!   waiter:  e = epoch; sleepers = 1 (swap, SeqCst); if slot word unchanged (SeqCst) { futex_wait(epoch, e) }
//!   waker:   CAS slot word (SeqCst); if sleepers != 0 (SeqCst) { sleepers = 0; epoch += 1; futex_wake(all) }
//! ```
//!
//! (Recovery uses a SeqCst fence before its load of `sleepers`.) The SeqCst operations on both sides make it
//! impossible for both the waiter to miss the new slot word and the waker to
//! miss the announcement; reading the epoch before announcing makes a wake
//! that lands between the look and the sleep end the sleep at once. In the
//! steady state nobody sleeps, `sleepers` is 0 and stays in every cache, so
//! a message costs no system call: a send or a receive is two locked
//! instructions (claim CAS, publishing/releasing CAS) and a copy.
//! A waiter that died asleep leaves the flag set: it costs one extra
//! wake-up, which clears it.
//!
//! # Pollable
//!
//! [`Chan::pollfd`] gives a descriptor for `poll`/`epoll`/`select`: a Unix
//! datagram socket bound in `/dev/shm` (a doorbell), listed in the header's
//! table of doorbells. A handle arms its doorbell when a call through it
//! finds nothing to do (`EAGAIN`, `ETIMEDOUT`) and raises the `POLLER` bit
//! of the side's wait word next to the futex sleepers' `SLEEPER` bit; a
//! waker that finds the word non-zero (the load it makes anyway) rings every
//! armed doorbell of the side once, with a non-blocking `sendto`. Arming
//! follows the waiter's order above (arm, raise the bit, look again), so no
//! ring is lost; a dead poller's ring fails at once. See `ring::bell`.
//!
//! # Loans and borrows
//!
//! [`Chan::loan`] is the first half of a send (the claim, `Empty` to
//! `Writing`, the tail moved on) with the loaned size in the length word;
//! [`Chan::publish`] is its second half (the length, then `Writing` to
//! `Full` by compare-exchange from the claimed word). [`Chan::loan_return`]
//! frees the slot for its next lap instead (`Writing` to the next lap's
//! `Empty`): receivers step over the position as over a recovered one, and
//! it is counted in `returned`, which `sent` and `received` leave out.
//! [`Chan::borrow`] and [`Chan::release`] split a receive the same way
//! (`Full` to `Reading`, the head moved on; `Reading` to the next lap's
//! `Empty`). The pointer names the slot; publication and release check that
//! the slot word shows this member holding it in the right phase, so misuse
//! is `EINVAL` and changes nothing. A loan or borrow held by a dead process
//! is a `Writing`/`Reading` slot of a dead member, recovered as below. See
//! `ring::loan`.
//!
//! # Dead peers
//!
//! A slot held (`Writing`/`Reading`) by a process that died would block the
//! ring at that position forever. Whether the holder lives is what the
//! kernel says, never a guess from pids or `/proc` (see `member`): each
//! process using a channel registers under a member id and holds an OFD
//! lock (`F_OFD_SETLK`) on that id's byte of the channel's file, which the
//! kernel drops when the process ends, however it ends; `F_OFD_GETLK` asks
//! whether it is still held. This holds across pid namespaces, with `/proc`
//! hidden or absent, through pid reuse, and for a process whose main
//! thread has exited while others run (a "zombie" leader, alive as long as
//! any of its threads). After its spin, a waiter blocked behind a held
//! slot asks about the holder, and asks again at each wake-up, sleeping for
//! short, growing periods meanwhile (1 ms doubling to 100 ms). Idle
//! sleepers also wake every 250 ms, because a peer that claims a slot and
//! dies before publishing wakes nobody.
//!
//! * A receiver finding `Writing(L, dead)` at `head` CASes it to
//!   `Empty(L+1)`: the position is skipped, the half-written message is
//!   never delivered, and `lost` counts it.
//! * A sender finding `Reading(L-1, dead)` in its slot CASes it to
//!   `Empty(L)` and then claims it normally; `lost` counts the message the
//!   dead receiver never returned.
//! * [`Chan::stats`] does both for every slot it finds held by a dead
//!   process, so its numbers include every death so far.
//!
//! Only the process whose CAS succeeds counts the loss, after moving `head`
//! past the position, so `sent == received + lost + queued` in every
//! snapshot (`sent` = positions claimed by senders, `received` = positions
//! claimed by receivers minus losses, `queued` = the difference of the two
//! indices). A process dying between its recovery CAS and that increment
//! (a second fault inside a few instructions of recovery code) would make
//! `lost` one short; nothing else depends on the counter.
//!
//! # Corrupted shared memory
//!
//! Every size and offset this process uses comes from its own copy of the
//! header, checked when it mapped the channel, so the bytes other processes
//! can write make calls fail but never make this one touch memory outside
//! the mapping. Every loop over shared state is bounded: by the deadline
//! (checked while stepping over positions, too), by the largest distance
//! the two indices can have in a sound ring, and by how many positions a
//! call can step over in a row; a state the protocol cannot produce is
//! `ENOTRECOVERABLE` with a message saying what was found.
//!
//! # Cancellation
//!
//! A send or receive that has to sleep is a thread-cancellation point
//! there (as `mq_send`/`mq_receive` are): the attempts run under the FFI
//! guard, the futex sleeps between them outside it (see
//! `crate::sys::cancel`), and a cancelled thread holds nothing (it has no
//! slot claimed while it sleeps; its announcement in the wait word costs
//! the next waker one spurious wake-up).

// Safe Rust only: unsafe code lives in sys/ and at the C boundary (ffi);
// each exception below says why it needs it.
#![deny(unsafe_code)]

// Shared memory of the broadcast kind: raw pointers into the mapping and
// atomics on them (every block with a SAFETY comment).
#[allow(unsafe_code)]
pub mod bcast;
mod header;
mod member;
mod open;
// The ring is shared memory used by several processes at once: raw
// pointers into the mapping and atomics on them (every block with a SAFETY
// comment).
#[allow(unsafe_code)]
mod ring;
// Reads a channel's header from its file into the ring's Header type
// (atomics and byte arrays: every bit pattern is valid), without mapping it.
#[allow(unsafe_code)]
pub(crate) mod inspect;

// The C boundary: raw pointers and descriptors from C.
#[allow(unsafe_code)]
pub(crate) mod ffi;

// Tests fork and call libc directly to watch the kernel objects.
#[cfg(test)]
#[allow(unsafe_code)]
mod tests;
// Broadcast, loan and borrow tests write and read payloads through raw
// pointers, and fork and kill processes.
#[cfg(test)]
#[allow(unsafe_code)]
mod tests_bcast;
#[cfg(test)]
#[allow(unsafe_code)]
mod tests_loan;

use std::ffi::CStr;

use crate::error::Result;
use crate::sys;
use crate::sys::chan::ShmPath;
use header::{check_header, explain_map, explain_open, explain_reserve, too_big};
use ring::{Ring, MAGIC};
pub(crate) use ring::{Sleep, Step, Wait};

/// What one attempt of a blocking channel call came to, for either kind of
/// channel (`S` is the kind's sleep: point-to-point `Sleep`, broadcast
/// `bcast::Sleep`).
pub enum Progress<S, T> {
    /// The call is complete.
    Done(T),
    /// The call has to sleep before its next attempt: the caller sleeps
    /// (the sleep's `sleep` or `sleep_cancellable`), tells the call's wait
    /// how the sleep ended, and makes the next attempt.
    Sleep(S),
}

/// A process's handle on a channel (one per open). `Send + Sync`: threads
/// may share it.
pub struct Chan {
    ring: Ring,
    map_len: usize,
}

/// A snapshot of a native channel's counters, filled by `rsipc_chan_stats()`.
/// In every snapshot `sent == received + lost + queued`.
///
/// In C this type is `struct rsipc_chan_stats`, declared by its tag only: a
/// typedef would collide with the function of the same name.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Messages in the channel now (including any being written at this
    /// instant).
    pub queued: u64,
    /// Most messages the channel holds.
    pub capacity: u64,
    /// Largest message in bytes.
    pub max_msg: u64,
    /// Messages senders put in since creation (one whose sender died while
    /// writing it, or a loan whose holder died, counts here and in `lost`; a
    /// loan given back unpublished counts nowhere).
    pub sent: u64,
    /// Messages receivers took out since creation.
    pub received: u64,
    /// Messages lost to dead peers: half-written by a sender that died, or
    /// taken by a receiver that died before returning them (loans and
    /// borrows held by a process that died, or by a handle closed while
    /// holding them, included).
    pub lost: u64,
}

impl Chan {
    /// Copies `msg` in as one message. Waits while the channel is full:
    /// `timeout_ms < 0` forever, `0` not at all (`EAGAIN`), otherwise at most
    /// that long (`ETIMEDOUT`). `EMSGSIZE` (before any wait) if `msg` is
    /// longer than `max_msg`; `EINTR` if a signal handler interrupted a
    /// sleep.
    /// Its sleeps are not cancellation points (the C function's are: it
    /// makes its attempts with [`Chan::send_step`]).
    #[inline]
    pub fn send(&self, msg: &[u8], timeout_ms: i32) -> Result<()> {
        let mut wait = Wait::new(timeout_ms);
        loop {
            match self.send_step(msg, &mut wait)? {
                Step::Done(()) => return Ok(()),
                Step::Sleep(sleep) => wait.woke(sleep.sleep(&wait)),
            }
        }
    }

    /// One attempt of [`Chan::send`]: the caller keeps `wait` (made by
    /// `Wait::new(timeout_ms)`) across the attempts of one send and sleeps
    /// when asked to, so the sleep can happen outside any `catch_unwind`.
    #[inline]
    pub fn send_step(&self, msg: &[u8], wait: &mut Wait) -> Result<Step<'_, ()>> {
        if msg.len() as u64 > self.ring.geometry().max_msg {
            return Err(too_big(msg.len(), self.ring.geometry().max_msg));
        }
        self.ring.send(msg, wait)
    }

    /// Takes the next message into `buf` and returns its length, waiting as
    /// [`Chan::send`] does while the channel is empty. `EMSGSIZE` if the
    /// message is longer than `buf` (it stays queued).
    #[inline]
    pub fn recv(&self, buf: &mut [u8], timeout_ms: i32) -> Result<usize> {
        let mut wait = Wait::new(timeout_ms);
        loop {
            match self.recv_step(buf, &mut wait)? {
                Step::Done(n) => return Ok(n),
                Step::Sleep(sleep) => wait.woke(sleep.sleep(&wait)),
            }
        }
    }

    /// One attempt of [`Chan::recv`], as [`Chan::send_step`].
    #[inline]
    pub fn recv_step(&self, buf: &mut [u8], wait: &mut Wait) -> Result<Step<'_, usize>> {
        self.ring.recv(buf, wait)
    }

    /// Loans the next free slot for a message of up to `size` bytes and
    /// returns its payload pointer (64-byte aligned), to write in place and
    /// then hand to
    /// [`Chan::publish`] or [`Chan::loan_return`]. Waits as [`Chan::send`]
    /// does while the channel is full. `EMSGSIZE` (before any wait) if
    /// `size` exceeds `max_msg`.
    pub fn loan(&self, size: usize, timeout_ms: i32) -> Result<*mut u8> {
        let mut wait = Wait::new(timeout_ms);
        loop {
            match self.loan_step(size, &mut wait)? {
                Step::Done(p) => return Ok(p),
                Step::Sleep(sleep) => wait.woke(sleep.sleep(&wait)),
            }
        }
    }

    /// One attempt of [`Chan::loan`], as [`Chan::send_step`].
    #[inline]
    pub fn loan_step(&self, size: usize, wait: &mut Wait) -> Result<Step<'_, *mut u8>> {
        if size as u64 > self.ring.geometry().max_msg {
            return Err(too_big(size, self.ring.geometry().max_msg));
        }
        self.ring.loan(size, wait)
    }

    /// Publishes the loan whose payload starts at `payload` as a message of
    /// its first `len` bytes. `EINVAL` if `payload` is not a payload of
    /// this channel on loan to this handle (published or returned
    /// already, never loaned, or another process's loan); `EMSGSIZE` if
    /// `len` exceeds the loaned size (the loan stays open).
    pub fn publish(&self, payload: *const u8, len: usize) -> Result<()> {
        self.ring.publish(payload, len)
    }

    /// Gives the loan at `payload` back unpublished; receivers never see
    /// it, and it counts as neither sent nor received. Errors as
    /// [`Chan::publish`].
    pub fn loan_return(&self, payload: *const u8) -> Result<()> {
        self.ring.loan_return(payload)
    }

    /// Borrows the next message in place: its payload pointer and length,
    /// valid until [`Chan::release`]. Waits as [`Chan::recv`] does while
    /// the channel is empty.
    pub fn borrow(&self, timeout_ms: i32) -> Result<(*mut u8, usize)> {
        let mut wait = Wait::new(timeout_ms);
        loop {
            match self.borrow_step(&mut wait)? {
                Step::Done(m) => return Ok(m),
                Step::Sleep(sleep) => wait.woke(sleep.sleep(&wait)),
            }
        }
    }

    /// One attempt of [`Chan::borrow`], as [`Chan::send_step`].
    #[inline]
    pub fn borrow_step(&self, wait: &mut Wait) -> Result<Step<'_, (*mut u8, usize)>> {
        self.ring.borrow(wait)
    }

    /// Releases the borrow at `payload`, freeing its slot. `EINVAL` if
    /// `payload` is not a payload of this channel borrowed by this handle
    /// (released already, never borrowed, or another process's borrow).
    pub fn release(&self, payload: *const u8) -> Result<()> {
        self.ring.release(payload)
    }

    /// The counters, after recovering every slot held by a dead process.
    /// `sent == received + lost + queued` always holds.
    pub fn stats(&self) -> Stats {
        let geo = self.ring.geometry();
        let (sent, received, lost, queued) = self.ring.counters();
        Stats { queued, capacity: geo.capacity, max_msg: geo.max_msg, sent, received, lost }
    }

    /// A descriptor that `poll(2)`, `epoll(7)` and `select(2)` report
    /// readable (`POLLIN`) when this handle may proceed on a side it asked
    /// for: `POLLIN` in `events` for "a message is queued", `POLLOUT` for "a
    /// slot is free" (both: either). See "Pollable" in the module
    /// documentation for when it is re-armed. The handle owns the
    /// descriptor (closed with it); later calls return the same one, adding
    /// sides.
    ///
    /// Errors: `EINVAL` for `events` without `POLLIN` or `POLLOUT` (or with
    /// other bits); `EBUSY` when 64 live handles poll the channel already,
    /// or in a process forked from the one that made the descriptor; the
    /// errors of `socket(2)`/`bind(2)` in `/dev/shm`.
    pub fn pollfd(&self, events: i16) -> Result<std::os::fd::BorrowedFd<'_>> {
        let known = libc::POLLIN | libc::POLLOUT;
        if events & !known != 0 {
            return Err(err!(libc::EINVAL, "events may only contain POLLIN and POLLOUT, not {}", i64::from(events)));
        }
        self.ring.pollfd(events & libc::POLLIN != 0, events & libc::POLLOUT != 0)
    }

    /// Largest message in bytes.
    pub fn max_msg(&self) -> usize {
        self.ring.geometry().max_msg as usize
    }

    /// Most messages the channel holds.
    pub fn capacity(&self) -> usize {
        self.ring.geometry().capacity as usize
    }
}

impl Drop for Chan {
    // unsafe: unmaps the ring's shared memory.
    #[allow(unsafe_code)]
    fn drop(&mut self) {
        // The doorbell entry lies in the mapping: give it back first.
        self.ring.release_bell();
        // SAFETY: the mapping is ours and `self` is going away, so nothing
        // refers to it any more.
        let _ = unsafe { sys::chan::unmap(self.ring.base(), self.map_len) };
    }
}

/// Removes the name of channel `name`; open handles keep working.
///
/// Errors: `EINVAL`/`ENAMETOOLONG` for a bad name, `ENOENT`, `EACCES`.
pub fn unlink(name: &CStr) -> Result<()> {
    let path: ShmPath = sys::chan::shm_path(name)?;
    sys::chan::unlink(&path).map_err(|e| explain_open(e).explain(libc::ENOENT, "no channel of this name exists"))
}
