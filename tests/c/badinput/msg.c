/* Bad-input rows for System V message queues (format: see badinput.h):
 * rsipc_msgget, rsipc_msgsnd, rsipc_msgrcv, rsipc_msgctl. The errnos are
 * the kernel's (glibc passes them through); rsipc adds EFAULT for a NULL
 * buffer and EINVAL for a message that could never fit in the queue (where
 * the kernel would wait forever). */
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include "badinput.h"

struct message {
    long mtype;
    char mtext[64];
};
static struct message msg_type1 = {1, "hello"}, msg_type0 = {0, "zero"}, msg_type_neg = {-1, "negative"},
                      msg_type_min = {LONG_MIN, "min"}, room;
static struct msqid_ds ds;

/* ---- fixtures ----------------------------------------------------------- */

static void teardown_queue(struct bi_ctx *ctx) {
    if (ctx->id >= 0) msgctl((int)ctx->id, IPC_RMID, NULL);
}

static int keyed_queue(struct bi_ctx *ctx, int mode) {
    for (int i = 0; i < 64; i++) {
        key_t key = (key_t)(0x52c00000 | (((unsigned)getpid() * 64u + (unsigned)i) & 0xfffff));
        int id = msgget(key, IPC_CREAT | IPC_EXCL | mode);
        if (id >= 0) {
            ctx->id = id;
            ctx->id2 = key;
            return 0;
        }
        if (errno != EEXIST) return -1;
    }
    return -1;
}

static int setup_queue(struct bi_ctx *ctx) {
    ctx->id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    return ctx->id < 0 ? -1 : 0;
}
BI_FIXTURE(fx_queue, setup_queue, teardown_queue);

/* ctx->id2: the id of a queue that was removed. */
static int setup_removed_queue(struct bi_ctx *ctx) {
    int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    if (id < 0 || msgctl(id, IPC_RMID, NULL) != 0) return -1;
    ctx->id2 = id;
    return 0;
}
BI_FIXTURE(fx_removed_queue, setup_removed_queue, NULL);
#define STALE_ID ((int)ctx->id2)

static int setup_keyed_queue(struct bi_ctx *ctx) { return keyed_queue(ctx, 0600); }
BI_FIXTURE(fx_keyed_queue, setup_keyed_queue, teardown_queue);

static int setup_removed_key(struct bi_ctx *ctx) {
    if (keyed_queue(ctx, 0600) != 0 || msgctl((int)ctx->id, IPC_RMID, NULL) != 0) return -1;
    ctx->id = -1;
    return 0;
}
BI_FIXTURE(fx_removed_key, setup_removed_key, teardown_queue);

/* A queue that holds at most 16 bytes of text. */
static int setup_small_queue(struct bi_ctx *ctx) {
    if (setup_queue(ctx) != 0 || msgctl((int)ctx->id, IPC_STAT, &ds) != 0) return -1;
    ds.msg_qbytes = 16;
    return msgctl((int)ctx->id, IPC_SET, &ds);
}
BI_FIXTURE(fx_small_queue, setup_small_queue, teardown_queue);

/* The same, already holding 16 bytes: full. */
static int setup_full_queue(struct bi_ctx *ctx) {
    if (setup_small_queue(ctx) != 0) return -1;
    return msgsnd((int)ctx->id, &msg_type1, 16, IPC_NOWAIT);
}
BI_FIXTURE(fx_full_queue, setup_full_queue, teardown_queue);

/* A queue holding one message of type 1 with 16 bytes of text. */
static int setup_queue_with_message(struct bi_ctx *ctx) {
    if (setup_queue(ctx) != 0) return -1;
    return msgsnd((int)ctx->id, &msg_type1, 16, IPC_NOWAIT);
}
BI_FIXTURE(fx_queue_with_message, setup_queue_with_message, teardown_queue);

/* A queue holding one message of type 1 with 4 bytes of text. */
static int setup_queue_with_4_bytes(struct bi_ctx *ctx) {
    if (setup_queue(ctx) != 0) return -1;
    return msgsnd((int)ctx->id, &msg_type1, 4, IPC_NOWAIT);
}
BI_FIXTURE(fx_queue_with_4_bytes, setup_queue_with_4_bytes, teardown_queue);

/* ctx->len: msgmax; ctx->user: a buffer for an mtype and msgmax + 1 bytes. */
static int setup_queue_and_huge_message(struct bi_ctx *ctx) {
    FILE *f = fopen("/proc/sys/kernel/msgmax", "re");
    long max = 0;
    if (!f) return -1;
    int ok = fscanf(f, "%ld", &max) == 1;
    fclose(f);
    if (!ok || max <= 0 || max > (1 << 24)) return -1;
    ctx->len = (size_t)max;
    struct message *m = calloc(1, sizeof(long) + ctx->len + 1);
    if (!m) return -1;
    m->mtype = 1;
    ctx->user = m;
    return setup_queue(ctx);
}
BI_FIXTURE(fx_queue_and_huge_message, setup_queue_and_huge_message, teardown_queue);

/* A root-owned keyed queue of `mode`, then privileges dropped. */
static int unprivileged_queue(struct bi_ctx *ctx, int mode) {
    BI_NEED_ROOT();
    if (keyed_queue(ctx, mode) != 0) return -1;
    if (msgsnd((int)ctx->id, &msg_type1, 4, IPC_NOWAIT) != 0) return -1;
    return bi_setup_unprivileged(ctx);
}
static int setup_private_unprivileged(struct bi_ctx *ctx) { return unprivileged_queue(ctx, 0600); }
static int setup_readonly_unprivileged(struct bi_ctx *ctx) { return unprivileged_queue(ctx, 0444); }
static int setup_writeonly_unprivileged(struct bi_ctx *ctx) { return unprivileged_queue(ctx, 0222); }
BI_FIXTURE(fx_private_queue_unprivileged, setup_private_unprivileged, teardown_queue);
BI_FIXTURE(fx_readonly_queue_unprivileged, setup_readonly_unprivileged, teardown_queue);
BI_FIXTURE(fx_writeonly_queue_unprivileged, setup_writeonly_unprivileged, teardown_queue);

/* Unprivileged, owning a queue of its own; ctx->len: msgmnb. */
static int setup_own_queue_unprivileged(struct bi_ctx *ctx) {
    BI_NEED_ROOT();
    FILE *f = fopen("/proc/sys/kernel/msgmnb", "re");
    long mnb = 0;
    if (!f) return -1;
    int ok = fscanf(f, "%ld", &mnb) == 1;
    fclose(f);
    if (!ok || mnb <= 0) return -1;
    ctx->len = (size_t)mnb;
    if (bi_setup_unprivileged(ctx) != 0) return -1;
    if (setup_queue(ctx) != 0) return -1;
    return msgctl((int)ctx->id, IPC_STAT, &ds);
}
BI_FIXTURE(fx_own_queue_unprivileged, setup_own_queue_unprivileged, teardown_queue);
static struct msqid_ds *qbytes_above_msgmnb(struct bi_ctx *ctx) {
    ds.msg_qbytes = (msglen_t)ctx->len + 1;
    return &ds;
}

/* ctx->id: a queue; ctx->id2: its index in the kernel's table. */
static int find_index(struct bi_ctx *ctx) {
    struct msginfo info;
    int top = msgctl(0, MSG_INFO, (struct msqid_ds *)&info);
    for (int i = 0; i <= top; i++) {
        if (msgctl(i, MSG_STAT_ANY, &ds) == ctx->id) {
            ctx->id2 = i;
            return 0;
        }
    }
    return -1;
}
static int setup_indexed_queue(struct bi_ctx *ctx) {
    if (setup_queue(ctx) != 0) return -1;
    return find_index(ctx);
}
BI_FIXTURE(fx_indexed_queue, setup_indexed_queue, teardown_queue);
static int setup_indexed_unprivileged(struct bi_ctx *ctx) {
    BI_NEED_ROOT();
    if (keyed_queue(ctx, 0600) != 0 || find_index(ctx) != 0) return -1;
    return bi_setup_unprivileged(ctx);
}
BI_FIXTURE(fx_indexed_queue_unprivileged, setup_indexed_unprivileged, teardown_queue);

/* ---- msgget ------------------------------------------------------------- */
BAD_IN(fx_removed_key, RET_INT, "msgget", "removed key, no IPC_CREAT", ENOENT, rsipc_msgget((key_t)ctx->id2, 0600))
BAD_IN(fx_keyed_queue, RET_INT, "msgget", "existing key, IPC_CREAT|IPC_EXCL", EEXIST,
       rsipc_msgget((key_t)ctx->id2, IPC_CREAT | IPC_EXCL | 0600))
BAD_IN(fx_private_queue_unprivileged, RET_INT, "msgget", "unprivileged, root's 0600 queue", EACCES,
       rsipc_msgget((key_t)ctx->id2, 0400))
BAD_IN(fx_readonly_queue_unprivileged, RET_INT, "msgget", "unprivileged, root's 0444 queue, asking 0600", EACCES,
       rsipc_msgget((key_t)ctx->id2, 0600))

/* ---- msgsnd ------------------------------------------------------------- */
BAD_IN(fx_queue, RET_INT, "msgsnd", "msgp NULL", EFAULT, rsipc_msgsnd((int)ctx->id, NULL, 4, IPC_NOWAIT))
BAD_IN(fx_queue, RET_INT, "msgsnd", "msgp NULL, msgsz 0", EFAULT, rsipc_msgsnd((int)ctx->id, NULL, 0, IPC_NOWAIT))
BAD(RET_INT, "msgsnd", "msqid -1", EINVAL, rsipc_msgsnd(-1, &msg_type1, 4, IPC_NOWAIT))
BAD(RET_INT, "msgsnd", "msqid INT_MAX", EINVAL, rsipc_msgsnd(INT_MAX, &msg_type1, 4, IPC_NOWAIT))
BAD_IN(fx_removed_queue, RET_INT, "msgsnd", "removed queue", EINVAL, rsipc_msgsnd(STALE_ID, &msg_type1, 4, IPC_NOWAIT))
BAD_IN(fx_queue, RET_INT, "msgsnd", "mtype 0", EINVAL, rsipc_msgsnd((int)ctx->id, &msg_type0, 4, IPC_NOWAIT))
BAD_IN(fx_queue, RET_INT, "msgsnd", "mtype -1", EINVAL, rsipc_msgsnd((int)ctx->id, &msg_type_neg, 4, 0))
BAD_IN(fx_queue, RET_INT, "msgsnd", "mtype LONG_MIN", EINVAL, rsipc_msgsnd((int)ctx->id, &msg_type_min, 4, 0))
BAD_IN(fx_queue_and_huge_message, RET_INT, "msgsnd", "msgsz msgmax + 1", EINVAL,
       rsipc_msgsnd((int)ctx->id, ctx->user, ctx->len + 1, IPC_NOWAIT))
BAD_IN(fx_queue, RET_INT, "msgsnd", "msgsz LONG_MAX", EINVAL, rsipc_msgsnd((int)ctx->id, &msg_type1, LONG_MAX, 0))
BAD_IN(fx_queue, RET_INT, "msgsnd", "msgsz LONG_MAX + 1", EINVAL,
       rsipc_msgsnd((int)ctx->id, &msg_type1, (size_t)LONG_MAX + 1, 0))
BAD_IN(fx_queue, RET_INT, "msgsnd", "msgsz SIZE_MAX", EINVAL, rsipc_msgsnd((int)ctx->id, &msg_type1, SIZE_MAX, 0))
BAD_IN(fx_full_queue, RET_INT, "msgsnd", "full queue, IPC_NOWAIT", EAGAIN,
       rsipc_msgsnd((int)ctx->id, &msg_type1, 4, IPC_NOWAIT))
BAD_IN_DEPARTS("documented: the kernel waits forever for room that can never be (the text exceeds msg_qbytes)",
               fx_small_queue, RET_INT, "msgsnd", "text larger than msg_qbytes, would wait forever", EINVAL,
       rsipc_msgsnd((int)ctx->id, &msg_type1, 17, 0))
BAD_IN_DEPARTS("documented: the kernel waits forever for room that can never be (the text exceeds msg_qbytes)",
               fx_full_queue, RET_INT, "msgsnd", "full queue, text larger than msg_qbytes", EINVAL,
       rsipc_msgsnd((int)ctx->id, &msg_type1, 17, 0))
BAD_IN(fx_private_queue_unprivileged, RET_INT, "msgsnd", "unprivileged, root's 0600 queue", EACCES,
       rsipc_msgsnd((int)ctx->id, &msg_type1, 4, IPC_NOWAIT))
BAD_IN(fx_readonly_queue_unprivileged, RET_INT, "msgsnd", "unprivileged, root's 0444 queue", EACCES,
       rsipc_msgsnd((int)ctx->id, &msg_type1, 4, 0))

/* ---- msgrcv ------------------------------------------------------------- */
BAD_IN(fx_queue_with_message, RET_SSIZE, "msgrcv", "msgp NULL (the message stays queued)", EFAULT,
       rsipc_msgrcv((int)ctx->id, NULL, 64, 0, IPC_NOWAIT))
BAD_IN(fx_queue_with_message, RET_SSIZE, "msgrcv", "msgp NULL, msgsz 0", EFAULT,
       rsipc_msgrcv((int)ctx->id, NULL, 0, 0, IPC_NOWAIT | MSG_NOERROR))
BAD(RET_SSIZE, "msgrcv", "msqid -1", EINVAL, rsipc_msgrcv(-1, &room, 64, 0, IPC_NOWAIT))
BAD(RET_SSIZE, "msgrcv", "msqid INT_MAX", EINVAL, rsipc_msgrcv(INT_MAX, &room, 64, 0, IPC_NOWAIT))
BAD_IN(fx_removed_queue, RET_SSIZE, "msgrcv", "removed queue", EINVAL, rsipc_msgrcv(STALE_ID, &room, 64, 0, 0))
BAD_IN(fx_queue, RET_SSIZE, "msgrcv", "msgsz LONG_MAX + 1", EINVAL,
       rsipc_msgrcv((int)ctx->id, &room, (size_t)LONG_MAX + 1, 0, IPC_NOWAIT))
BAD_IN(fx_queue, RET_SSIZE, "msgrcv", "msgsz SIZE_MAX", EINVAL, rsipc_msgrcv((int)ctx->id, &room, SIZE_MAX, 0, 0))
BAD_IN(fx_queue, RET_SSIZE, "msgrcv", "empty queue, IPC_NOWAIT", ENOMSG,
       rsipc_msgrcv((int)ctx->id, &room, 64, 0, IPC_NOWAIT))
BAD_IN(fx_queue_with_message, RET_SSIZE, "msgrcv", "no message of type 2, IPC_NOWAIT", ENOMSG,
       rsipc_msgrcv((int)ctx->id, &room, 64, 2, IPC_NOWAIT))
BAD_IN(fx_queue_with_message, RET_SSIZE, "msgrcv", "no message of a type other than 1, IPC_NOWAIT", ENOMSG,
       rsipc_msgrcv((int)ctx->id, &room, 64, 1, IPC_NOWAIT | MSG_EXCEPT))
BAD_IN(fx_queue, RET_SSIZE, "msgrcv", "msgtyp LONG_MIN on an empty queue, IPC_NOWAIT", ENOMSG,
       rsipc_msgrcv((int)ctx->id, &room, 64, LONG_MIN, IPC_NOWAIT))
BAD_IN(fx_queue_with_message, RET_SSIZE, "msgrcv", "text longer than msgsz, no MSG_NOERROR", E2BIG,
       rsipc_msgrcv((int)ctx->id, &room, 8, 0, IPC_NOWAIT))
BAD_IN(fx_queue_with_message, RET_SSIZE, "msgrcv", "msgsz 0 for a 16-byte text", E2BIG,
       rsipc_msgrcv((int)ctx->id, &room, 0, 0, 0))
BAD_IN(fx_queue_with_message, RET_SSIZE, "msgrcv", "MSG_COPY without IPC_NOWAIT", EINVAL,
       rsipc_msgrcv((int)ctx->id, &room, 64, 0, MSG_COPY))
BAD_IN(fx_queue_with_message, RET_SSIZE, "msgrcv", "MSG_COPY with MSG_EXCEPT", EINVAL,
       rsipc_msgrcv((int)ctx->id, &room, 64, 0, MSG_COPY | MSG_EXCEPT | IPC_NOWAIT))
BAD_IN(fx_private_queue_unprivileged, RET_SSIZE, "msgrcv", "unprivileged, root's 0600 queue", EACCES,
       rsipc_msgrcv((int)ctx->id, &room, 64, 0, IPC_NOWAIT))
BAD_IN(fx_writeonly_queue_unprivileged, RET_SSIZE, "msgrcv", "unprivileged, root's 0222 queue", EACCES,
       rsipc_msgrcv((int)ctx->id, &room, 64, 0, 0))

/* ---- msgrcv: msgsz is only room (the kernel writes the message), up to
 * LONG_MAX ------------------------------------------------------------------ */
SAME_IN(fx_queue_with_4_bytes, RET_SSIZE, "msgrcv", "msgsz LONG_MAX, a 4-byte message",
        rsipc_msgrcv((int)ctx->id, &room, LONG_MAX, 0, 0))
SAME_IN(fx_queue_with_4_bytes, RET_SSIZE, "msgrcv", "msgsz LONG_MAX - 7, a 4-byte message",
        rsipc_msgrcv((int)ctx->id, &room, LONG_MAX - 7, 0, IPC_NOWAIT))
SAME_IN(fx_queue_with_4_bytes, RET_SSIZE, "msgrcv", "msgsz LONG_MAX - 8, a 4-byte message",
        rsipc_msgrcv((int)ctx->id, &room, LONG_MAX - 8, 0, IPC_NOWAIT))
SAME_IN(fx_queue_with_4_bytes, RET_SSIZE, "msgrcv", "msgsz 2^40, a 4-byte message",
        rsipc_msgrcv((int)ctx->id, &room, (size_t)1 << 40, 1, IPC_NOWAIT | MSG_NOERROR))
SAME_IN(fx_queue_with_4_bytes, RET_SSIZE, "msgrcv", "msgsz LONG_MAX, a 4-byte message, MSG_EXCEPT",
        rsipc_msgrcv((int)ctx->id, &room, LONG_MAX, 2, IPC_NOWAIT | MSG_EXCEPT))
SAME_IN(fx_queue, RET_SSIZE, "msgrcv", "msgsz LONG_MAX, empty queue, IPC_NOWAIT",
        rsipc_msgrcv((int)ctx->id, &room, LONG_MAX, 0, IPC_NOWAIT))
SAME(RET_SSIZE, "msgrcv", "msgsz LONG_MAX, msqid -1", rsipc_msgrcv(-1, &room, LONG_MAX, 0, IPC_NOWAIT))

/* ---- msgrcv: a NULL msgp comes after the kernel's checks of the id, size,
 * flags and permission (but before a message is taken) -------------------- */
BAD(RET_SSIZE, "msgrcv", "msgp NULL, msqid -1", EINVAL, rsipc_msgrcv(-1, NULL, 64, 0, IPC_NOWAIT))
BAD(RET_SSIZE, "msgrcv", "msgp NULL, msqid INT_MAX", EINVAL, rsipc_msgrcv(INT_MAX, NULL, 64, 0, IPC_NOWAIT))
BAD_IN(fx_removed_queue, RET_SSIZE, "msgrcv", "msgp NULL, removed queue", EINVAL,
       rsipc_msgrcv(STALE_ID, NULL, 64, 0, 0))
BAD_IN(fx_queue_with_4_bytes, RET_SSIZE, "msgrcv", "msgp NULL, msgsz SIZE_MAX", EINVAL,
       rsipc_msgrcv((int)ctx->id, NULL, SIZE_MAX, 0, IPC_NOWAIT))
BAD_IN(fx_queue_with_4_bytes, RET_SSIZE, "msgrcv", "msgp NULL, MSG_COPY without IPC_NOWAIT", EINVAL,
       rsipc_msgrcv((int)ctx->id, NULL, 64, 0, MSG_COPY))
BAD_IN(fx_queue, RET_SSIZE, "msgrcv", "msgp NULL, empty queue, IPC_NOWAIT", ENOMSG,
       rsipc_msgrcv((int)ctx->id, NULL, 64, 0, IPC_NOWAIT))
SAME_IN(fx_queue_with_4_bytes, RET_SSIZE, "msgrcv", "msgp NULL, MSG_COPY (nothing is taken)",
        rsipc_msgrcv((int)ctx->id, NULL, 64, 0, MSG_COPY | IPC_NOWAIT))
BAD_IN(fx_private_queue_unprivileged, RET_SSIZE, "msgrcv", "msgp NULL, unprivileged, root's 0600 queue", EACCES,
       rsipc_msgrcv((int)ctx->id, NULL, 64, 0, IPC_NOWAIT))
BAD_IN(fx_writeonly_queue_unprivileged, RET_SSIZE, "msgrcv", "msgp NULL, unprivileged, root's 0222 queue", EACCES,
       rsipc_msgrcv((int)ctx->id, NULL, 64, 0, 0))

/* ---- msgsnd: the kernel reads the mtype before anything else ------------ */
BAD_IN(fx_queue, RET_INT, "msgsnd", "msgp NULL, msgsz SIZE_MAX", EFAULT,
       rsipc_msgsnd((int)ctx->id, NULL, SIZE_MAX, IPC_NOWAIT))
BAD(RET_INT, "msgsnd", "msgp NULL, msqid -1", EFAULT, rsipc_msgsnd(-1, NULL, 4, IPC_NOWAIT))
BAD(RET_INT, "msgsnd", "msgp NULL, msqid -1, msgsz LONG_MAX + 1", EFAULT,
    rsipc_msgsnd(-1, NULL, (size_t)LONG_MAX + 1, IPC_NOWAIT))
BAD(RET_INT, "msgsnd", "mtype 0, msqid -1", EINVAL, rsipc_msgsnd(-1, &msg_type0, 4, IPC_NOWAIT))

/* ---- msgctl ------------------------------------------------------------- */
BAD_IN(fx_queue, RET_INT, "msgctl", "cmd 99 (unknown)", EINVAL, rsipc_msgctl((int)ctx->id, 99, &ds))
BAD_IN(fx_queue, RET_INT, "msgctl", "cmd -1", EINVAL, rsipc_msgctl((int)ctx->id, -1, &ds))
BAD_IN(fx_queue, RET_INT, "msgctl", "cmd 14 (one past MSG_STAT_ANY)", EINVAL, rsipc_msgctl((int)ctx->id, 14, &ds))
BAD(RET_INT, "msgctl", "IPC_STAT, msqid -1", EINVAL, rsipc_msgctl(-1, IPC_STAT, &ds))
BAD(RET_INT, "msgctl", "IPC_STAT, msqid INT_MAX", EINVAL, rsipc_msgctl(INT_MAX, IPC_STAT, &ds))
BAD_IN(fx_removed_queue, RET_INT, "msgctl", "IPC_STAT, removed queue", EINVAL, rsipc_msgctl(STALE_ID, IPC_STAT, &ds))
BAD_IN(fx_removed_queue, RET_INT, "msgctl", "IPC_STAT, removed queue, buf NULL", EINVAL,
       rsipc_msgctl(STALE_ID, IPC_STAT, NULL))
BAD_IN(fx_removed_queue, RET_INT, "msgctl", "IPC_RMID, removed queue", EINVAL, rsipc_msgctl(STALE_ID, IPC_RMID, NULL))
BAD(RET_INT, "msgctl", "IPC_RMID, msqid -1", EINVAL, rsipc_msgctl(-1, IPC_RMID, NULL))
BAD_IN(fx_removed_queue, RET_INT, "msgctl", "IPC_SET, removed queue", EINVAL, rsipc_msgctl(STALE_ID, IPC_SET, &ds))
BAD_IN(fx_queue, RET_INT, "msgctl", "IPC_STAT, buf NULL", EFAULT, rsipc_msgctl((int)ctx->id, IPC_STAT, NULL))
BAD_IN(fx_queue, RET_INT, "msgctl", "IPC_SET, buf NULL", EFAULT, rsipc_msgctl((int)ctx->id, IPC_SET, NULL))
BAD(RET_INT, "msgctl", "IPC_INFO, buf NULL", EFAULT, rsipc_msgctl(0, IPC_INFO, NULL))
BAD(RET_INT, "msgctl", "MSG_INFO, buf NULL", EFAULT, rsipc_msgctl(0, MSG_INFO, NULL))
BAD_IN(fx_indexed_queue, RET_INT, "msgctl", "MSG_STAT, buf NULL", EFAULT, rsipc_msgctl((int)ctx->id2, MSG_STAT, NULL))
BAD_IN(fx_indexed_queue, RET_INT, "msgctl", "MSG_STAT_ANY, buf NULL", EFAULT,
       rsipc_msgctl((int)ctx->id2, MSG_STAT_ANY, NULL))
BAD(RET_INT, "msgctl", "MSG_STAT, index -1", EINVAL, rsipc_msgctl(-1, MSG_STAT, &ds))
BAD(RET_INT, "msgctl", "MSG_STAT, index INT_MAX", EINVAL, rsipc_msgctl(INT_MAX, MSG_STAT, &ds))
BAD_IN(fx_private_queue_unprivileged, RET_INT, "msgctl", "unprivileged, IPC_STAT of root's 0600 queue", EACCES,
       rsipc_msgctl((int)ctx->id, IPC_STAT, &ds))
BAD_IN(fx_indexed_queue_unprivileged, RET_INT, "msgctl", "unprivileged, MSG_STAT of root's 0600 queue", EACCES,
       rsipc_msgctl((int)ctx->id2, MSG_STAT, &ds))
BAD_IN(fx_private_queue_unprivileged, RET_INT, "msgctl", "unprivileged, IPC_RMID of root's queue", EPERM,
       rsipc_msgctl((int)ctx->id, IPC_RMID, NULL))
BAD_IN(fx_readonly_queue_unprivileged, RET_INT, "msgctl", "unprivileged, IPC_SET of root's queue", EPERM,
       rsipc_msgctl((int)ctx->id, IPC_SET, &ds))
BAD_IN(fx_own_queue_unprivileged, RET_INT, "msgctl", "unprivileged owner, IPC_SET msg_qbytes above msgmnb", EPERM,
       rsipc_msgctl((int)ctx->id, IPC_SET, qbytes_above_msgmnb(ctx)))
