/* The notes' named-semaphore program: the parent creates a named semaphore
 * with value 0 and forks; the child prints its message and posts; the
 * parent, blocked in sem_wait until then, prints after it. Then both close
 * the semaphore and the parent unlinks the name. */
#include <fcntl.h>

#include "../example.h"

int main(void) {
    char name[64];
    snprintf(name, sizeof name, "/rsipc-example-named-%d", (int)getpid());

    sem_t *sem = rsipc_sem_open(name, O_CREAT | O_EXCL, 0600, 0);
    if (sem == SEM_FAILED) DIE("sem_open");

    pid_t pid = fork();
    if (pid == -1) DIE("fork");
    if (pid == 0) {
        printf("child: I run first and then post the semaphore\n");
        fflush(stdout);
        if (rsipc_sem_post(sem) == -1) DIE("sem_post (child)");
        if (rsipc_sem_close(sem) == -1) DIE("sem_close (child)");
        _exit(0);
    }

    if (rsipc_sem_wait(sem) == -1) DIE("sem_wait");
    printf("parent: the child has posted, so I go on\n");
    if (wait_ok(pid) != 0) DIE("child");
    int value;
    if (rsipc_sem_getvalue(sem, &value) == -1) DIE("sem_getvalue");
    printf("parent: value is back to %d\n", value);
    if (rsipc_sem_close(sem) == -1) DIE("sem_close");
    if (rsipc_sem_unlink(name) == -1) DIE("sem_unlink");
    printf("parent: closed and unlinked the semaphore\n");
    return 0;
}
