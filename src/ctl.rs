//! What the System V control calls (`shmctl`, `msgctl`, `semctl`) share: a command
//! set looked up by C value, checked as the kernel checks it, and shown by
//! name in messages; the explanations the control of one object (a queue,
//! a segment) shares; and, for their C shims, the caller's buffer each
//! command reads or fills, named when it is NULL (the pointer handling
//! itself is `ffi::store_query` and `ffi::read_buffer`).

use std::fmt;
use std::marker::PhantomData;

use libc::c_int;

use crate::error::{later, Error, Reason, Result};

/// The command set of one `*ctl` call. Implementors give the table; the
/// lookups, the check and the names come from here.
pub trait CtlCommand: Copy + PartialEq + 'static {
    /// Every command with its C value and C name, in the order the error
    /// message lists them.
    const TABLE: &'static [(Self, c_int, &'static str)];
    /// The call's name (`shmctl`) and its id argument's name (`shmid`).
    const CALL: &'static str;
    const ID: &'static str;

    /// Whether the command takes an index into the kernel's table
    /// (`*_STAT`, `*_STAT_ANY`) instead of an id.
    fn takes_index(self) -> bool;

    /// The command's C value.
    fn raw(self) -> c_int {
        Self::TABLE.iter().find(|(c, _, _)| *c == self).map(|&(_, raw, _)| raw).expect("every command is in TABLE")
    }

    /// The command's C name.
    fn name(self) -> &'static str {
        Self::TABLE.iter().find(|(c, _, _)| *c == self).map(|&(_, _, name)| name).expect("every command is in TABLE")
    }

    /// The command of C value `cmd`, if rsipc knows it.
    fn from_raw(cmd: c_int) -> Option<Self> {
        Self::TABLE.iter().find(|&&(_, raw, _)| raw == cmd).map(|&(c, _, _)| c)
    }

    /// The command of `cmd` for `id` (or index), checked as the kernel checks
    /// every call first: an unknown command or a negative id is `EINVAL`.
    fn check(id: c_int, cmd: c_int) -> Result<Self> {
        let command = Self::from_raw(cmd).ok_or_else(|| Error::new(libc::EINVAL, unknown_command::<Self>(cmd)))?;
        if id < 0 {
            let what = if command.takes_index() { "index" } else { Self::ID };
            return Err(Error::new(libc::EINVAL, reason!("{} {} is negative", what, id)));
        }
        Ok(command)
    }
}

/// "unknown command 99: shmctl takes IPC_STAT, ... and SHM_UNLOCK", the list
/// written from the command table when the message is read.
#[cold]
fn unknown_command<C: CtlCommand>(cmd: c_int) -> Reason {
    fn compose<C: CtlCommand>(r: &Reason, out: &mut dyn fmt::Write) -> fmt::Result {
        write!(out, "unknown command {}: {} takes ", r.int(0), C::CALL)?;
        let (last, rest) = C::TABLE.split_last().expect("TABLE is not empty");
        for (i, (_, _, name)) in rest.iter().enumerate() {
            if i > 0 {
                out.write_str(", ")?;
            }
            out.write_str(name)?;
        }
        write!(out, " and {}", last.2)
    }
    Reason::compose(compose::<C>).with(cmd)
}

/// The command set of a call that controls one object by id (`msgctl`
/// controls a queue, `shmctl` a segment): what messages call the object,
/// how its struct is read, and the mechanism's own explanations. The
/// reading commands every such call has are written once, below.
pub trait CtlObject: CtlCommand {
    /// The struct `IPC_STAT` fills (`msqid_ds`).
    type Ds;
    /// The object as messages name it: `queue`, `segment`.
    const NOUN: &'static str;
    /// The name of [`Self::Ds`]: `msqid_ds`.
    const DS: &'static str;
    /// `IPC_STAT`, and the call's `*_STAT` and `*_STAT_ANY`.
    const STAT: Self;
    const STAT_INDEX: Self;
    const STAT_ANY: Self;

    /// The raw call for a command that fills [`Self::Ds`]: its return value
    /// and the struct.
    fn stat_raw(id: c_int, cmd: c_int) -> Result<(c_int, Self::Ds)>;

    /// "There is no object `id`", as the mechanism says it.
    fn no_such(id: c_int) -> Reason;

    /// The failure `e` of `command` on `id`, explained: [`explain`] and the
    /// mechanism's own errors.
    fn explain(e: Error, id: c_int, command: Self) -> Error;
}

/// `IPC_STAT`: the object's struct.
pub fn stat<C: CtlObject>(id: c_int) -> Result<C::Ds> {
    C::stat_raw(id, libc::IPC_STAT).map(|(_, ds)| ds).map_err(|e| C::explain(e, id, C::STAT))
}

/// `*_STAT` (`any == false`) or `*_STAT_ANY`: the id and struct of the
/// object at `index` of the kernel's table.
pub fn stat_index<C: CtlObject>(index: c_int, any: bool) -> Result<(c_int, C::Ds)> {
    let command = if any { C::STAT_ANY } else { C::STAT_INDEX };
    C::stat_raw(index, command.raw()).map_err(|e| C::explain(e, index, command))
}

/// Whether an object with id `id` exists (a permission error means it
/// does).
pub fn exists<C: CtlObject>(id: c_int) -> bool {
    match C::stat_raw(id, libc::IPC_STAT) {
        Ok(_) => true,
        Err(e) => !matches!(e.errno(), libc::EINVAL | libc::EIDRM),
    }
}

/// Explains the failure `e` of `command` on object (or index) `id` where
/// every object says the same — no object at an index, the `EINVAL` of
/// `IPC_SET`, a removed object, no permission, an id that does not fit —
/// and hands any other error to `own`, the mechanism's explanations.
#[cold]
pub fn explain<C: CtlObject>(e: Error, id: c_int, command: C, own: impl FnOnce(Error) -> Error) -> Error {
    match e.errno() {
        libc::EINVAL if command.takes_index() => e.because(reason!(
            "no {} is at index {} of the kernel's table (IPC_INFO returns the highest used index)",
            C::NOUN,
            id
        )),
        libc::EINVAL if command.raw() == libc::IPC_SET => e.because(Reason::compose(compose_set_einval::<C>).with(id)),
        libc::EIDRM => e.because(reason!("{} {} was removed", C::NOUN, id)),
        libc::EACCES => e.because(reason!("the {}'s permissions deny this process read access", C::NOUN)),
        libc::EOVERFLOW => e.because(reason!("a uid or gid of the {} does not fit struct {}", C::NOUN, C::DS)),
        _ => own(e),
    }
}

/// Why `IPC_SET` said `EINVAL`: no object `id`, or a uid or gid the user
/// namespace cannot map (which, asked when the message is read).
fn compose_set_einval<C: CtlObject>(r: &Reason, out: &mut dyn fmt::Write) -> fmt::Result {
    let id = r.int(0) as c_int;
    if exists::<C>(id) {
        out.write_str("the uid or gid in buf is not valid in this user namespace")?;
    } else {
        C::no_such(id).write(out)?;
    }
    out.write_str(later::WHEN)
}

/// The C caller's buffer a command reads or fills, as messages name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Buffer {
    /// The argument that points to it (`buf`; semctl's `arg.buf`).
    pub arg: &'static str,
    /// Whether the command reads it (`IPC_SET`) rather than fills it.
    pub reads: bool,
    /// The struct it holds (`shmid_ds`).
    pub holds: &'static str,
}

impl Buffer {
    /// A buffer the command fills.
    pub const fn fills(arg: &'static str, holds: &'static str) -> Buffer {
        Buffer { arg, reads: false, holds }
    }

    /// A buffer the command reads.
    pub const fn reads(arg: &'static str, holds: &'static str) -> Buffer {
        Buffer { arg, reads: true, holds }
    }
}

/// The buffers of a command set: the C shims' knowledge (the safe API
/// takes and returns the structs themselves), so it is implemented beside
/// them, in the mechanism's `ffi.rs`.
pub trait CtlBuffer: CtlCommand {
    /// The buffer the command reads or fills; `None` if it takes none.
    fn buffer(self) -> Option<Buffer>;
}

/// `EFAULT` for a NULL buffer that `command` needs: "`buf` is NULL, and
/// IPC_STAT stores a struct shmid_ds there" (composed when read).
#[cold]
pub fn null_buffer<C: CtlBuffer>(command: C) -> Error {
    fn compose<C: CtlBuffer>(r: &Reason, out: &mut dyn fmt::Write) -> fmt::Result {
        let command = C::from_raw(r.int(0) as c_int);
        match command.and_then(|c| c.buffer().map(|b| (c, b))) {
            Some((c, b)) => {
                let verb = if b.reads { "reads" } else { "stores" };
                write!(out, "`{}` is NULL, and {} {} a struct {} there", b.arg, c.name(), verb, b.holds)
            }
            None => out.write_str("`buf` is NULL"),
        }
    }
    Error::new(libc::EFAULT, Reason::compose(compose::<C>).with(command.raw()))
}

/// Shows a `cmd` argument by name, or its number when unknown.
pub struct CmdName<C>(pub c_int, pub PhantomData<C>);

impl<C: CtlCommand> CmdName<C> {
    pub fn new(cmd: c_int) -> Self {
        CmdName(cmd, PhantomData)
    }
}

impl<C: CtlCommand> crate::error::Shown for CmdName<C> {
    fn pack(&self) -> [i64; 3] {
        [self.0 as i64, 0, 0]
    }
    fn unpack(v: &[i64; 3]) -> Self {
        CmdName::new(v[0] as c_int)
    }
}

impl<C: CtlCommand> fmt::Display for CmdName<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match C::from_raw(self.0) {
            Some(c) => f.write_str(c.name()),
            None => write!(f, "{}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Demo {
        Stat,
        StatIndex,
    }

    impl CtlCommand for Demo {
        const TABLE: &'static [(Demo, c_int, &'static str)] =
            &[(Demo::Stat, 2, "IPC_STAT"), (Demo::StatIndex, 13, "X_STAT")];
        const CALL: &'static str = "democtl";
        const ID: &'static str = "demoid";
        fn takes_index(self) -> bool {
            self == Demo::StatIndex
        }
    }

    impl CtlObject for Demo {
        type Ds = u8;
        const NOUN: &'static str = "demo";
        const DS: &'static str = "demoid_ds";
        const STAT: Demo = Demo::Stat;
        const STAT_INDEX: Demo = Demo::StatIndex;
        const STAT_ANY: Demo = Demo::StatIndex;
        fn stat_raw(id: c_int, _cmd: c_int) -> Result<(c_int, u8)> {
            if id == 7 {
                Ok((0, 42))
            } else {
                Err(Error::new(libc::EINVAL, ""))
            }
        }
        fn no_such(id: c_int) -> Reason {
            reason!("no demo has id {}", id)
        }
        fn explain(e: Error, id: c_int, command: Demo) -> Error {
            explain(e, id, command, |e| e.because(Demo::no_such(id)))
        }
    }

    #[test]
    fn what_every_object_says_is_said_once_and_the_rest_is_the_mechanisms() {
        let explain = |errno, id, command| explain(Error::new(errno, ""), id, command, |e| e.because("own")).message();
        assert_eq!(
            explain(libc::EINVAL, 3, Demo::StatIndex),
            "no demo is at index 3 of the kernel's table (IPC_INFO returns the highest used index)"
        );
        assert_eq!(explain(libc::EIDRM, 3, Demo::Stat), "demo 3 was removed");
        assert_eq!(explain(libc::EACCES, 3, Demo::Stat), "the demo's permissions deny this process read access");
        assert_eq!(explain(libc::EOVERFLOW, 3, Demo::Stat), "a uid or gid of the demo does not fit struct demoid_ds");
        assert_eq!(explain(libc::EINVAL, 3, Demo::Stat), "own");
        assert_eq!(explain(libc::EPERM, 3, Demo::Stat), "own");
        assert!(exists::<Demo>(7) && !exists::<Demo>(3));
        assert_eq!(stat::<Demo>(7), Ok(42));
        assert_eq!(stat::<Demo>(3).unwrap_err().message(), "no demo has id 3");
        assert_eq!(stat_index::<Demo>(3, false).unwrap_err().message(), explain(libc::EINVAL, 3, Demo::StatIndex));
    }

    impl CtlBuffer for Demo {
        fn buffer(self) -> Option<Buffer> {
            Some(match self {
                Demo::Stat => Buffer::fills("buf", "demoid_ds"),
                Demo::StatIndex => Buffer::reads("arg.buf", "demo_info"),
            })
        }
    }

    #[test]
    fn a_null_buffer_is_efault_naming_the_argument_the_command_and_the_struct() {
        let e = null_buffer(Demo::Stat);
        assert_eq!(e.errno(), libc::EFAULT);
        assert_eq!(e.message(), "`buf` is NULL, and IPC_STAT stores a struct demoid_ds there");
        assert_eq!(
            null_buffer(Demo::StatIndex).message(),
            "`arg.buf` is NULL, and X_STAT reads a struct demo_info there"
        );
    }

    #[test]
    fn unknown_commands_are_einval_listing_the_known_ones() {
        let e = Demo::check(0, 99).unwrap_err();
        assert_eq!(e.errno(), libc::EINVAL);
        assert_eq!(e.message(), "unknown command 99: democtl takes IPC_STAT and X_STAT");
    }

    #[test]
    fn negative_ids_and_indexes_are_einval_named_as_such() {
        assert_eq!(Demo::check(-1, 2).unwrap_err().message(), "demoid -1 is negative");
        assert_eq!(Demo::check(-1, 13).unwrap_err().message(), "index -1 is negative");
        assert_eq!(Demo::check(4, 13).unwrap(), Demo::StatIndex);
    }

    #[test]
    fn names_round_trip() {
        assert_eq!(Demo::StatIndex.raw(), 13);
        assert_eq!(Demo::from_raw(2), Some(Demo::Stat));
        assert_eq!(CmdName::<Demo>::new(13).to_string(), "X_STAT");
        assert_eq!(CmdName::<Demo>::new(7).to_string(), "7");
    }
}
