/* How big is a pipe? Fill one byte at a time through a non-blocking write
 * end until the kernel says it would block, and compare with what
 * F_GETPIPE_SZ (rsipc_pipe_capacity) reports. */
#include <fcntl.h>

#include "common.h"

int main(void) {
    int fds[2];
    if (rsipc_pipe(fds) == -1) DIE("pipe");
    /* The notes' version blocks forever once the pipe is full; a
     * non-blocking write end turns "full" into EAGAIN. */
    if (rsipc_set_nonblocking(fds[1], 1) == -1) DIE("set_nonblocking");

    long count = 0;
    for (;;) {
        ssize_t n = rsipc_write_all(fds[1], "a", 1);
        if (n == 1) {
            count++;
            continue;
        }
        if (errno == EAGAIN) break;
        DIE("write_all");
    }
    printf("pipe filled after %ld bytes\n", count);

    int cap = rsipc_pipe_capacity(fds[1]);
    if (cap == -1) DIE("pipe_capacity");
    printf("pipe_capacity reports %d bytes\n", cap);
    printf("%s\n", cap == count ? "they agree" : "they DISAGREE");

    int grown = rsipc_pipe_set_capacity(fds[1], 1 << 20);
    if (grown == -1) DIE("pipe_set_capacity");
    printf("after set_capacity(1 MiB): %d bytes\n", grown);
    close(fds[0]);
    close(fds[1]);
    return cap == count ? 0 : 1;
}
