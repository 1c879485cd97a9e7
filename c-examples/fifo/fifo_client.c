/* FIFO client: sends "hello world" COUNT times (default 5) to the server's
 * FIFO argv[1].
 *
 * Port of the notes' client: bounded instead of an endless loop, no sleeps
 * between messages, and it waits at most 10 s for the server to be
 * listening. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsipc.h"

#define RECORD 32

int main(int argc, char *argv[]) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s FIFO [COUNT]\n", argv[0]);
        return 2;
    }
    int count = argc == 3 ? atoi(argv[2]) : 5;
    int fd = rsipc_fifo_open(argv[1], O_WRONLY, 10000);
    if (fd == -1) {
        fprintf(stderr, "client: %s\n", rsipc_last_error());
        return 1;
    }
    char msg[RECORD] = {0};
    strcpy(msg, "hello world");
    for (int i = 0; i < count; i++) {
        if (rsipc_write_all(fd, msg, sizeof msg) != (ssize_t)sizeof msg) {
            fprintf(stderr, "client: %s\n", rsipc_last_error());
            return 1;
        }
    }
    printf("client: sent \"%s\" %d times\n", msg, count);
    if (close(fd) == -1) {
        perror("client: close");
        return 1;
    }
    return 0;
}
