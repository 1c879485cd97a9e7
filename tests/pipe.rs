//! Pipes between real processes (fork), through the safe Rust API.

mod common;

use common::{close, fork_child, wait_exit_code};
use rsipc::pipe::{self, End};

#[test]
fn a_child_writes_five_messages_and_the_parent_reads_to_end_of_file() {
    let [r, w] = pipe::pipe2(0).unwrap().map(std::os::fd::IntoRawFd::into_raw_fd);
    let pid = fork_child(|| {
        close(r);
        for _ in 0..5 {
            if pipe::write_all(w, b"hello world!").end != End::Complete {
                return 1;
            }
        }
        0
    });
    close(w);
    let mut buf = [0u8; 100];
    let t = pipe::read_exact(r, &mut buf);
    assert_eq!(t.done, 60);
    assert_eq!(t.end, End::Eof);
    assert_eq!(&buf[..12], b"hello world!");
    assert_eq!(wait_exit_code(pid), 0);
    close(r);
}

#[test]
fn a_writer_blocked_on_a_full_pipe_resumes_when_the_reader_drains_it() {
    let [r, w] = pipe::pipe2(0).unwrap().map(std::os::fd::IntoRawFd::into_raw_fd);
    let total = 3 * 65536;
    let pid = fork_child(move || {
        close(r);
        let data = vec![0xabu8; total];
        (pipe::write_all(w, &data).done != total) as i32
    });
    close(w);
    let mut buf = vec![0u8; total];
    let t = pipe::read_exact(r, &mut buf);
    assert_eq!(t.done, total);
    assert!(buf.iter().all(|&b| b == 0xab));
    assert_eq!(wait_exit_code(pid), 0);
    close(r);
}

#[test]
fn duplex_pipes_echo_in_upper_case() {
    let [to_child_r, to_child_w] = pipe::pipe2(0).unwrap().map(std::os::fd::IntoRawFd::into_raw_fd);
    let [to_parent_r, to_parent_w] = pipe::pipe2(0).unwrap().map(std::os::fd::IntoRawFd::into_raw_fd);
    let pid = fork_child(move || {
        close(to_child_w);
        close(to_parent_r);
        let mut buf = [0u8; 5];
        if pipe::read_exact(to_child_r, &mut buf).done != 5 {
            return 1;
        }
        buf.make_ascii_uppercase();
        (pipe::write_all(to_parent_w, &buf).done != 5) as i32
    });
    close(to_child_r);
    close(to_parent_w);
    pipe::write_all(to_child_w, b"hello");
    let mut buf = [0u8; 5];
    assert_eq!(pipe::read_exact(to_parent_r, &mut buf).done, 5);
    assert_eq!(&buf, b"HELLO");
    assert_eq!(wait_exit_code(pid), 0);
    close(to_child_w);
    close(to_parent_r);
}
