/* Thread cancellation of the channel's blocking calls, through the public
 * header: a thread blocked in rsipc_chan_recv on an empty channel, or in
 * rsipc_chan_send on a full one, is cancelled (deferred and asynchronous
 * cancel types): its cleanup handler runs, pthread_join gives
 * PTHREAD_CANCELED, the process lives on, and the channel still works with
 * consistent stats. A pending cancel acts once a call has to sleep, and
 * never on a call that does not. The same for a broadcast channel: a
 * subscriber blocked in rsipc_chan_recv with nothing published (its entry
 * stays consistent and its handle usable), and the publisher blocked in
 * rsipc_chan_send for room under RSIPC_CHAN_BLOCK_PUBLISHER (the channel
 * stays usable, the message it was sending is not published).
 *
 * A thread is known to be asleep by /proc/self/task/TID/syscall naming
 * futex (202 on x86-64, 98 on aarch64), never by sleeping. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

/* The blocked call: point-to-point, or on a broadcast channel of capacity 2
 * (a subscriber's receive, the publisher's send). */
enum op { RECV_EMPTY, SEND_FULL, SUB_RECV_EMPTY, PUB_SEND_FULL };

static int is_send(enum op op) {
    return op == SEND_FULL || op == PUB_SEND_FULL;
}

struct victim {
    rsipc_chan_t *ch;
    enum op op;
    int type;                 /* PTHREAD_CANCEL_DEFERRED or _ASYNCHRONOUS */
    volatile pid_t tid;       /* set by the thread before it blocks */
    volatile int cleaned;     /* set by its cleanup handler */
    pthread_barrier_t *gate;  /* if set: wait here (not a cancellation point) first */
};

static void cleanup(void *arg) {
    ((struct victim *)arg)->cleaned = 1;
}

static void *victim_main(void *arg) {
    struct victim *v = arg;
    char buf[8];
    pthread_cleanup_push(cleanup, v);
    v->tid = (pid_t)syscall(SYS_gettid);
    if (v->gate) pthread_barrier_wait(v->gate);
    int old;
    pthread_setcanceltype(v->type, &old);
    if (is_send(v->op))
        rsipc_chan_send(v->ch, "x", 1, -1);
    else
        rsipc_chan_recv(v->ch, buf, sizeof buf, -1);
    pthread_setcanceltype(old, &old);
    pthread_cleanup_pop(0);
    return NULL; /* reached only if the call returned: a failure */
}

/* Whether thread `tid` of this process sits in a futex system call now. */
static int in_futex(pid_t tid) {
    char path[64], text[64] = {0};
    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    int ok = fgets(text, sizeof text, f) != NULL;
    fclose(f);
    return ok && atol(text) == SYS_futex;
}

/* Polls until `tid` sleeps in futex; 0 after a minute. */
static int wait_asleep(volatile pid_t *tid) {
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        if (*tid && in_futex(*tid)) return 1;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > 60) return 0;
        sched_yield();
    }
}

static int cancelled_calls = 0;

/* The channel of a test: `ch` is the handle the blocked call uses; on a
 * broadcast channel `peer` is the other side (the publisher of a
 * subscriber, the one subscriber of the publisher). */
struct chan {
    rsipc_chan_t *ch, *peer;
};

/* A broadcast channel of capacity 2 (its name already removed: the handles
 * keep it) with one subscriber: `pub` and `sub`. */
static int broadcast_pair(rsipc_chan_t **pub, rsipc_chan_t **sub) {
    static int n;
    char name[64];
    snprintf(name, sizeof name, "/rsipc-test-chan-cancel-%d-%d", (int)getpid(), n++);
    *pub = rsipc_chan_create_broadcast(name, 8, 2, 0600, RSIPC_CHAN_BLOCK_PUBLISHER);
    CHECK(*pub != NULL);
    if (!*pub) return 0;
    *sub = rsipc_chan_subscribe(name);
    CHECK(*sub != NULL);
    CHECK(rsipc_chan_unlink(name) == 0);
    if (*sub) return 1;
    rsipc_chan_close(*pub);
    return 0;
}

/* A fresh channel of capacity 2 for `op`: empty for a receive, full for a
 * send (on a broadcast channel: two messages its subscriber has not taken).
 * 0 if it could not be made. */
static int channel_for(enum op op, struct chan *c) {
    c->peer = NULL;
    if (op == RECV_EMPTY || op == SEND_FULL) {
        c->ch = rsipc_chan_create(NULL, 8, 2, 0);
        CHECK(c->ch != NULL);
    } else if (op == SUB_RECV_EMPTY) {
        if (!broadcast_pair(&c->peer, &c->ch)) return 0;
    } else if (!broadcast_pair(&c->ch, &c->peer)) {
        return 0;
    }
    if (!c->ch) return 0;
    if (is_send(op)) {
        CHECK(rsipc_chan_send(c->ch, "a", 1, 0) == 0);
        CHECK(rsipc_chan_send(c->ch, "b", 1, 0) == 0);
        CHECK(rsipc_chan_send(c->ch, "x", 1, 0) == -1 && errno == EAGAIN);
    }
    return 1;
}

static void channel_close(struct chan *c) {
    rsipc_chan_close(c->ch);
    rsipc_chan_close(c->peer);
}

/* A subscriber's counters are these. */
static void check_sub_stats(rsipc_chan_t *sub, uint64_t published, uint64_t received, uint64_t pending) {
    struct rsipc_chan_sub_stats s;
    CHECK(rsipc_chan_subscriber_stats(sub, &s) == 0);
    CHECK(s.published == published && s.received == received && s.lost == 0 && s.pending == pending);
    CHECK(s.subscribers == 1);
}

/* Receives the one-byte message `want` without waiting. */
static void check_recv(rsipc_chan_t *ch, char want) {
    char buf[8] = {0};
    CHECK(rsipc_chan_recv(ch, buf, sizeof buf, 0) == 1 && buf[0] == want);
}

/* After a cancelled broadcast call: both handles work (the cancelled one's
 * busy flag was given back), the subscriber's entry and counters are
 * consistent, and the cancelled send published nothing. */
static void check_broadcast_still_works(const struct chan *c, enum op op) {
    char buf[8];
    rsipc_chan_t *pub = op == PUB_SEND_FULL ? c->ch : c->peer;
    rsipc_chan_t *sub = op == PUB_SEND_FULL ? c->peer : c->ch;
    if (op == SUB_RECV_EMPTY) {
        check_sub_stats(sub, 0, 0, 0);
        CHECK(rsipc_chan_send(pub, "m", 1, 0) == 0);
        check_recv(sub, 'm');
        check_sub_stats(sub, 1, 1, 0);
    } else {
        check_sub_stats(sub, 2, 0, 2);
        check_recv(sub, 'a');
        check_recv(sub, 'b');
        CHECK(rsipc_chan_send(pub, "c", 1, 0) == 0);
        CHECK(rsipc_chan_send(pub, "d", 1, 0) == 0);
        CHECK(rsipc_chan_send(pub, "e", 1, 0) == -1 && errno == EAGAIN);
        check_recv(sub, 'c');
        check_recv(sub, 'd');
        check_sub_stats(sub, 4, 4, 0);
    }
    CHECK(rsipc_chan_recv(sub, buf, sizeof buf, 0) == -1 && errno == EAGAIN);
}

/* After the cancelled call: the channel works and its stats add up, with
 * nothing sent, taken or lost by the cancelled thread. */
static void check_channel_still_works(const struct chan *c, enum op op) {
    if (op == SUB_RECV_EMPTY || op == PUB_SEND_FULL) {
        check_broadcast_still_works(c, op);
        return;
    }
    rsipc_chan_t *ch = c->ch;
    char buf[8];
    struct rsipc_chan_stats s;
    CHECK(rsipc_chan_stats(ch, &s) == 0);
    if (op == RECV_EMPTY) {
        CHECK(s.sent == 0 && s.received == 0 && s.queued == 0 && s.lost == 0);
        CHECK(rsipc_chan_send(ch, "m", 1, 0) == 0);
        check_recv(ch, 'm');
        CHECK(rsipc_chan_stats(ch, &s) == 0);
        CHECK(s.sent == 1 && s.received == 1 && s.queued == 0 && s.lost == 0);
    } else {
        CHECK(s.sent == 2 && s.received == 0 && s.queued == 2 && s.lost == 0);
        check_recv(ch, 'a');
        check_recv(ch, 'b');
        CHECK(rsipc_chan_send(ch, "c", 1, 0) == 0);
        CHECK(rsipc_chan_send(ch, "d", 1, 0) == 0);
        check_recv(ch, 'c');
        check_recv(ch, 'd');
        CHECK(rsipc_chan_stats(ch, &s) == 0);
        CHECK(s.sent == 4 && s.received == 4 && s.queued == 0 && s.lost == 0);
    }
    CHECK(rsipc_chan_recv(ch, buf, sizeof buf, 0) == -1 && errno == EAGAIN);
}

/* A thread asleep in the call is cancelled. */
static void test_cancel_while_asleep(enum op op, int type) {
    struct chan c;
    if (!channel_for(op, &c)) return;
    struct victim v = {.ch = c.ch, .op = op, .type = type};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, victim_main, &v) == 0);
    CHECK(wait_asleep(&v.tid));
    CHECK(pthread_cancel(t) == 0);
    void *ret = NULL;
    CHECK(pthread_join(t, &ret) == 0);
    CHECK(ret == PTHREAD_CANCELED);
    CHECK(v.cleaned == 1);
    if (ret == PTHREAD_CANCELED && v.cleaned) cancelled_calls++;
    check_channel_still_works(&c, op);
    channel_close(&c);
}

/* A cancel pending when the call starts acts once it has to sleep. */
static void test_pending_cancel_acts_when_the_call_sleeps(enum op op) {
    struct chan c;
    if (!channel_for(op, &c)) return;
    pthread_barrier_t gate;
    pthread_barrier_init(&gate, NULL, 2);
    struct victim v = {.ch = c.ch, .op = op, .type = PTHREAD_CANCEL_DEFERRED, .gate = &gate};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, victim_main, &v) == 0);
    while (!v.tid) sched_yield();
    CHECK(pthread_cancel(t) == 0);
    pthread_barrier_wait(&gate);
    void *ret = NULL;
    CHECK(pthread_join(t, &ret) == 0);
    CHECK(ret == PTHREAD_CANCELED && v.cleaned == 1);
    if (ret == PTHREAD_CANCELED && v.cleaned) cancelled_calls++;
    check_channel_still_works(&c, op);
    pthread_barrier_destroy(&gate);
    channel_close(&c);
}

/* A call that does not have to sleep never acts on a pending cancel: the
 * message goes through, and the cancel acts at the next cancellation point.
 * `sender` and `receiver` are one point-to-point handle, or a broadcast
 * channel's publisher and subscriber. */
struct quick {
    rsipc_chan_t *sender, *receiver;
    pthread_barrier_t *gate;
    volatile int sent, received;
};

static void *quick_main(void *arg) {
    struct quick *q = arg;
    char buf[8];
    pthread_barrier_wait(q->gate);
    q->sent = rsipc_chan_send(q->sender, "q", 1, -1) == 0;
    q->received = rsipc_chan_recv(q->receiver, buf, sizeof buf, -1) == 1;
    pthread_testcancel();
    return NULL;
}

static void test_a_call_that_need_not_sleep_ignores_a_pending_cancel(int broadcast) {
    struct chan c;
    if (!channel_for(broadcast ? SUB_RECV_EMPTY : RECV_EMPTY, &c)) return;
    pthread_barrier_t gate;
    pthread_barrier_init(&gate, NULL, 2);
    struct quick q = {.sender = broadcast ? c.peer : c.ch, .receiver = c.ch, .gate = &gate};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, quick_main, &q) == 0);
    CHECK(pthread_cancel(t) == 0);
    pthread_barrier_wait(&gate);
    void *ret = NULL;
    CHECK(pthread_join(t, &ret) == 0);
    CHECK(ret == PTHREAD_CANCELED);
    CHECK(q.sent && q.received);
    if (broadcast) {
        check_sub_stats(c.ch, 1, 1, 0);
    } else {
        struct rsipc_chan_stats s;
        CHECK(rsipc_chan_stats(c.ch, &s) == 0);
        CHECK(s.sent == 1 && s.received == 1 && s.queued == 0 && s.lost == 0);
    }
    pthread_barrier_destroy(&gate);
    channel_close(&c);
}

int main(void) {
    int runs = 0;
    for (int round = 0; round < 3; round++) {
        for (enum op op = RECV_EMPTY; op <= PUB_SEND_FULL; op++) {
            test_cancel_while_asleep(op, PTHREAD_CANCEL_DEFERRED);
            test_cancel_while_asleep(op, PTHREAD_CANCEL_ASYNCHRONOUS);
            test_pending_cancel_acts_when_the_call_sleeps(op);
            runs += 3;
        }
    }
    test_a_call_that_need_not_sleep_ignores_a_pending_cancel(0);
    test_a_call_that_need_not_sleep_ignores_a_pending_cancel(1);
    printf("cancelled channel calls: %d of %d, 0 aborts (the process is alive)\n", cancelled_calls, runs);
    CHECK(cancelled_calls == runs);
    return check_summary("test_chan_cancel");
}
