//! POSIX semaphores across threads and processes, and side by side with
//! glibc's implementation, through the safe Rust API.

mod common;

use std::ffi::CString;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use common::{fork_child, unique_name, wait_exit_code};
use rsipc::posix_sem::{self as sem, NamedSemaphore, Semaphore, SEM_VALUE_MAX};

/// A `MAP_SHARED|MAP_ANONYMOUS` page that survives fork, holding one
/// semaphore at its start.
struct SharedPage(*mut libc::c_void);

impl SharedPage {
    fn new() -> SharedPage {
        // SAFETY: a fresh anonymous mapping.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                4096,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(p, libc::MAP_FAILED);
        SharedPage(p)
    }
    fn sem(&self) -> &Semaphore {
        // SAFETY: the page is zero-filled, 4096-aligned and lives as long as
        // `self`; Semaphore (glibc's sem_t layout, all atomics) is valid for
        // any bytes.
        unsafe { &*(self.0 as *const Semaphore) }
    }
    fn sem_t(&self) -> *mut libc::sem_t {
        self.0 as *mut libc::sem_t
    }
    fn counter(&self) -> &std::sync::atomic::AtomicU64 {
        // SAFETY: bytes 64..72 of the page, 8-aligned, used only as this
        // counter.
        unsafe { &*((self.0 as *mut u8).add(64) as *const std::sync::atomic::AtomicU64) }
    }
}

// SAFETY: the page is plain shared memory used only through atomics (the
// semaphore and the counter).
unsafe impl Send for SharedPage {}
// SAFETY: as above.
unsafe impl Sync for SharedPage {}

impl Drop for SharedPage {
    fn drop(&mut self) {
        // SAFETY: our own mapping, no references remain.
        unsafe { libc::munmap(self.0, 4096) };
    }
}

fn bytes_of(p: *const libc::sem_t) -> [u8; 32] {
    // SAFETY: `p` points to a live 32-byte sem_t.
    unsafe { std::ptr::read(p as *const [u8; 32]) }
}

#[test]
fn sem_init_writes_the_same_words_as_glibc() {
    for pshared in [0, 1] {
        for value in [0u32, 5, SEM_VALUE_MAX] {
            let glibc = SharedPage::new();
            let ours = SharedPage::new();
            // SAFETY: a writable, aligned sem_t.
            assert_eq!(unsafe { libc::sem_init(glibc.sem_t(), pshared, value) }, 0);
            ours.sem().init(pshared != 0, value).unwrap();
            // glibc writes `data` and `private` (12 bytes) and leaves the
            // rest as it was (zero here).
            assert_eq!(bytes_of(glibc.sem_t()), bytes_of(ours.sem_t()), "pshared={pshared} value={value}");
        }
    }
}

#[test]
fn glibc_reads_the_value_rsipc_posted_and_the_reverse() {
    let page = SharedPage::new();
    page.sem().init(false, 0).unwrap();
    page.sem().post().unwrap();
    page.sem().post().unwrap();
    let mut v = -1;
    // SAFETY: an initialised sem_t and a valid out-pointer.
    assert_eq!(unsafe { libc::sem_getvalue(page.sem_t(), &mut v) }, 0);
    assert_eq!(v, 2);
    // SAFETY: as above.
    assert_eq!(unsafe { libc::sem_trywait(page.sem_t()) }, 0);
    // SAFETY: as above.
    assert_eq!(unsafe { libc::sem_post(page.sem_t()) }, 0);
    // SAFETY: as above.
    assert_eq!(unsafe { libc::sem_post(page.sem_t()) }, 0);
    assert_eq!(page.sem().value(), 3);
}

#[test]
fn an_rsipc_waiter_is_woken_by_a_glibc_post() {
    let page = Arc::new(SharedPage::new());
    page.sem().init(false, 0).unwrap();
    let p2 = page.clone();
    let waiter = std::thread::spawn(move || p2.sem().wait());
    while page.sem().waiters() == 0 {
        std::thread::yield_now();
    }
    // SAFETY: an initialised sem_t.
    assert_eq!(unsafe { libc::sem_post(page.sem_t()) }, 0);
    waiter.join().unwrap().unwrap();
    assert_eq!(page.sem().waiters(), 0);
}

#[test]
fn a_glibc_waiter_is_woken_by_an_rsipc_post() {
    let page = Arc::new(SharedPage::new());
    // SAFETY: a writable sem_t.
    assert_eq!(unsafe { libc::sem_init(page.sem_t(), 0, 0) }, 0);
    let p2 = page.clone();
    // SAFETY: an initialised sem_t.
    let waiter = std::thread::spawn(move || unsafe { libc::sem_wait(p2.sem_t()) });
    // glibc registers its waiters in the same high word.
    while page.sem().waiters() == 0 {
        std::thread::yield_now();
    }
    page.sem().post().unwrap();
    assert_eq!(waiter.join().unwrap(), 0);
    assert_eq!(page.sem().value(), 0);
}

// SAFETY (for the handler): it does nothing, which is async-signal-safe.
extern "C" fn ignore_signal(_: libc::c_int) {}

#[test]
fn a_signal_interrupts_a_wait_with_eintr_and_unregisters_the_waiter() {
    // SAFETY: installing a no-op handler for SIGUSR1 without SA_RESTART; no
    // other test uses SIGUSR1.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = ignore_signal as extern "C" fn(libc::c_int) as usize;
        libc::sigemptyset(&mut sa.sa_mask);
        sa.sa_flags = 0;
        assert_eq!(libc::sigaction(libc::SIGUSR1, &sa, std::ptr::null_mut()), 0);
    }
    let s = Arc::new(Semaphore::new(false, 0).unwrap());
    let done = Arc::new(AtomicBool::new(false));
    let (s2, done2) = (s.clone(), done.clone());
    let waiter = std::thread::spawn(move || {
        let r = s2.wait();
        done2.store(true, Ordering::Release);
        r
    });
    use std::os::unix::thread::JoinHandleExt;
    let tid = waiter.as_pthread_t();
    // A signal that lands just before the thread sleeps only runs the
    // handler; keep signalling until one interrupts the sleep itself.
    while !done.load(Ordering::Acquire) {
        // SAFETY: the thread is alive until `done` is set and joined below.
        unsafe { libc::pthread_kill(tid, libc::SIGUSR1) };
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let e = waiter.join().unwrap().unwrap_err();
    assert_eq!(e.errno(), libc::EINTR);
    assert_eq!(s.waiters(), 0);
    assert_eq!(s.value(), 0);
}

#[test]
fn a_process_shared_semaphore_wakes_a_parent_waiting_on_its_child() {
    let page = SharedPage::new();
    page.sem().init(true, 0).unwrap();
    let pid = fork_child(|| {
        page.counter().store(42, Ordering::Relaxed);
        page.sem().post().map_or(1, |()| 0)
    });
    page.sem().wait().unwrap();
    assert_eq!(page.counter().load(Ordering::Relaxed), 42);
    assert_eq!(wait_exit_code(pid), 0);
}

#[test]
fn uncontended_post_wait_trywait_make_no_system_call() {
    // The child enters seccomp strict mode, in which any system call other
    // than read, write, _exit and sigreturn kills it with SIGKILL; exiting
    // normally proves the loop made none.
    let s = Semaphore::new(true, 0).unwrap();
    // SAFETY: fork in a test; the child only runs the loop and exits.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        // SAFETY: prctl with integer arguments.
        if unsafe { libc::prctl(libc::PR_SET_SECCOMP, libc::SECCOMP_MODE_STRICT as libc::c_ulong) } != 0 {
            // SAFETY: _exit is always safe.
            unsafe { libc::_exit(2) };
        }
        let mut ok = true;
        for _ in 0..100_000 {
            ok &= s.post().is_ok();
            ok &= s.post().is_ok();
            ok &= s.wait().is_ok();
            ok &= s.try_wait().is_ok();
            ok &= s.value() == 0;
        }
        // SAFETY: the plain exit system call (exit_group is not allowed in
        // strict mode).
        unsafe { libc::syscall(libc::SYS_exit, if ok { 0 } else { 3 }) };
        unreachable!();
    }
    let mut status = 0;
    // SAFETY: our child.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child made a system call or failed: status {status:#x}"
    );
}

#[test]
fn processes_mixing_rsipc_and_glibc_keep_exact_counts_under_contention() {
    // Four processes take turns in a critical section guarded by one
    // semaphore (value 1), two through rsipc and two through glibc; each
    // increments a plain shared counter inside it.
    let page = SharedPage::new();
    page.sem().init(true, 1).unwrap();
    let rounds = 20_000u64;
    let pids: Vec<_> = (0..4)
        .map(|i| {
            let page = &page;
            fork_child(move || {
                for _ in 0..rounds {
                    if i % 2 == 0 {
                        if page.sem().wait().is_err() {
                            return 1;
                        }
                    // SAFETY: an initialised shared sem_t.
                    } else if unsafe { libc::sem_wait(page.sem_t()) } != 0 {
                        return 1;
                    }
                    // Not atomic on purpose: only mutual exclusion keeps it exact.
                    let c = page.counter().load(Ordering::Relaxed);
                    page.counter().store(c + 1, Ordering::Relaxed);
                    if i % 2 == 0 {
                        if page.sem().post().is_err() {
                            return 1;
                        }
                    // SAFETY: as above.
                    } else if unsafe { libc::sem_post(page.sem_t()) } != 0 {
                        return 1;
                    }
                }
                0
            })
        })
        .collect();
    for pid in pids {
        assert_eq!(wait_exit_code(pid), 0);
    }
    assert_eq!(page.counter().load(Ordering::Relaxed), 4 * rounds);
    assert_eq!(page.sem().value(), 1);
    assert_eq!(page.sem().waiters(), 0);
}

fn cname(s: &str) -> CString {
    CString::new(s).unwrap()
}

fn shm_file(name: &str) -> String {
    format!("/dev/shm/sem.{}", name.trim_start_matches('/'))
}

#[test]
fn a_named_semaphore_is_the_glibc_file_and_a_child_can_post_it() {
    let name = unique_name("named");
    let c = cname(&name);
    let s = NamedSemaphore::open(&c, libc::O_CREAT | libc::O_EXCL, 0o600, 0).unwrap();
    assert_eq!(std::fs::metadata(shm_file(&name)).unwrap().len(), 32);
    let pid = fork_child(|| {
        // The child opens it by name with glibc and posts.
        // SAFETY: a NUL-terminated name; no O_CREAT so no varargs are read.
        let g = unsafe { libc::sem_open(c.as_ptr(), 0) };
        if g.is_null() {
            return 1;
        }
        // SAFETY: a semaphore glibc just opened.
        (unsafe { libc::sem_post(g) } != 0) as i32
    });
    s.wait().unwrap();
    assert_eq!(wait_exit_code(pid), 0);
    s.close().unwrap();
    sem::unlink(&c).unwrap();
    assert!(std::fs::metadata(shm_file(&name)).is_err());
}

#[test]
fn an_existing_name_is_eexist_with_o_excl_and_shared_without() {
    let c = cname(&unique_name("excl"));
    let a = NamedSemaphore::open(&c, libc::O_CREAT | libc::O_EXCL, 0o600, 2).unwrap();
    assert_eq!(NamedSemaphore::open(&c, libc::O_CREAT | libc::O_EXCL, 0o600, 0).unwrap_err().errno(), libc::EEXIST);
    // O_CREAT alone opens the existing one and ignores the value.
    let b = NamedSemaphore::open(&c, libc::O_CREAT, 0o600, 9).unwrap();
    assert_eq!(b.value(), 2);
    drop(a);
    drop(b);
    sem::unlink(&c).unwrap();
}

#[test]
fn a_missing_name_is_enoent_and_bad_names_are_einval() {
    let c = cname(&unique_name("missing"));
    assert_eq!(NamedSemaphore::open(&c, 0, 0, 0).unwrap_err().errno(), libc::ENOENT);
    for bad in ["", "/", "/a/b"] {
        assert_eq!(NamedSemaphore::open(&cname(bad), libc::O_CREAT, 0o600, 0).unwrap_err().errno(), libc::EINVAL);
    }
    assert_eq!(NamedSemaphore::open(&c, libc::O_CREAT, 0o600, SEM_VALUE_MAX + 1).unwrap_err().errno(), libc::EINVAL);
    assert!(std::fs::metadata(shm_file(c.to_str().unwrap())).is_err());
}

#[test]
fn a_symlink_at_the_name_is_never_followed() {
    let name = unique_name("link");
    let target = format!("/dev/shm/rsipc-test-{}-link-target", std::process::id());
    std::fs::write(&target, [0u8; 32]).unwrap();
    std::os::unix::fs::symlink(&target, shm_file(&name)).unwrap();
    let c = cname(&name);
    assert_eq!(NamedSemaphore::open(&c, 0, 0, 0).unwrap_err().errno(), libc::ELOOP);
    assert_eq!(NamedSemaphore::open(&c, libc::O_CREAT, 0o600, 1).unwrap_err().errno(), libc::ELOOP);
    assert_eq!(NamedSemaphore::open(&c, libc::O_CREAT | libc::O_EXCL, 0o600, 1).unwrap_err().errno(), libc::EEXIST);
    // The target was not touched.
    assert_eq!(std::fs::read(&target).unwrap(), vec![0u8; 32]);
    std::fs::remove_file(shm_file(&name)).unwrap();
    std::fs::remove_file(&target).unwrap();
}

#[test]
fn a_file_too_short_to_be_a_semaphore_is_einval_not_a_crash() {
    let name = unique_name("short");
    std::fs::write(shm_file(&name), [0u8; 8]).unwrap();
    let e = NamedSemaphore::open(&cname(&name), 0, 0, 0).unwrap_err();
    std::fs::remove_file(shm_file(&name)).unwrap();
    assert_eq!(e.errno(), libc::EINVAL);
}

#[test]
fn racing_creators_all_get_the_one_semaphore() {
    // Six processes open the same new name with O_CREAT and value 3 at
    // once; exactly one creates it, so exactly three trywaits succeed.
    let name = unique_name("race");
    let c = cname(&name);
    let [r, w] = rsipc::pipe::pipe2(0).unwrap().map(std::os::fd::IntoRawFd::into_raw_fd);
    let pids: Vec<_> = (0..6)
        .map(|_| {
            let c = &c;
            fork_child(move || {
                common::close(w);
                let mut go = [0u8; 1];
                rsipc::pipe::read_exact(r, &mut go); // start together at EOF
                let Ok(s) = NamedSemaphore::open(c, libc::O_CREAT, 0o600, 3) else { return 2 };
                if s.try_wait().is_ok() {
                    10
                } else {
                    11
                }
            })
        })
        .collect();
    common::close(r);
    common::close(w);
    let codes: Vec<i32> = pids.into_iter().map(wait_exit_code).collect();
    sem::unlink(&c).unwrap();
    assert!(codes.iter().all(|&code| code == 10 || code == 11), "{codes:?}");
    assert_eq!(codes.iter().filter(|&&code| code == 10).count(), 3, "{codes:?}");
}

#[test]
fn a_child_after_fork_can_open_and_close_named_semaphores() {
    let c = cname(&unique_name("fork"));
    let s = NamedSemaphore::open(&c, libc::O_CREAT, 0o600, 0).unwrap();
    let pid = fork_child(|| {
        let Ok(again) = NamedSemaphore::open(&c, 0, 0, 0) else { return 1 };
        let ok = again.post().is_ok() && again.close().is_ok();
        (!ok) as i32
    });
    assert_eq!(wait_exit_code(pid), 0);
    s.wait().unwrap();
    s.close().unwrap();
    sem::unlink(&c).unwrap();
}
