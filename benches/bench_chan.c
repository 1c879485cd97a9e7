/* The native message channel (rsipc_chan_*, issue 9) against the best
 * kernel queue glibc offers for the same workload: POSIX message queues
 * (mq_send/mq_receive), one message per call, same message size, DEPTH
 * messages deep (a POSIX queue holds at most fs.mqueue.msg_max, 10 by
 * default, without CAP_SYS_RESOURCE: then it gets that, and the run says so
 * on stderr). Every queue is created (and a POSIX queue's name removed)
 * before the fork, outside the timed region; the channel is anonymous,
 * inherited over fork(). Children run on the other CPU.
 *
 * Rows:
 * - one-way latency, both sides awake: a ping-pong of 8-byte messages over
 *   two queues, half the mean round trip. Both receivers spin: the channel's
 *   blocking receive spins (bounded) before it would sleep, which a round trip
 *   of well under a microsecond never exhausts; the POSIX side polls an
 *   O_NONBLOCK descriptor, the kernel queue's way of never sleeping.
 * - one-way latency, receiver asleep: each 8-byte message carries the time
 *   it was sent, and the receiver adds up (receive returned - send called).
 *   Before each send the sender waits until the receiver has taken the
 *   previous message (a counter in shared memory) and then until /proc
 *   shows it sleeping (state S; it does nothing but receive, so it sleeps in
 *   the receive call: in its futex, or in the kernel queue). So every
 *   message wakes a sleeping process. (Checking the counter first matters:
 *   a process whose wake-up is still pending on its CPU shows S too.)
 * - pollable one-way latency: the "receiver asleep" row again (left), against
 *   a receiver asleep in epoll_wait on rsipc_chan_pollfd(ch, POLLIN) that
 *   then receives with timeout 0 (right), timestamped the same way: the
 *   doorbell's wake-up against the futex wake.
 * - throughput, 64 B and 4 KiB messages, 1 or PRODUCERS producers (children,
 *   all on the other CPU) and one consumer (the parent), blocking calls on
 *   both sides: the consumer times the messages after the first tenth,
 *   checking each producer's messages arrive once and in order. The 64 B
 *   rows report nanoseconds per message (9 M msg/s = 111 ns), the 4 KiB
 *   rows MiB/s.
 *
 * The limits they are read against are measured in bench_chan_limits.c,
 * the zero-copy and fan-out rows in bench_chan_gen2.c.
 */
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench_chan.h"
#include "rsipc.h"

/* ---- one queue, either kind ------------------------------------------------------ */

typedef enum { KIND_MQ, KIND_CHAN } kind;

typedef struct {
    kind kind;
    size_t size;     /* every message has exactly this many bytes */
    rsipc_chan_t *ch;
    mqd_t mq;        /* blocking descriptor */
    mqd_t mq_poll;   /* the same queue, O_NONBLOCK: the spinning receiver */
} queue;

static long mq_depth_limit(void) {
    long v = 10;
    FILE *f = fopen("/proc/sys/fs/mqueue/msg_max", "r");
    if (f) {
        if (fscanf(f, "%ld", &v) != 1) v = 10;
        fclose(f);
    }
    return v;
}

static void make_mq(queue *q) {
    static unsigned serial;
    static int warned;
    char name[64];
    snprintf(name, sizeof name, "/rsipc_bench.%d.chan.%u", (int)getpid(), serial++);
    struct mq_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.mq_maxmsg = DEPTH;
    attr.mq_msgsize = (long)q->size;
    q->mq = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    if (q->mq == (mqd_t)-1 && errno == EINVAL && mq_depth_limit() < DEPTH) {
        /* Without CAP_SYS_RESOURCE a queue holds at most fs.mqueue.msg_max. */
        attr.mq_maxmsg = mq_depth_limit();
        if (!warned++)
            fprintf(stderr, "rsipc_bench: POSIX queues limited to %ld messages (fs.mqueue.msg_max), channels hold %d\n",
                    attr.mq_maxmsg, DEPTH);
        q->mq = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    }
    if (q->mq == (mqd_t)-1) bench_die("mq_open(%s, maxmsg %ld, msgsize %zu)", name, attr.mq_maxmsg, q->size);
    q->mq_poll = mq_open(name, O_RDWR | O_NONBLOCK);
    if (q->mq_poll == (mqd_t)-1) bench_die("mq_open(%s, O_NONBLOCK)", name);
    /* Gone from the name space at once; the descriptors (and the children's
     * copies) keep the queue alive until the last one is closed. */
    if (mq_unlink(name) != 0) bench_die("mq_unlink(%s)", name);
}

static void queue_make(queue *q, kind k, size_t size) {
    memset(q, 0, sizeof *q);
    q->kind = k;
    q->size = size;
    q->mq = q->mq_poll = (mqd_t)-1;
    if (k == KIND_MQ) {
        make_mq(q);
    } else {
        q->ch = rsipc_chan_create(NULL, size, DEPTH, 0600);
        if (!q->ch) bench_die("rsipc_chan_create(NULL, %zu, %d)", size, DEPTH);
    }
}

static void queue_free(queue *q) {
    if (q->kind == KIND_MQ) {
        if (mq_close(q->mq) != 0 || mq_close(q->mq_poll) != 0) bench_die("mq_close");
    } else if (rsipc_chan_close(q->ch) != 0) {
        bench_die("rsipc_chan_close");
    }
}

/* 0, or -1 with errno. Waits while the queue is full. */
static int queue_send(const queue *q, const void *msg) {
    if (q->kind == KIND_CHAN) return rsipc_chan_send(q->ch, msg, q->size, -1);
    for (;;) {
        if (mq_send(q->mq, msg, q->size, 0) == 0) return 0;
        if (errno != EINTR) return -1;
    }
}

/* 0, or -1 with errno. `spin`: the POSIX side polls its O_NONBLOCK
 * descriptor instead of sleeping in the kernel; the channel's receive
 * always spins a bounded while before it sleeps. */
static int queue_recv(const queue *q, void *buf, int spin) {
    ssize_t n;
    if (q->kind == KIND_CHAN) {
        n = rsipc_chan_recv(q->ch, buf, q->size, -1);
    } else {
        mqd_t d = spin ? q->mq_poll : q->mq;
        while ((n = mq_receive(d, buf, q->size, NULL)) < 0)
            if (errno != EINTR && !(spin && errno == EAGAIN)) return -1;
    }
    if (n < 0) return -1;
    if ((size_t)n != q->size) {
        errno = EBADMSG;
        return -1;
    }
    return 0;
}

/* ---- one-way latency, both sides awake ------------------------------------------------ */

typedef struct {
    queue down, up;
    size_t total; /* rounds including the warm-up */
} pingpong_job;

static int pingpong_child(void *arg) {
    pingpong_job *j = arg;
    for (uint64_t i = 0; i < j->total; i++) {
        uint64_t v;
        if (queue_recv(&j->down, &v, 1) != 0) return bench_child_fail("ping-pong receive %llu", (unsigned long long)i);
        if (v != i) {
            errno = 0;
            return bench_child_fail("ping-pong message %llu holds %llu", (unsigned long long)i, (unsigned long long)v);
        }
        if (queue_send(&j->up, &v) != 0) return bench_child_fail("ping-pong send %llu", (unsigned long long)i);
    }
    return 0;
}

static double pingpong(kind k, const bench_args *a) {
    pingpong_job j;
    queue_make(&j.down, k, 8);
    queue_make(&j.up, k, 8);
    size_t warm = warmup_of(a->count);
    j.total = warm + a->count;
    pid_t pid = bench_spawn(pingpong_child, &j);
    uint64_t t0 = 0;
    for (uint64_t i = 0; i < j.total; i++) {
        if (i == warm) t0 = bench_now_ns();
        uint64_t v = i;
        if (queue_send(&j.down, &v) != 0) bench_die("ping-pong send %llu", (unsigned long long)i);
        if (queue_recv(&j.up, &v, 1) != 0) bench_die("ping-pong receive %llu", (unsigned long long)i);
        if (v != i) {
            errno = 0;
            bench_die("ping-pong reply %llu holds %llu", (unsigned long long)i, (unsigned long long)v);
        }
    }
    uint64_t t1 = bench_now_ns();
    bench_reap(pid);
    queue_free(&j.down);
    queue_free(&j.up);
    return bench_ns_per(t0, t1, 2 * a->count);
}

static double mq_pingpong(const bench_args *a) { return pingpong(KIND_MQ, a); }
static double chan_pingpong(const bench_args *a) { return pingpong(KIND_CHAN, a); }

/* ---- the distribution of the awake round trips ------------------------------------------- */

/* The awake row above reports the mean of 20000 round trips per repetition,
 * which one long round trip in a few hundred (a receiver that went to sleep,
 * a vCPU the host preempted) can move by tens of nanoseconds. These rows time
 * every round trip (the time-stamp counter on x86, calibrated against
 * CLOCK_MONOTONIC over the same loop; elsewhere the clock itself) and report
 * half its median (p50) and half its 99th percentile (p99): a p50 that
 * stays put while the mean moves says the tail moved, not the protocol. With
 * RSIPC_BENCH_VERBOSE set, each repetition also prints on stderr how many
 * times the two processes slept in the loop (voluntary context switches:
 * a channel call that ends its spin sleeps in its futex). */
static long voluntary_switches(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) bench_die("getrusage");
    return ru.ru_nvcsw;
}

typedef struct {
    pingpong_job pp;
    _Atomic long *child_sleeps;
} pct_job;

static int pct_child(void *arg) {
    pct_job *j = arg;
    long before = voluntary_switches();
    int r = pingpong_child(&j->pp);
    atomic_store(j->child_sleeps, voluntary_switches() - before);
    return r;
}

static double pingpong_pct(kind k, const bench_args *a, double pct) {
    pct_job j;
    queue_make(&j.pp.down, k, 8);
    queue_make(&j.pp.up, k, 8);
    j.child_sleeps = bench_shared_alloc(4096);
    size_t warm = warmup_of(a->count);
    j.pp.total = warm + a->count;
    uint64_t *rt = bench_alloc(a->count * sizeof *rt);
    pid_t pid = bench_spawn(pct_child, &j);
    uint64_t ns0 = 0, tk0 = 0;
    long sleeps0 = 0;
    for (uint64_t i = 0; i < j.pp.total; i++) {
        if (i == warm) {
            sleeps0 = voluntary_switches();
            ns0 = bench_now_ns();
            tk0 = ticks();
        }
        uint64_t v = i, start = ticks();
        if (queue_send(&j.pp.down, &v) != 0) bench_die("ping-pong send %llu", (unsigned long long)i);
        if (queue_recv(&j.pp.up, &v, 1) != 0) bench_die("ping-pong receive %llu", (unsigned long long)i);
        if (i >= warm) rt[i - warm] = ticks() - start;
        if (v != i) {
            errno = 0;
            bench_die("ping-pong reply %llu holds %llu", (unsigned long long)i, (unsigned long long)v);
        }
    }
    uint64_t tk1 = ticks(), ns1 = bench_now_ns();
    long sleeps = voluntary_switches() - sleeps0;
    bench_reap(pid);
    double ns_per_tick = tk1 > tk0 ? (double)(ns1 - ns0) / (double)(tk1 - tk0) : 1.0;
    if (getenv("RSIPC_BENCH_VERBOSE"))
        fprintf(stderr, "  %s ping-pong: %zu round trips, mean %.1f ns one-way; sleeps: parent %ld, child %ld\n",
                k == KIND_CHAN ? "chan" : "mq", a->count, bench_ns_per(ns0, ns1, 2 * a->count), sleeps,
                atomic_load(j.child_sleeps));
    double r = half_percentile(rt, a->count, pct, ns_per_tick);
    free(rt);
    munmap((void *)j.child_sleeps, 4096);
    queue_free(&j.pp.down);
    queue_free(&j.pp.up);
    return r;
}

static double mq_pp_p50(const bench_args *a) { return pingpong_pct(KIND_MQ, a, 50); }
static double chan_pp_p50(const bench_args *a) { return pingpong_pct(KIND_CHAN, a, 50); }
static double mq_pp_p99(const bench_args *a) { return pingpong_pct(KIND_MQ, a, 99); }
static double chan_pp_p99(const bench_args *a) { return pingpong_pct(KIND_CHAN, a, 99); }

/* ---- one-way latency, receiver asleep ------------------------------------------------- */

/* Waits until the process whose /proc/PID/stat is open as `fd` is asleep
 * (state S: blocked in a system call; a running or preempted process shows
 * R). */
static void wait_asleep(int fd) {
    char buf[512];
    for (;;) {
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        if (n <= 0) bench_die("reading the receiver's /proc/PID/stat");
        buf[n] = 0;
        const char *paren = strrchr(buf, ')'); /* after the command name, which may hold anything */
        if (!paren || paren[1] != ' ') {
            errno = 0;
            bench_die("unexpected /proc/PID/stat: %s", buf);
        }
        if (paren[2] == 'S') return;
        if (paren[2] == 'Z' || paren[2] == 'X') {
            errno = 0;
            bench_die("the receiver died");
        }
    }
}

static int open_stat(pid_t pid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) bench_die("open %s", path);
    return fd;
}

/* Shared with the receiving child, each word on its own cache line. */
typedef struct {
    _Atomic size_t acked; /* messages the receiver has taken (and timed) */
    char pad0[64 - sizeof(size_t)];
    _Atomic unsigned word; /* the futex limit's futex word */
    char pad1[64 - sizeof(unsigned)];
    _Atomic uint64_t stamp; /* the futex limit's send time */
    char pad2[64 - sizeof(uint64_t)];
    double mean_ns; /* the receiver's verdict */
} asleep_shared;

typedef struct {
    queue q; /* unused by the futex limit */
    size_t warm, count;
    asleep_shared *sh;
} asleep_job;

/* Before message i: once the receiver has taken message i - 1 (so any
 * wake-up of the previous round is over and its /proc state is fresh), wait
 * until it sleeps again, in its next receive. */
static void wait_receiver_asleep(const asleep_job *j, size_t i, int stat) {
    while (atomic_load_explicit(&j->sh->acked, memory_order_acquire) != i) {
    }
    wait_asleep(stat);
}

static void receiver_took(asleep_job *j, size_t i, uint64_t now, uint64_t sent, uint64_t *sum) {
    if (i >= j->warm) *sum += now - sent;
    atomic_store_explicit(&j->sh->acked, i + 1, memory_order_release);
}

static int asleep_child(void *arg) {
    asleep_job *j = arg;
    uint64_t sum = 0;
    for (size_t i = 0; i < j->warm + j->count; i++) {
        uint64_t sent;
        if (queue_recv(&j->q, &sent, 0) != 0) return bench_child_fail("receive %zu", i);
        receiver_took(j, i, bench_now_ns(), sent, &sum);
    }
    j->sh->mean_ns = (double)sum / (double)j->count;
    return 0;
}

static asleep_shared *asleep_setup(asleep_job *j, const bench_args *a) {
    j->warm = warmup_of(a->count);
    j->count = a->count;
    j->sh = bench_shared_alloc(sizeof *j->sh);
    return j->sh;
}

static double asleep_finish(asleep_job *j, pid_t pid, int stat) {
    bench_reap(pid);
    close(stat);
    double mean = j->sh->mean_ns;
    munmap(j->sh, sizeof *j->sh);
    return mean;
}

/* The "receiver asleep" measurement with `receiver` as the child's body. */
static double asleep_with(kind k, int (*receiver)(void *), const bench_args *a) {
    asleep_job j;
    memset(&j, 0, sizeof j);
    queue_make(&j.q, k, 8);
    asleep_setup(&j, a);
    pid_t pid = bench_spawn(receiver, &j);
    int stat = open_stat(pid);
    for (size_t i = 0; i < j.warm + j.count; i++) {
        wait_receiver_asleep(&j, i, stat);
        uint64_t now = bench_now_ns();
        if (queue_send(&j.q, &now) != 0) bench_die("send %zu", i);
    }
    double mean = asleep_finish(&j, pid, stat);
    queue_free(&j.q);
    return mean;
}

static double asleep(kind k, const bench_args *a) { return asleep_with(k, asleep_child, a); }
static double mq_asleep(const bench_args *a) { return asleep(KIND_MQ, a); }
static double chan_asleep(const bench_args *a) { return asleep(KIND_CHAN, a); }

/* The limit under those two: the bare futex wake of a sleeping waiter,
 * timestamped the same way (the time is stored, then the word, then
 * FUTEX_WAKE; the waiter reads the clock when FUTEX_WAIT returns). */
static int futex_asleep_child(void *arg) {
    asleep_job *j = arg;
    uint64_t sum = 0;
    for (size_t i = 0; i < j->warm + j->count; i++) {
        while (atomic_load_explicit(&j->sh->word, memory_order_acquire) == (unsigned)i)
            syscall(SYS_futex, &j->sh->word, FUTEX_WAIT, (unsigned)i, NULL, NULL, 0);
        uint64_t now = bench_now_ns();
        receiver_took(j, i, now, atomic_load_explicit(&j->sh->stamp, memory_order_relaxed), &sum);
    }
    j->sh->mean_ns = (double)sum / (double)j->count;
    return 0;
}

static double futex_asleep(const bench_args *a) {
    asleep_job j;
    memset(&j, 0, sizeof j);
    asleep_setup(&j, a);
    pid_t pid = bench_spawn(futex_asleep_child, &j);
    int stat = open_stat(pid);
    for (size_t i = 0; i < j.warm + j.count; i++) {
        wait_receiver_asleep(&j, i, stat);
        atomic_store_explicit(&j.sh->stamp, bench_now_ns(), memory_order_relaxed);
        atomic_store_explicit(&j.sh->word, (unsigned)i + 1, memory_order_release);
        syscall(SYS_futex, &j.sh->word, FUTEX_WAKE, 1, NULL, NULL, 0);
    }
    return asleep_finish(&j, pid, stat);
}

/* The pollable receiver: it sleeps in epoll_wait on the channel's POLLIN
 * descriptor (rsipc_chan_pollfd, made in this process) and takes each
 * message with a receive that does not wait, timed as asleep_child times
 * its blocking receive; the next receive's EAGAIN re-arms the descriptor
 * before the next sleep (docs/channel.md, "Pollable"). The sender is the
 * same as for the "receiver asleep" row: its send finds the poller's bit
 * where it looks for futex sleepers, and rings the doorbell. */
static int poll_receive(asleep_job *j, int ep) {
    struct epoll_event ev;
    uint64_t sum = 0;
    for (size_t i = 0; i < j->warm + j->count;) {
        uint64_t sent;
        ssize_t n = rsipc_chan_recv(j->q.ch, &sent, sizeof sent, 0);
        if (n == (ssize_t)sizeof sent) {
            receiver_took(j, i, bench_now_ns(), sent, &sum);
            i++;
        } else if (n >= 0 || errno != EAGAIN) {
            return bench_child_fail("receive %zu", i);
        } else if (epoll_wait(ep, &ev, 1, -1) < 0 && errno != EINTR) {
            return bench_child_fail("epoll_wait");
        }
    }
    j->sh->mean_ns = (double)sum / (double)j->count;
    return 0;
}

static int poll_asleep_child(void *arg) {
    asleep_job *j = arg;
    int rc, fd = rsipc_chan_pollfd(j->q.ch, POLLIN);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN};
    if (fd < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0)
        rc = bench_child_fail("epoll on rsipc_chan_pollfd");
    else
        rc = poll_receive(j, ep);
    if (ep >= 0) close(ep);
    /* Closing the handle removes its doorbell's socket file from /dev/shm. */
    if (rsipc_chan_close(j->q.ch) != 0 && rc == 0) rc = bench_child_fail("rsipc_chan_close");
    return rc;
}

static double poll_asleep(const bench_args *a) { return asleep_with(KIND_CHAN, poll_asleep_child, a); }

/* ---- throughput ----------------------------------------------------------------------- */

typedef struct {
    queue q;
    int go[2];        /* a pipe: one byte per producer starts it */
    size_t per;       /* messages per producer */
    unsigned id;      /* this producer's number (set before each fork) */
} flow_job;

/* Every message starts with (producer << 48 | sequence number). */
#define SEQ_BITS 48

static int producer(void *arg) {
    flow_job *j = arg;
    char *buf = malloc(j->q.size);
    if (!buf) return bench_child_fail("malloc");
    memset(buf, 0x5a, j->q.size);
    if (bench_recv_byte_child(j->go[0]) != 0) return bench_child_fail("go byte");
    for (uint64_t s = 0; s < j->per; s++) {
        uint64_t tag = (uint64_t)j->id << SEQ_BITS | s;
        memcpy(buf, &tag, sizeof tag);
        if (queue_send(&j->q, buf) != 0) return bench_child_fail("producer %u send %llu", j->id, (unsigned long long)s);
    }
    free(buf);
    return 0;
}

/* Runs `producers` producers of `messages` messages in all (plus a tenth to
 * warm up) into one consumer; returns the nanoseconds the consumer took per
 * message after the warm-up, through *measured the messages timed. */
static double flow(kind k, size_t size, unsigned producers, size_t messages, size_t *measured) {
    flow_job j;
    memset(&j, 0, sizeof j);
    queue_make(&j.q, k, size);
    if (pipe(j.go) != 0) bench_die("pipe");
    size_t warm = warmup_of(messages);
    j.per = (warm + messages + producers - 1) / producers;
    size_t total = j.per * producers;
    pid_t pids[PRODUCERS];
    for (unsigned p = 0; p < producers; p++) {
        j.id = p;
        pids[p] = bench_spawn(producer, &j);
    }
    char *buf = bench_alloc(size);
    uint64_t next[PRODUCERS] = {0};
    for (unsigned p = 0; p < producers; p++) bench_send_byte(j.go[1]);
    uint64_t t0 = 0;
    for (size_t n = 0; n < total; n++) {
        if (n == warm) t0 = bench_now_ns();
        if (queue_recv(&j.q, buf, 0) != 0) bench_die("receive %zu of %zu", n, total);
        uint64_t tag;
        memcpy(&tag, buf, sizeof tag);
        uint64_t p = tag >> SEQ_BITS, s = tag & (((uint64_t)1 << SEQ_BITS) - 1);
        if (p >= producers || s != next[p]) {
            errno = 0;
            bench_die("message %zu: producer %llu sequence %llu, expected %llu", n, (unsigned long long)p,
                      (unsigned long long)s, p < producers ? (unsigned long long)next[p] : 0ULL);
        }
        next[p]++;
    }
    uint64_t t1 = bench_now_ns();
    for (unsigned p = 0; p < producers; p++) bench_reap(pids[p]);
    free(buf);
    close(j.go[0]);
    close(j.go[1]);
    queue_free(&j.q);
    *measured = total - warm;
    return bench_ns_per(t0, t1, total - warm);
}

/* 64 B rows: a->count messages, ns per message. */
static double flow_ns(kind k, unsigned producers, const bench_args *a) {
    size_t measured;
    return flow(k, a->size, producers, a->count, &measured);
}

/* 4 KiB rows: a->count bytes, MiB/s. */
static double flow_mibs(kind k, unsigned producers, const bench_args *a) {
    size_t measured;
    double ns = flow(k, a->size, producers, a->count / a->size, &measured);
    return (double)a->size / (double)MiB / (ns / 1e9);
}

static double mq_flow1(const bench_args *a) { return flow_ns(KIND_MQ, 1, a); }
static double chan_flow1(const bench_args *a) { return flow_ns(KIND_CHAN, 1, a); }
static double mq_flowp(const bench_args *a) { return flow_ns(KIND_MQ, PRODUCERS, a); }
static double chan_flowp(const bench_args *a) { return flow_ns(KIND_CHAN, PRODUCERS, a); }
static double mq_bulk1(const bench_args *a) { return flow_mibs(KIND_MQ, 1, a); }
static double chan_bulk1(const bench_args *a) { return flow_mibs(KIND_CHAN, 1, a); }
static double mq_bulkp(const bench_args *a) { return flow_mibs(KIND_MQ, PRODUCERS, a); }
static double chan_bulkp(const bench_args *a) { return flow_mibs(KIND_CHAN, PRODUCERS, a); }

/* Issue 9's targets are in the names of the limit rows they refer to. */
static const bench_row rows[] = {
    /* name, unit, glibc, rsipc, size, quick count, full count */
    {"cache line one-way latency, again next to the chan rows (awake target: chan <= 1.5x)", BENCH_NS,
     cache_line_spin, NULL, 0, 20000, 200000},
    {"cache line one-way latency, spins pausing as the channel's do", BENCH_NS, cache_line_pause, NULL, 0, 20000,
     200000},
    {"one-way latency, 8 B ping-pong, both sides awake (POSIX mq polls)", BENCH_NS, mq_pingpong, chan_pingpong, 8,
     2000, 20000},
    {"awake one-way, plain cache-line ping-pong (left) vs chan 8 B ping-pong (right), alternated in one row "
     "(target: right <= 1.25x left)",
     BENCH_NS, cache_line_spin, chan_pingpong, 8, 2000, 20000},
    {"awake one-way, cache-line ping-pong pausing as the channel's spins do (left) vs chan 8 B ping-pong (right), "
     "alternated in one row",
     BENCH_NS, cache_line_pause, chan_pingpong, 8, 2000, 20000},
    {"awake one-way, the channel's slot protocol written out in C, without the library (left) vs chan 8 B ping-pong "
     "(right), alternated in one row: the ratio is what the library adds to its protocol",
     BENCH_NS, slot_model_pingpong, chan_pingpong, 8, 2000, 20000},
    {"cache line one-way latency, pausing spins, p50 of the round trips", BENCH_NS, cache_line_p50, NULL, 0, 20000,
     200000},
    {"cache line one-way latency, pausing spins, p99 of the round trips", BENCH_NS, cache_line_p99, NULL, 0, 20000,
     200000},
    {"one-way latency, 8 B ping-pong, both sides awake, p50 of the round trips", BENCH_NS, mq_pp_p50, chan_pp_p50, 8,
     2000, 20000},
    {"one-way latency, 8 B ping-pong, both sides awake, p99 of the round trips", BENCH_NS, mq_pp_p99, chan_pp_p99, 8,
     2000, 20000},
    {"futex wake of a sleeping waiter, one-way, timestamped like the chan row (asleep target: chan <= 1.1x)",
     BENCH_NS, futex_asleep, NULL, 8, 300, 1500},
    {"one-way latency, 8 B, receiver asleep (timestamped)", BENCH_NS, mq_asleep, chan_asleep, 8, 300, 1500},
    {"pollable one-way latency, 8 B, receiver asleep (timestamped): in rsipc_chan_recv, a futex wake (left) vs in "
     "epoll_wait on rsipc_chan_pollfd, then rsipc_chan_recv with timeout 0 (right); ratio = the epoll wake-up's cost "
     "over the futex wake's",
     BENCH_NS, chan_asleep, poll_asleep, 8, 300, 1500},
    {"minimal SPSC ring between the processes, 64 B messages, ns per message (target: chan <= 111 = 9 M msg/s)",
     BENCH_NS, ring_ns, NULL, 64, 200000, 2000000},
    {"throughput, 64 B messages, 1 producer 1 consumer (ns per message)", BENCH_NS, mq_flow1, chan_flow1, 64, 20000,
     200000},
    {"throughput, 64 B messages, 3 producers 1 consumer (ns per message)", BENCH_NS, mq_flowp, chan_flowp, 64, 20000,
     200000},
    {"cross-core copy, 4 KiB messages through a 64-slot shared ring (target: chan >= 70%)", BENCH_MIBS, ring_mibs,
     NULL, 4 * KiB, 128 * MiB, 1024 * MiB},
    {"throughput, 4 KiB messages, 1 producer 1 consumer", BENCH_MIBS, mq_bulk1, chan_bulk1, 4 * KiB, 32 * MiB,
     256 * MiB},
    {"throughput, 4 KiB messages, 3 producers 1 consumer", BENCH_MIBS, mq_bulkp, chan_bulkp, 4 * KiB, 32 * MiB,
     256 * MiB},
    {"cross-core copy, 64 KiB messages through a 64-slot shared ring", BENCH_MIBS, ring_mibs, NULL, 64 * KiB,
     256 * MiB, 1024 * MiB},
    {"zero-copy, 4 KiB messages written and read in full, copying send/recv (left) vs loan/borrow (right) "
     "(target: right >= 2x left)",
     BENCH_MIBS, chan_copy_flow, chan_loan_flow, 4 * KiB, 32 * MiB, 256 * MiB},
    {"zero-copy, 64 KiB messages written and read in full, copying send/recv (left) vs loan/borrow (right) "
     "(target: right >= 2x left)",
     BENCH_MIBS, chan_copy_flow, chan_loan_flow, 64 * KiB, 64 * MiB, 512 * MiB},
    {"zero-copy ceiling, 4 KiB messages written and read in full through the minimal ring, no claims and no calls: "
     "copying (left) vs in place (right); the most the zero-copy row can gain on this machine",
     BENCH_MIBS, ring_zc_copy, ring_zc_place, 4 * KiB, 32 * MiB, 256 * MiB},
    {"zero-copy ceiling, 64 KiB messages written and read in full through the minimal ring, no claims and no calls: "
     "copying (left) vs in place (right)",
     BENCH_MIBS, ring_zc_copy, ring_zc_place, 64 * KiB, 64 * MiB, 512 * MiB},
    {"zero-copy ceiling with the locked operations of a multi-producer multi-consumer slot protocol (claims by "
     "compare-exchange, publication and release by locked exchange), 4 KiB: copying (left) vs in place (right)",
     BENCH_MIBS, ring_zc_copy_locked, ring_zc_place_locked, 4 * KiB, 32 * MiB, 256 * MiB},
    {"zero-copy ceiling with the locked operations of a multi-producer multi-consumer slot protocol, 64 KiB: "
     "copying (left) vs in place (right)",
     BENCH_MIBS, ring_zc_copy_locked, ring_zc_place_locked, 64 * KiB, 64 * MiB, 512 * MiB},
    {"fan-out, 64 B messages, 1 producer 1 consumer point-to-point (left) vs broadcast to 1 subscriber (right), "
     "ns per message delivered to all",
     BENCH_NS, chan_flow1, fan_out1, 64, 20000, 200000},
    {"fan-out, 64 B messages, point-to-point 1 to 1 (left) vs broadcast to 4 subscribers (right), ns per message "
     "delivered to all",
     BENCH_NS, chan_flow1, fan_out4, 64, 20000, 200000},
    {"fan-out, 64 B messages, point-to-point 1 to 1 (left) vs broadcast to 8 subscribers (right), ns per message "
     "delivered to all",
     BENCH_NS, chan_flow1, fan_out8, 64, 20000, 200000},
};

BENCH_GROUP(chan, rows);
