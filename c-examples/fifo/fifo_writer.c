/* Named-pipe writer: sends its argv[1] through the FIFO argv[2].
 *
 * Port of the notes' writer: it creates the FIFO if it does not exist yet
 * (the reader does the same, so either may start first), waits for a reader
 * at most 10 s instead of forever, writes the message and closes, which
 * gives the reader its end of file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rsipc.h"

int main(int argc, char *argv[]) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s MESSAGE FIFO\n", argv[0]);
        return 2;
    }
    const char *message = argv[1], *path = argv[2];

    if (rsipc_mkfifo(path, 0666) == -1 && errno != EEXIST) {
        fprintf(stderr, "writer: %s\n", rsipc_last_error());
        return 1;
    }
    int fd = rsipc_fifo_open(path, O_WRONLY, 10000);
    if (fd == -1) {
        fprintf(stderr, "writer: %s\n", rsipc_last_error());
        return 1;
    }
    size_t len = strlen(message);
    if (rsipc_write_all(fd, message, len) != (ssize_t)len) {
        fprintf(stderr, "writer: %s\n", rsipc_last_error());
        return 1;
    }
    printf("writer: sent %zu bytes: %s\n", len, message);
    if (close(fd) == -1) {
        perror("writer: close");
        return 1;
    }
    printf("writer: closed its end\n");
    return 0;
}
