/* msgq_send.c of the notes: sends each line of its standard input to a
 * System V message queue (type 1, struct my_msgbuf), then "end", then
 * removes the queue. msgq_recv.c (msgq_recv.c) prints what arrives.
 *
 * Ported:
 *  - the key file comes from argv (default "msgq.txt", as in the notes), so
 *    each run has its own key; the driver creates it, where the notes ran
 *    system("touch msgq.txt");
 *  - the notes removed the queue right after sending "end", so a receiver
 *    that had not yet read every line lost the rest (IPC_RMID discards
 *    queued messages). Now the receiver answers "end" with a message of
 *    type 2, and the sender removes the queue only once that reply came:
 *    the receiver always gets every line;
 *  - both programs create the queue if it does not exist yet (IPC_CREAT),
 *    so either may start first;
 *  - every call is checked; on a failure after the queue exists the sender
 *    removes it, which wakes a waiting receiver (EIDRM). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>

#include "rsipc.h"

#define PERMS 0644
#define LINE_TYPE 1  /* sender -> receiver: a line, then "end" */
#define REPLY_TYPE 2 /* receiver -> sender: every line was read */

struct my_msgbuf {
    long mtype;
    char mtext[200];
};

static int fail(const char *what, int msqid) {
    fprintf(stderr, "%s: %s\n", what, rsipc_last_error());
    if (msqid != -1) rsipc_msgctl(msqid, IPC_RMID, NULL);
    return 1;
}

int main(int argc, char **argv) {
    const char *key_file = argc > 1 ? argv[1] : "msgq.txt";
    struct my_msgbuf buf;
    int msqid;
    size_t len;
    key_t key;

    if ((key = rsipc_ftok(key_file, 'B')) == -1) return fail("ftok", -1);
    if ((msqid = rsipc_msgget(key, PERMS | IPC_CREAT)) == -1) return fail("msgget", -1);
    printf("message queue: ready to send messages.\n");
    printf("Enter lines of text, ^D to quit:\n");
    buf.mtype = LINE_TYPE;
    while (fgets(buf.mtext, sizeof buf.mtext, stdin) != NULL) {
        len = strlen(buf.mtext);
        /* remove newline at end, if it exists */
        if (len > 0 && buf.mtext[len - 1] == '\n') buf.mtext[len - 1] = '\0';
        if (rsipc_msgsnd(msqid, &buf, len + 1, 0) == -1) return fail("msgsnd", msqid);
    }
    if (ferror(stdin)) return fail("reading stdin", msqid);
    strcpy(buf.mtext, "end");
    len = strlen(buf.mtext);
    if (rsipc_msgsnd(msqid, &buf, len + 1, 0) == -1) return fail("msgsnd", msqid);

    /* Wait for the receiver to have read everything before removing. */
    if (rsipc_msgrcv(msqid, &buf, sizeof buf.mtext, REPLY_TYPE, 0) == -1) return fail("msgrcv", msqid);
    if (strcmp(buf.mtext, "done") != 0) {
        fprintf(stderr, "the receiver failed: %s\n", buf.mtext);
        rsipc_msgctl(msqid, IPC_RMID, NULL);
        return 1;
    }
    if (rsipc_msgctl(msqid, IPC_RMID, NULL) == -1) return fail("msgctl", -1);
    printf("message queue: done sending messages.\n");
    return 0;
}
