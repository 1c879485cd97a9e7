//! The subcommands: each returns its exit status (crate::status).

use crate::args::{Cli, Command, FilterArgs, KindArg, LsArgs, ReapArgs, RmArgs, ShowArgs};
use crate::format::{self, print_json, print_object, print_objects, ListingDoc, ReapDoc, Record, SCHEMA_VERSION};
use crate::objects::{self, Kind, Object};
use crate::status;

pub fn dispatch(cli: Cli) -> u8 {
    match cli.command {
        Command::Ls(a) => ls(a),
        Command::Show(a) => show(a),
        Command::Rm(a) => rm(a),
        Command::Reap(a) => reap(a),
        Command::Watch(a) => crate::watch::watch(a),
        Command::Run(a) => crate::run::run(a),
        Command::GenerateMan { dir } => generate_man(&dir),
    }
}

pub fn kind_of(k: KindArg) -> Kind {
    match k {
        KindArg::SysvShm => Kind::SysvShm,
        KindArg::SysvMsg => Kind::SysvMsg,
        KindArg::SysvSem => Kind::SysvSem,
        KindArg::PosixShm => Kind::PosixShm,
        KindArg::PosixSem => Kind::PosixSem,
        KindArg::PosixMq => Kind::PosixMq,
        KindArg::Chan => Kind::Chan,
    }
}

fn filter_of(f: &FilterArgs, only_stale: bool) -> objects::Filter {
    objects::Filter {
        kinds: f.kind.iter().fold(0, |bits, &k| bits | kind_of(k).bit()),
        pattern: f.name.clone(),
        owner: f.owner,
        older_than: f.older_than.map(|d| d.as_secs()),
        only_stale,
    }
}

pub fn fail(what: &str, e: &rsipc::Error) -> u8 {
    eprintln!("rsipc: {what}: {e}");
    status::FAILED
}

/// Prints the listing's notes (what could not be looked at, and why) on
/// standard error, so the columns stay clean for scripts.
fn print_notes(notes: &[String]) {
    for n in notes {
        eprintln!("rsipc: note: {n}");
    }
}

fn ls(a: LsArgs) -> u8 {
    let listing = match objects::list(&filter_of(&a.filter, a.stale)) {
        Ok(l) => l,
        Err(e) => return fail("cannot list the IPC objects", &e),
    };
    if a.json {
        print_json(&ListingDoc {
            version: SCHEMA_VERSION,
            objects: listing.objects.iter().map(Record::of).collect(),
            notes: listing.notes.clone(),
        });
    } else {
        print_notes(&listing.notes);
        print_objects(&listing.objects, a.bytes, !a.no_headings);
    }
    status::OK
}

/// Whether operand `arg` names object `o`: a decimal System V id, a 0x key,
/// or a name with or without its leading slash.
fn names(o: &Object, arg: &str) -> bool {
    if let Some(hex) = arg.strip_prefix("0x").or_else(|| arg.strip_prefix("0X")) {
        return match (u32::from_str_radix(hex, 16), o.key) {
            (Ok(k), Some(key)) => key as u32 == k && key != 0,
            _ => false,
        };
    }
    if !arg.is_empty() && arg.bytes().all(|b| b.is_ascii_digit()) {
        if let (Ok(id), Some(oid)) = (arg.parse::<i64>(), o.id) {
            if i64::from(oid) == id {
                return true;
            }
        }
    }
    match &o.name {
        Some(name) => {
            name.trim_start_matches('/') == arg.trim_start_matches('/') && !arg.trim_start_matches('/').is_empty()
        }
        None => false,
    }
}

/// The one object operand `arg` names, or a message saying why there is
/// not exactly one.
pub fn resolve<'a>(all: &'a [Object], arg: &str, kind: Option<KindArg>) -> Result<&'a Object, String> {
    let found: Vec<&Object> =
        all.iter().filter(|o| kind.is_none_or(|k| kind_of(k) == o.kind) && names(o, arg)).collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(format!("{arg}: no such object (or not visible to this user)")),
        many => Err(format!(
            "{arg}: names {} objects ({}): choose one with --kind",
            many.len(),
            many.iter().map(|o| o.kind.name()).collect::<Vec<_>>().join(", ")
        )),
    }
}

fn show(a: ShowArgs) -> u8 {
    let listing = match objects::list(&objects::Filter::default()) {
        Ok(l) => l,
        Err(e) => return fail("cannot list the IPC objects", &e),
    };
    let o = match resolve(&listing.objects, &a.object, a.kind) {
        Ok(o) => o,
        Err(why) => {
            eprintln!("rsipc show: {why}");
            return status::NOT_FOUND;
        }
    };
    if a.json {
        print_json(&Record::of(o));
    } else {
        print_object(o, a.bytes);
    }
    status::OK
}

fn rm(a: RmArgs) -> u8 {
    let listing = match objects::list(&objects::Filter::default()) {
        Ok(l) => l,
        Err(e) => return fail("cannot list the IPC objects", &e),
    };
    let mut code = status::OK;
    for arg in &a.objects {
        let o = match resolve(&listing.objects, arg, a.kind) {
            Ok(o) => o,
            Err(why) => {
                eprintln!("rsipc rm: {why}");
                code = status::NOT_ALL_REMOVED;
                continue;
            }
        };
        match objects::remove(o) {
            Ok(()) => println!("removed {} {}", o.kind.name(), describe(o)),
            Err(e) => {
                eprintln!("rsipc rm: cannot remove {} {}: {e}", o.kind.name(), describe(o));
                code = status::NOT_ALL_REMOVED;
            }
        }
    }
    code
}

/// How messages name an object: its name, or key and id.
pub fn describe(o: &Object) -> String {
    match (&o.name, o.id) {
        (Some(name), _) => name.clone(),
        (None, Some(id)) => format!("{} (id {id})", format::key_or_name(o)),
        (None, None) => format::key_or_name(o),
    }
}

fn reap(a: ReapArgs) -> u8 {
    use objects::Outcome;
    let report = match objects::reap(&filter_of(&a.filter, true), a.dry_run) {
        Ok(r) => r,
        Err(e) => return fail("cannot reap", &e),
    };
    let mut removed = Vec::new();
    let mut kept = Vec::new();
    let mut failed = Vec::new();
    for e in &report.entries {
        match &e.outcome {
            Outcome::Removed | Outcome::WouldRemove => removed.push(&e.object),
            Outcome::Kept(state) => kept.push((&e.object, *state)),
            Outcome::Failed(err) => failed.push((&e.object, err)),
        }
    }
    if a.json {
        print_json(&ReapDoc {
            version: SCHEMA_VERSION,
            dry_run: a.dry_run,
            removed: removed.iter().map(|o| Record::of(o)).collect(),
            kept: kept.iter().map(|(o, _)| Record::of(o)).collect(),
            failed: failed
                .iter()
                .map(|(o, e)| format::FailedRecord {
                    object: Record::of(o),
                    errno: e.errno(),
                    error: rsipc::error::errno_name(e.errno()),
                    message: e.to_string(),
                })
                .collect(),
            notes: report.notes.clone(),
        });
    } else {
        print_notes(&report.notes);
        let verb = if a.dry_run { "would remove" } else { "removed" };
        if removed.is_empty() {
            println!("{verb} nothing: no stale object{}", if a.filter.is_empty() { "" } else { " matches" });
        } else {
            println!("{verb} {} stale object{}:", removed.len(), plural(removed.len()));
            let list: Vec<Object> = removed.iter().map(|&o| o.clone()).collect();
            print_objects(&list, a.bytes, true);
        }
        for (o, state) in &kept {
            eprintln!(
                "rsipc reap: kept {} {}: no longer stale when looked at again ({})",
                o.kind.name(),
                describe(o),
                state.cause().text()
            );
        }
        for (o, e) in &failed {
            eprintln!("rsipc reap: cannot remove {} {}: {e}", o.kind.name(), describe(o));
        }
    }
    if failed.is_empty() {
        status::OK
    } else {
        status::NOT_ALL_REMOVED
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

impl FilterArgs {
    fn is_empty(&self) -> bool {
        self.kind.is_empty() && self.owner.is_none() && self.name.is_none() && self.older_than.is_none()
    }
}

/// rsipc(1) and one page per subcommand, rsipc-ls(1) and so on (not for
/// `run`: see below).
fn generate_man(dir: &std::path::Path) -> u8 {
    use clap::CommandFactory;
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let top = Cli::command().name("rsipc");
        let render = |cmd: clap::Command, file: String| -> std::io::Result<()> {
            let mut text = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut text)?;
            let path = dir.join(file);
            // Rewrite only on change, so the install step sees stable files.
            if std::fs::read(&path).ok().as_deref() != Some(&text[..]) {
                std::fs::write(path, text)?;
            }
            Ok(())
        };
        // No rsipc-run(1): that is the page of the preload launcher
        // rsipc-run (preload/), which `rsipc run` is the same as.
        for sub in top.get_subcommands().filter(|s| !s.is_hide_set() && !["help", "run"].contains(&s.get_name())) {
            let name = format!("rsipc-{}", sub.get_name());
            render(
                sub.clone().name(name.clone()).version(top.get_version().unwrap_or_default().to_string()),
                format!("{name}.1"),
            )?;
        }
        render(top, "rsipc.1".into())
    };
    match write() {
        Ok(()) => status::OK,
        Err(e) => {
            eprintln!("rsipc generate-man: {}: {e}", dir.display());
            status::FAILED
        }
    }
}
