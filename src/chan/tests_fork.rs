//! Unit tests of liveness across `fork()`: a process dies holding a slot
//! while a child it forked after mapping the channel lives on.

use super::{die_at, fork, reap, Named, LONG};
use crate::chan::ring::{fault, member_of, phase_of, Phase};
use crate::chan::Chan;

/// A pipe whose ends close when the value is dropped.
struct Pipe([i32; 2]);

impl Pipe {
    fn new() -> Pipe {
        let mut fds = [0i32; 2];
        // SAFETY: a valid array of two descriptors.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        Pipe(fds)
    }

    fn put(&self, v: i32) {
        // SAFETY: our write end; four bytes from a live value.
        assert_eq!(unsafe { libc::write(self.0[1], (&v as *const i32).cast(), 4) }, 4);
    }

    fn get(&self) -> i32 {
        let mut v = 0i32;
        // SAFETY: our read end; four bytes into a live value.
        assert_eq!(unsafe { libc::read(self.0[0], (&mut v as *mut i32).cast(), 4) }, 4);
        v
    }
}

impl Drop for Pipe {
    fn drop(&mut self) {
        for fd in self.0 {
            // SAFETY: our descriptors.
            unsafe { libc::close(fd) };
        }
    }
}

/// Forks `f` as a sibling of the caller (`CLONE_PARENT`: the caller's
/// parent reaps it), from a single-threaded process; returns its pid.
fn fork_sibling(f: impl FnOnce()) -> libc::pid_t {
    // SAFETY: a fork-like clone (no shared memory, the child runs on a
    // copy of the stack) of a process with one thread; the child runs `f`
    // and leaves with _exit.
    let pid = unsafe { libc::syscall(libc::SYS_clone, libc::CLONE_PARENT | libc::SIGCHLD, 0, 0, 0, 0) };
    match pid {
        0 => {
            let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_ok();
            // SAFETY: _exit is always safe.
            unsafe { libc::_exit(if ok { 0 } else { 1 }) }
        }
        pid => {
            assert!(pid > 0, "clone failed: {}", std::io::Error::last_os_error());
            pid as libc::pid_t
        }
    }
}

/// A process opens the channel `tag`, makes a child with `spawn` (which
/// returns the child's pid once the child is ready; the child then waits
/// for `go`), and dies mid-send. While the child lives on, the dead sender
/// must count as dead and its slot be skipped (and counted lost). The
/// child is let go before any assertion, so a failing one cannot leave it
/// waiting; returns its pid.
fn a_sender_dies_while_its_child_lives(tag: &str, spawn: impl Fn(&Chan, &Pipe) -> libc::pid_t) -> libc::pid_t {
    let n = Named::new(tag, 64, 2);
    let ch = &n.1;
    let (pids, go) = (Pipe::new(), Pipe::new());
    let name = n.0.clone();
    let sender = fork(|| {
        let mine = Chan::open(&name).unwrap();
        pids.put(spawn(&mine, &go));
        die_at(fault::SEND_HALF);
        let _ = mine.send(&[1; 64], LONG);
    });
    let child = pids.get();
    assert_eq!(reap(sender), libc::SIGKILL);
    let held = ch.ring.slot_word(0);
    // SAFETY: kill with signal 0 only checks that the process exists.
    let child_alive = unsafe { libc::kill(child, 0) } == 0;
    let dead = !ch.ring.member_alive(member_of(held));
    let sent = ch.send(b"next", 0);
    let mut buf = [0u8; 64];
    let next = ch.recv(&mut buf, 0).map(|n| buf[..n].to_vec());
    let s = ch.stats();
    go.put(0);
    assert!(child_alive, "the forked child had already gone");
    assert_eq!(phase_of(held), Phase::Writing);
    assert!(dead, "the dead sender counts as alive while a child it forked lives");
    sent.unwrap();
    assert_eq!(next.unwrap(), b"next");
    assert_eq!((s.sent, s.received, s.lost, s.queued), (2, 1, 1, 0));
    child
}

/// The child uses the channel (so its descriptor is its own, but its
/// mapping is the one it inherited, which holds the description the
/// channel was mapped through).
#[test]
fn a_sender_dies_while_a_child_it_forked_lives_and_its_slot_is_skipped() {
    let child = a_sender_dies_while_its_child_lives("forked", |mine, go| {
        let registered = Pipe::new();
        let child = fork_sibling(|| {
            // Registers this process under an id and description of its own.
            let _ = mine.stats();
            registered.put(0);
            go.get();
        });
        registered.get();
        child
    });
    // A sibling of the sender: ours to reap.
    assert_eq!(reap(child), 0);
}

/// The child is made with `fork()` (so the fork handlers run) and never
/// touches the channel: it only inherited the descriptor of its parent's
/// liveness lock, under which the fork handler put a description of its
/// own.
#[test]
fn a_sender_dies_while_a_child_that_never_used_the_channel_lives_and_its_slot_is_skipped() {
    a_sender_dies_while_its_child_lives("forked-idle", |_, go| {
        let ready = Pipe::new();
        // SAFETY: this process has one thread; the child only reads and
        // writes pipes and leaves with _exit (its parent is gone by then:
        // init reaps it).
        let child = unsafe { libc::fork() };
        if child == 0 {
            ready.put(0);
            go.get();
            // SAFETY: _exit is always safe.
            unsafe { libc::_exit(0) };
        }
        assert!(child > 0);
        ready.get();
        child
    });
}
