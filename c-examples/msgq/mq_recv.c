/* POSIX message queue receiver: opens the queue mq_send.c filled and takes
 * the messages with mq_timedreceive, each with a deadline of 200 ms from
 * now: they come out highest priority first, oldest first within one
 * priority. When the queue stays empty until the deadline the receive
 * times out (ETIMEDOUT), which ends the loop; the receiver then closes and
 * unlinks the queue. */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rsipc.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s /QUEUE-NAME\n", argv[0]);
        return 2;
    }
    const char *name = argv[1];
    int status = 0;

    mqd_t mq = rsipc_mq_open(name, O_RDONLY);
    if (mq == (mqd_t)-1) {
        fprintf(stderr, "mq_open: %s\n", rsipc_last_error());
        rsipc_mq_unlink(name);
        return 1;
    }
    struct mq_attr attr;
    if (rsipc_mq_getattr(mq, &attr) == -1) {
        fprintf(stderr, "mq_getattr: %s\n", rsipc_last_error());
        status = 1;
        goto out;
    }
    printf("queue holds %ld messages\n", attr.mq_curmsgs);

    char buf[64 + 1];
    for (;;) {
        struct timespec deadline;
        if (clock_gettime(CLOCK_REALTIME, &deadline) == -1) {
            perror("clock_gettime");
            status = 1;
            break;
        }
        deadline.tv_nsec += 200 * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        unsigned prio;
        ssize_t n = rsipc_mq_timedreceive(mq, buf, sizeof buf - 1, &prio, &deadline);
        if (n == -1 && errno == ETIMEDOUT) {
            printf("no message within 200 ms: %s\n", strerror(errno));
            break;
        }
        if (n == -1) {
            fprintf(stderr, "mq_timedreceive: %s\n", rsipc_last_error());
            status = 1;
            break;
        }
        buf[n] = '\0';
        printf("received (priority %2u): %s\n", prio, buf);
    }
out:
    if (rsipc_mq_close(mq) == -1) {
        fprintf(stderr, "mq_close: %s\n", rsipc_last_error());
        status = 1;
    }
    if (rsipc_mq_unlink(name) == -1) {
        fprintf(stderr, "mq_unlink: %s\n", rsipc_last_error());
        status = 1;
    }
    return status;
}
