/* Named-pipe reader: prints what arrives through the FIFO argv[1] until the
 * writer closes its end, then removes the FIFO.
 *
 * The notes' reader opened the FIFO O_RDWR, so it was a writer too and never
 * saw end of file: it looped forever. This port opens it O_RDONLY, waits for
 * the writer with poll(2) (a reader that opened first sees end of file until
 * a writer comes; poll reports neither data nor hang-up before one has), and
 * stops at end of file. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#include "rsipc.h"

int main(int argc, char *argv[]) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FIFO\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];

    if (rsipc_mkfifo(path, 0666) == -1 && errno != EEXIST) {
        fprintf(stderr, "reader: %s\n", rsipc_last_error());
        return 1;
    }
    int fd = rsipc_fifo_open(path, O_RDONLY, 0);
    if (fd == -1) {
        fprintf(stderr, "reader: %s\n", rsipc_last_error());
        return 1;
    }
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int ready = poll(&p, 1, 10000);
    if (ready != 1) {
        fprintf(stderr, "reader: %s\n", ready == 0 ? "no writer within 10 s" : "poll failed");
        return 1;
    }

    char buf[1024];
    size_t total = 0;
    for (;;) {
        ssize_t n = read(fd, buf + total, sizeof buf - 1 - total);
        if (n == -1 && errno == EINTR) continue;
        if (n == -1) {
            perror("reader: read");
            return 1;
        }
        if (n == 0) break; /* every writer has closed */
        total += (size_t)n;
        if (total == sizeof buf - 1) break;
    }
    buf[total] = '\0';
    printf("reader: received %zu bytes: %s\n", total, buf);
    printf("reader: end of file, the writer closed its end\n");
    if (close(fd) == -1 || unlink(path) == -1) {
        perror("reader: cleanup");
        return 1;
    }
    return 0;
}
