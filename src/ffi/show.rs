//! How the boundary's arguments are shown in messages: kinds of raw values
//! stored on failure and the flag tables they are decoded with when the
//! message is read.

use std::fmt;

use crate::error::{Arg, FlagSet, IntoArg, Reason};

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
        assert_eq!(shown(OPEN_FLAGS.of(libc::O_WRONLY | libc::O_NONBLOCK)), "O_WRONLY|O_NONBLOCK");
        assert_eq!(shown(OPEN_FLAGS.of(libc::O_RDONLY)), "O_RDONLY");
        assert_eq!(shown(IPC_GET_FLAGS.of(libc::IPC_CREAT | libc::IPC_EXCL | 0o644)), "IPC_CREAT|IPC_EXCL|0644");
        assert_eq!(shown(IPC_GET_FLAGS.of(libc::IPC_CREAT)), "IPC_CREAT");
        assert_eq!(shown(IPC_GET_FLAGS.of(0)), "0");
        assert_eq!(shown(IPC_GET_FLAGS.of(0o600)), "0600");
        assert_eq!(shown(OPEN_FLAGS.of(i32::MIN)), "O_RDONLY|0x80000000");
    }
}
