//! POSIX objects and channels: the files of `/dev/shm` (shared memory,
//! `sem.NAME` named semaphores, rsipc channels) and of the mqueue file
//! system, where one is mounted.

#![deny(unsafe_code)]

use std::fs::{self, File, Metadata, OpenOptions};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::procs::{alive, Scan};
use super::{Cause, ChanInfo, Kind, Object, State};

/// glibc's directory of POSIX shared memory and named semaphores.
pub(crate) const SHM_DIR: &str = "/dev/shm";

/// An object before it is judged, with what the judgement needs.
pub(crate) struct Raw {
    pub object: Object,
    /// A queue's `NOTIFY_PID`.
    pub notify_pid: i32,
    /// A channel's live members, or `None` if its locks could not be asked.
    pub members: Option<u32>,
}

/// Opens `path` to read it without following a link, blocking, or
/// touching a FIFO's peer.
pub(crate) fn open_quietly(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC).open(path)
}

fn blank(kind: Kind, name: String, m: &Metadata) -> Object {
    Object {
        kind,
        name: Some(name),
        key: None,
        id: None,
        uid: m.uid(),
        gid: m.gid(),
        mode: m.mode() & 0o777,
        size: Some(m.size()),
        count: None,
        cpid: None,
        lpid: None,
        lrpid: None,
        nattch: None,
        atime: Some(m.atime()),
        mtime: Some(m.mtime()),
        ctime: Some(m.ctime()),
        dev: Some(m.dev()),
        ino: Some(m.ino()),
        users: Vec::new(),
        state: State::Unknown(Cause::NotReadable),
        chan: None,
    }
}

/// Looks at one `/dev/shm` file: a named semaphore, a channel or plain
/// shared memory.
pub(crate) fn shm_entry(dir: &Path, file_name: &str) -> Option<Raw> {
    let path = dir.join(file_name);
    let m = fs::symlink_metadata(&path).ok()?;
    if !m.file_type().is_file() {
        return None;
    }
    if let Some(sem) = file_name.strip_prefix("sem.") {
        return Some(Raw { object: blank(Kind::PosixSem, format!("/{sem}"), &m), notify_pid: 0, members: None });
    }
    let mut raw = Raw { object: blank(Kind::PosixShm, format!("/{file_name}"), &m), notify_pid: 0, members: None };
    // Whether it is a channel: its header, read through a descriptor that
    // is checked to be the file just listed.
    if let Ok(file) = open_quietly(&path) {
        if let Ok(fm) = file.metadata() {
            if fm.dev() == m.dev() && fm.ino() == m.ino() {
                if let Ok(Some(look)) = crate::chan::inspect::look(&file, fm.size()) {
                    let members = crate::chan::inspect::live_members(&file).ok();
                    raw.object.kind = Kind::Chan;
                    raw.object.chan = Some(ChanInfo {
                        capacity: look.capacity,
                        max_msg: look.max_msg,
                        queued: look.queued,
                        sent: look.sent,
                        received: look.received,
                        lost: look.lost,
                        members: members.unwrap_or(0),
                    });
                    raw.members = members;
                }
            }
        }
    }
    Some(raw)
}

/// Where the mqueue file system is mounted in this mount namespace, from
/// `/proc/self/mountinfo`.
pub(crate) fn mqueue_mount() -> Option<PathBuf> {
    let info = fs::read_to_string("/proc/self/mountinfo").ok()?;
    for line in info.lines() {
        let (before, after) = line.split_once(" - ")?;
        if after.split_whitespace().next() == Some("mqueue") {
            let point = before.split_whitespace().nth(4)?;
            return Some(PathBuf::from(unescape(point)));
        }
    }
    None
}

/// mountinfo's `\NNN` octal escapes (space, tab, newline, backslash).
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 3 < b.len() && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c)) {
            out.push((b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0'));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Looks at one queue of the mqueue file system mounted at `dir`.
pub(crate) fn mq_entry(dir: &Path, file_name: &str) -> Option<Raw> {
    let path = dir.join(file_name);
    let m = fs::symlink_metadata(&path).ok()?;
    if !m.file_type().is_file() {
        return None;
    }
    let mut raw = Raw { object: blank(Kind::PosixMq, format!("/{file_name}"), &m), notify_pid: 0, members: None };
    // "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d"
    raw.object.size = None;
    if let Ok(text) = fs::read_to_string(&path) {
        for field in text.split_whitespace() {
            if let Some(v) = field.strip_prefix("QSIZE:") {
                raw.object.size = v.parse().ok();
            } else if let Some(v) = field.strip_prefix("NOTIFY_PID:") {
                raw.notify_pid = v.parse().unwrap_or(0);
            }
        }
    }
    Some(raw)
}

/// Every POSIX object and channel this process can list.
pub(crate) fn collect(notes: &mut Vec<String>) -> Vec<Raw> {
    let mut out = Vec::new();
    match fs::read_dir(SHM_DIR) {
        Ok(dir) => {
            for entry in dir.flatten() {
                let Some(name) = entry.file_name().to_str().map(str::to_owned) else { continue };
                out.extend(shm_entry(Path::new(SHM_DIR), &name));
            }
        }
        Err(e) => notes.push(format!(
            "{SHM_DIR} could not be read ({e}): POSIX shared memory, named semaphores and channels are not listed"
        )),
    }
    match mqueue_mount() {
        Some(dir) => match fs::read_dir(&dir) {
            Ok(entries) => {
                for entry in entries.flatten() {
                    let Some(name) = entry.file_name().to_str().map(str::to_owned) else { continue };
                    out.extend(mq_entry(&dir, &name));
                }
            }
            Err(e) => notes.push(format!(
                "the mqueue file system at {} could not be read ({e}): POSIX message queues are not listed",
                dir.display()
            )),
        },
        None => notes.push(
            "no mqueue file system is mounted in this mount namespace: POSIX message queues are not listed \
             (the kernel offers no other way to enumerate them); mount one with \
             `mkdir -p /dev/mqueue && mount -t mqueue none /dev/mqueue` as root, then list again"
                .to_owned(),
        ),
    }
    out
}

/// Judges a POSIX object or channel by the processes that use it.
///
/// * Channel: in use while a member lock is held or a visible process has
///   it open or mapped; stale otherwise (every rsipc user holds a member
///   lock, which the kernel drops when it dies, so processes hidden from
///   this one do not leave the question open); unknown if the locks could
///   not be asked.
/// * Shared memory, named semaphore, queue: in use while a visible process
///   has it open or mapped (or, for a queue, is registered for its
///   notification); stale only if every process could be inspected.
pub(crate) fn judge(raw: &mut Raw, scan: &Scan) {
    let o = &mut raw.object;
    let (dev, ino) = (o.dev.unwrap_or(0), o.ino.unwrap_or(0));
    o.users = scan.users_of(dev, ino);
    let notify_alive = raw.notify_pid > 0 && alive(raw.notify_pid) == Some(true);
    if notify_alive && !o.users.contains(&raw.notify_pid) {
        o.users.push(raw.notify_pid);
        o.users.sort_unstable();
    }
    o.state = if o.kind == Kind::Chan {
        match raw.members {
            Some(n) if n > 0 => State::InUse(Cause::Members),
            _ if !o.users.is_empty() => State::InUse(Cause::OpenOrMapped),
            None => State::Unknown(Cause::NotReadable),
            Some(_) if !scan.proc_mounted => State::Unknown(Cause::PidNotVisible),
            Some(_) => State::Stale(Cause::NoMember),
        }
    } else if notify_alive && scan.users_of(dev, ino).is_empty() {
        State::InUse(Cause::NotifyRegistered)
    } else if !o.users.is_empty() {
        State::InUse(Cause::OpenOrMapped)
    } else if !scan.proc_mounted {
        State::Unknown(Cause::PidNotVisible)
    } else if scan.hidden > 0 {
        State::Unknown(Cause::HiddenProcesses)
    } else {
        State::Stale(Cause::NoUser)
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_escapes_are_undone() {
        assert_eq!(unescape(r"/dev/my\040queues"), "/dev/my queues");
        assert_eq!(unescape(r"/a\\b"), r"/a\\b");
        assert_eq!(unescape("/dev/mqueue"), "/dev/mqueue");
    }
}
