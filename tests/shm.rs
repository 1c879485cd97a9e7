//! POSIX shared memory between real processes (fork), through the safe Rust
//! API, and side by side with glibc's shm_open.

mod common;

use std::ffi::CString;
use std::os::fd::AsRawFd;

use common::{fork_child, wait_exit_code};
use rsipc::posix_shm as shm;

/// A pid-unique object name, unlinked when dropped.
struct Name(CString);

impl Name {
    fn new(tag: &str) -> Name {
        Name(CString::new(common::unique_name(tag)).unwrap())
    }
}

impl Drop for Name {
    fn drop(&mut self) {
        let _ = shm::unlink(&self.0);
    }
}

fn inode(fd: i32) -> (u64, u64) {
    let st = rsipc::sys::fstat(fd).unwrap();
    (st.st_dev, st.st_ino)
}

fn read_bytes(p: *mut libc::c_void, len: usize) -> Vec<u8> {
    // SAFETY: the callers pass a live readable mapping of at least `len` bytes.
    unsafe { std::slice::from_raw_parts(p as *const u8, len).to_vec() }
}

#[test]
fn a_child_opens_the_object_by_name_and_reads_the_parents_data() {
    let n = Name::new("by-name");
    let m = shm::map(&n.0, 4096, libc::O_RDWR | libc::O_CREAT | libc::O_EXCL, 0o600).unwrap();
    // SAFETY: 4096 writable bytes.
    unsafe { std::ptr::copy_nonoverlapping(b"posix shm".as_ptr(), m.as_ptr() as *mut u8, 9) };
    let name = n.0.clone();
    let pid = fork_child(move || {
        let Ok(theirs) = shm::map(&name, 4096, libc::O_RDONLY, 0) else { return 1 };
        (read_bytes(theirs.as_ptr(), 9) != b"posix shm") as i32
    });
    assert_eq!(wait_exit_code(pid), 0);
}

#[test]
fn rsipc_and_glibc_open_the_same_object() {
    let n = Name::new("glibc");
    let ours = shm::open(&n.0, libc::O_RDWR | libc::O_CREAT | libc::O_EXCL, 0o600).unwrap();
    // SAFETY: a valid C string.
    let theirs = unsafe { libc::shm_open(n.0.as_ptr(), libc::O_RDWR, 0) };
    assert!(theirs >= 0, "glibc shm_open: {}", std::io::Error::last_os_error());
    assert_eq!(inode(ours.as_raw_fd()), inode(theirs));
    common::close(theirs);
}

#[test]
fn names_are_accepted_and_refused_as_glibc_does() {
    // Names on which glibc 2.36 and later agree (longer ones differ between
    // glibc versions; rsipc always says ENAMETOOLONG).
    let base = common::unique_name("rule");
    let cases = ["", "/", "///", "/a/b", "/ab/", &base, &format!("/{base}")];
    for case in cases {
        let name = CString::new(case).unwrap();
        let ours = shm::open(&name, libc::O_RDWR | libc::O_CREAT, 0o600).map_err(|e| e.errno());
        if ours.is_ok() {
            shm::unlink(&name).unwrap();
        }
        // SAFETY: a valid C string.
        let fd = unsafe { libc::shm_open(name.as_ptr(), libc::O_RDWR | libc::O_CREAT, 0o600) };
        let theirs = if fd >= 0 {
            common::close(fd);
            // SAFETY: a valid C string.
            unsafe { libc::shm_unlink(name.as_ptr()) };
            Ok(())
        } else {
            Err(std::io::Error::last_os_error().raw_os_error().unwrap())
        };
        assert_eq!(ours.map(drop), theirs, "name {case:?}");
    }
}

#[test]
fn an_unlinked_object_stays_usable_while_mapped() {
    let n = Name::new("unlinked");
    let m = shm::map(&n.0, 100, libc::O_RDWR | libc::O_CREAT, 0o600).unwrap();
    shm::unlink(&n.0).unwrap();
    assert_eq!(shm::open(&n.0, libc::O_RDONLY, 0).unwrap_err().errno(), libc::ENOENT);
    // SAFETY: 100 writable bytes.
    unsafe { *(m.as_ptr() as *mut u8).add(99) = 9 };
    assert_eq!(read_bytes(m.as_ptr(), 100)[99], 9);
}

#[test]
fn a_symlink_planted_at_the_name_is_never_followed() {
    let n = Name::new("planted");
    let target = format!("/tmp{}-target", common::unique_name("planted"));
    std::fs::write(&target, b"precious").unwrap();
    let link = format!("/dev/shm{}", n.0.to_str().unwrap());
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let e = shm::open(&n.0, libc::O_RDWR | libc::O_CREAT | libc::O_TRUNC, 0o600).unwrap_err();
    assert_eq!(e.errno(), libc::ELOOP);
    assert!(e.message().contains("symbolic link"), "{e}");
    assert_eq!(std::fs::read(&target).unwrap(), b"precious");
    std::fs::remove_file(&link).unwrap();
    std::fs::remove_file(&target).unwrap();
}
