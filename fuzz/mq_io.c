/* rsipc_mq_send / rsipc_mq_timedsend / rsipc_mq_receive /
 * rsipc_mq_timedreceive / rsipc_mq_getattr on one real queue, against a
 * model of its messages: contents, lengths, priorities, buffers, deadlines.
 * Input: [maxmsg u8][msgsize u16] then operations, each
 * [op u8][len][prio][timespec][flags u8].
 * The queue has 1..8 messages of 1..512 bytes; calls without a deadline go
 * through an O_NONBLOCK descriptor, timed ones through a blocking one with
 * a deadline that is never in the future when the call would wait — no call
 * can block.
 * Holds: send: NULL with len > 0 -> EFAULT, len > mq_msgsize -> EMSGSIZE,
 * prio >= MQ_PRIO_MAX -> EINVAL, full -> EAGAIN (ETIMEDOUT timed), else
 * queued; receive: NULL -> EFAULT or an earlier answer of the kernel
 * (nothing taken), a buffer smaller than mq_msgsize ->
 * EMSGSIZE (the message stays), empty -> EAGAIN (ETIMEDOUT timed), else the
 * oldest message of the highest priority, its bytes and priority exact and
 * nothing written past its length (guard bytes); a deadline with tv_nsec
 * outside 0..999999999 or a negative tv_sec -> EINVAL, checked even when the
 * call would not wait; mq_curmsgs always the model's count. */
#include <mqueue.h>
#include <time.h>

#include "fuzz.h"

#define MAX_OPS 48
#define MAX_MSGS 8
#define MAX_SIZE 512
#define GUARD 0xA5

struct msg {
    unsigned prio;
    size_t len;
    uint32_t seed;
};
static struct msg queue[MAX_MSGS];
static int count;
static char qname[64];
static unsigned char out[MAX_SIZE + 1024], in_buf[MAX_SIZE + 4096 + 64];

static unsigned char byte_of(uint32_t seed, size_t i) {
    return (unsigned char)(seed * 2654435761u + i * 40503u + (i >> 8));
}

/* The next message out: highest priority, oldest first. */
static int next_index(void) {
    int best = 0;
    for (int i = 1; i < count; i++)
        if (queue[i].prio > queue[best].prio) best = i;
    return best;
}

static size_t take_len(struct fuzz_in *in, long msgsize) {
    static const size_t edges[] = {0, 1, SIZE_MAX, (size_t)SSIZE_MAX + 1, (size_t)SSIZE_MAX};
    uint8_t sel = take_u8(in);
    if (sel < 32) return edges[sel % 5];
    if (sel < 96) return (size_t)msgsize + (sel % 4) - 1; /* around mq_msgsize */
    return take_u16(in) % (MAX_SIZE + 64);
}

static unsigned take_prio(struct fuzz_in *in) {
    static const unsigned edges[] = {0, 1, MQ_PRIO_MAX - 1, MQ_PRIO_MAX, UINT_MAX};
    uint8_t sel = take_u8(in);
    if (sel < 64) return edges[sel % 5];
    return take_u16(in) % 40; /* a few, so that equal priorities meet */
}

/* A deadline from the input; `would_wait`: pulled into the past, so the
 * call cannot sleep. `valid`: whether the kernel accepts it. */
static struct timespec take_deadline(struct fuzz_in *in, int would_wait, int *valid) {
    static const long nsec_edges[] = {0, 1, 999999999, 1000000000, -1, LONG_MAX, LONG_MIN};
    static const time_t sec_edges[] = {0, 1, -1, LONG_MIN, LONG_MAX};
    struct timespec ts;
    uint8_t sel = take_u8(in);
    ts.tv_sec = sel & 1 ? sec_edges[(sel >> 1) % 5] : (time_t)(int32_t)take_u32(in);
    ts.tv_nsec = sel & 0x40 ? nsec_edges[(sel >> 4) % 7] : (long)(take_u32(in) % 1000000000u);
    *valid = ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000 && ts.tv_sec >= 0;
    if (*valid && would_wait) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        if (ts.tv_sec >= now.tv_sec) ts.tv_sec = now.tv_sec - 1;
    }
    return ts;
}

static void check_attr(mqd_t q, long maxmsg, long msgsize) {
    struct mq_attr a;
    FUZZ_ASSERT(rsipc_mq_getattr(q, &a) == 0, "getattr");
    FUZZ_ASSERT(a.mq_curmsgs == count && a.mq_maxmsg == maxmsg && a.mq_msgsize == msgsize,
                "attributes %ld/%ld/%ld, model %d/%ld/%ld", a.mq_curmsgs, a.mq_maxmsg, a.mq_msgsize, count, maxmsg,
                msgsize);
}

static void op_send(struct fuzz_in *in, mqd_t nb, mqd_t blocking, long maxmsg, long msgsize, int timed,
                    uint8_t flags) {
    size_t len = take_len(in, msgsize);
    unsigned prio = take_prio(in);
    int full = count == maxmsg;
    int valid = 1;
    struct timespec ts = timed ? take_deadline(in, full, &valid) : (struct timespec){0, 0};
    int null = (flags & 1) && len > 0;
    uint32_t seed = take_u32(in);
    size_t fill = len < sizeof out ? len : sizeof out;
    for (size_t i = 0; i < fill; i++) out[i] = byte_of(seed, i);
    struct fuzz_errs want = {.n = 0};
    if (null) fuzz_errs_add(&want, EFAULT);
    if (len > (size_t)msgsize) fuzz_errs_add(&want, EMSGSIZE);
    if (prio >= MQ_PRIO_MAX) fuzz_errs_add(&want, EINVAL);
    if (!valid) fuzz_errs_add(&want, EINVAL);
    if (want.n == 0 && full) {
        fuzz_errs_add(&want, timed ? ETIMEDOUT : EAGAIN);
        if (timed) fuzz_errs_add(&want, EINTR); /* libFuzzer's SIGALRM, in the wait */
    }
    /* A length the buffer does not have is only passed when it must be
     * refused before any byte is read (more than mq_msgsize). */
    FUZZ_ASSERT(len <= sizeof out || len > (size_t)msgsize, "harness: length");
    errno = 0;
    int r = timed ? rsipc_mq_timedsend(blocking, null ? NULL : (char *)out, len, prio, &ts)
                  : rsipc_mq_send(nb, null ? NULL : (char *)out, len, prio);
    const char *name = timed ? "mq_timedsend" : "mq_send";
    if (want.n) {
        fuzz_expect_failure_of(name, r, -1, want.e, want.n);
        return;
    }
    FUZZ_ASSERT(r == 0, "%s of %zu bytes, prio %u failed", name, len, prio);
    queue[count++] = (struct msg){prio, len, seed};
}

static void op_receive(struct fuzz_in *in, mqd_t nb, mqd_t blocking, long msgsize, int timed, uint8_t flags) {
    size_t len = take_len(in, msgsize);
    int empty = count == 0;
    int valid = 1;
    struct timespec ts = timed ? take_deadline(in, empty, &valid) : (struct timespec){0, 0};
    int null = (flags & 1) && len > 0;
    unsigned prio = 0xdeadbeef;
    unsigned *prio_p = flags & 2 ? NULL : &prio;
    /* The buffer is guard bytes throughout: a length larger than it only
     * comes with mq_msgsize (at most MAX_SIZE) well inside it, and the
     * kernel writes at most the message. */
    memset(in_buf, GUARD, sizeof in_buf);
    struct fuzz_errs want = {.n = 0};
    if (len < (size_t)msgsize) fuzz_errs_add(&want, EMSGSIZE);
    if (!valid) fuzz_errs_add(&want, EINVAL);
    if (want.n == 0 && empty) {
        fuzz_errs_add(&want, timed ? ETIMEDOUT : EAGAIN);
        if (timed) fuzz_errs_add(&want, EINTR); /* libFuzzer's SIGALRM, in the wait */
    }
    /* A NULL buffer is EFAULT after the kernel's own answers (which stay
     * acceptable), never a message taken. */
    if (null) fuzz_errs_add(&want, EFAULT);
    errno = 0;
    ssize_t r = timed ? rsipc_mq_timedreceive(blocking, null ? NULL : (char *)in_buf, len, prio_p, &ts)
                      : rsipc_mq_receive(nb, null ? NULL : (char *)in_buf, len, prio_p);
    const char *name = timed ? "mq_timedreceive" : "mq_receive";
    if (want.n) {
        fuzz_expect_failure_of(name, r, -1, want.e, want.n);
        for (size_t i = 0; i < sizeof in_buf; i++) FUZZ_ASSERT(in_buf[i] == GUARD, "a failed %s wrote byte %zu", name, i);
        FUZZ_ASSERT(prio == 0xdeadbeef, "a failed %s stored a priority", name);
        return;
    }
    int i = next_index();
    struct msg m = queue[i];
    FUZZ_ASSERT(r == (ssize_t)m.len, "%s returned %zd, the next message has %zu bytes", name, r, m.len);
    if (prio_p) FUZZ_ASSERT(prio == m.prio, "priority %u, want %u", prio, m.prio);
    for (size_t b = 0; b < m.len; b++) FUZZ_ASSERT(in_buf[b] == byte_of(m.seed, b), "byte %zu of the message", b);
    for (size_t b = m.len; b < sizeof in_buf; b++)
        FUZZ_ASSERT(in_buf[b] == GUARD, "%s wrote byte %zu past the %zu-byte message", name, b, m.len);
    memmove(&queue[i], &queue[i + 1], (size_t)(count - i - 1) * sizeof queue[0]);
    count--;
}

static void remove_objects(void) {
    if (qname[0]) mq_unlink(qname);
}

static void fuzz_one(struct fuzz_in *in) {
    long maxmsg = 1 + take_u8(in) % MAX_MSGS;
    long msgsize = 1 + take_u16(in) % MAX_SIZE;
    snprintf(qname, sizeof qname, "%sio", fuzz_prefix());
    fuzz_cleanup = remove_objects;
    struct mq_attr attr = {.mq_maxmsg = maxmsg, .mq_msgsize = msgsize};
    mqd_t nb = rsipc_mq_open(qname, O_RDWR | O_CREAT | O_EXCL | O_NONBLOCK, 0600, &attr);
    FUZZ_ASSERT(nb != (mqd_t)-1, "mq_open");
    mqd_t blocking = rsipc_mq_open(qname, O_RDWR);
    FUZZ_ASSERT(blocking != (mqd_t)-1, "mq_open");
    count = 0;
    for (int op = 0; op < MAX_OPS && in->n > 0; op++) {
        uint8_t what = take_u8(in);
        uint8_t flags = what >> 3;
        switch (what % 5) {
        case 0: op_send(in, nb, blocking, maxmsg, msgsize, 0, flags); break;
        case 1: op_send(in, nb, blocking, maxmsg, msgsize, 1, flags); break;
        case 2: op_receive(in, nb, blocking, msgsize, 0, flags); break;
        case 3: op_receive(in, nb, blocking, msgsize, 1, flags); break;
        default: check_attr(what & 8 ? nb : blocking, maxmsg, msgsize); break;
        }
    }
    check_attr(nb, maxmsg, msgsize);
    FUZZ_ASSERT(rsipc_mq_close(nb) == 0 && rsipc_mq_close(blocking) == 0, "mq_close");
    FUZZ_ASSERT(rsipc_mq_unlink(qname) == 0, "mq_unlink");
    qname[0] = '\0';
}
