/* System V message queues: ping-pong latency and message rate, glibc
 * msgget/msgsnd/msgrcv/msgctl against rsipc_msg*. Each repetition makes a
 * private queue (IPC_PRIVATE, outside the timed region) through the variant
 * it measures and removes it with IPC_RMID at the end.
 *
 * The ping-pong runs over one queue, as a System V server and client do:
 * the parent sends type 1 and waits for type 2, the child answers each type
 * 1 with a type 2 of the same size. The rate rows send a->count messages
 * from the parent to the child, which drains them as they come (the queue
 * holds msg_qbytes = 16 KiB of text, so the sender often waits for room),
 * timed from the first send to the child's acknowledgement of the last. */
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include "rsipc.h"
#include "harness.h"

typedef struct {
    int (*get)(key_t key, int flags);
    int (*snd)(int id, const void *msg, size_t size, int flags);
    ssize_t (*rcv)(int id, void *msg, size_t size, long type, int flags);
    int (*ctl)(int id, int cmd, struct msqid_ds *buf);
} msg_api;

static const msg_api glibc_api = {msgget, msgsnd, msgrcv, msgctl};
static const msg_api rsipc_api = {rsipc_msgget, rsipc_msgsnd, rsipc_msgrcv, rsipc_msgctl};

/* The largest text a row sends. */
#define MAX_TEXT (4 * KiB)

typedef struct {
    long mtype;
    char text[MAX_TEXT];
} message;

typedef struct {
    const msg_api *api;
    int id;
    int ack[2]; /* child -> parent: ready / done bytes (rate rows) */
    size_t size, rounds;
} job;

static void make_queue(job *j) {
    if ((j->id = j->api->get(IPC_PRIVATE, IPC_CREAT | 0600)) < 0) bench_die("msgget(IPC_PRIVATE)");
}

static void remove_queue(job *j, int handle) {
    if (j->api->ctl(j->id, IPC_RMID, NULL) != 0) bench_die("msgctl(%d, IPC_RMID)", j->id);
    bench_forget(handle);
}

/* ---- ping-pong --------------------------------------------------------------- */

static size_t warmup_rounds(size_t rounds) { return rounds / 10 ? rounds / 10 : 1; }

static int pingpong_child(void *arg) {
    job *j = arg;
    message m;
    size_t total = warmup_rounds(j->rounds) + j->rounds;
    for (size_t i = 0; i < total; i++) {
        if (j->api->rcv(j->id, &m, j->size, 1, 0) != (ssize_t)j->size)
            return bench_child_fail("ping-pong msgrcv %zu of %zu", i, total);
        m.mtype = 2;
        if (j->api->snd(j->id, &m, j->size, 0) != 0) return bench_child_fail("ping-pong msgsnd %zu of %zu", i, total);
    }
    return 0;
}

static void pingpong_rounds(job *j, message *m, size_t n) {
    for (size_t i = 0; i < n; i++) {
        m->mtype = 1;
        if (j->api->snd(j->id, m, j->size, 0) != 0) bench_die("ping-pong msgsnd");
        if (j->api->rcv(j->id, m, j->size, 2, 0) != (ssize_t)j->size) bench_die("ping-pong msgrcv");
    }
}

static double pingpong(const msg_api *api, const bench_args *a) {
    job j = {api, -1, {-1, -1}, a->size, a->count};
    message m;
    memset(&m, 'x', sizeof m);
    make_queue(&j);
    int handle = bench_remember(BENCH_SYSV_MSG, j.id, NULL);
    pid_t pid = bench_spawn(pingpong_child, &j);

    pingpong_rounds(&j, &m, warmup_rounds(j.rounds));
    uint64_t t0 = bench_now_ns();
    pingpong_rounds(&j, &m, j.rounds);
    uint64_t t1 = bench_now_ns();

    bench_reap(pid);
    remove_queue(&j, handle);
    return bench_ns_per(t0, t1, 2 * j.rounds);
}

/* ---- message rate ------------------------------------------------------------- */

static int rate_child(void *arg) {
    job *j = arg;
    message m;
    close(j->ack[0]);
    if (bench_send_byte_child(j->ack[1]) != 0) return bench_child_fail("ready byte");
    for (size_t i = 0; i < j->rounds; i++)
        if (j->api->rcv(j->id, &m, j->size, 0, 0) != (ssize_t)j->size)
            return bench_child_fail("msgrcv %zu of %zu", i, j->rounds);
    if (bench_send_byte_child(j->ack[1]) != 0) return bench_child_fail("done byte");
    return 0;
}

static double rate(const msg_api *api, const bench_args *a) {
    job j = {api, -1, {-1, -1}, a->size, a->count};
    message m;
    memset(&m, 'x', sizeof m);
    m.mtype = 1;
    if (pipe(j.ack) != 0) bench_die("pipe");
    make_queue(&j);
    int handle = bench_remember(BENCH_SYSV_MSG, j.id, NULL);
    pid_t pid = bench_spawn(rate_child, &j);
    close(j.ack[1]);

    bench_recv_byte(j.ack[0]);
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < j.rounds; i++)
        if (api->snd(j.id, &m, j.size, 0) != 0) bench_die("msgsnd %zu of %zu", i, j.rounds);
    bench_recv_byte(j.ack[0]);
    uint64_t t1 = bench_now_ns();

    bench_reap(pid);
    close(j.ack[0]);
    remove_queue(&j, handle);
    return bench_per_s(t0, t1, j.rounds);
}

/* ---- one process ---------------------------------------------------------------- */

/* The boundary's share of a kernel-bound call: send one message and receive
 * it back in the same process, so no call ever sleeps and the ratio shows
 * rsipc's own instructions against the bare system calls. */
static double same_process(const msg_api *api, const bench_args *a) {
    job j = {api, -1, {-1, -1}, a->size, a->count};
    message m;
    memset(&m, 'x', sizeof m);
    make_queue(&j);
    int handle = bench_remember(BENCH_SYSV_MSG, j.id, NULL);
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < j.rounds; i++) {
        m.mtype = 1;
        if (api->snd(j.id, &m, j.size, 0) != 0) bench_die("msgsnd");
        if (api->rcv(j.id, &m, j.size, 0, 0) != (ssize_t)j.size) bench_die("msgrcv");
    }
    uint64_t t1 = bench_now_ns();
    remove_queue(&j, handle);
    return bench_ns_per(t0, t1, j.rounds);
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

BENCH_GROUP(msg, rows);
