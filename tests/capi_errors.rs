//! The error paths of the safe API, run a second time through the C
//! functions (`rsipc::capi`, what `librsipc.so` exports), in the spirit of
//! libpathrs's tests that run each case through both its Rust and its C
//! API: the same bad input must give the same errno both ways, and the C
//! call must leave a `rsipc_last_error()` message that names the call and
//! the errno and says what the safe API's error says.
//!
//! One table of bad-input cases per mechanism. Every object a case creates
//! is removed (pid-unique names; missing names and keys are found, not
//! assumed).

mod common;

use std::ffi::{CStr, CString};

use common::unique_name;
use rsipc::capi::*;
use rsipc::error::{errno_name, Error};

/// One bad input, both ways.
struct Case {
    /// What the case is (for failure messages).
    what: &'static str,
    /// The C call's name as its message starts (`"pipe2"` for
    /// `pipe2(fds=..., flags=...): EINVAL: ...`).
    call: &'static str,
    /// The safe API's call: must fail.
    rust: Box<dyn Fn() -> Result<(), Error>>,
    /// The C call: true if it returned its failure value.
    c: Box<dyn Fn() -> bool>,
    /// Whether the C message must end with the safe API's explanation.
    /// Not where the C shim checks the argument itself before the core
    /// sees it (a negative System V id): the same errno, in its own words.
    same_words: bool,
}

impl Case {
    /// The C shim rejects this input itself, in its own words.
    fn own_words(mut self) -> Case {
        self.same_words = false;
        self
    }
}

fn case(
    what: &'static str,
    call: &'static str,
    rust: impl Fn() -> Result<(), Error> + 'static,
    c: impl Fn() -> bool + 'static,
) -> Case {
    Case { what, call, rust: Box::new(rust), c: Box::new(c), same_words: true }
}

fn errno() -> i32 {
    // SAFETY: this thread's errno.
    unsafe { *libc::__errno_location() }
}

fn set_errno(v: i32) {
    // SAFETY: this thread's errno.
    unsafe { *libc::__errno_location() = v }
}

fn last_error() -> String {
    // SAFETY: rsipc_last_error always returns a valid NUL-terminated string.
    unsafe { CStr::from_ptr(rsipc_last_error()) }.to_string_lossy().into_owned()
}

/// Runs every case both ways and checks they agree; reports every
/// disagreement, not only the first.
fn run(cases: Vec<Case>) {
    assert!(!cases.is_empty());
    let mut wrong = Vec::new();
    for c in &cases {
        let e = match (c.rust)() {
            Ok(()) => {
                wrong.push(format!("{}: the safe API succeeded", c.what));
                continue;
            }
            Err(e) => e,
        };
        rsipc_clear_error();
        set_errno(0);
        if !(c.c)() {
            wrong.push(format!("{}: the C call did not return its failure value", c.what));
            continue;
        }
        let got = errno();
        let msg = last_error();
        if got != e.errno() {
            wrong.push(format!(
                "{}: C errno {} but the safe API's {} ({msg})",
                c.what,
                errno_name(got),
                errno_name(e.errno())
            ));
        }
        if !msg.starts_with(&format!("{}(", c.call)) {
            wrong.push(format!("{}: the message does not name {}: {msg}", c.what, c.call));
        }
        if !msg.contains(&format!(": {}: ", errno_name(got))) {
            wrong.push(format!("{}: the message does not name {}: {msg}", c.what, errno_name(got)));
        }
        let why = e.message();
        if why.is_empty() || (c.same_words && !msg.ends_with(&why)) {
            wrong.push(format!("{}: C says {msg:?}, the safe API {why:?}", c.what));
        }
    }
    assert!(wrong.is_empty(), "{} of {} cases disagree:\n{}", wrong.len(), cases.len(), wrong.join("\n"));
}

fn cstr(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// A descriptor number that is not open (a pipe's, closed again).
fn closed_fd() -> i32 {
    let mut fds = [0; 2];
    // SAFETY: valid out-array.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: our descriptors.
    unsafe {
        libc::close(fds[0]);
        libc::close(fds[1]);
    }
    fds[0]
}

/// A System V key that `exists(key)` says nothing has now.
fn missing_key(exists: impl Fn(libc::key_t) -> bool) -> libc::key_t {
    let mut key = 0x5c00_0000 | (std::process::id() as libc::key_t & 0xff_ffff);
    while key == libc::IPC_PRIVATE || exists(key) {
        key += 1;
    }
    key
}

#[test]
fn pipe_errors_agree() {
    let fd = closed_fd();
    run(vec![
        case(
            "pipe2 with an unknown flag",
            "pipe2",
            || rsipc::pipe::pipe2(0x4000_0000).map(drop),
            || {
                let mut fds = [-1; 2];
                // SAFETY: valid out-array.
                unsafe { rsipc_pipe2(fds.as_mut_ptr(), 0x4000_0000) == -1 }
            },
        ),
        case(
            "capacity of a closed descriptor",
            "pipe_capacity",
            move || rsipc::pipe::capacity(fd).map(drop),
            move || rsipc_pipe_capacity(fd) == -1,
        ),
        case(
            "set_capacity of a closed descriptor",
            "pipe_set_capacity",
            move || rsipc::pipe::set_capacity(fd, 65536).map(drop),
            move || rsipc_pipe_set_capacity(fd, 65536) == -1,
        ),
    ]);
}

#[test]
fn fifo_errors_agree() {
    let dir = std::env::temp_dir();
    let existing = cstr(&format!("{}/rsipc-capi-{}-fifo", dir.display(), std::process::id()));
    let _ = std::fs::remove_file(existing.to_str().unwrap());
    rsipc::fifo::mkfifo(&existing, 0o600).unwrap();
    let no_dir = cstr(&format!("{}/rsipc-capi-{}-no-such-dir/f", dir.display(), std::process::id()));
    let (e1, e2, n1, n2, n3) = (existing.clone(), existing.clone(), no_dir.clone(), no_dir.clone(), no_dir.clone());
    let n4 = no_dir.clone();
    run(vec![
        case(
            "mkfifo over an existing FIFO",
            "mkfifo",
            move || rsipc::fifo::mkfifo(&e1, 0o600),
            // SAFETY: a valid C string.
            move || unsafe { rsipc_mkfifo(e2.as_ptr(), 0o600) } == -1,
        ),
        case(
            "mkfifo in a missing directory",
            "mkfifo",
            move || rsipc::fifo::mkfifo(&n1, 0o600),
            // SAFETY: a valid C string.
            move || unsafe { rsipc_mkfifo(n2.as_ptr(), 0o600) } == -1,
        ),
        case(
            "open of a missing path",
            "fifo_open",
            move || rsipc::fifo::open(&n3, libc::O_RDONLY | libc::O_NONBLOCK, 0).map(drop),
            // SAFETY: a valid C string.
            move || unsafe { rsipc_fifo_open(n4.as_ptr(), libc::O_RDONLY | libc::O_NONBLOCK, 0) } == -1,
        ),
    ]);
    std::fs::remove_file(existing.to_str().unwrap()).unwrap();
}

#[test]
fn mmap_errors_agree() {
    let fd = closed_fd();
    let anon = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
    run(vec![
        case(
            "anonymous mapping of length 0",
            "mmap",
            move || rsipc::mmap::map(0, 0, libc::PROT_READ, anon, -1, 0).map(drop),
            // SAFETY: a failing call maps nothing.
            move || unsafe { rsipc_mmap(std::ptr::null_mut(), 0, libc::PROT_READ, anon, -1, 0) } == libc::MAP_FAILED,
        ),
        case(
            "file mapping of a closed descriptor",
            "mmap",
            move || rsipc::mmap::map(0, 4096, libc::PROT_READ, libc::MAP_SHARED, fd, 0).map(drop),
            // SAFETY: a failing call maps nothing.
            move || unsafe { rsipc_mmap(std::ptr::null_mut(), 4096, libc::PROT_READ, libc::MAP_SHARED, fd, 0) }
                == libc::MAP_FAILED,
        ),
        case(
            "msync of an unaligned address",
            "msync",
            || rsipc::mmap::msync(4097, 4096, libc::MS_SYNC),
            || rsipc_msync(4097 as *mut libc::c_void, 4096, libc::MS_SYNC) == -1,
        ),
    ]);
}

#[test]
fn shm_errors_agree() {
    let missing = cstr(&unique_name("capi-shm-missing"));
    let bad = cstr("/two/slashes");
    let (m1, m2, m3, m4, b1, b2) =
        (missing.clone(), missing.clone(), missing.clone(), missing.clone(), bad.clone(), bad);
    run(vec![
        case(
            "open of a missing name",
            "shm_open",
            move || rsipc::posix_shm::open(&m1, libc::O_RDWR, 0).map(drop),
            // SAFETY: a valid C string.
            move || unsafe { rsipc_shm_open(m2.as_ptr(), libc::O_RDWR, 0) } == -1,
        ),
        case(
            "unlink of a missing name",
            "shm_unlink",
            move || rsipc::posix_shm::unlink(&m3),
            // SAFETY: a valid C string.
            move || unsafe { rsipc_shm_unlink(m4.as_ptr()) } == -1,
        ),
        case(
            "open of a name with a second slash",
            "shm_open",
            move || rsipc::posix_shm::open(&b1, libc::O_RDWR | libc::O_CREAT, 0o600).map(drop),
            // SAFETY: a valid C string.
            move || unsafe { rsipc_shm_open(b2.as_ptr(), libc::O_RDWR | libc::O_CREAT, 0o600) } == -1,
        ),
    ]);
}

#[test]
fn sysv_shm_errors_agree() {
    let removed = rsipc::sysv_shm::shmget(libc::IPC_PRIVATE, 4096, 0o600).unwrap();
    rsipc::sysv_shm::remove(removed).unwrap();
    // SAFETY: shmget with no flags creates nothing.
    let key = missing_key(|k| unsafe { libc::shmget(k, 0, 0) } != -1 || errno() != libc::ENOENT);
    run(vec![
        case(
            "shmget of a missing key",
            "shmget",
            move || rsipc::sysv_shm::shmget(key, 4096, 0).map(drop),
            move || rsipc_shmget(key, 4096, 0) == -1,
        ),
        case(
            "IPC_RMID of id -1",
            "shmctl",
            || rsipc::sysv_shm::remove(-1),
            // SAFETY: IPC_RMID reads no buffer.
            || unsafe { rsipc_shmctl(-1, libc::IPC_RMID, std::ptr::null_mut()) } == -1,
        )
        .own_words(),
        case(
            "IPC_STAT of id -1",
            "shmctl",
            || rsipc::sysv_shm::stat(-1).map(drop),
            || {
                // SAFETY: a valid out-buffer.
                let mut ds: libc::shmid_ds = unsafe { std::mem::zeroed() };
                // SAFETY: as above.
                unsafe { rsipc_shmctl(-1, libc::IPC_STAT, &mut ds) == -1 }
            },
        )
        .own_words(),
        case(
            "IPC_STAT of a removed segment's id",
            "shmctl",
            move || rsipc::sysv_shm::stat(removed).map(drop),
            move || {
                // SAFETY: a valid out-buffer.
                let mut ds: libc::shmid_ds = unsafe { std::mem::zeroed() };
                // SAFETY: as above.
                unsafe { rsipc_shmctl(removed, libc::IPC_STAT, &mut ds) == -1 }
            },
        ),
    ]);
}

#[test]
fn msg_errors_agree() {
    // SAFETY: msgget with no flags creates nothing.
    let key = missing_key(|k| unsafe { libc::msgget(k, 0) } != -1 || errno() != libc::ENOENT);
    run(vec![
        case(
            "msgget of a missing key",
            "msgget",
            move || rsipc::sysv_msg::msgget(key, 0).map(drop),
            move || rsipc_msgget(key, 0) == -1,
        ),
        case(
            "msgsnd to id -1",
            "msgsnd",
            || rsipc::sysv_msg::send(-1, &rsipc::sysv_msg::encode(1, b"x"), 0),
            || {
                let m = rsipc::sysv_msg::encode(1, b"x");
                // SAFETY: a valid message buffer of 1 text byte.
                unsafe { rsipc_msgsnd(-1, m.as_ptr().cast(), 1, 0) == -1 }
            },
        ),
        case(
            "IPC_RMID of id -1",
            "msgctl",
            || rsipc::sysv_msg::remove(-1),
            // SAFETY: IPC_RMID reads no buffer.
            || unsafe { rsipc_msgctl(-1, libc::IPC_RMID, std::ptr::null_mut()) } == -1,
        ),
    ]);
}

#[test]
fn mq_errors_agree() {
    let missing = cstr(&unique_name("capi-mq-missing"));
    let fd = closed_fd();
    let (m1, m2, m3, m4) = (missing.clone(), missing.clone(), missing.clone(), missing);
    run(vec![
        case(
            "open of a missing name",
            "mq_open",
            move || rsipc::posix_mq::open(&m1, libc::O_RDONLY, 0, None).map(drop),
            // SAFETY: a valid C string; no attributes without O_CREAT.
            move || unsafe { rsipc_mq_open(m2.as_ptr(), libc::O_RDONLY, 0, std::ptr::null()) } == -1,
        ),
        case(
            "unlink of a missing name",
            "mq_unlink",
            move || rsipc::posix_mq::unlink(&m3),
            // SAFETY: a valid C string.
            move || unsafe { rsipc_mq_unlink(m4.as_ptr()) } == -1,
        ),
        case(
            "close of a closed descriptor",
            "mq_close",
            move || rsipc::posix_mq::close(fd),
            move || rsipc_mq_close(fd) == -1,
        ),
        case(
            "receive on a closed descriptor",
            "mq_receive",
            move || rsipc::posix_mq::receive(fd, &mut [0u8; 64], None).map(drop),
            move || {
                let mut buf = [0u8; 64];
                // SAFETY: a valid 64-byte buffer.
                unsafe { rsipc_mq_receive(fd, buf.as_mut_ptr().cast(), 64, std::ptr::null_mut()) == -1 }
            },
        ),
    ]);
}

#[test]
fn sem_errors_agree() {
    use rsipc::posix_sem::{NamedSemaphore, Semaphore};
    let missing = cstr(&unique_name("capi-sem-missing"));
    let (m1, m2, m3, m4) = (missing.clone(), missing.clone(), missing.clone(), missing);
    const MAX: u32 = rsipc::posix_sem::SEM_VALUE_MAX;
    run(vec![
        case(
            "init above SEM_VALUE_MAX",
            "sem_init",
            || Semaphore::new(false, MAX + 1).map(drop),
            || {
                // SAFETY: a sem_t-sized, aligned buffer.
                let mut s: libc::sem_t = unsafe { std::mem::zeroed() };
                // SAFETY: as above.
                unsafe { rsipc_sem_init(&mut s, 0, MAX + 1) == -1 }
            },
        ),
        case(
            "post at SEM_VALUE_MAX",
            "sem_post",
            || Semaphore::new(false, MAX)?.post(),
            || {
                // SAFETY: a sem_t-sized, aligned buffer, initialised first.
                let mut s: libc::sem_t = unsafe { std::mem::zeroed() };
                // SAFETY: as above.
                unsafe { rsipc_sem_init(&mut s, 0, MAX) == 0 && rsipc_sem_post(&mut s) == -1 }
            },
        ),
        case(
            "trywait at 0",
            "sem_trywait",
            || Semaphore::new(false, 0)?.try_wait(),
            || {
                // SAFETY: a sem_t-sized, aligned buffer, initialised first.
                let mut s: libc::sem_t = unsafe { std::mem::zeroed() };
                // SAFETY: as above.
                unsafe { rsipc_sem_init(&mut s, 0, 0) == 0 && rsipc_sem_trywait(&mut s) == -1 }
            },
        ),
        case(
            "open of a missing name",
            "sem_open",
            move || NamedSemaphore::open(&m1, 0, 0, 0).map(drop),
            // SAFETY: a valid C string.
            move || unsafe { rsipc_sem_open(m2.as_ptr(), 0, 0, 0) } == libc::SEM_FAILED,
        ),
        case(
            "unlink of a missing name",
            "sem_unlink",
            move || rsipc::posix_sem::unlink(&m3),
            // SAFETY: a valid C string.
            move || unsafe { rsipc_sem_unlink(m4.as_ptr()) } == -1,
        ),
    ]);
}

#[test]
fn sysv_sem_errors_agree() {
    let removed = rsipc::sysv_sem::semget(libc::IPC_PRIVATE, 1, 0o600).unwrap();
    rsipc::sysv_sem::ipc_rmid(removed).unwrap();
    // SAFETY: semget with no flags creates nothing.
    let key = missing_key(|k| unsafe { libc::semget(k, 0, 0) } != -1 || errno() != libc::ENOENT);
    run(vec![
        case(
            "semget of a missing key",
            "semget",
            move || rsipc::sysv_sem::semget(key, 1, 0).map(drop),
            move || rsipc_semget(key, 1, 0) == -1,
        ),
        case(
            "semop on id -1",
            "semop",
            || rsipc::sysv_sem::semop(-1, &[libc::sembuf { sem_num: 0, sem_op: 1, sem_flg: 0 }]),
            || {
                let mut op = libc::sembuf { sem_num: 0, sem_op: 1, sem_flg: 0 };
                // SAFETY: one valid sembuf.
                unsafe { rsipc_semop(-1, &mut op, 1) == -1 }
            },
        ),
        case(
            "GETVAL on id -1",
            "semctl",
            || rsipc::sysv_sem::getval(-1, 0).map(drop),
            // SAFETY: GETVAL reads no argument.
            || unsafe { rsipc_semctl(-1, 0, libc::GETVAL, 0) } == -1,
        )
        .own_words(),
        case(
            "GETVAL of a removed set's id",
            "semctl",
            move || rsipc::sysv_sem::getval(removed, 0).map(drop),
            // SAFETY: GETVAL reads no argument.
            move || unsafe { rsipc_semctl(removed, 0, libc::GETVAL, 0) } == -1,
        ),
        case(
            "IPC_RMID of id -1",
            "semctl",
            || rsipc::sysv_sem::ipc_rmid(-1),
            // SAFETY: IPC_RMID reads no argument.
            || unsafe { rsipc_semctl(-1, 0, libc::IPC_RMID, 0) } == -1,
        )
        .own_words(),
    ]);
}

#[test]
fn chan_errors_agree() {
    use rsipc::chan::Chan;
    let missing = cstr(&unique_name("capi-chan-missing"));
    let (m1, m2, m3, m4) = (missing.clone(), missing.clone(), missing.clone(), missing);
    run(vec![
        case(
            "open of a missing name",
            "chan_open",
            move || Chan::open(&m1).map(drop),
            // SAFETY: a valid C string.
            move || unsafe { rsipc_chan_open(m2.as_ptr()) }.is_null(),
        ),
        case(
            "unlink of a missing name",
            "chan_unlink",
            move || rsipc::chan::unlink(&m3),
            // SAFETY: a valid C string.
            move || unsafe { rsipc_chan_unlink(m4.as_ptr()) } == -1,
        ),
        case(
            "create with max_msg 0",
            "chan_create",
            || Chan::create(None, 0, 4096, 0o600).map(drop),
            // SAFETY: NULL is an anonymous channel's name.
            || unsafe { rsipc_chan_create(std::ptr::null(), 0, 4096, 0o600) }.is_null(),
        ),
    ]);
}
