/* rsipc_compat.h's System V message-queue names: an unchanged program using
 * msgget/msgsnd/msgrcv/msgctl runs on rsipc. */
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include "check.h"
#include "rsipc_compat.h"

struct msgbuf_text {
    long mtype;
    char mtext[64];
};

int main(void) {
    /* Calls, function pointers and &name all reach rsipc. */
    int (*get)(key_t, int) = msgget;
    CHECK(get == rsipc_msgget);
    CHECK(&msgsnd == &rsipc_msgsnd);
    CHECK(&msgrcv == &rsipc_msgrcv);
    CHECK(&msgctl == &rsipc_msgctl);

    /* A program written against <sys/msg.h>, unchanged. */
    int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    CHECK(id >= 0);
    struct msgbuf_text out = {3, "compat"}, in = {0, {0}};
    CHECK(msgsnd(id, &out, strlen(out.mtext) + 1, 0) == 0);
    struct msqid_ds ds;
    CHECK(msgctl(id, IPC_STAT, &ds) == 0 && ds.msg_qnum == 1);
    CHECK(msgrcv(id, &in, sizeof in.mtext, 3, 0) == 7 && in.mtype == 3 && strcmp(in.mtext, "compat") == 0);
    CHECK(msgctl(id, IPC_RMID, NULL) == 0);

    /* ...now with rsipc's checks and messages. */
    CHECK_FAILS(msgsnd(id, &out, 1, 0), -1, EINVAL, "msgsnd(");
    /* A NULL buffer: the removed queue first, as the kernel checks it... */
    CHECK_FAILS(msgrcv(id, NULL, 8, 0, IPC_NOWAIT), -1, EINVAL, "msgrcv(");
    /* ...and on a live queue EFAULT, before the message is taken. */
    int live = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    CHECK(live >= 0);
    CHECK(msgsnd(live, &out, 1, 0) == 0);
    CHECK_FAILS(msgrcv(live, NULL, 8, 0, IPC_NOWAIT), -1, EFAULT, "msgrcv(");
    CHECK(msgctl(live, IPC_STAT, &ds) == 0 && ds.msg_qnum == 1);
    CHECK(msgctl(live, IPC_RMID, NULL) == 0);
    CHECK_FAILS(msgctl(0, IPC_INFO, NULL), -1, EFAULT, "msgctl(");
    return check_summary("test_msg_compat");
}
