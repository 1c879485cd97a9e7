//! What a channel's header must say (`check_header`, used by `Chan::open`
//! and by the object listing), and the explanations the channel's open,
//! reserve and map errors share with the broadcast kind.

use super::bcast;
use super::ring::{self, Geometry, HEADER_SIZE, LAYOUT_VERSION, MAGIC};
use crate::error::{Error, Reason, Result};

/// Checks a mapped header against the object's size: `Ok(None)` if it is not
/// initialised yet (magic still 0), the geometry if it is a valid channel.
pub(super) fn check_header(h: &ring::Header, size: u64) -> Result<Option<Geometry>> {
    use std::sync::atomic::Ordering::{Acquire, Relaxed};
    let not_chan = |why: Reason| Error::new(libc::EINVAL, why.prefixed("the object is not an rsipc channel: "));
    match h.magic.load(Acquire) {
        0 => return Ok(None),
        MAGIC => {}
        other => return Err(not_chan(reason!("bad magic number {}", Word(other)))),
    }
    let version = h.version.load(Relaxed);
    if version & bcast::KIND_BROADCAST != 0 {
        return Err(Error::new(
            libc::EINVAL,
            "the channel is a broadcast channel: attach to it with rsipc_chan_subscribe, not rsipc_chan_open",
        ));
    }
    if version != LAYOUT_VERSION {
        return Err(err!(
            libc::EINVAL,
            "the channel has layout version {}; this library uses version {}",
            version,
            LAYOUT_VERSION
        ));
    }
    if h.header_size.load(Relaxed) as usize != HEADER_SIZE {
        return Err(not_chan(reason!("header size {} instead of {}", h.header_size.load(Relaxed), HEADER_SIZE)));
    }
    let geo = Geometry::new(h.max_msg.load(Relaxed), h.capacity.load(Relaxed)).map_err(|e| not_chan(*e.reason()))?;
    let (stride, total) = (h.stride.load(Relaxed), h.total_size.load(Relaxed));
    if stride != geo.stride || total != geo.total_size {
        return Err(not_chan(reason!("stride {} / size {} do not match its max_msg and capacity", stride, total)));
    }
    if size < total {
        return Err(not_chan(reason!("the object has {} bytes, fewer than the {} its header describes", size, total)));
    }
    Ok(Some(geo))
}

#[cold]
pub(super) fn too_big(len: usize, max_msg: u64) -> Error {
    err!(libc::EMSGSIZE, "the message has {} bytes; the channel's max_msg is {}", len, max_msg)
}

/// A 64-bit word shown as `0x` and 16 hex digits.
struct Word(u64);

impl crate::error::Shown for Word {
    fn pack(&self) -> [i64; 3] {
        [self.0 as i64, 0, 0]
    }
    fn unpack(v: &[i64; 3]) -> Self {
        Word(v[0] as u64)
    }
}

impl std::fmt::Display for Word {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#018x}", self.0)
    }
}

pub(super) fn explain_open(e: Error) -> Error {
    e.explain(libc::EACCES, "permission denied by the object's mode")
        .explain(libc::ELOOP, "the name is a symbolic link (not followed)")
        .explain(libc::EMFILE, "this process has no free file descriptor")
}

pub(super) fn explain_reserve(e: Error) -> Error {
    e.explain(libc::EFBIG, "the channel is larger than a file may be")
}

pub(super) fn explain_map(e: Error) -> Error {
    e.explain(libc::ENOMEM, "not enough memory for the channel's mapping")
}
