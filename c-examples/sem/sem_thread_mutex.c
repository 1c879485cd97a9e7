/* The notes' two-thread program: an unnamed semaphore initialised to 1
 * (sem_init, not shared between processes) is a mutex, so the two threads
 * enter the critical section one at a time. The notes sleep 4 s inside it
 * and 2 s between the thread creations; here 200 ms and 50 ms, and the
 * program checks that no two threads are ever inside together. */
#include <pthread.h>
#include <time.h>

#include "../example.h"

static sem_t mutex;
static int inside = 0;      /* threads in the critical section now */
static int overlapped = 0;  /* set if a thread found another inside */

static void pause_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static void *thread(void *arg) {
    (void)arg;
    if (rsipc_sem_wait(&mutex) == -1) DIE("sem_wait");
    if (++inside != 1) overlapped = 1;
    printf("\nEntered..\n");
    fflush(stdout);

    pause_ms(200); /* critical section */

    printf("\nJust Exiting...\n");
    fflush(stdout);
    inside--;
    if (rsipc_sem_post(&mutex) == -1) DIE("sem_post");
    return NULL;
}

int main(void) {
    if (rsipc_sem_init(&mutex, 0, 1) == -1) DIE("sem_init");
    pthread_t t1, t2;
    if (pthread_create(&t1, NULL, thread, NULL) != 0) DIE("pthread_create");
    pause_ms(50);
    if (pthread_create(&t2, NULL, thread, NULL) != 0) DIE("pthread_create");
    if (pthread_join(t1, NULL) != 0 || pthread_join(t2, NULL) != 0) DIE("pthread_join");
    if (rsipc_sem_destroy(&mutex) == -1) DIE("sem_destroy");
    if (overlapped) {
        fprintf(stderr, "two threads were in the critical section at once\n");
        return 1;
    }
    return 0;
}
