/* rsipc_compat.h's System V shared memory names: an unchanged program using
 * ftok/shmget/shmat/shmdt/shmctl runs on rsipc. */
#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include "check.h"
#include "rsipc_compat.h"

int main(void) {
    /* Calls, function pointers and &name all reach rsipc. */
    key_t (*f)(const char *, int) = ftok;
    CHECK(f == rsipc_ftok);
    CHECK(&shmget == &rsipc_shmget);
    CHECK(&shmat == &rsipc_shmat);
    CHECK(&shmdt == &rsipc_shmdt);
    CHECK(&shmctl == &rsipc_shmctl);

    /* A program written against <sys/shm.h>, unchanged. */
    char path[64];
    snprintf(path, sizeof path, "/tmp/rsipc-compat-shm-%d", (int)getpid());
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
    CHECK(fd >= 0);
    close(fd);
    key_t key = ftok(path, 'C');
    CHECK(key != -1);
    int id = shmget(key, 1024, IPC_CREAT | IPC_EXCL | 0600);
    CHECK(id >= 0);
    char *p = shmat(id, NULL, 0);
    CHECK(p != (void *)-1);
    strcpy(p, "compat");
    struct shmid_ds ds;
    CHECK(shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_segsz == 1024 && ds.shm_nattch == 1);
    CHECK(shmdt(p) == 0);
    CHECK(shmctl(id, IPC_RMID, NULL) == 0);
    unlink(path);

    /* ...now with rsipc's checks and messages. */
    CHECK_FAILS(shmctl(0, IPC_INFO, NULL), -1, EFAULT, "shmctl(");
    CHECK_FAILS(shmdt(NULL), -1, EINVAL, "shmdt(");
    CHECK_FAILS(ftok(path, 'C'), -1, ENOENT, "ftok(");
    return check_summary("test_sysv_shm_compat");
}
