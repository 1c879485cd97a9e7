//! The C boundary, written once.
//!
//! Every `extern "C"` function of rsipc is a thin shim:
//!
//! ```ignore
//! guard(-1, call!("pipe2", fds = Ptr(fds), flags = Pipe2Flags(flags)), || {
//!     // SAFETY: forwarded from this function's contract.
//!     let fds = unsafe { out_ref(fds, "fds") }?;   // NULL -> EFAULT
//!     super::pipe2(flags).map(|p| { *fds = p; 0 })
//! })
//! ```
//!
//! * [`guard`](guard::guard) runs the body under `catch_unwind`, returns its
//!   value on success, and on failure sets `errno`, records the failure for
//!   `rsipc_last_error()` and returns the call's failure value. The
//!   description ([`call!`](crate::call)) runs only on failure and stores
//!   raw values: nothing is formatted, allocated or locked on any path, so
//!   the async-signal-safe functions stay so when they fail (see
//!   [`crate::error`]); the message is composed when it is read.
//! * [`ptr`] turns each pointer argument into a reference, slice or string
//!   once, NULL becoming `EFAULT` naming the argument.
//! * [`show`] holds the flag tables of the calls' arguments, by which a
//!   message shows a flag word by name.
//!
//! The functions that are thread-cancellation points (those whose glibc
//! counterpart is one: `msgsnd`, `msgrcv`, the `mq_*send`/`mq_*receive`
//! calls, the semaphore waits, `msync`, `fifo_open` as `open`, the loops of
//! `write_all`/`read_exact`) are `extern "C-unwind"` and use
//! [`guard_cancel`] instead: a cancel unwinds the thread through them to the
//! caller, so the part that can block runs with no `catch_unwind` on the
//! stack. Everything else calls the kernel directly, never a glibc wrapper
//! that is a cancellation point (`crate::sys::cancel`).

mod guard;
mod ptr;
mod show;

pub(crate) use guard::*;
pub(crate) use ptr::*;
pub(crate) use show::*;

pub(crate) use crate::arg::{Key, Mode, Ptr};
pub use crate::error::Name;
