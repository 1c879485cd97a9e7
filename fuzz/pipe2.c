/* rsipc_pipe / rsipc_pipe2: fds NULL or not, any flags.
 * Input: [selector u8][flags u32 little-endian].
 * Holds: a flag outside O_CLOEXEC|O_NONBLOCK|O_DIRECT -> -1/EINVAL with fds
 * untouched (checked first, as the kernel does, so also with NULL fds);
 * else NULL fds -> -1/EFAULT; otherwise two new descriptors forming a
 * working pipe, with exactly the requested flags. */
#include "fuzz.h"

#define VALID_FLAGS (O_CLOEXEC | O_NONBLOCK | O_DIRECT)

static void fuzz_one(struct fuzz_in *in) {
    uint8_t sel = take_u8(in);
    int flags = take_int(in);
    int use_pipe = sel & 1, null_fds = sel & 2;
    if (use_pipe) flags = 0;
    const char *name = use_pipe ? "pipe" : "pipe2";
    int fds[2] = {-7, -7};
    errno = 0;
    int r = use_pipe ? rsipc_pipe(null_fds ? NULL : fds) : rsipc_pipe2(null_fds ? NULL : fds, flags);
    if (flags & ~VALID_FLAGS) {
        fuzz_expect_failure(name, r, -1, EINVAL);
        FUZZ_ASSERT(fds[0] == -7 && fds[1] == -7, "fds written on failure");
        return;
    }
    if (null_fds) {
        fuzz_expect_failure(name, r, -1, EFAULT);
        return;
    }
    FUZZ_ASSERT(r == 0, "%s(flags=%#x) failed", name, (unsigned)flags);
    FUZZ_ASSERT(fds[0] > 2 && fds[1] > 2 && fds[0] != fds[1], "fds %d %d", fds[0], fds[1]);
    for (int i = 0; i < 2; i++) {
        int fd_flags = fcntl(fds[i], F_GETFD), fl = fcntl(fds[i], F_GETFL);
        FUZZ_ASSERT(!!(fd_flags & FD_CLOEXEC) == !!(flags & O_CLOEXEC), "FD_CLOEXEC of fds[%d]", i);
        FUZZ_ASSERT(!!(fl & O_NONBLOCK) == !!(flags & O_NONBLOCK), "O_NONBLOCK of fds[%d]", i);
    }
    /* Packet mode is a property of the write end (the read end's flags
     * never show O_DIRECT). */
    FUZZ_ASSERT(!!(fcntl(fds[1], F_GETFL) & O_DIRECT) == !!(flags & O_DIRECT), "O_DIRECT of the write end");
    char c = 0;
    FUZZ_ASSERT(write(fds[1], "x", 1) == 1 && read(fds[0], &c, 1) == 1 && c == 'x', "not a working pipe");
    close(fds[0]);
    close(fds[1]);
}
