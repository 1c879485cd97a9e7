/* The error-message path: any sequence of rsipc calls, failing and
 * succeeding, with rsipc_clear_error() and calls from other threads mixed in.
 * Input: operations, each [op u8][arguments...].
 * Holds after each call: a failure leaves errno set and the message
 * "name(args): ENAME: why" for that call; a success leaves the previous
 * message byte for byte (and the pointer still readable);
 * rsipc_clear_error() leaves ""; a failure in another thread changes only
 * that thread's message, and that thread's message is freed when it exits
 * (LeakSanitizer watches). */
#include <pthread.h>

#include "fuzz.h"

#define MAX_OPS 48

static char expected[4096];

static void remember(void) {
    snprintf(expected, sizeof expected, "%s", rsipc_last_error());
}

static void expect_unchanged(const char *after) {
    FUZZ_ASSERT(strcmp(rsipc_last_error(), expected) == 0, "message changed by %s: \"%s\" -> \"%s\"", after, expected,
                rsipc_last_error());
}

struct thread_call {
    int fd;
    int ok;
};

static void *fail_in_thread(void *arg) {
    struct thread_call *t = arg;
    errno = 0;
    int r = rsipc_pipe_capacity(t->fd);
    const char *msg = rsipc_last_error();
    t->ok = r == -1 && errno == EBADF && strncmp(msg, "pipe_capacity(", 14) == 0;
    return NULL;
}

/* Runs one call with arguments from the input; returns 1 if it failed
 * (message checked), 0 if it succeeded. */
static int one_call(struct fuzz_in *in, struct fuzz_fds *f, uint8_t which) {
    enum fuzz_fd_kind kind;
    int fd = fuzz_fd(in, f, &kind);
    int arg = take_edgy_int(in);
    static unsigned char buf[256];
    const char *name;
    long long r;
    errno = 0;
    switch (which % 7) {
    case 0: {
        int fds[2];
        name = "pipe2";
        r = rsipc_pipe2(take_u8(in) & 1 ? NULL : fds, arg);
        if (r == 0) {
            close(fds[0]);
            close(fds[1]);
        }
        break;
    }
    case 1: name = "pipe_capacity"; r = rsipc_pipe_capacity(fd); break;
    case 2: name = "pipe_set_capacity"; r = rsipc_pipe_set_capacity(fd, arg % (1 << 20)); break;
    case 3:
        name = "set_nonblocking";
        r = rsipc_set_nonblocking(fd, arg);
        /* Keep the fixtures non-blocking: a later read must never wait. */
        if (r == 0 && (fuzz_fd_is_pipe(kind) || kind == FD_SOCKET))
            FUZZ_ASSERT(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0, "F_SETFL");
        break;
    case 4: {
        size_t len = (size_t)(unsigned)arg % (sizeof buf + 1);
        name = "write_all";
        r = rsipc_write_all(fd, take_u8(in) & 1 ? NULL : buf, len);
        if (r >= 0 && (size_t)r == len) return 0;
        if (r >= 0 && len > 0 && r > 0) {
            /* Partial: counts as a failure with errno and message set. */
            FUZZ_ASSERT(errno != 0, "partial write without errno");
            fuzz_check_message(name, errno);
            return 1;
        }
        break;
    }
    case 5: {
        size_t len = (size_t)(unsigned)arg % (sizeof buf + 1);
        name = "read_exact";
        r = rsipc_read_exact(fd, take_u8(in) & 1 ? NULL : buf, len);
        if (r >= 0 && (errno == 0 || (size_t)r == len)) return 0; /* complete, or end of file */
        if (r > 0) {
            fuzz_check_message(name, errno);
            return 1;
        }
        break;
    }
    default: {
        size_t huge = (size_t)SSIZE_MAX + 1 + (size_t)(unsigned)arg;
        name = "write_all";
        r = rsipc_write_all(fd, buf, huge);
        break;
    }
    }
    if (r != -1) return 0;
    FUZZ_ASSERT(errno != 0, "%s failed without errno", name);
    fuzz_check_message(name, errno);
    return 1;
}

static void fuzz_one(struct fuzz_in *in) {
    struct fuzz_fds f;
    fuzz_fds_init(&f);
    remember();
    for (int op = 0; op < MAX_OPS && in->n > 0; op++) {
        uint8_t which = take_u8(in);
        if (which == 0xff) {
            rsipc_clear_error();
            FUZZ_ASSERT(rsipc_last_error()[0] == '\0', "message not cleared");
            remember();
        } else if (which == 0xfe) {
            /* A failure in another thread leaves this thread's message. */
            struct thread_call t = {FUZZ_CLOSED_FD, 0};
            pthread_t th;
            FUZZ_ASSERT(pthread_create(&th, NULL, fail_in_thread, &t) == 0, "pthread_create");
            FUZZ_ASSERT(pthread_join(th, NULL) == 0, "pthread_join");
            FUZZ_ASSERT(t.ok, "the thread's own failure was not reported to it");
            expect_unchanged("another thread's failure");
        } else {
            const char *before = rsipc_last_error();
            if (one_call(in, &f, which)) {
                remember();
            } else {
                /* The old pointer stays readable (ASan would see a free). */
                FUZZ_ASSERT(strcmp(before, expected) == 0, "the previous message pointer changed");
                expect_unchanged("a successful call");
            }
        }
    }
    fuzz_fds_close(&f);
}
