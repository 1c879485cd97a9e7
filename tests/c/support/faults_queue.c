/* The message-queue fault cases (faults.h), for any queue mechanism behind
 * struct fault_queue: test_faults_msg.c (System V) and test_faults_mq.c
 * (POSIX) run the same cases on their own queue. */
#include "faults.h"

#include <stdint.h>

/* The mechanism of the cases running now. */
static const struct fault_queue *qops;

static int q_send(const struct qmsg *m, int rsipc) { return qops->send(m, rsipc); }

/* One message into *m: 0, or -1 with errno (EMSGSIZE for a wrong size). */
static int q_recv(struct qmsg *m, int rsipc) {
    ssize_t n = qops->recv(m, rsipc);
    if (n == -1) return -1;
    if (n != (ssize_t)sizeof *m) {
        errno = EMSGSIZE;
        return -1;
    }
    return 0;
}

/* A fresh queue for a test, or a failed check (and nothing left). */
static int queue_ready(int depth) {
    int ok = qops->create(depth) == 0;
    CHECK(ok);
    if (!ok) cleanup_all();
    return ok;
}

static void q_end(void) {
    struct qmsg end = {1, 0, 0};
    CHECK(q_send(&end, 1) == 0);
}

/* The victim sender: numbered messages, each confirmed once sent. */
static int victim_sender(void *arg) {
    (void)arg;
    for (uint64_t seq = 0;; seq++) {
        struct qmsg m = {0, 0, seq};
        STORE(sh->pending, POSTING);
        if (q_send(&m, 1) != 0) return 1;
        BUMP(sh->confirmed);
        STORE(sh->pending, NONE);
    }
}

struct receiver_args {
    int rsipc;
    int victim;
};

/* Receives until an end message; marks each sequence number seen and
 * checks the order. The victim receiver confirms each message it got. */
static int receiver(void *arg) {
    struct receiver_args *a = arg;
    if (qops->child_open(a->rsipc) != 0) return 1;
    long last = -1;
    for (;;) {
        struct qmsg m;
        if (a->victim) STORE(sh->pending, WAITING);
        if (q_recv(&m, a->rsipc) != 0) {
            if (errno == EMSGSIZE) BUMP(sh->size_errors);
            return 2;
        }
        if (m.end) return 0;
        if (m.seq >= MAX_SEQ) return 3;
        __atomic_fetch_add(&sh->seen[m.seq], 1, __ATOMIC_SEQ_CST);
        if ((long)m.seq <= last) BUMP(sh->order_errors);
        last = (long)m.seq;
        if (a->victim) {
            BUMP(sh->confirmed);
            STORE(sh->pending, NONE);
        } else {
            BUMP(sh->received);
        }
    }
}
/* Checks that the survivor got sequence numbers 0..n-1 exactly once each
 * and in order, where n is what the dead sender confirmed (plus possibly
 * its message in flight, if `in_flight_possible`). */
static void check_sender_kill(const char *what, int in_flight_possible) {
    long confirmed = sh->confirmed, got = sh->received;
    int ok = got == confirmed || (in_flight_possible && sh->pending == POSTING && got == confirmed + 1);
    for (long i = 0; i < got && i < MAX_SEQ; i++) ok &= sh->seen[i] == 1;
    ok &= sh->order_errors == 0 && sh->size_errors == 0;
    if (!ok)
        fprintf(stderr,
                "%s: the dead sender confirmed %ld messages, the survivor received %ld (in flight: %d), %ld out of "
                "order\n",
                what, confirmed, got, sh->pending, sh->order_errors);
    CHECK(ok);
}

/* A sender killed at a random count while a survivor receives. */
static void test_queue_sender_killed_at_random(int round) {
    reset_shared();
    if (!queue_ready(4)) return;
    struct receiver_args ra = {round % 2, 0};
    pid_t survivor = spawn(receiver, &ra);
    pid_t victim = spawn(victim_sender, NULL);
    long k = rng_range(1, 20000);
    int ok;
    WAIT_UNTIL(LOAD(sh->confirmed) >= k, ok);
    CHECK(ok);
    CHECK(kill_victim(victim));
    q_end();
    CHECK(survivor_ok(survivor, "receiver"));
    check_sender_kill(qops->name, 1);
    CHECK(qops->count() == 0);
    cleanup_all();
}

/* A sender killed while blocked on a full queue: its blocked message was
 * not queued; the survivor receives exactly the confirmed ones. */
static void test_queue_sender_killed_while_blocked(int round) {
    reset_shared();
    long depth = rng_range(1, 8);
    if (!queue_ready((int)depth)) return;
    pid_t victim = spawn(victim_sender, NULL);
    CHECK(blocked_in(victim, qops->send_nr, qops->send_nr));
    CHECK(kill_victim(victim));
    CHECK(sh->confirmed == depth && qops->count() == depth);
    struct receiver_args ra = {round % 2, 0};
    pid_t survivor = spawn(receiver, &ra);
    q_end();
    CHECK(survivor_ok(survivor, "receiver"));
    check_sender_kill(qops->name, 0);
    cleanup_all();
}

/* Sends `n` numbered messages, then says so. */
static long sender_count;
static int survivor_sender(void *arg) {
    int rsipc = *(int *)arg;
    if (qops->child_open(rsipc) != 0) return 1;
    for (long seq = 0; seq < sender_count; seq++) {
        struct qmsg m = {0, 0, (uint64_t)seq};
        if (q_send(&m, rsipc) != 0) return 2;
    }
    STORE(sh->sender_done, 1);
    return 0;
}

/* Every message sent was taken by the victim (confirmed) or the survivor,
 * exactly once, except possibly the one the victim had in flight. */
static void check_receiver_kill(const char *what, long sent, int in_flight_possible) {
    long missing = 0, duplicated = 0;
    for (long i = 0; i < sent; i++) {
        if (sh->seen[i] == 0) missing++;
        if (sh->seen[i] > 1) duplicated++;
    }
    int ok = duplicated == 0 && sh->order_errors == 0 && sh->size_errors == 0 &&
             (missing == 0 || (missing == 1 && in_flight_possible && sh->pending == WAITING));
    /* The victim marks a message seen just before confirming it. */
    long unconfirmed = sent - missing - sh->received - sh->confirmed;
    ok &= unconfirmed == 0 || (unconfirmed == 1 && sh->pending == WAITING);
    if (!ok)
        fprintf(stderr, "%s: %ld sent, the dead receiver confirmed %ld, the survivor received %ld: %ld missing, %ld "
                        "duplicated, %ld out of order (in flight: %d)\n",
                what, sent, sh->confirmed, sh->received, missing, duplicated, sh->order_errors, sh->pending);
    CHECK(ok);
}

/* A receiver killed at a random count while a survivor receives too. */
static void test_queue_receiver_killed_at_random(int round) {
    reset_shared();
    if (!queue_ready(4)) return;
    sender_count = 20000;
    long k = rng_range(1, 2000);
    struct receiver_args victim_args = {1, 1}, survivor_args = {round % 2, 0};
    int sender_rsipc = (round / 2) % 2;
    pid_t victim = spawn(receiver, &victim_args);
    pid_t survivor = spawn(receiver, &survivor_args);
    pid_t sender = spawn(survivor_sender, &sender_rsipc);
    /* Until the victim confirmed k messages, or it starves with the sender
     * done and the queue empty. */
    int ok;
    WAIT_UNTIL(LOAD(sh->confirmed) >= k ||
                   (LOAD(sh->sender_done) && sleeping_in(victim) == qops->recv_nr && qops->count() == 0),
               ok);
    CHECK(ok);
    CHECK(kill_victim(victim));
    CHECK(survivor_ok(sender, "sender"));
    q_end();
    CHECK(survivor_ok(survivor, "receiver"));
    check_receiver_kill(qops->name, sender_count, 1);
    CHECK(qops->count() == 0);
    cleanup_all();
}

/* A receiver killed while blocked on an empty queue takes nothing with it:
 * a survivor then receives every message sent. */
static void test_queue_receiver_killed_while_blocked(int round) {
    reset_shared();
    if (!queue_ready(8)) return;
    struct receiver_args victim_args = {1, 1}, survivor_args = {round % 2, 0};
    pid_t victim = spawn(receiver, &victim_args);
    CHECK(blocked_in(victim, qops->recv_nr, qops->recv_nr));
    CHECK(kill_victim(victim));
    sender_count = rng_range(1, 500);
    int sender_rsipc = round % 2 == 0;
    pid_t survivor = spawn(receiver, &survivor_args);
    pid_t sender = spawn(survivor_sender, &sender_rsipc);
    CHECK(survivor_ok(sender, "sender"));
    q_end();
    CHECK(survivor_ok(survivor, "receiver"));
    CHECK(sh->confirmed == 0 && sh->received == sender_count);
    check_receiver_kill(qops->name, sender_count, 0);
    cleanup_all();
}

void queue_kill_cases(const struct fault_queue *q, int round) {
    qops = q;
    test_queue_sender_killed_at_random(round);
    test_queue_sender_killed_while_blocked(round);
    test_queue_receiver_killed_at_random(round);
    test_queue_receiver_killed_while_blocked(round);
}

/* --- EINTR: a receive on an empty queue, a send to a full one ------------- */

static int eintr_queue_setup(int full) {
    if (qops->create(2) != 0) return -1;
    struct qmsg m = {0, 0, 0};
    for (int i = 0; full && i < 2; i++)
        if (q_send(&m, 1) != 0) return -1;
    return 0;
}
static int eintr_queue_empty_setup(void) { return eintr_queue_setup(0); }
static int eintr_queue_full_setup(void) { return eintr_queue_setup(1); }
static long eintr_queue_recv(int rsipc) {
    struct qmsg m;
    if (qops->child_open(rsipc) != 0) return -2;
    return q_recv(&m, rsipc);
}
static long eintr_queue_send(int rsipc) {
    struct qmsg m = {0, 0, 1};
    if (qops->child_open(rsipc) != 0) return -2;
    return q_send(&m, rsipc);
}
static void eintr_queue_give(void) {
    struct qmsg m = {0, 0, 7};
    q_send(&m, 1);
}
static void eintr_queue_take(void) {
    struct qmsg m;
    q_recv(&m, 1);
}

void queue_eintr_cases(const struct fault_queue *q) {
    qops = q;
    const struct eintr_case cases[] = {
        {q->recv_call, q->recv_nr, q->recv_nr, eintr_queue_empty_setup, eintr_queue_recv, eintr_queue_give,
         eintr_nothing},
        {q->send_call, q->send_nr, q->send_nr, eintr_queue_full_setup, eintr_queue_send, eintr_queue_take,
         eintr_nothing},
    };
    eintr_compare_with_glibc(cases, sizeof cases / sizeof cases[0]);
}
