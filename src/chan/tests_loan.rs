//! Unit tests of zero-copy loans and borrows: the protocol in one process,
//! misuse, alignment, and processes dying while holding a loan or a borrow.

use super::ring::{member_of, phase_of, Phase};
use super::tests::{anon, fork, reap, take, wait_until, Named, LONG};
use super::*;

/// Writes `msg` through a loan and publishes it.
fn loan_send(ch: &Chan, msg: &[u8]) {
    let p = ch.loan(msg.len(), LONG).unwrap();
    // SAFETY: a loan of at least msg.len() bytes, ours until published.
    unsafe { std::ptr::copy_nonoverlapping(msg.as_ptr(), p, msg.len()) };
    ch.publish(p, msg.len()).unwrap();
}

/// Borrows the next message, copies it out and releases it.
fn borrow_take(ch: &Chan, timeout_ms: i32) -> Vec<u8> {
    let (p, n) = ch.borrow(timeout_ms).unwrap();
    // SAFETY: a borrow of n bytes, ours until released.
    let v = unsafe { std::slice::from_raw_parts(p, n) }.to_vec();
    ch.release(p).unwrap();
    v
}

#[test]
fn loans_and_borrows_interleave_with_copies_in_order() {
    let ch = anon(300, 4);
    for round in 0..10u8 {
        loan_send(&ch, &[round; 5]);
        ch.send(&[round + 100; 7], 0).unwrap();
        loan_send(&ch, b"");
        assert_eq!(borrow_take(&ch, 0), vec![round; 5]);
        assert_eq!(take(&ch, 0), vec![round + 100; 7]);
        assert_eq!(borrow_take(&ch, 0), b"");
    }
    let s = ch.stats();
    assert_eq!((s.sent, s.received, s.lost, s.queued), (30, 30, 0, 0));
}

/// The sizes the alignment tests use: each side of the one-line limit (48)
/// and of the separate state line (256).
const ALIGN_SIZES: [usize; 10] = [1, 8, 48, 49, 64, 100, 255, 256, 4096, 1 << 20];

#[test]
fn payloads_are_64_byte_aligned_and_round_trip_at_every_size() {
    for max_msg in ALIGN_SIZES {
        let ch = anon(max_msg, 3);
        // Five rounds through three slots, full and short messages, loaned
        // and copied: every slot is reused, and a message or a state word
        // overlapping its neighbour would show in the bytes or the lengths.
        for round in 0..5u8 {
            let lens = [max_msg, max_msg / 2 + 1, 1];
            for (k, &len) in lens.iter().enumerate() {
                let msg = super::tests::pattern(len, round * 3 + k as u8);
                if k == 1 {
                    ch.send(&msg, 0).unwrap();
                    continue;
                }
                let p = ch.loan(max_msg, 0).unwrap();
                assert_eq!(p as usize % 64, 0, "max_msg {max_msg}: loan at {p:p}");
                // The whole loan is writable; the message is its first bytes.
                // SAFETY: the loan covers max_msg bytes, ours until published.
                unsafe {
                    std::ptr::write_bytes(p, 0xa5, max_msg);
                    std::ptr::copy_nonoverlapping(msg.as_ptr(), p, len);
                }
                ch.publish(p, len).unwrap();
            }
            for (k, &len) in lens.iter().enumerate() {
                let want = super::tests::pattern(len, round * 3 + k as u8);
                let (p, n) = ch.borrow(0).unwrap();
                assert_eq!((p as usize % 64, n), (0, len), "max_msg {max_msg}: borrow at {p:p}");
                // SAFETY: a borrow of n bytes, ours until released.
                assert_eq!(unsafe { std::slice::from_raw_parts(p, n) }, &want[..], "max_msg {max_msg}");
                ch.release(p).unwrap();
            }
        }
        let s = ch.stats();
        assert_eq!((s.sent, s.received, s.lost, s.queued), (15, 15, 0, 0), "max_msg {max_msg}");
    }
}

#[test]
fn a_loan_blocks_receivers_at_its_position_but_not_other_senders() {
    let ch = anon(64, 4);
    let held = ch.loan(8, 0).unwrap();
    // Other senders take the following slots.
    ch.send(b"second", 0).unwrap();
    // The receiver waits at the loan's position.
    let mut buf = [0u8; 64];
    assert_eq!(ch.recv(&mut buf, 0).unwrap_err().errno(), libc::EAGAIN);
    // SAFETY: our loan.
    unsafe { std::ptr::copy_nonoverlapping(b"first".as_ptr(), held, 5) };
    ch.publish(held, 5).unwrap();
    assert_eq!(take(&ch, 0), b"first");
    assert_eq!(take(&ch, 0), b"second");
}

#[test]
fn a_returned_loan_is_skipped_and_counted_in_neither_sent_nor_received() {
    let ch = anon(64, 2);
    for _ in 0..5 {
        let p = ch.loan(10, 0).unwrap();
        ch.send(b"kept", 0).unwrap();
        ch.loan_return(p).unwrap();
        assert_eq!(take(&ch, 0), b"kept");
        let mut buf = [0u8; 64];
        assert_eq!(ch.recv(&mut buf, 0).unwrap_err().errno(), libc::EAGAIN);
    }
    let s = ch.stats();
    assert_eq!((s.sent, s.received, s.lost, s.queued), (5, 5, 0, 0));
}

#[test]
fn a_borrow_holds_only_its_slot() {
    let ch = anon(64, 4);
    ch.send(b"a", 0).unwrap();
    ch.send(b"b", 0).unwrap();
    let (pa, _) = ch.borrow(0).unwrap();
    // Another receiver takes the next message meanwhile, and senders fill
    // the other slots.
    assert_eq!(take(&ch, 0), b"b");
    ch.send(b"c", 0).unwrap();
    ch.send(b"d", 0).unwrap();
    // The ring has come round to the borrowed slot: it is not reusable
    // until released.
    assert_eq!(ch.send(b"e", 0).unwrap_err().errno(), libc::EAGAIN);
    ch.release(pa).unwrap();
    ch.send(b"e", 0).unwrap();
    assert_eq!(take(&ch, 0), b"c");
    assert_eq!(take(&ch, 0), b"d");
    assert_eq!(take(&ch, 0), b"e");
}

#[test]
fn misuse_is_an_error_that_changes_nothing() {
    let ch = anon(256, 4);
    let other = anon(256, 4);
    assert_eq!(ch.loan(257, 0).unwrap_err().errno(), libc::EMSGSIZE);
    let p = ch.loan(100, 0).unwrap();
    // Longer than the loan: the loan stays open.
    assert_eq!(ch.publish(p, 101).unwrap_err().errno(), libc::EMSGSIZE);
    // Pointers that are not payloads of this channel's slots.
    let local = [0u8; 16];
    for bad in [local.as_ptr(), std::ptr::null(), p.wrapping_add(1), p.wrapping_sub(64), p.wrapping_add(1 << 40)] {
        assert_eq!(ch.publish(bad, 1).unwrap_err().errno(), libc::EINVAL);
        assert_eq!(ch.loan_return(bad).unwrap_err().errno(), libc::EINVAL);
        assert_eq!(ch.release(bad).unwrap_err().errno(), libc::EINVAL);
    }
    // A loan of one channel is not a loan of another.
    assert_eq!(other.publish(p, 1).unwrap_err().errno(), libc::EINVAL);
    // A loan is not a borrow.
    assert_eq!(ch.release(p).unwrap_err().errno(), libc::EINVAL);
    ch.publish(p, 100).unwrap();
    // Publishing twice, returning a published message.
    assert_eq!(ch.publish(p, 100).unwrap_err().errno(), libc::EINVAL);
    assert_eq!(ch.loan_return(p).unwrap_err().errno(), libc::EINVAL);
    // A slot never loaned.
    let never = p.wrapping_add(ch.ring.geometry().stride as usize);
    assert_eq!(ch.publish(never, 1).unwrap_err().errno(), libc::EINVAL);
    assert_eq!(ch.release(never).unwrap_err().errno(), libc::EINVAL);
    let (q, n) = ch.borrow(0).unwrap();
    assert_eq!((q, n), (p, 100));
    // A borrow is not a loan; releasing twice.
    assert_eq!(ch.publish(q, 1).unwrap_err().errno(), libc::EINVAL);
    ch.release(q).unwrap();
    assert_eq!(ch.release(q).unwrap_err().errno(), libc::EINVAL);
    let s = ch.stats();
    assert_eq!((s.sent, s.received, s.lost, s.queued), (1, 1, 0, 0));
}

#[test]
fn another_process_cannot_publish_or_release_what_this_one_holds() {
    let ch = anon(64, 4);
    let p = ch.loan(8, 0).unwrap();
    ch.send(b"x", 0).unwrap();
    let child = fork(|| {
        assert_eq!(ch.publish(p, 1).unwrap_err().errno(), libc::EINVAL);
        assert_eq!(ch.loan_return(p).unwrap_err().errno(), libc::EINVAL);
    });
    assert_eq!(reap(child), 0);
    ch.publish(p, 1).unwrap();
    assert_eq!(take(&ch, 0).len(), 1);
    let (q, _) = ch.borrow(0).unwrap();
    let child = fork(|| assert_eq!(ch.release(q).unwrap_err().errno(), libc::EINVAL));
    assert_eq!(reap(child), 0);
    ch.release(q).unwrap();
}

#[test]
fn a_process_dying_with_a_loan_loses_it_and_receivers_move_on() {
    let ch = anon(64, 4);
    ch.send(b"before", 0).unwrap();
    let child = fork(|| {
        let p = ch.loan(64, LONG).unwrap();
        // SAFETY: our loan; half of it written when we die.
        unsafe { std::ptr::write_bytes(p, 0xee, 32) };
        // SAFETY: raising a signal has no memory-safety preconditions.
        unsafe { libc::raise(libc::SIGKILL) };
    });
    assert_eq!(reap(child), libc::SIGKILL);
    assert_eq!(phase_of(ch.ring.slot_word(1)), Phase::Writing);
    assert!(!ch.ring.member_alive(member_of(ch.ring.slot_word(1))));
    ch.send(b"after", 0).unwrap();
    assert_eq!(borrow_take(&ch, LONG), b"before");
    assert_eq!(borrow_take(&ch, LONG), b"after");
    let s = ch.stats();
    assert_eq!((s.sent, s.received, s.lost, s.queued), (3, 2, 1, 0));
}

#[test]
fn a_process_dying_with_a_borrow_frees_the_slot_for_senders() {
    let ch = anon(64, 1);
    ch.send(b"taken", 0).unwrap();
    let child = fork(|| {
        let _ = ch.borrow(LONG).unwrap();
        // SAFETY: as above.
        unsafe { libc::raise(libc::SIGKILL) };
    });
    assert_eq!(reap(child), libc::SIGKILL);
    assert_eq!(phase_of(ch.ring.slot_word(0)), Phase::Reading);
    // The only slot is held by a dead borrower: a waiting sender recovers it.
    loan_send(&ch, b"next");
    assert_eq!(borrow_take(&ch, LONG), b"next");
    let s = ch.stats();
    assert_eq!((s.sent, s.received, s.lost, s.queued), (2, 1, 1, 0));
}

#[test]
fn a_blocked_borrower_wakes_when_a_loan_is_published_from_another_process() {
    let named = Named::new("loanwake", 4096, 2);
    let receiver = fork(|| {
        let ch = Chan::open(&named.0).unwrap();
        assert_eq!(borrow_take(&ch, LONG), vec![7u8; 4096]);
    });
    wait_until("the receiver sleeps", || named.1.ring.has_sleepers(true));
    loan_send(&named.1, &[7u8; 4096]);
    assert_eq!(reap(receiver), 0);
}

#[test]
fn loans_and_borrows_between_processes_deliver_every_message_in_order() {
    const N: u64 = 20_000;
    let ch = anon(4096, 8);
    let producer = fork(|| {
        for i in 0..N {
            let len = (i % 4089) as usize + 8;
            let p = ch.loan(len, LONG).unwrap();
            // SAFETY: our loan of len >= 8 bytes.
            unsafe {
                std::ptr::write_unaligned(p as *mut u64, i);
                std::ptr::write_bytes(p.add(8), i as u8, len - 8);
            }
            ch.publish(p, len).unwrap();
        }
    });
    for i in 0..N {
        let (p, n) = ch.borrow(LONG).unwrap();
        assert_eq!(n, (i % 4089) as usize + 8);
        // SAFETY: our borrow of n bytes.
        let m = unsafe { std::slice::from_raw_parts(p, n) };
        assert_eq!(u64::from_ne_bytes(m[..8].try_into().unwrap()), i);
        assert!(m[8..].iter().all(|&b| b == i as u8));
        ch.release(p).unwrap();
    }
    assert_eq!(reap(producer), 0);
}

#[test]
fn loans_belong_to_their_handle_and_closing_it_gives_them_up() {
    let named = Named::new("loanhandle", 64, 4);
    let other = Chan::open(&named.0).unwrap();
    let p = other.loan(8, 0).unwrap();
    let q = named.1.loan(8, 0).unwrap();
    // The same slots through another handle of this process: not its loans.
    let offset = q as usize - named.1.ring.base() as usize;
    let p_here = named.1.ring.base().wrapping_add(p as usize - other.ring.base() as usize);
    assert_eq!(named.1.publish(p_here, 1).unwrap_err().errno(), libc::EINVAL);
    assert_eq!(other.publish(other.ring.base().wrapping_add(offset), 1).unwrap_err().errno(), libc::EINVAL);
    named.1.publish(q, 1).unwrap();
    // Closing `other` gives its loan up: receivers skip it, it is lost.
    drop(other);
    assert_eq!(borrow_take(&named.1, LONG).len(), 1);
    let s = named.1.stats();
    assert_eq!((s.sent, s.received, s.lost, s.queued), (2, 1, 1, 0));
}
