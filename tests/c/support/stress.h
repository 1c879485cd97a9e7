/* A stress driver for any record transport: S sender processes and R
 * receiver processes, rsipc and glibc callers mixed, push N fixed-size
 * records through one object and the driver proves that every record
 * arrived exactly once, in per-sender order, intact, with exact counts.
 *
 *   static const struct stress_transport pipe_transport = {
 *       "pipe", PIPE_BUF, open, sender_init, receiver_init, send, recv, finish, close_all};
 *   struct stress_config cfg = {.senders = 4, .receivers = 2, .records = stress_records(20000)};
 *   return stress_run(&pipe_transport, &state, &cfg);
 *
 * A transport moves opaque records of `record_size` bytes (the driver fills
 * and checks them). Its hooks, each returning 0 or -1 with errno unless said
 * otherwise:
 *   open(state)               parent, before any fork: create the object
 *   sender_init(state, i)     in sender i after fork (e.g. close the read end)
 *   receiver_init(state, i)   in receiver i after fork
 *   send(state, rec, rsipc)   one record; `rsipc` 1: through rsipc, 0: through
 *                             glibc (senders and receivers alternate)
 *   recv(state, rec, rsipc)   one record: 1, end of stream: 0, error: -1
 *   finish(state, R)          parent, after every sender exited: make every
 *                             receiver's stream end. NULL: the driver sends R
 *                             end records through send() (one per receiver),
 *                             which suits queues; a pipe closes its write end
 *                             instead (EOF).
 *   close(state)              parent, at the very end, also after a failure:
 *                             remove the object (the leak check runs after).
 *
 * Reusing it for the other mechanisms: a System V or POSIX message queue is
 * a transport whose send/recv are msgsnd/msgrcv or mq_send/mq_receive (rsipc
 * or glibc by the flag) and whose finish is NULL; semaphores become one by
 * guarding a ring of record slots in shared memory with counting semaphores
 * (send = wait(free) + lock + copy in + unlock + post(used)) — every record
 * then costs several semaphore operations, each checked by the same
 * exactly-once accounting.
 *
 * stress_selftest(t, state) runs short exchanges through `t` with a fault
 * injected on purpose (a record dropped, duplicated, reordered, corrupted)
 * and returns 0 only if the driver caught every one: call it once per
 * transport, so a transport that hides faults cannot pass.
 *
 * Counts: stress_records(small) is `small` in the normal test run, 1000000
 * with RSIPC_STRESS_FULL=1, or RSIPC_STRESS_RECORDS=n for any other count.
 * No timing is measured or asserted; a watchdog alarm in each child turns a
 * deadlock into a failure instead of a stuck test.
 *
 * Part of the test support library (tests/c/support/): the driver is
 * stress.c. */
#ifndef RSIPC_TEST_STRESS_H
#define RSIPC_TEST_STRESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rsipc.h"

#define STRESS_FULL_RECORDS 1000000L
#define STRESS_MAX_PROCS 64
#define STRESS_WATCHDOG_SECONDS 1800
#define STRESS_MAGIC 0x72735354u /* "rsST" */
#define STRESS_FLAG_END 1u

struct stress_transport {
    const char *name;
    size_t record_size; /* >= sizeof(struct stress_header) */
    int (*open)(void *state);
    int (*sender_init)(void *state, int sender);
    int (*receiver_init)(void *state, int receiver);
    int (*send)(void *state, const void *rec, int rsipc);
    int (*recv)(void *state, void *rec, int rsipc);
    int (*finish)(void *state, int receivers);
    void (*close)(void *state);
};

struct stress_config {
    int senders;
    int receivers;
    long records; /* in total, spread over the senders */
};

/* The start of every record; the rest is a pattern derived from it. */
struct stress_header {
    uint32_t magic;
    uint32_t flags;
    uint32_t sender;
    uint32_t size;
    uint64_t seq;
};

/* The record count for a run: `small` in the normal test run, 1000000 with
 * RSIPC_STRESS_FULL=1, or RSIPC_STRESS_RECORDS=n. */
long stress_records(long small);

/* Runs the whole exchange; prints one summary line; 0 if every record
 * arrived exactly once, in order, intact, and every process succeeded. */
int stress_run(const struct stress_transport *t, void *state, const struct stress_config *cfg);

/* The same exchange with one fault injected on purpose, once per kind of
 * fault (dropped, duplicated, reordered, corrupted); 0 only if stress_run
 * caught every one. */
int stress_selftest(const struct stress_transport *t, void *state);

/* A child's end: 0 if it exited 0; else prints why (naming `t`, `role`
 * and `id`) and returns 1. */
int stress_wait(const struct stress_transport *t, pid_t pid, const char *role, int id);

#endif
