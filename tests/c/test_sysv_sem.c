/* System V semaphores through the public header: every semctl command,
 * semop/semtimedop behaviour, processes, and every error case. */
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
    struct seminfo *__buf;
};

static int wait_ok(pid_t pid) {
    int status;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Polls GETNCNT until `want` processes wait (at most ~20 s). */
static int ncnt_becomes(int id, int want) {
    for (int i = 0; i < 20000; i++) {
        if (rsipc_semctl(id, 0, GETNCNT) == want) return 1;
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    return 0;
}

static void test_values_and_stat(void) {
    int id = rsipc_semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
    CHECK(id >= 0);
    union semun arg;
    arg.val = 5;
    CHECK(rsipc_semctl(id, 1, SETVAL, arg) == 0);
    CHECK(rsipc_semctl(id, 1, GETVAL) == 5);
    CHECK(rsipc_semctl(id, 2, SETVAL, 7) == 0); /* a bare int, as old programs pass it */
    CHECK(rsipc_semctl(id, 2, GETVAL, 0) == 7);

    unsigned short all[3] = {0, 0, 0};
    arg.array = all;
    CHECK(rsipc_semctl(id, 0, GETALL, arg) == 0);
    CHECK(all[0] == 0 && all[1] == 5 && all[2] == 7);
    unsigned short set[3] = {1, 2, 3};
    arg.array = set;
    CHECK(rsipc_semctl(id, 0, SETALL, arg) == 0);
    CHECK(rsipc_semctl(id, 0, GETVAL) == 1 && rsipc_semctl(id, 2, GETVAL) == 3);

    struct sembuf op = {0, -1, 0};
    CHECK(rsipc_semop(id, &op, 1) == 0);
    CHECK(rsipc_semctl(id, 0, GETPID) == getpid());
    CHECK(rsipc_semctl(id, 0, GETNCNT) == 0);
    CHECK(rsipc_semctl(id, 0, GETZCNT) == 0);

    struct semid_ds ds;
    arg.buf = &ds;
    CHECK(rsipc_semctl(id, 0, IPC_STAT, arg) == 0);
    CHECK(ds.sem_nsems == 3 && (ds.sem_perm.mode & 0777) == 0600 && ds.sem_otime != 0);
    ds.sem_perm.mode = 0640;
    CHECK(rsipc_semctl(id, 0, IPC_SET, arg) == 0);
    CHECK(rsipc_semctl(id, 0, IPC_STAT, arg) == 0 && (ds.sem_perm.mode & 0777) == 0640);

    struct seminfo info;
    arg.__buf = &info;
    int top = rsipc_semctl(0, 0, IPC_INFO, arg);
    CHECK(top >= 0 && info.semvmx == 32767 && info.semopm > 0);
    top = rsipc_semctl(0, 0, SEM_INFO, arg);
    CHECK(top >= 0 && info.semusz >= 1);
    int found = 0;
    arg.buf = &ds;
    for (int i = 0; i <= top; i++) {
        if (rsipc_semctl(i, 0, SEM_STAT_ANY, arg) == id) found = 1;
        if (rsipc_semctl(i, 0, SEM_STAT, arg) == id) found++;
    }
    CHECK(found == 2);
    CHECK(rsipc_semctl(id, 0, IPC_RMID) == 0); /* the 3-argument form */
}

static void test_processes_wait_and_undo(void) {
    int id = rsipc_semget(IPC_PRIVATE, 1, 0600);
    CHECK(id >= 0);
    pid_t pid = fork();
    if (pid == 0) {
        struct sembuf p = {0, -1, 0};
        _exit(rsipc_semop(id, &p, 1) == 0 ? 0 : 1);
    }
    CHECK(ncnt_becomes(id, 1));
    struct sembuf v = {0, 1, 0};
    CHECK(rsipc_semop(id, &v, 1) == 0);
    CHECK(wait_ok(pid));

    /* SEM_UNDO: the child's +3 disappears when it exits. */
    pid = fork();
    if (pid == 0) {
        struct sembuf up = {0, 3, SEM_UNDO};
        _exit(rsipc_semop(id, &up, 1) == 0 ? 0 : 1);
    }
    CHECK(wait_ok(pid));
    CHECK(rsipc_semctl(id, 0, GETVAL) == 0);

    /* IPC_RMID wakes a waiter with EIDRM. */
    pid = fork();
    if (pid == 0) {
        struct sembuf p = {0, -1, 0};
        _exit(rsipc_semop(id, &p, 1) == -1 && errno == EIDRM ? 0 : 1);
    }
    CHECK(ncnt_becomes(id, 1));
    CHECK(rsipc_semctl(id, 0, IPC_RMID) == 0);
    CHECK(wait_ok(pid));
}

static void test_semtimedop(void) {
    int id = rsipc_semget(IPC_PRIVATE, 2, 0600);
    CHECK(id >= 0);
    struct sembuf ops[2] = {{0, 1, 0}, {1, -1, 0}};
    struct timespec t = {0, 20000000};
    CHECK_FAILS(rsipc_semtimedop(id, ops, 2, &t), -1, EAGAIN, "semtimedop(");
    CHECK(rsipc_semctl(id, 0, GETVAL) == 0); /* all or nothing */
    ops[1].sem_op = 0; /* wait for zero: true at once */
    CHECK(rsipc_semtimedop(id, ops, 2, &t) == 0);
    CHECK(rsipc_semtimedop(id, ops, 1, NULL) == 0);
    CHECK(rsipc_semctl(id, 0, GETVAL) == 2);
    struct timespec bad = {0, -1};
    CHECK_FAILS(rsipc_semtimedop(id, ops, 1, &bad), -1, EINVAL, "semtimedop(");
    bad.tv_sec = -1;
    bad.tv_nsec = 0;
    CHECK_FAILS(rsipc_semtimedop(id, ops, 1, &bad), -1, EINVAL, "semtimedop(");
    struct sembuf nowait = {1, -1, IPC_NOWAIT};
    CHECK_FAILS(rsipc_semop(id, &nowait, 1), -1, EAGAIN, "semop(");
    CHECK(rsipc_semctl(id, 0, IPC_RMID) == 0);
}

/* The index of set `id` in the kernel's table, or -1. */
static int index_of(int id) {
    struct seminfo info;
    struct semid_ds ds;
    union semun a;
    a.__buf = &info;
    int top = rsipc_semctl(0, 0, SEM_INFO, a);
    a.buf = &ds;
    for (int i = 0; i <= top; i++)
        if (rsipc_semctl(i, 0, SEM_STAT_ANY, a) == id) return i;
    return -1;
}

static void test_errors(void) {
    int id = rsipc_semget(IPC_PRIVATE, 2, 0600);
    CHECK(id >= 0);
    struct sembuf op = {0, 1, 0};
    struct sembuf out_of_range = {9, 1, 0};
    union semun arg;
    arg.buf = NULL;

    CHECK_FAILS(rsipc_semget(IPC_PRIVATE, -1, 0600), -1, EINVAL, "semget(");
    CHECK_FAILS(rsipc_semget(IPC_PRIVATE, 0, 0600), -1, EINVAL, "semget(");
    key_t key = 0x5e100000 | (getpid() & 0xffff);
    CHECK_FAILS(rsipc_semget(key, 1, 0600), -1, ENOENT, "semget(");
    int keyed = rsipc_semget(key, 1, IPC_CREAT | IPC_EXCL | 0600);
    CHECK(keyed >= 0);
    CHECK_FAILS(rsipc_semget(key, 1, IPC_CREAT | IPC_EXCL | 0600), -1, EEXIST, "semget(");
    CHECK(strstr(rsipc_last_error(), "IPC_CREAT|IPC_EXCL|0600") != NULL);
    CHECK_FAILS(rsipc_semget(key, 4, 0), -1, EINVAL, "semget(");
    CHECK(rsipc_semctl(keyed, 0, IPC_RMID) == 0);

    CHECK_FAILS(rsipc_semop(id, NULL, 1), -1, EFAULT, "semop(");
    CHECK_FAILS(rsipc_semop(id, &op, 0), -1, EINVAL, "semop(");
    CHECK_FAILS(rsipc_semop(id, &out_of_range, 1), -1, EFBIG, "semop(");
    CHECK_FAILS(rsipc_semop(-1, &op, 1), -1, EINVAL, "semop(");
    CHECK_FAILS(rsipc_semtimedop(id, NULL, 1, NULL), -1, EFAULT, "semtimedop(");

    CHECK_FAILS(rsipc_semctl(id, 0, 12345), -1, EINVAL, "semctl(");
    CHECK_FAILS(rsipc_semctl(id, 0, IPC_STAT, arg), -1, EFAULT, "semctl(");
    CHECK_FAILS(rsipc_semctl(id, 0, IPC_SET, arg), -1, EFAULT, "semctl(");
    /* SEM_STAT looks the index up first (EINVAL), then the buffer. */
    int idx = index_of(id);
    CHECK(idx >= 0);
    CHECK_FAILS(rsipc_semctl(idx, 0, SEM_STAT, arg), -1, EFAULT, "semctl(");
    CHECK_FAILS(rsipc_semctl(idx, 0, SEM_STAT_ANY, arg), -1, EFAULT, "semctl(");
    CHECK_FAILS(rsipc_semctl(INT_MAX, 0, SEM_STAT, arg), -1, EINVAL, "semctl(");
    CHECK_FAILS(rsipc_semctl(0, 0, IPC_INFO, arg), -1, EFAULT, "semctl(");
    CHECK_FAILS(rsipc_semctl(0, 0, SEM_INFO, arg), -1, EFAULT, "semctl(");
    CHECK_FAILS(rsipc_semctl(id, 0, GETALL, arg), -1, EFAULT, "semctl(");
    CHECK_FAILS(rsipc_semctl(id, 0, SETALL, arg), -1, EFAULT, "semctl(");
    CHECK(strstr(rsipc_last_error(), "cmd=SETALL, array=NULL") != NULL);
    CHECK_FAILS(rsipc_semctl(id, 5, GETVAL), -1, EINVAL, "semctl(");
    CHECK_FAILS(rsipc_semctl(id, 0, SETVAL, 40000), -1, ERANGE, "semctl(");
    CHECK_FAILS(rsipc_semctl(id, 0, SETVAL, -1), -1, ERANGE, "semctl(");
    unsigned short too_big[2] = {1, 40000};
    arg.array = too_big;
    CHECK_FAILS(rsipc_semctl(id, 0, SETALL, arg), -1, ERANGE, "semctl(");
    CHECK(rsipc_semctl(id, 0, IPC_RMID) == 0);
    CHECK_FAILS(rsipc_semctl(id, 0, GETVAL), -1, EINVAL, "semctl(");
    CHECK_FAILS(rsipc_semctl(id, 0, IPC_RMID), -1, EINVAL, "semctl(");
}

int main(void) {
    test_values_and_stat();
    test_processes_wait_and_undo();
    test_semtimedop();
    test_errors();
    return check_summary("test_sysv_sem");
}
