//! System V shared memory between real processes (fork), through the safe
//! Rust API: keys, attachments, removal, permissions as an unprivileged
//! user, and the shmat flags.

mod common;

use std::ffi::{CStr, CString};
use std::ptr::NonNull;

use common::{fork_child, unique_name, wait_exit_code};
use libc::{c_void, key_t};
use rsipc::sysv_shm::{self as shm, MayUnmap, SHM_DEST, SHM_LOCKED};

/// A segment removed when the test ends (whatever happened).
struct Segment(i32);

impl Segment {
    fn private(size: usize, mode: i32) -> Segment {
        Segment(shm::shmget(libc::IPC_PRIVATE, size, libc::IPC_CREAT | mode).unwrap())
    }
}

impl Drop for Segment {
    fn drop(&mut self) {
        let _ = shm::remove(self.0);
    }
}

/// A pid-unique file under /tmp, for ftok; removed when dropped.
struct KeyFile(CString);

impl KeyFile {
    fn new() -> KeyFile {
        let path = format!("/tmp{}", unique_name("ftok"));
        std::fs::write(&path, b"").unwrap();
        KeyFile(CString::new(path).unwrap())
    }
    fn path(&self) -> &CStr {
        &self.0
    }
}

impl Drop for KeyFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.0.to_str().unwrap());
    }
}

fn may_unmap() -> MayUnmap {
    // SAFETY: these tests detach (or remap over) only memory they mapped
    // themselves and no longer use.
    unsafe { MayUnmap::assume() }
}

fn attach(shmid: i32, flags: i32) -> NonNull<u8> {
    shm::shmat(shmid, std::ptr::null(), flags, None).unwrap().cast()
}

fn detach(p: NonNull<u8>) {
    shm::shmdt(p.as_ptr() as *const c_void, may_unmap()).unwrap();
}

fn write_str(p: NonNull<u8>, s: &str) {
    // SAFETY: the attachment is at least 4096 bytes and writable; the
    // strings written are shorter.
    unsafe { std::ptr::copy_nonoverlapping(s.as_ptr(), p.as_ptr(), s.len()) }
}

fn read_str(p: NonNull<u8>, len: usize) -> String {
    // SAFETY: the attachment is at least `len` bytes and readable.
    String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(p.as_ptr(), len) }).into_owned()
}

/// Waits for `pid` and returns the signal that killed it (panics if it
/// exited).
fn wait_signal(pid: libc::pid_t) -> i32 {
    let mut status = 0;
    // SAFETY: valid out-pointer; pid is our child.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(libc::WIFSIGNALED(status), "child was not killed by a signal: status {status:#x}");
    libc::WTERMSIG(status)
}

/// In a forked child: drops to uid/gid 65534 (nobody) and runs `body`,
/// whose return value is the exit code.
fn as_nobody(body: impl FnOnce() -> i32) -> i32 {
    wait_exit_code(fork_child(|| {
        // SAFETY: plain system calls in the single-threaded child.
        if unsafe { libc::setgroups(0, std::ptr::null()) } != 0
            || unsafe { libc::setgid(65534) } != 0
            || unsafe { libc::setuid(65534) } != 0
        {
            return 90;
        }
        body()
    }))
}

/// Runs `body` in a forked child and asserts it succeeded. Attachment
/// counts and removal-on-last-detach are process-wide: a test that checks
/// them runs alone in a child, because other tests of this binary fork
/// concurrently and each forked child briefly holds copies of every
/// attachment of this process.
fn isolated(body: impl FnOnce()) {
    assert_eq!(
        wait_exit_code(fork_child(|| {
            body();
            0
        })),
        0,
        "the isolated test body failed (101 = it panicked)"
    );
}

#[test]
fn a_child_finds_the_segment_by_its_ftok_key_and_reads_what_the_parent_wrote() {
    let file = KeyFile::new();
    let key = shm::ftok(file.path(), b'R' as i32).unwrap();
    let seg = Segment(shm::shmget(key, 4096, libc::IPC_CREAT | libc::IPC_EXCL | 0o600).unwrap());
    let p = attach(seg.0, 0);
    write_str(p, "hello from the parent\0");
    let path = file.0.clone();
    let pid = fork_child(move || {
        let key2 = shm::ftok(&path, b'R' as i32).unwrap();
        let id = shm::shmget(key2, 0, 0).unwrap();
        let q = attach(id, libc::SHM_RDONLY);
        let ok = read_str(q, 22) == "hello from the parent\0";
        detach(q);
        if ok {
            0
        } else {
            1
        }
    });
    assert_eq!(wait_exit_code(pid), 0);
    detach(p);
}

#[test]
fn a_forked_child_shares_a_private_segment_and_its_writes_reach_the_parent() {
    let seg = Segment::private(4096, 0o600);
    let p = attach(seg.0, 0);
    let pid = fork_child(move || {
        write_str(p, "child was here");
        0
    });
    assert_eq!(wait_exit_code(pid), 0);
    assert_eq!(read_str(p, 14), "child was here");
    detach(p);
}

#[test]
fn shmget_with_ipc_excl_on_a_taken_key_is_eexist() {
    let file = KeyFile::new();
    let key = shm::ftok(file.path(), 1).unwrap();
    let _seg = Segment(shm::shmget(key, 4096, libc::IPC_CREAT | libc::IPC_EXCL | 0o600).unwrap());
    let e = shm::shmget(key, 4096, libc::IPC_CREAT | libc::IPC_EXCL | 0o600).unwrap_err();
    assert_eq!(e.errno(), libc::EEXIST);
    assert_eq!(e.message(), "a segment with this key already exists");
}

#[test]
fn shmget_asking_more_than_the_existing_segment_is_einval_naming_its_size() {
    let file = KeyFile::new();
    let key = shm::ftok(file.path(), 2).unwrap();
    let seg = Segment(shm::shmget(key, 4096, libc::IPC_CREAT | libc::IPC_EXCL | 0o600).unwrap());
    let e = shm::shmget(key, 8192, 0).unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
    assert!(e.message().contains("has 4096 bytes"), "{e}");
    // Asking for less (or 0) is fine.
    assert_eq!(shm::shmget(key, 100, 0).unwrap(), seg.0);
    assert_eq!(shm::shmget(key, 0, 0).unwrap(), seg.0);
}

#[test]
fn a_removed_segment_lives_until_the_last_detach_then_is_gone() {
    let file = KeyFile::new();
    isolated(|| removed_segment_lives_until_the_last_detach(&file));
}

fn removed_segment_lives_until_the_last_detach(file: &KeyFile) {
    let key: key_t = shm::ftok(file.path(), 3).unwrap();
    let id = shm::shmget(key, 4096, libc::IPC_CREAT | libc::IPC_EXCL | 0o600).unwrap();
    let p = attach(id, 0);
    write_str(p, "still here");
    shm::remove(id).unwrap();
    // Marked for removal: key now IPC_PRIVATE, still attached and readable.
    let ds = shm::stat(id).unwrap();
    assert_ne!(ds.shm_perm.mode as i32 & SHM_DEST, 0);
    assert_eq!(ds.shm_perm.__key, libc::IPC_PRIVATE);
    assert_eq!(read_str(p, 10), "still here");
    assert_eq!(shm::shmget(key, 0, 0).unwrap_err().errno(), libc::ENOENT);
    detach(p);
    let e = shm::stat(id).unwrap_err();
    assert!(matches!(e.errno(), libc::EINVAL | libc::EIDRM), "{e}");
    let e = shm::shmat(id, std::ptr::null(), 0, None).unwrap_err();
    assert!(matches!(e.errno(), libc::EINVAL | libc::EIDRM), "{e}");
}

#[test]
fn nattch_and_lpid_follow_attachments_in_two_processes() {
    isolated(nattch_and_lpid_follow_attachments);
}

fn nattch_and_lpid_follow_attachments() {
    let seg = Segment::private(4096, 0o600);
    let p = attach(seg.0, 0);
    let [r, w] = rsipc::pipe::pipe2(0).unwrap().map(std::os::fd::IntoRawFd::into_raw_fd);
    let [r2, w2] = rsipc::pipe::pipe2(0).unwrap().map(std::os::fd::IntoRawFd::into_raw_fd);
    let id = seg.0;
    let pid = fork_child(move || {
        // The child inherited the attachment; attach once more, report, wait.
        let q = attach(id, 0);
        rsipc::pipe::write_all(w, b"1");
        let mut b = [0u8; 1];
        rsipc::pipe::read_exact(r2, &mut b);
        detach(q);
        0
    });
    let mut b = [0u8; 1];
    assert_eq!(rsipc::pipe::read_exact(r, &mut b).done, 1);
    let ds = shm::stat(seg.0).unwrap();
    assert_eq!(ds.shm_nattch, 3); // parent, child's inherited copy, child's own
    assert_eq!(ds.shm_lpid, pid);
    rsipc::pipe::write_all(w2, b"1");
    assert_eq!(wait_exit_code(pid), 0);
    assert_eq!(shm::stat(seg.0).unwrap().shm_nattch, 1);
    detach(p);
    for fd in [r, w, r2, w2] {
        common::close(fd);
    }
}

#[test]
fn writing_through_a_read_only_attachment_is_a_segfault() {
    let seg = Segment::private(4096, 0o600);
    let p = attach(seg.0, libc::SHM_RDONLY);
    let pid = fork_child(move || {
        // SAFETY: deliberately writes to read-only memory; the child dies.
        unsafe { std::ptr::write_volatile(p.as_ptr(), 1) };
        0
    });
    assert_eq!(wait_signal(pid), libc::SIGSEGV);
    detach(p);
}

#[test]
fn shm_exec_maps_the_attachment_executable() {
    let seg = Segment::private(4096, 0o700);
    let p = attach(seg.0, libc::SHM_EXEC);
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let start = format!("{:x}-", p.as_ptr() as usize);
    let line = maps.lines().find(|l| l.starts_with(&start)).expect("attachment in /proc/self/maps");
    assert!(line.split_whitespace().nth(1).unwrap().starts_with("rwx"), "{line}");
    detach(p);
}

/// A reserved (PROT_NONE) range of `pages` pages, unmapped when dropped.
struct Reservation(*mut c_void, usize);

impl Reservation {
    fn new(pages: usize) -> Reservation {
        let len = pages * 4096;
        // SAFETY: a fresh anonymous mapping at an address the kernel picks.
        let p = unsafe {
            libc::mmap(std::ptr::null_mut(), len, libc::PROT_NONE, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0)
        };
        assert_ne!(p, libc::MAP_FAILED);
        Reservation(p, len)
    }

    /// Forgets the first page, which an attachment replaced and `shmdt`
    /// already unmapped: another thread may have mapped something there
    /// since, and dropping must not unmap it.
    fn forget_first_page(&mut self) {
        self.0 = (self.0 as usize + 4096) as *mut c_void;
        self.1 -= 4096;
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        // SAFETY: unmaps only our own reservation (parts an attachment
        // replaced were detached before).
        unsafe { libc::munmap(self.0, self.1) };
    }
}

#[test]
fn shmat_over_an_existing_mapping_is_einval_without_shm_remap() {
    let seg = Segment::private(4096, 0o600);
    let hole = Reservation::new(2);
    let e = shm::shmat(seg.0, hole.0, 0, None).unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
    assert!(e.message().contains("overlaps an existing mapping"), "{e}");
}

#[test]
fn shm_rnd_with_shm_remap_attaches_at_the_rounded_down_address() {
    let seg = Segment::private(4096, 0o600);
    let mut hole = Reservation::new(2);
    let unaligned = (hole.0 as usize + 123) as *const c_void;
    let p = shm::shmat(seg.0, unaligned, libc::SHM_RND | libc::SHM_REMAP, Some(may_unmap())).unwrap();
    assert_eq!(p.as_ptr(), hole.0);
    write_str(p.cast(), "remapped");
    assert_eq!(read_str(p.cast(), 8), "remapped");
    detach(p.cast());
    hole.forget_first_page();
}

#[test]
fn shm_remap_without_an_address_is_einval() {
    let seg = Segment::private(4096, 0o600);
    let e = shm::shmat(seg.0, std::ptr::null(), libc::SHM_REMAP, Some(may_unmap())).unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
    assert!(e.message().contains("SHM_REMAP needs a non-NULL shmaddr"), "{e}");
}

#[test]
fn lock_and_unlock_set_and_clear_shm_locked() {
    let seg = Segment::private(4096, 0o600);
    shm::lock(seg.0).unwrap();
    assert_ne!(shm::stat(seg.0).unwrap().shm_perm.mode as i32 & SHM_LOCKED, 0);
    shm::unlock(seg.0).unwrap();
    assert_eq!(shm::stat(seg.0).unwrap().shm_perm.mode as i32 & SHM_LOCKED, 0);
}

#[test]
fn shm_stat_at_some_index_up_to_the_highest_finds_the_segment() {
    let seg = Segment::private(4096, 0o600);
    let (highest, _) = shm::usage(0).unwrap();
    let found = (0..=highest).find_map(|i| match shm::stat_index(i, false) {
        Ok((id, ds)) if id == seg.0 => Some(ds),
        _ => None,
    });
    assert_eq!(found.expect("segment found by index").shm_segsz, 4096);
    let e = shm::stat_index(i32::MAX, false).unwrap_err(); // beyond any table
    assert_eq!(e.errno(), libc::EINVAL);
}

#[test]
fn an_unprivileged_process_is_denied_by_a_0600_segment() {
    if common::skip_unless_root("no other user to be") {
        return;
    }
    let file = KeyFile::new();
    let key = shm::ftok(file.path(), 4).unwrap();
    let seg = Segment(shm::shmget(key, 4096, libc::IPC_CREAT | libc::IPC_EXCL | 0o600).unwrap());
    let id = seg.0;
    let code = as_nobody(move || {
        let checks = [
            shm::shmget(key, 0, 0o400).map(drop), // asks for read access
            shm::shmat(id, std::ptr::null(), libc::SHM_RDONLY, None).map(drop),
            shm::stat(id).map(drop),
        ];
        for (i, r) in checks.iter().enumerate() {
            match r {
                Err(e) if e.errno() == libc::EACCES && !e.message().is_empty() => {}
                _ => return 10 + i as i32,
            }
        }
        // SAFETY: an all-zero shmid_ds is a valid value.
        let zeroed: libc::shmid_ds = unsafe { std::mem::zeroed() };
        let owner_only = [shm::remove(id), shm::set(id, &zeroed), shm::lock(id)];
        for (i, r) in owner_only.iter().enumerate() {
            match r {
                Err(e) if e.errno() == libc::EPERM => {}
                _ => return 20 + i as i32,
            }
        }
        0
    });
    assert_eq!(code, 0);
    // Still there: nothing the unprivileged child did removed it.
    assert_eq!(shm::stat(seg.0).unwrap().shm_segsz, 4096);
}

#[test]
fn shm_stat_any_skips_the_permission_check_that_shm_stat_makes() {
    if common::skip_unless_root("no other user to be") {
        return;
    }
    let seg = Segment::private(4096, 0o600);
    let (highest, _) = shm::usage(0).unwrap();
    let id = seg.0;
    let code = as_nobody(move || {
        let mut any_found = false;
        for i in 0..=highest {
            if let Ok((found, _)) = shm::stat_index(i, true) {
                if found == id {
                    any_found = true;
                    match shm::stat_index(i, false) {
                        Err(e) if e.errno() == libc::EACCES => {}
                        _ => return 2,
                    }
                }
            }
        }
        if any_found {
            0
        } else {
            1
        }
    });
    assert_eq!(code, 0);
}

#[test]
fn an_unprivileged_process_may_attach_a_0644_segment_only_read_only() {
    if common::skip_unless_root("no other user to be") {
        return;
    }
    let seg = Segment::private(4096, 0o644);
    let id = seg.0;
    let code = as_nobody(move || {
        let Ok(p) = shm::shmat(id, std::ptr::null(), libc::SHM_RDONLY, None) else { return 1 };
        let _ = shm::shmdt(p.as_ptr(), may_unmap());
        match shm::shmat(id, std::ptr::null(), 0, None) {
            Err(e) if e.errno() == libc::EACCES && e.message().contains("read-write") => 0,
            _ => 2,
        }
    });
    assert_eq!(code, 0);
}
