//! Memory mappings shared between real processes (fork), through the safe
//! Rust API.

mod common;

use std::ffi::CString;

use common::{fork_child, wait_exit_code};
use rsipc::mmap;

/// A file path unique to this test, removed when dropped.
struct TempFile(CString);

impl TempFile {
    fn new(tag: &str) -> TempFile {
        TempFile(CString::new(format!("/tmp{}", common::unique_name(tag))).unwrap())
    }
    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.path());
    }
}

/// Copies `data` into the mapping at `off`.
fn put(m: &mmap::Mapping, off: usize, data: &[u8]) {
    assert!(off + data.len() <= m.len());
    // SAFETY: the range is inside the read-write mapping `m` owns.
    unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), (m.as_ptr() as *mut u8).add(off), data.len()) }
}

/// Copies `len` bytes out of the mapping at `off`.
fn get(m: &mmap::Mapping, off: usize, len: usize) -> Vec<u8> {
    assert!(off + len <= m.len());
    // SAFETY: the range is inside the readable mapping `m` owns.
    unsafe { std::slice::from_raw_parts((m.as_ptr() as *const u8).add(off), len).to_vec() }
}

#[test]
fn a_child_and_its_parent_share_an_anonymous_shared_mapping() {
    let m = mmap::map_anonymous_shared(4096).unwrap();
    put(&m, 0, b"from the parent");
    let pid = fork_child(|| {
        if get(&m, 0, 15) != b"from the parent" {
            return 1;
        }
        put(&m, 100, b"from the child");
        0
    });
    assert_eq!(wait_exit_code(pid), 0);
    assert_eq!(get(&m, 100, 14), b"from the child");
}

#[test]
fn a_private_anonymous_mapping_is_not_shared_with_the_child() {
    let m =
        mmap::map(0, 4096, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0).unwrap();
    let pid = fork_child(|| {
        put(&m, 0, b"child only");
        0
    });
    assert_eq!(wait_exit_code(pid), 0);
    assert_eq!(get(&m, 0, 10), vec![0u8; 10]);
}

#[test]
fn two_processes_mapping_one_file_by_path_see_each_others_writes() {
    let f = TempFile::new("shared-file");
    let mine = mmap::map_file(&f.0, libc::O_RDWR | libc::O_CREAT | libc::O_EXCL, 0o600, 4096).unwrap();
    put(&mine, 0, b"question");
    let path = f.0.clone();
    let pid = fork_child(move || {
        // The child maps the file on its own, as an unrelated process would.
        let Ok(theirs) = mmap::map_file(&path, libc::O_RDWR, 0, 0) else { return 1 };
        if theirs.len() != 4096 || get(&theirs, 0, 8) != b"question" {
            return 2;
        }
        put(&theirs, 2048, b"answer");
        0
    });
    assert_eq!(wait_exit_code(pid), 0);
    assert_eq!(get(&mine, 2048, 6), b"answer");
}

#[test]
fn msync_leaves_the_written_bytes_in_the_file() {
    let f = TempFile::new("msync");
    let m = mmap::map_file(&f.0, libc::O_RDWR | libc::O_CREAT, 0o600, 10).unwrap();
    put(&m, 0, b"0123456789");
    mmap::msync(m.as_ptr() as usize, m.len(), libc::MS_SYNC).unwrap();
    assert_eq!(std::fs::read(f.path()).unwrap(), b"0123456789");
}

#[test]
fn a_private_file_mapping_does_not_change_the_file() {
    use std::os::fd::AsRawFd;
    let f = TempFile::new("private");
    std::fs::write(f.path(), b"original").unwrap();
    let file = std::fs::OpenOptions::new().read(true).open(f.path()).unwrap();
    let m = mmap::map(0, 8, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_PRIVATE, file.as_raw_fd(), 0).unwrap();
    put(&m, 0, b"modified");
    assert_eq!(get(&m, 0, 8), b"modified");
    assert_eq!(std::fs::read(f.path()).unwrap(), b"original");
}
