/* server.c of the notes (comm.h demo): creates the segment and prints the
 * string the client grows in it, one letter at a time.
 *
 * Ported: bounded to the 26 letters the client writes; each print follows
 * the client's "appended" token and is answered with "printed" (the notes
 * slept and printed whatever was there). Usage: server PATHNAME */
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

    int shmid = CreateShm(SHM_SIZE);
    if (shmid < 0) return 1;
    char *addr = rsipc_shmat(shmid, NULL, 0);
    if (addr == (void *)-1) {
        fprintf(stderr, "shmat failed: %s\n", rsipc_last_error());
        DestroyShm(shmid);
        return 1;
    }

    int ok = Send(FD_TO_CLIENT) == 0; /* ready: the segment exists */
    for (int i = 0; ok && i < 26; i++) {
        ok = Receive(FD_TO_SERVER) == 0;
        if (ok) {
            printf("client# %s\n", addr);
            ok = Send(FD_TO_CLIENT) == 0;
        }
    }

    if (rsipc_shmdt(addr) < 0) {
        fprintf(stderr, "shmdt failed: %s\n", rsipc_last_error());
        ok = 0;
    }
    if (DestroyShm(shmid) < 0) ok = 0;
    return ok ? 0 : 1;
}
