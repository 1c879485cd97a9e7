//! How the boundary's arguments are shown in messages: kinds of raw values
//! stored on failure and the flag tables they are decoded with when the
//! message is read.

use std::fmt;

use crate::error::{Arg, FlagSet, IntoArg, Reason};

/// How one call's flag word is shown: its bits by name (what no name
/// covers in hex), so a message decodes only what that call knows
/// (`pipe2` has no access mode). Built with [`flag_table!`] and
/// [`flag_names!`].
pub(crate) struct FlagTable {
    /// The bits by name, with the `open(2)` access mode first or the System
    /// V permission bits last when the set says so.
    set: FlagSet,
    /// A field of the word whose values are named and written first (the
    /// mapping type of `mmap(2)`): its mask and names. A value with no name
    /// leaves the whole word to `set`.
    field: Option<(i64, &'static [(i64, &'static str)])>,
    /// The name of the word 0 (`PROT_NONE`); `0` without one.
    none: Option<&'static str>,
}

impl FlagTable {
    /// Plain bits: `MS_SYNC|MS_INVALIDATE`, or `0`.
    pub(crate) const fn bits(names: &'static [(i64, &'static str)]) -> FlagTable {
        FlagTable { set: FlagSet::bits(names), field: None, none: None }
    }

    /// The `open(2)` access mode, then the bits: `O_WRONLY|O_CREAT`.
    pub(crate) const fn open(names: &'static [(i64, &'static str)]) -> FlagTable {
        FlagTable { set: FlagSet { access_mode: true, ipc_mode: false, names }, field: None, none: None }
    }

    /// The bits, then the System V permission bits in octal:
    /// `IPC_CREAT|IPC_EXCL|0644`, `IPC_CREAT`, or `0600`.
    pub(crate) const fn ipc(names: &'static [(i64, &'static str)]) -> FlagTable {
        FlagTable { set: FlagSet { access_mode: false, ipc_mode: true, names }, field: None, none: None }
    }

    /// This table with the field `mask` of the word shown first by the
    /// value's name.
    pub(crate) const fn field(self, mask: libc::c_int, names: &'static [(i64, &'static str)]) -> FlagTable {
        FlagTable { field: Some((mask as i64, names)), ..self }
    }

    /// This table with the word 0 shown as `name`.
    pub(crate) const fn none(self, name: &'static str) -> FlagTable {
        FlagTable { none: Some(name), ..self }
    }

    /// Writes `word` (a C `int`: its 32 bits, never sign-extended) as this
    /// table shows it.
    pub(crate) fn write(&self, word: libc::c_int, out: &mut dyn fmt::Write) -> fmt::Result {
        let word = word as u32 as i64;
        if let (0, Some(name)) = (word, self.none) {
            return out.write_str(name);
        }
        if let Some((mask, names)) = self.field {
            if let Some(&(_, name)) = names.iter().find(|&&(value, _)| value == word & mask) {
                out.write_str(name)?;
                let rest = word & !mask;
                if rest == 0 {
                    return Ok(());
                }
                out.write_char('|')?;
                return self.set.write(rest, out);
            }
        }
        self.set.write(word, out)
    }
}

/// The `(value, name)` pairs of a [`FlagTable`], each name written once:
/// `flag_names![O_CREAT, O_EXCL]` takes the values from `libc`,
/// `MSG_COPY = super::MSG_COPY` from elsewhere.
macro_rules! flag_names {
    (@value $flag:ident) => { libc::$flag };
    (@value $flag:ident = $value:expr) => { $value };
    ($($flag:ident $(= $value:expr)?),* $(,)?) => {
        &[$(($crate::ffi::flag_names!(@value $flag $(= $value)?) as i64, stringify!($flag))),*]
    };
}
pub(crate) use flag_names;

/// A flag argument: `struct Prot(c_int)`, stored raw when the call fails
/// and shown with its [`FlagTable`] when the message is read.
///
/// ```ignore
/// flag_table! {
///     /// `mmap(2)` protection bits: `PROT_READ|PROT_WRITE`, or `PROT_NONE`.
///     pub(crate) struct Prot = FlagTable::bits(flag_names![PROT_READ, PROT_WRITE]).none("PROT_NONE");
/// }
/// ```
macro_rules! flag_table {
    ($(#[$meta:meta])* $vis:vis struct $name:ident = $table:expr;) => {
        $(#[$meta])*
        $vis struct $name(pub libc::c_int);
        $crate::shown_newtype!($name);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                const TABLE: $crate::ffi::FlagTable = $table;
                TABLE.write(self.0, f)
            }
        }
    };
}
pub(crate) use flag_table;

flag_table! {
    /// `open(2)`-style flags of a call that takes an access mode and any of
    /// the `O_*` bits: `O_WRONLY|O_CREAT|O_EXCL`. Calls with fewer flags have
    /// their own tables, so a message decodes only what the call knows.
    pub(crate) struct OpenFlags = FlagTable::open(flag_names![
        O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_NONBLOCK, O_CLOEXEC, O_DIRECT, O_NOFOLLOW, O_NOCTTY,
    ]);
}

flag_table! {
    /// System V `*get` flags: `IPC_CREAT|IPC_EXCL|0644`, `IPC_CREAT` (no
    /// permission bits), or `0600`.
    pub(crate) struct IpcGetFlags = FlagTable::ipc(flag_names![IPC_CREAT, IPC_EXCL]);
}

/// A `const struct timespec *` argument: `{tv_sec=1, tv_nsec=500}` (read
/// when the call fails, as the call read it), or `NULL`.
pub(crate) struct Timespec(pub *const libc::timespec);

impl IntoArg for Timespec {
    fn into_arg(self) -> Arg {
        fn show(v: &[i64; 3], f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{{tv_sec={}, tv_nsec={}}}", v[0], v[1])
        }
        // SAFETY: NULL or valid, by the contract of the function whose
        // argument this is.
        match unsafe { self.0.as_ref() } {
            None => Arg::Text("NULL"),
            Some(t) => Arg::Shown(show, [t.tv_sec, t.tv_nsec, 0]),
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arg::shown;

    #[test]
    fn flags_are_shown_by_name() {
        assert_eq!(shown(OpenFlags(libc::O_WRONLY | libc::O_NONBLOCK)), "O_WRONLY|O_NONBLOCK");
        assert_eq!(shown(OpenFlags(libc::O_RDONLY)), "O_RDONLY");
        assert_eq!(shown(IpcGetFlags(libc::IPC_CREAT | libc::IPC_EXCL | 0o644)), "IPC_CREAT|IPC_EXCL|0644");
        assert_eq!(shown(IpcGetFlags(libc::IPC_CREAT)), "IPC_CREAT");
        assert_eq!(shown(IpcGetFlags(0)), "0");
        assert_eq!(shown(IpcGetFlags(0o600)), "0600");
        assert_eq!(shown(OpenFlags(i32::MIN)), "O_RDONLY|0x80000000");
    }

    flag_table! {
        struct Demo = FlagTable::bits(flag_names![A = 0x10, B = 0x20]).field(0x3, flag_names![ONE = 1, TWO = 2]).none("NONE");
    }

    #[test]
    fn a_table_shows_its_field_first_its_bits_by_name_and_the_rest_in_hex() {
        assert_eq!(shown(Demo(0)), "NONE");
        assert_eq!(shown(Demo(1)), "ONE");
        assert_eq!(shown(Demo(2 | 0x20)), "TWO|B");
        // An unnamed field value leaves the whole word to the bits.
        assert_eq!(shown(Demo(3 | 0x10)), "A|0x3");
        assert_eq!(shown(Demo(0x10 | 0x40)), "A|0x40");
        // A C int's 32 bits, never sign-extended.
        assert_eq!(shown(Demo(i32::MIN | 1)), "ONE|0x80000000");
        assert_eq!(Demo(2 | 0x20).to_string(), "TWO|B");
    }

    #[test]
    fn a_timespec_is_shown_by_its_fields() {
        let t = libc::timespec { tv_sec: 12, tv_nsec: 1_000_000_000 };
        assert_eq!(shown(Timespec(&t)), "{tv_sec=12, tv_nsec=1000000000}");
        assert_eq!(shown(Timespec(std::ptr::null())), "NULL");
    }
}
