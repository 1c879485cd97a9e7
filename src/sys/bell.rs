//! Doorbells of pollable channels (see `crate::chan`, "Pollable"): Unix
//! datagram sockets bound to a path in `/dev/shm`, so that a process that
//! shares nothing with the poller but the channel can make the poller's
//! descriptor readable with one `sendto(2)`.
//!
//! Every call is the raw system call (glibc's `sendto`, `recvfrom` are
//! cancellation points; see `super::cancel`).

use std::ffi::CStr;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::OnceLock;

use super::fd::Fd;
use super::shm::SHM_DIR;
use crate::error::{Error, Result};

/// Where doorbells live: next to the channels, in `SHM_DIR` (the same file
/// system, seen by every process that can see the channels), named
/// `rsipc-bell-` and the token.
const PREFIX: &str = "rsipc-bell-";

/// The path of the doorbell named by `token`, NUL-terminated:
/// `/dev/shm/rsipc-bell-` and 16 hex digits (36 bytes, well below the 108
/// of `sun_path`). Only hex digits come from the token, so a token read from
/// shared memory can never name anything but a doorbell.
#[derive(Clone, Copy)]
pub struct BellPath {
    buf: [u8; 40],
    len: usize,
}

impl BellPath {
    pub fn new(token: u64) -> BellPath {
        let mut buf = [0u8; 40];
        let dir = SHM_DIR.len() + PREFIX.len();
        buf[..SHM_DIR.len()].copy_from_slice(SHM_DIR.as_bytes());
        buf[SHM_DIR.len()..dir].copy_from_slice(PREFIX.as_bytes());
        let hex = b"0123456789abcdef";
        for i in 0..16 {
            buf[dir + i] = hex[((token >> (60 - 4 * i)) & 15) as usize];
        }
        BellPath { buf, len: dir + 16 }
    }

    pub fn as_cstr(&self) -> &CStr {
        CStr::from_bytes_with_nul(&self.buf[..=self.len]).expect("one NUL, at the end")
    }

    fn sockaddr(&self) -> (libc::sockaddr_un, libc::socklen_t) {
        // SAFETY: an all-zero sockaddr_un is a valid value of this C struct.
        let mut sa: libc::sockaddr_un = unsafe { std::mem::zeroed() };
        sa.sun_family = libc::AF_UNIX as libc::sa_family_t;
        for (d, &s) in sa.sun_path.iter_mut().zip(&self.buf[..self.len]) {
            *d = s as libc::c_char;
        }
        let len = std::mem::size_of::<libc::sa_family_t>() + self.len + 1;
        (sa, len as libc::socklen_t)
    }
}

fn raw(nr: libc::c_long, args: [libc::c_long; 6]) -> Result<libc::c_long> {
    // SAFETY: every caller passes the arguments its system call `nr` expects
    // (pointers valid for the call).
    super::cvt_retry(|| unsafe { libc::syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]) })
}

fn dgram_socket() -> Result<Fd> {
    let kind = libc::SOCK_DGRAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC;
    let fd = raw(libc::SYS_socket, [libc::AF_UNIX as _, kind as _, 0, 0, 0, 0])?;
    // SAFETY: a new descriptor, owned by nothing else.
    Ok(unsafe { Fd::from_raw(fd as RawFd) })
}

/// A non-blocking, close-on-exec datagram socket bound to `path` (which must
/// not exist: `EADDRINUSE`), its file given `mode` (the permission bits of
/// the channel, so that whoever may send on the channel may ring it).
pub fn bind(path: &BellPath, mode: libc::mode_t) -> Result<Fd> {
    let fd = dgram_socket()?;
    let (sa, len) = path.sockaddr();
    raw(libc::SYS_bind, [fd.as_raw_fd() as _, &sa as *const libc::sockaddr_un as _, len as _, 0, 0, 0])?;
    let chmod =
        raw(libc::SYS_fchmodat, [libc::AT_FDCWD as _, path.as_cstr().as_ptr() as _, (mode & 0o777) as _, 0, 0, 0]);
    if let Err(e) = chmod {
        unlink(path);
        return Err(e);
    }
    Ok(fd)
}

/// Rings the doorbell at `path`: one byte, never waiting. Fails (and costs
/// nothing more) when nobody is bound there any more (`ECONNREFUSED`,
/// `ENOENT`) or its queue is full (`EAGAIN`: it is readable already).
pub fn ring(path: &BellPath) -> Result<()> {
    static RINGER: OnceLock<std::result::Result<Fd, i32>> = OnceLock::new();
    let ringer = match RINGER.get_or_init(|| dgram_socket().map_err(|e| e.errno())) {
        Ok(fd) => fd.as_raw_fd(),
        Err(errno) => return Err(Error::from_errno(*errno)),
    };
    let (sa, len) = path.sockaddr();
    let byte = 1u8;
    let flags = libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL;
    raw(
        libc::SYS_sendto,
        [ringer as _, &byte as *const u8 as _, 1, flags as _, &sa as *const libc::sockaddr_un as _, len as _],
    )
    .map(drop)
}

/// Reads every queued ring of the doorbell `fd` (never waiting).
pub fn drain(fd: RawFd) {
    let mut buf = [0u8; 64];
    for _ in 0..1024 {
        let r =
            raw(libc::SYS_recvfrom, [fd as _, buf.as_mut_ptr() as _, buf.len() as _, libc::MSG_DONTWAIT as _, 0, 0]);
        if r.is_err() {
            return;
        }
    }
}

/// Removes the doorbell's file (errors ignored: it may be gone already).
pub fn unlink(path: &BellPath) {
    let _ = raw(libc::SYS_unlinkat, [libc::AT_FDCWD as _, path.as_cstr().as_ptr() as _, 0, 0, 0, 0]);
}

/// 64 random bits from the kernel (`getrandom(2)`), never 0.
pub fn random_token() -> Result<u64> {
    loop {
        let mut v = 0u64;
        let n = raw(libc::SYS_getrandom, [&mut v as *mut u64 as _, 8, 0, 0, 0, 0])?;
        if n == 8 && v != 0 {
            return Ok(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bell_path_is_the_directory_and_sixteen_hex_digits() {
        let p = BellPath::new(0x0123_4567_89ab_cdef);
        assert_eq!(p.as_cstr().to_bytes(), b"/dev/shm/rsipc-bell-0123456789abcdef");
        assert_eq!(BellPath::new(0).as_cstr().to_bytes(), b"/dev/shm/rsipc-bell-0000000000000000");
    }

    #[test]
    fn a_ring_makes_the_bound_socket_readable_once_drained_it_is_not() {
        let path = BellPath::new(random_token().unwrap());
        let fd = bind(&path, 0o600).unwrap();
        let readable = |fd: RawFd| {
            let mut p = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
            // SAFETY: one valid pollfd.
            unsafe { libc::poll(&mut p, 1, 0) == 1 }
        };
        assert!(!readable(fd.as_raw_fd()));
        ring(&path).unwrap();
        ring(&path).unwrap();
        assert!(readable(fd.as_raw_fd()));
        drain(fd.as_raw_fd());
        assert!(!readable(fd.as_raw_fd()));
        assert_eq!(bind(&path, 0o600).unwrap_err().errno(), libc::EADDRINUSE);
        drop(fd);
        // Nobody bound: the ring fails at once.
        assert_eq!(ring(&path).unwrap_err().errno(), libc::ECONNREFUSED);
        unlink(&path);
        assert_eq!(ring(&path).unwrap_err().errno(), libc::ENOENT);
    }
}
