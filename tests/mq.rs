//! POSIX message queues between real processes (fork), through the safe
//! Rust API. /dev/mqueue need not be mounted: removal is checked by opening
//! the name again.

mod common;

use std::ffi::CString;

use common::{close, fork_child, unique_name, wait_exit_code};
use libc::{c_int, c_long, mqd_t};
use rsipc::pipe;
use rsipc::posix_mq::{self as mq, Notify};

/// A queue with a unique name, closed and unlinked when the test ends.
struct Queue {
    name: CString,
    mqd: mqd_t,
}

impl Queue {
    fn new(tag: &str, maxmsg: c_long, msgsize: c_long) -> Queue {
        let name = CString::new(unique_name(tag)).unwrap();
        let mqd =
            mq::open(&name, libc::O_CREAT | libc::O_EXCL | libc::O_RDWR, 0o600, Some(&attr(maxmsg, msgsize))).unwrap();
        Queue { name, mqd }
    }
    fn receive(&self) -> (Vec<u8>, u32) {
        let mut buf = vec![0u8; 64];
        let (n, prio) = mq::receive(self.mqd, &mut buf, None).unwrap();
        buf.truncate(n);
        (buf, prio)
    }
}

impl Drop for Queue {
    fn drop(&mut self) {
        let _ = mq::close(self.mqd);
        let _ = mq::unlink(&self.name);
    }
}

fn attr(maxmsg: c_long, msgsize: c_long) -> libc::mq_attr {
    let mut a = rsipc::sys::mqueue::zeroed_attr();
    a.mq_maxmsg = maxmsg;
    a.mq_msgsize = msgsize;
    a
}

/// An absolute CLOCK_REALTIME time `ms` milliseconds from now.
fn realtime_in(ms: i64) -> libc::timespec {
    let now = rsipc::sys::clock_now(libc::CLOCK_REALTIME).unwrap();
    let ns = now.tv_nsec as i64 + (ms % 1000) * 1_000_000;
    libc::timespec { tv_sec: now.tv_sec + ms / 1000 + ns / 1_000_000_000, tv_nsec: (ns % 1_000_000_000) as _ }
}

#[test]
fn a_child_sends_and_the_parent_receives_by_priority() {
    let q = Queue::new("prio", 8, 64);
    let name = q.name.clone();
    let pid = fork_child(move || {
        let Ok(mqd) = mq::open(&name, libc::O_WRONLY, 0, None) else { return 1 };
        for (text, prio) in [(&b"low"[..], 1), (b"urgent", 20), (b"normal", 10), (b"low again", 1)] {
            if mq::send(mqd, text, prio, None).is_err() {
                return 2;
            }
        }
        mq::close(mqd).map_or(3, |()| 0)
    });
    assert_eq!(wait_exit_code(pid), 0);
    assert_eq!(q.receive(), (b"urgent".to_vec(), 20));
    assert_eq!(q.receive(), (b"normal".to_vec(), 10));
    assert_eq!(q.receive(), (b"low".to_vec(), 1));
    assert_eq!(q.receive(), (b"low again".to_vec(), 1));
}

#[test]
fn a_blocked_receiver_in_another_process_gets_the_message_sent_later() {
    let q = Queue::new("block", 2, 16);
    let mqd = q.mqd;
    let pid = fork_child(move || {
        let mut buf = [0u8; 16];
        match mq::receive(mqd, &mut buf, None) {
            Ok((5, 3)) if &buf[..5] == b"hello" => 0,
            _ => 1,
        }
    });
    mq::send(q.mqd, b"hello", 3, None).unwrap();
    assert_eq!(wait_exit_code(pid), 0);
}

#[test]
fn timedreceive_on_an_empty_queue_times_out() {
    let q = Queue::new("timeout", 2, 16);
    let deadline = realtime_in(20);
    let e = mq::receive(q.mqd, &mut [0u8; 16], Some(&deadline)).unwrap_err();
    assert_eq!(e.errno(), libc::ETIMEDOUT);
    assert!(e.message().contains("abs_timeout"), "{e}");
}

#[test]
fn timedsend_on_a_full_queue_times_out() {
    let q = Queue::new("full", 1, 16);
    mq::send(q.mqd, b"x", 0, None).unwrap();
    let deadline = realtime_in(20);
    assert_eq!(mq::send(q.mqd, b"y", 0, Some(&deadline)).unwrap_err().errno(), libc::ETIMEDOUT);
}

#[test]
fn a_full_nonblocking_queue_is_eagain() {
    let q = Queue::new("nonblock", 1, 16);
    let w = mq::open(&q.name, libc::O_WRONLY | libc::O_NONBLOCK, 0, None).unwrap();
    mq::send(w, b"x", 0, None).unwrap();
    let e = mq::send(w, b"y", 0, None).unwrap_err();
    assert_eq!(e.errno(), libc::EAGAIN);
    assert!(e.message().contains("full"), "{e}");
    mq::close(w).unwrap();
}

#[test]
fn sending_on_a_read_only_descriptor_is_ebadf_saying_so() {
    let q = Queue::new("rdonly", 1, 16);
    let r = mq::open(&q.name, libc::O_RDONLY, 0, None).unwrap();
    let e = mq::send(r, b"x", 0, None).unwrap_err();
    assert_eq!(e.errno(), libc::EBADF);
    assert!(e.message().contains("not open for writing"), "{e}");
    mq::close(r).unwrap();
}

#[test]
fn a_message_above_mq_msgsize_is_emsgsize() {
    let q = Queue::new("big", 1, 8);
    let e = mq::send(q.mqd, &[0u8; 9], 0, None).unwrap_err();
    assert_eq!(e.errno(), libc::EMSGSIZE);
    assert!(e.message().contains("mq_msgsize (8)"), "{e}");
}

#[test]
fn attributes_outside_the_limits_are_einval() {
    let name = CString::new(unique_name("badattr")).unwrap();
    let e = mq::open(&name, libc::O_CREAT | libc::O_RDWR, 0o600, Some(&attr(0, 8))).unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
    assert!(e.message().contains("mq_maxmsg 0"), "{e}");
}

#[test]
fn unlink_removes_the_name_but_open_descriptors_keep_working() {
    let q = Queue::new("unlink", 2, 16);
    mq::unlink(&q.name).unwrap();
    assert_eq!(mq::open(&q.name, libc::O_RDONLY, 0, None).unwrap_err().errno(), libc::ENOENT);
    mq::send(q.mqd, b"still", 0, None).unwrap();
    assert_eq!(q.receive(), (b"still".to_vec(), 0));
    let e = mq::unlink(&q.name).unwrap_err();
    assert_eq!(e.errno(), libc::ENOENT);
}

#[test]
fn getattr_reports_the_sizes_and_the_count() {
    let q = Queue::new("getattr", 4, 32);
    mq::send(q.mqd, b"a", 0, None).unwrap();
    let a = mq::getattr(q.mqd).unwrap();
    assert_eq!((a.mq_flags, a.mq_maxmsg, a.mq_msgsize, a.mq_curmsgs), (0, 4, 32, 1));
}

#[test]
fn sigev_signal_delivers_the_signal_with_its_value_to_the_registered_process() {
    let q = Queue::new("signal", 2, 16);
    let [ready_r, ready_w] = pipe::pipe2(0).unwrap().map(std::os::fd::IntoRawFd::into_raw_fd);
    let mqd = q.mqd;
    let pid = fork_child(move || {
        // SAFETY: plain signal-mask calls on a zeroed sigset_t.
        let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
        unsafe {
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGUSR1);
            libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        }
        let value = libc::sigval { sival_ptr: 4242 as *mut libc::c_void };
        if mq::notify(mqd, Some(Notify::Signal { signo: libc::SIGUSR1, value })).is_err() {
            return 1;
        }
        if pipe::write_all(ready_w, b"r").done != 1 {
            return 2;
        }
        // SAFETY: zeroed siginfo_t is a valid out-buffer.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: `set` and `info` are valid.
        let sig = unsafe { libc::sigwaitinfo(&set, &mut info) };
        // SAFETY: for SI_MESGQ the kernel filled the sigval member.
        let got = unsafe { info.si_value() }.sival_ptr as usize;
        if sig != libc::SIGUSR1 || info.si_code != libc::SI_MESGQ || got != 4242 {
            return 3;
        }
        0
    });
    close(ready_w);
    let mut b = [0u8; 1];
    assert_eq!(pipe::read_exact(ready_r, &mut b).done, 1);
    close(ready_r);
    mq::send(q.mqd, b"wake", 0, None).unwrap();
    assert_eq!(wait_exit_code(pid), 0);
}

#[test]
fn another_process_registered_makes_mq_notify_ebusy_until_it_exits() {
    let q = Queue::new("busy", 2, 16);
    let [ready_r, ready_w] = pipe::pipe2(0).unwrap().map(std::os::fd::IntoRawFd::into_raw_fd);
    let [done_r, done_w] = pipe::pipe2(0).unwrap().map(std::os::fd::IntoRawFd::into_raw_fd);
    let mqd = q.mqd;
    let pid = fork_child(move || {
        close(ready_r);
        close(done_w);
        if mq::notify(mqd, Some(Notify::None)).is_err() {
            return 1;
        }
        pipe::write_all(ready_w, b"r");
        let mut b = [0u8; 1];
        pipe::read_exact(done_r, &mut b); // until the parent has checked
        0
    });
    close(ready_w);
    close(done_r);
    let mut b = [0u8; 1];
    assert_eq!(pipe::read_exact(ready_r, &mut b).done, 1);
    let e = mq::notify(q.mqd, Some(Notify::None)).unwrap_err();
    assert_eq!(e.errno(), libc::EBUSY);
    assert!(e.message().contains("already registered"), "{e}");
    // Unregistering is only for the registered process: a no-op here.
    mq::notify(q.mqd, None).unwrap();
    assert_eq!(mq::notify(q.mqd, Some(Notify::None)).unwrap_err().errno(), libc::EBUSY);
    close(done_w);
    assert_eq!(wait_exit_code(pid), 0);
    close(ready_r);
    // The child's exit closed its descriptor, which removed its registration.
    mq::notify(q.mqd, Some(Notify::None)).unwrap();
}

extern "C" fn write_value_to_fd(value: libc::sigval) {
    let fd = value.sival_ptr as usize as c_int;
    pipe::write_all(fd, b"n");
}

#[test]
fn sigev_thread_calls_the_function_with_its_value_in_a_new_thread() {
    let q = Queue::new("thread", 2, 16);
    let [r, w] = pipe::pipe2(libc::O_CLOEXEC).unwrap().map(std::os::fd::IntoRawFd::into_raw_fd);
    let value = libc::sigval { sival_ptr: w as usize as *mut libc::c_void };
    mq::notify(q.mqd, Some(Notify::Thread { function: write_value_to_fd, value, attributes: None })).unwrap();
    mq::send(q.mqd, b"go", 0, None).unwrap();
    let mut b = [0u8; 1];
    assert_eq!(pipe::read_exact(r, &mut b).done, 1);
    // The registration fired and ended: registering again works.
    mq::notify(q.mqd, Some(Notify::None)).unwrap();
    close(r);
    close(w);
}

#[test]
fn sigev_thread_uses_the_thread_attributes_given() {
    let q = Queue::new("attrs", 2, 16);
    let [r, w] = pipe::pipe2(libc::O_CLOEXEC).unwrap().map(std::os::fd::IntoRawFd::into_raw_fd);
    // SAFETY: pthread_attr_init prepares the zeroed attributes; the stack
    // size is above PTHREAD_STACK_MIN and page-aligned.
    let mut attributes: libc::pthread_attr_t = unsafe { std::mem::zeroed() };
    unsafe {
        assert_eq!(libc::pthread_attr_init(&mut attributes), 0);
        assert_eq!(libc::pthread_attr_setstacksize(&mut attributes, 256 * 1024), 0);
    }
    extern "C" fn report_stack_size(value: libc::sigval) {
        let fd = value.sival_ptr as usize as c_int;
        let mut size = 0usize;
        // SAFETY: pthread_getattr_np fills `a` for the calling thread, which
        // is then read and destroyed.
        unsafe {
            let mut a: libc::pthread_attr_t = std::mem::zeroed();
            if libc::pthread_getattr_np(libc::pthread_self(), &mut a) == 0 {
                libc::pthread_attr_getstacksize(&a, &mut size);
                libc::pthread_attr_destroy(&mut a);
            }
        }
        pipe::write_all(fd, &size.to_ne_bytes());
    }
    let value = libc::sigval { sival_ptr: w as usize as *mut libc::c_void };
    mq::notify(q.mqd, Some(Notify::Thread { function: report_stack_size, value, attributes: Some(&attributes) }))
        .unwrap();
    mq::send(q.mqd, b"go", 0, None).unwrap();
    let mut b = [0u8; std::mem::size_of::<usize>()];
    assert_eq!(pipe::read_exact(r, &mut b).done, b.len());
    assert_eq!(usize::from_ne_bytes(b), 256 * 1024);
    // SAFETY: initialised above; the notification thread was created from it
    // before mq_notify returned.
    unsafe { libc::pthread_attr_destroy(&mut attributes) };
    close(r);
    close(w);
}

#[test]
fn sigev_thread_registration_is_ebusy_like_any_other() {
    let q = Queue::new("tbusy", 2, 16);
    let value = libc::sigval { sival_ptr: std::ptr::null_mut() };
    extern "C" fn never(_: libc::sigval) {}
    mq::notify(q.mqd, Some(Notify::None)).unwrap();
    let e = mq::notify(q.mqd, Some(Notify::Thread { function: never, value, attributes: None })).unwrap_err();
    assert_eq!(e.errno(), libc::EBUSY);
    // Unregister the first, then the thread registration takes its place
    // and is removed with the descriptor when the queue closes.
    mq::notify(q.mqd, None).unwrap();
    mq::notify(q.mqd, Some(Notify::Thread { function: never, value, attributes: None })).unwrap();
    mq::notify(q.mqd, None).unwrap();
}
