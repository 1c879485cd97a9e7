//! The call a failure happened in, as plain data: [`Call`] and the C string
//! argument [`Name`].

use super::*;

/// The call a failure happened in, as plain data: its name and arguments
/// (raw values; one string argument copied inline). The boundary's
/// description closures fill it only when the call fails.
pub struct Call {
    name: &'static str,
    len: u8,
    args: [MaybeUninit<(&'static str, Arg)>; CALL_ARGS],
    inline: InlineStr,
}

impl Call {
    pub(super) const EMPTY: Call =
        Call { name: "", len: 0, args: [MaybeUninit::uninit(); CALL_ARGS], inline: InlineStr::EMPTY };

    /// Starts the description of call `name`.
    #[inline(always)]
    pub fn begin(&mut self, name: &'static str) {
        self.name = name;
        self.len = 0;
    }

    /// Adds argument `name` with its value.
    #[inline(always)]
    pub fn arg(&mut self, name: &'static str, value: impl IntoArg) {
        let arg = match value.text() {
            Some((bytes, quoted)) => {
                self.inline.set(bytes);
                if quoted {
                    Arg::Quoted
                } else {
                    Arg::Inline
                }
            }
            None => value.into_arg(),
        };
        if (self.len as usize) < CALL_ARGS {
            self.args[self.len as usize] = MaybeUninit::new((name, arg));
            self.len += 1;
        }
    }

    pub(super) fn args(&self) -> &[(&'static str, Arg)] {
        // SAFETY: the first `len` arguments were written by `arg`.
        unsafe { std::slice::from_raw_parts(self.args.as_ptr() as *const (&'static str, Arg), self.len as usize) }
    }

    pub(super) fn write(&self, out: &mut dyn fmt::Write) -> fmt::Result {
        out.write_str(if self.name.is_empty() { "rsipc" } else { self.name })?;
        if self.name.is_empty() {
            return Ok(());
        }
        out.write_char('(')?;
        for (i, (name, value)) in self.args().iter().enumerate() {
            if i > 0 {
                out.write_str(", ")?;
            }
            out.write_str(name)?;
            out.write_char('=')?;
            value.write(&self.inline, out)?;
        }
        out.write_char(')')
    }
}

/// A C string argument (a name or a path), or `NULL`: copied into the
/// record when the call fails, shown quoted (at most 64 characters). Made
/// only by the C shims, from the pointer their caller promised is NULL or
/// a NUL-terminated string.
#[derive(Clone, Copy)]
pub struct Name(pub(crate) *const libc::c_char);

impl IntoArg for Name {
    #[inline(always)]
    fn into_arg(self) -> Arg {
        Arg::Text("NULL")
    }
    fn text(&self) -> Option<(&[u8], bool)> {
        if self.0.is_null() {
            return None;
        }
        // SAFETY: the caller of the rsipc function promised a NUL-terminated
        // string (the only way to make a Name).
        Some((unsafe { CStr::from_ptr(self.0) }.to_bytes(), true))
    }
}
