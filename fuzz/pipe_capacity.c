/* rsipc_pipe_capacity / rsipc_pipe_set_capacity: any descriptor kind, any
 * size, on pipes holding some data.
 * Input: [fd kind u8 (+u32)][bytes: edge selector u8 (+u32)][queued u16],
 * repeated.
 * Holds: capacity of a pipe end = F_GETPIPE_SZ, of anything else
 * -1/EBADF; set_capacity with bytes <= 0 -> -1/EINVAL; on a non-pipe
 * -1/EBADF; on a pipe either the new capacity (>= bytes, a power-of-two
 * number of pages, what F_GETPIPE_SZ then says) or -1 with EBUSY (more
 * queued than fits), EPERM (above pipe-max-size without CAP_SYS_RESOURCE,
 * or over the per-user pipe limits) or ENOMEM (kernel allocation), the
 * capacity unchanged. */
#include "fuzz.h"

static unsigned char junk[65536];

static void fuzz_one(struct fuzz_in *in) {
    struct fuzz_fds f;
    fuzz_fds_init(&f);
    long page = sysconf(_SC_PAGESIZE);
    while (in->n > 0) {
        enum fuzz_fd_kind kind;
        int fd = fuzz_fd(in, &f, &kind);
        int bytes = take_edgy_int(in);
        uint16_t queue = take_u16(in);
        if (fuzz_fd_is_pipe(kind) && queue) {
            /* Non-blocking: as much as fits. */
            ssize_t w = write(f.fd[FD_PIPE_WRITE], junk, queue);
            (void)w;
        }
        errno = 0;
        int cap = rsipc_pipe_capacity(fd);
        if (fuzz_fd_is_pipe(kind)) {
            FUZZ_ASSERT(cap > 0 && cap == fcntl(fd, F_GETPIPE_SZ), "capacity %d", cap);
        } else {
            fuzz_expect_failure("pipe_capacity", cap, -1, EBADF);
        }

        errno = 0;
        int r = rsipc_pipe_set_capacity(fd, bytes);
        if (bytes <= 0) {
            fuzz_expect_failure("pipe_set_capacity", r, -1, EINVAL);
        } else if (!fuzz_fd_is_pipe(kind)) {
            fuzz_expect_failure("pipe_set_capacity", r, -1, EBADF);
        } else if (r == -1) {
            fuzz_expect_failure("pipe_set_capacity", r, -1, EBUSY, EPERM, ENOMEM);
            FUZZ_ASSERT(fcntl(fd, F_GETPIPE_SZ) == cap, "capacity changed by a failed resize");
        } else {
            FUZZ_ASSERT(r >= bytes && r % page == 0 && ((r / page) & (r / page - 1)) == 0,
                        "set_capacity(%d) returned %d", bytes, r);
            FUZZ_ASSERT(fcntl(fd, F_GETPIPE_SZ) == r, "F_GETPIPE_SZ disagrees with %d", r);
        }
    }
    fuzz_fds_close(&f);
}
