/* client.c of the notes (comm.h demo): attaches the server's segment and appends a
 * letter at a time, 'A' to 'Z'.
 *
 * Ported: waits for the server's "ready" instead of sleeping, and after
 * each letter for its "printed". Usage: client PATHNAME */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "sysv_comm.h"
#include "rsipc.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATHNAME\n", argv[0]);
        return 2;
    }
    PATHNAME = argv[1];

    if (Receive(FD_TO_CLIENT) < 0) return 1; /* the server created the segment */
    int shmid = GetShm(SHM_SIZE);
    if (shmid < 0) return 1;
    char *addr = rsipc_shmat(shmid, NULL, 0);
    if (addr == (void *)-1) {
        fprintf(stderr, "shmat failed: %s\n", rsipc_last_error());
        return 1;
    }

    int ok = 1;
    for (int i = 0; ok && i < 26; i++) {
        addr[i] = (char)('A' + i);
        addr[i + 1] = '\0';
        ok = Send(FD_TO_SERVER) == 0 && Receive(FD_TO_CLIENT) == 0;
    }

    if (rsipc_shmdt(addr) < 0) {
        fprintf(stderr, "shmdt failed: %s\n", rsipc_last_error());
        return 1;
    }
    return ok ? 0 : 1;
}
