//! Who is alive and what they hold: `/proc/*/fd` and `/proc/*/maps`, read
//! where this process may read them.

#![deny(unsafe_code)]

use std::collections::HashMap;
use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::MetadataExt;

use super::Object;

/// `PF_KTHREAD` in `/proc/PID/stat`'s flags: kernel threads use no IPC
/// object, and their descriptors are unreadable to non-root users.
const PF_KTHREAD: u64 = 0x0020_0000;

/// What a scan of `/proc` found.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// `(dev, ino)` of a file → pids that have it open or mapped.
    pub files: HashMap<(u64, u64), Vec<i32>>,
    /// System V segment id → pids that have it attached (`/SYSV...` maps).
    pub sysv_shm: HashMap<i32, Vec<i32>>,
    /// User processes whose descriptors or maps could not be read.
    pub hidden: u32,
    /// Whether `/proc` could be listed at all.
    pub proc_mounted: bool,
}

impl Scan {
    /// Live pids that have the file `(dev, ino)` open or mapped.
    pub fn users_of(&self, dev: u64, ino: u64) -> Vec<i32> {
        self.files.get(&(dev, ino)).cloned().unwrap_or_default()
    }
}

/// The Linux `dev_t` encoding of `major:minor` (as `st_dev` carries it).
pub(crate) fn makedev(major: u64, minor: u64) -> u64 {
    ((major & 0xffff_f000) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffff_ff00) << 12) | (minor & 0xff)
}

/// One process's state letter and flags from `/proc/PID/stat`.
fn stat_of(pid: &str) -> Option<(char, u64)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (in parentheses) may hold anything: fields follow
    // the last ')'.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    let flags = fields.get(6)?.parse().ok()?;
    Some((state, flags))
}

/// Whether process `pid` (of this pid namespace) is alive: `Some(false)` if
/// it does not exist or is a zombie (dead, not yet waited for), `None` if
/// that cannot be told (no `/proc`).
pub(crate) fn alive(pid: i32) -> Option<bool> {
    if pid <= 0 {
        return Some(false);
    }
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(text) => {
            let state = text.rfind(')').and_then(|i| text[i + 1..].split_whitespace().next());
            Some(!matches!(state, Some("Z") | Some("X") | Some("x")))
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {
            // No /proc at all tells nothing.
            if fs::metadata("/proc/self").is_ok() {
                Some(false)
            } else {
                None
            }
        }
        Err(_) => None,
    }
}

fn push(map: &mut HashMap<(u64, u64), Vec<i32>>, key: (u64, u64), pid: i32) {
    let v = map.entry(key).or_default();
    if !v.contains(&pid) {
        v.push(pid);
    }
}

/// Reads every process's open files and mappings.
pub(crate) fn scan() -> Scan {
    let mut scan = Scan::default();
    let dir = match fs::read_dir("/proc") {
        Ok(d) => d,
        Err(_) => return scan,
    };
    scan.proc_mounted = fs::metadata("/proc/self/stat").is_ok();
    for entry in dir.flatten() {
        let name = entry.file_name();
        let Some(pid_str) = name.to_str() else { continue };
        let Ok(pid) = pid_str.parse::<i32>() else { continue };
        match stat_of(pid_str) {
            None => continue, // gone meanwhile
            Some((state, flags)) => {
                if flags & PF_KTHREAD != 0 || state == 'Z' || state == 'X' {
                    continue;
                }
            }
        }
        let mut hidden = false;
        match fs::read_dir(format!("/proc/{pid}/fd")) {
            Ok(fds) => {
                for fd in fds.flatten() {
                    let Ok(target) = fs::read_link(fd.path()) else { continue };
                    // Sockets, pipes and anonymous inodes are not paths.
                    if !target.as_os_str().as_encoded_bytes().starts_with(b"/") {
                        continue;
                    }
                    if let Ok(m) = fs::metadata(fd.path()) {
                        push(&mut scan.files, (m.dev(), m.ino()), pid);
                    }
                }
            }
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(_) => hidden = true,
        }
        match fs::read_to_string(format!("/proc/{pid}/maps")) {
            Ok(maps) => {
                for line in maps.lines() {
                    parse_map_line(line, pid, &mut scan);
                }
            }
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(_) => hidden = true,
        }
        // A process that ended during the look hides nothing.
        if hidden && fs::metadata(format!("/proc/{pid}/stat")).is_ok() {
            scan.hidden += 1;
        }
    }
    for v in scan.files.values_mut().chain(scan.sysv_shm.values_mut()) {
        v.sort_unstable();
        v.dedup();
    }
    scan
}

/// `start-end perms offset major:minor inode path`
fn parse_map_line(line: &str, pid: i32, scan: &mut Scan) {
    let mut fields = line.split_ascii_whitespace();
    let (Some(_), Some(_), Some(_), Some(dev), Some(ino)) =
        (fields.next(), fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return;
    };
    let Ok(ino) = ino.parse::<u64>() else { return };
    if ino == 0 {
        return;
    }
    let path = fields.next().unwrap_or("");
    if path.starts_with("/SYSV") {
        // A System V segment: its inode number is its id.
        if let Ok(id) = i32::try_from(ino) {
            let v = scan.sysv_shm.entry(id).or_default();
            if !v.contains(&pid) {
                v.push(pid);
            }
        }
        return;
    }
    let Some((major, minor)) = dev.split_once(':') else { return };
    let (Ok(major), Ok(minor)) = (u64::from_str_radix(major, 16), u64::from_str_radix(minor, 16)) else {
        return;
    };
    push(&mut scan.files, (makedev(major, minor), ino), pid);
}

/// This process's credentials, for "what may the caller see".
pub(crate) struct Me {
    euid: u32,
    groups: Vec<u32>,
}

impl Me {
    pub fn get() -> Me {
        let euid = crate::sys::objects::euid();
        let mut groups = Vec::new();
        if let Ok(status) = fs::read_to_string("/proc/self/status") {
            for line in status.lines() {
                if let Some(rest) = line.strip_prefix("Gid:") {
                    // real, effective, saved, fs: the effective one.
                    if let Some(g) = rest.split_whitespace().nth(1).and_then(|g| g.parse().ok()) {
                        groups.push(g);
                    }
                } else if let Some(rest) = line.strip_prefix("Groups:") {
                    groups.extend(rest.split_whitespace().filter_map(|g| g.parse::<u32>().ok()));
                }
            }
        }
        Me { euid, groups }
    }

    /// Root sees everything; others see their own objects and those whose
    /// mode lets them read (through their groups or for everyone).
    pub fn may_see(&self, obj: &Object) -> bool {
        self.euid == 0
            || obj.uid == self.euid
            || obj.mode & 0o004 != 0
            || (obj.mode & 0o040 != 0 && self.groups.contains(&obj.gid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makedev_matches_the_kernel_encoding() {
        let m = fs::metadata("/proc/self/exe").unwrap();
        // Whatever device the executable lives on, splitting and joining
        // its number gives it back.
        let dev = m.dev();
        let major = ((dev >> 32) & 0xffff_f000) | ((dev >> 8) & 0xfff);
        let minor = ((dev >> 12) & 0xffff_ff00) | (dev & 0xff);
        assert_eq!(makedev(major, minor), dev);
    }

    #[test]
    fn this_process_is_alive_and_seen_holding_its_file() {
        assert_eq!(alive(std::process::id() as i32), Some(true));
        let path = format!("/dev/shm/rsipc-procs-{}", std::process::id());
        let file = fs::File::create(&path).unwrap();
        let m = file.metadata().unwrap();
        let scan = scan();
        fs::remove_file(&path).unwrap();
        assert!(scan.users_of(m.dev(), m.ino()).contains(&(std::process::id() as i32)));
    }
}
