/* Thread cancellation through the standard names: a thread blocked in
 * sem_wait, and one blocked in mq_receive, are cancelled with
 * pthread_cancel; each must end as cancelled (PTHREAD_CANCELED) with its
 * cleanup handler run, as with glibc. Built as a plain program (standard
 * names, glibc only); run.py runs it under the preload and without it, and
 * under the preload it first checks that sem_wait and mq_receive resolve
 * into librsipc_preload.so, so the waits are rsipc's. Exit 0 passes. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static sem_t never_posted;
static sem_t started; /* each waiter posts it just before blocking */
static mqd_t queue = (mqd_t)-1;
static volatile int cleanups;

static void cleanup(void *arg) {
    (void)arg;
    __atomic_add_fetch(&cleanups, 1, __ATOMIC_SEQ_CST);
}

static void *sem_waiter(void *arg) {
    (void)arg;
    pthread_cleanup_push(cleanup, NULL);
    sem_post(&started);
    while (sem_wait(&never_posted) == -1 && errno == EINTR) {
    }
    pthread_cleanup_pop(0);
    return (void *)"returned";
}

static void *mq_waiter(void *arg) {
    (void)arg;
    char buf[64];
    pthread_cleanup_push(cleanup, NULL);
    sem_post(&started);
    mq_receive(queue, buf, sizeof buf, NULL);
    pthread_cleanup_pop(0);
    return (void *)"returned";
}

static int cancel_one(const char *what, void *(*fn)(void *)) {
    pthread_t t;
    int before = cleanups;
    if (pthread_create(&t, NULL, fn, NULL) != 0) return 1;
    while (sem_wait(&started) == -1 && errno == EINTR) {
    }
    /* The thread is in, or about to enter, its wait: either way the
     * cancellation acts there (a pending cancel acts when the call begins). */
    pthread_cancel(t);
    void *res;
    pthread_join(t, &res);
    int ok = res == PTHREAD_CANCELED && cleanups == before + 1;
    printf("%s: %s, cleanup handler %s\n", what, res == PTHREAD_CANCELED ? "cancelled" : "NOT cancelled",
           cleanups == before + 1 ? "ran" : "did NOT run");
    return !ok;
}

static int in_preload(const char *name, void *addr) {
    Dl_info info;
    if (dladdr(addr, &info) && info.dli_fname && strstr(info.dli_fname, "librsipc_preload.so")) return 1;
    printf("%s resolves to %s\n", name, info.dli_fname ? info.dli_fname : "?");
    return 0;
}

int main(int argc, char **argv) {
    int preloaded = argc > 1 && strcmp(argv[1], "preloaded") == 0;
    int failed = 0;
    if (preloaded && !(in_preload("sem_wait", (void *)sem_wait) && in_preload("mq_receive", (void *)mq_receive))) {
        printf("FAIL: the waits are not the preload's\n");
        return 1;
    }
    char name[64];
    snprintf(name, sizeof name, "/rsipc-preload-cancel-%d", (int)getpid());
    struct mq_attr attr = {.mq_maxmsg = 1, .mq_msgsize = 64};
    queue = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    if (queue == (mqd_t)-1) {
        printf("FAIL: mq_open %s: %s\n", name, strerror(errno));
        return 1;
    }
    mq_unlink(name);
    if (sem_init(&never_posted, 0, 0) || sem_init(&started, 0, 0)) {
        printf("FAIL: sem_init: %s\n", strerror(errno));
        return 1;
    }
    failed |= cancel_one("sem_wait", sem_waiter);
    failed |= cancel_one("mq_receive", mq_waiter);
    mq_close(queue);
    sem_destroy(&never_posted);
    sem_destroy(&started);
    return failed;
}
