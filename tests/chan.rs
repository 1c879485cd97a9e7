//! The native channel between real processes: several producers and
//! consumers, and peers killed with SIGKILL at random instants (mid-send,
//! mid-receive, while blocked). Survivors must finish, nothing half-written
//! may be delivered, every message must arrive at most once and in its
//! sender's order, and the stats must account for every message.

mod common;

use std::ffi::CString;
use std::sync::atomic::{AtomicU32, Ordering};

use common::{fork_child, unique_name, wait_exit_code};
use rsipc::chan::{self, Chan};

// ---------------------------------------------------------------------------
// Helpers.

/// Zeroed memory shared with forked children, as atomics.
struct Shared {
    ptr: *mut AtomicU32,
    len: usize,
}

impl Shared {
    fn new(len: usize) -> Shared {
        let bytes = len * 4;
        // SAFETY: a fresh anonymous shared mapping.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                bytes,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(p, libc::MAP_FAILED);
        Shared { ptr: p.cast(), len }
    }

    fn at(&self, i: usize) -> &AtomicU32 {
        assert!(i < self.len);
        // SAFETY: in bounds of the mapping, which lives as long as self.
        unsafe { &*self.ptr.add(i) }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // SAFETY: our own mapping.
        unsafe { libc::munmap(self.ptr.cast(), self.len * 4) };
    }
}

/// A message: producer id, sequence number, length, then bytes that are a
/// function of all three, so a receiver can tell a torn message. (4 KiB of
/// pseudo-random bytes repeated: cheap to make and check even in a debug
/// build, so the processes spend their time in the channel's copies.)
fn message(producer: u32, seq: u32, len: usize, buf: &mut [u8]) -> usize {
    assert!(len >= 12);
    buf[0..4].copy_from_slice(&producer.to_le_bytes());
    buf[4..8].copy_from_slice(&seq.to_le_bytes());
    buf[8..12].copy_from_slice(&(len as u32).to_le_bytes());
    let mut x = producer.wrapping_mul(0x9e37_79b9) ^ seq.wrapping_mul(0x85eb_ca6b) ^ len as u32 | 1;
    let first = len.min(12 + 4096);
    for b in &mut buf[12..first] {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
    let mut done = first;
    while done < len {
        let n = (done - 12).min(len - done);
        buf.copy_within(12..12 + n, done);
        done += n;
    }
    len
}

/// Checks a received message against a fresh copy made in `scratch`;
/// returns (producer, seq) if it is intact.
fn check(msg: &[u8], scratch: &mut [u8]) -> Option<(u32, u32)> {
    if msg.len() < 12 {
        return None;
    }
    let producer = u32::from_le_bytes(msg[0..4].try_into().unwrap());
    let seq = u32::from_le_bytes(msg[4..8].try_into().unwrap());
    let len = u32::from_le_bytes(msg[8..12].try_into().unwrap()) as usize;
    if len != msg.len() || len > scratch.len() {
        return None;
    }
    message(producer, seq, len, scratch);
    (scratch[..len] == *msg).then_some((producer, seq))
}

/// The message length for a given (producer, seq): varies between 12 and
/// `max`.
fn length(producer: u32, seq: u32, max: usize) -> usize {
    12 + ((producer as usize * 7919 + seq as usize * 104_729) % (max - 11))
}

const STOP: u32 = u32::MAX;

/// A small deterministic random generator (xorshift).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn kill(pid: libc::pid_t) {
    // SAFETY: signalling our own child.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
}

/// Waits for `pid`: `Some(code)` if it exited, `None` if SIGKILL ended it.
fn reap(pid: libc::pid_t) -> Option<i32> {
    let mut status = 0;
    // SAFETY: valid out-pointer; `pid` is our child.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    if libc::WIFSIGNALED(status) {
        assert_eq!(libc::WTERMSIG(status), libc::SIGKILL);
        None
    } else {
        Some(libc::WEXITSTATUS(status))
    }
}

/// Polls `done` until it holds; panics (failing the test instead of
/// hanging it) after two minutes.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(start.elapsed().as_secs() < 120, "gave up waiting until {what}");
        sleep_us(100);
    }
}

fn sleep_us(us: u64) {
    std::thread::sleep(std::time::Duration::from_micros(us));
}

/// Shared bookkeeping of one run: per (producer, seq) how often it was
/// received, per producer how many sends returned, and per consumer a
/// failure flag (bad message or order).
struct Book {
    producers: usize,
    per_producer: usize,
    mem: Shared,
}

impl Book {
    fn new(producers: usize, per_producer: usize, consumers: usize) -> Book {
        Book { producers, per_producer, mem: Shared::new(producers * per_producer + producers + consumers) }
    }
    fn received(&self, p: u32, seq: u32) -> &AtomicU32 {
        self.mem.at(p as usize * self.per_producer + seq as usize)
    }
    fn confirmed(&self, p: usize) -> &AtomicU32 {
        self.mem.at(self.producers * self.per_producer + p)
    }
    fn failure(&self, c: usize) -> &AtomicU32 {
        self.mem.at(self.producers * self.per_producer + self.producers + c)
    }
    fn total_recorded(&self) -> u64 {
        (0..self.producers * self.per_producer).map(|i| self.mem.at(i).load(Ordering::Relaxed) as u64).sum()
    }
}

/// Producer `p`: sends its messages in order, counting each one that
/// returned.
fn produce(ch: &Chan, book: &Book, p: usize, max: usize) -> i32 {
    let mut buf = vec![0u8; max];
    for seq in 0..book.per_producer as u32 {
        let len = message(p as u32, seq, length(p as u32, seq, max), &mut buf);
        if let Err(e) = ch.send(&buf[..len], 60_000) {
            eprintln!("producer {p}: send: {e}");
            return 1;
        }
        book.confirmed(p).fetch_add(1, Ordering::Release);
    }
    0
}

/// Consumer `c`: receives until a STOP message, checking every message and
/// the order of each producer's messages, and recording each receipt.
fn consume(ch: &Chan, book: &Book, c: usize, max: usize) -> i32 {
    let mut buf = vec![0u8; max];
    let mut scratch = vec![0u8; max];
    let mut next = vec![0u32; book.producers];
    loop {
        let n = match ch.recv(&mut buf, 60_000) {
            Ok(n) => n,
            Err(e) => {
                eprintln!("consumer {c}: recv: {e}");
                book.failure(c).store(1, Ordering::Relaxed);
                return 1;
            }
        };
        if n == 4 && buf[..4] == STOP.to_le_bytes() {
            return 0;
        }
        let Some((p, seq)) = check(&buf[..n], &mut scratch) else {
            eprintln!("consumer {c}: torn or foreign message of {n} bytes");
            book.failure(c).store(2, Ordering::Relaxed);
            return 2;
        };
        if p as usize >= book.producers || seq < next[p as usize] {
            eprintln!("consumer {c}: producer {p} seq {seq} after {}", next[p as usize]);
            book.failure(c).store(3, Ordering::Relaxed);
            return 3;
        }
        next[p as usize] = seq + 1;
        book.received(p, seq).fetch_add(1, Ordering::Release);
    }
}

fn stop_consumers(ch: &Chan, n: usize) {
    for _ in 0..n {
        ch.send(&STOP.to_le_bytes(), 60_000).unwrap();
    }
}

/// Holds a named channel and unlinks it at the end.
struct Named {
    name: CString,
}

impl Drop for Named {
    fn drop(&mut self) {
        let _ = chan::unlink(&self.name);
    }
}

// ---------------------------------------------------------------------------
// Tests.

#[test]
fn several_producers_and_consumers_get_every_message_exactly_once_in_sender_order() {
    let (producers, per, consumers, max) = (3, 20_000, 3, 64);
    // Small capacity: the ring wraps thousands of times and both sides block.
    let ch = Chan::create(None, max, 16, 0).unwrap();
    let book = Book::new(producers, per, consumers);
    let cons: Vec<_> = (0..consumers).map(|c| fork_child(|| consume(&ch, &book, c, max))).collect();
    let prods: Vec<_> = (0..producers).map(|p| fork_child(|| produce(&ch, &book, p, max))).collect();
    for pid in prods {
        assert_eq!(wait_exit_code(pid), 0);
    }
    stop_consumers(&ch, consumers);
    for pid in cons {
        assert_eq!(wait_exit_code(pid), 0);
    }
    for p in 0..producers as u32 {
        for seq in 0..per as u32 {
            assert_eq!(book.received(p, seq).load(Ordering::Relaxed), 1, "producer {p} seq {seq}");
        }
    }
    let s = ch.stats();
    eprintln!("stats at the end: {s:?}");
    let total = (producers * per + consumers) as u64;
    assert_eq!((s.sent, s.received, s.lost, s.queued), (total, total, 0, 0));
}

#[test]
fn processes_that_open_a_named_channel_talk_through_it() {
    let named = Named { name: CString::new(unique_name("chan-named")).unwrap() };
    let max = 200;
    let creator = Chan::create(Some(&named.name), max, 8, 0o600).unwrap();
    let book = Book::new(2, 5_000, 1);
    let prods: Vec<_> = (0..2)
        .map(|p| {
            let (name, book) = (&named.name, &book);
            fork_child(move || {
                let ch = Chan::open(name).unwrap();
                produce(&ch, book, p, max)
            })
        })
        .collect();
    let consumer = fork_child(|| {
        let ch = Chan::open(&named.name).unwrap();
        consume(&ch, &book, 0, max)
    });
    for pid in prods {
        assert_eq!(wait_exit_code(pid), 0);
    }
    stop_consumers(&creator, 1);
    assert_eq!(wait_exit_code(consumer), 0);
    assert_eq!(book.total_recorded(), 10_000);
    assert_eq!(creator.stats().received, 10_001);
}

/// Producers sending large messages (copying one takes longer than
/// waiting for a slot) are killed at random instants, many of them in the
/// middle of copying a message in.
#[test]
fn senders_killed_mid_send_never_deliver_a_torn_message_and_are_counted() {
    let (producers, per, max) = (8, 60, 2 << 20);
    let ch = Chan::create(None, max, 4, 0).unwrap();
    let book = Book::new(producers, per, 2);
    let cons: Vec<_> = (0..2).map(|c| fork_child(|| consume(&ch, &book, c, max))).collect();
    let prods: Vec<_> = (0..producers).map(|p| fork_child(|| produce(&ch, &book, p, max))).collect();
    // Kill all producers but the last, each at a random moment after it got
    // going.
    let mut rng = Rng(0x2545_f491_4f6c_dd1d ^ std::process::id() as u64);
    for (p, &pid) in prods.iter().enumerate().take(producers - 1) {
        wait_until("a producer got going", || book.confirmed(p).load(Ordering::Acquire) >= 2);
        sleep_us(rng.below(2000));
        kill(pid);
    }
    let mut killed = 0;
    for &pid in &prods {
        match reap(pid) {
            None => killed += 1,
            Some(code) => assert_eq!(code, 0),
        }
    }
    stop_consumers(&ch, 2);
    for pid in cons {
        assert_eq!(wait_exit_code(pid), 0, "a consumer saw a torn, duplicate or out-of-order message");
    }
    // Every confirmed message arrived exactly once; an unconfirmed one (its
    // sender died after publishing, before send returned) at most once.
    let mut confirmed_total = 0;
    for p in 0..producers {
        let confirmed = book.confirmed(p).load(Ordering::Relaxed);
        confirmed_total += confirmed as u64;
        for seq in 0..per as u32 {
            let got = book.received(p as u32, seq).load(Ordering::Relaxed);
            if seq < confirmed {
                assert_eq!(got, 1, "producer {p} seq {seq}");
            } else if seq > confirmed {
                assert_eq!(got, 0, "producer {p} seq {seq}");
            } else {
                assert!(got <= 1);
            }
        }
    }
    let s = ch.stats();
    eprintln!("stats at the end: {s:?}");
    let recorded = book.total_recorded() + 2;
    assert_eq!(s.received, recorded);
    assert_eq!(s.queued, 0);
    assert_eq!(s.sent, s.received + s.lost);
    // Each killed producer had at most one message in flight.
    assert!(s.lost <= killed, "lost {} > killed {killed}", s.lost);
    assert!(s.sent >= confirmed_total + 2 && s.sent <= confirmed_total + 2 + killed);
}

/// Consumers receiving large messages are killed at random instants, most
/// of them in the middle of copying a message out; the producers and the
/// surviving consumer finish.
#[test]
fn receivers_killed_mid_receive_lose_at_most_what_they_held_and_are_counted() {
    let (producers, per, consumers, max) = (2, 150, 8, 2 << 20);
    let ch = Chan::create(None, max, 4, 0).unwrap();
    let book = Book::new(producers, per, consumers);
    let cons: Vec<_> = (0..consumers).map(|c| fork_child(|| consume(&ch, &book, c, max))).collect();
    let prods: Vec<_> = (0..producers).map(|p| fork_child(|| produce(&ch, &book, p, max))).collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ std::process::id() as u64);
    let all_sent = || (0..producers).all(|p| book.confirmed(p).load(Ordering::Acquire) as usize == per);
    // Kill all consumers but the last, one at a time, while traffic flows.
    // The traffic can end before the last kills (this process is not
    // scheduled for a while, or the copies are fast): no more messages come
    // then, and the remaining kills find their consumers idle.
    for &pid in cons.iter().take(consumers - 1) {
        let before = book.total_recorded();
        wait_until("messages flowed", || book.total_recorded() >= before + 4 || all_sent());
        sleep_us(rng.below(2000));
        kill(pid);
    }
    for pid in prods {
        assert_eq!(wait_exit_code(pid), 0, "a producer did not finish");
    }
    stop_consumers(&ch, 1);
    let mut killed = 0;
    for (c, &pid) in cons.iter().enumerate() {
        match reap(pid) {
            None => killed += 1,
            Some(code) => assert_eq!(code, 0, "consumer {c}"),
        }
        assert_eq!(book.failure(c).load(Ordering::Relaxed), 0, "consumer {c} saw a bad message");
    }
    assert_eq!(killed, consumers as u64 - 1);
    let total = (producers * per) as u64;
    let mut recorded = 0;
    for p in 0..producers as u32 {
        for seq in 0..per as u32 {
            let got = book.received(p, seq).load(Ordering::Relaxed);
            assert!(got <= 1, "producer {p} seq {seq} received {got} times");
            recorded += got as u64;
        }
    }
    let s = ch.stats();
    eprintln!("stats at the end: {s:?}");
    assert_eq!(s.sent, total + 1);
    assert_eq!(s.queued, 0);
    assert_eq!(s.sent, s.received + s.lost);
    // What nobody recorded was lost inside a dying receiver, or returned to
    // one that died before recording it (at most one per killed receiver).
    let missing = total - recorded;
    assert!(missing >= s.lost && missing <= s.lost + killed, "missing {missing}, lost {}, killed {killed}", s.lost);
    assert!(s.lost <= killed);
}

/// Receivers asleep on an empty channel and senders asleep on a full one are
/// killed; the survivors carry on.
#[test]
fn peers_killed_while_blocked_leave_a_working_channel() {
    let ch = Chan::create(None, 16, 2, 0).unwrap();
    let waiting = Shared::new(1);
    // Receivers block on the empty channel.
    let sleepers: Vec<_> = (0..3)
        .map(|_| {
            fork_child(|| {
                waiting.at(0).fetch_add(1, Ordering::Release);
                let mut buf = [0u8; 16];
                let _ = ch.recv(&mut buf, -1);
                0
            })
        })
        .collect();
    wait_until("the receivers started", || waiting.at(0).load(Ordering::Acquire) >= 3);
    sleep_us(20_000);
    for &pid in &sleepers {
        kill(pid);
        assert_eq!(reap(pid), None);
    }
    // Fill the channel, then let senders block on it and kill them.
    ch.send(b"a", 0).unwrap();
    ch.send(b"b", 0).unwrap();
    let blocked: Vec<_> = (0..2).map(|_| fork_child(|| ch.send(b"never", -1).is_err() as i32)).collect();
    sleep_us(20_000);
    for &pid in &blocked {
        kill(pid);
        assert_eq!(reap(pid), None);
    }
    let mut buf = [0u8; 16];
    assert_eq!(ch.recv(&mut buf, 1000).unwrap(), 1);
    assert_eq!(ch.recv(&mut buf, 1000).unwrap(), 1);
    // The channel works both ways, blocking included.
    let child = fork_child(|| {
        let mut buf = [0u8; 16];
        for i in 0..100u8 {
            if ch.recv(&mut buf, 10_000) != Ok(1) || buf[0] != i {
                return 1;
            }
        }
        0
    });
    for i in 0..100u8 {
        ch.send(&[i], 10_000).unwrap();
    }
    assert_eq!(wait_exit_code(child), 0);
    let s = ch.stats();
    eprintln!("stats at the end: {s:?}");
    assert_eq!((s.sent, s.received, s.lost, s.queued), (102, 102, 0, 0));
}

/// Rounds of random kills among everyone at once: producers and consumers
/// die at arbitrary instants and are replaced; at the end the survivors
/// drain the channel and the books balance.
#[test]
fn random_kills_of_anyone_never_wedge_or_corrupt_the_channel() {
    let max = 4096;
    let ch = Chan::create(None, max, 8, 0).unwrap();
    let producers = 6;
    let per = 300;
    let consumers = 6;
    let book = Book::new(producers, per, consumers);
    let mut rng = Rng(0xdead_beef_cafe_f00d ^ std::process::id() as u64);
    let mut killed_consumers = 0;
    let mut killed_producers = 0;
    // Two producers and two consumers run at a time; kill one of each pair
    // at a random instant, then start the next.
    let mut live_cons = Vec::new();
    for round in 0..3 {
        let (c0, c1) = (2 * round, 2 * round + 1);
        let (p0, p1) = (2 * round, 2 * round + 1);
        let cons: Vec<_> = [c0, c1].iter().map(|&c| fork_child(|| consume(&ch, &book, c, max))).collect();
        let prods: Vec<_> = [p0, p1].iter().map(|&p| fork_child(|| produce(&ch, &book, p, max))).collect();
        sleep_us(1000 + rng.below(5000));
        kill(prods[0]);
        sleep_us(rng.below(3000));
        kill(cons[0]);
        if reap(prods[0]).is_none() {
            killed_producers += 1;
        }
        if reap(cons[0]).is_none() {
            killed_consumers += 1;
        }
        assert_eq!(wait_exit_code(prods[1]), 0);
        live_cons.push(cons[1]);
    }
    stop_consumers(&ch, live_cons.len());
    for pid in live_cons {
        assert_eq!(wait_exit_code(pid), 0);
    }
    for c in 0..consumers {
        assert_eq!(book.failure(c).load(Ordering::Relaxed), 0, "consumer {c}");
    }
    let mut recorded = 0;
    let mut confirmed = 0;
    for p in 0..producers {
        confirmed += book.confirmed(p).load(Ordering::Relaxed) as u64;
        for seq in 0..per as u32 {
            let got = book.received(p as u32, seq).load(Ordering::Relaxed);
            assert!(got <= 1);
            recorded += got as u64;
        }
    }
    let s = ch.stats();
    eprintln!("stats at the end: {s:?}");
    assert_eq!(s.queued, 0);
    assert_eq!(s.sent, s.received + s.lost);
    let stops = 3;
    assert!(s.sent >= confirmed + stops && s.sent <= confirmed + stops + killed_producers);
    assert!(s.lost <= killed_producers + killed_consumers);
    assert!(s.received >= recorded + stops && s.received <= recorded + stops + killed_consumers);
}
