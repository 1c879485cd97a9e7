//! Named semaphores (`sem_open(3)`, `sem_close(3)`, `sem_unlink(3)`): the
//! file `/dev/shm/sem.NAME` that glibc uses, holding one 32-byte `sem_t`,
//! mapped `MAP_SHARED`.
//!
//! * Names follow glibc: leading slashes are skipped; what remains must be
//!   non-empty, contain no `/` and be at most `NAME_MAX` bytes (`EINVAL`).
//! * Creation is atomic, so no process ever sees a half-initialised
//!   semaphore: the initialised `sem_t` is written to an unnamed file
//!   (`O_TMPFILE` in /dev/shm) or, where that is unavailable, to a temporary
//!   name (glibc's way), and only then linked to the final name; `link`
//!   never replaces an existing name, so `O_CREAT|O_EXCL` reports `EEXIST`
//!   and plain `O_CREAT` opens the winner's semaphore instead.
//! * The name is opened `O_NOFOLLOW`: a symbolic link there is `ELOOP`.
//! * The same file opened twice in one process gives the same pointer; a
//!   process-wide table (keyed by device and inode) counts the opens, and
//!   the last `sem_close` unmaps. The table's lock is held only for
//!   `sem_open`/`sem_close`, never by post or wait, and is made fork-safe
//!   with `pthread_atfork` handlers (a [`ForkGate`]).
//!
//! Flags other than `O_CREAT` and `O_EXCL` are ignored (glibc passes them to
//! `open`, where `O_TRUNC` would destroy the semaphore).

use std::ffi::{CStr, CString};
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard, Once, PoisonError};

use crate::error::{Error, Result};
use crate::sys::fs::{self, NAME_MAX};
use crate::sys::futex::{SemMap, Semaphore};
use crate::sys::process::{self, ForkGate, GateHeld};
use crate::sys::shm::SHM_DIR;
use crate::sys::{self};

use super::{check_initial_value, PRIVATE_WORD_SHARED};

/// The prefix glibc gives their file names (in `SHM_DIR`, where glibc
/// keeps named semaphores; names are at most `NAME_MAX` bytes after their
/// leading slashes).
const SEM_PREFIX: &str = "sem.";
/// glibc gives up after this many taken temporary names.
const TEMP_NAME_TRIES: usize = 50;
/// Rounds of "open failed with ENOENT, create failed with EEXIST" (another
/// process creating and removing the name at the same time) before giving up.
const OPEN_ROUNDS: usize = 100;

/// One named semaphore mapped in this process.
struct Entry {
    dev: u64,
    ino: u64,
    /// sem_open calls not yet matched by sem_close.
    opens: usize,
    map: Arc<SemMap>,
}

/// Taken only while [`GATE`] is closed.
static TABLE: Mutex<Vec<Entry>> = Mutex::new(Vec::new());

/// Closed while the table is in use, and by the forking thread from the
/// prepare handler until the parent and child handlers, so no other thread
/// is using it (and no entry is half-updated) at the instant the child is
/// created.
static GATE: ForkGate = ForkGate::new();

extern "C" fn close_gate_before_fork() {
    GATE.close();
}

/// After `fork`, in the parent and in the child.
extern "C" fn open_gate_after_fork() {
    GATE.open();
}

/// The table, in use until the value is dropped.
struct Table {
    // Dropped in this order: the mutex, then the gate.
    list: MutexGuard<'static, Vec<Entry>>,
    _gate: GateHeld<'static>,
}

impl Deref for Table {
    type Target = Vec<Entry>;
    fn deref(&self) -> &Vec<Entry> {
        &self.list
    }
}

impl DerefMut for Table {
    fn deref_mut(&mut self) -> &mut Vec<Entry> {
        &mut self.list
    }
}

fn table() -> Table {
    static FORK_HANDLERS: Once = Once::new();
    // Registration only fails for lack of memory; the table then works as
    // before, only without the fork guarantee.
    FORK_HANDLERS.call_once(|| {
        let _ = process::atfork(close_gate_before_fork, open_gate_after_fork, open_gate_after_fork);
    });
    let _gate = GATE.hold();
    Table { list: TABLE.lock().unwrap_or_else(PoisonError::into_inner), _gate }
}

/// An open named semaphore: one `sem_open` of this process, closed by
/// [`close`](Self::close) or when dropped. Dereferences to the
/// [`Semaphore`].
pub struct NamedSemaphore {
    map: Arc<SemMap>,
    /// Whether dropping this handle still owes the table a close.
    counted: bool,
}

impl NamedSemaphore {
    /// `sem_open(3)`: opens the semaphore `name`; with `O_CREAT` creates it
    /// (file mode `mode`, less the umask; initial value `value`) if it does
    /// not exist, with `O_CREAT|O_EXCL` only creates it.
    ///
    /// Errors: `EINVAL` for a bad name or (when creating) `value >
    /// SEM_VALUE_MAX`; `ENOENT` without `O_CREAT` when there is no such
    /// semaphore; `EEXIST` with `O_CREAT|O_EXCL` when there is; `ELOOP` for
    /// a symbolic link at the name; `EACCES`, `ENAMETOOLONG`, `EMFILE`,
    /// `ENFILE`, `ENOSPC`, `ENOMEM` as `open`/`mmap` give them.
    pub fn open(name: &CStr, oflag: i32, mode: libc::mode_t, value: u32) -> Result<NamedSemaphore> {
        let path = sem_path(name)?;
        let create = oflag & libc::O_CREAT != 0;
        let exclusive = create && oflag & libc::O_EXCL != 0;
        for _ in 0..OPEN_ROUNDS {
            if !exclusive {
                match fs::openat(libc::AT_FDCWD, &path, libc::O_RDWR | libc::O_NOFOLLOW | libc::O_CLOEXEC, 0) {
                    Ok(fd) => return attach(&fd, None),
                    Err(e) if create && e.errno() == libc::ENOENT => {}
                    Err(e) => return Err(explain_open(e)),
                }
            }
            match create_file(&path, mode, value) {
                Ok((fd, map)) => return attach(&fd, Some(map)),
                // Someone else created it first: open theirs.
                Err(e) if !exclusive && e.errno() == libc::EEXIST => continue,
                Err(e) => return Err(explain_open(e)),
            }
        }
        Err(Error::new(libc::EAGAIN, "other processes kept creating and removing the name; try again"))
    }

    /// `sem_close(3)`: this open's share of the mapping is released; the
    /// last close in the process unmaps it.
    pub fn close(mut self) -> Result<()> {
        self.counted = false;
        close_addr(self.map.addr())
    }

    /// The address C callers use as `sem_t *`; the table keeps the open
    /// counted until `close_addr` is called with it.
    pub(crate) fn into_raw(mut self) -> *mut libc::sem_t {
        self.counted = false;
        self.map.addr() as *mut libc::sem_t
    }
}

impl std::fmt::Debug for NamedSemaphore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NamedSemaphore")
            .field("addr", &(self.map.addr() as *const u8))
            .field("sem", self.map.sem())
            .finish()
    }
}

impl Deref for NamedSemaphore {
    type Target = Semaphore;
    fn deref(&self) -> &Semaphore {
        self.map.sem()
    }
}

impl Drop for NamedSemaphore {
    fn drop(&mut self) {
        if self.counted {
            let _ = close_addr(self.map.addr());
        }
    }
}

/// `sem_close(3)` for the `sem_t *` a C caller got from `sem_open`: `EINVAL`
/// if this process has no open named semaphore at that address.
pub(crate) fn close_addr(addr: usize) -> Result<()> {
    let released = {
        let mut table = table();
        let Some(i) = table.iter().position(|e| e.map.addr() == addr) else {
            return Err(Error::new(
                libc::EINVAL,
                "not a named semaphore open in this process (never opened with sem_open, or already closed)",
            ));
        };
        table[i].opens -= 1;
        if table[i].opens == 0 {
            Some(table.swap_remove(i))
        } else {
            None
        }
    };
    // Unmapped (when no Rust handle shares it) outside the lock.
    drop(released);
    Ok(())
}

/// `sem_unlink(3)`: removes the name; processes that have the semaphore
/// open keep using it. A bad name is `ENOENT` (as glibc); `EPERM` from the
/// file system is reported as `EACCES` (as glibc).
pub fn unlink(name: &CStr) -> Result<()> {
    let path = sem_path(name).map_err(|e| Error::new(libc::ENOENT, *e.reason()))?;
    fs::unlink(&path).map_err(|e| match e.errno() {
        libc::ENOENT => e.because("there is no semaphore with this name"),
        libc::EPERM | libc::EACCES => Error::new(libc::EACCES, "no permission to remove the name from /dev/shm"),
        _ => e,
    })
}

/// The longest semaphore path: `/dev/shm/sem.` + `NAME_MAX` bytes + NUL.
const PATH_CAP: usize = SHM_DIR.len() + SEM_PREFIX.len() + NAME_MAX + 1;

/// A semaphore's file path, `/dev/shm/sem.NAME`, built in place (as glibc
/// builds it on the stack): `sem_open` allocates nothing for it.
struct SemPath {
    buf: [u8; PATH_CAP],
    /// Bytes used, the terminating NUL included.
    len: usize,
}

impl std::fmt::Debug for SemPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl Deref for SemPath {
    type Target = CStr;
    fn deref(&self) -> &CStr {
        // The buffer holds the path and its NUL, and no NUL before it (the
        // name came from a C string), so this never fails.
        CStr::from_bytes_until_nul(&self.buf[..self.len]).unwrap_or_default()
    }
}

/// `/dev/shm/sem.NAME` for `name`, under glibc's rules.
fn sem_path(name: &CStr) -> Result<SemPath> {
    let bytes = name.to_bytes();
    let rest = &bytes[bytes.iter().take_while(|&&b| b == b'/').count()..];
    if rest.is_empty() {
        return Err(Error::new(libc::EINVAL, "the name is empty (a name is \"/something\")"));
    }
    if rest.contains(&b'/') {
        return Err(Error::new(libc::EINVAL, "the name contains a '/' after its leading slash"));
    }
    if rest.len() > NAME_MAX {
        return Err(Error::new(
            libc::EINVAL,
            reason!("the name is {} bytes long; at most {} are allowed", rest.len(), NAME_MAX),
        ));
    }
    let mut path = SemPath { buf: [0; PATH_CAP], len: 0 };
    for part in [SHM_DIR.as_bytes(), SEM_PREFIX.as_bytes(), rest, b"\0"] {
        path.buf[path.len..path.len + part.len()].copy_from_slice(part);
        path.len += part.len();
    }
    Ok(path)
}

fn explain_open(e: Error) -> Error {
    match e.errno() {
        libc::ENOENT => e.because("there is no semaphore with this name (create it with O_CREAT)"),
        libc::EEXIST => e.because("a semaphore with this name already exists (O_CREAT|O_EXCL)"),
        libc::ELOOP => e.because("the name is a symbolic link, which sem_open never follows"),
        libc::EACCES => e.because("permission denied on the semaphore's file in /dev/shm"),
        libc::ENAMETOOLONG => e.because("the name is too long for the file system (/dev/shm/sem.NAME)"),
        libc::EMFILE => e.because("this process has no free file descriptor (RLIMIT_NOFILE)"),
        libc::ENFILE => e.because("the system-wide limit on open files was reached"),
        libc::ENOSPC => e.because("/dev/shm is full"),
        _ => e,
    }
}

/// Adds an opened semaphore file to the table (or finds it there) and
/// returns a handle counting one open. `existing` is the mapping the
/// creator already made.
fn attach(fd: &sys::Fd, existing: Option<SemMap>) -> Result<NamedSemaphore> {
    use std::os::fd::AsRawFd;
    let st = sys::fstat(fd.as_raw_fd())?;
    if st.st_mode & libc::S_IFMT != libc::S_IFREG || (st.st_size as u64) < std::mem::size_of::<Semaphore>() as u64 {
        // Mapping a shorter file would crash (SIGBUS) at the first use.
        return Err(Error::new(
            libc::EINVAL,
            reason!("the file is not a semaphore ({} bytes, a sem_t needs 32)", st.st_size),
        ));
    }
    let (dev, ino) = (st.st_dev, st.st_ino);
    let mut table = table();
    if let Some(entry) = table.iter_mut().find(|e| e.dev == dev && e.ino == ino) {
        entry.opens += 1;
        // A mapping of our own (we created the file but another thread
        // attached first) is dropped, i.e. unmapped.
        return Ok(NamedSemaphore { map: entry.map.clone(), counted: true });
    }
    let map = match existing {
        Some(map) => map,
        None => SemMap::map(fd)?,
    };
    let map = Arc::new(map);
    table.push(Entry { dev, ino, opens: 1, map: map.clone() });
    Ok(NamedSemaphore { map, counted: true })
}

/// The 32 bytes of a fresh named semaphore, as glibc's sem_open writes
/// them: value `value`, no waiters, shared futexes, the rest zero.
fn initial_bytes(value: u32) -> [u8; 32] {
    let mut b = [0u8; 32];
    b[..8].copy_from_slice(&u64::from(value).to_ne_bytes());
    b[8..12].copy_from_slice(&PRIVATE_WORD_SHARED.to_ne_bytes());
    b
}

/// Creates the semaphore file at `path` atomically; `EEXIST` if the name is
/// taken. Returns the open file and its mapping.
///
/// The file is first prepared without a name (`O_TMPFILE`: nothing is left
/// behind if the process dies half-way), falling back to glibc's way, a
/// random temporary name, where `O_TMPFILE` or /proc is unavailable.
fn create_file(path: &CStr, mode: libc::mode_t, value: u32) -> Result<(sys::Fd, SemMap)> {
    check_initial_value(value)?;
    match create_unnamed(path, mode, value) {
        Err(e) if unnamed_unsupported(&e) => create_via_temp_name(path, mode, value),
        other => other,
    }
}

/// Errors that mean "O_TMPFILE or /proc/self/fd cannot be used here", not
/// "the semaphore cannot be created".
fn unnamed_unsupported(e: &Error) -> bool {
    matches!(e.errno(), libc::EOPNOTSUPP | libc::EISDIR | libc::EINVAL | libc::ENOENT)
}

fn create_unnamed(path: &CStr, mode: libc::mode_t, value: u32) -> Result<(sys::Fd, SemMap)> {
    let dir = CString::new(SHM_DIR).map_err(|_| Error::from_errno(libc::EINVAL))?;
    let fd = fs::openat(libc::AT_FDCWD, &dir, libc::O_TMPFILE | libc::O_RDWR | libc::O_CLOEXEC, mode)?;
    reserve(&fd)?;
    write_initial(&fd, value)?;
    let map = SemMap::map(&fd)?;
    fs::link_fd(&fd, path)?;
    Ok((fd, map))
}

fn create_via_temp_name(path: &CStr, mode: libc::mode_t, value: u32) -> Result<(sys::Fd, SemMap)> {
    let (tmp, fd) = open_temp_name(mode)?;
    let made = reserve(&fd)
        .and_then(|()| write_initial(&fd, value))
        .and_then(|()| SemMap::map(&fd))
        .and_then(|map| fs::link(&tmp, path).map(|()| map));
    // The temporary name goes in every case (this never fails for a file we
    // just created, short of someone else removing it first).
    let _ = fs::unlink(&tmp);
    made.map(|map| (fd, map))
}

/// Opens a new file `/dev/shm/sem.XXXXXX` with a random suffix, retrying
/// taken names like glibc (`EAGAIN` after 50).
fn open_temp_name(mode: libc::mode_t) -> Result<(CString, sys::Fd)> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for _ in 0..TEMP_NAME_TRIES {
        let mut random = [0u8; 6];
        process::random_bytes(&mut random)?;
        let suffix: String = random.iter().map(|&b| ALPHABET[b as usize % ALPHABET.len()] as char).collect();
        let tmp =
            CString::new(format!("{SHM_DIR}{SEM_PREFIX}{suffix}")).map_err(|_| Error::from_errno(libc::EINVAL))?;
        match fs::openat(
            libc::AT_FDCWD,
            &tmp,
            libc::O_RDWR | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            mode,
        ) {
            Ok(fd) => return Ok((tmp, fd)),
            Err(e) if e.errno() == libc::EEXIST => continue,
            Err(e) => return Err(e),
        }
    }
    Err(Error::new(libc::EAGAIN, "no free temporary name in /dev/shm after 50 tries"))
}

/// Reserves the semaphore's page in its new file (`fallocate(2)`): a full
/// `/dev/shm` is `ENOSPC` from `sem_open`, never a `SIGBUS` at a later
/// post or wait. (The `write` of the initial bytes would allocate the page
/// too; reserving first says so explicitly and does not depend on it.)
fn reserve(fd: &sys::Fd) -> Result<()> {
    use std::os::fd::AsRawFd;
    sys::fs::reserve(fd.as_raw_fd(), std::mem::size_of::<libc::sem_t>() as u64, true)
        .map_err(|e| e.explain(libc::ENOSPC, "no room left in /dev/shm for the semaphore's file"))
}

fn write_initial(fd: &sys::Fd, value: u32) -> Result<()> {
    use std::os::fd::AsRawFd;
    let bytes = initial_bytes(value);
    let mut done = 0;
    while done < bytes.len() {
        match sys::write(fd.as_raw_fd(), &bytes[done..]) {
            Ok(0) => return Err(Error::new(libc::EIO, "could not write the semaphore's file")),
            Ok(n) => done += n,
            Err(e) if e.errno() == libc::EINTR => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cname(s: &str) -> CString {
        CString::new(s).unwrap()
    }

    fn unique(tag: &str) -> CString {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        cname(&format!("/rsipc-unit-{}-{tag}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)))
    }

    #[test]
    fn names_map_to_dev_shm_like_glibc() {
        assert_eq!(sem_path(&cname("/abc")).unwrap().to_bytes(), b"/dev/shm/sem.abc");
        assert_eq!(sem_path(&cname("//abc")).unwrap().to_bytes(), b"/dev/shm/sem.abc");
        assert_eq!(sem_path(&cname("abc")).unwrap().to_bytes(), b"/dev/shm/sem.abc");
        for bad in ["", "/", "///", "/a/b", "a/"] {
            assert_eq!(sem_path(&cname(bad)).unwrap_err().errno(), libc::EINVAL, "{bad:?}");
        }
        let longest = sem_path(&cname(&"x".repeat(255))).unwrap();
        assert_eq!(longest.to_bytes().len(), "/dev/shm/sem.".len() + 255);
        assert_eq!(sem_path(&cname(&"x".repeat(256))).unwrap_err().errno(), libc::EINVAL);
    }

    #[test]
    fn initial_bytes_are_glibcs() {
        let b = initial_bytes(3);
        assert_eq!(u64::from_ne_bytes(b[..8].try_into().unwrap()), 3);
        assert_eq!(i32::from_ne_bytes(b[8..12].try_into().unwrap()), 128);
        assert!(b[12..].iter().all(|&x| x == 0));
    }

    #[test]
    fn both_ways_of_creating_make_a_usable_semaphore_and_leave_no_temporary() {
        type Create = fn(&CStr, libc::mode_t, u32) -> Result<(sys::Fd, SemMap)>;
        for (how, create) in [("O_TMPFILE", create_unnamed as Create), ("temporary name", create_via_temp_name)] {
            let name = unique("create");
            let path = sem_path(&name).unwrap();
            let (fd, map) = create(&path, 0o600, 4).unwrap();
            drop(fd);
            assert_eq!(map.sem().value(), 4);
            assert!(map.sem().is_shared());
            let st = std::fs::metadata(path.to_str().unwrap()).unwrap();
            assert_eq!(st.len(), 32);
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(st.permissions().mode() & 0o777, 0o600 & !current_umask());
            assert_eq!(create(&path, 0o600, 0).unwrap_err().errno(), libc::EEXIST, "{how}");
            unlink(&name).unwrap();
        }
    }

    fn current_umask() -> u32 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
        u32::from_str_radix(line.split_whitespace().nth(1).unwrap(), 8).unwrap()
    }

    #[test]
    fn the_same_name_twice_is_one_mapping_with_two_opens() {
        let name = unique("twice");
        let a = NamedSemaphore::open(&name, libc::O_CREAT | libc::O_EXCL, 0o600, 1).unwrap();
        let b = NamedSemaphore::open(&name, 0, 0, 0).unwrap();
        assert_eq!(a.map.addr(), b.map.addr());
        let addr = a.map.addr();
        a.close().unwrap();
        b.post().unwrap();
        assert_eq!(b.value(), 2);
        b.close().unwrap();
        assert_eq!(close_addr(addr).unwrap_err().errno(), libc::EINVAL);
        unlink(&name).unwrap();
    }

    #[test]
    fn unlink_of_a_bad_name_is_enoent() {
        assert_eq!(unlink(&cname("/a/b")).unwrap_err().errno(), libc::ENOENT);
        assert_eq!(unlink(&unique("never")).unwrap_err().errno(), libc::ENOENT);
    }
}
