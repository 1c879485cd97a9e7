/* Every standard name rsipc_compat.h maps, by header (the POSIX-compatible
 * layer of the C contract). run.py reads this list too: the nm check looks
 * for rsipc_NAME in every object and for no glibc symbol of these names. */
#define RSIPC_COMPAT_NAMES(X)                                                          \
    X(pipe) X(pipe2)                                                                   \
    X(mkfifo) X(mkfifoat)                                                              \
    X(mmap) X(munmap) X(msync)                                                         \
    X(shm_open) X(shm_unlink)                                                          \
    X(ftok) X(shmget) X(shmat) X(shmdt) X(shmctl)                                      \
    X(msgget) X(msgsnd) X(msgrcv) X(msgctl)                                            \
    X(mq_open) X(mq_close) X(mq_unlink) X(mq_send) X(mq_receive) X(mq_timedsend)       \
    X(mq_timedreceive) X(mq_getattr) X(mq_setattr) X(mq_notify)                        \
    X(sem_init) X(sem_destroy) X(sem_wait) X(sem_trywait) X(sem_timedwait)             \
    X(sem_clockwait) X(sem_post) X(sem_getvalue) X(sem_open) X(sem_close)              \
    X(sem_unlink)                                                                      \
    X(semget) X(semop) X(semtimedop) X(semctl)
