/* System V shared memory: a 64-byte message ping-pong through a segment,
 * the two sides taking turns on a pair of semaphores — POSIX process-shared
 * `sem_t`s placed in the segment, or a System V semaphore set (semop).
 *
 * glibc shmget/shmat/shmctl/shmdt with glibc sem_init/sem_post/sem_wait (or
 * semget/semop/semctl) against the same calls through rsipc. Each
 * repetition makes a private segment (and set) through the variant it
 * measures, outside the timed region; the segment is marked for removal
 * (IPC_RMID) at once and disappears when both processes have detached. */
#include <semaphore.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "rsipc.h"
#include "harness.h"

#define MSG 64

/* The segment's layout. */
typedef struct {
    sem_t ping, pong; /* parent -> child, child -> parent (POSIX rows) */
    char down[MSG], up[MSG];
} segment;

/* The caller defines it (semctl(2)). */
union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

typedef struct {
    int (*shmget)(key_t key, size_t size, int flags);
    void *(*shmat)(int id, const void *addr, int flags);
    int (*shmdt)(const void *addr);
    int (*shmctl)(int id, int cmd, struct shmid_ds *buf);
    int (*sem_init)(sem_t *s, int pshared, unsigned value);
    int (*sem_destroy)(sem_t *s);
    int (*sem_post)(sem_t *s);
    int (*sem_wait)(sem_t *s);
    int (*semget)(key_t key, int nsems, int flags);
    int (*semop)(int id, struct sembuf *ops, size_t nops);
    int (*semctl)(int id, int num, int cmd, ...);
} api;

static const api glibc_api = {shmget,   shmat,    shmdt,  shmctl, sem_init, sem_destroy,
                              sem_post, sem_wait, semget, semop,  semctl};
static const api rsipc_api = {rsipc_shmget,   rsipc_shmat,    rsipc_shmdt,  rsipc_shmctl, rsipc_sem_init, rsipc_sem_destroy,
                              rsipc_sem_post, rsipc_sem_wait, rsipc_semget, rsipc_semop,  rsipc_semctl};

typedef struct {
    const api *api;
    segment *seg;
    int semid; /* -1: the POSIX sem_t pair */
    size_t rounds;
} job;

static size_t warmup_rounds(size_t rounds) { return rounds / 10 ? rounds / 10 : 1; }

/* Semaphore 0 of the set is "ping", 1 is "pong". */
static int sysv_change(const job *j, unsigned short num, short delta) {
    struct sembuf op = {num, delta, 0};
    return j->api->semop(j->semid, &op, 1);
}

static int post_ping(const job *j) { return j->semid < 0 ? j->api->sem_post(&j->seg->ping) : sysv_change(j, 0, 1); }
static int wait_ping(const job *j) { return j->semid < 0 ? j->api->sem_wait(&j->seg->ping) : sysv_change(j, 0, -1); }
static int post_pong(const job *j) { return j->semid < 0 ? j->api->sem_post(&j->seg->pong) : sysv_change(j, 1, 1); }
static int wait_pong(const job *j) { return j->semid < 0 ? j->api->sem_wait(&j->seg->pong) : sysv_change(j, 1, -1); }

static int child(void *arg) {
    job *j = arg;
    size_t total = warmup_rounds(j->rounds) + j->rounds;
    for (size_t i = 0; i < total; i++) {
        if (wait_ping(j) != 0) return bench_child_fail("wait for ping %zu of %zu", i, total);
        memcpy(j->seg->up, j->seg->down, MSG);
        if (post_pong(j) != 0) return bench_child_fail("post pong %zu of %zu", i, total);
    }
    return 0;
}

static void rounds(const job *j, char *buf, size_t n) {
    for (size_t i = 0; i < n; i++) {
        memcpy(j->seg->down, buf, MSG);
        if (post_ping(j) != 0) bench_die("post ping");
        if (wait_pong(j) != 0) bench_die("wait for pong");
        memcpy(buf, j->seg->up, MSG);
    }
}

static double pingpong(const api *api, int sysv_sems, const bench_args *a) {
    job j = {api, NULL, -1, a->count};
    char buf[MSG];
    memset(buf, 'x', sizeof buf);

    int shmid = api->shmget(IPC_PRIVATE, sizeof(segment), IPC_CREAT | 0600);
    if (shmid < 0) bench_die("shmget(IPC_PRIVATE)");
    j.seg = api->shmat(shmid, NULL, 0);
    if (j.seg == (void *)-1) bench_die("shmat(%d)", shmid);
    if (api->shmctl(shmid, IPC_RMID, NULL) != 0) bench_die("shmctl(%d, IPC_RMID)", shmid);
    int handle = -1;
    if (sysv_sems) {
        if ((j.semid = api->semget(IPC_PRIVATE, 2, IPC_CREAT | 0600)) < 0) bench_die("semget(IPC_PRIVATE, 2)");
        handle = bench_remember(BENCH_SYSV_SEM, j.semid, NULL);
        unsigned short zero[2] = {0, 0};
        if (api->semctl(j.semid, 0, SETALL, (union semun){.array = zero}) != 0) bench_die("semctl(SETALL)");
    } else if (api->sem_init(&j.seg->ping, 1, 0) != 0 || api->sem_init(&j.seg->pong, 1, 0) != 0) {
        bench_die("sem_init");
    }
    pid_t pid = bench_spawn(child, &j);

    rounds(&j, buf, warmup_rounds(j.rounds));
    uint64_t t0 = bench_now_ns();
    rounds(&j, buf, j.rounds);
    uint64_t t1 = bench_now_ns();

    bench_reap(pid);
    if (sysv_sems) {
        if (api->semctl(j.semid, 0, IPC_RMID) != 0) bench_die("semctl(IPC_RMID)");
        bench_forget(handle);
    } else if (api->sem_destroy(&j.seg->ping) != 0 || api->sem_destroy(&j.seg->pong) != 0) {
        bench_die("sem_destroy");
    }
    if (api->shmdt(j.seg) != 0) bench_die("shmdt");
    return bench_ns_per(t0, t1, 2 * j.rounds);
}

static double glibc_posix(const bench_args *a) { return pingpong(&glibc_api, 0, a); }
static double rsipc_posix(const bench_args *a) { return pingpong(&rsipc_api, 0, a); }
static double glibc_sysv(const bench_args *a) { return pingpong(&glibc_api, 1, a); }
static double rsipc_sysv(const bench_args *a) { return pingpong(&rsipc_api, 1, a); }

static const bench_row rows[] = {
    /* name, unit, glibc, rsipc, size, quick count, full count */
    {"one-way latency, 64 B ping-pong, sem_t pair in the segment", BENCH_NS, glibc_posix, rsipc_posix, MSG, 400,
     500},
    {"one-way latency, 64 B ping-pong, System V semaphore pair (semop)", BENCH_NS, glibc_sysv, rsipc_sysv, MSG, 400,
     500},
};

BENCH_GROUP(sysv_shm, rows);
