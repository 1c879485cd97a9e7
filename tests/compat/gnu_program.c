/* A program written the way real Linux programs are: `#define _GNU_SOURCE`
 * first, then the system headers, then GNU-only names (O_PATH, O_DIRECT,
 * CPU_SETSIZE, off64_t, environ, MSG_EXCEPT, sem_clockwait, semtimedop) used
 * for real. run.py builds it with each C compiler plain (glibc), with
 * `-include rsipc_compat.h` (read before the #define below), with
 * rsipc_compat.h included after the system headers (-DCOMPAT_LAST), and with
 * both; every build must compile and print the same thing. Built with the compat header,
 * it also proves that its calls land in rsipc.
 *
 * MSG_EXCEPT is used as programs use it (under #ifdef, with a fallback), so
 * that a build that lost _GNU_SOURCE would not fail but print differently. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef COMPAT_LAST
#include "rsipc_compat.h"
#endif
#ifdef RSIPC_COMPAT_H
/* rsipc_last_error() for the routing proof; included after the system
 * headers, which (compat header first) declared the renamed functions. */
#include "rsipc.h"
#endif

static int failures;

#define EXPECT(cond)                                                                  \
    do {                                                                              \
        if (!(cond)) {                                                                \
            failures++;                                                               \
            fprintf(stderr, "%s:%d: EXPECT(%s) failed (errno %d: %s)\n", __FILE__,     \
                    __LINE__, #cond, errno, strerror(errno));                         \
        }                                                                             \
    } while (0)

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

struct message {
    long mtype;
    char mtext[16];
};

static void o_path(void) {
    /* O_PATH: a descriptor that locates a file without opening it for I/O. */
    int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    EXPECT(fd >= 0);
    struct stat st;
    EXPECT(fstat(fd, &st) == 0 && S_ISDIR(st.st_mode));
    char c;
    errno = 0;
    EXPECT(read(fd, &c, 1) == -1 && errno == EBADF);
    close(fd);
    printf("O_PATH: fstat works, read fails with EBADF\n");
}

static void cpu_set(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    EXPECT(sched_getaffinity(0, sizeof set, &set) == 0);
    EXPECT(CPU_COUNT(&set) >= 1);
    printf("CPU_SETSIZE %d: this process may run on at least one CPU\n", CPU_SETSIZE);
}

static void large_file_offsets(const char *dir) {
    char path[256];
    snprintf(path, sizeof path, "%s/file", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    EXPECT(fd >= 0);
    EXPECT(write(fd, "0123456789", 10) == 10);
    off64_t end = lseek64(fd, 0, SEEK_END);
    EXPECT(end == 10);
    /* mmap of that file, shared: what the program writes through the map
     * reads back through the descriptor. */
    char *map = mmap(NULL, 10, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    EXPECT(map != MAP_FAILED);
    if (map != MAP_FAILED) {
        map[0] = 'X';
        EXPECT(msync(map, 10, MS_SYNC) == 0);
        EXPECT(munmap(map, 10) == 0);
    }
    char first = 0;
    EXPECT(pread(fd, &first, 1, 0) == 1);
    close(fd);
    unlink(path);
    printf("off64_t: %zu bytes, lseek64 to end gives %lld; mmap wrote '%c'\n", sizeof(off64_t), (long long)end,
           first);
}

static void environment(void) {
    /* environ is declared by <unistd.h> only with _GNU_SOURCE. */
    const char *found = NULL;
    for (char **e = environ; *e != NULL; e++) {
        if (strncmp(*e, "RSIPC_COMPAT_PROBE=", 19) == 0) {
            found = *e;
        }
    }
    EXPECT(found != NULL);
    printf("environ: %s\n", found != NULL ? found : "(probe variable missing)");
}

static void packet_pipe(void) {
    /* O_DIRECT makes a packet-mode pipe: each write is read back whole,
     * one per read, however large the buffer. */
    int fds[2];
    EXPECT(pipe2(fds, O_DIRECT | O_CLOEXEC) == 0);
    EXPECT(write(fds[1], "abc", 3) == 3);
    EXPECT(write(fds[1], "de", 2) == 2);
    char buf[64];
    ssize_t first = read(fds[0], buf, sizeof buf);
    ssize_t second = read(fds[0], buf, sizeof buf);
    EXPECT(first == 3 && second == 2);
    close(fds[0]);
    close(fds[1]);
    printf("pipe2(O_DIRECT): packets of %zd and %zd bytes\n", first, second);
}

static void fifo_at(const char *dir) {
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    EXPECT(dirfd >= 0);
    EXPECT(mkfifoat(dirfd, "fifo", 0600) == 0);
    struct stat st;
    EXPECT(fstatat(dirfd, "fifo", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISFIFO(st.st_mode));
    EXPECT(unlinkat(dirfd, "fifo", 0) == 0);
    close(dirfd);
    printf("mkfifoat: made a FIFO relative to a directory descriptor\n");
}

static void message_queue(void) {
    int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    EXPECT(id >= 0);
    struct message out[3] = {{1, "one"}, {2, "two"}, {1, "three"}};
    for (int i = 0; i < 3; i++) {
        EXPECT(msgsnd(id, &out[i], strlen(out[i].mtext) + 1, IPC_NOWAIT) == 0);
    }
    struct message in;
    memset(&in, 0, sizeof in);
#ifdef MSG_EXCEPT
    /* The first message whose type is NOT 1: the one of type 2. */
    ssize_t n = msgrcv(id, &in, sizeof in.mtext, 1, MSG_EXCEPT | IPC_NOWAIT);
    EXPECT(n == 4 && in.mtype == 2 && strcmp(in.mtext, "two") == 0);
    printf("MSG_EXCEPT: the first message not of type 1 is type %ld \"%s\"\n", in.mtype, in.mtext);
#else
    printf("MSG_EXCEPT: not available, receiving in order instead\n");
#endif
    struct msqid_ds ds;
    EXPECT(msgctl(id, IPC_STAT, &ds) == 0);
    printf("msgctl: %lu messages left\n", (unsigned long)ds.msg_qnum);
    EXPECT(msgctl(id, IPC_RMID, NULL) == 0);
}

static void semaphores(void) {
    sem_t sem;
    EXPECT(sem_init(&sem, 0, 0) == 0);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    errno = 0;
    EXPECT(sem_clockwait(&sem, CLOCK_MONOTONIC, &now) == -1 && errno == ETIMEDOUT);
    EXPECT(sem_post(&sem) == 0);
    EXPECT(sem_clockwait(&sem, CLOCK_MONOTONIC, &now) == 0);
    int value = -1;
    EXPECT(sem_getvalue(&sem, &value) == 0 && value == 0);
    EXPECT(sem_destroy(&sem) == 0);
    printf("sem_clockwait: timed out at 0, then took the posted unit\n");

    int id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    EXPECT(id >= 0);
    struct sembuf down = {0, -1, 0};
    struct timespec zero = {0, 0};
    errno = 0;
    EXPECT(semtimedop(id, &down, 1, &zero) == -1 && errno == EAGAIN);
    union semun arg;
    arg.val = 1;
    EXPECT(semctl(id, 0, SETVAL, arg) == 0);
    EXPECT(semtimedop(id, &down, 1, &zero) == 0);
    EXPECT(semctl(id, 0, GETVAL) == 0);
    EXPECT(semctl(id, 0, IPC_RMID) == 0);
    printf("semtimedop: EAGAIN at 0, then took the unit SETVAL gave\n");
}

static void routing(void) {
#ifdef RSIPC_COMPAT_H
    /* glibc's sem_post(NULL) would crash; rsipc's fails with EFAULT and
     * explains itself. Printed on stderr: stdout must match the plain build. */
    sem_t *volatile nowhere = NULL;
    rsipc_clear_error();
    errno = 0;
    int ret = sem_post(nowhere);
    EXPECT(ret == -1 && errno == EFAULT);
    EXPECT(strncmp(rsipc_last_error(), "sem_post(", 9) == 0);
    fprintf(stderr, "routed to rsipc: %s\n", rsipc_last_error());
#endif
}

int main(void) {
    char dir[] = "/tmp/rsipc-compat-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    o_path();
    cpu_set();
    large_file_offsets(dir);
    environment();
    packet_pipe();
    fifo_at(dir);
    message_queue();
    semaphores();
    routing();
    rmdir(dir);
    return failures == 0 ? 0 : 1;
}
