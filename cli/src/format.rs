//! What the command prints: the JSON records of docs/cli.md (one struct per
//! schema object, so the schema is this file) and the aligned columns.

use crate::objects::{Kind, Object};
use comfy_table::{presets::NOTHING, CellAlignment, ContentArrangement, Table};
use serde::Serialize;

/// The schema version in every JSON document; it changes only when a field
/// changes meaning or disappears (new fields may be added without it).
pub const SCHEMA_VERSION: u32 = 1;

/// One object in JSON (docs/cli.md, "The object record").
#[derive(Serialize, Debug)]
pub struct Record {
    pub kind: &'static str,
    pub name: Option<String>,
    pub key: Option<i64>,
    pub id: Option<i64>,
    pub uid: u32,
    pub gid: u32,
    pub owner: Option<String>,
    pub mode: u32,
    pub perms: String,
    pub size: Option<u64>,
    pub count: Option<u64>,
    pub cpid: Option<i64>,
    pub lpid: Option<i64>,
    pub lrpid: Option<i64>,
    pub nattch: Option<u64>,
    pub users: Vec<i64>,
    pub state: &'static str,
    pub cause: i32,
    pub reason: String,
    pub times: TimesRecord,
    pub chan: Option<ChanRecord>,
}

/// Seconds since the epoch, null when the kind has no such time.
#[derive(Serialize, Debug)]
pub struct TimesRecord {
    pub atime: Option<i64>,
    pub mtime: Option<i64>,
    pub ctime: Option<i64>,
}

#[derive(Serialize, Debug)]
pub struct ChanRecord {
    pub capacity: u64,
    pub max_msg: u64,
    pub queued: u64,
    pub sent: u64,
    pub received: u64,
    pub lost: u64,
    pub members: u32,
}

impl Record {
    pub fn of(o: &Object) -> Record {
        Record {
            kind: o.kind.name(),
            name: o.name.clone(),
            key: o.key.map(i64::from),
            id: o.id.map(i64::from),
            uid: o.uid,
            gid: o.gid,
            owner: user_name(o.uid),
            mode: o.mode & 0o7777,
            perms: perms(o.mode),
            size: o.size,
            count: count_of(o),
            cpid: o.cpid.map(i64::from),
            lpid: o.lpid.map(i64::from),
            lrpid: o.lrpid.map(i64::from),
            nattch: o.nattch,
            users: o.users.iter().map(|&p| i64::from(p)).collect(),
            state: o.state.name(),
            cause: o.state.cause().code(),
            reason: o.state.cause().text().to_string(),
            times: TimesRecord { atime: o.atime, mtime: o.mtime, ctime: o.ctime },
            chan: o.chan.as_ref().map(|c| ChanRecord {
                capacity: c.capacity,
                max_msg: c.max_msg,
                queued: c.queued,
                sent: c.sent,
                received: c.received,
                lost: c.lost,
                members: c.members,
            }),
        }
    }
}

/// `rsipc ls --json`.
#[derive(Serialize, Debug)]
pub struct ListingDoc {
    pub version: u32,
    pub objects: Vec<Record>,
    pub notes: Vec<String>,
}

/// An object that could not be removed, and why.
#[derive(Serialize, Debug)]
pub struct FailedRecord {
    pub object: Record,
    pub errno: i32,
    pub error: &'static str,
    pub message: String,
}

/// `rsipc reap --json`.
#[derive(Serialize, Debug)]
pub struct ReapDoc {
    pub version: u32,
    pub dry_run: bool,
    pub removed: Vec<Record>,
    pub kept: Vec<Record>,
    pub failed: Vec<FailedRecord>,
    pub notes: Vec<String>,
}

/// `rsw-x-w---`-style permission bits, as `ls -l` and `lsipc` print them.
pub fn perms(mode: u32) -> String {
    let bit = |m: u32, c: char| if mode & m != 0 { c } else { '-' };
    [
        bit(0o400, 'r'),
        bit(0o200, 'w'),
        bit(0o100, 'x'),
        bit(0o040, 'r'),
        bit(0o020, 'w'),
        bit(0o010, 'x'),
        bit(0o004, 'r'),
        bit(0o002, 'w'),
        bit(0o001, 'x'),
    ]
    .iter()
    .collect()
}

/// Sizes as `lsipc` prints them: 4K, 1.5M, 2G (powers of 1024, one decimal
/// below 10), bytes below 1 KiB.
pub fn human_size(n: u64) -> String {
    const UNITS: [&str; 6] = ["K", "M", "G", "T", "P", "E"];
    if n < 1024 {
        return format!("{n}B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value < 10.0 && (value * 10.0).round() % 10.0 != 0.0 {
        format!("{:.1}{}", value, UNITS[unit])
    } else {
        format!("{:.0}{}", value, UNITS[unit])
    }
}

pub fn size_text(n: Option<u64>, bytes: bool) -> String {
    match n {
        None => "-".into(),
        Some(n) if bytes => n.to_string(),
        Some(n) => human_size(n),
    }
}

/// The KEY/NAME column: the POSIX or channel name, or the System V key as
/// `ipcs` prints it.
pub fn key_or_name(o: &Object) -> String {
    match o.label() {
        l if l.is_empty() => "-".into(),
        l => l,
    }
}

pub fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}

/// Messages queued (queues, channels) or semaphores in the set.
fn count_of(o: &Object) -> Option<u64> {
    o.count.or(o.chan.as_ref().map(|c| c.queued))
}

/// The USERS column: a segment's attach count, a channel's members, else
/// the live processes found using it.
fn users_text(o: &Object) -> String {
    match (o.nattch, &o.chan) {
        (Some(n), _) => n.to_string(),
        (None, Some(c)) => c.members.max(o.users.len() as u32).to_string(),
        (None, None) => o.users.len().to_string(),
    }
}

fn table(headers: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(NOTHING).set_content_arrangement(ContentArrangement::Disabled);
    t.set_header(headers.to_vec());
    for column in t.column_iter_mut() {
        column.set_padding((0, 2));
    }
    t
}

fn print_table(mut t: Table, right: &[usize], headings: bool) {
    for &i in right {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    let text = t.to_string();
    for (i, line) in text.lines().enumerate() {
        if i == 0 && !headings {
            continue;
        }
        println!("{}", line.trim_end());
    }
}

/// The columns of `ls` and `reap`.
pub fn print_objects(list: &[Object], bytes: bool, headings: bool) {
    let mut t = table(&["KIND", "KEY/NAME", "ID", "OWNER", "PERMS", "SIZE", "COUNT", "USERS", "STATE"]);
    for o in list {
        t.add_row(vec![
            o.kind.name().to_string(),
            key_or_name(o),
            opt(o.id),
            user_name(o.uid).unwrap_or_else(|| o.uid.to_string()),
            perms(o.mode),
            size_text(o.size, bytes),
            opt(count_of(o)),
            users_text(o),
            o.state.name().to_string(),
        ]);
    }
    if list.is_empty() {
        // comfy-table prints nothing but the header row for no rows.
        if headings {
            print_table(t, &[], true);
        }
        return;
    }
    print_table(t, &[2, 5, 6, 7], headings);
}

/// `show`: one `field: value` line per thing known.
pub fn print_object(o: &Object, bytes: bool) {
    let r = Record::of(o);
    let mut lines: Vec<(&str, String)> = vec![
        ("kind", r.kind.to_string()),
        ("name", opt(r.name.clone())),
        ("key", o.key.map(|k| format!("0x{:08x}", k as u32)).unwrap_or_else(|| "-".into())),
        ("id", opt(r.id)),
        ("owner", format!("{} (uid {}, gid {})", r.owner.clone().unwrap_or_else(|| r.uid.to_string()), r.uid, r.gid)),
        ("perms", format!("{} ({:04o})", r.perms, r.mode)),
        ("size", size_text(r.size, bytes)),
        ("count", opt(r.count)),
        ("creator pid", opt(r.cpid)),
        ("last pid", opt(r.lpid)),
        ("last receiver", opt(r.lrpid)),
        ("attached", opt(r.nattch)),
        (
            "users",
            if r.users.is_empty() {
                "none".into()
            } else {
                r.users.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(" ")
            },
        ),
        ("state", format!("{} ({})", r.state, r.reason)),
        (time_labels(o.kind)[0], time_text(r.times.atime)),
        (time_labels(o.kind)[1], time_text(r.times.mtime)),
        (time_labels(o.kind)[2], time_text(r.times.ctime)),
    ];
    if let Some(c) = &r.chan {
        lines.push(("capacity", format!("{} messages", c.capacity)));
        lines.push(("max message", size_text(Some(c.max_msg), true) + " bytes"));
        lines.push(("queued", c.queued.to_string()));
        lines.push(("sent", c.sent.to_string()));
        lines.push(("received", c.received.to_string()));
        lines.push(("lost", c.lost.to_string()));
        lines.push(("members", c.members.to_string()));
    }
    let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in lines {
        if v == "-" {
            continue;
        }
        println!("{:width$}  {v}", format!("{k}:"), width = width + 1);
    }
}

/// What atime, mtime and ctime mean for each kind (`show`'s labels).
fn time_labels(kind: Kind) -> [&'static str; 3] {
    match kind {
        Kind::SysvShm => ["last attach", "last detach", "changed"],
        Kind::SysvMsg => ["last send", "last receive", "changed"],
        Kind::SysvSem => ["last operation", "modified", "changed"],
        _ => ["accessed", "modified", "changed"],
    }
}

/// Local time, `YYYY-MM-DD HH:MM:SS`, or `-`.
pub fn time_text(t: Option<i64>) -> String {
    let Some(t) = t else { return "-".into() };
    if t == 0 {
        return "-".into();
    }
    // SAFETY: localtime_r writes only into `tm`, which is ours.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let secs = t as libc::time_t;
    // SAFETY: both pointers are to live locals.
    if unsafe { libc::localtime_r(&secs, &mut tm) }.is_null() {
        return t.to_string();
    }
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}

/// The login name of `uid`, if the user database has one.
pub fn user_name(uid: u32) -> Option<String> {
    let mut buf = vec![0u8; 4096];
    // SAFETY: a passwd filled by getpwuid_r, its strings in `buf`.
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut out: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is to a live local of the stated size.
    let rc = unsafe { libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr().cast(), buf.len(), &mut out) };
    if rc != 0 || out.is_null() {
        return None;
    }
    // SAFETY: getpwuid_r succeeded, so pw_name is a C string inside `buf`.
    Some(unsafe { std::ffi::CStr::from_ptr(pw.pw_name) }.to_string_lossy().into_owned())
}

/// The uid of login name `name`.
pub fn uid_of_user(name: &str) -> Option<u32> {
    let cname = std::ffi::CString::new(name).ok()?;
    let mut buf = vec![0u8; 4096];
    // SAFETY: a passwd filled by getpwnam_r, its strings in `buf`.
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut out: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is to a live local of the stated size.
    let rc = unsafe { libc::getpwnam_r(cname.as_ptr(), &mut pw, buf.as_mut_ptr().cast(), buf.len(), &mut out) };
    if rc != 0 || out.is_null() {
        return None;
    }
    Some(pw.pw_uid)
}

pub fn print_json<T: Serialize>(doc: &T) {
    // Serialising these plain structs cannot fail.
    println!("{}", serde_json::to_string_pretty(doc).expect("plain data serialises"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_lsipc() {
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_size(1023), "1023B");
        assert_eq!(human_size(1024), "1K");
        assert_eq!(human_size(1536), "1.5K");
        assert_eq!(human_size(65536), "64K");
        assert_eq!(human_size(1 << 20), "1M");
        assert_eq!(human_size(5 << 30), "5G");
    }

    #[test]
    fn perms_read_like_ls() {
        assert_eq!(perms(0o600), "rw-------");
        assert_eq!(perms(0o1777), "rwxrwxrwx");
        assert_eq!(perms(0o640), "rw-r-----");
    }

    #[test]
    fn root_has_a_name_and_the_name_a_uid() {
        assert_eq!(user_name(0).as_deref(), Some("root"));
        assert_eq!(uid_of_user("root"), Some(0));
        assert_eq!(uid_of_user("no such user, surely"), None);
    }
}
