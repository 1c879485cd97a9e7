//! Reasons whose text needs a system call: the call is made by
//! `rsipc_last_error()` (or [`Error::message`](crate::error::Error::message)), never on the failure path,
//! and the text says so.

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
