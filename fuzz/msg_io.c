/* rsipc_msgsnd / rsipc_msgrcv / rsipc_msgctl on one private System V
 * queue, against a model of its messages: types, sizes, flags, buffers.
 * Input: [msg_qbytes u16] then operations, each [op u8][mtype][msgsz]
 * [seed u32] (send) or [op u8][msgtyp][msgsz] (receive) or [op u8][cmd]
 * (msgctl).
 * The queue holds at most 16..2063 bytes; a call only goes without
 * IPC_NOWAIT when the model says it cannot wait — no call can block.
 * Holds: send: msgsz above LONG_MAX -> EINVAL, NULL msgp -> EFAULT,
 * mtype <= 0 -> EINVAL, msgsz above msgmax or msg_qbytes -> EINVAL (the
 * latter never waits, as documented), no room -> EAGAIN, else queued;
 * receive: msgsz above LONG_MAX -> EINVAL (below, it is only room), NULL
 * -> EFAULT or an earlier answer of the kernel, MSG_COPY with
 * MSG_EXCEPT or without IPC_NOWAIT -> EINVAL, no suitable message ->
 * ENOMSG, a longer text without MSG_NOERROR -> E2BIG (it stays; a copy
 * with MSG_NOERROR -> EINVAL, as the kernel never cuts a copy), else the
 * message msgtyp/MSG_EXCEPT/MSG_COPY select (the model's), its mtype and
 * bytes exact, nothing written past mtype + the bytes returned (guard
 * bytes); msgctl: an unknown cmd -> EINVAL, a NULL buffer where one is
 * needed -> EFAULT, IPC_STAT always agreeing with the model. */
#include <sys/ipc.h>
#include <sys/msg.h>

#include "fuzz.h"

#define MAX_OPS 48
#define MAX_MSGS MAX_OPS /* one send per operation at most */
#define BUF_TEXT 9000
#define GUARD 0xA5

struct msg {
    long mtype;
    size_t len;
    uint32_t seed;
};
static struct msg queue[MAX_MSGS];
static int count;
static size_t used, qbytes, msgmax;
static int msqid = -1;
static int copy_unsupported;
static _Alignas(long) unsigned char buf[sizeof(long) + BUF_TEXT + 64];

static unsigned char byte_of(uint32_t seed, size_t i) {
    return (unsigned char)(seed * 2246822519u + i * 3266489917u + (i >> 7));
}

static long take_type(struct fuzz_in *in) {
    static const long edges[] = {1, 2, 3, 0, -1, -2, -3, LONG_MAX, LONG_MIN, LONG_MAX - 1};
    uint8_t sel = take_u8(in);
    if (sel < 128) return edges[sel % (sizeof edges / sizeof edges[0])];
    return 1 + sel % 5;
}

static size_t take_size(struct fuzz_in *in) {
    uint8_t sel = take_u8(in);
    switch (sel % 8) {
    case 0: {
        /* Lengths past the buffer: a send refuses them before any call
         * (above LONG_MAX with the mtype; a send with a length the buffer
         * does not have would be the caller's lie, as ASan's msgsnd
         * interceptor reads it all); a receive takes any up to LONG_MAX as
         * room, and the kernel writes only the message. */
        const size_t edges[] = {0,          1,          7,   8, qbytes, qbytes + 1, msgmax, msgmax + 1, (size_t)LONG_MAX - 7,
                                (size_t)LONG_MAX, (size_t)LONG_MAX + 1, SIZE_MAX, SIZE_MAX - 7};
        return edges[(sel >> 3) % (sizeof edges / sizeof edges[0])];
    }
    case 1: return qbytes - (sel >> 3) % 4;
    default: return take_u16(in) % 64;
    }
}

static int matches(const struct msg *m, long msgtyp, int except) {
    if (msgtyp == 0) return 1;
    if (msgtyp > 0) return except ? m->mtype != msgtyp : m->mtype == msgtyp;
    long limit = msgtyp == LONG_MIN ? LONG_MAX : -msgtyp;
    return m->mtype <= limit;
}

/* The index of the message msgrcv takes, or -1. */
static int select_message(long msgtyp, int except) {
    int best = -1;
    for (int i = 0; i < count; i++) {
        if (!matches(&queue[i], msgtyp, except)) continue;
        if (msgtyp >= 0) return i; /* the first that matches */
        if (best < 0 || queue[i].mtype < queue[best].mtype) best = i;
    }
    return best;
}

static void check_stat(void) {
    struct msqid_ds ds;
    FUZZ_ASSERT(rsipc_msgctl(msqid, IPC_STAT, &ds) == 0, "IPC_STAT");
    FUZZ_ASSERT(ds.msg_qnum == (msgqnum_t)count && ds.__msg_cbytes == used && ds.msg_qbytes == qbytes,
                "queue %lu msgs %lu bytes (of %lu), model %d %zu (of %zu)", (unsigned long)ds.msg_qnum,
                (unsigned long)ds.__msg_cbytes, (unsigned long)ds.msg_qbytes, count, used, qbytes);
}

static void op_send(struct fuzz_in *in, uint8_t flags) {
    long mtype = take_type(in);
    size_t msgsz = take_size(in);
    uint32_t seed = take_u32(in);
    int null = flags & 1;
    struct fuzz_errs want = {.n = 0};
    if (msgsz > (size_t)LONG_MAX - sizeof(long)) fuzz_errs_add(&want, EINVAL);
    if (null) fuzz_errs_add(&want, EFAULT);
    if (mtype <= 0) fuzz_errs_add(&want, EINVAL);
    if (msgsz > msgmax || msgsz > qbytes) fuzz_errs_add(&want, EINVAL);
    int fits = used + msgsz <= qbytes && (size_t)count + 1 <= qbytes;
    if (want.n == 0 && !fits) fuzz_errs_add(&want, EAGAIN);
    /* Without IPC_NOWAIT only when the call cannot wait. */
    int nowait = !(flags & 2) || (want.n == 1 && want.e[0] == EAGAIN) ? IPC_NOWAIT : 0;
    memcpy(buf, &mtype, sizeof mtype);
    size_t fill = msgsz < BUF_TEXT ? msgsz : BUF_TEXT;
    for (size_t i = 0; i < fill; i++) buf[sizeof(long) + i] = byte_of(seed, i);
    errno = 0;
    int r = rsipc_msgsnd(msqid, null ? NULL : buf, msgsz, nowait | (flags & 4 ? MSG_NOERROR : 0));
    if (want.n) {
        fuzz_expect_failure_of("msgsnd", r, -1, want.e, want.n);
        return;
    }
    FUZZ_ASSERT(r == 0, "msgsnd(mtype %ld, msgsz %zu) failed", mtype, msgsz);
    queue[count++] = (struct msg){mtype, msgsz, seed};
    used += msgsz;
}

static void op_receive(struct fuzz_in *in, uint8_t flags) {
    long msgtyp = take_type(in);
    size_t msgsz = take_size(in);
    int null = flags & 1, noerror = flags & 2, except = flags & 4, copy = flags & 8;
    int mflags = (noerror ? MSG_NOERROR : 0) | (except ? MSG_EXCEPT : 0) | (copy ? MSG_COPY : 0);
    struct fuzz_errs want = {.n = 0};
    int pick = -1;
    /* msgsz is only room: anything up to LONG_MAX, as the kernel takes it. */
    if (msgsz > (size_t)LONG_MAX) fuzz_errs_add(&want, EINVAL);
    if (copy && except) fuzz_errs_add(&want, EINVAL);
    /* Without IPC_NOWAIT only when a message is there, or MSG_COPY (which
     * refuses it). */
    int nowait = IPC_NOWAIT;
    if (copy) {
        if (flags & 16) nowait = 0, fuzz_errs_add(&want, EINVAL);
        if (want.n == 0) {
            pick = msgtyp >= 0 && msgtyp < count ? (int)msgtyp : -1;
            if (pick < 0) fuzz_errs_add(&want, ENOMSG);
        }
    } else if (want.n == 0) {
        pick = select_message(msgtyp, except);
        if (pick < 0) fuzz_errs_add(&want, ENOMSG);
        else if (flags & 16) nowait = 0;
    }
    if (want.n == 0 && queue[pick].len > msgsz && !noerror) fuzz_errs_add(&want, E2BIG);
    /* The kernel never cuts a copy short: MSG_NOERROR does not apply. */
    if (want.n == 0 && queue[pick].len > msgsz && copy) fuzz_errs_add(&want, EINVAL);
    /* A NULL msgp is EFAULT after the kernel's own answers (which stay
     * acceptable), never a message taken. */
    if (null) fuzz_errs_add(&want, EFAULT);
    memset(buf, GUARD, sizeof buf);
    errno = 0;
    ssize_t r = rsipc_msgrcv(msqid, null ? NULL : buf, msgsz, msgtyp, mflags | nowait);
    if (copy && r == -1 && errno == ENOSYS) {
        copy_unsupported = 1;
        fuzz_check_message("msgrcv", ENOSYS);
        return;
    }
    if (want.n) {
        fuzz_expect_failure_of("msgrcv", r, -1, want.e, want.n);
        for (size_t i = 0; i < sizeof buf; i++) FUZZ_ASSERT(buf[i] == GUARD, "a failed msgrcv wrote byte %zu", i);
        return;
    }
    struct msg m = queue[pick];
    size_t n = m.len < msgsz ? m.len : msgsz;
    FUZZ_ASSERT(r == (ssize_t)n, "msgrcv returned %zd, want %zu", r, n);
    long mtype;
    memcpy(&mtype, buf, sizeof mtype);
    FUZZ_ASSERT(mtype == m.mtype, "mtype %ld, want %ld", mtype, m.mtype);
    for (size_t i = 0; i < n; i++) FUZZ_ASSERT(buf[sizeof(long) + i] == byte_of(m.seed, i), "byte %zu", i);
    for (size_t i = sizeof(long) + n; i < sizeof buf; i++)
        FUZZ_ASSERT(buf[i] == GUARD, "msgrcv wrote byte %zu past mtype + %zu bytes", i, n);
    if (!copy) {
        memmove(&queue[pick], &queue[pick + 1], (size_t)(count - pick - 1) * sizeof queue[0]);
        count--;
        used -= m.len;
    }
}

static void op_ctl(struct fuzz_in *in, uint8_t flags) {
    static const int cmds[] = {IPC_STAT, IPC_SET, IPC_INFO, MSG_INFO, 99, -1, 14};
    uint8_t sel = take_u8(in);
    int cmd = sel < 200 ? cmds[sel % 7] : take_int(in);
    int known = cmd == IPC_STAT || cmd == IPC_SET || cmd == IPC_INFO || cmd == MSG_INFO || cmd == IPC_RMID ||
                cmd == MSG_STAT || cmd == MSG_STAT_ANY;
    if (cmd == IPC_RMID || cmd == MSG_STAT || cmd == MSG_STAT_ANY) return; /* covered elsewhere */
    static union {
        struct msqid_ds ds;
        struct msginfo info;
    } area;
    if (cmd == IPC_SET) FUZZ_ASSERT(msgctl(msqid, IPC_STAT, &area.ds) == 0, "IPC_STAT");
    int null = flags & 1;
    errno = 0;
    int r = rsipc_msgctl(msqid, cmd, null ? NULL : &area.ds);
    if (!known) fuzz_expect_failure("msgctl", r, -1, EINVAL);
    else if (null) fuzz_expect_failure("msgctl", r, -1, EFAULT);
    else FUZZ_ASSERT(r >= 0, "msgctl(%d) failed", cmd);
    check_stat();
}

static void remove_objects(void) {
    if (msqid >= 0) msgctl(msqid, IPC_RMID, NULL);
    msqid = -1;
}

static void fuzz_one(struct fuzz_in *in) {
    if (msgmax == 0) {
        struct msginfo info;
        FUZZ_ASSERT(msgctl(0, IPC_INFO, (struct msqid_ds *)&info) >= 0, "IPC_INFO");
        msgmax = (size_t)info.msgmax;
        FUZZ_ASSERT(msgmax + 1 <= BUF_TEXT, "msgmax %zu is larger than the harness's buffer", msgmax);
    }
    qbytes = 16 + take_u16(in) % 2048;
    msqid = rsipc_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    FUZZ_ASSERT(msqid >= 0, "msgget");
    fuzz_cleanup = remove_objects;
    struct msqid_ds ds;
    FUZZ_ASSERT(rsipc_msgctl(msqid, IPC_STAT, &ds) == 0, "IPC_STAT");
    ds.msg_qbytes = qbytes;
    FUZZ_ASSERT(rsipc_msgctl(msqid, IPC_SET, &ds) == 0, "IPC_SET");
    count = 0;
    used = 0;
    for (int op = 0; op < MAX_OPS && in->n > 0; op++) {
        uint8_t what = take_u8(in);
        switch (what % 3) {
        case 0: op_send(in, what >> 2); break;
        case 1: op_receive(in, what >> 2); break;
        default: op_ctl(in, what >> 2); break;
        }
    }
    check_stat();
    FUZZ_ASSERT(rsipc_msgctl(msqid, IPC_RMID, NULL) == 0, "IPC_RMID");
    msqid = -1;
}
