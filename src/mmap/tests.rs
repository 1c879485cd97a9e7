use super::*;
use std::ffi::CString;

fn temp_path(tag: &str) -> CString {
    CString::new(format!("/tmp/rsipc-unit-mmap-{}-{tag}", std::process::id())).unwrap()
}

struct Unlink(CString);
impl Drop for Unlink {
    fn drop(&mut self) {
        let _ = sys::fs::unlinkat(libc::AT_FDCWD, &self.0);
    }
}

/// `map` of `len` bytes with `flags` and `off` on `fd`: its error.
fn refused(len: usize, flags: i32, fd: libc::c_int, off: i64) -> Error {
    map(0, len, libc::PROT_READ, flags, fd, off).unwrap_err()
}

/// A temporary file of one page, open read-write.
fn page_file(tag: &str) -> (Unlink, sys::Fd) {
    let path = temp_path(tag);
    let fd = sys::fs::openat(libc::AT_FDCWD, &path, libc::O_RDWR | libc::O_CREAT | libc::O_EXCL, 0o600).unwrap();
    let guard = Unlink(path);
    sys::fs::ftruncate(&fd, page_size() as i64).unwrap();
    (guard, fd)
}

#[test]
fn zero_length_is_einval() {
    let e = refused(0, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0);
    assert_eq!(e.errno(), libc::EINVAL);
    assert!(e.message().contains("len is 0"), "{e}");
    assert_eq!(map_anonymous_shared(0).unwrap_err().errno(), libc::EINVAL);
}

#[test]
fn a_length_that_overflows_when_rounded_is_enomem() {
    let e = refused(usize::MAX, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0);
    assert_eq!(e.errno(), libc::ENOMEM);
    assert!(e.message().contains("overflows"), "{e}");
}

#[test]
fn an_unaligned_offset_is_einval_before_anything_else() {
    let e = refused(4096, libc::MAP_SHARED, -1, 1);
    assert_eq!(e.errno(), libc::EINVAL);
    assert!(e.message().contains("page size"), "{e}");
    assert_eq!(refused(4096, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 1).errno(), libc::EINVAL);
    assert_eq!(refused(0, 0, -1, 1).errno(), libc::EINVAL);
}

#[test]
fn a_file_mapping_looks_up_its_descriptor_first() {
    // The kernel's order: after the offset's alignment, the descriptor.
    let cases =
        [(0, libc::MAP_SHARED, 0), (4096, 0, 0), (usize::MAX, libc::MAP_SHARED, 0), (4096, libc::MAP_SHARED, -4096)];
    for (len, flags, off) in cases {
        let e = refused(len, flags, -1, off);
        assert_eq!(e.errno(), libc::EBADF, "len {len} flags {flags:#x} off {off}: {e}");
    }
}

#[test]
fn a_negative_file_offset_is_eoverflow_as_the_kernel_says() {
    let (_path, fd) = page_file("negoff");
    let e = refused(4096, libc::MAP_SHARED, fd.as_raw_fd(), -4096);
    assert_eq!(e.errno(), libc::EOVERFLOW);
    assert!(e.message().contains("negative"), "{e}");
    // The kernel ignores the offset of an anonymous mapping.
    map(0, 4096, libc::PROT_READ, libc::MAP_SHARED | libc::MAP_ANONYMOUS, -1, -4096).unwrap();
}

#[test]
fn a_mapping_type_is_required() {
    let e = refused(4096, libc::MAP_ANONYMOUS, -1, 0);
    assert_eq!(e.errno(), libc::EINVAL);
    assert!(e.message().contains("exactly one of"), "{e}");
    let (_path, fd) = page_file("type");
    map(0, 4096, libc::PROT_READ, libc::MAP_SHARED_VALIDATE, fd.as_raw_fd(), 0).unwrap();
    assert_eq!(refused(4096, 0, fd.as_raw_fd(), 0).errno(), libc::EINVAL);
}

#[test]
fn map_droppable_is_for_anonymous_memory_only() {
    // Linux 6.11's MAP_DROPPABLE type: the kernel refuses it for a file
    // (and older kernels refuse it altogether).
    let (_path, fd) = page_file("droppable");
    let e = refused(4096, libc::MAP_DROPPABLE, fd.as_raw_fd(), 0);
    assert_eq!(e.errno(), libc::EINVAL);
    assert!(e.message().contains("MAP_DROPPABLE with MAP_ANONYMOUS"), "{e}");
}

#[test]
fn a_file_range_past_the_largest_offset_is_eoverflow() {
    let (_path, fd) = page_file("range");
    let off = i64::MAX - (page_size() as i64 - 1);
    let e = refused(page_size(), libc::MAP_SHARED, fd.as_raw_fd(), off);
    assert_eq!(e.errno(), libc::EOVERFLOW);
    assert!(e.message().contains("largest file offset"), "{e}");
}

#[test]
fn map_refuses_map_fixed() {
    assert_eq!(
        map(0, 4096, libc::PROT_READ, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED, -1, 0)
            .unwrap_err()
            .errno(),
        libc::EINVAL
    );
}

#[test]
fn anonymous_shared_memory_is_zeroed_and_writable() {
    let m = map_anonymous_shared(100).unwrap();
    assert_eq!(m.len(), 100);
    // SAFETY: the mapping is 100 bytes, read-write, owned by `m`.
    unsafe {
        let p = m.as_ptr() as *mut u8;
        assert_eq!(*p.add(99), 0);
        *p.add(99) = 7;
        assert_eq!(*p.add(99), 7);
    }
}

#[test]
fn munmap_checks_alignment_and_length() {
    assert_eq!(check_munmap(1, 4096).unwrap_err().errno(), libc::EINVAL);
    assert_eq!(check_munmap(4096, 0).unwrap_err().errno(), libc::EINVAL);
    assert_eq!(check_munmap(usize::MAX & !(page_size() - 1), 2 * page_size()).unwrap_err().errno(), libc::EINVAL);
}

#[test]
fn msync_checks_flags_and_reports_unmapped_ranges() {
    let m = map_anonymous_shared(4096).unwrap();
    let addr = m.as_ptr() as usize;
    msync(addr, 4096, libc::MS_SYNC).unwrap();
    assert_eq!(msync(addr, 4096, libc::MS_SYNC | libc::MS_ASYNC).unwrap_err().errno(), libc::EINVAL);
    assert_eq!(msync(addr, 4096, 0x100).unwrap_err().errno(), libc::EINVAL);
    assert_eq!(msync(addr + 1, 4096, libc::MS_SYNC).unwrap_err().errno(), libc::EINVAL);
    // Nothing is ever mapped at address 0 (vm.mmap_min_addr); a range
    // just unmapped here could be reused by another test's thread.
    let e = msync(0, 4096, libc::MS_SYNC).unwrap_err();
    assert_eq!(e.errno(), libc::ENOMEM);
    assert!(e.message().contains("not mapped"), "{e}");
}

#[test]
fn a_read_only_descriptor_cannot_back_a_writable_shared_mapping() {
    let file = std::fs::File::open("/proc/self/exe").unwrap();
    let e = map(0, 4096, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_SHARED, file.as_raw_fd(), 0).unwrap_err();
    assert_eq!(e.errno(), libc::EACCES);
    assert!(e.message().contains("read-only"), "{e}");
}

#[test]
fn map_file_creates_grows_and_maps_the_whole_file() {
    let path = temp_path("grow");
    let _cleanup = Unlink(path.clone());
    let m = map_file(&path, libc::O_RDWR | libc::O_CREAT | libc::O_EXCL, 0o600, 10_000).unwrap();
    assert_eq!(m.len(), 10_000);
    // SAFETY: 10 000 read-write bytes owned by `m`.
    unsafe { *(m.as_ptr() as *mut u8).add(9_999) = b'z' };
    drop(m);
    assert_eq!(std::fs::metadata(path.to_str().unwrap()).unwrap().len(), 10_000);
    let whole = map_file(&path, libc::O_RDONLY, 0, 0).unwrap();
    assert_eq!(whole.len(), 10_000);
    // SAFETY: 10 000 readable bytes owned by `whole`.
    assert_eq!(unsafe { *(whole.as_ptr() as *const u8).add(9_999) }, b'z');
}

#[test]
fn map_file_of_an_empty_file_with_len_zero_is_einval() {
    let path = temp_path("empty");
    let _cleanup = Unlink(path.clone());
    let e = map_file(&path, libc::O_RDWR | libc::O_CREAT, 0o600, 0).unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
    assert!(e.message().contains("empty"), "{e}");
}

#[test]
fn map_file_removes_the_file_it_created_when_mapping_fails() {
    let path = temp_path("undo");
    let _cleanup = Unlink(path.clone());
    let e = map_file(&path, libc::O_RDWR | libc::O_CREAT | libc::O_EXCL, 0o600, usize::MAX / 4).unwrap_err();
    assert!(matches!(e.errno(), libc::EFBIG | libc::ENOMEM | libc::EINVAL), "{e}");
    assert!(std::fs::metadata(path.to_str().unwrap()).is_err(), "the created file was removed");
    let e = map_file(&path, libc::O_RDWR | libc::O_CREAT | libc::O_EXCL, 0o600, 0).unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
    assert!(std::fs::metadata(path.to_str().unwrap()).is_err(), "nothing was created");
}

#[test]
fn map_file_read_only_cannot_grow_the_file() {
    let path = temp_path("rogrow");
    let _cleanup = Unlink(path.clone());
    std::fs::write(path.to_str().unwrap(), b"abc").unwrap();
    let e = map_file(&path, libc::O_RDONLY, 0, 4096).unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
    assert_eq!(std::fs::metadata(path.to_str().unwrap()).unwrap().len(), 3);
}

#[test]
fn map_file_rejects_write_only_and_unknown_flags_and_directories() {
    let path = temp_path("never-created");
    assert_eq!(map_file(&path, libc::O_WRONLY | libc::O_CREAT, 0o600, 1).unwrap_err().errno(), libc::EINVAL);
    assert_eq!(map_file(&path, libc::O_RDWR | libc::O_APPEND, 0o600, 1).unwrap_err().errno(), libc::EINVAL);
    assert!(std::fs::metadata(path.to_str().unwrap()).is_err(), "nothing was created");
    let e = map_file(&CString::new("/tmp").unwrap(), libc::O_RDONLY, 0, 0).unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
    assert!(e.message().contains("directory"), "{e}");
}

#[test]
fn map_file_of_a_socket_is_einval() {
    let path = temp_path("sock");
    let _cleanup = Unlink(path.clone());
    let _listener = std::os::unix::net::UnixListener::bind(path.to_str().unwrap()).unwrap();
    let e = map_file(&path, libc::O_RDONLY, 0, 0).unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL, "{e}");
}

#[test]
fn map_file_of_a_fifo_is_einval_without_waiting_for_a_writer() {
    let path = temp_path("fifo");
    let _cleanup = Unlink(path.clone());
    crate::fifo::mkfifo(&path, 0o600).unwrap();
    // A blocking open(O_RDONLY) would wait here for a writer forever.
    let e = map_file(&path, libc::O_RDONLY, 0, 0).unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
    assert!(e.message().contains("FIFO"), "{e}");
}
