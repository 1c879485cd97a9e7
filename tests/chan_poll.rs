//! Pollable channels (`Chan::pollfd`, C `rsipc_chan_pollfd`) between
//! processes that share only the channel's name: epoll level- and
//! edge-triggered, the writable side, and a poller that dies while armed.
//! Every step is synchronised with pipes, so each readiness check below is
//! deterministic: when it runs, no message is in flight.

mod common;

use std::ffi::CString;
use std::os::fd::AsRawFd;

use common::{fork_child, unique_name, wait_exit_code};
use rsipc::chan::{self, Chan};

/// A pipe for one-byte handshakes between parent and child.
struct Pipe([i32; 2]);

impl Pipe {
    fn new() -> Pipe {
        let mut fds = [0; 2];
        // SAFETY: valid out-array.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        Pipe(fds)
    }
    fn put(&self, b: u8) {
        // SAFETY: one byte from a live local.
        assert_eq!(unsafe { libc::write(self.0[1], &b as *const u8 as *const _, 1) }, 1);
    }
    fn put_bytes(&self, b: &[u8]) {
        // SAFETY: a live slice.
        assert_eq!(unsafe { libc::write(self.0[1], b.as_ptr() as *const _, b.len()) }, b.len() as isize);
    }
    fn get(&self) -> u8 {
        let mut b = 0u8;
        // SAFETY: one byte into a live local.
        assert_eq!(unsafe { libc::read(self.0[0], &mut b as *mut u8 as *mut _, 1) }, 1);
        b
    }
    fn get_bytes(&self, n: usize) -> Vec<u8> {
        let mut v = vec![0u8; n];
        let mut got = 0;
        while got < n {
            // SAFETY: the rest of a live buffer.
            let r = unsafe { libc::read(self.0[0], v[got..].as_mut_ptr() as *mut _, n - got) };
            assert!(r > 0);
            got += r as usize;
        }
        v
    }
}

impl Drop for Pipe {
    fn drop(&mut self) {
        // SAFETY: our own descriptors.
        unsafe {
            libc::close(self.0[0]);
            libc::close(self.0[1]);
        }
    }
}

/// An epoll instance watching `fd` for EPOLLIN (edge-triggered if `et`).
struct Epoll(i32);

impl Epoll {
    fn new(fd: i32, et: bool) -> Epoll {
        // SAFETY: plain calls with a live event struct.
        unsafe {
            let ep = libc::epoll_create1(libc::EPOLL_CLOEXEC);
            assert!(ep >= 0);
            let mut ev =
                libc::epoll_event { events: (libc::EPOLLIN | if et { libc::EPOLLET } else { 0 }) as u32, u64: 7 };
            assert_eq!(libc::epoll_ctl(ep, libc::EPOLL_CTL_ADD, fd, &mut ev), 0);
            Epoll(ep)
        }
    }
    /// How many events within `timeout_ms` (0: none pending now).
    fn wait(&self, timeout_ms: i32) -> i32 {
        let mut ev = libc::epoll_event { events: 0, u64: 0 };
        loop {
            // SAFETY: one live event slot.
            let n = unsafe { libc::epoll_wait(self.0, &mut ev, 1, timeout_ms) };
            if n >= 0 {
                return n;
            }
            assert_eq!(std::io::Error::last_os_error().raw_os_error(), Some(libc::EINTR));
        }
    }
}

impl Drop for Epoll {
    fn drop(&mut self) {
        // SAFETY: our own descriptor.
        unsafe { libc::close(self.0) };
    }
}

/// The file a doorbell descriptor is bound to.
fn bound_path(fd: i32) -> Vec<u8> {
    // SAFETY: a zeroed sockaddr_un and its length, filled by the kernel.
    let mut sa: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t;
    assert_eq!(unsafe { libc::getsockname(fd, &mut sa as *mut _ as *mut libc::sockaddr, &mut len) }, 0);
    sa.sun_path.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect()
}

fn exists(path: &[u8]) -> bool {
    std::path::Path::new(std::str::from_utf8(path).unwrap()).exists()
}

fn named(tag: &str) -> (CString, Chan) {
    let name = CString::new(unique_name(tag)).unwrap();
    let ch = Chan::create(Some(&name), 32, 4, 0o600).unwrap();
    (name, ch)
}

/// Receives with timeout 0 until EAGAIN; the messages taken.
fn drain(ch: &Chan) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = [0u8; 32];
    loop {
        match ch.recv(&mut buf, 0) {
            Ok(n) => out.push(buf[..n].to_vec()),
            Err(e) => {
                assert_eq!(e.errno(), libc::EAGAIN);
                return out;
            }
        }
    }
}

fn poller_child(name: &CString, et: bool, go: &Pipe, ack: &Pipe) -> i32 {
    let ch = Chan::open(name).unwrap();
    let fd = ch.pollfd(libc::POLLIN).unwrap().as_raw_fd();
    let ep = Epoll::new(fd, et);
    // Nothing queued yet: not readable.
    assert_eq!(ep.wait(0), 0);
    ack.put(b'r');
    for round in 0..5u8 {
        // The parent sent one message (round) and waits for our ack.
        assert_eq!(go.get(), b's');
        assert_eq!(ep.wait(-1), 1);
        if et {
            // One edge per arming: no second event while the message waits.
            assert_eq!(ep.wait(0), 0);
        } else {
            // Level-triggered: still readable until the receive drains it.
            assert_eq!(ep.wait(0), 1);
        }
        assert_eq!(drain(&ch), vec![vec![round]]);
        // The EAGAIN re-armed it, and nothing is in flight: not readable.
        assert_eq!(ep.wait(0), 0);
        ack.put(b'a');
    }
    // Two messages, one readiness report, both received.
    assert_eq!(go.get(), b's');
    assert_eq!(ep.wait(-1), 1);
    assert_eq!(drain(&ch), vec![vec![10], vec![11]]);
    assert_eq!(ep.wait(0), 0);
    drop(ch);
    // Closing the handle removed the doorbell's file.
    ack.put(b'c');
    0
}

fn run_epoll(et: bool) {
    let (name, ch) = named(if et { "poll-et" } else { "poll-lt" });
    let (go, ack) = (Pipe::new(), Pipe::new());
    let pid = fork_child(|| poller_child(&name, et, &go, &ack));
    assert_eq!(ack.get(), b'r');
    for round in 0..5u8 {
        ch.send(&[round], 0).unwrap();
        go.put(b's');
        assert_eq!(ack.get(), b'a');
    }
    ch.send(&[10], 0).unwrap();
    ch.send(&[11], 0).unwrap();
    go.put(b's');
    assert_eq!(ack.get(), b'c');
    assert_eq!(wait_exit_code(pid), 0);
    let s = ch.stats();
    assert_eq!((s.sent, s.received, s.lost, s.queued), (7, 7, 0, 0));
    chan::unlink(&name).unwrap();
}

#[test]
fn epoll_level_triggered_reports_a_message_until_a_receive_drains_it() {
    run_epoll(false);
}

#[test]
fn epoll_edge_triggered_reports_one_edge_per_arming() {
    run_epoll(true);
}

#[test]
fn the_writable_side_reports_a_free_slot() {
    let (name, ch) = named("poll-out");
    let fd = ch.pollfd(libc::POLLOUT).unwrap().as_raw_fd();
    let ep = Epoll::new(fd, false);
    // Empty channel: room, so readable at once.
    assert_eq!(ep.wait(0), 1);
    for i in 0..4u8 {
        ch.send(&[i], 0).unwrap();
    }
    // Full: the failing send re-arms the descriptor, which reads empty.
    assert_eq!(ch.send(&[9], 0).unwrap_err().errno(), libc::EAGAIN);
    assert_eq!(ep.wait(0), 0);
    let (go, ack) = (Pipe::new(), Pipe::new());
    let pid = fork_child(|| {
        let other = Chan::open(&name).unwrap();
        assert_eq!(go.get(), b'g');
        let mut buf = [0u8; 32];
        assert_eq!(other.recv(&mut buf, 0).unwrap(), 1);
        ack.put(b'a');
        0
    });
    go.put(b'g');
    assert_eq!(ack.get(), b'a');
    // Another process freed a slot: readable, and the send goes through.
    assert_eq!(ep.wait(-1), 1);
    ch.send(&[9], 0).unwrap();
    assert_eq!(wait_exit_code(pid), 0);
    // Both sides on one descriptor, and the same descriptor again.
    assert_eq!(ch.pollfd(libc::POLLIN | libc::POLLOUT).unwrap().as_raw_fd(), fd);
    drop(ep);
    drop(ch);
    chan::unlink(&name).unwrap();
}

#[test]
fn a_poller_killed_while_armed_costs_the_sender_nothing_and_its_file_is_reclaimed() {
    let (name, ch) = named("poll-dead");
    let ready = Pipe::new();
    let pid = fork_child(|| {
        let mine = Chan::open(&name).unwrap();
        let fd = mine.pollfd(libc::POLLIN | libc::POLLOUT).unwrap().as_raw_fd();
        let mut buf = [0u8; 32];
        assert_eq!(mine.recv(&mut buf, 0).unwrap_err().errno(), libc::EAGAIN);
        let path = bound_path(fd);
        ready.put(path.len() as u8);
        ready.put_bytes(&path);
        // Armed on both sides; killed while holding them.
        // SAFETY: raising a signal has no memory-safety preconditions.
        unsafe { libc::raise(libc::SIGKILL) };
        1
    });
    let n = ready.get() as usize;
    let path = ready.get_bytes(n);
    let mut status = 0;
    // SAFETY: our child.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(libc::WIFSIGNALED(status));
    assert!(exists(&path), "the dead poller's file is there until someone reclaims it");
    // The sends ring a doorbell nobody listens to: they neither block nor fail.
    let mut buf = [0u8; 32];
    for round in 0..20u8 {
        ch.send(&[round], 0).unwrap();
        assert_eq!(ch.recv(&mut buf, 0).unwrap(), 1);
        assert_eq!(buf[0], round);
    }
    // The sweep of stats() frees the entry and removes the file.
    let s = ch.stats();
    assert_eq!((s.sent, s.received, s.lost), (20, 20, 0));
    assert!(!exists(&path));
    drop(ch);
    chan::unlink(&name).unwrap();
}

#[test]
fn pollfd_rejects_bad_events_and_closing_removes_the_file() {
    let (name, ch) = named("poll-args");
    for bad in [0, libc::POLLPRI, libc::POLLIN | libc::POLLERR] {
        assert_eq!(ch.pollfd(bad).unwrap_err().errno(), libc::EINVAL, "events {bad:#x}");
    }
    let fd = ch.pollfd(libc::POLLIN).unwrap().as_raw_fd();
    let path = bound_path(fd);
    assert!(exists(&path));
    drop(ch);
    assert!(!exists(&path));
    chan::unlink(&name).unwrap();
}
