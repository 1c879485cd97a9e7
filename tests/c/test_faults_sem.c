/* Faults of POSIX semaphores: a peer killed with SIGKILL at chosen or
 * random (seeded) points, and signals delivered during the blocking waits
 * (the harness: support/faults.h).
 *
 * Killed peers (the victim always calls rsipc; survivors alternate between
 * rsipc and glibc): killed while blocked in rsipc_sem_wait; killed while
 * holding a token taken as a lock (between rsipc_sem_wait and
 * rsipc_sem_post: the survivors' timed waits return ETIMEDOUT, nothing
 * deadlocks); killed at a random operation count during a post/wait storm
 * with survivors; a killed holder of a named semaphore (the name still
 * opens, works and unlinks); killed at a random point of a
 * sem_open/close/unlink churn (the name is either absent or a complete
 * semaphore). Every arithmetic check is exact: with the victim's confirmed
 * operations P (posts) and W (waits) and its operation in flight, the
 * semaphore holds exactly P - W, or the in-flight operation's effect on top.
 *
 * Signals: a SIGUSR1 handler installed without and with SA_RESTART
 * interrupts a process blocked in sem_wait and sem_timedwait, once through
 * rsipc and once through glibc's own call; both must end the same way. */
#include <fcntl.h>
#include <semaphore.h>
#include <sys/syscall.h>
#include <time.h>

#include "faults.h"

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

/* --- killed peers --- */

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

/* --- signals during the blocking waits --- */

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

static const struct eintr_case sem_eintr_cases[] = {
    {"sem_wait", SYS_futex, SYS_futex, eintr_sem_setup, eintr_sem_wait, eintr_sem_release, eintr_sem_teardown},
    {"sem_timedwait", SYS_futex, SYS_futex, eintr_sem_setup, eintr_sem_timedwait, eintr_sem_release,
     eintr_sem_teardown},
};

int main(void) {
    int rounds = faults_begin("test_faults_sem");
    for (int r = 0; r < rounds; r++) {
        test_sem_killed_while_blocked_in_wait(r);
        test_sem_killed_between_wait_and_post(r);
        test_sem_killed_at_a_random_point(r);
        test_named_sem_killed_holder(r);
        test_named_sem_killed_mid_create(r);
        cleanup_all();
    }
    eintr_compare_with_glibc(sem_eintr_cases, sizeof sem_eintr_cases / sizeof sem_eintr_cases[0]);
    return faults_end("test_faults_sem");
}
