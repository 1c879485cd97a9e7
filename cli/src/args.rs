//! The command line (clap derive). Every option's help text is what
//! `rsipc SUBCOMMAND --help` prints; docs/cli.md repeats it with examples.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::time::Duration;

const AFTER_HELP: &str = "\
Exit status:
  0    success
  1    rm, reap: some objects could not be removed (or an rm operand named
       no object, or several)
  2    usage error (bad option or argument)
  3    show, watch: the operand names no object, or several
  4    the listing, the channel or the preload library could not be had
  126  run: PROG could not be executed;  127  run: PROG was not found

Kinds: sysv_shm, sysv_msg, sysv_sem (System V), posix_shm, posix_sem,
posix_mq (POSIX), chan (rsipc channels); `-` may replace `_`.
JSON output (--json) is described field by field in docs/cli.md.";

/// List, inspect, watch and clean up IPC objects: System V and POSIX shared
/// memory, message queues and semaphores, and rsipc channels.
#[derive(Parser, Debug)]
#[command(name = "rsipc", version, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List IPC objects, one per line, with their owner, size, users and
    /// whether they are stale.
    #[command(visible_alias = "list")]
    Ls(LsArgs),
    /// Print everything known about one object (for a channel, its live
    /// counters).
    Show(ShowArgs),
    /// Remove objects by name or id.
    Rm(RmArgs),
    /// Remove every stale object: one that no live process uses (judged
    /// conservatively, per kind). Never removes an object in use or of
    /// unknown state.
    Reap(ReapArgs),
    /// Follow a channel: queue depth, messages sent, received and lost, and
    /// the rates, one line per interval.
    Watch(WatchArgs),
    /// Run PROG with librsipc_preload.so preloaded, so that its IPC calls
    /// go through rsipc.
    Run(RunArgs),
    /// Write the man pages rsipc(1) and rsipc-SUBCOMMAND(1) into DIR (the
    /// build runs this; not for users).
    #[command(hide = true)]
    GenerateMan {
        /// The folder to write into (made if missing).
        dir: std::path::PathBuf,
    },
}

/// The kinds of object, as `--kind` and the JSON's "kind" spell them
/// (the library's `Kind::name`; `sysv-shm` is accepted for `sysv_shm`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// System V shared memory segment (shmget)
    #[value(name = "sysv_shm", alias = "sysv-shm")]
    SysvShm,
    /// System V message queue (msgget)
    #[value(name = "sysv_msg", alias = "sysv-msg")]
    SysvMsg,
    /// System V semaphore set (semget)
    #[value(name = "sysv_sem", alias = "sysv-sem")]
    SysvSem,
    /// POSIX shared memory object (shm_open, /dev/shm)
    #[value(name = "posix_shm", alias = "posix-shm")]
    PosixShm,
    /// POSIX named semaphore (sem_open, /dev/shm/sem.*)
    #[value(name = "posix_sem", alias = "posix-sem")]
    PosixSem,
    /// POSIX message queue (mq_open, /dev/mqueue)
    #[value(name = "posix_mq", alias = "posix-mq")]
    PosixMq,
    /// rsipc channel (rsipc_chan_create)
    Chan,
}

/// Which objects: shared by `ls` and `reap`.
#[derive(Args, Debug, Clone, Default)]
pub struct FilterArgs {
    /// Only objects of these kinds (repeat the option or separate with
    /// commas).
    #[arg(short, long, value_enum, value_delimiter = ',', value_name = "KIND")]
    pub kind: Vec<KindArg>,
    /// Only objects owned by this user (name or numeric uid).
    #[arg(short = 'u', long, value_name = "USER", value_parser = parse_owner)]
    pub owner: Option<u32>,
    /// Only objects whose name (POSIX objects, channels; with or without
    /// the leading `/`), key (System V, as 0x%08x) or id (decimal) matches
    /// this pattern: `*` any run of characters, `?` one character.
    #[arg(short, long, value_name = "PATTERN")]
    pub name: Option<String>,
    /// Only objects whose last activity (attach, send, operation,
    /// modification, permission change) is at least this long ago: a whole
    /// number with an optional unit s, m, h or d (seconds when none), e.g.
    /// 90s, 10m, 2h.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub older_than: Option<Duration>,
}

#[derive(Args, Debug)]
pub struct LsArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Only stale objects: no live process uses them (docs/cli.md says how
    /// each kind is judged); `show` and the JSON's "reason" say why.
    #[arg(short, long)]
    pub stale: bool,
    /// Print the listing as JSON (docs/cli.md) instead of columns.
    #[arg(short, long)]
    pub json: bool,
    /// Sizes in bytes instead of K/M/G.
    #[arg(short, long)]
    pub bytes: bool,
    /// Do not print the header line.
    #[arg(long)]
    pub no_headings: bool,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The object: a POSIX or channel name (`/name` or `name`), a System V
    /// id (decimal) or key (0x hex).
    #[arg(value_name = "NAME|ID")]
    pub object: String,
    /// Only consider objects of this kind (when a name is used by several).
    #[arg(short, long, value_enum, value_name = "KIND")]
    pub kind: Option<KindArg>,
    /// Print the object as JSON (docs/cli.md).
    #[arg(short, long)]
    pub json: bool,
    /// Sizes in bytes instead of K/M/G.
    #[arg(short, long)]
    pub bytes: bool,
}

#[derive(Args, Debug)]
pub struct RmArgs {
    /// The objects: POSIX or channel names (`/name` or `name`), System V ids
    /// (decimal) or keys (0x hex).
    #[arg(value_name = "NAME|ID", required = true)]
    pub objects: Vec<String>,
    /// Only consider objects of this kind (when a name is used by several).
    #[arg(short, long, value_enum, value_name = "KIND")]
    pub kind: Option<KindArg>,
}

#[derive(Args, Debug)]
pub struct ReapArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// List what would be removed, remove nothing.
    #[arg(short = 'N', long)]
    pub dry_run: bool,
    /// Print the report as JSON (docs/cli.md).
    #[arg(short, long)]
    pub json: bool,
    /// Sizes in bytes instead of K/M/G.
    #[arg(short, long)]
    pub bytes: bool,
}

#[derive(Args, Debug)]
pub struct WatchArgs {
    /// The channel's name (`/name` or `name`).
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Seconds between two lines (decimals allowed).
    #[arg(short, long, value_name = "SECONDS", default_value = "1", value_parser = parse_interval)]
    pub interval: Duration,
    /// Stop after this many lines (default: until interrupted).
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,
    /// One JSON object per line (docs/cli.md) instead of columns.
    #[arg(short, long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The program and its arguments (after `--`).
    #[arg(value_name = "PROG", required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    pub command: Vec<OsString>,
}

/// `--older-than`: `N`, `Ns`, `Nm`, `Nh` or `Nd` (N a whole number).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().map_err(|_| {
        format!("'{text}' is not a duration: expected a whole number and an optional unit s, m, h or d")
    })?;
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return Err(format!("unknown unit '{unit}' in '{text}': use s, m, h or d")),
    };
    n.checked_mul(scale).map(Duration::from_secs).ok_or_else(|| format!("'{text}' is too long"))
}

/// `--interval`: seconds, decimals allowed, at least a millisecond.
fn parse_interval(text: &str) -> Result<Duration, String> {
    let secs: f64 = text.parse().map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if !(0.001..=86400.0).contains(&secs) {
        return Err(format!("'{text}': the interval must be between 0.001 and 86400 seconds"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// `--owner`: a user name or a numeric uid.
fn parse_owner(text: &str) -> Result<u32, String> {
    if let Ok(uid) = text.parse::<u32>() {
        return Ok(uid);
    }
    crate::format::uid_of_user(text).ok_or_else(|| format!("no user named '{text}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_the_four_units_and_plain_seconds() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("1d"), Ok(Duration::from_secs(86400)));
    }

    #[test]
    fn bad_durations_are_refused() {
        for bad in ["", "s", "1w", "-1", "1.5h", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
