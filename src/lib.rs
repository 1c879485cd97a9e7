//! # rsipc
//!
//! The Linux IPC toolbox — pipes, FIFOs, memory mapping, POSIX and System V
//! shared memory, System V and POSIX message queues, POSIX and System V
//! semaphores — implemented in Rust and exported through a C ABI
//! (`librsipc.so`, `librsipc.a`, `include/rsipc.h`).
//!
//! Layers, each depending only on the ones below it:
//!
//! * `*/ffi.rs` — the `extern "C"` shims, all listed in [`capi`]: argument
//!   checks with the shared pointer helpers of the crate's `ffi` module,
//!   then one call into the safe module, all under `ffi::guard` (panics
//!   caught, `errno` and `rsipc_last_error()` set in one place).
//! * one module per mechanism (`pipe`, `fifo`, `mmap`, `shm`, `sysv_shm`,
//!   `msg`, `mq`, `sem`, `sysv_sem`, `chan`): safe Rust returning
//!   [`Result`], unit-testable without C.
//! * [`sys`] — the raw system-call helpers (errno conversion, futex).
//!
//! The C contract is in `docs/` (the reference, the trust model, the ABI
//! policy); each function's documentation, in [`capi`], is carried into the
//! generated header and the man pages.

#![deny(unsafe_op_in_unsafe_fn)]

#[macro_use]
pub mod error;
pub mod capi;
pub mod ctl;
mod ffi;
pub mod sys;

// One module per mechanism (folder with mod.rs = safe Rust, ffi.rs = C shims).
pub mod pipe;

pub mod fifo;

pub mod mmap;

pub mod shm;

pub mod sysv_shm;

pub mod msg;

pub mod mq;

pub mod sem;

pub mod sysv_sem;

pub mod chan;

pub mod objects;

pub use error::{Error, Result};

use libc::c_char;

/// The library version, `"MAJOR.MINOR.PATCH"` (the header's
/// `RSIPC_VERSION_STRING`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The library version as `"MAJOR.MINOR.PATCH"`; the header also defines
/// `RSIPC_VERSION_MAJOR`, `RSIPC_VERSION_MINOR` and `RSIPC_VERSION_PATCH`.
/// The string is static; never free it.
#[no_mangle]
pub extern "C" fn rsipc_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr() as *const c_char
}

/// The message of this thread's last failed rsipc call, naming the call, its
/// key arguments and the cause, e.g.
/// `shmget(key=0x1234, size=4096, flags=IPC_CREAT|IPC_EXCL|0644): EEXIST: a segment with this key already exists`.
/// `""` if no call has failed (or after `rsipc_clear_error()`). Like errno, a
/// successful call leaves it unchanged. The pointer stays valid until the next
/// failing rsipc call on this thread; never free it.
///
/// A failing call only records what failed, as plain data (no allocation,
/// no lock, no system call, so the async-signal-safe functions stay so when
/// they fail); the text is composed by the first `rsipc_last_error()` after
/// the failure, into a per-thread buffer. A fact the message needs a system
/// call for (whether a descriptor is open, a queue's `mq_msgsize`, a limit)
/// is gathered then, and the message says "found when this message was
/// read". Not async-signal-safe itself.
#[no_mangle]
pub extern "C" fn rsipc_last_error() -> *const c_char {
    error::last_error_ptr()
}

/// Resets this thread's last error message to `""`.
#[no_mangle]
pub extern "C" fn rsipc_clear_error() {
    error::clear_last_error()
}
