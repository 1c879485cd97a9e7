//! System V objects, from `/proc/sysvipc/{shm,msg,sem}` (the objects of
//! this process's IPC namespace), and their liveness.

#![deny(unsafe_code)]

use std::collections::HashMap;
use std::fs;

use super::procs::{alive, Scan};
use super::{Cause, Kind, Object, State};

/// The rows of one `/proc/sysvipc` table, as column name → text.
fn table(which: &str, notes: &mut Vec<String>) -> Vec<HashMap<String, String>> {
    let path = format!("/proc/sysvipc/{which}");
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            notes.push(format!("{path} could not be read ({e}): System V objects of this kind are not listed"));
            return Vec::new();
        }
    };
    let mut lines = text.lines();
    let Some(header) = lines.next() else { return Vec::new() };
    let columns: Vec<&str> = header.split_whitespace().collect();
    lines
        .map(|l| columns.iter().map(|c| c.to_string()).zip(l.split_whitespace().map(str::to_owned)).collect())
        .filter(|row: &HashMap<String, String>| row.len() == columns.len())
        .collect()
}

fn int<T: std::str::FromStr>(row: &HashMap<String, String>, col: &str) -> Option<T> {
    row.get(col)?.parse().ok()
}

/// A blank object of `kind` from the columns every table has.
fn base(kind: Kind, row: &HashMap<String, String>, id_col: &str) -> Option<Object> {
    Some(Object {
        kind,
        name: None,
        key: Some(int::<i64>(row, "key")? as i32),
        id: Some(int(row, id_col)?),
        uid: int(row, "uid")?,
        gid: int(row, "gid")?,
        mode: u32::from_str_radix(row.get("perms")?, 8).ok()? & 0o777,
        size: None,
        count: None,
        cpid: None,
        lpid: None,
        lrpid: None,
        nattch: None,
        atime: None,
        mtime: None,
        ctime: int(row, "ctime"),
        dev: None,
        ino: None,
        users: Vec::new(),
        state: State::Unknown(Cause::NotReadable),
        chan: None,
    })
}

/// A time column, where 0 means "never".
fn time(row: &HashMap<String, String>, col: &str) -> Option<i64> {
    int(row, col).filter(|&t: &i64| t != 0)
}

/// Every System V object of this IPC namespace, judged.
pub(crate) fn collect(scan: &Scan, notes: &mut Vec<String>) -> Vec<Object> {
    let mut out = Vec::new();
    for kind in [Kind::SysvShm, Kind::SysvMsg, Kind::SysvSem] {
        out.extend(collect_kind(kind, scan, notes, None));
    }
    out
}

/// The objects of one System V kind (only id `only`, if given), judged.
fn collect_kind(kind: Kind, scan: &Scan, notes: &mut Vec<String>, only: Option<i32>) -> Vec<Object> {
    let (which, id_col) = match kind {
        Kind::SysvShm => ("shm", "shmid"),
        Kind::SysvMsg => ("msg", "msqid"),
        _ => ("sem", "semid"),
    };
    let mut out = Vec::new();
    for row in table(which, notes) {
        let Some(mut o) = base(kind, &row, id_col) else { continue };
        if only.is_some_and(|id| o.id != Some(id)) {
            continue;
        }
        match kind {
            Kind::SysvShm => {
                o.size = int(&row, "size");
                o.cpid = int(&row, "cpid");
                o.lpid = int(&row, "lpid");
                o.nattch = int(&row, "nattch");
                o.atime = time(&row, "atime");
                o.mtime = time(&row, "dtime");
                judge_shm(&mut o, scan);
            }
            Kind::SysvMsg => {
                o.size = int(&row, "cbytes");
                o.count = int(&row, "qnum");
                o.lpid = int(&row, "lspid");
                o.lrpid = int(&row, "lrpid");
                o.atime = time(&row, "stime");
                o.mtime = time(&row, "rtime");
                judge_msg(&mut o);
            }
            _ => {
                o.count = int(&row, "nsems");
                o.atime = time(&row, "otime");
                judge_sem(&mut o);
            }
        }
        out.push(o);
    }
    out
}

/// A segment: in use while attached or while its creator or last
/// attaching process lives; stale when attached by nobody and both are
/// gone; unknown when a pid is not visible (0: another pid namespace).
pub(crate) fn judge_shm(o: &mut Object, scan: &Scan) {
    let id = o.id.unwrap_or(-1);
    let mut users: Vec<i32> = scan.sysv_shm.get(&id).cloned().unwrap_or_default();
    let (cpid, lpid) = (o.cpid.unwrap_or(0), o.lpid.unwrap_or(0));
    let cpid_alive = alive(cpid);
    let lpid_alive = if lpid > 0 { alive(lpid) } else { Some(false) };
    for (pid, a) in [(cpid, cpid_alive), (lpid, lpid_alive)] {
        if a == Some(true) && !users.contains(&pid) {
            users.push(pid);
        }
    }
    users.sort_unstable();
    o.state = if o.nattch.unwrap_or(1) > 0 {
        State::InUse(Cause::Attached)
    } else if cpid_alive == Some(true) {
        State::InUse(Cause::CreatorAlive)
    } else if lpid_alive == Some(true) {
        State::InUse(Cause::LastUserAlive)
    } else if cpid <= 0 || cpid_alive.is_none() || lpid_alive.is_none() {
        State::Unknown(Cause::PidNotVisible)
    } else {
        State::Stale(Cause::NobodyAttachedCreatorGone)
    };
    o.users = users;
}

/// A queue: the kernel keeps no creator pid, only the last sender and
/// receiver. In use while either lives; stale only when both are recorded
/// and both are gone; unknown otherwise.
pub(crate) fn judge_msg(o: &mut Object) {
    let pids = [o.lpid.unwrap_or(0), o.lrpid.unwrap_or(0)];
    let states: Vec<Option<bool>> = pids.iter().map(|&p| if p > 0 { alive(p) } else { Some(false) }).collect();
    o.users = pids.iter().zip(&states).filter(|(_, a)| **a == Some(true)).map(|(p, _)| *p).collect();
    o.users.sort_unstable();
    o.users.dedup();
    o.state = if !o.users.is_empty() {
        State::InUse(Cause::LastUserAlive)
    } else if pids.contains(&0) {
        State::Unknown(Cause::NeverUsed)
    } else if states.contains(&None) {
        State::Unknown(Cause::PidNotVisible)
    } else {
        State::Stale(Cause::LastUsersGone)
    };
}

/// A semaphore set: each semaphore records the last process that operated
/// on it (`GETPID`, also `SETVAL`/`SETALL`). In use while one of them lives
/// or a process waits; stale when at least one pid is recorded and every
/// recorded one is gone; unknown when none is recorded or the set cannot
/// be read.
pub(crate) fn judge_sem(o: &mut Object) {
    let id = o.id.unwrap_or(-1);
    let n = o.count.unwrap_or(0) as i32;
    let mut pids = Vec::new();
    let mut waiters = false;
    for i in 0..n {
        let read = crate::sysv_sem::getpid(id, i).and_then(|pid| {
            let w = crate::sysv_sem::getncnt(id, i)? + crate::sysv_sem::getzcnt(id, i)?;
            Ok((pid, w))
        });
        match read {
            Ok((pid, w)) => {
                if pid > 0 && !pids.contains(&pid) {
                    pids.push(pid);
                }
                waiters |= w > 0;
            }
            Err(_) => {
                o.state = State::Unknown(Cause::NotReadable);
                return;
            }
        }
    }
    let states: Vec<Option<bool>> = pids.iter().map(|&p| alive(p)).collect();
    o.users = pids.iter().zip(&states).filter(|(_, a)| **a == Some(true)).map(|(p, _)| *p).collect();
    o.users.sort_unstable();
    o.state = if waiters {
        State::InUse(Cause::Waiters)
    } else if !o.users.is_empty() {
        State::InUse(Cause::LastUserAlive)
    } else if pids.is_empty() {
        State::Unknown(Cause::NeverUsed)
    } else if states.contains(&None) {
        State::Unknown(Cause::PidNotVisible)
    } else {
        State::Stale(Cause::LastUsersGone)
    };
}

/// The object with id `id` of `kind` as `/proc/sysvipc` shows it now,
/// judged again.
pub(crate) fn fresh(kind: Kind, id: i32, scan: &Scan) -> Option<Object> {
    collect_kind(kind, scan, &mut Vec::new(), Some(id)).pop()
}
