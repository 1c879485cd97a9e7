//! FIFOs between real processes (fork), through the safe Rust API.

mod common;

use std::ffi::CString;
use std::os::fd::{AsRawFd, IntoRawFd};

use common::{close, fork_child, wait_exit_code};
use rsipc::fifo;
use rsipc::pipe::{self, End};

/// A FIFO path unique to this test, removed when dropped.
struct TempFifo(CString);

impl TempFifo {
    fn new(tag: &str) -> TempFifo {
        let path = CString::new(format!("/tmp{}", common::unique_name(tag))).unwrap();
        fifo::mkfifo(&path, 0o600).unwrap();
        TempFifo(path)
    }
}

impl Drop for TempFifo {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.0.to_str().unwrap());
    }
}

/// Waits until `fd` is readable or its writer hung up (a FIFO reader that
/// opened before any writer sees end of file until one comes).
fn wait_readable(fd: i32) {
    let mut pfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd.
    assert_eq!(unsafe { libc::poll(&mut pfd, 1, 60_000) }, 1, "no writer came within a minute");
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[test]
fn a_writer_waits_for_a_reader_in_another_process() {
    let f = TempFifo::new("wait");
    let [sync_r, sync_w] = pipe::pipe2(0).unwrap().map(std::os::fd::IntoRawFd::into_raw_fd);
    let path = f.0.clone();
    let pid = fork_child(move || {
        close(sync_r);
        // Tell the parent we are about to wait, then wait for its reader.
        if pipe::write_all(sync_w, b"x").end != End::Complete {
            return 1;
        }
        let Ok(w) = fifo::open(&path, libc::O_WRONLY, 60_000) else { return 2 };
        (pipe::write_all(w.as_raw_fd(), b"hello through the fifo").end != End::Complete) as i32
    });
    close(sync_w);
    let mut buf = [0u8; 1];
    assert_eq!(pipe::read_exact(sync_r, &mut buf).done, 1);
    let r = fifo::open(&f.0, libc::O_RDONLY, 0).unwrap();
    wait_readable(r.as_raw_fd());
    let mut got = [0u8; 64];
    let t = pipe::read_exact(r.as_raw_fd(), &mut got);
    assert_eq!(t.end, End::Eof);
    assert_eq!(&got[..t.done], b"hello through the fifo");
    assert_eq!(wait_exit_code(pid), 0);
    close(sync_r);
}

#[test]
fn a_reader_blocked_in_open_counts_as_a_reader_for_a_waiting_writer() {
    let f = TempFifo::new("blocked-reader");
    let path = f.0.clone();
    let pid = fork_child(move || {
        // The plain blocking open(2) of the C library: it waits for a writer.
        // SAFETY: a valid C string.
        let r = unsafe { libc::open(path.as_ptr(), libc::O_RDONLY) };
        if r < 0 {
            return 1;
        }
        let mut buf = [0u8; 4];
        let ok = pipe::read_exact(r, &mut buf).done == 4 && &buf == b"ping";
        (!ok) as i32
    });
    let w = fifo::open(&f.0, libc::O_WRONLY, 60_000).unwrap();
    assert_eq!(pipe::write_all(w.as_raw_fd(), b"ping").end, End::Complete);
    drop(w);
    assert_eq!(wait_exit_code(pid), 0);
}

#[test]
fn messages_from_a_child_writer_arrive_in_order() {
    let f = TempFifo::new("order");
    let r = fifo::open(&f.0, libc::O_RDONLY, 0).unwrap();
    let path = f.0.clone();
    let pid = fork_child(move || {
        let Ok(w) = fifo::open(&path, libc::O_WRONLY, 60_000) else { return 1 };
        for i in 0u32..200 {
            if pipe::write_all(w.as_raw_fd(), &i.to_le_bytes()).end != End::Complete {
                return 2;
            }
        }
        0
    });
    wait_readable(r.as_raw_fd());
    for i in 0u32..200 {
        let mut buf = [0u8; 4];
        assert_eq!(pipe::read_exact(r.as_raw_fd(), &mut buf).done, 4);
        assert_eq!(u32::from_le_bytes(buf), i);
    }
    assert_eq!(wait_exit_code(pid), 0);
}

#[test]
fn failed_opens_leave_no_descriptor_behind() {
    let f = TempFifo::new("leak");
    let regular = format!("{}-file", f.0.to_str().unwrap());
    std::fs::write(&regular, b"x").unwrap();
    let path = f.0.clone();
    let regular_c = CString::new(regular.clone()).unwrap();
    // In a child: it has one thread, so nothing else opens descriptors.
    let pid = fork_child(move || {
        let before = open_fds();
        let timed_out = fifo::open(&path, libc::O_WRONLY, 20).err().map(|e| e.errno());
        let no_reader = fifo::open(&path, libc::O_WRONLY, 0).err().map(|e| e.errno());
        let not_fifo = fifo::open(&regular_c, libc::O_RDONLY, 0).err().map(|e| e.errno());
        let ok = timed_out == Some(libc::ETIMEDOUT)
            && no_reader == Some(libc::ENXIO)
            && not_fifo == Some(libc::EINVAL)
            && open_fds() == before;
        (!ok) as i32
    });
    assert_eq!(wait_exit_code(pid), 0);
    std::fs::remove_file(regular).unwrap();
}

#[test]
fn a_descriptor_without_o_cloexec_is_inherited_across_exec() {
    let f = TempFifo::new("exec");
    let r = fifo::open(&f.0, libc::O_RDWR, 0).unwrap().into_raw_fd();
    // `test -e /proc/self/fd/N` in a shell started by exec sees the descriptor.
    let status = std::process::Command::new("sh").arg("-c").arg(format!("test -e /proc/self/fd/{r}")).status().unwrap();
    assert!(status.success(), "the fifo descriptor was not inherited");
    close(r);
}
