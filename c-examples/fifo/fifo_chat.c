/* Two-user chat over ONE FIFO, taking turns: User1 writes a line and User2
 * reads it, then User2 writes and User1 reads, until someone says "bye".
 *
 * Port of the notes' chat (fifo_chat FIFO 1 / fifo_chat FIFO 2): the lines
 * come from a script on standard input instead of the keyboard (end of input
 * says "bye"), and the turns are handed over with real synchronisation
 * rather than by luck:
 *   - the writer opens with rsipc_fifo_open, which waits (at most 10 s) for
 *     the reader to be there;
 *   - the reader, which opens at once, waits with poll(2) for the line;
 *   - the writer keeps its end open until the reader has closed its own
 *     (poll reports POLLERR on a write end without readers), so it can never
 *     reopen the FIFO as a reader while its own line is still unread. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsipc.h"

#define TIMEOUT_MS 10000

static int me;

/* An rsipc call failed: its message says why. */
static void fail(const char *what) {
    fprintf(stderr, "User%d: %s: %s\n", me, what, rsipc_last_error());
    exit(1);
}

/* A plain system call failed (or timed out). */
static void fail_sys(const char *what) {
    fprintf(stderr, "User%d: %s: %s\n", me, what, errno ? strerror(errno) : "timed out");
    exit(1);
}

/* Sends one line (with its newline) and waits until the reader is done. */
static void send_line(const char *path, const char *line) {
    int fd = rsipc_fifo_open(path, O_WRONLY, TIMEOUT_MS);
    if (fd == -1) fail("open for writing");
    size_t len = strlen(line);
    if (rsipc_write_all(fd, line, len) != (ssize_t)len) fail("write");
    struct pollfd p = {.fd = fd, .events = 0};
    errno = 0;
    int n = poll(&p, 1, TIMEOUT_MS);
    if (n != 1 || !(p.revents & POLLERR)) fail_sys("waiting for the reader to finish");
    if (close(fd) == -1) fail_sys("close");
}

/* Receives one line (up to its newline) into buf. */
static void receive_line(const char *path, char *buf, size_t size) {
    int fd = rsipc_fifo_open(path, O_RDONLY, 0);
    if (fd == -1) fail("open for reading");
    size_t got = 0;
    while (got == 0 || buf[got - 1] != '\n') {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        errno = 0;
        if (poll(&p, 1, TIMEOUT_MS) != 1) fail_sys("waiting for a line");
        ssize_t n = read(fd, buf + got, size - 1 - got);
        if (n == -1 && errno == EINTR) continue;
        if (n <= 0 || got + (size_t)n == size - 1) fail_sys("read (end of file or line too long)");
        got += (size_t)n;
    }
    buf[got] = '\0';
    if (close(fd) == -1) fail_sys("close");
}

int main(int argc, char *argv[]) {
    if (argc != 3 || (strcmp(argv[2], "1") != 0 && strcmp(argv[2], "2") != 0)) {
        fprintf(stderr, "usage: %s FIFO 1|2 < script\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    me = atoi(argv[2]);
    if (rsipc_mkfifo(path, 0666) == -1 && errno != EEXIST) fail("mkfifo");

    char line[256];
    int my_turn = me == 1; /* User1 speaks first */
    for (;;) {
        if (my_turn) {
            if (!fgets(line, sizeof line, stdin)) strcpy(line, "bye\n");
            if (!strchr(line, '\n')) strcat(line, "\n");
            printf("User%d writes: %s", me, line);
            send_line(path, line);
        } else {
            receive_line(path, line, sizeof line);
            printf("User%d reads:  %s", me, line);
        }
        if (strcmp(line, "bye\n") == 0) break;
        my_turn = !my_turn;
    }
    /* The last reader removes the FIFO; a missing one means the other did. */
    if (!my_turn && unlink(path) == -1 && errno != ENOENT) fail_sys("unlink");
    return 0;
}
