/* Faults of POSIX message queues: a sender killed at a random count and
 * while blocked on a full queue, a receiver killed at a random count and
 * while blocked on an empty queue (the cases: support/faults_queue.c, the
 * harness: support/faults.h). The victim calls rsipc and confirms each
 * completed call in shared memory; survivors alternate between rsipc and
 * glibc. No confirmed message is lost or duplicated, order is kept, and at
 * most the one call in flight is undecided.
 *
 * Signals: a SIGUSR1 handler installed without and with SA_RESTART
 * interrupts a process blocked in mq_receive (empty queue) and mq_send
 * (full queue), once through rsipc and once through glibc's own call; both
 * must end the same way (the same return value and errno). */
#include <fcntl.h>
#include <mqueue.h>
#include <sys/syscall.h>

#include "faults.h"

/* The queue of the case running now: its name, and this process's
 * descriptor (a child opens its own). */
static char mq_name[96];
static mqd_t mqd = (mqd_t)-1;

/* A queue holding `depth` messages. */
static int mq_create(int depth) {
    unique_name(mq_name, sizeof mq_name, "mq");
    struct mq_attr attr = {.mq_maxmsg = depth, .mq_msgsize = sizeof(struct qmsg)};
    mqd = rsipc_mq_open(mq_name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
    if (mqd == (mqd_t)-1) return -1;
    track(OBJ_MQ_NAME, mqd, mq_name);
    return 0;
}

/* In a child: the queue is opened again with the child's library. */
static int mq_child_open(int rsipc) {
    mqd_t own = rsipc ? rsipc_mq_open(mq_name, O_RDWR) : mq_open(mq_name, O_RDWR);
    if (own == (mqd_t)-1) return -1;
    mqd = own;
    return 0;
}

static int mq_send_one(const struct qmsg *m, int rsipc) {
    const char *bytes = (const char *)m;
    return rsipc ? rsipc_mq_send(mqd, bytes, sizeof *m, 0) : mq_send(mqd, bytes, sizeof *m, 0);
}

static ssize_t mq_receive_one(struct qmsg *m, int rsipc) {
    char *bytes = (char *)m;
    return rsipc ? rsipc_mq_receive(mqd, bytes, sizeof *m, NULL) : mq_receive(mqd, bytes, sizeof *m, NULL);
}

static long mq_count(void) {
    struct mq_attr a;
    return rsipc_mq_getattr(mqd, &a) == 0 ? a.mq_curmsgs : -1;
}

static const struct fault_queue mq_queue = {
    "POSIX queue", "mq_send", "mq_receive", SYS_mq_timedsend, SYS_mq_timedreceive,
    mq_create, mq_child_open, mq_send_one, mq_receive_one, mq_count,
};

int main(void) {
    int rounds = faults_begin("test_faults_mq");
    for (int r = 0; r < rounds; r++) {
        queue_kill_cases(&mq_queue, r);
        cleanup_all();
    }
    queue_eintr_cases(&mq_queue);
    return faults_end("test_faults_mq");
}
