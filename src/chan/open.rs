//! Making and opening a point-to-point channel: creating the object and
//! reserving its memory, or waiting for an existing one's header to be
//! complete and checking it; then mapping it and registering this process
//! (`Ring::attach`).

use std::ffi::CStr;
use std::os::fd::AsRawFd;

use super::header::{check_header, explain_map, explain_open, explain_reserve};
use super::ring::{self, Geometry, Ring, HEADER_SIZE};
use super::Chan;
use crate::error::{Error, Result};
use crate::sys;

/// How long [`Chan::open`] waits for a channel whose creator has not yet
/// finished initialising it.
const OPEN_INIT_WAIT_MS: u32 = 200;

impl Chan {
    /// Creates a channel of `capacity` slots for messages of up to `max_msg`
    /// bytes: the shared memory object `name` (`/name`, created exclusively
    /// with `mode` less the umask), or with `name == None` an anonymous
    /// channel shared with children after `fork()`.
    ///
    /// Errors: `EINVAL` for a zero or too large `max_msg`/`capacity` or a bad
    /// name; `ENAMETOOLONG`; `EEXIST`; `ENOMEM`; the errors of `open(2)`,
    /// `ftruncate(2)` and `mmap(2)`.
    // unsafe: maps the ring's shared memory and hands it to Ring::attach.
    #[allow(unsafe_code)]
    pub fn create(name: Option<&CStr>, max_msg: usize, capacity: usize, mode: libc::mode_t) -> Result<Chan> {
        let geo = Geometry::new(max_msg as u64, capacity as u64)?;
        let len = geo.total_size as usize;
        let (fd, path) = match name {
            None => {
                (sys::chan::memfd().map_err(|e| e.because("could not make the anonymous channel's memory file"))?, None)
            }
            Some(name) => {
                let path = sys::chan::shm_path(name)?;
                let fd = sys::chan::open_shm(&path, Some(mode)).map_err(|e| {
                    explain_open(e).explain(libc::EEXIST, "a channel or shared memory object of this name exists")
                })?;
                (fd, Some(path))
            }
        };
        // Every page is reserved now, so a full /dev/shm (or memory) is an
        // error here and never a SIGBUS at a later send.
        let made = sys::fs::reserve(fd.as_raw_fd(), geo.total_size, true)
            .map_err(explain_reserve)
            .and_then(|()| sys::chan::map_shared(&fd, len).map_err(explain_map));
        let base = match made {
            Ok(base) => base,
            Err(e) => {
                drop(fd);
                if let Some(path) = &path {
                    let _ = sys::chan::unlink(path);
                }
                return Err(e);
            }
        };
        // SAFETY: a fresh shared mapping of the new object's total_size
        // bytes, owned by the Chan built here, which unmaps it on drop (or
        // right below if registering fails).
        let unlink_on_error = path.clone();
        match unsafe { Ring::attach(base, geo, fd, path) } {
            Ok(ring) => {
                ring.initialise();
                Ok(Chan { ring, map_len: len })
            }
            Err(e) => {
                // SAFETY: our own mapping; the ring that referred to it is gone.
                let _ = unsafe { sys::chan::unmap(base, len) };
                if let Some(path) = unlink_on_error {
                    let _ = sys::chan::unlink(&path);
                }
                Err(e)
            }
        }
    }

    /// Opens the existing channel `name`.
    ///
    /// Errors: `ENOENT`; `EINVAL` if the object is not an rsipc channel (or
    /// has another layout version, or its creator never finished it);
    /// `EACCES`; the errors of `open(2)` and `mmap(2)`.
    // unsafe: maps the ring's shared memory and hands it to Ring::attach.
    #[allow(unsafe_code)]
    pub fn open(name: &CStr) -> Result<Chan> {
        let path = sys::chan::shm_path(name)?;
        let fd = sys::chan::open_shm(&path, None)
            .map_err(|e| explain_open(e).explain(libc::ENOENT, "no channel of this name exists"))?;
        let mapped = Self::map_existing(&fd);
        match mapped {
            // SAFETY: check_header verified total_size <= size = map_len; the
            // Chan owns the mapping and unmaps it on drop (or right below).
            Ok((base, geo, map_len)) => match unsafe { Ring::attach(base, geo, fd, Some(path)) } {
                Ok(ring) => Ok(Chan { ring, map_len }),
                Err(e) => {
                    // SAFETY: our own mapping; the ring that referred to it is gone.
                    let _ = unsafe { sys::chan::unmap(base, map_len) };
                    Err(e)
                }
            },
            // `fd` is closed as it is dropped.
            Err(e) => Err(e),
        }
    }

    /// Maps the channel behind `fd` once its header is complete and valid:
    /// the mapping, its geometry and its length.
    fn map_existing(fd: &sys::Fd) -> Result<(*mut u8, Geometry, usize)> {
        let mut waited_ms = 0;
        loop {
            match Self::try_map_existing(fd)? {
                Some(found) => return Ok(found),
                // Being created right now: the creator sizes the object and
                // writes the magic number last.
                None if waited_ms < OPEN_INIT_WAIT_MS => {
                    sys::chan::sleep_ms(1);
                    waited_ms += 1;
                }
                None => {
                    return Err(Error::new(
                        libc::EINVAL,
                        "the object is not an rsipc channel (empty, or its creator never finished it)",
                    ))
                }
            }
        }
    }

    /// `Ok(None)` while the object looks like a channel still being
    /// initialised.
    // unsafe: reads the header of the fresh mapping before the ring exists.
    #[allow(unsafe_code)]
    fn try_map_existing(fd: &sys::Fd) -> Result<Option<(*mut u8, Geometry, usize)>> {
        let st = sys::chan::fstat(fd.as_raw_fd())?;
        if st.st_mode & libc::S_IFMT != libc::S_IFREG {
            return Err(Error::new(libc::EINVAL, "the object is not a regular shared memory file"));
        }
        let size = st.st_size as u64;
        if size < HEADER_SIZE as u64 {
            return Ok(None);
        }
        let map_len = usize::try_from(size).map_err(|_| Error::new(libc::EINVAL, "the object is too large"))?;
        let base = sys::chan::map_shared(fd, map_len).map_err(explain_map)?;
        // SAFETY: the mapping is at least HEADER_SIZE bytes: checked above.
        let header = unsafe { &*(base as *const ring::Header) };
        let checked = check_header(header, size);
        match checked {
            Ok(Some(geo)) => Ok(Some((base, geo, map_len))),
            other => {
                // SAFETY: our own mapping, no reference to it survives.
                let _ = unsafe { sys::chan::unmap(base, map_len) };
                other.map(|_| None)
            }
        }
    }
}
