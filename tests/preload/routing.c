/* The routing proof: an unmodified program (standard names, linked against
 * glibc only) calls sem_post(NULL).
 *
 *   routing routed   under the preload: sem_post(NULL) returns -1 with
 *                    EFAULT, rsipc_last_error() (found with
 *                    dlsym(RTLD_DEFAULT)) explains it, and every name of
 *                    the program's references resolves into
 *                    librsipc_preload.so;
 *   routing crash    without it: the same call, in a child, kills the
 *                    child with SIGSEGV (glibc dereferences the pointer).
 *
 * Also: a library preloaded after librsipc_preload.so made the same call
 * from its constructor (early.c), whichever constructor ran first; routed
 * mode checks what it saw. Exit 0 passes. Run by run.py. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <mqueue.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Through a volatile object, so the compiler cannot see the NULL that
 * glibc's nonnull attribute forbids. */
static sem_t *volatile null_sem;

static int routed(void) {
    int failed = 0;
    const char *(*last_error)(void);
    void *sym = dlsym(RTLD_DEFAULT, "rsipc_last_error");
    if (sym == NULL) {
        printf("FAIL: rsipc_last_error not found: librsipc.so is not in this process\n");
        return 1;
    }
    *(void **)&last_error = sym;

    errno = 0;
    int rc = sem_post(null_sem);
    int err = errno;
    printf("sem_post(NULL) = %d, errno %s, rsipc_last_error(): %s\n", rc, err == EFAULT ? "EFAULT" : strerror(err),
           last_error());
    if (rc != -1 || err != EFAULT || last_error()[0] == '\0') failed = 1;

    /* The program's own references (through its GOT) land in the preload. */
    struct {
        const char *name;
        void *addr;
    } refs[] = {
        {"sem_post", (void *)sem_post},     {"sem_wait", (void *)sem_wait}, {"mq_open", (void *)mq_open},
        {"mq_send", (void *)mq_send},       {"shmget", (void *)shmget},     {"msgsnd", (void *)msgsnd},
        {"semctl", (void *)semctl},         {"pipe", (void *)pipe},         {"mkfifo", (void *)mkfifo},
        {"shm_open", (void *)shm_open},     {"ftok", (void *)ftok},
    };
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        Dl_info info;
        if (!dladdr(refs[i].addr, &info) || info.dli_fname == NULL || !strstr(info.dli_fname, "librsipc_preload.so")) {
            printf("FAIL: %s resolves to %s\n", refs[i].name, info.dli_fname ? info.dli_fname : "?");
            failed = 1;
        }
    }
    if (!failed) printf("every reference checked resolves into librsipc_preload.so\n");

    /* What early.so's constructor saw, when it is loaded. */
    int *early = dlsym(RTLD_DEFAULT, "rsipc_test_early_result");
    if (early != NULL) {
        printf("sem_post(NULL) from a constructor: %s\n", *early == EFAULT ? "EFAULT" : strerror(*early));
        if (*early != EFAULT) failed = 1;
    }
    return failed;
}

static int crash(void) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == -1) return 1;
    if (pid == 0) {
        signal(SIGSEGV, SIG_DFL);
        int rc = sem_post(null_sem);
        printf("sem_post(NULL) returned %d (errno %d) instead of crashing\n", rc, errno);
        _exit(3);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid) return 1;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV) {
        printf("without the preload: sem_post(NULL) killed the child with SIGSEGV\n");
        return 0;
    }
    printf("FAIL: without the preload the child ended with status 0x%x, not SIGSEGV\n", status);
    return 1;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "routed") == 0) return routed();
    if (argc == 2 && strcmp(argv[1], "crash") == 0) return crash();
    fprintf(stderr, "usage: routing routed|crash\n");
    return 2;
}
