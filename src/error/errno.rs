//! errno names and descriptions.

/// A generic description of `errno`, as `strerror` gives it (the
/// "C" locale's words, which never change at run time).
pub fn describe(errno: i32) -> &'static str {
    ERRNO_TABLE.iter().find(|(n, _, _)| *n == errno).map(|(_, _, text)| *text).unwrap_or("unknown error")
}

/// The symbolic name of `errno` (`"EEXIST"`), or `"E?"` for an unknown one.
pub fn errno_name(errno: i32) -> &'static str {
    ERRNO_TABLE.iter().find(|(n, _, _)| *n == errno).map(|(_, name, _)| *name).unwrap_or("E?")
}

/// Linux errno values rsipc can report, with their names and the C library's
/// descriptions. (Aliases such as EWOULDBLOCK/EAGAIN share a number; the
/// first name listed wins.)
pub(super) const ERRNO_TABLE: &[(i32, &str, &str)] = &[
    (libc::EPERM, "EPERM", "operation not permitted"),
    (libc::ENOENT, "ENOENT", "no such file or directory"),
    (libc::ESRCH, "ESRCH", "no such process"),
    (libc::EINTR, "EINTR", "interrupted by a signal"),
    (libc::EIO, "EIO", "input/output error"),
    (libc::ENXIO, "ENXIO", "no such device or address"),
    (libc::E2BIG, "E2BIG", "argument list too long"),
    (libc::EBADF, "EBADF", "bad file descriptor"),
    (libc::ECHILD, "ECHILD", "no child processes"),
    (libc::EAGAIN, "EAGAIN", "resource temporarily unavailable"),
    (libc::ENOMEM, "ENOMEM", "cannot allocate memory"),
    (libc::EACCES, "EACCES", "permission denied"),
    (libc::EFAULT, "EFAULT", "bad address"),
    (libc::EBUSY, "EBUSY", "device or resource busy"),
    (libc::EEXIST, "EEXIST", "file exists"),
    (libc::EXDEV, "EXDEV", "invalid cross-device link"),
    (libc::ENODEV, "ENODEV", "no such device"),
    (libc::ENOTDIR, "ENOTDIR", "not a directory"),
    (libc::EISDIR, "EISDIR", "is a directory"),
    (libc::EINVAL, "EINVAL", "invalid argument"),
    (libc::ENFILE, "ENFILE", "too many open files in system"),
    (libc::EMFILE, "EMFILE", "too many open files"),
    (libc::ENOTTY, "ENOTTY", "inappropriate ioctl for device"),
    (libc::ETXTBSY, "ETXTBSY", "text file busy"),
    (libc::EFBIG, "EFBIG", "file too large"),
    (libc::ENOSPC, "ENOSPC", "no space left on device"),
    (libc::ESPIPE, "ESPIPE", "illegal seek"),
    (libc::EROFS, "EROFS", "read-only file system"),
    (libc::EMLINK, "EMLINK", "too many links"),
    (libc::EPIPE, "EPIPE", "broken pipe"),
    (libc::EDOM, "EDOM", "numerical argument out of domain"),
    (libc::ERANGE, "ERANGE", "numerical result out of range"),
    (libc::EDEADLK, "EDEADLK", "resource deadlock avoided"),
    (libc::ENAMETOOLONG, "ENAMETOOLONG", "file name too long"),
    (libc::ENOLCK, "ENOLCK", "no locks available"),
    (libc::ENOSYS, "ENOSYS", "function not implemented"),
    (libc::ENOTEMPTY, "ENOTEMPTY", "directory not empty"),
    (libc::ELOOP, "ELOOP", "too many levels of symbolic links"),
    (libc::ENOMSG, "ENOMSG", "no message of desired type"),
    (libc::EIDRM, "EIDRM", "identifier removed"),
    (libc::ENODATA, "ENODATA", "no data available"),
    (libc::ETIME, "ETIME", "timer expired"),
    (libc::EOVERFLOW, "EOVERFLOW", "value too large for defined data type"),
    (libc::EBADFD, "EBADFD", "file descriptor in bad state"),
    (libc::EILSEQ, "EILSEQ", "invalid or incomplete multibyte or wide character"),
    (libc::EMSGSIZE, "EMSGSIZE", "message too long"),
    (libc::ENOTSUP, "ENOTSUP", "operation not supported"),
    (libc::EADDRINUSE, "EADDRINUSE", "address already in use"),
    (libc::ETIMEDOUT, "ETIMEDOUT", "connection timed out"),
    (libc::EALREADY, "EALREADY", "operation already in progress"),
    (libc::EINPROGRESS, "EINPROGRESS", "operation now in progress"),
    (libc::ESTALE, "ESTALE", "stale file handle"),
    (libc::EDQUOT, "EDQUOT", "disk quota exceeded"),
    (libc::ECANCELED, "ECANCELED", "operation canceled"),
    (libc::EOWNERDEAD, "EOWNERDEAD", "owner died"),
    (libc::ENOTRECOVERABLE, "ENOTRECOVERABLE", "state not recoverable"),
];
