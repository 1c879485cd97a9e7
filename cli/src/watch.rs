//! `rsipc watch NAME`: a channel's counters, one line per interval, read
//! from its header without opening it (so the watcher is no member).

use crate::args::WatchArgs;
use crate::objects::{self, ChanInfo, Kind};
use crate::status;
use serde::Serialize;
use std::io::Write;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// One line of `watch --json` (docs/cli.md, "watch").
#[derive(Serialize)]
struct Sample<'a> {
    version: u32,
    name: &'a str,
    time: f64,
    queued: u64,
    capacity: u64,
    max_msg: u64,
    sent: u64,
    received: u64,
    lost: u64,
    members: u32,
    sent_per_s: Option<f64>,
    received_per_s: Option<f64>,
    lost_per_s: Option<f64>,
}

fn rate(now: u64, before: u64, secs: f64) -> f64 {
    now.saturating_sub(before) as f64 / secs
}

/// The counters of channel `name` as its header shows them now, read
/// through the listing (which neither maps the channel nor joins it).
fn look(name: &str) -> Result<ChanInfo, (u8, String)> {
    let filter = objects::Filter { pattern: Some(name.to_string()), ..Default::default() };
    let listing = objects::list(&filter).map_err(|e| (status::FAILED, format!("cannot list the IPC objects: {e}")))?;
    let found = listing.objects.iter().find(|o| o.name.as_deref() == Some(name));
    match found {
        Some(o) => match (o.kind, o.chan) {
            (Kind::Chan, Some(info)) => Ok(info),
            (kind, _) => Err((status::NOT_FOUND, format!("{name} is not a channel but a {} object", kind.name()))),
        },
        None => Err((status::NOT_FOUND, format!("{name}: no such channel (or not visible to this user)"))),
    }
}

pub fn watch(a: WatchArgs) -> u8 {
    let name = if a.name.starts_with('/') { a.name.clone() } else { format!("/{}", a.name) };
    let mut out = std::io::stdout().lock();
    let mut before: Option<(Instant, ChanInfo)> = None;
    let mut n = 0u64;
    loop {
        let now = Instant::now();
        let s = match look(&name) {
            Ok(s) => s,
            Err((code, why)) => {
                eprintln!("rsipc watch: {why}");
                // A channel removed while watched ends the watch normally.
                return if n > 0 && code == status::NOT_FOUND { status::OK } else { code };
            }
        };
        if n == 0 && !a.json {
            let _ = writeln!(
                out,
                "{:>8}  {:>8}  {:>8}  {:>10}  {:>10}  {:>8}  {:>10}  {:>10}  {:>8}  {:>7}",
                "TIME", "QUEUED", "CAPACITY", "SENT", "RECEIVED", "LOST", "SENT/s", "RECV/s", "LOST/s", "MEMBERS"
            );
        }
        let rates = before.map(|(t, b)| {
            let secs = now.duration_since(t).as_secs_f64().max(1e-9);
            (rate(s.sent, b.sent, secs), rate(s.received, b.received, secs), rate(s.lost, b.lost, secs))
        });
        let line = if a.json {
            let wall = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0);
            let sample = Sample {
                version: crate::format::SCHEMA_VERSION,
                name: &name,
                time: wall,
                queued: s.queued,
                capacity: s.capacity,
                max_msg: s.max_msg,
                sent: s.sent,
                received: s.received,
                lost: s.lost,
                members: s.members,
                sent_per_s: rates.map(|r| r.0),
                received_per_s: rates.map(|r| r.1),
                lost_per_s: rates.map(|r| r.2),
            };
            serde_json::to_string(&sample).expect("plain data serialises")
        } else {
            let r = |v: Option<f64>| v.map(|x| format!("{x:.0}")).unwrap_or_else(|| "-".into());
            let clock = crate::format::time_text(Some(
                SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0),
            ));
            format!(
                "{:>8}  {:>8}  {:>8}  {:>10}  {:>10}  {:>8}  {:>10}  {:>10}  {:>8}  {:>7}",
                clock.rsplit(' ').next().unwrap_or(""),
                s.queued,
                s.capacity,
                s.sent,
                s.received,
                s.lost,
                r(rates.map(|r| r.0)),
                r(rates.map(|r| r.1)),
                r(rates.map(|r| r.2)),
                s.members,
            )
        };
        if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
            // The reader went away (`rsipc watch X | head`): done.
            return status::OK;
        }
        n += 1;
        if a.count.is_some_and(|c| n >= c) {
            return status::OK;
        }
        before = Some((now, s));
        std::thread::sleep(a.interval);
    }
}
