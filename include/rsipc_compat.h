/*
 * rsipc_compat.h — use rsipc in an existing program with one line.
 *
 * Include it after the system headers:
 *
 *     #include <unistd.h>
 *     #include <sys/shm.h>
 *     #include "rsipc_compat.h"
 *
 * and every standard name of rsipc's POSIX-compatible layer (pipe, shmget,
 * sem_wait, ...) becomes the rsipc function, through object-like macros, so
 * calls, function pointers and &name all reach rsipc. No other libc name is
 * touched. Link with -lrsipc.
 */
#ifndef RSIPC_COMPAT_H
#define RSIPC_COMPAT_H

#include "rsipc.h"

/* Pipes */
#define pipe rsipc_pipe
#define pipe2 rsipc_pipe2

/* FIFOs */
#define mkfifo rsipc_mkfifo
#define mkfifoat rsipc_mkfifoat

/* Memory mapping */
#define mmap rsipc_mmap
#define munmap rsipc_munmap
#define msync rsipc_msync

/* POSIX shared memory */
#define shm_open rsipc_shm_open
#define shm_unlink rsipc_shm_unlink

/* System V keys and shared memory */
#define ftok rsipc_ftok
#define shmget rsipc_shmget
#define shmat rsipc_shmat
#define shmdt rsipc_shmdt
#define shmctl rsipc_shmctl

/* System V message queues */
#define msgget rsipc_msgget
#define msgsnd rsipc_msgsnd
#define msgrcv rsipc_msgrcv
#define msgctl rsipc_msgctl

/* POSIX message queues */
#define mq_open rsipc_mq_open
#define mq_close rsipc_mq_close
#define mq_unlink rsipc_mq_unlink
#define mq_send rsipc_mq_send
#define mq_receive rsipc_mq_receive
#define mq_timedsend rsipc_mq_timedsend
#define mq_timedreceive rsipc_mq_timedreceive
#define mq_getattr rsipc_mq_getattr
#define mq_setattr rsipc_mq_setattr
#define mq_notify rsipc_mq_notify

/* POSIX semaphores */
#define sem_init rsipc_sem_init
#define sem_destroy rsipc_sem_destroy
#define sem_wait rsipc_sem_wait
#define sem_trywait rsipc_sem_trywait
#define sem_timedwait rsipc_sem_timedwait
#define sem_clockwait rsipc_sem_clockwait
#define sem_post rsipc_sem_post
#define sem_getvalue rsipc_sem_getvalue
#define sem_open rsipc_sem_open
#define sem_close rsipc_sem_close
#define sem_unlink rsipc_sem_unlink

/* System V semaphores */
#define semget rsipc_semget
#define semop rsipc_semop
#define semtimedop rsipc_semtimedop
#define semctl rsipc_semctl

#endif /* RSIPC_COMPAT_H */
