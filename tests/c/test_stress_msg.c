/* Stress through one System V message queue: 4 senders (2 through
 * rsipc_msgsnd, 2 through glibc's msgsnd) and 3 receivers (rsipc_msgrcv and
 * glibc's msgrcv) move records through the driver in stress.h, which checks
 * that each arrives exactly once, in per-sender order, intact.
 *
 * Each sender sends with its own message type (1 + sender % 4), and the
 * receivers alternate between msgtyp 0 (the first message) and msgtyp -5
 * (the lowest type first): either way one sender's messages come out in the
 * order sent. The end records have type 5, so a receiver asking for the
 * lowest type meets one only once every record is gone. The queue holds
 * about a hundred records (msgmnb), so senders and receivers both block.
 * 100000 records by default; RSIPC_STRESS_FULL=1 for a million. */
#include <sys/ipc.h>
#include <sys/msg.h>

#include "check.h"
#include "stress.h"

#define RECORD 128
#define END_TYPE 5

struct msg_state {
    int id;
};

struct record_msg {
    long mtype;
    unsigned char mtext[RECORD];
};

/* Type counts per library, for the summary: [0] glibc, [1] rsipc. */
static long *type_counts;

static int msg_open(void *state) {
    struct msg_state *m = state;
    m->id = rsipc_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    return m->id == -1 ? -1 : 0;
}

static int msg_send(void *state, const void *rec, int rsipc) {
    struct msg_state *m = state;
    struct record_msg msg;
    struct stress_header h;
    memcpy(&h, rec, sizeof h);
    msg.mtype = h.flags & STRESS_FLAG_END ? END_TYPE : 1 + (long)(h.sender % 4);
    memcpy(msg.mtext, rec, RECORD);
    return rsipc ? rsipc_msgsnd(m->id, &msg, RECORD, 0) : msgsnd(m->id, &msg, RECORD, 0);
}

static int msg_recv(void *state, void *rec, int rsipc) {
    static unsigned calls;
    struct msg_state *m = state;
    struct record_msg msg;
    long msgtyp = calls++ % 2 ? 0 : -END_TYPE;
    ssize_t n = rsipc ? rsipc_msgrcv(m->id, &msg, RECORD, msgtyp, 0) : msgrcv(m->id, &msg, RECORD, msgtyp, 0);
    if (n == -1) return -1;
    if (n != RECORD) {
        errno = EIO;
        return -1;
    }
    struct stress_header h;
    memcpy(&h, msg.mtext, sizeof h);
    /* a record under another sender's type is a misdelivery */
    long want = h.flags & STRESS_FLAG_END ? END_TYPE : 1 + (long)(h.sender % 4);
    if (msg.mtype != want) {
        errno = EBADMSG;
        return -1;
    }
    __atomic_fetch_add(&type_counts[rsipc], 1, __ATOMIC_RELAXED);
    memcpy(rec, msg.mtext, RECORD);
    return 1;
}

static void msg_close(void *state) {
    struct msg_state *m = state;
    if (m->id != -1 && rsipc_msgctl(m->id, IPC_RMID, NULL) != 0)
        fprintf(stderr, "msgctl(IPC_RMID): %s\n", rsipc_last_error());
    m->id = -1;
}

static const struct stress_transport msg_transport = {
    "System V message queue", RECORD, msg_open, NULL, NULL, msg_send, msg_recv, NULL, msg_close,
};

int main(void) {
    type_counts = rsipc_map_anonymous_shared(2 * sizeof(long));
    if (type_counts == MAP_FAILED) return 1;
    struct msg_state state = {-1};
    CHECK(stress_selftest(&msg_transport, &state) == 0);
    type_counts[0] = type_counts[1] = 0;
    struct stress_config cfg = {.senders = 4, .receivers = 3, .records = stress_records(100000)};
    CHECK(stress_run(&msg_transport, &state, &cfg) == 0);
    CHECK(type_counts[0] + type_counts[1] == cfg.records + cfg.receivers);
    printf("stress System V message queue: messages taken %ld by rsipc_msgrcv, %ld by glibc msgrcv (%ld with the end "
           "records)\n",
           type_counts[1], type_counts[0], type_counts[0] + type_counts[1]);
    rsipc_munmap(type_counts, 2 * sizeof(long));
    return check_summary("test_stress_msg");
}
