/* rsipc and glibc on the same semaphores: one side calls rsipc_sem_*, the
 * other glibc's sem_* (in another process, or another thread), and neither
 * loses a post or a wake-up.
 *
 *  - named: created by rsipc, opened and posted by a glibc process; and
 *    created by glibc, opened and posted by an rsipc process;
 *  - unnamed in a shared mapping: initialised by glibc, waited on by rsipc
 *    while glibc posts; and initialised by rsipc, waited on by glibc;
 *  - stress: four processes (two rsipc, two glibc) post and wait a million
 *    times in total; the final value is exact; then a critical section
 *    shared by both libraries keeps a plain counter exact. */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

/* Every child gives up (and fails the test) rather than hang forever if a
 * wake-up were lost. */
#define CHILD_ALARM_S 240

static char name_buf[64];
static const char *unique_name(const char *tag) {
    static int n = 0;
    snprintf(name_buf, sizeof name_buf, "/rsipc-interop-%d-%s-%d", (int)getpid(), tag, n++);
    return name_buf;
}

static int wait_ok(pid_t pid) {
    int status;
    if (waitpid(pid, &status, 0) != pid) return 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "child %d failed: status %#x\n", (int)pid, status);
        return 0;
    }
    return 1;
}

/* The waiter count glibc and rsipc keep in the high half of the first
 * 64-bit word of sem_t. */
static uint32_t waiters(sem_t *s) {
    return (uint32_t)(__atomic_load_n((uint64_t *)s, __ATOMIC_RELAXED) >> 32);
}

/* Polls until a waiter is registered (at most ~20 s). */
static int waiter_registered(sem_t *s) {
    for (int i = 0; i < 20000; i++) {
        if (waiters(s) > 0) return 1;
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    return 0;
}

static void *shared_page(void) {
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) abort();
    return p;
}

static void test_named_created_by_rsipc_posted_by_glibc(void) {
    const char *name = unique_name("r2g");
    sem_t *s = rsipc_sem_open(name, O_CREAT | O_EXCL, 0600, 0);
    CHECK(s != SEM_FAILED);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(CHILD_ALARM_S);
        sem_t *g = sem_open(name, 0);
        int v = -1;
        if (g == SEM_FAILED || sem_getvalue(g, &v) != 0 || v != 0) _exit(1);
        /* wait until the parent sleeps, so the post must wake it */
        if (!waiter_registered(g)) _exit(2);
        _exit(sem_post(g) == 0 && sem_close(g) == 0 ? 0 : 3);
    }
    CHECK(rsipc_sem_wait(s) == 0);
    CHECK(wait_ok(pid));
    CHECK(waiters(s) == 0);
    CHECK(rsipc_sem_close(s) == 0);
    /* glibc removes the name rsipc created. */
    CHECK(sem_unlink(name) == 0);
}

static void test_named_created_by_glibc_posted_by_rsipc(void) {
    const char *name = unique_name("g2r");
    sem_t *g = sem_open(name, O_CREAT | O_EXCL, 0600, 1);
    CHECK(g != SEM_FAILED);
    CHECK(sem_wait(g) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(CHILD_ALARM_S);
        sem_t *s = rsipc_sem_open(name, 0);
        if (s == SEM_FAILED) _exit(1);
        if (!waiter_registered(s)) _exit(2);
        _exit(rsipc_sem_post(s) == 0 && rsipc_sem_close(s) == 0 ? 0 : 3);
    }
    CHECK(sem_wait(g) == 0);
    CHECK(wait_ok(pid));
    CHECK(sem_close(g) == 0);
    CHECK(rsipc_sem_unlink(name) == 0);
    CHECK_FAILS(rsipc_sem_open(name, 0), SEM_FAILED, ENOENT, "sem_open(");
}

static void test_both_libraries_open_one_name_in_one_process(void) {
    const char *name = unique_name("both");
    sem_t *s = rsipc_sem_open(name, O_CREAT, 0600, 0);
    sem_t *g = sem_open(name, 0);
    int v = -1;
    CHECK(s != SEM_FAILED && g != SEM_FAILED);
    CHECK(rsipc_sem_post(s) == 0 && rsipc_sem_post(s) == 0);
    CHECK(sem_getvalue(g, &v) == 0 && v == 2);
    CHECK(sem_trywait(g) == 0);
    CHECK(rsipc_sem_getvalue(s, &v) == 0 && v == 1);
    CHECK(sem_close(g) == 0 && rsipc_sem_close(s) == 0);
    CHECK(rsipc_sem_unlink(name) == 0);
}

static void test_unnamed_initialised_by_glibc_waited_on_by_rsipc(void) {
    sem_t *s = shared_page();
    CHECK(sem_init(s, 1, 0) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(CHILD_ALARM_S);
        struct timespec far;
        clock_gettime(CLOCK_REALTIME, &far);
        far.tv_sec += 600;
        /* one plain wait, one timed wait: both must be woken by glibc */
        _exit(rsipc_sem_wait(s) == 0 && rsipc_sem_timedwait(s, &far) == 0 ? 0 : 1);
    }
    for (int i = 0; i < 2; i++) {
        CHECK(waiter_registered(s));
        CHECK(sem_post(s) == 0);
    }
    CHECK(wait_ok(pid));
    int v = -1;
    CHECK(sem_getvalue(s, &v) == 0 && v == 0 && waiters(s) == 0);
    CHECK(sem_destroy(s) == 0);
    munmap(s, 4096);
}

static void test_unnamed_initialised_by_rsipc_waited_on_by_glibc(void) {
    sem_t *s = shared_page();
    CHECK(rsipc_sem_init(s, 1, 0) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(CHILD_ALARM_S);
        struct timespec far;
        clock_gettime(CLOCK_REALTIME, &far);
        far.tv_sec += 600;
        _exit(sem_wait(s) == 0 && sem_timedwait(s, &far) == 0 ? 0 : 1);
    }
    for (int i = 0; i < 2; i++) {
        CHECK(waiter_registered(s));
        CHECK(rsipc_sem_post(s) == 0);
    }
    CHECK(wait_ok(pid));
    int v = -1;
    CHECK(rsipc_sem_getvalue(s, &v) == 0 && v == 0 && waiters(s) == 0);
    CHECK(rsipc_sem_destroy(s) == 0);
    munmap(s, 4096);
}

/* --- stress ------------------------------------------------------------ */

#define STRESS_PER_PROCESS 250000 /* x 4 processes = 1,000,000 operations */

struct stress_page {
    sem_t items;
    sem_t mutex;
    uint64_t counter;
};

static int do_post(int use_rsipc, sem_t *s) { return use_rsipc ? rsipc_sem_post(s) : sem_post(s); }

static int do_wait(int use_rsipc, sem_t *s, int i) {
    /* mix plain, timed and try waits */
    if (i % 3 == 1) {
        struct timespec far;
        clock_gettime(CLOCK_REALTIME, &far);
        far.tv_sec += 600;
        return use_rsipc ? rsipc_sem_timedwait(s, &far) : sem_timedwait(s, &far);
    }
    if (i % 3 == 2) {
        int r = use_rsipc ? rsipc_sem_trywait(s) : sem_trywait(s);
        if (r == 0 || errno != EAGAIN) return r;
    }
    return use_rsipc ? rsipc_sem_wait(s) : sem_wait(s);
}

static void test_stress_producers_and_consumers_mixing_libraries(int init_with_rsipc) {
    struct stress_page *page = shared_page();
    CHECK((init_with_rsipc ? rsipc_sem_init(&page->items, 1, 0) : sem_init(&page->items, 1, 0)) == 0);
    pid_t pids[4];
    /* 0: rsipc producer, 1: glibc producer, 2: rsipc consumer, 3: glibc
     * consumer; the consumers start first, so waits really sleep. */
    static const int start_order[4] = {2, 3, 0, 1};
    for (int k = 0; k < 4; k++) {
        int p = start_order[k];
        pids[p] = fork();
        if (pids[p] == 0) {
            alarm(CHILD_ALARM_S);
            int use_rsipc = p % 2 == 0, producer = p < 2;
            for (int i = 0; i < STRESS_PER_PROCESS; i++) {
                int r = producer ? do_post(use_rsipc, &page->items) : do_wait(use_rsipc, &page->items, i);
                if (r != 0) {
                    fprintf(stderr, "stress process %d: operation %d failed: %s\n", p, i, strerror(errno));
                    _exit(1);
                }
            }
            _exit(0);
        }
        CHECK(pids[p] > 0);
    }
    for (int p = 0; p < 4; p++) CHECK(wait_ok(pids[p]));
    int v = -1, g = -1;
    CHECK(rsipc_sem_getvalue(&page->items, &v) == 0 && sem_getvalue(&page->items, &g) == 0);
    CHECK(v == 0 && g == 0);
    CHECK(waiters(&page->items) == 0);
    munmap(page, 4096);
}

#define MUTEX_ROUNDS 25000

static void test_stress_critical_section_shared_by_both_libraries(void) {
    struct stress_page *page = shared_page();
    CHECK(rsipc_sem_init(&page->mutex, 1, 1) == 0);
    pid_t pids[4];
    for (int p = 0; p < 4; p++) {
        pids[p] = fork();
        if (pids[p] == 0) {
            alarm(CHILD_ALARM_S);
            int use_rsipc = p % 2 == 0;
            for (int i = 0; i < MUTEX_ROUNDS; i++) {
                if (do_wait(use_rsipc, &page->mutex, i) != 0) _exit(1);
                /* plain read-modify-write: only mutual exclusion keeps it exact */
                uint64_t c = *(volatile uint64_t *)&page->counter;
                *(volatile uint64_t *)&page->counter = c + 1;
                if (do_post(use_rsipc, &page->mutex) != 0) _exit(2);
            }
            _exit(0);
        }
    }
    for (int p = 0; p < 4; p++) CHECK(wait_ok(pids[p]));
    int v = -1;
    CHECK(page->counter == 4 * MUTEX_ROUNDS);
    CHECK(sem_getvalue(&page->mutex, &v) == 0 && v == 1);
    munmap(page, 4096);
}

int main(void) {
    test_named_created_by_rsipc_posted_by_glibc();
    test_named_created_by_glibc_posted_by_rsipc();
    test_both_libraries_open_one_name_in_one_process();
    test_unnamed_initialised_by_glibc_waited_on_by_rsipc();
    test_unnamed_initialised_by_rsipc_waited_on_by_glibc();
    test_stress_producers_and_consumers_mixing_libraries(1);
    test_stress_producers_and_consumers_mixing_libraries(0);
    test_stress_critical_section_shared_by_both_libraries();
    return check_summary("test_sem_interop");
}
