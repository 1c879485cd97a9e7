//! Helpers shared by the Rust integration tests (`mod common;` in each).
#![allow(dead_code)]

/// Forks; the child runs `child` and `_exit`s with its return value (101 if
/// it panicked). Returns the child's pid.
pub fn fork_child(child: impl FnOnce() -> i32) -> libc::pid_t {
    // SAFETY: the child only runs `child` and then _exit, never returning
    // into the test harness.
    match unsafe { libc::fork() } {
        -1 => panic!("fork failed: {}", std::io::Error::last_os_error()),
        0 => {
            let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(child)).unwrap_or(101);
            // SAFETY: _exit is always safe to call.
            unsafe { libc::_exit(code) }
        }
        pid => pid,
    }
}

/// Waits for `pid` and returns its exit code; panics if it was killed.
pub fn wait_exit_code(pid: libc::pid_t) -> i32 {
    let mut status = 0;
    // SAFETY: valid out-pointer; pid is our child.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(libc::WIFEXITED(status), "child did not exit normally: status {status:#x}");
    libc::WEXITSTATUS(status)
}

/// A name unique to this process and call site, for IPC objects and files:
/// `/rsipc-test-<pid>-<tag>-<n>`.
pub fn unique_name(tag: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!("/rsipc-test-{}-{tag}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// Closes `fd`, panicking on failure.
pub fn close(fd: i32) {
    rsipc::sys::close(fd).unwrap();
}

/// True (after saying so) when the test cannot run because it needs root,
/// to be a second user or for another privilege: the test then returns
/// early. The line goes straight to the standard error, past the test
/// harness's output capture, so `cargo test` shows every skip.
pub fn skip_unless_root(why: &str) -> bool {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        return false;
    }
    use std::io::Write;
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    // One write, on a line of its own (cargo test --quiet prints its dots
    // without a newline, from other threads too).
    let line = format!("\nskipped: {test}: not running as root: {why}\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
    true
}
