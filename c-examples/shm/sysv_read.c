/* read.c of the notes: attaches the segment write.c (sysv_write.c) made,
 * prints what it holds, detaches and removes the segment. The key comes
 * from argv, as for the writer. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "rsipc.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s KEY\n", argv[0]);
        return 2;
    }
    key_t key = (key_t)strtol(argv[1], NULL, 0);

    int shmid = rsipc_shmget(key, 1024, 0666);
    if (shmid == -1) {
        fprintf(stderr, "shmget failed: %s\n", rsipc_last_error());
        return 1;
    }
    char *str = rsipc_shmat(shmid, NULL, 0);
    if (str == (void *)-1) {
        fprintf(stderr, "shmat failed: %s\n", rsipc_last_error());
        return 1;
    }
    printf("Data read from memory: %s\n", str);
    if (rsipc_shmdt(str) == -1) {
        fprintf(stderr, "shmdt failed: %s\n", rsipc_last_error());
        return 1;
    }
    if (rsipc_shmctl(shmid, IPC_RMID, NULL) == -1) {
        fprintf(stderr, "shmctl(IPC_RMID) failed: %s\n", rsipc_last_error());
        return 1;
    }
    return 0;
}
