//! The object listing against real processes, in private IPC, mount and pid
//! namespaces (so the machine's other objects and processes do not
//! interfere): objects of every kind made by live processes and by
//! processes killed with SIGKILL; the listing finds exactly them with the
//! right fields, flags exactly the killed ones' stale, a reap removes
//! exactly those, and an object removed and re-created under the same name
//! or key after it was listed is never removed. As root, a second test
//! user checks that other users' private objects are not shown.
//!
//! Root uses `unshare(CLONE_NEWNS|CLONE_NEWIPC|CLONE_NEWPID)`; another user
//! a user namespace too (mapping itself). Where neither works the test says
//! why and returns.

mod common;

use std::collections::BTreeSet;
use std::ffi::CString;
use std::io::Write;

use common::{fork_child, wait_exit_code};
use rsipc::chan::Chan;
use rsipc::objects::{self, Cause, Filter, Kind, Object, Outcome, State};

/// A line on the standard error, past the test harness's capture (which
/// also holds in forked children).
fn say(text: &str) {
    let _ = std::io::stderr().write_all(format!("{text}\n").as_bytes());
}

fn check(ok: bool, what: &str) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(what.to_owned())
    }
}

fn cstr(s: &str) -> CString {
    CString::new(s).unwrap()
}

fn write_file(path: &str, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// Enters private namespaces and mounts; `Err(reason)` to skip.
fn enter_namespaces(mq_dir: &str) -> Result<(), String> {
    // SAFETY: plain system calls on this single-threaded forked child.
    unsafe {
        let flags = libc::CLONE_NEWNS | libc::CLONE_NEWIPC | libc::CLONE_NEWPID;
        if libc::unshare(flags) != 0 {
            let first = std::io::Error::last_os_error();
            let (uid, gid) = (libc::geteuid(), libc::getegid());
            if libc::unshare(flags | libc::CLONE_NEWUSER) != 0 {
                return Err(format!(
                    "unshare(NEWNS|NEWIPC|NEWPID) failed ({first}) and with a user namespace too ({}): \
                     needs root or unprivileged user namespaces",
                    std::io::Error::last_os_error()
                ));
            }
            write_file("/proc/self/setgroups", "deny")
                .and_then(|()| write_file("/proc/self/uid_map", &format!("{uid} {uid} 1")))
                .and_then(|()| write_file("/proc/self/gid_map", &format!("{gid} {gid} 1")))
                .map_err(|e| format!("cannot map the user into its user namespace ({e})"))?;
        }
        let none = std::ptr::null();
        if libc::mount(none, cstr("/").as_ptr(), none, libc::MS_REC | libc::MS_PRIVATE, std::ptr::null()) != 0 {
            return Err(format!("cannot make the mounts private ({})", std::io::Error::last_os_error()));
        }
        let tmpfs = cstr("tmpfs");
        if libc::mount(
            tmpfs.as_ptr(),
            cstr("/dev/shm").as_ptr(),
            tmpfs.as_ptr(),
            0,
            cstr("size=8m,mode=1777").as_ptr().cast(),
        ) != 0
        {
            return Err(format!("cannot mount a private tmpfs on /dev/shm ({})", std::io::Error::last_os_error()));
        }
        let mq = cstr("mqueue");
        if libc::mount(mq.as_ptr(), cstr(mq_dir).as_ptr(), mq.as_ptr(), 0, std::ptr::null()) != 0 {
            return Err(format!("cannot mount the private mqueue file system ({})", std::io::Error::last_os_error()));
        }
    }
    Ok(())
}

/// In the first process of the new pid namespace: its own /proc.
fn mount_proc() -> Result<(), String> {
    let proc_ = cstr("proc");
    // SAFETY: plain system call.
    if unsafe { libc::mount(proc_.as_ptr(), cstr("/proc").as_ptr(), proc_.as_ptr(), 0, std::ptr::null()) } != 0 {
        return Err(format!("cannot mount /proc for the private pid namespace ({})", std::io::Error::last_os_error()));
    }
    Ok(())
}

const KINDS: [Kind; 7] =
    [Kind::SysvShm, Kind::SysvMsg, Kind::SysvSem, Kind::PosixShm, Kind::PosixSem, Kind::PosixMq, Kind::Chan];

/// The names and keys of one set of objects ("v": made by a victim, "l":
/// by a live process, ...).
struct Set {
    tag: &'static str,
    key: i32,
}

impl Set {
    fn key(&self, kind: Kind) -> i32 {
        self.key + kind as i32
    }
    fn name(&self, kind: Kind) -> String {
        format!("/objtest-{}-{}", self.tag, kind.name())
    }
    /// What the listing shows for the object of `kind` of this set.
    fn label(&self, kind: Kind) -> String {
        if kind.is_sysv() {
            format!("{:#010x}", self.key(kind) as u32)
        } else {
            self.name(kind)
        }
    }
}

/// Makes one object of every kind (in a child) and keeps what holds them.
fn make_all(set: &Set) -> Result<Option<Chan>, String> {
    let os = |what: &str| format!("{what}: {}", std::io::Error::last_os_error());
    // SAFETY: plain libc calls with valid arguments, in a forked child.
    unsafe {
        let shm = libc::shmget(set.key(Kind::SysvShm), 4096, libc::IPC_CREAT | libc::IPC_EXCL | 0o600);
        if shm < 0 || libc::shmat(shm, std::ptr::null(), 0) as isize == -1 {
            return Err(os("shmget/shmat"));
        }
        let msq = libc::msgget(set.key(Kind::SysvMsg), libc::IPC_CREAT | libc::IPC_EXCL | 0o600);
        let mut msg = [0u8; 16];
        msg[..8].copy_from_slice(&1i64.to_ne_bytes());
        msg[8..12].copy_from_slice(b"ping");
        if msq < 0
            || libc::msgsnd(msq, msg.as_ptr().cast(), 4, 0) != 0
            || libc::msgrcv(msq, msg.as_mut_ptr().cast(), 8, 0, 0) < 0
            || libc::msgsnd(msq, msg.as_ptr().cast(), 4, 0) != 0
        {
            return Err(os("msgget/msgsnd/msgrcv"));
        }
        let sem = libc::semget(set.key(Kind::SysvSem), 2, libc::IPC_CREAT | libc::IPC_EXCL | 0o600);
        if sem < 0 || libc::semctl(sem, 0, libc::SETVAL, 1) != 0 {
            return Err(os("semget/semctl"));
        }
        let name = cstr(&set.name(Kind::PosixShm));
        let fd = libc::shm_open(name.as_ptr(), libc::O_CREAT | libc::O_EXCL | libc::O_RDWR, 0o600);
        if fd < 0
            || libc::ftruncate(fd, 8192) != 0
            || libc::mmap(std::ptr::null_mut(), 8192, libc::PROT_READ, libc::MAP_SHARED, fd, 0) == libc::MAP_FAILED
        {
            return Err(os("shm_open/ftruncate/mmap"));
        }
        let name = cstr(&set.name(Kind::PosixSem));
        if libc::sem_open(name.as_ptr(), libc::O_CREAT | libc::O_EXCL, 0o600 as libc::c_uint, 1 as libc::c_uint)
            == libc::SEM_FAILED
        {
            return Err(os("sem_open"));
        }
        let name = cstr(&set.name(Kind::PosixMq));
        let mut attr: libc::mq_attr = std::mem::zeroed();
        attr.mq_maxmsg = 4;
        attr.mq_msgsize = 64;
        let mq = libc::mq_open(
            name.as_ptr(),
            libc::O_CREAT | libc::O_EXCL | libc::O_RDWR,
            0o600 as libc::c_uint,
            &mut attr as *mut libc::mq_attr,
        );
        if mq < 0 || libc::mq_send(mq, b"hi".as_ptr().cast(), 2, 0) != 0 {
            return Err(os("mq_open/mq_send"));
        }
    }
    let ch = Chan::create(Some(&cstr(&set.name(Kind::Chan))), 64, 4, 0o600).map_err(|e| format!("chan: {e}"))?;
    ch.send(b"x", 0).map_err(|e| format!("chan send: {e}"))?;
    Ok(Some(ch))
}

/// A child that makes `set` and then either waits on `hold` (live) or is
/// killed (victim). Returns its pid once its objects exist.
fn holder(set: &Set) -> Result<i32, String> {
    let mut ready = [0i32; 2];
    let mut hold = [0i32; 2];
    // SAFETY: valid arrays.
    unsafe {
        assert_eq!(libc::pipe(ready.as_mut_ptr()), 0);
        assert_eq!(libc::pipe(hold.as_mut_ptr()), 0);
    }
    let pid = fork_child(|| {
        let kept = make_all(set);
        let byte = [u8::from(kept.is_ok())];
        if let Err(e) = &kept {
            say(&format!("holder {}: {e}", set.tag));
        }
        // SAFETY: valid fds and buffers.
        unsafe {
            libc::write(ready[1], byte.as_ptr().cast(), 1);
            let mut b = [0u8; 1];
            libc::read(hold[0], b.as_mut_ptr().cast(), 1);
        }
        drop(kept);
        0
    });
    let mut b = [0u8; 1];
    // SAFETY: valid fds and buffers.
    unsafe {
        libc::close(ready[1]);
        libc::close(hold[0]);
        libc::read(ready[0], b.as_mut_ptr().cast(), 1);
        libc::close(ready[0]);
    }
    // The write end of `hold` stays open in this process: the child blocks
    // until it is killed (or this process ends).
    if b[0] != 1 {
        return Err(format!("holder {} could not make its objects", set.tag));
    }
    Ok(pid)
}

fn kill_and_wait(pid: i32) {
    let mut status = 0;
    // SAFETY: our child.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
        libc::waitpid(pid, &mut status, 0);
    }
}

fn find<'a>(objs: &'a [Object], set: &Set, kind: Kind) -> Option<&'a Object> {
    objs.iter().find(|o| o.kind == kind && o.label() == set.label(kind))
}

fn check_fields(o: &Object, kind: Kind, pid: i32, live: bool, uid: u32) -> Result<(), String> {
    let what = |f: &str| format!("{} {}: {f} wrong: {o:?}", kind.name(), o.label());
    check(o.uid == uid && o.mode == 0o600, &what("owner/mode"))?;
    match kind {
        Kind::SysvShm => {
            check(o.size == Some(4096) && o.cpid == Some(pid), &what("size/cpid"))?;
            check(o.nattch == Some(u64::from(live)), &what("nattch"))?;
        }
        Kind::SysvMsg => check(
            o.count == Some(1) && o.size == Some(4) && o.lpid == Some(pid) && o.lrpid == Some(pid),
            &what("count/size/pids"),
        )?,
        Kind::SysvSem => check(o.count == Some(2), &what("nsems"))?,
        Kind::PosixShm => check(o.size == Some(8192), &what("size"))?,
        Kind::PosixSem => check(o.size == Some(32), &what("size"))?,
        Kind::PosixMq => check(o.size == Some(2), &what("QSIZE"))?,
        Kind::Chan => {
            let c = o.chan.ok_or_else(|| what("chan info"))?;
            check(c.capacity == 4 && c.max_msg == 64 && c.queued == 1 && c.sent == 1, &what("chan numbers"))?;
            check(c.members == u32::from(live), &what("members"))?;
        }
    }
    if live {
        check(o.users.contains(&pid) || kind == Kind::Chan && o.chan.is_some_and(|c| c.members == 1), &what("users"))?;
        let expected = match kind {
            Kind::SysvShm => Cause::Attached,
            Kind::SysvMsg | Kind::SysvSem => Cause::LastUserAlive,
            Kind::Chan => Cause::Members,
            _ => Cause::OpenOrMapped,
        };
        check(o.state == State::InUse(expected), &what("state"))?;
    } else {
        check(o.users.is_empty(), &what("users"))?;
        let expected = match kind {
            Kind::SysvShm => Cause::NobodyAttachedCreatorGone,
            Kind::SysvMsg | Kind::SysvSem => Cause::LastUsersGone,
            Kind::Chan => Cause::NoMember,
            _ => Cause::NoUser,
        };
        check(o.state == State::Stale(expected), &what("state"))?;
    }
    Ok(())
}

/// Removes the object of `kind` of `set` with the plain calls (not
/// through rsipc::objects).
fn plain_remove(set: &Set, kind: Kind) {
    // SAFETY: plain libc calls.
    unsafe {
        match kind {
            Kind::SysvShm => {
                libc::shmctl(libc::shmget(set.key(kind), 0, 0), libc::IPC_RMID, std::ptr::null_mut());
            }
            Kind::SysvMsg => {
                libc::msgctl(libc::msgget(set.key(kind), 0), libc::IPC_RMID, std::ptr::null_mut());
            }
            Kind::SysvSem => {
                libc::semctl(libc::semget(set.key(kind), 0, 0), 0, libc::IPC_RMID);
            }
            Kind::PosixShm => {
                libc::shm_unlink(cstr(&set.name(kind)).as_ptr());
            }
            Kind::PosixSem => {
                libc::sem_unlink(cstr(&set.name(kind)).as_ptr());
            }
            Kind::PosixMq => {
                libc::mq_unlink(cstr(&set.name(kind)).as_ptr());
            }
            Kind::Chan => {
                let _ = rsipc::chan::unlink(&cstr(&set.name(kind)));
            }
        }
    }
}

/// The whole scenario, as the first process of the private namespaces.
fn scenario() -> Result<(), String> {
    mount_proc()?;
    let uid = unsafe { libc::geteuid() };
    let listed = || objects::list(&Filter::default()).map(|l| l.objects).map_err(|e| format!("list: {e}"));
    check(listed()?.is_empty(), "the private namespaces start with objects")?;

    let victim = Set { tag: "v", key: 0x7e57_0000 };
    let live = Set { tag: "l", key: 0x7e57_1000 };
    let victim_pid = holder(&victim)?;
    let live_pid = holder(&live)?;
    kill_and_wait(victim_pid);

    // Listing: exactly the 14 objects, with their fields and states.
    let objs = listed()?;
    check(objs.len() == 14, &format!("{} objects listed instead of 14: {objs:#?}", objs.len()))?;
    let mut left = 0;
    for kind in KINDS {
        let o = find(&objs, &victim, kind).ok_or(format!("victim's {} not listed", kind.name()))?;
        check_fields(o, kind, victim_pid, false, uid)?;
        left += 1;
        let o = find(&objs, &live, kind).ok_or(format!("live {} not listed", kind.name()))?;
        check_fields(o, kind, live_pid, true, uid)?;
    }
    let stale: BTreeSet<String> = objs.iter().filter(|o| o.state.is_stale()).map(Object::label).collect();
    let victims: BTreeSet<String> = KINDS.iter().map(|&k| victim.label(k)).collect();
    let flagged = stale.intersection(&victims).count();
    let wrongly = stale.difference(&victims).count();
    check(stale == victims, &format!("stale {stale:?} instead of {victims:?}"))?;

    // Filters.
    let by = |f: Filter| objects::list(&f).map(|l| l.objects.len()).unwrap_or(usize::MAX);
    check(by(Filter { only_stale: true, ..Filter::default() }) == 7, "only_stale")?;
    check(by(Filter { kinds: Kind::Chan.bit() | Kind::SysvShm.bit(), ..Filter::default() }) == 4, "kinds")?;
    check(by(Filter { pattern: Some("/objtest-v-*".into()), ..Filter::default() }) == 4, "pattern on names")?;
    check(by(Filter { pattern: Some("0x7e57000?".into()), ..Filter::default() }) == 3, "pattern on keys")?;
    check(by(Filter { owner: Some(uid.wrapping_add(1)), ..Filter::default() }) == 0, "owner")?;
    check(by(Filter { older_than: Some(3600), ..Filter::default() }) == 0, "older_than")?;

    // A dry run removes nothing; the reap removes exactly the victim's.
    let dry = objects::reap(&Filter::default(), true).map_err(|e| format!("reap: {e}"))?;
    let would: BTreeSet<String> =
        dry.entries.iter().filter(|e| e.outcome == Outcome::WouldRemove).map(|e| e.object.label()).collect();
    check(would == victims && listed()?.len() == 14, "dry run")?;
    let report = objects::reap(&Filter::default(), false).map_err(|e| format!("reap: {e}"))?;
    let removed: BTreeSet<String> =
        report.entries.iter().filter(|e| e.outcome == Outcome::Removed).map(|e| e.object.label()).collect();
    check(removed == victims, &format!("reaped {removed:?}: {report:#?}"))?;
    check(report.kept() == 7 && report.failed() == 0, &format!("reap report {report:#?}"))?;
    let after = listed()?;
    check(after.len() == 7 && after.iter().all(|o| matches!(o.state, State::InUse(_))), "after the reap")?;
    let reaped = removed.len();

    // Removing an in-use object is refused.
    let busy = find(&after, &live, Kind::PosixShm).ok_or("live shm gone")?;
    check(objects::remove(busy).map_err(|e| e.errno()) == Err(libc::EBUSY), "remove of an in-use object")?;

    // Racing re-creation: each stale object is removed and re-created
    // (by another killed process) after it was listed; removing the listed
    // one must leave the new one alone.
    let first = Set { tag: "r", key: 0x7e57_2000 };
    let pid = holder(&first)?;
    kill_and_wait(pid);
    let old = objects::list(&Filter { pattern: Some("*objtest-r-*".into()), ..Filter::default() })
        .map_err(|e| format!("list: {e}"))?
        .objects;
    let old_keys = objects::list(&Filter { pattern: Some("0x7e57200?".into()), ..Filter::default() })
        .map_err(|e| format!("list: {e}"))?
        .objects;
    let old: Vec<Object> = old.into_iter().chain(old_keys).collect();
    check(old.len() == 7 && old.iter().all(|o| o.state.is_stale()), &format!("race set listed: {old:#?}"))?;
    for kind in KINDS {
        plain_remove(&first, kind);
    }
    let pid = holder(&first)?;
    kill_and_wait(pid);
    let mut race_kept = 0;
    for o in &old {
        match objects::remove(o) {
            Err(e) if e.errno() == libc::ESTALE || e.errno() == libc::ENOENT => race_kept += 1,
            other => return Err(format!("removing the listed {} {}: {other:?}", o.kind.name(), o.label())),
        }
    }
    let now = listed()?;
    for kind in KINDS {
        let o = find(&now, &first, kind).ok_or(format!("re-created {} was removed", kind.name()))?;
        check(o.state.is_stale() && !old.contains(o), &format!("re-created {}: {o:?}", kind.name()))?;
    }
    // The re-created ones are stale in their own right: a reap takes them.
    let again = objects::reap(&Filter { only_stale: true, ..Filter::default() }, false).map_err(|e| e.to_string())?;
    check(again.removed() == 7 && listed()?.len() == 7, &format!("second reap {again:#?}"))?;

    kill_and_wait(live_pid);
    let end = objects::reap(&Filter::default(), false).map_err(|e| e.to_string())?;
    check(end.removed() == 7 && listed()?.is_empty(), &format!("final reap {end:#?}"))?;

    say(&format!(
        "objects left by killed processes: {left}, flagged stale: {flagged}, reaped: {reaped}, \
         live wrongly flagged: {wrongly}; racing re-creations left alone: {race_kept}/7"
    ));
    Ok(())
}

/// As root: a second user's private objects are not listed for a third;
/// its readable ones are.
fn other_users() -> Result<(), String> {
    if unsafe { libc::geteuid() } != 0 {
        say("skipped: other users' objects: only one user id is mapped here (needs root)");
        return Ok(());
    }
    let make = fork_child(|| {
        // SAFETY: plain calls in a forked child.
        unsafe {
            if libc::setgid(65534) != 0 || libc::setuid(65534) != 0 {
                return 2;
            }
            let private = libc::shmget(0x7e57_3001, 4096, libc::IPC_CREAT | 0o600);
            let public = libc::shmget(0x7e57_3002, 4096, libc::IPC_CREAT | 0o644);
            let fd = libc::shm_open(cstr("/objtest-nobody-private").as_ptr(), libc::O_CREAT | libc::O_RDWR, 0o600);
            if private < 0 || public < 0 || fd < 0 {
                return 3;
            }
        }
        0
    });
    check(wait_exit_code(make) == 0, "the second user could not make its objects")?;
    let look = fork_child(|| {
        // SAFETY: plain calls in a forked child.
        unsafe {
            if libc::setgid(65533) != 0 || libc::setuid(65533) != 0 {
                return 2;
            }
        }
        let Ok(l) = objects::list(&Filter::default()) else { return 3 };
        let labels: Vec<String> = l.objects.iter().map(Object::label).collect();
        let sees_public = labels.contains(&"0x7e573002".to_owned());
        let sees_private = labels.iter().any(|s| s == "0x7e573001" || s == "/objtest-nobody-private");
        if sees_public && !sees_private {
            0
        } else {
            say(&format!("the third user sees {labels:?}"));
            4
        }
    });
    let code = wait_exit_code(look);
    let end = objects::reap(&Filter::default(), false).map_err(|e| e.to_string())?;
    check(code == 0, "a third user saw another user's private objects, or not its readable one")?;
    check(end.removed() == 3 && objects::list(&Filter::default()).map(|l| l.objects.len()) == Ok(0), "cleanup")?;
    say("other users' private objects hidden: yes (2 of 2), readable one shown: yes");
    Ok(())
}

#[test]
fn objects_of_live_and_killed_processes() {
    let mq_dir = format!("/tmp/rsipc-objtest-mq-{}", std::process::id());
    std::fs::create_dir(&mq_dir).unwrap();
    let sandbox = fork_child(|| {
        if let Err(why) = enter_namespaces(&mq_dir) {
            say(&format!("skipped: objects_of_live_and_killed_processes: {why}"));
            return 77;
        }
        // The first child is the new pid namespace's init.
        let init = fork_child(|| match scenario().and_then(|()| other_users()) {
            Ok(()) => 0,
            Err(why) => {
                say(&format!("FAILED: {why}"));
                1
            }
        });
        wait_exit_code(init)
    });
    let code = wait_exit_code(sandbox);
    std::fs::remove_dir(&mq_dir).unwrap();
    assert!(code == 0 || code == 77, "the scenario failed (see its message above), exit code {code}");
}
