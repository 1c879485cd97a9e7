//! Fault injection for the unit tests: a test process sets `POINT` and the
//! protocol kills the process (SIGKILL) at that point, so tests can leave a
//! slot exactly as a peer dying there would. Compiled out of the library.

#[cfg(test)]
pub static POINT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);
/// Sender: slot claimed (Writing), tail not yet advanced.
pub const SEND_CLAIMED: u8 = 1;
/// Sender: half of the message copied in.
pub const SEND_HALF: u8 = 2;
/// Receiver: slot claimed (Reading), head not yet advanced.
pub const RECV_CLAIMED: u8 = 3;
/// Receiver: half of the message copied out.
pub const RECV_HALF: u8 = 4;

#[cfg(test)]
pub fn at(point: u8) {
    if POINT.load(std::sync::atomic::Ordering::Relaxed) == point {
        // SAFETY: raising a signal has no memory-safety preconditions.
        unsafe { libc::raise(libc::SIGKILL) };
    }
}

#[cfg(not(test))]
#[inline(always)]
pub fn at(_point: u8) {}

/// `copy_nonoverlapping`, split in two around fault `point` in tests.
///
/// # Safety
/// As `std::ptr::copy_nonoverlapping(src, dst, len)`.
#[inline(always)]
pub unsafe fn copy(src: *const u8, dst: *mut u8, len: usize, point: u8) {
    #[cfg(test)]
    {
        let half = len / 2;
        // SAFETY: the caller's contract, in two parts.
        unsafe { std::ptr::copy_nonoverlapping(src, dst, half) };
        at(point);
        // SAFETY: as above.
        unsafe { std::ptr::copy_nonoverlapping(src.add(half), dst.add(half), len - half) };
    }
    #[cfg(not(test))]
    {
        let _ = point;
        // SAFETY: the caller's contract.
        unsafe { super::copy::copy_bytes(src, dst, len) };
    }
}
