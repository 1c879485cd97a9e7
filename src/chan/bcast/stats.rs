//! The counters of a broadcast handle (`rsipc_chan_subscriber_stats`).

use super::*;

/// A subscriber's counters, filled by `rsipc_chan_subscriber_stats()`.
///
/// In C this type is `struct rsipc_chan_sub_stats`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SubStats {
    /// Messages the publisher sent since the channel was created.
    pub published: u64,
    /// Messages this subscriber received (0 for the publisher's handle).
    pub received: u64,
    /// Messages this subscriber lost: overwritten (policy
    /// `RSIPC_CHAN_DROP_OLDEST`) before it took them.
    pub lost: u64,
    /// Messages published that this subscriber has neither taken nor
    /// counted as lost yet: `published` less its position. Beyond
    /// `capacity`, the excess will count as lost at its next receive.
    pub pending: u64,
    /// Subscribers attached now (entries in use, dead ones not yet
    /// noticed included).
    pub subscribers: u64,
    /// Most messages the channel holds.
    pub capacity: u64,
    /// Largest message in bytes.
    pub max_msg: u64,
}

impl Bcast {
    /// This handle's counters (see [`SubStats`]).
    pub fn stats(&self) -> SubStats {
        let h = self.header();
        let published = h.published.load(Ordering::Acquire);
        let subscribers = h.subs.iter().filter(|e| e.word.load(Ordering::Relaxed) != 0).count() as u64;
        let mut s = SubStats {
            published,
            subscribers,
            capacity: self.geo.capacity,
            max_msg: self.geo.max_msg,
            ..SubStats::default()
        };
        if let Role::Subscriber { entry, .. } = self.role {
            let e = &h.subs[entry];
            s.received = e.received.load(Ordering::Relaxed);
            s.lost = e.lost.load(Ordering::Relaxed);
            s.pending = published.saturating_sub(e.cursor.load(Ordering::Relaxed));
        }
        s
    }
}
