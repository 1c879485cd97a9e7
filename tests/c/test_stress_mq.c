/* Stress through one POSIX message queue: 4 senders (2 through
 * rsipc_mq_send/rsipc_mq_timedsend, 2 through glibc's) and 3 receivers
 * (rsipc_mq_receive/rsipc_mq_timedreceive and glibc's) move records through
 * the driver in stress.h, which checks that each arrives exactly once, in
 * per-sender order, intact.
 *
 * Each process opens the queue itself with its own library's mq_open. Each
 * sender sends at its own priority (1 + sender % 4): the queue hands out
 * the highest priority first but keeps one priority's messages in order, so
 * one sender's records still come out in the order sent; the end records
 * have priority 0, below every record. The queue holds 10 messages, so
 * senders and receivers both block. Every fourth call is the timed variant
 * with a far deadline. 100000 records by default; RSIPC_STRESS_FULL=1 for a
 * million. */
#include <fcntl.h>
#include <mqueue.h>
#include <time.h>

#include "check.h"
#include "stress.h"

#define RECORD 128
#define QUEUE_DEPTH 10

struct mq_state {
    char name[64];
    mqd_t mqd; /* this process's descriptor */
};

/* Messages taken per library, for the summary: [0] glibc, [1] rsipc. */
static long *taken;

static struct timespec far_deadline(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += 600;
    return t;
}

static int mq_stress_open(void *state) {
    struct mq_state *q = state;
    snprintf(q->name, sizeof q->name, "/rsipc-stress-mq-%d", (int)getpid());
    struct mq_attr attr = {.mq_maxmsg = QUEUE_DEPTH, .mq_msgsize = RECORD};
    q->mqd = rsipc_mq_open(q->name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
    if (q->mqd == (mqd_t)-1) {
        q->name[0] = '\0';
        return -1;
    }
    return 0;
}

/* Each child opens the queue with its own library (closing the inherited
 * descriptor), for the direction it uses. */
static int mq_child_init(struct mq_state *q, int id, int oflag) {
    int rsipc = id % 2 == 0;
    if (rsipc_mq_close(q->mqd) != 0) return -1;
    q->mqd = rsipc ? rsipc_mq_open(q->name, oflag) : mq_open(q->name, oflag);
    return q->mqd == (mqd_t)-1 ? -1 : 0;
}

static int mq_sender_init(void *state, int id) { return mq_child_init(state, id, O_WRONLY); }
static int mq_receiver_init(void *state, int id) { return mq_child_init(state, id, O_RDONLY); }

static int mq_stress_send(void *state, const void *rec, int rsipc) {
    static unsigned calls;
    struct mq_state *q = state;
    struct stress_header h;
    memcpy(&h, rec, sizeof h);
    unsigned prio = h.flags & STRESS_FLAG_END ? 0 : 1 + h.sender % 4;
    if (calls++ % 4 == 3) {
        struct timespec t = far_deadline();
        return rsipc ? rsipc_mq_timedsend(q->mqd, rec, RECORD, prio, &t) : mq_timedsend(q->mqd, rec, RECORD, prio, &t);
    }
    return rsipc ? rsipc_mq_send(q->mqd, rec, RECORD, prio) : mq_send(q->mqd, rec, RECORD, prio);
}

static int mq_stress_recv(void *state, void *rec, int rsipc) {
    static unsigned calls;
    struct mq_state *q = state;
    unsigned prio = 99;
    ssize_t n;
    if (calls++ % 4 == 3) {
        struct timespec t = far_deadline();
        n = rsipc ? rsipc_mq_timedreceive(q->mqd, rec, RECORD, &prio, &t)
                  : mq_timedreceive(q->mqd, rec, RECORD, &prio, &t);
    } else {
        n = rsipc ? rsipc_mq_receive(q->mqd, rec, RECORD, &prio) : mq_receive(q->mqd, rec, RECORD, &prio);
    }
    if (n == -1) return -1;
    if (n != RECORD) {
        errno = EIO;
        return -1;
    }
    struct stress_header h;
    memcpy(&h, rec, sizeof h);
    /* a record at another sender's priority was misdelivered */
    if (prio != (h.flags & STRESS_FLAG_END ? 0 : 1 + h.sender % 4)) {
        errno = EBADMSG;
        return -1;
    }
    __atomic_fetch_add(&taken[rsipc], 1, __ATOMIC_RELAXED);
    return 1;
}

static void mq_stress_close(void *state) {
    struct mq_state *q = state;
    if (q->mqd != (mqd_t)-1 && rsipc_mq_close(q->mqd) != 0) fprintf(stderr, "mq_close: %s\n", rsipc_last_error());
    if (q->name[0] && rsipc_mq_unlink(q->name) != 0) fprintf(stderr, "mq_unlink: %s\n", rsipc_last_error());
    q->mqd = (mqd_t)-1;
    q->name[0] = '\0';
}

static const struct stress_transport mq_transport = {
    "POSIX message queue", RECORD, mq_stress_open, mq_sender_init, mq_receiver_init, mq_stress_send, mq_stress_recv,
    NULL, mq_stress_close,
};

int main(void) {
    taken = rsipc_map_anonymous_shared(2 * sizeof(long));
    if (taken == MAP_FAILED) return 1;
    struct mq_state state = {"", (mqd_t)-1};
    CHECK(stress_selftest(&mq_transport, &state) == 0);
    taken[0] = taken[1] = 0;
    struct stress_config cfg = {.senders = 4, .receivers = 3, .records = stress_records(100000)};
    CHECK(stress_run(&mq_transport, &state, &cfg) == 0);
    CHECK(taken[0] + taken[1] == cfg.records + cfg.receivers);
    printf("stress POSIX message queue: messages taken %ld by rsipc, %ld by glibc (%ld with the end records)\n",
           taken[1], taken[0], taken[0] + taken[1]);
    rsipc_munmap(taken, 2 * sizeof(long));
    return check_summary("test_stress_mq");
}
