/* msgq_recv.c of the notes: prints each message of type 1 from the queue
 * msgq_send.c (msgq_send.c) fills, as recvd: "...", until "end"; then
 * removes the key file.
 *
 * Ported: the key file comes from argv (default "msgq.txt"); the queue is
 * created if the sender has not made it yet; after "end" the receiver
 * replies with a type-2 message so the sender removes the queue only once
 * every line was read; unlink() replaces system("rm msgq.txt"); every call
 * is checked. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include "rsipc.h"

#define PERMS 0644
#define LINE_TYPE 1
#define REPLY_TYPE 2

struct my_msgbuf {
    long mtype;
    char mtext[200];
};

/* Tells the sender that the receiver gave up, so it does not wait. */
static int fail(const char *what, int msqid) {
    fprintf(stderr, "%s: %s\n", what, rsipc_last_error());
    if (msqid != -1) {
        struct my_msgbuf reply = {REPLY_TYPE, "failed"};
        rsipc_msgsnd(msqid, &reply, strlen(reply.mtext) + 1, IPC_NOWAIT);
    }
    return 1;
}

int main(int argc, char **argv) {
    const char *key_file = argc > 1 ? argv[1] : "msgq.txt";
    struct my_msgbuf buf;
    int msqid;
    int toend;
    key_t key;

    if ((key = rsipc_ftok(key_file, 'B')) == -1) return fail("ftok", -1);
    if ((msqid = rsipc_msgget(key, PERMS | IPC_CREAT)) == -1) /* connect to the queue */
        return fail("msgget", -1);
    printf("message queue: ready to receive messages.\n");

    for (;;) { /* receiving ends with "end" */
        if (rsipc_msgrcv(msqid, &buf, sizeof buf.mtext, LINE_TYPE, 0) == -1) return fail("msgrcv", msqid);
        printf("recvd: \"%s\"\n", buf.mtext);
        toend = strcmp(buf.mtext, "end");
        if (toend == 0) break;
    }
    struct my_msgbuf reply = {REPLY_TYPE, "done"};
    if (rsipc_msgsnd(msqid, &reply, strlen(reply.mtext) + 1, 0) == -1) return fail("msgsnd", msqid);
    printf("message queue: done receiving messages.\n");
    if (unlink(key_file) == -1) {
        perror("unlink");
        return 1;
    }
    return 0;
}
