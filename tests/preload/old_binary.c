/* A binary of the -lpthread/-lrt era: its references are the versions
 * glibc had before 2.34 moved the semaphores and message queues into libc
 * (sem_wait@GLIBC_2.2.5, mq_open@GLIBC_2.3.4, ...), bound here with
 * .symver as an old link would have bound them (run.py checks the binary
 * with readelf). Under the preload each of them must reach rsipc: a NULL
 * argument gives -1/EFAULT (glibc would crash), and a semaphore and a
 * queue work end to end. Exit 0 passes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <sys/shm.h>
#include <unistd.h>

#define OLD(ret, name, version, params)                                  \
    ret old_##name params;                                               \
    __asm__(".symver old_" #name "," #name "@" version);

OLD(int, sem_init, "GLIBC_2.2.5", (sem_t *, int, unsigned int))
OLD(int, sem_destroy, "GLIBC_2.2.5", (sem_t *))
OLD(int, sem_post, "GLIBC_2.2.5", (sem_t *))
OLD(int, sem_wait, "GLIBC_2.2.5", (sem_t *))
OLD(int, sem_getvalue, "GLIBC_2.2.5", (sem_t *, int *))
OLD(mqd_t, mq_open, "GLIBC_2.3.4", (const char *, int, ...))
OLD(int, mq_send, "GLIBC_2.3.4", (mqd_t, const char *, size_t, unsigned))
OLD(ssize_t, mq_receive, "GLIBC_2.3.4", (mqd_t, char *, size_t, unsigned *))
OLD(int, mq_close, "GLIBC_2.3.4", (mqd_t))
OLD(int, mq_unlink, "GLIBC_2.3.4", (const char *))
OLD(int, shmdt, "GLIBC_2.2.5", (const void *))

static void *volatile null_ptr;
static int failed;

static void expect_efault(const char *what, int rc) {
    int err = errno;
    printf("%s(NULL...) = %d, errno %s\n", what, rc, err == EFAULT ? "EFAULT" : strerror(err));
    if (rc != -1 || err != EFAULT) failed = 1;
}

int main(void) {
    errno = 0;
    expect_efault("sem_init@GLIBC_2.2.5", old_sem_init(null_ptr, 0, 1));
    expect_efault("sem_post@GLIBC_2.2.5", old_sem_post(null_ptr));
    expect_efault("sem_wait@GLIBC_2.2.5", old_sem_wait(null_ptr));
    expect_efault("sem_destroy@GLIBC_2.2.5", old_sem_destroy(null_ptr));
    expect_efault("sem_getvalue@GLIBC_2.2.5", old_sem_getvalue(null_ptr, null_ptr));
    expect_efault("mq_open@GLIBC_2.3.4", old_mq_open(null_ptr, O_RDONLY));

    sem_t sem;
    int value = -1;
    if (old_sem_init(&sem, 0, 0) || old_sem_post(&sem) || old_sem_post(&sem) || old_sem_wait(&sem) ||
        old_sem_getvalue(&sem, &value) || old_sem_destroy(&sem) || value != 1) {
        printf("FAIL: semaphore round trip (value %d): %s\n", value, strerror(errno));
        failed = 1;
    } else {
        printf("semaphore round trip through the old versions: value 1\n");
    }

    char name[64];
    snprintf(name, sizeof name, "/rsipc-preload-old-%d", (int)getpid());
    struct mq_attr attr = {.mq_maxmsg = 2, .mq_msgsize = 16};
    mqd_t q = old_mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    char buf[16] = "";
    unsigned prio = 0;
    if (q == (mqd_t)-1 || old_mq_send(q, "old", 4, 3) || old_mq_receive(q, buf, sizeof buf, &prio) != 4 ||
        strcmp(buf, "old") != 0 || prio != 3) {
        printf("FAIL: queue round trip: %s\n", strerror(errno));
        failed = 1;
    } else {
        printf("queue round trip through the old versions: \"%s\" priority %u\n", buf, prio);
    }
    if (q != (mqd_t)-1) old_mq_close(q);
    old_mq_unlink(name);

    /* shmdt of an address that is no attachment: glibc and rsipc agree
     * (EINVAL); the call's binding is what readelf checks. */
    errno = 0;
    int rc = old_shmdt((void *)4096);
    printf("shmdt@GLIBC_2.2.5(not attached) = %d, errno %s\n", rc, errno == EINVAL ? "EINVAL" : strerror(errno));
    if (rc != -1 || errno != EINVAL) failed = 1;
    return failed;
}
