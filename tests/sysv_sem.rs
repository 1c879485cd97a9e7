//! System V semaphore sets between real processes, through the safe API.

mod common;

use common::{fork_child, wait_exit_code};
use rsipc::sysv_sem as sv;

/// A set removed when the test ends, however it ends.
struct Set(i32);

impl Set {
    fn new(nsems: i32) -> Set {
        Set(sv::semget(libc::IPC_PRIVATE, nsems, 0o600).unwrap())
    }
}

impl Drop for Set {
    fn drop(&mut self) {
        let _ = sv::ipc_rmid(self.0);
    }
}

fn op(num: u16, op: i16, flg: i32) -> libc::sembuf {
    libc::sembuf { sem_num: num, sem_op: op, sem_flg: flg as i16 }
}

/// Polls `f` until it returns `want` (at most ~20 s on a loaded machine).
fn eventually(want: i32, f: impl Fn() -> i32) {
    for _ in 0..20_000 {
        if f() == want {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    panic!("value never became {want} (last {})", f());
}

#[test]
fn a_blocked_child_is_counted_by_getncnt_and_released_by_v() {
    let set = Set::new(1);
    let id = set.0;
    let pid = fork_child(|| sv::semop(id, &[op(0, -1, 0)]).map_or(1, |()| 0));
    eventually(1, || sv::getncnt(id, 0).unwrap());
    sv::semop(id, &[op(0, 1, 0)]).unwrap();
    assert_eq!(wait_exit_code(pid), 0);
    assert_eq!(sv::getval(id, 0).unwrap(), 0);
    assert_eq!(sv::getncnt(id, 0).unwrap(), 0);
    assert_eq!(sv::getpid(id, 0).unwrap(), pid);
}

#[test]
fn a_waiter_for_zero_is_counted_by_getzcnt() {
    let set = Set::new(1);
    let id = set.0;
    sv::setval(id, 0, 2).unwrap();
    let pid = fork_child(|| sv::semop(id, &[op(0, 0, 0)]).map_or(1, |()| 0));
    eventually(1, || sv::getzcnt(id, 0).unwrap());
    sv::semop(id, &[op(0, -2, 0)]).unwrap();
    assert_eq!(wait_exit_code(pid), 0);
}

#[test]
fn sem_undo_is_reverted_when_the_process_exits() {
    let set = Set::new(1);
    let id = set.0;
    sv::setval(id, 0, 5).unwrap();
    let pid = fork_child(|| sv::semop(id, &[op(0, -3, libc::SEM_UNDO)]).map_or(1, |()| 0));
    assert_eq!(wait_exit_code(pid), 0);
    assert_eq!(sv::getval(id, 0).unwrap(), 5);
}

#[test]
fn removing_the_set_wakes_a_waiter_with_eidrm() {
    let set = Set::new(1);
    let id = set.0;
    let pid = fork_child(|| match sv::semop(id, &[op(0, -1, 0)]) {
        Err(e) if e.errno() == libc::EIDRM => 0,
        _ => 1,
    });
    eventually(1, || sv::getncnt(id, 0).unwrap());
    sv::ipc_rmid(id).unwrap();
    assert_eq!(wait_exit_code(pid), 0);
    assert_eq!(sv::getval(id, 0).unwrap_err().errno(), libc::EINVAL);
}

#[test]
fn semtimedop_returns_eagain_when_its_relative_timeout_expires() {
    let set = Set::new(1);
    let t = libc::timespec { tv_sec: 0, tv_nsec: 50_000_000 };
    let e = sv::semtimedop(set.0, &[op(0, -1, 0)], Some(&t)).unwrap_err();
    assert_eq!(e.errno(), libc::EAGAIN);
    assert_eq!(sv::getncnt(set.0, 0).unwrap(), 0);
}

#[test]
fn several_operations_apply_all_or_nothing() {
    let set = Set::new(2);
    sv::setall(set.0, &[1, 0]).unwrap();
    let e = sv::semop(set.0, &[op(0, -1, 0), op(1, -1, libc::IPC_NOWAIT)]).unwrap_err();
    assert_eq!(e.errno(), libc::EAGAIN);
    let mut v = [0u16; 2];
    sv::getall(set.0, &mut v).unwrap();
    assert_eq!(v, [1, 0]);
    sv::semop(set.0, &[op(0, -1, 0), op(1, 2, 0)]).unwrap();
    sv::getall(set.0, &mut v).unwrap();
    assert_eq!(v, [0, 2]);
}

#[test]
fn ipc_set_changes_the_mode_and_stat_shows_it() {
    let set = Set::new(3);
    let mut ds = sv::ipc_stat(set.0).unwrap();
    assert_eq!(ds.sem_nsems, 3);
    assert_eq!(ds.sem_perm.mode & 0o777, 0o600);
    ds.sem_perm.mode = 0o640;
    sv::ipc_set(set.0, &ds).unwrap();
    assert_eq!(sv::ipc_stat(set.0).unwrap().sem_perm.mode & 0o777, 0o640);
}

#[test]
fn sem_stat_any_finds_a_set_by_its_kernel_index() {
    let set = Set::new(1);
    let (top, used) = sv::info(true).unwrap();
    assert!(used.semusz >= 1);
    let found = (0..=top).any(|i| matches!(sv::sem_stat(i, true), Ok((id, _)) if id == set.0));
    assert!(found, "set {} not found at indexes 0..={top}", set.0);
}

#[test]
fn a_keyed_set_is_found_again_and_exclusive_creation_fails() {
    let key = 0x5e_0000 | (std::process::id() as i32 & 0xffff);
    let id = sv::semget(key, 2, libc::IPC_CREAT | libc::IPC_EXCL | 0o600).unwrap();
    let set = Set(id);
    assert_eq!(sv::semget(key, 2, 0).unwrap(), set.0);
    assert_eq!(sv::semget(key, 2, libc::IPC_CREAT | libc::IPC_EXCL | 0o600).unwrap_err().errno(), libc::EEXIST);
    assert_eq!(sv::semget(key, 5, 0).unwrap_err().errno(), libc::EINVAL);
}
