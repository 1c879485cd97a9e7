/* The cost of librsipc_preload.so's interposition (docs/preload.md): the
 * same one-process workloads through three doors, in the same run --
 *   glibc     the C library's function (this program is not preloaded),
 *   preload   the standard name as librsipc_preload.so defines it (the
 *             library is dlopen'ed with RTLD_LOCAL and each name taken
 *             from it with dlsym: what a preloaded program's call reaches),
 *   direct    the rsipc_ function of librsipc.so.
 * Every variant calls through the same kind of function pointer, so the
 * three differ only in what is behind it. Each workload has two rows: the
 * preload against glibc (the rsipc column is the preload), and the preload
 * against the direct call (the glibc column is the direct rsipc_ call): the
 * second row's difference of medians, over the calls per operation, is
 * what the interposition adds per call (the target: at most 1 ns).
 * The preloaded names go to rsipc unless RSIPC_PRELOAD says otherwise: run
 * the bench with RSIPC_PRELOAD unset. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "rsipc.h"

#ifndef RSIPC_BENCH_PRELOAD_LIB
#define RSIPC_BENCH_PRELOAD_LIB "librsipc_preload.so"
#endif

typedef struct {
    int (*sem_post)(sem_t *);
    int (*sem_wait)(sem_t *);
    int (*sem_trywait)(sem_t *);
    mqd_t (*mq_open)(const char *, int, ...);
    int (*mq_send)(mqd_t, const char *, size_t, unsigned);
    ssize_t (*mq_receive)(mqd_t, char *, size_t, unsigned *);
    int (*mq_close)(mqd_t);
    int (*mq_unlink)(const char *);
} door;

static const door glibc_door = {sem_post, sem_wait, sem_trywait, mq_open, mq_send, mq_receive, mq_close, mq_unlink};
static const door direct_door = {rsipc_sem_post,   rsipc_sem_wait,   rsipc_sem_trywait, rsipc_mq_open,
                                 rsipc_mq_send,    rsipc_mq_receive, rsipc_mq_close,    rsipc_mq_unlink};

static void *preload_sym(void *lib, const char *name) {
    void *sym = dlsym(lib, name);
    if (sym == NULL) bench_die("dlsym(%s, %s): %s", RSIPC_BENCH_PRELOAD_LIB, name, dlerror());
    /* It must be the preload's own definition, not the C library's. */
    Dl_info info;
    if (!dladdr(sym, &info) || info.dli_fname == NULL || strstr(info.dli_fname, "librsipc_preload") == NULL)
        bench_die("%s from %s is not the preload's", name, RSIPC_BENCH_PRELOAD_LIB);
    return sym;
}

static const door *preload_door(void) {
    static door d;
    static int loaded;
    if (!loaded) {
        void *lib = dlopen(RSIPC_BENCH_PRELOAD_LIB, RTLD_NOW | RTLD_LOCAL);
        if (lib == NULL) bench_die("dlopen(%s): %s", RSIPC_BENCH_PRELOAD_LIB, dlerror());
#define TAKE(name) *(void **)&d.name = preload_sym(lib, #name)
        TAKE(sem_post);
        TAKE(sem_wait);
        TAKE(sem_trywait);
        TAKE(mq_open);
        TAKE(mq_send);
        TAKE(mq_receive);
        TAKE(mq_close);
        TAKE(mq_unlink);
#undef TAKE
        loaded = 1;
    }
    return &d;
}

/* ---- the workloads, through a door ------------------------------------------ */

static double sem_cycle(const door *d, size_t count) {
    sem_t s;
    if (sem_init(&s, 0, 0) != 0) bench_die("sem_init");
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < count; i++)
        if (d->sem_post(&s) != 0 || d->sem_wait(&s) != 0) bench_die("sem_post/sem_wait");
    uint64_t t1 = bench_now_ns();
    sem_destroy(&s);
    return bench_ns_per(t0, t1, count);
}

static double sem_trywait_fails(const door *d, size_t count) {
    sem_t s;
    if (sem_init(&s, 0, 0) != 0) bench_die("sem_init");
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < count; i++)
        if (d->sem_trywait(&s) != -1 || errno != EAGAIN) bench_die("sem_trywait did not fail with EAGAIN");
    uint64_t t1 = bench_now_ns();
    sem_destroy(&s);
    return bench_ns_per(t0, t1, count);
}

static double mq_cycle(const door *d, size_t size, size_t count) {
    char name[96];
    bench_ipc_name(name, sizeof name, "preload-mq");
    struct mq_attr attr = {.mq_maxmsg = 10, .mq_msgsize = (long)size};
    mqd_t q = d->mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    if (q == (mqd_t)-1) bench_die("mq_open(%s)", name);
    if (d->mq_unlink(name) != 0) bench_die("mq_unlink(%s)", name);
    char buf[64] = "x";
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < count; i++)
        if (d->mq_send(q, buf, size, 0) != 0 || d->mq_receive(q, buf, sizeof buf, NULL) != (ssize_t)size)
            bench_die("mq_send/mq_receive");
    uint64_t t1 = bench_now_ns();
    if (d->mq_close(q) != 0) bench_die("mq_close");
    return bench_ns_per(t0, t1, count);
}

static double glibc_sem(const bench_args *a) { return sem_cycle(&glibc_door, a->count); }
static double direct_sem(const bench_args *a) { return sem_cycle(&direct_door, a->count); }
static double preload_sem(const bench_args *a) { return sem_cycle(preload_door(), a->count); }
static double glibc_fail(const bench_args *a) { return sem_trywait_fails(&glibc_door, a->count); }
static double direct_fail(const bench_args *a) { return sem_trywait_fails(&direct_door, a->count); }
static double preload_fail(const bench_args *a) { return sem_trywait_fails(preload_door(), a->count); }
static double glibc_mq(const bench_args *a) { return mq_cycle(&glibc_door, a->size, a->count); }
static double direct_mq(const bench_args *a) { return mq_cycle(&direct_door, a->size, a->count); }
static double preload_mq(const bench_args *a) { return mq_cycle(preload_door(), a->size, a->count); }

static const bench_row rows[] = {
    /* name, unit, glibc, rsipc, size, quick count, full count */
    {"sem_post+sem_wait, one process: glibc vs preloaded name", BENCH_NS, glibc_sem, preload_sem, 0, 200000, 2000000},
    {"sem_post+sem_wait, one process: direct rsipc_ vs preloaded name", BENCH_NS, direct_sem, preload_sem, 0, 200000,
     2000000},
    {"mq_send+mq_receive 64 B, one process: glibc vs preloaded name", BENCH_NS, glibc_mq, preload_mq, 64, 20000, 200000},
    {"mq_send+mq_receive 64 B, one process: direct rsipc_ vs preloaded name", BENCH_NS, direct_mq, preload_mq, 64, 20000,
     200000},
    {"sem_trywait of 0, fails with EAGAIN: glibc vs preloaded name", BENCH_NS, glibc_fail, preload_fail, 0, 200000,
     2000000},
    {"sem_trywait of 0, fails with EAGAIN: direct rsipc_ vs preloaded name", BENCH_NS, direct_fail, preload_fail, 0,
     200000, 2000000},
};

BENCH_GROUP(preload, rows);
