/* POSIX message queues: ping-pong latency and message rate, glibc
 * mq_open/mq_send/mq_receive/mq_close/mq_unlink against rsipc_mq_*.
 *
 * Each repetition creates its queues through the variant it measures
 * (capacity 10 messages, the default /proc/sys/fs/mqueue/msg_max for an
 * unprivileged user, of the row's size), unlinks their names at once (the
 * open descriptors keep them; nothing is left behind even if the benchmark
 * dies) and forks the child, which inherits the descriptors. Setup is
 * outside the timed region. The ping-pong uses two queues (parent -> child
 * "down", child -> parent "up"); the rate rows send a->count messages down,
 * timed from the first send to the child's acknowledgement of the last. */
#include <fcntl.h>
#include <mqueue.h>
#include <string.h>
#include <unistd.h>

#include "rsipc.h"
#include "harness.h"

typedef struct {
    mqd_t (*open)(const char *name, int oflag, ...);
    int (*send)(mqd_t q, const char *msg, size_t len, unsigned prio);
    ssize_t (*receive)(mqd_t q, char *msg, size_t len, unsigned *prio);
    int (*close)(mqd_t q);
    int (*unlink)(const char *name);
} mq_api;

static const mq_api glibc_api = {mq_open, mq_send, mq_receive, mq_close, mq_unlink};
static const mq_api rsipc_api = {rsipc_mq_open, rsipc_mq_send, rsipc_mq_receive, rsipc_mq_close, rsipc_mq_unlink};

#define CAPACITY 10
#define MAX_SIZE (4 * KiB)

typedef struct {
    const mq_api *api;
    mqd_t down, up;
    int ack[2]; /* child -> parent: ready / done bytes (rate rows) */
    size_t size, rounds;
} job;

/* A fresh queue of `size`-byte messages, its name already removed. */
static mqd_t make_queue(const mq_api *api, const char *what, size_t size) {
    char name[96];
    bench_ipc_name(name, sizeof name, what);
    struct mq_attr attr = {.mq_maxmsg = CAPACITY, .mq_msgsize = (long)size};
    mqd_t q = api->open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    if (q == (mqd_t)-1) bench_die("mq_open(%s)", name);
    if (api->unlink(name) != 0) bench_die("mq_unlink(%s)", name);
    return q;
}

static void close_queues(job *j) {
    if (j->api->close(j->down) != 0 || (j->up != (mqd_t)-1 && j->api->close(j->up) != 0)) bench_die("mq_close");
}

/* ---- ping-pong --------------------------------------------------------------- */

static size_t warmup_rounds(size_t rounds) { return rounds / 10 ? rounds / 10 : 1; }

static int pingpong_child(void *arg) {
    job *j = arg;
    char buf[MAX_SIZE];
    size_t total = warmup_rounds(j->rounds) + j->rounds;
    for (size_t i = 0; i < total; i++) {
        if (j->api->receive(j->down, buf, j->size, NULL) != (ssize_t)j->size)
            return bench_child_fail("ping-pong mq_receive %zu of %zu", i, total);
        if (j->api->send(j->up, buf, j->size, 0) != 0) return bench_child_fail("ping-pong mq_send %zu of %zu", i, total);
    }
    return 0;
}

static void pingpong_rounds(job *j, char *buf, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (j->api->send(j->down, buf, j->size, 0) != 0) bench_die("ping-pong mq_send");
        if (j->api->receive(j->up, buf, j->size, NULL) != (ssize_t)j->size) bench_die("ping-pong mq_receive");
    }
}

static double pingpong(const mq_api *api, const bench_args *a) {
    job j = {api, -1, -1, {-1, -1}, a->size, a->count};
    char buf[MAX_SIZE];
    memset(buf, 'x', sizeof buf);
    j.down = make_queue(api, "mq-down", j.size);
    j.up = make_queue(api, "mq-up", j.size);
    pid_t pid = bench_spawn(pingpong_child, &j);

    pingpong_rounds(&j, buf, warmup_rounds(j.rounds));
    uint64_t t0 = bench_now_ns();
    pingpong_rounds(&j, buf, j.rounds);
    uint64_t t1 = bench_now_ns();

    bench_reap(pid);
    close_queues(&j);
    return bench_ns_per(t0, t1, 2 * j.rounds);
}

/* ---- message rate ------------------------------------------------------------- */

static int rate_child(void *arg) {
    job *j = arg;
    char buf[MAX_SIZE];
    close(j->ack[0]);
    if (bench_send_byte_child(j->ack[1]) != 0) return bench_child_fail("ready byte");
    for (size_t i = 0; i < j->rounds; i++)
        if (j->api->receive(j->down, buf, j->size, NULL) != (ssize_t)j->size)
            return bench_child_fail("mq_receive %zu of %zu", i, j->rounds);
    if (bench_send_byte_child(j->ack[1]) != 0) return bench_child_fail("done byte");
    return 0;
}

static double rate(const mq_api *api, const bench_args *a) {
    job j = {api, -1, -1, {-1, -1}, a->size, a->count};
    char buf[MAX_SIZE];
    memset(buf, 'x', sizeof buf);
    if (pipe(j.ack) != 0) bench_die("pipe");
    j.down = make_queue(api, "mq-down", j.size);
    pid_t pid = bench_spawn(rate_child, &j);
    close(j.ack[1]);

    bench_recv_byte(j.ack[0]);
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < j.rounds; i++)
        if (api->send(j.down, buf, j.size, 0) != 0) bench_die("mq_send %zu of %zu", i, j.rounds);
    bench_recv_byte(j.ack[0]);
    uint64_t t1 = bench_now_ns();

    bench_reap(pid);
    close(j.ack[0]);
    close_queues(&j);
    return bench_per_s(t0, t1, j.rounds);
}

/* ---- one process ---------------------------------------------------------------- */

/* The boundary's share of a kernel-bound call: send one message and receive
 * it back in the same process, so no call ever sleeps and the ratio shows
 * rsipc's own instructions against the bare system calls. */
static double same_process(const mq_api *api, const bench_args *a) {
    char buf[MAX_SIZE];
    memset(buf, 'x', sizeof buf);
    mqd_t q = make_queue(api, "mq-self", a->size);
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < a->count; i++) {
        if (api->send(q, buf, a->size, 0) != 0) bench_die("mq_send");
        if (api->receive(q, buf, a->size, NULL) != (ssize_t)a->size) bench_die("mq_receive");
    }
    uint64_t t1 = bench_now_ns();
    if (api->close(q) != 0) bench_die("mq_close");
    return bench_ns_per(t0, t1, a->count);
}

static double glibc_pingpong(const bench_args *a) { return pingpong(&glibc_api, a); }
static double rsipc_pingpong(const bench_args *a) { return pingpong(&rsipc_api, a); }
static double glibc_rate(const bench_args *a) { return rate(&glibc_api, a); }
static double rsipc_rate(const bench_args *a) { return rate(&rsipc_api, a); }
static double glibc_same_process(const bench_args *a) { return same_process(&glibc_api, a); }
static double rsipc_same_process(const bench_args *a) { return same_process(&rsipc_api, a); }

static const bench_row rows[] = {
    /* name, unit, glibc, rsipc, size, quick count, full count */
    {"one-way latency, 64 B message ping-pong", BENCH_NS, glibc_pingpong, rsipc_pingpong, 64, 400, 500},
    {"send + receive 64 B, one process (no wake-up)", BENCH_NS, glibc_same_process, rsipc_same_process, 64, 10000,
     20000},
    {"message rate, 64 B messages", BENCH_MSGS, glibc_rate, rsipc_rate, 64, 10000, 20000},
    {"message rate, 4 KiB messages", BENCH_MSGS, glibc_rate, rsipc_rate, 4 * KiB, 3000, 5000},
};

BENCH_GROUP(mq, rows);
