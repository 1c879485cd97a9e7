/* chan_producer NAME COUNT — creates the channel NAME (4 slots, so it fills
 * up and the producer waits for the consumer), announces it on stdout, then
 * sends COUNT numbered messages followed by "quit". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsipc.h"

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s NAME COUNT\n", argv[0]);
        return 2;
    }
    const char *name = argv[1];
    int count = atoi(argv[2]);

    rsipc_chan_t *ch = rsipc_chan_create(name, 64, 4, 0600);
    if (ch == NULL) {
        fprintf(stderr, "producer: %s\n", rsipc_last_error());
        return 1;
    }
    /* The driver starts the consumer once it reads this line. */
    printf("producer: channel created (64-byte messages, 4 slots)\n");
    fflush(stdout);

    char msg[64];
    for (int i = 1; i <= count; i++) {
        int len = snprintf(msg, sizeof msg, "message %d of %d", i, count);
        /* Waits (at most 10 s) whenever the 4 slots are full. */
        if (rsipc_chan_send(ch, msg, (size_t)len, 10000) != 0) {
            fprintf(stderr, "producer: %s\n", rsipc_last_error());
            rsipc_chan_close(ch);
            return 1;
        }
    }
    if (rsipc_chan_send(ch, "quit", 4, 10000) != 0) {
        fprintf(stderr, "producer: %s\n", rsipc_last_error());
        rsipc_chan_close(ch);
        return 1;
    }
    printf("producer: sent %d messages and quit\n", count);
    if (rsipc_chan_close(ch) != 0) {
        fprintf(stderr, "producer: %s\n", rsipc_last_error());
        return 1;
    }
    return 0;
}
