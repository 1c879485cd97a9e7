/* shm_write.c of the notes: fills the segment's buffer five times (a
 * different letter each round), then sets `complete`.
 *
 * Ported: the key comes from argv; instead of sleeping 3 seconds between
 * rounds and hoping the reader kept up, the writer signals each filled
 * buffer on FD_FILLED and waits on FD_READ until the reader has printed it,
 * so no round is overwritten unread. The writer removes the segment after
 * the reader has detached. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "rsipc.h"
#include "sysv_shmseg.h"

static int fill_buffer(char *bufptr, int size) {
    static char ch = 'A';
    memset(bufptr, ch, size - 1);
    bufptr[size - 1] = '\0';
    ch = ch == 'Z' ? 'A' : ch + 1;
    return (int)strlen(bufptr);
}

static void fail(const char *what) {
    fprintf(stderr, "writer: %s failed: %s\n", what, rsipc_last_error());
    exit(1);
}

/* Tells the reader the segment is ready, then waits for its answer. */
static void hand_over(void) {
    char token = 'f';
    fflush(stdout); /* our lines come before the reader's */
    if (rsipc_write_all(FD_FILLED, &token, 1) != 1) fail("write_all(FD_FILLED)");
    if (rsipc_read_exact(FD_READ, &token, 1) != 1) fail("read_exact(FD_READ)");
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

    int numtimes;
    for (numtimes = 0; numtimes < 5; numtimes++) {
        shmp->cnt = fill_buffer(shmp->buf, BUF_SIZE);
        shmp->complete = 0;
        printf("Writing Process: Shared Memory Write: Wrote %d bytes\n", shmp->cnt);
        hand_over();
    }
    printf("Writing Process: Wrote %d times\n", numtimes);
    shmp->complete = 1;
    hand_over(); /* the reader has seen `complete` and detached */

    if (rsipc_shmdt(shmp) == -1) fail("shmdt");
    if (rsipc_shmctl(shmid, IPC_RMID, NULL) == -1) fail("shmctl(IPC_RMID)");
    printf("Writing Process: Complete\n");
    return 0;
}
