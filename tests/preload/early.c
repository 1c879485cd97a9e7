/* Preloaded after librsipc_preload.so by the routing test: its constructor
 * calls sem_post(NULL) while the process starts, possibly before the
 * preload's own constructor has read RSIPC_PRELOAD, and keeps the errno
 * for routing.c to check (EFAULT: the call reached rsipc either way). */
#define _GNU_SOURCE
#include <errno.h>
#include <semaphore.h>

int rsipc_test_early_result = -1;
static sem_t *volatile null_sem;

__attribute__((constructor)) static void early(void) {
    errno = 0;
    if (sem_post(null_sem) == -1) rsipc_test_early_result = errno;
    else rsipc_test_early_result = 0;
}
