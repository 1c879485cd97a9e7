/* chan_consumer NAME — opens the channel NAME, prints every message until
 * "quit", prints the channel's counters, and removes the channel's name. */
#include <stdio.h>
#include <string.h>

#include "rsipc.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s NAME\n", argv[0]);
        return 2;
    }
    const char *name = argv[1];

    rsipc_chan_t *ch = rsipc_chan_open(name);
    if (ch == NULL) {
        fprintf(stderr, "consumer: %s\n", rsipc_last_error());
        return 1;
    }
    char buf[65];
    int received = 0;
    for (;;) {
        ssize_t n = rsipc_chan_recv(ch, buf, sizeof buf - 1, 10000);
        if (n < 0) {
            fprintf(stderr, "consumer: %s\n", rsipc_last_error());
            rsipc_chan_close(ch);
            rsipc_chan_unlink(name);
            return 1;
        }
        buf[n] = '\0';
        if (strcmp(buf, "quit") == 0) break;
        printf("consumer: %s\n", buf);
        received++;
    }
    struct rsipc_chan_stats st;
    if (rsipc_chan_stats(ch, &st) != 0) {
        fprintf(stderr, "consumer: %s\n", rsipc_last_error());
        return 1;
    }
    printf("consumer: %d messages; channel counters: sent %llu, received %llu, queued %llu, lost %llu\n", received,
           (unsigned long long)st.sent, (unsigned long long)st.received, (unsigned long long)st.queued,
           (unsigned long long)st.lost);
    if (rsipc_chan_close(ch) != 0 || rsipc_chan_unlink(name) != 0) {
        fprintf(stderr, "consumer: %s\n", rsipc_last_error());
        return 1;
    }
    return 0;
}
