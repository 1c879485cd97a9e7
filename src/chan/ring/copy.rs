//! Copying message bytes in and out of slots.

/// `copy_nonoverlapping(src, dst, len)`, with messages of up to 16 bytes
/// copied in place (two overlapping loads and stores) instead of by a call
/// to `memcpy`: latency-bound exchanges send small messages.
///
/// # Safety
/// As `std::ptr::copy_nonoverlapping(src, dst, len)`.
#[inline(always)]
pub(super) unsafe fn copy_bytes(src: *const u8, dst: *mut u8, len: usize) {
    use std::ptr::{read_unaligned, write_unaligned};
    // SAFETY (every block below): the caller's contract makes src valid for
    // reads and dst for writes of len bytes, without overlap; each access
    // lies within the first len bytes (`len - 8 >= 0` when `len >= 8`, and
    // so on).
    unsafe {
        if len > 16 {
            std::ptr::copy_nonoverlapping(src, dst, len);
        } else if len >= 8 {
            let (a, b) = (read_unaligned(src as *const u64), read_unaligned(src.add(len - 8) as *const u64));
            write_unaligned(dst as *mut u64, a);
            write_unaligned(dst.add(len - 8) as *mut u64, b);
        } else if len >= 4 {
            let (a, b) = (read_unaligned(src as *const u32), read_unaligned(src.add(len - 4) as *const u32));
            write_unaligned(dst as *mut u32, a);
            write_unaligned(dst.add(len - 4) as *mut u32, b);
        } else {
            for i in 0..len {
                *dst.add(i) = *src.add(i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_bytes_copies_every_length_exactly() {
        let src: Vec<u8> = (1..=40).collect();
        for len in 0..=40 {
            let mut dst = [0u8; 48];
            // SAFETY: src has 40 bytes, dst 48, distinct buffers.
            unsafe { copy_bytes(src.as_ptr(), dst.as_mut_ptr(), len) };
            assert_eq!(&dst[..len], &src[..len], "length {len}");
            assert!(dst[len..].iter().all(|&b| b == 0), "length {len} wrote past its end");
        }
    }
}
