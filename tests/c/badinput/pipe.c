/* Bad-input rows for the pipe API (format: see badinput.h).
 *
 * The general functions (rsipc_version, rsipc_last_error,
 * rsipc_clear_error) take no arguments and cannot fail: they have no rows.
 * A FIFO is a pipe for rsipc_pipe_capacity (F_GETPIPE_SZ works on both, as
 * API.md says), so "FIFO given to pipe_capacity" is not bad input; the
 * harness's self-test uses it as a call that must be reported as a success. */
#include <fcntl.h>
#include <stdlib.h>

#include "badinput.h"

static char byte[1];

/* ---- pipe, pipe2 -------------------------------------------------------- */
BAD(RET_INT, "pipe", "fds NULL", EFAULT, rsipc_pipe(NULL))
BAD_IN(fx_one_free_fd, RET_INT, "pipe", "one free descriptor, two needed", EMFILE, rsipc_pipe(ctx->fd))

BAD(RET_INT, "pipe2", "fds NULL", EFAULT, rsipc_pipe2(NULL, 0))
BAD(RET_INT, "pipe2", "fds NULL, valid flags", EFAULT, rsipc_pipe2(NULL, O_CLOEXEC | O_NONBLOCK))
BAD(RET_INT, "pipe2", "fds NULL and bad flags: flags checked first, as the kernel does", EINVAL, rsipc_pipe2(NULL, O_APPEND))
BAD(RET_INT, "pipe2", "flags O_APPEND", EINVAL, rsipc_pipe2(ctx->fd, O_APPEND))
BAD(RET_INT, "pipe2", "flags O_RDWR", EINVAL, rsipc_pipe2(ctx->fd, O_RDWR))
BAD(RET_INT, "pipe2", "flags O_CREAT with valid O_CLOEXEC", EINVAL, rsipc_pipe2(ctx->fd, O_CREAT | O_CLOEXEC))
BAD(RET_INT, "pipe2", "flags sign bit (INT_MIN)", EINVAL, rsipc_pipe2(ctx->fd, INT_MIN))
BAD(RET_INT, "pipe2", "flags every bit (-1)", EINVAL, rsipc_pipe2(ctx->fd, -1))
BAD_DEPARTS("the kernel's O_NOTIFICATION_PIPE (ENOPKG without CONFIG_WATCH_QUEUE, a notification pipe with it); rsipc does not offer it",
            RET_INT, "pipe2", "flags O_EXCL (the kernel's O_NOTIFICATION_PIPE, not offered)", EINVAL,
    rsipc_pipe2(ctx->fd, O_EXCL))
BAD_IN(fx_one_free_fd, RET_INT, "pipe2", "one free descriptor, two needed", EMFILE, rsipc_pipe2(ctx->fd, O_CLOEXEC))

/* ---- pipe_capacity: every descriptor that is not a pipe ------------------ */
BAD(RET_INT, "pipe_capacity", "fd -1", EBADF, rsipc_pipe_capacity(-1))
BAD(RET_INT, "pipe_capacity", "fd INT_MIN", EBADF, rsipc_pipe_capacity(INT_MIN))
BAD(RET_INT, "pipe_capacity", "fd INT_MAX", EBADF, rsipc_pipe_capacity(INT_MAX))
BAD_IN(fx_closed_fd, RET_INT, "pipe_capacity", "closed fd", EBADF, rsipc_pipe_capacity(ctx->fd[0]))
BAD_IN(fx_regular_file, RET_INT, "pipe_capacity", "regular file", EBADF, rsipc_pipe_capacity(ctx->fd[0]))
BAD_IN(fx_directory, RET_INT, "pipe_capacity", "directory", EBADF, rsipc_pipe_capacity(ctx->fd[0]))
BAD_IN(fx_dev_null, RET_INT, "pipe_capacity", "character device", EBADF, rsipc_pipe_capacity(ctx->fd[0]))
BAD_IN(fx_socket, RET_INT, "pipe_capacity", "socket", EBADF, rsipc_pipe_capacity(ctx->fd[0]))
BAD_IN(fx_fifo_path, RET_INT, "pipe_capacity", "O_PATH descriptor of a FIFO", EBADF, rsipc_pipe_capacity(ctx->fd[0]))

/* ---- pipe_set_capacity -------------------------------------------------- */
BAD_IN(fx_pipe, RET_INT, "pipe_set_capacity", "bytes 0", EINVAL, rsipc_pipe_set_capacity(ctx->fd[1], 0))
BAD_IN(fx_pipe, RET_INT, "pipe_set_capacity", "bytes -1", EINVAL, rsipc_pipe_set_capacity(ctx->fd[1], -1))
BAD_IN(fx_pipe, RET_INT, "pipe_set_capacity", "bytes INT_MIN", EINVAL, rsipc_pipe_set_capacity(ctx->fd[1], INT_MIN))
BAD(RET_INT, "pipe_set_capacity", "fd -1", EBADF, rsipc_pipe_set_capacity(-1, 4096))
BAD(RET_INT, "pipe_set_capacity", "fd INT_MAX", EBADF, rsipc_pipe_set_capacity(INT_MAX, 4096))
BAD_IN(fx_closed_fd, RET_INT, "pipe_set_capacity", "closed fd", EBADF, rsipc_pipe_set_capacity(ctx->fd[0], 4096))
BAD_IN(fx_regular_file, RET_INT, "pipe_set_capacity", "regular file", EBADF, rsipc_pipe_set_capacity(ctx->fd[0], 4096))
BAD_IN(fx_socket, RET_INT, "pipe_set_capacity", "socket", EBADF, rsipc_pipe_set_capacity(ctx->fd[0], 4096))
BAD_IN(fx_fifo_path, RET_INT, "pipe_set_capacity", "O_PATH descriptor of a FIFO", EBADF,
       rsipc_pipe_set_capacity(ctx->fd[0], 4096))
BAD_IN(fx_pipe_8k_queued, RET_INT, "pipe_set_capacity", "smaller than the 8 KiB queued", EBUSY,
       rsipc_pipe_set_capacity(ctx->fd[1], 4096))

/* Above /proc/sys/fs/pipe-max-size without CAP_SYS_RESOURCE: EPERM. */
static int setup_unprivileged_pipe(struct bi_ctx *ctx) {
    FILE *f = fopen("/proc/sys/fs/pipe-max-size", "re");
    long max = 0;
    if (!f) return -1;
    int ok = fscanf(f, "%ld", &max) == 1;
    fclose(f);
    if (!ok) return -1;
    if (max > INT_MAX / 2) return BI_SKIP;  /* no size above it fits the int argument */
    ctx->len = (size_t)max * 2;
    if (bi_setup_unprivileged(ctx) != 0) return -1;
    return bi_setup_pipe(ctx);
}
BI_FIXTURE(fx_unprivileged_pipe, setup_unprivileged_pipe, NULL);
BAD_IN(fx_unprivileged_pipe, RET_INT, "pipe_set_capacity", "twice pipe-max-size, unprivileged", EPERM,
       rsipc_pipe_set_capacity(ctx->fd[1], (int)ctx->len))

/* ---- set_nonblocking ---------------------------------------------------- */
BAD_IN(fx_pipe, RET_INT, "set_nonblocking", "on 2", EINVAL, rsipc_set_nonblocking(ctx->fd[0], 2))
BAD_IN(fx_pipe, RET_INT, "set_nonblocking", "on -1", EINVAL, rsipc_set_nonblocking(ctx->fd[0], -1))
BAD_IN(fx_pipe, RET_INT, "set_nonblocking", "on INT_MAX", EINVAL, rsipc_set_nonblocking(ctx->fd[0], INT_MAX))
BAD_IN(fx_pipe, RET_INT, "set_nonblocking", "on INT_MIN", EINVAL, rsipc_set_nonblocking(ctx->fd[0], INT_MIN))
BAD(RET_INT, "set_nonblocking", "fd -1", EBADF, rsipc_set_nonblocking(-1, 1))
BAD(RET_INT, "set_nonblocking", "fd INT_MAX", EBADF, rsipc_set_nonblocking(INT_MAX, 0))
BAD_IN(fx_closed_fd, RET_INT, "set_nonblocking", "closed fd", EBADF, rsipc_set_nonblocking(ctx->fd[0], 1))
BAD_IN(fx_fifo_path, RET_INT, "set_nonblocking", "O_PATH descriptor (F_SETFL refused)", EBADF,
       rsipc_set_nonblocking(ctx->fd[0], 1))

/* ---- write_all ---------------------------------------------------------- */
BAD(RET_SSIZE, "write_all", "fd -1", EBADF, rsipc_write_all(-1, byte, 1))
BAD(RET_SSIZE, "write_all", "fd INT_MAX", EBADF, rsipc_write_all(INT_MAX, byte, 1))
BAD_IN(fx_closed_fd, RET_SSIZE, "write_all", "closed fd", EBADF, rsipc_write_all(ctx->fd[0], byte, 1))
BAD_IN(fx_pipe, RET_SSIZE, "write_all", "read end of a pipe", EBADF, rsipc_write_all(ctx->fd[0], byte, 1))
BAD_IN(fx_directory, RET_SSIZE, "write_all", "directory", EBADF, rsipc_write_all(ctx->fd[0], byte, 1))
BAD_IN(fx_fifo_path, RET_SSIZE, "write_all", "O_PATH descriptor of a FIFO", EBADF, rsipc_write_all(ctx->fd[0], byte, 1))
BAD_IN(fx_pipe, RET_SSIZE, "write_all", "buf NULL, len 1", EFAULT, rsipc_write_all(ctx->fd[1], NULL, 1))
BAD_IN(fx_pipe, RET_SSIZE, "write_all", "len SSIZE_MAX + 1", EINVAL,
       rsipc_write_all(ctx->fd[1], byte, (size_t)SSIZE_MAX + 1))
BAD_IN(fx_pipe, RET_SSIZE, "write_all", "len SIZE_MAX", EINVAL, rsipc_write_all(ctx->fd[1], byte, SIZE_MAX))
BAD_IN(fx_pipe_no_reader, RET_SSIZE, "write_all", "no reader left (SIGPIPE ignored)", EPIPE,
       rsipc_write_all(ctx->fd[1], byte, 1))
BAD_IN(fx_pipe_full, RET_SSIZE, "write_all", "full non-blocking pipe", EAGAIN, rsipc_write_all(ctx->fd[1], byte, 1))

/* ---- read_exact --------------------------------------------------------- */
BAD(RET_SSIZE, "read_exact", "fd -1", EBADF, rsipc_read_exact(-1, byte, 1))
BAD(RET_SSIZE, "read_exact", "fd INT_MAX", EBADF, rsipc_read_exact(INT_MAX, byte, 1))
BAD_IN(fx_closed_fd, RET_SSIZE, "read_exact", "closed fd", EBADF, rsipc_read_exact(ctx->fd[0], byte, 1))
BAD_IN(fx_pipe, RET_SSIZE, "read_exact", "write end of a pipe", EBADF, rsipc_read_exact(ctx->fd[1], byte, 1))
BAD_IN(fx_directory, RET_SSIZE, "read_exact", "directory", EISDIR, rsipc_read_exact(ctx->fd[0], byte, 1))
BAD_IN(fx_fifo_path, RET_SSIZE, "read_exact", "O_PATH descriptor of a FIFO", EBADF, rsipc_read_exact(ctx->fd[0], byte, 1))
BAD_IN(fx_pipe, RET_SSIZE, "read_exact", "buf NULL, len 1", EFAULT, rsipc_read_exact(ctx->fd[0], NULL, 1))
BAD_IN(fx_pipe, RET_SSIZE, "read_exact", "len SSIZE_MAX + 1", EINVAL,
       rsipc_read_exact(ctx->fd[0], byte, (size_t)SSIZE_MAX + 1))
BAD_IN(fx_pipe, RET_SSIZE, "read_exact", "len SIZE_MAX", EINVAL, rsipc_read_exact(ctx->fd[0], byte, SIZE_MAX))
BAD_IN(fx_pipe_nonblock, RET_SSIZE, "read_exact", "empty non-blocking pipe", EAGAIN, rsipc_read_exact(ctx->fd[0], byte, 1))
