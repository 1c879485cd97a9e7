//! How the boundary's arguments are shown in messages: kinds of raw values
//! stored on failure and the flag tables they are decoded with when the
//! message is read.

use std::fmt;

use crate::error::{Arg, FlagSet, IntoArg, Reason};

/// A pointer: `NULL` or its address.
pub(crate) struct Ptr<T>(pub *const T);

impl<T> IntoArg for Ptr<T> {
    #[inline(always)]
    fn into_arg(self) -> Arg {
        Arg::Ptr(self.0 as usize)
    }
}

/// Any flag word from a table of names (for call-specific flags such as
/// `MSG_NOERROR` or `SHM_RDONLY`).
pub(crate) struct Bits(pub i64, pub &'static [(i64, &'static str)]);

impl IntoArg for Bits {
    #[inline(always)]
    fn into_arg(self) -> Arg {
        Arg::Bits(self.0, self.1)
    }
}

impl fmt::Display for Bits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        FlagSet::bits(self.1).write(self.0, f)
    }
}

/// A file mode as octal `0644`.
pub(crate) struct Mode(pub libc::mode_t);

impl IntoArg for Mode {
    #[inline(always)]
    fn into_arg(self) -> Arg {
        Arg::Mode(self.0)
    }
}

/// A System V key as messages show it: `IPC_PRIVATE` or `0x1234`.
pub struct Key(pub libc::key_t);

impl IntoArg for Key {
    #[inline(always)]
    fn into_arg(self) -> Arg {
        Arg::Key(self.0)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == libc::IPC_PRIVATE {
            f.write_str("IPC_PRIVATE")
        } else {
            write!(f, "{:#x}", self.0 as u32)
        }
    }
}

impl FlagSet {
    /// `value` as an argument shown with this set's names.
    #[inline(always)]
    pub(crate) fn of(&'static self, value: libc::c_int) -> Arg {
        Arg::Flags(value as i64, self)
    }
}

/// `open(2)`-style flags of a call that takes an access mode and any of
/// the `O_*` bits: `O_WRONLY|O_CREAT|O_EXCL`. Calls with fewer flags have
/// their own sets, so a message decodes only what the call knows.
pub(crate) static OPEN_FLAGS: FlagSet = FlagSet {
    access_mode: true,
    ipc_mode: false,
    names: &[
        (libc::O_CREAT as i64, "O_CREAT"),
        (libc::O_EXCL as i64, "O_EXCL"),
        (libc::O_TRUNC as i64, "O_TRUNC"),
        (libc::O_APPEND as i64, "O_APPEND"),
        (libc::O_NONBLOCK as i64, "O_NONBLOCK"),
        (libc::O_CLOEXEC as i64, "O_CLOEXEC"),
        (libc::O_DIRECT as i64, "O_DIRECT"),
        (libc::O_NOFOLLOW as i64, "O_NOFOLLOW"),
        (libc::O_NOCTTY as i64, "O_NOCTTY"),
    ],
};

/// System V `*get` flags: `IPC_CREAT|IPC_EXCL|0644`, `IPC_CREAT` (no
/// permission bits), or `0600`.
pub(crate) static IPC_GET_FLAGS: FlagSet = FlagSet {
    access_mode: false,
    ipc_mode: true,
    names: &[(libc::IPC_CREAT as i64, "IPC_CREAT"), (libc::IPC_EXCL as i64, "IPC_EXCL")],
};

/// Renders `arg` as a message would (for unit tests).
#[cfg(test)]
pub(crate) fn shown(arg: impl IntoArg) -> String {
    crate::reason!("{}", arg).to_string()
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_are_shown_as_the_pointer_format() {
        for addr in [0usize, 1, 0xabc, 0x7fff_dead_beef, usize::MAX] {
            let want = if addr == 0 { "NULL".to_string() } else { format!("{:p}", addr as *const u8) };
            assert_eq!(shown(Ptr(addr as *const u8)), want);
        }
    }

    #[test]
    fn flags_are_shown_by_name() {
        assert_eq!(shown(OPEN_FLAGS.of(libc::O_WRONLY | libc::O_NONBLOCK)), "O_WRONLY|O_NONBLOCK");
        assert_eq!(shown(OPEN_FLAGS.of(libc::O_RDONLY)), "O_RDONLY");
        assert_eq!(shown(IPC_GET_FLAGS.of(libc::IPC_CREAT | libc::IPC_EXCL | 0o644)), "IPC_CREAT|IPC_EXCL|0644");
        assert_eq!(shown(IPC_GET_FLAGS.of(libc::IPC_CREAT)), "IPC_CREAT");
        assert_eq!(shown(IPC_GET_FLAGS.of(0)), "0");
        assert_eq!(shown(IPC_GET_FLAGS.of(0o600)), "0600");
        assert_eq!(shown(OPEN_FLAGS.of(i32::MIN)), "O_RDONLY|0x80000000");
        assert_eq!(shown(Key(libc::IPC_PRIVATE)), "IPC_PRIVATE");
        assert_eq!(shown(Key(0x1234)), "0x1234");
        assert_eq!(shown(Ptr(std::ptr::null::<u8>())), "NULL");
    }
}
