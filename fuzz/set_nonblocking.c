/* rsipc_set_nonblocking: any descriptor kind, any `on`.
 * Input: [fd kind u8 (+u32 for an impossible number)][on: edge selector u8
 * (+u32)], repeated.
 * Holds: `on` other than 0/1 -> -1/EINVAL, the descriptor untouched; a
 * descriptor that is not open -> -1/EBADF, and so is an O_PATH one whose
 * flag must change (F_SETFL is refused there; when the flag is already as
 * asked, nothing is set and the call succeeds); otherwise 0 and O_NONBLOCK
 * is set exactly when on == 1, the other status flags unchanged. */
#include "fuzz.h"

static void fuzz_one(struct fuzz_in *in) {
    struct fuzz_fds f;
    fuzz_fds_init(&f);
    while (in->n > 0) {
        enum fuzz_fd_kind kind;
        int fd = fuzz_fd(in, &f, &kind);
        int on = take_edgy_int(in);
        int before = fuzz_fd_is_open(kind) ? fcntl(fd, F_GETFL) : -1;
        errno = 0;
        int r = rsipc_set_nonblocking(fd, on);
        if (on != 0 && on != 1) {
            fuzz_expect_failure("set_nonblocking", r, -1, EINVAL);
            if (before != -1) FUZZ_ASSERT(fcntl(fd, F_GETFL) == before, "flags changed on failure");
        } else if (!fuzz_fd_is_open(kind) || (kind == FD_O_PATH && !!(before & O_NONBLOCK) != on)) {
            fuzz_expect_failure("set_nonblocking", r, -1, EBADF);
        } else {
            FUZZ_ASSERT(r == 0, "set_nonblocking(kind %d, %d) failed", (int)kind, on);
            int after = fcntl(fd, F_GETFL);
            FUZZ_ASSERT(!!(after & O_NONBLOCK) == on, "O_NONBLOCK is not %d", on);
            FUZZ_ASSERT((after & ~O_NONBLOCK) == (before & ~O_NONBLOCK), "other flags changed");
        }
    }
    fuzz_fds_close(&f);
}
