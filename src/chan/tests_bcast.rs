//! Unit tests of broadcast channels: delivery to every subscriber, both
//! policies, joining and leaving, dead subscribers, misuse.

use std::ffi::CString;

use super::bcast::{Bcast, Policy};
use super::tests::{fork, reap};
use super::{unlink, Chan};

/// A broadcast channel's name, unlinked when the test ends.
struct Name(CString);

impl Name {
    fn new(tag: &str) -> Name {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        Name(
            CString::new(format!("/rsipc-unit-{}-bc-{tag}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)))
                .unwrap(),
        )
    }
}

impl Drop for Name {
    fn drop(&mut self) {
        let _ = unlink(&self.0);
    }
}

fn recv_u64(s: &Bcast, timeout_ms: i32) -> crate::error::Result<u64> {
    let mut buf = [0u8; 8];
    let n = s.recv(&mut buf, timeout_ms)?;
    assert_eq!(n, 8);
    Ok(u64::from_le_bytes(buf))
}

#[test]
fn every_subscriber_receives_every_message_in_order() {
    for policy in [Policy::BlockPublisher, Policy::DropOldest] {
        let n = Name::new("order");
        let p = Bcast::create(&n.0, 8, 4, 0o600, policy).unwrap();
        let subs: Vec<Bcast> = (0..3).map(|_| Bcast::subscribe(&n.0).unwrap()).collect();
        for round in 0..5u64 {
            for i in 0..4u64 {
                p.send(&(round * 4 + i).to_le_bytes(), 0).unwrap();
            }
            for s in &subs {
                for i in 0..4u64 {
                    assert_eq!(recv_u64(s, 0).unwrap(), round * 4 + i);
                }
                assert_eq!(s.recv(&mut [0u8; 8], 0).unwrap_err().errno(), libc::EAGAIN);
            }
        }
        for s in &subs {
            let st = s.stats();
            assert_eq!((st.published, st.received, st.lost, st.pending, st.subscribers), (20, 20, 0, 0, 3));
        }
        assert_eq!(p.stats().received, 0);
    }
}

#[test]
fn block_publisher_waits_for_the_slowest_subscriber() {
    let n = Name::new("block");
    let p = Bcast::create(&n.0, 8, 4, 0o600, Policy::BlockPublisher).unwrap();
    let fast = Bcast::subscribe(&n.0).unwrap();
    let slow = Bcast::subscribe(&n.0).unwrap();
    for i in 0..4u64 {
        p.send(&i.to_le_bytes(), 0).unwrap();
        assert_eq!(recv_u64(&fast, 0).unwrap(), i);
    }
    // The slow subscriber has taken nothing: a fifth message would
    // overwrite its oldest.
    assert_eq!(p.send(&4u64.to_le_bytes(), 0).unwrap_err().errno(), libc::EAGAIN);
    assert_eq!(p.send(&4u64.to_le_bytes(), 20).unwrap_err().errno(), libc::ETIMEDOUT);
    assert_eq!(recv_u64(&slow, 0).unwrap(), 0);
    p.send(&4u64.to_le_bytes(), 0).unwrap();
    for i in 1..5u64 {
        assert_eq!(recv_u64(&slow, 0).unwrap(), i);
    }
    assert_eq!(recv_u64(&fast, 0).unwrap(), 4);
    assert_eq!(slow.stats().lost, 0);
    // A subscriber that leaves stops counting.
    drop(slow);
    for i in 5..20u64 {
        p.send(&i.to_le_bytes(), 0).unwrap();
        assert_eq!(recv_u64(&fast, 0).unwrap(), i);
    }
}

#[test]
fn drop_oldest_counts_the_losses_of_a_slow_subscriber() {
    let n = Name::new("drop");
    let p = Bcast::create(&n.0, 8, 4, 0o600, Policy::DropOldest).unwrap();
    let fast = Bcast::subscribe(&n.0).unwrap();
    let slow = Bcast::subscribe(&n.0).unwrap();
    for i in 0..20u64 {
        p.send(&i.to_le_bytes(), 0).unwrap();
        assert_eq!(recv_u64(&fast, 0).unwrap(), i);
    }
    // The publisher never waited; the slow one finds the last messages
    // that are still intact, in order, and counts the rest as lost.
    let mut got = Vec::new();
    while let Ok(v) = recv_u64(&slow, 0) {
        got.push(v);
    }
    let st = slow.stats();
    assert_eq!(st.received + st.lost, 20);
    assert!(st.lost >= 16, "{st:?}");
    assert_eq!(got.len() as u64, st.received);
    let first = *got.first().unwrap();
    assert_eq!(first, st.lost);
    assert!(got.windows(2).all(|w| w[1] == w[0] + 1));
    assert_eq!(*got.last().unwrap(), 19);
    assert_eq!(fast.stats().lost, 0);
}

#[test]
fn a_subscriber_receives_from_when_it_joined() {
    let n = Name::new("join");
    let p = Bcast::create(&n.0, 8, 8, 0o600, Policy::BlockPublisher).unwrap();
    // Nobody subscribed: the publisher never waits.
    for i in 0..20u64 {
        p.send(&i.to_le_bytes(), 0).unwrap();
    }
    let s = Bcast::subscribe(&n.0).unwrap();
    assert_eq!(s.recv(&mut [0u8; 8], 0).unwrap_err().errno(), libc::EAGAIN);
    p.send(&20u64.to_le_bytes(), 0).unwrap();
    assert_eq!(recv_u64(&s, 0).unwrap(), 20);
    assert_eq!(s.stats().published, 21);
}

#[test]
fn misuse_is_refused() {
    let n = Name::new("misuse");
    let p = Bcast::create(&n.0, 8, 4, 0o600, Policy::DropOldest).unwrap();
    let s = Bcast::subscribe(&n.0).unwrap();
    assert_eq!(s.send(b"x", 0).unwrap_err().errno(), libc::EPERM);
    assert_eq!(p.recv(&mut [0u8; 8], 0).unwrap_err().errno(), libc::EPERM);
    assert_eq!(p.send(&[0u8; 9], 0).unwrap_err().errno(), libc::EMSGSIZE);
    // A too small buffer leaves the message next.
    p.send(b"12345678", 0).unwrap();
    assert_eq!(s.recv(&mut [0u8; 4], 0).unwrap_err().errno(), libc::EMSGSIZE);
    assert_eq!(s.recv(&mut [0u8; 8], 0).unwrap(), 8);
    // Each kind refuses the other's open.
    let e = Chan::open(&n.0).err().unwrap();
    assert_eq!(e.errno(), libc::EINVAL);
    assert!(e.to_string().contains("broadcast"), "{e}");
    let n2 = Name::new("p2p");
    let _c = Chan::create(Some(&n2.0), 8, 4, 0o600).unwrap();
    let e = Bcast::subscribe(&n2.0).err().unwrap();
    assert_eq!(e.errno(), libc::EINVAL);
    assert!(e.to_string().contains("point-to-point"), "{e}");
    assert_eq!(Bcast::create(&n.0, 8, 4, 0o600, Policy::DropOldest).err().unwrap().errno(), libc::EEXIST);
    assert_eq!(Bcast::create(&n2.0, 0, 4, 0o600, Policy::DropOldest).err().unwrap().errno(), libc::EINVAL);
}

#[test]
fn the_table_holds_64_subscribers() {
    let n = Name::new("full");
    let _p = Bcast::create(&n.0, 8, 2, 0o600, Policy::DropOldest).unwrap();
    let mut subs: Vec<Bcast> = (0..64).map(|_| Bcast::subscribe(&n.0).unwrap()).collect();
    assert_eq!(Bcast::subscribe(&n.0).err().unwrap().errno(), libc::EBUSY);
    subs.pop();
    subs.push(Bcast::subscribe(&n.0).unwrap());
}

#[test]
fn a_dead_subscriber_stops_blocking_the_publisher_and_frees_its_entry() {
    let n = Name::new("dead");
    let p = Bcast::create(&n.0, 8, 2, 0o600, Policy::BlockPublisher).unwrap();
    let live = Bcast::subscribe(&n.0).unwrap();
    let (mut fds, name) = ([0i32; 2], n.0.clone());
    // SAFETY: a valid array of two descriptors.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let child = fork(move || {
        let s = Bcast::subscribe(&name).unwrap();
        std::mem::forget(s);
        // SAFETY: our pipe's write end; one byte.
        assert_eq!(unsafe { libc::write(fds[1], b"j".as_ptr().cast(), 1) }, 1);
        // Dies holding its subscription (no close).
    });
    let mut b = [0u8; 1];
    // SAFETY: our pipe's read end.
    assert_eq!(unsafe { libc::read(fds[0], b.as_mut_ptr().cast(), 1) }, 1);
    assert_eq!(reap(child), 0);
    assert_eq!(p.stats().subscribers, 2);
    for i in 0..10u64 {
        p.send(&i.to_le_bytes(), -1).unwrap();
        assert_eq!(recv_u64(&live, 0).unwrap(), i);
    }
    assert_eq!(p.stats().subscribers, 1);
    // SAFETY: our descriptors.
    unsafe {
        libc::close(fds[0]);
        libc::close(fds[1]);
    }
}

#[test]
fn threads_fan_out_without_loss() {
    const N: u64 = 20_000;
    for policy in [Policy::BlockPublisher, Policy::DropOldest] {
        let n = Name::new("threads");
        let p = Bcast::create(&n.0, 64, 8, 0o600, policy).unwrap();
        let subs: Vec<Bcast> = (0..3).map(|_| Bcast::subscribe(&n.0).unwrap()).collect();
        std::thread::scope(|sc| {
            let handles: Vec<_> = subs
                .iter()
                .map(|s| {
                    sc.spawn(move || {
                        let mut next = 0;
                        let mut buf = [0u8; 64];
                        loop {
                            let len = s.recv(&mut buf, -1).unwrap();
                            let v = u64::from_le_bytes(buf[..8].try_into().unwrap());
                            assert_eq!(len, 8 + (v % 50) as usize);
                            assert!(v >= next, "{v} after {next}");
                            assert!(policy == Policy::DropOldest || v == next, "{v} instead of {next}");
                            assert!(buf[8..len].iter().all(|&b| b == v as u8));
                            next = v + 1;
                            if v == N - 1 {
                                break;
                            }
                        }
                        let st = s.stats();
                        assert_eq!(st.received + st.lost, N);
                        if policy == Policy::BlockPublisher {
                            assert_eq!(st.lost, 0);
                        }
                    })
                })
                .collect();
            let mut msg = [0u8; 64];
            for i in 0..N {
                msg[..8].copy_from_slice(&i.to_le_bytes());
                let len = 8 + (i % 50) as usize;
                msg[8..len].fill(i as u8);
                p.send(&msg[..len], -1).unwrap();
            }
            for h in handles {
                h.join().unwrap();
            }
        });
    }
}

#[test]
fn subscribers_take_what_was_published_then_get_epipe_when_the_publisher_closes() {
    for policy in [Policy::BlockPublisher, Policy::DropOldest] {
        let n = Name::new("closed");
        let p = Bcast::create(&n.0, 8, 4, 0o600, policy).unwrap();
        let s = Bcast::subscribe(&n.0).unwrap();
        for i in 0..3u64 {
            p.send(&i.to_le_bytes(), -1).unwrap();
        }
        drop(p);
        for i in 0..3u64 {
            assert_eq!(recv_u64(&s, -1).unwrap(), i);
        }
        // Waiting forever would never end: the call says why instead.
        let e = s.recv(&mut [0u8; 8], -1).unwrap_err();
        assert_eq!(e.errno(), libc::EPIPE, "{e}");
        assert!(e.to_string().contains("closed its handle"), "{e}");
        assert_eq!(s.stats().received, 3);
    }
}

#[test]
fn subscribers_get_epipe_when_the_publisher_process_dies() {
    let n = Name::new("killed");
    let (mut created, mut joined) = ([0i32; 2], [0i32; 2]);
    // SAFETY: valid arrays of two descriptors.
    assert_eq!(unsafe { libc::pipe(created.as_mut_ptr()) }, 0);
    // SAFETY: as above.
    assert_eq!(unsafe { libc::pipe(joined.as_mut_ptr()) }, 0);
    let name = n.0.clone();
    let child = fork(move || {
        let p = Bcast::create(&name, 8, 4, 0o600, Policy::BlockPublisher).unwrap();
        let mut b = [0u8; 1];
        // SAFETY: our pipes' ends; one byte each.
        unsafe {
            assert_eq!(libc::write(created[1], b"c".as_ptr().cast(), 1), 1);
            assert_eq!(libc::read(joined[0], b.as_mut_ptr().cast(), 1), 1);
        }
        for i in 0..2u64 {
            p.send(&i.to_le_bytes(), -1).unwrap();
        }
        // Ends without closing its handle, as a killed process does.
        std::mem::forget(p);
    });
    let mut b = [0u8; 1];
    // SAFETY: our pipe's read end.
    assert_eq!(unsafe { libc::read(created[0], b.as_mut_ptr().cast(), 1) }, 1);
    let s = Bcast::subscribe(&n.0).unwrap();
    // SAFETY: our pipe's write end.
    assert_eq!(unsafe { libc::write(joined[1], b"j".as_ptr().cast(), 1) }, 1);
    assert_eq!(reap(child), 0);
    for i in 0..2u64 {
        assert_eq!(recv_u64(&s, -1).unwrap(), i);
    }
    let e = s.recv(&mut [0u8; 8], -1).unwrap_err();
    assert_eq!(e.errno(), libc::EPIPE, "{e}");
    assert!(e.to_string().contains("ended"), "{e}");
    for fd in created.into_iter().chain(joined) {
        // SAFETY: our descriptors.
        unsafe { libc::close(fd) };
    }
}
