/* Broadcast (publish-subscribe) channels between processes:
 *  - one publisher, 8 subscriber processes; while it publishes, 3 of them
 *    are SIGKILLed and 3 new ones subscribe; every surviving subscriber
 *    receives every message from the instant it subscribed, intact and in
 *    order, or (RSIPC_CHAN_DROP_OLDEST only) counts each one it missed in
 *    its `lost` (the sequence numbers in the payloads prove which);
 *  - RSIPC_CHAN_BLOCK_PUBLISHER loses nothing, and dead subscribers stop
 *    holding the publisher back;
 *  - RSIPC_CHAN_DROP_OLDEST: a subscriber that reads only after the whole
 *    stream was published counts its losses, the others are not stalled;
 *  - misuse is -1/NULL with errno.
 * Sizes stay small: 64-byte messages, capacity 16 (about 12 KiB). */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define MAX_MSG 64
#define CAPACITY 16
#define LONG_MS 120000
#define SUBS 8
#define KILLED 3
#define ADDED 3

static char NAME[64];

static size_t msg_len(uint64_t seq) {
    return 8 + (size_t)(seq * 31) % (MAX_MSG - 8);
}

static void fill(uint64_t seq, unsigned char *p, size_t len) {
    memcpy(p, &seq, sizeof seq);
    for (size_t i = sizeof seq; i < len; i++) p[i] = (unsigned char)(seq * 7 + i);
}

static int intact(const unsigned char *p, size_t len, uint64_t *seq) {
    memcpy(seq, p, sizeof *seq);
    if (len != msg_len(*seq)) return 0;
    for (size_t i = sizeof *seq; i < len; i++)
        if (p[i] != (unsigned char)(*seq * 7 + i)) return 0;
    return 1;
}

/* A subscriber process: subscribes, says so on `ready`, waits for a byte on
 * `go` if go >= 0, then receives until message `last`; checks every
 * message and its own counters; exits 0 if all held. */
static void subscriber(int policy, uint64_t last, int ready, int go) {
    rsipc_chan_t *s = rsipc_chan_subscribe(NAME);
    if (!s) _exit(10);
    struct rsipc_chan_sub_stats st0, st;
    if (rsipc_chan_subscriber_stats(s, &st0) != 0) _exit(11);
    uint64_t join = st0.published - st0.pending;
    char b = 'r';
    if (write(ready, &b, 1) != 1) _exit(12);
    if (go >= 0 && read(go, &b, 1) != 1) _exit(13);
    unsigned char buf[MAX_MSG];
    uint64_t next = join, gaps = 0, got = 0, first = UINT64_MAX, seq = 0;
    for (;;) {
        ssize_t n = rsipc_chan_recv(s, buf, sizeof buf, LONG_MS);
        if (n < 0) _exit(14);
        if (!intact(buf, (size_t)n, &seq)) _exit(15);
        if (seq < next) _exit(16);
        if (first == UINT64_MAX) first = seq;
        gaps += seq - next;
        next = seq + 1;
        got++;
        if (seq == last) break;
    }
    if (rsipc_chan_subscriber_stats(s, &st) != 0) _exit(17);
    if (st.received != got || st.lost != gaps) _exit(18);
    if (st.received + st.lost != last + 1 - join) _exit(19);
    if (policy == RSIPC_CHAN_BLOCK_PUBLISHER && st.lost != 0) _exit(20);
    printf("  subscriber %d: joined at %llu, received %llu, lost %llu\n", (int)getpid(), (unsigned long long)join,
           (unsigned long long)st.received, (unsigned long long)st.lost);
    fflush(stdout);
    rsipc_chan_close(s);
    _exit(0);
}

static pid_t spawn(int policy, uint64_t last, int go) {
    int ready[2];
    if (pipe(ready) != 0) return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(ready[0]);
        subscriber(policy, last, ready[1], go);
    }
    close(ready[1]);
    char b;
    /* Subscribed once it says so (or died: then read returns 0). */
    CHECK(read(ready[0], &b, 1) == 1);
    close(ready[0]);
    return pid;
}

static void publish(rsipc_chan_t *p, uint64_t seq) {
    unsigned char buf[MAX_MSG];
    size_t len = msg_len(seq);
    fill(seq, buf, len);
    CHECK(rsipc_chan_send(p, buf, len, LONG_MS) == 0);
}

/* 1 publisher, 8 subscribers; 3 killed and 3 added while it publishes; with
 * `slow`, one more subscriber reads only after everything was published. */
static void test_fan_out_with_kills(int policy, uint64_t count, int slow) {
    rsipc_chan_t *p = rsipc_chan_create_broadcast(NAME, MAX_MSG, CAPACITY, 0600, policy);
    CHECK(p != NULL);
    if (!p) return;
    uint64_t last = count - 1;
    pid_t subs[SUBS + ADDED];
    int n = 0;
    for (int i = 0; i < SUBS; i++) subs[n++] = spawn(policy, last, -1);
    int go[2] = {-1, -1};
    pid_t slow_pid = -1;
    if (slow) {
        CHECK(pipe(go) == 0);
        slow_pid = spawn(policy, last, go[0]);
    }
    for (uint64_t i = 0; i < count; i++) {
        if (i == count / 4) {
            /* Killed at whatever instant they are in (mostly mid-receive). */
            for (int k = 0; k < KILLED; k++) {
                CHECK(kill(subs[k], SIGKILL) == 0);
                CHECK(wait_code(subs[k]) == 128 + SIGKILL);
            }
        }
        if (i == count / 2)
            for (int k = 0; k < ADDED; k++) subs[n++] = spawn(policy, last, -1);
        publish(p, i);
    }
    struct rsipc_chan_sub_stats pst;
    CHECK(rsipc_chan_subscriber_stats(p, &pst) == 0);
    CHECK(pst.published == count && pst.received == 0);
    if (slow) {
        char b = 'g';
        CHECK(write(go[1], &b, 1) == 1);
        CHECK(wait_code(slow_pid) == 0);
        close(go[0]);
        close(go[1]);
    }
    for (int k = KILLED; k < n; k++) CHECK(wait_code(subs[k]) == 0);
    printf("%s: published %llu to %d subscribers (%d killed, %d added%s)\n",
           policy == RSIPC_CHAN_BLOCK_PUBLISHER ? "block publisher" : "drop oldest", (unsigned long long)count,
           SUBS, KILLED, ADDED, slow ? ", one slow" : "");
    rsipc_chan_close(p);
    CHECK(rsipc_chan_unlink(NAME) == 0);
}

/* A slow subscriber under RSIPC_CHAN_DROP_OLDEST: exact losses. */
static void test_drop_oldest_counts_losses(void) {
    rsipc_chan_t *p = rsipc_chan_create_broadcast(NAME, MAX_MSG, CAPACITY, 0600, RSIPC_CHAN_DROP_OLDEST);
    CHECK(p != NULL);
    if (!p) return;
    rsipc_chan_t *s = rsipc_chan_subscribe(NAME);
    CHECK(s != NULL);
    for (uint64_t i = 0; i < 100; i++) publish(p, i);
    unsigned char buf[MAX_MSG];
    uint64_t seq = 0, expect = 100 - CAPACITY;
    ssize_t got;
    while ((got = rsipc_chan_recv(s, buf, sizeof buf, 0)) >= 0) {
        CHECK(intact(buf, (size_t)got, &seq) && seq == expect);
        expect++;
    }
    CHECK(errno == EAGAIN && expect == 100);
    struct rsipc_chan_sub_stats st;
    CHECK(rsipc_chan_subscriber_stats(s, &st) == 0);
    CHECK(st.received == CAPACITY && st.lost == 100 - CAPACITY && st.pending == 0 && st.subscribers == 1);
    printf("drop oldest, one slow subscriber: received %llu, lost %llu of 100\n", (unsigned long long)st.received,
           (unsigned long long)st.lost);
    rsipc_chan_close(s);
    rsipc_chan_close(p);
    CHECK(rsipc_chan_unlink(NAME) == 0);
}

static void test_misuse_is_an_error(void) {
    CHECK_FAILS(rsipc_chan_create_broadcast(NAME, MAX_MSG, CAPACITY, 0600, 0), NULL, EINVAL, "chan_create_broadcast");
    CHECK_FAILS(rsipc_chan_create_broadcast(NAME, MAX_MSG, CAPACITY, 0600, 3), NULL, EINVAL, "chan_create_broadcast");
    CHECK_FAILS(rsipc_chan_create_broadcast(NULL, MAX_MSG, CAPACITY, 0600, RSIPC_CHAN_DROP_OLDEST), NULL, EFAULT,
                "chan_create_broadcast");
    CHECK_FAILS(rsipc_chan_subscribe(NAME), NULL, ENOENT, "chan_subscribe");
    rsipc_chan_t *p = rsipc_chan_create_broadcast(NAME, MAX_MSG, CAPACITY, 0600, RSIPC_CHAN_BLOCK_PUBLISHER);
    CHECK(p != NULL);
    rsipc_chan_t *s = rsipc_chan_subscribe(NAME);
    CHECK(s != NULL);
    CHECK_FAILS(rsipc_chan_open(NAME), NULL, EINVAL, "chan_open");
    CHECK_FAILS(rsipc_chan_send(s, "x", 1, 0), -1, EPERM, "chan_send");
    char buf[MAX_MSG];
    CHECK_FAILS(rsipc_chan_recv(p, buf, sizeof buf, 0), -1, EPERM, "chan_recv");
    CHECK_FAILS(rsipc_chan_recv(s, buf, sizeof buf, 0), -1, EAGAIN, "chan_recv");
    void *loan = NULL;
    CHECK_FAILS(rsipc_chan_loan(p, 8, &loan, 0), -1, EINVAL, "chan_loan");
    struct rsipc_chan_stats cst;
    CHECK_FAILS(rsipc_chan_stats(p, &cst), -1, EINVAL, "chan_stats");
    CHECK_FAILS(rsipc_chan_subscriber_stats(s, NULL), -1, EFAULT, "chan_subscriber_stats");
    CHECK_FAILS(rsipc_chan_send(p, buf, MAX_MSG + 1, 0), -1, EMSGSIZE, "chan_send");
    rsipc_chan_close(s);
    rsipc_chan_close(p);
    CHECK(rsipc_chan_unlink(NAME) == 0);
    rsipc_chan_t *c = rsipc_chan_create(NAME, MAX_MSG, CAPACITY, 0600);
    CHECK(c != NULL);
    CHECK_FAILS(rsipc_chan_subscribe(NAME), NULL, EINVAL, "chan_subscribe");
    struct rsipc_chan_sub_stats sst;
    CHECK_FAILS(rsipc_chan_subscriber_stats(c, &sst), -1, EINVAL, "chan_subscriber_stats");
    rsipc_chan_close(c);
    CHECK(rsipc_chan_unlink(NAME) == 0);
}

int main(void) {
    snprintf(NAME, sizeof NAME, "/rsipc-test-bcast-%d", (int)getpid());
    int full = getenv("RSIPC_STRESS_FULL") != NULL;
    uint64_t count = full ? 200000 : 20000;
    test_misuse_is_an_error();
    test_drop_oldest_counts_losses();
    test_fan_out_with_kills(RSIPC_CHAN_BLOCK_PUBLISHER, count, 0);
    test_fan_out_with_kills(RSIPC_CHAN_DROP_OLDEST, count, 1);
    return check_summary("test_chan_broadcast");
}
