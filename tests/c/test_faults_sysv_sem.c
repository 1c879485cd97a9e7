/* Faults of System V semaphores: a holder killed with SEM_UNDO and without,
 * and a waiter killed while blocked (semncnt drops), each with SIGKILL (the
 * harness: support/faults.h).
 *
 * Signals: a SIGUSR1 handler installed without and with SA_RESTART
 * interrupts a process blocked in semop, once through rsipc and once
 * through glibc's own call; both must end the same way (the same return
 * value and errno). */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <time.h>

#include "faults.h"

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

/* --- signals during a blocking semop --- */

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

static const struct eintr_case semop_eintr_cases[] = {
    {"semop", SYS_semop, SYS_semtimedop, eintr_semop_setup, eintr_semop, eintr_semop_release, eintr_nothing},
};

int main(void) {
    int rounds = faults_begin("test_faults_sysv_sem");
    for (int r = 0; r < rounds; r++) {
        test_sysv_sem_holder_and_waiter_killed(r);
        cleanup_all();
    }
    eintr_compare_with_glibc(semop_eintr_cases, sizeof semop_eintr_cases / sizeof semop_eintr_cases[0]);
    return faults_end("test_faults_sysv_sem");
}
