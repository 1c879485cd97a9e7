/* POSIX message queue sender: creates the queue named on the command line
 * (O_CREAT|O_EXCL, room for 10 messages of up to 64 bytes) and sends five
 * messages with different priorities, then closes its descriptor. The
 * messages stay in the queue after the sender exits; mq_recv.c reads them.
 */
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>

#include "rsipc.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s /QUEUE-NAME\n", argv[0]);
        return 2;
    }
    const char *name = argv[1];
    const struct {
        const char *text;
        unsigned prio;
    } messages[] = {
        {"routine report", 1}, {"disk almost full", 10}, {"another routine report", 1}, {"fire!", 30}, {"lunch", 5},
    };
    struct mq_attr attr = {0};
    attr.mq_maxmsg = 10;
    attr.mq_msgsize = 64;

    mqd_t mq = rsipc_mq_open(name, O_CREAT | O_EXCL | O_WRONLY, 0600, &attr);
    if (mq == (mqd_t)-1) {
        fprintf(stderr, "mq_open: %s\n", rsipc_last_error());
        return 1;
    }
    for (size_t i = 0; i < sizeof messages / sizeof *messages; i++) {
        if (rsipc_mq_send(mq, messages[i].text, strlen(messages[i].text), messages[i].prio) == -1) {
            fprintf(stderr, "mq_send: %s\n", rsipc_last_error());
            rsipc_mq_close(mq);
            rsipc_mq_unlink(name);
            return 1;
        }
        printf("sent (priority %2u): %s\n", messages[i].prio, messages[i].text);
    }
    if (rsipc_mq_close(mq) == -1) {
        fprintf(stderr, "mq_close: %s\n", rsipc_last_error());
        rsipc_mq_unlink(name);
        return 1;
    }
    return 0;
}
