/* POSIX semaphores: rsipc's own futex implementation against glibc's, on
 * the same 32-byte sem_t layout.
 *
 * - one thread, a process-private semaphore: a post + wait pair, a post +
 *   trywait pair, and a trywait that fails with EAGAIN (value 0); none of
 *   them needs a system call;
 * - two processes taking turns on two process-shared semaphores in a
 *   shared anonymous mapping (every wait sleeps: the futex wake-up is the
 *   floor, see the hardware limits);
 * - a named semaphore: sem_open of an existing name + sem_close (no other
 *   handle open, so each cycle maps and unmaps it).
 *
 * The single-thread loops call the functions directly, as a C program does. */
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <sys/mman.h>

#include "rsipc.h"
#include "harness.h"

/* ---- one thread ---------------------------------------------------------------- */

/* Defines <variant>_<what>(const bench_args *) for one variant's calls. */
#define SINGLE_THREAD_ROWS(variant, INIT, DESTROY, POST, WAIT, TRYWAIT)                                     \
    static double variant##_post_wait(const bench_args *a) {                                                \
        sem_t s;                                                                                            \
        if (INIT(&s, 0, 0) != 0) bench_die(#INIT);                                                          \
        uint64_t t0 = bench_now_ns();                                                                       \
        for (size_t i = 0; i < a->count; i++)                                                               \
            if (POST(&s) != 0 || WAIT(&s) != 0) bench_die(#POST " + " #WAIT);                               \
        uint64_t t1 = bench_now_ns();                                                                       \
        if (DESTROY(&s) != 0) bench_die(#DESTROY);                                                          \
        return bench_ns_per(t0, t1, a->count);                                                              \
    }                                                                                                       \
    static double variant##_post_trywait(const bench_args *a) {                                             \
        sem_t s;                                                                                            \
        if (INIT(&s, 0, 0) != 0) bench_die(#INIT);                                                          \
        uint64_t t0 = bench_now_ns();                                                                       \
        for (size_t i = 0; i < a->count; i++)                                                               \
            if (POST(&s) != 0 || TRYWAIT(&s) != 0) bench_die(#POST " + " #TRYWAIT);                         \
        uint64_t t1 = bench_now_ns();                                                                       \
        if (DESTROY(&s) != 0) bench_die(#DESTROY);                                                          \
        return bench_ns_per(t0, t1, a->count);                                                              \
    }                                                                                                       \
    static double variant##_trywait_fails(const bench_args *a) {                                            \
        sem_t s;                                                                                            \
        if (INIT(&s, 0, 0) != 0) bench_die(#INIT);                                                          \
        uint64_t t0 = bench_now_ns();                                                                       \
        for (size_t i = 0; i < a->count; i++)                                                               \
            if (TRYWAIT(&s) != -1 || errno != EAGAIN) bench_die(#TRYWAIT " on 0 did not fail with EAGAIN"); \
        uint64_t t1 = bench_now_ns();                                                                       \
        if (DESTROY(&s) != 0) bench_die(#DESTROY);                                                          \
        return bench_ns_per(t0, t1, a->count);                                                              \
    }

/* sem_post on a semaphore at SEM_VALUE_MAX: fails with EOVERFLOW (the
 * failure a signal handler posting to a saturated semaphore meets). */
#define POST_OVERFLOW_ROW(variant, INIT, DESTROY, POST)                                                         \
    static double variant##_post_overflows(const bench_args *a) {                                           \
        sem_t s;                                                                                            \
        if (INIT(&s, 0, SEM_VALUE_MAX) != 0) bench_die(#INIT);                                              \
        uint64_t t0 = bench_now_ns();                                                                       \
        for (size_t i = 0; i < a->count; i++)                                                               \
            if (POST(&s) != -1 || errno != EOVERFLOW) bench_die(#POST " at SEM_VALUE_MAX did not fail");     \
        uint64_t t1 = bench_now_ns();                                                                       \
        if (DESTROY(&s) != 0) bench_die(#DESTROY);                                                          \
        return bench_ns_per(t0, t1, a->count);                                                              \
    }

POST_OVERFLOW_ROW(glibc, sem_init, sem_destroy, sem_post)
POST_OVERFLOW_ROW(rsipc, rsipc_sem_init, rsipc_sem_destroy, rsipc_sem_post)

SINGLE_THREAD_ROWS(glibc, sem_init, sem_destroy, sem_post, sem_wait, sem_trywait)
SINGLE_THREAD_ROWS(rsipc, rsipc_sem_init, rsipc_sem_destroy, rsipc_sem_post, rsipc_sem_wait, rsipc_sem_trywait)

/* ---- two processes -------------------------------------------------------------- */

typedef struct {
    int (*init)(sem_t *s, int pshared, unsigned value);
    int (*destroy)(sem_t *s);
    int (*post)(sem_t *s);
    int (*wait)(sem_t *s);
    sem_t *(*open)(const char *name, int oflag, ...);
    int (*close)(sem_t *s);
    int (*unlink)(const char *name);
} sem_api;

static const sem_api glibc_api = {sem_init, sem_destroy, sem_post, sem_wait, sem_open, sem_close, sem_unlink};
static const sem_api rsipc_api = {rsipc_sem_init, rsipc_sem_destroy, rsipc_sem_post, rsipc_sem_wait,
                                  rsipc_sem_open, rsipc_sem_close,   rsipc_sem_unlink};

typedef struct {
    const sem_api *api;
    sem_t *ping, *pong; /* parent -> child, child -> parent */
    size_t rounds;
} job;

static size_t warmup_rounds(size_t rounds) { return rounds / 10 ? rounds / 10 : 1; }

static int pingpong_child(void *arg) {
    job *j = arg;
    size_t total = warmup_rounds(j->rounds) + j->rounds;
    for (size_t i = 0; i < total; i++) {
        if (j->api->wait(j->ping) != 0) return bench_child_fail("sem_wait(ping) %zu of %zu", i, total);
        if (j->api->post(j->pong) != 0) return bench_child_fail("sem_post(pong) %zu of %zu", i, total);
    }
    return 0;
}

static void pingpong_rounds(const job *j, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (j->api->post(j->ping) != 0 || j->api->wait(j->pong) != 0) bench_die("ping-pong");
}

static double pingpong(const sem_api *api, const bench_args *a) {
    sem_t *sems = bench_shared_alloc(2 * sizeof(sem_t));
    job j = {api, &sems[0], &sems[1], a->count};
    if (api->init(j.ping, 1, 0) != 0 || api->init(j.pong, 1, 0) != 0) bench_die("sem_init");
    pid_t pid = bench_spawn(pingpong_child, &j);

    pingpong_rounds(&j, warmup_rounds(j.rounds));
    uint64_t t0 = bench_now_ns();
    pingpong_rounds(&j, j.rounds);
    uint64_t t1 = bench_now_ns();

    bench_reap(pid);
    if (api->destroy(j.ping) != 0 || api->destroy(j.pong) != 0) bench_die("sem_destroy");
    munmap(sems, 2 * sizeof(sem_t));
    return bench_ns_per(t0, t1, 2 * j.rounds);
}

/* ---- named semaphores -------------------------------------------------------------- */

static double open_close(const sem_api *api, const bench_args *a) {
    char name[96];
    bench_ipc_name(name, sizeof name, "sem");
    sem_t *s = api->open(name, O_CREAT | O_EXCL, 0600, 0u);
    if (s == SEM_FAILED) bench_die("sem_open(%s, O_CREAT|O_EXCL)", name);
    int handle = bench_remember(BENCH_POSIX_SEM, -1, name);
    if (api->close(s) != 0) bench_die("sem_close");

    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < a->count; i++) {
        if ((s = api->open(name, 0)) == SEM_FAILED) bench_die("sem_open(%s)", name);
        if (api->close(s) != 0) bench_die("sem_close");
    }
    uint64_t t1 = bench_now_ns();

    if (api->unlink(name) != 0) bench_die("sem_unlink(%s)", name);
    bench_forget(handle);
    return bench_ns_per(t0, t1, a->count);
}

static double glibc_pingpong(const bench_args *a) { return pingpong(&glibc_api, a); }
static double rsipc_pingpong(const bench_args *a) { return pingpong(&rsipc_api, a); }
static double glibc_open_close(const bench_args *a) { return open_close(&glibc_api, a); }
static double rsipc_open_close(const bench_args *a) { return open_close(&rsipc_api, a); }

static const bench_row rows[] = {
    /* name, unit, glibc, rsipc, size, quick count, full count */
    {"post + wait, one thread, uncontended (per pair)", BENCH_NS, glibc_post_wait, rsipc_post_wait, 0, 500000,
     1000000},
    {"post + trywait, one thread (per pair)", BENCH_NS, glibc_post_trywait, rsipc_post_trywait, 0, 500000, 1000000},
    {"trywait on value 0: fails with EAGAIN", BENCH_NS, glibc_trywait_fails, rsipc_trywait_fails, 0, 100000, 300000},
    {"post at SEM_VALUE_MAX: fails with EOVERFLOW", BENCH_NS, glibc_post_overflows, rsipc_post_overflows, 0, 100000,
     300000},
    {"one-way latency, ping-pong on two sem_t in shared memory", BENCH_NS, glibc_pingpong, rsipc_pingpong, 0, 400,
     500},
    {"named: sem_open of an existing name + sem_close", BENCH_NS, glibc_open_close, rsipc_open_close, 0, 1000, 2000},
};

BENCH_GROUP(sem, rows);
