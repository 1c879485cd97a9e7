use super::*;
use std::ffi::CString;

/// A queue with a unique name, unlinked and closed when the test ends.
struct Queue {
    name: CString,
    mqd: mqd_t,
}
impl Queue {
    fn new(tag: &str, maxmsg: i64, msgsize: i64) -> Queue {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let name =
            CString::new(format!("/rsipc-unit-{}-{tag}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)))
                .unwrap();
        let mut attr = raw::zeroed_attr();
        attr.mq_maxmsg = maxmsg;
        attr.mq_msgsize = msgsize;
        let mqd = open(&name, libc::O_CREAT | libc::O_EXCL | libc::O_RDWR, 0o600, Some(&attr)).unwrap();
        Queue { name, mqd }
    }
}
impl Drop for Queue {
    fn drop(&mut self) {
        let _ = close(self.mqd);
        let _ = unlink(&self.name);
    }
}

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

#[test]
fn a_name_without_a_leading_slash_is_einval() {
    let e = open(&c("no-slash"), libc::O_RDONLY, 0, None).unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
    assert_eq!(unlink(&c("")).unwrap_err().errno(), libc::EINVAL);
}

#[test]
fn o_accmode_is_einval_and_creates_nothing() {
    let name = c(&format!("/rsipc-unit-{}-accmode", std::process::id()));
    let e = open(&name, libc::O_ACCMODE | libc::O_CREAT, 0o600, None).unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
    assert_eq!(unlink(&name).unwrap_err().errno(), libc::ENOENT, "no queue was created");
}

#[test]
fn a_second_slash_is_eacces_as_in_glibc() {
    let e = open(&c("/a/b"), libc::O_RDWR | libc::O_CREAT, 0o600, None).unwrap_err();
    assert_eq!(e.errno(), libc::EACCES);
    assert!(e.message().contains("no '/' after the first"), "{e}");
}

#[test]
fn a_name_longer_than_name_max_is_enametoolong() {
    let long = format!("/{}", "a".repeat(NAME_MAX + 1));
    let e = open(&c(&long), libc::O_RDONLY, 0, None).unwrap_err();
    assert_eq!(e.errno(), libc::ENAMETOOLONG);
    assert!(e.message().contains("NAME_MAX"), "{e}");
}

#[test]
fn priorities_come_out_highest_first_fifo_within_one() {
    let q = Queue::new("prio", 8, 16);
    for (text, prio) in [(&b"low1"[..], 1), (b"high", 9), (b"low2", 1), (b"mid", 5)] {
        send(q.mqd, text, prio, None).unwrap();
    }
    let mut buf = [0u8; 16];
    let mut got = vec![];
    for _ in 0..4 {
        let (n, prio) = receive(q.mqd, &mut buf, None).unwrap();
        got.push((buf[..n].to_vec(), prio));
    }
    let want: Vec<(Vec<u8>, u32)> =
        vec![(b"high".to_vec(), 9), (b"mid".to_vec(), 5), (b"low1".to_vec(), 1), (b"low2".to_vec(), 1)];
    assert_eq!(got, want);
}

#[test]
fn priority_at_mq_prio_max_is_einval() {
    let q = Queue::new("pmax", 2, 8);
    assert_eq!(send(q.mqd, b"x", MQ_PRIO_MAX, None).unwrap_err().errno(), libc::EINVAL);
    send(q.mqd, b"x", MQ_PRIO_MAX - 1, None).unwrap();
}

#[test]
fn a_small_receive_buffer_is_emsgsize_naming_mq_msgsize() {
    let q = Queue::new("small", 2, 32);
    send(q.mqd, b"x", 0, None).unwrap();
    let e = receive(q.mqd, &mut [0u8; 8], None).unwrap_err();
    assert_eq!(e.errno(), libc::EMSGSIZE);
    assert!(e.message().contains("mq_msgsize (32)"), "{e}");
    assert_eq!(getattr(q.mqd).unwrap().mq_curmsgs, 1);
}

#[test]
fn a_past_deadline_on_an_empty_queue_is_etimedout() {
    let q = Queue::new("past", 2, 8);
    let past = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    assert_eq!(receive(q.mqd, &mut [0u8; 8], Some(&past)).unwrap_err().errno(), libc::ETIMEDOUT);
}

#[test]
fn bad_tv_nsec_is_einval_even_when_no_wait_is_needed() {
    let q = Queue::new("nsec", 2, 8);
    send(q.mqd, b"x", 0, None).unwrap();
    let bad = libc::timespec { tv_sec: 0, tv_nsec: 1_000_000_000 };
    assert_eq!(receive(q.mqd, &mut [0u8; 8], Some(&bad)).unwrap_err().errno(), libc::EINVAL);
    assert_eq!(send(q.mqd, b"y", 0, Some(&bad)).unwrap_err().errno(), libc::EINVAL);
}

#[test]
fn setattr_toggles_o_nonblock_only() {
    let q = Queue::new("attr", 2, 8);
    let mut new = raw::zeroed_attr();
    new.mq_flags = libc::O_NONBLOCK as libc::c_long;
    assert_eq!(setattr(q.mqd, &new).unwrap().mq_flags, 0);
    assert_eq!(getattr(q.mqd).unwrap().mq_flags, libc::O_NONBLOCK as libc::c_long);
    assert_eq!(receive(q.mqd, &mut [0u8; 8], None).unwrap_err().errno(), libc::EAGAIN);
    new.mq_flags = libc::O_APPEND as libc::c_long;
    assert_eq!(setattr(q.mqd, &new).unwrap_err().errno(), libc::EINVAL);
}

#[test]
fn a_second_registration_is_ebusy_and_none_unregisters() {
    let q = Queue::new("notify", 2, 8);
    notify(q.mqd, Some(Notify::None)).unwrap();
    assert_eq!(notify(q.mqd, Some(Notify::None)).unwrap_err().errno(), libc::EBUSY);
    notify(q.mqd, None).unwrap();
    notify(q.mqd, Some(Notify::None)).unwrap();
}
