//! Zero-copy loans and borrows: the two halves of a send or a receive,
//! with the caller's code between them.
//!
//! A loan is a sender's claim (`Writing` by this member, the tail moved on)
//! handed to the caller, who writes the payload in place and then publishes
//! it (`Writing` to `Full`, as [`Ring::fill`] ends) or gives it back (the
//! slot is freed for its next lap, and receivers step over its position as
//! over a dead sender's, counted in `returned` instead of `lost`). A borrow
//! is a receiver's claim (`Reading` by this member, the head moved on)
//! handed to the caller, who reads the message in place and then releases
//! it (`Reading` to `Empty` of the next lap, as [`Ring::drain`] ends).
//!
//! Nothing is recorded in the process: the slot word says who holds a slot
//! and in which phase, so the pointer alone identifies the slot, and a
//! publication or release is accepted only for a slot this member holds in
//! the matching phase. A process that dies holding a loan or a borrow
//! leaves a slot `Writing` or `Reading` under a member whose liveness lock
//! is gone: the waiters and sweeps that recover a dead copier's slot
//! recover it the same way (never delivered, counted in `lost`).

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use super::copy::prefetch_for_write;
use super::index::advance;
use super::layout::HEADER_SIZE;
use super::wait::{Step, Wait};
use super::word::{lap_of, member_of, phase_of, word, Phase};
use super::{corrupt, taken_from_us, Error, Result, Ring, Side};

/// A slot named by a payload pointer, with its index in the ring.
struct Slot {
    /// The address of its state word (the length follows it).
    head: *mut u8,
    index: u64,
}

impl Slot {
    fn state(&self) -> &AtomicU64 {
        // SAFETY: `head` is the state word of a slot inside the mapping
        // (checked by `Ring::slot_of`), 16-byte aligned.
        unsafe { &*(self.head as *const AtomicU64) }
    }

    fn len_word(&self) -> &AtomicU32 {
        // SAFETY: the 4 bytes after the state word hold the message length
        // (as above).
        unsafe { &*(self.head.add(8) as *const AtomicU32) }
    }
}

impl Ring {
    /// One attempt to loan the next free slot for a message of up to `size`
    /// bytes (the caller checked `size <= max_msg`), as [`Ring::send`]
    /// waits: `Done(payload)` once the slot is this process's to write.
    #[inline]
    pub fn loan(&self, size: usize, wait: &mut Wait) -> Result<Step<'_, *mut u8>> {
        let me = self.me()?;
        match self.claim_send(wait, me)? {
            Step::Done((pos, t)) => {
                // The length word holds the loaned size until publication,
                // which may not exceed it.
                Self::len_word(pos).store(size as u32, Ordering::Relaxed);
                advance(&self.header().tail, t);
                let payload = self.data(pos);
                prefetch_for_write(payload, size);
                Ok(Step::Done(payload))
            }
            Step::Sleep(sleep) => Ok(Step::Sleep(sleep)),
        }
    }

    /// Publishes the loan at `payload` as a message of `len` bytes.
    ///
    /// `EINVAL` if `payload` is not the payload pointer of a slot of this
    /// channel, or that slot is not on loan to this handle (published or
    /// given back already, never loaned, or loaned through another handle);
    /// `EMSGSIZE` if `len` exceeds the loaned size (the loan stays open).
    pub fn publish(&self, payload: *const u8, len: usize) -> Result<()> {
        let me = self.me()?;
        let slot = self.slot_of(payload)?;
        let w = self.held(&slot, Phase::Writing, me)?;
        let loaned = slot.len_word().load(Ordering::Relaxed) as usize;
        if len > loaned || len as u64 > self.geo.max_msg {
            return Err(Error::new(
                libc::EMSGSIZE,
                reason!("{} bytes do not fit the loan of {} bytes; it stays open", len as u64, loaned as u64),
            ));
        }
        slot.len_word().store(len as u32, Ordering::Relaxed);
        // As in `fill`: release orders the bytes and the length before the
        // word, and the SeqCst compare-exchange orders it before the load of
        // `sleepers` in the wake check.
        let full = word(lap_of(w), Phase::Full, 0);
        if let Err(now) = slot.state().compare_exchange(w, full, Ordering::SeqCst, Ordering::Relaxed) {
            return Err(taken_from_us(Side::Send, self.position(&slot, w), w, now));
        }
        self.wake_after_swap(Side::Recv);
        Ok(())
    }

    /// Gives the loan at `payload` back unpublished: its position is
    /// skipped by receivers and counted in `returned`. Errors as
    /// [`Ring::publish`].
    pub fn loan_return(&self, payload: *const u8) -> Result<()> {
        let me = self.me()?;
        let slot = self.slot_of(payload)?;
        let w = self.held(&slot, Phase::Writing, me)?;
        let position = self.position(&slot, w);
        let freed = word(lap_of(w) + 1, Phase::Empty, 0);
        if let Err(now) = slot.state().compare_exchange(w, freed, Ordering::SeqCst, Ordering::Relaxed) {
            return Err(taken_from_us(Side::Send, position, w, now));
        }
        // As in `recover`: the head moves past the position before it is
        // counted, so received (head - lost - returned) never goes negative.
        let _ = self.header().head.compare_exchange(position, position + 1, Ordering::AcqRel, Ordering::Relaxed);
        self.header().returned.fetch_add(1, Ordering::AcqRel);
        self.wake(Side::Send);
        self.wake(Side::Recv);
        Ok(())
    }

    /// One attempt to borrow the next message in place, as [`Ring::recv`]
    /// waits: `Done((payload, length))` once the slot is this process's to
    /// read (and, until released, to no one else).
    #[inline]
    pub fn borrow(&self, wait: &mut Wait) -> Result<Step<'_, (*mut u8, usize)>> {
        let me = self.me()?;
        match self.claim_recv(wait, me)? {
            Step::Done((pos, h)) => {
                advance(&self.header().head, h);
                let len = Self::len_word(pos).load(Ordering::Relaxed);
                if u64::from(len) > self.geo.max_msg {
                    // Only a corrupted length gets here: free the slot, count
                    // the message lost (as `drain` does).
                    let claimed = word(pos.lap, Phase::Reading, me);
                    let freed = word(pos.lap + 1, Phase::Empty, 0);
                    if Self::state(pos).compare_exchange(claimed, freed, Ordering::SeqCst, Ordering::Relaxed).is_ok() {
                        self.header().lost.fetch_add(1, Ordering::AcqRel);
                        self.wake_after_swap(Side::Send);
                    }
                    return Err(corrupt(reason!(
                        "a queued message claims {} bytes, more than max_msg ({})",
                        u64::from(len),
                        self.geo.max_msg
                    )));
                }
                Ok(Step::Done((self.data(pos), len as usize)))
            }
            Step::Sleep(sleep) => Ok(Step::Sleep(sleep)),
        }
    }

    /// Releases the borrow at `payload`: its slot is free for the next lap.
    /// `EINVAL` if `payload` is not the payload pointer of a slot of this
    /// channel, or that slot is not borrowed by this handle (released
    /// already, never borrowed, or borrowed through another handle).
    pub fn release(&self, payload: *const u8) -> Result<()> {
        let me = self.me()?;
        let slot = self.slot_of(payload)?;
        let w = self.held(&slot, Phase::Reading, me)?;
        let freed = word(lap_of(w) + 1, Phase::Empty, 0);
        if let Err(now) = slot.state().compare_exchange(w, freed, Ordering::SeqCst, Ordering::Relaxed) {
            return Err(taken_from_us(Side::Recv, self.position(&slot, w), w, now));
        }
        self.wake_after_swap(Side::Send);
        Ok(())
    }

    /// The slot whose payload starts at `payload`, or `EINVAL`.
    fn slot_of(&self, payload: *const u8) -> Result<Slot> {
        let first = self.base as usize + HEADER_SIZE + self.geo.data_offset as usize;
        let at = payload as usize;
        let off = at.wrapping_sub(first) as u64;
        if at < first || off % self.geo.stride != 0 || off / self.geo.stride >= self.geo.capacity {
            return Err(Error::new(
                libc::EINVAL,
                reason!("{} is not the address of a payload in this channel (of a loan or a borrow)", at as u64),
            ));
        }
        let index = off / self.geo.stride;
        Ok(Slot { head: self.head(index), index })
    }

    /// The word of `slot` if this member (`me`) holds it in `phase`
    /// (`Writing`: a loan; `Reading`: a borrow), else `EINVAL`.
    fn held(&self, slot: &Slot, phase: Phase, me: u32) -> Result<u64> {
        let w = slot.state().load(Ordering::Acquire);
        if phase_of(w) == phase && member_of(w) == me {
            return Ok(w);
        }
        Err(match phase {
            Phase::Writing => Error::new(
                libc::EINVAL,
                reason!(
                    "slot {} is not on loan to this handle (published or returned already, never loaned, or loaned through another handle)",
                    slot.index
                ),
            ),
            _ => Error::new(
                libc::EINVAL,
                reason!(
                    "slot {} is not borrowed by this handle (released already, never borrowed, or borrowed through another handle)",
                    slot.index
                ),
            ),
        })
    }

    /// The position that `slot`, with word `w`, holds.
    fn position(&self, slot: &Slot, w: u64) -> u64 {
        lap_of(w).wrapping_mul(self.geo.capacity).wrapping_add(slot.index)
    }
}
