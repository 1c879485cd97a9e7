//! The per-thread record behind `rsipc_last_error()`: what a failure
//! stores (plain data, no allocation, no lock), and the message composed
//! from it when it is read.

use super::*;

pub(super) const EMPTY: u8 = 0;
pub(super) const RECORDED: u8 = 1;
pub(super) const COMPOSED: u8 = 2;
/// The record is a [`Site`] and its two words.
pub(super) const AT_SITE: u8 = 3;

/// A failure known in full at compile time but for one or two plain words:
/// the call, its arguments' names and kinds, the errno and a static reason.
/// Recording one (`ffi::fail_at`) stores a pointer and two words —
/// the cheapest record there is, for failures that are a normal outcome of
/// polling (`sem_trywait`'s `EAGAIN`) or that a signal handler may meet
/// (`sem_post`'s `EOVERFLOW`).
pub struct Site {
    pub call: &'static str,
    /// Up to two arguments: name, and whether the word is a pointer (else a
    /// signed integer).
    pub args: &'static [(&'static str, bool)],
    pub errno: i32,
    pub reason: &'static str,
}

/// This thread's last failure: written (plain data) when a call fails,
/// composed into `text` when `rsipc_last_error()` first reads it.
pub(super) struct Slot {
    /// Set while the record is written or composed: a signal handler that
    /// interrupts either and fails an rsipc call itself leaves the record
    /// alone (its message is lost; its errno is not).
    busy: Cell<bool>,
    state: Cell<u8>,
    site: Cell<*const Site>,
    site_words: Cell<[usize; 2]>,
    errno: Cell<i32>,
    call: UnsafeCell<Call>,
    reason: UnsafeCell<Reason>,
    reason_inline: UnsafeCell<InlineStr>,
    text: UnsafeCell<[u8; TEXT_LEN]>,
}

// No destructor: the thread-local below is a plain TLS block, and touching
// it never registers a destructor (which would allocate).
const _: () = assert!(!std::mem::needs_drop::<Slot>());

thread_local! {
    pub(super) static SLOT: Slot = const {
        Slot {
            busy: Cell::new(false),
            state: Cell::new(EMPTY),
            site: Cell::new(std::ptr::null()),
            site_words: Cell::new([0; 2]),
            errno: Cell::new(0),
            call: UnsafeCell::new(Call::EMPTY),
            reason: UnsafeCell::new(Reason::EMPTY),
            reason_inline: UnsafeCell::new(InlineStr::EMPTY),
            text: UnsafeCell::new([0; TEXT_LEN]),
        }
    };
}

impl Slot {
    /// Runs `f` with the record unless it is being written or composed
    /// (then a signal handler interrupted that: `None`).
    ///
    /// The hot block's `site_record` is null meanwhile, so a failure at a
    /// static site takes the way that tests `busy`. A handler that runs
    /// after `busy` is set and before `site_record` is cleared stores its
    /// site whole before `f` starts, which then writes or composes over it.
    #[inline(always)]
    fn exclusive<R>(&self, f: impl FnOnce(&Slot) -> R) -> Option<R> {
        if self.busy.replace(true) {
            return None;
        }
        // SAFETY: this thread's block, which lives as long as the thread.
        let hot = unsafe { &*hot::block() };
        compiler_fence(Ordering::SeqCst);
        hot.site_record.set(std::ptr::null());
        compiler_fence(Ordering::SeqCst);
        let r = f(self);
        compiler_fence(Ordering::SeqCst);
        self.busy.set(false);
        compiler_fence(Ordering::SeqCst);
        hot.site_record.set(self);
        Some(r)
    }

    /// Whether the record is being written or composed.
    #[inline(always)]
    pub(super) fn is_busy(&self) -> bool {
        self.busy.get()
    }
}

/// Records a failure of the call `describe` describes: `errno` and
/// `reason`, all plain data copied into this thread's record. No
/// allocation, no lock, no system call: safe in a signal handler.
#[inline(always)]
#[cfg(test)]
pub(crate) fn record(describe: impl FnOnce(&mut Call), errno: i32, reason: &Reason) {
    slot(|slot| record_in(slot, describe, errno, reason));
}

/// [`record`], and sets the C `errno` to `errno` (through the address this
/// thread's record keeps, saving a call into the C library per failure).
#[inline(always)]
pub(crate) fn record_with_errno(describe: impl FnOnce(&mut Call), errno: i32, reason: &Reason) {
    slot_errno(|slot, location| {
        record_in(slot, describe, errno, reason);
        // SAFETY: this thread's errno slot.
        unsafe { *location = errno };
    })
}

/// Records a failure at `site` with its argument words, sets the C
/// `errno` and returns -1: a few stores. No allocation, no lock, no system
/// call.
///
/// The shape is for the failures that must cost what glibc's do
/// (`sem_post`'s `EOVERFLOW`, `sem_trywait`'s `EAGAIN`): the hot block's
/// address (one TLS-descriptor call, see [`hot::block`]), the record's
/// address from it, the stores. A thread's first failure goes out of line
/// through a tail call, so inlined into a C function this adds no frame
/// and no register save to it, on its success path either.
#[inline(always)]
pub(crate) fn fail_site(site: &'static Site, words: [usize; 2]) -> libc::c_int {
    // SAFETY: this thread's block, which lives as long as the thread.
    let hot = unsafe { &*hot::block() };
    let record = hot.site_record.get();
    if record.is_null() {
        // `words` first: the first word is then already where the caller
        // has it (the C function's first argument), on every path.
        return fail_site_first(words, site);
    }
    // SAFETY: as in `slot_errno`; `site_record` is set only while the
    // record is not busy (see `Slot::exclusive`), and a handler that
    // interrupts from here on finds it null until it is done.
    store_site_unchecked(unsafe { &*record }, hot.errno.get(), site, words);
    -1
}

/// [`fail_site`] on a thread's first failure.
#[cold]
#[inline(never)]
pub(super) fn fail_site_first(words: [usize; 2], site: &'static Site) -> libc::c_int {
    slot_errno(|slot, location| store_site(slot, location, site, words));
    // Opaque to the optimiser: a function known to return a constant loses
    // its return value, and its callers then call it and load the
    // constant themselves instead of jumping to it (a frame again).
    std::hint::black_box(-1)
}

#[inline(always)]
pub(super) fn store_site(slot: &Slot, location: *mut libc::c_int, site: &'static Site, words: [usize; 2]) {
    // A record being written or composed (by the code a signal handler
    // interrupted) is left alone, as in `record_in`.
    if !slot.busy.get() {
        store_site_unchecked(slot, location, site, words);
    } else {
        // SAFETY: this thread's errno slot.
        unsafe { *location = site.errno };
    }
}

/// [`store_site`] on a record known not to be busy.
#[inline(always)]
fn store_site_unchecked(slot: &Slot, location: *mut libc::c_int, site: &'static Site, words: [usize; 2]) {
    {
        slot.site.set(site);
        // SAFETY: the cell is this thread's (as every cell of the record).
        let stored = unsafe { &mut *slot.site_words.as_ptr() };
        stored[0] = words[0];
        // A site is a static: the compiler knows how many words it has and
        // drops the store of an unused one.
        if site.args.len() > 1 {
            stored[1] = words[1];
        }
        compiler_fence(Ordering::SeqCst);
        slot.state.set(AT_SITE);
    }
    // SAFETY: this thread's errno slot.
    unsafe { *location = site.errno };
}

#[inline(always)]
pub(super) fn record_in(slot: &Slot, describe: impl FnOnce(&mut Call), errno: i32, reason: &Reason) {
    {
        slot.exclusive(|slot| {
            // SAFETY: `busy` gives this function the only access to the
            // cells on this thread, and no other thread can see them.
            let (call, r, inline) =
                unsafe { (&mut *slot.call.get(), &mut *slot.reason.get(), &mut *slot.reason_inline.get()) };
            describe(call);
            r.copy_from(reason, inline);
            slot.errno.set(errno);
            slot.state.set(RECORDED);
        });
    }
}

/// Clears this thread's last error.
pub(crate) fn clear_last_error() {
    slot(|slot| slot.exclusive(|slot| slot.state.set(EMPTY)));
}

/// Pointer to this thread's last error message, composed now if the record
/// has not been read since it was written; valid until the next failing
/// call on this thread.
pub(crate) fn last_error_ptr() -> *const libc::c_char {
    static EMPTY_TEXT: &[u8] = b"\0";
    let empty = EMPTY_TEXT.as_ptr() as *const libc::c_char;
    slot(|slot| {
        slot.exclusive(|slot| match slot.state.get() {
            EMPTY => empty,
            state => {
                // SAFETY: exclusive access, as in `record`.
                let text = unsafe { &mut *slot.text.get() };
                if state == AT_SITE {
                    // SAFETY: a Site is static; the words were stored with it.
                    let site = unsafe { &*slot.site.get() };
                    let words = slot.site_words.get();
                    // SAFETY: exclusive access, as above.
                    let call = unsafe { &mut *slot.call.get() };
                    call.begin(site.call);
                    for (&(name, pointer), &word) in site.args.iter().zip(&words) {
                        call.arg(name, if pointer { Arg::Ptr(word) } else { Arg::Int(word as isize as i64) });
                    }
                    // SAFETY: as above.
                    let reason = unsafe { &mut *slot.reason.get() };
                    *reason = Reason::template(site.reason);
                    slot.errno.set(site.errno);
                    slot.state.set(RECORDED);
                }
                if slot.state.get() == RECORDED {
                    // SAFETY: as above.
                    let (call, reason, inline) =
                        unsafe { (&*slot.call.get(), &*slot.reason.get(), &*slot.reason_inline.get()) };
                    let mut w = FixedWriter { buf: &mut text[..], len: 0, full: false };
                    let _ = write_message(call, slot.errno.get(), reason, inline, &mut w);
                    let (mut len, full) = (w.len, w.full);
                    if full {
                        len = TEXT_LEN - 4;
                        text[len..len + 3].copy_from_slice(b"...");
                        len += 3;
                    }
                    text[len] = 0;
                    slot.state.set(COMPOSED);
                }
                text.as_ptr() as *const libc::c_char
            }
        })
        .unwrap_or(empty)
    })
}

/// This thread's last error message as a Rust string (for Rust callers and
/// tests).
pub fn last_error() -> String {
    // SAFETY: last_error_ptr always returns a valid NUL-terminated string.
    unsafe { CStr::from_ptr(last_error_ptr()) }.to_string_lossy().into_owned()
}
