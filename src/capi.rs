//! The C API: every function `librsipc.so` exports, with the documentation
//! `include/rsipc.h` and the man pages are generated from.
//!
//! These are the `extern "C"` definitions themselves, re-exported from the
//! mechanism modules (`pipe`, `fifo`, `mmap`, `shm`, `sysv_shm`, `msg`, `mq`,
//! `sem`, `sysv_sem`, `chan`, `objects`) so the reference is in one place. C programs
//! call them through the header; from Rust, use the safe modules instead.
//!
//! Three are declared variadic in the header, as in libc: [`rsipc_semctl`],
//! [`rsipc_sem_open`] and [`rsipc_mq_open`]. Stable Rust cannot define a
//! C-variadic function, so their definitions here take the full fixed
//! argument list; the "Variadic" section of each says why a variadic call
//! reaches them correctly.
//!
//! Every function returns libc's failure value with `errno` set on failure,
//! and records a message for [`rsipc_last_error`]; none panics across the
//! boundary.

pub use crate::chan::ffi::*;
pub use crate::fifo::ffi::*;
pub use crate::mmap::ffi::*;
pub use crate::objects::ffi::*;
pub use crate::pipe::ffi::*;
pub use crate::posix_mq::ffi::*;
pub use crate::posix_sem::ffi::*;
pub use crate::posix_shm::ffi::*;
pub use crate::sysv_msg::ffi::*;
pub use crate::sysv_sem::ffi::*;
pub use crate::sysv_shm::ffi::*;
#[doc(inline)]
pub use crate::{rsipc_clear_error, rsipc_last_error, rsipc_version};
