/* rsipc_compat.h maps the POSIX and System V semaphore names to rsipc: an
 * unchanged program (standard calls, 3- and 4-argument semctl, the
 * variadic sem_open) runs on rsipc. */
#include <fcntl.h>
#include <semaphore.h>
#include <sys/sem.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "rsipc_compat.h"

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
    struct seminfo *__buf;
};

int main(void) {
    /* Calls, function pointers and &name all reach rsipc. */
    int (*post)(sem_t *) = sem_post;
    CHECK(post == rsipc_sem_post);
    CHECK(&sem_wait == &rsipc_sem_wait);
    CHECK(&sem_init == &rsipc_sem_init && &sem_destroy == &rsipc_sem_destroy);
    CHECK(&sem_trywait == &rsipc_sem_trywait && &sem_timedwait == &rsipc_sem_timedwait);
    CHECK(&sem_clockwait == &rsipc_sem_clockwait && &sem_getvalue == &rsipc_sem_getvalue);
    CHECK(&sem_open == &rsipc_sem_open && &sem_close == &rsipc_sem_close && &sem_unlink == &rsipc_sem_unlink);
    CHECK(&semget == &rsipc_semget && &semop == &rsipc_semop);
    CHECK(&semtimedop == &rsipc_semtimedop && &semctl == &rsipc_semctl);

    sem_t s;
    int v = -1;
    CHECK(sem_init(&s, 0, 1) == 0);
    CHECK(sem_wait(&s) == 0);
    CHECK_FAILS(sem_trywait(&s), -1, EAGAIN, "sem_trywait(");
    CHECK(sem_post(&s) == 0 && sem_getvalue(&s, &v) == 0 && v == 1);
    CHECK(sem_destroy(&s) == 0);

    char name[64];
    snprintf(name, sizeof name, "/rsipc-compat-%d", (int)getpid());
    sem_t *n = sem_open(name, O_CREAT | O_EXCL, 0600, 0);
    CHECK(n != SEM_FAILED && n == sem_open(name, 0));
    CHECK(sem_close(n) == 0 && sem_close(n) == 0);
    CHECK(sem_unlink(name) == 0);

    int id = semget(IPC_PRIVATE, 1, 0600);
    union semun arg = {.val = 2};
    struct sembuf op = {0, -1, 0};
    struct timespec t = {0, 1000000};
    CHECK(id >= 0 && semctl(id, 0, SETVAL, arg) == 0);
    CHECK(semop(id, &op, 1) == 0 && semtimedop(id, &op, 1, &t) == 0);
    CHECK_FAILS(semtimedop(id, &op, 1, &t), -1, EAGAIN, "semtimedop(");
    CHECK(semctl(id, 0, GETVAL) == 0);
    CHECK(semctl(id, 0, IPC_RMID) == 0);
    return check_summary("test_sem_compat");
}
