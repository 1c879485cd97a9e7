//! The one error type of rsipc and the per-thread "last error" record.
//!
//! Every safe function returns [`Result<T>`]; the boundary
//! (`crate::ffi::guard`) turns an [`Error`] into the C convention: the
//! call's failure value, `errno`, and a message for `rsipc_last_error()` of
//! the form `call(args): ENAME: what happened in plain words`.
//!
//! Errors are plain data. An [`Error`] is an errno and a [`Reason`]: a
//! static template (`"descriptor {} is not open"`) and the few raw values
//! that fill it (integers, pointers, flag words with a reference to a
//! static table of names, at most one short string copied inline). Nothing
//! is formatted, allocated or locked when a call fails: the boundary copies
//! the call's name, its arguments (raw, the same way) and the reason into a
//! thread-local record, and the text is composed only when
//! `rsipc_last_error()` reads it, into a fixed per-thread buffer. This is
//! what keeps the failure paths of the async-signal-safe functions
//! (`sem_post`, `pipe`, `mkfifo`, ...) free of `malloc` and of locks, and
//! failure nearly as cheap as the system call that failed.
//!
//! A fact that needs a system call to explain a failure (is the descriptor
//! open at all? how large are the queue's messages?) is never gathered on
//! the failure path: a [`Reason::compose`] function runs when the message is
//! read, and the message says the fact was read then.
//!
//! The thread-local record is `const`-initialised and has no destructor, so
//! touching it never allocates and never registers a TLS destructor.
//!
//! One concern per file:
//!
//! * `err.rs`: [`Error`] and [`Result`]; `convert.rs`: to and from the
//!   error types of std and nix;
//! * `reason.rs`: [`Reason`], why a call failed, as data;
//! * `arg.rs`: the raw values ([`Arg`], [`IntoArg`], [`Hex`], [`Quoted`],
//!   flag sets) and how each is shown;
//! * `call.rs`: [`Call`], the call a failure happened in;
//! * `macros.rs`: `reason!`, `err!`, `call!`, `shown_newtype!`;
//! * `record.rs`: the per-thread record, what a failure stores in it and
//!   the message composed from it;
//! * `tls.rs`: how a failure reaches the record cheaply (the hot block);
//! * `text.rs`: composing the text into the fixed buffer;
//! * `errno.rs`: errno names and descriptions;
//! * `later.rs`: facts gathered when the message is read.

use std::cell::{Cell, UnsafeCell};
use std::ffi::CStr;
use std::fmt;
use std::mem::MaybeUninit;
use std::sync::atomic::{compiler_fence, Ordering};

/// Values a [`Reason`] template can take.
pub(crate) const REASON_ARGS: usize = 3;
/// Arguments a call description can show.
pub(crate) const CALL_ARGS: usize = 7;
/// Bytes of a string argument kept inline (enough for the 64 characters a
/// message shows of it, however they are encoded).
pub(crate) const INLINE_STR: usize = 256;
/// Bytes of the composed message (a longer one is cut, ending in `...`).
const TEXT_LEN: usize = 2048;

#[macro_use]
mod macros;

mod arg;
mod call;
mod convert;
mod err;
mod errno;
pub mod later;
mod reason;
mod record;
mod text;
mod tls;

pub use arg::*;
pub use call::*;
pub use err::*;
pub use errno::*;
pub use reason::*;
pub use record::*;
use text::*;
pub(crate) use tls::inside;
use tls::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_names_and_descriptions_come_from_the_table() {
        assert_eq!(errno_name(libc::EEXIST), "EEXIST");
        assert_eq!(describe(libc::EFAULT), "bad address");
        assert_eq!(errno_name(100_000), "E?");
    }

    #[test]
    fn explain_replaces_only_the_matching_errno() {
        let e = Error::from_errno(libc::EEXIST).explain(libc::EEXIST, "it exists");
        assert_eq!(e.message(), "it exists");
        let e = Error::from_errno(libc::ENOENT).explain(libc::EEXIST, "it exists");
        assert_eq!(e.message(), "no such file or directory");
    }

    #[test]
    fn templates_take_their_values_in_order() {
        let e = crate::err!(libc::EINVAL, "off {} is not a multiple of {} ({})", -4096i64, Hex(4096u32), "page size");
        assert_eq!(e.message(), "off -4096 is not a multiple of 0x1000 (page size)");
        let path = std::ffi::CString::new("a".repeat(70)).unwrap();
        let e = crate::err!(libc::ENOENT, "{} does not exist", Quoted(&path));
        assert_eq!(e.message(), format!("\"{}\"... does not exist", "a".repeat(64)));
    }

    #[test]
    fn last_error_round_trips_and_clears() {
        record(crate::call!("pipe", fds = Arg::Ptr(0)), libc::EFAULT, &Reason::from("fds is NULL"));
        assert_eq!(last_error(), "pipe(fds=NULL): EFAULT: fds is NULL");
        clear_last_error();
        assert_eq!(last_error(), "");
        // SAFETY: last_error_ptr always returns a valid NUL-terminated string.
        assert_eq!(unsafe { std::ffi::CStr::from_ptr(last_error_ptr()) }.to_bytes(), b"");
    }

    #[test]
    fn a_long_message_is_cut_not_overflowed() {
        fn long(_: &Reason, out: &mut dyn fmt::Write) -> fmt::Result {
            for _ in 0..1000 {
                out.write_str("abc")?;
            }
            Ok(())
        }
        record(crate::call!("demo"), libc::EINVAL, &Reason::compose(long));
        let msg = last_error();
        assert_eq!(msg.len(), TEXT_LEN - 1);
        assert!(msg.starts_with("demo(): EINVAL: abcabc") && msg.ends_with("..."), "{msg}");
    }
}
