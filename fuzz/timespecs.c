/* Deadlines and timeouts: rsipc_sem_timedwait / rsipc_sem_clockwait on an
 * unnamed semaphore, rsipc_mq_timedreceive / rsipc_mq_timedsend on a
 * blocking queue, rsipc_semtimedop on a System V set — with any tv_sec and
 * tv_nsec, any clock.
 * Input: operations, each [op u8][state u8][timespec: sel u8 (+ u32s)]
 * [clock u8 (+ u32)].
 * No call can block long: when it would wait, an absolute deadline is
 * pulled into the past of its clock, and a relative semtimedop timeout cut
 * to at most 1 microsecond; invalid ones are passed as they are.
 * Holds: tv_nsec outside 0..999999999 -> EINVAL, checked even when nothing
 * would wait; sem_clockwait with a clock other than CLOCK_MONOTONIC /
 * CLOCK_REALTIME -> EINVAL; a negative tv_sec -> ETIMEDOUT for semaphores
 * (as glibc), EINVAL for queues and semtimedop (as the kernel); when the
 * call need not wait it succeeds (the token taken, the message moved, the
 * operation applied), else ETIMEDOUT (EAGAIN for semtimedop; EINTR too,
 * when libFuzzer's SIGALRM handler runs during the wait); NULL pointers ->
 * EFAULT. Every object is removed at the end. */
#include <mqueue.h>
#include <semaphore.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <time.h>

#include "fuzz.h"

#define MAX_OPS 32

static char qname[64];
static int semid = -1;

static struct timespec take_ts(struct fuzz_in *in) {
    static const long nsec_edges[] = {0, 1, 999999999, 1000000000, -1, LONG_MAX, LONG_MIN, 500000000};
    static const time_t sec_edges[] = {0, 1, -1, LONG_MIN, LONG_MAX, 2000000000};
    uint8_t sel = take_u8(in);
    struct timespec ts;
    ts.tv_sec = sel & 1 ? sec_edges[(sel >> 1) % 6] : (time_t)(int64_t)take_u64(in);
    ts.tv_nsec = sel & 0x80 ? nsec_edges[(sel >> 4) % 8] : (long)(take_u32(in) % 1000000000u);
    return ts;
}

static int nsec_ok(const struct timespec *ts) {
    return ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000;
}

/* Pulls a valid absolute deadline on `clock` into the past. */
static void into_past(struct timespec *ts, clockid_t clock) {
    struct timespec now;
    FUZZ_ASSERT(clock_gettime(clock, &now) == 0, "clock_gettime");
    if (nsec_ok(ts) && ts->tv_sec >= now.tv_sec) ts->tv_sec = now.tv_sec - 1;
}

static void op_sem(struct fuzz_in *in, uint8_t state, int clocked) {
    static sem_t sem;
    unsigned value = state & 1;
    FUZZ_ASSERT(rsipc_sem_init(&sem, state & 2 ? 1 : 0, value) == 0, "sem_init");
    struct timespec ts = take_ts(in);
    static const clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_PROCESS_CPUTIME_ID, -1,
                                       CLOCK_REALTIME_COARSE};
    uint8_t csel = take_u8(in);
    clockid_t clock = clocked ? (csel < 200 ? clocks[csel % 6] : take_int(in)) : CLOCK_REALTIME;
    int clock_ok = clock == CLOCK_REALTIME || clock == CLOCK_MONOTONIC;
    if (value == 0 && clock_ok) into_past(&ts, clock);
    int null = (state & 4) != 0;
    errno = 0;
    int r = clocked ? rsipc_sem_clockwait(&sem, clock, null ? NULL : &ts) : rsipc_sem_timedwait(&sem, null ? NULL : &ts);
    const char *name = clocked ? "sem_clockwait" : "sem_timedwait";
    struct fuzz_errs want = {.n = 0};
    if (null) fuzz_errs_add(&want, EFAULT);
    if (!clock_ok) fuzz_errs_add(&want, EINVAL);
    if (!null && !nsec_ok(&ts)) fuzz_errs_add(&want, EINVAL);
    if (want.n == 0 && value == 0) {
        fuzz_errs_add(&want, ETIMEDOUT);
        /* libFuzzer's SIGALRM handler may run while it is in the wait. */
        fuzz_errs_add(&want, EINTR);
    }
    int after = -1;
    FUZZ_ASSERT(rsipc_sem_getvalue(&sem, &after) == 0, "getvalue");
    if (want.n) {
        fuzz_expect_failure_of(name, r, -1, want.e, want.n);
        FUZZ_ASSERT(after == (int)value, "a failed %s changed the value", name);
        return;
    }
    FUZZ_ASSERT(r == 0 && after == 0, "%s with a token failed", name);
}

static void op_mq(struct fuzz_in *in, uint8_t state, mqd_t q, int *queued) {
    int send = state & 1;
    int would_wait = send ? *queued == 1 : *queued == 0; /* one message of room */
    struct timespec ts = take_ts(in);
    if (would_wait) into_past(&ts, CLOCK_REALTIME);
    int null = (state & 4) != 0; /* NULL deadline: only when the call cannot wait */
    if (null && would_wait) null = 0;
    struct fuzz_errs want = {.n = 0};
    if (!null && (!nsec_ok(&ts) || ts.tv_sec < 0)) fuzz_errs_add(&want, EINVAL);
    if (want.n == 0 && would_wait) {
        fuzz_errs_add(&want, ETIMEDOUT);
        fuzz_errs_add(&want, EINTR); /* libFuzzer's SIGALRM, in the wait */
    }
    char buf[16] = "deadline";
    errno = 0;
    long r = send ? rsipc_mq_timedsend(q, buf, 8, 1, null ? NULL : &ts)
                  : rsipc_mq_timedreceive(q, buf, sizeof buf, NULL, null ? NULL : &ts);
    const char *name = send ? "mq_timedsend" : "mq_timedreceive";
    if (want.n) {
        fuzz_expect_failure_of(name, r, -1, want.e, want.n);
        return;
    }
    FUZZ_ASSERT(r == (send ? 0 : 8), "%s returned %ld", name, r);
    *queued += send ? 1 : -1;
}

static void op_semtimedop(struct fuzz_in *in, uint8_t state) {
    union {
        int val;
    } arg = {.val = state & 1};
    FUZZ_ASSERT(semctl(semid, 0, SETVAL, arg) == 0, "SETVAL");
    /* -1: waits while 0; 0: waits while not 0; +1: never waits. */
    static const short ops[] = {-1, 0, 1};
    struct sembuf op = {0, ops[(state >> 1) % 3], (short)(state & 0x40 ? IPC_NOWAIT : 0)};
    int would_wait = (op.sem_op == -1 && arg.val == 0) || (op.sem_op == 0 && arg.val != 0);
    struct timespec ts = take_ts(in);
    int valid = nsec_ok(&ts) && ts.tv_sec >= 0;
    if (valid && would_wait && !(op.sem_flg & IPC_NOWAIT)) {
        ts.tv_sec = 0;
        ts.tv_nsec %= 1000; /* at most a microsecond */
    }
    int null = (state & 0x80) && !(would_wait && !(op.sem_flg & IPC_NOWAIT));
    errno = 0;
    int r = rsipc_semtimedop(semid, &op, 1, null ? NULL : &ts);
    struct fuzz_errs want = {.n = 0};
    if (!null && !valid) fuzz_errs_add(&want, EINVAL);
    if (want.n == 0 && would_wait) fuzz_errs_add(&want, EAGAIN);
    /* It sleeps (a microsecond): libFuzzer's SIGALRM handler may run. */
    if (want.n == 1 && want.e[0] == EAGAIN && !(op.sem_flg & IPC_NOWAIT)) fuzz_errs_add(&want, EINTR);
    if (want.n) {
        fuzz_expect_failure_of("semtimedop", r, -1, want.e, want.n);
        FUZZ_ASSERT(semctl(semid, 0, GETVAL) == arg.val, "a failed semtimedop changed the value");
        return;
    }
    FUZZ_ASSERT(r == 0 && semctl(semid, 0, GETVAL) == arg.val + op.sem_op, "semtimedop");
}

static void remove_objects(void) {
    if (qname[0]) mq_unlink(qname);
    qname[0] = '\0';
    if (semid >= 0) semctl(semid, 0, IPC_RMID);
    semid = -1;
}

static void fuzz_one(struct fuzz_in *in) {
    snprintf(qname, sizeof qname, "%sts", fuzz_prefix());
    fuzz_cleanup = remove_objects;
    struct mq_attr attr = {.mq_maxmsg = 1, .mq_msgsize = 16};
    mqd_t q = rsipc_mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    FUZZ_ASSERT(q != (mqd_t)-1, "mq_open");
    semid = rsipc_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    FUZZ_ASSERT(semid >= 0, "semget");
    int queued = 0;
    for (int op = 0; op < MAX_OPS && in->n > 0; op++) {
        uint8_t what = take_u8(in);
        uint8_t state = take_u8(in);
        switch (what % 4) {
        case 0: op_sem(in, state, 0); break;
        case 1: op_sem(in, state, 1); break;
        case 2: op_mq(in, state, q, &queued); break;
        default: op_semtimedop(in, state); break;
        }
    }
    FUZZ_ASSERT(rsipc_mq_close(q) == 0, "mq_close");
    remove_objects();
}
