/* The notes' named-semaphore program as the notes wrote it, with standard
 * names only (sem_open, sem_wait, sem_post, ...) and one added line:
 * `#include "rsipc_compat.h"` after the system headers, which makes every
 * one of those calls an rsipc call. This is how an existing program moves
 * to rsipc without any other edit (link with -lrsipc).
 *
 * The parent creates a named semaphore with value 0 and forks; the child
 * prints its message and posts; the parent, blocked in sem_wait until then,
 * prints after it. Then both close the semaphore and the parent unlinks the
 * name (unique to this run). */
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rsipc_compat.h" /* the one line: after the system headers */

static void die(const char *what) {
    perror(what);
    exit(1);
}

int main(void) {
    char name[64];
    snprintf(name, sizeof name, "/rsipc-example-compat-%d", (int)getpid());

    sem_t *sem = sem_open(name, O_CREAT | O_EXCL, 0600, 0);
    if (sem == SEM_FAILED) die("sem_open");

    pid_t pid = fork();
    if (pid == -1) die("fork");
    if (pid == 0) {
        printf("child: I run first and then post the semaphore\n");
        fflush(stdout);
        if (sem_post(sem) == -1) die("sem_post (child)");
        if (sem_close(sem) == -1) die("sem_close (child)");
        _exit(0);
    }

    if (sem_wait(sem) == -1) die("sem_wait");
    printf("parent: the child has posted, so I go on\n");
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) die("child");
    int value;
    if (sem_getvalue(sem, &value) == -1) die("sem_getvalue");
    printf("parent: value is back to %d\n", value);
    if (sem_close(sem) == -1) die("sem_close");
    if (sem_unlink(name) == -1) die("sem_unlink");
    printf("parent: closed and unlinked the semaphore\n");
    return 0;
}
