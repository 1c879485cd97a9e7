//! The process: its id (cached), fork handlers, `sched_yield(2)`, and
//! the kernel's random pool.

use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};

use super::cvt;
use crate::error::{Error, Result};

/// Fills `buf` from the kernel's random pool (`getrandom(2)`, retrying
/// `EINTR` and short reads; the system call, not glibc's `getrandom`, which
/// is a cancellation point).
pub fn random_bytes(buf: &mut [u8]) -> Result<()> {
    let mut done = 0;
    while done < buf.len() {
        // SAFETY: the rest of `buf` is valid for writes.
        let ret = unsafe { libc::syscall(libc::SYS_getrandom, buf[done..].as_mut_ptr(), buf.len() - done, 0) };
        match cvt(ret) {
            Ok(n) => done += n as usize,
            Err(e) if e.errno() == libc::EINTR => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Registers fork handlers (`pthread_atfork(3)`).
pub fn atfork(prepare: extern "C" fn(), parent: extern "C" fn(), child: extern "C" fn()) -> Result<()> {
    // SAFETY: the handlers are plain functions of this library that never
    // unwind.
    // Since glibc 2.28 the `pthread_atfork` symbol this links to is the
    // libc_nonshared.a wrapper that passes our DSO handle, so the handlers
    // are unregistered if librsipc.so is ever unloaded.
    let err = unsafe { libc::pthread_atfork(Some(prepare), Some(parent), Some(child)) };
    if err != 0 {
        return Err(Error::from_errno(err));
    }
    Ok(())
}

/// A process-private lock that fork handlers can hold across `fork()`:
/// the prepare handler [`close`](Self::close)s it and the parent and child
/// handlers [`open`](Self::open) it, so no other thread is inside at the
/// instant the child is created. It has no guard value to keep between the
/// handlers (a `MutexGuard` would have to wait in a thread-local, and a
/// thread-local with a destructor leaves glibc a record that a main thread
/// leaving with `pthread_exit` never frees). Ordinary code holds it with
/// [`hold`](Self::hold). A futex word: 0 open; 1 closed; 2 closed, and
/// someone may wait.
#[derive(Default)]
pub struct ForkGate(AtomicU32);

impl ForkGate {
    pub const fn new() -> ForkGate {
        ForkGate(AtomicU32::new(0))
    }

    /// Waits until the gate is open, and closes it.
    pub fn close(&self) {
        if self.0.compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed).is_ok() {
            return;
        }
        while self.0.swap(2, Ordering::Acquire) != 0 {
            let _ = super::futex::futex_wait(&self.0, 2, false, None, super::futex::FutexClock::Monotonic);
        }
    }

    /// Opens the gate (closed by this thread, or by the thread that forked).
    pub fn open(&self) {
        if self.0.swap(0, Ordering::Release) == 2 {
            let _ = super::futex::futex_wake(&self.0, 1, false);
        }
    }

    /// Closes the gate until the value is dropped.
    pub fn hold(&self) -> GateHeld<'_> {
        self.close();
        GateHeld(self)
    }
}

/// A closed [`ForkGate`], opened when dropped.
pub struct GateHeld<'a>(&'a ForkGate);

impl Drop for GateHeld<'_> {
    fn drop(&mut self) {
        self.0.open();
    }
}

/// Gives the processor to another thread (`sched_yield(2)`).
#[inline]
pub fn yield_now() {
    // SAFETY: no arguments, no preconditions.
    unsafe { libc::sched_yield() };
}

// ---------------------------------------------------------------------------
// The caller's process id, cached (glibc's getpid is a system call).
//
// The cache lives in a private page marked MADV_WIPEONFORK: the kernel hands
// every child made by fork() (or any clone without CLONE_VM) a zeroed copy,
// so a child never sees its parent's pid, whichever thread forked and
// whatever the other threads were doing. (pthread_atfork plus a lock would
// not do: a fork while another thread holds the lock leaves the child's copy
// locked forever.) Without MADV_WIPEONFORK (Linux < 4.14) every call asks
// the kernel.

/// Null until the page exists; `NO_CACHE` if it cannot be made.
static PID_PAGE: AtomicPtr<AtomicU32> = AtomicPtr::new(std::ptr::null_mut());
const NO_CACHE: *mut AtomicU32 = std::ptr::dangling_mut::<AtomicU32>();

/// This process's id, without a system call once cached.
#[inline]
pub fn current_pid() -> u32 {
    let page = PID_PAGE.load(Ordering::Acquire);
    if !page.is_null() && page != NO_CACHE {
        // SAFETY: a page mapped once and never unmapped; see current_pid_slow.
        let pid = unsafe { &*page }.load(Ordering::Relaxed);
        if pid != 0 {
            return pid;
        }
    }
    current_pid_slow(page)
}

#[cold]
fn current_pid_slow(mut page: *mut AtomicU32) -> u32 {
    // SAFETY: getpid has no preconditions.
    let pid = unsafe { libc::getpid() } as u32;
    if page.is_null() {
        page = wipe_on_fork_page();
        if let Err(other) = PID_PAGE.compare_exchange(std::ptr::null_mut(), page, Ordering::AcqRel, Ordering::Acquire) {
            if page != NO_CACHE {
                // SAFETY: our own page, never published.
                let _ = unsafe { super::mman::munmap(page.cast(), super::mman::page_size()) };
            }
            page = other;
        }
    }
    if page != NO_CACHE {
        // SAFETY: as in current_pid.
        unsafe { &*page }.store(pid, Ordering::Relaxed);
    }
    pid
}

/// A zeroed private page the kernel wipes in forked children, or `NO_CACHE`.
fn wipe_on_fork_page() -> *mut AtomicU32 {
    let len = super::mman::page_size();
    // SAFETY: a new private anonymous mapping; it aliases nothing.
    let p = unsafe {
        super::mman::mmap_raw(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    let Ok(p) = p else { return NO_CACHE };
    // SAFETY: advice on our own fresh mapping.
    if unsafe { libc::madvise(p, len, libc::MADV_WIPEONFORK) } != 0 {
        // SAFETY: our own mapping, unused.
        let _ = unsafe { super::mman::munmap(p, len) };
        return NO_CACHE;
    }
    p.cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forked_child_sees_its_own_pid() {
        let parent = current_pid();
        // SAFETY: the child only compares pids and calls _exit.
        let child = unsafe { libc::fork() };
        if child == 0 {
            // SAFETY: getpid and _exit are always safe.
            let ok = current_pid() == unsafe { libc::getpid() } as u32 && current_pid() != parent;
            unsafe { libc::_exit(if ok { 0 } else { 1 }) }
        }
        let mut status = 0;
        // SAFETY: valid out-pointer; `child` is our child.
        assert_eq!(unsafe { libc::waitpid(child, &mut status, 0) }, child);
        assert_eq!(status, 0);
        assert_eq!(current_pid(), parent);
    }

    #[test]
    fn random_bytes_fills_the_buffer() {
        let mut a = [0u8; 32];
        random_bytes(&mut a).unwrap();
        assert!(a.iter().any(|&b| b != 0));
    }
}
