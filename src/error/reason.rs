//! Why a call failed, as plain data: [`Reason`], a static template and
//! the raw values that fill it, and the per-thread side buffer of a
//! reason's string.

use super::*;

/// Composes a reason's text when the message is read; may gather facts
/// with system calls (it never runs on the failure path).
pub type ComposeFn = fn(&Reason, &mut dyn fmt::Write) -> fmt::Result;

#[derive(Clone, Copy)]
pub(super) enum Template {
    /// Static text; each `{}` takes the next value.
    Text(&'static str),
    /// A function that writes the text from the values.
    Compose(ComposeFn),
}

/// Why a call failed, as plain data: a static template and the raw values
/// that fill it. Build one with [`reason!`](crate::reason) (or from a
/// `&'static str`).
#[derive(Clone, Copy)]
pub struct Reason {
    prefix: &'static str,
    template: Template,
    len: u8,
    args: [MaybeUninit<Arg>; REASON_ARGS],
}

/// The generations of reason strings, for all threads (lock-free, so safe
/// in a signal handler).
pub(super) static GENERATIONS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// The side buffer of this thread's reason strings (see [`Arg::Pooled`]).
pub(super) struct Pool {
    pub(super) generation: Cell<u32>,
    pub(super) text: UnsafeCell<InlineStr>,
}

const _: () = assert!(!std::mem::needs_drop::<Pool>());

thread_local! {
    pub(super) static POOL: Pool = const { Pool { generation: Cell::new(0), text: UnsafeCell::new(InlineStr::EMPTY) } };
}

impl Reason {
    /// A reason with `template` and no values yet.
    #[inline(always)]
    pub fn template(template: &'static str) -> Reason {
        Reason { prefix: "", template: Template::Text(template), len: 0, args: Self::no_args() }
    }

    /// Unused value slots, left uninitialised (a constant array of
    /// `MaybeUninit::uninit()` would be stored as zeros on every failure).
    #[inline(always)]
    pub(super) fn no_args() -> [MaybeUninit<Arg>; REASON_ARGS] {
        // SAFETY: an array of MaybeUninit needs no initialisation.
        unsafe { MaybeUninit::uninit().assume_init() }
    }

    /// The empty reason of a fresh thread's record.
    pub(super) const EMPTY: Reason =
        Reason { prefix: "", template: Template::Text(""), len: 0, args: [MaybeUninit::uninit(); REASON_ARGS] };

    /// A reason whose text `compose` writes from the values when the
    /// message is read. For facts that need a system call (say in the text
    /// that they were read then).
    #[inline(always)]
    pub fn compose(compose: ComposeFn) -> Reason {
        Reason { prefix: "", template: Template::Compose(compose), len: 0, args: Self::no_args() }
    }

    /// Adds the next value (ignored past `REASON_ARGS`; `reason!` checks
    /// the count at compile time).
    #[inline(always)]
    pub fn with(mut self, value: impl IntoArg) -> Reason {
        let arg = match value.text() {
            Some((bytes, quoted)) => POOL.with(|pool| {
                // SAFETY: only this function writes the side buffer, and it
                // does not reenter itself.
                unsafe { (*pool.text.get()).set(bytes) };
                // Unique across threads, so an Error sent to another thread
                // never shows that thread's string.
                let generation = GENERATIONS.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
                pool.generation.set(generation);
                Arg::Pooled(generation, quoted)
            }),
            None => value.into_arg(),
        };
        if (self.len as usize) < REASON_ARGS {
            self.args[self.len as usize] = MaybeUninit::new(arg);
            self.len += 1;
        }
        self
    }

    /// The same reason after a static `prefix` ("the object is not an rsipc
    /// channel: " + what the check said).
    #[inline(always)]
    pub fn prefixed(mut self, prefix: &'static str) -> Reason {
        self.prefix = prefix;
        self
    }

    /// The text, when it is a static text with no values.
    pub fn static_text(&self) -> Option<&'static str> {
        match self.template {
            Template::Text(t) if self.len == 0 && self.prefix.is_empty() => Some(t),
            _ => None,
        }
    }

    /// The values, in order.
    pub fn args(&self) -> &[Arg] {
        // SAFETY: the first `len` values were written by `with`.
        unsafe { std::slice::from_raw_parts(self.args.as_ptr() as *const Arg, self.len as usize) }
    }

    /// Value `i` as an integer (0 if it is not one): for compose functions.
    pub fn int(&self, i: usize) -> i64 {
        match self.args().get(i) {
            Some(Arg::Int(v)) => *v,
            Some(Arg::UInt(v) | Arg::Hex(v)) => *v as i64,
            Some(Arg::Ptr(v)) => *v as i64,
            Some(Arg::Mode(v)) => *v as i64,
            Some(Arg::Key(v)) => *v as i64,
            Some(Arg::Flags(v, _)) => *v,
            _ => 0,
        }
    }

    /// Value `i` written as its kind shows it: for compose functions.
    pub fn write_arg(&self, i: usize, out: &mut dyn fmt::Write) -> fmt::Result {
        match self.args().get(i) {
            Some(a) => a.write(&InlineStr::EMPTY, out),
            None => out.write_char('?'),
        }
    }

    /// Writes the text.
    pub fn write(&self, out: &mut dyn fmt::Write) -> fmt::Result {
        self.write_in(&InlineStr::EMPTY, out)
    }

    /// Writes the text, with the string of an [`Arg::Quoted`] or
    /// [`Arg::Inline`] value in `inline`.
    pub(super) fn write_in(&self, inline: &InlineStr, out: &mut dyn fmt::Write) -> fmt::Result {
        out.write_str(self.prefix)?;
        match self.template {
            Template::Compose(f) => f(self, out),
            Template::Text(t) => write_template(t, self.args(), inline, out),
        }
    }

    /// Copies `other`; a string in the thread's side buffer is copied to
    /// `inline`.
    #[inline(always)]
    pub(super) fn copy_from(&mut self, other: &Reason, inline: &mut InlineStr) {
        self.prefix = other.prefix;
        self.template = other.template;
        self.len = other.len;
        if other.len > 0 {
            self.copy_args(other, inline);
        }
    }

    #[inline(never)]
    pub(super) fn copy_args(&mut self, other: &Reason, inline: &mut InlineStr) {
        // All the slots, used or not: a copy of fixed size is a few moves,
        // where a copy of `len` slots is a call to memcpy (the unused ones
        // are MaybeUninit, so copying them is copying nothing in
        // particular).
        self.args = other.args;
        for slot in &mut self.args[..other.len as usize] {
            // SAFETY: the first `len` values are initialised.
            if let Arg::Pooled(generation, quoted) = unsafe { slot.assume_init() } {
                *slot = MaybeUninit::new(keep_pooled(generation, quoted, inline));
            }
        }
    }
}

/// A reason's string from the thread's side buffer, copied to the record's
/// `inline` if it is still there. Out of line: the side buffer's TLS access
/// is made only for a reason that has such a string, not on every failure.
#[cold]
#[inline(never)]
fn keep_pooled(generation: u32, quoted: bool, inline: &mut InlineStr) -> Arg {
    let kept = POOL.with(|pool| {
        // SAFETY: nothing writes the side buffer while this runs (a signal
        // handler's failure finds the record busy).
        pool.generation.get() == generation && {
            inline.copy_from(unsafe { &*pool.text.get() });
            true
        }
    });
    match (kept, quoted) {
        (false, _) => Arg::Text("(a string no longer kept)"),
        (true, true) => Arg::Quoted,
        (true, false) => Arg::Inline,
    }
}

impl From<&'static str> for Reason {
    #[inline(always)]
    fn from(text: &'static str) -> Reason {
        Reason::template(text)
    }
}

/// The number of `{}` in a template (for `reason!`'s compile-time check).
pub const fn placeholders(t: &str) -> usize {
    let b = t.as_bytes();
    let mut i = 0;
    let mut n = 0;
    while i + 1 < b.len() {
        if b[i] == b'{' && b[i + 1] == b'}' {
            n += 1;
            i += 2;
        } else {
            i += 1;
        }
    }
    n
}
