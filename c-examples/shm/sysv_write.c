/* write.c of the notes: creates the segment of a key, stores "hello" in it
 * and detaches; read.c (sysv_read.c) prints it and removes the segment.
 *
 * Ported: the notes used a fixed key, so two runs at once would share a
 * segment; the key now comes from argv (the driver derives it from its
 * pid), and IPC_EXCL makes a collision an error instead of a silent mix. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "rsipc.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s KEY\n", argv[0]);
        return 2;
    }
    key_t key = (key_t)strtol(argv[1], NULL, 0);

    int shmid = rsipc_shmget(key, 1024, IPC_CREAT | IPC_EXCL | 0666);
    if (shmid == -1) {
        fprintf(stderr, "shmget failed: %s\n", rsipc_last_error());
        return 1;
    }
    char *str = rsipc_shmat(shmid, NULL, 0);
    if (str == (void *)-1) {
        fprintf(stderr, "shmat failed: %s\n", rsipc_last_error());
        rsipc_shmctl(shmid, IPC_RMID, NULL);
        return 1;
    }
    strcpy(str, "hello");
    printf("Data written in memory: %s\n", str);
    if (rsipc_shmdt(str) == -1) {
        fprintf(stderr, "shmdt failed: %s\n", rsipc_last_error());
        return 1;
    }
    return 0;
}
