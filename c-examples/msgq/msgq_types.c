/* Message types: one process queues messages of several types on a private
 * System V queue, then takes them out with msgtyp > 0 (the first message of
 * that type), < 0 (the lowest type up to |msgtyp|) and 0 (the first
 * message, whatever its type), printing the order they come out in; a last
 * IPC_NOWAIT receive on the empty queue says ENOMSG. The queue is removed
 * at the end. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>

#include "rsipc.h"

struct my_msgbuf {
    long mtype;
    char mtext[64];
};

static int msqid = -1;

static int fail(const char *what) {
    fprintf(stderr, "%s: %s\n", what, rsipc_last_error());
    if (msqid != -1) rsipc_msgctl(msqid, IPC_RMID, NULL);
    return 1;
}

/* Takes one message chosen by msgtyp and prints it. */
static int take(long msgtyp) {
    struct my_msgbuf buf;
    if (rsipc_msgrcv(msqid, &buf, sizeof buf.mtext, msgtyp, IPC_NOWAIT) == -1) return -1;
    printf("msgrcv(msgtyp=%ld): type %ld \"%s\"\n", msgtyp, buf.mtype, buf.mtext);
    return 0;
}

int main(void) {
    const struct my_msgbuf messages[] = {
        {3, "three (first)"}, {1, "one"}, {4, "four"}, {2, "two"}, {3, "three (second)"}, {5, "five"},
    };
    const long selections[] = {3, 3, -2, -2, 0, 0};

    if ((msqid = rsipc_msgget(IPC_PRIVATE, IPC_CREAT | 0600)) == -1) return fail("msgget");
    for (size_t i = 0; i < sizeof messages / sizeof *messages; i++) {
        if (rsipc_msgsnd(msqid, &messages[i], strlen(messages[i].mtext) + 1, 0) == -1) return fail("msgsnd");
        printf("sent: type %ld \"%s\"\n", messages[i].mtype, messages[i].mtext);
    }
    for (size_t i = 0; i < sizeof selections / sizeof *selections; i++)
        if (take(selections[i]) == -1) return fail("msgrcv");

    /* Empty now: IPC_NOWAIT says so instead of waiting. */
    struct my_msgbuf buf;
    if (rsipc_msgrcv(msqid, &buf, sizeof buf.mtext, 0, IPC_NOWAIT) != -1 || errno != ENOMSG) {
        fprintf(stderr, "expected ENOMSG from an empty queue\n");
        return fail("msgrcv");
    }
    printf("msgrcv(msgtyp=0, IPC_NOWAIT): %s\n", strerror(errno));
    if (rsipc_msgctl(msqid, IPC_RMID, NULL) == -1) return fail("msgctl");
    return 0;
}
