/* System V semaphores around a critical section shared by several
 * processes. Semaphore 0 is the lock (P = -1, V = +1, with SEM_UNDO so a
 * process that dies inside releases it); semaphore 1 counts the processes
 * inside, which must never exceed 1.
 *
 * The parent closes the lock (SETVAL 0), starts the workers, shows with
 * GETNCNT that all of them wait for it, opens it (SETVAL 1) and lets them
 * through one at a time; at the end it reads the lock back (GETVAL) and
 * removes the set (IPC_RMID). */
#include <sys/sem.h>
#include <time.h>

#include "../example.h"

#define WORKERS 3

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

static int semid;

static void P(void) {
    struct sembuf op = {0, -1, SEM_UNDO};
    if (rsipc_semop(semid, &op, 1) == -1) DIE("semop P");
}

static void V(void) {
    struct sembuf op = {0, +1, SEM_UNDO};
    if (rsipc_semop(semid, &op, 1) == -1) DIE("semop V");
}

static void worker(int n) {
    P();
    struct sembuf in = {1, +1, 0}, out = {1, -1, 0};
    if (rsipc_semop(semid, &in, 1) == -1) DIE("semop in");
    int inside = rsipc_semctl(semid, 1, GETVAL);
    if (inside != 1) {
        fprintf(stderr, "worker %d: %d processes in the critical section\n", n, inside);
        exit(1);
    }
    printf("process %d enters the critical section\n", n);
    fflush(stdout);
    struct timespec work = {0, 20000000}; /* 20 ms of "work" */
    nanosleep(&work, NULL);
    printf("process %d leaves the critical section\n", n);
    fflush(stdout);
    if (rsipc_semop(semid, &out, 1) == -1) DIE("semop out");
    V();
}

int main(void) {
    semid = rsipc_semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
    if (semid == -1) DIE("semget");

    union semun arg;
    arg.val = 0;
    if (rsipc_semctl(semid, 0, SETVAL, arg) == -1) DIE("semctl SETVAL 0");
    printf("lock closed: GETVAL = %d\n", rsipc_semctl(semid, 0, GETVAL));
    fflush(stdout); /* before fork, or the children would print it again */

    pid_t pids[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        pids[i] = fork();
        if (pids[i] == -1) DIE("fork");
        if (pids[i] == 0) {
            worker(i + 1);
            _exit(0);
        }
    }

    /* Real synchronisation: wait until the kernel counts every worker as
     * blocked in P (bounded: at most ~20 s). */
    int ncnt = -1;
    for (int tries = 0; tries < 20000 && ncnt != WORKERS; tries++) {
        ncnt = rsipc_semctl(semid, 0, GETNCNT);
        if (ncnt == -1) DIE("semctl GETNCNT");
        struct timespec ms = {0, 1000000};
        if (ncnt != WORKERS) nanosleep(&ms, NULL);
    }
    printf("processes waiting for the lock: GETNCNT = %d\n", ncnt);
    fflush(stdout);
    if (ncnt != WORKERS) return 1;

    arg.val = 1;
    if (rsipc_semctl(semid, 0, SETVAL, arg) == -1) DIE("semctl SETVAL 1");

    for (int i = 0; i < WORKERS; i++)
        if (wait_ok(pids[i]) != 0) DIE("worker");

    printf("all done: GETVAL = %d, GETNCNT = %d\n", rsipc_semctl(semid, 0, GETVAL), rsipc_semctl(semid, 0, GETNCNT));
    if (rsipc_semctl(semid, 0, IPC_RMID) == -1) DIE("semctl IPC_RMID");
    printf("semaphore set removed\n");
    return 0;
}
