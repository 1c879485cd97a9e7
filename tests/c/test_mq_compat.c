/* rsipc_compat.h's POSIX message-queue names: an unchanged program using
 * mq_open ... mq_unlink runs on rsipc, variadic mq_open included. */
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "rsipc_compat.h"

int main(void) {
    /* Calls, function pointers and &name all reach rsipc. */
    mqd_t (*open_fn)(const char *, int, ...) = mq_open;
    CHECK(open_fn == rsipc_mq_open);
    CHECK(&mq_close == &rsipc_mq_close);
    CHECK(&mq_unlink == &rsipc_mq_unlink);
    CHECK(&mq_send == &rsipc_mq_send);
    CHECK(&mq_receive == &rsipc_mq_receive);
    CHECK(&mq_timedsend == &rsipc_mq_timedsend);
    CHECK(&mq_timedreceive == &rsipc_mq_timedreceive);
    CHECK(&mq_getattr == &rsipc_mq_getattr);
    CHECK(&mq_setattr == &rsipc_mq_setattr);
    CHECK(&mq_notify == &rsipc_mq_notify);

    /* A program written against <mqueue.h>, unchanged. */
    char name[64];
    snprintf(name, sizeof name, "/rsipc-compat-mq-%d", (int)getpid());
    struct mq_attr attr = {0};
    attr.mq_maxmsg = 4;
    attr.mq_msgsize = 32;
    mqd_t q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
    CHECK(q != (mqd_t)-1);
    mqd_t r = mq_open(name, O_RDONLY);
    CHECK(r != (mqd_t)-1);
    CHECK(mq_send(q, "compat", 6, 4) == 0);
    struct mq_attr now;
    CHECK(mq_getattr(r, &now) == 0 && now.mq_curmsgs == 1 && now.mq_msgsize == 32);
    char buf[32];
    unsigned prio = 0;
    CHECK(mq_receive(r, buf, sizeof buf, &prio) == 6 && prio == 4 && memcmp(buf, "compat", 6) == 0);
    struct timespec past = {0, 0};
    CHECK(mq_timedreceive(r, buf, sizeof buf, NULL, &past) == -1 && errno == ETIMEDOUT);
    CHECK(mq_timedsend(q, "x", 1, 0, &past) == 0);
    struct mq_attr nb = {0};
    nb.mq_flags = O_NONBLOCK;
    CHECK(mq_setattr(r, &nb, NULL) == 0);
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_NONE;
    CHECK(mq_notify(q, &sev) == 0 && mq_notify(q, NULL) == 0);
    CHECK(mq_close(r) == 0);
    CHECK(mq_close(q) == 0);
    CHECK(mq_unlink(name) == 0);

    /* ...now with rsipc's checks and messages. */
    CHECK_FAILS(mq_open(name, O_RDONLY), (mqd_t)-1, ENOENT, "mq_open(");
    CHECK_FAILS(mq_unlink("no-slash"), -1, EINVAL, "mq_unlink(");
    /* q is closed: the descriptor comes first, as with glibc. */
    CHECK_FAILS(mq_getattr(q, NULL), -1, EBADF, "mq_getattr(");
    return check_summary("test_mq_compat");
}
