/* comm.c of the notes: the segment helpers shared by server.c and client.c
 * (sysv_comm_server.c and sysv_comm_client.c here). */
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "sysv_comm.h"
#include "rsipc.h"

const char *PATHNAME;

static int CommShm(int size, int flags) {
    key_t key = rsipc_ftok(PATHNAME, PROJ_ID);
    if (key < 0) {
        fprintf(stderr, "ftok failed: %s\n", rsipc_last_error());
        return -1;
    }
    int shmid = rsipc_shmget(key, size, flags);
    if (shmid < 0) {
        fprintf(stderr, "shmget failed: %s\n", rsipc_last_error());
        return -1;
    }
    return shmid;
}

int CreateShm(int size) {
    return CommShm(size, IPC_CREAT | IPC_EXCL | 0644);
}

int GetShm(int size) {
    return CommShm(size, IPC_CREAT);
}

int DestroyShm(int shmid) {
    if (rsipc_shmctl(shmid, IPC_RMID, NULL) < 0) {
        fprintf(stderr, "shmctl(IPC_RMID) failed: %s\n", rsipc_last_error());
        return -1;
    }
    return 0;
}

int Send(int fd) {
    fflush(stdout); /* what we printed comes before the peer's answer */
    if (rsipc_write_all(fd, "t", 1) != 1) {
        fprintf(stderr, "write_all(fd=%d) failed: %s\n", fd, rsipc_last_error());
        return -1;
    }
    return 0;
}

int Receive(int fd) {
    char token;
    if (rsipc_read_exact(fd, &token, 1) != 1) {
        fprintf(stderr, "read_exact(fd=%d): the peer went away\n", fd);
        return -1;
    }
    return 0;
}
