/* Multi-producer fan-in: PRODUCERS forked children send numbered messages
 * into one anonymous channel (name == NULL: shared across fork()); the parent
 * receives them all, checks that each producer's messages arrive in the order
 * sent, and prints a summary and the channel's counters. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rsipc.h"

enum { PRODUCERS = 4, EACH = 25000 };

struct msg {
    uint32_t producer;
    uint32_t seq;
    char text[24];
};

static int producer(rsipc_chan_t *ch, uint32_t id) {
    struct msg m;
    for (uint32_t i = 0; i < EACH; i++) {
        m.producer = id;
        m.seq = i;
        snprintf(m.text, sizeof m.text, "p%u #%u", id, i);
        if (rsipc_chan_send(ch, &m, sizeof m, 10000) != 0) {
            fprintf(stderr, "producer %u: %s\n", id, rsipc_last_error());
            return 1;
        }
    }
    return 0;
}

int main(void) {
    struct msg m;
    /* 16 slots for 100000 messages: the producers keep filling the ring
     * while the parent drains it. */
    rsipc_chan_t *ch = rsipc_chan_create(NULL, sizeof(struct msg), 16, 0);
    if (ch == NULL) {
        fprintf(stderr, "chan_create: %s\n", rsipc_last_error());
        return 1;
    }
    pid_t pids[PRODUCERS];
    for (uint32_t p = 0; p < PRODUCERS; p++) {
        pids[p] = fork();
        if (pids[p] < 0) {
            perror("fork");
            return 1;
        }
        if (pids[p] == 0) _exit(producer(ch, p));
    }

    uint32_t next[PRODUCERS] = {0};
    char last[PRODUCERS][sizeof m.text] = {{0}};
    long out_of_order = 0;
    for (long n = 0; n < (long)PRODUCERS * EACH; n++) {
        ssize_t got = rsipc_chan_recv(ch, &m, sizeof m, 10000);
        if (got != (ssize_t)sizeof m || m.producer >= PRODUCERS) {
            fprintf(stderr, "recv: %s\n", got < 0 ? rsipc_last_error() : "unexpected message");
            return 1;
        }
        if (m.seq != next[m.producer]) out_of_order++;
        next[m.producer] = m.seq + 1;
        memcpy(last[m.producer], m.text, sizeof m.text);
    }
    int failed = 0;
    for (int p = 0; p < PRODUCERS; p++) {
        int status;
        if (waitpid(pids[p], &status, 0) != pids[p] || !WIFEXITED(status) || WEXITSTATUS(status) != 0) failed = 1;
    }
    for (int p = 0; p < PRODUCERS; p++) {
        last[p][sizeof m.text - 1] = '\0';
        printf("producer %d: %u messages received, the last one \"%s\"\n", p, next[p], last[p]);
    }
    printf("messages out of their sender's order: %ld\n", out_of_order);

    struct rsipc_chan_stats st;
    if (rsipc_chan_stats(ch, &st) != 0) {
        fprintf(stderr, "chan_stats: %s\n", rsipc_last_error());
        return 1;
    }
    printf("channel: capacity %llu, max_msg %llu, sent %llu, received %llu, queued %llu, lost %llu\n",
           (unsigned long long)st.capacity, (unsigned long long)st.max_msg, (unsigned long long)st.sent,
           (unsigned long long)st.received, (unsigned long long)st.queued, (unsigned long long)st.lost);
    if (rsipc_chan_close(ch) != 0) {
        fprintf(stderr, "chan_close: %s\n", rsipc_last_error());
        return 1;
    }
    return failed || out_of_order != 0;
}
