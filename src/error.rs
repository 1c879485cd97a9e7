//! The one error type of rsipc and the per-thread "last error" record.
//!
//! Every safe function returns [`Result<T>`]; the boundary
//! (`crate::ffi::guard`) turns an [`Error`] into the C convention: the
//! call's failure value, `errno`, and a message for `rsipc_last_error()` of
//! the form `call(args): ENAME: what happened in plain words`.
//!
//! Errors are plain data. An [`Error`] is an errno and a [`Reason`]: a
//! static template (`"descriptor {} is not open"`) and the few raw values
//! that fill it (integers, pointers, flag words with a reference to a
//! static table of names, at most one short string copied inline). Nothing
//! is formatted, allocated or locked when a call fails: the boundary copies
//! the call's name, its arguments (raw, the same way) and the reason into a
//! thread-local record, and the text is composed only when
//! `rsipc_last_error()` reads it, into a fixed per-thread buffer. This is
//! what keeps the failure paths of the async-signal-safe functions
//! (`sem_post`, `pipe`, `mkfifo`, ...) free of `malloc` and of locks, and
//! failure nearly as cheap as the system call that failed.
//!
//! A fact that needs a system call to explain a failure (is the descriptor
//! open at all? how large are the queue's messages?) is never gathered on
//! the failure path: a [`Reason::compose`] function runs when the message is
//! read, and the message says the fact was read then.
//!
//! The thread-local record is `const`-initialised and has no destructor, so
//! touching it never allocates and never registers a TLS destructor.

use std::cell::{Cell, UnsafeCell};
use std::ffi::CStr;
use std::fmt;
use std::mem::MaybeUninit;
use std::sync::atomic::{compiler_fence, Ordering};

/// Values a [`Reason`] template can take.
pub(crate) const REASON_ARGS: usize = 3;
/// Arguments a call description can show.
pub(crate) const CALL_ARGS: usize = 7;
/// Bytes of a string argument kept inline (enough for the 64 characters a
/// message shows of it, however they are encoded).
pub(crate) const INLINE_STR: usize = 256;
/// Bytes of the composed message (a longer one is cut, ending in `...`).
const TEXT_LEN: usize = 2048;

// ---------------------------------------------------------------------------
// Raw values

/// The renderer of a value type that needs more than a number shows (a
/// command name, a `struct timespec`, ...): up to three raw integers,
/// unpacked and displayed when the message is composed.
pub type ShowFn = fn(&[i64; 3], &mut fmt::Formatter<'_>) -> fmt::Result;

/// One raw value of an error record, turned into text only when the message
/// is composed.
#[derive(Clone, Copy)]
pub enum Arg {
    /// Decimal.
    Int(i64),
    /// Decimal, unsigned.
    UInt(u64),
    /// `0x` and lowercase hex digits.
    Hex(u64),
    /// `NULL`, or the address as `{:p}` shows it.
    Ptr(usize),
    /// A file mode: `0644`, or `0`.
    Mode(u32),
    /// A System V key: `IPC_PRIVATE` or `0x1234`.
    Key(i32),
    /// Static text.
    Text(&'static str),
    /// The C library's description of an errno (looked up when shown).
    Describe(i32),
    /// A flag word decoded with the names of the call it was passed to.
    Flags(i64, &'static FlagSet),
    /// A flag word decoded with a table of names (`0` when none is set).
    Bits(i64, &'static [(i64, &'static str)]),
    /// The string kept inline beside the values, quoted, at most 64
    /// characters shown (`"/name"`, `"/very/lo..."...`).
    Quoted,
    /// The string kept inline beside the values, as it is.
    Inline,
    /// A reason's string, kept in this thread's side buffer (an [`Error`]
    /// stays small): generation `.0`, quoted if `.1`. A newer string of the
    /// thread replaces it; the message then says the string is gone.
    Pooled(u32, bool),
    /// A value type with its own renderer.
    Shown(ShowFn, [i64; 3]),
}

/// A string copied inline (no allocation): the first `INLINE_STR` bytes
/// and whether more followed.
#[derive(Clone, Copy)]
pub struct InlineStr {
    len: u16,
    more: bool,
    bytes: [MaybeUninit<u8>; INLINE_STR],
}

impl InlineStr {
    const EMPTY: InlineStr = InlineStr { len: 0, more: false, bytes: [MaybeUninit::uninit(); INLINE_STR] };

    fn set(&mut self, s: &[u8]) {
        let n = s.len().min(INLINE_STR);
        for (dst, &b) in self.bytes.iter_mut().zip(&s[..n]) {
            *dst = MaybeUninit::new(b);
        }
        self.len = n as u16;
        self.more = s.len() > n;
    }

    fn as_bytes(&self) -> &[u8] {
        // SAFETY: the first `len` bytes were written by `set`.
        unsafe { std::slice::from_raw_parts(self.bytes.as_ptr() as *const u8, self.len as usize) }
    }

    fn copy_from(&mut self, other: &InlineStr) {
        let n = other.len as usize;
        self.bytes[..n].copy_from_slice(&other.bytes[..n]);
        self.len = other.len;
        self.more = other.more;
    }

    fn write_quoted(&self, out: &mut dyn fmt::Write) -> fmt::Result {
        let s = lossy_chars(self.as_bytes());
        out.write_char('"')?;
        let mut cut = false;
        for (shown, c) in s.enumerate() {
            if shown == 64 {
                cut = true;
                break;
            }
            out.write_char(c)?;
        }
        out.write_char('"')?;
        if cut || self.more {
            out.write_str("...")?;
        }
        Ok(())
    }

    fn write_raw(&self, out: &mut dyn fmt::Write) -> fmt::Result {
        for c in lossy_chars(self.as_bytes()) {
            out.write_char(c)?;
        }
        if self.more {
            out.write_str("...")?;
        }
        Ok(())
    }
}

/// `String::from_utf8_lossy` as an iterator of characters, without
/// allocating.
fn lossy_chars(mut bytes: &[u8]) -> impl Iterator<Item = char> + '_ {
    let mut valid = "".chars();
    let mut bad = false;
    std::iter::from_fn(move || loop {
        if let Some(c) = valid.next() {
            return Some(c);
        }
        if std::mem::take(&mut bad) {
            return Some(char::REPLACEMENT_CHARACTER);
        }
        if bytes.is_empty() {
            return None;
        }
        let (ok, rest) = match std::str::from_utf8(bytes) {
            Ok(s) => (s, &[][..]),
            Err(e) => {
                let (good, after) = bytes.split_at(e.valid_up_to());
                let skip = e.error_len().unwrap_or(after.len());
                bad = true;
                // SAFETY: from_utf8 vouched for the first valid_up_to bytes.
                (unsafe { std::str::from_utf8_unchecked(good) }, &after[skip..])
            }
        };
        valid = ok.chars();
        bytes = rest;
    })
}

/// How a flag word is shown: the names of one call's flags, so a message
/// decodes only what that call knows (`pipe2` has no access mode).
pub struct FlagSet {
    /// Starts with the `open(2)` access mode (`O_RDONLY`, `O_WRONLY`, ...).
    pub access_mode: bool,
    /// Ends with System V permission bits in octal (`IPC_CREAT|0644`).
    pub ipc_mode: bool,
    /// The bits by name; what no name covers is shown in hex.
    pub names: &'static [(i64, &'static str)],
}

impl FlagSet {
    /// Plain bits by name, `0` when none is set.
    pub const fn bits(names: &'static [(i64, &'static str)]) -> FlagSet {
        FlagSet { access_mode: false, ipc_mode: false, names }
    }

    /// Writes `value` as this set shows it.
    pub fn write(&self, value: i64, out: &mut dyn fmt::Write) -> fmt::Result {
        if self.access_mode {
            let access = match value as i32 & libc::O_ACCMODE {
                libc::O_RDONLY => "O_RDONLY",
                libc::O_WRONLY => "O_WRONLY",
                libc::O_RDWR => "O_RDWR",
                _ => "O_ACCMODE",
            };
            out.write_str(access)?;
            let rest = (value as i32 & !libc::O_ACCMODE) as u32 as i64;
            if rest != 0 {
                write_bits(out, rest, self.names, false)?;
            }
            return Ok(());
        }
        if self.ipc_mode {
            let mode = value as i32 & 0o777;
            let rest = (value as i32 & !0o777) as u32 as i64;
            let first = rest == 0;
            if !first {
                write_bits(out, rest, self.names, true)?;
            }
            return match (first, mode) {
                (true, _) => write_mode(out, mode as u32),
                (false, 0) => Ok(()),
                (false, _) => {
                    out.write_char('|')?;
                    write_mode(out, mode as u32)
                }
            };
        }
        write_bits(out, value, self.names, true)
    }
}

/// Writes the names of the bits of `value` found in `names`, `|`-separated,
/// then any unnamed rest in hex (or `0` when nothing is set).
fn write_bits(out: &mut dyn fmt::Write, value: i64, names: &[(i64, &str)], mut first: bool) -> fmt::Result {
    let mut rest = value;
    for &(bit, name) in names {
        if bit != 0 && rest & bit == bit {
            if !first {
                out.write_char('|')?;
            }
            out.write_str(name)?;
            first = false;
            rest &= !bit;
        }
    }
    if rest != 0 {
        if !first {
            out.write_char('|')?;
        }
        write!(out, "{rest:#x}")?;
    } else if first {
        out.write_char('0')?;
    }
    Ok(())
}

fn write_mode(out: &mut dyn fmt::Write, mode: u32) -> fmt::Result {
    if mode == 0 {
        out.write_char('0')
    } else {
        write!(out, "0{mode:o}")
    }
}

impl Arg {
    fn write(&self, inline: &InlineStr, out: &mut dyn fmt::Write) -> fmt::Result {
        match *self {
            Arg::Int(v) => write!(out, "{v}"),
            Arg::UInt(v) => write!(out, "{v}"),
            Arg::Hex(v) => write!(out, "{v:#x}"),
            Arg::Ptr(0) => out.write_str("NULL"),
            Arg::Ptr(p) => write!(out, "{:p}", p as *const u8),
            Arg::Mode(m) => write_mode(out, m),
            Arg::Key(k) if k == libc::IPC_PRIVATE => out.write_str("IPC_PRIVATE"),
            Arg::Key(k) => write!(out, "{:#x}", k as u32),
            Arg::Text(s) => out.write_str(s),
            Arg::Describe(errno) => out.write_str(describe(errno)),
            Arg::Flags(v, set) => set.write(v, out),
            Arg::Bits(v, names) => write_bits(out, v, names, true),
            Arg::Quoted => inline.write_quoted(out),
            Arg::Inline => inline.write_raw(out),
            Arg::Pooled(generation, quoted) => POOL.with(|pool| {
                if pool.generation.get() != generation {
                    return out.write_str("(a string no longer kept)");
                }
                // SAFETY: the side buffer is only written by `Reason::with`
                // on this thread, which is not running now.
                let s = unsafe { &*pool.text.get() };
                if quoted {
                    s.write_quoted(out)
                } else {
                    s.write_raw(out)
                }
            }),
            Arg::Shown(show, v) => {
                struct Show(ShowFn, [i64; 3]);
                impl fmt::Display for Show {
                    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        (self.0)(&self.1, f)
                    }
                }
                write!(out, "{}", Show(show, v))
            }
        }
    }
}

/// A value an error record can hold: converted to an [`Arg`] when the call
/// fails (a string is copied where the record keeps it), shown when the
/// message is composed.
pub trait IntoArg: Sized {
    /// The raw value.
    fn into_arg(self) -> Arg;

    /// For a string: its bytes, and whether it is shown quoted. The record
    /// copies them (while the caller still holds the string) instead of
    /// calling [`IntoArg::into_arg`].
    fn text(&self) -> Option<(&[u8], bool)> {
        None
    }
}

macro_rules! int_args {
    ($variant:ident: $($t:ty),*) => {
        $(impl IntoArg for $t {
            #[inline(always)]
            fn into_arg(self) -> Arg {
                Arg::$variant(self as _)
            }
        })*
    };
}
int_args!(Int: i8, i16, i32, i64, isize);
int_args!(UInt: u8, u16, u32, u64, usize);

impl IntoArg for Arg {
    #[inline(always)]
    fn into_arg(self) -> Arg {
        self
    }
}

impl IntoArg for &'static str {
    #[inline(always)]
    fn into_arg(self) -> Arg {
        Arg::Text(self)
    }
}

/// A value shown in hex: `0x1f`.
#[derive(Clone, Copy)]
pub struct Hex<T>(pub T);

macro_rules! hex_args {
    ($($t:ty => $u:ty),*) => {
        $(impl IntoArg for Hex<$t> {
            #[inline(always)]
            fn into_arg(self) -> Arg {
                // Through the unsigned type of the same width, as `{:#x}`
                // shows a negative value.
                Arg::Hex(self.0 as $u as u64)
            }
        })*
    };
}
hex_args!(i32 => u32, u32 => u32, i64 => u64, u64 => u64, isize => usize, usize => usize);

/// A C string shown quoted, at most 64 characters (`"/name"`): a path or a
/// name argument.
#[derive(Clone, Copy)]
pub struct Quoted<'a>(pub &'a CStr);

impl IntoArg for Quoted<'_> {
    fn into_arg(self) -> Arg {
        Arg::Text("?")
    }
    fn text(&self) -> Option<(&[u8], bool)> {
        Some((self.0.to_bytes(), true))
    }
}

/// A string shown as it is (invalid UTF-8 replaced), cut after
/// `INLINE_STR` bytes.
#[derive(Clone, Copy)]
pub struct Lossy<'a>(pub &'a [u8]);

impl IntoArg for Lossy<'_> {
    fn into_arg(self) -> Arg {
        Arg::Text("?")
    }
    fn text(&self) -> Option<(&[u8], bool)> {
        Some((self.0, false))
    }
}

/// A value type shown by its own `Display`, stored as up to three raw
/// integers: implement this for an argument wrapper (`CmdName(cmd)`) and it
/// can go into any record.
pub trait Shown: fmt::Display + Sized {
    /// The raw integers.
    fn pack(&self) -> [i64; 3];
    /// The value again, from [`Shown::pack`]'s integers.
    fn unpack(v: &[i64; 3]) -> Self;
}

/// Implements [`Shown`] for a one-integer tuple struct (`struct
/// CmdName(c_int)`) whose `Display` shows it.
#[macro_export]
macro_rules! shown_newtype {
    ($($t:ident),* $(,)?) => {
        $(impl $crate::error::Shown for $t {
            #[inline(always)]
            fn pack(&self) -> [i64; 3] {
                [self.0 as i64, 0, 0]
            }
            fn unpack(v: &[i64; 3]) -> Self {
                $t(v[0] as _)
            }
        })*
    };
}

fn show<T: Shown>(v: &[i64; 3], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    fmt::Display::fmt(&T::unpack(v), f)
}

impl<T: Shown> IntoArg for T {
    #[inline(always)]
    fn into_arg(self) -> Arg {
        Arg::Shown(show::<T>, self.pack())
    }
}

// ---------------------------------------------------------------------------
// Reasons and errors

/// Composes a reason's text when the message is read; may gather facts
/// with system calls (it never runs on the failure path).
pub type ComposeFn = fn(&Reason, &mut dyn fmt::Write) -> fmt::Result;

#[derive(Clone, Copy)]
enum Template {
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
static GENERATIONS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// The side buffer of this thread's reason strings (see [`Arg::Pooled`]).
struct Pool {
    generation: Cell<u32>,
    text: UnsafeCell<InlineStr>,
}

const _: () = assert!(!std::mem::needs_drop::<Pool>());

thread_local! {
    static POOL: Pool = const { Pool { generation: Cell::new(0), text: UnsafeCell::new(InlineStr::EMPTY) } };
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
    fn no_args() -> [MaybeUninit<Arg>; REASON_ARGS] {
        // SAFETY: an array of MaybeUninit needs no initialisation.
        unsafe { MaybeUninit::uninit().assume_init() }
    }

    /// The empty reason of a fresh thread's record.
    const EMPTY: Reason =
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
    fn write_in(&self, inline: &InlineStr, out: &mut dyn fmt::Write) -> fmt::Result {
        out.write_str(self.prefix)?;
        match self.template {
            Template::Compose(f) => f(self, out),
            Template::Text(t) => write_template(t, self.args(), inline, out),
        }
    }

    /// Copies `other` without the unused slots; a string in the thread's
    /// side buffer is copied to `inline`.
    #[inline(always)]
    fn copy_from(&mut self, other: &Reason, inline: &mut InlineStr) {
        self.prefix = other.prefix;
        self.template = other.template;
        self.len = other.len;
        if other.len > 0 {
            self.copy_args(other, inline);
        }
    }

    #[inline(never)]
    fn copy_args(&mut self, other: &Reason, inline: &mut InlineStr) {
        let n = other.len as usize;
        self.args[..n].copy_from_slice(&other.args[..n]);
        for slot in &mut self.args[..n] {
            // SAFETY: the first `len` values are initialised.
            if let Arg::Pooled(generation, quoted) = unsafe { slot.assume_init() } {
                let kept = POOL.with(|pool| {
                    // SAFETY: nothing writes the side buffer while this runs
                    // (a signal handler's failure finds the record busy).
                    pool.generation.get() == generation && {
                        inline.copy_from(unsafe { &*pool.text.get() });
                        true
                    }
                });
                let arg = match (kept, quoted) {
                    (false, _) => Arg::Text("(a string no longer kept)"),
                    (true, true) => Arg::Quoted,
                    (true, false) => Arg::Inline,
                };
                *slot = MaybeUninit::new(arg);
            }
        }
    }
}

/// Fills `{}` in `t` with `args` in order.
fn write_template(t: &str, args: &[Arg], inline: &InlineStr, out: &mut dyn fmt::Write) -> fmt::Result {
    let mut rest = t;
    let mut args = args.iter();
    while let Some(at) = rest.find("{}") {
        out.write_str(&rest[..at])?;
        match args.next() {
            Some(a) => a.write(inline, out)?,
            None => out.write_str("{}")?,
        }
        rest = &rest[at + 2..];
    }
    out.write_str(rest)
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

/// A [`Reason`] from a static template and its values:
/// `reason!("descriptor {} is not open", fd)`. Each `{}` takes the next
/// value, shown as its type says ([`Hex`], [`Quoted`],
/// `Ptr`, a flag set, ...); the number of values is checked
/// at compile time. Nothing is formatted until the message is read.
#[macro_export]
macro_rules! reason {
    ($template:literal $(, $value:expr)* $(,)?) => {{
        const _: () = assert!(
            $crate::error::placeholders($template) == <[&str]>::len(&[$(stringify!($value)),*])
                && <[&str]>::len(&[$(stringify!($value)),*]) <= $crate::error::REASON_ARGS,
            "reason!: the number of placeholders does not match the values"
        );
        $crate::error::Reason::template($template)$(.with($value))*
    }};
}

/// An [`Error`] from an errno and a [`reason!`](crate::reason):
/// `err!(libc::EINVAL, "off {} is negative", off)`.
#[macro_export]
macro_rules! err {
    ($errno:expr, $($reason:tt)+) => {
        $crate::error::Error::new($errno, $crate::reason!($($reason)+))
    };
}

/// A failed operation: the `errno` value C callers see, and why, as plain
/// data (no allocation to make, copy or drop one).
#[derive(Clone, Copy)]
pub struct Error {
    errno: i32,
    reason: Reason,
}

/// The result type of every safe rsipc function.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error with `errno` and a reason: a `&'static str`, or a
    /// [`reason!`](crate::reason) with values.
    #[inline(always)]
    pub fn new(errno: i32, reason: impl Into<Reason>) -> Self {
        Error { errno, reason: reason.into() }
    }

    /// The calling thread's current `errno`, explained in generic words.
    /// Call it right after the failing system call. Cold and out of line so
    /// the callers' success paths stay short.
    #[cold]
    #[inline(never)]
    pub fn last_os() -> Self {
        // SAFETY: __errno_location returns the calling thread's errno slot.
        let errno = unsafe { *libc::__errno_location() };
        Self::from_errno(if errno == 0 { libc::EIO } else { errno })
    }

    /// `errno`, explained in generic words (the C library's description).
    #[inline]
    pub fn from_errno(errno: i32) -> Self {
        // The description is looked up when the message is read, not here.
        Error { errno, reason: Reason::template("{}").with(Arg::Describe(errno)) }
    }

    /// The errno C callers receive.
    #[inline(always)]
    pub fn errno(&self) -> i32 {
        self.errno
    }

    /// The reason, as data.
    pub fn reason(&self) -> &Reason {
        &self.reason
    }

    /// The explanation, without the errno name, composed now (for Rust
    /// callers and tests; the C boundary never calls it).
    pub fn message(&self) -> String {
        let mut s = String::new();
        let _ = self.reason.write(&mut s);
        s
    }

    /// Replaces the explanation, keeping the errno. Modules use it to say
    /// what an errno means for their call ("a segment with this key already
    /// exists" rather than "File exists").
    #[inline(always)]
    pub fn because(mut self, reason: impl Into<Reason>) -> Self {
        self.reason = reason.into();
        self
    }

    /// Replaces the explanation only when the errno is `errno`.
    #[inline(always)]
    pub fn explain(self, errno: i32, reason: impl Into<Reason>) -> Self {
        if self.errno == errno {
            self.because(reason)
        } else {
            self
        }
    }
}

impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        self.errno == other.errno && self.message() == other.message()
    }
}

impl Eq for Error {}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(errno_name(self.errno))?;
        f.write_str(": ")?;
        self.reason.write(f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl std::error::Error for Error {}

impl From<nix::errno::Errno> for Error {
    fn from(e: nix::errno::Errno) -> Self {
        Error::from_errno(e as i32)
    }
}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        std::io::Error::from_raw_os_error(e.errno)
    }
}

// ---------------------------------------------------------------------------
// The call a record describes

/// The call a failure happened in, as plain data: its name and arguments
/// (raw values; one string argument copied inline). The boundary's
/// description closures fill it only when the call fails.
pub struct Call {
    name: &'static str,
    len: u8,
    args: [MaybeUninit<(&'static str, Arg)>; CALL_ARGS],
    inline: InlineStr,
}

impl Call {
    const EMPTY: Call = Call { name: "", len: 0, args: [MaybeUninit::uninit(); CALL_ARGS], inline: InlineStr::EMPTY };

    /// Starts the description of call `name`.
    #[inline(always)]
    pub fn begin(&mut self, name: &'static str) {
        self.name = name;
        self.len = 0;
    }

    /// Adds argument `name` with its value.
    #[inline(always)]
    pub fn arg(&mut self, name: &'static str, value: impl IntoArg) {
        let arg = match value.text() {
            Some((bytes, quoted)) => {
                self.inline.set(bytes);
                if quoted {
                    Arg::Quoted
                } else {
                    Arg::Inline
                }
            }
            None => value.into_arg(),
        };
        if (self.len as usize) < CALL_ARGS {
            self.args[self.len as usize] = MaybeUninit::new((name, arg));
            self.len += 1;
        }
    }

    fn args(&self) -> &[(&'static str, Arg)] {
        // SAFETY: the first `len` arguments were written by `arg`.
        unsafe { std::slice::from_raw_parts(self.args.as_ptr() as *const (&'static str, Arg), self.len as usize) }
    }

    fn write(&self, out: &mut dyn fmt::Write) -> fmt::Result {
        out.write_str(if self.name.is_empty() { "rsipc" } else { self.name })?;
        if self.name.is_empty() {
            return Ok(());
        }
        out.write_char('(')?;
        for (i, (name, value)) in self.args().iter().enumerate() {
            if i > 0 {
                out.write_str(", ")?;
            }
            out.write_str(name)?;
            out.write_char('=')?;
            value.write(&self.inline, out)?;
        }
        out.write_char(')')
    }
}

/// A C string argument (a name or a path), or `NULL`: copied into the
/// record when the call fails, shown quoted (at most 64 characters). Made
/// only by the C shims, from the pointer their caller promised is NULL or
/// a NUL-terminated string.
#[derive(Clone, Copy)]
pub struct Name(pub(crate) *const libc::c_char);

impl IntoArg for Name {
    #[inline(always)]
    fn into_arg(self) -> Arg {
        Arg::Text("NULL")
    }
    fn text(&self) -> Option<(&[u8], bool)> {
        if self.0.is_null() {
            return None;
        }
        // SAFETY: the caller of the rsipc function promised a NUL-terminated
        // string (the only way to make a Name).
        Some((unsafe { CStr::from_ptr(self.0) }.to_bytes(), true))
    }
}

/// The description of a call for its error record:
/// `call!("pipe2", fds = Ptr(fds), flags = PIPE2_FLAGS.of(flags))` is a
/// closure that, run only when the call fails, stores the name and the raw
/// argument values (nothing is formatted).
#[macro_export]
macro_rules! call {
    ($name:literal $(, $arg:ident = $value:expr)* $(,)?) => {
        move |c: &mut $crate::error::Call| {
            c.begin($name);
            $(c.arg(stringify!($arg), $value);)*
        }
    };
}

// ---------------------------------------------------------------------------
// The per-thread record behind rsipc_last_error()

const EMPTY: u8 = 0;
const RECORDED: u8 = 1;
const COMPOSED: u8 = 2;
/// The record is a [`Site`] and its two words.
const AT_SITE: u8 = 3;

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
struct Slot {
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
    static SLOT: Slot = const {
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

/// This thread's record and its C `errno`, through the hot block (see
/// [`hot`]): on every failure after a thread's first, a few instructions and
/// no call into the dynamic linker.
#[inline(always)]
fn slot_errno<R>(f: impl FnOnce(&Slot, *mut libc::c_int) -> R) -> R {
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
fn slot<R>(f: impl FnOnce(&Slot) -> R) -> R {
    slot_errno(|slot, _| f(slot))
}

/// The hot block: per thread, the address of the thread's record and of its
/// C `errno`, both found on the thread's first failure.
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
#[repr(C)]
struct Hot {
    /// This thread's record, once `fill` ran.
    record: Cell<*const Slot>,
    /// This thread's C `errno` (`__errno_location()`), stored before
    /// `record`.
    errno: Cell<*mut libc::c_int>,
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
        record
    }
}

const _: () = assert!(!std::mem::needs_drop::<Hot>() && std::mem::size_of::<Hot>() == 16);

#[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
mod hot {
    use super::Hot;

    // The block: 16 zero bytes of TLS (.tbss), hidden (it never leaves the
    // library).
    std::arch::global_asm!(
        ".pushsection .tbss.rsipc_error_hot,\"awT\",@nobits",
        ".p2align 3",
        ".globl rsipc_error_hot",
        ".hidden rsipc_error_hot",
        ".type rsipc_error_hot,@object",
        ".size rsipc_error_hot,16",
        "rsipc_error_hot:",
        ".zero 16",
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
    pub(super) fn block() -> *const Hot {
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
mod hot {
    use super::Hot;
    use std::cell::Cell;

    thread_local! {
        static HOT: Hot = const {
            Hot { record: Cell::new(std::ptr::null()), errno: Cell::new(std::ptr::null_mut()) }
        };
    }

    /// This thread's block (a plain `thread_local!`: no destructor).
    #[inline(always)]
    pub(super) fn block() -> *const Hot {
        HOT.with(|h| h as *const Hot)
    }
}

impl Slot {
    /// Runs `f` with the record unless it is being written or composed
    /// (then a signal handler interrupted that: `None`).
    #[inline(always)]
    fn exclusive<R>(&self, f: impl FnOnce(&Slot) -> R) -> Option<R> {
        if self.busy.replace(true) {
            return None;
        }
        compiler_fence(Ordering::SeqCst);
        let r = f(self);
        compiler_fence(Ordering::SeqCst);
        self.busy.set(false);
        Some(r)
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
    let record = hot.record.get();
    if record.is_null() {
        // `words` first: the first word is then already where the caller
        // has it (the C function's first argument), on every path.
        return fail_site_first(words, site);
    }
    // SAFETY: as in `slot_errno`.
    store_site(unsafe { &*record }, hot.errno.get(), site, words);
    -1
}

/// [`fail_site`] on a thread's first failure.
#[cold]
#[inline(never)]
fn fail_site_first(words: [usize; 2], site: &'static Site) -> libc::c_int {
    slot_errno(|slot, location| store_site(slot, location, site, words));
    // Opaque to the optimiser: a function known to return a constant loses
    // its return value, and its callers then call it and load the
    // constant themselves instead of jumping to it (a frame again).
    std::hint::black_box(-1)
}

#[inline(always)]
fn store_site(slot: &Slot, location: *mut libc::c_int, site: &'static Site, words: [usize; 2]) {
    // A record being written or composed (by the code a signal handler
    // interrupted) is left alone, as in `record_in`.
    if !slot.busy.get() {
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
fn record_in(slot: &Slot, describe: impl FnOnce(&mut Call), errno: i32, reason: &Reason) {
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

/// A writer into a fixed buffer that cuts what does not fit (ending the
/// text in `...`) and replaces NUL bytes, so the C string is never cut short.
struct FixedWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
    full: bool,
}

impl fmt::Write for FixedWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // One byte stays for the terminator.
        let room = self.buf.len() - 1 - self.len;
        let bytes = s.as_bytes();
        let n = if bytes.len() > room {
            self.full = true;
            room
        } else {
            bytes.len()
        };
        for (dst, &b) in self.buf[self.len..self.len + n].iter_mut().zip(bytes) {
            *dst = if b == 0 { b'?' } else { b };
        }
        self.len += n;
        if self.full {
            Err(fmt::Error)
        } else {
            Ok(())
        }
    }
}

/// Writes `call(args): ENAME: reason`.
fn write_message(
    call: &Call,
    errno: i32,
    reason: &Reason,
    inline: &InlineStr,
    out: &mut dyn fmt::Write,
) -> fmt::Result {
    call.write(out)?;
    out.write_str(": ")?;
    out.write_str(errno_name(errno))?;
    out.write_str(": ")?;
    reason.write_in(inline, out)
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

// ---------------------------------------------------------------------------
// errno names

/// A generic description of `errno`, as `strerror` gives it (the
/// "C" locale's words, which never change at run time).
pub fn describe(errno: i32) -> &'static str {
    ERRNO_TABLE.iter().find(|(n, _, _)| *n == errno).map(|(_, _, text)| *text).unwrap_or("unknown error")
}

/// The symbolic name of `errno` (`"EEXIST"`), or `"E?"` for an unknown one.
pub fn errno_name(errno: i32) -> &'static str {
    ERRNO_TABLE.iter().find(|(n, _, _)| *n == errno).map(|(_, name, _)| *name).unwrap_or("E?")
}

/// Linux errno values rsipc can report, with their names and the C library's
/// descriptions. (Aliases such as EWOULDBLOCK/EAGAIN share a number; the
/// first name listed wins.)
const ERRNO_TABLE: &[(i32, &str, &str)] = &[
    (libc::EPERM, "EPERM", "operation not permitted"),
    (libc::ENOENT, "ENOENT", "no such file or directory"),
    (libc::ESRCH, "ESRCH", "no such process"),
    (libc::EINTR, "EINTR", "interrupted by a signal"),
    (libc::EIO, "EIO", "input/output error"),
    (libc::ENXIO, "ENXIO", "no such device or address"),
    (libc::E2BIG, "E2BIG", "argument list too long"),
    (libc::EBADF, "EBADF", "bad file descriptor"),
    (libc::ECHILD, "ECHILD", "no child processes"),
    (libc::EAGAIN, "EAGAIN", "resource temporarily unavailable"),
    (libc::ENOMEM, "ENOMEM", "cannot allocate memory"),
    (libc::EACCES, "EACCES", "permission denied"),
    (libc::EFAULT, "EFAULT", "bad address"),
    (libc::EBUSY, "EBUSY", "device or resource busy"),
    (libc::EEXIST, "EEXIST", "file exists"),
    (libc::EXDEV, "EXDEV", "invalid cross-device link"),
    (libc::ENODEV, "ENODEV", "no such device"),
    (libc::ENOTDIR, "ENOTDIR", "not a directory"),
    (libc::EISDIR, "EISDIR", "is a directory"),
    (libc::EINVAL, "EINVAL", "invalid argument"),
    (libc::ENFILE, "ENFILE", "too many open files in system"),
    (libc::EMFILE, "EMFILE", "too many open files"),
    (libc::ENOTTY, "ENOTTY", "inappropriate ioctl for device"),
    (libc::ETXTBSY, "ETXTBSY", "text file busy"),
    (libc::EFBIG, "EFBIG", "file too large"),
    (libc::ENOSPC, "ENOSPC", "no space left on device"),
    (libc::ESPIPE, "ESPIPE", "illegal seek"),
    (libc::EROFS, "EROFS", "read-only file system"),
    (libc::EMLINK, "EMLINK", "too many links"),
    (libc::EPIPE, "EPIPE", "broken pipe"),
    (libc::EDOM, "EDOM", "numerical argument out of domain"),
    (libc::ERANGE, "ERANGE", "numerical result out of range"),
    (libc::EDEADLK, "EDEADLK", "resource deadlock avoided"),
    (libc::ENAMETOOLONG, "ENAMETOOLONG", "file name too long"),
    (libc::ENOLCK, "ENOLCK", "no locks available"),
    (libc::ENOSYS, "ENOSYS", "function not implemented"),
    (libc::ENOTEMPTY, "ENOTEMPTY", "directory not empty"),
    (libc::ELOOP, "ELOOP", "too many levels of symbolic links"),
    (libc::ENOMSG, "ENOMSG", "no message of desired type"),
    (libc::EIDRM, "EIDRM", "identifier removed"),
    (libc::ENODATA, "ENODATA", "no data available"),
    (libc::ETIME, "ETIME", "timer expired"),
    (libc::EOVERFLOW, "EOVERFLOW", "value too large for defined data type"),
    (libc::EBADFD, "EBADFD", "file descriptor in bad state"),
    (libc::EILSEQ, "EILSEQ", "invalid or incomplete multibyte or wide character"),
    (libc::EMSGSIZE, "EMSGSIZE", "message too long"),
    (libc::ENOTSUP, "ENOTSUP", "operation not supported"),
    (libc::EADDRINUSE, "EADDRINUSE", "address already in use"),
    (libc::ETIMEDOUT, "ETIMEDOUT", "connection timed out"),
    (libc::EALREADY, "EALREADY", "operation already in progress"),
    (libc::EINPROGRESS, "EINPROGRESS", "operation now in progress"),
    (libc::ESTALE, "ESTALE", "stale file handle"),
    (libc::EDQUOT, "EDQUOT", "disk quota exceeded"),
    (libc::ECANCELED, "ECANCELED", "operation canceled"),
    (libc::EOWNERDEAD, "EOWNERDEAD", "owner died"),
    (libc::ENOTRECOVERABLE, "ENOTRECOVERABLE", "state not recoverable"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_names_and_descriptions_come_from_the_table() {
        assert_eq!(errno_name(libc::EEXIST), "EEXIST");
        assert_eq!(describe(libc::EFAULT), "bad address");
        assert_eq!(errno_name(100_000), "E?");
    }

    #[test]
    fn explain_replaces_only_the_matching_errno() {
        let e = Error::from_errno(libc::EEXIST).explain(libc::EEXIST, "it exists");
        assert_eq!(e.message(), "it exists");
        let e = Error::from_errno(libc::ENOENT).explain(libc::EEXIST, "it exists");
        assert_eq!(e.message(), "no such file or directory");
    }

    #[test]
    fn templates_take_their_values_in_order() {
        let e = crate::err!(libc::EINVAL, "off {} is not a multiple of {} ({})", -4096i64, Hex(4096u32), "page size");
        assert_eq!(e.message(), "off -4096 is not a multiple of 0x1000 (page size)");
        let path = std::ffi::CString::new("a".repeat(70)).unwrap();
        let e = crate::err!(libc::ENOENT, "{} does not exist", Quoted(&path));
        assert_eq!(e.message(), format!("\"{}\"... does not exist", "a".repeat(64)));
    }

    #[test]
    fn last_error_round_trips_and_clears() {
        record(crate::call!("pipe", fds = Arg::Ptr(0)), libc::EFAULT, &Reason::from("fds is NULL"));
        assert_eq!(last_error(), "pipe(fds=NULL): EFAULT: fds is NULL");
        clear_last_error();
        assert_eq!(last_error(), "");
        // SAFETY: last_error_ptr always returns a valid NUL-terminated string.
        assert_eq!(unsafe { std::ffi::CStr::from_ptr(last_error_ptr()) }.to_bytes(), b"");
    }

    #[test]
    fn a_long_message_is_cut_not_overflowed() {
        fn long(_: &Reason, out: &mut dyn fmt::Write) -> fmt::Result {
            for _ in 0..1000 {
                out.write_str("abc")?;
            }
            Ok(())
        }
        record(crate::call!("demo"), libc::EINVAL, &Reason::compose(long));
        let msg = last_error();
        assert_eq!(msg.len(), TEXT_LEN - 1);
        assert!(msg.starts_with("demo(): EINVAL: abcabc") && msg.ends_with("..."), "{msg}");
    }
}

// ---------------------------------------------------------------------------
// Facts gathered when the message is read

/// Reasons whose text needs a system call: the call is made by
/// `rsipc_last_error()` (or [`Error::message`]), never on the failure path,
/// and the text says so.
pub mod later {
    use super::{Arg, Reason};
    use std::fmt;

    /// What every deferred fact says about when it was found.
    pub const WHEN: &str = " (found when this message was read)";

    /// Whether descriptor `fd` is open now.
    pub fn fd_is_open(fd: i32) -> bool {
        // SAFETY: F_GETFD takes no argument and touches no memory.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
        flags != -1
    }

    /// `EBADF` for a command `fd` does not support: "descriptor 5 is open
    /// but is not a pipe or FIFO", or "descriptor 5 is not open".
    pub fn fd_open_but_not(fd: i32, what_it_is_not: &'static str) -> Reason {
        fn compose(r: &Reason, out: &mut dyn fmt::Write) -> fmt::Result {
            let fd = r.int(0) as i32;
            write!(out, "descriptor {fd} ")?;
            if fd_is_open(fd) {
                out.write_str("is open but is not ")?;
                r.write_arg(1, out)?;
            } else {
                out.write_str("is not open")?;
            }
            out.write_str(WHEN)
        }
        Reason::compose(compose).with(fd).with(Arg::Text(what_it_is_not))
    }
}
