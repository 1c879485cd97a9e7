/* Hardware and kernel limits, measured in the same run as the comparisons so
 * every figure can be read against them: memory bandwidth, the one-way
 * latency of a cache line moving between the two pinned processes, a futex
 * wait/wake ping-pong between them, and a null system call. */
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness.h"

/* ---- memcpy bandwidth --------------------------------------------------------- */

#define COPY_BUFFER (64 * MiB) /* far larger than any last-level cache here */

static volatile char sink;

/* a->count bytes copied, in passes over two COPY_BUFFER buffers. */
static double memcpy_bandwidth(const bench_args *a) {
    char *src = bench_alloc(COPY_BUFFER), *dst = bench_alloc(COPY_BUFFER);
    size_t passes = a->count / COPY_BUFFER ? a->count / COPY_BUFFER : 1;
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < passes; i++) {
        src[i % COPY_BUFFER] = (char)i; /* a fresh source each pass: the copy cannot be hoisted */
        memcpy(dst, src, COPY_BUFFER);
    }
    uint64_t t1 = bench_now_ns();
    sink = dst[passes % COPY_BUFFER];
    free(src);
    free(dst);
    return bench_mib_per_s(t0, t1, passes * COPY_BUFFER);
}

/* ---- cache line ping-pong ---------------------------------------------------------- */

/* One word on its own cache line of a shared anonymous mapping: the parent
 * writes odd values, the child answers with the next even one; both spin. */
typedef struct {
    _Atomic unsigned *word;
    size_t rounds;
} bounce;

static void wait_for(_Atomic unsigned *w, unsigned v) {
    while (atomic_load_explicit(w, memory_order_acquire) != v) {
    }
}

static int cacheline_child(void *arg) {
    bounce *b = arg;
    for (unsigned i = 0; i < b->rounds; i++) {
        wait_for(b->word, 2 * i + 1);
        atomic_store_explicit(b->word, 2 * i + 2, memory_order_release);
    }
    return 0;
}

static double cacheline_pingpong(const bench_args *a) {
    bounce b = {bench_shared_alloc(4096), a->count + a->count / 10 + 1};
    atomic_store(b.word, 0);
    pid_t pid = bench_spawn(cacheline_child, &b);
    uint64_t t0 = 0;
    for (unsigned i = 0; i < b.rounds; i++) {
        if (i == b.rounds - a->count) t0 = bench_now_ns(); /* the first tenth warms up */
        atomic_store_explicit(b.word, 2 * i + 1, memory_order_release);
        wait_for(b.word, 2 * i + 2);
    }
    uint64_t t1 = bench_now_ns();
    bench_reap(pid);
    munmap((void *)b.word, 4096);
    return bench_ns_per(t0, t1, 2 * a->count);
}

/* ---- futex ping-pong ------------------------------------------------------------------ */

/* The same exchange, but each side sleeps in FUTEX_WAIT until woken by the
 * other's FUTEX_WAKE (shared, not private: two processes): the floor under
 * every blocking IPC wake-up. */
static void futex_wait_while(_Atomic unsigned *w, unsigned v) {
    while (atomic_load_explicit(w, memory_order_acquire) == v) syscall(SYS_futex, w, FUTEX_WAIT, v, NULL, NULL, 0);
}

static void futex_set(_Atomic unsigned *w, unsigned v) {
    atomic_store_explicit(w, v, memory_order_release);
    syscall(SYS_futex, w, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static int futex_child(void *arg) {
    bounce *b = arg;
    for (unsigned i = 0; i < b->rounds; i++) {
        futex_wait_while(b->word, 2 * i);
        futex_set(b->word, 2 * i + 2);
    }
    return 0;
}

static double futex_pingpong(const bench_args *a) {
    bounce b = {bench_shared_alloc(4096), a->count + a->count / 10 + 1};
    atomic_store(b.word, 0);
    pid_t pid = bench_spawn(futex_child, &b);
    uint64_t t0 = 0;
    for (unsigned i = 0; i < b.rounds; i++) {
        if (i == b.rounds - a->count) t0 = bench_now_ns();
        futex_set(b.word, 2 * i + 1);
        futex_wait_while(b.word, 2 * i + 1);
    }
    uint64_t t1 = bench_now_ns();
    bench_reap(pid);
    munmap((void *)b.word, 4096);
    return bench_ns_per(t0, t1, 2 * a->count);
}

/* ---- null system call -------------------------------------------------------------------- */

static double null_syscall(const bench_args *a) {
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < a->count; i++) syscall(SYS_getppid);
    return bench_ns_per(t0, bench_now_ns(), a->count);
}

static const bench_row rows[] = {
    /* name, unit, function, -, size, quick count, full count */
    {"memcpy bandwidth, 64 MiB buffers", BENCH_MIBS, memcpy_bandwidth, NULL, 0, COPY_BUFFER, 4 * COPY_BUFFER},
    {"cache line one-way latency between the processes", BENCH_NS, cacheline_pingpong, NULL, 0, 10000, 20000},
    {"futex wait/wake one-way latency between the processes", BENCH_NS, futex_pingpong, NULL, 0, 500, 500},
    {"null system call (getppid)", BENCH_NS, null_syscall, NULL, 0, 50000, 100000},
};

BENCH_GROUP(limits, rows);
