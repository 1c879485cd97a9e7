/* Faults: a peer killed with SIGKILL at chosen or random (seeded) points,
 * and signals delivered during blocking calls.
 *
 * Killed peers (the victim always calls rsipc; survivors alternate between
 * rsipc and glibc):
 *  - POSIX semaphores: killed while blocked in rsipc_sem_wait; killed while
 *    holding a token taken as a lock (between rsipc_sem_wait and
 *    rsipc_sem_post: the survivors' timed waits return ETIMEDOUT, nothing
 *    deadlocks); killed at a random operation count during a post/wait
 *    storm with survivors; a killed holder of a named semaphore (the name
 *    still opens, works and unlinks); killed at a random point of a
 *    sem_open/close/unlink churn (the name is either absent or a complete
 *    semaphore).
 *  - System V and POSIX message queues: a sender killed at a random count
 *    and while blocked on a full queue, a receiver killed at a random count
 *    and while blocked on an empty queue. The victim confirms each
 *    completed call in shared memory; no confirmed message is lost or
 *    duplicated, order is kept, and at most the one call in flight is
 *    undecided.
 *  - System V shared memory: a killed holder of 1-3 attachments; shm_nattch
 *    drops by exactly that many, a segment marked IPC_RMID is destroyed
 *    when the last attachment goes away.
 *  - System V semaphores: a holder killed with and without SEM_UNDO, and a
 *    waiter killed while blocked (semncnt drops).
 * Every arithmetic check is exact: with the victim's confirmed operations
 * P (posts/sends) and W (waits/receives) and its operation in flight, the
 * object holds exactly P - W, or the in-flight operation's effect on top.
 *
 * Signals: a SIGUSR1 handler installed without and with SA_RESTART
 * interrupts a process blocked in each call, once through rsipc and once
 * through glibc's own call; both must end the same way (the same return
 * value and errno: EINTR, or restarted and completed): sem_wait,
 * sem_timedwait, msgrcv, msgsnd, mq_receive, mq_send, semop, and
 * rsipc_fifo_open waiting forever for a reader against open(O_WRONLY).
 * Two contracts without a glibc twin: rsipc_read_exact retries EINTR (it
 * must complete), and rsipc_fifo_open with a timeout ends with EINTR with
 * or without SA_RESTART.
 *
 * A peer is known to be blocked by reading /proc/PID/syscall (it names the
 * call only while the task sleeps in it), never by sleeping and hoping.
 * Random choices come from a seed printed at the start
 * (RSIPC_FAULT_SEED=n repeats a run); RSIPC_FAULT_ROUNDS=n sets the rounds
 * per kind (default 3). Every object is removed even when a check fails. */
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

/* A child that is still running after this long is a deadlock. */
#define REAP_SECONDS 120
/* Children kill themselves (SIGALRM) after this long, in case the parent
 * died. */
#define CHILD_WATCHDOG_SECONDS 300
/* How long a poll for a condition (a peer blocked, a count reached) waits. */
#define POLL_SECONDS 60

static int fault_cases, killed_asleep, killed_mid_call, deadlocks, eintr_compared, eintr_agreed;

/* --- seeded random choices ---------------------------------------------- */

static uint64_t rng_state;

static uint64_t rng_next(void) {
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

/* A number in [lo, hi]. */
static long rng_range(long lo, long hi) { return lo + (long)(rng_next() % (uint64_t)(hi - lo + 1)); }

/* --- objects, removed at the end of each case even after a failure ---- */

enum obj_kind { OBJ_MSG, OBJ_SHM, OBJ_SEMSET, OBJ_SEM_NAME, OBJ_MQ_NAME, OBJ_PATH };

struct obj {
    enum obj_kind kind;
    int id;
    char name[128]; /* as large as every name buffer it copies */
    int live;
};
static struct obj objs[32];
static int nobjs;

static struct obj *track(enum obj_kind kind, int id, const char *name) {
    if (nobjs == (int)(sizeof objs / sizeof objs[0])) abort();
    struct obj *o = &objs[nobjs++];
    o->kind = kind;
    o->id = id;
    snprintf(o->name, sizeof o->name, "%s", name ? name : "");
    o->live = 1;
    return o;
}

/* Removes the object; 0 or -1 with errno. */
static int obj_remove(struct obj *o) {
    if (!o->live) return 0;
    o->live = 0;
    switch (o->kind) {
    case OBJ_MSG: return rsipc_msgctl(o->id, IPC_RMID, NULL);
    case OBJ_SHM: return rsipc_shmctl(o->id, IPC_RMID, NULL);
    case OBJ_SEMSET: return rsipc_semctl(o->id, 0, IPC_RMID);
    case OBJ_SEM_NAME: return rsipc_sem_unlink(o->name);
    case OBJ_MQ_NAME:
        if (o->id != -1) rsipc_mq_close(o->id); /* the parent's descriptor */
        return rsipc_mq_unlink(o->name);
    case OBJ_PATH: return unlink(o->name);
    }
    return 0;
}

static void cleanup_all(void) {
    for (int i = 0; i < nobjs; i++) obj_remove(&objs[i]);
    nobjs = 0;
}

static pid_t parent_pid;
static void cleanup_at_exit(void) {
    if (getpid() == parent_pid) cleanup_all();
}

static void unique_name(char *out, size_t size, const char *tag) {
    static int n;
    snprintf(out, size, "/rsipc-faults-%d-%s-%d", (int)getpid(), tag, n++);
}

/* --- shared state --------------------------------------------------------- */

#define MAX_SEQ 100000

enum { NONE, POSTING, WAITING };

struct shared {
    long confirmed;      /* the victim's completed operations */
    int pending;         /* the victim's operation in flight */
    int holding;         /* the victim holds the lock (and waits to die) */
    int killed;          /* the parent reaped the victim */
    int sender_done;     /* a surviving sender sent everything */
    long posts[4];       /* per process, confirmed; [0] is the victim */
    long waits[4];
    long counter;        /* a plain counter only the lock holder touches */
    long received;       /* the surviving receiver's count */
    long order_errors;   /* records out of per-sender order */
    long size_errors;    /* short or oversized messages */
    long timeouts_after; /* survivors' timed waits that returned ETIMEDOUT after the kill */
    int handled;         /* SIGUSR1 handler runs */
    long result;         /* the interrupted call's return value */
    int result_errno;
    unsigned char seen[MAX_SEQ];
};
static struct shared *sh;

static void reset_shared(void) { memset(sh, 0, sizeof *sh); }

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)
#define BUMP(x) __atomic_fetch_add(&(x), 1, __ATOMIC_SEQ_CST)

/* --- processes ------------------------------------------------------------ */

static pid_t spawn(int (*fn)(void *), void *arg) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(CHILD_WATCHDOG_SECONDS);
        _exit(fn(arg));
    }
    if (pid < 0) perror("fork");
    return pid;
}

static void nap(int step) {
    /* 0.1 ms at first, then 1 ms */
    struct timespec t = {0, step < 100 ? 100000 : 1000000};
    nanosleep(&t, NULL);
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Polls `cond` until it holds or POLL_SECONDS pass; `ok` gets the result. */
#define WAIT_UNTIL(cond, ok)                                                   \
    do {                                                                       \
        double end_ = now_s() + POLL_SECONDS;                                  \
        int step_ = 0;                                                         \
        while (!((ok) = !!(cond)) && now_s() < end_) nap(step_++);             \
    } while (0)

/* The wait status of `pid` once it ends (within REAP_SECONDS: otherwise it
 * is counted as a deadlock, killed and -1 returned). A child killed by its
 * own watchdog (SIGALRM) is a deadlock too. */
static int reap(pid_t pid, const char *what) {
    if (pid <= 0) return -1;
    int status = 0;
    double end = now_s() + REAP_SECONDS;
    int step = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) return -1;
        if (now_s() > end) {
            fprintf(stderr, "%s (pid %d) still running after %d s: deadlock\n", what, (int)pid, REAP_SECONDS);
            deadlocks++;
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        nap(step++);
    }
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
        fprintf(stderr, "%s (pid %d) hit its watchdog: deadlock\n", what, (int)pid);
        deadlocks++;
        return -1;
    }
    return status;
}

/* Reaps a survivor, which must have exited 0. */
static int survivor_ok(pid_t pid, const char *what) {
    int status = reap(pid, what);
    if (status == -1) return 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "%s (pid %d) failed: status %#x\n", what, (int)pid, status);
        return 0;
    }
    return 1;
}

/* The system call `pid` sleeps in, -1 if it runs (or is gone). */
static long sleeping_in(pid_t pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long nr = -1;
    if (!fgets(line, sizeof line, f) || sscanf(line, "%ld", &nr) != 1) nr = -1;
    fclose(f);
    return nr;
}

/* SIGKILLs the victim and reaps it; one fault case. 1 if it died of it. */
static int kill_victim(pid_t pid) {
    if (pid <= 0) return 0;
    fault_cases++;
    killed_asleep += sleeping_in(pid) >= 0; /* for the summary: asleep in a system call */
    kill(pid, SIGKILL);
    int status = reap(pid, "victim");
    STORE(sh->killed, 1);
    killed_mid_call += sh->pending != NONE;
    if (status == -1 || !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
        fprintf(stderr, "the victim (pid %d) ended before the kill: status %#x\n", (int)pid, status);
        return 0;
    }
    return 1;
}


/* 1 once `pid` sleeps in system call `a` or `b` (within POLL_SECONDS). */
static int blocked_in(pid_t pid, long a, long b) {
    int ok;
    long nr = -1;
    WAIT_UNTIL((nr = sleeping_in(pid)) == a || nr == b, ok);
    if (!ok) fprintf(stderr, "pid %d never blocked in system call %ld/%ld (last seen: %ld)\n", (int)pid, a, b, nr);
    return ok;
}


static struct timespec realtime_in_ms(long ms) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (ms % 1000) * 1000000;
    if (t.tv_nsec >= 1000000000) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000;
    }
    return t;
}

static void *shared_page(size_t size) {
    void *p = rsipc_map_anonymous_shared(size);
    if (p == MAP_FAILED) {
        fprintf(stderr, "map_anonymous_shared: %s\n", rsipc_last_error());
        abort();
    }
    return p;
}

static int sem_value(sem_t *s) {
    int v = -1, g = -2;
    if (rsipc_sem_getvalue(s, &v) != 0 || sem_getvalue(s, &g) != 0 || v != g) return -1;
    return v;
}

/* Whether the value after the kill is what the confirmed operations and the
 * one in flight allow: base exactly, or base plus the in-flight effect. */
static int value_accounted(const char *what, long value, long base, int pending) {
    long effect = pending == POSTING ? 1 : pending == WAITING ? -1 : 0;
    if (value == base || value == base + effect) return 1;
    fprintf(stderr, "%s: value %ld, but the confirmed operations give %ld (in flight: %s)\n", what, value, base,
            pending == POSTING ? "a post" : pending == WAITING ? "a wait" : "nothing");
    return 0;
}

/* ========================================================================== */
/* POSIX semaphores                                                           */

static sem_t *the_sem;

static int victim_waits_forever(void *arg) {
    (void)arg;
    for (;;) {
        STORE(sh->pending, WAITING);
        if (rsipc_sem_wait(the_sem) != 0) return 1;
        BUMP(sh->waits[0]);
        STORE(sh->pending, NONE);
        BUMP(sh->confirmed);
    }
}

/* Killed while blocked in rsipc_sem_wait after taking k tokens: nothing was
 * taken by the dead waiter, a later post reaches a survivor at once, and a
 * survivor's timed wait on the empty semaphore returns ETIMEDOUT. */
static void test_sem_killed_while_blocked_in_wait(int round) {
    reset_shared();
    the_sem = shared_page(sizeof(sem_t));
    int glibc_init = round % 2;
    CHECK((glibc_init ? sem_init(the_sem, 1, 0) : rsipc_sem_init(the_sem, 1, 0)) == 0);
    long k = rng_range(0, 50);
    for (long i = 0; i < k; i++) CHECK(sem_post(the_sem) == 0);
    pid_t victim = spawn(victim_waits_forever, NULL);
    int ok;
    WAIT_UNTIL(LOAD(sh->confirmed) == k, ok);
    CHECK(ok);
    CHECK(blocked_in(victim, SYS_futex, SYS_futex));
    CHECK(kill_victim(victim));
    CHECK(sh->pending == WAITING && sh->confirmed == k);
    CHECK(sem_value(the_sem) == 0);
    /* The dead waiter stays counted as registered (glibc behaves the same:
     * posts then make a harmless extra wake call); the semaphore works. */
    CHECK(rsipc_sem_post(the_sem) == 0);
    struct timespec far = realtime_in_ms(30000);
    CHECK((round % 2 ? sem_timedwait(the_sem, &far) : rsipc_sem_timedwait(the_sem, &far)) == 0);
    struct timespec soon = realtime_in_ms(20);
    errno = 0;
    CHECK(rsipc_sem_timedwait(the_sem, &soon) == -1 && errno == ETIMEDOUT);
    errno = 0;
    CHECK(sem_timedwait(the_sem, &soon) == -1 && errno == ETIMEDOUT);
    CHECK(sem_value(the_sem) == 0);
    CHECK(rsipc_sem_destroy(the_sem) == 0);
    rsipc_munmap(the_sem, sizeof(sem_t));
}

struct lock_worker {
    int slot; /* 0: the victim */
    int rsipc;
    long hold_at; /* the victim: the round it keeps the lock and waits to die */
};

/* Takes the lock (timed waits), bumps the plain counter, releases, until
 * after the kill a timed wait returns ETIMEDOUT: the dead victim holds the
 * lock forever, and the survivor must see that as a timeout. */
static int lock_worker(void *arg) {
    struct lock_worker *w = arg;
    for (long taken = 0;; taken++) {
        int killed = LOAD(sh->killed);
        struct timespec t = realtime_in_ms(50);
        int r = w->rsipc ? rsipc_sem_timedwait(the_sem, &t) : sem_timedwait(the_sem, &t);
        if (r != 0) {
            if (errno != ETIMEDOUT) return 2;
            if (killed) {
                BUMP(sh->timeouts_after);
                return 0;
            }
            taken--;
            continue; /* the holder is just slow (a loaded machine) */
        }
        BUMP(sh->waits[w->slot]);
        long c = *(volatile long *)&sh->counter;
        *(volatile long *)&sh->counter = c + 1;
        if (w->slot == 0 && taken == w->hold_at) {
            STORE(sh->holding, 1);
            for (;;) pause();
        }
        if ((w->rsipc ? rsipc_sem_post(the_sem) : sem_post(the_sem)) != 0) return 3;
        BUMP(sh->posts[w->slot]);
    }
}

/* Killed between rsipc_sem_wait and rsipc_sem_post of a semaphore used as a
 * lock: the survivors' timed waits return ETIMEDOUT (no deadlock), every
 * completed post is still there (value = 1 + posts - waits = 0), and the
 * plain counter equals the number of critical sections entered. */
static void test_sem_killed_between_wait_and_post(int round) {
    reset_shared();
    the_sem = shared_page(sizeof(sem_t));
    CHECK((round % 2 ? sem_init(the_sem, 1, 1) : rsipc_sem_init(the_sem, 1, 1)) == 0);
    struct lock_worker workers[3] = {{0, 1, rng_range(0, 2000)}, {1, 1, -1}, {2, 0, -1}};
    pid_t pid[3];
    for (int i = 0; i < 3; i++) pid[i] = spawn(lock_worker, &workers[i]);
    int ok;
    WAIT_UNTIL(LOAD(sh->holding), ok);
    CHECK(ok);
    CHECK(kill_victim(pid[0]));
    CHECK(survivor_ok(pid[1], "rsipc survivor"));
    CHECK(survivor_ok(pid[2], "glibc survivor"));
    CHECK(sh->timeouts_after == 2);
    long posts = 0, waits = 0;
    for (int i = 0; i < 3; i++) {
        posts += sh->posts[i];
        waits += sh->waits[i];
    }
    CHECK(sem_value(the_sem) == 1 + posts - waits && sem_value(the_sem) == 0);
    CHECK(sh->counter == waits);
    CHECK(sh->waits[0] == workers[0].hold_at + 1);
    CHECK(sem_destroy(the_sem) == 0);
    rsipc_munmap(the_sem, sizeof(sem_t));
}

/* The victim waits then posts (a consumer first), so it dies anywhere: in a
 * sleeping wait, holding a token, or mid post. */
static int storm_victim(void *arg) {
    (void)arg;
    for (long i = 0;; i++) {
        STORE(sh->pending, WAITING);
        int r;
        if (i % 2) {
            r = rsipc_sem_wait(the_sem);
        } else {
            struct timespec far = realtime_in_ms(600000);
            r = rsipc_sem_timedwait(the_sem, &far);
        }
        if (r != 0) return 1;
        BUMP(sh->waits[0]);
        STORE(sh->pending, POSTING);
        if (rsipc_sem_post(the_sem) != 0) return 2;
        BUMP(sh->posts[0]);
        STORE(sh->pending, NONE);
        BUMP(sh->confirmed);
    }
}

/* Survivors post then wait (timed); after the kill they go on for a while
 * and stop at a timeout or after 200 more rounds. */
static int storm_survivor(void *arg) {
    struct lock_worker *w = arg;
    long after = 0;
    for (;;) {
        if ((w->rsipc ? rsipc_sem_post(the_sem) : sem_post(the_sem)) != 0) return 2;
        BUMP(sh->posts[w->slot]);
        for (;;) {
            int killed = LOAD(sh->killed);
            struct timespec t = realtime_in_ms(50);
            if ((w->rsipc ? rsipc_sem_timedwait(the_sem, &t) : sem_timedwait(the_sem, &t)) == 0) break;
            if (errno != ETIMEDOUT) return 3;
            if (killed) {
                BUMP(sh->timeouts_after);
                return 0;
            }
        }
        BUMP(sh->waits[w->slot]);
        if (LOAD(sh->killed) && ++after == 200) return 0;
    }
}

/* A post/wait storm between a victim and two survivors (rsipc and glibc);
 * the victim dies after a random number of its operations. */
static void test_sem_killed_at_a_random_point(int round) {
    reset_shared();
    the_sem = shared_page(sizeof(sem_t));
    CHECK((round % 2 ? sem_init(the_sem, 1, 0) : rsipc_sem_init(the_sem, 1, 0)) == 0);
    long k = rng_range(1, 20000);
    struct lock_worker workers[3] = {{0, 1, -1}, {1, 1, -1}, {2, 0, -1}};
    pid_t victim = spawn(storm_victim, NULL);
    pid_t s1 = spawn(storm_survivor, &workers[1]), s2 = spawn(storm_survivor, &workers[2]);
    int ok;
    WAIT_UNTIL(LOAD(sh->confirmed) >= k, ok);
    CHECK(ok);
    CHECK(kill_victim(victim));
    CHECK(survivor_ok(s1, "rsipc survivor"));
    CHECK(survivor_ok(s2, "glibc survivor"));
    long posts = 0, waits = 0;
    for (int i = 0; i < 3; i++) {
        posts += sh->posts[i];
        waits += sh->waits[i];
    }
    int value = sem_value(the_sem);
    CHECK(value >= 0 && value_accounted("semaphore storm", value, posts - waits, sh->pending));
    /* Still a working semaphore. */
    struct timespec far = realtime_in_ms(30000);
    CHECK(rsipc_sem_post(the_sem) == 0 && rsipc_sem_timedwait(the_sem, &far) == 0);
    CHECK(sem_value(the_sem) == value);
    CHECK(rsipc_sem_destroy(the_sem) == 0);
    rsipc_munmap(the_sem, sizeof(sem_t));
}

static const char *sem_name;

/* Opens the named semaphore, takes its only token, and waits to die. */
static int named_holder(void *arg) {
    (void)arg;
    sem_t *s = rsipc_sem_open(sem_name, 0);
    if (s == SEM_FAILED || rsipc_sem_wait(s) != 0) return 1;
    STORE(sh->holding, 1);
    for (;;) pause();
}

/* Opens the named semaphore and blocks in rsipc_sem_wait. */
static int named_waiter(void *arg) {
    (void)arg;
    sem_t *s = rsipc_sem_open(sem_name, 0);
    if (s == SEM_FAILED) return 1;
    rsipc_sem_wait(s);
    return 2;
}

/* A holder of a named semaphore (with its token) and a waiter blocked on it
 * are killed: the name still opens (through rsipc or glibc), the held token
 * is gone (timed waits time out), posts work, and the name unlinks. */
static void test_named_sem_killed_holder(int round) {
    reset_shared();
    char name[96];
    unique_name(name, sizeof name, "named");
    sem_name = name;
    sem_t *s = rsipc_sem_open(name, O_CREAT | O_EXCL, 0600, 1);
    CHECK(s != SEM_FAILED);
    if (s == SEM_FAILED) return;
    struct obj *o = track(OBJ_SEM_NAME, -1, name);
    rsipc_sem_close(s);
    pid_t holder = spawn(named_holder, NULL);
    int ok;
    WAIT_UNTIL(LOAD(sh->holding), ok);
    CHECK(ok);
    pid_t waiter = spawn(named_waiter, NULL);
    CHECK(blocked_in(waiter, SYS_futex, SYS_futex));
    /* Kill them in a random order. */
    int first = (int)rng_range(0, 1);
    CHECK(kill_victim(first ? waiter : holder));
    CHECK(kill_victim(first ? holder : waiter));
    int glibc = round % 2;
    sem_t *t = glibc ? sem_open(name, 0) : rsipc_sem_open(name, 0);
    CHECK(t != SEM_FAILED);
    if (t != SEM_FAILED) {
        CHECK(sem_value(t) == 0);
        struct timespec soon = realtime_in_ms(20);
        errno = 0;
        CHECK((glibc ? sem_timedwait(t, &soon) : rsipc_sem_timedwait(t, &soon)) == -1 && errno == ETIMEDOUT);
        CHECK((glibc ? sem_post(t) : rsipc_sem_post(t)) == 0 && sem_value(t) == 1);
        CHECK((glibc ? sem_close(t) : rsipc_sem_close(t)) == 0);
    }
    int removed = glibc ? sem_unlink(name) : rsipc_sem_unlink(name);
    if (removed == 0) o->live = 0;
    CHECK(removed == 0);
    CHECK(rsipc_sem_open(name, 0) == SEM_FAILED && errno == ENOENT);
    char path[128];
    snprintf(path, sizeof path, "/dev/shm/sem.%s", name + 1);
    CHECK(access(path, F_OK) == -1 && errno == ENOENT);
}

/* Creates, closes and unlinks one name over and over. */
static int churn_victim(void *arg) {
    (void)arg;
    for (;;) {
        sem_t *s = rsipc_sem_open(sem_name, O_CREAT | O_EXCL, 0600, 0);
        if (s == SEM_FAILED) return 1;
        if (rsipc_sem_post(s) != 0 || rsipc_sem_trywait(s) != 0) return 2;
        if (rsipc_sem_close(s) != 0 || rsipc_sem_unlink(sem_name) != 0) return 3;
        BUMP(sh->confirmed);
    }
}

/* Killed at a random point of creating, using and removing a named
 * semaphore: the name is then either absent or a complete, usable semaphore
 * (creation is atomic), and it can be removed. */
static void test_named_sem_killed_mid_create(int round) {
    reset_shared();
    char name[96];
    unique_name(name, sizeof name, "churn");
    sem_name = name;
    struct obj *o = track(OBJ_SEM_NAME, -1, name);
    long k = rng_range(1, 3000);
    pid_t victim = spawn(churn_victim, NULL);
    int ok;
    WAIT_UNTIL(LOAD(sh->confirmed) >= k, ok);
    CHECK(ok);
    CHECK(kill_victim(victim));
    sem_t *s = round % 2 ? sem_open(name, 0) : rsipc_sem_open(name, 0);
    if (s == SEM_FAILED) {
        CHECK(errno == ENOENT);
        o->live = 0;
    } else {
        /* killed after its post and before its trywait: 1 */
        int v = sem_value(s);
        CHECK(v == 0 || v == 1);
        CHECK(sem_post(s) == 0 && sem_value(s) == v + 1 && rsipc_sem_trywait(s) == 0);
        CHECK((round % 2 ? sem_close(s) : rsipc_sem_close(s)) == 0);
        CHECK(obj_remove(o) == 0);
    }
    CHECK(rsipc_sem_open(name, 0) == SEM_FAILED && errno == ENOENT);
}

/* ========================================================================== */
/* Message queues: System V and POSIX behind one interface                    */

enum qkind { SYSV_MSG, POSIX_MQ };

struct qmsg {
    uint32_t end;
    uint32_t from;
    uint64_t seq;
};

struct sysv_qmsg {
    long mtype;
    struct qmsg body;
};

struct queue {
    enum qkind kind;
    int msqid;
    char name[96];
    mqd_t mqd;
};
static struct queue the_queue;

static const char *qkind_name(enum qkind k) { return k == SYSV_MSG ? "System V queue" : "POSIX queue"; }

/* A queue holding `depth` messages. */
static int q_create(struct queue *q, enum qkind kind, int depth) {
    q->kind = kind;
    if (kind == SYSV_MSG) {
        q->msqid = rsipc_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
        if (q->msqid == -1) return -1;
        track(OBJ_MSG, q->msqid, NULL);
        struct msqid_ds ds;
        if (rsipc_msgctl(q->msqid, IPC_STAT, &ds) != 0) return -1;
        ds.msg_qbytes = (msglen_t)depth * sizeof(struct qmsg);
        return rsipc_msgctl(q->msqid, IPC_SET, &ds);
    }
    unique_name(q->name, sizeof q->name, "mq");
    struct mq_attr attr = {.mq_maxmsg = depth, .mq_msgsize = sizeof(struct qmsg)};
    q->mqd = rsipc_mq_open(q->name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
    if (q->mqd == (mqd_t)-1) return -1;
    track(OBJ_MQ_NAME, q->mqd, q->name);
    return 0;
}

/* In a child: a POSIX queue is opened again with the child's library. */
static int q_child_open(struct queue *q, int rsipc) {
    if (q->kind != POSIX_MQ) return 0;
    mqd_t own = rsipc ? rsipc_mq_open(q->name, O_RDWR) : mq_open(q->name, O_RDWR);
    if (own == (mqd_t)-1) return -1;
    q->mqd = own;
    return 0;
}

static int q_send(struct queue *q, const struct qmsg *m, int rsipc) {
    if (q->kind == SYSV_MSG) {
        struct sysv_qmsg s = {1, *m};
        return rsipc ? rsipc_msgsnd(q->msqid, &s, sizeof *m, 0) : msgsnd(q->msqid, &s, sizeof *m, 0);
    }
    const char *bytes = (const char *)m;
    return rsipc ? rsipc_mq_send(q->mqd, bytes, sizeof *m, 0) : mq_send(q->mqd, bytes, sizeof *m, 0);
}

/* One message into *m: 0, or -1 with errno (EMSGSIZE for a wrong size). */
static int q_recv(struct queue *q, struct qmsg *m, int rsipc) {
    ssize_t n;
    if (q->kind == SYSV_MSG) {
        struct sysv_qmsg s;
        n = rsipc ? rsipc_msgrcv(q->msqid, &s, sizeof *m, 0, 0) : msgrcv(q->msqid, &s, sizeof *m, 0, 0);
        *m = s.body;
    } else {
        char *bytes = (char *)m;
        n = rsipc ? rsipc_mq_receive(q->mqd, bytes, sizeof *m, NULL) : mq_receive(q->mqd, bytes, sizeof *m, NULL);
    }
    if (n == -1) return -1;
    if (n != (ssize_t)sizeof *m) {
        errno = EMSGSIZE;
        return -1;
    }
    return 0;
}

/* Messages queued now, -1 on error. */
static long q_count(struct queue *q) {
    if (q->kind == SYSV_MSG) {
        struct msqid_ds ds;
        return rsipc_msgctl(q->msqid, IPC_STAT, &ds) == 0 ? (long)ds.msg_qnum : -1;
    }
    struct mq_attr a;
    return rsipc_mq_getattr(q->mqd, &a) == 0 ? a.mq_curmsgs : -1;
}

static long q_send_nr(enum qkind k) { return k == SYSV_MSG ? SYS_msgsnd : SYS_mq_timedsend; }
static long q_recv_nr(enum qkind k) { return k == SYSV_MSG ? SYS_msgrcv : SYS_mq_timedreceive; }

/* A fresh queue for a test, or a failed check (and nothing left). */
static int queue_ready(enum qkind kind, int depth) {
    int ok = q_create(&the_queue, kind, depth) == 0;
    CHECK(ok);
    if (!ok) cleanup_all();
    return ok;
}

static void q_end(struct queue *q) {
    struct qmsg end = {1, 0, 0};
    CHECK(q_send(q, &end, 1) == 0);
}

/* The victim sender: numbered messages, each confirmed once sent. */
static int victim_sender(void *arg) {
    (void)arg;
    for (uint64_t seq = 0;; seq++) {
        struct qmsg m = {0, 0, seq};
        STORE(sh->pending, POSTING);
        if (q_send(&the_queue, &m, 1) != 0) return 1;
        BUMP(sh->confirmed);
        STORE(sh->pending, NONE);
    }
}

struct receiver_args {
    int rsipc;
    int victim;
};

/* Receives until an end message; marks each sequence number seen and
 * checks the order. The victim receiver confirms each message it got. */
static int receiver(void *arg) {
    struct receiver_args *a = arg;
    if (q_child_open(&the_queue, a->rsipc) != 0) return 1;
    long last = -1;
    for (;;) {
        struct qmsg m;
        if (a->victim) STORE(sh->pending, WAITING);
        if (q_recv(&the_queue, &m, a->rsipc) != 0) {
            if (errno == EMSGSIZE) BUMP(sh->size_errors);
            return 2;
        }
        if (m.end) return 0;
        if (m.seq >= MAX_SEQ) return 3;
        __atomic_fetch_add(&sh->seen[m.seq], 1, __ATOMIC_SEQ_CST);
        if ((long)m.seq <= last) BUMP(sh->order_errors);
        last = (long)m.seq;
        if (a->victim) {
            BUMP(sh->confirmed);
            STORE(sh->pending, NONE);
        } else {
            BUMP(sh->received);
        }
    }
}

/* Checks that the survivor got sequence numbers 0..n-1 exactly once each
 * and in order, where n is what the dead sender confirmed (plus possibly
 * its message in flight, if `in_flight_possible`). */
static void check_sender_kill(const char *what, int in_flight_possible) {
    long confirmed = sh->confirmed, got = sh->received;
    int ok = got == confirmed || (in_flight_possible && sh->pending == POSTING && got == confirmed + 1);
    for (long i = 0; i < got && i < MAX_SEQ; i++) ok &= sh->seen[i] == 1;
    ok &= sh->order_errors == 0 && sh->size_errors == 0;
    if (!ok)
        fprintf(stderr,
                "%s: the dead sender confirmed %ld messages, the survivor received %ld (in flight: %d), %ld out of "
                "order\n",
                what, confirmed, got, sh->pending, sh->order_errors);
    CHECK(ok);
}

/* A sender killed at a random count while a survivor receives. */
static void test_queue_sender_killed_at_random(enum qkind kind, int round) {
    reset_shared();
    if (!queue_ready(kind, 4)) return;
    struct receiver_args ra = {round % 2, 0};
    pid_t survivor = spawn(receiver, &ra);
    pid_t victim = spawn(victim_sender, NULL);
    long k = rng_range(1, 20000);
    int ok;
    WAIT_UNTIL(LOAD(sh->confirmed) >= k, ok);
    CHECK(ok);
    CHECK(kill_victim(victim));
    q_end(&the_queue);
    CHECK(survivor_ok(survivor, "receiver"));
    check_sender_kill(qkind_name(kind), 1);
    CHECK(q_count(&the_queue) == 0);
    cleanup_all();
}

/* A sender killed while blocked on a full queue: its blocked message was
 * not queued; the survivor receives exactly the confirmed ones. */
static void test_queue_sender_killed_while_blocked(enum qkind kind, int round) {
    reset_shared();
    long depth = rng_range(1, 8);
    if (!queue_ready(kind, (int)depth)) return;
    pid_t victim = spawn(victim_sender, NULL);
    CHECK(blocked_in(victim, q_send_nr(kind), q_send_nr(kind)));
    CHECK(kill_victim(victim));
    CHECK(sh->confirmed == depth && q_count(&the_queue) == depth);
    struct receiver_args ra = {round % 2, 0};
    pid_t survivor = spawn(receiver, &ra);
    q_end(&the_queue);
    CHECK(survivor_ok(survivor, "receiver"));
    check_sender_kill(qkind_name(kind), 0);
    cleanup_all();
}

/* Sends `n` numbered messages, then says so. */
static long sender_count;
static int survivor_sender(void *arg) {
    int rsipc = *(int *)arg;
    if (q_child_open(&the_queue, rsipc) != 0) return 1;
    for (long seq = 0; seq < sender_count; seq++) {
        struct qmsg m = {0, 0, (uint64_t)seq};
        if (q_send(&the_queue, &m, rsipc) != 0) return 2;
    }
    STORE(sh->sender_done, 1);
    return 0;
}

/* Every message sent was taken by the victim (confirmed) or the survivor,
 * exactly once, except possibly the one the victim had in flight. */
static void check_receiver_kill(const char *what, long sent, int in_flight_possible) {
    long missing = 0, duplicated = 0;
    for (long i = 0; i < sent; i++) {
        if (sh->seen[i] == 0) missing++;
        if (sh->seen[i] > 1) duplicated++;
    }
    int ok = duplicated == 0 && sh->order_errors == 0 && sh->size_errors == 0 &&
             (missing == 0 || (missing == 1 && in_flight_possible && sh->pending == WAITING));
    /* The victim marks a message seen just before confirming it. */
    long unconfirmed = sent - missing - sh->received - sh->confirmed;
    ok &= unconfirmed == 0 || (unconfirmed == 1 && sh->pending == WAITING);
    if (!ok)
        fprintf(stderr, "%s: %ld sent, the dead receiver confirmed %ld, the survivor received %ld: %ld missing, %ld "
                        "duplicated, %ld out of order (in flight: %d)\n",
                what, sent, sh->confirmed, sh->received, missing, duplicated, sh->order_errors, sh->pending);
    CHECK(ok);
}

/* A receiver killed at a random count while a survivor receives too. */
static void test_queue_receiver_killed_at_random(enum qkind kind, int round) {
    reset_shared();
    if (!queue_ready(kind, 4)) return;
    sender_count = 20000;
    long k = rng_range(1, 2000);
    struct receiver_args victim_args = {1, 1}, survivor_args = {round % 2, 0};
    int sender_rsipc = (round / 2) % 2;
    pid_t victim = spawn(receiver, &victim_args);
    pid_t survivor = spawn(receiver, &survivor_args);
    pid_t sender = spawn(survivor_sender, &sender_rsipc);
    /* Until the victim confirmed k messages, or it starves with the sender
     * done and the queue empty. */
    int ok;
    WAIT_UNTIL(LOAD(sh->confirmed) >= k ||
                   (LOAD(sh->sender_done) && sleeping_in(victim) == q_recv_nr(kind) && q_count(&the_queue) == 0),
               ok);
    CHECK(ok);
    CHECK(kill_victim(victim));
    CHECK(survivor_ok(sender, "sender"));
    q_end(&the_queue);
    CHECK(survivor_ok(survivor, "receiver"));
    check_receiver_kill(qkind_name(kind), sender_count, 1);
    CHECK(q_count(&the_queue) == 0);
    cleanup_all();
}

/* A receiver killed while blocked on an empty queue takes nothing with it:
 * a survivor then receives every message sent. */
static void test_queue_receiver_killed_while_blocked(enum qkind kind, int round) {
    reset_shared();
    if (!queue_ready(kind, 8)) return;
    struct receiver_args victim_args = {1, 1}, survivor_args = {round % 2, 0};
    pid_t victim = spawn(receiver, &victim_args);
    CHECK(blocked_in(victim, q_recv_nr(kind), q_recv_nr(kind)));
    CHECK(kill_victim(victim));
    sender_count = rng_range(1, 500);
    int sender_rsipc = round % 2 == 0;
    pid_t survivor = spawn(receiver, &survivor_args);
    pid_t sender = spawn(survivor_sender, &sender_rsipc);
    CHECK(survivor_ok(sender, "sender"));
    q_end(&the_queue);
    CHECK(survivor_ok(survivor, "receiver"));
    CHECK(sh->confirmed == 0 && sh->received == sender_count);
    check_receiver_kill(qkind_name(kind), sender_count, 0);
    cleanup_all();
}

/* ========================================================================== */
/* System V shared memory and semaphores                                      */

static int the_shmid;
static long attachments;

static int shm_holder(void *arg) {
    (void)arg;
    for (long i = 0; i < attachments; i++) {
        unsigned char *p = rsipc_shmat(the_shmid, NULL, 0);
        if (p == (void *)-1) return 1;
        p[i] = (unsigned char)(0xa0 + i);
    }
    STORE(sh->holding, 1);
    for (;;) pause();
}

static long shm_nattch(int id) {
    struct shmid_ds ds;
    return rsipc_shmctl(id, IPC_STAT, &ds) == 0 ? (long)ds.shm_nattch : -1;
}

/* A holder of 1-3 attachments (and of the parent's, inherited through
 * fork, when the parent is attached) is killed: shm_nattch drops by exactly
 * that many; a segment marked IPC_RMID (before or after the kill) is destroyed
 * once the last attachment is gone; the holder's writes stay visible to the
 * other attachments. */
static void test_shm_attachment_holder_killed(int round) {
    (void)round;
    reset_shared();
    attachments = rng_range(1, 3);
    int rmid_first = (int)rng_range(0, 1), parent_attached = (int)rng_range(0, 1);
    the_shmid = rsipc_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    CHECK(the_shmid != -1);
    if (the_shmid == -1) return;
    struct obj *o = track(OBJ_SHM, the_shmid, NULL);
    unsigned char *mine = NULL;
    if (parent_attached) {
        mine = rsipc_shmat(the_shmid, NULL, 0);
        CHECK(mine != (void *)-1);
        if (mine == (void *)-1) mine = NULL;
    }
    long base = mine ? 1 : 0;
    pid_t victim = spawn(shm_holder, NULL);
    int ok;
    WAIT_UNTIL(LOAD(sh->holding), ok);
    CHECK(ok);
    /* the victim holds its own attachments and the one fork gave it */
    CHECK(shm_nattch(the_shmid) == 2 * base + attachments);
    if (rmid_first) CHECK(obj_remove(o) == 0);
    CHECK(kill_victim(victim));
    /* The dead process's mappings go when its last mm reference does,
     * which another process reading its /proc files may briefly hold: poll. */
    long after = -2;
    WAIT_UNTIL((after = shm_nattch(the_shmid)) == (mine ? 1 : rmid_first ? -1 : 0), ok);
    CHECK(ok);
    if (mine) {
        for (long i = 0; i < attachments; i++) CHECK(mine[i] == 0xa0 + i);
        CHECK(rsipc_shmdt(mine) == 0);
    }
    if (rmid_first) {
        errno = 0;
        WAIT_UNTIL(shm_nattch(the_shmid) == -1, ok);
        CHECK(ok && (errno == EINVAL || errno == EIDRM));
    } else {
        CHECK(shm_nattch(the_shmid) == 0);
        CHECK(obj_remove(o) == 0);
        errno = 0;
        CHECK(shm_nattch(the_shmid) == -1 && (errno == EINVAL || errno == EIDRM));
    }
}

static int the_semid;
static int sem_undo;

static int sysv_sem_holder(void *arg) {
    (void)arg;
    struct sembuf take = {0, -1, (short)(sem_undo ? SEM_UNDO : 0)};
    if (rsipc_semop(the_semid, &take, 1) != 0) return 1;
    STORE(sh->holding, 1);
    for (;;) pause();
}

static int sysv_sem_waiter(void *arg) {
    (void)arg;
    struct sembuf take = {0, -1, 0};
    rsipc_semop(the_semid, &take, 1);
    return 2;
}

/* A System V semaphore holder killed with SEM_UNDO gives its token back (a
 * survivor then takes it); without SEM_UNDO the token is gone and a
 * survivor's semtimedop returns EAGAIN. A waiter killed while blocked in
 * semop leaves semncnt. The set can be removed either way. */
static void test_sysv_sem_holder_and_waiter_killed(int round) {
    reset_shared();
    sem_undo = (int)rng_range(0, 1);
    the_semid = rsipc_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    CHECK(the_semid != -1);
    if (the_semid == -1) return;
    struct obj *o = track(OBJ_SEMSET, the_semid, NULL);
    CHECK(rsipc_semctl(the_semid, 0, SETVAL, 1) == 0);
    pid_t holder = spawn(sysv_sem_holder, NULL);
    int ok;
    WAIT_UNTIL(LOAD(sh->holding), ok);
    CHECK(ok);
    pid_t waiter = spawn(sysv_sem_waiter, NULL);
    CHECK(blocked_in(waiter, SYS_semop, SYS_semtimedop));
    CHECK(rsipc_semctl(the_semid, 0, GETNCNT) == 1);
    CHECK(kill_victim(waiter));
    CHECK(rsipc_semctl(the_semid, 0, GETNCNT) == 0);
    CHECK(rsipc_semctl(the_semid, 0, GETVAL) == 0);
    CHECK(kill_victim(holder));
    CHECK(rsipc_semctl(the_semid, 0, GETVAL) == (sem_undo ? 1 : 0));
    struct sembuf take = {0, -1, 0};
    struct timespec t = {sem_undo ? 30 : 0, sem_undo ? 0 : 20000000};
    errno = 0;
    int r = round % 2 ? semtimedop(the_semid, &take, 1, &t) : rsipc_semtimedop(the_semid, &take, 1, &t);
    CHECK(sem_undo ? r == 0 : (r == -1 && errno == EAGAIN));
    CHECK(rsipc_semctl(the_semid, 0, GETVAL) == 0);
    CHECK(obj_remove(o) == 0);
}

/* ========================================================================== */
/* Signals during blocking calls: rsipc against glibc                         */

struct eintr_case {
    const char *name;
    long nr_a, nr_b;               /* where the blocked child sleeps */
    int (*setup)(void);            /* parent: create the object */
    long (*call)(int rsipc);       /* child: the blocking call */
    void (*release)(void);         /* parent: let a restarted call complete */
    void (*teardown)(void);        /* parent */
};

static void on_sigusr1(int sig) {
    (void)sig;
    BUMP(sh->handled);
}

static const struct eintr_case *current_case;
static int current_restart;

static int eintr_child(void *arg) {
    int rsipc = *(int *)arg;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigusr1;
    sa.sa_flags = current_restart ? SA_RESTART : 0;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) != 0) return 1;
    errno = 0;
    long r = current_case->call(rsipc);
    sh->result_errno = errno;
    STORE(sh->result, r);
    return 0;
}

/* Runs one blocked call under the signal; its result goes in *ret, *err. */
static int eintr_run(const struct eintr_case *c, int rsipc, long *ret, int *err) {
    reset_shared();
    sh->result = -999;
    if (c->setup() != 0) {
        fprintf(stderr, "EINTR %s: setup failed: %s (%s)\n", c->name, strerror(errno), rsipc_last_error());
        c->teardown();
        cleanup_all();
        return 0;
    }
    current_case = c;
    pid_t pid = spawn(eintr_child, &rsipc);
    int ok = blocked_in(pid, c->nr_a, c->nr_b);
    if (ok) {
        kill(pid, SIGUSR1);
        WAIT_UNTIL(LOAD(sh->handled) > 0, ok);
        if (!ok) fprintf(stderr, "EINTR %s: the handler never ran\n", c->name);
    }
    c->release();
    ok &= survivor_ok(pid, c->name);
    *ret = sh->result;
    *err = sh->result_errno;
    c->teardown();
    cleanup_all();
    return ok;
}

/* --- the cases --- */

static void eintr_nothing(void) {}

static sem_t *eintr_sem;
static int eintr_sem_setup(void) {
    eintr_sem = shared_page(sizeof(sem_t));
    return rsipc_sem_init(eintr_sem, 1, 0);
}
static long eintr_sem_wait(int rsipc) { return rsipc ? rsipc_sem_wait(eintr_sem) : sem_wait(eintr_sem); }
static long eintr_sem_timedwait(int rsipc) {
    struct timespec far = realtime_in_ms(600000);
    return rsipc ? rsipc_sem_timedwait(eintr_sem, &far) : sem_timedwait(eintr_sem, &far);
}
static void eintr_sem_release(void) { rsipc_sem_post(eintr_sem); }
static void eintr_sem_teardown(void) {
    if (eintr_sem) rsipc_munmap(eintr_sem, sizeof(sem_t));
    eintr_sem = NULL;
}

static int eintr_queue_setup(enum qkind kind, int full) {
    if (q_create(&the_queue, kind, 2) != 0) return -1;
    struct qmsg m = {0, 0, 0};
    for (int i = 0; full && i < 2; i++)
        if (q_send(&the_queue, &m, 1) != 0) return -1;
    return 0;
}
static int eintr_msg_empty_setup(void) { return eintr_queue_setup(SYSV_MSG, 0); }
static int eintr_msg_full_setup(void) { return eintr_queue_setup(SYSV_MSG, 1); }
static int eintr_mq_empty_setup(void) { return eintr_queue_setup(POSIX_MQ, 0); }
static int eintr_mq_full_setup(void) { return eintr_queue_setup(POSIX_MQ, 1); }
static long eintr_queue_recv(int rsipc) {
    struct qmsg m;
    if (q_child_open(&the_queue, rsipc) != 0) return -2;
    return q_recv(&the_queue, &m, rsipc);
}
static long eintr_queue_send(int rsipc) {
    struct qmsg m = {0, 0, 1};
    if (q_child_open(&the_queue, rsipc) != 0) return -2;
    return q_send(&the_queue, &m, rsipc);
}
static void eintr_queue_give(void) {
    struct qmsg m = {0, 0, 7};
    q_send(&the_queue, &m, 1);
}
static void eintr_queue_take(void) {
    struct qmsg m;
    q_recv(&the_queue, &m, 1);
}

static int eintr_semop_setup(void) {
    the_semid = rsipc_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    if (the_semid == -1) return -1;
    track(OBJ_SEMSET, the_semid, NULL);
    return 0;
}
static long eintr_semop(int rsipc) {
    struct sembuf take = {0, -1, 0};
    return rsipc ? rsipc_semop(the_semid, &take, 1) : semop(the_semid, &take, 1);
}
static void eintr_semop_release(void) {
    struct sembuf give = {0, 1, 0};
    rsipc_semop(the_semid, &give, 1);
}

static char fifo_path[128];
static int fifo_reader = -1;
static int eintr_fifo_setup(void) {
    snprintf(fifo_path, sizeof fifo_path, "/tmp/rsipc-faults-%d.fifo", (int)getpid());
    if (rsipc_mkfifo(fifo_path, 0600) != 0) return -1;
    track(OBJ_PATH, -1, fifo_path);
    return 0;
}
static long eintr_fifo_open(int rsipc) {
    int fd = rsipc ? rsipc_fifo_open(fifo_path, O_WRONLY, -1) : open(fifo_path, O_WRONLY);
    if (fd >= 0) close(fd);
    return fd >= 0 ? 0 : -1;
}
static void eintr_fifo_release(void) { fifo_reader = rsipc_fifo_open(fifo_path, O_RDONLY | O_NONBLOCK, 0); }
static void eintr_fifo_teardown(void) {
    if (fifo_reader >= 0) close(fifo_reader);
    fifo_reader = -1;
}

static int eintr_pipe[2] = {-1, -1};
static int eintr_pipe_setup(void) { return rsipc_pipe2(eintr_pipe, O_CLOEXEC); }
static long eintr_read(int rsipc) {
    char buf[8];
    close(eintr_pipe[1]);
    return rsipc ? rsipc_read_exact(eintr_pipe[0], buf, sizeof buf) : read(eintr_pipe[0], buf, sizeof buf);
}
static void eintr_pipe_release(void) { rsipc_write_all(eintr_pipe[1], "12345678", 8); }
static void eintr_pipe_teardown(void) {
    for (int i = 0; i < 2; i++)
        if (eintr_pipe[i] >= 0) close(eintr_pipe[i]);
    eintr_pipe[0] = eintr_pipe[1] = -1;
}

static const struct eintr_case eintr_cases[] = {
    {"sem_wait", SYS_futex, SYS_futex, eintr_sem_setup, eintr_sem_wait, eintr_sem_release, eintr_sem_teardown},
    {"sem_timedwait", SYS_futex, SYS_futex, eintr_sem_setup, eintr_sem_timedwait, eintr_sem_release,
     eintr_sem_teardown},
    {"msgrcv", SYS_msgrcv, SYS_msgrcv, eintr_msg_empty_setup, eintr_queue_recv, eintr_queue_give,
     eintr_nothing},
    {"msgsnd", SYS_msgsnd, SYS_msgsnd, eintr_msg_full_setup, eintr_queue_send, eintr_queue_take,
     eintr_nothing},
    {"mq_receive", SYS_mq_timedreceive, SYS_mq_timedreceive, eintr_mq_empty_setup, eintr_queue_recv,
     eintr_queue_give, eintr_nothing},
    {"mq_send", SYS_mq_timedsend, SYS_mq_timedsend, eintr_mq_full_setup, eintr_queue_send, eintr_queue_take,
     eintr_nothing},
    {"semop", SYS_semop, SYS_semtimedop, eintr_semop_setup, eintr_semop, eintr_semop_release, eintr_nothing},
    {"fifo open for writing", SYS_openat, SYS_openat, eintr_fifo_setup, eintr_fifo_open, eintr_fifo_release,
     eintr_fifo_teardown},
};

static const char *outcome(long ret, int err, char *buf, size_t size) {
    if (ret == -1) snprintf(buf, size, "-1/%s", err == EINTR ? "EINTR" : strerror(err));
    else snprintf(buf, size, "%ld (completed)", ret);
    return buf;
}

/* Each call blocked, interrupted by a handler without and with SA_RESTART,
 * through rsipc and through glibc: the same outcome. */
static void test_eintr_where_glibc_gives_it(void) {
    for (size_t i = 0; i < sizeof eintr_cases / sizeof eintr_cases[0]; i++) {
        const struct eintr_case *c = &eintr_cases[i];
        for (int restart = 0; restart < 2; restart++) {
            current_restart = restart;
            long ret[2];
            int err[2], ok = 1;
            for (int rsipc = 0; rsipc < 2; rsipc++) ok &= eintr_run(c, rsipc, &ret[rsipc], &err[rsipc]);
            int same = ok && ret[0] == ret[1] && (ret[0] != -1 || err[0] == err[1]);
            eintr_compared++;
            eintr_agreed += same;
            char a[64], b[64];
            printf("  EINTR %-22s %-10s glibc %-16s rsipc %-16s %s\n", c->name, restart ? "SA_RESTART" : "no restart",
                   outcome(ret[0], err[0], a, sizeof a), outcome(ret[1], err[1], b, sizeof b),
                   same ? "same" : "DIFFERENT");
            CHECK(same);
            /* Without SA_RESTART every one of these calls gives EINTR. */
            if (!restart) CHECK(ret[1] == -1 && err[1] == EINTR);
        }
    }
}

/* rsipc_read_exact retries EINTR by contract: interrupted while blocked in
 * read, it completes once the data comes (glibc's read is shown beside). */
static void test_read_exact_retries_eintr(void) {
    const struct eintr_case c = {"read", SYS_read, SYS_read, eintr_pipe_setup, eintr_read, eintr_pipe_release,
                                 eintr_pipe_teardown};
    for (int restart = 0; restart < 2; restart++) {
        current_restart = restart;
        long ret[2];
        int err[2];
        CHECK(eintr_run(&c, 0, &ret[0], &err[0]));
        CHECK(eintr_run(&c, 1, &ret[1], &err[1]));
        CHECK(ret[1] == 8);
        CHECK(restart ? ret[0] == 8 : (ret[0] == -1 && err[0] == EINTR));
        char a[64], b[64];
        printf("  EINTR %-22s %-10s glibc read %-11s rsipc_read_exact %s\n", "read / read_exact",
               restart ? "SA_RESTART" : "no restart", outcome(ret[0], err[0], a, sizeof a),
               outcome(ret[1], err[1], b, sizeof b));
    }
}

/* rsipc_fifo_open with a timeout has no glibc counterpart; its contract:
 * a handler that runs during the timed wait ends it with EINTR, with or
 * without SA_RESTART (a signal arriving between two of its tries is held
 * until the next sleep, never absorbed). */
static long eintr_fifo_open_timed(int rsipc) {
    (void)rsipc;
    int fd = rsipc_fifo_open(fifo_path, O_WRONLY, 600000);
    if (fd >= 0) close(fd);
    return fd >= 0 ? 0 : -1;
}

static void test_timed_fifo_open_ends_with_eintr(void) {
    const struct eintr_case c = {"timed fifo open", SYS_ppoll, SYS_ppoll, eintr_fifo_setup, eintr_fifo_open_timed,
                                 eintr_fifo_release, eintr_fifo_teardown};
    for (int restart = 0; restart < 2; restart++) {
        current_restart = restart;
        long ret;
        int err;
        CHECK(eintr_run(&c, 1, &ret, &err));
        CHECK(ret == -1 && err == EINTR);
        char b[64];
        printf("  EINTR %-22s %-10s rsipc_fifo_open(timeout_ms=600000) %s\n", "timed fifo open",
               restart ? "SA_RESTART" : "no restart", outcome(ret, err, b, sizeof b));
    }
}

/* ========================================================================== */

int main(void) {
    parent_pid = getpid();
    atexit(cleanup_at_exit);
    sh = shared_page(sizeof *sh);
    const char *seed_env = getenv("RSIPC_FAULT_SEED");
    uint64_t seed = seed_env && *seed_env ? strtoull(seed_env, NULL, 0)
                                          : ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
    /* splitmix64 of the seed: nearby seeds give unrelated runs */
    uint64_t z = seed + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    rng_state = z ? z : 1;
    const char *rounds_env = getenv("RSIPC_FAULT_ROUNDS");
    int rounds = rounds_env && *rounds_env ? atoi(rounds_env) : 3;
    printf("test_faults: seed %llu (RSIPC_FAULT_SEED=%llu repeats this run), %d rounds per kind\n",
           (unsigned long long)seed, (unsigned long long)seed, rounds);
    fflush(stdout);

    for (int r = 0; r < rounds; r++) {
        test_sem_killed_while_blocked_in_wait(r);
        test_sem_killed_between_wait_and_post(r);
        test_sem_killed_at_a_random_point(r);
        test_named_sem_killed_holder(r);
        test_named_sem_killed_mid_create(r);
        cleanup_all();
        for (enum qkind k = SYSV_MSG; k <= POSIX_MQ; k++) {
            test_queue_sender_killed_at_random(k, r);
            test_queue_sender_killed_while_blocked(k, r);
            test_queue_receiver_killed_at_random(k, r);
            test_queue_receiver_killed_while_blocked(k, r);
        }
        test_shm_attachment_holder_killed(r);
        test_sysv_sem_holder_and_waiter_killed(r);
        cleanup_all();
    }
    test_eintr_where_glibc_gives_it();
    test_read_exact_retries_eintr();
    test_timed_fifo_open_ends_with_eintr();
    cleanup_all();

    printf("test_faults: %d fault cases (peers killed; %d of them asleep in a system call, %d in the middle of an "
           "operation), %d deadlocks; EINTR: %d rsipc/glibc comparisons, %d agreed\n",
           fault_cases, killed_asleep, killed_mid_call, deadlocks, eintr_compared, eintr_agreed);
    CHECK(deadlocks == 0);
    return check_summary("test_faults");
}
