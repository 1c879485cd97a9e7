/* The fast paths of rsipc_sem_post, rsipc_sem_wait and rsipc_sem_trywait
 * (one CAS outside the error guard) hand every case they do not finish to
 * the guarded call: a misaligned pointer, the value at SEM_VALUE_MAX, no
 * token, and a registered waiter that a post must wake. Each case here
 * lands on one of those edges. */
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <string.h>

#include "check.h"

/* glibc's layout: the 64-bit data word starts the sem_t; its high half
 * counts the registered waiters. */
static uint32_t waiters(sem_t *s) { return (uint32_t)(__atomic_load_n((uint64_t *)s, __ATOMIC_RELAXED) >> 32); }

static void *wait_once(void *arg) { return (void *)(intptr_t)rsipc_sem_wait(arg); }

static void misaligned_pointers_fail_with_einval_and_touch_nothing(void) {
    _Alignas(8) unsigned char raw[sizeof(sem_t) + 8];
    memset(raw, 0x11, sizeof raw);
    sem_t *misaligned = (sem_t *)(raw + 4);
    CHECK_FAILS(rsipc_sem_post(misaligned), -1, EINVAL, "sem_post(");
    CHECK_FAILS(rsipc_sem_wait(misaligned), -1, EINVAL, "sem_wait(");
    CHECK_FAILS(rsipc_sem_trywait(misaligned), -1, EINVAL, "sem_trywait(");
    for (size_t i = 0; i < sizeof raw; i++) CHECK(raw[i] == 0x11);
}

static void the_last_post_below_sem_value_max_succeeds_and_the_next_overflows(void) {
    sem_t s;
    int v = 0;
    CHECK(rsipc_sem_init(&s, 0, SEM_VALUE_MAX - 1) == 0);
    CHECK(rsipc_sem_post(&s) == 0);
    CHECK(rsipc_sem_getvalue(&s, &v) == 0 && v == SEM_VALUE_MAX);
    CHECK_FAILS(rsipc_sem_post(&s), -1, EOVERFLOW, "sem_post(");
    CHECK(rsipc_sem_getvalue(&s, &v) == 0 && v == SEM_VALUE_MAX);
    CHECK(rsipc_sem_trywait(&s) == 0);
    CHECK(rsipc_sem_wait(&s) == 0);
    CHECK(rsipc_sem_getvalue(&s, &v) == 0 && v == SEM_VALUE_MAX - 2);
}

static void a_post_wakes_a_registered_waiter(void) {
    sem_t s;
    pthread_t t;
    void *ret = (void *)1;
    int v = -1;
    CHECK(rsipc_sem_init(&s, 0, 0) == 0);
    CHECK(pthread_create(&t, NULL, wait_once, &s) == 0);
    while (waiters(&s) == 0) sched_yield();
    CHECK(rsipc_sem_post(&s) == 0);
    CHECK(pthread_join(t, &ret) == 0 && ret == NULL);
    CHECK(waiters(&s) == 0);
    CHECK(rsipc_sem_getvalue(&s, &v) == 0 && v == 0);
}

static void trywait_on_zero_fails_and_a_post_then_makes_it_succeed(void) {
    sem_t s;
    CHECK(rsipc_sem_init(&s, 1, 0) == 0);
    CHECK_FAILS(rsipc_sem_trywait(&s), -1, EAGAIN, "sem_trywait(");
    CHECK(rsipc_sem_post(&s) == 0);
    CHECK(rsipc_sem_trywait(&s) == 0);
    CHECK_FAILS(rsipc_sem_trywait(&s), -1, EAGAIN, "sem_trywait(");
    /* The EAGAIN fast path says exactly what the guarded call would. */
    char expect[128];
    snprintf(expect, sizeof expect, "sem_trywait(sem=%p): EAGAIN: the value is 0, so taking a token would block",
             (void *)&s);
    CHECK(strcmp(rsipc_last_error(), expect) == 0);
}

int main(void) {
    misaligned_pointers_fail_with_einval_and_touch_nothing();
    the_last_post_below_sem_value_max_succeeds_and_the_next_overflows();
    a_post_wakes_a_registered_waiter();
    trywait_on_zero_fails_and_a_post_then_makes_it_succeed();
    return check_summary("sem fast paths");
}
