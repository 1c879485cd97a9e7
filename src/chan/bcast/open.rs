//! Opening an existing broadcast channel: mapping it and checking its
//! header (kind, version, geometry, size).

use super::*;

/// Maps an existing broadcast channel: mapping, length, geometry, policy.
// unsafe: reads the header of the fresh mapping.
#[allow(unsafe_code)]
pub(super) fn map_existing(fd: &sys::Fd) -> Result<(*mut u8, usize, Geo, Policy)> {
    let mut waited = 0;
    loop {
        let st = sys::chan::fstat(fd.as_raw_fd())?;
        if st.st_mode & libc::S_IFMT != libc::S_IFREG {
            return Err(Error::new(libc::EINVAL, "the object is not a regular shared memory file"));
        }
        let size = st.st_size as u64;
        if size >= 16 {
            let map_len = usize::try_from(size).map_err(|_| Error::new(libc::EINVAL, "the object is too large"))?;
            let base = sys::chan::map_shared(fd, map_len).map_err(super::super::explain_map)?;
            // SAFETY: the mapping holds at least the 16 bytes of Start.
            let start = unsafe { &*(base as *const Start) };
            let checked = match check_kind(start) {
                Ok(true) if size >= HEADER_SIZE as u64 => {
                    // SAFETY: the mapping holds at least HEADER_SIZE bytes.
                    check(unsafe { &*(base as *const BHeader) }, size)
                }
                Ok(true) => Err(Error::new(libc::EINVAL, "the object is not an rsipc broadcast channel: too small")),
                Ok(false) => Ok(None),
                Err(e) => Err(e),
            };
            match checked {
                Ok(Some((geo, policy))) => return Ok((base, map_len, geo, policy)),
                other => {
                    // SAFETY: our own mapping, no reference to it survives.
                    let _ = unsafe { sys::chan::unmap(base, map_len) };
                    other?;
                }
            }
        }
        if waited >= 200 {
            return Err(Error::new(
                libc::EINVAL,
                "the object is not an rsipc broadcast channel (empty, or its creator never finished it)",
            ));
        }
        sys::chan::sleep_ms(1);
        waited += 1;
    }
}

/// The first fields of either kind's header.
#[repr(C)]
pub(super) struct Start {
    magic: AtomicU64,
    version: AtomicU32,
}

/// Whether the header is a complete broadcast channel's (`Ok(false)`: not
/// initialised yet), else the error saying what it is.
pub(super) fn check_kind(h: &Start) -> Result<bool> {
    match h.magic.load(Ordering::Acquire) {
        0 => return Ok(false),
        super::super::MAGIC => {}
        _ => return Err(Error::new(libc::EINVAL, "the object is not an rsipc channel (bad magic number)")),
    }
    let version = h.version.load(Ordering::Relaxed);
    if version & KIND_BROADCAST == 0 {
        return Err(Error::new(
            libc::EINVAL,
            "the channel is a point-to-point channel, not a broadcast one: open it with rsipc_chan_open",
        ));
    }
    if version != BCAST_VERSION {
        return Err(err!(
            libc::EINVAL,
            "the broadcast channel has layout version {}; this library uses version {}",
            version & !KIND_BROADCAST,
            BCAST_VERSION & !KIND_BROADCAST
        ));
    }
    Ok(true)
}

pub(super) fn check(h: &BHeader, size: u64) -> Result<Option<(Geo, Policy)>> {
    let o = Ordering::Relaxed;
    let bad = |what: &'static str| Err(Error::new(libc::EINVAL, what));
    if h.header_size.load(o) as usize != HEADER_SIZE {
        return bad("the object is not an rsipc broadcast channel: wrong header size");
    }
    let geo = Geo::new(h.max_msg.load(o), h.capacity.load(o))?;
    if h.stride.load(o) != geo.stride || h.total_size.load(o) != geo.total_size || size < geo.total_size {
        return bad("the object is not an rsipc broadcast channel: its sizes do not match its header");
    }
    let policy = match h.policy.load(o) {
        1 => Policy::BlockPublisher,
        2 => Policy::DropOldest,
        _ => return bad("the object is not an rsipc broadcast channel: unknown policy"),
    };
    Ok(Some((geo, policy)))
}
