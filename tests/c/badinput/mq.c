/* Bad-input rows for POSIX message queues (format: see badinput.h):
 * rsipc_mq_open, rsipc_mq_close, rsipc_mq_unlink, rsipc_mq_send,
 * rsipc_mq_timedsend, rsipc_mq_receive, rsipc_mq_timedreceive,
 * rsipc_mq_getattr, rsipc_mq_setattr, rsipc_mq_notify.
 *
 * The errnos are glibc's (checked beside it on this kernel): a name
 * without a leading '/' is EINVAL, a further '/' or "/.." EACCES, "/"
 * ENOENT; rsipc adds EFAULT for NULL pointers glibc would pass on or
 * crash on. Every queue a row might create has a pid-unique name in
 * ctx->path, which the parent unlinks. */
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "badinput.h"

#define MSGSIZE 64
static char buf[MSGSIZE * 2];
static unsigned prio;
static const struct timespec ts_nsec_neg = {0, -1}, ts_nsec_1e9 = {0, 1000000000}, ts_nsec_max = {0, LONG_MAX},
                             ts_sec_neg = {-1, 0}, ts_epoch = {0, 0}, ts_sec_min = {LONG_MIN, 0};

/* ---- fixtures ----------------------------------------------------------- */

static void teardown_queue(struct bi_ctx *ctx) {
    if (ctx->path[0]) mq_unlink(ctx->path);
}

/* A name nothing has yet. */
static int setup_name(struct bi_ctx *ctx) {
    bi_unique_name(ctx, "mq");
    return 0;
}
BI_FIXTURE(fx_mq_name, setup_name, teardown_queue);

/* A queue of 2 messages of MSGSIZE bytes, `mode`, holding `queued`
 * messages: fd[0] O_RDWR, fd[1] O_RDONLY, fd[2] O_WRONLY, fd[3] O_RDWR |
 * O_NONBLOCK. */
static int make_queue(struct bi_ctx *ctx, int mode, int queued) {
    struct mq_attr attr = {.mq_maxmsg = 2, .mq_msgsize = MSGSIZE};
    bi_unique_name(ctx, "mq");
    ctx->fd[0] = mq_open(ctx->path, O_RDWR | O_CREAT | O_EXCL, mode, &attr);
    if (ctx->fd[0] < 0) return -1;
    ctx->fd[1] = mq_open(ctx->path, O_RDONLY);
    ctx->fd[2] = mq_open(ctx->path, O_WRONLY);
    ctx->fd[3] = mq_open(ctx->path, O_RDWR | O_NONBLOCK);
    if (ctx->fd[1] < 0 || ctx->fd[2] < 0 || ctx->fd[3] < 0) return -1;
    for (int i = 0; i < queued; i++)
        if (mq_send(ctx->fd[0], "message", 7, 1) != 0) return -1;
    return 0;
}
static int setup_queue(struct bi_ctx *ctx) { return make_queue(ctx, 0600, 0); }
static int setup_queue_one(struct bi_ctx *ctx) { return make_queue(ctx, 0600, 1); }
static int setup_queue_full(struct bi_ctx *ctx) { return make_queue(ctx, 0600, 2); }
BI_FIXTURE(fx_mq, setup_queue, teardown_queue);
BI_FIXTURE(fx_mq_one, setup_queue_one, teardown_queue);
BI_FIXTURE(fx_mq_full, setup_queue_full, teardown_queue);

/* The queue with this process registered for notification. */
static int setup_queue_notified(struct bi_ctx *ctx) {
    if (make_queue(ctx, 0600, 0) != 0) return -1;
    struct sigevent sev = {.sigev_notify = SIGEV_NONE};
    return mq_notify(ctx->fd[0], &sev);
}
BI_FIXTURE(fx_mq_notified, setup_queue_notified, teardown_queue);

/* A root-owned queue of `mode` (descriptors closed), then privileges dropped. */
static int unprivileged_queue(struct bi_ctx *ctx, int mode) {
    BI_NEED_ROOT();
    if (make_queue(ctx, mode, 1) != 0) return -1;
    for (int i = 0; i < 4; i++) {
        mq_close(ctx->fd[i]);
        ctx->fd[i] = -1;
    }
    return bi_setup_unprivileged(ctx);
}
static int setup_private_unprivileged(struct bi_ctx *ctx) { return unprivileged_queue(ctx, 0600); }
static int setup_readonly_unprivileged(struct bi_ctx *ctx) { return unprivileged_queue(ctx, 0444); }
BI_FIXTURE(fx_mq_private_unprivileged, setup_private_unprivileged, teardown_queue);
BI_FIXTURE(fx_mq_readonly_unprivileged, setup_readonly_unprivileged, teardown_queue);

static struct mq_attr attr_maxmsg_0 = {.mq_maxmsg = 0, .mq_msgsize = 8},
                      attr_maxmsg_neg = {.mq_maxmsg = -1, .mq_msgsize = 8},
                      attr_maxmsg_huge = {.mq_maxmsg = LONG_MAX, .mq_msgsize = 8},
                      attr_msgsize_0 = {.mq_maxmsg = 1, .mq_msgsize = 0},
                      attr_msgsize_neg = {.mq_maxmsg = 1, .mq_msgsize = -1},
                      attr_msgsize_huge = {.mq_maxmsg = 1, .mq_msgsize = LONG_MAX},
                      attr_both_huge = {.mq_maxmsg = LONG_MAX / 2, .mq_msgsize = LONG_MAX / 2},
                      attr_flags_append = {.mq_flags = O_NONBLOCK | O_APPEND},
                      attr_flags_all = {.mq_flags = -1};
static struct sigevent sev_signo_0 = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = 0},
                       sev_signo_65 = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = 65},
                       sev_signo_neg = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = -1},
                       sev_notify_99 = {.sigev_notify = 99},
                       sev_notify_neg = {.sigev_notify = -1},
                       sev_thread_null = {.sigev_notify = SIGEV_THREAD},
                       sev_none = {.sigev_notify = SIGEV_NONE};

/* ---- mq_open: names ----------------------------------------------------- */
BAD_DEPARTS("glibc dereferences the NULL pointer",
            RET_MQD, "mq_open", "name NULL", EFAULT, rsipc_mq_open(NULL, O_RDONLY))
BAD_DEPARTS("glibc dereferences the NULL pointer",
            RET_MQD, "mq_open", "name NULL, O_CREAT", EFAULT, rsipc_mq_open(NULL, O_RDWR | O_CREAT, 0600, NULL))
BAD(RET_MQD, "mq_open", "name empty", EINVAL, rsipc_mq_open("", O_RDONLY))
BAD(RET_MQD, "mq_open", "name without a leading '/'", EINVAL, rsipc_mq_open("rsipc-bad-mq", O_RDWR | O_CREAT, 0600, NULL))
BAD(RET_MQD, "mq_open", "name \"/\"", ENOENT, rsipc_mq_open("/", O_RDONLY))
BAD(RET_MQD, "mq_open", "name \"/\", O_CREAT", ENOENT, rsipc_mq_open("/", O_RDWR | O_CREAT, 0600, NULL))
BAD(RET_MQD, "mq_open", "name with an inner '/'", EACCES, rsipc_mq_open("/rsipc-bad/x", O_RDONLY))
BAD(RET_MQD, "mq_open", "name with an inner '/', O_CREAT", EACCES,
    rsipc_mq_open("/rsipc-bad/x", O_RDWR | O_CREAT, 0600, NULL))
BAD(RET_MQD, "mq_open", "name \"/.\"", EACCES, rsipc_mq_open("/.", O_RDONLY))
BAD(RET_MQD, "mq_open", "name \"/..\", O_CREAT", EACCES, rsipc_mq_open("/..", O_RDWR | O_CREAT, 0600, NULL))
BAD(RET_MQD, "mq_open", "name NAME_MAX + 1 bytes", ENAMETOOLONG, rsipc_mq_open(bi_long_name(NAME_MAX + 1), O_RDONLY))
BAD(RET_MQD, "mq_open", "name 4096 bytes, O_CREAT", ENAMETOOLONG,
    rsipc_mq_open(bi_long_name(4096), O_RDWR | O_CREAT, 0600, NULL))
BAD(RET_MQD, "mq_open", "name NAME_MAX bytes (valid), no such queue", ENOENT,
    rsipc_mq_open(bi_long_name(NAME_MAX), O_RDONLY))

/* ---- mq_open: flags, attributes, what exists ---------------------------- */
BAD_IN(fx_mq_name, RET_MQD, "mq_open", "no such queue", ENOENT, rsipc_mq_open(ctx->path, O_RDWR))
BAD_IN_DEPARTS("the kernel creates a queue despite the access mode O_ACCMODE (it checks the mode only for an existing queue); rsipc refuses it both ways",
               fx_mq_name, RET_MQD, "mq_open", "oflag O_ACCMODE, O_CREAT", EINVAL,
       rsipc_mq_open(ctx->path, O_ACCMODE | O_CREAT, 0600, NULL))
BAD_IN(fx_mq, RET_MQD, "mq_open", "oflag O_ACCMODE, existing queue", EINVAL, rsipc_mq_open(ctx->path, O_ACCMODE))
BAD_IN(fx_mq, RET_MQD, "mq_open", "O_CREAT|O_EXCL on an existing queue", EEXIST,
       rsipc_mq_open(ctx->path, O_RDWR | O_CREAT | O_EXCL, 0600, NULL))
BAD_IN(fx_mq_name, RET_MQD, "mq_open", "attr mq_maxmsg 0", EINVAL,
       rsipc_mq_open(ctx->path, O_RDWR | O_CREAT, 0600, &attr_maxmsg_0))
BAD_IN(fx_mq_name, RET_MQD, "mq_open", "attr mq_maxmsg -1", EINVAL,
       rsipc_mq_open(ctx->path, O_RDWR | O_CREAT, 0600, &attr_maxmsg_neg))
BAD_IN(fx_mq_name, RET_MQD, "mq_open", "attr mq_maxmsg LONG_MAX", EINVAL,
       rsipc_mq_open(ctx->path, O_RDWR | O_CREAT, 0600, &attr_maxmsg_huge))
BAD_IN(fx_mq_name, RET_MQD, "mq_open", "attr mq_msgsize 0", EINVAL,
       rsipc_mq_open(ctx->path, O_RDWR | O_CREAT, 0600, &attr_msgsize_0))
BAD_IN(fx_mq_name, RET_MQD, "mq_open", "attr mq_msgsize -1", EINVAL,
       rsipc_mq_open(ctx->path, O_RDWR | O_CREAT, 0600, &attr_msgsize_neg))
BAD_IN(fx_mq_name, RET_MQD, "mq_open", "attr mq_msgsize LONG_MAX", EINVAL,
       rsipc_mq_open(ctx->path, O_RDWR | O_CREAT | O_EXCL, 0600, &attr_msgsize_huge))
BAD_IN(fx_mq_name, RET_MQD, "mq_open", "attr both LONG_MAX / 2 (the product overflows)", EINVAL,
       rsipc_mq_open(ctx->path, O_WRONLY | O_CREAT, 0600, &attr_both_huge))
BAD_IN(fx_mq_private_unprivileged, RET_MQD, "mq_open", "unprivileged, root's 0600 queue", EACCES,
       rsipc_mq_open(ctx->path, O_RDONLY))
BAD_IN(fx_mq_readonly_unprivileged, RET_MQD, "mq_open", "unprivileged, root's 0444 queue, O_WRONLY", EACCES,
       rsipc_mq_open(ctx->path, O_WRONLY))
BAD_IN(fx_mq_readonly_unprivileged, RET_MQD, "mq_open", "unprivileged, root's 0444 queue, O_RDWR|O_CREAT", EACCES,
       rsipc_mq_open(ctx->path, O_RDWR | O_CREAT, 0666, NULL))

/* ---- mq_close ----------------------------------------------------------- */
BAD(RET_INT, "mq_close", "mqdes -1", EBADF, rsipc_mq_close(-1))
BAD(RET_INT, "mq_close", "mqdes INT_MIN", EBADF, rsipc_mq_close(INT_MIN))
BAD(RET_INT, "mq_close", "mqdes INT_MAX", EBADF, rsipc_mq_close(INT_MAX))
BAD_IN(fx_closed_fd, RET_INT, "mq_close", "closed descriptor", EBADF, rsipc_mq_close(ctx->fd[0]))

/* ---- mq_unlink ---------------------------------------------------------- */
BAD_DEPARTS("glibc dereferences the NULL pointer", RET_INT, "mq_unlink", "name NULL", EFAULT, rsipc_mq_unlink(NULL))
BAD(RET_INT, "mq_unlink", "name empty", EINVAL, rsipc_mq_unlink(""))
BAD(RET_INT, "mq_unlink", "name without a leading '/'", EINVAL, rsipc_mq_unlink("rsipc-bad-mq"))
BAD(RET_INT, "mq_unlink", "name \"/\"", ENOENT, rsipc_mq_unlink("/"))
BAD(RET_INT, "mq_unlink", "name with an inner '/'", EACCES, rsipc_mq_unlink("/rsipc-bad/x"))
BAD(RET_INT, "mq_unlink", "name \"/..\"", EACCES, rsipc_mq_unlink("/.."))
BAD(RET_INT, "mq_unlink", "name NAME_MAX + 1 bytes", ENAMETOOLONG, rsipc_mq_unlink(bi_long_name(NAME_MAX + 1)))
BAD_IN(fx_mq_name, RET_INT, "mq_unlink", "no such queue", ENOENT, rsipc_mq_unlink(ctx->path))
BAD_IN(fx_mq_private_unprivileged, RET_INT, "mq_unlink", "unprivileged, root's queue", EACCES,
       rsipc_mq_unlink(ctx->path))

/* ---- mq_send, mq_timedsend ---------------------------------------------- */
BAD(RET_INT, "mq_send", "mqdes -1", EBADF, rsipc_mq_send(-1, "x", 1, 0))
BAD(RET_INT, "mq_send", "mqdes INT_MAX", EBADF, rsipc_mq_send(INT_MAX, "x", 1, 0))
BAD_IN(fx_closed_fd, RET_INT, "mq_send", "closed descriptor", EBADF, rsipc_mq_send(ctx->fd[0], "x", 1, 0))
BAD_IN(fx_regular_file, RET_INT, "mq_send", "a regular file", EBADF, rsipc_mq_send(ctx->fd[0], "x", 1, 0))
BAD_IN(fx_pipe, RET_INT, "mq_send", "a pipe's write end", EBADF, rsipc_mq_send(ctx->fd[1], "x", 1, 0))
BAD_IN(fx_mq, RET_INT, "mq_send", "a queue open O_RDONLY", EBADF, rsipc_mq_send(ctx->fd[1], "x", 1, 0))
BAD_IN(fx_mq, RET_INT, "mq_send", "msg_ptr NULL, msg_len 1", EFAULT, rsipc_mq_send(ctx->fd[0], NULL, 1, 0))
BAD_IN(fx_mq, RET_INT, "mq_send", "msg_len mq_msgsize + 1", EMSGSIZE, rsipc_mq_send(ctx->fd[0], buf, MSGSIZE + 1, 0))
BAD_IN(fx_mq, RET_INT, "mq_send", "msg_len SSIZE_MAX + 1", EMSGSIZE,
       rsipc_mq_send(ctx->fd[0], buf, (size_t)SSIZE_MAX + 1, 0))
BAD_IN(fx_mq, RET_INT, "mq_send", "msg_len SIZE_MAX", EMSGSIZE, rsipc_mq_send(ctx->fd[0], buf, SIZE_MAX, 0))
BAD_IN(fx_mq, RET_INT, "mq_send", "msg_prio MQ_PRIO_MAX", EINVAL, rsipc_mq_send(ctx->fd[0], "x", 1, MQ_PRIO_MAX))
BAD_IN(fx_mq, RET_INT, "mq_send", "msg_prio UINT_MAX", EINVAL, rsipc_mq_send(ctx->fd[0], "x", 1, UINT_MAX))
BAD_IN(fx_mq_full, RET_INT, "mq_send", "full queue, O_NONBLOCK", EAGAIN, rsipc_mq_send(ctx->fd[3], "x", 1, 0))
BAD_IN(fx_mq, RET_INT, "mq_timedsend", "tv_nsec -1", EINVAL, rsipc_mq_timedsend(ctx->fd[0], "x", 1, 0, &ts_nsec_neg))
BAD_IN(fx_mq, RET_INT, "mq_timedsend", "tv_nsec 1000000000", EINVAL,
       rsipc_mq_timedsend(ctx->fd[0], "x", 1, 0, &ts_nsec_1e9))
BAD_IN(fx_mq, RET_INT, "mq_timedsend", "tv_nsec LONG_MAX", EINVAL,
       rsipc_mq_timedsend(ctx->fd[0], "x", 1, 0, &ts_nsec_max))
BAD_IN(fx_mq, RET_INT, "mq_timedsend", "tv_sec -1 (the kernel's EINVAL)", EINVAL,
       rsipc_mq_timedsend(ctx->fd[0], "x", 1, 0, &ts_sec_neg))
BAD_IN(fx_mq_full, RET_INT, "mq_timedsend", "full queue, deadline in the past", ETIMEDOUT,
       rsipc_mq_timedsend(ctx->fd[0], "x", 1, 0, &ts_epoch))
BAD_IN(fx_mq_full, RET_INT, "mq_timedsend", "full queue, O_NONBLOCK, deadline in the past", EAGAIN,
       rsipc_mq_timedsend(ctx->fd[3], "x", 1, 0, &ts_epoch))
BAD_IN(fx_mq, RET_INT, "mq_timedsend", "msg_prio MQ_PRIO_MAX", EINVAL,
       rsipc_mq_timedsend(ctx->fd[0], "x", 1, MQ_PRIO_MAX, &ts_epoch))
BAD_IN(fx_mq, RET_INT, "mq_timedsend", "msg_ptr NULL", EFAULT, rsipc_mq_timedsend(ctx->fd[0], NULL, 4, 0, &ts_epoch))
BAD_IN(fx_mq, RET_INT, "mq_timedsend", "a queue open O_RDONLY", EBADF,
       rsipc_mq_timedsend(ctx->fd[1], "x", 1, 0, &ts_epoch))

/* ---- mq_receive, mq_timedreceive ---------------------------------------- */
BAD(RET_SSIZE, "mq_receive", "mqdes -1", EBADF, rsipc_mq_receive(-1, buf, MSGSIZE, &prio))
BAD_IN(fx_closed_fd, RET_SSIZE, "mq_receive", "closed descriptor", EBADF,
       rsipc_mq_receive(ctx->fd[0], buf, MSGSIZE, &prio))
BAD_IN(fx_regular_file, RET_SSIZE, "mq_receive", "a regular file", EBADF,
       rsipc_mq_receive(ctx->fd[0], buf, MSGSIZE, &prio))
BAD_IN(fx_mq_one, RET_SSIZE, "mq_receive", "a queue open O_WRONLY", EBADF,
       rsipc_mq_receive(ctx->fd[2], buf, MSGSIZE, &prio))
BAD_IN(fx_mq_one, RET_SSIZE, "mq_receive", "msg_ptr NULL", EFAULT, rsipc_mq_receive(ctx->fd[0], NULL, MSGSIZE, &prio))
BAD_IN(fx_mq_one, RET_SSIZE, "mq_receive", "msg_len mq_msgsize - 1", EMSGSIZE,
       rsipc_mq_receive(ctx->fd[0], buf, MSGSIZE - 1, &prio))
BAD_IN(fx_mq_one, RET_SSIZE, "mq_receive", "msg_len 0", EMSGSIZE, rsipc_mq_receive(ctx->fd[0], buf, 0, NULL))
BAD_IN(fx_mq_one, RET_SSIZE, "mq_receive", "msg_ptr NULL, msg_len 0", EMSGSIZE,
       rsipc_mq_receive(ctx->fd[0], NULL, 0, NULL))
BAD_IN(fx_mq, RET_SSIZE, "mq_receive", "empty queue, O_NONBLOCK", EAGAIN,
       rsipc_mq_receive(ctx->fd[3], buf, MSGSIZE, &prio))
BAD_IN(fx_mq_one, RET_SSIZE, "mq_timedreceive", "tv_nsec -1, a message waiting", EINVAL,
       rsipc_mq_timedreceive(ctx->fd[0], buf, MSGSIZE, &prio, &ts_nsec_neg))
BAD_IN(fx_mq_one, RET_SSIZE, "mq_timedreceive", "tv_nsec 1000000000", EINVAL,
       rsipc_mq_timedreceive(ctx->fd[0], buf, MSGSIZE, &prio, &ts_nsec_1e9))
BAD_IN(fx_mq, RET_SSIZE, "mq_timedreceive", "tv_sec -1 (the kernel's EINVAL)", EINVAL,
       rsipc_mq_timedreceive(ctx->fd[0], buf, MSGSIZE, &prio, &ts_sec_neg))
BAD_IN(fx_mq, RET_SSIZE, "mq_timedreceive", "tv_sec LONG_MIN", EINVAL,
       rsipc_mq_timedreceive(ctx->fd[0], buf, MSGSIZE, &prio, &ts_sec_min))
BAD_IN(fx_mq, RET_SSIZE, "mq_timedreceive", "empty queue, deadline in the past", ETIMEDOUT,
       rsipc_mq_timedreceive(ctx->fd[0], buf, MSGSIZE, &prio, &ts_epoch))
BAD_IN(fx_mq_one, RET_SSIZE, "mq_timedreceive", "msg_len mq_msgsize - 1", EMSGSIZE,
       rsipc_mq_timedreceive(ctx->fd[0], buf, MSGSIZE - 1, &prio, &ts_epoch))
BAD_IN(fx_mq_one, RET_SSIZE, "mq_timedreceive", "msg_ptr NULL", EFAULT,
       rsipc_mq_timedreceive(ctx->fd[0], NULL, MSGSIZE, &prio, &ts_epoch))
BAD_IN(fx_mq_one, RET_SSIZE, "mq_timedreceive", "a queue open O_WRONLY", EBADF,
       rsipc_mq_timedreceive(ctx->fd[2], buf, MSGSIZE, &prio, &ts_epoch))

/* ---- mq_getattr, mq_setattr --------------------------------------------- */
BAD_IN_DEPARTS("documented: glibc returns 0 for a NULL attr (nothing stored)",
               fx_mq, RET_INT, "mq_getattr", "attr NULL", EFAULT, rsipc_mq_getattr(ctx->fd[0], NULL))
BAD(RET_INT, "mq_getattr", "mqdes -1", EBADF, rsipc_mq_getattr(-1, &attr_maxmsg_0))
BAD_IN(fx_closed_fd, RET_INT, "mq_getattr", "closed descriptor", EBADF, rsipc_mq_getattr(ctx->fd[0], &attr_maxmsg_0))
BAD_IN(fx_regular_file, RET_INT, "mq_getattr", "a regular file", EBADF, rsipc_mq_getattr(ctx->fd[0], &attr_maxmsg_0))
BAD_IN(fx_socket, RET_INT, "mq_getattr", "a socket", EBADF, rsipc_mq_getattr(ctx->fd[0], &attr_maxmsg_0))
BAD_IN_DEPARTS("documented: glibc returns 0 for a NULL newattr (nothing changed)",
               fx_mq, RET_INT, "mq_setattr", "newattr NULL", EFAULT, rsipc_mq_setattr(ctx->fd[0], NULL, NULL))
BAD_IN(fx_mq, RET_INT, "mq_setattr", "mq_flags O_NONBLOCK|O_APPEND", EINVAL,
       rsipc_mq_setattr(ctx->fd[0], &attr_flags_append, NULL))
BAD_IN(fx_mq, RET_INT, "mq_setattr", "mq_flags -1", EINVAL, rsipc_mq_setattr(ctx->fd[0], &attr_flags_all, NULL))
BAD(RET_INT, "mq_setattr", "mqdes -1", EBADF, rsipc_mq_setattr(-1, &attr_msgsize_0, NULL))
BAD_IN(fx_pipe, RET_INT, "mq_setattr", "a pipe", EBADF, rsipc_mq_setattr(ctx->fd[0], &attr_msgsize_0, NULL))

/* ---- mq_notify ---------------------------------------------------------- */
BAD(RET_INT, "mq_notify", "mqdes -1", EBADF, rsipc_mq_notify(-1, &sev_none))
BAD_IN(fx_closed_fd, RET_INT, "mq_notify", "closed descriptor", EBADF, rsipc_mq_notify(ctx->fd[0], &sev_none))
BAD_IN(fx_regular_file, RET_INT, "mq_notify", "a regular file", EBADF, rsipc_mq_notify(ctx->fd[0], &sev_none))
BAD_IN(fx_mq, RET_INT, "mq_notify", "sigev_notify 99", EINVAL, rsipc_mq_notify(ctx->fd[0], &sev_notify_99))
BAD_IN(fx_mq, RET_INT, "mq_notify", "sigev_notify -1", EINVAL, rsipc_mq_notify(ctx->fd[0], &sev_notify_neg))
BAD_IN(fx_mq, RET_INT, "mq_notify", "SIGEV_SIGNAL, signal 65", EINVAL, rsipc_mq_notify(ctx->fd[0], &sev_signo_65))
BAD_IN(fx_mq, RET_INT, "mq_notify", "SIGEV_SIGNAL, signal -1", EINVAL, rsipc_mq_notify(ctx->fd[0], &sev_signo_neg))
BAD_IN_DEPARTS("glibc registers a SIGEV_THREAD notification whose NULL function would crash its helper thread later",
               fx_mq, RET_INT, "mq_notify", "SIGEV_THREAD, function NULL", EFAULT,
       rsipc_mq_notify(ctx->fd[0], &sev_thread_null))
BAD_IN(fx_mq_notified, RET_INT, "mq_notify", "already registered (this process)", EBUSY,
       rsipc_mq_notify(ctx->fd[1], &sev_none))
BAD_IN(fx_mq_notified, RET_INT, "mq_notify", "already registered, signal 0", EBUSY,
       rsipc_mq_notify(ctx->fd[0], &sev_signo_0))

/* ---- mq_open: the kernel's order (the name, then what exists, then the
 * access mode rsipc refuses where the kernel would create a queue) ------- */
SAME_IN(fx_mq_name, RET_MQD, "mq_open", "oflag O_ACCMODE, no such queue", rsipc_mq_open(ctx->path, O_ACCMODE))
SAME_IN(fx_mq, RET_MQD, "mq_open", "oflag O_ACCMODE, O_CREAT|O_EXCL, existing queue",
        rsipc_mq_open(ctx->path, O_ACCMODE | O_CREAT | O_EXCL, 0600, NULL))
SAME_IN(fx_mq, RET_MQD, "mq_open", "oflag O_ACCMODE, O_CREAT, existing queue",
        rsipc_mq_open(ctx->path, O_ACCMODE | O_CREAT, 0600, NULL))
SAME(RET_MQD, "mq_open", "oflag O_ACCMODE, O_CREAT, name without a leading '/'",
     rsipc_mq_open("rsipc-bad-mq", O_ACCMODE | O_CREAT, 0600, NULL))
SAME(RET_MQD, "mq_open", "oflag O_ACCMODE, O_CREAT, name \"/\"", rsipc_mq_open("/", O_ACCMODE | O_CREAT, 0600, NULL))
SAME(RET_MQD, "mq_open", "oflag O_ACCMODE, O_CREAT, name NAME_MAX + 1 bytes",
     rsipc_mq_open(bi_long_name(NAME_MAX + 1), O_ACCMODE | O_CREAT, 0600, NULL))
SAME(RET_MQD, "mq_open", "oflag O_ACCMODE, name with an inner '/'", rsipc_mq_open("/rsipc-bad/x", O_ACCMODE))
SAME_IN(fx_mq, RET_MQD, "mq_open", "attr mq_maxmsg 0, existing queue (attr unused)",
        rsipc_mq_open(ctx->path, O_RDWR | O_CREAT, 0600, &attr_maxmsg_0))
SAME_IN(fx_mq, RET_MQD, "mq_open", "attr mq_maxmsg 0, O_CREAT|O_EXCL, existing queue",
        rsipc_mq_open(ctx->path, O_RDWR | O_CREAT | O_EXCL, 0600, &attr_maxmsg_0))
SAME_IN(fx_mq_private_unprivileged, RET_MQD, "mq_open", "unprivileged, O_ACCMODE, root's 0600 queue",
        rsipc_mq_open(ctx->path, O_ACCMODE))

/* ---- mq_send, mq_receive: the kernel's order (timeout, priority,
 * descriptor, size, then the buffer; a receive refuses a NULL buffer
 * before it takes a message, after the rest) ----------------------------- */
BAD(RET_INT, "mq_send", "msg_ptr NULL, mqdes -1", EBADF, rsipc_mq_send(-1, NULL, 4, 0))
BAD_IN(fx_closed_fd, RET_INT, "mq_send", "msg_ptr NULL, closed descriptor", EBADF,
       rsipc_mq_send(ctx->fd[0], NULL, 4, 0))
BAD_IN(fx_mq, RET_INT, "mq_send", "msg_ptr NULL, a queue open O_RDONLY", EBADF, rsipc_mq_send(ctx->fd[1], NULL, 4, 0))
BAD_IN(fx_mq, RET_INT, "mq_send", "msg_ptr NULL, msg_len above mq_msgsize", EMSGSIZE,
       rsipc_mq_send(ctx->fd[0], NULL, MSGSIZE + 1, 0))
BAD_IN(fx_mq, RET_INT, "mq_send", "msg_ptr NULL, msg_prio MQ_PRIO_MAX", EINVAL,
       rsipc_mq_send(ctx->fd[0], NULL, 4, 32768))
BAD(RET_INT, "mq_send", "msg_prio MQ_PRIO_MAX, mqdes -1", EINVAL, rsipc_mq_send(-1, buf, 4, 32768))
BAD(RET_INT, "mq_send", "msg_len SIZE_MAX, mqdes -1", EBADF, rsipc_mq_send(-1, buf, SIZE_MAX, 0))
BAD(RET_INT, "mq_send", "msg_len SIZE_MAX, msg_prio MQ_PRIO_MAX", EINVAL, rsipc_mq_send(-1, buf, SIZE_MAX, 32768))
BAD_IN(fx_mq, RET_INT, "mq_send", "msg_ptr NULL, msg_len SIZE_MAX", EMSGSIZE,
       rsipc_mq_send(ctx->fd[0], NULL, SIZE_MAX, 0))
BAD_IN(fx_mq_full, RET_INT, "mq_send", "msg_ptr NULL, full queue, O_NONBLOCK", EFAULT,
       rsipc_mq_send(ctx->fd[3], NULL, 4, 0))
BAD(RET_INT, "mq_timedsend", "msg_ptr NULL, tv_nsec -1, mqdes -1", EINVAL,
    rsipc_mq_timedsend(-1, NULL, 4, 0, &ts_nsec_neg))
SAME(RET_INT, "mq_timedsend", "msg_ptr NULL, tv_sec -1, mqdes -1", rsipc_mq_timedsend(-1, NULL, 4, 0, &ts_sec_neg))
SAME(RET_INT, "mq_timedsend", "tv_sec -1, mqdes -1", rsipc_mq_timedsend(-1, buf, 4, 0, &ts_sec_neg))
BAD(RET_SSIZE, "mq_receive", "msg_ptr NULL, mqdes -1", EBADF, rsipc_mq_receive(-1, NULL, MSGSIZE, &prio))
BAD_IN(fx_mq_one, RET_SSIZE, "mq_receive", "msg_ptr NULL, a queue open O_WRONLY", EBADF,
       rsipc_mq_receive(ctx->fd[2], NULL, MSGSIZE, &prio))
BAD_IN(fx_mq_one, RET_SSIZE, "mq_receive", "msg_ptr NULL, msg_len below mq_msgsize", EMSGSIZE,
       rsipc_mq_receive(ctx->fd[0], NULL, MSGSIZE - 1, &prio))
BAD_IN(fx_mq, RET_SSIZE, "mq_receive", "msg_ptr NULL, empty queue, O_NONBLOCK", EAGAIN,
       rsipc_mq_receive(ctx->fd[3], NULL, MSGSIZE, &prio))
BAD(RET_SSIZE, "mq_timedreceive", "msg_ptr NULL, tv_nsec -1, mqdes -1", EINVAL,
    rsipc_mq_timedreceive(-1, NULL, MSGSIZE, &prio, &ts_nsec_neg))
SAME(RET_SSIZE, "mq_timedreceive", "msg_ptr NULL, tv_sec -1, mqdes -1",
     rsipc_mq_timedreceive(-1, NULL, MSGSIZE, &prio, &ts_sec_neg))
BAD_IN(fx_mq_one, RET_SSIZE, "mq_timedreceive", "msg_ptr NULL, a queue open O_WRONLY", EBADF,
       rsipc_mq_timedreceive(ctx->fd[2], NULL, MSGSIZE, &prio, &ts_epoch))

/* ---- mq_getattr, mq_setattr, mq_notify: the descriptor before what rsipc
 * adds (EFAULT for a NULL attr or notification function) ----------------- */
BAD(RET_INT, "mq_getattr", "attr NULL, mqdes -1", EBADF, rsipc_mq_getattr(-1, NULL))
BAD_IN(fx_closed_fd, RET_INT, "mq_getattr", "attr NULL, closed descriptor", EBADF, rsipc_mq_getattr(ctx->fd[0], NULL))
BAD_IN(fx_regular_file, RET_INT, "mq_getattr", "attr NULL, a regular file", EBADF, rsipc_mq_getattr(ctx->fd[0], NULL))
BAD(RET_INT, "mq_setattr", "newattr NULL, mqdes -1", EBADF, rsipc_mq_setattr(-1, NULL, NULL))
BAD_IN(fx_pipe, RET_INT, "mq_setattr", "newattr NULL, a pipe", EBADF, rsipc_mq_setattr(ctx->fd[0], NULL, &attr_maxmsg_0))
SAME(RET_INT, "mq_setattr", "mq_flags -1, mqdes -1", rsipc_mq_setattr(-1, &attr_flags_all, NULL))
SAME(RET_INT, "mq_notify", "sigev_notify 99, mqdes -1", rsipc_mq_notify(-1, &sev_notify_99))
SAME(RET_INT, "mq_notify", "SIGEV_SIGNAL, signal 65, mqdes -1", rsipc_mq_notify(-1, &sev_signo_65))
BAD(RET_INT, "mq_notify", "SIGEV_THREAD, function NULL, mqdes -1", EBADF, rsipc_mq_notify(-1, &sev_thread_null))
BAD_IN(fx_regular_file, RET_INT, "mq_notify", "SIGEV_THREAD, function NULL, a regular file", EBADF,
       rsipc_mq_notify(ctx->fd[0], &sev_thread_null))
SAME(RET_INT, "mq_notify", "sevp NULL, mqdes -1", rsipc_mq_notify(-1, NULL))
