/* Thread cancellation through rsipc, side by side with glibc.
 *
 *  - blocked: for every rsipc call that wraps a glibc cancellation point, a
 *    thread is blocked in it (seen in /proc/self/task/TID: state 'S' in the
 *    expected system call), pthread_cancel()led, with the deferred and with
 *    the asynchronous cancel type: its cleanup handler runs, pthread_join
 *    gives PTHREAD_CANCELED, the process lives on, and the object is left as
 *    it was (no message lost or duplicated, the semaphore's waiter count
 *    back to 0, no descriptor leaked) and still works. The same is done
 *    with glibc's own call, which must be cancelled just the same.
 *  - pending: a thread with a cancel pending calls one function; a
 *    cancellation point acts at once (before touching the object), any
 *    other function returns normally. rsipc and glibc must agree on every
 *    function, and with the table in the README.
 *  - single-threaded: a process that never made a second thread (where
 *    glibc, and rsipc, skip the asynchronous switch around system calls)
 *    cancels itself; the next cancellation point still acts. This program
 *    reads __libc_single_threaded, so it has its own copy of it, which
 *    pthread_cancel leaves set (glibc 2.36 clears only its internal one):
 *    the case where rsipc's shortcut must still test for the cancel.
 *
 * A hang is a failure: alarm() kills the test long before ctest's timeout.
 */
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/single_threaded.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define WATCHDOG_SECONDS 120

static int cancelled_calls = 0;

/* argv[1], if given: run only the cases whose name starts with it. */
static const char *only = NULL;
static int selected(const char *name) {
    return only == NULL || strncmp(name, only, strlen(only)) == 0;
}

/* ------------------------------------------------------------------------
 * Seeing that a thread is blocked in a system call. */

static int read_small(const char *path, char *buf, size_t cap) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    if (n < 0) return -1;
    buf[n] = '\0';
    return (int)n;
}

/* Whether thread `tid` sleeps ('S') inside system call `nr`. */
static int blocked_in(pid_t tid, long nr) {
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
    if (read_small(path, buf, sizeof buf) < 0) return 0;
    const char *close_paren = strrchr(buf, ')');
    if (close_paren == NULL || close_paren[1] != ' ' || close_paren[2] != 'S') return 0;
    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
    if (read_small(path, buf, sizeof buf) < 0) return 0;
    char *end;
    long now = strtol(buf, &end, 10);
    return end != buf && now == nr;
}

/* Polls until thread `tid` is blocked in `nr` (at most ~20 s). */
static int wait_blocked(pid_t tid, long nr) {
    for (int i = 0; i < 20000; i++) {
        if (blocked_in(tid, nr)) return 1;
        if (i < 200) {
            sched_yield();
        } else {
            struct timespec ms = {0, 1000000};
            nanosleep(&ms, NULL);
        }
    }
    return 0;
}

/* The number of open descriptors of this process. */
static int open_fds(void) {
    int n = 0;
    for (int fd = 0; fd < 1024; fd++)
        if (fcntl(fd, F_GETFD) != -1) n++;
    return n;
}

static char name_buf[8][96];
static const char *unique(int slot, const char *prefix, const char *tag) {
    static int n = 0;
    snprintf(name_buf[slot], sizeof name_buf[slot], "%s-%d-%s-%d", prefix, (int)getpid(), tag, n++);
    return name_buf[slot];
}

static void far_realtime(struct timespec *t) {
    clock_gettime(CLOCK_REALTIME, t);
    t->tv_sec += 3600;
}

static void far_monotonic(struct timespec *t) {
    clock_gettime(CLOCK_MONOTONIC, t);
    t->tv_sec += 3600;
}

/* The waiter count glibc and rsipc keep in the high half of the first
 * 64-bit word of a sem_t. */
static uint32_t sem_waiters(sem_t *s) {
    return (uint32_t)(__atomic_load_n((uint64_t *)s, __ATOMIC_RELAXED) >> 32);
}

/* ------------------------------------------------------------------------
 * The objects one case works on (made fresh by each case's setup). */

static struct {
    int msq;
    mqd_t mq;
    char mqname[96];
    sem_t sem;
    int pipefd[2];
    int filled; /* bytes a setup put in the pipe */
    char fifo[128];
    int fds_before;
} g;

struct msg16 {
    long mtype;
    char text[16];
};

static long msgs_queued(int msq) {
    struct msqid_ds ds;
    if (msgctl(msq, IPC_STAT, &ds) != 0) return -1;
    return (long)ds.msg_qnum;
}

static long mq_queued(mqd_t mq) {
    struct mq_attr a;
    if (mq_getattr(mq, &a) != 0) return -1;
    return a.mq_curmsgs;
}

/* ------------------------------------------------------------------------
 * Part 1: a thread blocked in a call, cancelled. */

struct blocked_case {
    const char *name;
    long rsipc_nr, glibc_nr; /* the system call each one blocks in */
    void (*setup)(void);
    long (*rsipc_call)(void);
    long (*glibc_call)(void);
    /* Checks that the object is as the setup left it and still works, then
     * removes it. */
    void (*after)(const char *who);
};

struct run {
    const struct blocked_case *c;
    int use_rsipc;
    int async;
    volatile pid_t tid;
    volatile int cleaned;
    volatile int returned;
};

static void on_cleanup(void *arg) {
    ((struct run *)arg)->cleaned = 1;
}

static void *blocked_thread(void *arg) {
    struct run *r = arg;
    pthread_setcanceltype(r->async ? PTHREAD_CANCEL_ASYNCHRONOUS : PTHREAD_CANCEL_DEFERRED, NULL);
    pthread_cleanup_push(on_cleanup, r);
    __atomic_store_n(&r->tid, gettid(), __ATOMIC_RELEASE);
    if (r->use_rsipc)
        r->c->rsipc_call();
    else
        r->c->glibc_call();
    r->returned = 1;
    pthread_cleanup_pop(0);
    return NULL;
}

/* One blocked call, cancelled: 1 if it was. */
static int cancel_blocked(const struct blocked_case *c, int use_rsipc, int async) {
    const char *who = use_rsipc ? "rsipc" : "glibc";
    struct run r = {c, use_rsipc, async, 0, 0, 0};
    c->setup();
    pthread_t th;
    if (pthread_create(&th, NULL, blocked_thread, &r) != 0) {
        CHECK(!"pthread_create");
        return 0;
    }
    pid_t tid;
    while ((tid = __atomic_load_n(&r.tid, __ATOMIC_ACQUIRE)) == 0) sched_yield();
    int blocked = wait_blocked(tid, use_rsipc ? c->rsipc_nr : c->glibc_nr);
    if (!blocked)
        fprintf(stderr, "%s (%s, %s): the thread never blocked in system call %ld\n", c->name, who,
                async ? "async" : "deferred", use_rsipc ? c->rsipc_nr : c->glibc_nr);
    CHECK(blocked);
    CHECK(pthread_cancel(th) == 0);
    void *ret = NULL;
    CHECK(pthread_join(th, &ret) == 0);
    int cancelled = ret == PTHREAD_CANCELED && r.cleaned && !r.returned;
    if (!cancelled)
        fprintf(stderr, "%s (%s, %s): not cancelled (ret %p, cleanup %d, returned %d)\n", c->name, who,
                async ? "async" : "deferred", ret, r.cleaned, r.returned);
    CHECK(cancelled);
    if (cancelled) cancelled_calls++;
    c->after(who);
    return cancelled;
}

/* -- System V message queues */

static void setup_msq_empty(void) {
    g.fds_before = open_fds();
    g.msq = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    CHECK(g.msq >= 0);
}

static long rsipc_msgrcv_blocking(void) {
    struct msg16 m;
    return rsipc_msgrcv(g.msq, &m, sizeof m.text, 0, 0);
}

static long glibc_msgrcv_blocking(void) {
    struct msg16 m;
    return msgrcv(g.msq, &m, sizeof m.text, 0, 0);
}

static void after_msgrcv(const char *who) {
    struct msg16 m = {7, "one"};
    CHECK(msgsnd(g.msq, &m, 4, 0) == 0);
    CHECK(msgs_queued(g.msq) == 1); /* the cancelled receiver took nothing */
    struct msg16 got;
    memset(&got, 0, sizeof got);
    CHECK(rsipc_msgrcv(g.msq, &got, sizeof got.text, 0, IPC_NOWAIT) == 4);
    CHECK(got.mtype == 7 && strcmp(got.text, "one") == 0);
    CHECK(msgs_queued(g.msq) == 0);
    CHECK(msgctl(g.msq, IPC_RMID, NULL) == 0);
    if (open_fds() != g.fds_before) fprintf(stderr, "msgrcv (%s): descriptors leaked\n", who);
}

/* A queue holding one 16-byte message, with room for nothing more. */
static void setup_msq_full(void) {
    setup_msq_empty();
    struct msqid_ds ds;
    CHECK(msgctl(g.msq, IPC_STAT, &ds) == 0);
    ds.msg_qbytes = 16;
    CHECK(msgctl(g.msq, IPC_SET, &ds) == 0);
    struct msg16 fill = {1, "fill-the-queue!"};
    CHECK(msgsnd(g.msq, &fill, 16, 0) == 0);
}

static long rsipc_msgsnd_blocking(void) {
    struct msg16 m = {2, "late"};
    return rsipc_msgsnd(g.msq, &m, 5, 0);
}

static long glibc_msgsnd_blocking(void) {
    struct msg16 m = {2, "late"};
    return msgsnd(g.msq, &m, 5, 0);
}

static void after_msgsnd(const char *who) {
    (void)who;
    CHECK(msgs_queued(g.msq) == 1); /* the cancelled message was not queued */
    struct msg16 got;
    CHECK(rsipc_msgrcv(g.msq, &got, sizeof got.text, 0, IPC_NOWAIT) == 16);
    CHECK(got.mtype == 1 && strcmp(got.text, "fill-the-queue!") == 0);
    errno = 0;
    CHECK(rsipc_msgrcv(g.msq, &got, sizeof got.text, 0, IPC_NOWAIT) == -1 && errno == ENOMSG);
    struct msg16 m = {3, "works"};
    CHECK(rsipc_msgsnd(g.msq, &m, 6, IPC_NOWAIT) == 0);
    CHECK(msgs_queued(g.msq) == 1);
    CHECK(msgctl(g.msq, IPC_RMID, NULL) == 0);
}

/* -- POSIX message queues */

static void open_mq(long maxmsg) {
    g.fds_before = open_fds();
    snprintf(g.mqname, sizeof g.mqname, "%s", unique(0, "/rsipc-cancel-mq", "q"));
    struct mq_attr a = {.mq_maxmsg = maxmsg, .mq_msgsize = 16};
    g.mq = mq_open(g.mqname, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
    CHECK(g.mq != (mqd_t)-1);
}

static void setup_mq_empty(void) {
    open_mq(2);
}

static long rsipc_mq_receive_blocking(void) {
    char buf[16];
    return rsipc_mq_receive(g.mq, buf, sizeof buf, NULL);
}

static long glibc_mq_receive_blocking(void) {
    char buf[16];
    return mq_receive(g.mq, buf, sizeof buf, NULL);
}

static long rsipc_mq_timedreceive_blocking(void) {
    char buf[16];
    struct timespec t;
    far_realtime(&t);
    return rsipc_mq_timedreceive(g.mq, buf, sizeof buf, NULL, &t);
}

static long glibc_mq_timedreceive_blocking(void) {
    char buf[16];
    struct timespec t;
    far_realtime(&t);
    return mq_timedreceive(g.mq, buf, sizeof buf, NULL, &t);
}

static void close_mq(const char *who) {
    CHECK(mq_close(g.mq) == 0);
    CHECK(mq_unlink(g.mqname) == 0);
    if (open_fds() != g.fds_before) {
        fprintf(stderr, "mq (%s): descriptors leaked\n", who);
        CHECK(!"no descriptor leaked");
    }
}

static void after_mq_receive(const char *who) {
    CHECK(mq_send(g.mq, "one", 4, 5) == 0);
    CHECK(mq_queued(g.mq) == 1); /* the cancelled receiver took nothing */
    char buf[16];
    unsigned prio = 0;
    CHECK(rsipc_mq_receive(g.mq, buf, sizeof buf, &prio) == 4);
    CHECK(prio == 5 && strcmp(buf, "one") == 0);
    CHECK(mq_queued(g.mq) == 0);
    close_mq(who);
}

static void setup_mq_full(void) {
    open_mq(1);
    CHECK(mq_send(g.mq, "fill", 5, 1) == 0);
}

static long rsipc_mq_send_blocking(void) {
    return rsipc_mq_send(g.mq, "late", 5, 2);
}

static long glibc_mq_send_blocking(void) {
    return mq_send(g.mq, "late", 5, 2);
}

static long rsipc_mq_timedsend_blocking(void) {
    struct timespec t;
    far_realtime(&t);
    return rsipc_mq_timedsend(g.mq, "late", 5, 2, &t);
}

static long glibc_mq_timedsend_blocking(void) {
    struct timespec t;
    far_realtime(&t);
    return mq_timedsend(g.mq, "late", 5, 2, &t);
}

static void after_mq_send(const char *who) {
    CHECK(mq_queued(g.mq) == 1); /* the cancelled message was not queued */
    char buf[16];
    unsigned prio = 0;
    CHECK(rsipc_mq_receive(g.mq, buf, sizeof buf, &prio) == 5);
    CHECK(prio == 1 && strcmp(buf, "fill") == 0);
    CHECK(mq_queued(g.mq) == 0);
    CHECK(rsipc_mq_send(g.mq, "works", 6, 0) == 0);
    CHECK(mq_queued(g.mq) == 1);
    close_mq(who);
}

/* -- POSIX semaphores */

static void setup_sem_zero(void) {
    CHECK(rsipc_sem_init(&g.sem, 0, 0) == 0);
}

static long rsipc_sem_wait_blocking(void) {
    return rsipc_sem_wait(&g.sem);
}

static long glibc_sem_wait_blocking(void) {
    return sem_wait(&g.sem);
}

static long rsipc_sem_timedwait_blocking(void) {
    struct timespec t;
    far_realtime(&t);
    return rsipc_sem_timedwait(&g.sem, &t);
}

static long glibc_sem_timedwait_blocking(void) {
    struct timespec t;
    far_realtime(&t);
    return sem_timedwait(&g.sem, &t);
}

static long rsipc_sem_clockwait_blocking(void) {
    struct timespec t;
    far_monotonic(&t);
    return rsipc_sem_clockwait(&g.sem, CLOCK_MONOTONIC, &t);
}

static long glibc_sem_clockwait_blocking(void) {
    struct timespec t;
    far_monotonic(&t);
    return sem_clockwait(&g.sem, CLOCK_MONOTONIC, &t);
}

static void after_sem(const char *who) {
    /* glibc's cleanup handler unregisters a cancelled waiter: so must rsipc. */
    uint32_t w = sem_waiters(&g.sem);
    if (w != 0) fprintf(stderr, "sem (%s): %u waiters left registered\n", who, w);
    CHECK(w == 0);
    int v = -1;
    CHECK(rsipc_sem_getvalue(&g.sem, &v) == 0 && v == 0);
    CHECK(rsipc_sem_post(&g.sem) == 0);
    CHECK(rsipc_sem_wait(&g.sem) == 0);
    CHECK(sem_post(&g.sem) == 0);
    CHECK(sem_wait(&g.sem) == 0);
    CHECK(sem_waiters(&g.sem) == 0);
    CHECK(rsipc_sem_getvalue(&g.sem, &v) == 0 && v == 0);
    CHECK(rsipc_sem_destroy(&g.sem) == 0);
}

/* -- FIFOs */

static void setup_fifo(void) {
    snprintf(g.fifo, sizeof g.fifo, "%s", unique(1, "/tmp/rsipc-cancel-fifo", "f"));
    CHECK(mkfifo(g.fifo, 0600) == 0);
    g.fds_before = open_fds();
}

static long rsipc_fifo_open_forever(void) {
    return rsipc_fifo_open(g.fifo, O_WRONLY, -1);
}

static long rsipc_fifo_open_timed(void) {
    return rsipc_fifo_open(g.fifo, O_WRONLY, 600000);
}

static long glibc_open_fifo_writer(void) {
    return open(g.fifo, O_WRONLY);
}

static void after_fifo(const char *who) {
    int leaked = open_fds() - g.fds_before;
    if (leaked != 0) fprintf(stderr, "fifo_open (%s): %d descriptors leaked\n", who, leaked);
    CHECK(leaked == 0);
    int r = rsipc_fifo_open(g.fifo, O_RDONLY | O_NONBLOCK, 0);
    CHECK(r >= 0);
    int w = rsipc_fifo_open(g.fifo, O_WRONLY, 0);
    CHECK(w >= 0);
    CHECK(rsipc_write_all(w, "ok", 2) == 2);
    char buf[2];
    CHECK(rsipc_read_exact(r, buf, 2) == 2 && memcmp(buf, "ok", 2) == 0);
    close(w);
    close(r);
    CHECK(unlink(g.fifo) == 0);
}

/* -- Pipes: write_all and read_exact */

static void setup_pipe_full(void) {
    CHECK(pipe(g.pipefd) == 0);
    CHECK(rsipc_set_nonblocking(g.pipefd[1], 1) == 0);
    char chunk[4096];
    memset(chunk, 'f', sizeof chunk);
    g.filled = 0;
    for (;;) {
        ssize_t n = write(g.pipefd[1], chunk, sizeof chunk);
        if (n <= 0) break;
        g.filled += (int)n;
    }
    /* A pipe with less than a page of room left still takes small writes. */
    for (;;) {
        ssize_t n = write(g.pipefd[1], chunk, 1);
        if (n <= 0) break;
        g.filled += (int)n;
    }
    CHECK(rsipc_set_nonblocking(g.pipefd[1], 0) == 0);
}

static long rsipc_write_all_blocking(void) {
    return rsipc_write_all(g.pipefd[1], "abc", 3);
}

static long glibc_write_blocking(void) {
    return write(g.pipefd[1], "abc", 3);
}

static void after_write(const char *who) {
    int queued = -1;
    CHECK(ioctl(g.pipefd[0], FIONREAD, &queued) == 0);
    if (queued != g.filled) fprintf(stderr, "write (%s): %d bytes in the pipe, %d expected\n", who, queued, g.filled);
    CHECK(queued == g.filled); /* nothing of the cancelled write went in */
    char *buf = malloc((size_t)g.filled);
    CHECK(rsipc_read_exact(g.pipefd[0], buf, (size_t)g.filled) == g.filled);
    free(buf);
    CHECK(rsipc_write_all(g.pipefd[1], "ok", 2) == 2);
    close(g.pipefd[0]);
    close(g.pipefd[1]);
}

static void setup_pipe_empty(void) {
    CHECK(pipe(g.pipefd) == 0);
}

static long rsipc_read_exact_blocking(void) {
    char buf[4];
    return rsipc_read_exact(g.pipefd[0], buf, sizeof buf);
}

static long glibc_read_blocking(void) {
    char buf[4];
    return read(g.pipefd[0], buf, sizeof buf);
}

static void after_read(const char *who) {
    (void)who;
    CHECK(write(g.pipefd[1], "wxyz", 4) == 4);
    char buf[4];
    CHECK(rsipc_read_exact(g.pipefd[0], buf, 4) == 4 && memcmp(buf, "wxyz", 4) == 0);
    close(g.pipefd[0]);
    close(g.pipefd[1]);
}

static const struct blocked_case blocked_cases[] = {
    {"msgrcv", SYS_msgrcv, SYS_msgrcv, setup_msq_empty, rsipc_msgrcv_blocking, glibc_msgrcv_blocking, after_msgrcv},
    {"msgsnd", SYS_msgsnd, SYS_msgsnd, setup_msq_full, rsipc_msgsnd_blocking, glibc_msgsnd_blocking, after_msgsnd},
    {"mq_receive", SYS_mq_timedreceive, SYS_mq_timedreceive, setup_mq_empty, rsipc_mq_receive_blocking,
     glibc_mq_receive_blocking, after_mq_receive},
    {"mq_timedreceive", SYS_mq_timedreceive, SYS_mq_timedreceive, setup_mq_empty, rsipc_mq_timedreceive_blocking,
     glibc_mq_timedreceive_blocking, after_mq_receive},
    {"mq_send", SYS_mq_timedsend, SYS_mq_timedsend, setup_mq_full, rsipc_mq_send_blocking, glibc_mq_send_blocking,
     after_mq_send},
    {"mq_timedsend", SYS_mq_timedsend, SYS_mq_timedsend, setup_mq_full, rsipc_mq_timedsend_blocking,
     glibc_mq_timedsend_blocking, after_mq_send},
    {"sem_wait", SYS_futex, SYS_futex, setup_sem_zero, rsipc_sem_wait_blocking, glibc_sem_wait_blocking, after_sem},
    {"sem_timedwait", SYS_futex, SYS_futex, setup_sem_zero, rsipc_sem_timedwait_blocking,
     glibc_sem_timedwait_blocking, after_sem},
    {"sem_clockwait", SYS_futex, SYS_futex, setup_sem_zero, rsipc_sem_clockwait_blocking,
     glibc_sem_clockwait_blocking, after_sem},
    /* glibc's counterpart of fifo_open is open(2); the timed wait sleeps in
     * ppoll between its tries. */
    {"fifo_open(-1)", SYS_openat, SYS_openat, setup_fifo, rsipc_fifo_open_forever, glibc_open_fifo_writer,
     after_fifo},
    {"fifo_open(600000)", SYS_ppoll, SYS_openat, setup_fifo, rsipc_fifo_open_timed, glibc_open_fifo_writer,
     after_fifo},
    {"write_all", SYS_write, SYS_write, setup_pipe_full, rsipc_write_all_blocking, glibc_write_blocking, after_write},
    {"read_exact", SYS_read, SYS_read, setup_pipe_empty, rsipc_read_exact_blocking, glibc_read_blocking, after_read},
};

static void test_blocked_calls_are_cancelled_as_in_glibc(void) {
    size_t n = sizeof blocked_cases / sizeof blocked_cases[0];
    for (int async = 0; async <= 1; async++) {
        for (size_t i = 0; i < n; i++) {
            if (!selected(blocked_cases[i].name)) continue;
            int glibc = cancel_blocked(&blocked_cases[i], 0, async);
            int rsipc = cancel_blocked(&blocked_cases[i], 1, async);
            if (glibc != rsipc)
                fprintf(stderr, "%s (%s): glibc %s, rsipc %s\n", blocked_cases[i].name, async ? "async" : "deferred",
                        glibc ? "cancelled" : "not cancelled", rsipc ? "cancelled" : "not cancelled");
            CHECK(glibc == rsipc);
        }
    }
}

/* ------------------------------------------------------------------------
 * Part 2: a call made with a cancel pending. */

struct pending_case {
    const char *name;
    int point;             /* 1: a cancellation point (the README's table) */
    void (*setup)(void);   /* in the main thread, before */
    long (*rsipc_call)(void);
    long (*glibc_call)(void); /* NULL: rsipc's own function, no counterpart */
    void (*after)(int cancelled); /* in the main thread: checks, cleanup */
};

struct pending_run {
    long (*call)(void);
    volatile int returned;
    volatile int cleaned;
};

static void on_pending_cleanup(void *arg) {
    ((struct pending_run *)arg)->cleaned = 1;
}

static void *pending_thread(void *arg) {
    struct pending_run *r = arg;
    int old;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    pthread_cancel(pthread_self());
    /* Enabling does not act on the pending cancel: only a cancellation
     * point (or pthread_testcancel) does. */
    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
    pthread_cleanup_push(on_pending_cleanup, r);
    r->call();
    r->returned = 1;
    pthread_cleanup_pop(0);
    pthread_testcancel();
    return NULL;
}

/* 1 if the call acted on the pending cancel. */
static int call_with_cancel_pending(const struct pending_case *c, long (*call)(void)) {
    struct pending_run r = {call, 0, 0};
    if (c->setup) c->setup();
    pthread_t th;
    CHECK(pthread_create(&th, NULL, pending_thread, &r) == 0);
    void *ret = NULL;
    CHECK(pthread_join(th, &ret) == 0);
    /* Cancelled either way: at the call, or at pthread_testcancel after it. */
    CHECK(ret == PTHREAD_CANCELED);
    int cancelled_at_call = !r.returned;
    if (cancelled_at_call) {
        CHECK(r.cleaned);
        cancelled_calls++;
    }
    if (c->after) c->after(cancelled_at_call);
    return cancelled_at_call;
}

/* Shared setups, calls and checks of the pending cases. */

static struct msg16 pending_msg = {4, "pending"};
static char pending_buf[16];
static struct timespec pending_deadline;

static void p_setup_msq(void) {
    setup_msq_empty();
}

static void p_setup_msq_one(void) {
    setup_msq_empty();
    CHECK(msgsnd(g.msq, &pending_msg, 8, 0) == 0);
}

static void p_after_msgsnd(int cancelled) {
    CHECK(msgs_queued(g.msq) == (cancelled ? 0 : 1));
    CHECK(msgctl(g.msq, IPC_RMID, NULL) == 0);
}

static void p_after_msgrcv(int cancelled) {
    CHECK(msgs_queued(g.msq) == (cancelled ? 1 : 0)); /* a cancelled receive takes nothing */
    CHECK(msgctl(g.msq, IPC_RMID, NULL) == 0);
}

static void p_after_msq(int cancelled) {
    (void)cancelled;
    CHECK(msgctl(g.msq, IPC_RMID, NULL) == 0);
}

static long r_msgsnd(void) { return rsipc_msgsnd(g.msq, &pending_msg, 8, IPC_NOWAIT); }
static long l_msgsnd(void) { return msgsnd(g.msq, &pending_msg, 8, IPC_NOWAIT); }
static long r_msgrcv(void) { struct msg16 m; return rsipc_msgrcv(g.msq, &m, 16, 0, IPC_NOWAIT); }
static long l_msgrcv(void) { struct msg16 m; return msgrcv(g.msq, &m, 16, 0, IPC_NOWAIT); }
static long r_msgctl(void) { struct msqid_ds ds; return rsipc_msgctl(g.msq, IPC_STAT, &ds); }
static long l_msgctl(void) { struct msqid_ds ds; return msgctl(g.msq, IPC_STAT, &ds); }

static int made_msq = -1;
static long r_msgget(void) { return made_msq = rsipc_msgget(IPC_PRIVATE, IPC_CREAT | 0600); }
static long l_msgget(void) { return made_msq = msgget(IPC_PRIVATE, IPC_CREAT | 0600); }
static void p_after_msgget(int cancelled) {
    CHECK(!cancelled && made_msq >= 0);
    if (made_msq >= 0) CHECK(msgctl(made_msq, IPC_RMID, NULL) == 0);
    made_msq = -1;
}

static void p_setup_mq(void) { open_mq(2); }
static void p_setup_mq_one(void) {
    open_mq(2);
    CHECK(mq_send(g.mq, "pending", 8, 0) == 0);
}
static void p_after_mq_send(int cancelled) {
    CHECK(mq_queued(g.mq) == (cancelled ? 0 : 1));
    close_mq("pending");
}
static void p_after_mq_receive(int cancelled) {
    CHECK(mq_queued(g.mq) == (cancelled ? 1 : 0));
    close_mq("pending");
}
static void p_after_mq(int cancelled) {
    (void)cancelled;
    close_mq("pending");
}

static long r_mq_send(void) { return rsipc_mq_send(g.mq, "p", 2, 0); }
static long l_mq_send(void) { return mq_send(g.mq, "p", 2, 0); }
static long r_mq_timedsend(void) { far_realtime(&pending_deadline); return rsipc_mq_timedsend(g.mq, "p", 2, 0, &pending_deadline); }
static long l_mq_timedsend(void) { far_realtime(&pending_deadline); return mq_timedsend(g.mq, "p", 2, 0, &pending_deadline); }
static long r_mq_receive(void) { return rsipc_mq_receive(g.mq, pending_buf, 16, NULL); }
static long l_mq_receive(void) { return mq_receive(g.mq, pending_buf, 16, NULL); }
static long r_mq_timedreceive(void) { far_realtime(&pending_deadline); return rsipc_mq_timedreceive(g.mq, pending_buf, 16, NULL, &pending_deadline); }
static long l_mq_timedreceive(void) { far_realtime(&pending_deadline); return mq_timedreceive(g.mq, pending_buf, 16, NULL, &pending_deadline); }
static long r_mq_getattr(void) { struct mq_attr a; return rsipc_mq_getattr(g.mq, &a); }
static long l_mq_getattr(void) { struct mq_attr a; return mq_getattr(g.mq, &a); }
static long r_mq_setattr(void) { struct mq_attr a = {0}, old; return rsipc_mq_setattr(g.mq, &a, &old); }
static long l_mq_setattr(void) { struct mq_attr a = {0}, old; return mq_setattr(g.mq, &a, &old); }
static long r_mq_notify(void) {
    struct sigevent ev = {0};
    ev.sigev_notify = SIGEV_NONE;
    long ret = rsipc_mq_notify(g.mq, &ev);
    rsipc_mq_notify(g.mq, NULL);
    return ret;
}
static long l_mq_notify(void) {
    struct sigevent ev = {0};
    ev.sigev_notify = SIGEV_NONE;
    long ret = mq_notify(g.mq, &ev);
    mq_notify(g.mq, NULL);
    return ret;
}

static mqd_t made_mq = (mqd_t)-1;
static void p_setup_mq_name(void) {
    g.fds_before = open_fds();
    snprintf(g.mqname, sizeof g.mqname, "%s", unique(0, "/rsipc-cancel-mq", "open"));
}
static long r_mq_open(void) { return made_mq = rsipc_mq_open(g.mqname, O_RDWR | O_CREAT | O_EXCL, 0600, NULL); }
static long l_mq_open(void) { return made_mq = mq_open(g.mqname, O_RDWR | O_CREAT | O_EXCL, 0600, NULL); }
static void p_after_mq_open(int cancelled) {
    CHECK(!cancelled && made_mq != (mqd_t)-1);
    if (made_mq != (mqd_t)-1) {
        CHECK(mq_close(made_mq) == 0);
        CHECK(mq_unlink(g.mqname) == 0);
    }
    made_mq = (mqd_t)-1;
    CHECK(open_fds() == g.fds_before);
}
static long r_mq_close(void) { return rsipc_mq_close(g.mq); }
static long l_mq_close(void) { return mq_close(g.mq); }
static void p_after_mq_close(int cancelled) {
    if (cancelled) CHECK(mq_close(g.mq) == 0);
    CHECK(mq_unlink(g.mqname) == 0);
    CHECK(open_fds() == g.fds_before);
}
static long r_mq_unlink(void) { return rsipc_mq_unlink(g.mqname); }
static long l_mq_unlink(void) { return mq_unlink(g.mqname); }
static void p_after_mq_unlink(int cancelled) {
    if (cancelled) CHECK(mq_unlink(g.mqname) == 0);
    CHECK(mq_close(g.mq) == 0);
}

static void p_setup_sem_one(void) { CHECK(rsipc_sem_init(&g.sem, 0, 1) == 0); }
static void p_setup_sem_zero(void) { CHECK(rsipc_sem_init(&g.sem, 0, 0) == 0); }
static void p_after_sem_wait(int cancelled) {
    int v = -1;
    CHECK(rsipc_sem_getvalue(&g.sem, &v) == 0 && v == (cancelled ? 1 : 0)); /* a cancelled wait takes no token */
    CHECK(sem_waiters(&g.sem) == 0);
}
static void p_after_sem(int cancelled) {
    (void)cancelled;
    CHECK(sem_waiters(&g.sem) == 0);
}
static long r_sem_wait(void) { return rsipc_sem_wait(&g.sem); }
static long l_sem_wait(void) { return sem_wait(&g.sem); }
static long r_sem_timedwait(void) { far_realtime(&pending_deadline); return rsipc_sem_timedwait(&g.sem, &pending_deadline); }
static long l_sem_timedwait(void) { far_realtime(&pending_deadline); return sem_timedwait(&g.sem, &pending_deadline); }
static const struct timespec bad_nsec = {0, 1000000000};
static long r_sem_timedwait_bad(void) { return rsipc_sem_timedwait(&g.sem, &bad_nsec); }
static long l_sem_timedwait_bad(void) { return sem_timedwait(&g.sem, &bad_nsec); }
static long r_sem_clockwait(void) { far_monotonic(&pending_deadline); return rsipc_sem_clockwait(&g.sem, CLOCK_MONOTONIC, &pending_deadline); }
static long l_sem_clockwait(void) { far_monotonic(&pending_deadline); return sem_clockwait(&g.sem, CLOCK_MONOTONIC, &pending_deadline); }
static const struct timespec before_epoch = {-1, 0};
static long r_sem_clockwait_past(void) { return rsipc_sem_clockwait(&g.sem, CLOCK_MONOTONIC, &before_epoch); }
static long l_sem_clockwait_past(void) { return sem_clockwait(&g.sem, CLOCK_MONOTONIC, &before_epoch); }
static long r_sem_trywait(void) { return rsipc_sem_trywait(&g.sem); }
static long l_sem_trywait(void) { return sem_trywait(&g.sem); }
static long r_sem_post(void) { return rsipc_sem_post(&g.sem); }
static long l_sem_post(void) { return sem_post(&g.sem); }
static long r_sem_getvalue(void) { int v; return rsipc_sem_getvalue(&g.sem, &v); }
static long l_sem_getvalue(void) { int v; return sem_getvalue(&g.sem, &v); }
static long r_sem_init(void) { return rsipc_sem_init(&g.sem, 1, 3); }
static long l_sem_init(void) { return sem_init(&g.sem, 1, 3); }
static long r_sem_destroy(void) { return rsipc_sem_destroy(&g.sem); }
static long l_sem_destroy(void) { return sem_destroy(&g.sem); }

static sem_t *made_sem = SEM_FAILED;
static char sem_name[96];
static void p_setup_sem_name(void) {
    g.fds_before = open_fds();
    snprintf(sem_name, sizeof sem_name, "%s", unique(2, "/rsipc-cancel-sem", "s"));
}
static long r_sem_open(void) { made_sem = rsipc_sem_open(sem_name, O_CREAT | O_EXCL, 0600, 1); return made_sem == SEM_FAILED ? -1 : 0; }
static long l_sem_open(void) { made_sem = sem_open(sem_name, O_CREAT | O_EXCL, 0600, 1); return made_sem == SEM_FAILED ? -1 : 0; }
static int made_by_rsipc = 0;
static void p_after_sem_open(int cancelled) {
    CHECK(!cancelled && made_sem != SEM_FAILED);
    if (made_sem != SEM_FAILED) CHECK((made_by_rsipc ? rsipc_sem_close(made_sem) : sem_close(made_sem)) == 0);
    CHECK(sem_unlink(sem_name) == 0);
    made_sem = SEM_FAILED;
    CHECK(open_fds() == g.fds_before);
}
static void p_setup_sem_opened(void) {
    p_setup_sem_name();
    made_sem = made_by_rsipc ? rsipc_sem_open(sem_name, O_CREAT | O_EXCL, 0600, 1)
                             : sem_open(sem_name, O_CREAT | O_EXCL, 0600, 1);
    CHECK(made_sem != SEM_FAILED);
}
static long r_sem_close(void) { return rsipc_sem_close(made_sem); }
static long l_sem_close(void) { return sem_close(made_sem); }
static void p_after_sem_close(int cancelled) {
    CHECK(!cancelled);
    CHECK(sem_unlink(sem_name) == 0);
}
static long r_sem_unlink(void) { return rsipc_sem_unlink(sem_name); }
static long l_sem_unlink(void) { return sem_unlink(sem_name); }
static void p_after_sem_unlink(int cancelled) {
    CHECK(!cancelled);
    CHECK((made_by_rsipc ? rsipc_sem_close(made_sem) : sem_close(made_sem)) == 0);
}

static int made_fds[2] = {-1, -1};
static void p_setup_fds(void) { g.fds_before = open_fds(); }
static void p_after_fds(int cancelled) {
    CHECK(!cancelled);
    for (int i = 0; i < 2; i++)
        if (made_fds[i] >= 0) close(made_fds[i]);
    made_fds[0] = made_fds[1] = -1;
    CHECK(open_fds() == g.fds_before);
}
static long r_pipe(void) { return rsipc_pipe(made_fds); }
static long l_pipe(void) { return pipe(made_fds); }
static long r_pipe2(void) { return rsipc_pipe2(made_fds, O_CLOEXEC); }
static long l_pipe2(void) { return pipe2(made_fds, O_CLOEXEC); }

static void p_setup_pipe(void) { CHECK(pipe(g.pipefd) == 0); }
static void p_setup_pipe_one(void) {
    CHECK(pipe(g.pipefd) == 0);
    CHECK(write(g.pipefd[1], "1", 1) == 1);
}
static void p_after_pipe_write(int cancelled) {
    int queued = -1;
    CHECK(ioctl(g.pipefd[0], FIONREAD, &queued) == 0 && queued == (cancelled ? 0 : 1));
    close(g.pipefd[0]);
    close(g.pipefd[1]);
}
static void p_after_pipe_read(int cancelled) {
    int queued = -1;
    CHECK(ioctl(g.pipefd[0], FIONREAD, &queued) == 0 && queued == (cancelled ? 1 : 0));
    close(g.pipefd[0]);
    close(g.pipefd[1]);
}
static void p_after_pipe(int cancelled) {
    (void)cancelled;
    close(g.pipefd[0]);
    close(g.pipefd[1]);
}
static long r_write_all(void) { return rsipc_write_all(g.pipefd[1], "x", 1); }
static long l_write(void) { return write(g.pipefd[1], "x", 1); }
static long r_read_exact(void) { return rsipc_read_exact(g.pipefd[0], pending_buf, 1); }
static long l_read(void) { return read(g.pipefd[0], pending_buf, 1); }
static long r_pipe_capacity(void) { return rsipc_pipe_capacity(g.pipefd[0]); }
static long r_pipe_set_capacity(void) { return rsipc_pipe_set_capacity(g.pipefd[0], 65536); }
static long r_set_nonblocking(void) { return rsipc_set_nonblocking(g.pipefd[0], 1); }

static void p_setup_fifo(void) { setup_fifo(); }
static int opened_fd = -1;
static long r_fifo_open_reader(void) { return opened_fd = rsipc_fifo_open(g.fifo, O_RDONLY | O_NONBLOCK, 0); }
static long l_open_reader(void) { return opened_fd = open(g.fifo, O_RDONLY | O_NONBLOCK); }
static void p_after_fifo_open(int cancelled) {
    if (!cancelled) {
        CHECK(opened_fd >= 0);
        close(opened_fd);
    }
    opened_fd = -1;
    CHECK(open_fds() == g.fds_before);
    CHECK(unlink(g.fifo) == 0);
}
static long r_mkfifo(void) { return rsipc_mkfifo(g.fifo, 0600); }
static long l_mkfifo(void) { return mkfifo(g.fifo, 0600); }
static long r_mkfifoat(void) { return rsipc_mkfifoat(AT_FDCWD, g.fifo, 0600); }
static long l_mkfifoat(void) { return mkfifoat(AT_FDCWD, g.fifo, 0600); }
static void p_setup_fifo_name(void) {
    snprintf(g.fifo, sizeof g.fifo, "%s", unique(1, "/tmp/rsipc-cancel-fifo", "mk"));
}
static void p_after_mkfifo(int cancelled) {
    CHECK(!cancelled);
    CHECK(unlink(g.fifo) == 0);
}

static void *page = MAP_FAILED;
static void p_setup_page(void) {
    page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(page != MAP_FAILED);
}
static void p_after_page(int cancelled) {
    (void)cancelled;
    CHECK(munmap(page, 4096) == 0);
}
static long r_msync(void) { return rsipc_msync(page, 4096, MS_SYNC); }
static long l_msync(void) { return msync(page, 4096, MS_SYNC); }
static void *mapped = MAP_FAILED;
static long r_mmap(void) { mapped = rsipc_mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); return mapped == MAP_FAILED ? -1 : 0; }
static long l_mmap(void) { mapped = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); return mapped == MAP_FAILED ? -1 : 0; }
static void p_after_mmap(int cancelled) {
    CHECK(!cancelled && mapped != MAP_FAILED);
    if (mapped != MAP_FAILED) munmap(mapped, 4096);
    mapped = MAP_FAILED;
}
static long r_munmap(void) { return rsipc_munmap(page, 4096); }
static long l_munmap(void) { return munmap(page, 4096); }
static void p_after_munmap(int cancelled) { CHECK(!cancelled); }
static long r_map_anonymous_shared(void) { mapped = rsipc_map_anonymous_shared(4096); return mapped == MAP_FAILED ? -1 : 0; }

static char shm_name[96];
static int made_shm_fd = -1;
static void p_setup_shm_name(void) {
    g.fds_before = open_fds();
    snprintf(shm_name, sizeof shm_name, "%s", unique(3, "/rsipc-cancel-shm", "o"));
}
static long r_shm_open(void) { return made_shm_fd = rsipc_shm_open(shm_name, O_RDWR | O_CREAT | O_EXCL, 0600); }
static long l_shm_open(void) { return made_shm_fd = shm_open(shm_name, O_RDWR | O_CREAT | O_EXCL, 0600); }
static void p_after_shm_open(int cancelled) {
    CHECK(!cancelled && made_shm_fd >= 0);
    if (made_shm_fd >= 0) close(made_shm_fd);
    made_shm_fd = -1;
    CHECK(shm_unlink(shm_name) == 0);
    CHECK(open_fds() == g.fds_before);
}
static void p_setup_shm_object(void) {
    p_setup_shm_name();
    int fd = shm_open(shm_name, O_RDWR | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0);
    close(fd);
}
static long r_shm_unlink(void) { return rsipc_shm_unlink(shm_name); }
static long l_shm_unlink(void) { return shm_unlink(shm_name); }
static void p_after_shm_unlink(int cancelled) { CHECK(!cancelled); }
static long r_shm_map(void) { mapped = rsipc_shm_map(shm_name, 4096, O_RDWR | O_CREAT | O_EXCL, 0600); return mapped == MAP_FAILED ? -1 : 0; }
static void p_after_shm_map(int cancelled) {
    p_after_mmap(cancelled);
    CHECK(shm_unlink(shm_name) == 0);
    CHECK(open_fds() == g.fds_before);
}
static char file_name[128];
static void p_setup_file_name(void) {
    g.fds_before = open_fds();
    snprintf(file_name, sizeof file_name, "%s", unique(4, "/tmp/rsipc-cancel-file", "m"));
}
static long r_map_file(void) {
    size_t len = 4096;
    mapped = rsipc_map_file(file_name, O_RDWR | O_CREAT | O_EXCL, 0600, &len);
    return mapped == MAP_FAILED ? -1 : 0;
}
static void p_after_map_file(int cancelled) {
    p_after_mmap(cancelled);
    CHECK(unlink(file_name) == 0);
    CHECK(open_fds() == g.fds_before);
}
static long r_ftok(void) { return rsipc_ftok("/", 1); }
static long l_ftok(void) { return ftok("/", 1); }

static int semid = -1;
static void p_setup_semset(void) {
    semid = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    CHECK(semid >= 0);
}
static void p_after_semset(int cancelled) {
    CHECK(!cancelled);
    CHECK(semctl(semid, 0, IPC_RMID) == 0);
}
static long r_semop(void) { struct sembuf op = {0, 1, IPC_NOWAIT}; return rsipc_semop(semid, &op, 1); }
static long l_semop(void) { struct sembuf op = {0, 1, IPC_NOWAIT}; return semop(semid, &op, 1); }
static long r_semtimedop(void) { struct sembuf op = {0, 1, 0}; struct timespec t = {1, 0}; return rsipc_semtimedop(semid, &op, 1, &t); }
static long l_semtimedop(void) { struct sembuf op = {0, 1, 0}; struct timespec t = {1, 0}; return semtimedop(semid, &op, 1, &t); }
static long r_semctl(void) { return rsipc_semctl(semid, 0, GETVAL); }
static long l_semctl(void) { return semctl(semid, 0, GETVAL); }
static int made_semid = -1;
static long r_semget(void) { return made_semid = rsipc_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600); }
static long l_semget(void) { return made_semid = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600); }
static void p_after_semget(int cancelled) {
    CHECK(!cancelled && made_semid >= 0);
    if (made_semid >= 0) CHECK(semctl(made_semid, 0, IPC_RMID) == 0);
    made_semid = -1;
}

static int shmid = -1;
static void *attached = (void *)-1;
static void p_setup_shmseg(void) {
    shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    CHECK(shmid >= 0);
}
static void p_after_shmseg(int cancelled) {
    CHECK(!cancelled);
    if (attached != (void *)-1) shmdt(attached);
    attached = (void *)-1;
    CHECK(shmctl(shmid, IPC_RMID, NULL) == 0);
}
static long r_shmat(void) { attached = rsipc_shmat(shmid, NULL, 0); return attached == (void *)-1 ? -1 : 0; }
static long l_shmat(void) { attached = shmat(shmid, NULL, 0); return attached == (void *)-1 ? -1 : 0; }
static void p_setup_shmseg_attached(void) {
    p_setup_shmseg();
    attached = shmat(shmid, NULL, 0);
    CHECK(attached != (void *)-1);
}
static long r_shmdt(void) { long ret = rsipc_shmdt(attached); attached = (void *)-1; return ret; }
static long l_shmdt(void) { long ret = shmdt(attached); attached = (void *)-1; return ret; }
static long r_shmctl(void) { struct shmid_ds ds; return rsipc_shmctl(shmid, IPC_STAT, &ds); }
static long l_shmctl(void) { struct shmid_ds ds; return shmctl(shmid, IPC_STAT, &ds); }
static int made_shmid = -1;
static long r_shmget(void) { return made_shmid = rsipc_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600); }
static long l_shmget(void) { return made_shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600); }
static void p_after_shmget(int cancelled) {
    CHECK(!cancelled && made_shmid >= 0);
    if (made_shmid >= 0) CHECK(shmctl(made_shmid, IPC_RMID, NULL) == 0);
    made_shmid = -1;
}

static const struct pending_case pending_cases[] = {
    /* Cancellation points: glibc acts on a pending cancel on entry. */
    {"msgsnd", 1, p_setup_msq, r_msgsnd, l_msgsnd, p_after_msgsnd},
    {"msgrcv", 1, p_setup_msq_one, r_msgrcv, l_msgrcv, p_after_msgrcv},
    {"mq_send", 1, p_setup_mq, r_mq_send, l_mq_send, p_after_mq_send},
    {"mq_timedsend", 1, p_setup_mq, r_mq_timedsend, l_mq_timedsend, p_after_mq_send},
    {"mq_receive", 1, p_setup_mq_one, r_mq_receive, l_mq_receive, p_after_mq_receive},
    {"mq_timedreceive", 1, p_setup_mq_one, r_mq_timedreceive, l_mq_timedreceive, p_after_mq_receive},
    {"sem_wait (value 1)", 1, p_setup_sem_one, r_sem_wait, l_sem_wait, p_after_sem_wait},
    {"sem_timedwait (value 1)", 1, p_setup_sem_one, r_sem_timedwait, l_sem_timedwait, p_after_sem_wait},
    {"sem_wait (value 0)", 1, p_setup_sem_zero, r_sem_wait, l_sem_wait, p_after_sem},
    {"sem_clockwait (value 0)", 1, p_setup_sem_zero, r_sem_clockwait, l_sem_clockwait, p_after_sem},
    {"msync", 1, p_setup_page, r_msync, l_msync, p_after_page},
    {"fifo_open / open", 1, p_setup_fifo, r_fifo_open_reader, l_open_reader, p_after_fifo_open},
    {"write_all / write", 1, p_setup_pipe, r_write_all, l_write, p_after_pipe_write},
    {"read_exact / read", 1, p_setup_pipe_one, r_read_exact, l_read, p_after_pipe_read},
    /* Not cancellation points, or not before they block. */
    {"sem_clockwait (value 1)", 0, p_setup_sem_one, r_sem_clockwait, l_sem_clockwait, p_after_sem_wait},
    {"sem_clockwait (deadline before 1970)", 0, p_setup_sem_zero, r_sem_clockwait_past, l_sem_clockwait_past,
     p_after_sem},
    {"sem_timedwait (bad tv_nsec)", 0, p_setup_sem_zero, r_sem_timedwait_bad, l_sem_timedwait_bad, p_after_sem},
    {"sem_trywait", 0, p_setup_sem_one, r_sem_trywait, l_sem_trywait, p_after_sem_wait},
    {"sem_post", 0, p_setup_sem_zero, r_sem_post, l_sem_post, p_after_sem},
    {"sem_getvalue", 0, p_setup_sem_one, r_sem_getvalue, l_sem_getvalue, p_after_sem},
    {"sem_init", 0, NULL, r_sem_init, l_sem_init, p_after_sem},
    {"sem_destroy", 0, p_setup_sem_one, r_sem_destroy, l_sem_destroy, NULL},
    {"sem_open", 0, p_setup_sem_name, r_sem_open, l_sem_open, p_after_sem_open},
    {"sem_close", 0, p_setup_sem_opened, r_sem_close, l_sem_close, p_after_sem_close},
    {"sem_unlink", 0, p_setup_sem_opened, r_sem_unlink, l_sem_unlink, p_after_sem_unlink},
    {"pipe", 0, p_setup_fds, r_pipe, l_pipe, p_after_fds},
    {"pipe2", 0, p_setup_fds, r_pipe2, l_pipe2, p_after_fds},
    {"pipe_capacity", 0, p_setup_pipe, r_pipe_capacity, NULL, p_after_pipe},
    {"pipe_set_capacity", 0, p_setup_pipe, r_pipe_set_capacity, NULL, p_after_pipe},
    {"set_nonblocking", 0, p_setup_pipe, r_set_nonblocking, NULL, p_after_pipe},
    {"mkfifo", 0, p_setup_fifo_name, r_mkfifo, l_mkfifo, p_after_mkfifo},
    {"mkfifoat", 0, p_setup_fifo_name, r_mkfifoat, l_mkfifoat, p_after_mkfifo},
    {"mmap", 0, NULL, r_mmap, l_mmap, p_after_mmap},
    {"munmap", 0, p_setup_page, r_munmap, l_munmap, p_after_munmap},
    {"map_anonymous_shared", 0, NULL, r_map_anonymous_shared, NULL, p_after_mmap},
    {"map_file", 0, p_setup_file_name, r_map_file, NULL, p_after_map_file},
    {"shm_open", 0, p_setup_shm_name, r_shm_open, l_shm_open, p_after_shm_open},
    {"shm_unlink", 0, p_setup_shm_object, r_shm_unlink, l_shm_unlink, p_after_shm_unlink},
    {"shm_map", 0, p_setup_shm_name, r_shm_map, NULL, p_after_shm_map},
    {"ftok", 0, NULL, r_ftok, l_ftok, NULL},
    {"shmget", 0, NULL, r_shmget, l_shmget, p_after_shmget},
    {"shmat", 0, p_setup_shmseg, r_shmat, l_shmat, p_after_shmseg},
    {"shmdt", 0, p_setup_shmseg_attached, r_shmdt, l_shmdt, p_after_shmseg},
    {"shmctl", 0, p_setup_shmseg, r_shmctl, l_shmctl, p_after_shmseg},
    {"msgget", 0, NULL, r_msgget, l_msgget, p_after_msgget},
    {"msgctl", 0, p_setup_msq, r_msgctl, l_msgctl, p_after_msq},
    {"semget", 0, NULL, r_semget, l_semget, p_after_semget},
    {"semop", 0, p_setup_semset, r_semop, l_semop, p_after_semset},
    {"semtimedop", 0, p_setup_semset, r_semtimedop, l_semtimedop, p_after_semset},
    {"semctl", 0, p_setup_semset, r_semctl, l_semctl, p_after_semset},
    {"mq_open", 0, p_setup_mq_name, r_mq_open, l_mq_open, p_after_mq_open},
    {"mq_close", 0, p_setup_mq, r_mq_close, l_mq_close, p_after_mq_close},
    {"mq_unlink", 0, p_setup_mq, r_mq_unlink, l_mq_unlink, p_after_mq_unlink},
    {"mq_getattr", 0, p_setup_mq, r_mq_getattr, l_mq_getattr, p_after_mq},
    {"mq_setattr", 0, p_setup_mq, r_mq_setattr, l_mq_setattr, p_after_mq},
    {"mq_notify", 0, p_setup_mq, r_mq_notify, l_mq_notify, p_after_mq},
};

static void test_a_pending_cancel_acts_exactly_where_glibc_acts(void) {
    size_t n = sizeof pending_cases / sizeof pending_cases[0];
    for (size_t i = 0; i < n; i++) {
        const struct pending_case *c = &pending_cases[i];
        if (!selected(c->name)) continue;
        int glibc = -1;
        if (c->glibc_call) {
            made_by_rsipc = 0;
            glibc = call_with_cancel_pending(c, c->glibc_call);
        }
        made_by_rsipc = 1;
        int rsipc = call_with_cancel_pending(c, c->rsipc_call);
        if (rsipc != c->point || (glibc != -1 && glibc != rsipc))
            fprintf(stderr, "%s with a cancel pending: glibc %s, rsipc %s, README says %s\n", c->name,
                    glibc == -1 ? "-" : glibc ? "cancelled" : "returned", rsipc ? "cancelled" : "returned",
                    c->point ? "cancellation point" : "not one");
        CHECK(rsipc == c->point);
        if (glibc != -1) CHECK(glibc == rsipc);
    }
}

/* ------------------------------------------------------------------------
 * Part 3: a single-threaded process cancels its only thread. */

static void on_self_cleanup(void *arg) {
    int fd = *(int *)arg;
    (void)!write(fd, "c", 1);
}

/* The child, exec'd fresh so that it has only ever had one thread:
 * `--self-cancel rsipc|glibc msgrcv|sem_clockwait MSQID FD`. msgrcv acts
 * on entry; sem_clockwait only in its futex wait (its semaphore is 0). */
static int self_cancel_child(char **argv) {
    alarm(WATCHDOG_SECONDS);
    int use_rsipc = strcmp(argv[2], "rsipc") == 0;
    int sem_call = strcmp(argv[3], "sem_clockwait") == 0;
    int msq = atoi(argv[4]);
    int fd = atoi(argv[5]);
    static sem_t zero;
    CHECK(sem_init(&zero, 0, 0) == 0);
    struct timespec t;
    far_monotonic(&t);
    int old;
    pthread_cleanup_push(on_self_cleanup, &fd);
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    pthread_cancel(pthread_self());
    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
    if (!__libc_single_threaded) _exit(3); /* not the case this checks */
    struct msg16 m;
    if (sem_call)
        (void)(use_rsipc ? rsipc_sem_clockwait(&zero, CLOCK_MONOTONIC, &t) : sem_clockwait(&zero, CLOCK_MONOTONIC, &t));
    else if (use_rsipc)
        rsipc_msgrcv(msq, &m, sizeof m.text, 0, IPC_NOWAIT);
    else
        msgrcv(msq, &m, sizeof m.text, 0, IPC_NOWAIT);
    (void)!write(fd, "r", 1);
    pthread_cleanup_pop(0);
    return 0;
}

/* What the child did: 'c' cancelled at the call, 'r' returned from it. */
static char self_cancel(const char *who, const char *call, int msq) {
    int p[2];
    CHECK(pipe(p) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        char msq_s[16], fd_s[16];
        snprintf(msq_s, sizeof msq_s, "%d", msq);
        snprintf(fd_s, sizeof fd_s, "%d", p[1]);
        char *args[] = {"test_cancel", "--self-cancel", (char *)who, (char *)call, msq_s, fd_s, NULL};
        execv("/proc/self/exe", args);
        _exit(127);
    }
    close(p[1]);
    char what = '?';
    if (read(p[0], &what, 1) != 1) what = '?';
    close(p[0]);
    int status = -1;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return what;
}

static void test_a_single_threaded_process_acts_on_its_own_cancel(void) {
    if (!selected("single-threaded")) return;
    static const char *const calls[] = {"msgrcv", "sem_clockwait"};
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        for (int use_rsipc = 0; use_rsipc <= 1; use_rsipc++) {
            const char *who = use_rsipc ? "rsipc" : "glibc";
            int msq = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
            CHECK(msq >= 0);
            struct msg16 m = {9, "kept"};
            CHECK(msgsnd(msq, &m, 5, 0) == 0);
            char what = self_cancel(who, calls[i], msq);
            if (what != 'c')
                fprintf(stderr, "single-threaded self-cancel, %s (%s): '%c', not cancelled\n", calls[i], who, what);
            CHECK(what == 'c');
            CHECK(msgs_queued(msq) == 1); /* a cancelled msgrcv took nothing */
            CHECK(msgctl(msq, IPC_RMID, NULL) == 0);
            if (what == 'c') cancelled_calls++;
        }
    }
}

int main(int argc, char **argv) {
    if (argc == 6 && strcmp(argv[1], "--self-cancel") == 0) return self_cancel_child(argv);
    if (argc > 1) only = argv[1];
    alarm(WATCHDOG_SECONDS);
    test_blocked_calls_are_cancelled_as_in_glibc();
    test_a_pending_cancel_acts_exactly_where_glibc_acts();
    test_a_single_threaded_process_acts_on_its_own_cancel();
    printf("cancelled calls: %d, aborts: 0\n", cancelled_calls);
    return check_summary("test_cancel");
}
