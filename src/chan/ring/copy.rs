//! Copying message bytes in and out of slots, and preparing a loaned
//! payload's lines for the caller's writes.

/// How much of a loan [`prefetch_for_write`] asks for: all of a loan of up
/// to 4 KiB, the first 4 KiB of a larger one (the hardware prefetchers
/// carry the rest). Measured on the 2-vCPU benchmark machine, a producer
/// filling each loan with 16- or 32-byte stores: a 4 KiB loan reaches
/// publication in half the time (without the hint the stores queue behind
/// one ownership request per line, and the publication waits for them to
/// drain), and the benchmark's 4 KiB zero-copy row gains about 8%; asking
/// for all of a 64 KiB loan costs 3%, for its first 1 to 4 KiB nothing
/// measurable. A producer storing 8 bytes at a time is slower than the
/// ownership requests anyway and loses up to 8% at 4 KiB.
const PREFETCH_LIMIT: usize = 4 << 10;

/// Asks the CPU for ownership of the cache lines of `[p, p + len)` (up to
/// [`PREFETCH_LIMIT`] bytes): a loaned payload's lines were last read by a
/// receiver on another core, and each store to one of them waits for its
/// ownership otherwise. A hint: nothing is read or written, and a CPU
/// without `prefetchw` skips it.
#[inline]
pub(super) fn prefetch_for_write(p: *const u8, len: usize) {
    #[cfg(target_arch = "x86_64")]
    if has_prefetchw() {
        for off in (0..len.min(PREFETCH_LIMIT)).step_by(64) {
            let line = p.wrapping_add(off);
            // SAFETY: prefetchw is a hint that never faults, reads or
            // writes memory, whatever the address; the CPU has it
            // (checked above).
            unsafe {
                std::arch::asm!("prefetchw byte ptr [{}]", in(reg) line, options(nostack, preserves_flags, readonly))
            };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (p, len);
}

/// Whether the CPU implements `prefetchw` (CPUID 8000_0001h, ECX bit 8),
/// asked once.
#[cfg(target_arch = "x86_64")]
fn has_prefetchw() -> bool {
    use std::sync::atomic::{AtomicU8, Ordering};
    static KNOWN: AtomicU8 = AtomicU8::new(0); // 0: not asked; 1: no; 2: yes
    match KNOWN.load(Ordering::Relaxed) {
        0 => {
            use std::arch::x86_64::__cpuid;
            let yes = __cpuid(0x8000_0000).eax >= 0x8000_0001 && __cpuid(0x8000_0001).ecx & (1 << 8) != 0;
            KNOWN.store(1 + u8::from(yes), Ordering::Relaxed);
            yes
        }
        k => k == 2,
    }
}

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
    fn prefetching_for_write_changes_nothing_and_never_faults() {
        let mut buf = vec![7u8; 3 * PREFETCH_LIMIT];
        prefetch_for_write(buf.as_mut_ptr(), buf.len());
        prefetch_for_write(buf.as_ptr().wrapping_add(1), 100);
        // A hint about an unmapped address is ignored.
        prefetch_for_write(std::ptr::null(), 4096);
        assert!(buf.iter().all(|&b| b == 7));
    }

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
