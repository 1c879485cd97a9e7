/* Faults of System V shared memory: a holder of 1-3 attachments is killed
 * with SIGKILL (the harness: support/faults.h); shm_nattch drops by exactly
 * that many, and a segment marked IPC_RMID (before or after the kill) is
 * destroyed when the last attachment goes away. */
#include <sys/ipc.h>
#include <sys/shm.h>

#include "faults.h"

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

int main(void) {
    int rounds = faults_begin("test_faults_sysv_shm");
    for (int r = 0; r < rounds; r++) {
        test_shm_attachment_holder_killed(r);
        cleanup_all();
    }
    return faults_end("test_faults_sysv_shm");
}
