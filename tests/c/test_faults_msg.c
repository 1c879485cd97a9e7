/* Faults of System V message queues: a sender killed at a random count and
 * while blocked on a full queue, a receiver killed at a random count and
 * while blocked on an empty queue (the cases: support/faults_queue.c, the
 * harness: support/faults.h). The victim calls rsipc and confirms each
 * completed call in shared memory; survivors alternate between rsipc and
 * glibc. No confirmed message is lost or duplicated, order is kept, and at
 * most the one call in flight is undecided.
 *
 * Signals: a SIGUSR1 handler installed without and with SA_RESTART
 * interrupts a process blocked in msgrcv (empty queue) and msgsnd (full
 * queue), once through rsipc and once through glibc's own call; both must
 * end the same way (the same return value and errno). */
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/syscall.h>

#include "faults.h"

struct sysv_qmsg {
    long mtype;
    struct qmsg body;
};

/* The queue of the case running now. */
static int msqid = -1;

/* A queue holding `depth` messages (msg_qbytes lowered to fit them). */
static int msg_create(int depth) {
    msqid = rsipc_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    if (msqid == -1) return -1;
    track(OBJ_MSG, msqid, NULL);
    struct msqid_ds ds;
    if (rsipc_msgctl(msqid, IPC_STAT, &ds) != 0) return -1;
    ds.msg_qbytes = (msglen_t)depth * sizeof(struct qmsg);
    return rsipc_msgctl(msqid, IPC_SET, &ds);
}

/* The id is the same in every process. */
static int msg_child_open(int rsipc) {
    (void)rsipc;
    return 0;
}

static int msg_send(const struct qmsg *m, int rsipc) {
    struct sysv_qmsg s = {1, *m};
    return rsipc ? rsipc_msgsnd(msqid, &s, sizeof *m, 0) : msgsnd(msqid, &s, sizeof *m, 0);
}

static ssize_t msg_recv(struct qmsg *m, int rsipc) {
    struct sysv_qmsg s;
    ssize_t n = rsipc ? rsipc_msgrcv(msqid, &s, sizeof *m, 0, 0) : msgrcv(msqid, &s, sizeof *m, 0, 0);
    *m = s.body;
    return n;
}

static long msg_count(void) {
    struct msqid_ds ds;
    return rsipc_msgctl(msqid, IPC_STAT, &ds) == 0 ? (long)ds.msg_qnum : -1;
}

static const struct fault_queue msg_queue = {
    "System V queue", "msgsnd", "msgrcv", SYS_msgsnd, SYS_msgrcv,
    msg_create, msg_child_open, msg_send, msg_recv, msg_count,
};

int main(void) {
    int rounds = faults_begin("test_faults_msg");
    for (int r = 0; r < rounds; r++) {
        queue_kill_cases(&msg_queue, r);
        cleanup_all();
    }
    queue_eintr_cases(&msg_queue);
    return faults_end("test_faults_msg");
}
