/* The fault harness (faults.h): seeded random choices, the objects to
 * remove, the shared page, processes (spawn, reap, kill, blocked in a
 * system call), and the EINTR runner. */
#include "faults.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int fault_cases, killed_asleep, killed_mid_call, deadlocks, eintr_compared, eintr_agreed;

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
long rng_range(long lo, long hi) { return lo + (long)(rng_next() % (uint64_t)(hi - lo + 1)); }

/* --- objects, removed at the end of each case even after a failure ---- */

static struct obj objs[32];
static int nobjs;

struct obj *track(enum obj_kind kind, int id, const char *name) {
    if (nobjs == (int)(sizeof objs / sizeof objs[0])) abort();
    struct obj *o = &objs[nobjs++];
    o->kind = kind;
    o->id = id;
    snprintf(o->name, sizeof o->name, "%s", name ? name : "");
    o->live = 1;
    return o;
}

/* Removes the object; 0 or -1 with errno. */
int obj_remove(struct obj *o) {
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

void cleanup_all(void) {
    for (int i = 0; i < nobjs; i++) obj_remove(&objs[i]);
    nobjs = 0;
}

static pid_t parent_pid;
static void cleanup_at_exit(void) {
    if (getpid() == parent_pid) cleanup_all();
}

void unique_name(char *out, size_t size, const char *tag) {
    static int n;
    snprintf(out, size, "/rsipc-faults-%d-%s-%d", (int)getpid(), tag, n++);
}

/* --- shared state --------------------------------------------------------- */

struct shared *sh;

void reset_shared(void) { memset(sh, 0, sizeof *sh); }

/* --- processes ------------------------------------------------------------ */

pid_t spawn(int (*fn)(void *), void *arg) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(CHILD_WATCHDOG_SECONDS);
        _exit(fn(arg));
    }
    if (pid < 0) perror("fork");
    return pid;
}

void nap(int step) {
    /* 0.1 ms at first, then 1 ms */
    struct timespec t = {0, step < 100 ? 100000 : 1000000};
    nanosleep(&t, NULL);
}

double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The wait status of `pid` once it ends (within REAP_SECONDS: otherwise it
 * is counted as a deadlock, killed and -1 returned). A child killed by its
 * own watchdog (SIGALRM) is a deadlock too. */
int reap(pid_t pid, const char *what) {
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
int survivor_ok(pid_t pid, const char *what) {
    int status = reap(pid, what);
    if (status == -1) return 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "%s (pid %d) failed: status %#x\n", what, (int)pid, status);
        return 0;
    }
    return 1;
}

/* The system call `pid` sleeps in, -1 if it runs (or is gone). */
long sleeping_in(pid_t pid) {
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
int kill_victim(pid_t pid) {
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
int blocked_in(pid_t pid, long a, long b) {
    int ok;
    long nr = -1;
    WAIT_UNTIL((nr = sleeping_in(pid)) == a || nr == b, ok);
    if (!ok) fprintf(stderr, "pid %d never blocked in system call %ld/%ld (last seen: %ld)\n", (int)pid, a, b, nr);
    return ok;
}

void *shared_page(size_t size) {
    void *p = rsipc_map_anonymous_shared(size);
    if (p == MAP_FAILED) {
        fprintf(stderr, "map_anonymous_shared: %s\n", rsipc_last_error());
        abort();
    }
    return p;
}

/* --- signals during blocking calls: rsipc against glibc ------------------- */

static void on_sigusr1(int sig) {
    (void)sig;
    BUMP(sh->handled);
}

static const struct eintr_case *current_case;
int current_restart;

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
int eintr_run(const struct eintr_case *c, int rsipc, long *ret, int *err) {
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

void eintr_nothing(void) {}

const char *outcome(long ret, int err, char *buf, size_t size) {
    if (ret == -1) snprintf(buf, size, "-1/%s", err == EINTR ? "EINTR" : strerror(err));
    else snprintf(buf, size, "%ld (completed)", ret);
    return buf;
}

/* Each call blocked, interrupted by a handler without and with SA_RESTART,
 * through rsipc and through glibc: the same outcome. */
void eintr_compare_with_glibc(const struct eintr_case *cases, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const struct eintr_case *c = &cases[i];
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

/* --- the program ------------------------------------------------------------ */

int faults_begin(const char *program) {
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
    printf("%s: seed %llu (RSIPC_FAULT_SEED=%llu repeats this run), %d rounds per kind\n", program,
           (unsigned long long)seed, (unsigned long long)seed, rounds);
    fflush(stdout);
    return rounds;
}

int faults_end(const char *program) {
    cleanup_all();
    printf("%s: %d fault cases (peers killed; %d of them asleep in a system call, %d in the middle of an "
           "operation), %d deadlocks; EINTR: %d rsipc/glibc comparisons, %d agreed\n",
           program, fault_cases, killed_asleep, killed_mid_call, deadlocks, eintr_compared, eintr_agreed);
    CHECK(deadlocks == 0);
    return check_summary(program);
}
