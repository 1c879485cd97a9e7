//! `pipe2(2)`.

use libc::c_long;

use super::{cvt, Fd};
use crate::error::Result;

/// `pipe2(2)`: `[read end, write end]`, owned. The system call, as glibc's
/// `pipe2` makes it: not nix's `pipe2`, which calls glibc's, a name
/// `librsipc_preload.so` exports (rsipc would call itself).
pub fn pipe2(flags: i32) -> Result<[Fd; 2]> {
    let mut fds: [libc::c_int; 2] = [-1; 2];
    // SAFETY: `fds` is valid for writes of two ints.
    cvt(unsafe { libc::syscall(libc::SYS_pipe2, fds.as_mut_ptr(), flags as c_long) })?;
    // SAFETY: the kernel just opened both; nothing else owns them.
    Ok(unsafe { [Fd::from_raw(fds[0]), Fd::from_raw(fds[1])] })
}
