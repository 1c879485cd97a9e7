//! A look at a channel from outside, for the object listing
//! (`crate::objects`): whether a file is an rsipc channel (the same
//! [`check_header`](super::header::check_header) `Chan::open` uses), its geometry
//! and counters as its header shows them, and how many members hold their
//! liveness lock — all without mapping it, registering, or changing any
//! byte of it.

use std::fs::File;
use std::mem::MaybeUninit;
use std::os::fd::AsFd;
use std::os::unix::fs::FileExt;
use std::sync::atomic::Ordering::Relaxed;

use super::member::ID_MAX;
use super::ring::{Header, HEADER_SIZE};
use crate::error::Result;
use crate::sys;

/// Where the liveness lock of member 1 lies (member `id` locks the byte at
/// `MEMBER_LOCKS + id - 1`; see `sys::chan::lock_offset`, checked by the
/// test below).
const MEMBER_LOCKS: i64 = (1 << 40) + 1;

/// What a channel's header says, read once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Look {
    pub max_msg: u64,
    pub capacity: u64,
    /// Messages queued: the producer hint minus the consumer hint (a
    /// message being written or read at this instant may count or not).
    pub queued: u64,
    /// Positions senders claimed (the producer hint).
    pub sent: u64,
    /// Positions receivers claimed, less the lost ones.
    pub received: u64,
    /// Messages lost to dead peers.
    pub lost: u64,
}

/// Reads the header of `file` (of `size` bytes): `Ok(None)` if it is not an
/// rsipc channel of this layout version (or its creator has not finished
/// it), the header's numbers if it is. Errors are those of `pread(2)`.
pub fn look(file: &File, size: u64) -> Result<Option<Look>> {
    if size < HEADER_SIZE as u64 {
        return Ok(None);
    }
    let mut bytes = [0u8; HEADER_SIZE];
    file.read_exact_at(&mut bytes, 0).map_err(|e| crate::Error::from_errno(e.raw_os_error().unwrap_or(libc::EIO)))?;
    let mut header = MaybeUninit::<Header>::uninit();
    // SAFETY: Header is HEADER_SIZE bytes of atomics and byte arrays, for
    // which every bit pattern is a valid value; the copy fills all of it.
    let header = unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), header.as_mut_ptr().cast::<u8>(), HEADER_SIZE);
        header.assume_init()
    };
    match super::check_header(&header, size) {
        Ok(Some(geo)) => {
            let tail = header.tail.load(Relaxed);
            let head = header.head.load(Relaxed).min(tail);
            let lost = header.lost.load(Relaxed).min(head);
            Ok(Some(Look {
                max_msg: geo.max_msg,
                capacity: geo.capacity,
                queued: tail - head,
                sent: tail,
                received: head - lost,
                lost,
            }))
        }
        _ => Ok(None),
    }
}

/// How many processes hold a member's liveness lock on the channel `file`
/// (any open file description of it will do: the kernel answers for the
/// locks of the others).
pub fn live_members(file: &File) -> Result<u32> {
    sys::objects::count_locks(file.as_fd(), MEMBER_LOCKS, i64::from(ID_MAX), ID_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chan::Chan;
    use std::ffi::CString;

    #[test]
    fn a_channel_is_recognised_and_its_members_counted() {
        // Other test threads fork at any moment, and a child forked then
        // shares every open file description (and so the liveness locks)
        // until it exits: the counts are checked in a process of their own,
        // where no other thread runs.
        let pid = crate::chan::tests::fork(|| {
            let name = CString::new(format!("/rsipc-inspect-{}", std::process::id())).unwrap();
            let ch = Chan::create(Some(&name), 64, 4, 0o600).unwrap();
            ch.send(b"hello", 0).unwrap();
            // Removed however the checks below end.
            struct Unlink<'a>(&'a CString);
            impl Drop for Unlink<'_> {
                fn drop(&mut self) {
                    let _ = crate::chan::unlink(self.0);
                }
            }
            let _unlink = Unlink(&name);
            let path = format!("/dev/shm{}", name.to_str().unwrap());
            let file = File::open(&path).unwrap();
            let size = file.metadata().unwrap().len();
            let look = look(&file, size).unwrap().expect("a channel");
            assert_eq!((look.max_msg, look.capacity, look.queued, look.sent), (64, 4, 1, 1));
            // The creator holds its lock through a description of its own.
            assert_eq!(live_members(&file).unwrap(), 1);
            let second = Chan::open(&name).unwrap();
            assert_eq!(live_members(&file).unwrap(), 2);
            drop(second);
            assert_eq!(live_members(&file).unwrap(), 1);
            drop(ch);
            assert_eq!(live_members(&file).unwrap(), 0);
        });
        assert_eq!(crate::chan::tests::reap(pid), 0);
    }

    #[test]
    fn a_plain_file_is_not_a_channel() {
        let path = format!("/dev/shm/rsipc-inspect-plain-{}", std::process::id());
        std::fs::write(&path, vec![7u8; 4096]).unwrap();
        let file = File::open(&path).unwrap();
        assert_eq!(look(&file, 4096).unwrap(), None);
        std::fs::remove_file(&path).unwrap();
    }
}
