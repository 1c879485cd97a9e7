//! System V message queues between real processes (fork), through the safe
//! Rust API.

mod common;

use common::{fork_child, wait_exit_code};
use libc::{c_int, c_long};
use rsipc::sysv_msg::{self as msg, decode, encode, MSG_COPY, MSG_EXCEPT, MTYPE_LEN};

/// A private queue, removed when the test ends.
struct Queue(c_int);

impl Queue {
    fn new() -> Queue {
        Queue(msg::msgget(libc::IPC_PRIVATE, libc::IPC_CREAT | 0o600).unwrap())
    }
    fn send(&self, mtype: c_long, text: &[u8]) {
        msg::send(self.0, &encode(mtype, text), 0).unwrap();
    }
    fn take(&self, room: usize, msgtyp: c_long, flags: c_int) -> rsipc::Result<(c_long, Vec<u8>)> {
        let mut buf = vec![0u8; MTYPE_LEN + room];
        let n = msg::receive(self.0, &mut buf, msgtyp, flags)?;
        let (mtype, text) = decode(&buf, n);
        Ok((mtype, text.to_vec()))
    }
    /// A queue whose `msg_qbytes` is 16, already holding one 16-byte
    /// message of type 1: the next send blocks.
    fn full() -> Queue {
        let q = Queue::new();
        let mut ds = msg::stat(q.0).unwrap();
        ds.msg_qbytes = 16;
        msg::set(q.0, &ds).unwrap();
        q.send(1, &[0; 16]);
        q
    }
    fn count(&self) -> u64 {
        msg::stat(self.0).unwrap().msg_qnum as u64
    }
}

impl Drop for Queue {
    fn drop(&mut self) {
        let _ = msg::remove(self.0);
    }
}

/// Waits until `pid` sleeps inside system call `nr` (read from
/// `/proc/PID/syscall`, which names the call only while the task is
/// blocked): the child is then queued as a waiter in the kernel.
fn wait_until_blocked_in(pid: libc::pid_t, nr: c_long) {
    let path = format!("/proc/{pid}/syscall");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.split_whitespace().next() == Some(nr.to_string().as_str()) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "child {pid} never blocked in syscall {nr}: {text}");
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

#[test]
fn a_child_sends_lines_and_the_parent_receives_them_in_order() {
    let q = Queue::new();
    let id = q.0;
    let pid = fork_child(move || {
        for line in ["one", "two", "three"] {
            if msg::send(id, &encode(1, line.as_bytes()), 0).is_err() {
                return 1;
            }
        }
        0
    });
    for want in ["one", "two", "three"] {
        assert_eq!(q.take(64, 0, 0).unwrap(), (1, want.as_bytes().to_vec()));
    }
    assert_eq!(wait_exit_code(pid), 0);
}

#[test]
fn msgtyp_zero_takes_the_first_message_whatever_its_type() {
    let q = Queue::new();
    q.send(3, b"c");
    q.send(1, b"a");
    assert_eq!(q.take(8, 0, libc::IPC_NOWAIT).unwrap(), (3, b"c".to_vec()));
}

#[test]
fn positive_msgtyp_takes_the_first_message_of_that_type() {
    let q = Queue::new();
    q.send(3, b"c1");
    q.send(2, b"b");
    q.send(3, b"c2");
    assert_eq!(q.take(8, 3, libc::IPC_NOWAIT).unwrap(), (3, b"c1".to_vec()));
    assert_eq!(q.take(8, 3, libc::IPC_NOWAIT).unwrap(), (3, b"c2".to_vec()));
    assert_eq!(q.count(), 1);
}

#[test]
fn negative_msgtyp_takes_the_lowest_type_up_to_its_absolute_value() {
    let q = Queue::new();
    q.send(5, b"e");
    q.send(3, b"c");
    q.send(2, b"b");
    q.send(4, b"d");
    assert_eq!(q.take(8, -3, libc::IPC_NOWAIT).unwrap(), (2, b"b".to_vec()));
    assert_eq!(q.take(8, -3, libc::IPC_NOWAIT).unwrap(), (3, b"c".to_vec()));
    assert_eq!(q.take(8, -3, libc::IPC_NOWAIT).unwrap_err().errno(), libc::ENOMSG);
}

#[test]
fn msg_except_takes_the_first_message_of_another_type() {
    let q = Queue::new();
    q.send(1, b"a");
    q.send(2, b"b");
    assert_eq!(q.take(8, 1, MSG_EXCEPT | libc::IPC_NOWAIT).unwrap(), (2, b"b".to_vec()));
}

#[test]
fn ipc_nowait_on_an_empty_queue_is_enomsg() {
    let q = Queue::new();
    let e = q.take(8, 0, libc::IPC_NOWAIT).unwrap_err();
    assert_eq!(e.errno(), libc::ENOMSG);
    assert!(!e.message().is_empty());
}

#[test]
fn a_long_message_without_msg_noerror_is_e2big_and_stays_queued() {
    let q = Queue::new();
    q.send(1, b"0123456789");
    let e = q.take(4, 0, libc::IPC_NOWAIT).unwrap_err();
    assert_eq!(e.errno(), libc::E2BIG);
    assert!(e.message().contains("stays in the queue"), "{e}");
    assert_eq!(q.count(), 1);
    assert_eq!(q.take(10, 0, libc::IPC_NOWAIT).unwrap(), (1, b"0123456789".to_vec()));
}

#[test]
fn msg_noerror_cuts_a_long_message_to_the_room_given() {
    let q = Queue::new();
    q.send(1, b"0123456789");
    assert_eq!(q.take(4, 0, libc::MSG_NOERROR | libc::IPC_NOWAIT).unwrap(), (1, b"0123".to_vec()));
    assert_eq!(q.count(), 0);
}

/// This kernel is built with CONFIG_CHECKPOINT_RESTORE (the test machine's
/// 6.x kernel is): MSG_COPY copies by index and leaves the queue alone.
/// Without it the kernel answers ENOSYS, which the test accepts while still
/// checking the message says why.
#[test]
fn msg_copy_copies_the_message_at_an_index_and_leaves_it_queued() {
    let q = Queue::new();
    q.send(7, b"first");
    q.send(8, b"second");
    match q.take(16, 1, MSG_COPY | libc::IPC_NOWAIT) {
        Ok(got) => {
            assert_eq!(got, (8, b"second".to_vec()));
            assert_eq!(q.count(), 2);
            let e = q.take(16, 2, MSG_COPY | libc::IPC_NOWAIT).unwrap_err();
            assert_eq!(e.errno(), libc::ENOMSG);
            assert!(e.message().contains("index 2"), "{e}");
        }
        Err(e) => {
            assert_eq!(e.errno(), libc::ENOSYS);
            assert!(e.message().contains("CONFIG_CHECKPOINT_RESTORE"), "{e}");
        }
    }
}

#[test]
fn removing_the_queue_wakes_a_blocked_receiver_with_eidrm() {
    let id = msg::msgget(libc::IPC_PRIVATE, libc::IPC_CREAT | 0o600).unwrap();
    let pid = fork_child(move || {
        let mut buf = [0u8; MTYPE_LEN + 8];
        match msg::receive(id, &mut buf, 0, 0) {
            Err(e) if e.errno() == libc::EIDRM && e.message().contains("removed while this call waited") => 0,
            _ => 1,
        }
    });
    wait_until_blocked_in(pid, libc::SYS_msgrcv);
    msg::remove(id).unwrap();
    assert_eq!(wait_exit_code(pid), 0);
}

#[test]
fn removing_the_queue_wakes_a_blocked_sender_with_eidrm() {
    let q = Queue::full();
    let id = q.0;
    let pid = fork_child(move || match msg::send(id, &encode(1, b"more"), 0) {
        Err(e) if e.errno() == libc::EIDRM => 0,
        _ => 1,
    });
    wait_until_blocked_in(pid, libc::SYS_msgsnd);
    msg::remove(id).unwrap();
    assert_eq!(wait_exit_code(pid), 0);
}

#[test]
fn a_blocked_sender_resumes_when_a_receiver_makes_room() {
    let q = Queue::full();
    let id = q.0;
    let pid = fork_child(move || msg::send(id, &encode(2, b"later"), 0).is_err() as i32);
    wait_until_blocked_in(pid, libc::SYS_msgsnd);
    assert_eq!(q.take(16, 1, 0).unwrap().0, 1);
    assert_eq!(wait_exit_code(pid), 0);
    assert_eq!(q.take(16, 0, libc::IPC_NOWAIT).unwrap(), (2, b"later".to_vec()));
}

#[test]
fn ipc_stat_counts_messages_and_records_the_pids() {
    let q = Queue::new();
    let id = q.0;
    let pid = fork_child(move || msg::send(id, &encode(1, b"abc"), 0).is_err() as i32);
    assert_eq!(wait_exit_code(pid), 0);
    let ds = msg::stat(q.0).unwrap();
    assert_eq!(ds.msg_qnum, 1);
    assert_eq!(ds.msg_lspid, pid);
    q.take(8, 0, 0).unwrap();
    assert_eq!(msg::stat(q.0).unwrap().msg_lrpid, std::process::id() as libc::pid_t);
}

#[test]
fn ipc_set_changes_the_mode_and_msg_qbytes() {
    let q = Queue::new();
    let mut ds = msg::stat(q.0).unwrap();
    ds.msg_perm.mode = 0o640;
    ds.msg_qbytes = 1000;
    msg::set(q.0, &ds).unwrap();
    let after = msg::stat(q.0).unwrap();
    assert_eq!(after.msg_perm.mode & 0o777, 0o640);
    assert_eq!(after.msg_qbytes, 1000);
}

#[test]
fn ipc_info_reports_the_limits_from_proc() {
    let (_, info) = msg::limits(0).unwrap();
    let proc =
        |f: &str| std::fs::read_to_string(format!("/proc/sys/kernel/{f}")).unwrap().trim().parse::<i32>().unwrap();
    assert_eq!(info.msgmax, proc("msgmax"));
    assert_eq!(info.msgmnb, proc("msgmnb"));
    assert_eq!(msg::msgmax().unwrap(), proc("msgmax") as usize);
}

#[test]
fn msg_stat_any_finds_our_queue_by_index() {
    let q = Queue::new();
    let (highest, usage) = msg::usage(0).unwrap();
    assert!(usage.msgpool >= 1);
    let found = (0..=highest).any(|i| matches!(msg::stat_index(i, true), Ok((id, _)) if id == q.0));
    assert!(found, "queue {} not found at any index up to {highest}", q.0);
    let found = (0..=highest).any(|i| matches!(msg::stat_index(i, false), Ok((id, _)) if id == q.0));
    assert!(found);
}

#[test]
fn msgget_with_a_key_finds_the_same_queue_and_ipc_excl_refuses_it() {
    let key = 0x5200_0000 | (std::process::id() as i32 & 0xffff);
    let id = msg::msgget(key, libc::IPC_CREAT | libc::IPC_EXCL | 0o600).unwrap();
    let _q = Queue(id);
    assert_eq!(msg::msgget(key, 0).unwrap(), id);
    let e = msg::msgget(key, libc::IPC_CREAT | libc::IPC_EXCL | 0o600).unwrap_err();
    assert_eq!(e.errno(), libc::EEXIST);
    assert!(e.message().contains("already exists"), "{e}");
}

#[test]
fn msgget_of_a_missing_key_without_ipc_creat_is_enoent() {
    let key = 0x5300_0000 | (std::process::id() as i32 & 0xffff);
    let e = msg::msgget(key, 0o600).unwrap_err();
    assert_eq!(e.errno(), libc::ENOENT);
    assert!(e.message().contains("IPC_CREAT"), "{e}");
}
