//! Kinds of argument values that the safe modules and the C boundary
//! both put in messages: a pointer, a file mode, a System V key. Each is
//! stored raw when a call fails and shown when the message is read.

use std::fmt;

use crate::error::{Arg, IntoArg};

/// A pointer: `NULL` or its address.
pub(crate) struct Ptr<T>(pub *const T);

impl<T> IntoArg for Ptr<T> {
    #[inline(always)]
    fn into_arg(self) -> Arg {
        Arg::Ptr(self.0 as usize)
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

/// Renders `arg` as a message would (for unit tests).
#[cfg(test)]
pub(crate) fn shown(arg: impl IntoArg) -> String {
    crate::reason!("{}", arg).to_string()
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
    fn keys_are_shown_as_ipc_private_or_hex() {
        assert_eq!(shown(Key(libc::IPC_PRIVATE)), "IPC_PRIVATE");
        assert_eq!(shown(Key(0x1234)), "0x1234");
        assert_eq!(shown(Key(-1)), "0xffffffff");
        assert_eq!(Key(0x1234).to_string(), "0x1234");
    }

    #[test]
    fn modes_are_shown_in_octal() {
        assert_eq!(shown(Mode(0o644)), "0644");
        assert_eq!(shown(Mode(0)), "0");
    }
}
