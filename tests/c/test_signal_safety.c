/* The functions POSIX lists as async-signal-safe stay so in rsipc when they
 * fail: a timer's signal handler calls rsipc_sem_post on a semaphore at
 * SEM_VALUE_MAX (EOVERFLOW) and on NULL, and the failing paths of
 * rsipc_pipe, rsipc_pipe2, rsipc_mkfifo and rsipc_mkfifoat, while threads
 * malloc and free in a loop, so the handler keeps interrupting malloc with
 * its locks held. An error path that allocated (or took a lock) would
 * deadlock there; a watchdog turns that into a failure instead of a hang.
 *
 * The process makes no rsipc call before the first signal: the very first
 * rsipc call of the process is made from the signal handler. */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"

/* As many posts as the glibc run of the same workload makes. */
#define POSTS 20001
#define CHURNERS 3
#define WATCHDOG_MS 120000

static sem_t saturated;
static char fifo_path[96];
static int done_pipe[2];
static atomic_int handled;
static atomic_int wrong;
static atomic_int stop;

/* What glibc says for the same calls (asked before the timer starts). */
static int want_overflow, want_pipe_null, want_pipe2_bad, want_mkfifo_null, want_mkfifo_exists, want_mkfifoat_badf;

#define EXPECT_FAILS(call, err)                                 \
    do {                                                        \
        if ((call) != -1 || errno != (err)) atomic_fetch_add(&wrong, 1); \
    } while (0)

static void on_tick(int sig) {
    (void)sig;
    int saved = errno;
    int n = atomic_fetch_add(&handled, 1) + 1;
    if (n <= POSTS) {
        int fds[2];
        EXPECT_FAILS(rsipc_sem_post(&saturated), want_overflow);
        /* glibc faults here; rsipc reports EFAULT (the contract's rule 3). */
        EXPECT_FAILS(rsipc_sem_post(NULL), EFAULT);
        EXPECT_FAILS(rsipc_pipe(NULL), want_pipe_null);
        EXPECT_FAILS(rsipc_pipe2(fds, 0x40000000), want_pipe2_bad);
        EXPECT_FAILS(rsipc_mkfifo(NULL, 0600), want_mkfifo_null);
        EXPECT_FAILS(rsipc_mkfifo(fifo_path, 0600), want_mkfifo_exists);
        EXPECT_FAILS(rsipc_mkfifoat(1000000, "relative", 0600), want_mkfifoat_badf);
        if (n == POSTS) {
            char c = 1;
            if (write(done_pipe[1], &c, 1) != 1) atomic_fetch_add(&wrong, 1);
        }
    }
    errno = saved;
}

/* Allocates and frees blocks of many sizes (tcache, bins, the arena lock)
 * until told to stop; the timer's signal is delivered to these threads. */
static void *churn(void *arg) {
    unsigned seed = (unsigned)(uintptr_t)arg;
    void *blocks[32] = {0};
    sigset_t alarm;
    sigemptyset(&alarm);
    sigaddset(&alarm, SIGALRM);
    pthread_sigmask(SIG_UNBLOCK, &alarm, NULL);
    while (!atomic_load(&stop)) {
        int i = rand_r(&seed) % 32;
        free(blocks[i]);
        blocks[i] = malloc(1 + (size_t)(rand_r(&seed) % 20000));
        if (blocks[i]) *(volatile char *)blocks[i] = 1;
    }
    for (int i = 0; i < 32; i++) free(blocks[i]);
    return NULL;
}

static int glibc_errno(int ret) { return ret == -1 ? errno : 0; }

/* NULL as the compiler cannot see it (glibc declares the paths nonnull). */
static const char *volatile null_path;

int main(void) {
    /* Everything before the first signal goes through glibc, never rsipc. */
    snprintf(fifo_path, sizeof fifo_path, "/tmp/rsipc-test-signal-safety-%d", (int)getpid());
    if (mkfifo(fifo_path, 0600) != 0) {
        perror("mkfifo");
        return 1;
    }
    if (sem_init(&saturated, 0, SEM_VALUE_MAX) != 0 || pipe2(done_pipe, O_CLOEXEC) != 0) {
        perror("setup");
        unlink(fifo_path);
        return 1;
    }
    int fds[2];
    want_overflow = glibc_errno(sem_post(&saturated));
    want_pipe_null = glibc_errno(pipe(NULL));
    want_pipe2_bad = glibc_errno(pipe2(fds, 0x40000000));
    /* glibc's mkfifo is mknodat(AT_FDCWD, path, S_IFIFO | mode, 0); the
     * system call itself, so UBSan does not object to the NULL. */
    want_mkfifo_null = glibc_errno((int)syscall(SYS_mknodat, AT_FDCWD, null_path, S_IFIFO | 0600, 0));
    want_mkfifo_exists = glibc_errno(mkfifo(fifo_path, 0600));
    want_mkfifoat_badf = glibc_errno(mkfifoat(1000000, "relative", 0600));
    CHECK(want_overflow == EOVERFLOW && want_pipe_null == EFAULT && want_pipe2_bad == EINVAL);
    CHECK(want_mkfifo_null == EFAULT && want_mkfifo_exists == EEXIST && want_mkfifoat_badf == EBADF);

    /* Only the churning threads take the signal. */
    sigset_t alarm;
    sigemptyset(&alarm);
    sigaddset(&alarm, SIGALRM);
    pthread_sigmask(SIG_BLOCK, &alarm, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_tick;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    pthread_t churners[CHURNERS];
    for (int i = 0; i < CHURNERS; i++) pthread_create(&churners[i], NULL, churn, (void *)(uintptr_t)(i + 1));

    struct itimerval every = {{0, 50}, {0, 50}};
    setitimer(ITIMER_REAL, &every, NULL);
    struct pollfd p = {.fd = done_pipe[0], .events = POLLIN};
    int ready = poll(&p, 1, WATCHDOG_MS);
    if (ready != 1) {
        /* A handler is stuck (in malloc's lock, most likely): no clean
         * shutdown is possible. */
        fprintf(stderr, "watchdog: only %d of %d signal-handler rounds completed in %d s: deadlock\n",
                atomic_load(&handled), POSTS, WATCHDOG_MS / 1000);
        unlink(fifo_path);
        _exit(1);
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    atomic_store(&stop, 1);
    for (int i = 0; i < CHURNERS; i++) pthread_join(churners[i], NULL);

    printf("signal-handler rounds: %d (of %d), each 7 failing calls; wrong results: %d\n", atomic_load(&handled) < POSTS ? atomic_load(&handled) : POSTS, POSTS,
           atomic_load(&wrong));
    CHECK(atomic_load(&handled) >= POSTS);
    CHECK(atomic_load(&wrong) == 0);

    /* The failures recorded from the handler read back as usual. */
    CHECK_FAILS(rsipc_sem_post(&saturated), -1, EOVERFLOW, "sem_post(sem=0x");
    CHECK(strstr(rsipc_last_error(), "SEM_VALUE_MAX") != NULL);
    CHECK_FAILS(rsipc_mkfifo(fifo_path, 0600), -1, EEXIST, "mkfifo(path=\"/tmp/rsipc-test-signal-safety-");

    unlink(fifo_path);
    close(done_pipe[0]);
    close(done_pipe[1]);
    sem_destroy(&saturated);
    return check_summary("test_signal_safety");
}
