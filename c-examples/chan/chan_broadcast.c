/* Publish-subscribe: one publisher sends numbered price ticks on a broadcast
 * channel; SUBSCRIBERS forked children each subscribe by name and receive
 * every tick (RSIPC_CHAN_BLOCK_PUBLISHER: a slow subscriber holds the
 * publisher back rather than lose a tick). Each child reports how many
 * ticks it got, how many it lost and a checksum through a pipe; the parent
 * prints the reports in order and removes the channel. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rsipc.h"

enum { SUBSCRIBERS = 3, TICKS = 50000 };

struct tick {
    uint64_t seq;
    uint32_t price; /* in cents */
    char symbol[8];
};

struct report {
    uint64_t received, lost, sum;
};

static int subscriber(const char *name, int ready, int out) {
    rsipc_chan_t *s = rsipc_chan_subscribe(name);
    if (s == NULL) {
        fprintf(stderr, "chan_subscribe: %s\n", rsipc_last_error());
        return 1;
    }
    char c = 'r';
    if (write(ready, &c, 1) != 1) return 1; /* subscribed: ticks from now on are ours */
    struct report r = {0, 0, 0};
    struct tick t;
    do {
        if (rsipc_chan_recv(s, &t, sizeof t, 10000) != (ssize_t)sizeof t) {
            fprintf(stderr, "chan_recv: %s\n", rsipc_last_error());
            return 1;
        }
        r.sum += t.price;
    } while (t.seq != TICKS - 1);
    struct rsipc_chan_sub_stats st;
    if (rsipc_chan_subscriber_stats(s, &st) != 0) return 1;
    r.received = st.received;
    r.lost = st.lost;
    rsipc_chan_close(s);
    return write(out, &r, sizeof r) == (ssize_t)sizeof r ? 0 : 1;
}

int main(void) {
    char name[64];
    snprintf(name, sizeof name, "/rsipc-example-broadcast-%d", (int)getpid());
    /* 32 ticks of 24 bytes: the ring is small, the subscribers keep up. */
    rsipc_chan_t *pub = rsipc_chan_create_broadcast(name, sizeof(struct tick), 32, 0600, RSIPC_CHAN_BLOCK_PUBLISHER);
    if (pub == NULL) {
        fprintf(stderr, "chan_create_broadcast: %s\n", rsipc_last_error());
        return 1;
    }
    int ready[2], out[SUBSCRIBERS][2];
    pid_t pids[SUBSCRIBERS];
    if (pipe(ready) != 0) return 1;
    for (int i = 0; i < SUBSCRIBERS; i++) {
        if (pipe(out[i]) != 0) return 1;
        pids[i] = fork();
        if (pids[i] < 0) return 1;
        if (pids[i] == 0) {
            rsipc_chan_close(pub); /* the publisher's handle stays the parent's */
            _exit(subscriber(name, ready[1], out[i][1]));
        }
    }
    for (int i = 0; i < SUBSCRIBERS; i++) {
        char c;
        if (read(ready[0], &c, 1) != 1) return 1;
    }
    uint64_t sum = 0;
    for (uint64_t i = 0; i < TICKS; i++) {
        struct tick t = {i, (uint32_t)(10000 + i % 997), "RSIPC"};
        sum += t.price;
        if (rsipc_chan_send(pub, &t, sizeof t, 10000) != 0) {
            fprintf(stderr, "chan_send: %s\n", rsipc_last_error());
            return 1;
        }
    }
    printf("published %d ticks to %d subscribers, checksum %llu\n", TICKS, SUBSCRIBERS, (unsigned long long)sum);
    int failed = 0;
    for (int i = 0; i < SUBSCRIBERS; i++) {
        struct report r;
        int status;
        if (read(out[i][0], &r, sizeof r) != (ssize_t)sizeof r) failed = 1;
        else
            printf("subscriber %d: received %llu, lost %llu, checksum %s\n", i, (unsigned long long)r.received,
                   (unsigned long long)r.lost, r.sum == sum ? "matches" : "DIFFERS");
        if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) || WEXITSTATUS(status) != 0) failed = 1;
    }
    struct rsipc_chan_sub_stats st;
    if (rsipc_chan_subscriber_stats(pub, &st) == 0)
        printf("publisher: published %llu, subscribers attached now %llu\n", (unsigned long long)st.published,
               (unsigned long long)st.subscribers);
    rsipc_chan_close(pub);
    rsipc_chan_unlink(name);
    return failed;
}
