/* Producer and consumer over shared memory, guarded by two counting
 * semaphores: as the notes remark, shared memory alone gives no
 * synchronisation, so `empty` counts the free slots of the ring buffer and
 * `full` the filled ones. Both semaphores live in the shared region
 * (sem_init with pshared = 1). The producer (child) writes ITEMS numbers
 * through a buffer of SLOTS slots; the consumer (parent) reads them in
 * order and adds them up. The region is an anonymous shared mapping
 * (rsipc_map_anonymous_shared), inherited by the child across fork(). */

#include "../example.h"

#define SLOTS 4
#define ITEMS 12

struct shared {
    sem_t empty; /* free slots */
    sem_t full;  /* filled slots */
    int slot[SLOTS];
};

int main(void) {
    struct shared *sh = rsipc_map_anonymous_shared(sizeof *sh);
    if (sh == MAP_FAILED) DIE("map_anonymous_shared");
    if (rsipc_sem_init(&sh->empty, 1, SLOTS) == -1) DIE("sem_init empty");
    if (rsipc_sem_init(&sh->full, 1, 0) == -1) DIE("sem_init full");

    pid_t pid = fork();
    if (pid == -1) DIE("fork");
    if (pid == 0) { /* producer */
        for (int i = 0; i < ITEMS; i++) {
            if (rsipc_sem_wait(&sh->empty) == -1) DIE("sem_wait empty");
            sh->slot[i % SLOTS] = (i + 1) * (i + 1);
            if (rsipc_sem_post(&sh->full) == -1) DIE("sem_post full");
        }
        _exit(0);
    }

    long sum = 0; /* consumer */
    for (int i = 0; i < ITEMS; i++) {
        if (rsipc_sem_wait(&sh->full) == -1) DIE("sem_wait full");
        int item = sh->slot[i % SLOTS];
        if (rsipc_sem_post(&sh->empty) == -1) DIE("sem_post empty");
        printf("consumed item %d: %d\n", i + 1, item);
        sum += item;
    }
    if (wait_ok(pid) != 0) DIE("producer");
    int empty, full;
    if (rsipc_sem_getvalue(&sh->empty, &empty) == -1 || rsipc_sem_getvalue(&sh->full, &full) == -1) DIE("sem_getvalue");
    printf("sum = %ld, free slots = %d, filled slots = %d\n", sum, empty, full);
    if (rsipc_sem_destroy(&sh->empty) == -1 || rsipc_sem_destroy(&sh->full) == -1) DIE("sem_destroy");
    if (rsipc_munmap(sh, sizeof *sh) == -1) DIE("munmap");
    return 0;
}
