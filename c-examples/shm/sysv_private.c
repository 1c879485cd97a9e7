/* A System V segment shared by a parent and its child (IPC_PRIVATE): the
 * parent writes "hello", the child prints it.
 *
 * Ported from the notes: the notes' child slept 3 seconds and hoped the
 * parent had written by then; here the parent tells the child over a pipe
 * when the data is in place. The segment is removed at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rsipc.h"

#define SIZE 1024

static void fail(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, rsipc_last_error());
    exit(1);
}

int main(void) {
    int shmid = rsipc_shmget(IPC_PRIVATE, SIZE, IPC_CREAT | 0600);
    if (shmid == -1) fail("shmget");

    int ready[2];
    if (rsipc_pipe(ready) == -1) fail("pipe");

    pid_t pid = fork();
    if (pid == -1) {
        perror("fork");
        rsipc_shmctl(shmid, IPC_RMID, NULL);
        return 1;
    }
    if (pid == 0) {
        /* Child: wait until the parent says the data is there, then read. */
        close(ready[1]);
        char go;
        if (rsipc_read_exact(ready[0], &go, 1) != 1) fail("read_exact");
        char *shm = rsipc_shmat(shmid, NULL, SHM_RDONLY);
        if (shm == (void *)-1) fail("shmat");
        printf("child read: %s\n", shm);
        fflush(stdout);
        if (rsipc_shmdt(shm) == -1) fail("shmdt");
        _exit(0);
    }

    /* Parent: write, then let the child go. */
    close(ready[0]);
    char *shm = rsipc_shmat(shmid, NULL, 0);
    if (shm == (void *)-1) fail("shmat");
    strcpy(shm, "hello");
    printf("parent wrote: %s\n", shm);
    fflush(stdout);
    if (rsipc_write_all(ready[1], "g", 1) != 1) fail("write_all");
    close(ready[1]);

    int status;
    if (waitpid(pid, &status, 0) != pid) {
        perror("waitpid");
        return 1;
    }
    if (rsipc_shmdt(shm) == -1) fail("shmdt");
    if (rsipc_shmctl(shmid, IPC_RMID, NULL) == -1) fail("shmctl(IPC_RMID)");
    printf("segment removed\n");
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
