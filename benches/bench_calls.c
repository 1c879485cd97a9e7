/* The cost of rsipc's C boundary itself, on calls that do almost nothing in
 * the kernel: failing calls (rsipc records what failed as plain data; the
 * message behind rsipc_last_error(), and any fact it needs a system call
 * for, is made only when it is read, which these loops never do) and a
 * succeeding one (argument checks, the panic guard, the errno convention).
 * Single process. */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include "rsipc.h"
#include "harness.h"

static int closed_fd(void) {
    int fds[2];
    if (pipe(fds) != 0) bench_die("pipe");
    close(fds[0]);
    close(fds[1]);
    return fds[0];
}

static double glibc_fail(const bench_args *a) {
    int fd = closed_fd();
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < a->count; i++)
        if (fcntl(fd, F_GETPIPE_SZ) != -1 || errno != EBADF) bench_die("fcntl(closed, F_GETPIPE_SZ) did not fail");
    return bench_ns_per(t0, bench_now_ns(), a->count);
}

static double rsipc_fail(const bench_args *a) {
    int fd = closed_fd();
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < a->count; i++)
        if (rsipc_pipe_capacity(fd) != -1 || errno != EBADF) bench_die("rsipc_pipe_capacity(closed) did not fail");
    return bench_ns_per(t0, bench_now_ns(), a->count);
}

static double glibc_ok(const bench_args *a) {
    int fds[2];
    if (pipe(fds) != 0) bench_die("pipe");
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < a->count; i++)
        if (fcntl(fds[0], F_GETPIPE_SZ) <= 0) bench_die("fcntl(F_GETPIPE_SZ)");
    uint64_t t1 = bench_now_ns();
    close(fds[0]);
    close(fds[1]);
    return bench_ns_per(t0, t1, a->count);
}

static double rsipc_ok(const bench_args *a) {
    int fds[2];
    if (pipe(fds) != 0) bench_die("pipe");
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < a->count; i++)
        if (rsipc_pipe_capacity(fds[0]) <= 0) bench_die("rsipc_pipe_capacity");
    uint64_t t1 = bench_now_ns();
    close(fds[0]);
    close(fds[1]);
    return bench_ns_per(t0, t1, a->count);
}

/* A System V key no message queue has now: derived from the pid, the next
 * one tried while a queue has it. */
static key_t missing_key(void) {
    for (key_t key = (key_t)(0x52000000 | ((unsigned)getpid() & 0xffffff));; key++) {
        if (key == IPC_PRIVATE) continue;
        if (msgget(key, 0) == -1 && errno == ENOENT) return key;
    }
}

static double glibc_msgget_missing(const bench_args *a) {
    key_t key = missing_key();
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < a->count; i++)
        if (msgget(key, 0) != -1 || errno != ENOENT) bench_die("msgget(missing key) did not fail with ENOENT");
    return bench_ns_per(t0, bench_now_ns(), a->count);
}

static double rsipc_msgget_missing(const bench_args *a) {
    key_t key = missing_key();
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < a->count; i++)
        if (rsipc_msgget(key, 0) != -1 || errno != ENOENT) bench_die("rsipc_msgget(missing key) did not fail with ENOENT");
    return bench_ns_per(t0, bench_now_ns(), a->count);
}

/* A POSIX queue of 64-byte messages holding one message, its name removed:
 * receiving into a smaller buffer fails with EMSGSIZE and leaves it there. */
static mqd_t queue_with_a_message(mqd_t (*open_fn)(const char *, int, ...), int (*unlink_fn)(const char *),
                                  int (*send_fn)(mqd_t, const char *, size_t, unsigned)) {
    char name[96];
    bench_ipc_name(name, sizeof name, "calls-mq");
    struct mq_attr attr = {.mq_maxmsg = 1, .mq_msgsize = 64};
    mqd_t q = open_fn(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    if (q == (mqd_t)-1) bench_die("mq_open(%s)", name);
    if (unlink_fn(name) != 0) bench_die("mq_unlink(%s)", name);
    if (send_fn(q, "x", 1, 0) != 0) bench_die("mq_send");
    return q;
}

static double glibc_mq_small_buffer(const bench_args *a) {
    mqd_t q = queue_with_a_message(mq_open, mq_unlink, mq_send);
    char buf[8];
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < a->count; i++)
        if (mq_receive(q, buf, sizeof buf, NULL) != -1 || errno != EMSGSIZE) bench_die("mq_receive did not fail with EMSGSIZE");
    uint64_t t1 = bench_now_ns();
    mq_close(q);
    return bench_ns_per(t0, t1, a->count);
}

static double rsipc_mq_small_buffer(const bench_args *a) {
    mqd_t q = queue_with_a_message(rsipc_mq_open, rsipc_mq_unlink, rsipc_mq_send);
    char buf[8];
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < a->count; i++)
        if (rsipc_mq_receive(q, buf, sizeof buf, NULL) != -1 || errno != EMSGSIZE)
            bench_die("rsipc_mq_receive did not fail with EMSGSIZE");
    uint64_t t1 = bench_now_ns();
    rsipc_mq_close(q);
    return bench_ns_per(t0, t1, a->count);
}

static double glibc_mq_closed(const bench_args *a) {
    int fd = closed_fd();
    char buf[64];
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < a->count; i++)
        if (mq_receive(fd, buf, sizeof buf, NULL) != -1 || errno != EBADF) bench_die("mq_receive did not fail with EBADF");
    return bench_ns_per(t0, bench_now_ns(), a->count);
}

static double rsipc_mq_closed(const bench_args *a) {
    int fd = closed_fd();
    char buf[64];
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < a->count; i++)
        if (rsipc_mq_receive(fd, buf, sizeof buf, NULL) != -1 || errno != EBADF)
            bench_die("rsipc_mq_receive did not fail with EBADF");
    return bench_ns_per(t0, bench_now_ns(), a->count);
}

static const bench_row rows[] = {
    /* name, unit, glibc, rsipc, size, quick count, full count */
    {"fcntl(F_GETPIPE_SZ) / rsipc_pipe_capacity, closed fd: fails", BENCH_NS, glibc_fail, rsipc_fail, 0, 20000, 100000},
    {"fcntl(F_GETPIPE_SZ) / rsipc_pipe_capacity, pipe: succeeds", BENCH_NS, glibc_ok, rsipc_ok, 0, 20000, 100000},
    {"msgget of a missing key: fails with ENOENT", BENCH_NS, glibc_msgget_missing, rsipc_msgget_missing, 0, 20000,
     100000},
    {"mq_receive on a closed descriptor: fails with EBADF", BENCH_NS, glibc_mq_closed, rsipc_mq_closed, 0, 20000,
     100000},
    {"mq_receive into a buffer below mq_msgsize: fails with EMSGSIZE", BENCH_NS, glibc_mq_small_buffer,
     rsipc_mq_small_buffer, 0, 20000, 100000},
};

BENCH_GROUP(calls, rows);
