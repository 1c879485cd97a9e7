//! The raw values an error record holds (integers, pointers, flag words,
//! a string copied inline) and how each is shown when the message is composed.

use super::*;

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
    pub(super) const EMPTY: InlineStr = InlineStr { len: 0, more: false, bytes: [MaybeUninit::uninit(); INLINE_STR] };

    pub(super) fn set(&mut self, s: &[u8]) {
        let n = s.len().min(INLINE_STR);
        for (dst, &b) in self.bytes.iter_mut().zip(&s[..n]) {
            *dst = MaybeUninit::new(b);
        }
        self.len = n as u16;
        self.more = s.len() > n;
    }

    pub(super) fn as_bytes(&self) -> &[u8] {
        // SAFETY: the first `len` bytes were written by `set`.
        unsafe { std::slice::from_raw_parts(self.bytes.as_ptr() as *const u8, self.len as usize) }
    }

    pub(super) fn copy_from(&mut self, other: &InlineStr) {
        let n = other.len as usize;
        self.bytes[..n].copy_from_slice(&other.bytes[..n]);
        self.len = other.len;
        self.more = other.more;
    }

    pub(super) fn write_quoted(&self, out: &mut dyn fmt::Write) -> fmt::Result {
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

    pub(super) fn write_raw(&self, out: &mut dyn fmt::Write) -> fmt::Result {
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
pub(super) fn lossy_chars(mut bytes: &[u8]) -> impl Iterator<Item = char> + '_ {
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
pub(super) fn write_bits(out: &mut dyn fmt::Write, value: i64, names: &[(i64, &str)], mut first: bool) -> fmt::Result {
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

pub(super) fn write_mode(out: &mut dyn fmt::Write, mode: u32) -> fmt::Result {
    if mode == 0 {
        out.write_char('0')
    } else {
        write!(out, "0{mode:o}")
    }
}

impl Arg {
    pub(super) fn write(&self, inline: &InlineStr, out: &mut dyn fmt::Write) -> fmt::Result {
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

pub(super) fn show<T: Shown>(v: &[i64; 3], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    fmt::Display::fmt(&T::unpack(v), f)
}

impl<T: Shown> IntoArg for T {
    #[inline(always)]
    fn into_arg(self) -> Arg {
        Arg::Shown(show::<T>, self.pack())
    }
}
