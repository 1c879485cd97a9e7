/* Thread cancellation of the channel's blocking calls, through the public
 * header: a thread blocked in rsipc_chan_recv on an empty channel, or in
 * rsipc_chan_send on a full one, is cancelled (deferred and asynchronous
 * cancel types): its cleanup handler runs, pthread_join gives
 * PTHREAD_CANCELED, the process lives on, and the channel still works with
 * consistent stats. A pending cancel acts once a call has to sleep, and
 * never on a call that does not.
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

enum op { RECV_EMPTY, SEND_FULL };

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
    if (v->op == RECV_EMPTY)
        rsipc_chan_recv(v->ch, buf, sizeof buf, -1);
    else
        rsipc_chan_send(v->ch, "x", 1, -1);
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

/* A fresh channel of capacity 2, empty (RECV_EMPTY) or full (SEND_FULL). */
static rsipc_chan_t *channel_for(enum op op) {
    rsipc_chan_t *ch = rsipc_chan_create(NULL, 8, 2, 0);
    CHECK(ch != NULL);
    if (ch && op == SEND_FULL) {
        CHECK(rsipc_chan_send(ch, "a", 1, 0) == 0);
        CHECK(rsipc_chan_send(ch, "b", 1, 0) == 0);
    }
    return ch;
}

/* After the cancelled call: the channel works and its stats add up, with
 * nothing sent, taken or lost by the cancelled thread. */
static void check_channel_still_works(rsipc_chan_t *ch, enum op op) {
    char buf[8];
    struct rsipc_chan_stats s;
    CHECK(rsipc_chan_stats(ch, &s) == 0);
    if (op == RECV_EMPTY) {
        CHECK(s.sent == 0 && s.received == 0 && s.queued == 0 && s.lost == 0);
        CHECK(rsipc_chan_send(ch, "m", 1, 0) == 0);
        CHECK(rsipc_chan_recv(ch, buf, sizeof buf, 0) == 1 && buf[0] == 'm');
        CHECK(rsipc_chan_stats(ch, &s) == 0);
        CHECK(s.sent == 1 && s.received == 1 && s.queued == 0 && s.lost == 0);
    } else {
        CHECK(s.sent == 2 && s.received == 0 && s.queued == 2 && s.lost == 0);
        CHECK(rsipc_chan_recv(ch, buf, sizeof buf, 0) == 1 && buf[0] == 'a');
        CHECK(rsipc_chan_recv(ch, buf, sizeof buf, 0) == 1 && buf[0] == 'b');
        CHECK(rsipc_chan_send(ch, "c", 1, 0) == 0);
        CHECK(rsipc_chan_send(ch, "d", 1, 0) == 0);
        CHECK(rsipc_chan_recv(ch, buf, sizeof buf, 0) == 1 && buf[0] == 'c');
        CHECK(rsipc_chan_recv(ch, buf, sizeof buf, 0) == 1 && buf[0] == 'd');
        CHECK(rsipc_chan_stats(ch, &s) == 0);
        CHECK(s.sent == 4 && s.received == 4 && s.queued == 0 && s.lost == 0);
    }
    CHECK(rsipc_chan_recv(ch, buf, sizeof buf, 0) == -1 && errno == EAGAIN);
}

/* A thread asleep in the call is cancelled. */
static void test_cancel_while_asleep(enum op op, int type) {
    rsipc_chan_t *ch = channel_for(op);
    if (!ch) return;
    struct victim v = {.ch = ch, .op = op, .type = type};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, victim_main, &v) == 0);
    CHECK(wait_asleep(&v.tid));
    CHECK(pthread_cancel(t) == 0);
    void *ret = NULL;
    CHECK(pthread_join(t, &ret) == 0);
    CHECK(ret == PTHREAD_CANCELED);
    CHECK(v.cleaned == 1);
    if (ret == PTHREAD_CANCELED && v.cleaned) cancelled_calls++;
    check_channel_still_works(ch, op);
    rsipc_chan_close(ch);
}

/* A cancel pending when the call starts acts once it has to sleep. */
static void test_pending_cancel_acts_when_the_call_sleeps(enum op op) {
    rsipc_chan_t *ch = channel_for(op);
    if (!ch) return;
    pthread_barrier_t gate;
    pthread_barrier_init(&gate, NULL, 2);
    struct victim v = {.ch = ch, .op = op, .type = PTHREAD_CANCEL_DEFERRED, .gate = &gate};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, victim_main, &v) == 0);
    while (!v.tid) sched_yield();
    CHECK(pthread_cancel(t) == 0);
    pthread_barrier_wait(&gate);
    void *ret = NULL;
    CHECK(pthread_join(t, &ret) == 0);
    CHECK(ret == PTHREAD_CANCELED && v.cleaned == 1);
    if (ret == PTHREAD_CANCELED && v.cleaned) cancelled_calls++;
    check_channel_still_works(ch, op);
    pthread_barrier_destroy(&gate);
    rsipc_chan_close(ch);
}

/* A call that does not have to sleep never acts on a pending cancel: the
 * message goes through, and the cancel acts at the next cancellation point. */
struct quick {
    rsipc_chan_t *ch;
    pthread_barrier_t *gate;
    volatile int sent, received;
};

static void *quick_main(void *arg) {
    struct quick *q = arg;
    char buf[8];
    pthread_barrier_wait(q->gate);
    q->sent = rsipc_chan_send(q->ch, "q", 1, -1) == 0;
    q->received = rsipc_chan_recv(q->ch, buf, sizeof buf, -1) == 1;
    pthread_testcancel();
    return NULL;
}

static void test_a_call_that_need_not_sleep_ignores_a_pending_cancel(void) {
    rsipc_chan_t *ch = rsipc_chan_create(NULL, 8, 2, 0);
    CHECK(ch != NULL);
    if (!ch) return;
    pthread_barrier_t gate;
    pthread_barrier_init(&gate, NULL, 2);
    struct quick q = {.ch = ch, .gate = &gate};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, quick_main, &q) == 0);
    CHECK(pthread_cancel(t) == 0);
    pthread_barrier_wait(&gate);
    void *ret = NULL;
    CHECK(pthread_join(t, &ret) == 0);
    CHECK(ret == PTHREAD_CANCELED);
    CHECK(q.sent && q.received);
    struct rsipc_chan_stats s;
    CHECK(rsipc_chan_stats(ch, &s) == 0);
    CHECK(s.sent == 1 && s.received == 1 && s.queued == 0 && s.lost == 0);
    pthread_barrier_destroy(&gate);
    rsipc_chan_close(ch);
}

int main(void) {
    int runs = 0;
    for (int round = 0; round < 3; round++) {
        test_cancel_while_asleep(RECV_EMPTY, PTHREAD_CANCEL_DEFERRED);
        test_cancel_while_asleep(RECV_EMPTY, PTHREAD_CANCEL_ASYNCHRONOUS);
        test_cancel_while_asleep(SEND_FULL, PTHREAD_CANCEL_DEFERRED);
        test_cancel_while_asleep(SEND_FULL, PTHREAD_CANCEL_ASYNCHRONOUS);
        test_pending_cancel_acts_when_the_call_sleeps(RECV_EMPTY);
        test_pending_cancel_acts_when_the_call_sleeps(SEND_FULL);
        runs += 6;
    }
    test_a_call_that_need_not_sleep_ignores_a_pending_cancel();
    printf("cancelled channel calls: %d of %d, 0 aborts (the process is alive)\n", cancelled_calls, runs);
    CHECK(cancelled_calls == runs);
    return check_summary("test_chan_cancel");
}
