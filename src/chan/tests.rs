//! Unit tests of the channel: behaviour in one process, the shared layout,
//! and deaths at exact points of the protocol (fault injection).

use std::ffi::CString;
use std::sync::atomic::Ordering;

use super::ring::{fault, lap_of, member_of, phase_of, Phase};
use super::*;

// Liveness across fork (a file of its own: `super` is full).
#[path = "tests_fork.rs"]
mod fork;

fn name(tag: &str) -> CString {
    use std::sync::atomic::AtomicU32;
    static N: AtomicU32 = AtomicU32::new(0);
    CString::new(format!("/rsipc-unit-{}-{tag}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))).unwrap()
}

/// A named channel that is unlinked when the test ends.
pub(super) struct Named(pub(super) CString, pub(super) Chan);

impl Named {
    pub(super) fn new(tag: &str, max_msg: usize, capacity: usize) -> Named {
        let n = name(tag);
        let chan = Chan::create(Some(&n), max_msg, capacity, 0o600).unwrap();
        Named(n, chan)
    }
}

impl Drop for Named {
    fn drop(&mut self) {
        let _ = unlink(&self.0);
    }
}

pub(super) fn anon(max_msg: usize, capacity: usize) -> Chan {
    Chan::create(None, max_msg, capacity, 0).unwrap()
}

/// Forks a child that runs `f` and exits 0 (or is killed by a fault).
pub(super) fn fork(f: impl FnOnce()) -> libc::pid_t {
    // SAFETY: the child runs `f` and leaves with _exit.
    match unsafe { libc::fork() } {
        0 => {
            let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_ok();
            // SAFETY: _exit is always safe.
            unsafe { libc::_exit(if ok { 0 } else { 1 }) }
        }
        pid => {
            assert!(pid > 0);
            pid
        }
    }
}

/// Waits for `pid`; returns the signal that killed it (0 if it exited 0).
pub(super) fn reap(pid: libc::pid_t) -> i32 {
    let mut status = 0;
    // SAFETY: valid out-pointer; `pid` is our child.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    if libc::WIFSIGNALED(status) {
        libc::WTERMSIG(status)
    } else {
        assert_eq!(libc::WEXITSTATUS(status), 0, "child failed");
        0
    }
}

/// Receives one message as a vector.
pub(super) fn take(ch: &Chan, timeout_ms: i32) -> Vec<u8> {
    let mut buf = vec![0u8; ch.max_msg()];
    let n = ch.recv(&mut buf, timeout_ms).unwrap();
    buf.truncate(n);
    buf
}

/// Timeout for calls that must succeed: long enough for any loaded machine,
/// short enough that a broken recovery fails the test instead of hanging it.
pub(super) const LONG: i32 = 60_000;

/// Polls `done` until it holds; panics after a minute.
pub(super) fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(start.elapsed().as_secs() < 60, "gave up waiting until {what}");
        std::thread::yield_now();
    }
}

/// The state letter of `/proc/PID/stat` (tests only: the library never
/// reads /proc to judge liveness).
fn proc_state(pid: libc::pid_t) -> Option<u8> {
    let text = std::fs::read(format!("/proc/{pid}/stat")).ok()?;
    let close = text.iter().rposition(|&b| b == b')')?;
    text.get(close + 2).copied()
}

fn die_at(point: u8) {
    fault::POINT.store(point, Ordering::Relaxed);
}

#[test]
fn messages_come_out_in_order_with_their_lengths() {
    let ch = anon(16, 4);
    ch.send(b"one", 0).unwrap();
    ch.send(b"", 0).unwrap();
    ch.send(b"three 3333333333", 0).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(ch.recv(&mut buf, 0).unwrap(), 3);
    assert_eq!(&buf[..3], b"one");
    assert_eq!(ch.recv(&mut buf, 0).unwrap(), 0);
    assert_eq!(ch.recv(&mut buf, 0).unwrap(), 16);
    assert_eq!(&buf, b"three 3333333333");
}

#[test]
fn a_full_channel_refuses_with_eagain_and_an_empty_one_too() {
    let ch = anon(8, 2);
    ch.send(b"a", 0).unwrap();
    ch.send(b"b", 0).unwrap();
    assert_eq!(ch.send(b"c", 0).unwrap_err().errno(), libc::EAGAIN);
    let mut buf = [0u8; 8];
    ch.recv(&mut buf, 0).unwrap();
    ch.recv(&mut buf, 0).unwrap();
    assert_eq!(ch.recv(&mut buf, 0).unwrap_err().errno(), libc::EAGAIN);
}

#[test]
fn the_ring_wraps_around_many_laps() {
    let ch = anon(8, 3);
    let mut buf = [0u8; 8];
    for i in 0u64..1000 {
        ch.send(&i.to_le_bytes(), 0).unwrap();
        if i % 2 == 1 {
            assert_eq!(ch.recv(&mut buf, 0).unwrap(), 8);
            assert_eq!(u64::from_le_bytes(buf), i - 1);
            assert_eq!(ch.recv(&mut buf, 0).unwrap(), 8);
            assert_eq!(u64::from_le_bytes(buf), i);
        }
    }
    assert_eq!(ch.stats().sent, 1000);
}

/// Bytes that differ at every position and from message to message.
pub(super) fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect()
}

#[test]
fn messages_of_every_size_round_trip_intact_in_both_layouts() {
    for max_msg in [255usize, 256, 4096] {
        let ch = anon(max_msg, 3);
        let lens: Vec<usize> = [0, 1, 7, 8, 15, 16, 17, 48, 64, 255, 256, 2048, 2049, 4096]
            .into_iter()
            .filter(|&l| l <= max_msg)
            .collect();
        // Three laps of the ring with every length, so each slot is reused.
        for (i, &len) in lens.iter().cycle().take(3 * lens.len()).enumerate() {
            let msg = pattern(len, i as u8);
            ch.send(&msg, 0).unwrap();
            assert_eq!(take(&ch, 0), msg, "max_msg {max_msg}, message {i} of {len} bytes");
        }
    }
}

#[test]
fn a_large_message_wakes_a_sleeping_receiver_and_clears_its_announcement() {
    // Over 2 KiB: published with a store and a fence instead of a swap.
    let ch = anon(4096, 2);
    let msg = pattern(3000, 7);
    let expected = msg.clone();
    let child = fork(|| assert_eq!(take(&ch, LONG), expected));
    wait_until("the receiver sleeps", || ch.ring.has_sleepers(true));
    ch.send(&msg, 0).unwrap();
    assert!(!ch.ring.has_sleepers(true), "the send woke the sleeper");
    assert_eq!(reap(child), 0);
}

#[test]
fn timeouts_are_etimedout() {
    let ch = anon(8, 1);
    let mut buf = [0u8; 8];
    assert_eq!(ch.recv(&mut buf, 20).unwrap_err().errno(), libc::ETIMEDOUT);
    ch.send(b"x", 20).unwrap();
    assert_eq!(ch.send(b"y", 20).unwrap_err().errno(), libc::ETIMEDOUT);
}

#[test]
fn oversized_messages_are_emsgsize_before_any_wait() {
    let ch = anon(8, 1);
    ch.send(b"x", 0).unwrap();
    // Full, and a long timeout: the size check still comes first.
    assert_eq!(ch.send(&[0u8; 9], LONG).unwrap_err().errno(), libc::EMSGSIZE);
}

#[test]
fn a_too_small_buffer_is_emsgsize_and_the_message_stays() {
    let ch = anon(8, 2);
    ch.send(b"12345", 0).unwrap();
    let mut small = [0u8; 4];
    let e = ch.recv(&mut small, LONG).unwrap_err();
    assert_eq!(e.errno(), libc::EMSGSIZE);
    assert!(e.message().contains("5 bytes"), "{e}");
    let mut buf = [0u8; 8];
    assert_eq!(ch.recv(&mut buf, 0).unwrap(), 5);
    assert_eq!(&buf[..5], b"12345");
}

#[test]
fn zero_and_oversized_geometry_is_einval() {
    for (max_msg, capacity) in [(0, 1), (1, 0), (1 << 31, 1), (1, (1 << 32) + 1)] {
        let e = Chan::create(None, max_msg, capacity, 0).err().unwrap();
        assert_eq!(e.errno(), libc::EINVAL, "{max_msg} {capacity}");
    }
    let e = Chan::create(None, 1 << 30, 1 << 32, 0).err().unwrap();
    assert!(matches!(e.errno(), libc::ENOMEM | libc::EINVAL), "{e}");
}

#[test]
fn stats_count_what_went_through() {
    let ch = anon(8, 4);
    let mut buf = [0u8; 8];
    for _ in 0..3 {
        ch.send(b"m", 0).unwrap();
    }
    ch.recv(&mut buf, 0).unwrap();
    let s = ch.stats();
    assert_eq!(s, Stats { queued: 2, capacity: 4, max_msg: 8, sent: 3, received: 1, lost: 0 });
}

#[test]
fn a_named_channel_is_a_dev_shm_object_that_others_open() {
    let n = Named::new("open", 32, 8);
    let path = format!("/dev/shm{}", n.0.to_str().unwrap());
    assert!(std::path::Path::new(&path).exists());
    let other = Chan::open(&n.0).unwrap();
    assert_eq!((other.max_msg(), other.capacity()), (32, 8));
    n.1.send(b"hello", 0).unwrap();
    let mut buf = [0u8; 32];
    assert_eq!(other.recv(&mut buf, 0).unwrap(), 5);
    // Creation is exclusive.
    assert_eq!(Chan::create(Some(&n.0), 32, 8, 0o600).err().unwrap().errno(), libc::EEXIST);
    // After unlink the name is gone but open handles keep working.
    unlink(&n.0).unwrap();
    assert!(!std::path::Path::new(&path).exists());
    assert_eq!(Chan::open(&n.0).err().unwrap().errno(), libc::ENOENT);
    assert_eq!(unlink(&n.0).unwrap_err().errno(), libc::ENOENT);
    other.send(b"still", 0).unwrap();
    assert_eq!(n.1.recv(&mut buf, 0).unwrap(), 5);
}

#[test]
fn opening_something_else_is_einval() {
    // An object of the right size class but no channel in it.
    let n = name("other");
    let path = sys::chan::shm_path(&n).unwrap();
    let fd = sys::chan::open_shm(&path, Some(0o600)).unwrap();
    sys::fs::ftruncate(&fd, 4096).unwrap();
    let base = sys::chan::map_shared(&fd, 4096).unwrap();
    // SAFETY: our fresh 4096-byte mapping.
    unsafe { base.cast::<u64>().write(0x1234) };
    let e = Chan::open(&n).err().unwrap();
    assert_eq!(e.errno(), libc::EINVAL);
    assert!(e.message().contains("magic"), "{e}");
    // An empty object (creator never finished) is EINVAL after a short wait.
    sys::fs::ftruncate(&fd, 0).unwrap();
    assert_eq!(Chan::open(&n).err().unwrap().errno(), libc::EINVAL);
    // SAFETY: our own mapping, unused afterwards.
    unsafe { sys::chan::unmap(base, 4096) }.unwrap();
    drop(fd);
    unlink(&n).unwrap();
}

#[test]
fn another_layout_version_is_einval() {
    let n = Named::new("version", 8, 2);
    // A future version, and the one before version 6 moved the state word
    // behind the message in small channels.
    for (version, text) in [(99, "version 99"), (5, "version 5; this library uses version 6")] {
        n.1.ring.header().version.store(version, Ordering::Relaxed);
        let e = Chan::open(&n.0).err().unwrap();
        assert_eq!(e.errno(), libc::EINVAL);
        assert!(e.message().contains(text), "{e}");
    }
}

#[test]
fn a_header_that_lies_about_its_size_is_einval() {
    let n = Named::new("lies", 8, 2);
    n.1.ring.header().capacity.store(1000, Ordering::Relaxed);
    assert_eq!(Chan::open(&n.0).err().unwrap().errno(), libc::EINVAL);
}

#[test]
fn bad_names_are_rejected_like_shm_open() {
    let cs = |s: &str| CString::new(s).unwrap();
    assert_eq!(Chan::create(Some(&cs("noslash")), 8, 1, 0o600).err().unwrap().errno(), libc::EINVAL);
    assert_eq!(Chan::open(&cs("/a/b")).err().unwrap().errno(), libc::EINVAL);
    let long = cs(&format!("/{}", "n".repeat(256)));
    assert_eq!(Chan::open(&long).err().unwrap().errno(), libc::ENAMETOOLONG);
    assert_eq!(unlink(&cs("/")).unwrap_err().errno(), libc::EINVAL);
}

#[test]
fn threads_share_one_handle() {
    let ch = std::sync::Arc::new(anon(8, 4));
    let producers: Vec<_> = (0..3u64)
        .map(|t| {
            let ch = ch.clone();
            std::thread::spawn(move || {
                for i in 0..2000u64 {
                    ch.send(&(t << 32 | i).to_le_bytes(), LONG).unwrap();
                }
            })
        })
        .collect();
    let mut next = [0u64; 3];
    let mut buf = [0u8; 8];
    for _ in 0..6000 {
        assert_eq!(ch.recv(&mut buf, LONG).unwrap(), 8);
        let v = u64::from_le_bytes(buf);
        let t = (v >> 32) as usize;
        assert_eq!(v & 0xffff_ffff, next[t], "per-sender order");
        next[t] += 1;
    }
    for p in producers {
        p.join().unwrap();
    }
    assert_eq!(ch.stats().received, 6000);
}

// ---------------------------------------------------------------------------
// Deaths at exact points.

#[test]
fn a_sender_dying_after_its_claim_is_skipped_and_counted_lost() {
    let ch = anon(64, 4);
    ch.send(b"before", 0).unwrap();
    let child = fork(|| {
        die_at(fault::SEND_CLAIMED);
        let _ = ch.send(b"never", LONG);
    });
    assert_eq!(reap(child), libc::SIGKILL);
    assert_eq!(phase_of(ch.ring.slot_word(1)), Phase::Writing);
    // The child registered under an id of its own, whose lock died with it.
    let holder = member_of(ch.ring.slot_word(1));
    assert_ne!(holder, ch.ring.member_id());
    assert!(!ch.ring.member_alive(holder));
    ch.send(b"after", 0).unwrap();
    assert_eq!(take(&ch, LONG), b"before");
    assert_eq!(take(&ch, LONG), b"after");
    let s = ch.stats();
    assert_eq!((s.sent, s.received, s.lost, s.queued), (3, 2, 1, 0));
}

#[test]
fn a_half_written_message_is_never_delivered() {
    let ch = anon(64, 4);
    let child = fork(|| {
        die_at(fault::SEND_HALF);
        let _ = ch.send(&[0xee; 64], LONG);
    });
    assert_eq!(reap(child), libc::SIGKILL);
    let mut buf = [0u8; 64];
    // Nothing complete is queued: the receiver finds the dead writer, skips
    // it, and reports an empty channel.
    assert_eq!(ch.recv(&mut buf, 0).unwrap_err().errno(), libc::EAGAIN);
    ch.send(b"whole", 0).unwrap();
    assert_eq!(take(&ch, 0), b"whole");
    assert_eq!(ch.stats().lost, 1);
}

#[test]
fn a_blocked_receiver_wakes_up_to_skip_a_writer_that_died() {
    let ch = anon(64, 4);
    let receiver = fork(|| {
        let mut buf = [0u8; 64];
        let n = ch.recv(&mut buf, LONG).unwrap();
        assert_eq!(&buf[..n], b"next");
    });
    // Let the receiver fall asleep, then have a writer die mid-message.
    wait_until("the receiver sleeps", || ch.ring.has_sleepers(true));
    let writer = fork(|| {
        die_at(fault::SEND_HALF);
        let _ = ch.send(&[1; 64], LONG);
    });
    assert_eq!(reap(writer), libc::SIGKILL);
    ch.send(b"next", LONG).unwrap();
    assert_eq!(reap(receiver), 0);
    let s = ch.stats();
    assert_eq!((s.sent, s.received, s.lost, s.queued), (2, 1, 1, 0));
}

#[test]
fn a_receiver_dying_after_its_claim_gives_the_slot_back() {
    let ch = anon(8, 2);
    ch.send(b"lost", 0).unwrap();
    ch.send(b"kept", 0).unwrap();
    let child = fork(|| {
        die_at(fault::RECV_CLAIMED);
        let mut buf = [0u8; 8];
        let _ = ch.recv(&mut buf, LONG);
    });
    assert_eq!(reap(child), libc::SIGKILL);
    assert_eq!(phase_of(ch.ring.slot_word(0)), Phase::Reading);
    // The ring is full; the sender reclaims the dead receiver's slot.
    ch.send(b"third", LONG).unwrap();
    assert_eq!(take(&ch, 0), b"kept");
    assert_eq!(take(&ch, 0), b"third");
    let s = ch.stats();
    assert_eq!((s.sent, s.received, s.lost, s.queued), (3, 2, 1, 0));
}

#[test]
fn a_receiver_dying_mid_copy_is_counted_by_stats() {
    let ch = anon(64, 4);
    ch.send(&[7; 64], 0).unwrap();
    let child = fork(|| {
        die_at(fault::RECV_HALF);
        let mut buf = [0u8; 64];
        let _ = ch.recv(&mut buf, LONG);
    });
    assert_eq!(reap(child), libc::SIGKILL);
    // No sender came by that slot yet: stats recovers it.
    let s = ch.stats();
    assert_eq!((s.sent, s.received, s.lost, s.queued), (1, 0, 1, 0));
    assert_eq!(lap_of(ch.ring.slot_word(0)), 1);
    assert_eq!(phase_of(ch.ring.slot_word(0)), Phase::Empty);
}

#[test]
fn a_zombie_holder_counts_as_dead() {
    let ch = anon(8, 1);
    let child = fork(|| {
        die_at(fault::SEND_CLAIMED);
        let _ = ch.send(b"x", LONG);
    });
    // Not reaped yet: once the signal has landed the child is a zombie,
    // whose files (and so its liveness lock) are closed.
    wait_until("the killed child is a zombie", || proc_state(child) == Some(b'Z'));
    assert!(!ch.ring.member_alive(member_of(ch.ring.slot_word(0))));
    let mut buf = [0u8; 8];
    assert_eq!(ch.recv(&mut buf, 0).unwrap_err().errno(), libc::EAGAIN);
    assert_eq!(ch.stats().lost, 1);
    assert_eq!(reap(child), libc::SIGKILL);
}

#[test]
fn a_sleeper_killed_while_blocked_costs_one_wake_up_then_nothing() {
    let ch = anon(8, 2);
    let child = fork(|| {
        let mut buf = [0u8; 8];
        let _ = ch.recv(&mut buf, LONG);
    });
    wait_until("the receiver sleeps", || ch.ring.has_sleepers(true));
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child, libc::SIGKILL) };
    assert_eq!(reap(child), libc::SIGKILL);
    assert!(ch.ring.has_sleepers(true), "the dead sleeper's announcement is still there");
    ch.send(b"1", 0).unwrap();
    assert!(!ch.ring.has_sleepers(true), "one send cleared it");
    let mut buf = [0u8; 8];
    assert_eq!(ch.recv(&mut buf, 0).unwrap(), 1);
    assert_eq!(ch.stats().lost, 0);
}

#[test]
fn stats_recovers_a_receiver_that_died_before_moving_the_head() {
    let ch = anon(8, 4);
    ch.send(b"gone", 0).unwrap();
    ch.send(b"next", 0).unwrap();
    let child = fork(|| {
        die_at(fault::RECV_CLAIMED);
        let _ = take(&ch, LONG);
    });
    assert_eq!(reap(child), libc::SIGKILL);
    assert_eq!(ch.ring.header().head.load(Ordering::Relaxed), 0);
    let s = ch.stats();
    assert_eq!((s.sent, s.received, s.lost, s.queued), (2, 0, 1, 1));
    assert_eq!(take(&ch, 0), b"next");
}

/// One corruption of the shared bytes, as a hostile or broken peer could
/// write them.
type Corruption = (&'static str, fn(&Chan));

fn corruptions() -> Vec<Corruption> {
    vec![
        ("tail = 2^64-1", |ch| ch.ring.header().tail.store(u64::MAX, Ordering::SeqCst)),
        ("tail = 2^63", |ch| ch.ring.header().tail.store(1 << 63, Ordering::SeqCst)),
        ("tail = 2^45", |ch| ch.ring.header().tail.store(1 << 45, Ordering::SeqCst)),
        ("tail = 2^39", |ch| ch.ring.header().tail.store(1 << 39, Ordering::SeqCst)),
        ("head = 2^64-1", |ch| ch.ring.header().head.store(u64::MAX, Ordering::SeqCst)),
        ("head = 2^50", |ch| ch.ring.header().head.store(1 << 50, Ordering::SeqCst)),
        ("head = 2^39", |ch| ch.ring.header().head.store(1 << 39, Ordering::SeqCst)),
        ("head = tail + 3", |ch| {
            let t = ch.ring.header().tail.load(Ordering::SeqCst);
            ch.ring.header().head.store(t + 3, Ordering::SeqCst)
        }),
        ("head = tail = 2^64-2", |ch| {
            ch.ring.header().head.store(u64::MAX - 1, Ordering::SeqCst);
            ch.ring.header().tail.store(u64::MAX - 1, Ordering::SeqCst)
        }),
        ("head = tail = 2^41 + 1", |ch| {
            ch.ring.header().head.store((1 << 41) + 1, Ordering::SeqCst);
            ch.ring.header().tail.store((1 << 41) + 1, Ordering::SeqCst)
        }),
        ("every slot word = 2^64-1", |ch| {
            for i in 0..ch.capacity() as u64 {
                ch.ring.scribble_slot(i, u64::MAX, 1);
            }
        }),
        ("every slot word Full, lap 2^39", |ch| {
            for i in 0..ch.capacity() as u64 {
                ch.ring.scribble_slot(i, super::ring::word(1 << 39, Phase::Full, 0), 1);
            }
        }),
        ("every slot word Empty, lap 2^39 (all taken)", |ch| {
            for i in 0..ch.capacity() as u64 {
                ch.ring.scribble_slot(i, super::ring::word(1 << 39, Phase::Empty, 0), 1);
            }
        }),
        ("every slot Full at its lap with length 2^32-1", |ch| {
            let h = ch.ring.header().head.load(Ordering::SeqCst);
            for p in h..h + ch.capacity() as u64 {
                let lap = p / ch.capacity() as u64;
                ch.ring.scribble_slot(p, super::ring::word(lap, Phase::Full, 0), u32::MAX);
            }
        }),
        ("tail = 2^39 and every slot word = 2^64-1", |ch| {
            ch.ring.header().tail.store(1 << 39, Ordering::SeqCst);
            for i in 0..ch.capacity() as u64 {
                ch.ring.scribble_slot(i, u64::MAX, 1);
            }
        }),
    ]
}

/// How much longer than its timeout a call on a corrupted channel may take
/// to return (scheduling on a loaded machine) before the test says it
/// ignored the timeout.
const CALL_SLACK_MS: u128 = 30_000;

/// Every call on a channel whose shared words were overwritten with
/// impossible values returns within its timeout, with an error that says
/// the channel is corrupted (or, where the overwritten state still looks
/// like a possible one, with the ordinary outcome of that state).
#[test]
fn corrupted_shared_words_make_calls_fail_within_their_timeout() {
    let mut within = 0;
    let mut calls = 0;
    let mut corrupt_errors = 0;
    let mut report = String::new();
    for (what, corrupt) in corruptions() {
        for op in ["send", "recv"] {
            for timeout in [100, 0] {
                let ch = anon(8, 4);
                ch.send(b"one", 0).unwrap();
                ch.send(b"two", 0).unwrap();
                assert_eq!(take(&ch, 0), b"one");
                corrupt(&ch);
                let start = std::time::Instant::now();
                let result = if op == "send" {
                    ch.send(b"x", timeout).map(|()| 1)
                } else {
                    let mut buf = [0u8; 8];
                    ch.recv(&mut buf, timeout)
                };
                let took = start.elapsed();
                calls += 1;
                // What this catches is a call that does not honour its
                // timeout on a corrupted ring (it would spin or sleep on
                // until killed), not a late one: the bound is the timeout
                // plus room for a loaded machine, where a 100 ms call was
                // seen taking 3 s (load average 20 on 2 cores).
                if took.as_millis() < timeout as u128 + CALL_SLACK_MS {
                    within += 1;
                }
                let outcome = match &result {
                    Ok(_) => "ok".to_string(),
                    Err(e) => format!("{}: {}", crate::error::errno_name(e.errno()), e.message()),
                };
                if matches!(&result, Err(e) if matches!(e.errno(), libc::ENOTRECOVERABLE | libc::EBADMSG)) {
                    corrupt_errors += 1;
                }
                report += &format!("{what} / {op}({timeout}) in {took:?}: {outcome}\n");
                // Whatever the state, the stats come back too.
                let _ = ch.stats();
            }
        }
    }
    println!("{report}corrupted-header calls returning within the timeout: {within} of {calls}; {corrupt_errors} said the channel is corrupted");
    assert_eq!(within, calls, "{report}");
}
