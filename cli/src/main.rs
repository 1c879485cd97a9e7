//! `rsipc`: one view of every IPC object on the machine -- System V shared
//! memory, message queues and semaphore sets, POSIX shared memory,
//! semaphores and message queues, and rsipc channels -- with who uses each
//! one and whether anyone alive still does; and the cleaning of what dead
//! processes left behind.
//!
//! The listing, liveness and reaping are the library's (`rsipc::objects`);
//! this program parses the arguments, formats the results (columns or the
//! JSON of docs/cli.md) and turns outcomes into exit statuses.

mod args;
mod cmd;
mod format;
mod run;
mod watch;

use rsipc::objects;

use clap::Parser;
use std::process::ExitCode;

/// Exit statuses (docs/cli.md, "Exit status"; `rsipc --help` lists them).
pub mod status {
    /// Everything asked for was done.
    pub const OK: u8 = 0;
    /// `rm`/`reap`: some objects could not be removed (or an `rm` operand
    /// named no object, or more than one).
    pub const NOT_ALL_REMOVED: u8 = 1;
    /// Bad arguments (clap's own status for usage errors).
    pub const USAGE: u8 = 2;
    /// `show`/`watch`: the operand names no object, or more than one.
    pub const NOT_FOUND: u8 = 3;
    /// The listing, the channel or the preload library could not be had
    /// (the message says why).
    pub const FAILED: u8 = 4;
    /// `run`: PROG was found but could not be executed.
    pub const CANNOT_EXEC: u8 = 126;
    /// `run`: PROG was not found.
    pub const NOT_FOUND_PROG: u8 = 127;
}

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    ExitCode::from(cmd::dispatch(cli))
}
