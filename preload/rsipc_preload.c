/*
 * librsipc_preload.so — rsipc for programs that cannot be rebuilt.
 *
 *     LD_PRELOAD=/usr/local/lib/librsipc_preload.so ./prog     (or: rsipc-run ./prog)
 *
 * This library exports the standard names of rsipc's POSIX-compatible layer
 * (sem_wait, mq_send, shmget, pipe, ...; the list is in rsipc_preload.map)
 * and nothing else. Each forwards to the rsipc_ function of librsipc.so, which
 * it links dynamically, so a process holds one copy of rsipc's state however
 * it reaches rsipc (through these names, or linked against librsipc itself).
 *
 * Why C and not Rust: the compiler checks every definition here against
 * glibc's own prototype (this file includes <semaphore.h>, <mqueue.h>,
 * <sys/msg.h>, ...: a mismatch of one parameter type is a compile error), the
 * three variadic functions of glibc (semctl, sem_open, mq_open) are real
 * variadic definitions that read their optional arguments as glibc does, and
 * each forwarder compiles to a test of one bit and a tail jump into
 * librsipc.so, so the interposition costs no frame. Stable Rust cannot
 * define a C-variadic function.
 *
 * Why the exported definitions are unversioned: a program linked against
 * glibc refers to versioned symbols (sem_wait@GLIBC_2.34, or
 * sem_wait@GLIBC_2.2.5 when it was linked before glibc 2.34 with -pthread).
 * The dynamic linker accepts an unversioned definition for any versioned
 * reference, so one definition here satisfies every version of a name; a
 * definition with a version of our own would match none of them.
 *
 * Groups: RSIPC_PRELOAD chooses which names go to rsipc; the others go to the
 * C library's own function (the next definition after this library,
 * dlsym(RTLD_NEXT)). Read once, by the constructor below, or by the first
 * call if that comes first (another library's constructor). The memory calls
 * (mmap, mmap64, munmap, msync) are off by default: every allocator and the
 * dynamic loader use them, for memory that has nothing to do with IPC.
 * See docs/preload.md.
 *
 * Thread cancellation: rsipc's cancellation points (sem_wait, mq_receive, ...)
 * are unwound through by pthread_cancel's forced unwind. The forwarders are
 * tail calls, so no frame of this library is on the stack while rsipc waits;
 * the few that are not (the variadic ones) are compiled with -fexceptions, so
 * the unwinder can cross them.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rsipc.h"

/* glibc declares the fortified mq_open's helper only under _FORTIFY_SOURCE. */
mqd_t __mq_open_2(const char *name, int oflag);

#define EXPORT __attribute__((visibility("default")))
#define LIKELY(x) __builtin_expect(!!(x), 1)

/* The groups; GROUP_READ marks that RSIPC_PRELOAD has been read. */
enum {
    GROUP_PIPE = 1u << 0,
    GROUP_FIFO = 1u << 1,
    GROUP_MMAP = 1u << 2,
    GROUP_SHM = 1u << 3,
    GROUP_MSG = 1u << 4,
    GROUP_MQ = 1u << 5,
    GROUP_SEM = 1u << 6,
    GROUP_FTOK = 1u << 7,
    GROUP_READ = 1u << 30,
};
#define GROUPS_ALL (GROUP_PIPE | GROUP_FIFO | GROUP_MMAP | GROUP_SHM | GROUP_MSG | GROUP_MQ | GROUP_SEM | GROUP_FTOK)
#define GROUPS_DEFAULT (GROUPS_ALL & ~GROUP_MMAP)

static const struct {
    const char *name;
    unsigned bits;
} group_names[] = {
    {"pipe", GROUP_PIPE}, {"fifo", GROUP_FIFO}, {"mmap", GROUP_MMAP}, {"shm", GROUP_SHM},
    {"msg", GROUP_MSG},   {"mq", GROUP_MQ},     {"sem", GROUP_SEM},   {"ftok", GROUP_FTOK},
    {"all", GROUPS_ALL},  {"default", GROUPS_DEFAULT},
};

/* 0 until RSIPC_PRELOAD is read: every forwarder then takes the slow path,
 * which reads it. After that, only GROUP_READ and the chosen groups. */
static unsigned groups;
/* The forwarders' read (relaxed: a plain load on every target). */
#define GROUPS() __atomic_load_n(&groups, __ATOMIC_RELAXED)

/* Every forwarded name: X(group, name). The real C library function of each
 * is looked up only when its group is off (or a call comes before the
 * constructor). */
#define PRELOAD_NAMES(X)                                                                                 \
    X(GROUP_PIPE, pipe) X(GROUP_PIPE, pipe2)                                                             \
    X(GROUP_FIFO, mkfifo) X(GROUP_FIFO, mkfifoat)                                                        \
    X(GROUP_MMAP, mmap) X(GROUP_MMAP, mmap64) X(GROUP_MMAP, munmap) X(GROUP_MMAP, msync)                 \
    X(GROUP_SHM, shm_open) X(GROUP_SHM, shm_unlink)                                                      \
    X(GROUP_FTOK, ftok)                                                                                  \
    X(GROUP_SHM, shmget) X(GROUP_SHM, shmat) X(GROUP_SHM, shmdt) X(GROUP_SHM, shmctl)                    \
    X(GROUP_MSG, msgget) X(GROUP_MSG, msgsnd) X(GROUP_MSG, msgrcv) X(GROUP_MSG, msgctl)                  \
    X(GROUP_MQ, mq_open) X(GROUP_MQ, __mq_open_2) X(GROUP_MQ, mq_close) X(GROUP_MQ, mq_unlink)           \
    X(GROUP_MQ, mq_send) X(GROUP_MQ, mq_receive) X(GROUP_MQ, mq_timedsend) X(GROUP_MQ, mq_timedreceive)  \
    X(GROUP_MQ, mq_getattr) X(GROUP_MQ, mq_setattr) X(GROUP_MQ, mq_notify)                               \
    X(GROUP_SEM, sem_init) X(GROUP_SEM, sem_destroy) X(GROUP_SEM, sem_wait) X(GROUP_SEM, sem_trywait)    \
    X(GROUP_SEM, sem_timedwait) X(GROUP_SEM, sem_clockwait) X(GROUP_SEM, sem_post)                       \
    X(GROUP_SEM, sem_getvalue) X(GROUP_SEM, sem_open) X(GROUP_SEM, sem_close) X(GROUP_SEM, sem_unlink)   \
    X(GROUP_SEM, semget) X(GROUP_SEM, semop) X(GROUP_SEM, semtimedop) X(GROUP_SEM, semctl)

#define INDEX(group, name) INDEX_##name,
enum { PRELOAD_NAMES(INDEX) NAME_COUNT };
#undef INDEX
#define GROUP_OF(group, name) [INDEX_##name] = group,
static const unsigned name_group[NAME_COUNT] = {PRELOAD_NAMES(GROUP_OF)};
#undef GROUP_OF
#define NAME_OF(group, name) [INDEX_##name] = #name,
static const char *const name_text[NAME_COUNT] = {PRELOAD_NAMES(NAME_OF)};
#undef NAME_OF

typedef void (*any_fn)(void);
/* The C library's functions, looked up on first need (atomically: two
 * threads looking one up store the same pointer). */
static any_fn real_fn[NAME_COUNT];

/* Reads RSIPC_PRELOAD: a comma-separated list of group names ("all",
 * "default", or any of pipe, fifo, mmap, shm, msg, mq, sem, ftok; a name
 * prefixed with '-' is taken out). Unset: the default (all but mmap). Set
 * and empty: nothing goes to rsipc. An unknown word is reported once on
 * standard error and ignored. */
static unsigned read_groups(void) {
    const char *spec = getenv("RSIPC_PRELOAD");
    if (spec == NULL) return GROUPS_DEFAULT;
    unsigned chosen = 0;
    for (const char *p = spec; *p != '\0';) {
        size_t len = strcspn(p, ", ");
        int remove = len > 0 && *p == '-';
        const char *word = p + remove;
        size_t wlen = len - (size_t)remove;
        int known = wlen == 0 && !remove;
        for (size_t i = 0; i < sizeof group_names / sizeof group_names[0]; i++) {
            if (wlen == strlen(group_names[i].name) && memcmp(word, group_names[i].name, wlen) == 0) {
                chosen = remove ? chosen & ~group_names[i].bits : chosen | group_names[i].bits;
                known = 1;
            }
        }
        if (!known) fprintf(stderr, "librsipc_preload: RSIPC_PRELOAD: unknown group \"%.*s\" ignored\n", (int)len, p);
        p += len;
        if (*p != '\0') p++;
    }
    return chosen;
}

static unsigned load_groups(void) {
    unsigned g = __atomic_load_n(&groups, __ATOMIC_RELAXED);
    if (g == 0) {
        g = read_groups() | GROUP_READ;
        __atomic_store_n(&groups, g, __ATOMIC_RELAXED);
    }
    return g;
}

static any_fn real(int index) {
    any_fn fn = __atomic_load_n(&real_fn[index], __ATOMIC_ACQUIRE);
    if (fn == NULL) {
        /* dlsym returns a data pointer; POSIX guarantees it converts. */
        void *sym = dlsym(RTLD_NEXT, name_text[index]);
        memcpy(&fn, &sym, sizeof fn);
        __atomic_store_n(&real_fn[index], fn, __ATOMIC_RELEASE);
    }
    return fn;
}

/* Looks up, ahead of any call, the C library function of every name whose
 * group is off, so that those calls later never reach dlsym (which takes a
 * lock and may allocate). */
__attribute__((constructor)) static void rsipc_preload_init(void) {
    unsigned g = load_groups();
    for (int i = 0; i < NAME_COUNT; i++)
        if (!(g & name_group[i])) (void)real(i);
}

/* The slow path: RSIPC_PRELOAD not read yet (a call before the
 * constructor), or the group is off. Returns the function to call. */
static any_fn route(int index, any_fn rsipc_fn) {
    if (load_groups() & name_group[index]) return rsipc_fn;
    any_fn fn = real(index);
    /* A C library without the function (none of glibc's lacks one of these
     * names): rsipc's is the only one there is. */
    return fn != NULL ? fn : rsipc_fn;
}

/* One forwarder: one test of a bit, then a tail call. The slow path is a
 * function of its own so that the fast path saves no register and keeps no
 * frame: both ways are a jump. */
#define FORWARD(ret, name, params, args)                                                        \
    __attribute__((noinline, cold)) static ret slow_##name params {                            \
        return ((ret(*) params)route(INDEX_##name, (any_fn)rsipc_##name)) args;                 \
    }                                                                                           \
    EXPORT ret name params {                                                                    \
        if (LIKELY(GROUPS() & GROUP_OF_##name)) return rsipc_##name args;                       \
        return slow_##name args;                                                                \
    }

#define GROUP_CONST(group, name) GROUP_OF_##name = group,
enum { PRELOAD_NAMES(GROUP_CONST) };
#undef GROUP_CONST

/* Pipes and FIFOs */
FORWARD(int, pipe, (int fds[2]), (fds))
FORWARD(int, pipe2, (int fds[2], int flags), (fds, flags))
FORWARD(int, mkfifo, (const char *path, mode_t mode), (path, mode))
FORWARD(int, mkfifoat, (int dirfd, const char *path, mode_t mode), (dirfd, path, mode))

/* Memory mapping; mmap64 is mmap on 64-bit targets (off_t is 64 bits). */
_Static_assert(sizeof(off_t) == sizeof(off64_t), "mmap64 forwards to rsipc_mmap: a 64-bit target only");
FORWARD(void *, mmap, (void *addr, size_t len, int prot, int flags, int fd, off_t off), (addr, len, prot, flags, fd, off))
#define rsipc_mmap64 rsipc_mmap
FORWARD(void *, mmap64, (void *addr, size_t len, int prot, int flags, int fd, off64_t off),
        (addr, len, prot, flags, fd, off))
#undef rsipc_mmap64
FORWARD(int, munmap, (void *addr, size_t len), (addr, len))
FORWARD(int, msync, (void *addr, size_t len, int flags), (addr, len, flags))

/* POSIX shared memory, System V keys and shared memory */
FORWARD(int, shm_open, (const char *name, int oflag, mode_t mode), (name, oflag, mode))
FORWARD(int, shm_unlink, (const char *name), (name))
FORWARD(key_t, ftok, (const char *path, int proj_id), (path, proj_id))
FORWARD(int, shmget, (key_t key, size_t size, int shmflg), (key, size, shmflg))
FORWARD(void *, shmat, (int shmid, const void *shmaddr, int shmflg), (shmid, shmaddr, shmflg))
FORWARD(int, shmdt, (const void *shmaddr), (shmaddr))
FORWARD(int, shmctl, (int shmid, int cmd, struct shmid_ds *buf), (shmid, cmd, buf))

/* System V message queues */
FORWARD(int, msgget, (key_t key, int msgflg), (key, msgflg))
FORWARD(int, msgsnd, (int msqid, const void *msgp, size_t msgsz, int msgflg), (msqid, msgp, msgsz, msgflg))
FORWARD(ssize_t, msgrcv, (int msqid, void *msgp, size_t msgsz, long msgtyp, int msgflg),
        (msqid, msgp, msgsz, msgtyp, msgflg))
FORWARD(int, msgctl, (int msqid, int cmd, struct msqid_ds *buf), (msqid, cmd, buf))

/* POSIX message queues. mq_open reads mode and attr only with O_CREAT, as
 * glibc's does (a two-argument call passes nothing there). */
EXPORT mqd_t mq_open(const char *name, int oflag, ...) {
    mode_t mode = 0;
    struct mq_attr *attr = NULL;
    if (oflag & O_CREAT) {
        va_list ap;
        va_start(ap, oflag);
        mode = va_arg(ap, mode_t);
        attr = va_arg(ap, struct mq_attr *);
        va_end(ap);
    }
    if (LIKELY(GROUPS() & GROUP_MQ)) return rsipc_mq_open(name, oflag, mode, attr);
    return ((mqd_t(*)(const char *, int, ...))route(INDEX_mq_open, (any_fn)rsipc_mq_open))(name, oflag, mode, attr);
}
/* The fortified mq_open's call for two arguments (_FORTIFY_SOURCE).
 * glibc's stops the program when oflag has O_CREAT; rsipc_compat.h's
 * version of it, and this one, create the queue with mode 0 and the
 * default attributes instead. */
EXPORT mqd_t __mq_open_2(const char *name, int oflag) {
    if (LIKELY(GROUPS() & GROUP_MQ)) return rsipc_mq_open(name, oflag, 0u, (struct mq_attr *)NULL);
    return ((mqd_t(*)(const char *, int))route(INDEX___mq_open_2, (any_fn)rsipc_mq_open))(name, oflag);
}
FORWARD(int, mq_close, (mqd_t mqdes), (mqdes))
FORWARD(int, mq_unlink, (const char *name), (name))
FORWARD(int, mq_send, (mqd_t mqdes, const char *msg, size_t len, unsigned int prio), (mqdes, msg, len, prio))
FORWARD(int, mq_timedsend, (mqd_t mqdes, const char *msg, size_t len, unsigned int prio, const struct timespec *t),
        (mqdes, msg, len, prio, t))
FORWARD(ssize_t, mq_receive, (mqd_t mqdes, char *msg, size_t len, unsigned int *prio), (mqdes, msg, len, prio))
FORWARD(ssize_t, mq_timedreceive, (mqd_t mqdes, char *msg, size_t len, unsigned int *prio, const struct timespec *t),
        (mqdes, msg, len, prio, t))
FORWARD(int, mq_getattr, (mqd_t mqdes, struct mq_attr *attr), (mqdes, attr))
FORWARD(int, mq_setattr, (mqd_t mqdes, const struct mq_attr *newattr, struct mq_attr *oldattr),
        (mqdes, newattr, oldattr))
FORWARD(int, mq_notify, (mqd_t mqdes, const struct sigevent *sevp), (mqdes, sevp))

/* POSIX semaphores. sem_open reads mode and value only with O_CREAT. */
FORWARD(int, sem_init, (sem_t *sem, int pshared, unsigned int value), (sem, pshared, value))
FORWARD(int, sem_destroy, (sem_t *sem), (sem))
FORWARD(int, sem_wait, (sem_t *sem), (sem))
FORWARD(int, sem_trywait, (sem_t *sem), (sem))
FORWARD(int, sem_timedwait, (sem_t *sem, const struct timespec *abstime), (sem, abstime))
FORWARD(int, sem_clockwait, (sem_t *sem, clockid_t clock, const struct timespec *abstime), (sem, clock, abstime))
FORWARD(int, sem_post, (sem_t *sem), (sem))
FORWARD(int, sem_getvalue, (sem_t *sem, int *sval), (sem, sval))
EXPORT sem_t *sem_open(const char *name, int oflag, ...) {
    mode_t mode = 0;
    unsigned int value = 0;
    if (oflag & O_CREAT) {
        va_list ap;
        va_start(ap, oflag);
        mode = va_arg(ap, mode_t);
        value = va_arg(ap, unsigned int);
        va_end(ap);
    }
    if (LIKELY(GROUPS() & GROUP_SEM)) return rsipc_sem_open(name, oflag, mode, value);
    return ((sem_t * (*)(const char *, int, ...)) route(INDEX_sem_open, (any_fn)rsipc_sem_open))(name, oflag, mode,
                                                                                                  value);
}
FORWARD(int, sem_close, (sem_t *sem), (sem))
FORWARD(int, sem_unlink, (const char *name), (name))

/* System V semaphores. semctl reads its fourth argument (a union semun,
 * one register wide) only for the commands that take one, as glibc's does. */
FORWARD(int, semget, (key_t key, int nsems, int semflg), (key, nsems, semflg))
FORWARD(int, semop, (int semid, struct sembuf *sops, size_t nsops), (semid, sops, nsops))
FORWARD(int, semtimedop, (int semid, struct sembuf *sops, size_t nsops, const struct timespec *timeout),
        (semid, sops, nsops, timeout))
EXPORT int semctl(int semid, int semnum, int cmd, ...) {
    unsigned long arg = 0;
    switch (cmd) {
    case SETVAL:
    case GETALL:
    case SETALL:
    case IPC_STAT:
    case IPC_SET:
    case IPC_INFO:
    case SEM_INFO:
    case SEM_STAT:
    case SEM_STAT_ANY: {
        va_list ap;
        va_start(ap, cmd);
        arg = va_arg(ap, unsigned long);
        va_end(ap);
        break;
    }
    default:
        break;
    }
    if (LIKELY(GROUPS() & GROUP_SEM)) return rsipc_semctl(semid, semnum, cmd, arg);
    return ((int (*)(int, int, int, ...))route(INDEX_semctl, (any_fn)rsipc_semctl))(semid, semnum, cmd, arg);
}
