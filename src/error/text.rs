//! Composing the text: templates filled with their values, the message
//! `call(args): ENAME: reason`, and the fixed buffer it is written into.

use super::*;

/// Fills `{}` in `t` with `args` in order.
pub(super) fn write_template(t: &str, args: &[Arg], inline: &InlineStr, out: &mut dyn fmt::Write) -> fmt::Result {
    let mut rest = t;
    let mut args = args.iter();
    while let Some(at) = rest.find("{}") {
        out.write_str(&rest[..at])?;
        match args.next() {
            Some(a) => a.write(inline, out)?,
            None => out.write_str("{}")?,
        }
        rest = &rest[at + 2..];
    }
    out.write_str(rest)
}

/// A writer into a fixed buffer that cuts what does not fit (ending the
/// text in `...`) and replaces NUL bytes, so the C string is never cut short.
pub(super) struct FixedWriter<'a> {
    pub(super) buf: &'a mut [u8],
    pub(super) len: usize,
    pub(super) full: bool,
}

impl fmt::Write for FixedWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // One byte stays for the terminator.
        let room = self.buf.len() - 1 - self.len;
        let bytes = s.as_bytes();
        let n = if bytes.len() > room {
            self.full = true;
            room
        } else {
            bytes.len()
        };
        for (dst, &b) in self.buf[self.len..self.len + n].iter_mut().zip(bytes) {
            *dst = if b == 0 { b'?' } else { b };
        }
        self.len += n;
        if self.full {
            Err(fmt::Error)
        } else {
            Ok(())
        }
    }
}

/// Writes `call(args): ENAME: reason`.
pub(super) fn write_message(
    call: &Call,
    errno: i32,
    reason: &Reason,
    inline: &InlineStr,
    out: &mut dyn fmt::Write,
) -> fmt::Result {
    call.write(out)?;
    out.write_str(": ")?;
    out.write_str(errno_name(errno))?;
    out.write_str(": ")?;
    reason.write_in(inline, out)
}
