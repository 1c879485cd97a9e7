//! The names of POSIX shared memory objects: `/dev/shm/NAME` built from a
//! `/NAME` by `shm_open(3)`'s rules, for POSIX shared memory and for named
//! channels (which are POSIX shared memory objects too).

use std::ffi::CStr;

use super::fs::NAME_MAX;
use crate::error::{Error, Result};

/// The directory of POSIX shared memory objects (glibc's `SHMDIR`).
pub const SHM_DIR: &str = "/dev/shm/";

/// The `/dev/shm` path of a valid object name, as a C string built on the
/// stack.
#[derive(Clone, Debug)]
pub struct ShmPath {
    buf: [u8; SHM_DIR.len() + NAME_MAX + 1],
    len: usize,
}

impl ShmPath {
    /// Checks `name` as glibc's `shm_open` does and builds its path:
    /// leading `/`s are skipped; nothing left, another `/`, `"."` or `".."`
    /// is `EINVAL`; more than `NAME_MAX` bytes is `ENAMETOOLONG` (checked in
    /// glibc's order).
    pub fn new(name: &CStr) -> Result<Self> {
        let full = name.to_bytes();
        let bare = &full[full.iter().take_while(|&&b| b == b'/').count()..];
        if bare.is_empty() {
            return Err(Error::new(
                libc::EINVAL,
                if full.is_empty() {
                    "the name is empty: an object is named \"/something\""
                } else {
                    "the name has nothing after the '/': an object is named \"/something\""
                },
            ));
        }
        if bare.contains(&b'/') {
            return Err(Error::new(
                libc::EINVAL,
                "the name contains a '/' after its start: an object name is a single path component",
            ));
        }
        if bare == b"." || bare == b".." {
            return Err(Error::new(libc::EINVAL, "\".\" and \"..\" name directories, not shared memory objects"));
        }
        if bare.len() > NAME_MAX {
            return Err(Error::new(
                libc::ENAMETOOLONG,
                reason!("the name has {} bytes after the '/', more than NAME_MAX ({})", bare.len(), NAME_MAX),
            ));
        }
        let mut buf = [0u8; SHM_DIR.len() + NAME_MAX + 1];
        buf[..SHM_DIR.len()].copy_from_slice(SHM_DIR.as_bytes());
        buf[SHM_DIR.len()..SHM_DIR.len() + bare.len()].copy_from_slice(bare);
        Ok(ShmPath { buf, len: SHM_DIR.len() + bare.len() })
    }

    /// [`ShmPath::new`] for the stricter names the channel's contract
    /// documents ("`/name`"): exactly one leading `/` (`EINVAL` without one,
    /// or with more), then `shm_open`'s rules. Every name it accepts names
    /// the same object for `shm_open`.
    pub fn with_one_slash(name: &CStr) -> Result<Self> {
        match name.to_bytes() {
            [b'/', b'/', ..] => Err(Error::new(libc::EINVAL, "the name may contain no '/' after the leading one")),
            [b'/', ..] => Self::new(name),
            _ => Err(Error::new(libc::EINVAL, "the name must start with '/' (\"/name\")")),
        }
    }

    /// `/dev/shm/NAME`.
    pub fn as_c_str(&self) -> &CStr {
        CStr::from_bytes_with_nul(&self.buf[..=self.len]).expect("one NUL, at the end")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;

    fn cs(s: &str) -> CString {
        CString::new(s).unwrap()
    }

    #[test]
    fn names_follow_the_shm_open_rules() {
        assert_eq!(ShmPath::new(&cs("/abc")).unwrap().as_c_str().to_bytes(), b"/dev/shm/abc");
        assert_eq!(ShmPath::new(&cs("//abc")).unwrap().as_c_str().to_bytes(), b"/dev/shm/abc");
        assert_eq!(ShmPath::new(&cs("abc")).unwrap().as_c_str().to_bytes(), b"/dev/shm/abc");
        for bad in ["", "/", "//", "/a/b", "/.", "/.."] {
            assert_eq!(ShmPath::new(&cs(bad)).unwrap_err().errno(), libc::EINVAL, "{bad:?}");
        }
        let long = cs(&format!("/{}", "x".repeat(NAME_MAX)));
        assert_eq!(ShmPath::new(&long).unwrap().as_c_str().to_bytes().len(), SHM_DIR.len() + NAME_MAX);
        let too_long = cs(&format!("/{}", "x".repeat(NAME_MAX + 1)));
        assert_eq!(ShmPath::new(&too_long).unwrap_err().errno(), libc::ENAMETOOLONG);
    }

    #[test]
    fn channel_names_take_exactly_one_leading_slash() {
        assert_eq!(ShmPath::with_one_slash(&cs("/abc")).unwrap().as_c_str().to_bytes(), b"/dev/shm/abc");
        for bad in ["", "/", "abc", "/a/b", "//a", "/.", "/.."] {
            assert_eq!(ShmPath::with_one_slash(&cs(bad)).unwrap_err().errno(), libc::EINVAL, "{bad:?}");
        }
        let too_long = cs(&format!("/{}", "x".repeat(NAME_MAX + 1)));
        assert_eq!(ShmPath::with_one_slash(&too_long).unwrap_err().errno(), libc::ENAMETOOLONG);
    }
}
