//! The macros that build error records: `reason!`, `err!`, `call!` and
//! `shown_newtype!`. Nothing they build is formatted until the message is read.

/// Implements [`Shown`](crate::error::Shown) for a one-integer tuple struct (`struct
/// CmdName(c_int)`) whose `Display` shows it.
#[macro_export]
macro_rules! shown_newtype {
    ($($t:ident),* $(,)?) => {
        $(impl $crate::error::Shown for $t {
            #[inline(always)]
            fn pack(&self) -> [i64; 3] {
                [self.0 as i64, 0, 0]
            }
            fn unpack(v: &[i64; 3]) -> Self {
                $t(v[0] as _)
            }
        })*
    };
}

/// A [`Reason`](crate::error::Reason) from a static template and its values:
/// `reason!("descriptor {} is not open", fd)`. Each `{}` takes the next
/// value, shown as its type says ([`Hex`](crate::error::Hex), [`Quoted`](crate::error::Quoted),
/// `Ptr`, a flag set, ...); the number of values is checked
/// at compile time. Nothing is formatted until the message is read.
#[macro_export]
macro_rules! reason {
    ($template:literal $(, $value:expr)* $(,)?) => {{
        const _: () = assert!(
            $crate::error::placeholders($template) == <[&str]>::len(&[$(stringify!($value)),*])
                && <[&str]>::len(&[$(stringify!($value)),*]) <= $crate::error::REASON_ARGS,
            "reason!: the number of placeholders does not match the values"
        );
        $crate::error::Reason::template($template)$(.with($value))*
    }};
}

/// An [`Error`](crate::error::Error) from an errno and a [`reason!`](crate::reason):
/// `err!(libc::EINVAL, "off {} is negative", off)`.
#[macro_export]
macro_rules! err {
    ($errno:expr, $($reason:tt)+) => {
        $crate::error::Error::new($errno, $crate::reason!($($reason)+))
    };
}

/// The description of a call for its error record:
/// `call!("pipe2", fds = Ptr(fds), flags = PIPE2_FLAGS.of(flags))` is a
/// closure that, run only when the call fails, stores the name and the raw
/// argument values (nothing is formatted).
#[macro_export]
macro_rules! call {
    ($name:literal $(, $arg:ident = $value:expr)* $(,)?) => {
        move |c: &mut $crate::error::Call| {
            c.begin($name);
            $(c.arg(stringify!($arg), $value);)*
        }
    };
}
