//! How a failure reaches this thread's record cheaply: the hot block and
//! its TLS-descriptor access (see [`Hot`]).

use super::*;

/// This thread's record and its C `errno`, through the hot block (see
/// [`hot`]): on every failure after a thread's first, a few instructions and
/// no call into the dynamic linker.
#[inline(always)]
pub(super) fn slot_errno<R>(f: impl FnOnce(&Slot, *mut libc::c_int) -> R) -> R {
    // SAFETY: `hot` is this thread's block, which lives as long as the thread.
    let hot = unsafe { &*hot::block() };
    let mut record = hot.record.get();
    if record.is_null() {
        record = hot.fill();
    }
    // SAFETY: `fill` stored both pointers (errno first, see there); the
    // record is this thread's thread-local, which has no destructor and
    // outlives this call, and is only shared with this thread (signal
    // handlers coordinate through `busy`).
    f(unsafe { &*record }, hot.errno.get())
}

/// This thread's record (see [`slot_errno`]).
#[inline(always)]
pub(super) fn slot<R>(f: impl FnOnce(&Slot) -> R) -> R {
    slot_errno(|slot, _| f(slot))
}

/// The hot block: per thread, the address of the thread's record and of its
/// C `errno`, both found on the thread's first failure, and the count of
/// guarded rsipc calls the thread is inside (see [`inside`]).
///
/// Why this exists: librsipc.so is a shared library, so a Rust
/// `thread_local!` in it is general-dynamic TLS, and each access is a call
/// to `__tls_get_addr` (some 25 instructions with the PLT and the saved
/// registers). On the failures that are a normal outcome and must cost what
/// glibc's do (`sem_post`'s `EOVERFLOW` in a signal handler,
/// `sem_trywait`'s `EAGAIN` in a polling loop) that call was most of the
/// cost. The choices, checked:
///
/// * Initial-exec TLS is out: the static-TLS requirement of the IE model
///   applies to the library's whole TLS segment (3.5 KiB: the record and its
///   2 KiB text buffer, std's own thread-locals), not to one variable, and
///   glibc reserves only ~1.6 KiB of surplus static TLS for libraries loaded
///   with dlopen (`glibc.rtld.optional_static_tls`, 512 bytes by default,
///   plus 4 × 144 and 3 × 192 bytes for IE TLS, per `elf/dl-tls.c`). A
///   3.5 KiB IE library fails to load from Python's ctypes with "cannot
///   allocate memory in static TLS block" (tried).
/// * TLS descriptors for the whole build (`-C llvm-args=-enable-tlsdesc`)
///   need a flag that a user building with plain `cargo` does not get.
/// * So this block alone is reached through a TLS descriptor written in
///   `asm!` (x86-64), whatever flags build rsipc. glibc resolves a
///   descriptor of a library in static TLS (every library linked at start)
///   to a two-instruction function, and of a library dlopen'ed later to a
///   lookup that works wherever `__tls_get_addr` does; a static link
///   relaxes it to a constant offset. Other architectures use a
///   `thread_local!`.
///
/// A block of zeros is a valid, empty block (a fresh thread, or a thread
/// that existed when the library was dlopen'ed: glibc zeroes `.tbss` for
/// it).
///
/// The "inside rsipc" count lives here too: every guarded call (success
/// paths included) raises and lowers it, and as a `thread_local!` of its
/// own it cost a `__tls_get_addr` call each way.
#[repr(C)]
pub(super) struct Hot {
    /// This thread's record, once `fill` ran.
    pub(super) record: Cell<*const Slot>,
    /// The record again, but only while it is not being written or composed
    /// (null while `Slot::exclusive` runs): a failure at a static site
    /// (`fail_site`) that finds it set stores without testing the record's
    /// `busy` flag; null sends it the long way, which tests it.
    pub(super) site_record: Cell<*const Slot>,
    /// This thread's C `errno` (`__errno_location()`), stored before
    /// `record`.
    pub(super) errno: Cell<*mut libc::c_int>,
    /// How many guarded rsipc calls this thread is inside (read by the
    /// panic hook: see `crate::ffi::guard`).
    pub(super) inside: Cell<u32>,
}

impl Hot {
    /// Finds this thread's record and errno: on a thread's first failure
    /// only, so out of line. A signal handler that interrupts it and fails
    /// does the same and stores the same values.
    #[cold]
    #[inline(never)]
    fn fill(&self) -> *const Slot {
        // SAFETY: __errno_location has no preconditions; its result is
        // this thread's errno for the thread's lifetime (also in a child
        // after fork, which copies the thread).
        self.errno.set(unsafe { libc::__errno_location() });
        let record: *const Slot = SLOT.with(|s| s as *const Slot);
        // The record pointer is the "filled" mark: errno is stored first.
        compiler_fence(Ordering::SeqCst);
        self.record.set(record);
        // A handler that interrupted a thread's first failure inside
        // `exclusive` and fills the block itself (its failure is the one
        // that finds `record` null) leaves `site_record` to `exclusive`.
        // SAFETY: this thread's record.
        if !unsafe { &*record }.is_busy() {
            self.site_record.set(record);
        }
        record
    }
}

const _: () = assert!(!std::mem::needs_drop::<Hot>() && std::mem::size_of::<Hot>() == 32);

/// This thread's count of guarded rsipc calls it is inside, in the hot block
/// (one TLS-descriptor access, no call into the dynamic linker once the
/// thread has its block). The count is a plain word: a signal handler that
/// interrupts a change and makes a guarded call itself raises and lowers it
/// back before it returns.
///
/// The pointer is valid on the calling thread for the thread's lifetime (the
/// block has no destructor), and only there.
#[inline(always)]
pub(crate) fn inside() -> *const Cell<u32> {
    // SAFETY: this thread's block, which lives as long as the thread.
    unsafe { std::ptr::addr_of!((*hot::block()).inside) }
}

#[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
pub(super) mod hot {
    use super::Hot;

    // The block: 32 zero bytes of TLS (.tbss), hidden (it never leaves the
    // library).
    std::arch::global_asm!(
        ".pushsection .tbss.rsipc_error_hot,\"awT\",@nobits",
        ".p2align 3",
        ".globl rsipc_error_hot",
        ".hidden rsipc_error_hot",
        ".type rsipc_error_hot,@object",
        ".size rsipc_error_hot,32",
        "rsipc_error_hot:",
        ".zero 32",
        ".popsection",
        options(att_syntax)
    );

    /// This thread's block.
    ///
    /// The sequence is the x86-64 TLS-descriptor one (the psABI's
    /// "gnu2" dialect): `lea` of the descriptor into `%rax`, `call` through
    /// it, which returns the block's offset from the thread pointer in
    /// `%rax` and preserves every other register, then add the thread
    /// pointer (`%fs:0` holds it). The `lea` and the `call` must be exactly
    /// these, with `%rax`: that is what the static linker rewrites when it
    /// relaxes the access in an executable.
    ///
    /// The call needs an aligned stack and must not overwrite the red zone
    /// (the 128 bytes below `%rsp` a leaf function may use). Leaving that
    /// to the compiler (an `asm!` without `nostack`) makes it set up a
    /// frame at the entry of every function this is inlined into, success
    /// paths included (`rsipc_sem_post`'s fast path got two instructions
    /// longer). So the block steps over the red zone and aligns `%rsp`
    /// itself, and restores it from a register the descriptor call
    /// preserves.
    ///
    /// The vector registers are declared clobbered because glibc before
    /// 2.40 did not preserve them on the slow path of a dlopen'ed
    /// library's first access (glibc bug 31372); nothing of rsipc keeps a
    /// vector value live here, so this costs nothing.
    ///
    /// `pure, readonly`: the result depends only on the thread, so the
    /// compiler may reuse it within a function.
    #[inline(always)]
    pub(in crate::error) fn block() -> *const Hot {
        let p: *const Hot;
        // SAFETY: the descriptor call follows the TLS-descriptor ABI, which
        // the dynamic linker (or the static linker's relaxation)
        // implements; it touches no memory of ours. The stack below the
        // red zone is free (the ABI reserves nothing there), and `%rsp` is
        // restored before the block ends.
        unsafe {
            std::arch::asm!(
                "movq %rsp, {sp}",
                "leaq -128(%rsp), %rsp",
                "andq $-16, %rsp",
                "leaq rsipc_error_hot@tlsdesc(%rip), %rax",
                "call *rsipc_error_hot@tlscall(%rax)",
                "movq {sp}, %rsp",
                "addq %fs:0, %rax",
                sp = out(reg) _,
                out("rax") p,
                out("xmm0") _, out("xmm1") _, out("xmm2") _, out("xmm3") _,
                out("xmm4") _, out("xmm5") _, out("xmm6") _, out("xmm7") _,
                out("xmm8") _, out("xmm9") _, out("xmm10") _, out("xmm11") _,
                out("xmm12") _, out("xmm13") _, out("xmm14") _, out("xmm15") _,
                options(att_syntax, pure, readonly, nostack)
            );
        }
        p
    }
}

#[cfg(not(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu")))]
pub(super) mod hot {
    use super::Hot;
    use std::cell::Cell;

    thread_local! {
        static HOT: Hot = const {
            Hot {
                record: Cell::new(std::ptr::null()),
                site_record: Cell::new(std::ptr::null()),
                errno: Cell::new(std::ptr::null_mut()),
                inside: Cell::new(0),
            }
        };
    }

    /// This thread's block (a plain `thread_local!`: no destructor).
    #[inline(always)]
    pub(in crate::error) fn block() -> *const Hot {
        HOT.with(|h| h as *const Hot)
    }
}
