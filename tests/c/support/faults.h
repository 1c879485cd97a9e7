/* The fault harness shared by the tests/c/test_faults_<mechanism>.c
 * programs: a peer killed with SIGKILL at a chosen or random (seeded)
 * point, and signals delivered during blocking calls.
 *
 * A program is
 *
 *     int main(void) {
 *         int rounds = faults_begin("test_faults_x");
 *         for (int r = 0; r < rounds; r++) { ...kill cases...; cleanup_all(); }
 *         ...EINTR cases...
 *         return faults_end("test_faults_x");
 *     }
 *
 * Killed peers: the victim always calls rsipc; survivors alternate between
 * rsipc and glibc. Each victim publishes what it completed in the shared
 * page `sh` (confirmed operations, the one in flight), so every arithmetic
 * check is exact: with the victim's confirmed operations P (posts/sends)
 * and W (waits/receives) and its operation in flight, the object holds
 * exactly P - W, or the in-flight operation's effect on top.
 *
 * A peer is known to be blocked by reading /proc/PID/syscall (it names the
 * call only while the task sleeps in it), never by sleeping and hoping.
 * Random choices come from a seed printed at the start
 * (RSIPC_FAULT_SEED=n repeats a run); RSIPC_FAULT_ROUNDS=n sets the rounds
 * per kind (default 3). Every object is tracked and removed even when a
 * check fails (cleanup_all, and at exit).
 *
 * Part of the test support library (tests/c/support/): faults.c (the
 * harness, the EINTR runner) and faults_queue.c (the message-queue cases,
 * for System V and POSIX queues alike). */
#ifndef RSIPC_TEST_FAULTS_H
#define RSIPC_TEST_FAULTS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "check.h"

/* A child that is still running after this long is a deadlock. */
#define REAP_SECONDS 120
/* Children kill themselves (SIGALRM) after this long, in case the parent
 * died. */
#define CHILD_WATCHDOG_SECONDS 300
/* How long a poll for a condition (a peer blocked, a count reached) waits. */
#define POLL_SECONDS 60

/* For the summary faults_end() prints. */
extern int fault_cases, killed_asleep, killed_mid_call, deadlocks, eintr_compared, eintr_agreed;

/* Seeds the random choices, prepares `sh` and the removal at exit, prints
 * the seed; returns the rounds per kind. */
int faults_begin(const char *program);
/* Removes what is left, prints the summary, checks that nothing
 * deadlocked; main's exit status. */
int faults_end(const char *program);

/* --- seeded random choices ---------------------------------------------- */

/* A number in [lo, hi]. */
long rng_range(long lo, long hi);

/* --- objects, removed at the end of each case even after a failure ---- */

enum obj_kind { OBJ_MSG, OBJ_SHM, OBJ_SEMSET, OBJ_SEM_NAME, OBJ_MQ_NAME, OBJ_PATH };

struct obj {
    enum obj_kind kind;
    int id;         /* OBJ_MQ_NAME: the parent's descriptor, or -1 */
    char name[128]; /* as large as every name buffer it copies */
    int live;
};

/* Tracks an object for removal (by id or name). */
struct obj *track(enum obj_kind kind, int id, const char *name);
/* Removes the object; 0 or -1 with errno. */
int obj_remove(struct obj *o);
/* Removes every tracked object. */
void cleanup_all(void);
/* "/rsipc-faults-<pid>-<tag>-<n>": a name no other process uses. */
void unique_name(char *out, size_t size, const char *tag);

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
/* One page shared by the parent and every child (faults_begin maps it). */
extern struct shared *sh;

void reset_shared(void);

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)
#define BUMP(x) __atomic_fetch_add(&(x), 1, __ATOMIC_SEQ_CST)

/* --- processes ------------------------------------------------------------ */

/* fn(arg) in a forked child (with its watchdog), which exits with its
 * return value. */
pid_t spawn(int (*fn)(void *), void *arg);
/* A short sleep between two polls: 0.1 ms for the first 100 steps, then
 * 1 ms. */
void nap(int step);
/* CLOCK_MONOTONIC in seconds. */
double now_s(void);

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
int reap(pid_t pid, const char *what);
/* Reaps a survivor, which must have exited 0. */
int survivor_ok(pid_t pid, const char *what);
/* The system call `pid` sleeps in, -1 if it runs (or is gone). */
long sleeping_in(pid_t pid);
/* SIGKILLs the victim and reaps it; one fault case. 1 if it died of it. */
int kill_victim(pid_t pid);
/* 1 once `pid` sleeps in system call `a` or `b` (within POLL_SECONDS). */
int blocked_in(pid_t pid, long a, long b);
/* `size` bytes of anonymous shared memory (rsipc_map_anonymous_shared);
 * aborts when there is none. */
void *shared_page(size_t size);

/* --- signals during blocking calls: rsipc against glibc ------------------- */

struct eintr_case {
    const char *name;
    long nr_a, nr_b;               /* where the blocked child sleeps */
    int (*setup)(void);            /* parent: create the object */
    long (*call)(int rsipc);       /* child: the blocking call */
    void (*release)(void);         /* parent: let a restarted call complete */
    void (*teardown)(void);        /* parent */
};

/* A teardown or release with nothing to do. */
void eintr_nothing(void);
/* The SIGUSR1 handler of the next eintr_run is installed with SA_RESTART
 * (1) or without (0). */
extern int current_restart;
/* Runs one blocked call (`rsipc`: through rsipc, else glibc) under a
 * SIGUSR1; its result goes in *ret, *err. 1 if the run itself went as
 * planned (blocked, handled, exited). */
int eintr_run(const struct eintr_case *c, int rsipc, long *ret, int *err);
/* "-1/EINTR", "-1/<strerror>" or "<ret> (completed)". */
const char *outcome(long ret, int err, char *buf, size_t size);
/* Each call blocked, interrupted by a handler without and with SA_RESTART,
 * through rsipc and through glibc: the same outcome; without SA_RESTART it
 * is EINTR. */
void eintr_compare_with_glibc(const struct eintr_case *cases, size_t n);

/* --- message queues: System V and POSIX behind one interface -------------- */

/* A message of the queue cases: numbered, or the end of the stream. */
struct qmsg {
    uint32_t end;
    uint32_t from;
    uint64_t seq;
};

/* One queue mechanism (test_faults_msg.c, test_faults_mq.c): the queue
 * itself lives in that file, one at a time. */
struct fault_queue {
    const char *name;                 /* in messages: "System V queue" */
    const char *send_call, *recv_call;/* the EINTR cases' names: "msgsnd", "msgrcv" */
    long send_nr, recv_nr;            /* the system calls a blocked send / receive sleeps in */
    int (*create)(int depth);         /* parent: a fresh queue of `depth` messages, tracked */
    int (*child_open)(int rsipc);     /* in a child: open it again with that library (or nothing) */
    int (*send)(const struct qmsg *m, int rsipc);      /* 0, or -1 with errno */
    ssize_t (*recv)(struct qmsg *m, int rsipc);        /* bytes received, or -1 with errno */
    long (*count)(void);              /* messages queued now, -1 on error */
};

/* The four kill cases of one round: a sender killed at a random count and
 * while blocked on a full queue, a receiver killed at a random count and
 * while blocked on an empty queue. The victim confirms each completed call
 * in `sh`; no confirmed message is lost or duplicated, order is kept, and
 * at most the one call in flight is undecided. */
void queue_kill_cases(const struct fault_queue *q, int round);
/* The receive on an empty queue and the send to a full one, interrupted
 * (eintr_compare_with_glibc). */
void queue_eintr_cases(const struct fault_queue *q);

#endif
