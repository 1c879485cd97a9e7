/* FIFO server: listens on the well-known FIFO argv[1] (creating it unless
 * it exists already), prints every message clients send through it, and
 * stops when the last client has closed it.
 *
 * Port of the notes' server: messages are fixed-size records (a read never
 * splits or merges them), the server waits for its first client with poll(2)
 * for at most 10 s instead of forever, and it removes the FIFO at the end. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rsipc.h"

#define RECORD 32 /* bytes per message, as the client sends them */

int main(int argc, char *argv[]) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FIFO\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];

    if (rsipc_mkfifo(path, 0666) == -1 && errno != EEXIST) {
        fprintf(stderr, "server: %s\n", rsipc_last_error());
        return 1;
    }
    int fd = rsipc_fifo_open(path, O_RDONLY, 0);
    if (fd == -1) {
        fprintf(stderr, "server: %s\n", rsipc_last_error());
        return 1;
    }
    printf("server: waiting for clients\n");
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 10000) != 1) {
        fprintf(stderr, "server: no client within 10 s\n");
        return 1;
    }

    int count = 0;
    for (;;) {
        char msg[RECORD];
        ssize_t n = rsipc_read_exact(fd, msg, sizeof msg);
        if (n == 0) break; /* every client has closed the FIFO */
        if (n != RECORD) {
            fprintf(stderr, "server: short message (%zd bytes): %s\n", n, rsipc_last_error());
            return 1;
        }
        msg[RECORD - 1] = '\0';
        printf("server: message %d: %s\n", ++count, msg);
    }
    printf("server: the clients closed the FIFO; %d messages\n", count);
    if (close(fd) == -1 || unlink(path) == -1) {
        perror("server: cleanup");
        return 1;
    }
    return 0;
}
