/* Stress on POSIX semaphores shared by rsipc and glibc callers.
 *
 *  - A ring of record slots in shared memory guarded by four semaphores
 *    (free slots, used slots, a put lock and a get lock) is a transport for
 *    the driver in stress.h: 4 senders and 2 receivers, half of them calling
 *    rsipc_sem_*, half glibc's sem_*, so every record costs 8 semaphore
 *    operations and the driver proves each record arrived exactly once, in
 *    per-sender order, intact. It runs twice: on unnamed process-shared
 *    sem_t's inside the ring (two initialised by rsipc_sem_init, two by
 *    sem_init), and on named semaphores created by rsipc_sem_open that the
 *    glibc processes open with their own sem_open. At the end the
 *    arithmetic is exact: free == slots, used == 0, both locks 1, no waiter
 *    left registered, and the operations counted == 8 * records.
 *  - A counting run on one named semaphore: 4 processes (2 rsipc, 2 glibc)
 *    each post and then wait (plain, timed, try-then-wait) many times, then
 *    post p extra times; the final value is exactly 0 + 1 + 2 + 3.
 *
 * (test_sem_interop.c already runs a million posts and waits on an unnamed
 * semaphore; this test adds the ring and the named variants.)
 *
 * Counts are semaphore operations: stress_records(n) operations per run
 * (n small by default, a million with RSIPC_STRESS_FULL=1); the ring moves
 * a record per 8 of them. */
#include <fcntl.h>
#include <semaphore.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

#include "check.h"
#include "stress.h"

#define RING_SLOTS 8
#define RING_RECORD 128
#define OPS_PER_RECORD 8 /* send: wait free, wait put, post put, post used; recv: the mirror */

enum { FREE_SLOTS, USED_SLOTS, PUT_LOCK, GET_LOCK, RING_SEMS };
static const char *const sem_role[RING_SEMS] = {"free", "used", "put lock", "get lock"};
static const unsigned ring_initial[RING_SEMS] = {RING_SLOTS, 0, 1, 1};

struct ring {
    sem_t sem[RING_SEMS]; /* the unnamed variant's semaphores */
    uint64_t head, tail;  /* guarded by the put and get locks */
    long ops[2];          /* successful semaphore operations: [0] glibc, [1] rsipc */
    unsigned char slot[RING_SLOTS][RING_RECORD];
};

struct ring_state {
    struct ring *ring;
    int named;
    char name[RING_SEMS][64];
    /* The handles this process uses: [1] through rsipc, [0] through glibc.
     * Unnamed: both point into the ring. Named: the parent's rsipc handles
     * (inherited by the rsipc children), and the glibc children's own. */
    sem_t *sem[2][RING_SEMS];
    /* Read by ring_close before anything is removed. */
    int final_value[2][RING_SEMS];
    uint32_t final_waiters[RING_SEMS];
    uint64_t final_head, final_tail;
    int close_failed;
};

/* The waiter count glibc and rsipc keep in the high half of the first
 * 64-bit word of a sem_t. */
static uint32_t sem_waiters(sem_t *s) { return (uint32_t)(__atomic_load_n((uint64_t *)s, __ATOMIC_RELAXED) >> 32); }

static void count_op(struct ring_state *st, int rsipc) {
    __atomic_fetch_add(&st->ring->ops[rsipc], 1, __ATOMIC_RELAXED);
}

/* Waits, mixing the plain, timed and try-then-wait calls of one library. */
static int mixed_wait(sem_t *s, int rsipc) {
    static unsigned calls;
    switch (calls++ % 3) {
    case 1: {
        struct timespec far;
        clock_gettime(CLOCK_REALTIME, &far);
        far.tv_sec += 600;
        return rsipc ? rsipc_sem_timedwait(s, &far) : sem_timedwait(s, &far);
    }
    case 2: {
        int r = rsipc ? rsipc_sem_trywait(s) : sem_trywait(s);
        if (r == 0 || errno != EAGAIN) return r;
    } /* fall through */
    default: return rsipc ? rsipc_sem_wait(s) : sem_wait(s);
    }
}

static int ring_wait(struct ring_state *st, int which, int rsipc) {
    if (mixed_wait(st->sem[rsipc][which], rsipc) != 0) return -1;
    count_op(st, rsipc);
    return 0;
}

static int ring_post(struct ring_state *st, int which, int rsipc) {
    sem_t *s = st->sem[rsipc][which];
    if ((rsipc ? rsipc_sem_post(s) : sem_post(s)) != 0) return -1;
    count_op(st, rsipc);
    return 0;
}

static void ring_free(struct ring_state *st) {
    if (st->ring) rsipc_munmap(st->ring, sizeof *st->ring);
    st->ring = NULL;
}

static int ring_open(void *state) {
    struct ring_state *st = state;
    ring_free(st); /* the self-test opens the transport once per fault */
    st->ring = rsipc_map_anonymous_shared(sizeof *st->ring);
    if (st->ring == MAP_FAILED) {
        st->ring = NULL;
        return -1;
    }
    for (int k = 0; k < RING_SEMS; k++) {
        if (st->named) {
            snprintf(st->name[k], sizeof st->name[k], "/rsipc-stress-sem-%d-%d", (int)getpid(), k);
            sem_t *s = rsipc_sem_open(st->name[k], O_CREAT | O_EXCL, 0600, ring_initial[k]);
            if (s == SEM_FAILED) {
                st->name[k][0] = '\0';
                return -1;
            }
            st->sem[0][k] = st->sem[1][k] = s;
        } else {
            sem_t *s = &st->ring->sem[k];
            /* two initialised by each library */
            if ((k % 2 ? sem_init(s, 1, ring_initial[k]) : rsipc_sem_init(s, 1, ring_initial[k])) != 0) return -1;
            st->sem[0][k] = st->sem[1][k] = s;
        }
    }
    return 0;
}

/* A glibc process of the named variant opens the names itself. */
static int ring_child_init(void *state, int id) {
    struct ring_state *st = state;
    if (!st->named || id % 2 == 0) return 0;
    for (int k = 0; k < RING_SEMS; k++) {
        st->sem[0][k] = sem_open(st->name[k], 0);
        if (st->sem[0][k] == SEM_FAILED) return -1;
    }
    return 0;
}

static int ring_send(void *state, const void *rec, int rsipc) {
    struct ring_state *st = state;
    if (ring_wait(st, FREE_SLOTS, rsipc) != 0 || ring_wait(st, PUT_LOCK, rsipc) != 0) return -1;
    memcpy(st->ring->slot[st->ring->head % RING_SLOTS], rec, RING_RECORD);
    st->ring->head++;
    if (ring_post(st, PUT_LOCK, rsipc) != 0 || ring_post(st, USED_SLOTS, rsipc) != 0) return -1;
    return 0;
}

static int ring_recv(void *state, void *rec, int rsipc) {
    struct ring_state *st = state;
    if (ring_wait(st, USED_SLOTS, rsipc) != 0 || ring_wait(st, GET_LOCK, rsipc) != 0) return -1;
    memcpy(rec, st->ring->slot[st->ring->tail % RING_SLOTS], RING_RECORD);
    st->ring->tail++;
    if (ring_post(st, GET_LOCK, rsipc) != 0 || ring_post(st, FREE_SLOTS, rsipc) != 0) return -1;
    return 1;
}

/* Records the final values (through both libraries), then removes the
 * semaphores; the ring mapping stays for main's checks. */
static void ring_close(void *state) {
    struct ring_state *st = state;
    if (!st->ring) return;
    st->final_head = st->ring->head;
    st->final_tail = st->ring->tail;
    for (int k = 0; k < RING_SEMS; k++) {
        sem_t *s = st->sem[1][k];
        if (!s) continue;
        if (rsipc_sem_getvalue(s, &st->final_value[1][k]) != 0 || sem_getvalue(s, &st->final_value[0][k]) != 0)
            st->close_failed = 1;
        st->final_waiters[k] = sem_waiters(s);
        if (st->named) {
            if (rsipc_sem_close(s) != 0 || rsipc_sem_unlink(st->name[k]) != 0) st->close_failed = 1;
        } else if ((k % 2 ? sem_destroy(s) : rsipc_sem_destroy(s)) != 0) {
            st->close_failed = 1;
        }
        st->sem[0][k] = st->sem[1][k] = NULL;
    }
}

static const struct stress_transport ring_transport = {
    "semaphore ring", RING_RECORD, ring_open, ring_child_init, ring_child_init, ring_send, ring_recv, NULL, ring_close,
};

static const struct stress_transport named_ring_transport = {
    "named semaphore ring", RING_RECORD, ring_open, ring_child_init, ring_child_init, ring_send, ring_recv, NULL,
    ring_close,
};

static void test_ring_driver_catches_injected_faults(void) {
    struct ring_state st = {0};
    CHECK(stress_selftest(&ring_transport, &st) == 0);
    ring_free(&st);
}

static void test_ring(int named, long operations) {
    struct ring_state st = {.named = named};
    struct stress_config cfg = {.senders = 4, .receivers = 2, .records = operations / OPS_PER_RECORD};
    const struct stress_transport *t = named ? &named_ring_transport : &ring_transport;
    CHECK(stress_run(t, &st, &cfg) == 0);
    CHECK(st.ring != NULL && !st.close_failed);
    if (!st.ring) return;
    long records = cfg.records + cfg.receivers; /* and one end record per receiver */
    long ops = st.ring->ops[0] + st.ring->ops[1];
    int exact = 1;
    for (int k = 0; k < RING_SEMS; k++) {
        for (int lib = 0; lib < 2; lib++) {
            if (st.final_value[lib][k] != (int)ring_initial[k]) {
                fprintf(stderr, "%s: %s semaphore ends at %d (%s), expected %u\n", t->name, sem_role[k],
                        st.final_value[lib][k], lib ? "rsipc" : "glibc", ring_initial[k]);
                exact = 0;
            }
        }
        if (st.final_waiters[k] != 0) {
            fprintf(stderr, "%s: %u waiters still registered on the %s semaphore\n", t->name, st.final_waiters[k],
                    sem_role[k]);
            exact = 0;
        }
    }
    CHECK(exact);
    CHECK(st.final_head == (uint64_t)records && st.final_tail == (uint64_t)records);
    CHECK(ops == OPS_PER_RECORD * records);
    printf("stress %s: %ld semaphore operations (%ld rsipc, %ld glibc), expected %ld; final values free %d used %d "
           "locks %d/%d (expected %d 0 1/1), waiters left %u\n",
           t->name, ops, st.ring->ops[1], st.ring->ops[0], OPS_PER_RECORD * records, st.final_value[1][FREE_SLOTS],
           st.final_value[1][USED_SLOTS], st.final_value[1][PUT_LOCK], st.final_value[1][GET_LOCK], RING_SLOTS,
           st.final_waiters[0] + st.final_waiters[1] + st.final_waiters[2] + st.final_waiters[3]);
    ring_free(&st);
}

/* --- counting on one named semaphore ------------------------------------ */

#define COUNT_PROCS 4

static const struct stress_transport counting_label = {.name = "named semaphore counting"};

static int counting_child(const char *name, int p, long rounds, long *ops) {
    alarm(STRESS_WATCHDOG_SECONDS);
    int rsipc = p % 2 == 0;
    sem_t *s = rsipc ? rsipc_sem_open(name, 0) : sem_open(name, 0);
    if (s == SEM_FAILED) return 1;
    long done = 0;
    for (long i = 0; i < rounds; i++) {
        /* Post before waiting: some process can always go on, yet the
         * value often reaches 0 and waits really sleep. */
        if ((rsipc ? rsipc_sem_post(s) : sem_post(s)) != 0) goto fail;
        if (mixed_wait(s, rsipc) != 0) goto fail;
        done += 2;
    }
    for (int i = 0; i < p; i++) {
        if ((rsipc ? rsipc_sem_post(s) : sem_post(s)) != 0) goto fail;
        done++;
    }
    __atomic_fetch_add(ops, done, __ATOMIC_RELAXED);
    return (rsipc ? rsipc_sem_close(s) : sem_close(s)) == 0 ? 0 : 1;
fail:
    fprintf(stderr, "counting process %d (%s): %s (%s)\n", p, rsipc ? "rsipc" : "glibc", strerror(errno),
            rsipc ? rsipc_last_error() : "");
    __atomic_fetch_add(ops, done, __ATOMIC_RELAXED);
    return 1;
}

static void test_named_counting(long operations) {
    char name[64];
    snprintf(name, sizeof name, "/rsipc-stress-count-%d", (int)getpid());
    sem_t *s = rsipc_sem_open(name, O_CREAT | O_EXCL, 0600, 0);
    CHECK(s != SEM_FAILED);
    if (s == SEM_FAILED) return;
    long *ops = rsipc_map_anonymous_shared(sizeof(long));
    CHECK(ops != MAP_FAILED);
    if (ops == MAP_FAILED) {
        rsipc_sem_close(s);
        rsipc_sem_unlink(name);
        return;
    }
    *ops = 0;
    long rounds = operations / (2 * COUNT_PROCS);
    pid_t pid[COUNT_PROCS];
    int failed = 0, extra = 0;
    for (int p = 0; p < COUNT_PROCS; p++) {
        extra += p;
        fflush(NULL);
        pid[p] = fork();
        if (pid[p] == 0) _exit(counting_child(name, p, rounds, ops));
        if (pid[p] < 0) failed = 1;
    }
    for (int p = 0; p < COUNT_PROCS; p++)
        if (pid[p] > 0) failed |= stress_wait(&counting_label, pid[p], "process", p);
    int value = -1, gvalue = -1;
    CHECK(!failed);
    CHECK(rsipc_sem_getvalue(s, &value) == 0 && value == extra);
    sem_t *g = sem_open(name, 0);
    CHECK(g != SEM_FAILED && sem_getvalue(g, &gvalue) == 0 && gvalue == extra);
    if (g != SEM_FAILED) sem_close(g);
    CHECK(sem_waiters(s) == 0);
    long expected = COUNT_PROCS * rounds * 2 + extra;
    CHECK(*ops == expected);
    printf("stress named semaphore counting: %d processes (%d rsipc, %d glibc), %ld operations (expected %ld), final "
           "value %d (expected %d), waiters left %u\n",
           COUNT_PROCS, (COUNT_PROCS + 1) / 2, COUNT_PROCS / 2, *ops, expected, value, extra, sem_waiters(s));
    CHECK(rsipc_sem_close(s) == 0);
    CHECK(rsipc_sem_unlink(name) == 0);
    rsipc_munmap(ops, sizeof(long));
}

int main(void) {
    long operations = stress_records(400000);
    test_ring_driver_catches_injected_faults();
    test_ring(0, operations);
    test_ring(1, operations);
    test_named_counting(operations);
    return check_summary("test_stress_sem");
}
