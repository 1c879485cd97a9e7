/* Stress through one pipe: 4 senders (2 through rsipc_write_all, 2 through
 * glibc write) and 2 receivers (rsipc_read_exact, glibc read) move PIPE_BUF
 * records, which the kernel writes atomically, so records never interleave
 * and each read takes exactly one. The driver (stress.h) checks that each
 * record arrives once, in per-sender order, intact. 20000 records by
 * default; RSIPC_STRESS_FULL=1 for a million. */
#include <fcntl.h>
#include <limits.h>

#include "check.h"
#include "stress.h"

struct pipe_state {
    int fd[2];
};

static int pipe_open(void *state) {
    struct pipe_state *p = state;
    return rsipc_pipe2(p->fd, O_CLOEXEC);
}

/* Each side closes the end it does not use, so a dead side is seen (EOF for
 * the readers, EPIPE for the writers) instead of a hang. */
static int pipe_sender_init(void *state, int id) {
    (void)id;
    return close(((struct pipe_state *)state)->fd[0]);
}

static int pipe_receiver_init(void *state, int id) {
    (void)id;
    return close(((struct pipe_state *)state)->fd[1]);
}

static int pipe_send(void *state, const void *rec, int rsipc) {
    int fd = ((struct pipe_state *)state)->fd[1];
    ssize_t n = rsipc ? rsipc_write_all(fd, rec, PIPE_BUF) : write(fd, rec, PIPE_BUF);
    if (n == PIPE_BUF) return 0;
    if (n >= 0) errno = EIO; /* a PIPE_BUF write is all or nothing */
    return -1;
}

static int pipe_recv(void *state, void *rec, int rsipc) {
    int fd = ((struct pipe_state *)state)->fd[0];
    errno = 0;
    ssize_t n = rsipc ? rsipc_read_exact(fd, rec, PIPE_BUF) : read(fd, rec, PIPE_BUF);
    if (n == PIPE_BUF) return 1;
    if (n == 0 && errno == 0) return 0; /* every writer is gone */
    if (n >= 0) errno = EIO;            /* a torn record */
    return -1;
}

/* The parent's copies: closing the write end lets the readers see EOF once
 * the senders are gone. */
static int pipe_finish(void *state, int receivers) {
    (void)receivers;
    struct pipe_state *p = state;
    int rc = close(p->fd[1]);
    p->fd[1] = -1;
    return rc;
}

static void pipe_close(void *state) {
    struct pipe_state *p = state;
    for (int i = 0; i < 2; i++)
        if (p->fd[i] >= 0) close(p->fd[i]);
}

static const struct stress_transport pipe_transport = {
    "pipe", PIPE_BUF, pipe_open, pipe_sender_init, pipe_receiver_init, pipe_send, pipe_recv, pipe_finish, pipe_close,
};

int main(void) {
    struct pipe_state state = {{-1, -1}};
    CHECK(stress_selftest(&pipe_transport, &state) == 0);
    state = (struct pipe_state){{-1, -1}};
    struct stress_config cfg = {.senders = 4, .receivers = 2, .records = stress_records(20000)};
    CHECK(stress_run(&pipe_transport, &state, &cfg) == 0);
    return check_summary("test_stress_pipe");
}
