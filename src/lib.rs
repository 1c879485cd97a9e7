//! # rsipc
//!
//! The Linux IPC toolbox — pipes, FIFOs, memory mapping, POSIX and System V
//! shared memory, System V and POSIX message queues, POSIX and System V
//! semaphores — implemented in Rust and exported through a C ABI
//! (`librsipc.so`, `librsipc.a`, `include/rsipc.h`).
//!
//! The C contract is in `docs/` (the reference, the trust model, the ABI
//! policy); each function's documentation, in [`capi`], is carried into the
//! generated header and the man pages.
//!
//! # Map of the crate
//!
//! Three layers, each depending only on the ones below it, plus what all of
//! them share:
//!
//! | layer | modules |
//! |---|---|
//! | **C boundary** | [`capi`] lists every exported function; each mechanism's `ffi.rs` holds its `extern "C"` shims; `ffi` is what the shims share: `ffi/guard.rs` (panics caught, errno and `rsipc_last_error()` set in one place, cancellation points), `ffi/ptr.rs` (NULL → `EFAULT`, C pointers → references), `ffi/show.rs` (the flag tables of the arguments) |
//! | **safe core**, one module per mechanism: safe Rust returning [`Result`], unit-testable without C, `#![deny(unsafe_code)]` | [`pipe`] anonymous pipes · [`fifo`] FIFOs · [`mmap`] memory mapping · [`posix_shm`] POSIX shared memory · [`sysv_shm`] System V keys and shared memory · [`sysv_msg`] System V message queues · [`posix_mq`] POSIX message queues · [`posix_sem`] POSIX semaphores (futex, glibc's layout) · [`sysv_sem`] System V semaphores · [`chan`] the native message channel · [`objects`] every IPC object on the machine: listing, liveness, removal |
//! | **raw calls** | [`sys`]: one file per system-call family (`fd`, `fs`, `mman`, `pipe`, `ipc`, `mqueue`, `futex`, `shm`, `signal`, `time`, `process`, `cancel`, and the channel's `chan`, `bell`; the listing's `objects`) |
//! | shared by all | [`error`] the error type and the per-thread failure record · [`ctl`] the command tables of the System V `*ctl` calls · `arg` the argument kinds messages show (pointer, mode, key) |
//!
//! # Layering rules
//!
//! * Arrows point down only: a shim calls its safe module, a safe module
//!   calls [`sys`]; no safe module imports from `ffi` or a mechanism's
//!   `ffi.rs`, and [`sys`] imports from no mechanism.
//! * `unsafe` lives at the boundary (C pointers) and in [`sys`] (raw
//!   calls); every block says why it is sound in a `// SAFETY:` comment.
//! * The safe core never sees a raw C pointer: a shim turns each into a
//!   reference or slice first (`ffi/ptr.rs`), and turns the [`Result`] back
//!   into the C convention through the one guard.
//! * A shim is a few lines: describe the call, check its pointers, call the
//!   safe function. What two shims share goes in `ffi` or [`ctl`].

#![deny(unsafe_op_in_unsafe_fn)]

// Declared layer by layer, as the map above; a blank line between each
// keeps rustfmt from sorting them by name.

#[macro_use]
pub mod error; // shared: the error type and the per-thread failure record

pub mod capi; // boundary: every exported function, re-exported

pub mod ctl; // shared: the command tables of the System V *ctl calls

mod ffi; // boundary: what the shims share (guard, pointers, flag tables)

pub mod sys; // raw calls, by system-call family

mod arg; // shared: the argument kinds messages show (pointer, mode, key)

// The safe core, one module per mechanism (a folder: mod.rs is the safe
// Rust, ffi.rs its C shims).

pub mod pipe; // anonymous pipes

pub mod fifo; // FIFOs

pub mod mmap; // memory mapping

pub mod posix_shm; // POSIX shared memory

pub mod sysv_shm; // System V keys and shared memory

pub mod sysv_msg; // System V message queues

pub mod posix_mq; // POSIX message queues

pub mod posix_sem; // POSIX semaphores (on the futex, glibc's layout)

pub mod sysv_sem; // System V semaphores

pub mod chan; // the native message channel

pub mod objects; // every IPC object on the machine: listing, liveness, removal

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
