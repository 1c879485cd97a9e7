/* shm_read.c of the notes: prints the segment each time the writer has
 * filled it, until the writer sets `complete`.
 *
 * Ported: the key comes from argv, and the reader waits on FD_FILLED for
 * each round and answers on FD_READ once it has printed it (the notes'
 * version polled with sleep(3) and could print a round twice or miss one). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "rsipc.h"
#include "sysv_shmseg.h"

static void fail(const char *what) {
    fprintf(stderr, "reader: %s failed: %s\n", what, rsipc_last_error());
    exit(1);
}

static void wait_filled(void) {
    char token;
    if (rsipc_read_exact(FD_FILLED, &token, 1) != 1) fail("read_exact(FD_FILLED)");
}

static void answer(void) {
    fflush(stdout); /* our lines come before the writer's next ones */
    if (rsipc_write_all(FD_READ, "r", 1) != 1) fail("write_all(FD_READ)");
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s KEY\n", argv[0]);
        return 2;
    }
    key_t key = (key_t)strtol(argv[1], NULL, 0);

    int shmid = rsipc_shmget(key, sizeof(struct shmseg), 0644 | IPC_CREAT);
    if (shmid == -1) fail("shmget");
    struct shmseg *shmp = rsipc_shmat(shmid, NULL, 0);
    if (shmp == (void *)-1) fail("shmat");

    /* Transfer blocks of data from shared memory to stdout. */
    for (;;) {
        wait_filled();
        if (shmp->complete == 1) break;
        printf("segment contains :\n\"%s\"\n", shmp->buf);
        if (shmp->cnt == -1) {
            fprintf(stderr, "reader: the writer reported an error\n");
            return 1;
        }
        printf("Reading Process: Shared Memory: Read %d bytes\n", shmp->cnt);
        answer();
    }
    printf("Reading Process: Reading Done, Detaching Shared Memory\n");
    if (rsipc_shmdt(shmp) == -1) fail("shmdt");
    printf("Reading Process: Complete\n");
    answer();
    return 0;
}
