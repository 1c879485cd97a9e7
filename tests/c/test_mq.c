/* POSIX message queues through the public header: priorities, timeouts,
 * attributes, notification (SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD, NULL),
 * glibc's name rules and errnos side by side, messages exchanged both ways
 * between a glibc process and an rsipc process on one queue, and the error
 * cases. /dev/mqueue need not be mounted: removal is checked by opening the
 * name again. */
#include <fcntl.h>
#include <mqueue.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define FAILED ((mqd_t)-1)

static char name_buf[8][96];
static int names_used = 0;

/* A queue name unique to this run. */
static const char *fresh_name(const char *tag) {
    char *name = name_buf[names_used++ % 8];
    snprintf(name, sizeof name_buf[0], "/rsipc-ctest-%d-%s", (int)getpid(), tag);
    return name;
}

/* Creates `name` exclusively, read-write, with the given sizes. */
static mqd_t create(const char *name, long maxmsg, long msgsize) {
    struct mq_attr attr = {0};
    attr.mq_maxmsg = maxmsg;
    attr.mq_msgsize = msgsize;
    mqd_t q = rsipc_mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
    if (q == FAILED) {
        fprintf(stderr, "mq_open(%s): %s\n", name, rsipc_last_error());
        abort();
    }
    return q;
}

static void destroy(mqd_t q, const char *name) {
    CHECK(rsipc_mq_close(q) == 0);
    CHECK(rsipc_mq_unlink(name) == 0);
}

static int wait_child(pid_t pid) {
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

static struct timespec realtime_in_ms(long ms) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

static void test_priorities_come_out_highest_first_and_fifo_within_one(void) {
    const char *name = fresh_name("prio");
    mqd_t q = create(name, 8, 32);
    const char *texts[] = {"low1", "high", "low2", "mid"};
    const unsigned prios[] = {1, 30000, 1, 7};
    for (int i = 0; i < 4; i++) CHECK(rsipc_mq_send(q, texts[i], strlen(texts[i]), prios[i]) == 0);
    const char *want[] = {"high", "mid", "low1", "low2"};
    const unsigned want_prio[] = {30000, 7, 1, 1};
    for (int i = 0; i < 4; i++) {
        char buf[32];
        unsigned prio = 99;
        ssize_t n = rsipc_mq_receive(q, buf, sizeof buf, &prio);
        CHECK(n == (ssize_t)strlen(want[i]) && memcmp(buf, want[i], (size_t)n) == 0 && prio == want_prio[i]);
    }
    destroy(q, name);
}

static void test_two_argument_open_reaches_an_existing_queue(void) {
    const char *name = fresh_name("open2");
    mqd_t q = create(name, 2, 16);
    mqd_t r = rsipc_mq_open(name, O_RDONLY); /* variadic: no mode, no attr */
    CHECK(r != FAILED);
    CHECK((fcntl(r, F_GETFD) & FD_CLOEXEC) != 0);
    CHECK(rsipc_mq_send(q, "x", 1, 0) == 0);
    char buf[16];
    CHECK(rsipc_mq_receive(r, buf, sizeof buf, NULL) == 1);
    CHECK(rsipc_mq_close(r) == 0);
    /* O_CREAT with a NULL attr takes the system defaults. */
    mqd_t again = rsipc_mq_open(name, O_CREAT | O_RDWR, 0600, NULL);
    CHECK(again != FAILED);
    CHECK(rsipc_mq_close(again) == 0);
    const char *dflt = fresh_name("defaults");
    mqd_t d = rsipc_mq_open(dflt, O_CREAT | O_EXCL | O_RDWR, 0600, NULL);
    struct mq_attr a, g;
    CHECK(d != FAILED && rsipc_mq_getattr(d, &a) == 0 && mq_getattr(d, &g) == 0);
    CHECK(a.mq_maxmsg == g.mq_maxmsg && a.mq_msgsize == g.mq_msgsize && a.mq_maxmsg > 0);
    destroy(d, dflt);
    destroy(q, name);
}

static void test_getattr_and_setattr(void) {
    const char *name = fresh_name("attr");
    mqd_t q = create(name, 4, 64);
    struct mq_attr a, old;
    CHECK(rsipc_mq_send(q, "abc", 3, 0) == 0);
    CHECK(rsipc_mq_getattr(q, &a) == 0);
    CHECK(a.mq_flags == 0 && a.mq_maxmsg == 4 && a.mq_msgsize == 64 && a.mq_curmsgs == 1);
    struct mq_attr nb = {0};
    nb.mq_flags = O_NONBLOCK;
    CHECK(rsipc_mq_setattr(q, &nb, &old) == 0 && old.mq_flags == 0);
    CHECK(rsipc_mq_getattr(q, &a) == 0 && a.mq_flags == O_NONBLOCK);
    char buf[64];
    CHECK(rsipc_mq_receive(q, buf, sizeof buf, NULL) == 3);
    CHECK_FAILS(rsipc_mq_receive(q, buf, sizeof buf, NULL), -1, EAGAIN, "mq_receive(");
    CHECK(strstr(rsipc_last_error(), "empty") != NULL);
    nb.mq_flags = O_NONBLOCK | O_APPEND;
    CHECK_FAILS(rsipc_mq_setattr(q, &nb, NULL), -1, EINVAL, "mq_setattr(");
    CHECK(mq_setattr(q, &nb, NULL) == -1 && errno == EINVAL);
    nb.mq_flags = 0;
    CHECK(rsipc_mq_setattr(q, &nb, NULL) == 0);
    CHECK(rsipc_mq_getattr(q, &a) == 0 && a.mq_flags == 0);
    destroy(q, name);
}

static void test_timeouts(void) {
    const char *name = fresh_name("timeout");
    mqd_t q = create(name, 1, 16);
    char buf[16];
    struct timespec soon = realtime_in_ms(20);
    CHECK_FAILS(rsipc_mq_timedreceive(q, buf, sizeof buf, NULL, &soon), -1, ETIMEDOUT, "mq_timedreceive(");
    CHECK(strstr(rsipc_last_error(), "abs_timeout") != NULL);
    CHECK(rsipc_mq_timedsend(q, "a", 1, 0, &soon) == 0); /* room: no wait, a past deadline is fine */
    soon = realtime_in_ms(20);
    CHECK_FAILS(rsipc_mq_timedsend(q, "b", 1, 0, &soon), -1, ETIMEDOUT, "mq_timedsend(");
    unsigned prio;
    CHECK(rsipc_mq_timedreceive(q, buf, sizeof buf, &prio, &soon) == 1 && buf[0] == 'a');
    destroy(q, name);
}

/* The kernel checks tv_nsec on every call, even one that would not wait,
 * and glibc passes it through: rsipc matches that. */
static void test_bad_tv_nsec_is_einval_like_glibc(void) {
    const char *name = fresh_name("nsec");
    mqd_t q = create(name, 2, 16);
    char buf[16];
    struct timespec bad = {0, 1000000000L};
    CHECK(rsipc_mq_send(q, "x", 1, 0) == 0);
    CHECK_FAILS(rsipc_mq_timedreceive(q, buf, sizeof buf, NULL, &bad), -1, EINVAL, "mq_timedreceive(");
    CHECK(strstr(rsipc_last_error(), "tv_nsec") != NULL);
    CHECK(mq_timedreceive(q, buf, sizeof buf, NULL, &bad) == -1 && errno == EINVAL);
    CHECK_FAILS(rsipc_mq_timedsend(q, "y", 1, 0, &bad), -1, EINVAL, "mq_timedsend(");
    CHECK(mq_timedsend(q, "y", 1, 0, &bad) == -1 && errno == EINVAL);
    bad.tv_nsec = -1;
    CHECK_FAILS(rsipc_mq_timedreceive(q, buf, sizeof buf, NULL, &bad), -1, EINVAL, "mq_timedreceive(");
    struct mq_attr a;
    CHECK(rsipc_mq_getattr(q, &a) == 0 && a.mq_curmsgs == 1); /* nothing was taken */
    destroy(q, name);
}

static void test_size_and_priority_errors_match_glibc(void) {
    const char *name = fresh_name("sizes");
    mqd_t q = create(name, 2, 8);
    char buf[16] = {0};
    CHECK_FAILS(rsipc_mq_send(q, buf, 9, 0), -1, EMSGSIZE, "mq_send(");
    CHECK(strstr(rsipc_last_error(), "mq_msgsize (8)") != NULL);
    CHECK(mq_send(q, buf, 9, 0) == -1 && errno == EMSGSIZE);
    CHECK_FAILS(rsipc_mq_send(q, buf, 1, 32768), -1, EINVAL, "mq_send(");
    CHECK(mq_send(q, buf, 1, 32768) == -1 && errno == EINVAL);
    CHECK(rsipc_mq_send(q, buf, 1, 32767) == 0);
    CHECK_FAILS(rsipc_mq_receive(q, buf, 7, NULL), -1, EMSGSIZE, "mq_receive(");
    CHECK(strstr(rsipc_last_error(), "stays queued") != NULL);
    CHECK(mq_receive(q, buf, 7, NULL) == -1 && errno == EMSGSIZE);
    CHECK(rsipc_mq_receive(q, buf, (size_t)-1, NULL) == 1); /* any length >= mq_msgsize */
    destroy(q, name);
}

static void test_name_rules_match_glibc(void) {
    char long_name[300];
    long_name[0] = '/';
    memset(long_name + 1, 'n', 256);
    long_name[257] = '\0';
    struct {
        const char *name;
        int err;
    } cases[] = {
        {"no-slash", EINVAL}, {"", EINVAL}, {"/a/b", EACCES}, {"/.", EACCES}, {"/", ENOENT}, {long_name, ENAMETOOLONG},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        CHECK_FAILS(rsipc_mq_open(cases[i].name, O_RDWR | O_CREAT, 0600, NULL), FAILED, cases[i].err, "mq_open(");
        errno = 0;
        mqd_t g = mq_open(cases[i].name, O_RDWR | O_CREAT, 0600, NULL);
        CHECK(g == FAILED && errno == cases[i].err);
        CHECK_FAILS(rsipc_mq_unlink(cases[i].name), -1, cases[i].err, "mq_unlink(");
        CHECK(mq_unlink(cases[i].name) == -1 && errno == cases[i].err);
    }
    CHECK_FAILS(rsipc_mq_open("/a/b", O_RDONLY), FAILED, EACCES, "mq_open(");
    CHECK(strstr(rsipc_last_error(), "no '/' after the first") != NULL);
    CHECK_FAILS(rsipc_mq_open(long_name, O_RDONLY), FAILED, ENAMETOOLONG, "mq_open(");
    CHECK(strstr(rsipc_last_error(), "NAME_MAX") != NULL);
    const char *missing = fresh_name("missing");
    CHECK_FAILS(rsipc_mq_open(missing, O_RDONLY), FAILED, ENOENT, "mq_open(");
    CHECK(strstr(rsipc_last_error(), "O_CREAT") != NULL);
    CHECK_FAILS(rsipc_mq_unlink(missing), -1, ENOENT, "mq_unlink(");
}

static void test_open_errors_match_glibc(void) {
    const char *name = fresh_name("openerr");
    mqd_t q = create(name, 2, 16);
    CHECK_FAILS(rsipc_mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL), FAILED, EEXIST, "mq_open(");
    CHECK(mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL) == FAILED && errno == EEXIST);
    CHECK_FAILS(rsipc_mq_open(name, O_ACCMODE), FAILED, EINVAL, "mq_open(");
    CHECK(mq_open(name, O_ACCMODE) == FAILED && errno == EINVAL);
    const char *bad = fresh_name("badattr");
    struct mq_attr attrs[] = {{0, 0, 16, 0, {0}}, {0, 2, 0, 0, {0}}, {0, -1, 16, 0, {0}}, {0, 2, 1L << 40, 0, {0}}};
    for (size_t i = 0; i < sizeof attrs / sizeof *attrs; i++) {
        CHECK_FAILS(rsipc_mq_open(bad, O_RDWR | O_CREAT, 0600, &attrs[i]), FAILED, EINVAL, "mq_open(");
        CHECK(strstr(rsipc_last_error(), "mq_maxmsg") != NULL);
        CHECK(mq_open(bad, O_RDWR | O_CREAT, 0600, &attrs[i]) == FAILED && errno == EINVAL);
    }
    CHECK_FAILS(rsipc_mq_open(NULL, O_RDONLY), FAILED, EFAULT, "mq_open(");
    CHECK_FAILS(rsipc_mq_unlink(NULL), -1, EFAULT, "mq_unlink(");
    destroy(q, name);
}

static void test_descriptor_errors_match_glibc(void) {
    const char *name = fresh_name("badf");
    mqd_t q = create(name, 2, 16);
    mqd_t r = rsipc_mq_open(name, O_RDONLY);
    mqd_t w = rsipc_mq_open(name, O_WRONLY);
    char buf[16];
    CHECK(r != FAILED && w != FAILED);
    CHECK_FAILS(rsipc_mq_send(r, "x", 1, 0), -1, EBADF, "mq_send(");
    CHECK(strstr(rsipc_last_error(), "not open for writing") != NULL);
    CHECK(mq_send(r, "x", 1, 0) == -1 && errno == EBADF);
    CHECK_FAILS(rsipc_mq_receive(w, buf, sizeof buf, NULL), -1, EBADF, "mq_receive(");
    CHECK(strstr(rsipc_last_error(), "not open for reading") != NULL);
    CHECK(mq_receive(w, buf, sizeof buf, NULL) == -1 && errno == EBADF);
    CHECK(rsipc_mq_close(r) == 0 && rsipc_mq_close(w) == 0);
    CHECK_FAILS(rsipc_mq_close(r), -1, EBADF, "mq_close(");
    CHECK_FAILS(rsipc_mq_send(r, "x", 1, 0), -1, EBADF, "mq_send(");
    CHECK(strstr(rsipc_last_error(), "is not open") != NULL);
    struct mq_attr a;
    CHECK_FAILS(rsipc_mq_getattr(r, &a), -1, EBADF, "mq_getattr(");
    CHECK(mq_getattr(r, &a) == -1 && errno == EBADF);
    /* A descriptor that is not a queue. */
    CHECK_FAILS(rsipc_mq_getattr(STDIN_FILENO, &a), -1, EBADF, "mq_getattr(");
    CHECK(strstr(rsipc_last_error(), "not a message queue descriptor") != NULL);
    CHECK(mq_getattr(STDIN_FILENO, &a) == -1 && errno == EBADF);
    destroy(q, name);
}

static void test_null_pointers_are_efault(void) {
    const char *name = fresh_name("null");
    mqd_t q = create(name, 2, 16);
    /* glibc's mq_getattr(q, NULL) and mq_setattr(q, NULL, ...) return 0 and
     * do nothing; rsipc says EFAULT: the struct is the call's point. */
    CHECK_FAILS(rsipc_mq_getattr(q, NULL), -1, EFAULT, "mq_getattr(");
    CHECK_FAILS(rsipc_mq_setattr(q, NULL, NULL), -1, EFAULT, "mq_setattr(");
    CHECK_FAILS(rsipc_mq_send(q, NULL, 4, 0), -1, EFAULT, "mq_send(");
    CHECK_FAILS(rsipc_mq_receive(q, NULL, 16, NULL), -1, EFAULT, "mq_receive(");
    CHECK_FAILS(rsipc_mq_timedsend(q, NULL, 4, 0, NULL), -1, EFAULT, "mq_timedsend(");
    CHECK_FAILS(rsipc_mq_timedreceive(q, NULL, 16, NULL, NULL), -1, EFAULT, "mq_timedreceive(");
    CHECK(rsipc_mq_send(q, NULL, 0, 0) == 0); /* an empty message needs no buffer */
    char buf[16];
    CHECK(rsipc_mq_timedreceive(q, buf, sizeof buf, NULL, NULL) == 0);
    destroy(q, name);
}

static volatile int thread_calls = 0;
static int notify_pipe[2];

static void on_message(union sigval v) {
    char c = (char)v.sival_int;
    thread_calls++;
    if (write(notify_pipe[1], &c, 1) != 1) abort();
}

static void test_notify_thread_calls_the_function_with_the_value(void) {
    const char *name = fresh_name("nthread");
    mqd_t q = create(name, 2, 16);
    CHECK(pipe(notify_pipe) == 0);
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD;
    sev.sigev_notify_function = on_message;
    sev.sigev_value.sival_int = 'Q';
    pthread_attr_t attr;
    CHECK(pthread_attr_init(&attr) == 0 && pthread_attr_setstacksize(&attr, 128 * 1024) == 0);
    sev.sigev_notify_attributes = &attr;
    CHECK(rsipc_mq_notify(q, &sev) == 0);
    CHECK(pthread_attr_destroy(&attr) == 0); /* the registration does not need it any more */
    CHECK_FAILS(rsipc_mq_notify(q, &sev), -1, EBUSY, "mq_notify(");
    CHECK(rsipc_mq_send(q, "m", 1, 0) == 0);
    char c = 0;
    CHECK(read(notify_pipe[0], &c, 1) == 1 && c == 'Q');
    CHECK(thread_calls == 1);
    /* Fired once, then gone: a new registration works. */
    sev.sigev_notify_attributes = NULL;
    CHECK(rsipc_mq_notify(q, &sev) == 0);
    CHECK(rsipc_mq_notify(q, NULL) == 0); /* unregistered: nothing will run */
    close(notify_pipe[0]);
    close(notify_pipe[1]);
    destroy(q, name);
}

static void test_notify_signal_delivers_the_value_with_si_mesgq(void) {
    const char *name = fresh_name("nsignal");
    mqd_t q = create(name, 2, 16);
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    CHECK(pthread_sigmask(SIG_BLOCK, &set, &old) == 0);
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGUSR2;
    sev.sigev_value.sival_int = 77;
    CHECK(rsipc_mq_notify(q, &sev) == 0);
    CHECK(rsipc_mq_send(q, "m", 1, 0) == 0);
    siginfo_t info;
    struct timespec limit = {60, 0};
    CHECK(sigtimedwait(&set, &info, &limit) == SIGUSR2);
    CHECK(info.si_code == SI_MESGQ && info.si_value.sival_int == 77 && info.si_pid == getpid());
    CHECK(pthread_sigmask(SIG_SETMASK, &old, NULL) == 0);
    destroy(q, name);
}

static void test_notify_errors(void) {
    const char *name = fresh_name("nerr");
    mqd_t q = create(name, 2, 16);
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = 99;
    CHECK_FAILS(rsipc_mq_notify(q, &sev), -1, EINVAL, "mq_notify(");
    CHECK(mq_notify(q, &sev) == -1 && errno == EINVAL);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = 999;
    CHECK_FAILS(rsipc_mq_notify(q, &sev), -1, EINVAL, "mq_notify(");
    CHECK(strstr(rsipc_last_error(), "999") != NULL);
    CHECK(mq_notify(q, &sev) == -1 && errno == EINVAL);
    sev.sigev_notify = SIGEV_THREAD;
    sev.sigev_notify_function = NULL;
    CHECK_FAILS(rsipc_mq_notify(q, &sev), -1, EFAULT, "mq_notify(");
    sev.sigev_notify = SIGEV_NONE;
    CHECK(rsipc_mq_notify(q, &sev) == 0);
    CHECK_FAILS(rsipc_mq_notify(q, &sev), -1, EBUSY, "mq_notify(");
    CHECK(mq_notify(q, &sev) == -1 && errno == EBUSY);
    CHECK(rsipc_mq_notify(q, NULL) == 0);
    CHECK(rsipc_mq_notify(q, NULL) == 0); /* nothing registered: still fine, as glibc */
    CHECK_FAILS(rsipc_mq_notify(-1, &sev), -1, EBADF, "mq_notify(");
    destroy(q, name);
}

/* A child (glibc) registers; the parent's rsipc registration is EBUSY until
 * the child closes its descriptor. */
static void test_notify_is_ebusy_while_another_process_is_registered(void) {
    const char *name = fresh_name("nbusy");
    mqd_t q = create(name, 2, 16);
    int ready[2], done[2];
    CHECK(pipe(ready) == 0 && pipe(done) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        struct sigevent sev;
        memset(&sev, 0, sizeof sev);
        sev.sigev_notify = SIGEV_NONE;
        char c = 'r';
        if (mq_notify(q, &sev) != 0 || write(ready[1], &c, 1) != 1) _exit(1);
        if (read(done[0], &c, 1) != 1) _exit(2);
        _exit(mq_close(q) == 0 ? 0 : 3);
    }
    char c;
    CHECK(read(ready[0], &c, 1) == 1);
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_NONE;
    CHECK_FAILS(rsipc_mq_notify(q, &sev), -1, EBUSY, "mq_notify(");
    CHECK(strstr(rsipc_last_error(), "already registered") != NULL);
    CHECK(write(done[1], "d", 1) == 1);
    CHECK(wait_child(pid) == 0);
    CHECK(rsipc_mq_notify(q, &sev) == 0);
    close(ready[0]);
    close(ready[1]);
    close(done[0]);
    close(done[1]);
    destroy(q, name);
}

/* One queue, two processes: the child uses glibc's mq_*, the parent
 * rsipc's; each sends to the other — then the roles swap. Priorities travel
 * with the messages. */
static void test_glibc_and_rsipc_processes_exchange_messages_both_ways(void) {
    for (int child_uses_glibc = 1; child_uses_glibc >= 0; child_uses_glibc--) {
        const char *to_child = fresh_name(child_uses_glibc ? "to-glibc" : "to-rsipc");
        const char *to_parent = fresh_name(child_uses_glibc ? "from-glibc" : "from-rsipc");
        mqd_t down = create(to_child, 4, 32);
        mqd_t up = create(to_parent, 4, 32);
        pid_t pid = fork();
        if (pid == 0) {
            char buf[32];
            unsigned prio = 0;
            mqd_t in = child_uses_glibc ? mq_open(to_child, O_RDONLY) : rsipc_mq_open(to_child, O_RDONLY);
            mqd_t out = child_uses_glibc ? mq_open(to_parent, O_WRONLY) : rsipc_mq_open(to_parent, O_WRONLY);
            if (in == FAILED || out == FAILED) _exit(1);
            ssize_t n = child_uses_glibc ? mq_receive(in, buf, sizeof buf, &prio) : rsipc_mq_receive(in, buf, sizeof buf, &prio);
            if (n != 4 || memcmp(buf, "ping", 4) != 0 || prio != 5) _exit(2);
            int r = child_uses_glibc ? mq_send(out, "pong", 4, 9) : rsipc_mq_send(out, "pong", 4, 9);
            _exit(r == 0 ? 0 : 3);
        }
        if (child_uses_glibc)
            CHECK(rsipc_mq_send(down, "ping", 4, 5) == 0);
        else
            CHECK(mq_send(down, "ping", 4, 5) == 0);
        char buf[32];
        unsigned prio = 0;
        ssize_t n = child_uses_glibc ? rsipc_mq_receive(up, buf, sizeof buf, &prio) : mq_receive(up, buf, sizeof buf, &prio);
        CHECK(n == 4 && memcmp(buf, "pong", 4) == 0 && prio == 9);
        CHECK(wait_child(pid) == 0);
        destroy(down, to_child);
        destroy(up, to_parent);
    }
}

static void test_unlink_removes_the_name_for_glibc_too(void) {
    const char *name = fresh_name("gone");
    mqd_t q = create(name, 2, 16);
    CHECK(rsipc_mq_unlink(name) == 0);
    CHECK(mq_open(name, O_RDONLY) == FAILED && errno == ENOENT);
    CHECK_FAILS(rsipc_mq_open(name, O_RDONLY), FAILED, ENOENT, "mq_open(");
    CHECK(rsipc_mq_send(q, "still", 5, 0) == 0); /* the open descriptor works on */
    CHECK(rsipc_mq_close(q) == 0);
    /* And a queue glibc created, rsipc removes. */
    mqd_t g = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, NULL);
    CHECK(g != FAILED);
    CHECK(rsipc_mq_unlink(name) == 0);
    CHECK(mq_unlink(name) == -1 && errno == ENOENT);
    CHECK(mq_close(g) == 0);
}

int main(void) {
    /* SIGUSR2 is the notification signal of one test. Block it before any
     * thread exists: a process-directed signal goes to any thread that does
     * not block it, and the SIGEV_THREAD test's notification thread (which
     * runs with the mask of the thread that registered) may still be on its
     * way out when that signal arrives. */
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    CHECK(pthread_sigmask(SIG_BLOCK, &usr2, NULL) == 0);
    test_priorities_come_out_highest_first_and_fifo_within_one();
    test_two_argument_open_reaches_an_existing_queue();
    test_getattr_and_setattr();
    test_timeouts();
    test_bad_tv_nsec_is_einval_like_glibc();
    test_size_and_priority_errors_match_glibc();
    test_name_rules_match_glibc();
    test_open_errors_match_glibc();
    test_descriptor_errors_match_glibc();
    test_null_pointers_are_efault();
    test_notify_thread_calls_the_function_with_the_value();
    test_notify_signal_delivers_the_value_with_si_mesgq();
    test_notify_errors();
    test_notify_is_ebusy_while_another_process_is_registered();
    test_glibc_and_rsipc_processes_exchange_messages_both_ways();
    test_unlink_removes_the_name_for_glibc_too();
    return check_summary("test_mq");
}
